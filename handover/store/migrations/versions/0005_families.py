"""Families (handover-case/2, SPEC section 7): the people of each handover, one deadline row per request
for information, and the names of the children who move.

Revision ID: 0005
Revises: 0004
Frozen once shipped.

- ``people``: each child and household member of a handover's current version (name as matched, date of
  birth, NHS number, the agency types and risk factors recorded for them): the list's search finds a
  handover by any child's name or NHS number, and known-elsewhere matching (section 8) is an index look-up;
- ``deadlines`` gains ``path``, ``agency_type`` and ``priority`` (a request for information's), and its
  unique key becomes (handover, rule, path): a family can have many requests, each its own deadline;
- ``handovers.child_names``: the moving children's names, joined with ", " (the list, the overdue report).

Stored versions are not touched (a signed pack's content hash is over them). Existing handovers are
filled in from their current version, in keyset batches; every one stored before this revision is a
handover-case/1 document (the store refused /2 until now), and has no request rows.

The people rows are made by the function a save uses (``handover.store.sync.people_rows``), not a
frozen copy of it: the integrity check (``handover audit verify``) compares the index with what that
function makes of each current version, so a copy that drifted would be reported as tampering. A later
change to what the index holds comes with its own revision that fills it again. A version that cannot
be read is skipped rather than stopping the upgrade; the integrity check then names it.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("deadlines") as b:
        b.add_column(sa.Column("path", sa.String(40), nullable=False, server_default=""))
        b.add_column(sa.Column("agency_type", sa.String(60)))
        b.add_column(sa.Column("priority", sa.String(10)))
        b.drop_constraint("uq_deadlines_handover_id", type_="unique")
        b.create_unique_constraint("uq_deadlines_handover_id", ["handover_id", "rule", "path"])
    with op.batch_alter_table("handovers") as b:
        b.add_column(sa.Column("child_names", sa.String(400), nullable=False, server_default=""))
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handover_id", sa.Integer, sa.ForeignKey("handovers.id", name="fk_people_handover_id"),
                  nullable=False),
        sa.Column("ref", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("moves", sa.Boolean, nullable=False),
        sa.Column("given_name", sa.String(200), nullable=False),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(400), nullable=False),
        sa.Column("dob", sa.Date),
        sa.Column("nhs_number", sa.String(20), nullable=False),
        sa.Column("agency_types", sa.Text, nullable=False),
        sa.Column("risk_factors", sa.Text, nullable=False),
    )
    _backfill(op.get_bind())
    op.create_index("ix_people_name_dob", "people", ["name_key", "dob"])
    op.create_index("ix_people_nhs", "people", ["nhs_number"])
    op.create_index("ix_people_handover", "people", ["handover_id"])


def _backfill(conn: sa.Connection) -> None:
    from handover.store.sync import people_rows, summary_columns

    handovers = sa.table("handovers", sa.column("id", sa.Integer), sa.column("current_version", sa.Integer),
                         sa.column("child_names", sa.String))
    versions = sa.table("versions", sa.column("handover_id", sa.Integer), sa.column("number", sa.Integer),
                        sa.column("document", sa.Text))
    people = sa.table("people", *(sa.column(c) for c in (
        "handover_id", "ref", "kind", "moves", "given_name", "family_name", "name_key", "dob", "nhs_number",
        "agency_types", "risk_factors")))
    read_batch = (sa.select(handovers.c.id, versions.c.document).select_from(handovers)
                  .join(versions, sa.and_(versions.c.handover_id == handovers.c.id,
                                          versions.c.number == handovers.c.current_version))
                  .where(handovers.c.id > sa.bindparam("last")).order_by(handovers.c.id).limit(BATCH))
    write = (sa.update(handovers).where(handovers.c.id == sa.bindparam("hid"))
             .values(child_names=sa.bindparam("names")))
    last = 0
    while True:
        rows = conn.execute(read_batch, {"last": last}).all()
        if not rows:
            return
        last = rows[-1][0]
        found, names = [], []
        for hid, document in rows:
            try:
                case = json.loads(document)
                found.extend(people_rows(case, hid))
                names.append({"hid": hid, "names": summary_columns(case)["child_names"]})
            except Exception:  # noqa: BLE001 - an unreadable old version must not block an upgrade
                continue
        if found:
            conn.execute(sa.insert(people), found)
        if names:
            conn.execute(write, names)


def downgrade() -> None:
    op.drop_table("people")
    with op.batch_alter_table("handovers") as b:
        b.drop_column("child_names")
    op.execute("DELETE FROM deadlines WHERE path <> ''")
    with op.batch_alter_table("deadlines") as b:
        b.drop_constraint("uq_deadlines_handover_id", type_="unique")
        b.create_unique_constraint("uq_deadlines_handover_id", ["handover_id", "rule"])
        b.drop_column("priority")
        b.drop_column("agency_type")
        b.drop_column("path")
