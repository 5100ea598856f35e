"""The one place the app imports Qt from: ``from ui.qt import QWidget, Signal, ...``.

Keeping every PySide6 import here makes the binding easy to see, to audit and (one day) to swap.
"""

from __future__ import annotations


from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSignalBlocker,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QShortcut,
    QTextOption,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCalendarWidget,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

__all__ = [
    "QAbstractButton", "QAbstractItemView", "QAction", "QApplication", "QButtonGroup", "QCalendarWidget",
    "QColor", "QComboBox", "QDate", "QDialog", "QDialogButtonBox", "QEvent", "QFont", "QFontMetrics", "QFrame",
    "QGridLayout", "QGroupBox", "QGuiApplication", "QHBoxLayout", "QIcon", "QItemSelectionModel",
    "QKeySequence", "QLabel", "QLayout", "QLineEdit", "QListWidget", "QListWidgetItem", "QMainWindow", "QMessageBox",
    "QModelIndex", "QObject", "QPainter", "QPainterPath", "QPalette", "QPen", "QPixmap", "QPlainTextEdit",
    "QPoint", "QPointF", "QPolygonF", "QPushButton", "QRadioButton", "QRect", "QRectF", "QScrollArea", "QShortcut",
    "QSignalBlocker", "QSize", "QSizePolicy", "QSplitter", "QStackedWidget", "QStyle",
    "QStyledItemDelegate", "QStyleOptionViewItem", "QTextOption", "QTimer", "QToolButton", "QTreeWidget",
    "QTreeWidgetItem", "QUndoCommand", "QUndoStack", "QVBoxLayout", "QWidget", "QWidgetItem", "Qt", "Signal", "Slot",
]

# ---- added for the inbox, dashboard and administration pages (issue 6)
from PySide6.QtCore import (  # noqa: E402
    QAbstractTableModel,
    QPersistentModelIndex,
    QSettings,
    QStandardPaths,
)
from PySide6.QtGui import QBrush  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QInputDialog,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
)

__all__ += [
    "QAbstractTableModel", "QPersistentModelIndex", "QSettings", "QStandardPaths", "QBrush", "QCheckBox",
    "QDateEdit", "QFileDialog", "QFormLayout", "QHeaderView", "QInputDialog", "QSpinBox", "QTableView",
    "QTableWidget", "QTableWidgetItem", "QTabWidget", "QTextBrowser",
]

# ---- added for Check your answers (issue 15)
from PySide6.QtCore import QUrl  # noqa: E402

__all__ += ["QUrl"]
