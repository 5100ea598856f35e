"""Labels come from resources/ (labels.yaml, vocab.yaml, the forms) and are spelled nowhere in Python.

Every code the rules use has words; the old Python names (``workflow.ACTION_LABELS``, ...) are built
from there; and no module under handover/ spells a table of them again (checked on the source).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from handover import forms, labels, workflow
from handover.checks import timeliness
from handover.deadlines import STATUSES
from handover.protocol import RULES, default_protocol
from handover.resources import resource_path
from handover.vocab import vocab

CORE = Path(__file__).resolve().parents[2] / "handover"

#: SPEC.md section 2, in its order
SPEC_RETURN_REASONS = ("missing_information", "consent_not_evidenced", "threshold_not_met", "wrong_team",
                       "lead_professional_unavailable", "other")


def _raw(*parts: str) -> dict:
    return yaml.safe_load(resource_path(*parts).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- every code has its words in resources/


@pytest.mark.parametrize("action", list(workflow.MOVES))
def test_every_move_has_a_label_a_past_tense_and_a_next_step(action):
    entry = _raw("labels.yaml")["moves"][action]          # in the file, not the fallback
    assert entry["label"] and entry["past"] and entry["next"]
    assert labels.action_label(action) == entry["label"]
    assert labels.action_past(action) == entry["past"]
    assert labels.action_done(action) == entry.get("done", entry["past"])
    assert labels.next_step(action) == entry["next"].strip()


def test_every_state_and_deadline_status_has_a_label():
    table = _raw("labels.yaml")
    assert set(table["states"]) == set(workflow.STATES)
    assert set(table["deadline_statuses"]) == set(STATUSES)
    assert labels.state_label("awaiting_authorisation") == "Awaiting authorisation"
    assert labels.status_label("late") == "Done late"


def test_the_return_reasons_are_spec_section_2_each_with_a_label():
    assert labels.return_reasons() == SPEC_RETURN_REASONS
    assert workflow.RETURN_REASONS == SPEC_RETURN_REASONS
    raw = _raw("vocab.yaml")["return_reasons"]
    for code in SPEC_RETURN_REASONS:
        assert raw[code] and labels.return_reason_label(code) == raw[code]
    assert labels.return_reason_label("missing_information") == "Information is missing from the handover"


def test_every_rule_has_a_label_and_an_event():
    table = _raw("labels.yaml")["rules"]
    protocol_rules = {r.rule for rs in default_protocol().rules.values() for r in rs}
    builtin = {rule for rules in RULES.values() for rule in rules}
    assert protocol_rules <= builtin
    for rule in builtin:
        assert table[rule]["label"] and table[rule]["event"], rule
        assert labels.rule_label(rule) == table[rule]["label"]
        assert labels.rule_event(rule) == table[rule]["event"]
    assert labels.rule_waiting("acknowledged") == "waiting for acknowledgement"
    assert labels.rule_waiting("pack_sent") == ""


@pytest.mark.parametrize("direction", forms.directions())
def test_every_direction_has_its_words_in_its_form(direction):
    raw = _raw("forms", f"{direction}.yaml")
    for key in ("label", "arrow", "long_label", "from_service", "to_service"):
        assert raw.get(key), f"{direction}.yaml has no {key}"
    assert labels.direction_label(direction) == raw["label"]
    assert labels.direction_arrow(direction) == raw["arrow"]
    assert labels.direction_long_label(direction) == raw["long_label"]
    assert labels.direction_badge(direction) == f"{raw['arrow']} {raw['label']}"
    assert labels.sending_service(direction) == raw["from_service"]
    assert labels.receiving_service(direction) == raw["to_service"]
    assert vocab().label("directions", direction) == raw["long_label"]   # the old vocabulary name still reads


def test_the_standard_directions_read_as_before():
    assert forms.directions() == ("step_down", "step_up") == forms.DIRECTIONS == labels.directions()
    assert [labels.direction_badge(d) for d in forms.DIRECTIONS] == ["↓ Step-down", "↑ Step-up"]
    assert labels.direction_long_label("step_down") == "Step-down (children's social care to early help)"
    assert labels.direction_long_label("step_up") == "Step-up (early help to children's social care)"
    assert labels.receiving_service("step_down") == "early_help"
    assert labels.receiving_service("step_up") == "children_social_care"
    assert vocab().codes("directions") == forms.DIRECTIONS and vocab().has("directions")


def test_the_old_python_names_are_built_from_resources():
    assert list(workflow.ACTION_LABELS) == list(workflow.MOVES)
    assert workflow.ACTION_LABELS["send_back"] == "Send back to draft"
    assert workflow.ACTION_LABELS == {a: labels.action_label(a) for a in workflow.MOVES}
    assert timeliness.RULE_WORDS == {r: labels.rule_event(r) for r in _raw("labels.yaml")["rules"]}
    assert timeliness.RULE_WORDS["pack_sent"] == "send the handover pack to early help"
    assert workflow.refusal("send_back", "manager", {"sending"}, "draft") == (
        "a handover that is draft cannot be sent back (only from awaiting authorisation)")
    assert workflow.refusal("authorise", "practitioner", {"sending"}, "awaiting_authorisation") == (
        "only the sending team's manager can authorise a handover")


def test_a_code_without_words_reads_as_its_own():
    assert labels.rule_label("transfer_meeting_held") == "Transfer meeting held"
    assert labels.rule_event("transfer_meeting_held") == "transfer meeting held"
    assert labels.action_label("escalate") == "Escalate" and labels.action_past("escalate") == "escalate"
    assert labels.next_step("escalate") == ""
    assert labels.state_label("on_hold") == "On hold"
    assert labels.status_label("paused") == "Paused"
    assert labels.return_reason_label("no_capacity") == "No capacity"
    assert labels.direction_label("step_sideways") == "Step sideways"
    assert labels.direction_arrow("step_sideways") == ""
    assert labels.receiving_service("step_sideways") is None
    assert labels.readable(None) == "" and labels.join(["a"]) == "a" and labels.join("abc") == "a, b or c"


def test_labels_yaml_is_read_strictly(tmp_path, monkeypatch):
    import shutil

    import handover.resources

    root = tmp_path / "resources"
    shutil.copytree(resource_path(), root)
    monkeypatch.setattr(handover.resources, "resources_root", lambda: root)
    try:
        for bad, message in (("moves:\n  send: {label: Send, tense: sent}\n", "moves.send: unknown key 'tense'"),
                             ("states:\n  draft: [Draft]\n", "states.draft must be text"),
                             ("colours: {}\n", "unknown key 'colours'")):
            (root / "labels.yaml").write_text(bad, encoding="utf-8")
            labels.clear_cache()
            with pytest.raises(labels.LabelsError, match=message.replace(".", r"\.")):
                labels.action_label("send")
    finally:
        labels.clear_cache()


# ---------------------------------------------------------------- the labels are not spelled again in Python

#: re-spellings that other engineers are switching to handover.labels (files outside this change):
#: remove an entry when its file no longer has the table
PENDING: dict[str, set[str]] = {}


def _tables_of_labels(tree: ast.AST) -> list[tuple[int, str, str]]:
    """Dict literals keyed by two or more codes of one kind: (line, kind, the name it is bound to)."""
    actions = set(workflow.MOVES)
    reasons = set(SPEC_RETURN_REASONS)
    rules = {rule for rs in RULES.values() for rule in rs}
    states = set(workflow.STATES)
    directions = set(forms.directions())
    names: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            names[id(node.value)] = getattr(target, "id", getattr(target, "attr", "?"))
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict) or len(node.keys) < 2:
            continue
        keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        if len(keys) != len(node.keys):
            continue
        words = all(isinstance(v, (ast.Constant, ast.JoinedStr)) and not isinstance(getattr(v, "value", ""), bool)
                    and isinstance(getattr(v, "value", ""), str) for v in node.values)
        kind = ("workflow actions" if set(keys) <= actions else
                "return reasons" if set(keys) <= reasons else
                # rules, states and directions also key tables of rules (protocol.RULES): words only
                "deadline rules" if words and set(keys) <= rules else
                "states" if words and set(keys) <= states else
                "directions" if words and set(keys) <= directions else None)
        if kind:
            out.append((node.lineno, kind, names.get(id(node), "?")))
    return out


def test_no_table_of_labels_is_spelled_outside_labels_py():
    offenders, pending_seen = [], set()
    for path in sorted(CORE.rglob("*.py")):
        rel = path.relative_to(CORE.parent).as_posix()
        if rel == "handover/labels.py":
            continue
        for line, kind, name in _tables_of_labels(ast.parse(path.read_text(encoding="utf-8"))):
            if name in PENDING.get(rel, ()):
                pending_seen.add((rel, name))
                continue
            offenders.append(f"{rel}:{line}: {name} spells {kind}; read them with handover.labels")
    assert offenders == []
    stale = {(f, n) for f, ns in PENDING.items() for n in ns} - pending_seen
    assert not stale, f"no longer spelled, remove from PENDING: {sorted(stale)}"


def test_the_scan_finds_a_table_of_labels():
    found = _tables_of_labels(ast.parse('WORDS = {"send": "Send", "close": "Close"}\n'
                                        'WHY = {"wrong_team": 1, "other": 2}\n'
                                        'RULE = {"pack_sent": "Pack sent", "acknowledged": "Acknowledged"}\n'
                                        'FINE = {"pack_sent": ("a", "b"), "acknowledged": ("c", "d")}\n'
                                        'ARROWS = {"step_down": "↓", "step_up": "↑"}\n'))
    assert [(kind, name) for _, kind, name in found] == [
        ("workflow actions", "WORDS"), ("return reasons", "WHY"), ("deadline rules", "RULE"),
        ("directions", "ARROWS")]
