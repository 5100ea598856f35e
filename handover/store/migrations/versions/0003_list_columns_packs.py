"""Case-list columns (error and warning counts, next deadline) and signed packs stored with their version.

Revision ID: 0003
Revises: 0002
Frozen once shipped.

Existing handovers are filled in here: the next deadline from the stored deadline rows, and the
counts by checking each current version with the active protocol as of its save date (in batches,
with the checks of the tool doing the upgrade, in worker processes for a large database). A version that cannot be checked keeps
``checked_on`` NULL and zero counts; the app re-checks a case when it opens it.
"""

from __future__ import annotations

from collections import deque

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("handovers") as b:
        b.add_column(sa.Column("error_count", sa.Integer, nullable=False, server_default="0"))
        b.add_column(sa.Column("warning_count", sa.Integer, nullable=False, server_default="0"))
        b.add_column(sa.Column("checked_on", sa.Date))
        b.add_column(sa.Column("next_rule", sa.String(40)))
        b.add_column(sa.Column("next_due", sa.Date))
    op.create_index("ix_handovers_next_due", "handovers", ["next_due", "id"])
    op.create_index("ix_handovers_error_count", "handovers", ["error_count", "id"])
    op.create_table(
        "packs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handover_id", sa.Integer, sa.ForeignKey("handovers.id", name="fk_packs_handover_id"),
                  nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(80), nullable=False),
        sa.Column("content_hash", sa.String(80), nullable=False),
        sa.Column("signers", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_packs_handover", "packs", ["handover_id", "version"])
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    """Fill the new columns of every handover, in keyset batches of ``BATCH`` handovers.

    Each batch is one read of the current versions, one read of the batch's open deadline rows (through
    the ``(handover_id, rule)`` unique index) and one executemany UPDATE. The next deadline is picked in
    Python: a correlated ``ORDER BY due LIMIT 1`` subquery per handover was planned on SQLite through
    the ``(done, due, team_id)`` index, a scan of every open deadline for each handover (quadratic: hours
    on 100,000 handovers). The checks run in a pool of worker processes when the database is large.
    """
    from handover.store.sync import count_stored_versions

    protocol_doc = conn.execute(sa.text("SELECT document FROM protocols ORDER BY id DESC LIMIT 1")).scalar()
    handovers = sa.table("handovers", sa.column("id", sa.Integer), sa.column("current_version", sa.Integer),
                         sa.column("error_count", sa.Integer), sa.column("warning_count", sa.Integer),
                         sa.column("checked_on", sa.Date), sa.column("next_rule", sa.String),
                         sa.column("next_due", sa.Date))
    versions = sa.table("versions", sa.column("handover_id", sa.Integer), sa.column("number", sa.Integer),
                        sa.column("document", sa.Text), sa.column("created_at", sa.DateTime))
    deadlines = sa.table("deadlines", sa.column("handover_id", sa.Integer), sa.column("rule", sa.String),
                         sa.column("due", sa.Date), sa.column("done", sa.Date))
    read_batch = (sa.select(handovers.c.id, versions.c.document, versions.c.created_at)
                  .select_from(handovers)
                  .outerjoin(versions, sa.and_(versions.c.handover_id == handovers.c.id,
                                               versions.c.number == handovers.c.current_version))
                  .where(handovers.c.id > sa.bindparam("last")).order_by(handovers.c.id).limit(BATCH))
    # done / due are tested in Python: with them in the WHERE clause SQLite again prefers the
    # (done, due, team_id) index to the handover id range
    read_open = (sa.select(deadlines.c.handover_id, deadlines.c.due, deadlines.c.rule, deadlines.c.done)
                 .where(deadlines.c.handover_id.between(sa.bindparam("lo"), sa.bindparam("hi"))))
    write = (sa.update(handovers).where(handovers.c.id == sa.bindparam("hid"))
             .values(error_count=sa.bindparam("e"), warning_count=sa.bindparam("w"),
                     checked_on=sa.bindparam("on"), next_rule=sa.bindparam("nr"), next_due=sa.bindparam("nd")))

    def batches():
        last = 0
        while True:
            rows = conn.execute(read_batch, {"last": last}).all()
            if not rows:
                return
            lo, hi = rows[0][0], rows[-1][0]
            first: dict[int, tuple] = {}
            for hid, due, rule, done in conn.execute(read_open, {"lo": lo, "hi": hi}):
                if done is None and due is not None and (hid not in first or (due, rule) < first[hid]):
                    first[hid] = (due, rule)
            items = [(hid, doc, at) for hid, doc, at in rows if doc is not None and at is not None]
            yield [r[0] for r in rows], first, items
            last = hi

    def store(ids, first, counted) -> None:
        got = {c[0]: c for c in counted if c is not None}
        updates = []
        for hid in ids:
            _, e, w, on = got.get(hid, (hid, 0, 0, None))
            due, rule = first.get(hid, (None, None))
            updates.append({"hid": hid, "e": e, "w": w, "on": on, "nr": rule, "nd": due})
        conn.execute(write, updates)

    total = conn.execute(sa.text("SELECT count(*) FROM handovers")).scalar() or 0
    pool, workers = _pool(total)
    if pool is None:
        for ids, first, items in batches():
            store(ids, first, count_stored_versions(protocol_doc, items))
        return
    try:
        pending: deque = deque()
        for ids, first, items in batches():
            pending.append((ids, first, items, pool.apply_async(count_stored_versions, (protocol_doc, items))))
            if len(pending) >= 2 * workers:
                store(*_collect(pending.popleft(), protocol_doc))
        while pending:
            store(*_collect(pending.popleft(), protocol_doc))
    finally:
        pool.terminate()
        pool.join()


def _collect(job: tuple, protocol_doc: str | None) -> tuple:
    """(ids, first deadlines, counts) of a batch sent to the pool; checked here if its worker failed."""
    from handover.store.sync import count_stored_versions

    ids, first, items, res = job
    try:
        return ids, first, res.get()
    except Exception:  # noqa: BLE001 - a worker that died (killed, out of memory): do this batch here
        return ids, first, count_stored_versions(protocol_doc, items)


#: handovers from which the checks run in worker processes (fewer: the start-up of a pool costs more)
PARALLEL_FROM = 4 * BATCH


def _pool(total: int):  # -> (multiprocessing.pool.Pool | None, number of workers)
    """A pool of worker processes for ``total`` handovers, or None to check in this process.

    ``HANDOVER_UPGRADE_WORKERS``: the number of processes (1: none; set: a pool whatever the size);
    by default one per CPU, up to 8. Spawned, not forked: the app may be running threads (Qt). Any
    failure to start one falls back to checking in this process.
    """
    import multiprocessing
    import os

    env = os.environ.get("HANDOVER_UPGRADE_WORKERS", "").strip()
    try:
        workers = int(env) if env else min(8, os.cpu_count() or 1)
    except ValueError:
        workers = 1
    if workers <= 1 or (not env and total < PARALLEL_FROM):
        return None, 1
    import sys
    import types

    # a spawned process runs the parent's main script again unless it is guarded by
    # ``if __name__ == "__main__"``; the workers need only handover.store.sync, so they are started
    # with a blank main module (the processes start inside Pool(), then the real one is put back)
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        return multiprocessing.get_context("spawn").Pool(workers), workers
    except Exception:  # noqa: BLE001 - no processes here (a sandbox, a frozen app): check in this process
        return None, 1
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def downgrade() -> None:
    op.drop_index("ix_packs_handover", "packs")
    op.drop_table("packs")
    op.drop_index("ix_handovers_error_count", "handovers")
    op.drop_index("ix_handovers_next_due", "handovers")
    with op.batch_alter_table("handovers") as b:
        for c in ("next_due", "next_rule", "checked_on", "warning_count", "error_count"):
            b.drop_column(c)
