"""Every setting of a style reaches the PDF (issue 5: one style file drives both renderers).

Each setting is read back from the PDF by readers that are not ReportLab: pdfplumber for text
positions, sizes, fonts and colours and for the rules, fills and images drawn; pypdf for the page
size; pdffonts for the embedded fonts. A *probe* style gives every setting a value no other
setting shares (an odd colour, an odd size), so that finding it on the page proves where it went.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from PIL import Image
from pypdf import PdfReader

from briefgen import document as d
from briefgen.errors import BriefError
from briefgen.fonts import BUNDLED
from briefgen.layout import apply_style
from briefgen.render.pdf import render_pdf
from briefgen.style import Cover, Margins, Page, Style, Tables, available_styles, load_style
from conftest import need_tool

T = d.Text
MM = 72 / 25.4
DATE = dt.datetime(2024, 3, 1, 9, 30)
FILLER = ("The ceasefire announced on 20 September followed a one-day offensive; humanitarian "
          "access through the Lachin corridor remained the central question for the mission. ")


def p(*inlines: d.Inline | str, role: str = "body") -> d.Paragraph:
    return d.Paragraph(tuple(T(i) if isinstance(i, str) else i for i in inlines), role)  # type: ignore[arg-type]


def cell(text: str) -> d.Cell:
    return d.Cell((p(text),))


def table(rows: int = 6, caption: str = "") -> d.Table:
    return d.Table((cell("Headcol"), cell("Other"), cell("Third")),
                   tuple((cell(f"Row {i} left"), cell(f"Row {i} mid"), cell(f"Row {i} right"))
                         for i in range(1, rows + 1)),
                   (2, 1, 1), (T(caption),) if caption else ())


def document(*blocks: d.Block, marking: d.Marking | None = None,
             footer: str = "Probe footer") -> d.Document:
    return d.Document(d.Meta("Probe", DATE, marking=marking, footer_text=footer), blocks)


def hexrgb(h: str) -> tuple[float, float, float]:
    return tuple(int(h[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def is_colour(c: Any, h: str) -> bool:
    """pdfplumber's colour (a tuple of 0..1 floats, one for grey) is the ``#rrggbb`` colour."""
    if c is None:
        return False
    c = tuple(c)
    if len(c) == 1:
        c = c * 3
    return len(c) == 3 and all(abs(a - b) < 0.004 for a, b in zip(c, hexrgb(h)))


def words(page: Any) -> list[dict[str, Any]]:
    return page.extract_words(extra_attrs=["size", "fontname", "non_stroking_color"],
                              keep_blank_chars=False, use_text_flow=True)


def word(page: Any, text: str) -> dict[str, Any]:
    found = [w for w in words(page) if w["text"] == text]
    assert found, f"{text!r} not on the page"
    return found[0]


def open_pdf(data: bytes) -> pdfplumber.PDF:
    return pdfplumber.open(io.BytesIO(data))


# --------------------------------------------------------------------------------------------
# The probe: one document, every setting at an odd value

PROBE_COLOURS = {
    "text": "#102030", "headings": "#7A1F5C", "muted": "#5A6B3C", "link": "#0A6E8A",
    "rule": "#C08040", "table_header_bg": "#2E4D2E", "table_header_text": "#FFF8E0",
    "table_stripe": "#E8F0FF", "box_bg": "#FDF1E4", "box_border": "#8A2BE2",
    "risk_bands": ("#D0F0C0", "#F0E68C", "#FFB347", "#FF6961")}
PROBE_SIZES = {"base": 10, "small": 8, "title": 21, "subtitle": 13.5, "h1": 15.5, "h2": 12.5,
               "h3": 11.25, "header_footer": 7.5, "marking": 13, "leading": 1.5}
PROBE = Style.model_validate({
    "page": {"size": "Letter", "margins": {"top": "30mm", "bottom": "28mm", "left": "31mm",
                                           "right": "17mm"}},
    "sizes": PROBE_SIZES, "colours": PROBE_COLOURS})


def probe_doc() -> d.Document:
    matrix = d.RiskMatrix(("unlikely", "likely"), ("minor", "major"), ((0, 1), (2, 3)),
                          ("Low", "Medium", "High", "Severe"), (d.RiskPoint("R1", 2, 2),))
    return document(
        d.TitleBlock((T("Probetitle"),), (T("Probesubtitle"),),
                     (d.MetaField("Reference", (T("PR-1"),)),)),
        d.Heading(1, (T("Alphaheading"),), "alpha", True),
        p("Bodystart " + FILLER * 3, d.Link("https://example.org/", (T("Linkword"),)), " end."),
        d.Heading(2, (T("Betaheading"),), "beta", True),
        p(FILLER),
        d.Heading(3, (T("Gammaheading"),), "gamma", True),
        d.Box((p("Boxbody text."),), (T("Boxtitle"),), "summary"),
        table(6, "Tablecaption"),
        d.Figure(matrix, (T("Figurecaption"),), "a matrix"),
        marking=d.Marking("tlp", "TLP:AMBER"))


@pytest.fixture(scope="module")
def probe() -> bytes:
    return render_pdf(probe_doc(), PROBE)


@pytest.fixture(scope="module")
def probe_pages(probe: bytes) -> Iterable[Any]:
    with open_pdf(probe) as pdf:
        yield pdf.pages


def test_page_size_and_margins(probe: bytes, probe_pages: list[Any]) -> None:
    box = PdfReader(io.BytesIO(probe)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == (612, 792)
    m = PROBE.page.margins
    for page in probe_pages:
        frame = [c for c in page.chars  # not the header and footer; glyphs that show (a
                 if round(c["size"], 2) not in (PROBE_SIZES["header_footer"], 13)  # line
                 and c["text"].strip()]  # ends with an invisible space: see SpacedText)
        assert frame
        assert min(c["x0"] for c in frame) == pytest.approx(m.left, abs=0.6)
        assert max(c["x1"] for c in frame) <= 612 - m.right + 0.5
        assert min(c["top"] for c in frame) >= m.top - 0.5
        assert max(c["bottom"] for c in frame) <= 792 - m.bottom + 0.5
        # the header and footer rules span the text frame
        rules = [ln for ln in page.lines if is_colour(ln["stroking_color"], "#C08040")
                 and ln["top"] == ln["bottom"] and ln["x1"] - ln["x0"] > 300]
        assert {round(ln["x0"], 1) for ln in rules} == {round(m.left, 1)}
        assert {round(ln["x1"], 1) for ln in rules} == {round(612 - m.right, 1)}
    first = probe_pages[0]
    long_lines = max(c["x1"] for c in first.chars if round(c["size"], 2) == 10)
    assert long_lines > 612 - m.right - 40  # body lines run out to the right margin


def test_sizes(probe_pages: list[Any]) -> None:
    page = probe_pages[0]
    # sizes are in half points (the resolved stylesheet rounds them as Word stores them):
    # the style's 11.25 pt h3 prints at 11
    expect = {"Probetitle": 21, "Probesubtitle": 13.5, "Alphaheading": 15.5,
              "Betaheading": 12.5, "Gammaheading": 11, "Bodystart": 10,
              "TLP:AMBER": 13, "Probe": 7.5}  # Probe: the footer line
    for text, size in expect.items():
        assert word(page, text)["size"] == pytest.approx(size, abs=0.01), text
    sizes = {w["text"]: w["size"] for pg in probe_pages for w in words(pg)}
    assert sizes["Figurecaption"] == pytest.approx(8)  # captions are `small`
    assert sizes["Tablecaption"] == pytest.approx(8)
    # the marking: in the header and footer, at `sizes.marking`
    for pg in probe_pages:
        assert [w["size"] for w in words(pg) if w["text"] == "TLP:AMBER"] == \
            pytest.approx([13, 13])


def test_leading_is_the_baseline_distance(probe_pages: list[Any]) -> None:
    page = probe_pages[0]
    start = word(page, "Bodystart")
    body = [c for c in page.chars if round(c["size"], 2) == 10
            and c["top"] >= start["top"] - 0.1
            and c["top"] < word(page, "Betaheading")["top"]]
    baselines = sorted({round(c["bottom"], 2) for c in body})
    assert len(baselines) >= 4
    steps = {round(b - a, 2) for a, b in itertools.pairwise(baselines)}
    assert steps == {15.0}  # 10 pt x 1.5


@pytest.mark.parametrize("text,key", [
    ("Bodystart", "text"), ("Probetitle", "headings"), ("Alphaheading", "headings"),
    ("Gammaheading", "headings"), ("Boxtitle", "headings"), ("Probesubtitle", "muted"),
    ("Probe", "muted"), ("Linkword", "link"), ("Headcol", "table_header_text"),
    ("Row", "text")])
def test_text_colours(probe_pages: list[Any], text: str, key: str) -> None:
    ws = [w for pg in probe_pages for w in words(pg) if w["text"] == text]
    assert ws and all(is_colour(w["non_stroking_color"], PROBE_COLOURS[key]) for w in ws), \
        (text, ws[0]["non_stroking_color"] if ws else None)


def fills(pages: Iterable[Any]) -> list[str]:
    out = []
    for pg in pages:
        for r in pg.rects:
            if r["fill"]:
                c = tuple(r["non_stroking_color"] or ())
                c = c * 3 if len(c) == 1 else c
                out.append("#{:02X}{:02X}{:02X}".format(*(round(v * 255) for v in c)))
    return out


def strokes(pages: Iterable[Any]) -> list[str]:
    out = []
    for pg in pages:
        for ln in [*pg.lines, *(r for r in pg.rects if r["stroke"])]:
            c = tuple(ln["stroking_color"] or ())
            c = c * 3 if len(c) == 1 else c
            out.append("#{:02X}{:02X}{:02X}".format(*(round(v * 255) for v in c)))
    return out


def test_fill_and_rule_colours(probe_pages: list[Any]) -> None:
    filled = set(fills(probe_pages))
    c = PROBE_COLOURS
    for key in ("table_header_bg", "table_stripe", "box_bg"):
        assert c[key] in filled, key
    assert set(c["risk_bands"]) <= filled  # the risk matrix's bands
    stroked = set(strokes(probe_pages))
    assert {c["rule"], c["box_border"]} <= stroked


# --------------------------------------------------------------------------------------------
# Tables: stripes and rules


def table_region(page: Any) -> tuple[float, float, float, float]:
    head = word(page, "Headcol")
    last = [w for w in words(page) if w["text"] == "right"][-1]
    return head["top"] - 12, last["bottom"] + 8, head["x0"] - 12, 612


def verticals(page: Any) -> list[dict[str, Any]]:
    top, bottom, _x0, _x1 = table_region(page)
    return [ln for ln in page.lines if abs(ln["x0"] - ln["x1"]) < 0.01
            and ln["bottom"] > top and ln["top"] < bottom]


def horizontals(page: Any) -> list[dict[str, Any]]:
    top, bottom, _x0, _x1 = table_region(page)
    return [ln for ln in page.lines if abs(ln["top"] - ln["bottom"]) < 0.01
            and top <= ln["top"] <= bottom]


def render_table(tables: Tables) -> Any:
    style = Style(colours=Style().colours.model_copy(update={"table_stripe": "#E8F0FF"}),
                  tables=tables)
    return open_pdf(render_pdf(document(p("Before."), table(6)), style))


@pytest.mark.parametrize("stripes", [True, False])
def test_table_rules_grid(stripes: bool) -> None:
    with render_table(Tables(stripes=stripes, rules="grid")) as pdf:
        page = pdf.pages[0]
        left, right = word(page, "Headcol")["x0"] - 5, page.width - 22 * MM
        xs = sorted({round(ln["x0"], 1) for ln in verticals(page)})
        assert xs[0] == round(left, 1) and xs[-1] == round(right, 1)  # the frame's sides
        assert len(xs) > 2  # and a rule between every pair of columns: every cell border
        assert len(horizontals(page)) >= 7  # a rule under the header and every row
        assert ("#E8F0FF" in fills([page])) is stripes
        # the stripes are every second body row (the first body row stays white)
        shaded = [r for r in page.rects if r["fill"] and is_colour(r["non_stroking_color"],
                                                                    "#E8F0FF")]
        assert len(shaded) == (3 if stripes else 0)


@pytest.mark.parametrize("stripes", [True, False])
def test_table_rules_horizontal(stripes: bool) -> None:
    style = Style()
    with render_table(Tables(stripes=stripes, rules="horizontal")) as pdf:
        page = pdf.pages[0]
        assert verticals(page) == []  # no column rules, no frame sides
        rows = horizontals(page)
        assert len(rows) >= 7
        heavy = [ln for ln in rows if ln["linewidth"] == 1.0]
        assert len(heavy) == 2 and all(is_colour(ln["stroking_color"],
                                                 style.colours.table_header_bg) for ln in heavy)
        assert heavy[0]["top"] < word(page, "Headcol")["top"]  # above the header
        assert heavy[1]["top"] > [w for w in words(page) if w["text"] == "right"][-1]["bottom"]
        thin = [ln for ln in rows if ln["linewidth"] == 0.5]
        assert all(is_colour(ln["stroking_color"], style.colours.rule) for ln in thin)
        assert ("#E8F0FF" in fills([page])) is stripes


def test_horizontal_table_split_over_pages_has_no_verticals() -> None:
    style = Style(tables=Tables(rules="horizontal"))
    with open_pdf(render_pdf(document(table(60)), style)) as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            assert word(page, "Headcol")  # the header repeats
            assert verticals(page) == []


# --------------------------------------------------------------------------------------------
# Page: size, binding


@pytest.mark.parametrize("size", ["A4", "Letter", "A5"])
def test_page_size(size: str) -> None:
    style = Style(page=Page(size=size))
    data = render_pdf(document(p(FILLER)), style)
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    w, h = style.page.dimensions
    assert float(box.width) == pytest.approx(w, abs=0.01)
    assert float(box.height) == pytest.approx(h, abs=0.01)


def test_binding_margin_on_the_inner_side() -> None:
    m = Margins(left=20 * MM, right=30 * MM, binding=12 * MM)
    style = Style(page=Page(size="A4", margins=m))
    data = render_pdf(document(*[p(FILLER * 3) for _ in range(14)]), style)
    with open_pdf(data) as pdf:
        assert len(pdf.pages) >= 2
        for n, page in enumerate(pdf.pages[:2], 1):
            body = [c for c in page.chars if round(c["size"], 2) == style.sizes.base]
            x0, x1 = min(c["x0"] for c in body), max(c["x1"] for c in body)
            # odd pages: binding + left on the left; even pages: mirrored
            left = m.left + m.binding if n % 2 else m.right
            right = page.width - (m.right if n % 2 else m.left + m.binding)
            assert x0 == pytest.approx(left, abs=0.6), n
            assert right - 40 < x1 <= right + 0.5, n


# --------------------------------------------------------------------------------------------
# Cover logo


def make_logo(folder: Path, kind: str, size: tuple[int, int]) -> Path:
    if kind == "png":  # with transparency
        img = Image.new("RGBA", size, (0, 0, 0, 0))
        img.paste((31, 56, 100, 255), (0, 0, size[0] // 3, size[1]))
        path = folder / "logo.png"
    else:
        img = Image.new("RGB", size, (200, 30, 30))
        path = folder / "logo.jpg"
    img.save(path)
    return path


def title_doc() -> d.Document:
    return document(d.TitleBlock((T("Covertitle"),), (T("Coversub"),), ()), p(FILLER))


@pytest.mark.parametrize("kind,size,width_mm", [("png", (400, 160), 50), ("jpeg", (300, 300), 30)])
def test_cover_logo_above_the_title(tmp_path: Path, kind: str, size: tuple[int, int],
                                    width_mm: float) -> None:
    logo = make_logo(tmp_path, kind, size)
    style = Style(cover=Cover(logo=logo, logo_width=width_mm * MM))
    with open_pdf(render_pdf(title_doc(), style)) as pdf:
        page = pdf.pages[0]
        assert len(page.images) == 1
        img = page.images[0]
        assert img["width"] == pytest.approx(width_mm * MM, abs=0.05)
        assert img["height"] == pytest.approx(width_mm * MM * size[1] / size[0], abs=0.05)
        assert img["x0"] == pytest.approx(style.page.margins.left, abs=0.05)
        assert img["top"] == pytest.approx(style.page.margins.top, abs=0.6)  # top of the sheet
        assert img["bottom"] < word(page, "Covertitle")["top"]
        assert img["srcsize"] == size
        assert all(pg.images == [] for pg in pdf.pages[1:])
    assert render_pdf(title_doc(), style) == render_pdf(title_doc(), style)


def test_cover_logo_kept_inside_the_frame_and_without_a_title_block(tmp_path: Path) -> None:
    logo = make_logo(tmp_path, "png", (1000, 100))
    style = Style(cover=Cover(logo=logo, logo_width=400 * MM))  # wider than the page
    with open_pdf(render_pdf(document(p("Firstwords here.")), style)) as pdf:
        page = pdf.pages[0]
        frame_w = page.width - style.page.margins.left - style.page.margins.right
        img = page.images[0]
        assert img["width"] == pytest.approx(frame_w, abs=0.05)
        assert img["height"] == pytest.approx(frame_w / 10, abs=0.05)
        assert img["bottom"] < word(page, "Firstwords")["top"]
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a picture")
    with pytest.raises(BriefError, match=r"cover\.logo"):
        render_pdf(document(p("x")), Style(cover=Cover(logo=bad)))


def test_no_logo_no_image() -> None:
    with open_pdf(render_pdf(title_doc(), Style())) as pdf:
        assert all(pg.images == [] for pg in pdf.pages)


# --------------------------------------------------------------------------------------------
# Fonts


def font_doc() -> d.Document:
    return document(d.Heading(1, (T("Fontheading"),), "f", True),
                    p("Plainword ", d.Strong((T("Boldword"),)), " ", d.Emph((T("Italicword"),)),
                      " ", d.Strong((d.Emph((T("Bothword"),)),))))


def test_bundled_families_for_body_and_headings() -> None:
    style = Style(fonts={"body": "dejavu-serif", "headings": "dejavu-sans"})
    with open_pdf(render_pdf(font_doc(), style)) as pdf:
        page = pdf.pages[0]
        font = {t: word(page, t)["fontname"].split("+")[-1] for t in
                ("Fontheading", "Plainword", "Boldword", "Italicword", "Bothword")}
    assert font == {"Fontheading": "DejaVuSans-Bold", "Plainword": "DejaVuSerif",
                    "Boldword": "DejaVuSerif-Bold", "Italicword": "DejaVuSerif-Italic",
                    "Bothword": "DejaVuSerif-BoldItalic"}


def custom_style(folder: Path, body_font: str, faces: dict[str, str], *,
                 headings: str = "dejavu-serif") -> Style:
    folder.mkdir(parents=True, exist_ok=True)
    for target, bundled in faces.items():
        shutil.copy(BUNDLED["dejavu-serif" if "Serif" in bundled else "dejavu-sans"]
                    .regular.parent / bundled, folder / target)
    entries = ", ".join(f"{face}: {target}" for face, target in
                        zip(("regular", "bold", "italic", "bold_italic"), faces))
    (folder / "house.yaml").write_text(
        "extends: default\n"
        f"fonts: {{families: {{house: {{name: House, {entries}}}}}, body: {body_font}, "
        f"headings: {headings}}}\n", "utf-8")
    return load_style(folder / "house.yaml")


def test_custom_family_with_a_regular_file_only(tmp_path: Path) -> None:
    """The analyst's own TrueType file (a DejaVu Serif copied under another name) is embedded
    under its own name, even beside the bundled DejaVu Serif of the headings (same PostScript
    name, different file: never swapped for one another); bold and italic text print in it."""
    pdffonts = need_tool("pdffonts")
    style = custom_style(tmp_path / "a", "house", {"House.ttf": "DejaVuSerif.ttf"})
    assert style.fonts.body.startswith("custom-")
    data = render_pdf(font_doc(), style)
    out = tmp_path / "custom.pdf"
    out.write_bytes(data)
    rows = subprocess.run([pdffonts, str(out)], capture_output=True, text=True,
                          check=True).stdout.splitlines()[2:]
    names = {r.split()[0].split("+")[-1]: r.split() for r in rows}
    house = [n for n in names if n.startswith("DejaVuSerif-") and n != "DejaVuSerif-Bold"]
    assert len(house) == 1, names  # one embedding for all four faces of the family
    assert names[house[0]][-5:-3] == ["yes", "yes"]  # embedded, subset
    assert "DejaVuSerif-Bold" in names  # the bundled headings, embedded on their own
    assert "DejaVuSans" not in names and "DejaVuSerif" not in names
    with open_pdf(data) as pdf:
        page = pdf.pages[0]
        for t in ("Plainword", "Boldword", "Italicword", "Bothword"):
            assert word(page, t)["fontname"].split("+")[-1] == house[0], t
        assert word(page, "Fontheading")["fontname"].endswith("+DejaVuSerif-Bold")
    # the same files elsewhere give the same bytes (nothing depends on the folder)
    again = custom_style(tmp_path / "b", "house", {"House.ttf": "DejaVuSerif.ttf"})
    assert again.fonts.body != style.fonts.body
    assert render_pdf(font_doc(), again) == data


def test_custom_family_with_bold_and_italic(tmp_path: Path) -> None:
    style = custom_style(tmp_path, "house", {"H-R.ttf": "DejaVuSans.ttf",
                                             "H-B.ttf": "DejaVuSans-Bold.ttf",
                                             "H-I.ttf": "DejaVuSans-Oblique.ttf"})
    with open_pdf(render_pdf(font_doc(), style)) as pdf:
        page = pdf.pages[0]
        font = {t: word(page, t)["fontname"].split("+")[-1].rsplit("-", 1)[0] for t in
                ("Plainword", "Boldword", "Italicword", "Bothword")}
    # bold italic, absent, falls back to the bold face
    assert font == {"Plainword": "DejaVuSans", "Boldword": "DejaVuSans-Bold",
                    "Italicword": "DejaVuSans-Oblique", "Bothword": "DejaVuSans-Bold"}


# --------------------------------------------------------------------------------------------
# Notes and numbering (layout rules, as the pipeline applies them)


def notes_doc() -> d.Document:
    return document(*[p(FILLER * 2, d.Note((T(f"Notetext {i}."),))) for i in range(10)])


@pytest.mark.parametrize("notes", ["endnotes", "footnotes"])
def test_notes_setting(notes: str) -> None:
    with open_pdf(render_pdf(notes_doc(), Style(notes=notes))) as pdf:
        texts = [pg.extract_text() for pg in pdf.pages]
    where = [next(i for i, t in enumerate(texts) if f"Notetext {n}." in t) for n in range(10)]
    if notes == "endnotes":  # listed once, at the end, under a Notes heading
        first = texts[where[0]]
        assert where == sorted(where) and where[-1] == len(texts) - 1
        assert "Notes" in first and first.index("Notes") < first.index("Notetext 0.")
        assert all(t.count("Notetext") == 0 for t in texts[:where[0]])
    else:  # at the foot of the page of their mark, no list
        assert where[0] == 0 and where[-1] == len(texts) - 1 and len(texts) >= 2
        assert not any(line.strip() == "Notes" for t in texts for line in t.splitlines())


def test_numbered_paragraphs_hang_in_the_margin() -> None:
    style = load_style("uk-brief")
    doc = apply_style(document(
        d.Heading(1, (T("Firsthead"),), "first", True),
        p("Alphapara " + FILLER * 2),
        d.ListBlock(((p("Bulletitem one"),), (p("Bulletitem two"),))),
        p("Betapara " + FILLER),
        d.ListBlock(((p("Ordereditem one"),), (p("Ordereditem two"),)), ordered=True)), style)
    with open_pdf(render_pdf(doc, style)) as pdf:
        page = pdf.pages[0]
        ws = words(page)
    left = style.page.margins.left

    def at(text: str) -> dict[str, Any]:
        return next(w for w in ws if w["text"] == text)

    heading = at("Firsthead")
    # with numbered headings, a section's paragraphs are numbered within it: 1.1, 1.2
    # (issue 14: "1." then paragraph "1." read as two sequences)
    ones = [w for w in ws if w["text"] == "1."]
    assert len(ones) == 1  # the heading's number
    assert ones[0]["x0"] == pytest.approx(left, abs=0.5)  # "1. Firsthead", inline
    assert ones[0]["top"] == pytest.approx(heading["top"], abs=1) and heading["x0"] < left + 25
    number, text = at("1.1"), at("Alphapara")
    assert number["x0"] == pytest.approx(left, abs=0.5) and number["top"] > heading["top"]
    assert number["top"] == pytest.approx(text["top"], abs=0.5)
    column = text["x0"]
    assert column > left + 2 * style.sizes.base
    # every line of the paragraph (and of the next) starts at the text column
    body = [w for w in ws if w["top"] >= text["top"] - 0.5 and w["top"] < at("Bulletitem")["top"]]
    line_starts = {}
    for w in body:
        line_starts.setdefault(round(w["top"]), w["x0"])
        line_starts[round(w["top"])] = min(line_starts[round(w["top"])], w["x0"])
    assert sorted(line_starts.values())[0] == pytest.approx(left, abs=0.5)  # the number
    assert all(x == pytest.approx(column, abs=0.5) for x in sorted(line_starts.values())[1:])
    assert at("1.2")["x0"] == pytest.approx(left, abs=0.5)
    # lists stand in the text column: bullets and (a), (b) under the paragraphs' text
    bullets = [c for c in page.chars if c["text"] == "\u2022"]
    assert len(bullets) == 2 and all(c["x0"] == pytest.approx(column, abs=0.5) for c in bullets)
    assert at("(a)")["x0"] == pytest.approx(column, abs=0.5) and at("(b)")
    assert "1.3" not in [w["text"] for w in ws]  # a paragraph's points are not paragraphs


def test_numbering_off_leaves_paragraphs_flush() -> None:
    doc = document(p("1. Written by the analyst."), p("Plain."))
    with open_pdf(render_pdf(doc, Style())) as pdf:
        ws = words(pdf.pages[0])
    assert {round(w["x0"], 1) for w in ws if w["text"] in ("1.", "Plain.")} == \
        {round(22 * MM, 1)}


@pytest.mark.parametrize("scheme,label", [("tlp", "TLP:GREEN"), ("us", "UNCLASSIFIED")])
def test_marking_settings(scheme: str, label: str) -> None:
    """marking.tlp_colours, tlp_background and banner_colour reach the printed marking;
    body_notice and portion_marks (layout rules) reach the text."""
    style = Style.model_validate({
        "sizes": {"marking": 14},
        "marking": {"tlp_colours": {"TLP:GREEN": "#00AA44"}, "tlp_background": "#222244",
                    "banner_colour": "#AA0000", "body_notice": False, "portion_marks": True}})
    doc = apply_style(document(
        p("This document is marked.", role="marking"),
        d.Heading(1, (T("Markedhead"),), "m", True), p("Markedbody text."),
        marking=d.Marking(scheme, label)), style)
    with open_pdf(render_pdf(doc, style)) as pdf:
        page = pdf.pages[0]
        ws = words(page)
        marks = [w for w in ws if w["text"] == label]
        assert len(marks) == 2 and all(w["size"] == pytest.approx(14) for w in marks)
        if scheme == "tlp":
            assert all(is_colour(w["non_stroking_color"], "#00AA44") for w in marks)
            boxes = [r for r in page.rects if r["fill"]
                     and is_colour(r["non_stroking_color"], "#222244")]
            assert len(boxes) == 2  # top and bottom, behind the label
            for w in marks:
                assert any(b["x0"] < w["x0"] and b["x1"] > w["x1"] and b["top"] < w["top"]
                           and b["bottom"] > w["bottom"] for b in boxes)
        else:
            assert all(is_colour(w["non_stroking_color"], "#AA0000") for w in marks)
            text = page.extract_text()
            assert "(U) Markedhead" in text and "(U) Markedbody" in text  # portion marks
        assert "This document is marked." not in page.extract_text()  # no body notice


# --------------------------------------------------------------------------------------------
# The shipped styles, end to end (as the pipeline runs them)


@pytest.mark.parametrize("name", ["default", "uk-brief", "us-memo", "in-focus"])
def test_shipped_styles_reach_the_pdf(name: str) -> None:
    style = load_style(name)
    doc = apply_style(document(
        d.TitleBlock((T("Shippedtitle"),), (), ()),
        d.Heading(1, (T("Shippedhead"),), "s", True),
        p("Shippedbody " + FILLER), table(4)), style)
    data = render_pdf(doc, style)
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(style.page.dimensions)
    with open_pdf(data) as pdf:
        page = pdf.pages[0]
        body, head = word(page, "Shippedbody"), word(page, "Shippedhead")
        assert body["size"] == pytest.approx(style.sizes.base)
        assert head["size"] == pytest.approx(style.sizes.h1)
        serif = style.fonts.body == "dejavu-serif"
        assert ("DejaVuSerif" in body["fontname"]) is serif
        assert is_colour(body["non_stroking_color"], style.colours.text)
        assert is_colour(head["non_stroking_color"], style.colours.headings)
        has_verticals = bool(verticals(page))
        assert has_verticals is (style.tables.rules == "grid")
        assert (style.colours.table_stripe in fills([page])) is style.tables.stripes
        numbered = style.numbering.paragraphs == "decimal"
        if numbered:
            assert word(page, "1.")["x0"] < body["x0"] - 10
        else:
            assert body["x0"] == pytest.approx(style.page.margins.left, abs=0.5)


@pytest.mark.parametrize("name", sorted(available_styles()))
def test_every_role_prints_as_the_stylesheet_resolves_it(name: str) -> None:
    """The PDF's half of tests/test_stylesheet_parity.py: each text role, read back from the
    page, has the weight, slant, size and colour the resolved stylesheet gives it (captions
    italic and muted, quotes upright, sizes in half points)."""
    from briefgen.render.stylesheet import resolve
    from test_stylesheet_parity import MARKERS, pdf_looks, role_document

    style = load_style(name)
    sheet = resolve(style)
    looks = pdf_looks(render_pdf(role_document(), style))
    assert set(looks) == set(MARKERS)
    for role in MARKERS:
        want = sheet.role(role)
        _fam, bold, italic, size, colour = looks[role]
        assert (bold, italic, size, colour) == (want.bold, want.italic, want.size,
                                                want.colour.upper()), role
