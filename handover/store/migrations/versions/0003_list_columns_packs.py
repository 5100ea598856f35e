"""Case-list columns (error and warning counts, next deadline) and signed packs stored with their version.

Revision ID: 0003
Revises: 0002
Frozen once shipped.

Existing handovers are filled in here: the next deadline from the stored deadline rows (one UPDATE),
and the counts by checking each current version with the active protocol as of its save date (in
batches, with the checks of the tool doing the upgrade). A version that cannot be checked keeps
``checked_on`` NULL and zero counts; the app re-checks a case when it opens it.
"""

from __future__ import annotations

import json
from datetime import timezone

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
    conn.execute(sa.text(
        "UPDATE handovers SET "
        "next_due = (SELECT d.due FROM deadlines d WHERE d.handover_id = handovers.id AND d.done IS NULL "
        "AND d.due IS NOT NULL ORDER BY d.due, d.rule LIMIT 1), "
        "next_rule = (SELECT d.rule FROM deadlines d WHERE d.handover_id = handovers.id AND d.done IS NULL "
        "AND d.due IS NOT NULL ORDER BY d.due, d.rule LIMIT 1)"))
    from handover.protocol import default_protocol, parse_protocol
    from handover.store.sync import check_counts, local_date

    doc = conn.execute(sa.text("SELECT document FROM protocols ORDER BY id DESC LIMIT 1")).scalar()
    protocol = parse_protocol(json.loads(doc), "stored protocol") if doc else default_protocol()
    handovers = sa.table("handovers", sa.column("id", sa.Integer), sa.column("current_version", sa.Integer),
                         sa.column("error_count", sa.Integer), sa.column("warning_count", sa.Integer),
                         sa.column("checked_on", sa.Date))
    versions = sa.table("versions", sa.column("handover_id", sa.Integer), sa.column("number", sa.Integer),
                        sa.column("document", sa.Text), sa.column("created_at", sa.DateTime))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(handovers.c.id, versions.c.document, versions.c.created_at)
            .join(versions, sa.and_(versions.c.handover_id == handovers.c.id,
                                    versions.c.number == handovers.c.current_version))
            .where(handovers.c.id > last).order_by(handovers.c.id).limit(BATCH)).all()
        if not rows:
            return
        updates = []
        for hid, document, created_at in rows:
            try:
                as_of = local_date(created_at.replace(tzinfo=timezone.utc))
                errors, warnings = check_counts(json.loads(document), protocol, as_of)
            except Exception:  # noqa: BLE001 - an uncheckable old document must not block the upgrade
                continue
            updates.append({"hid": hid, "e": errors, "w": warnings, "on": as_of})
        if updates:
            conn.execute(sa.update(handovers).where(handovers.c.id == sa.bindparam("hid"))
                         .values(error_count=sa.bindparam("e"), warning_count=sa.bindparam("w"),
                                 checked_on=sa.bindparam("on")), updates)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_packs_handover", "packs")
    op.drop_table("packs")
    op.drop_index("ix_handovers_error_count", "handovers")
    op.drop_index("ix_handovers_next_due", "handovers")
    with op.batch_alter_table("handovers") as b:
        for c in ("next_due", "next_rule", "checked_on", "warning_count", "error_count"):
            b.drop_column(c)
