"""The case editor: a task list of sections, one page per section generated from the form definition,
the findings panel and the deadline strip. See :class:`CaseEditor`."""

from ui.editor.editor import CaseEditor

__all__ = ["CaseEditor"]
