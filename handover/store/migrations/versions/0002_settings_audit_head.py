"""Settings, and the audit head (the newest entry's number and hash) so a deleted tail is detected.

Revision ID: 0002
Revises: 0001
Frozen once shipped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("entry_hash", sa.String(80), nullable=False),
    )
    # an existing trail: its newest entry becomes the head
    last = op.get_bind().execute(sa.text(
        "SELECT seq, entry_hash FROM audit_entries ORDER BY seq DESC LIMIT 1")).first()
    if last is not None:
        op.bulk_insert(head, [{"id": 1, "seq": last[0], "entry_hash": last[1]}])


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_table("settings")
