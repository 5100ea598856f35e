"""People's words in the pack (issue 15): where a finding is, by the form's section, entry and field
labels (never a path or a rule id); deadlines worded as the dashboard words them; headings never broken
inside a word; signers named "Name, Organisation" (never an RFC 4514 string)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from handover import labels
from handover.forms import form_for
from handover.pack import build_pack, verify_pack
from handover.pack.places import where
from handover.pack.verify import format_verify_text
from tests.pack.conftest import AS_OF, USER_PASS, example, pdf_text

#: a finding's path as the checks write it (``household[0].joined_household``, ``agencies[1]``)
PATH = re.compile(r"\[\d+\]")
#: a code: two or more lower-case words joined by underscores (``csc_decision``, ``nhs_number_invalid``)
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def flat(pages: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(pages))


@pytest.fixture(scope="module")
def gaps_text(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("words") / "gaps.pdf"
    build_pack(example("step_up_with_gaps"), out, as_of=dt.date(2026, 12, 1), draft=True)
    return flat(pdf_text(out))


def test_no_path_or_code_appears_in_the_pack(gaps_text, packs):
    for text in (gaps_text, flat(pdf_text(packs["draft"])), flat(pdf_text(packs["final"])),
                 flat(pdf_text(packs["family"]))):
        assert not PATH.search(text), PATH.search(text)
        assert not SNAKE.search(text), SNAKE.search(text)


def test_findings_say_where_by_the_forms_labels(gaps_text):
    for words in ("Ryan Cole: Joined the household on",                        # household[1].joined_household
                  "Karen Pike — Known to these agencies: Adult mental health service",   # household[0].known_to[0]
                  "Sampleford Academy: Legal gateway",                        # agencies[0].sharing_basis.gateway
                  "Agency checklist: Police",                                 # agency_checks.police
                  "21 Oct 2026: Agency",                                      # chronology[1].source
                  "Authorised by (manager)",                                  # sign_off.sending_manager
                  "Early help told of the decision on Deadline: " + labels.rule_label("referrer_informed")):
        assert words in gaps_text, words


def test_deadlines_read_as_the_dashboard_reads_them(gaps_text):
    late, overdue = labels.status_label("late"), labels.status_label("overdue")
    assert (f"Deadlines missed: {labels.rule_label('csc_decision')} ({late} by 1 working day); "
            f"{labels.rule_label('referrer_informed')} ({overdue} by 11 working days).") in gaps_text
    assert f"{labels.rule_label('csc_decision')} (within 1 working day)" in gaps_text     # not "1 working days"
    assert f"{overdue} by 11 working days" in gaps_text


def test_a_list_tables_headings_are_never_broken_inside_a_word(gaps_text):
    assert "Has parental responsibility" in gaps_text
    assert "Confidential (left out of the family copy)" in gaps_text
    assert "Form Step-up referral: early help to children's social care Checked" in gaps_text   # no "(step_up)"


@pytest.mark.parametrize("path, words", [
    ("child.nhs_number", "The child: NHS number"),
    ("child", "The child"),
    ("household[1].joined_household", "Household and significant adults — Ryan Cole: Joined the household on"),
    ("household[0].known_to[0]",
     "Household and significant adults — Karen Pike — Known to these agencies: Adult mental health service"),
    ("household[7].name", "Household and significant adults — People, entry 8: Name"),
    ("agencies[1].sharing_basis", "Agency network — Sampleford Health Centre: Lawful basis for sharing"),
    ("agency_checks.camhs", "Agency network — Agency checklist: Child and adolescent mental health service (CAMHS)"),
    ("chronology[1].source", "Chronology — 21 Oct 2026: Agency"),
    ("sign_off.sending_manager", "Sign-off: Authorised by (manager)"),
    ("events.csc_decision", "Referral events: Children's social care decided on"),
])
def test_where_a_path_is_in_words(path, words):
    case = example("step_up_with_gaps")
    assert where(form_for(case), case, path) == words
    assert not PATH.search(where(form_for(case), case, path, section_title=False))


def test_where_names_a_place_the_form_does_not_know_without_its_path():
    case = example("step_up_with_gaps")
    got = where(form_for(case), case, "somewhere_else[2].odd_key")
    assert not PATH.search(got) and not SNAKE.search(got) and got


# ---------------------------------------------------------------- certificates: "Name, Organisation"


def test_name_with_organisation():
    assert labels.name_with_organisation("Sam Manager", "Testshire Council") == "Sam Manager, Testshire Council"
    assert labels.name_with_organisation("Testshire Council handover signing CA", "Testshire Council") == (
        "Testshire Council handover signing CA")
    assert labels.name_with_organisation("", "Testshire Council") == "Testshire Council"
    assert labels.name_with_organisation("Sam Manager", None) == "Sam Manager"
    assert labels.name_with_organisation(None, None) == ""


def test_verify_names_signers_with_their_organisation_and_json_is_unchanged(packs, keys):
    r = verify_pack(packs["signed2"], keys.ca_pem)
    text = format_verify_text(r)
    assert "signed by Zoë Sample, Exampleton Council (Social worker)" in text
    assert "signed by Priya Natt, Exampleton Council (Team manager)" in text
    assert "CN=" not in text and "O=" not in text
    doc = r.to_json()
    assert [s["signer"] for s in doc["signatures"]] == ["Zoë Sample", "Priya Natt"]      # the common name
    assert set(doc["signatures"][0]) == {"field_name", "signer", "role", "signing_time", "intact", "valid",
                                         "trusted", "coverage", "modification_level", "ok", "problems"}
    json.dumps(doc)


def test_the_signature_on_the_page_names_the_signer_with_their_organisation(packs):
    text = flat(pdf_text(packs["signed2"]))
    assert "Priya Natt, Exampleton Council" in text and "CN=" not in text


def test_describe_certificate_says_name_and_organisation(keys):
    from handover.app.signing import describe_certificate

    s = describe_certificate(keys.manager, USER_PASS, dt.datetime.now(dt.timezone.utc))   # issued today
    assert s.who == "Priya Natt, Exampleton Council"
    assert s.issuer == "Exampleton Council handover signing CA"
    assert "=" not in s.line() and "=" not in s.issuer


def test_a_certificate_without_a_common_name_reads_as_its_organisation(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from handover.app.signing import _summary
    from handover.keys import _cn

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Testshire Council")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    s = _summary(cert, _cn(cert.subject))
    assert (s.name, s.who, s.issuer) == ("Testshire Council", "Testshire Council", "Testshire Council")

