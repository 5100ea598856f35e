import pytest

from casefiles import example


@pytest.fixture
def step_down():
    """A complete step-down: no error findings as of AS_OF."""
    return example("step_down_complete")


@pytest.fixture
def step_up():
    """A complete step-up: no findings at all as of AS_OF."""
    return example("step_up_complete")
