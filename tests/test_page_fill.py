"""No near-empty page: in every shipped style and template (the sample brief; the PDF as
briefgen writes it, the DOCX as LibreOffice lays it out), no page but the first holds fewer
than ``MIN_LINES`` lines of body text unless the whole pack is one page, and no page holds a
heading alone (e.g. "Sources" with its one entry on a page of its own, or a page holding one
summary bullet).

Body text is what pdftotext reads on a page less the furniture: the lines that repeat on most
pages (marking banners, the running footer) and the page number.

Table rows split across pages in LibreOffice's layout of the DOCX as the PDF splits them: no
piece of a split row (at the foot of one page, or under the repeated header on the next) is
a single line, and no page is left less than half full because the table row at the top of
the next page moved there whole (or with a heading kept with it). LibreOffice keeps no
widows or orphans in the cells of a row it splits: the DOCX says where a row may split
(``w:cantSplit``; keep-with-next for a row too tall to be held whole)."""

from __future__ import annotations

import html
import io
import re
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass, field
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


def page_lines(pdf: Path, keep: frozenset[str] = frozenset()) -> list[list[str]]:
    """The body lines of each page (see the module); a line in ``keep`` (white space
    removed: a table's header row, repeated on the pages the table runs over) is never
    furniture."""
    text = subprocess.run([need_tool("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = [[" ".join(line.split()) for line in p.splitlines() if line.strip()]
             for p in text.split("\f")]
    if pages and not pages[-1]:
        pages.pop()
    seen = Counter(line for p in pages for line in set(p))
    # (on three pages at least: two table rows that open alike, "People reported killed
    # in / Nagorno-Karabakh since the" and "... wounded in / ...", repeat a line of body
    # text on two pages of a three-page pack)
    furniture = {line for line, n in seen.items() if len(pages) > 2 and n >= len(pages) / 2
                 and n >= 3 and "".join(line.split()) not in keep}
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


@pytest.fixture(scope="module")
def lo_pdfs(packs: dict[str, tuple[bytes, bytes]],
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each pack's DOCX as LibreOffice lays it out (one LibreOffice run for the module)."""
    return libreoffice_pdfs({name: docx for name, (_pdf, docx) in packs.items()},
                            tmp_path_factory.mktemp("lo-fill"))


def test_docx_pages_are_filled_in_libreoffice(packs: dict[str, tuple[bytes, bytes]],
                                              lo_pdfs: dict[str, Path],
                                              tmp_path: Path) -> None:
    bad = {}
    for name, path in lo_pdfs.items():
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


# -- split table rows in LibreOffice's layout ------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: a page this full or fuller is not "left half empty"
HALF = 0.5


def _squash(s: str) -> str:
    """The text's characters less white space (pdftotext's layout spaces cells apart)."""
    return "".join(s.split())


@dataclass
class Tables:
    """A DOCX's top-level tables, as read from word/document.xml: each body row's opening
    words and text, each table's header row text; the headings that start a page."""

    #: (its opening words, each cell's first word, its text)
    rows: list[tuple[str, list[str], str]] = field(default_factory=list)
    headers: set[str] = field(default_factory=set)  # header rows' text, squashed
    page_starts: set[str] = field(default_factory=set)  # headings with a page break before


def _tables(docx: bytes) -> Tables:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")

    def text(e: object) -> str:
        return " ".join("".join(t.text or "" for t in e.iter(f"{W}t")).split())

    out = Tables()
    for child in body:
        if child.tag == f"{W}p" and child.find(f"{W}pPr/{W}pageBreakBefore") is not None:
            out.page_starts.add(_squash(text(child)))
        if child.tag != f"{W}tbl":
            continue
        for tr in child.findall(f"{W}tr"):
            if tr.find(f"{W}trPr/{W}tblHeader") is not None:
                out.headers.add(_squash(" ".join(text(tc) for tc in tr.findall(f"{W}tc"))))
                continue
            cells = [text(tc) for tc in tr.findall(f"{W}tc")]
            opening = " ".join(cells[0].split()[:2]) if cells else ""
            if opening:
                out.rows.append((opening, [c.split()[0] for c in cells if c],
                                 " ".join(cells)))
    return out


def _split_pieces(pages: list[list[str]], tables: Tables) -> list[str]:
    """Each split row's pieces, where one is a single line: the piece at the foot of a page
    (from the row's first line to the end of the page's body) and the rest on the next
    page (under the repeated header row, as many lines as hold the rest of its text). A
    row's first line opens with its first words and holds each cell's first word."""
    bad = []
    for n, lines in enumerate(pages[:-1]):
        for opening, firsts, row in tables.rows:
            starts = [k for k, line in enumerate(lines)
                      if line.startswith(opening) and _in_order(firsts, line.split())]
            if not starts:
                continue
            k = starts[-1]
            here = sum(len(_squash(line)) for line in lines[k:])
            if here >= len(_squash(row)) - 2 or here * 4 < len(_squash(opening)):
                continue  # whole on this page (or not this row's opening after all)
            foot = len(lines) - k
            rest, left, nxt = 0, len(_squash(row)) - here, pages[n + 1]
            head = 0
            while head < len(nxt) and not any(_squash(" ".join(nxt[:head + 1])) == h
                                               for h in tables.headers):
                head += 1
            k2 = head + 1 if head < len(nxt) else 0
            while left > 2 and k2 < len(nxt):
                left -= len(_squash(nxt[k2]))
                rest += 1
                k2 += 1
            # (a row that just misses a page it would leave more than half empty carries a
            # line over: LibreOffice cannot be told to split it higher)
            if foot < 2 or (rest < 2 and k >= len(lines) / 2):
                bad.append(f"page {n + 1}: row {opening!r} split {foot} + {rest} lines")
    return bad


def _in_order(words: list[str], line: list[str]) -> bool:
    it = iter(line)
    return all(any(w == x for x in it) for w in words)


def test_the_check_sees_a_one_line_piece() -> None:
    """The check itself: a row split one line + many fails; two + two passes."""
    tables = Tables(rows=[("R2. Renewed", ["R2."], "R2. Renewed fighting on the border, "
                                                   "where forces clashed in 2022 and 2023")],
                    headers={_squash("Risk Likelihood")})
    foot = [["text", "R2. Renewed fighting"],
            ["Risk Likelihood", "on the border,", "where forces", "clashed in 2022 and 2023"]]
    assert _split_pieces(foot, tables)
    rest = [["text", "more", "and more", "R2. Renewed fighting", "on the border,",
             "where forces clashed in"], ["Risk Likelihood", "2022 and 2023", "next"]]
    assert _split_pieces(rest, tables)
    assert not _split_pieces([rest[0][3:], rest[1]], tables)  # (the page's top half)
    good = [["text", "R2. Renewed fighting", "on the border,"],
            ["Risk Likelihood", "where forces", "clashed in 2022 and 2023", "next"]]
    assert not _split_pieces(good, tables)
    whole = [["text", "R2. Renewed fighting", "on the border,", "where forces",
              "clashed in 2022 and 2023"], ["Risk Likelihood", "next"]]
    assert not _split_pieces(whole, tables)


def test_docx_split_rows_leave_two_lines_each_side(packs: dict[str, tuple[bytes, bytes]],
                                                   lo_pdfs: dict[str, Path]) -> None:
    bad = {}
    for name, path in lo_pdfs.items():
        tables = _tables(packs[name][1])
        problems = _split_pieces(page_lines(path, frozenset(tables.headers)), tables)
        if problems:
            bad[name] = problems
    assert not bad, bad


def _fullness(pdf: Path) -> list[float]:
    """How far down each page's body text reaches, as a share of the body's height (from
    under the running header's lowest furniture to above the footer's highest)."""
    out = subprocess.run([need_tool("pdftotext"), "-bbox", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.findall(r"<page width=\"[\d.]+\" height=\"([\d.]+)\">(.*?)</page>",
                           out, re.S):
        words = [(float(y0), float(y1), html.unescape(t)) for y0, y1, t in re.findall(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>',
            page[1])]
        pages.append((float(page[0]), words))
    seen = Counter((round(y0), t) for _h, words in pages for y0, _y1, t in set(words))
    share = []
    for height, words in pages:
        edge = [w for w in words if w[0] < height * 0.15 or w[0] > height * 0.85]
        rows = {round(y0) for y0, _y1, t in edge if seen[(round(y0), t)] >= len(pages) * 0.6}
        furniture = [w for w in words if round(w[0]) in rows]
        body = [w for w in words if round(w[0]) not in rows]
        top = max((y1 for y0, y1, _t in furniture if y0 < height / 2), default=0.0)
        bottom = min((y0 for y0, _y1, _t in furniture if y0 > height / 2), default=height)
        low = max((y1 for _y0, y1, _t in body), default=top)
        share.append((low - top) / (bottom - top))
    return share


def _half_empty(fill: list[float], pages: list[list[str]], tables: Tables) -> list[str]:
    """Pages less than half full where the next page opens with a table (its header row,
    or a heading and then the header row) that does not start a page anyway. (Not before
    the last page: the pack's short end keeps with the last table's last row, and may take
    it over whole; the module's first checks hold the last page.)"""
    bad = []
    for n in range(len(pages) - 2):
        nxt = pages[n + 1]
        if fill[n] >= HALF or not nxt or _squash(nxt[0]) in tables.page_starts:
            continue
        for k in range(min(3, len(nxt))):
            if any(_squash(" ".join(nxt[k:j])) in tables.headers for j in range(k + 1, k + 3)):
                bad.append(f"page {n + 1} is {fill[n]:.0%} full; page {n + 2} opens "
                           f"with a table: {nxt[:k + 2]}")
                break
    return bad


def test_the_check_sees_a_half_empty_page() -> None:
    tables = Tables(headers={_squash("Risk Likelihood")}, page_starts={_squash("Annex")})
    pages = [["a"], ["Risks", "Risk Likelihood", "R1"], ["Annex", "Risk Likelihood"], ["x"],
             ["end"]]
    assert _half_empty([0.9, 0.4, 0.9, 0.9, 0.2], pages, tables) == []
    assert _half_empty([0.4, 0.9, 0.9, 0.9, 0.2], pages, tables)
    assert not _half_empty([0.9, 0.9, 0.3, 0.9, 0.2], pages, tables)  # a page break follows


def test_docx_no_half_empty_page_before_a_moved_row(packs: dict[str, tuple[bytes, bytes]],
                                                    lo_pdfs: dict[str, Path]) -> None:
    bad = {}
    for name, path in lo_pdfs.items():
        tables = _tables(packs[name][1])
        pages = page_lines(path, frozenset(tables.headers))
        if len(pages) < 4:  # (too few pages to tell the furniture by repetition)
            continue
        problems = _half_empty(_fullness(path), pages, tables)
        if problems:
            bad[name] = problems
    assert not bad, bad


def _contents(docx: bytes) -> tuple[str, list[str]]:
    """The contents' title and its entries' text (without their page numbers)."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
    title, entries = "", []
    for p in body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        sid = style.get(f"{W}val") if style is not None else ""
        if sid == "TOCHeading":
            title = " ".join("".join(t.text or "" for t in p.iter(f"{W}t")).split())
        elif re.fullmatch(r"TOC\d", sid):
            link = p.find(f"{W}hyperlink")
            texts = [t.text or "" for r in (link if link is not None else p).findall(f"{W}r")
                     for t in r.findall(f"{W}t")]
            entries.append(" ".join("".join(texts[:1]).split()))
    return title, entries


def test_docx_contents_is_on_one_page_in_libreoffice(packs: dict[str, tuple[bytes, bytes]],
                                                     lo_pdfs: dict[str, Path]) -> None:
    """The contents fits on a page: LibreOffice never splits it over two (the in-focus style
    set its title and six entries at the foot of the title page, the rest on the next),
    as the PDF never does."""
    bad, checked = {}, 0
    for name, path in lo_pdfs.items():
        title, entries = _contents(packs[name][1])
        if not title or not entries:
            continue
        checked += 1
        pages = page_lines(path)
        at = [n for n, lines in enumerate(pages) if title in lines]
        last = [n for n, lines in enumerate(pages)
                if any(line.startswith(entries[-1]) and line.rstrip()[-1:].isdigit()
                       for line in lines)]
        if not at or not last or at[0] != last[0]:
            bad[name] = (at[:1], last[:1])
    assert checked
    assert not bad, bad


def _box_title(docx: bytes) -> str:
    """The title of the pack's first box (the Summary box, after the title block) as the
    DOCX has it: the first paragraph of its first table in a box style."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
    for tbl in body.findall(f"{W}tbl"):
        style = tbl.find(f"{W}tblPr/{W}tblStyle")
        if style is not None and style.get(f"{W}val") in ("BriefingBox", "WarningBox"):
            p = next(tbl.iter(f"{W}p"))
            return " ".join("".join(t.text or "" for t in p.iter(f"{W}t")).split())
    return ""


def test_docx_summary_box_is_on_the_first_page_in_libreoffice(
        packs: dict[str, tuple[bytes, bytes]], lo_pdfs: dict[str, Path],
        tmp_path: Path) -> None:
    """The title block and the Summary box share the first page in LibreOffice's layout of
    the DOCX, as in the PDF (LibreOffice's page once held less: its lines 1.3 times the
    font's own line height, not the type size; the footer reaching above the bottom margin;
    the box and the spacer after it moving on together: the box stood alone on page 2)."""
    bad, checked = {}, 0
    for name, path in lo_pdfs.items():
        title = _box_title(packs[name][1])
        assert title, name
        pdf = tmp_path / f"{name}.briefgen.pdf"
        pdf.write_bytes(packs[name][0])
        assert title in page_lines(pdf)[0], f"{name}: the PDF's first page lacks {title!r}"
        checked += 1
        first = page_lines(path)[0]
        if title not in first:
            bad[name] = first[-3:]
    assert checked == len(PACKS)
    assert not bad, bad


def _marking_reach(pdf: Path) -> float:
    """How near a marking comes to a sheet's edge on any page, in points: its filled block
    (a TLP label), or its text where it has none."""
    import pdfplumber

    nearest = float("inf")
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            words = [w for w in page.extract_words() if w["text"].startswith("TLP:")]
            boxes = [r for r in page.rects if r["height"] > 8 and any(
                r["x0"] <= w["x0"] and w["x1"] <= r["x1"] and r["top"] <= w["top"]
                and w["bottom"] <= r["bottom"] for w in words)]
            for item in boxes or words:
                nearest = min(nearest, item["top"], page.height - item["bottom"])
    return nearest


def test_markings_stay_inside_what_a_printer_prints(packs: dict[str, tuple[bytes, bytes]],
                                                     lo_pdfs: dict[str, Path],
                                                     tmp_path: Path) -> None:
    """The marking at the top and foot of every page keeps out of the strip a printer
    leaves unprinted (the stylesheet's print_margin, about 4.2 mm), in the PDF and in
    LibreOffice's layout of the DOCX: in-focus put its footer label 2.3 mm (PDF) and 1.8 mm
    (DOCX) from the sheet's edge, where paper would cut it off."""
    from briefgen.render.stylesheet import resolve

    margin = resolve(load_style("default")).furniture.print_margin
    bad = {}
    for name, path in lo_pdfs.items():
        pdf = tmp_path / f"{name}.briefgen.pdf"
        pdf.write_bytes(packs[name][0])
        for fmt, file in (("pdf", pdf), ("docx", path)):
            reach = _marking_reach(file)
            if reach < margin - 0.5:
                bad[f"{name} {fmt}"] = round(reach, 1)
    assert not bad, bad


def test_docx_summary_keeps_to_its_two_pages_in_libreoffice(
        lo_pdfs: dict[str, Path]) -> None:
    """The summary template's two pages hold in LibreOffice's layout of the DOCX too, in every
    style (us-memo's ran to a third page holding the scale's legend, the sources and the
    author alone)."""
    from pypdf import PdfReader

    counts = {name: len(PdfReader(str(path)).pages) for name, path in lo_pdfs.items()
              if "-summary" in name}
    assert len(counts) == len(STYLES)
    assert all(n == 2 for n in counts.values()), counts


def _row_openings(docx: bytes) -> list[str]:
    """Each body row of each top-level table: the first words (up to three) of its first
    cell's first paragraph."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
    out = []
    for tbl in body.findall(f"{W}tbl"):
        for tr in tbl.findall(f"{W}tr"):
            if tr.find(f"{W}trPr/{W}tblHeader") is not None:
                continue
            p = tr.find(f"{W}tc/{W}p")
            words = "".join(t.text or "" for t in p.iter(f"{W}t")).split() if p is not None \
                else []
            if words:
                out.append(" ".join(words[:3]))
    return out


def test_docx_every_table_row_is_laid_out_in_libreoffice(
        packs: dict[str, tuple[bytes, bytes]], lo_pdfs: dict[str, Path]) -> None:
    """No row is lost: every body row of every table opens somewhere in LibreOffice's layout
    (LibreOffice dropped four of the summary's five key-figure rows, held unsplittable under
    their heading at the foot of page 1: they were on neither page)."""
    missing = {}
    for name, path in lo_pdfs.items():
        text = _squash(subprocess.run([need_tool("pdftotext"), str(path), "-"],
                                      capture_output=True, text=True, check=True).stdout)
        text = text.replace("\u2022", "").replace("-", "")  # (bullets; a break at a hyphen)
        gone = [first for first in _row_openings(packs[name][1])
                if _squash(first).replace("-", "") not in text]
        if gone:
            missing[name] = gone
    assert not missing, missing


def test_docx_a_tables_lead_in_stays_with_it_in_libreoffice(
        lo_pdfs: dict[str, Path]) -> None:
    """A short paragraph that introduces a table after another ("Confidence levels. …" over
    the confidence scale, after the probability scale) is on the page where its table starts
    (in-focus/full and uk-brief/meeting left it at a page's foot)."""
    bad, seen = {}, 0
    for name, path in lo_pdfs.items():
        for n, lines in enumerate(page_lines(path, frozenset({"ConfidenceMeaning"})), start=1):
            k = next((i for i, line in enumerate(lines) if "Confidence levels." in line), None)
            if k is None:
                continue
            seen += 1
            if not any(_squash(line) == "ConfidenceMeaning" for line in lines[k + 1:]):
                bad[name] = f"page {n} ends with the lead-in; its table starts on the next"
    assert seen >= 8 and not bad, (seen, bad)
