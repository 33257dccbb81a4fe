"""Charts drawn from data as ReportLab Drawings: a :class:`~briefgen.document.RiskMatrix`
or a :class:`~briefgen.document.Timeline`, laid out by :mod:`briefgen.render.chart_layout` and
drawn here in ReportLab's shapes, for the PDF (vector graphics) and the HTML edition (SVG).
The DOCX, which cannot hold vectors, embeds the same layout rasterised by
:mod:`briefgen.render.chart_raster` (Pillow), without ReportLab.

* :func:`drawing` lays a chart out for a given width (points) in a style's fonts, sizes and
  colours, its text measured as ReportLab sets it (``stringWidth``, HarfBuzz shaping).
* :func:`png` rasterises a Drawing through pdfium (ReportLab writes a one-page PDF of it,
  pdfium renders that page): the PDF's own picture of a chart, against which the DOCX's
  picture is checked, and the DOCX's picture where Pillow cannot shape text (no libraqm).
* :func:`faces` registers a style's families with ReportLab (the PDF renderer uses the same
  names).

The rules both charts keep (fonts, U+FFFD for undrawable characters, band words, contrast)
and the band colours are described in :mod:`briefgen.render.chart_layout`.
"""

from __future__ import annotations

import threading
from typing import Literal

import msgspec
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.validators import isInt, isString
from reportlab.pdfbase import pdfmetrics

from .. import document as d
from ..errors import RenderError
from ..fonts import BUNDLED, family, file_digest
from ..style import Style
from .chart_layout import (
    BAND_FILLS,
    WHITE,
    Box,
    Dot,
    Ink,
    Layout,
    Rule,
    Text,
    band_fills,
    contrast,
    ink_on,
    layout,
)

__all__ = ["BAND_FILLS", "BandCell", "Faces", "band_fills", "contrast", "drawing", "faces",
           "ink_on", "png"]

# --------------------------------------------------------------------------------------------
# Fonts: registered once per process (the PDF renderer uses the same names)


class Faces(msgspec.Struct, frozen=True):
    """ReportLab names of a registered family's four faces."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


_FONT_LOCK = threading.Lock()
_FONTS: dict[tuple[str, ...], Faces] = {}  # ReportLab's registry is per process: register once


def faces(style: Style | str, slot: Literal["body", "headings"] | None = None) -> Faces:
    """The ReportLab names of the faces of a style's ``body`` or ``headings`` family
    (``faces(style, "body")``; a family key, ``faces(style.fonts.body)``, works too),
    registering the family (TrueType, embedded as a subset) the first time it is drawn with:
    ``briefgen-<key>``, ``briefgen-<key>-bold``, ``-italic``, ``-bolditalic``, for a bundled
    family (``dejavu-sans``) as for the analyst's own (``custom-<hex>``, see
    :class:`briefgen.fonts.FamilyKey`). The style carries the family's files; the registration
    is remembered per process by key and the files' content, so a font file changed on disk
    is registered again.

    A face the analyst's family lacks repeats the regular file (so bold text prints in the
    regular face: nothing is faked or borrowed from another family); its name still maps to
    that face alone, so ``<b>`` and ``<i>`` resolve as in any family, and ReportLab embeds the
    file once (it shares one font object between files of the same PostScript name).

    That sharing is also why an analyst's face is registered under its PostScript name *plus a
    digest of the file* (``DejaVuSerif-1a2b3c4d``, the name the PDF shows): a file of its own
    that happens to share a name with another (a bundled DejaVu, or another style's version of
    the same font) would otherwise be silently swapped for whichever was registered first in the
    process, and the bytes of a pack would depend on what the process had rendered before."""
    if isinstance(style, str):
        fam = family(style)
    else:
        fam = style.fonts.family(slot or "body")
    key = fam.key
    own = key not in BUNDLED or fam is not BUNDLED[key]
    paths = (fam.regular, fam.bold, fam.italic, fam.bold_italic)
    digests = tuple(file_digest(p) for p in paths) if own else ()
    with _FONT_LOCK:
        found = _FONTS.get((key, *digests))
        if found is not None:
            return found
        from .pdf.ttfonts import Font  # (a face is read when first drawn with)

        base = f"briefgen-{key}"
        found = Faces(base, f"{base}-bold", f"{base}-italic", f"{base}-bolditalic")
        for i, (name, path) in enumerate(zip((found.regular, found.bold, found.italic,
                                              found.bold_italic), paths)):
            font = Font(name, str(path))
            if own:
                font.face.name = font.face.name + b"-" + digests[i][:8].encode("ascii")
            pdfmetrics.registerFont(font)
        pdfmetrics.registerFontFamily(base, normal=found.regular, bold=found.bold,
                                      italic=found.italic, boldItalic=found.bold_italic)
        _FONTS[(key, *digests)] = found
        return found


# --------------------------------------------------------------------------------------------
# The layout's display list as a Drawing


def _hex_colour(c: str) -> colors.Color:
    return colors.white if c == WHITE else colors.HexColor(c)


class _Measure:
    """Text measured as ReportLab draws it: ``stringWidth``, or for a line with right-to-left
    letters or letters from a fallback family, its runs shaped by
    :func:`briefgen.render.pdf.shaping.line_runs`; a family is registered when first used."""

    def use(self, key: str) -> None:
        faces(key)

    def width(self, ink: Ink, text: str, font: str, size: float) -> float:
        runs = _runs(ink, text, font, size)
        if runs is None:
            return pdfmetrics.stringWidth(text, font, size)
        from .pdf.shaping import run_width

        return sum(run_width(t, f, size) for t, f in runs)


def _runs(ink: Ink, text: str, font: str, size: float) -> list[tuple[str, str]] | None:
    """One line cut into runs of one face and one direction, in visual order, a
    right-to-left run shaped (joined, in visual order): ``[(text, face), ...]``. None for
    a line in the body's face with no right-to-left letter (drawn as it is)."""
    if ink.plain(text):
        return None
    from .pdf.shaping import line_runs

    return line_runs(text, size, lambda c: ink.face(c, font))


def _string(ink: Ink, t: Text, shaped: bool) -> String | Group:
    """One line of text at ``x`` (its start, middle or end): a String, or, for a line with
    right-to-left letters or letters from a fallback family, a Group of Strings, one per
    run, placed in visual order and shaped. (A drawing for SVG, ``shaped=False``, keeps the
    line as one String of logical text: the browser shapes and orders it.)"""
    runs = None if not shaped else _runs(ink, t.text, t.font, t.size)
    if runs is None:
        return String(t.x, t.y, t.text, fontName=t.font, fontSize=t.size,
                      fillColor=_hex_colour(t.colour), textAnchor=t.anchor)
    from .pdf.shaping import run_width

    widths = [run_width(s, f, t.size) for s, f in runs]
    total = sum(widths)
    at = t.x - (total if t.anchor == "end" else total / 2 if t.anchor == "middle" else 0)
    g = Group()
    for (s, f), w in zip(runs, widths, strict=True):
        g.add(String(at, t.y, s, fontName=f, fontSize=t.size, fillColor=_hex_colour(t.colour)))
        at += w
    return g


class BandCell(Rect):
    """A risk-matrix cell: a Rect that knows its levels (1-based) and band (an index into the
    chart's ``band_labels``), so tests and other renderers can read the chart back."""

    # ReportLab's attribute checking reads this name
    _attrMap = AttrMap(BASE=Rect, likelihood=AttrMapValue(isInt), impact=AttrMapValue(isInt),  # noqa: N815
                       band=AttrMapValue(isInt), band_label=AttrMapValue(isString))


def _drawing(lay: Layout, shaped: bool) -> Drawing:
    ink = lay.ink
    dw = Drawing(lay.width, lay.height, initialFontName=ink.regular, initialFontSize=ink.label)
    g = Group()
    for it in lay.items:
        if isinstance(it, Text):
            g.add(_string(ink, it, shaped))
        elif isinstance(it, Box):
            fill = None if it.fill is None else _hex_colour(it.fill)
            if it.cell is not None:
                li, ii, band, label = it.cell
                g.add(BandCell(it.x, it.y, it.w, it.h, fillColor=fill,
                               strokeColor=_hex_colour(it.stroke), strokeWidth=it.stroke_width,
                               likelihood=li, impact=ii, band=band, band_label=label))
            else:
                g.add(Rect(it.x, it.y, it.w, it.h, fillColor=fill,
                           strokeColor=_hex_colour(it.stroke), strokeWidth=it.stroke_width))
        elif isinstance(it, Rule):
            g.add(Line(it.x1, it.y1, it.x2, it.y2, strokeColor=_hex_colour(it.colour),
                       strokeWidth=it.width))
        elif isinstance(it, Dot):
            g.add(Circle(it.cx, it.cy, it.r, fillColor=_hex_colour(it.fill),
                         strokeColor=_hex_colour(it.stroke), strokeWidth=it.stroke_width))
        else:
            turned = Group(*(_string(ink, t, shaped) for t in it.items))
            turned.transform = it.transform
            g.add(turned)
    dw.add(g)
    return dw


# --------------------------------------------------------------------------------------------
# The API


def drawing(chart: d.Chart, style: Style, width: float, *,
            max_height: float | None = None, shaped: bool = True) -> Drawing:
    """The chart laid out ``width`` points wide (its height follows from the data).
    ``max_height`` lets a long timeline use columns rather than grow taller than a page;
    the caller still scales a drawing that remains too tall. ``shaped=False`` (for SVG, which
    the browser shapes and orders itself) keeps right-to-left lines in logical order."""
    return _drawing(layout(chart, style, width, _Measure(), max_height=max_height), shaped)


def png(dw: Drawing, dpi: int = 200, scale: float = 1.0) -> bytes:
    """The Drawing, shown ``scale`` times its size, as PNG bytes at ``dpi`` (an RGB image on
    white, ``ceil`` of the shown size in pixels): the same Drawing gives the same bytes."""
    import pypdfium2 as pdfium

    from .chart_raster import png_rgb

    pdf = renderPDF.drawToString(dw)
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        bitmap = page.render(scale=dpi / 72.0 * scale, fill_color=(255, 255, 255, 255),
                             may_draw_forms=False, rev_byteorder=True)  # RGB, no alpha
        if bitmap.mode != "RGB":
            raise RenderError(f"pdfium rendered a chart as {bitmap.mode}, not RGB")
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        pixels = bytes(bitmap.buffer)
        page.close()
    finally:
        doc.close()
    return png_rgb(pixels, width, height, stride, dpi)
