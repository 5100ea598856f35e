"""The shared conformance check (../shared/conformance.py) against the installed `handover` command."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = ROOT.parent / "shared" / "conformance.py"


@pytest.mark.skipif(not CONFORMANCE.exists(), reason="../shared/conformance.py is not beside this checkout")
def test_command_line_conforms_to_spec():
    cli = Path(sys.executable).with_name("handover")
    cli = str(cli) if cli.exists() else shutil.which("handover")
    assert cli, "the handover console script is not installed"
    p = subprocess.run([sys.executable, str(CONFORMANCE), cli], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert ", 0 failed" in p.stdout
