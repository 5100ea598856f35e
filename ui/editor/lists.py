"""Repeatable entries (household members, agencies, chronology, outcomes and their actions).

Each entry is a box with a one-line heading; its fields are built only when it is opened, so a case
with 500 chronology entries costs 500 headings, not 5,000 inputs. Entries know their index, not their
path: after an add, remove or move only the indexes change, and every field works out its path on use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from handover.case import set_path
from handover.dates import person_date_text
from handover.forms import Field
from handover.vocab import vocab
from ui.editor.fields import (
    BoolField,
    ChecklistField,
    ChoiceField,
    DateField,
    FieldContext,
    FieldWidget,
    InvolvedWithField,
    LineField,
    LongTextField,
    MultiChoiceField,
    NamesField,
    blank_value,
)
from ui.qt import QFrame, QHBoxLayout, QPushButton, Qt, QToolButton, QVBoxLayout, QWidget
from ui.widgets.style import muted

if TYPE_CHECKING:
    from handover.checks import Finding

__all__ = ["ListField", "EntryWidget", "build_field", "blank_entry", "EXPAND_UP_TO"]

#: lists with at most this many entries open them all when first shown
EXPAND_UP_TO = 4

WIDGETS: dict[str, type[FieldWidget]] = {
    "text": LineField, "nhs_number": LineField, "upn": LineField, "postcode": LineField,
    "longtext": LongTextField, "date": DateField, "bool": BoolField, "choice": ChoiceField,
    "multichoice": MultiChoiceField, "names": NamesField, "involved_with": InvolvedWithField,
    "refs": InvolvedWithField,
    "agency_checklist": ChecklistField,
}


def build_field(f: Field, ctx: FieldContext, prefix: Callable[[], str]) -> FieldWidget:
    if f.type == "list":
        return ListField(f, ctx, prefix)
    return WIDGETS[f.type](f, ctx, prefix)


def blank_entry(list_field: Field) -> dict[str, Any]:
    """A new entry with every field of the form present and empty."""
    entry: dict[str, Any] = {}
    for f in list_field.fields:
        set_path(entry, f.key, blank_value(f))
    return entry


class EntryWidget(QFrame):
    """One entry of a list: a heading that opens and closes it, and (once opened) its fields."""

    def __init__(self, owner: "ListField", index: int) -> None:
        super().__init__()
        self.owner = owner
        self.index = index
        self.setProperty("role", "entry")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 4)
        lay.setSpacing(0)
        self.toggle = QToolButton()
        self.toggle.setObjectName("entryToggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.toggled.connect(self._toggled)
        lay.addWidget(self.toggle)
        self.body: QWidget | None = None
        self.fields: list[FieldWidget] = []
        self.problems: list["Finding"] = []
        self.refresh_title()

    @property
    def path(self) -> str:
        return f"{self.owner.path}[{self.index}]"

    def data(self) -> Any:
        return self.owner.ctx.model.get(self.path, None)

    def title(self) -> str:
        f = self.owner.field
        entry = self.data()
        entry = entry if isinstance(entry, dict) else {}
        name = entry.get(f.item_label) if f.item_label else None
        name = str(name).strip() if name not in (None, "") else ""
        label_field = next((x for x in f.fields if x.key == f.item_label), None)
        if label_field is not None and label_field.type == "date" and name:
            name = person_date_text(name)          # a chronology entry reads 12/11/2025, not 2025-11-12
        if len(name) > 60:
            name = name[:57] + "…"
        extra = ""
        for sub in f.fields:
            if sub.type == "choice" and sub.key != f.item_label and sub.vocab == "agency_types":
                code = entry.get(sub.key)
                if isinstance(code, str) and code:
                    extra = vocab().label(sub.vocab, code)
                break
        text = f"{self.index + 1}. {name or '(not named yet)'}"
        if extra:
            text += f"  ·  {extra}"
        return text

    def refresh_title(self) -> None:
        text = self.title()
        errors = sum(1 for f in self.problems if f.is_error)
        warnings = len(self.problems) - errors
        bits = []
        if errors:
            bits.append(f"{errors} error{'s' if errors != 1 else ''}")
        if warnings:
            bits.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
        if bits:
            text += "  —  " + ", ".join(bits)
        # on two lines where it is long (name, then what it is and its problems): a narrow pane keeps
        # the whole heading instead of scrolling sideways
        shown = text.replace("  ·  ", "\n", 1) if len(text) > 48 else text
        self.toggle.setText(shown)
        state = "Hide" if self.toggle.isChecked() else "Show"
        self.toggle.setAccessibleName(f"{state} {self.owner.field.label} entry {text}")
        self._show_actions()

    def set_problems(self, problems: list["Finding"]) -> None:
        if [f.message for f in problems] != [f.message for f in self.problems]:
            self.problems = problems
            self.refresh_title()

    def expanded(self) -> bool:
        return self.toggle.isChecked()

    def expand(self) -> None:
        self.toggle.setChecked(True)

    def _toggled(self, on: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        if on and self.body is None:
            self._build_body()
        if self.body is not None:
            self.body.setVisible(on)
        self.refresh_title()
        if on:
            self.owner.ctx.built(self)

    def _build_body(self) -> None:
        ctx = self.owner.ctx
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(18, 6, 0, 12)
        lay.setSpacing(18)
        prefix = lambda: self.path + "."  # noqa: E731 - the path follows the entry's index
        for f in self.owner.field.fields:
            w = build_field(f, ctx, prefix)
            self.fields.append(w)
            lay.addWidget(w)
            if f.vocab == "sharing_type":
                self.help = QPushButton("Help me choose the lawful basis…")
                self.help.setAccessibleName(f"Help me choose the lawful basis for sharing: {self.title()}")
                self.help.clicked.connect(lambda: ctx.lawful_basis(self.path))
                lay.addWidget(self.help, 0, Qt.AlignmentFlag.AlignLeft)
        self.entry_buttons: list[tuple[Any, QPushButton]] = []
        for act in ctx.entry_actions(self.owner.field.key):
            b = QPushButton(act.text)
            b.setAccessibleName(f"{act.text.rstrip('…')}: {self.title()}")
            b.clicked.connect(lambda _=False, a=act: a.run(self.path))
            lay.addWidget(b, 0, Qt.AlignmentFlag.AlignLeft)
            self.entry_buttons.append((act, b))
        row = QHBoxLayout()
        row.setSpacing(8)
        self.up = QPushButton("Move up")
        self.down = QPushButton("Move down")
        self.remove = QPushButton("Remove this entry")
        for b, what in ((self.up, "Move up"), (self.down, "Move down"), (self.remove, "Remove")):
            b.setAccessibleName(f"{what}: {self.owner.field.label} entry {self.index + 1}")
            row.addWidget(b)
        row.addStretch(1)
        self.up.clicked.connect(lambda: ctx.model.move_entry(self.owner.path, self.index, self.index - 1))
        self.down.clicked.connect(lambda: ctx.model.move_entry(self.owner.path, self.index, self.index + 1))
        self.remove.clicked.connect(lambda: self.remove_entry())
        lay.addLayout(row)
        self.buttons_row = [self.up, self.down, self.remove]
        self.layout().addWidget(body)
        self.body = body
        self.set_read_only(ctx.read_only)

    def remove_entry(self, confirm: bool = True) -> bool:
        """Remove this entry (one undo step). A child of a family is a whole record (their identity, plan
        and voice): removing one asks first, naming them."""
        model = self.owner.ctx.model
        if model.read_only:
            return False
        if confirm and self.owner.path == "children":
            from ui.qt import QMessageBox

            name = self.title().split(". ", 1)[-1]
            answer = QMessageBox.question(
                self, "Remove a child from this handover",
                f"Remove {name} from this handover, with everything recorded for them here (their details, "
                "plan, risk factors and voice)?\n\nYou can undo this. If their case is simply not moving, "
                "answer “This child's case makes this transition” with No instead.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        model.remove_entry(self.owner.path, self.index)
        return True

    def set_read_only(self, ro: bool) -> None:
        if self.body is None:
            return
        for w in self.fields:
            w.set_read_only(ro)
        for b in self.buttons_row:
            b.setVisible(not ro)
        if hasattr(self, "help"):
            self.help.setVisible(not ro)
        self._show_actions()

    def _show_actions(self) -> None:
        ro = self.owner.ctx.read_only
        for act, b in getattr(self, "entry_buttons", ()):
            b.setVisible(not ro and act.shown(self.path))

    def reload(self) -> None:
        for w in self.fields:
            w.reload() if isinstance(w, ListField) else w.load()
        self.refresh_title()

    def focus_widgets(self) -> list[QWidget]:
        out: list[QWidget] = [self.toggle]
        if self.body is not None and self.expanded():
            for w in self.fields:
                out.extend(w.focus_widgets())
                if w.field.vocab == "sharing_type" and hasattr(self, "help"):
                    out.append(self.help)
            out.extend(b for _a, b in getattr(self, "entry_buttons", ()) if b.isVisible())
            out.extend(self.buttons_row)
        return out


class ListField(FieldWidget):
    """Repeatable entries with add, remove and move."""

    def build(self, lay: QVBoxLayout) -> None:
        self.entries: list[EntryWidget] = []
        self.empty = muted("Nothing added yet.")
        lay.addWidget(self.empty)
        self.box = QVBoxLayout()
        self.box.setSpacing(8)
        lay.addLayout(self.box)
        row = QHBoxLayout()
        self.add = QPushButton(f"Add to “{self.field.label}”")
        self.add.setAccessibleName(f"Add an entry to {self.field.label}")
        self.add.clicked.connect(self._add)
        row.addWidget(self.add)
        self.toggle_all = QPushButton("Open all")
        self.toggle_all.clicked.connect(self._toggle_all)
        row.addWidget(self.toggle_all)
        row.addStretch(1)
        lay.addLayout(row)

    def input_widget(self) -> QWidget:
        return self.add

    def focus_target(self, rest: str = "") -> QWidget:
        return self.entries[0].toggle if self.entries else self.add

    def _items(self) -> list[Any]:
        v = self.value()
        return v if isinstance(v, list) else []

    def load(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Rebuild every entry heading from the case (after loading a case)."""
        for e in self.entries:
            e.setParent(None)
            e.deleteLater()
        self.entries = []
        items = self._items()
        for i in range(len(items)):
            e = EntryWidget(self, i)
            self.entries.append(e)
            self.box.addWidget(e)
        if len(items) <= EXPAND_UP_TO:
            for e in self.entries:
                e.expand()
        self._after_shape()

    def _after_shape(self) -> None:
        self.empty.setVisible(not self.entries)
        self.toggle_all.setVisible(len(self.entries) > 1)
        word = "Close all" if self.entries and all(e.expanded() for e in self.entries) else "Open all"
        self.toggle_all.setText(word)
        self.toggle_all.setAccessibleName(f"{word} entries of {self.field.label}")
        self.label.setText(f"{self.field.label} ({len(self.entries)})" if self.entries else self.field.label)

    def _toggle_all(self) -> None:
        open_all = not all(e.expanded() for e in self.entries)
        for e in self.entries:
            e.toggle.setChecked(open_all)
        self._after_shape()
        self.ctx.built(self)

    def _add(self) -> None:
        from handover.family import ref_for_new

        entry = blank_entry(self.field)
        ref = ref_for_new(self.ctx.model.case, self.path)
        if ref is not None:    # a family's new child or household member is linked by a ref of their own
            entry["ref"] = ref
        self.ctx.model.append_entry(self.path, entry)
        if self.entries:
            e = self.entries[-1]
            e.expand()
            if e.fields:
                target = e.fields[0].focus_target()
                if target is not None:
                    target.setFocus(Qt.FocusReason.OtherFocusReason)

    def apply_list_change(self, op: str, a: int, b: int) -> None:
        """Follow an insert, remove or move the model made (by the user, undo or redo)."""
        if op == "insert":
            e = EntryWidget(self, a)
            self.entries.insert(a, e)
            self.box.insertWidget(a, e)
            e.expand()
        elif op == "remove":
            e = self.entries.pop(a)
            e.setParent(None)
            e.deleteLater()
        elif op == "move":
            e = self.entries.pop(a)
            self.entries.insert(b, e)
            self.box.removeWidget(e)
            self.box.insertWidget(b, e)
        else:
            self.reload()
            return
        lo = min(a, b) if b >= 0 else a
        for i, e in enumerate(self.entries):
            if i >= lo or op == "move":
                if e.index != i:
                    e.index = i
                    e.reload()
        self._after_shape()
        self.ctx.built(self)

    def set_read_only(self, ro: bool) -> None:
        self.add.setVisible(not ro)
        for e in self.entries:
            e.set_read_only(ro)

    def focus_widgets(self) -> list[QWidget]:
        out: list[QWidget] = []
        for e in self.entries:
            out.extend(e.focus_widgets())
        out.extend([self.add, self.toggle_all])
        return out

