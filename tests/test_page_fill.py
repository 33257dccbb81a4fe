"""No near-empty page: in every shipped style and template (the sample brief; the PDF as
briefgen writes it, the DOCX as LibreOffice lays it out), no page but the first holds fewer
than ``MIN_LINES`` lines of body text unless the whole pack is one page, and no page holds a
heading alone (e.g. "Sources" with its one entry on a page of its own, or a page holding one
summary bullet).

Body text is what pdftotext reads on a page less the furniture: the lines that repeat on most
pages (marking banners, the running footer) and the page number."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

import briefgen
from briefgen.compose import available_templates
from briefgen.style import available_styles, load_style
from conftest import SAMPLE, libreoffice_pdfs, need_tool

MIN_LINES = 5
STYLES = sorted(available_styles())
TEMPLATES = sorted(available_templates())
PACKS = [(s, t, "endnotes") for s in STYLES for t in TEMPLATES] + \
    [(s, "full", "footnotes") for s in ("default", "uk-brief")]
PAGE_NO = re.compile(r"\bPage \d+ of \d+\b|^\s*\d+\s*$")


def _name(style: str, template: str, notes: str) -> str:
    return f"{style}-{template}" + ("-footnotes" if notes == "footnotes" else "")


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, bytes]]:
    brief = briefgen.load_brief(SAMPLE)
    out: dict[str, tuple[bytes, bytes]] = {}
    for style, template, notes in PACKS:
        sty = load_style(style)
        if notes == "footnotes":
            sty = sty.model_copy(update={"notes": notes})
        pack = briefgen.build(brief, briefgen.BuildOptions(style=sty, template=template))
        out[_name(style, template, notes)] = (pack.pdf, pack.docx)
    return out


def page_lines(pdf: Path) -> list[list[str]]:
    """The body lines of each page (see the module)."""
    text = subprocess.run([need_tool("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = [[" ".join(line.split()) for line in p.splitlines() if line.strip()]
             for p in text.split("\f")]
    if pages and not pages[-1]:
        pages.pop()
    seen = Counter(line for p in pages for line in set(p))
    furniture = {line for line, n in seen.items() if len(pages) > 2 and n >= len(pages) / 2}
    return [[line for line in p if line not in furniture and not PAGE_NO.search(line)]
            for p in pages]


def _headings(pdf: Path) -> set[str]:
    """The pack's headings (the PDF's outline: every heading is in it)."""
    from pypdf import PdfReader

    found: set[str] = set()

    def walk(items: list) -> None:
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                found.add(" ".join(str(it.title).split()))

    walk(PdfReader(str(pdf)).outline)
    return found


def _problems(pages: list[list[str]], headings: set[str]) -> list[str]:
    bad = []
    for n, lines in enumerate(pages, start=1):
        if lines and all(line in headings for line in lines):
            bad.append(f"page {n} holds only a heading: {lines}")
        elif n > 1 and len(pages) > 1 and len(lines) < MIN_LINES:
            bad.append(f"page {n} holds {len(lines)} lines: {lines}")
    return bad


def test_pdf_pages_are_filled(packs: dict[str, tuple[bytes, bytes]],
                              tmp_path: Path) -> None:
    bad = {}
    for name, (pdf, _docx) in packs.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        problems = _problems(page_lines(path), _headings(path))
        if problems:
            bad[name] = problems
    assert not bad, bad


def test_docx_pages_are_filled_in_libreoffice(packs: dict[str, tuple[bytes, bytes]],
                                              tmp_path: Path) -> None:
    pdfs = libreoffice_pdfs({name: docx for name, (_pdf, docx) in packs.items()}, tmp_path)
    bad = {}
    for name, path in pdfs.items():
        problems = _problems(page_lines(path), _pdf_headings(packs[name][0], tmp_path, name))
        if problems:
            bad[name] = problems
    assert not bad, bad


def _pdf_headings(pdf: bytes, tmp: Path, name: str) -> set[str]:
    path = tmp / f"{name}.briefgen.pdf"
    path.write_bytes(pdf)
    return _headings(path)


def test_the_check_sees_a_lone_heading() -> None:
    """The check itself: a page with a heading and two lines fails, a full page passes."""
    full = [f"line {k}" for k in range(10)]
    assert _problems([full, ["Sources", "1. one", "two"]], {"Sources"})
    assert _problems([full, ["Sources"]], {"Sources"})
    assert not _problems([full, full], {"Sources"})
    assert not _problems([["Sources", "1. one"]], {"Sources"})
