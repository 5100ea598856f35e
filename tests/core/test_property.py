"""Property-based: random documents never crash `check`; random bytes never crash parsing."""

import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handover.case import CaseError, parse_case
from handover.checks import CODES, check_case

from casefiles import example

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=20), st.sampled_from(["2026-02-30", "2026-04-02", "0000-00-00", "gp", "3B", "child",
                                                           "without_consent", "given", "step_down", "step_up"]))


def _mutations(doc, path=()):
    """Every scalar position in a document."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _mutations(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _mutations(v, path + (i,))
    else:
        yield path


BASES = [example("step_down_complete"), example("step_up_complete"), example("step_up_with_gaps"),
         example("family_step_up")]
# a /2 document's refs are part of its shape (SPEC.md section 7.1): any other scalar keeps it usable
POSITIONS = [(i, p) for i, b in enumerate(BASES) for p in _mutations(b) if p[0] not in ("format", "id")
             and p[-1] != "ref"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(POSITIONS), scalars), min_size=1, max_size=8),
       st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_random_values_never_crash_check(changes, as_of):
    base_index = changes[0][0][0]
    doc = json.loads(json.dumps(BASES[base_index]))
    for (i, path), value in changes:
        if i != base_index:
            continue
        node = doc
        for p in path[:-1]:
            node = node[p]
        node[path[-1]] = value
    parsed = parse_case(json.dumps(doc))   # scalars anywhere keep the shape
    result = check_case(parsed, as_of)
    out = result.to_json()
    assert out["complete"] == (not [f for f in out["findings"] if f["severity"] == "error"])
    assert all(f["code"] in CODES and f["path"] and f["message"] for f in out["findings"])
    json.dumps(out)


@settings(max_examples=300, deadline=None)
@given(st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=4),
                                                        st.dictionaries(st.text(max_size=12), children, max_size=4)),
                    max_leaves=20))
def test_random_json_is_parsed_or_refused_with_one_line(value):
    try:
        doc = parse_case(json.dumps(value))
    except CaseError as e:
        assert str(e) and "\n" not in str(e)
    else:
        check_case(doc, date(2026, 11, 20))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_are_refused_with_one_line(data):
    try:
        parse_case(data)
    except CaseError as e:
        assert "\n" not in str(e)
