"""Charts (briefgen.render.graphics): the risk matrix and the timeline as ReportLab Drawings, their
PNG, and figures in the PDF, checked by reading the Drawing's shapes and the PDF's text (pypdf,
pdffonts)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Group, String

from briefgen import document as d
from briefgen.render import graphics as g
from briefgen.render.pdf import render_pdf
from briefgen.style import Style
from conftest import SAMPLE, need_tool

DATE = dt.datetime(2023, 9, 20, 14, 30)
T = d.Text


@pytest.fixture(scope="module")
def style() -> Style:
    return Style()


@pytest.fixture(scope="module")
def sample_figures(tmp_path_factory: pytest.TempPathFactory) -> list[d.Figure]:
    """The sample brief's risk matrix and timeline, composed by a template of two figures."""
    import briefgen
    from briefgen.compose import compose

    folder = tmp_path_factory.mktemp("tpl")
    tpl = folder / "figs.xml.j2"
    tpl.write_text('<pack title="t" date="2023-09-20">'
                   '{{ risk_matrix(brief.risks, caption="Risk caption") }}'
                   '{{ timeline_chart(brief.timeline, caption="Timeline caption") }}</pack>',
                   "utf-8")
    doc = compose(briefgen.load_brief(SAMPLE), tpl)
    figs = [b for b in doc.blocks if isinstance(b, d.Figure)]
    assert [type(f.chart) for f in figs] == [d.RiskMatrix, d.Timeline]
    return figs


@pytest.fixture(scope="module")
def matrix(sample_figures: list[d.Figure]) -> d.RiskMatrix:
    chart = sample_figures[0].chart
    assert isinstance(chart, d.RiskMatrix)
    return chart


def strings(node: Drawing | Group,
            tx: tuple = (1, 0, 0, 1, 0, 0)) -> list[tuple[String, float, float]]:
    """Every String with its position in drawing coordinates (group transforms applied)."""
    out = []
    for child in node.contents:
        if isinstance(child, Group):
            a, b, c, dd, e, f = child.transform
            A, B, C, D, E, F = tx
            out.extend(strings(child, (A * a + C * b, B * a + D * b, A * c + C * dd,
                                       B * c + D * dd, A * e + C * f + E, B * e + D * f + F)))
        elif isinstance(child, String):
            A, B, C, D, E, F = tx
            out.append((child, A * child.x + C * child.y + E, B * child.x + D * child.y + F))
    return out


def shapes(node: Drawing | Group, kind: type) -> list:
    out = []
    for child in node.contents:
        if isinstance(child, Group):
            out.extend(shapes(child, kind))
        elif isinstance(child, kind):
            out.append(child)
    return out


def drawing_text(dw: Drawing) -> str:
    return " ".join(PdfReader(io.BytesIO(renderPDF.drawToString(dw))).pages[0]
                    .extract_text().split())


def hexof(colour) -> str:
    return "#" + colour.hexval()[2:].upper()


# ------------------------------------------------------------------------------------------
# Risk matrix


def test_risk_matrix_text_is_extractable(matrix: d.RiskMatrix, style: Style) -> None:
    text = drawing_text(g.drawing(matrix, style, 451))
    for word in ("Low", "Medium", "High", "Very high"):  # every band's words
        assert word in text
    for r in matrix.risks:
        assert r.label in text
    for level in (*matrix.likelihood_levels, *matrix.impact_levels):
        assert level in text, level
    assert "Likelihood" in text and "Impact" in text


def test_risk_matrix_cells_carry_band_colour_and_words(matrix: d.RiskMatrix,
                                                       style: Style) -> None:
    dw = g.drawing(matrix, style, 451)
    cells = shapes(dw, g.BandCell)
    nl, ni = len(matrix.likelihood_levels), len(matrix.impact_levels)
    assert len(cells) == nl * ni
    fills = g.band_fills(len(matrix.band_labels), style)
    assert fills == list(style.colours.risk_bands)
    texts = strings(dw)
    by_level = {}
    for c in cells:
        band = matrix.bands[c.likelihood - 1][c.impact - 1]
        assert c.band == band and c.band_label == matrix.band_labels[band]
        assert hexof(c.fillColor) == fills[band]
        inside = [s for s, x, y in texts
                  if c.x <= x <= c.x + c.width and c.y <= y <= c.y + c.height]
        words = [s.text for s in inside if s.fontName == g.faces("dejavu-sans").regular]
        assert " ".join(words) == matrix.band_labels[band]  # colour is never the only carrier
        for s in inside:  # legible on its fill
            assert g.contrast(hexof(s.fillColor), fills[band]) >= 4.5, (s.text, fills[band])
        risks = sorted(r.label for r in matrix.risks
                       if (r.likelihood, r.impact) == (c.likelihood, c.impact))
        bold = " ".join(s.text for s in inside if s.fontName.endswith("-bold")).split()
        assert sorted(bold) == risks
        by_level[(c.likelihood, c.impact)] = c
    # least likely at the bottom, least impact on the left
    assert by_level[(1, 1)].y < by_level[(nl, 1)].y
    assert by_level[(1, 1)].x < by_level[(1, ni)].x


def test_risk_matrix_fonts_and_contrast_everywhere(matrix: d.RiskMatrix, style: Style) -> None:
    dw = g.drawing(matrix, style, 300)
    fam = g.faces(style.fonts.body)
    assert dw.initialFontName == fam.regular
    for s, _x, _y in strings(dw):
        assert s.fontName in (fam.regular, fam.bold), s.fontName
        assert g.contrast(hexof(s.fillColor), "#FFFFFF") >= 4.5 or s.text in {
            c.band_label for c in shapes(dw, g.BandCell)} or re.fullmatch(r"[R\d ]+", s.text)
    assert 0 < dw.width <= 300


def test_small_matrix_odd_bands_and_undrawable_text(style: Style) -> None:
    m = d.RiskMatrix(("rare", "likely \U0001F600"), ("small", "big"), ((0, 1), (1, 2)),
                     ("Low", "Medium", "High"), (d.RiskPoint("R1", 2, 2),
                                                 d.RiskPoint("R2", 2, 2)))
    dw = g.drawing(m, style, 200)
    text = drawing_text(dw)
    assert "likely \ufffd" in text and "R1 R2" in text
    fills = g.band_fills(3, style)
    scale = style.colours.risk_bands
    assert len(set(fills)) == 3 and fills[0] == scale[0] and fills[-1] == scale[-1]
    # a style's own band colours are used
    red = style.model_copy(update={"colours": style.colours.model_copy(
        update={"risk_bands": ("#FFFFFF", "#EEEEEE", "#DDDDDD", "#CC0000")})})
    cells = shapes(g.drawing(m, red, 200), g.BandCell)
    assert {hexof(c.fillColor) for c in cells} == {"#FFFFFF", "#E6E6E6", "#CC0000"}
    for c in cells:  # white text on the dark red, dark text on the light ones
        ink = [hexof(x.fillColor) for x, sx, sy in strings(g.drawing(m, red, 200))
               if c.x <= sx <= c.x + c.width and c.y <= sy <= c.y + c.height]
        assert all(g.contrast(i, hexof(c.fillColor)) >= 4.5 for i in ink)
    assert g.ink_on("#000000", "#1A1A1A") == "#FFFFFF"
    assert g.ink_on("#FFF59D", "#1A1A1A") == "#1A1A1A"


# ------------------------------------------------------------------------------------------
# PNG


def test_png_is_deterministic_and_sized(matrix: d.RiskMatrix, style: Style) -> None:
    from PIL import Image

    dw = g.drawing(matrix, style, 451)
    first = g.png(dw, dpi=200)
    again = g.png(g.drawing(matrix, style, 451), dpi=200)
    assert first == again
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"tIME" not in first and b"tEXt" not in first
    im = Image.open(io.BytesIO(first))
    im.verify()
    im = Image.open(io.BytesIO(first))
    assert im.format == "PNG" and im.mode == "RGB"
    assert im.size == (math.ceil(round(dw.width * 200 / 72, 6)),
                       math.ceil(round(dw.height * 200 / 72, 6)))
    # it is the chart, not a blank: the band fills are there
    colours = {c for _n, c in im.getcolors(maxcolors=1 << 20)}
    for fill in style.colours.risk_bands:
        rgb = tuple(int(fill[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, fill


# ------------------------------------------------------------------------------------------
# Timeline


def test_sample_timeline_layout(sample_figures: list[d.Figure], style: Style) -> None:
    tl = sample_figures[1].chart
    assert isinstance(tl, d.Timeline)
    dw = g.drawing(tl, style, 451)
    text = drawing_text(dw)
    for e in tl.events:
        assert e.when in text
        assert " ".join(e.label.split()[:3]) in text
    # evenly spaced, in order, no text overlapping another event's
    dates = sorted(((y, s.text) for s, _x, y in strings(dw) if s.fontName.endswith("-bold")),
                   reverse=True)
    ys = [y for y, _t in dates]
    steps = {round(a - b, 3) for a, b in itertools.pairwise(ys)}
    assert len(steps) == 1, steps


def many_events(n: int) -> d.Timeline:
    start = dt.date(2023, 1, 1)
    return d.Timeline(tuple(
        d.TimelineEvent((start + dt.timedelta(days=3 * i)).strftime("%-d %B %Y"), i,
                        f"Event {i}: talks in Brussels between the two delegations, "
                        f"then a statement") for i in range(n)))


def test_timeline_of_sixty_events_fits_the_page(style: Style, tmp_path: Path) -> None:
    tl = many_events(60)
    doc = d.Document(d.Meta("Timeline", DATE, marking=d.Marking("tlp", "TLP:GREEN")), (
        d.Heading(1, (T("Chronology"),), "chron"),
        d.Figure(tl, (T("Sixty events"),), "A timeline of sixty events"),
        d.Paragraph((T("After the figure."),)),
    ))
    data = render_pdf(doc, style)
    reader = PdfReader(io.BytesIO(data))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    fig_pages = [i for i, p in enumerate(pages) if "Sixty events" in p]
    assert len(fig_pages) == 1
    page = pages[fig_pages[0]]
    assert "Chronology" in page  # the heading stays with the figure (which shrinks to fit)
    for e in tl.events:  # every date on the one page of the figure
        assert e.when in page, e.when
    assert page.index("Event 59") < page.index("Sixty events")  # the caption is below
    # the drawing stays inside the frame: its text between the header and footer rules
    width, height = style.page.dimensions
    m = style.page.margins
    ys: list[float] = []
    reader.pages[fig_pages[0]].extract_text(
        visitor_text=lambda t, cm, tm, fd, fs: ys.append(tm[5] * cm[3] + cm[5])
        if t.startswith("Event") else None)
    assert ys and min(ys) >= m.bottom - 1 and max(ys) <= height - m.top + 1


def test_timeline_columns_when_tall(style: Style) -> None:
    """Short labels: a long timeline shares its events among columns rather than grow."""
    tl = d.Timeline(tuple(d.TimelineEvent(e.when, e.position, f"Event {i}")
                          for i, e in enumerate(many_events(60).events)))
    one = g.drawing(tl, style, 451)
    cols = g.drawing(tl, style, 451, max_height=600)
    assert cols.height <= 600 < one.height
    text = drawing_text(cols)
    assert all(e.when in text and e.label in text for e in tl.events)
    xs = {round(x) for s, x, _y in strings(cols) if s.text.startswith("Event")}
    assert len(xs) >= 2


# ------------------------------------------------------------------------------------------
# Figures in the PDF


def test_figures_in_pdf_vector_fonts_embedded(sample_figures: list[d.Figure], style: Style,
                                              tmp_path: Path) -> None:
    doc = d.Document(d.Meta("Figures", DATE), (
        d.Heading(1, (T("Risks"),), "risks"), *sample_figures,
        d.Box((sample_figures[0],), (T("Boxed"),)),  # narrower: scaled to fit
    ))
    data = render_pdf(doc, style)
    path = tmp_path / "figs.pdf"
    path.write_bytes(data)
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for s in ("Risk caption", "Timeline caption", "Very high", "R1", "R2", "almost certain",
              "Catastrophic"):
        assert s in text, s
    assert text.count("almost certain") == 2
    for page in reader.pages:  # vector: no images
        assert not page.images
    out = subprocess.run([need_tool("pdffonts"), str(path)], capture_output=True, text=True,
                         check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        assert "Helvetica" not in row and row.split()[-5] == "yes", row
