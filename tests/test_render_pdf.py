"""The PDF renderer, checked with readers that are not ReportLab: pypdf, pdftotext, pdffonts, qpdf.

Documents are built by hand here (the renderer knows nothing of briefs).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen import document as d
from briefgen.render.pdf import render_pdf
from briefgen.style import Margins, Page, Style
from conftest import need_tool

T = d.Text
HOSTILE = 'a<b Q&A &copy <img src="/etc/passwd"> <font>'
ARMENIAN = "Ստեփանակերտ"
AZERBAIJANI = "Xankəndi, Qarabağ"
CYRILLIC = "Нагорный Карабах"
DATE = dt.datetime(2023, 9, 20, 14, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=4)))


def p(*inlines: d.Inline | str, role: str = "body") -> d.Paragraph:
    children = tuple(T(i) if isinstance(i, str) else i for i in inlines)
    return d.Paragraph(children, role)  # type: ignore[arg-type]


def h(level: int, text: str, anchor: str, toc: bool = True) -> d.Heading:
    return d.Heading(level, (T(text),), anchor, toc)


def note(text: str) -> d.Note:
    return d.Note((T(text),))


def cell(text: str) -> d.Cell:
    return d.Cell((p(text),))


FILLER = ("The ceasefire announced on 20 September followed a one-day offensive; humanitarian "
          "access through the Lachin corridor remained the central question for the mission. ")


AMBER = d.Marking("tlp", "TLP:AMBER")


def sample_doc(marking: d.Marking | None = AMBER,
               footer: str = "Briefing pack · v1 · 20 September 2023") -> d.Document:
    meta = d.Meta(
        title=f"Nagorno-Karabakh ceasefire: {ARMENIAN}", date=DATE, author="Policy Unit",
        subject="Nagorno-Karabakh ceasefire, September 2023",
        keywords=("ceasefire", "Karabakh"), lang="en-GB", marking=marking, footer_text=footer,
        labels={"page_x_of_y": "Page {page} of {total}"})
    actors = [(f"Actor {i}", f"Role {i} " + FILLER[: 40 + (i * 17) % 90], f"{CYRILLIC} {i}")
              for i in range(1, 46)]
    blocks: tuple[d.Block, ...] = (
        d.TitleBlock((T("Nagorno-Karabakh: the September 2023 ceasefire"),),
                     (T(f"Top sheet for the minister — {AZERBAIJANI}"),),
                     (d.MetaField("Marking", (T("TLP:AMBER"),)),
                      d.MetaField("Reference", (T("PU/2023/117"),)),
                      d.MetaField("Date", (T("20 September 2023, as of 14:30"),)),
                      d.MetaField("Hostile field", (T(HOSTILE),)))),
        p("This document is marked TLP:AMBER.", role="marking"),
        d.Box((p("A ceasefire holds for now", note("Reuters, 20 Sep 2023."),
                 "; the humanitarian question is open."),),
              (T("Bottom line up front"),), "summary"),
        d.Contents("Contents"),
        d.PageBreak(),
        h(1, "Lines to take", "lines"),
        p("We welcome the ceasefire in ", T(ARMENIAN), " and ", T(AZERBAIJANI), ".",
          note("Statement by the ministry, 20 September 2023."), role="lead"),
        d.ListBlock(((p("Urge restraint", note("UN Secretary-General, 19 Sep.")),),
                     (p("Press for access"),
                      d.ListBlock(((p("Lachin corridor"),), (p("Aghdam road"),)), ordered=True)),
                     (p(f"Literal text: {HOSTILE}"),)), ordered=False),
        h(2, f"Q&A <defensive> lines & {CYRILLIC}", "qa"),
        p(HOSTILE),
        p("See ", d.Ref("risks", (T("the risks section"),)), " and ",
          d.Link("https://www.npr.org/2023/09/20/ceasefire?a=1&b=2", (T("the NPR report"),)),
          "."),
        d.ListBlock(((p("First numbered"),), (p("Second numbered"),)), ordered=True),
        *[p(FILLER * 3) for _ in range(4)],
        h(1, "Who's who", "actors"),
        d.Table((cell("Actor"), cell("Role"), cell("Name in Russian")),
                tuple((cell(a), cell(b), cell(c)) for a, b, c in actors),
                (1, 3, 2), (T("Table 1. Key actors"), note("Compiled from open sources."))),
        h(1, "Background", "background"),
        h(2, "Chronology", "chronology"),
        *[p(FILLER * 2, note(f"Source {i}.")) for i in range(6)],
        d.Quote((p("We will not leave our homes."),),
                (T("A resident of "), T(ARMENIAN), T(", 21 September 2023"))),
        h(3, "Not in contents", "hidden", toc=False),
        p("A heading kept out of the contents but still in the bookmarks."),
        h(1, "Risks and assessment", "risks"),
        *[p(FILLER * 2) for _ in range(3)],
        d.NotesList("Notes"),
    )
    return d.Document(meta, blocks)


@pytest.fixture(scope="module")
def style() -> Style:
    return Style()


@pytest.fixture(scope="module")
def pdf(style: Style) -> bytes:
    return render_pdf(sample_doc(), style)


@pytest.fixture(scope="module")
def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


@pytest.fixture(scope="module")
def pdf_path(pdf: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    path.write_bytes(pdf)
    return path


@pytest.fixture(scope="module")
def pages_text(pdf_path: Path) -> list[str]:
    """Each page's text as pdftotext lays it out (form feeds separate the pages)."""
    tool = need_tool("pdftotext")
    out = subprocess.run([tool, "-layout", "-enc", "UTF-8", str(pdf_path), "-"],
                         capture_output=True, check=True, text=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squash(s: str) -> str:
    return re.sub(r"\s+", " ", s)


# ------------------------------------------------------------------------------------------


def test_text_and_scripts_extracted(pages_text: list[str], reader: PdfReader) -> None:
    text = squash(" ".join(pages_text))
    for s in (ARMENIAN, AZERBAIJANI, CYRILLIC, "Bottom line up front", "Lines to take",
              "We will not leave our homes.", "Role 45", "the NPR report",
              "Statement by the ministry, 20 September 2023."):
        assert s in text, s
    # numbering restarts in each list, nested lists included
    assert "1. Lachin corridor 2. Aghdam road" in text
    assert "1. First numbered 2. Second numbered" in text
    pypdf_text = squash(" ".join(pg.extract_text() for pg in reader.pages))
    for s in (ARMENIAN, AZERBAIJANI, CYRILLIC):
        assert s in pypdf_text


def test_markup_hostile_text_printed_literally(pages_text: list[str]) -> None:
    text = squash(" ".join(pages_text))
    assert HOSTILE in text  # in a paragraph, a list item and a title-block field
    assert text.count(HOSTILE) >= 3
    assert f"Q&A <defensive> lines & {CYRILLIC}" in text  # a heading, and its contents entry
    assert text.count("Q&A <defensive> lines &") >= 2
    assert "Q&A;" not in text and "©" not in text


def test_marking_in_header_and_footer_of_every_page(pages_text: list[str]) -> None:
    assert len(pages_text) >= 5
    for i, page in enumerate(pages_text, 1):
        assert page.count("TLP:AMBER") >= 2, f"page {i}"
        lines = [ln for ln in page.splitlines() if ln.strip()]
        assert "TLP:AMBER" in lines[0] and "TLP:AMBER" in lines[-1], f"page {i}"


def test_tlp_label_look(reader: PdfReader, style: Style) -> None:
    """TLP:AMBER in #FFC000 on a black box, 12 pt or more, right-aligned, top and bottom."""
    width, height = style.page.dimensions
    right = width - style.page.margins.right
    label = re.compile(r"0 0 0 rg\nn ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re f\*\n"
                       r"1 \.752941 0 rg\nBT 1 0 0 1 [\d.]+ ([\d.]+) Tm /\S+ ([\d.]+) Tf "
                       r"[^\n]*\(TLP:AMBER\) Tj")
    for i, page in enumerate(reader.pages, 1):
        stream = page.get_contents().get_data().decode("latin-1")
        found = [tuple(map(float, m)) for m in label.findall(stream)]
        assert len(found) == 2, f"page {i}"
        ys = sorted(y for *_box, y, _size in found)
        assert ys[0] < style.page.margins.bottom and ys[1] > height - style.page.margins.top
        for x, _y, w, _h, _ty, size in found:
            assert size >= 12 and abs(x + w - right) < 0.5, f"page {i}"


def test_banner_marking_is_capitals_centred(style: Style, tmp_path: Path) -> None:
    tool = need_tool("pdftotext")
    data = render_pdf(sample_doc(marking=d.Marking("uk", "official-sensitive")), style)
    path = tmp_path / "uk.pdf"
    path.write_bytes(data)
    out = subprocess.run([tool, "-bbox", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = out.split("<page ")[1:]
    assert len(pages) == len(PdfReader(io.BytesIO(data)).pages)
    width, height = style.page.dimensions
    for page in pages:
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                           r'yMax="([\d.]+)">OFFICIAL-SENSITIVE</word>', page)
        assert len(words) == 2
        for x0, y0, x1, _y1 in (tuple(map(float, w)) for w in words):
            assert abs((x0 + x1) / 2 - width / 2) < 1.5  # centred
            assert y0 < 60 or y0 > height - 60  # top and bottom
        assert "official-sensitive" not in page


def test_page_x_of_y_on_every_page(pages_text: list[str], reader: PdfReader) -> None:
    n = len(reader.pages)
    assert len(pages_text) == n
    for i, page in enumerate(pages_text, 1):
        assert re.findall(r"Page \d+ of \d+", page) == [f"Page {i} of {n}"]
        assert "Briefing pack · v1 · 20 September 2023" in page


def test_contents_page_numbers_are_true(pages_text: list[str]) -> None:
    contents = squash(pages_text[0])
    headings = {"Lines to take": "Lines to take", "Who's who": "Who's who",
                "Background": "Background", "Chronology": "Chronology",
                "Risks and assessment": "Risks and assessment",
                f"Q&A <defensive> lines & {CYRILLIC}": f"Q&A <defensive> lines & {CYRILLIC}"}
    for title in headings:
        m = re.search(re.escape(title) + r"[ .]*?(\d+)\b", contents)
        assert m, title
        page = int(m.group(1))
        body = pages_text[page - 1]
        heading_lines = [ln.strip() for ln in body.splitlines()]
        assert title in heading_lines, (title, page)
    assert "Not in contents" not in contents


def test_bookmarks_mirror_headings(reader: PdfReader) -> None:
    def walk(items: list, depth: int = 0) -> list[tuple[int, str, int]]:
        out = []
        for it in items:
            if isinstance(it, list):
                out.extend(walk(it, depth + 1))
            else:
                out.append((depth, it.title, reader.get_destination_page_number(it) + 1))
        return out

    got = [(lvl, title) for lvl, title, _ in walk(reader.outline)]
    assert got == [(0, "Contents"), (0, "Lines to take"),
                   (1, f"Q&A <defensive> lines & {CYRILLIC}"), (0, "Who's who"),
                   (0, "Background"), (1, "Chronology"),
                   (2, "Not in contents"), (0, "Risks and assessment"), (0, "Notes")]
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    for _lvl, title, page in walk(reader.outline):
        assert title in squash(reader.pages[page - 1].extract_text()), title


def test_metadata_lang_and_dates(reader: PdfReader) -> None:
    info = reader.metadata
    assert info.title == f"Nagorno-Karabakh ceasefire: {ARMENIAN}"
    assert info.author == "Policy Unit"
    assert info.subject == "Nagorno-Karabakh ceasefire, September 2023"  # as given
    assert info["/Keywords"] == "ceasefire, Karabakh"
    assert info.creator == "briefgen"
    assert info["/CreationDate"] == "D:20230920143005+04'00'"
    assert info.creation_date == DATE and info.modification_date == DATE
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a BooleanObject)


def test_links_notes_and_refs(reader: PdfReader, pages_text: list[str]) -> None:
    uris, internal = [], 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            action = a.get("/A")
            if action is not None and "/URI" in action:
                uris.append(action["/URI"])
            elif "/Dest" in a or (action is not None and action.get("/S") == "/GoTo"):
                internal += 1
    assert uris == ["https://www.npr.org/2023/09/20/ceasefire?a=1&b=2"]
    # contents entries (6 text + 6 page numbers) + the Ref + the note numbers (10)
    assert internal >= 6 + 1 + 10
    text = squash(" ".join(pages_text))
    notes = text[text.rindex("Notes"):]
    for n, s in ((1, "Reuters, 20 Sep 2023."), (2, "Statement by the ministry"),
                 (3, "UN Secretary-General"), (4, "Compiled from open sources."),
                 (5, "Source 0."), (10, "Source 5.")):
        assert re.search(rf"\b{n}\. {re.escape(s)}", notes), (n, s)


def test_fonts_embedded_no_helvetica(pdf_path: Path) -> None:
    tool = need_tool("pdffonts")
    out = subprocess.run([tool, str(pdf_path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for row in rows:
        cols = row.split()
        # name type encoding emb sub uni object ID: emb is the 5th from the end
        assert cols[-5] == "yes", row
        assert "Helvetica" not in row and "Times" not in row, row
    assert any("DejaVuSans-Bold" in r for r in rows) and any("Oblique" in r for r in rows)


def test_qpdf_check(pdf_path: Path) -> None:
    tool = need_tool("qpdf")
    res = subprocess.run([tool, "--check", str(pdf_path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "No syntax or stream encoding errors" in res.stdout


def test_byte_identical_across_runs_and_processes(pdf: bytes, style: Style,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert render_pdf(sample_doc(), style) == pdf
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    assert render_pdf(sample_doc(), style) == pdf
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    code = ("import sys, hashlib; sys.path.insert(0, sys.argv[1]);"
            "from test_render_pdf import sample_doc; from briefgen.render.pdf import render_pdf;"
            "from briefgen.style import Style;"
            "sys.stdout.write(hashlib.sha256(render_pdf(sample_doc(), Style())).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], env=env,
                         capture_output=True, text=True, check=True).stdout
    import hashlib

    assert out == hashlib.sha256(pdf).hexdigest()
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_table_header_repeats_on_continuation_page(pages_text: list[str]) -> None:
    with_rows = [i for i, pg in enumerate(pages_text) if re.search(r"Actor \d+\b", pg)]
    assert len(with_rows) >= 2, "the actors table should span pages"
    for i in with_rows:
        assert re.search(r"Actor\s+Role\s+Name in Russian", pages_text[i]), i
    assert "Actor 1 " in pages_text[with_rows[0]] and "Actor 45" in pages_text[with_rows[-1]]


def test_huge_cell_does_not_crash(style: Style) -> None:
    words = " ".join(f"word{i}" for i in range(6000))
    doc = d.Document(d.Meta("Huge", DATE), (
        h(1, "Huge cell", "huge"),
        d.Table((cell("Key"), cell("Value")), ((cell("k"), cell(words)), (cell("k2"), cell("v2"))),
                (1, 4)),
        p("After the table."),
    ))
    data = render_pdf(doc, style)
    r = PdfReader(io.BytesIO(data))
    assert len(r.pages) >= 5
    text = squash(" ".join(pg.extract_text() for pg in r.pages))
    assert "word0 " in text and "word5999" in text and "After the table." in text


def test_minimal_document_letter_binding_no_marking() -> None:
    """No marking, no contents, no notes list (notes appended), Letter with a binding margin,
    a serif body, headings jumping from 1 to 3."""
    style = Style(page=Page(size="Letter", margins=Margins(binding=36)),
                  fonts={"body": "dejavu-serif", "headings": "dejavu-sans"})
    doc = d.Document(d.Meta("Minimal", dt.datetime(2024, 1, 2, 3, 4, 5), lang="fr-FR"), (
        h(1, "Un", "un"),
        h(3, "Trois", "trois"),
        *[p(FILLER * 3, note(f"Note {i}")) for i in range(12)],
        p("Lien ", d.Ref("missing-anchor", (T("vers nulle part"),)), "."),
    ))
    data = render_pdf(doc, style)
    r = PdfReader(io.BytesIO(data))
    assert r.pages[0].mediabox.width == 612 and r.pages[0].mediabox.height == 792
    assert r.metadata["/CreationDate"] == "D:20240102030405+00'00'"
    assert r.trailer["/Root"]["/Lang"] == "fr-FR"
    text = squash(" ".join(pg.extract_text() for pg in r.pages))
    assert "vers nulle part" in text and "12. Note 11" in text
    assert [o.title for o in r.outline if not isinstance(o, list)] == ["Un", "Notes"]
    n = len(r.pages)
    assert f"Page {n} of {n}" in r.pages[-1].extract_text()
    # binding margin on the inner side: text starts further right on odd pages
    def left_edge(page) -> float:
        xs: list[float] = []
        page.extract_text(visitor_text=lambda t, cm, tm, fd, fs: xs.append(tm[4] * cm[0] + cm[4])
                          if t.strip() and tm[4] * cm[0] + cm[4] > 1 else None)
        return min(xs)
    assert left_edge(r.pages[0]) > left_edge(r.pages[1]) + 20


def test_contents_and_note_links_land_on_their_targets(reader: PdfReader,
                                                      pages_text: list[str]) -> None:
    page_of = {pg.indirect_reference.idnum: i for i, pg in enumerate(reader.pages, 1)}
    targets = set()
    for annot in reader.pages[0]["/Annots"]:
        dest = annot.get_object().get("/Dest")
        if dest is not None:
            targets.add(page_of[dest[0].idnum])
    heading_pages = {i for i, pg in enumerate(pages_text, 1)
                     for title in ("Lines to take", "Who's who", "Background",
                                   "Risks and assessment")
                     if title in [ln.strip() for ln in pg.splitlines()]}
    notes_page = next(i for i, pg in enumerate(pages_text, 1) if "1. Reuters" in squash(pg))
    assert heading_pages | {notes_page} == targets


EDGE_CASES = {
    "empty": ((), ["Page 1 of 1"], 1),
    "trailing page break": ((p("one"), d.PageBreak(), d.PageBreak()), ["one"], 1),
    "double page break": ((p("one"), d.PageBreak(), d.PageBreak(), p("two")), ["two"], 2),
    "contents without headings": ((d.Contents("Contents"), p("x")), ["x"], 1),
    "notes list in a box": ((d.Box((d.NotesList("Inner"),)), p("x", note("n1"))),
                            ["Notes", "1. n1"], 1),
    "notes list first": ((d.NotesList("Sources"), p("x", note("n1")), h(1, "After", "a")),
                         ["Sources", "1. n1"], 1),
    "duplicate anchors": ((h(1, "One", "same"), h(1, "Two", "same"),
                           p(d.Ref("same", (T("ref"),)))), ["One", "Two", "ref"], 1),
    "unsafe link": ((p(d.Link("javascript:alert(1)", (T("js link"),))),), ["js link"], 1),
    "missing glyphs": ((p("emoji \U0001F600 CJK \u4e2d ctl\x0b end"),),
                       ["emoji \ufffd CJK \ufffd ctl\ufffd end"], 1),
    "huge heading": ((h(1, "word " * 400, "long"), p("after")), ["after"], 2),
}


@pytest.mark.parametrize("case", EDGE_CASES, ids=list(EDGE_CASES))
def test_edge_documents(case: str, style: Style, tmp_path: Path) -> None:
    blocks, expected, pages = EDGE_CASES[case]
    data = render_pdf(d.Document(d.Meta(case, DATE), blocks), style)
    r = PdfReader(io.BytesIO(data))
    assert len(r.pages) == pages
    text = squash(" ".join(pg.extract_text() for pg in r.pages))
    for s in expected:
        assert s in text
    assert "Placeholder" not in text
    for page in r.pages:  # no javascript: (or any) URI action was written
        for annot in page.get("/Annots") or []:
            assert "/A" not in annot.get_object()
    if shutil.which("qpdf"):
        path = tmp_path / "edge.pdf"
        path.write_bytes(data)
        res = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert res.returncode == 0 and "invalid" not in res.stdout.lower(), res.stdout


def test_render_time(style: Style) -> None:
    doc = sample_doc()
    render_pdf(doc, style)  # fonts registered, modules warm
    start = time.perf_counter()
    data = render_pdf(doc, style)
    took = time.perf_counter() - start
    assert len(PdfReader(io.BytesIO(data)).pages) >= 5
    assert took < 2.5, took


# ------------------------------------------------------------------------------------------
# Notes: equal notes are one note


def page_texts(data: bytes) -> list[str]:
    return [squash(pg.extract_text()) for pg in PdfReader(io.BytesIO(data)).pages]


def test_equal_notes_are_one_note(style: Style) -> None:
    src = lambda: note("NPR, Cease-fire reached, 20 September 2023.")  # noqa: E731 - equal, not same
    doc = d.Document(d.Meta("Notes", DATE), (
        p("First", src(), " and second", note("Other source.")),
        p("Third", src(), "; fourth", note("Other source."), "; fifth",
          d.Note((T("Third source "), d.Emph((T("italic"),)), T("."))),
          d.Note((T("Third source "), d.Emph((T("italic"),)), T("."))), " end."),
        p("Adjacent different", src(), note("Fourth source."), "."),
        d.Table((cell("A"), cell("B")), ((d.Cell((p("cell", src()),)), cell("x")),), (1, 1)),
        d.NotesList("Notes"),
    ))
    text = " ".join(page_texts(render_pdf(doc, style)))
    notes = text[text.rindex("Notes"):]
    assert re.findall(r"(\d+)\. (NPR|Other|Third|Fourth)", notes) == [
        ("1", "NPR"), ("2", "Other"), ("3", "Third"), ("4", "Fourth")]
    assert notes.count("NPR, Cease-fire reached") == 1
    body = text[: text.rindex("Notes")]
    assert "First1 and second2" in body
    assert "Third1; fourth2; fifth3 end." in body  # an immediate repeat is one mark
    assert "Adjacent different1,4." in body  # two marks in a row are kept apart
    assert "cell1" in body
    # each mark links to the one entry of its note
    dests = [tuple(a.get_object()["/Dest"][2:4])
             for pg in PdfReader(io.BytesIO(render_pdf(doc, style))).pages
             for a in pg.get("/Annots") or [] if "/Dest" in a.get_object()]
    assert len(dests) == 8 and len(set(dests)) == 4
    assert [dests.index(x) for x in dests] == [0, 1, 0, 1, 4, 0, 6, 0]


def test_sample_brief_notes_collapse(style: Style, root: Path) -> None:
    import briefgen

    doc = briefgen.compose_brief(root / "briefs" / "nagorno-karabakh-2023-09-ceasefire.yaml")
    assert len(doc.notes()) > 50 and len(set(doc.notes())) == 1
    pages = page_texts(render_pdf(doc, style))
    # every note is a bare citation: the sources list is the notes list (one list)
    notes = " ".join(pages)[" ".join(pages).rindex("Sources"):]
    assert notes.count("1. NPR") == 1 and "2. NPR" not in notes
    assert not any(line.strip() == "Notes" for line in pages[-1].splitlines())


# ------------------------------------------------------------------------------------------
# Page flow: headings stay with the first lines of what follows, never with all of it

FACTS = tuple((cell(f"Fact {i} " + FILLER[:70]), cell(f"value {i}"), cell("20 September 2023"))
              for i in range(1, 31))


def facts_table() -> d.Table:
    return d.Table((cell("Figure"), cell("Value"), cell("As of")), FACTS, (3, 1, 2))


def page_of(pages: list[str], s: str) -> int:
    found = [i for i, pg in enumerate(pages, 1) if s in pg]
    assert found, s
    return found[0]


def test_heading_starts_long_table_on_same_page(style: Style) -> None:
    """The sample's fault: Q&A filling a third of a page, then "Key facts and figures" and a
    table longer than a page. The heading and the table start there, not on the next page."""
    doc = d.Document(d.Meta("Flow", DATE), (
        h(1, "Questions and answers", "qa"),
        *[p(FILLER * 2) for _ in range(3)],
        h(1, "Key facts and figures", "facts"),
        facts_table(),
        p("After the table."),
    ))
    pages = page_texts(render_pdf(doc, style))
    assert len(pages) >= 2
    assert page_of(pages, "Key facts and figures") == 1
    assert page_of(pages, "Fact 1 ") == 1  # the header row and the first body row follow it
    assert re.search(r"Figure Value As of Fact 1 ", pages[0])


def _follower(kind: str) -> tuple[d.Block, str]:
    """A block that may follow a heading, and the first text it prints."""
    three = FILLER * 2
    if kind == "table":
        return facts_table(), "Fact 1 "
    if kind == "captioned table":
        t = facts_table()
        return d.Table(t.header, t.rows, t.widths, (T("Table 9. Captioned"),)), "Fact 1 "
    if kind == "list":
        return d.ListBlock(tuple((p(f"Item{i} " + three),) for i in range(1, 4)),
                           ordered=True), "Item1"
    if kind == "box":  # long enough to be split anywhere near the foot (4 lines each side)
        return d.Box((p("Boxtext " + three * 4),), (T("Boxtitle"),)), "Boxtext"
    if kind == "quote":
        return d.Quote((p("Quotetext " + three * 4),), (T("Someone"),)), "Quotetext"
    if kind == "paragraph":
        return p("Paratext " + three * 2), "Paratext"
    if kind == "figure":  # never split: it moves with the heading when it does not fit
        events = tuple(d.TimelineEvent(f"{i} May 2024", i, f"Figtext {i}") for i in range(1, 4))
        return d.Figure(d.Timeline(events), (T("Figure caption"),), "alt"), "Figtext 1"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["table", "captioned table", "list", "box", "quote",
                                  "paragraph", "figure"])
def test_heading_never_alone_at_page_foot(kind: str, style: Style) -> None:
    """Slide a heading (an h2 after an h1, as in "Sources" + a list) down the foot of page 1:
    wherever it lands, it is on the page of the first text of the block after it; and it only
    moves to the next page when the space left is too small for that first part (a few lines,
    a table's header and first row), never because the whole block would not fit."""
    block, first = _follower(kind)
    moved_early, capacity = [], 0
    for n in range(22, 35):
        doc = d.Document(d.Meta("Flow", DATE), (
            *[p(f"Filler {i:02d}.") for i in range(n)],
            h(1, "Sources", "sources"), h(2, "Subhead", "sub"),
            block, p("Tail paragraph."),
        ))
        pages = page_texts(render_pdf(doc, style))
        head = page_of(pages, "Sources")
        assert page_of(pages, "Subhead") == head, n
        assert page_of(pages, first) == head, (kind, n)
        capacity = max(capacity, pages[0].count("Filler"))
        if head == 2 and f"Filler {n - 1:02d}." in pages[0]:
            moved_early.append(n)
    # it moves early only in the last few positions, where its first part does not fit: the
    # page it leaves is at least three quarters full
    assert capacity == 33 and moved_early, (capacity, moved_early)
    assert moved_early == list(range(moved_early[0], capacity + 1)), moved_early
    assert moved_early[0] >= 0.75 * capacity, moved_early


def test_table_header_once_per_page(style: Style) -> None:
    """A table split between rows must not continue, header repeated, lower on the same page
    (ReportLab splits the rest inside a row when a few lines still fit under the first part)."""
    rows = tuple((cell(f"Row{i} " + FILLER * (1 + i % 3)), cell(f"v{i}")) for i in range(12))
    for n in range(0, 12, 2):
        doc = d.Document(d.Meta("Rows", DATE), (
            *[p(f"Filler {i:02d}.") for i in range(n)],
            d.Table((cell("Headcol"), cell("Valcol")), rows, (5, 1)),
        ))
        pages = page_texts(render_pdf(doc, style))
        assert len(pages) >= 2
        for i, pg in enumerate(pages, 1):
            assert pg.count("Headcol") == 1, (n, i)
        assert all(f"Row{i} " in " ".join(pages) for i in range(12))


# ------------------------------------------------------------------------------------------
# Footnotes


def fn_note(i: int) -> d.Note:
    return note(f"Footnote text {i}.")


def footnote_doc() -> d.Document:
    """Marks in paragraphs, list items, a long table's cells and caption, a box, a quote and a
    figure caption; one note marked again on later pages; a long note; one paragraph with many
    marks. ``alphaNx`` is the word each mark of note text N hugs."""
    rows = tuple((cell(f"Row {i}"), d.Cell((p(f"alpha{20 + i}x " + FILLER[:60], fn_note(20 + i)),)))
                 for i in range(25))
    long_note = d.Note((T("Footnote text 99. " + "A long note that wraps. " * 12),))
    blocks: list[d.Block] = [h(1, "Footnotes", "fn")]
    for i in range(1, 8):
        blocks.append(p(FILLER * 2 + f" alpha{i}x", fn_note(i), " " + FILLER))
    blocks += [
        d.ListBlock(((p("item alpha8x", fn_note(8)),), (p("item alpha9x", fn_note(9)),))),
        d.Table((cell("Key"), cell("Value")), rows, (1, 4),
                (T("Caption alpha10x"), fn_note(10))),
        d.Box((p("Boxed alpha11x", fn_note(11), " " + FILLER),), (T("Box"),)),
        d.Quote((p("Quoted alpha12x", fn_note(12)),), (T("Someone alpha13x"), fn_note(13))),
        d.Figure(d.Timeline((d.TimelineEvent("1 May", 1, "one"),
                             d.TimelineEvent("2 May", 2, "two"))),
                 (T("Figure alpha14x"), fn_note(14)), "alt"),
        p("Long alpha99x", long_note, " " + FILLER * 2),
        p("Many", *[x for k in range(60, 72) for x in (f" alpha{k}x", fn_note(k))]),
        *[p(FILLER * 3) for _ in range(6)],
        p("Again alpha1x", fn_note(1), " on a later page."),
        d.NotesList("Notes"),
    ]
    return d.Document(d.Meta("Footnotes", DATE, marking=d.Marking("tlp", "TLP:GREEN"),
                             labels={"page_x_of_y": "Page {page} of {total}"}), tuple(blocks))


@pytest.fixture(scope="module")
def footnote_pdf() -> bytes:
    return render_pdf(footnote_doc(), Style(notes="footnotes"))


def test_footnotes_on_the_page_of_their_marks(footnote_pdf: bytes) -> None:
    pages = page_texts(footnote_pdf)
    assert len(pages) >= 4
    numbers = [*range(1, 15), *range(20, 45), 99, *range(60, 72)]
    for i in numbers:
        marked = {k for k, pg in enumerate(pages, 1) if f"alpha{i}x" in pg}
        printed = {k for k, pg in enumerate(pages, 1) if f"Footnote text {i}." in pg}
        assert marked and marked == printed, (i, marked, printed)
    # a note marked on two pages is printed at the foot of both
    assert len({k for k, pg in enumerate(pages, 1) if "Footnote text 1." in pg}) == 2
    text = " ".join(pages)
    assert "Notes" not in text.replace("Footnotes", "")  # no endnotes list
    for k, pg in enumerate(pages, 1):  # marking and page number still on every page
        assert f"Page {k} of {len(pages)}" in pg and pg.count("TLP:GREEN") == 2


def test_footnotes_sit_under_the_text(footnote_pdf: bytes, style: Style) -> None:
    """Each page's notes are below every line of its text and above the footer."""
    bottom = style.page.margins.bottom
    for k, page in enumerate(PdfReader(io.BytesIO(footnote_pdf)).pages, 1):
        body: list[float] = []
        notes: list[float] = []

        def visit(t: str, cm: list, tm: list, fd: object, fs: float,
                  body: list[float] = body, notes: list[float] = notes) -> None:
            y = tm[5] * cm[3] + cm[5]
            if "Footnote text" in t:
                notes.append(y)
            elif t.strip() and bottom < y < style.page.dimensions[1] - style.page.margins.top \
                    and not re.fullmatch(r"\s*\d+\.?\s*|[.,\s]*", t) and "note that wraps" not in t:
                body.append(y)

        page.extract_text(visitor_text=visit)
        if notes:
            assert min(body) > max(notes), k
            assert min(notes) >= bottom - 1, k


def test_footnotes_deterministic_and_pathological_notes(footnote_pdf: bytes) -> None:
    assert render_pdf(footnote_doc(), Style(notes="footnotes")) == footnote_pdf
    # a paragraph carrying notes taller than a page: laid out, nothing lost, no crash
    huge = [d.Note((T(f"Huge note {k}. " + "Very long source description. " * 40),))
            for k in range(8)]
    doc = d.Document(d.Meta("Huge", DATE), (
        p("Start", *huge, " end."), p(FILLER * 10), h(1, "After", "after"), p("Last words."),
    ))
    pages = page_texts(render_pdf(doc, Style(notes="footnotes")))
    text = " ".join(pages)
    for k in range(8):
        assert f"Huge note {k}." in text
    assert "Last words." in text


# ------------------------------------------------------------------------------------------
# A long brief


def test_long_brief_every_page_marked_numbered_no_orphan_heading(style: Style, root: Path,
                                                                  tmp_path: Path) -> None:
    """The sample five times over (benchmarks/bench_build.py's scaled_brief): it builds, every
    page has the marking at top and bottom and a true "Page N of M", and no page ends with a
    heading."""
    import runpy

    import briefgen

    scaled = runpy.run_path(str(root / "benchmarks" / "bench_build.py"))["scaled_brief"](5)
    doc = briefgen.compose_brief(scaled)
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf(doc, style))
    out = subprocess.run([need_tool("pdftotext"), "-layout", "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, check=True, text=True).stdout
    pages = [pg for pg in out.split("\f") if pg.strip()]
    n = len(pages)
    assert n >= 30
    headings = {" ".join(d.plain_text(hd.children).split()) for hd in doc.headings()}
    label = doc.meta.marking.label
    for i, page in enumerate(pages, 1):
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        assert label in lines[0] and label in lines[-1], i
        assert re.findall(r"Page \d+ of \d+", page) == [f"Page {i} of {n}"], i
        body = [ln for ln in lines[1:-1] if not re.search(r"Page \d+ of \d+", ln)]
        assert body and body[-1] not in headings, (i, body[-1])


@pytest.mark.parametrize("kind", ["table", "list", "paragraph"])
def test_heading_kept_with_first_lines_and_their_footnotes(kind: str) -> None:
    """With footnotes, the first lines after a heading must fit with their notes: the heading
    still never stays alone at the foot of a page, and the notes are on the page of their
    marks."""
    style = Style(notes="footnotes")
    longnote = " A long source description that takes two lines at the foot of the page." * 2
    if kind == "table":
        block: d.Block = d.Table((cell("Key"), cell("Value")), tuple(
            (cell(f"Row{i}x"),
             d.Cell((p(f"Cellx{i} " + FILLER[:50], note(f"Tnote {i}." + longnote)),)))
            for i in range(1, 30)), (1, 3))
        first = "Row1x"
    elif kind == "list":
        block = d.ListBlock(tuple((p(f"Itemx{i} " + FILLER, note(f"Tnote {i}." + longnote)),)
                                  for i in range(1, 4)))
        first = "Itemx1"
    else:
        block = p("Parax1 short line", note("Tnote 1." + longnote), " " + FILLER * 3)
        first = "Parax1"
    for n in range(24, 34):
        doc = d.Document(d.Meta("Flow", DATE), (
            *[p(f"Filler {i:02d}.") for i in range(n)],
            h(1, "Sources", "sources"), block, p("Tail paragraph."),
        ))
        pages = page_texts(render_pdf(doc, style))
        head = page_of(pages, "Sources")
        assert page_of(pages, first) == head, (kind, n)
        assert page_of(pages, "Tnote 1.") == head, (kind, n)


def _passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy (not a mock: the build runs) on the renderer's layout passes: their page counts."""
    from briefgen.render.pdf import renderer

    seen: list[int] = []
    real = renderer.DocTemplate.build

    def build(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        real(self, *args, **kwargs)
        seen.append(self.bg_pages)

    monkeypatch.setattr(renderer.DocTemplate, "build", build)
    return seen


@pytest.mark.parametrize("notes", ["endnotes", "footnotes"])
def test_one_layout_pass(monkeypatch: pytest.MonkeyPatch, notes: str) -> None:
    """Contents page numbers, "Page X of Y" and footnotes all come out of a single layout
    pass (the speed of every build depends on it): the numbers are forms filled in after it."""
    seen = _passes(monkeypatch)
    data = render_pdf(sample_doc(), Style(notes=notes))
    reader = PdfReader(io.BytesIO(data))
    n = len(reader.pages)
    assert seen == [n]
    text = [squash(pg.extract_text()) for pg in reader.pages]
    assert all(f"Page {i} of {n}" in t for i, t in enumerate(text, 1))
    assert "Role 45" in " ".join(text)


def test_contents_longer_than_a_page_has_true_numbers(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    """A contents of 90 entries runs over several pages; every number still points at its
    heading, every entry links to its heading's page, all from one pass."""
    seen = _passes(monkeypatch)
    blocks: list[d.Block] = [d.Contents("Contents"), d.PageBreak()]
    for i in range(1, 91):
        blocks += [h(1 + i % 2, f"Section number {i:02d}", f"s{i}"), p(FILLER * (1 + i % 4))]
    doc = d.Document(d.Meta("Long contents", DATE), tuple(blocks))
    path = tmp_path / "toc.pdf"
    path.write_bytes(render_pdf(doc, Style()))
    assert len(seen) == 1
    out = subprocess.run([need_tool("pdftotext"), "-layout", str(path), "-"],
                         capture_output=True, check=True, text=True).stdout
    pages = out.split("\f")
    entries = re.findall(r"Section number (\d\d)[ .]+(\d+)\s*$", "\n".join(pages), re.M)
    assert len(entries) == 90
    for num, page in entries:
        assert f"Section number {num}" in pages[int(page) - 1].split("Contents")[-1], num
    # every entry (its text, and its leader and number) links to its heading's page
    reader = PdfReader(path)
    page_of = {pg.indirect_reference.idnum: i for i, pg in enumerate(reader.pages, 1)}
    rows: list[tuple[int, float, int]] = []  # (contents page, top of the link, page linked)
    for n, pg in enumerate(reader.pages[:4], 1):
        for annot in pg.get("/Annots") or []:
            a = annot.get_object()
            dest = a.get("/Dest")
            if isinstance(dest, list):
                rows.append((n, -round(float(a["/Rect"][3])), page_of[dest[0].idnum]))
    linked = [target for _n, _y, target in sorted(rows)]
    assert linked[::2] == linked[1::2]  # two links an entry, to the same page
    assert linked[::2] == [int(page) for _num, page in entries]


def test_marks_side_by_side_with_a_space_between(style: Style) -> None:
    """Notes marked side by side print as 1,2 even with a space between the marks (the space
    goes: marks hug), and the same note twice is one mark (common.mark_run)."""
    doc = d.Document(d.Meta("Marks", DATE), (
        p("Spaced", note("Alpha source."), " ", note("Beta source."), " then text."),
        p("Twice", note("Alpha source."), " ", note("Alpha source."), "."),
    ))
    body = " ".join(page_texts(render_pdf(doc, style)))
    assert "Spaced1,2 then text." in body
    assert "Twice1." in body

