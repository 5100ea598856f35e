"""The handover pack: building, the whole command, and signing, each against its floor.

(a) ``build_pack`` of a 20-page pack in process (checks, flowables, reportlab, page numbering, pyHanko's
    marker and signature fields, the file written and fsynced) against reportlab alone with *the same
    flowables*, made by the pack's own code (``pack_story``) and laid out by ``BaseDocTemplate.build``
    with reportlab's plain canvas, into memory. Two floors: layout only (the flowables made outside the
    timing), and making + layout (reportlab parses every Paragraph's markup when it is made; a
    hand-written reportlab document of the same text pays that too).
(b) ``handover pack --draft`` as a new process (wall time) against LibreOffice converting a .docx of
    the same text to PDF (``soffice --headless --convert-to pdf``). Skipped when LibreOffice or
    python-docx is missing (neither is a dependency of the project).
(c) ``sign_pack`` against pyHanko signing the same PDF with the least code (load the PKCS#12, sign
    the existing field, write the file).
"""

from __future__ import annotations

import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Callable

from bench.core import Row, example_with, paired_medians

AS_OF = date(2026, 11, 25)
PASS = b"bench-passphrase-1"


def twenty_page_case() -> dict:
    """The step-down example with 24 agencies and 200 chronology entries: a complete case, 20 pages."""
    return example_with(agencies=24, chronology=200)


def _run(cmd: list[str]) -> Callable[[], None]:
    def go() -> None:
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)

    return go


def _docx_of(pdf: Path, out: Path) -> bool:
    """A .docx with the same text as the pack, page for page: each pack page's text as paragraphs (its
    first line in bold) and a page break, set tight enough that the layout gives the same number of pages
    (python-docx, when installed). More pages would flatter us. No tables: that flatters LibreOffice."""
    try:
        import docx
    except ImportError:
        return False
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm, Pt
    from pypdf import PdfReader

    d = docx.Document()
    for sec in d.sections:
        sec.page_height, sec.page_width = Mm(297), Mm(210)
        sec.left_margin = sec.right_margin = Mm(18)
        sec.top_margin = sec.bottom_margin = Mm(12)
    normal = d.styles["Normal"]
    normal.font.size = Pt(7)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = Pt(8)
    pages = PdfReader(str(pdf)).pages
    for i, page in enumerate(pages):
        lines = [ln for ln in (page.extract_text() or "").splitlines() if ln.strip()]
        if lines:
            h = d.add_paragraph()
            run = h.add_run(lines[0][:120])
            run.bold = True
        para: list[str] = []             # a table's cells come out a line each: joined into running text
        for ln in lines[1:] + [None]:
            if ln is None or sum(map(len, para)) > 200:
                if para:
                    d.add_paragraph(" · ".join(para))
                para = []
            if ln is not None:
                para.append(ln.strip())
        if i < len(pages) - 1:
            d.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    d.save(str(out))
    return True


def run(quick: bool = False) -> list[Row]:
    from handover.case import dump_case
    from handover.keys import init_ca, issue_user
    from handover.pack import build_pack, sign_pack
    from handover.pack.build import doc_template, pack_story

    runs = 3 if quick else 7
    case = twenty_page_case()
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="pack-bench-"))
    try:
        # (a) in process
        out = tmp / "pack.pdf"
        res = build_pack(case, out, as_of=AS_OF)
        from handover.checks import check_case

        checked = check_case(case, AS_OF)
        t_ours, t_layout, t_make = [], [], []
        for _ in range(runs + 1):
            t = time.perf_counter()
            build_pack(case, out, as_of=AS_OF)
            t_ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            ps = pack_story(case, as_of=AS_OF, result=checked)    # the same flowables (no checks, no furniture)
            t_made = time.perf_counter() - t
            t = time.perf_counter()
            doc_template(io.BytesIO(), ps.title, draft=False).build(ps.story)
            t_layout.append(time.perf_counter() - t)
            t_make.append(t_made + t_layout[-1])
        ours = statistics.median(t_ours[1:])
        rows.append(Row(f"build a {res.pages}-page pack in process", ours, statistics.median(t_layout[1:]), "≤ 1.3×",
                        note="floor: reportlab laying out the same flowables, made outside the timing"))
        rows.append(Row(f"build a {res.pages}-page pack in process", ours, statistics.median(t_make[1:]), "≤ 1.3×",
                        note="floor: reportlab making and laying out the same flowables (Paragraph parsing in)"))

        # (b) the whole command against LibreOffice
        case_file = tmp / "case.json"
        case_file.write_text(dump_case(case), encoding="utf-8")
        handover = shutil.which("handover", path=str(Path(sys.executable).parent)) or "handover"
        cmd = [handover, "pack", str(case_file), "-o", str(tmp / "cli.pdf"), "--draft", "--as-of", AS_OF.isoformat()]
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        docx_file = tmp / "pack.docx"
        if soffice and _docx_of(out, docx_file):
            profile = tmp / "lo-profile"
            lo = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                  "--outdir", str(tmp / "lo"), str(docx_file)]
            ours_cli, lo_t = paired_medians(_run(cmd), _run(lo), runs=max(3, runs // 2 + 1))
            from pypdf import PdfReader

            lo_pages = len(PdfReader(str(tmp / "lo" / "pack.pdf")).pages)
            rows.append(Row("`handover pack --draft`, whole process", ours_cli, lo_t, "alt ≥ 10× ours",
                            note=f"alt: LibreOffice .docx → PDF, {lo_pages} pages; ours {lo_t / ours_cli:.1f}× faster"))
        else:
            ours_cli = paired_medians(_run(cmd), lambda: None, runs=max(3, runs // 2 + 1))[0]
            why = "LibreOffice not installed" if not soffice else "python-docx not installed"
            rows.append(Row("`handover pack --draft`, whole process", ours_cli, None, "alt ≥ 10× ours",
                            note=f"LibreOffice row skipped: {why}"))

        # (c) signing
        init_ca(tmp / "ca", "Bench Council", PASS)
        p12 = tmp / "signer.p12"
        issue_user(tmp / "ca", PASS, "Bench Signer", "Team manager", p12, PASS)
        signed = tmp / "signed.pdf"
        def pyhanko_sign() -> None:
            from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
            from pyhanko.sign import signers

            signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=PASS)
            with open(out, "rb") as f, open(tmp / "floor.pdf", "wb") as o:
                w = IncrementalPdfFileWriter(f)
                signers.sign_pdf(w, signers.PdfSignatureMetadata(field_name="manager"), signer=signer, output=o)

        ours_sign, floor_sign = paired_medians(lambda: sign_pack(out, signed, p12, PASS, field_name="manager"),
                                        pyhanko_sign, runs=runs * 2)
        rows.append(Row(f"sign a {res.pages}-page pack", ours_sign, floor_sign, "≤ 1.2×",
                        note="floor: pyHanko sign_pdf with the least code"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    from bench.core import print_table

    print_table(run(quick="--quick" in sys.argv))
