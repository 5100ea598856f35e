"""What changed between two versions of a handover, side by side (from ``diff_versions``).

The sender opens it on a returned handover: the version the receiving team returned on the left, the
new one on the right, one row per changed answer, labelled with the form's own question and section,
and the kind of change in words (not colour alone).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from handover import family, labels
from handover.forms import Field
from handover.app import operations as ops
from ui.qt import (QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, Qt, QTreeWidget,
                   QTreeWidgetItem, QVBoxLayout, QWidget, QBrush, QColor)
from ui.widgets.style import STYLE_SHEET, heading, muted

__all__ = ["ChangesView", "ChangesDialog", "field_label", "value_text"]

_KIND_WORDS = {"changed": "Changed", "added": "Added", "removed": "Removed"}
_KIND_BG = {"changed": "#fff7bf", "added": "#e6f4ea", "removed": "#fde8e6"}


def _labels(case: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Field key (list indices removed) → (section title, question label)."""
    return {k: (section, label) for k, (section, label, _vocab) in _fields(case).items()}


def _fields(case: dict[str, Any]) -> dict[str, tuple[str, str, str | None]]:
    """Field key (list indices removed) → (section title, question label, vocabulary of its codes)."""
    out: dict[str, tuple[str, str, str | None]] = {}

    def walk(fields: tuple[Field, ...], prefix: str, section: str) -> None:
        for f in fields:
            key = f"{prefix}{f.key}"
            out[key] = (section, f.label, f.vocab)
            if f.fields:
                walk(f.fields, key + "[].", section)

    try:
        form = family.form_of(case)
    except Exception:  # noqa: BLE001 — labels are a nicety; the path is shown instead
        return out
    for s in form.sections:
        walk(s.fields, "", s.title)
    return out


def field_label(path: str, labels: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """(section, "Question (entry 3)") for a changed path; falls back to the path in words."""
    generic = re.sub(r"\[\d+\]", "[]", path)
    entries = [int(n) + 1 for n in re.findall(r"\[(\d+)\]", path)]
    probe = generic
    while probe:
        if probe in labels:
            section, label = labels[probe]
            rest = generic[len(probe):].lstrip(".").replace("[]", "")
            if rest:
                label += " › " + rest.replace("_", " ").replace(".", " › ")
            if entries:
                label += " (entry " + ", ".join(map(str, entries)) + ")"
            return section, label
        probe = probe.rsplit(".", 1)[0] if "." in probe else ""
    return path.split(".")[0].split("[")[0].replace("_", " ").capitalize(), path.replace("_", " ")


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def value_text(value: Any, vocab_name: str | None = None) -> str:
    """An answer as a person reads it: dates as 14/02/2019, codes as their words (``vocab_name``)."""
    if value is None:
        return "(not given)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list) and vocab_name and all(isinstance(v, str) for v in value):
        return "; ".join(value_text(v, vocab_name) for v in value) or "(none)"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, indent=1)
    text = str(value)
    if not text.strip():
        return "(blank)"
    if vocab_name:
        from handover.vocab import vocab

        try:
            return vocab().label(vocab_name, text)
        except Exception:  # noqa: BLE001 — a code the vocabulary does not know is shown as it is
            return text
    m = _ISO_DATE.fullmatch(text.strip())
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else text


def _vocab_of(path: str, fields: dict[str, tuple[str, str, str | None]]) -> str | None:
    found = fields.get(re.sub(r"\[\d+\]", "[]", path))
    return found[2] if found else None


def _wrapped(text: str, width: int = 45) -> str:
    """Long answers broken into lines, so a row shows all of it (a tree view does not wrap by itself)."""
    import textwrap

    return "\n".join(textwrap.fill(line, width) if len(line) > width else line for line in text.splitlines())


class ChangesView(QWidget):
    """Two version pickers and the side-by-side list of changes.

    ``diff(old, new) -> [Change]`` and ``case`` (any version, for the form's labels) are given; the
    versions are (number, description) pairs, oldest first.
    """

    def __init__(self, diff: Callable[[int, int], list[Any]], versions: list[tuple[int, str]],
                 case: dict[str, Any], old: int | None = None, new: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._diff = diff
        self._fields = _fields(case)
        self._labels = {k: (sec, lab) for k, (sec, lab, _v) in self._fields.items()}
        self.old = QComboBox()
        self.new = QComboBox()
        for box in (self.old, self.new):   # a long version note must not make the dialog wider than the screen
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(24)
        self.old.setAccessibleName("Earlier version")
        self.new.setAccessibleName("Later version")
        for n, text in versions:
            for box in (self.old, self.new):
                box.addItem(text, n)
                box.setItemData(box.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        numbers = [n for n, _ in versions]
        if numbers:
            self.old.setCurrentIndex(numbers.index(old) if old in numbers else max(0, len(numbers) - 2))
            self.new.setCurrentIndex(numbers.index(new) if new in numbers else len(numbers) - 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("changes")
        self.tree.setAccessibleName("What changed")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Question", "Change", "Earlier version", "Later version"])
        self.tree.setRootIsDecorated(True)
        self.tree.setWordWrap(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(False)
        hdr = self.tree.header()
        hdr.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        hdr.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        hdr.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.tree.setColumnWidth(0, 320)
        pick = QHBoxLayout()
        for text, box in (("Compare", self.old), ("with", self.new)):
            lab = QLabel(text)
            lab.setBuddy(box)
            pick.addWidget(lab)
            pick.addWidget(box, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(pick)
        lay.addWidget(self.summary)
        lay.addWidget(self.tree, 1)
        self.old.currentIndexChanged.connect(self.refresh)
        self.new.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        a, b = self.old.currentData(), self.new.currentData()
        if a is None or b is None:
            self.summary.setText("There is only one version: nothing to compare yet.")
            return
        if a == b:
            self.summary.setText("Choose two different versions to compare.")
            return
        changes = self._diff(int(a), int(b))
        self.changes = changes
        if not changes:
            self.summary.setText("Nothing changed between these versions.")
            return
        sections: dict[str, QTreeWidgetItem] = {}
        for c in changes:
            section, label = field_label(c.path, self._labels)
            parent = sections.get(section)
            if parent is None:
                parent = sections[section] = QTreeWidgetItem(self.tree, [section])
                f = parent.font(0)
                f.setBold(True)
                parent.setFont(0, f)
                parent.setFirstColumnSpanned(True)
                parent.setExpanded(True)
            words = _vocab_of(c.path, self._fields)
            old_text, new_text = value_text(c.old, words), value_text(c.new, words)
            item = QTreeWidgetItem(parent, [label, _KIND_WORDS.get(c.kind, c.kind), _wrapped(old_text),
                                            _wrapped(new_text)])
            item.setToolTip(0, f"{section} › {label}")
            item.setToolTip(2, old_text)
            item.setToolTip(3, new_text)
            bg = QBrush(QColor(_KIND_BG.get(c.kind, "#ffffff")))
            item.setBackground(1, bg)
            item.setData(0, Qt.ItemDataRole.AccessibleTextRole,
                         f"{label}: {_KIND_WORDS.get(c.kind, c.kind).lower()} from {old_text} "
                         f"to {new_text}")
        n = len(changes)
        self.summary.setText(f"{n} answer{'s' if n != 1 else ''} changed in {len(sections)} "
                             f"section{'s' if len(sections) != 1 else ''}.")


class ChangesDialog(QDialog):
    """``ChangesDialog(app, case_id, parent=None)``: what changed since the handover was returned (the
    returned version against the newest), else since the version before, or between any two versions.
    Raises ``OperationError`` when the person may not see the handover (the runner shows it)."""

    def __init__(self, app: Any, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"What changed — {case_id}")
        self.setStyleSheet(STYLE_SHEET)
        from ui.widgets.screen import fit_to_screen

        fit_to_screen(self, 1100, 700)       # where there is room; never larger than the screen
        ctx = app.ctx
        vs = ops.versions(ctx, case_id)
        hist = ops.history(ctx, case_id)
        returned = [h for h in hist if h.action == "return"]
        versions = [(v.number, f"Version {v.number} — {v.created_at.strftime('%d %b %Y %H:%M')} — "
                               f"{v.note or v.created_by}") for v in vs]
        case = ops.open_case(ctx, case_id).case
        newest = vs[-1].number if vs else None
        old = returned[-1].version if returned and returned[-1].version != newest else None
        if old is None and len(vs) > 1:
            old = vs[-2].number           # never a version against itself
        self.view = ChangesView(lambda a, b: ops.diff_versions(ctx, case_id, a, b), versions, case,
                                old=old, new=newest)
        intro = ("Left: the version the receiving team returned. Right: the newest version."
                 if returned else "Choose two versions to compare.")
        if returned:
            r = returned[-1]
            intro = (f"Returned by {r.actor_name or r.actor} on {r.at.strftime('%d %b %Y')}: "
                     f"{labels.return_reason_label(r.reason_code or '')} — “{r.note.rstrip('.')}”. " + intro)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(heading("What changed", 1.3))
        lay.addWidget(muted(intro))
        lay.addWidget(self.view, 1)
        lay.addWidget(buttons)
