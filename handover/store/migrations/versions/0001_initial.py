"""The first schema: teams, users, handovers, versions, deadlines, workflow events, audit, protocols.

Revision ID: 0001
Revises:
Frozen: this file describes a shipped schema; never edit it, add a revision instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("service", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("name", name="uq_teams_name"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", name="fk_users_team_id")),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_count", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(200), nullable=False),
        sa.Column("direction", sa.String(20), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("child_given_name", sa.String(200), nullable=False),
        sa.Column("child_family_name", sa.String(200), nullable=False),
        sa.Column("child_dob", sa.Date),
        sa.Column("child_nhs_number", sa.String(20), nullable=False),
        sa.Column("decision_date", sa.Date),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", name="fk_handovers_team_id")),
        sa.Column("receiving_team_id", sa.Integer,
                  sa.ForeignKey("teams.id", name="fk_handovers_receiving_team_id")),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id", name="fk_handovers_owner_id")),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("authorised_version", sa.Integer),
        sa.Column("row_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("case_id", name="uq_handovers_case_id"),
    )
    op.create_index("ix_handovers_state", "handovers", ["state"])
    op.create_index("ix_handovers_child_family_name", "handovers", ["child_family_name"])
    op.create_index("ix_handovers_team_id", "handovers", ["team_id"])
    op.create_index("ix_handovers_receiving_team_id", "handovers", ["receiving_team_id"])
    op.create_index("ix_handovers_updated_at", "handovers", ["updated_at"])
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handover_id", sa.Integer, sa.ForeignKey("handovers.id", name="fk_versions_handover_id"),
                  nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(80), nullable=False),
        sa.Column("frozen", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.UniqueConstraint("handover_id", "number", name="uq_versions_handover_id"),
    )
    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handover_id", sa.Integer, sa.ForeignKey("handovers.id", name="fk_deadlines_handover_id"),
                  nullable=False),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", name="fk_deadlines_team_id")),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("working_days", sa.Integer, nullable=False),
        sa.Column("starts", sa.Date),
        sa.Column("due", sa.Date),
        sa.Column("done", sa.Date),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.UniqueConstraint("handover_id", "rule", name="uq_deadlines_handover_id"),
    )
    op.create_index("ix_deadlines_open", "deadlines", ["done", "due", "team_id"])
    op.create_index("ix_deadlines_late", "deadlines", ["late", "team_id"])
    op.create_table(
        "workflow_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handover_id", sa.Integer,
                  sa.ForeignKey("handovers.id", name="fk_workflow_events_handover_id"), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("from_state", sa.String(30), nullable=False),
        sa.Column("to_state", sa.String(30), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("reason_code", sa.String(40)),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_workflow_events_handover", "workflow_events", ["handover_id", "id"])
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("case_id", sa.String(200)),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(80), nullable=False),
        sa.Column("entry_hash", sa.String(80), nullable=False),
    )
    op.create_index("ix_audit_entries_case_id", "audit_entries", ["case_id"])
    op.create_table(
        "protocols",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for t in ("protocols", "audit_entries", "workflow_events", "deadlines", "versions", "handovers", "users",
              "teams"):
        op.drop_table(t)
