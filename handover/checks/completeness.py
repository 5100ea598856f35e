"""Completeness: required fields (from the form definition), each moving child's voice, sign-off.

A child listed in ``children[]`` whose case is not moving (``moves`` false) needs only what the form of a
family lists as ``when_not_moving`` (who they are, and why their case stays); the rest of their entry is
asked of the children who move."""

from __future__ import annotations

from typing import Iterator

from handover import labels
from handover.case import MISSING, get_path
from handover.checks import Context, Finding
from handover.checks.walk import condition_holds
from handover.dates import is_blank

__all__ = ["run"]


def _one_of_the_directions() -> str:
    """"a step-down or a step-up", from the directions' labels."""
    names = [labels.direction_label(d).lower() for d in labels.directions()]
    return labels.join(f"{'an' if n[:1] in 'aeiou' else 'a'} {n}" for n in names)


def _blank(value: object) -> bool:
    return value is MISSING or is_blank(value)


def _children_not_moving(case: dict) -> set[int]:
    """The ids of the children's entries whose case is not moving."""
    children = case.get("children")
    return {id(c) for c in children if isinstance(c, dict) and c.get("moves") is False} \
        if isinstance(children, list) else set()


def _name(child: dict, i: int) -> str:
    given = child.get("given_name")
    return given.strip() if isinstance(given, str) and given.strip() else f"child {i + 1}"


def run(ctx: Context) -> Iterator[Finding]:
    case = ctx.case
    if _blank(case.get("direction")):
        yield Finding("required", "direction", f"Say whether this is {_one_of_the_directions()}.", {})
    staying = _children_not_moving(case)
    for slot in ctx.slots:
        f = slot.field
        if staying and slot.entry is not None and id(slot.entry) in staying and f.key not in ctx.when_not_moving \
                and slot.path.startswith("children["):
            continue
        needed = f.required or (f.required_when is not None and condition_holds(f.required_when, case, slot.entry))
        value = slot.value
        if needed and _blank(value):
            detail: dict[str, object] = {"label": f.label}
            why = ""
            if f.required_when and not f.required:
                cond = f.required_when
                base = cond.field.lstrip("/") if cond.field.startswith("/") or slot.entry is None \
                    else slot.path.rsplit(".", f.key.count(".") + 1)[0] + "." + cond.field
                other = ctx.form.field_at(base)
                why = f", because of the answer to “{other.label}”" if other else ""
                detail["because"] = base
            yield Finding("required", slot.path, f"Fill in “{f.label}” ({slot.where}){why}.", detail)
        elif f.min_items:
            count = len(value) if isinstance(value, list) else 0
            if count < f.min_items:
                what = "entry" if f.min_items == 1 else "entries"
                yield Finding("required", slot.path,
                              f"Add at least {f.min_items} {what} to “{f.label}” ({slot.where}).",
                              {"label": f.label, "min_items": f.min_items, "count": count})

    children = case.get("children") if isinstance(case.get("children"), list) else []
    several = len(children) > 1
    for i, child in enumerate(children):
        if not isinstance(child, dict) or child.get("moves") is not True:
            continue
        if _blank(get_path(child, "child_voice.views")):
            whose = f"{_name(child, i)}'s" if several else "the child's"
            detail = {"ref": child.get("ref")} if several else {}
            yield Finding("child_voice_missing", f"children[{i}].child_voice.views",
                          f"Record {whose} views in their own words, or, for a child who cannot or will not say, "
                          "what you observed of them and how.", detail)

    for who, path, label in (("preparer", "sign_off.prepared_by", "the practitioner who prepared the handover"),
                             ("sending_manager", "sign_off.sending_manager", "the sending manager")):
        missing = [k for k in ("name", "date") if _blank(get_path(case, f"{path}.{k}"))]
        if missing:
            yield Finding("sign_off_missing", path,
                          f"The handover has not been signed by {label}: add their {' and '.join(missing)} "
                          "before the final pack is made.", {"signer": who, "missing": missing})
