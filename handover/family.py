"""The family as the unit: ``handover-case/2`` (SPEC.md section 7.1), and reading /1 as /2.

A /2 document holds ``children[]`` (each with its own plan, risk factors and voice) and one shared
household, network, chronology, requests for information and sharing decisions; refs (``c1``, ``p2``)
link them. A /1 document is upgraded in memory, losslessly (:func:`upgrade`): ``child`` becomes
``children[0]`` with ref ``c1``, household members get ``p1``, ``p2``, … in order, and
``involved_with`` names become refs. Stored versions are never rewritten.

The checks run one set of rules, written for /2, on every document: a /1 document is checked through a
cheap /2 view of it (:func:`view`, sharing what it does not change) and the findings' paths are mapped
back to where they are in the /1 document (:func:`to_v1_path`), so the editor, which edits /1 today,
links each finding to its own field.

:func:`family_form` builds the form of a family from a direction's form and ``resources/family.yaml``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Callable

from handover.case import FORMAT, FORMAT_V2
from handover.forms import DateOrder, Field, Form, Section, parse_field
from handover.resources import load_yaml, resource_path

__all__ = ["REF", "is_v2", "upgrade", "upgrade_report", "view", "refs_of", "people", "Person", "to_v1_path",
           "map_detail", "ref_problem", "family_form", "FamilyForm", "name_key", "person_key",
           "records_for", "records_all", "moving_children", "children_names", "form_of", "family_title", "next_ref", "as_family",
           "with_child", "with_member_as_child", "new_request", "agency_of_request", "ref_for_new"]

#: a ref: a key unique in the document across children[] and household[]
REF = re.compile(r"[a-z0-9_-]{1,16}")

#: the order of a /2 document's top-level keys (as SPEC.md section 7.1 lists them)
_ORDER = ("format", "id", "direction", "children", "household", "transition", "needs_and_risks", "family",
          "agencies", "agency_checks", "information_requests", "sharing_decisions", "chronology", "plan",
          "sign_off", "events")

#: the ref a /1 document's child gets, and the word /1's ``involved_with`` uses for the child
CHILD_REF = "c1"
_CHILD_WORD = "child"


def is_v2(doc: Any) -> bool:
    """Whether a (parsed) document is ``handover-case/2``."""
    return isinstance(doc, dict) and doc.get("format") == FORMAT_V2


def name_key(name: Any) -> str:
    """A name as it is matched: case and spacing ignored (``" Dana  brennan"`` is ``"dana brennan"``)."""
    return " ".join(name.split()).casefold() if isinstance(name, str) else ""


def person_key(name: Any) -> str:
    """A full name as people are matched across handovers (SPEC.md section 8): case, spacing and punctuation
    ignored (``"O'Brien-Smith,  Dana"``, ``"OBrien Smith Dana"`` and ``"obriensmithdana"`` are one key)."""
    if not isinstance(name, str):
        return ""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def records_for(doc: dict[str, Any]) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each person's ref → (the agency types, the risk-factor codes) the document records for them: agencies
    whose ``involved_with`` names them, a member's ``known_to``, a child's and a member's own risk factors.
    For a (view of a) /2 document."""
    agencies: dict[str, set[str]] = {}
    risks: dict[str, set[str]] = {}
    for p in people(doc):
        known = p.entry.get("known_to") if p.kind == "household" else None
        agencies[p.ref] = {k for k in known if isinstance(k, str)} if isinstance(known, list) else set()
        own = p.entry.get("risk_factors")
        risks[p.ref] = {k for k in own if isinstance(k, str)} if isinstance(own, list) else set()
    for a in doc.get("agencies") or ():
        if not isinstance(a, dict) or not isinstance(a.get("type"), str):
            continue
        for ref in a.get("involved_with") or ():
            if isinstance(ref, str) and ref in agencies:
                agencies[ref].add(a["type"])
    return {ref: (frozenset(agencies[ref]), frozenset(risks[ref])) for ref in agencies}


def records_all(doc: dict[str, Any], ref: Any, agency_types: Any, risk_factors: Any) -> bool:
    """Whether ``doc`` (/1 or /2) now records for the person ``ref`` every one of these agency types and
    risk-factor codes (what a ``known_elsewhere`` finding said it did not: once added, it is answered)."""
    agencies, risks = records_for(view(doc)).get(ref, (frozenset(), frozenset()))
    return set(agency_types or ()) <= agencies and set(risk_factors or ()) <= risks


def moving_children(doc: dict[str, Any]) -> list[Person]:
    """The children of a (view of a) /2 document whose case makes this transition (``moves`` not false)."""
    return [p for p in people(doc) if p.kind == "child" and p.entry.get("moves") is not False]


def children_names(doc: dict[str, Any]) -> str:
    """The names of the children who move, joined with ", " (SPEC.md section 6: the overdue report's
    ``child`` for a family); for a /1 document its child's name."""
    names = (" ".join(n.strip() for n in (p.entry.get("given_name"), p.entry.get("family_name"))
                      if isinstance(n, str) and n.strip()) for p in moving_children(view(doc)))
    return ", ".join(n for n in names if n)


# ---------------------------------------------------------------- refs


def ref_problem(doc: dict[str, Any]) -> str | None:
    """Why the refs of a shape-checked /2 document make it unusable (one line), or None.

    The schema checks each ref's shape; this checks what JSON Schema cannot: that no ref is used twice
    across ``children[]`` and ``household[]``."""
    seen: dict[str, str] = {}
    for key in ("children", "household"):
        items = doc.get(key)
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(item, dict):
                continue
            ref = item.get("ref")
            where = f"{key}[{i}].ref"
            if not isinstance(ref, str) or not REF.fullmatch(ref):
                return f"'{where}' is {ref!r}: a ref is 1 to 16 of the characters a-z, 0-9, _ and -"
            if ref in seen:
                return (f"the ref {ref!r} is used twice ({seen[ref]} and {where}): each child and household "
                        "member needs a ref of their own")
            seen[ref] = where
    return None


@dataclass(frozen=True)
class Person:
    """A child or a household member of a /2 document (or of a /1 document's view)."""

    ref: str
    kind: str                   #: "child" | "household"
    index: int
    entry: dict[str, Any]
    path: str                   #: ``children[0]``, ``household[1]``

    @property
    def name(self) -> str:
        e = self.entry
        if self.kind == "child":
            parts = [e.get("given_name"), e.get("family_name")]
            text = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
            return text or f"child {self.index + 1}"
        n = e.get("name")
        return n.strip() if isinstance(n, str) and n.strip() else f"household member {self.index + 1}"


def people(doc: dict[str, Any]) -> list[Person]:
    """Every child, then every household member, that has a ref (in document order)."""
    out = []
    for key, kind in (("children", "child"), ("household", "household")):
        items = doc.get(key)
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict) and isinstance(item.get("ref"), str) and item["ref"]:
                out.append(Person(item["ref"], kind, i, item, f"{key}[{i}]"))
    return out


def refs_of(doc: dict[str, Any]) -> frozenset[str]:
    return frozenset(p.ref for p in people(doc))


# ---------------------------------------------------------------- /1 → /2


def _upgrade(doc: dict[str, Any], clone: Callable[[Any], Any]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    if is_v2(doc):
        return clone(doc), []
    parts: dict[str, Any] = {}
    unmatched: list[tuple[str, Any]] = []

    household = doc.get("household")
    by_name: dict[str, str] = {}
    if isinstance(household, list):
        members = []
        for i, m in enumerate(household):
            if isinstance(m, dict):
                ref = f"p{i + 1}"
                members.append({"ref": ref, **{k: clone(v) for k, v in m.items()}})
                key = name_key(m.get("name"))
                if key:
                    by_name.setdefault(key, ref)
            else:
                members.append(clone(m))
        household = members
    else:
        household = clone(household)

    child = doc.get("child")
    entry: dict[str, Any] = {"ref": CHILD_REF}
    if isinstance(child, dict):
        entry.update({k: clone(v) for k, v in child.items() if k != "ref"})
    entry["moves"] = True
    entry["reason_not_moving"] = ""
    transition = doc.get("transition")
    if isinstance(transition, dict) and "current_plan" in transition:
        entry["current_plan"] = clone(transition["current_plan"])
        transition = {k: clone(v) for k, v in transition.items() if k != "current_plan"}
    else:
        transition = clone(transition)
    entry["risk_factors"] = []
    if "child_voice" in doc:
        entry["child_voice"] = clone(doc["child_voice"])

    agencies = doc.get("agencies")
    if isinstance(agencies, list):
        out = []
        for i, a in enumerate(agencies):
            if not isinstance(a, dict):
                out.append(clone(a))
                continue
            a2 = {k: clone(v) for k, v in a.items() if k != "involved_with"}
            inv = a.get("involved_with", None)
            if isinstance(inv, list):
                mapped = []
                for j, v in enumerate(inv):
                    if v == _CHILD_WORD:
                        mapped.append(CHILD_REF)
                    elif name_key(v) in by_name:
                        mapped.append(by_name[name_key(v)])
                    else:   # kept as written, so that the check reports it (SPEC.md section 7.1)
                        mapped.append(clone(v))
                        if not (isinstance(v, str) and not v.strip()):
                            unmatched.append((f"agencies[{i}].involved_with[{j}]", v))
                inv = mapped
            if "involved_with" in a:
                # keep the key where it was
                a2 = {k: (inv if k == "involved_with" else a2[k]) for k in a}
            out.append(a2)
        agencies = out
    else:
        agencies = clone(agencies)

    parts.update(format=FORMAT_V2, children=[entry], household=household, transition=transition,
                 agencies=agencies, information_requests=[], sharing_decisions=[])
    result: dict[str, Any] = {}
    for k in _ORDER:
        if k in parts:
            if k in ("household", "transition", "agencies") and k not in doc:
                continue
            result[k] = parts[k]
        elif k in doc:
            result[k] = clone(doc[k])
    for k, v in doc.items():   # nothing else is in a shape-checked /1 document; never lose it if there is
        if k not in result and k not in ("child", "child_voice") and k not in parts:
            result[k] = clone(v)
    return result, unmatched


def upgrade(doc: dict[str, Any]) -> dict[str, Any]:
    """A /1 document as /2 (a new document; the one given is not changed). A /2 document is copied."""
    return _upgrade(doc, copy.deepcopy)[0]


def upgrade_report(doc: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """:func:`upgrade`, and where an ``involved_with`` name matched nobody (kept as written):
    ``[("agencies[0].involved_with[1]", "Dana Brenan")]``."""
    return _upgrade(doc, copy.deepcopy)


def view(doc: dict[str, Any]) -> dict[str, Any]:
    """A /2 document to read (never to change): a /2 document itself, or a /1 document upgraded without
    copying what the upgrade does not change (what the checks read on every edit)."""
    if is_v2(doc):
        return doc
    return _upgrade(doc, lambda v: v)[0]


# ---------------------------------------------------------------- /2 paths → /1 paths

_FIRST = "children[0]"
_MOVED = ((".current_plan", "transition.current_plan"), (".child_voice", "child_voice"))


def to_v1_path(path: str) -> str:
    """Where a path of an upgraded /1 document is in the /1 document: ``children[0].nhs_number`` →
    ``child.nhs_number``, ``children[0].current_plan`` → ``transition.current_plan``,
    ``children[0].child_voice.views`` → ``child_voice.views``; anything else is the same in both."""
    if path == "children":
        return "child"
    if not path.startswith(_FIRST):
        return path
    rest = path[len(_FIRST):]
    for head, v1 in _MOVED:
        if rest.startswith(head) and rest[len(head):len(head) + 1] in ("", ".", "["):
            return v1 + rest[len(head):]
    return "child" + rest


def map_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """A finding's detail with the paths in it (``because``, ``earlier``, ``found_at``…) as /1 paths."""
    def one(v: Any) -> Any:
        if isinstance(v, str) and v.startswith("children"):
            return to_v1_path(v)
        if isinstance(v, list) and any(isinstance(x, str) and x.startswith("children") for x in v):
            return [one(x) for x in v]
        return v

    if not any(isinstance(v, (str, list)) for v in detail.values()):
        return detail
    return {k: one(v) for k, v in detail.items()}


# ---------------------------------------------------------------- the form of a family


@dataclass(frozen=True)
class FamilyForm:
    """A direction's form for a /2 document, and what it needs to know of the children's entries."""

    form: Form
    children_key: str                   #: "children"
    when_not_moving: frozenset[str]     #: the keys of a child's entry still required when they do not move
    #: a child's entry's key → the title of the section of the direction's own form it comes from
    #: ("given_name" → "The child", "child_voice.views" → "The child's voice"): what a /1 case's messages say
    v1_titles: dict[str, str] = field(default_factory=dict, compare=False)


@cache
def _additions() -> dict[str, Any]:
    with open(resource_path("family.yaml"), encoding="utf-8") as f:
        return load_yaml(f)


def _fields(raw: Any, where: str) -> tuple[Field, ...]:
    return tuple(parse_field(f, where, True) for f in (raw or ()))


def _relative(f: Field, prefix: str) -> Field:
    """A top-level field of the form as a field of a child's entry (``child.upn`` → ``upn``)."""
    key = f.key[len(prefix):] if prefix else f.key
    cond = f.required_when
    if cond is not None and not cond.field.startswith("/"):
        # a condition on another of the moved fields becomes relative to the entry too
        for head, new in (("child.", ""), ("child_voice.", "child_voice."), ("transition.current_plan", "current_plan")):
            if cond.field.startswith(head):
                cond = replace(cond, field=new + cond.field[len(head):])
                break
        else:
            cond = replace(cond, field="/" + cond.field)
    return replace(f, key=key, required_when=cond)


def _moved_date(path: str, each: str = "children[].") -> str:
    """A path of the form as the family form has it (``child.date_of_birth`` → ``children[].date_of_birth``)."""
    if path.startswith("child."):
        return each + path[len("child."):]
    if path.startswith("child_voice."):
        return each + "child_voice." + path[len("child_voice."):]
    if path == "transition.current_plan":
        return each + "current_plan"
    return path


_FAMILY_FORMS: dict[int, tuple[Form, FamilyForm]] = {}


def family_form(form: Form) -> FamilyForm:
    """The form of a family built from ``form`` (cached per form)."""
    got = _FAMILY_FORMS.get(id(form))
    if got is not None and got[0] is form:
        return got[1]
    built = _build(form)
    _FAMILY_FORMS[id(form)] = (form, built)
    return built


def _build(form: Form) -> FamilyForm:
    add = _additions()
    kids = add["children"]
    where = "family.yaml, children, field"
    identity: list[Field] = []
    plan: list[Field] = []
    voice: list[Field] = []
    sections: list[Section] = []
    child_at = None
    titles: dict[str, str] = {}
    for s in form.sections:
        kept: list[Field] = []
        for f in s.fields:
            if f.key.startswith("child."):
                identity.append(_relative(f, "child."))
                titles[identity[-1].key] = s.title
            elif f.key == "transition.current_plan":
                plan.append(replace(_relative(f, "transition."), key="current_plan"))
                titles["current_plan"] = s.title
            elif f.key.startswith("child_voice."):
                voice.append(_relative(f, ""))
                titles[voice[-1].key] = s.title
            elif f.key == "household" and f.is_list:
                kept.append(replace(f, fields=_fields(add.get("household"), "family.yaml, household, field")
                                    + f.fields))
            elif f.key == "chronology" and f.is_list:
                kept.append(replace(f, fields=f.fields + _fields(add.get("chronology"), "family.yaml, chronology")))
            elif f.key == "plan.outcomes" and f.is_list:
                kept.append(replace(f, fields=f.fields + _fields(add.get("outcomes"), "family.yaml, outcomes")))
            else:
                kept.append(f)
        if child_at is None and len(kept) < len(s.fields) and any(f.key.startswith("child.") for f in s.fields):
            child_at = len(sections)
        if kept:
            sections.append(replace(s, fields=tuple(kept)))
    entry = (_fields(kids.get("first"), where) + tuple(identity) + _fields(kids.get("after_identity"), where)
             + tuple(plan) + _fields(kids.get("after_plan"), where) + tuple(voice))
    children = Field(key=kids["key"], label=kids["label"], type="list", min_items=int(kids.get("min_items", 1)),
                     item_label=kids.get("item_label"), fields=entry)
    sections.insert(child_at if child_at is not None else 0,
                    Section(id=kids["id"], title=kids["title"], hint=str(kids.get("hint", "")).strip(),
                            fields=(children,)))
    for raw in add.get("sections") or ():
        new = Section(id=raw["id"], title=raw["title"], hint=str(raw.get("hint", "")).strip(),
                      fields=_fields(raw["fields"], f"family.yaml, section {raw['id']}, field"))
        ids = [s.id for s in sections]
        after = raw.get("after")
        sections.insert(ids.index(after) + 1 if after in ids else len(sections), new)
    orders = tuple(DateOrder(_moved_date(o.earlier), _moved_date(o.later), o.message) for o in form.date_order)
    orders += tuple(DateOrder(o["earlier"], o["later"], o["message"]) for o in add.get("date_order") or ())
    built = replace(form, sections=tuple(sections), date_order=orders,
                    child_name=tuple(_moved_date(p, _FIRST + ".") for p in form.child_name),
                    child_ids=tuple(_moved_date(p, _FIRST + ".") for p in form.child_ids))
    return FamilyForm(form=built, children_key=kids["key"],
                      when_not_moving=frozenset(kids.get("when_not_moving") or ()), v1_titles=titles)


def clear_cache() -> None:
    """Forget the family additions and the built forms (after the resources folder changed: tests)."""
    _additions.cache_clear()
    _FAMILY_FORMS.clear()


# the formats, for callers that name them through this module
V1, V2 = FORMAT, FORMAT_V2


# ---------------------------------------------------------------- changing a family (the editor's actions)


def form_of(case: dict[str, Any]) -> Form:
    """The form a document is edited and read with: its direction's, or the family form of a /2 document."""
    from handover.forms import form_for

    form = form_for(case)
    return family_form(form).form if is_v2(case) else form


def family_title(doc: dict[str, Any]) -> str:
    """The moving children as a person says them: "Kara Testcase", "Kara and Mia Testcase" (one family
    name), "Kara Testcase and Ben Smith"; "" when none is named."""
    kids = [(_clean(p.entry.get("given_name")), _clean(p.entry.get("family_name")))
            for p in moving_children(view(doc))]
    kids = [(g, f) for g, f in kids if g or f]
    if not kids:
        return ""
    surnames = {f for _g, f in kids}
    if len(surnames) == 1 and all(g for g, _f in kids):
        return f"{_and([g for g, _f in kids])} {kids[0][1]}".strip()
    return _and([f"{g} {f}".strip() for g, f in kids])


def _clean(v: Any) -> str:
    return " ".join(v.split()) if isinstance(v, str) else ""


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def next_ref(doc: dict[str, Any], prefix: str = "c") -> str:
    """The first of ``c1``, ``c2``, … (or ``p1``, …) that no one in the document has."""
    taken = refs_of(doc)
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def ref_for_new(doc: dict[str, Any], list_key: str) -> str | None:
    """The ref a new entry of ``children`` (``c…``) or ``household`` (``p…``) of a /2 document gets, so that
    adding a person never leaves the document unsaveable; None for other lists and /1 documents."""
    prefix = {"children": "c", "household": "p"}.get(list_key)
    return next_ref(doc, prefix) if prefix and is_v2(doc) else None


def as_family(doc: dict[str, Any]) -> dict[str, Any]:
    """A new /2 document of ``doc`` (upgraded when it is /1, else copied): what the editor switches to when
    a second child is added to a one-child handover."""
    return upgrade(doc)


def with_child(doc: dict[str, Any], blank: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A new /2 document with one more child (``blank``: every field of a child's entry, empty; it gets
    the next free ref), and the new child's index in ``children``."""
    new = as_family(doc)
    child = copy.deepcopy(blank)
    child["ref"] = next_ref(new, "c")
    new.setdefault("children", []).append(child)
    return new, len(new["children"]) - 1


def with_member_as_child(doc: dict[str, Any], ref: str, blank: dict[str, Any],
                         blank_agency: dict[str, Any] | None = None) -> tuple[dict[str, Any], int]:
    """A new /2 document in which the household member with ``ref`` is one of the children: their name
    (given names, then the family name's last word), date of birth, risk factors and ref move into a new
    child's entry, so every agency, request and event that names them still does; each agency they were
    known to stays recorded for them: an agency of that type in the network gains them in "involved with",
    and one not in it is added (``blank_agency``: every field of an agency, empty), involved with them, for
    the practitioner to complete. Whether their case moves is left for the practitioner to answer."""
    new = as_family(doc)
    household = new.get("household")
    members = household if isinstance(household, list) else []
    index = next((i for i, m in enumerate(members) if isinstance(m, dict) and m.get("ref") == ref), None)
    if index is None:
        raise LookupError(f"no one in the household has the ref {ref!r}")
    m = members.pop(index)
    child = copy.deepcopy(blank)
    words = _clean(m.get("name")).split(" ")
    child["given_name"] = " ".join(words[:-1]) if len(words) > 1 else words[0]
    child["family_name"] = words[-1] if len(words) > 1 else ""
    if m.get("date_of_birth") is not None:
        child["date_of_birth"] = m.get("date_of_birth")
    child["ref"] = ref
    child["moves"] = None
    own = m.get("risk_factors")
    if isinstance(own, list) and own:
        child["risk_factors"] = list(own)
    new.setdefault("children", []).append(child)
    agencies = new.setdefault("agencies", [])
    for code in m.get("known_to") or ():
        if not isinstance(code, str) or not code:
            continue
        known = next((a for a in agencies if isinstance(a, dict) and a.get("type") == code), None)
        if known is None and blank_agency is not None:
            known = copy.deepcopy(blank_agency)
            known.update(type=code, involved_with=[])
            agencies.append(known)
            checks = new.get("agency_checks")
            if isinstance(checks, dict):
                checks[code] = "involved"
        if known is not None:
            involved = known.get("involved_with")
            if not isinstance(involved, list):
                involved = known["involved_with"] = []
            if ref not in involved:
                involved.append(ref)
    return new, len(new["children"]) - 1


def new_request(doc: dict[str, Any], blank: dict[str, Any], *, agency_type: str, agency_name: str = "",
                about: list[str] | None = None, sent: str, sent_by: str, priority: str = "amber") -> dict[str, Any]:
    """A request for information to one agency, as *Ask this agency* starts it (``blank``: every field of a
    request, empty): about ``about`` when given (an agency's own people), else every child whose case
    moves; sent today by who is signed in; amber (within the protocol's working days for amber) until the
    practitioner says otherwise; no answer yet."""
    req = copy.deepcopy(blank)
    fam = view(doc)
    known = refs_of(fam)
    chosen = [r for r in about or () if isinstance(r, str) and r in known]
    req.update(agency_type=agency_type, agency_name=agency_name, sent=sent, sent_by=sent_by, priority=priority,
               about=chosen or [p.ref for p in moving_children(fam)], response=None)
    return req


def agency_of_request(doc: dict[str, Any], index: int, blank: dict[str, Any]) -> dict[str, Any] | None:
    """The agency-network entry an answer of "holds information" offers (``blank``: every field of an
    agency, empty): the request's agency, involved with the people it was asked about; None when the
    network already has that agency (same type and name) or the request holds no information."""
    reqs = doc.get("information_requests")
    if not isinstance(reqs, list) or not (0 <= index < len(reqs)) or not isinstance(reqs[index], dict):
        return None
    r = reqs[index]
    response = r.get("response")
    if not isinstance(response, dict) or response.get("outcome") != "holds_information":
        return None
    name = r.get("agency_name").strip() if isinstance(r.get("agency_name"), str) else ""
    for a in doc.get("agencies") or ():
        if isinstance(a, dict) and a.get("type") == r.get("agency_type") and name_key(a.get("name")) == name_key(name):
            return None
    entry = copy.deepcopy(blank)
    entry.update(type=r.get("agency_type"), name=name,
                 involved_with=[x for x in r.get("about") or () if isinstance(x, str)])
    return entry
