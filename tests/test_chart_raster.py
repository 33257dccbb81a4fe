"""The DOCX's chart pictures (briefgen.render.chart_raster): the PDF's chart layout painted by
Pillow, checked against the PDF's own drawing (its shapes, and pdfium's picture of it), by
decoding the PNG, and in DOCX builds."""

from __future__ import annotations

import io
import json
import math
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat
from reportlab.graphics.shapes import Circle, Line, Rect

import briefgen
from briefgen import document as d
from briefgen.render import chart_raster as cr
from briefgen.render import graphics
from briefgen.render.chart_layout import Box, Ink, Text, Turned, layout
from briefgen.style import Style
from conftest import SAMPLE, rtl_charts

ROOT = Path(__file__).resolve().parents[1]
RTL_EXAMPLE = ROOT / "examples" / "briefs" / "red-sea-shipping-2024-01.yaml"
SERIF = {"fonts": {"body": "dejavu-serif", "headings": "dejavu-serif"}}

pytestmark = pytest.mark.skipif(not cr.available(), reason="Pillow without libraqm")


@pytest.fixture(scope="module")
def sample_charts(tmp_path_factory: pytest.TempPathFactory) -> list[d.Chart]:
    """The sample brief's risk matrix and timeline."""
    from briefgen.compose import compose

    tpl = tmp_path_factory.mktemp("tpl") / "figs.xml.j2"
    tpl.write_text('<pack title="t" date="2023-09-20">'
                   '{{ risk_matrix(brief.risks, caption="Risks") }}'
                   '{{ timeline_chart(brief.timeline, caption="Timeline") }}</pack>', "utf-8")
    doc = compose(briefgen.load_brief(SAMPLE), tpl)
    return [b.chart for b in doc.blocks if isinstance(b, d.Figure)]




def odd_chart() -> d.RiskMatrix:
    """A matrix with a letter no bundled font has (U+4E2D)."""
    return d.RiskMatrix(("rare", "likely"), ("small", "big 中"), ((0, 1), (1, 2)),
                        ("Low", "Medium", "High"), (), likelihood_title="Likelihood")


@pytest.fixture(scope="module")
def styles(tmp_path_factory: pytest.TempPathFactory) -> list[Style]:
    """The default style, DejaVu Serif (Arabic and Hebrew from the fallbacks), a shipped
    style, and an analyst's own family (a font with 1000 units to the em, no bold)."""
    from briefgen.style import load_style

    folder = tmp_path_factory.mktemp("own")
    shutil.copy(Path(briefgen.__file__).parent / "fonts" / "noto" / "NotoSansArabic-Regular.ttf",
                folder / "House.ttf")
    own = folder / "house.yaml"
    own.write_text("fonts:\n  families:\n    house: {name: House, regular: House.ttf}\n"
                   "  body: house\n", "utf-8")
    return [Style(), Style.model_validate(SERIF), load_style("uk-brief"), load_style(own)]


def decode(png: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(png))
    assert im.format == "PNG" and im.mode == "RGB"
    return im


def worst_tile(a: Image.Image, b: Image.Image) -> float:
    """The largest mean grey difference of two pictures over tiles of 64 x 64 pixels (each
    picture first reduced 8 times, so that the two rasterisers' glyph edges do not count but
    text in the wrong place, order or shape does)."""
    assert a.size == b.size
    a, b = a.convert("L").reduce(8), b.convert("L").reduce(8)
    diff = ImageChops.difference(a, b)
    return max(ImageStat.Stat(diff.crop((x, y, min(x + 8, a.width), min(y + 8, a.height))))
               .mean[0] for y in range(0, a.height, 8) for x in range(0, a.width, 8))


# ------------------------------------------------------------------------------------------
# The layout: the same for ReportLab's measures and briefgen's own


def test_widths_are_reportlabs(styles: list[Style]) -> None:
    """briefgen's metrics (and HarfBuzz for right-to-left runs) give, to the last bit, the
    widths ReportLab gives: the layout's line breaks cannot differ between PDF and DOCX."""
    texts = ["Likelihood (ICD 203) →", "roughly even chance", "Ağdam, Xankəndi, Ստեփանակերտ",
             "Шуша — 19 September 2023", "بيان أنصار الله, 12 January", "ים סוף closed",
             "12 يناير 2024", "R1 R2 R3", "\ufffd odd ½ ‘quotes’ …", "ﷲ ﻻ"]
    for style in styles:
        own, rl = Ink(style, cr.Metrics()), Ink(style, graphics._Measure())
        for text in texts:
            for font in (own.regular, own.bold):
                for size in (6.0, 7.6, 8.55, 9):
                    clean = own.clean(text)
                    assert clean == rl.clean(text)
                    assert own.width(clean, font, size) == rl.width(clean, font, size), \
                        (text, font, size)


def test_layout_is_the_drawings(sample_charts: list[d.Chart], styles: list[Style]) -> None:
    """Measured either way, a chart's display list is the same, and the Drawing the PDF embeds
    is that list: a band cell per Box cell, a String (or group of runs) per Text."""
    for chart in [*sample_charts, *rtl_charts()]:
        for style in styles:
            a = layout(chart, style, 451, cr.Metrics(), max_height=600)
            b = layout(chart, style, 451, graphics._Measure(), max_height=600)
            assert (a.width, a.height, a.items) == (b.width, b.height, b.items)
            dw = graphics.drawing(chart, style, 451, max_height=600)
            assert (dw.width, dw.height) == (a.width, a.height)
            cells = [it for it in a.items if isinstance(it, Box) and it.cell]
            drawn = [s for s in dw.contents[0].contents if isinstance(s, graphics.BandCell)]
            assert [(c.x, c.y, c.w, c.h, c.cell) for c in cells] == \
                [(s.x, s.y, s.width, s.height, (s.likelihood, s.impact, s.band, s.band_label))
                 for s in drawn]
            texts = [it for it in a.items if isinstance(it, Text | Turned)]
            assert len(texts) == sum(1 for s in dw.contents[0].contents
                                     if not isinstance(s, Rect | Line | Circle))


def test_undrawable_letters_print_as_replacement(sample_charts: list[d.Chart]) -> None:
    lay = layout(odd_chart(), Style(), 451, cr.Metrics())
    texts = [it.text for it in lay.items if isinstance(it, Text)]
    assert "big \ufffd" in texts and not any("中" in t for t in texts)
    ours = decode(cr.png(odd_chart(), Style(), 451, dpi=200)[0])
    pdfs = decode(graphics.png(graphics.drawing(odd_chart(), Style(), 451), dpi=200))
    assert worst_tile(ours, pdfs) < 9


def test_a_fallback_family_is_read_only_for_text_that_needs_it(
        sample_charts: list[d.Chart]) -> None:
    lay = layout(sample_charts[0], Style(), 451, cr.Metrics())
    assert lay.ink._chain == [None, None]  # Latin, Armenian: DejaVu has them all
    serif = Style.model_validate(SERIF)
    lay = layout(rtl_charts()[0], serif, 451, cr.Metrics())
    assert lay.ink._chain[0] is not None  # Arabic: Noto Sans Arabic
    assert lay.ink._chain[1] is None  # no Hebrew: Noto Sans Hebrew not read
    # the PDF's drawing registers with ReportLab only the families its text needs
    code = ("import json, sys; sys.path.insert(0, 'tests'); from test_chart_raster import "
            "rtl_charts, SERIF; from briefgen.style import Style; "
            "from briefgen.render import graphics; "
            "from reportlab.pdfbase.pdfmetrics import getRegisteredFontNames as names; "
            "graphics.drawing(rtl_charts()[0], Style.model_validate(SERIF), 451); "
            "print(json.dumps(sorted(names())))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=120)
    registered = json.loads(out.stdout.strip().splitlines()[-1])
    assert "briefgen-noto-sans-arabic" in registered
    assert "briefgen-dejavu-serif-bold" in registered
    assert not any("hebrew" in n for n in registered)


# ------------------------------------------------------------------------------------------
# The picture


def test_png_size_colours_and_bytes(sample_charts: list[d.Chart]) -> None:
    style = Style()
    matrix = sample_charts[0]
    png, w, h = cr.png(matrix, style, 451, dpi=200)
    assert png == cr.png(matrix, style, 451, dpi=200)[0]  # the same chart, the same bytes
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"tIME" not in png and b"tEXt" not in png and b"iTXt" not in png
    im = decode(png)
    lay = layout(matrix, style, 451, cr.Metrics())
    assert (w, h) == (lay.width, lay.height)
    assert im.size == (math.ceil(round(w * 200 / 72, 6)), math.ceil(round(h * 200 / 72, 6)))
    assert im.info["dpi"] == pytest.approx((200, 200), abs=0.01)
    # each cell is painted in its band's colour: a point inside it, clear of its text (the
    # bottom-left corner, inside the white stroke)
    k = 200 / 72
    fills = graphics.band_fills(len(matrix.band_labels), style)
    cells = [it for it in lay.items if isinstance(it, Box) and it.cell]
    assert len(cells) == len(matrix.likelihood_levels) * len(matrix.impact_levels)
    for c in cells:
        assert c.cell is not None
        x, y = (c.x + 3) * k, (lay.height - c.y - 3) * k
        hexa = "#{:02X}{:02X}{:02X}".format(*im.getpixel((int(x), int(y))))
        assert hexa == fills[c.cell[2]], c.cell
    # the strokes between the cells are white
    c = cells[0]
    assert im.getpixel((int((c.x + c.w) * k), int((lay.height - c.y - c.h / 2) * k))) \
        == (255, 255, 255)


def test_words_on_a_dark_band_are_white(sample_charts: list[d.Chart]) -> None:
    """The contrast rule in the picture: the dark red cells' words are painted white, the
    light cells' in the style's dark text colour."""
    matrix, style, k = sample_charts[0], dark_bands(), 200 / 72
    lay = layout(matrix, style, 451, cr.Metrics())
    im = decode(cr.png(matrix, style, 451, dpi=200)[0])
    for c in (it for it in lay.items if isinstance(it, Box) and it.cell):
        assert c.cell is not None
        inside = im.crop((math.ceil((c.x + 1) * k), math.ceil((lay.height - c.y - c.h + 1) * k),
                          int((c.x + c.w - 1) * k), int((lay.height - c.y - 1) * k)))
        darkest = min(sum(p) for _n, p in inside.getcolors(1 << 16))
        lightest = max(sum(p) for _n, p in inside.getcolors(1 << 16))
        if c.cell[2] == 3:  # "#CC0000"
            assert lightest == 3 * 255 and darkest == 0xCC
        else:
            assert darkest < 3 * 0x40


def test_a_chart_shown_smaller_is_painted_for_its_shown_size(
        sample_charts: list[d.Chart]) -> None:
    tall = d.Timeline(tuple(d.TimelineEvent(f"{i} Jan", i, f"Event {i}") for i in range(60)))
    png, w, h = cr.png(tall, Style(), 300, dpi=150, max_height=200)
    assert h == pytest.approx(200) and w < 300  # three columns, still too tall: shrunk
    im = decode(png)
    assert im.size == (math.ceil(round(w * 150 / 72, 6)), math.ceil(round(h * 150 / 72, 6)))


def dark_bands() -> Style:
    """Bands from white to a dark red (its words in white, for contrast)."""
    style = Style()
    return style.model_copy(update={"colours": style.colours.model_copy(
        update={"risk_bands": ("#FFFFFF", "#EEEEEE", "#DDDDDD", "#CC0000")})})


@pytest.mark.parametrize("which", range(4))
@pytest.mark.parametrize("look", ["sans", "serif", "dark"])
def test_the_picture_is_the_pdfs_drawing(sample_charts: list[d.Chart], which: int,
                                         look: str) -> None:
    """Pillow's picture and pdfium's picture of the PDF's drawing match everywhere, tile by
    tile: boxes, dots and rules in place and colour, each line of text where the PDF prints
    it, right-to-left runs shaped and in their order (drawing one unshaped, left to right,
    makes a tile differ by more than 12, twice the most any tile differs here)."""
    chart = [*sample_charts, *rtl_charts()][which]
    style = {"sans": Style, "serif": lambda: Style.model_validate(SERIF),
             "dark": dark_bands}[look]()
    ours = decode(cr.png(chart, style, 451, dpi=200)[0])
    pdfs = decode(graphics.png(graphics.drawing(chart, style, 451), dpi=200))
    assert worst_tile(ours, pdfs) < 9


def test_right_to_left_text_is_drawn_right_to_left() -> None:
    """The timeline's first label, a right-to-left line: "12 January", after the Arabic in
    logical order, is drawn left of it, and the Arabic run ends where the PDF's ends (drawn
    as it is shaped, not as bare letters, which are wider)."""
    tl = rtl_charts()[1]
    style = Style()
    lay = layout(tl, style, 451, cr.Metrics())
    im = decode(cr.png(tl, style, 451, dpi=200)[0]).convert("L")
    k = 200 / 72
    line = next(it for it in lay.items if isinstance(it, Text) and "January" in it.text)
    runs = cr.runs(lay.ink, line.text, line.font)
    assert [t for t, _f, _r in runs] == ["January", " ", "12", "بيان أنصار الله, "]
    assert [r for _t, _f, r in runs] == [False, True, False, True]
    widths = [cr._run_width(lay.ink, t, f, r, line.size) for t, f, r in runs]
    split = line.x + sum(widths[:-1])  # where the Arabic run starts
    base = (lay.height - line.y) * k
    band = im.crop((0, max(0, int(base - line.size * k)), im.width,
                    int(base + line.size * 0.3 * k)))
    inked = [x for x in range(int(line.x * k) - 2, im.width)
             if band.crop((x, 0, x + 1, band.height)).getextrema()[0] < 128]
    assert inked[0] == pytest.approx(line.x * k, abs=4)
    assert any(x < split * k - 10 for x in inked) and any(x > split * k + 10 for x in inked)
    # the bare letters, unshaped, are wider than the shaped run
    bare = cr._plain_width(lay.ink.files[runs[-1][1]], runs[-1][0], line.size)
    assert bare > widths[-1] + 2
    assert inked[-1] == pytest.approx((split + widths[-1]) * k, abs=4)


# ------------------------------------------------------------------------------------------
# DOCX builds


def _pictures(docx: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return [z.read(n) for n in sorted(z.namelist()) if n.startswith("word/media/")]


@pytest.mark.parametrize("brief", [SAMPLE, str(RTL_EXAMPLE)])
def test_docx_chart_is_deterministic_and_at_print_resolution(brief: str) -> None:
    first = briefgen.build(brief, formats="docx")
    again = briefgen.build(brief, formats="docx")
    assert first.docx is not None and again.docx is not None
    a, b = _pictures(first.docx), _pictures(again.docx)
    assert a and a == b
    for png in a:
        im = decode(png)
        assert im.info["dpi"] == pytest.approx((200, 200), abs=0.01)
        assert len(im.getcolors(1 << 20) or ()) > 10  # a chart, not a blank


def test_without_libraqm_the_docx_shows_the_pdfs_drawing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A Pillow that cannot shape text: the DOCX's picture is pdfium's of the PDF's drawing
    (as before the Pillow painter): another picture of the same chart, at the same size."""
    painted = briefgen.build(SAMPLE, formats="docx").docx
    monkeypatch.setattr(cr, "available", lambda: False)
    rasterised = briefgen.build(SAMPLE, formats="docx").docx
    assert painted is not None and rasterised is not None
    [ours], [pdfs] = _pictures(painted), _pictures(rasterised)
    assert ours != pdfs
    assert worst_tile(decode(ours), decode(pdfs)) < 9


@pytest.mark.parametrize("title", ["Likelihood", "Likelihood (PHIA probability yardstick)",
                                   "Likelihood as assessed on the Professional Head of "
                                   "Intelligence Assessment probability yardstick"])
def test_the_likelihood_title_fits_beside_the_grid(title: str) -> None:
    """The rotated likelihood title is never longer than the grid is tall (var-uk's PHIA title
    ran up past the matrix into the table above in the PDF, and was cut off in the DOCX's
    picture): a long one takes two lines or more, each within the grid's height."""
    m = d.RiskMatrix(("remote chance", "unlikely", "realistic possibility", "likely",
                      "almost certain"), ("Minor", "Moderate", "Severe"),
                     ((0, 0, 1), (0, 1, 1), (1, 1, 2), (1, 2, 2), (2, 2, 2)),
                     ("Low", "Medium", "High"), (), likelihood_title=title)
    lay = layout(m, Style(), 451, cr.Metrics())
    grid = next(it for it in lay.items if isinstance(it, Box) and it.fill is None)
    turned = [it for it in lay.items if isinstance(it, Turned)]
    assert len(turned) == 1
    lines = turned[0].items
    assert " ".join(t.text for t in lines).startswith(title)
    ink = lay.ink
    for t in lines:
        assert ink.width(t.text, t.font, t.size) <= grid.h + 1e-6
    # the lines sit side by side, left of the grid and inside the picture
    xs = [turned[0].transform[4] - t.y for t in lines]
    assert all(0 < x < grid.x for x in xs) and xs == sorted(xs)
    assert (len(lines) > 1) == (len(title) > 30)  # (one line where one fits)
