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
from conftest import need_tool
from pypdf import PdfReader

from briefgen import document as d
from briefgen.render.pdf import render_pdf
from briefgen.style import Margins, Page, Style

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


def sample_doc(marking: d.Marking | None = d.Marking("tlp", "TLP:AMBER"),
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
    assert info.subject == "TLP:AMBER \u2014 Nagorno-Karabakh ceasefire, September 2023"
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


def test_minimal_document_letter_binding_footnotes_no_marking() -> None:
    """No marking, no contents, no notes list (notes appended), footnote style falling back to
    endnotes, Letter with a binding margin, a serif body, headings jumping from 1 to 3."""
    style = Style(page=Page(size="Letter", margins=Margins(binding=36)),
                  notes="footnotes", fonts={"body": "dejavu-serif", "headings": "dejavu-sans"})
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
