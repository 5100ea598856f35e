"""The access rules of :mod:`handover.store.access`, called directly, and the one check added with them
(the receiving screen's next deadline, when given the actor)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from store.store_cases import NOW, complete_step_down, step_down

from handover.store import access
from handover.store import service as sv
from handover.store.models import Handover
from handover.store.receiving import next_deadline


def test_the_sql_filter_and_the_row_check_agree(store, cast):
    sv.create_handover(store, cast.prac, step_down("CSC-DRAFT"), now=NOW, receiving_team_id=cast.eh)
    sv.create_handover(store, cast.prac, complete_step_down("CSC-SENT"), now=NOW, receiving_team_id=cast.eh)
    for action, who in (("request_authorisation", cast.prac), ("authorise", cast.mgr), ("send", cast.prac)):
        sv.move(store, who, "CSC-SENT", action, now=NOW)
    sv.create_handover(store, cast.other_prac, step_down("WEST"), now=NOW)
    with store.read() as s:
        handovers = s.scalars(select(Handover)).all()
        everyone = {h.case_id for h in handovers}

        def matching(condition):
            q = select(Handover.case_id)
            return set(s.scalars(q if condition is None else q.where(condition)))

        for name, actor in cast.all().items():
            actor = access.current_actor(s, actor)
            seen = matching(access.visible_filter(actor))
            if name == "admin":
                assert seen == set()
                with pytest.raises(sv.Denied):
                    access.check_may_list(actor)
                with pytest.raises(sv.Denied):
                    access.list_scope(s, actor)
                with pytest.raises(sv.Denied):
                    access.load_handover(s, actor, "WEST")
                assert matching(access.numbers_filter(actor)) == everyone     # numbers of everything
                assert access.report_scope(s, actor)[1] is None
                continue
            assert seen == {h.case_id for h in handovers if access.may_view(actor, h)}, name
            assert matching(access.numbers_filter(actor)) == seen, name
            assert access.list_scope(s, actor)[0] == actor
            for cid in everyone - seen:
                with pytest.raises(sv.NotFound):
                    access.load_handover(s, actor, cid)
            assert {access.load_handover(s, actor, cid).case_id for cid in seen} == seen


def test_next_deadline_checks_the_actor_when_given_one(store, cast):
    sv.create_handover(store, cast.prac, complete_step_down("ND"), now=NOW, receiving_team_id=cast.eh)
    unchecked = next_deadline(store, "ND", NOW.date())
    assert next_deadline(store, "ND", NOW.date(), actor=cast.prac) == unchecked
    assert next_deadline(store, "ND", NOW.date(), actor=cast.other_mgr) == unchecked     # managers see all
    for name in ("recv", "other_prac"):      # a draft is not the receiving team's yet; nor another team's
        with pytest.raises(sv.NotFound):
            next_deadline(store, "ND", NOW.date(), actor=getattr(cast, name))
    with pytest.raises(sv.Denied):
        next_deadline(store, "ND", NOW.date(), actor=cast.admin)
