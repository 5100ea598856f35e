"""The editor's look: calm, GOV.UK-like, built on the system font so text scales with the user's setting.

No font size is given in pixels or points here: headings are the system font scaled by a factor.
Focus is always visible: a thick dark border and a yellow background on the focused control.
"""

from __future__ import annotations

from ui.qt import QFont, QLabel, QWidget
from ui.widgets.icons import COLOURS

__all__ = ["STYLE_SHEET", "heading", "scaled_font", "muted", "error_label_style"]

C = COLOURS

STYLE_SHEET = f"""
QWidget#CaseEditor, QWidget#EditorPage, QWidget#PageBody, QScrollArea#PageScroll {{
    background: white;
}}
QLabel {{ color: {C['text']}; }}
QLabel[role="hint"] {{ color: {C['secondary']}; }}
QLabel[role="error"] {{ color: {C['red']}; font-weight: bold; }}
QLabel[role="warning"] {{ color: {C['text']}; }}
QLabel[role="saved"] {{ color: {C['secondary']}; }}
QFrame[role="errorbar"] {{ border: none; border-left: 5px solid {C['red']}; }}
QFrame[role="warnbar"] {{ border: none; border-left: 5px solid {C['amber']}; }}
QFrame[role="panel"] {{ background: {C['light']}; border: none; }}
QFrame[role="callout"] {{ background: white; border: 2px solid {C['border']}; border-left: 6px solid {C['blue']}; }}
QFrame[role="callout-red"] {{ background: white; border: 2px solid {C['border']}; border-left: 6px solid {C['red']}; }}
QFrame[role="entry"] {{ background: white; border: 1px solid {C['border']}; border-radius: 2px; }}
QFrame[role="banner"] {{ background: {C['light']}; border-left: 6px solid {C['secondary']}; }}

QLineEdit, QPlainTextEdit, QComboBox, QListWidget#choiceList {{
    border: 2px solid {C['text']};
    border-radius: 0px;
    padding: 3px 5px;
    background: white;
    color: {C['text']};
    selection-background-color: {C['blue']};
}}
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QListWidget#choiceList:focus {{
    border: 3px solid {C['text']};
    background: #fff7bf;
}}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {{
    border: 3px solid {C['red']};
}}
QLineEdit:read-only, QPlainTextEdit:read-only {{ background: {C['light']}; }}

QPushButton, QToolButton#action {{
    background: {C['light']};
    border: 1px solid {C['border']};
    border-bottom: 2px solid {C['secondary']};
    padding: 5px 12px;
    color: {C['text']};
}}
QPushButton[role="primary"] {{ background: {C['green']}; color: white; border-bottom: 2px solid #002d18; }}
QPushButton:hover, QToolButton#action:hover {{ background: #dbdad9; }}
QPushButton:focus, QToolButton#action:focus, QToolButton#entryToggle:focus, QToolButton#deadline:focus {{
    background: {C['yellow']}; color: {C['text']}; border: 2px solid {C['text']};
}}
QPushButton:disabled {{ color: {C['secondary']}; }}
QToolButton#entryToggle {{
    border: none; background: transparent; padding: 6px 4px; text-align: left; color: {C['blue']};
}}
QToolButton#entryToggle:hover {{ text-decoration: underline; }}
QToolButton#deadline {{
    border: 1px solid {C['border']}; background: white; padding: 4px 8px; text-align: left;
}}
QRadioButton, QCheckBox {{ padding: 3px 4px; spacing: 6px; }}
QRadioButton:focus, QCheckBox:focus {{ background: {C['yellow']}; outline: none; }}

QListWidget#taskList, QTreeWidget#findings {{
    border: none; background: {C['light']}; outline: none;
}}
QListWidget#taskList::item, QTreeWidget#findings::item {{ padding: 4px; }}
QListWidget#taskList:focus, QTreeWidget#findings:focus {{ border: 3px solid {C['text']}; }}
QListWidget#taskList::item:selected, QTreeWidget#findings::item:selected {{
    background: white; color: {C['text']}; border-left: 5px solid {C['blue']};
}}
QListWidget#taskList::item:selected:focus, QTreeWidget#findings::item:selected:focus {{
    background: {C['yellow']}; border-left: 5px solid {C['text']};
}}
QListWidget#choiceList::item {{ padding: 1px 2px; }}
QListWidget#choiceList::item:focus {{ background: {C['yellow']}; color: {C['text']}; }}
"""


def scaled_font(widget: QWidget, factor: float = 1.0, bold: bool = False) -> QFont:
    f = QFont(widget.font())
    if f.pointSizeF() > 0:
        f.setPointSizeF(f.pointSizeF() * factor)
    elif f.pixelSize() > 0:
        f.setPixelSize(round(f.pixelSize() * factor))
    f.setBold(bold)
    return f


def heading(text: str, factor: float = 1.5, parent: QWidget | None = None) -> QLabel:
    lab = QLabel(text, parent)
    lab.setFont(scaled_font(lab, factor, bold=True))
    lab.setWordWrap(True)
    lab.setProperty("role", "heading")
    return lab


def muted(text: str, parent: QWidget | None = None) -> QLabel:
    lab = QLabel(text, parent)
    lab.setWordWrap(True)
    lab.setProperty("role", "hint")
    return lab


def error_label_style(label: QLabel, severity: str) -> None:
    label.setProperty("role", "error" if severity == "error" else "warning")
    label.style().unpolish(label)
    label.style().polish(label)
