"""The CLI killed while writing a pack: never a half-written file under the final name; the hidden
part file it leaves is tidied by the next write once it is old. `pack --sign` killed at any moment:
nothing unsigned is left anywhere but in a private hidden part folder beside the output, which the next
write removes once it is old (as it does the ``.unsigned`` files earlier versions left)."""

from __future__ import annotations

import json
import os
import random
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


USER_PASS = "user-passphrase-1"
STALE = 3600                  #: how old the test makes leftovers: well past handover.files.STALE_SECONDS


@pytest.fixture(scope="module")
def signer(tmp_path_factory) -> Path:
    from handover.keys import init_ca, issue_user

    d = tmp_path_factory.mktemp("signer")
    init_ca(d / "ca", "Exampleton Council", b"ca-passphrase-1")
    issue_user(d / "ca", b"ca-passphrase-1", "Zoë Sample", "Social worker", d / "zoe.p12", USER_PASS.encode())
    (d / "pass.txt").write_text(USER_PASS + "\n")
    return d


def _part_window(cmd: list[str], env: dict[str, str], folder: Path) -> tuple[float, float]:
    """Run ``cmd`` to the end, watching ``folder``: from when to when (seconds after the start) a hidden
    part entry was there. The kills below aim around that stretch."""
    start, seen = time.monotonic(), []
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while p.poll() is None and time.monotonic() - start < 60:
        if any(f.name.endswith(".part") for f in folder.iterdir()):
            seen.append(time.monotonic() - start)
        time.sleep(0.002)
    assert p.wait(timeout=60) == 0
    assert seen, "never saw the part folder or file of `pack --sign`"
    return seen[0], seen[-1]


@pytest.mark.slow
def test_pack_sign_killed_leaves_nothing_unsigned_once_old(tmp_path, signer):
    from handover.pack import verify_pack

    seed = int(os.environ.get("HANDOVER_KILL_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    case = example("step_down_complete")
    case["needs_and_risks"]["summary"] = "A long account of the family's history. " * 8000   # ~60 pages
    src = tmp_path / "case.json"
    src.write_text(json.dumps(case))
    out = tmp_path / "out" / "pack.pdf"
    out.parent.mkdir()
    systmp = tmp_path / "systmp"           # the system temp folder: nothing may be left there either
    systmp.mkdir()
    env = {**os.environ, "TMPDIR": str(systmp)}
    ca = signer / "ca" / "ca.pem"
    cmd = [str(Path(sys.executable).with_name("handover")), "pack", str(src), "-o", str(out), "--as-of",
           "2026-11-20", "--sign", str(signer / "zoe.p12"), "--passphrase-file", str(signer / "pass.txt")]

    first, last = _part_window(cmd, env, out.parent)
    assert verify_pack(out, ca).ok
    left_by_kills: set[str] = set()
    for run in range(6):                   # bounded: 6 kills, each within a few seconds
        out.unlink(missing_ok=True)
        delay = rng.uniform(max(0.05, first - 0.3), last + 0.3)
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
        note = f"seed {seed}, run {run}, killed after {delay:.2f}s"
        if out.exists():                   # it finished before the kill: then it is whole and signed
            r = verify_pack(out, ca)
            assert r.ok and [s.signer for s in r.signatures] == ["Zoë Sample"], note
        for f in out.parent.iterdir():
            if f.name == "pack.pdf":
                continue
            assert f.name.startswith(".pack.pdf.") and f.name.endswith(".part"), (note, f.name)
            assert f.lstat().st_mode & 0o077 == 0, (note, f.name, oct(f.lstat().st_mode))   # owner only
            left_by_kills.add(f.name)
        assert list(systmp.iterdir()) == [], note
    assert left_by_kills, f"seed {seed}: no kill landed while the pack was being written"

    # what earlier versions left (the whole unsigned pack), and a fresh part that may be a write under way
    (out.parent / ".pack.pdf.k3j9x2.unsigned").write_bytes(b"%PDF-1.7 the unsigned pack")
    (out.parent / "..pack.pdf.k3j9x2.unsigned.u8w1qz.part").write_bytes(b"%PDF-1.7 the unsigned pack")
    fresh = out.parent / ".pack.pdf.fresh1.part"
    fresh.write_bytes(b"a write under way")
    for f in out.parent.iterdir():
        if f != fresh and f.name != "pack.pdf":
            os.utime(f, (time.time() - STALE, time.time() - STALE))
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, timeout=60)
    assert sorted(f.name for f in out.parent.iterdir()) == [fresh.name, "pack.pdf"]
    assert verify_pack(out, ca).ok
    assert list(systmp.iterdir()) == []
