"""The document being edited, and every change to it as an undoable command (see :mod:`ui.editor.undo`).

Each change is applied to the plain ``handover-case/1`` dict at once. Widgets never write to the dict
themselves: they call :class:`EditorModel`, which pushes a command on its undo stack and tells
the editor what changed (so it can save, re-check and refresh the widgets showing that path).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from handover.case import MISSING, get_path, set_path
from ui.editor.undo import Command, UndoStack
from ui.qt import QObject, Signal

__all__ = ["EditorModel", "delete_path", "split_list_path"]

def delete_path(doc: dict[str, Any], path: str) -> None:
    """Remove the key at ``path`` (the inverse of setting a key that was absent)."""
    parent_path, _, last = path.rpartition(".")
    parent = get_path(doc, parent_path) if parent_path else doc
    if isinstance(parent, dict):
        parent.pop(last, None)


def split_list_path(path: str) -> tuple[str, int] | None:
    """``"agencies[2]"`` → ``("agencies", 2)``."""
    m = re.fullmatch(r"(.+)\[(\d+)\]", path)
    return (m.group(1), int(m.group(2))) if m else None


class _SetValue(Command):
    def __init__(self, model: "EditorModel", path: str, value: Any, merge: bool, quiet_first: bool) -> None:
        self.text = f"change to “{model.describe(path)}”"
        self.model, self.path, self.new = model, path, value
        old = get_path(model.case, path)
        # MISSING stays MISSING (a deep copy would make a new object that undo then writes into the case)
        self.old = old if old is MISSING else copy.deepcopy(old)
        self.merge = merge
        self._quiet = quiet_first

    def merge_with(self, other: Command) -> bool:
        if not isinstance(other, _SetValue) or not self.merge or not other.merge or other.path != self.path:
            return False
        self.new = other.new
        return True

    def _apply(self, value: Any, quiet: bool) -> None:
        if value is MISSING:
            delete_path(self.model.case, self.path)
        else:
            set_path(self.model.case, self.path, copy.deepcopy(value))
        self.model._changed(self.path, None if quiet else "value")

    def redo(self) -> None:
        self._apply(self.new, self._quiet)
        self._quiet = False

    def undo(self) -> None:
        self._apply(self.old, False)


class _Insert(Command):
    def __init__(self, model: "EditorModel", list_path: str, index: int, entry: dict[str, Any]) -> None:
        self.text = f"adding to “{model.describe(list_path)}”"
        self.model, self.list_path, self.index, self.entry = model, list_path, index, entry
        self.before = copy.deepcopy(get_path(model.case, list_path))
        self.created = not isinstance(self.before, list)

    def redo(self) -> None:
        lst = get_path(self.model.case, self.list_path)
        if not isinstance(lst, list):
            lst = []
            set_path(self.model.case, self.list_path, lst)
        self.index = min(self.index, len(lst))
        lst.insert(self.index, self.entry)
        self.model._list_changed(self.list_path, "insert", self.index, -1)

    def undo(self) -> None:
        lst = get_path(self.model.case, self.list_path)
        lst.pop(self.index)
        if self.created:
            if self.before is MISSING:
                delete_path(self.model.case, self.list_path)
            else:
                set_path(self.model.case, self.list_path, self.before)
        self.model._list_changed(self.list_path, "remove", self.index, -1)


class _Remove(Command):
    def __init__(self, model: "EditorModel", list_path: str, index: int) -> None:
        self.text = f"removing from “{model.describe(list_path)}”"
        self.model, self.list_path, self.index = model, list_path, index
        self.entry: Any = None

    def redo(self) -> None:
        self.entry = get_path(self.model.case, self.list_path).pop(self.index)
        self.model._list_changed(self.list_path, "remove", self.index, -1)

    def undo(self) -> None:
        get_path(self.model.case, self.list_path).insert(self.index, self.entry)
        self.model._list_changed(self.list_path, "insert", self.index, -1)


class _Move(Command):
    def __init__(self, model: "EditorModel", list_path: str, src: int, dst: int) -> None:
        self.text = f"moving in “{model.describe(list_path)}”"
        self.model, self.list_path, self.src, self.dst = model, list_path, src, dst

    def _move(self, a: int, b: int) -> None:
        lst = get_path(self.model.case, self.list_path)
        lst.insert(b, lst.pop(a))
        self.model._list_changed(self.list_path, "move", a, b)

    def redo(self) -> None:
        self._move(self.src, self.dst)

    def undo(self) -> None:
        self._move(self.dst, self.src)


class _Replace(Command):
    """The whole document at once (a one-child handover becoming a family): its keys are replaced in the
    same dict, which the window holds too."""

    def __init__(self, model: "EditorModel", new: dict[str, Any], text: str) -> None:
        self.text = text
        self.model = model
        self.old = copy.deepcopy(model.case)
        self.new = copy.deepcopy(new)

    def _apply(self, doc: dict[str, Any]) -> None:
        self.model.case.clear()
        self.model.case.update(copy.deepcopy(doc))
        self.model._replaced()

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)


class EditorModel(QObject):
    """Holds the case dict and its undo stack. Signals carry paths, never copies of the case."""

    #: the document changed (after every command, undo and redo); the argument is the live dict
    document_changed = Signal(object)
    #: a value was changed by something other than the widget showing it (undo, redo, a helper)
    value_changed = Signal(str)
    #: a list changed shape: list path, "insert" | "remove" | "move" | "reset", index, second index
    list_changed = Signal(str, str, int, int)
    #: any change under this path, whoever made it (for entry titles, household names, touched sections)
    path_touched = Signal(str)
    #: the whole document was replaced (by :meth:`replace_document`, its undo or its redo)
    replaced = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.case: dict[str, Any] = {}
        self.undo_stack = UndoStack(self)
        self.read_only = False
        #: a path → what a person calls it (for the undo button's tooltip)
        self.describe: Callable[[str], str] = lambda path: path

    # -- reading -------------------------------------------------------------------------------------
    def get(self, path: str, default: Any = MISSING) -> Any:
        return get_path(self.case, path, default)

    # -- loading -------------------------------------------------------------------------------------
    def load(self, case: dict[str, Any]) -> None:
        self.case = case
        self.undo_stack.clear()

    # -- changing ------------------------------------------------------------------------------------
    def set_value(self, path: str, value: Any, *, merge: bool = False, from_widget: bool = True) -> None:
        """Set one value. ``merge`` folds consecutive typing in one field into one undo step;
        ``from_widget`` means the widget already shows the value (so it is not reloaded)."""
        if self.read_only:
            return
        if get_path(self.case, path) == value and value is not MISSING:
            return
        self.undo_stack.push(_SetValue(self, path, value, merge, from_widget))

    def insert_entry(self, list_path: str, index: int, entry: dict[str, Any]) -> None:
        if not self.read_only:
            self.undo_stack.push(_Insert(self, list_path, index, entry))

    def append_entry(self, list_path: str, entry: dict[str, Any]) -> int:
        lst = get_path(self.case, list_path)
        index = len(lst) if isinstance(lst, list) else 0
        self.insert_entry(list_path, index, entry)
        return index

    def remove_entry(self, list_path: str, index: int) -> None:
        if not self.read_only:
            self.undo_stack.push(_Remove(self, list_path, index))

    def move_entry(self, list_path: str, src: int, dst: int) -> None:
        lst = get_path(self.case, list_path)
        if self.read_only or not isinstance(lst, list) or not (0 <= dst < len(lst)) or src == dst:
            return
        self.undo_stack.push(_Move(self, list_path, src, dst))

    def replace_document(self, new: dict[str, Any], text: str) -> None:
        """Replace the whole document, as one undo step (``text``: what the undo button says it undoes)."""
        if not self.read_only:
            self.undo_stack.push(_Replace(self, new, text))

    @contextmanager
    def macro(self, text: str) -> Iterator[None]:
        """Several changes as one undo step."""
        self.undo_stack.beginMacro(text)
        try:
            yield
        finally:
            self.undo_stack.endMacro()

    # -- called by the commands ----------------------------------------------------------------------
    def _changed(self, path: str, kind: str | None) -> None:
        if kind:
            self.value_changed.emit(path)
        self.path_touched.emit(path)
        self.document_changed.emit(self.case)

    def _replaced(self) -> None:
        self.replaced.emit()
        self.document_changed.emit(self.case)

    def _list_changed(self, list_path: str, op: str, a: int, b: int) -> None:
        self.list_changed.emit(list_path, op, a, b)
        self.path_touched.emit(list_path)
        self.document_changed.emit(self.case)
