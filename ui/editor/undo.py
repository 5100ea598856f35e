"""A small undo stack in Python, with the parts of QUndoStack's interface the editor uses.

Why not QUndoStack: with PySide6 6.12, every ``QUndoStack.undo()`` / ``redo()`` called from Python,
and every Python ``QUndoCommand`` subclass the stack calls back, drops a reference to ``None`` (or to
the returned ``True``/``False``) too many; after a few thousand keystrokes and undos the interpreter
aborts ("deallocating None: bug likely caused by a refcount error in a C extension"). A list of
Python commands has no such problem and is easy to test.
"""

from __future__ import annotations

from ui.qt import QObject, Signal

__all__ = ["Command", "UndoStack"]


class Command:
    """One undoable change. ``redo`` is called when it is pushed."""

    text = ""

    def redo(self) -> None:
        raise NotImplementedError

    def undo(self) -> None:
        raise NotImplementedError

    def merge_with(self, other: "Command") -> bool:
        """Absorb ``other`` (pushed right after this one); True if it was absorbed."""
        return False


class _Macro(Command):
    def __init__(self, text: str) -> None:
        self.text = text
        self.children: list[Command] = []

    def redo(self) -> None:
        for c in self.children:
            c.redo()

    def undo(self) -> None:
        for c in reversed(self.children):
            c.undo()


class UndoStack(QObject):
    """Commands with an index: before it can be undone, from it can be redone."""

    canUndoChanged = Signal(bool)  # noqa: N815 - named like QUndoStack's
    canRedoChanged = Signal(bool)  # noqa: N815
    indexChanged = Signal(int)  # noqa: N815

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._commands: list[Command] = []
        self._index = 0
        self._open: list[_Macro] = []
        self._busy = False

    # -- state -----------------------------------------------------------------------------------------
    def count(self) -> int:
        return len(self._commands)

    def index(self) -> int:
        return self._index

    def canUndo(self) -> bool:  # noqa: N802
        return self._index > 0 and not self._open

    def canRedo(self) -> bool:  # noqa: N802
        return self._index < len(self._commands) and not self._open

    def undoText(self) -> str:  # noqa: N802
        return self._commands[self._index - 1].text if self.canUndo() else ""

    def redoText(self) -> str:  # noqa: N802
        return self._commands[self._index].text if self.canRedo() else ""

    def isActive(self) -> bool:  # noqa: N802
        return self._busy

    def _emit(self, could_undo: bool, could_redo: bool) -> None:
        self.indexChanged.emit(self._index)
        if could_undo != self.canUndo():
            self.canUndoChanged.emit(self.canUndo())
        if could_redo != self.canRedo():
            self.canRedoChanged.emit(self.canRedo())

    # -- changing --------------------------------------------------------------------------------------
    def clear(self) -> None:
        before = (self.canUndo(), self.canRedo())
        self._commands, self._index, self._open = [], 0, []
        self._emit(*before)

    def push(self, cmd: Command) -> None:
        before = (self.canUndo(), self.canRedo())
        self._busy = True
        try:
            cmd.redo()
        finally:
            self._busy = False
        if self._open:
            self._open[-1].children.append(cmd)
            return
        del self._commands[self._index:]
        if self._commands and self._commands[-1].merge_with(cmd):
            self._emit(*before)
            return
        self._commands.append(cmd)
        self._index = len(self._commands)
        self._emit(*before)

    def beginMacro(self, text: str) -> None:  # noqa: N802
        self._open.append(_Macro(text))

    def endMacro(self) -> None:  # noqa: N802
        macro = self._open.pop()
        if self._open:
            self._open[-1].children.append(macro)
            return
        if not macro.children:
            return
        before = (self._index > 0, self._index < len(self._commands))
        del self._commands[self._index:]
        self._commands.append(macro)
        self._index = len(self._commands)
        self._emit(*before)

    def undo(self) -> None:
        if not self.canUndo():
            return
        before = (self.canUndo(), self.canRedo())
        self._index -= 1
        self._busy = True
        try:
            self._commands[self._index].undo()
        finally:
            self._busy = False
        self._emit(*before)

    def redo(self) -> None:
        if not self.canRedo():
            return
        before = (self.canUndo(), self.canRedo())
        self._busy = True
        try:
            self._commands[self._index].redo()
        finally:
            self._busy = False
        self._index += 1
        self._emit(*before)
