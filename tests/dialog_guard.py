"""A guard the Qt test folders share (tests/app and tests/ui import it into their conftest)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _check_your_answers_never_blocks(monkeypatch):
    """A test that reaches Check your answers says what the person does there (monkeypatch its exec);
    one that does not is told so, instead of waiting for ever on a modal dialog."""
    from ui import check_answers

    def exec_(dialog):
        raise AssertionError("the test reached Check your answers without saying what the person does")

    monkeypatch.setattr(check_answers.CheckAnswersDialog, "exec", exec_)
