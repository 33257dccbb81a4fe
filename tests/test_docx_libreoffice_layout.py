"""The sample's DOCX as LibreOffice lays it out, in every shipped style and template: the
contents' page numbers (pre-filled from the renderer's page estimate, which LibreOffice shows
as they are) are the pages LibreOffice puts the headings on; no page ends with a heading; no
quotation is parted from its attribution.

One LibreOffice run converts every pack (slow: some tens of seconds); the PDFs are read back
with pdftotext, and what to look for (headings, captions, quotations, the footer's text) is
read from each .docx itself."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
import zipfile
from dataclasses import dataclass, field

import pytest
from lxml import etree

import briefgen
from briefgen import layout
from briefgen.compose import available_templates
from briefgen.document import Document, Heading, Meta, Paragraph, Quote, Text
from briefgen.render.docx import render_docx
from briefgen.style import available_styles, load_style
from conftest import SAMPLE, libreoffice_pdfs, need_tool

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STYLES = sorted(available_styles())
TEMPLATES = sorted(available_templates())
#: (style, template, notes): every shipped style and template, and footnotes in two styles
PACKS = [(s, t, "endnotes") for s in STYLES for t in TEMPLATES] + \
    [(s, "full", "footnotes") for s in ("default", "uk-brief")]
#: a made-up document in two styles: headings under headings and short quotations at many
#: heights on the page, so that page ends fall at every point of them
STRESSED = ["default", "in-focus"]


SAMPLE_DATE = datetime.datetime(2023, 9, 20)


def _name(style: str, template: str, notes: str) -> str:
    return f"{style}-{template}" + ("-footnotes" if notes == "footnotes" else "")


def _norm(s: str) -> str:
    return " ".join(s.split())


@dataclass
class Laid:
    """A pack as written (its headings, table captions, quotations, footer text) and as
    LibreOffice laid it out (the text of each page)."""

    headings: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # headings and the captions above tables
    quotes: list[tuple[list[str], str]] = field(default_factory=list)  # paragraphs, attribution
    furniture: set[str] = field(default_factory=set)  # the footer's lines
    pages: list[str] = field(default_factory=list)


def _text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))


def _style_id(p: etree._Element) -> str:
    s = p.find(f"{{{W}}}pPr/{{{W}}}pStyle")
    return s.get(f"{{{W}}}val") if s is not None else "Normal"


def _read_docx(data: bytes) -> Laid:
    laid = Laid()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{{{W}}}body")
        for name in z.namelist():
            if re.fullmatch(r"word/footer\d*\.xml", name):
                for p in etree.fromstring(z.read(name)).iter(f"{{{W}}}p"):
                    if _norm(_text(p)):
                        laid.furniture.add(_norm(_text(p)))
    children = list(body)
    paras = list(body.iter(f"{{{W}}}p"))
    for k, child in enumerate(children):
        if etree.QName(child).localname != "p":
            continue
        sid, text = _style_id(child), _norm(_text(child))
        if not text:
            continue
        if sid.startswith("Heading") or sid == "TOCHeading":
            laid.headings.append(text)
            laid.kept.append(text)
        elif sid == "Caption" and k + 1 < len(children) \
                and etree.QName(children[k + 1]).localname == "tbl":
            laid.kept.append(text)
    for i, p in enumerate(paras):
        if _style_id(p) == "Attribution":
            quote, j = [], i - 1
            while j >= 0 and _style_id(paras[j]) == "Quote":
                quote.insert(0, _norm(_text(paras[j])))
                j -= 1
            laid.quotes.append((quote, _norm(_text(p))))
    return laid


def _stress(style: str) -> bytes:
    """Groups of a few one-line paragraphs, then either a heading, a subheading and a
    paragraph, or a one-line quotation with a two-line attribution: the number of lines
    before each group varies, so page ends fall before, inside and after them."""
    def para(text: str) -> Paragraph:
        return Paragraph((Text(text),))

    blocks: list = []
    for g in range(48):
        blocks += [para(f"Filler {g}.{i}.") for i in range((g * 7) % 11 + 1)]
        if g % 2 == 0:
            blocks += [Heading(1, (Text(f"Stress heading {g}"),), f"h{g}"),
                       Heading(2, (Text(f"Stress subheading {g}"),), f"s{g}"),
                       para(f"Body {g}: " + "words that run on across the line " * 5)]
        else:
            blocks.append(Quote((para(f"\u201cStress quotation {g}, on one line.\u201d"),),
                                (Text(f"Stress attribution {g}, " + "a speaker and an "
                                      "occasion, " * 5),)))
    doc = Document(Meta(title="Stress", date=SAMPLE_DATE), tuple(blocks))
    st = load_style(style)
    return render_docx(layout.apply_style(doc, st), st)


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory) -> dict[str, Laid]:
    need_tool("pdftotext")
    packs, laid = {}, {}
    for style in STRESSED:
        packs[f"stress-{style}"] = _stress(style)
        laid[f"stress-{style}"] = _read_docx(packs[f"stress-{style}"])
    for style, template, notes in PACKS:
        st = load_style(style)
        if notes == "footnotes":
            st = st.model_copy(update={"notes": "footnotes"})
        data = briefgen.build(SAMPLE, style=st, template=template, formats="docx").docx
        name = _name(style, template, notes)
        packs[name] = data
        laid[name] = _read_docx(data)
    for name, pdf in libreoffice_pdfs(packs, tmp_path_factory.mktemp("lo-layout")).items():
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        pages = text.split("\f")
        laid[name].pages = pages[:-1] if not pages[-1].strip() else pages
    return laid


def _lines(page: str) -> list[str]:
    return [_norm(line) for line in page.splitlines() if line.strip()]


def _heading_page(laid: Laid, heading: str, start: int) -> int | None:
    """The first page from page ``start`` on with ``heading`` as a line of its own (or as
    two or three lines, wrapped; a contents entry's line has its leader dots)."""
    for n, page in enumerate(laid.pages, 1):
        if n < start:
            continue
        lines = _lines(page)
        if any(" ".join(lines[i:i + k]) == heading for k in (1, 2, 3)
               for i in range(len(lines))):
            return n
    return None


def _contents(laid: Laid) -> tuple[int, dict[str, int]]:
    """The contents page and its entries (title: page shown)."""
    at = next(n for n, p in enumerate(laid.pages, 1)
              if any(line == "Contents" for line in _lines(p)))
    shown: dict[str, int] = {}
    for line in laid.pages[at - 1].splitlines():
        found = re.match(r"\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", line)
        if found:
            shown[_norm(found.group(1))] = int(found.group(2))
    return at, shown


@pytest.mark.parametrize("name", [_name(*p) for p in PACKS if p[1] == "full"])
def test_contents_page_numbers_are_libreoffices(laid_out: dict[str, Laid], name: str) -> None:
    """Every contents entry shows the page LibreOffice puts its heading on."""
    laid = laid_out[name]
    at, shown = _contents(laid)
    assert len(shown) >= 6, shown
    actual = {title: _heading_page(laid, title, at) for title in shown}
    assert None not in actual.values(), f"headings not found as lines: {actual}"
    wrong = {t: (shown[t], actual[t]) for t in shown if shown[t] != actual[t]}
    assert not wrong, f"{name}: contents (shown, actual) {wrong}"


def _body_tail(laid: Laid, n: int, page: str) -> list[str]:
    """The page's lines without its footer (the footer's own lines, the page number)."""
    lines = _lines(page)
    while lines and (lines[-1] in laid.furniture
                     or re.search(rf"\bPage {n} of \d+\b", lines[-1])):
        lines.pop()
    return lines


@pytest.mark.parametrize("name", [_name(*p) for p in PACKS if p[2] == "endnotes"]
                         + [f"stress-{s}" for s in STRESSED])
def test_no_page_ends_with_a_heading(laid_out: dict[str, Laid], name: str) -> None:
    """No heading (nor a table's caption) stands at the foot of a page, parted from what
    it introduces: the last lines of a page's body are never a heading's text."""
    laid = laid_out[name]
    assert len(laid.pages) >= 2 and laid.headings
    alone = []
    for n, page in enumerate(laid.pages[:-1], 1):
        lines = _body_tail(laid, n, page)
        assert lines, f"page {n} has no body text"
        for heading in laid.kept:
            if any(" ".join(lines[-k:]) == heading for k in (1, 2, 3)):
                alone.append((n, heading))
    assert not alone, f"{name}: headings at the foot of a page: {alone}"


@pytest.mark.parametrize("name", [_name(*p) for p in PACKS]
                         + [f"stress-{s}" for s in STRESSED])
def test_quotes_stay_with_their_attribution(laid_out: dict[str, Laid], name: str) -> None:
    """Each quotation (its first and last lines) is on the page of its attribution."""
    laid = laid_out[name]
    if name.endswith("-full"):
        assert len(laid.quotes) >= 4
    if name.startswith("stress-"):
        assert len(laid.pages) >= 4 and len(laid.quotes) == 24
    joined, starts = "", []
    for page in laid.pages:
        starts.append(len(joined))
        joined += _norm(page) + " "

    def page_at(i: int) -> int:
        return max(n for n, s in enumerate(starts, 1) if s <= i)

    apart, cursor = [], 0
    for quote, attribution in laid.quotes:
        assert quote, f"an attribution without its quotation: {attribution!r}"
        at = joined.find(attribution[:40], cursor)
        first = joined.rfind(quote[0][:25], 0, at)
        last = joined.find(quote[-1][-25:], first)
        assert min(at, first, last) >= 0, (quote, attribution)
        cursor = at + 1
        pages = {page_at(first), page_at(last), page_at(at)}
        if len(pages) > 1:
            apart.append((quote[0][:30], sorted(pages)))
    assert not apart, f"{name}: quotations parted from their attribution: {apart}"
