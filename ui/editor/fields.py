"""One widget per field type of the form definitions. Each shows a label, hint text, inline findings
and an input, reads its value from the case by path and writes every change through the model.

A field widget never decides whether a value is right: it keeps whatever was typed (an impossible date
stays as typed) and the checks say what is wrong.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import TYPE_CHECKING, Any
from weakref import WeakSet

from handover.case import MISSING
from handover.dates import parse_person_date, person_date_text
from handover.forms import Field, Form
from handover.vocab import AGENCY_TYPES, vocab
from ui.editor.model import EditorModel
from ui.qt import (
    QButtonGroup,
    QCalendarWidget,
    QComboBox,
    QDate,
    QEvent,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QObject,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from ui.widgets.icons import COLOURS
from ui.widgets.style import muted, scaled_font

if TYPE_CHECKING:
    from handover.checks import Finding

__all__ = ["EntryAction", "FieldContext", "FieldWidget", "LineField", "LongTextField", "DateField", "BoolField", "ChoiceField",
           "MultiChoiceField", "NamesField", "InvolvedWithField", "ChecklistField", "blank_value",
           "findings_html", "install_shortcut_guard"]


@dataclass(frozen=True)
class EntryAction:
    """A button at the foot of a list entry (*Ask this agency for information*): ``run`` and ``shown``
    take the entry's path (``agencies[2]``); ``shown`` is asked again whenever the entry changes."""

    text: str
    run: Callable[[str], None]
    shown: Callable[[str], bool] = lambda path: True


@dataclass
class FieldContext:
    """What a field widget may use: the model, the form and a few editor services."""

    model: EditorModel
    form: Form
    household_names: Callable[[], list[str]] = lambda: []
    #: (ref, name) of everyone in a family's document; empty for a one-child document
    people: Callable[[], list[tuple[str, str]]] = lambda: []
    #: a list's key (``agencies``) → the buttons each of its entries has
    entry_actions: Callable[[str], list[EntryAction]] = lambda key: []
    #: send this agency type a request for information (the checklist's *Ask*)
    ask_agency: Callable[[str], None] = lambda agency_type: None
    lawful_basis: Callable[[str], None] = lambda entry_path: None
    built: Callable[[QWidget], None] = lambda w: None   #: called when widgets are built lazily
    involved: "WeakSet[InvolvedWithField]" = dc_field(default_factory=WeakSet)

    @property
    def read_only(self) -> bool:
        return self.model.read_only


def blank_value(f: Field) -> Any:
    """The empty value a new list entry starts with for this field."""
    if f.type == "date" or f.type == "bool":
        return None
    if f.type in ("multichoice", "names", "involved_with", "refs", "list"):
        return []
    if f.type == "agency_checklist":
        return {}
    return ""


def findings_html(findings: list["Finding"]) -> str:
    lines = []
    for f in findings:
        colour = COLOURS["red"] if f.is_error else COLOURS["text"]
        word = "Error" if f.is_error else "Warning"
        lines.append(f"<span style='color:{colour}'><b>{word}:</b> {html.escape(f.message)}</span>")
    return "<br>".join(lines)


class _ShortcutGuard(QObject):
    """Lets Ctrl+Z / Ctrl+Shift+Z reach the editor's undo stack instead of a text box's own undo, and
    stops the mouse wheel changing a drop-down the user is only scrolling past."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        t = event.type()
        if t == QEvent.Type.ShortcutOverride:
            if event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo):
                event.ignore()
                return True
        elif t == QEvent.Type.Wheel and isinstance(obj, (QComboBox,)) and not obj.hasFocus():
            event.ignore()
            return True
        return False


_guard: _ShortcutGuard | None = None


def install_shortcut_guard(w: QWidget) -> None:
    global _guard
    if _guard is None:
        _guard = _ShortcutGuard()
    w.installEventFilter(_guard)


class FieldWidget(QFrame):
    """Label, hint, inline findings and an input for one field at one path."""

    def __init__(self, f: Field, ctx: FieldContext, prefix: Callable[[], str], parent: QWidget | None = None):
        super().__init__(parent)
        self.field = f
        self.ctx = ctx
        self._prefix = prefix
        self._loading = False
        self.setObjectName("field")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        self.label = QLabel(f.label)
        self.label.setFont(scaled_font(self.label, 1.05, bold=True))
        self.label.setWordWrap(True)
        lay.addWidget(self.label)
        self.hint: QLabel | None = None
        if f.hint:
            self.hint = muted(f.hint)
            lay.addWidget(self.hint)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.RichText)
        self.error.setVisible(False)
        lay.addWidget(self.error)
        self.findings: list["Finding"] = []
        self.build(lay)
        inp = self.input_widget()
        if inp is not None:
            self.label.setBuddy(inp)
            inp.setAccessibleName(f.label)
            if f.hint:
                inp.setAccessibleDescription(f.hint)
        self.load()
        if ctx.read_only:
            self.set_read_only(True)

    # -- to override ---------------------------------------------------------------------------------
    def build(self, lay: QVBoxLayout) -> None:
        raise NotImplementedError

    def input_widget(self) -> QWidget | None:
        return None

    def load(self) -> None:
        """Show the value the case holds now (without writing anything back)."""

    def focus_target(self, rest: str = "") -> QWidget | None:
        """The widget to focus for a finding at ``self.path + rest``."""
        return self.input_widget()

    def focus_widgets(self) -> list[QWidget]:
        w = self.input_widget()
        return [w] if w is not None else []

    def set_read_only(self, ro: bool) -> None:
        w = self.input_widget()
        if w is not None:
            w.setEnabled(not ro)

    # -- shared --------------------------------------------------------------------------------------
    @property
    def path(self) -> str:
        return self._prefix() + self.field.key

    def value(self) -> Any:
        return self.ctx.model.get(self.path)

    def commit(self, value: Any, merge: bool = False) -> None:
        if not self._loading:
            self.ctx.model.set_value(self.path, value, merge=merge)

    def set_findings(self, found: list[tuple["Finding", str]]) -> None:
        """Findings at this field (with the rest of each path below it)."""
        items = [f for f, _ in found]
        if [(f.code, f.message) for f in items] == [(f.code, f.message) for f in self.findings]:
            return
        was = self.findings
        self.findings = items
        self.error.setText(findings_html(items))
        if self.error.isHidden() == bool(items):
            self.error.setVisible(bool(items))
        has_error = any(f.is_error for f in items)
        role = ("errorbar" if has_error else "warnbar") if items else ""
        inp = self.input_widget()
        if role != (self.property("role") or "") or (any(f.is_error for f in was) != has_error):
            self.setProperty("role", role)
            m = self.layout().contentsMargins()
            self.layout().setContentsMargins(16 if items else 0, m.top(), m.right(), m.bottom())
            for w in (self, inp):
                if w is not None:
                    if w is inp:
                        w.setProperty("invalid", "true" if has_error else "false")
                    w.style().unpolish(w)
                    w.style().polish(w)
        if inp is not None:
            base = self.field.hint
            extra = " ".join(("Error: " if f.is_error else "Warning: ") + f.message for f in items)
            inp.setAccessibleDescription((base + " " + extra).strip())


def _char_width(w: QWidget, n: int) -> int:
    return w.fontMetrics().horizontalAdvance("0") * n + 24


def _show_text(edit: QLineEdit, value: Any) -> None:
    """Show a stored scalar in a one-line box as typed (nothing for null or absent); no echo while typing."""
    text = "" if value is None or value is MISSING else str(value)
    if edit.text() != text:
        edit.setText(text)


class LineField(FieldWidget):
    """text, nhs_number, upn, postcode: one line, kept exactly as typed."""

    WIDTHS = {"nhs_number": 16, "upn": 18, "postcode": 12}

    def build(self, lay: QVBoxLayout) -> None:
        self.edit = QLineEdit()
        install_shortcut_guard(self.edit)
        chars = self.WIDTHS.get(self.field.type, 60)
        self.edit.setMaximumWidth(_char_width(self.edit, chars))
        self.edit.textEdited.connect(lambda t: self.commit(t, merge=True))
        lay.addWidget(self.edit)

    def input_widget(self) -> QWidget:
        return self.edit

    def load(self) -> None:
        _show_text(self.edit, self.value())

    def set_read_only(self, ro: bool) -> None:
        self.edit.setReadOnly(ro)


class LongTextField(FieldWidget):
    """A large box with a live word count."""

    def build(self, lay: QVBoxLayout) -> None:
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setUndoRedoEnabled(False)
        install_shortcut_guard(self.edit)
        line = self.edit.fontMetrics().lineSpacing()
        self.edit.setFixedHeight(line * 6 + 16)  # about five rows, like GOV.UK's textarea
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.edit.textChanged.connect(self._edited)
        lay.addWidget(self.edit)
        self.count = muted("0 words")
        lay.addWidget(self.count)

    def _edited(self) -> None:
        text = self.edit.toPlainText()
        self._count(text)
        self.commit(text, merge=True)

    def _count(self, text: str) -> None:
        n = len(text.split())
        self.count.setText(f"{n} word{'' if n == 1 else 's'}")

    def input_widget(self) -> QWidget:
        return self.edit

    def load(self) -> None:
        v = self.value()
        text = "" if v is None or v is MISSING else str(v)
        if self.edit.toPlainText() != text:
            self._loading = True
            try:
                self.edit.setPlainText(text)
            finally:
                self._loading = False
        self._count(text)

    def set_read_only(self, ro: bool) -> None:
        self.edit.setReadOnly(ro)


class _CalendarPopup(QFrame):
    def __init__(self, owner: "DateField") -> None:
        super().__init__(owner, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.Box)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.cal = QCalendarWidget()
        self.cal.setGridVisible(True)
        self.cal.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.cal.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.cal.setAccessibleName(f"Calendar: {owner.field.label}")
        lay.addWidget(self.cal)
        self.cal.activated.connect(owner._picked)
        self.cal.clicked.connect(owner._picked)


class DateField(FieldWidget):
    """A date typed as people write it (14/02/2019, 14 Feb 2019) or as YYYY-MM-DD, or picked from a
    calendar, or empty. A whole real date is stored as ISO (SPEC section 3); anything else is kept as
    typed, so the checks can say what is wrong with it. A stored date is shown as DD/MM/YYYY."""

    def build(self, lay: QVBoxLayout) -> None:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.edit = QLineEdit()
        install_shortcut_guard(self.edit)
        self.edit.setPlaceholderText("DD/MM/YYYY")
        self.edit.setAccessibleDescription("Type the date as day, month, year, for example 14/02/2019")
        self.edit.setMaximumWidth(_char_width(self.edit, 18))
        self.edit.textEdited.connect(self._typed)
        self.edit.editingFinished.connect(self._tidy)
        row.addWidget(self.edit)
        self.pick = QToolButton()
        self.pick.setObjectName("action")
        self.pick.setText("Choose date…")
        self.pick.setAccessibleName(f"Choose a date from a calendar: {self.field.label}")
        self.pick.clicked.connect(self._popup)
        row.addWidget(self.pick)
        row.addStretch(1)
        lay.addLayout(row)
        self.popup: _CalendarPopup | None = None

    def _typed(self, text: str) -> None:
        d = parse_person_date(text)
        self.commit(d.isoformat() if d else (text if text.strip() else None), merge=True)

    def _tidy(self) -> None:
        """On leaving the box, a whole date is shown the one way (14/02/2019)."""
        d = parse_person_date(self.edit.text())
        if d is not None and self.edit.text() != d.strftime("%d/%m/%Y"):
            self.edit.setText(d.strftime("%d/%m/%Y"))

    def _popup(self) -> None:
        if self.popup is None:
            self.popup = _CalendarPopup(self)
        d = parse_person_date(self.edit.text())
        qd = QDate(d.year, d.month, d.day) if d else QDate.currentDate()
        self.popup.cal.setSelectedDate(qd)
        self.popup.adjustSize()
        self.popup.move(self.pick.mapToGlobal(self.pick.rect().bottomLeft()))
        self.popup.show()
        self.popup.cal.setFocus()

    def _picked(self, qd) -> None:  # noqa: ANN001 - QDate
        picked = date(qd.year(), qd.month(), qd.day())
        self.edit.setText(picked.strftime("%d/%m/%Y"))
        self.commit(picked.isoformat())
        if self.popup is not None:
            self.popup.hide()
        self.edit.setFocus()

    def input_widget(self) -> QWidget:
        return self.edit

    def focus_widgets(self) -> list[QWidget]:
        return [self.edit, self.pick]

    def load(self) -> None:
        value = self.value()
        shown = parse_person_date(self.edit.text())
        if shown is not None and shown.isoformat() == value:
            return                      # what is typed is this date already, however it was written
        _show_text(self.edit, person_date_text(value) if value is not MISSING else None)

    def set_read_only(self, ro: bool) -> None:
        self.edit.setReadOnly(ro)
        self.pick.setVisible(not ro)


class BoolField(FieldWidget):
    """Yes / No / Not answered (null)."""

    CHOICES = ((True, "Yes"), (False, "No"), (None, "Not answered"))

    def build(self, lay: QVBoxLayout) -> None:
        row = QHBoxLayout()
        row.setSpacing(18)
        self.group = QButtonGroup(self)
        self.buttons: list[QRadioButton] = []
        for i, (_, text) in enumerate(self.CHOICES):
            b = QRadioButton(text)
            b.setAccessibleName(f"{self.field.label}: {text}")
            self.group.addButton(b, i)
            self.buttons.append(b)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.group.idClicked.connect(lambda i: self.commit(self.CHOICES[i][0]))

    def input_widget(self) -> QWidget:
        checked = self.group.checkedButton()
        return checked if checked is not None else self.buttons[0]

    def focus_widgets(self) -> list[QWidget]:
        return list(self.buttons)

    def load(self) -> None:
        v = self.value()
        target = {True: 0, False: 1}.get(v, 2) if isinstance(v, bool) or v is None or v is MISSING else -1
        self.group.setExclusive(False)
        for i, b in enumerate(self.buttons):
            b.setChecked(i == target)
        self.group.setExclusive(True)

    def set_read_only(self, ro: bool) -> None:
        for b in self.buttons:
            b.setEnabled(not ro)


class ChoiceField(FieldWidget):
    """One code of a vocabulary, shown by its label, with an empty "Choose…" entry."""

    def build(self, lay: QVBoxLayout) -> None:
        self.combo = QComboBox()
        install_shortcut_guard(self.combo)
        self.combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # as wide as its longest answer where there is room, narrower (never pushing the page sideways)
        # where there is not: a long legal gateway's name is then cut in the box, whole in the list
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.addItem("Choose…", "")
        voc = vocab()
        for code in voc.codes(self.field.vocab or ""):
            self.combo.addItem(voc.label(self.field.vocab or "", code), code)
        fm = self.combo.fontMetrics()
        widest = max(fm.horizontalAdvance(self.combo.itemText(i)) for i in range(self.combo.count()))
        self.combo.setMaximumWidth(widest + 64)
        self.combo.view().setMinimumWidth(widest + 32)
        self._fixed = self.combo.count()
        self.combo.activated.connect(lambda i: self.commit(self.combo.itemData(i) or ""))
        lay.addWidget(self.combo)

    def input_widget(self) -> QWidget:
        return self.combo

    def load(self) -> None:
        v = self.value()
        while self.combo.count() > self._fixed:
            self.combo.removeItem(self._fixed)
        if v is None or v is MISSING or (isinstance(v, str) and not v.strip()):
            self.combo.setCurrentIndex(0)
            return
        i = self.combo.findData(v)
        if i < 0:
            self.combo.addItem(f"{v} (not one of the choices)", v)
            i = self.combo.count() - 1
        self.combo.setCurrentIndex(i)


def _choice_label(vocab_name: str, code: str) -> str:
    label = vocab().label(vocab_name, code)
    return f"{code}  {label}" if vocab_name == "risk_factors" and label != code else label


class _CheckList(QListWidget):
    """A list of check boxes that grows to show its rows (up to a limit) instead of a tiny scroller."""

    def __init__(self, max_rows: int = 10) -> None:
        super().__init__()
        self.setObjectName("choiceList")
        self.max_rows = max_rows
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(True)

    def fit(self) -> None:
        rows = max(1, min(self.count(), self.max_rows))
        h = self.sizeHintForRow(0) if self.count() else self.fontMetrics().lineSpacing() + 8
        self.setFixedHeight(rows * (h + 2) + 2 * self.frameWidth() + 10)  # +2: the item padding


class MultiChoiceField(FieldWidget):
    """Several codes of a vocabulary, as check boxes. Codes not in the vocabulary are kept and flagged."""

    def build(self, lay: QVBoxLayout) -> None:
        n = len(vocab().codes(self.field.vocab)) if self.field.vocab else 12
        self.chosen = muted("")
        lay.addWidget(self.chosen)
        self.list = _CheckList(max_rows=n if n <= 18 else 10)
        self.list.itemChanged.connect(self._item_changed)
        lay.addWidget(self.list)

    def _summarise(self) -> None:
        """Say what is chosen, so a choice scrolled out of sight is still seen."""
        names = [self.list.item(i).text() for i in range(self.list.count())
                 if self.list.item(i).checkState() == Qt.CheckState.Checked]
        self.chosen.setText("Chosen: " + "; ".join(names) if names else "None chosen yet.")

    def input_widget(self) -> QWidget:
        return self.list

    def _codes(self) -> list[Any]:
        v = self.value()
        return list(v) if isinstance(v, list) else []

    def load(self) -> None:
        current = self._codes()
        name = self.field.vocab or ""
        codes: list[Any] = list(vocab().codes(name))
        extra = [c for c in current if c not in codes]
        self._fill([(c, _choice_label(name, c) if c in codes else f"{c} (not one of the choices)")
                    for c in codes + extra], current)

    def _fill(self, options: list[tuple[Any, str]], current: list[Any]) -> None:
        """The check boxes: one per (value, text), ticked when the value is in ``current``."""
        self._loading = True
        try:
            self.list.clear()
            for value, text in options:
                it = QListWidgetItem(text)
                it.setData(Qt.ItemDataRole.UserRole, value)
                it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
                it.setCheckState(Qt.CheckState.Checked if value in current else Qt.CheckState.Unchecked)
                self.list.addItem(it)
        finally:
            self._loading = False
        self.list.fit()
        self._summarise()

    def _item_changed(self, it: QListWidgetItem) -> None:
        if self._loading:
            return
        code = it.data(Qt.ItemDataRole.UserRole)
        current = self._codes()
        if it.checkState() == Qt.CheckState.Checked:
            if code not in current:
                current.append(code)
        else:
            current = [c for c in current if c != code]
        self._summarise()
        self.commit(current)

    def focus_target(self, rest: str = "") -> QWidget:
        if rest.startswith("["):
            try:
                code = self._codes()[int(rest[1:].split("]")[0])]
            except (ValueError, IndexError):
                code = None
            for i in range(self.list.count()):
                if self.list.item(i).data(Qt.ItemDataRole.UserRole) == code:
                    self.list.setCurrentRow(i)
                    self.list.scrollToItem(self.list.item(i))
        elif self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        return self.list

    def set_read_only(self, ro: bool) -> None:
        self._loading = True
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not ro:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        for i in range(self.list.count()):
            self.list.item(i).setFlags(flags)
        self._loading = False


class InvolvedWithField(MultiChoiceField):
    """"child" or household members' names, offered from the household list as it stands; in a family's
    document (and for ``refs`` fields) the children and household members by name, stored as refs."""

    def build(self, lay: QVBoxLayout) -> None:
        super().build(lay)
        self.ctx.involved.add(self)

    def load(self) -> None:
        people = self.ctx.people()
        if people or self.field.type == "refs":
            self._load_people(people)
            return
        current = self._codes()
        options = ["child"] + [n for n in self.ctx.household_names() if n]
        folded = {o.casefold() for o in options}
        extra = [c for c in current if not isinstance(c, str) or c.strip().casefold() not in folded]
        self._loading = True
        try:
            self.list.clear()
            for c in options + extra:
                if c == "child":
                    text = "The child"
                elif c in extra:
                    text = f"{c} (not in the household list)"
                else:
                    text = str(c)
                it = QListWidgetItem(text)
                it.setData(Qt.ItemDataRole.UserRole, c)
                it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
                on = any(isinstance(v, str) and isinstance(c, str) and v.strip().casefold() == c.casefold()
                         for v in current) or c in current
                it.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                self.list.addItem(it)
        finally:
            self._loading = False
        self.list.fit()
        self._summarise()
        if self.ctx.read_only:
            self.set_read_only(True)


    def _load_people(self, people: list[tuple[str, str]]) -> None:
        """A family's document: everyone by name, stored as their refs; a ref that names nobody is kept
        and said so (the check reports it)."""
        current = self._codes()
        known = {ref for ref, _ in people}
        extra = [c for c in current if c not in known]
        self._fill(people + [(c, f"{c} (not anyone in this handover)") for c in extra], current)
        if self.ctx.read_only:
            self.set_read_only(True)


class NamesField(FieldWidget):
    """A list of free-text names: add, change (double-click or F2) and remove."""

    def build(self, lay: QVBoxLayout) -> None:
        self.list = _CheckList(max_rows=8)
        self.list.itemChanged.connect(self._item_changed)
        lay.addWidget(self.list)
        row = QHBoxLayout()
        self.new = QLineEdit()
        install_shortcut_guard(self.new)
        self.new.setPlaceholderText("Type a name, then press Enter")
        self.new.setAccessibleName(f"New name for {self.field.label}")
        self.new.returnPressed.connect(self._add)
        self.add = QPushButton("Add name")
        self.add.setAccessibleName(f"Add the name to {self.field.label}")
        self.add.clicked.connect(self._add)
        self.remove = QPushButton("Remove selected")
        self.remove.setAccessibleName(f"Remove the selected name from {self.field.label}")
        self.remove.clicked.connect(self._remove)
        row.addWidget(self.new, 1)
        row.addWidget(self.add)
        row.addWidget(self.remove)
        lay.addLayout(row)

    def input_widget(self) -> QWidget:
        return self.list

    def focus_widgets(self) -> list[QWidget]:
        return [self.list, self.new, self.add, self.remove]

    def focus_target(self, rest: str = "") -> QWidget:
        if rest.startswith("["):
            try:
                self.list.setCurrentRow(int(rest[1:].split("]")[0]))
            except ValueError:
                pass
        return self.list if self.list.count() else self.new

    def _names(self) -> list[Any]:
        v = self.value()
        return list(v) if isinstance(v, list) else []

    def load(self) -> None:
        self._loading = True
        try:
            self.list.clear()
            for n in self._names():
                it = QListWidgetItem("" if n is None else str(n))
                it.setFlags(it.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(it)
        finally:
            self._loading = False
        self.list.fit()
        self.list.setVisible(self.list.count() > 0)

    def _add(self) -> None:
        name = self.new.text().strip()
        if name and not self.ctx.read_only:
            self.new.clear()
            self.ctx.model.set_value(self.path, self._names() + [name], from_widget=False)

    def _remove(self) -> None:
        row = self.list.currentRow()
        names = self._names()
        if 0 <= row < len(names):
            del names[row]
            self.ctx.model.set_value(self.path, names, from_widget=False)

    def _item_changed(self, it: QListWidgetItem) -> None:
        if self._loading:
            return
        names = self._names()
        row = self.list.row(it)
        if 0 <= row < len(names):
            names[row] = it.text()
            self.commit(names)

    def set_read_only(self, ro: bool) -> None:
        for w in (self.new, self.add, self.remove):
            w.setVisible(not ro)
        self.list.setEditTriggers(QListWidget.EditTrigger.NoEditTriggers if ro else
                                  QListWidget.EditTrigger.DoubleClicked | QListWidget.EditTrigger.EditKeyPressed)


class ChecklistField(FieldWidget):
    """For every agency type: involved / not involved / not checked."""

    ANSWERS = ("involved", "not_involved", "not_checked")

    def build(self, lay: QVBoxLayout) -> None:
        # the checklist's shortcut, with one confirmation: every agency not answered yet is marked
        # "not involved (checked)" — one undo step; the agencies answered already are left as they are
        self.rest_button = QPushButton("Mark every remaining agency not involved…")
        self.rest_button.setAccessibleName("Mark every agency not answered yet as not involved, checked")
        self.rest_button.clicked.connect(lambda _=False: self.mark_rest_not_involved())
        row = QHBoxLayout()
        row.addWidget(self.rest_button)
        row.addStretch(1)
        lay.addLayout(row)
        box = QFrame()
        box.setProperty("role", "panel")
        grid = QGridLayout(box)
        grid.setContentsMargins(12, 8, 12, 8)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        voc = vocab()
        heads = ["Agency"] + [voc.label("agency_check", a) for a in self.ANSWERS] + [""]
        for col, text in enumerate(heads):
            h = QLabel(text)
            h.setFont(scaled_font(h, 1.0, bold=True))
            h.setWordWrap(True)
            grid.addWidget(h, 0, col)
        self.rows: dict[str, tuple[QButtonGroup, list[QRadioButton], QLabel, QLabel]] = {}
        self.ask_buttons: dict[str, QPushButton] = {}
        for r, agency in enumerate(AGENCY_TYPES):
            name = QLabel(voc.label("agency_types", agency))
            name.setWordWrap(True)          # a long agency name wraps instead of pushing the page sideways
            name.setMinimumWidth(name.fontMetrics().horizontalAdvance("Health visitor"))
            group = QButtonGroup(self)
            buttons = []
            for c, answer in enumerate(self.ANSWERS):
                # the column heading says what each answer is (a table of answers, as GOV.UK's "check
                # answers" tables do); the button's accessible name says it in full
                b = QRadioButton()
                b.setAccessibleName(f"{voc.label('agency_types', agency)}: {voc.label('agency_check', answer)}")
                group.addButton(b, c)
                buttons.append(b)
                grid.addWidget(b, 1 + 2 * r, 1 + c)
            group.idClicked.connect(lambda i, a=agency: self._answer(a, i))
            # the evidence for "not involved" is the agency's own answer: ask it (SPEC section 7.2)
            ask = QPushButton("Ask")
            ask.setAccessibleName(f"Ask {voc.label('agency_types', agency)} what it knows about the family")
            ask.setToolTip("Send this agency a request for information")
            ask.clicked.connect(lambda _=False, a=agency: self.ctx.ask_agency(a))
            grid.addWidget(ask, 1 + 2 * r, 1 + len(self.ANSWERS))
            self.ask_buttons[agency] = ask
            note = QLabel()
            note.setWordWrap(True)
            note.setTextFormat(Qt.TextFormat.RichText)
            note.setVisible(False)
            grid.addWidget(name, 1 + 2 * r, 0)
            grid.addWidget(note, 2 + 2 * r, 0, 1, 5)
            self.rows[agency] = (group, buttons, note, name)
        grid.setColumnStretch(0, 1)
        lay.addWidget(box)
        self.box = box

    def _answer(self, agency: str, i: int) -> None:
        if not self._loading:
            self.ctx.model.set_value(f"{self.path}.{agency}", self.ANSWERS[i])

    def remaining(self) -> list[str]:
        """The agency types not answered yet that nothing in the case says are involved (the checks' rule:
        an agency in the network or known to the family is never marked "not involved" in bulk)."""
        from handover.checks.agencies import markable_not_involved

        return markable_not_involved(self.ctx.model.case)

    def mark_rest_not_involved(self, confirm: bool = True) -> int:
        """Mark every remaining agency "not involved (checked)" after one confirmation; returns how many."""
        from ui.qt import QMessageBox

        rest = self.remaining()
        if self.ctx.model.read_only or not rest:
            return 0
        if confirm:
            voc = vocab()
            names = ", ".join(voc.label("agency_types", a) for a in rest)
            answer = QMessageBox.question(
                self, "Mark the remaining agencies not involved",
                f"You are confirming that you have checked, and that none of these {len(rest)} agencies is "
                f"involved with the family: {names}.\n\nMark them all as not involved?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return 0
        with self.ctx.model.macro("Mark the remaining agencies not involved"):
            for a in rest:
                self.ctx.model.set_value(f"{self.path}.{a}", "not_involved", from_widget=False)
        self.load()
        return len(rest)

    def input_widget(self) -> QWidget:
        return self.focus_target(AGENCY_TYPES[0])

    def focus_widgets(self) -> list[QWidget]:
        out: list[QWidget] = []
        for agency, (_, buttons, _, _) in self.rows.items():
            out.extend(buttons)
            if self.ask_buttons[agency].isVisible():
                out.append(self.ask_buttons[agency])
        return out

    def focus_target(self, rest: str = "") -> QWidget:
        agency = rest.lstrip(".").split(".")[0] or AGENCY_TYPES[0]
        row = self.rows.get(agency) or self.rows[AGENCY_TYPES[0]]
        return row[0].checkedButton() or row[1][0]

    def load(self) -> None:
        v = self.value()
        v = v if isinstance(v, dict) else {}
        for agency, (group, buttons, _, _) in self.rows.items():
            ans = v.get(agency, "not_checked")
            idx = self.ANSWERS.index(ans) if ans in self.ANSWERS else -1
            group.setExclusive(False)
            for i, b in enumerate(buttons):
                b.setChecked(i == idx)
            group.setExclusive(True)

    def set_findings(self, found: list[tuple["Finding", str]]) -> None:
        per_row: dict[str, list["Finding"]] = {}
        whole: list[tuple["Finding", str]] = []
        for f, rest in found:
            agency = rest.lstrip(".").split(".")[0]
            if agency in self.rows:
                per_row.setdefault(agency, []).append(f)
            else:
                whole.append((f, rest))
        super().set_findings(whole)
        for agency, (_, buttons, note, _name) in self.rows.items():
            items = per_row.get(agency, [])
            text = findings_html(items)
            if note.text() == text:
                continue
            note.setText(text)
            if note.isHidden() == bool(items):
                note.setVisible(bool(items))
            extra = " ".join(("Error: " if f.is_error else "Warning: ") + f.message for f in items)
            for b in buttons:
                b.setAccessibleDescription(extra)

    def set_read_only(self, ro: bool) -> None:
        self.rest_button.setEnabled(not ro)
        for _, buttons, _, _ in self.rows.values():
            for b in buttons:
                b.setEnabled(not ro)
        for b in self.ask_buttons.values():
            b.setVisible(not ro)
