"""Shared test helpers.

Tests that need a system tool (pdftotext, qpdf, pdffonts, soffice) call ``need_tool``: it skips
where the tool is absent, but fails when BRIEFGEN_REQUIRE_TOOLS=1 (set by .ci/run), so that CI
can never pass by skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from briefgen import document as d

#: the command line keeps results between runs (briefgen.cache): the tests' runs keep theirs in
#: a folder of this session's, never a user's own (test_cache.py points single tests elsewhere)
_CACHE_DIR = None if os.environ.get("BRIEFGEN_CACHE_DIR") else __import__("tempfile").mkdtemp(
    prefix="briefgen-test-cache-")
if _CACHE_DIR is not None:
    os.environ["BRIEFGEN_CACHE_DIR"] = _CACHE_DIR


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The session's cache folder goes with it."""
    if _CACHE_DIR is not None:
        shutil.rmtree(_CACHE_DIR, ignore_errors=True)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "briefs" / "nagorno-karabakh-2023-09-ceasefire.yaml"


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("BRIEFGEN_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{name} is required (BRIEFGEN_REQUIRE_TOOLS=1) but not installed")
        pytest.skip(f"{name} not installed")
    return path


#: LibreOffice's PDF export with a structure tree (tables, rows, lists: which pages each is on)
TAGGED_PDF = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'


def libreoffice_pdfs(docx_files: dict[str, bytes], out: Path,
                     tagged: bool = False) -> dict[str, Path]:
    """Each DOCX (by name) laid out by LibreOffice as ``out/<name>.pdf``, in one run with a
    throw-away profile (so parallel runs and a user's settings never interfere); ``tagged``,
    with its structure tree."""
    soffice = need_tool("soffice")
    for name, data in docx_files.items():
        (out / f"{name}.docx").write_bytes(data)
    profile = Path(f"/tmp/lo-briefgen-test-{os.getpid()}-{uuid.uuid4().hex}")
    try:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", TAGGED_PDF if tagged else "pdf", "--outdir", str(out),
                        *(str(out / f"{n}.docx") for n in docx_files)],
                       capture_output=True, timeout=180, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = {name: out / f"{name}.pdf" for name in docx_files}
    for name, pdf in pdfs.items():
        assert pdf.exists(), f"LibreOffice did not convert {name}.docx"
    return pdfs


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def docx_all_text(data: bytes) -> str:
    """All text a Word user sees in a .docx: body paragraphs and tables (nested too), headers,
    footers, footnotes and endnotes, read from the raw parts."""
    import html
    import io
    import re
    import zipfile

    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in sorted(z.namelist()):
            if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml", name):
                xml = z.read(name).decode("utf-8")
                xml = re.sub(r"<w:tab/>", "<w:t> </w:t>", xml)  # a tab reads as a space
                for para in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
                    parts.append("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", para)))
    return html.unescape("\n".join(parts))


def pdf_all_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


#: the smallest valid brief, as YAML text
MINIMAL = """\
title: A brief
date: 2023-09-20
originator:
  organisation: Desk
marking:
  scheme: tlp
  label: "TLP:GREEN"
summary:
  - One point [@src].
sources:
  - key: src
    title: A source
"""


def rtl_charts() -> tuple[d.RiskMatrix, d.Timeline]:
    """Charts with Arabic and Hebrew labels (drawn from the Noto fallbacks)."""
    m = d.RiskMatrix(("نادر", "likely"), ("small", "big"), ((0, 1), (1, 2)),
                     ("Low", "Medium", "High"), (d.RiskPoint("هجوم أنصار الله", 2, 2),),
                     likelihood_title="الاحتمال", impact_title="Impact")
    tl = d.Timeline((d.TimelineEvent("12 يناير 2024", 1.0, "بيان أنصار الله, 12 January"),
                     d.TimelineEvent("13 Jan", 2.0, "A plain label"),
                     d.TimelineEvent("14 Jan", 3.0, "ים סוף closed")))
    return m, tl


#: the line a command run by :func:`run_command` ends its error output with
_REPORT = "briefgen-test-report: "


def run_command(*argv: str, modules: tuple[str, ...] = (), timeout: float = 120,
                env: dict[str, str] | None = None) -> dict:
    """``briefgen ARGV`` as the command runs it (``main()`` without arguments: the children
    started before click is imported, the process left with ``os._exit``), in a fresh
    interpreter: its exit status (``code``), output and error output, and what its own process
    held as it left (``report``: for each of ``modules``, whether it was imported; ``left``:
    whether a child of it was still there 5 s later, alive or unreaped: a child that has sent
    its result may still be ending as the command leaves, see workers.reap_exiting). ``env``:
    variables set for it."""
    code = textwrap.dedent(f"""
        import json, os, sys
        sys.argv = ["briefgen", *{list(argv)!r}]
        own, leave = os.getpid(), os._exit
        def report_and_leave(status):  # (children leave the same way: only this process reports)
            if os.getpid() == own:
                import time
                left, deadline = True, time.monotonic() + 5
                while left and time.monotonic() < deadline:
                    try:
                        if os.waitpid(-1, os.WNOHANG)[0] == 0:
                            time.sleep(0.01)  # (one that sent its result may be ending)
                    except ChildProcessError:
                        left = False
                held = {{m: m in sys.modules for m in {list(modules)!r}}}
                sys.stderr.write({_REPORT!r} + json.dumps({{**held, "left": left}}) + "\\n")
                sys.stderr.flush()
            leave(status)
        os._exit = report_and_leave
        from briefgen.cli import main
        main()
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=timeout, env={**os.environ, **(env or {})})
    err, _, report = out.stderr.rpartition(_REPORT)
    return {"code": out.returncode, "out": out.stdout,
            "err": err if report else out.stderr,
            "report": json.loads(report) if report else None}
