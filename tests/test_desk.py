"""Packs a desk officer would sign (tracker issue 13, the generator half): note marks, sources
and notes, words in narrow columns, rows and headings at page breaks, marks after years.

Each test reads the output back (pdftotext, python-docx's XML, LibreOffice's PDF of the DOCX)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

import briefgen
from briefgen import document as d
from briefgen.render.common import column_widths, one_mark_per_note
from briefgen.render.docx import render_docx
from briefgen.render.html import render_html
from briefgen.render.pdf import render_pdf
from briefgen.style import Style
from conftest import SAMPLE, libreoffice_pdfs, need_tool

T = d.Text
A = d.Note((T("Source A, 2023."),))
B = d.Note((T("Source B, 2023."),))
META = d.Meta(title="Desk", date=dt.datetime(2023, 9, 20), lang="en-GB",
              labels={"page_x_of_y": "Page {page} of {total}"})
STYLES = ("default", "uk-brief", "us-memo", "in-focus")
TEMPLATES = ("full", "meeting", "summary")


def p(*inlines: d.Inline | str, role: str = "body") -> d.Paragraph:
    return d.Paragraph(tuple(T(i) if isinstance(i, str) else i for i in inlines), role)  # type: ignore[arg-type]


def pdf_text(data: bytes, layout: bool = False) -> str:
    need_tool("pdftotext")
    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode()


def docx_paragraphs(data: bytes) -> list[str]:
    """The body's paragraphs as raw XML (cells' paragraphs too)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode()
    return re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)


def docx_marks(para_xml: str) -> list[str]:
    """The note marks of a paragraph: the text of its EndnoteReference runs."""
    runs = re.findall(r"<w:r>(?:(?!</w:r>).)*?EndnoteReference(?:(?!</w:r>).)*?</w:r>",
                      para_xml, flags=re.S)
    return [m for r in runs for m in re.findall(r"<w:t[^>]*>([^<]*)</w:t>", r) if m != ","]


@pytest.fixture(scope="module")
def sample_packs() -> dict[tuple[str, str], briefgen.Pack]:
    brief = briefgen.load_brief(SAMPLE)
    return {(s, t): briefgen.build(brief, briefgen.BuildOptions(style=s, template=t))
            for s in STYLES for t in TEMPLATES}


# ------------------------------------------------------------------------------------------
# One mark per note per paragraph or cell; marks side by side in order


def marks_doc() -> d.Document:
    return d.Document(META, (
        p("Alpha", A, " said one thing and beta", A, " another."),
        p("First", A, B, "."),
        p("Later", B, A, "."),  # side by side: printed 1,2 whatever the order written
        d.Table((d.Cell((p("Head"),)), d.Cell((p("Other"),))),
                ((d.Cell((p("Cell one", A, "."), p("Cell two", A, "."))), d.Cell((p("x"),))),),
                (1, 1)),
        d.NotesList("Notes"),
    ))


def test_one_mark_per_note_per_paragraph_and_cell_the_last_stays() -> None:
    thin = one_mark_per_note(marks_doc())
    first = thin.blocks[0]
    assert isinstance(first, d.Paragraph)
    assert [type(i).__name__ for i in first.children] == ["Text", "Text", "Note", "Text"]
    table = thin.blocks[3]
    assert isinstance(table, d.Table)
    cell_notes = [n for b in table.rows[0][0].blocks for n in d.walk_inlines(b.children)
                  if isinstance(n, d.Note)]  # type: ignore[attr-defined]
    assert cell_notes == [A]
    assert one_mark_per_note(thin) == thin


def test_pdf_prints_one_mark_per_note_per_paragraph_in_order() -> None:
    text = " ".join(pdf_text(render_pdf(marks_doc(), Style())).split())
    assert "Alpha said one thing and beta1 another." in text
    assert "First1,2." in text and "Later1,2." in text and "Later2,1" not in text
    assert "Cell one." in text and "Cell one1" not in text and "Cell two" in text


def test_docx_prints_one_mark_per_note_per_paragraph_and_cell_in_order() -> None:
    paras = docx_paragraphs(render_docx(marks_doc(), Style()))
    marks = [docx_marks(x) for x in paras]
    body = [m for m in marks if m]
    assert body[:4] == [["1"], ["1", "2"], ["1", "2"], ["1"]]  # alpha, first, later, cell


def test_html_prints_one_mark_per_note_per_paragraph() -> None:
    html = render_html(marks_doc(), Style()).decode()
    alpha = html[html.index("Alpha"):html.index("another.")]
    assert alpha.count("<sup>") == 1


def test_sample_has_one_mark_per_note_in_every_paragraph_and_cell(sample_packs) -> None:
    for (style, template), pack in sample_packs.items():
        with zipfile.ZipFile(io.BytesIO(pack.docx)) as z:
            xml = z.read("word/document.xml").decode()
        tables = [t for t in re.findall(r"<w:tbl>.*?</w:tbl>", xml, flags=re.S)
                  if 'w:val="BriefingTable"' in t]  # data tables (a box is paragraphs)
        assert tables
        for tc in (c for t in tables for c in re.findall(r"<w:tc>.*?</w:tc>", t, flags=re.S)):
            marks = [m for para in re.findall(r"<w:p[ >].*?</w:p>", tc, flags=re.S)
                     for m in docx_marks(para)]
            assert len(marks) == len(set(marks)), (style, template, marks)
        for para in docx_paragraphs(pack.docx):
            marks = docx_marks(para)
            assert len(marks) == len(set(marks)) and marks == sorted(marks, key=int)


# ------------------------------------------------------------------------------------------
# Sources and notes: never the same thing twice


def test_sample_lists_its_source_once(sample_packs) -> None:
    for (style, template), pack in sample_packs.items():
        text = pdf_text(pack.pdf)
        assert text.count("NPR, [News report on the cease-fire in Nagorno-Karabakh]") == 1, \
            (style, template)
        assert not re.search(r"^Notes$", text, flags=re.M), (style, template)
        paras = [re.sub(r"<[^>]+>", "", x) for x in docx_paragraphs(pack.docx)]
        assert sum("NPR, [News report on the cease-fire" in x for x in paras) == 1
        assert "Notes" not in paras


def test_located_citations_keep_a_notes_list_beside_the_sources(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("[@npr-2023-09-20]",
                                                      "[@npr-2023-09-20, para. 3]", 1)
    brief = tmp_path / "located.yaml"
    brief.write_text(text, encoding="utf-8")
    out = pdf_text(briefgen.build(briefgen.load_brief(brief)).pdf)
    assert re.search(r"^Notes$", out, flags=re.M) and re.search(r"^Sources$", out, flags=re.M)
    assert "para. 3" in out


def test_footnotes_keep_the_sources_list() -> None:
    from briefgen import style as st

    s = st.load_style("default").model_copy(update={"notes": "footnotes"})
    out = pdf_text(briefgen.build(briefgen.load_brief(SAMPLE), briefgen.BuildOptions(style=s)).pdf)
    assert "[npr-2023-09-20]" in out  # the full sources list, the footnotes short citations


# ------------------------------------------------------------------------------------------
# Words in narrow columns


def test_column_widths_give_each_column_its_longest_word() -> None:
    assert column_widths((4, 1, 1), 3, 600) == [400, 100, 100]
    cols = column_widths((4, 1, 1), 3, 600, least=(50, 150, 20))
    assert cols[1] == 150 and cols[2] >= 20 and abs(sum(cols) - 600) < 1e-9
    assert cols[0] / cols[2] == pytest.approx(4)  # the others keep their proportions
    assert column_widths((1, 1), 2, 100, least=(150, 50)) == [75, 25]  # cannot fit: share


NARROW = d.Document(META, (d.Table(
    (d.Cell((p("Risk"),)), d.Cell((p("Impact"),)), d.Cell((p("Agency"),))),
    ((d.Cell((p("A long description of the risk in a wide column"),)),
      d.Cell((p("Catastrophic"),)), d.Cell((p("UNCTAD approximately"),))),),
    (12, 1, 1)),))


def _words_whole(text: str, words: tuple[str, ...]) -> None:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for word in words:
        assert any(word in line.split() for line in lines), (word, lines)


def test_pdf_never_breaks_a_word_in_a_narrow_column() -> None:
    _words_whole(pdf_text(render_pdf(NARROW, Style()), layout=True),
                 ("Catastrophic", "UNCTAD", "approximately", "Impact", "Agency"))


def cell_words(doc: d.Document) -> set[str]:
    """The words (four letters or more) of every table cell of ``doc``, split where a line
    may break (spaces, after hyphens and dashes)."""
    out: set[str] = set()
    for b in doc.walk():
        if isinstance(b, d.Table):
            for row in (b.header, *b.rows):
                for c in row:
                    text = " ".join(d.plain_text(x.children) for x in c.blocks
                                    if isinstance(x, d.Paragraph))
                    out.update(w for w in re.split(r"[\s\-–—/]+", re.sub(r"[^\w\s\-–—/]", "",
                                                                          text)) if len(w) > 3)
    return out


def test_sample_words_whole_in_every_table_pdf(sample_packs) -> None:
    """Every word of every table cell of the sample appears whole on a line of the PDF."""
    for (style, template), pack in sample_packs.items():
        text = pdf_text(pack.pdf, layout=True)
        tokens = {re.sub(r"[^\w]|\d", "", t) for line in text.splitlines()
                  for t in re.split(r"[\s\-–—/]+", line)}
        missing = {w for w in cell_words(pack.document) if re.sub(r"\d", "", w) not in tokens
                   and not w.isdigit()}
        assert not missing, (style, template, sorted(missing))


def test_libreoffice_never_breaks_a_word_in_a_narrow_column(tmp_path: Path) -> None:
    docx = render_docx(NARROW, Style())
    pdfs = libreoffice_pdfs({"narrow": docx}, tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdfs["narrow"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    _words_whole(text, ("Catastrophic", "UNCTAD", "approximately", "Impact", "Agency"))


# ------------------------------------------------------------------------------------------
# Page breaks: row rests, annex headings


def _page_of(pages: list[str], s: str) -> int:
    found = [n for n, pg in enumerate(pages, 1) if s in " ".join(pg.split())]
    assert found, s
    return found[0]


def test_a_split_row_leaves_no_stub_on_the_next_page(sample_packs) -> None:
    pages = pdf_text(sample_packs[("default", "full")].pdf).split("\f")
    assert _page_of(pages, "Children among the") == _page_of(pages, "not in addition to")


def test_annex_heading_stays_with_its_table(sample_packs) -> None:
    for (style, template), pack in sample_packs.items():
        pages = pdf_text(pack.pdf).split("\f")
        for heading, first_row in (("Probability scale (ICD 203)", "almost no chance"),
                                   ("PHIA probability yardstick)", "remote chance")):
            if any(heading in " ".join(pg.split()) for pg in pages[1:]):
                at = [n for n, pg in enumerate(pages, 1) if heading in " ".join(pg.split())]
                assert first_row in " ".join(pages[at[-1] - 1].split()), (style, template)


# ------------------------------------------------------------------------------------------
# A mark after a year


def test_a_mark_never_reads_as_part_of_a_year(sample_packs) -> None:
    for (style, template), pack in sample_packs.items():
        text = pdf_text(pack.pdf)
        assert not re.search(r"\b(?:19|20)\d\d1\b", text), (style, template)
        if template == "full":
            assert re.search(r"September 2023 1\.", text), style
        docx = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", "".join(docx_paragraphs(
            pack.docx))))
        assert not re.search(r"\b(?:19|20)\d\d1\b", docx), (style, template)
        if template == "full":  # (the full pack cites a sentence that ends in a year)
            assert "2023\u00a01" in docx, style


def test_libreoffice_mark_after_a_year_is_separated(tmp_path: Path) -> None:
    doc = d.Document(META, (p("As of 20 September 2023", A, "."), d.NotesList("Notes")))
    pdfs = libreoffice_pdfs({"year": render_docx(doc, Style())}, tmp_path)
    text = subprocess.run(["pdftotext", str(pdfs["year"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "20231" not in text and re.search(r"2023\s1", text)


def _lines(tag: str, n: int) -> d.Cell:
    inl: list[d.Inline] = []
    for i in range(1, n + 1):
        inl += [T(f"{tag}{i:02d} words"), d.LineBreak()]
    return d.Cell((d.Paragraph(tuple(inl[:-1])),))


def test_no_page_holds_a_stub_of_a_split_row() -> None:
    """Wherever a table starts on the page, a row split across pages leaves at least a few
    lines of itself on each page (ReportLab alone left one or two beside empty cells)."""
    for filler in range(0, 48, 3):
        doc = d.Document(META, (
            *(p(f"Filler paragraph {i}.") for i in range(filler)),
            d.Table((d.Cell((p("Text"),)), d.Cell((p("Other"),))),
                    ((_lines("Arow", 24), d.Cell((p("x"),))),
                     (_lines("Brow", 12), d.Cell((p("y"),)))), (3, 1)),
        ))
        for page in pdf_text(render_pdf(doc, Style())).split("\f"):
            for tag in ("Arow", "Brow"):
                n = len(re.findall(tag + r"\d\d", page))
                assert n == 0 or n >= 3, (filler, tag, n)


def test_no_straight_apostrophe_between_letters(sample_packs, tmp_path: Path) -> None:
    """A source's "we're" inside curly quotation marks prints as "we’re" in every format
    (composed so: renderers print text as it is)."""
    text = SAMPLE.read_text(encoding="utf-8")
    assert "we're seeing" in text  # (the source's spelling, kept in the brief)
    for (style, template), pack in sample_packs.items():
        assert not re.search(r"[^\W\d_]'[^\W\d_]", pdf_text(pack.pdf)), (style, template)
        if template == "full":
            assert "we’re seeing" in pdf_text(pack.pdf).replace("\n", " ")
            assert "we’re seeing" in "".join(docx_paragraphs(pack.docx))
    doc = d.Document(META, (p("Who's who"),))  # a renderer alone prints text as it is
    assert "Who's who" in pdf_text(render_pdf(doc, Style()))
