"""The CLI killed while writing a pack: never a half-written file under the final name; the hidden
part file it leaves is tidied by the next write once it is old."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from casefiles import example


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 0.9, 1.6])
def test_pack_killed_midway_leaves_no_partial_pdf(tmp_path, delay):
    case = example("step_down_complete")
    case["needs_and_risks"]["summary"] = "A long account of the family's history. " * 8000
    src = tmp_path / "case.json"
    src.write_text(json.dumps(case))
    out = tmp_path / "out" / "pack.pdf"
    out.parent.mkdir()
    exe = Path(sys.executable).with_name("handover")
    p = subprocess.Popen([str(exe), "pack", str(src), "-o", str(out), "--draft", "--as-of", "2026-11-20"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=10)
    if out.exists():                       # it finished before the kill: then it is whole
        assert len(PdfReader(out).pages) > 10
    leftovers = [f for f in out.parent.iterdir() if f.name != "pack.pdf"]
    assert all(f.name.startswith(".pack.pdf.") and f.name.endswith(".part") for f in leftovers)
    # an old leftover is tidied by the next write to the same name
    for f in leftovers:
        os.utime(f, (time.time() - 3600, time.time() - 3600))
    subprocess.run([str(exe), "pack", str(src), "-o", str(out), "--draft", "--as-of", "2026-11-20"], check=True,
                   stdout=subprocess.DEVNULL)
    assert [f.name for f in out.parent.iterdir()] == ["pack.pdf"]
    assert len(PdfReader(out).pages) > 10
