"""Check your answers: every section's answers with a *Change* link, the findings and the deadlines,
before a handover is put forward for authorisation (and what the manager reads before authorising).

The GOV.UK pattern: a summary of every answer, each with *Change*; an error summary at the top when
something must be put right first (then the move is refused here, as the store would refuse it); the
draft pack one click away; and the move itself as the page's one main button, so confirming is a
deliberate second step.
"""

from __future__ import annotations

import html
from typing import Any, Callable

from handover import labels
from handover.dates import person_date_text
from ui.qt import (QDialog, QDialogButtonBox, QGuiApplication, QLabel, QPushButton, QTextBrowser, QUrl,
                   QVBoxLayout, QWidget)
from ui.widgets.style import STYLE_SHEET, heading, muted

__all__ = ["CheckAnswersDialog"]

_TITLE = {"request_authorisation": "Check your answers before requesting authorisation",
          "authorise": "Check the handover before you authorise it"}
_INTRO = {"request_authorisation": "Your manager will read the handover as it is here. Change anything that is "
                                   "wrong or missing, then request authorisation.",
          "authorise": "This is the handover as the practitioner put it forward. If something must change, "
                       "send it back to draft with your reasons instead."}


def _esc(text: Any) -> str:
    return html.escape(str(text))


class CheckAnswersDialog(QDialog):
    """``exec()`` gives Accepted when the person confirms the move; :attr:`change_path` is set (and the
    dialog rejected) when they chose *Change* or an error instead: open the handover there."""

    def __init__(self, checked: Any, *, can_change: bool, preview: Callable[[], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checked = checked
        self.change_path: str | None = None
        action = checked.action
        self.setWindowTitle(_TITLE.get(action, "Check your answers"))
        self.setStyleSheet(STYLE_SHEET)
        self.setAccessibleName(self.windowTitle())
        lay = QVBoxLayout(self)
        lay.addWidget(heading(self.windowTitle(), 1.4))
        intro = muted(_INTRO.get(action, ""))
        lay.addWidget(intro)

        self.page = QTextBrowser()
        self.page.setObjectName("checkAnswers")
        self.page.setAccessibleName("Your answers, section by section")
        self.page.setOpenLinks(False)
        self.page.setOpenExternalLinks(False)
        self.page.anchorClicked.connect(self._link)
        self.page.setHtml(self._html(can_change))
        lay.addWidget(self.page, 1)

        self.refusal = QLabel("")
        self.refusal.setProperty("role", "error")
        self.refusal.setWordWrap(True)
        lay.addWidget(self.refusal)

        self.buttons = QDialogButtonBox()
        self.preview_button: QPushButton | None = None
        if preview is not None:
            self.preview_button = self.buttons.addButton("Preview the draft pack",
                                                         QDialogButtonBox.ButtonRole.ActionRole)
            self.preview_button.clicked.connect(lambda _=False: preview())
        back = self.buttons.addButton("Back to the handover", QDialogButtonBox.ButtonRole.RejectRole)
        back.clicked.connect(self.reject)
        word = labels.action_label(action)
        self.confirm = self.buttons.addButton(word.replace("&", "&&"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setAccessibleName(word)
        self.confirm.setProperty("role", "primary")
        self.confirm.clicked.connect(self._try_confirm)
        blocked = bool(checked.blocking)
        if blocked:
            n = len(checked.blocking)
            things = f"{n} thing{'s' if n != 1 else ''} in the list at the top"
            self.refusal.setText(
                f"You cannot {word.lower()} yet: put right the {things} first (each one opens where it is fixed)."
                if can_change else
                f"You cannot {word.lower()} it yet: the {things} must be put right first. Send it back to draft, "
                "with your reasons, for the practitioner to do it.")
        else:
            self.refusal.hide()
        self.confirm.setEnabled(not blocked)
        self.confirm.setDefault(not blocked)
        lay.addWidget(self.buttons)
        self._fit()

    # ---- what it shows
    def _html(self, can_change: bool) -> str:
        c = self.checked
        out: list[str] = ["<style>th{text-align:left;font-weight:600;padding:4px 12px 4px 0;vertical-align:top}"
                          "td{padding:4px 12px 4px 0;vertical-align:top} h2{margin-top:18px}"
                          ".summary{border:4px solid #d4351c;padding:8px} .muted{color:#505a5f}"
                          ".overdue{color:#d4351c;font-weight:600}</style>"]
        where = {id(f): title for _sid, title, found in c.result.by_section() for f in found}
        if c.blocking:
            n = len(c.blocking)
            out.append(f"<table class='summary' width='100%' cellpadding='8'><tr><td><h2 style='margin-top:0'>"
                       f"There {'is a problem' if n == 1 else f'are {n} problems'}</h2><ul>")
            for f in c.blocking:
                out.append(f"<li><a href='fix:{_esc(f.path)}'>{_esc(f.message)}</a>"
                           f" <span class='muted'>({_esc(where.get(id(f), ''))})</span></li>")
            out.append("</ul></td></tr></table>")
        warnings = c.result.warnings
        if warnings:
            out.append(f"<h2>Worth checking ({len(warnings)})</h2><ul>")
            for f in warnings:
                out.append(f"<li><a href='fix:{_esc(f.path)}'>{_esc(f.message)}</a></li>")
            out.append("</ul>")
        if c.result.deadlines:
            out.append("<h2>Deadlines</h2><table>")
            for d in c.result.deadlines:
                status = labels.status_label(d.status)
                cls = " class='overdue'" if d.status in ("overdue", "late") else ""
                due = person_date_text(d.due.isoformat()) if d.due else "—"
                out.append(f"<tr><th>{_esc(labels.rule_label(d.rule))}</th><td>{_esc(due)}</td>"
                           f"<td{cls}>{_esc(status)}</td></tr>")
            out.append("</table>")
        link = "Change" if can_change else "View"
        for s in c.sections:
            out.append(f"<h2>{_esc(s.title)}</h2><table width='100%'>")
            for a in s.answers:
                answer = _esc(a.text).replace("\n", "<br>") if a.answered else \
                    "<span class='muted'>Not answered</span>"
                out.append(f"<tr><th width='32%'>{_esc(a.label)}</th><td>{answer}</td>"
                           f"<td align='right' width='10%'><a href='change:{_esc(a.path)}'>{link}</a></td></tr>")
            out.append("</table>")
        return "".join(out)

    def text(self) -> str:
        """What the page says, as plain text (for tests and the screen reader's summary)."""
        return self.page.toPlainText()

    # ---- what the person does
    def _link(self, url: QUrl) -> None:
        kind, _, path = url.toString().partition(":")
        if kind in ("change", "fix") and path:
            self.change_path = path
            self.reject()

    def _try_confirm(self) -> None:
        if self.checked.blocking:      # the button is off; a shortcut or a test still cannot go through
            self.refusal.show()
            return
        self.accept()

    def _fit(self) -> None:
        screen = (self.parentWidget().screen() if self.parentWidget() else None) or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.resize(min(900, int(area.width() * 0.9)), int(area.height() * 0.85))
