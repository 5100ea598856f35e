"""The request letter from the app (issue 17): the operations layer writes it, privately, from the
service the handover comes from (else the person's team), with the database's protocol."""

from __future__ import annotations

import os

import pytest

from handover.app import Refused
from handover.app import operations as ops
from handover.case import load_case
from handover.resources import resource_path


def _pages(path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def test_the_letter_is_written_for_the_person_to_print(world, tmp_path):
    case = load_case(resource_path("examples", "family_step_up.json"))
    out = ops.request_letter(world.ctx("prac"), case, 2, tmp_path / "letter.pdf")
    assert out.read_bytes().startswith(b"%PDF-") and _pages(out) == 1
    assert os.stat(out).st_mode & 0o777 == 0o600
    # no "From" in the handover: the letter is from the person's team
    case["transition"]["from_service"] = ""
    ops.request_letter(world.ctx("prac"), case, 0, tmp_path / "team.pdf")
    import subprocess

    text = subprocess.run(["pdftotext", str(tmp_path / "team.pdf"), "-"], capture_output=True, text=True).stdout
    assert "CSC North" in text


def test_a_request_that_does_not_exist_is_one_line(world, tmp_path):
    case = load_case(resource_path("examples", "family_step_up.json"))
    with pytest.raises(Refused) as e:
        ops.request_letter(world.ctx("prac"), case, 40, tmp_path / "x.pdf")
    assert "\n" not in str(e.value) and not (tmp_path / "x.pdf").exists()
