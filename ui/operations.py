"""One runner for every operation (STYLE 3; Anki's ``CollectionOp``), and one "changes" signal.

Every page gets the same :class:`UiApp`: ``app.run(op, *args)`` calls ``op(ctx, *args)`` from
:mod:`handover.app.operations` with a busy cursor, shows an expected refusal in one dialog style (a
conflict says who did what and when), and, when the operation changed something, emits
``app.changed(Changes)`` so that every open page redraws what it shows — no page keeps stale data after
any move by anyone on this machine. ``app.query`` is the same for reads (no signal).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from handover.app import Changes, Conflict, Context, Done, OperationError
from handover.app.errors import as_refusal
from handover.app import operations as ops

__all__ = ["UiApp", "ops", "sentence", "busy"]


def sentence(text: str) -> str:
    """One line for a dialog: a capital first letter and a full stop."""
    text = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return (text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")) if text else text


@contextmanager
def busy() -> Iterator[None]:
    """The wait cursor while an operation runs (a database round trip, a pack being signed)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


class UiApp(QObject):
    """The signed-in person's context, the runner, and the changes signal, handed to every page."""

    changed = Signal(object)          #: Changes — every page listens and redraws what it shows
    conflict = Signal(str)            #: case id — someone else changed it first; the workspace reloads it

    def __init__(self, ctx: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._telling = False

    @property
    def actor(self) -> Any:
        return self.ctx.actor

    def today(self) -> Any:
        return self.ctx.today()

    def now(self) -> Any:
        return self.ctx.now()

    # ---------------------------------------------------------------- running
    def run(self, op: Callable[..., Any], *args: Any, parent: QWidget | None = None,
            title: str = "That could not be done", errors: Callable[[str], None] | None = None,
            **kwargs: Any) -> Any:
        """``op(ctx, *args, **kwargs)``: its value, or None after showing why it could not be done.

        ``errors``: show the refusal there (a dialog's own error line) instead of in a message box."""
        try:
            with busy():
                result = op(self.ctx, *args, **kwargs)
        except Conflict as e:
            self._refused(parent, "Someone else changed this handover",
                          f"{sentence(str(e))}\n\nWhat you last did is not saved. The handover is reloaded so you "
                          "can see what they did.", errors)
            case_id = _case_id_of(args)
            if case_id:                      # what they did is now on every screen that shows it
                self.conflict.emit(case_id)
                self.changed.emit(Changes.of(case_id))
            return None
        except OperationError as e:
            self._refused(parent, title, sentence(str(e)), errors)
            return None
        except Exception as e:  # noqa: BLE001 — a database that went away is expected; anything else is a bug
            refusal = as_refusal(e)
            if refusal is None:
                raise
            self._refused(parent, title, sentence(str(refusal)), errors)
            return None
        if isinstance(result, Done):
            if result.changes:
                self.changed.emit(result.changes)
            return result.value
        return result

    def query(self, op: Callable[..., Any], *args: Any, parent: QWidget | None = None,
              title: str = "That could not be shown", **kwargs: Any) -> Any:
        """A read: the same runner, and nothing emitted."""
        return self.run(op, *args, parent=parent, title=title, **kwargs)

    def fetcher(self, op: Callable[..., Any], empty: Any) -> Callable[..., Any]:
        """``op`` for a list model's page or count: through the runner, ``empty`` after a refusal (the
        model stays whole; the person is told why once)."""
        def later(text: str) -> None:      # not inside the model's reset: after it, once
            if not self._telling:
                self._telling = True
                QTimer.singleShot(0, lambda: (QMessageBox.warning(None, "The list could not be shown", text),
                                              setattr(self, "_telling", False)))

        def fetch(*args: Any, **kwargs: Any) -> Any:
            value = self.run(op, *args, errors=later, **kwargs)
            return empty if value is None else value
        return fetch

    @staticmethod
    def _refused(parent: QWidget | None, title: str, text: str, errors: Callable[[str], None] | None) -> None:
        if errors is not None:
            errors(text)
        else:
            QMessageBox.warning(parent, title, text)


def _case_id_of(args: tuple[Any, ...]) -> str:
    return args[0] if args and isinstance(args[0], str) else ""
