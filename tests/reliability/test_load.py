"""20 clients editing and moving the same few handovers on one PostgreSQL database for a bounded time.

Each client is a separate Store (its own engine and connections, as on separate PCs). Afterwards:
no successful save was silently overwritten, every successful move happened exactly once, and the audit
trail accounts for every successful change. ``pytest -s`` prints the figures (see docs/reliability.md).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from store.conftest import make_cast
from store.store_cases import FAST_HASHER, NOW, complete_step_down

from handover.store import open_database
from handover.store import service as sv
from handover.store.integrity import verify_store
from handover.store.models import AuditEntry, Handover, Version, WorkflowEvent

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CLIENTS = 20
SECONDS = float(os.environ.get("HANDOVER_LOAD_SECONDS", "10"))
CASES = [f"LOAD-{i}" for i in range(4)]
#: moves the clients try (not accept/close, which end the cycle; "return" and "send back" restart it)
MOVES = ("request_authorisation", "send_back", "authorise", "send", "acknowledge", "return")
EXTRA = {"send_back": {"note": "load test: add more"},
         "return": {"reason_code": "missing_information", "note": "load test: returned"}}


def test_twenty_clients_at_once(pg_database_url):
    first = open_database(pg_database_url)
    assert first.ok, first.message
    setup = first.store
    setup.hasher = FAST_HASHER
    cast = make_cast(setup)
    for cid in CASES:
        sv.create_handover(setup, cast.prac, complete_step_down(cid), now=NOW, receiving_team_id=cast.eh)
    actors = [cast.prac, cast.mgr, cast.recv, cast.eh_mgr, cast.eh_prac]

    clock = itertools.count(1)
    clock_lock = threading.Lock()

    def now():
        with clock_lock:
            return NOW + timedelta(milliseconds=next(clock))

    saves: list[tuple[str, str, int]] = []          # (case, token, version written)
    moves: list[tuple[str, str, str, str, int | None]] = []   # (case, action, from, to, version written)
    reopens: list[tuple[str, str, str, str, None]] = []     # saves that took an authorised handover to draft
    tally = Counter()
    unexpected: list[BaseException] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS
    start = threading.Barrier(CLIENTS)

    def client(n: int) -> None:
        rng = random.Random(n)
        res = open_database(pg_database_url)
        store = res.store
        actor = actors[n % len(actors)]
        start.wait()
        k = 0
        try:
            while time.monotonic() < stop_at:
                k += 1
                cid = rng.choice(CASES)
                try:
                    view = sv.get_handover(store, actor, cid, now=now())
                    with lock:
                        tally["views"] += 1
                except sv.NotFound:          # a receiver while the handover is not sent
                    with lock:
                        tally["not visible"] += 1
                    continue
                if view.can_edit and rng.random() < 0.5:
                    token = f"client {n} edit {k}"
                    case = json.loads(json.dumps(view.case))
                    case["transition"]["what_has_changed"] = token
                    try:
                        s = sv.save_version(store, actor, cid, case, view.summary.row_version, now=now())
                    except sv.Conflict:
                        with lock:
                            tally["save conflicts"] += 1
                    except (sv.Denied, sv.Invalid, sv.NotFound):   # e.g. returned since: no longer visible
                        with lock:
                            tally["saves refused"] += 1
                    else:
                        with lock:
                            saves.append((cid, token, s.current_version))
                            tally["saves"] += 1
                            if view.summary.state == "authorised":   # a change after authorisation: to draft
                                reopens.append((cid, "reopen", "authorised", "draft", None))
                    continue
                possible = [a for a in view.allowed_actions if a in MOVES]
                if not possible:
                    continue
                action = rng.choice(possible)
                try:
                    r = sv.move(store, actor, cid, action, now=now(), expected_version=view.summary.row_version,
                                **EXTRA.get(action, {}))
                except sv.Conflict:
                    with lock:
                        tally["move conflicts"] += 1
                except (sv.Denied, sv.Invalid, sv.NotFound):
                    with lock:
                        tally["moves refused"] += 1
                else:
                    with lock:
                        moves.append((cid, action, r.event.from_state, r.event.to_state, r.new_version))
                        tally["moves"] += 1
        except BaseException as e:  # noqa: BLE001 - reported below
            with lock:
                unexpected.append(e)
        finally:
            store.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(SECONDS + 120)
    took = time.monotonic() - started
    assert not unexpected, unexpected[:3]
    assert tally["saves"] > 5 and tally["moves"] > 5 and tally["save conflicts"] + tally["move conflicts"] > 0, tally

    with setup.read() as s:
        ids = {c: i for c, i in s.execute(select(Handover.case_id, Handover.id))}
        docs = {(cid, n): json.loads(doc) for cid, n, doc in s.execute(
            select(Handover.case_id, Version.number, Version.document).join(Handover,
                                                                              Handover.id == Version.handover_id))}
        current = {c: v for c, v in s.execute(select(Handover.case_id, Handover.current_version))}
        events = {cid: [(e.action, e.from_state, e.to_state) for e in s.scalars(
            select(WorkflowEvent).where(WorkflowEvent.handover_id == hid).order_by(WorkflowEvent.id))]
            for cid, hid in ids.items()}
        audit_actions = Counter(a for (a,) in s.execute(select(AuditEntry.action)))

    # no update silently overwritten: each successful save wrote its own version, still there with its
    # content; every version after the first was written by exactly one successful save or move
    written = Counter((cid, v) for cid, _, v in saves) + Counter((cid, v) for cid, *_, v in moves if v)
    assert max(written.values()) == 1, "two successful writes claim the same version"
    for cid, token, v in saves:
        assert docs[(cid, v)]["transition"]["what_has_changed"] == token
        assert v <= current[cid]
    for cid in CASES:
        assert set(range(2, current[cid] + 1)) == {v for (c, v) in written if c == cid}
    # every successful move happened once, in a valid chain of states
    for cid in CASES:
        mine = [(a, f, t) for c, a, f, t, _ in moves + reopens if c == cid]
        assert Counter(events[cid]) == Counter(mine)
        states = ["draft"] + [t for _, _, t in events[cid]]
        assert all(f == states[i] for i, (_, f, _) in enumerate(events[cid]))
    # the audit trail accounts for every successful change and view
    assert audit_actions["save"] == tally["saves"]
    assert sum(n for a, n in audit_actions.items() if a.startswith("move:")) == tally["moves"] + len(reopens)
    assert audit_actions["view"] == tally["views"]
    report = verify_store(setup)
    assert report.ok, report.problems
    setup.close()

    ops = tally["saves"] + tally["moves"] + tally["save conflicts"] + tally["move conflicts"] + tally["views"]
    print(f"\nload test: {CLIENTS} clients, {took:.1f} s, {len(CASES)} handovers: {ops} operations "
          f"({tally['views']} views, {tally['saves']} saves, {tally['moves']} moves); conflicts refused: "
          f"{tally['save conflicts']} saves, {tally['move conflicts']} moves; other refusals: "
          f"{tally['saves refused'] + tally['moves refused']}; audit entries verified: {report.audit.entries}")
