"""Storage: SQLAlchemy models, engine set-up, migrations, queries and the service layer.

Start with :func:`open_database` (returns an :class:`OpenResult`), then the functions of
:mod:`handover.store.service`. Heavy modules load on first use.
"""

from __future__ import annotations

from handover.store.database import OpenResult, Store, open_database
from handover.store.engine import default_url, resolve_url, safe_url

__all__ = ["open_database", "OpenResult", "Store", "default_url", "resolve_url", "safe_url"]
