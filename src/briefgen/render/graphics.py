"""Charts drawn from data: a :class:`~briefgen.document.RiskMatrix` or a
:class:`~briefgen.document.Timeline` as a ReportLab ``Drawing``, shared by both renderers.

* :func:`drawing` lays a chart out for a given width (points) in a style's fonts, sizes and
  colours. The PDF renderer embeds the Drawing as vector graphics; the DOCX renderer, which
  cannot hold vectors, embeds :func:`png` of it.
* :func:`png` rasterises a Drawing without cairo: ReportLab writes a one-page PDF of it
  (``renderPDF.drawToString``), pdfium renders that page, Pillow writes the PNG with fixed
  settings (no time stamp, no text chunks), so the same Drawing gives the same bytes.

Rules both charts keep: every string is in the style's registered TrueType families (never
ReportLab's default Helvetica); characters the fonts cannot draw print as U+FFFD, not as an
invisible box; colour never carries meaning alone (each risk-matrix cell prints its band's
words); every text colour has a contrast of at least 4.5:1 on the fill under it.

Band colours: the style's ``colours.risk_bands`` (pastel green, yellow, amber and red by
default; :data:`BAND_FILLS` when a style lacks the field); fewer or more bands than four take
evenly spaced colours along that scale.
"""

from __future__ import annotations

import math
import struct
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.validators import isInt, isString
from reportlab.pdfbase import pdfmetrics

from .. import document as d
from ..errors import RenderError
from ..fonts import BUNDLED, coverage, family, file_digest
from ..style import Style
from .bidi import has_rtl

__all__ = ["BAND_FILLS", "BandCell", "Faces", "band_fills", "contrast", "drawing", "faces",
           "ink_on", "png"]

BAND_FILLS: tuple[str, ...] = ("#C6E7C1", "#FFF2A8", "#FFD08A", "#F4A6A0")
"""Risk-band fills, least severe first (pastel green, yellow, amber, red), for a style without
``colours.risk_bands`` (the same values as that field's default)."""

# --------------------------------------------------------------------------------------------
# Fonts: registered once per process (the PDF renderer uses the same names)


@dataclass(frozen=True)
class Faces:
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
# Colours


def _rgb(hexcolour: str) -> tuple[float, float, float]:
    c = colors.HexColor(hexcolour)
    return c.red, c.green, c.blue


def _luminance(rgb: tuple[float, float, float]) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = _luminance(_rgb(a)), _luminance(_rgb(b))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def ink_on(fill: str, preferred: str) -> str:
    """``preferred`` if it reaches 4.5:1 on ``fill``, else black or white, whichever is
    stronger."""
    if contrast(preferred, fill) >= 4.5:
        return preferred
    return "#000000" if contrast("#000000", fill) >= contrast("#FFFFFF", fill) else "#FFFFFF"


def band_fills(n: int, style: Style | None = None) -> list[str]:
    """``n`` band fills, least severe first: the scale itself for four bands, otherwise
    evenly spaced colours along it (interpolated)."""
    scale = list(getattr(getattr(style, "colours", None), "risk_bands", None) or BAND_FILLS)
    if n <= 0:
        return []
    if n == len(scale):
        return scale
    if n == 1:
        return [scale[0]]
    out = []
    for k in range(n):
        t = k * (len(scale) - 1) / (n - 1)
        i = min(int(t), len(scale) - 2)
        f = t - i
        a, b = _rgb(scale[i]), _rgb(scale[i + 1])
        out.append("#" + "".join(f"{round(255 * (x + (y - x) * f)):02X}" for x, y in zip(a, b)))
    return out


def _hex_colour(c: str) -> colors.Color:
    return colors.HexColor(c)


# --------------------------------------------------------------------------------------------
# Text


class _Ink:
    """The fonts and sizes of one chart, and text measuring and wrapping in them."""

    def __init__(self, style: Style, shaped: bool = True):
        self.shaped = shaped
        body = faces(style, "body")
        self.regular, self.bold = body.regular, body.bold
        fam = style.fonts.family("body")
        self.cov = self.own = coverage(fam.regular) & coverage(fam.bold)
        # the fallback families (faces and characters), for letters the body lacks
        self.chain: list[tuple[frozenset[int], str, str]] = []
        for key in style.fonts.fallbacks:
            ff, fb = faces(key), family(key)
            self.chain.append((coverage(fb.regular) & coverage(fb.bold), ff.regular, ff.bold))
        if self.chain:
            self.cov = self.own.union(*(c for c, _, _ in self.chain))
        # text is drawn on white outside the cells: keep 4.5:1 there too, whatever the style
        self.text = ink_on("#FFFFFF", style.colours.text)
        self.rule = style.colours.rule
        self.headings = ink_on("#FFFFFF", style.colours.headings)
        small = style.sizes.small
        self.label = round(small * 0.95, 2)  # level labels, timeline text
        self.band = round(max(6.0, small * 0.8), 2)  # band words inside cells
        self.risk = small  # risk labels
        self.title = small  # axis titles
        self.leading = 1.22

    def clean(self, text: str) -> str:
        """One line of drawable text: whitespace collapsed, undrawable characters as U+FFFD
        (or "?" in a font without it)."""
        text = " ".join(text.split())
        cov = self.cov
        bad = "\ufffd" if 0xFFFD in cov else "?"
        return "".join(c if ord(c) <= 0xFFFF and ord(c) in cov else bad for c in text)

    def arrow(self) -> str:
        """The axis titles' arrow, where the font has one."""
        return " \u2192" if 0x2192 in self.cov else ""

    def face(self, c: str, font: str) -> str:
        """The face a character is drawn in: ``font`` (the body's regular or bold) when the
        body has it, else the same weight of the first fallback family that has it."""
        if ord(c) in self.own:
            return font
        for chars, regular, bold in self.chain:
            if ord(c) in chars:
                return bold if font == self.bold else regular
        return font

    def runs(self, text: str, font: str, size: float) -> list[tuple[str, str]] | None:
        """One line cut into runs of one face and one direction, in visual order, a
        right-to-left run shaped (joined, in visual order): ``[(text, face), ...]``. None for
        a line in the body's face with no right-to-left letter (drawn as it is)."""
        if not has_rtl(text) and all(ord(c) in self.own for c in text):
            return None
        from .pdf.shaping import line_runs

        return line_runs(text, size, lambda c: self.face(c, font))

    def width(self, text: str, font: str, size: float) -> float:
        runs = self.runs(text, font, size)
        if runs is None:
            return pdfmetrics.stringWidth(text, font, size)
        from .pdf.shaping import run_width

        return sum(run_width(t, f, size) for t, f in runs)

    def wrap(self, text: str, font: str, size: float, width: float) -> list[str]:
        """Lines of at most ``width`` points, broken at spaces (a word longer than a line is
        broken between characters). Never drops text."""
        words = self.clean(text).split(" ")
        lines: list[str] = []
        line = ""
        for word in words:
            if not word:
                continue
            cand = f"{line} {word}" if line else word
            if self.width(cand, font, size) <= width:
                line = cand
                continue
            if line:
                lines.append(line)
            while self.width(word, font, size) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and self.width(word[:cut], font, size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            lines.append(line)
        return lines or [""]


def _string(ink: _Ink, x: float, y: float, text: str, font: str, size: float, colour: str,
            anchor: str = "start") -> String | Group:
    """One line of text at ``x`` (its start, middle or end): a String, or, for a line with
    right-to-left letters or letters from a fallback family, a Group of Strings, one per
    run, placed in visual order and shaped. (A drawing for SVG, ``shaped=False``, keeps the
    line as one String of logical text: the browser shapes and orders it.)"""
    runs = None if not ink.shaped else ink.runs(text, font, size)
    if runs is None:
        return String(x, y, text, fontName=font, fontSize=size, fillColor=_hex_colour(colour),
                      textAnchor=anchor)
    from .pdf.shaping import run_width

    widths = [run_width(t, f, size) for t, f in runs]
    total = sum(widths)
    at = x - (total if anchor == "end" else total / 2 if anchor == "middle" else 0)
    g = Group()
    for (t, f), w in zip(runs, widths, strict=True):
        g.add(String(at, y, t, fontName=f, fontSize=size, fillColor=_hex_colour(colour)))
        at += w
    return g


def _lines(ink: _Ink, group: Group, lines: Sequence[str], x: float, top: float, font: str,
           size: float, leading: float, colour: str, anchor: str = "start") -> None:
    """Lines whose first line's top is at ``top`` (baselines below it)."""
    for k, text in enumerate(lines):
        base = top - size * 0.8 - k * size * leading
        group.add(_string(ink, x, base, text, font, size, colour, anchor))


# --------------------------------------------------------------------------------------------
# The risk matrix


class BandCell(Rect):
    """A risk-matrix cell: a Rect that knows its levels (1-based) and band (an index into the
    chart's ``band_labels``), so tests and other renderers can read the chart back."""

    # ReportLab's attribute checking reads this name
    _attrMap = AttrMap(BASE=Rect, likelihood=AttrMapValue(isInt), impact=AttrMapValue(isInt),  # noqa: N815
                       band=AttrMapValue(isInt), band_label=AttrMapValue(isString))


def _risk_matrix(m: d.RiskMatrix, style: Style, width: float, shaped: bool = True) -> Drawing:
    ink = _Ink(style, shaped)
    nl, ni = len(m.likelihood_levels), len(m.impact_levels)
    lead = ink.leading
    fills = band_fills(len(m.band_labels), style)
    title_col = ink.title * 1.6  # the rotated likelihood title
    label_max = max(40.0, width * 0.24)
    l_lines = [ink.wrap(t, ink.regular, ink.label, label_max - 6) for t in m.likelihood_levels]
    label_w = min(label_max, 6 + max((ink.width(s, ink.regular, ink.label)
                                      for ls in l_lines for s in ls), default=0))
    gx = title_col + label_w
    gw = max(width - gx - 1, 10.0 * max(ni, 1))
    cw = gw / max(ni, 1)

    # what each cell prints: its band's words, then the risks placed in it
    placed: dict[tuple[int, int], list[str]] = {}
    for r in m.risks:
        placed.setdefault((r.likelihood, r.impact), []).append(r.label)
    cells: dict[tuple[int, int], tuple[list[str], list[str]]] = {}
    # rows as tall as their fullest cell (a row crowded with risks does not stretch the others),
    # at least as tall as a cell with one line of risks
    least = 5 + ink.band * lead + 2 + ink.risk * lead + 3
    heights: list[float] = []
    for li in range(1, nl + 1):
        need = max(least, len(l_lines[li - 1]) * ink.label * lead + 6)
        for ii in range(1, ni + 1):
            band = m.bands[li - 1][ii - 1]
            words = ink.wrap(m.band_labels[band], ink.regular, ink.band, cw - 4)
            risks = ink.wrap(" ".join(placed.get((li, ii), [])), ink.bold, ink.risk, cw - 4) \
                if (li, ii) in placed else []
            cells[(li, ii)] = (words, risks)
            need = max(need, 5 + len(words) * ink.band * lead + 2
                       + len(risks) * ink.risk * lead + 3)
        heights.append(need)
    bottoms = [sum(heights[:k]) for k in range(nl)]  # of each row, above the grid's foot
    grid_h = sum(heights)

    i_lines = [ink.wrap(t, ink.regular, ink.label, cw - 2) for t in m.impact_levels]
    il_h = 4 + max((len(x) for x in i_lines), default=1) * ink.label * lead
    title_h = ink.title * 1.7
    y0 = title_h + il_h
    height = y0 + grid_h + 2
    dw = Drawing(width, height, initialFontName=ink.regular, initialFontSize=ink.label)
    g = Group()

    for li in range(1, nl + 1):
        y = y0 + bottoms[li - 1]
        rh = heights[li - 1]
        for ii in range(1, ni + 1):
            x = gx + (ii - 1) * cw
            band = m.bands[li - 1][ii - 1]
            fill = fills[band]
            g.add(BandCell(x, y, cw, rh, fillColor=_hex_colour(fill),
                           strokeColor=colors.white, strokeWidth=1.2, likelihood=li,
                           impact=ii, band=band, band_label=m.band_labels[band]))
            words, risks = cells[(li, ii)]
            fg = ink_on(fill, ink.text)
            _lines(ink, g, words, x + cw / 2, y + rh - 4, ink.regular, ink.band, lead, fg, "middle")
            if risks:
                block = len(risks) * ink.risk * lead
                below = y + rh - 4 - len(words) * ink.band * lead  # under the band's words
                top = y + 2 + (below - y - 2 + block) / 2
                _lines(ink, g, risks, x + cw / 2, top, ink.bold, ink.risk, lead, fg, "middle")
        # the level's label, right-aligned beside its row, centred on it
        ls = l_lines[li - 1]
        block = len(ls) * ink.label * lead
        _lines(ink, g, ls, gx - 5, y + rh / 2 + block / 2, ink.regular, ink.label, lead,
               ink.text, "end")
    g.add(Rect(gx, y0, cw * ni, grid_h, fillColor=None, strokeColor=_hex_colour(ink.rule),
               strokeWidth=0.6))
    for ii, ls in enumerate(i_lines, 1):
        _lines(ink, g, ls, gx + (ii - 0.5) * cw, y0 - 3, ink.regular, ink.label, lead, ink.text,
               "middle")
    # axis titles: impact under the grid, likelihood rotated up its left side
    g.add(_string(ink, gx + cw * ni / 2, ink.title * 0.45, ink.clean(m.impact_title) + ink.arrow(),
                  ink.bold, ink.title, ink.headings, "middle"))
    ltitle = Group(_string(ink, 0, 0, ink.clean(m.likelihood_title) + ink.arrow(), ink.bold,
                           ink.title, ink.headings, "middle"))
    ltitle.transform = (0, 1, -1, 0, ink.title * 1.05, y0 + grid_h / 2)
    g.add(ltitle)
    dw.add(g)
    return dw


# --------------------------------------------------------------------------------------------
# The timeline


def _timeline(t: d.Timeline, style: Style, width: float, max_height: float | None,
              shaped: bool = True) -> Drawing:
    """A vertical timeline: a line with a dot per event, the date left of it, the label right
    of it; events in order of ``position``, evenly spaced (at the height of the tallest).
    When ``max_height`` is given and one column would be taller, the events are shared among
    up to three columns side by side."""
    ink = _Ink(style, shaped)
    events = sorted(t.events, key=lambda e: e.position)  # stable: ties keep document order
    n = len(events)
    best = None
    for ncols in (1, 2, 3):
        if ncols > max(n, 1):
            break
        layout = _timeline_layout(events, ink, width, ncols)
        if best is None or layout[0] < best[0]:
            best = layout
        if max_height is None or layout[0] <= max_height:
            best = layout
            break
    assert best is not None
    height, columns = best
    dw = Drawing(width, height, initialFontName=ink.regular, initialFontSize=ink.label)
    g = Group()
    line = _hex_colour(ink.rule)
    dot = _hex_colour(ink.headings)
    for x0, _col_w, when_w, pitch, rows in columns:
        if not rows:
            continue
        line_x = x0 + when_w + 9
        label_x = line_x + 9
        first_mid = height - 1 - ink.label * 0.45
        last_mid = first_mid - (len(rows) - 1) * pitch
        g.add(Line(line_x, first_mid + ink.label * 0.6, line_x, last_mid - ink.label * 0.6,
                   strokeColor=line, strokeWidth=1.2))
        for k, (when, label) in enumerate(rows):
            top = height - 2 - k * pitch
            mid = top + 1 - ink.label * 0.45  # half the cap height above the first baseline
            g.add(Circle(line_x, mid, 2.6, fillColor=dot, strokeColor=colors.white,
                         strokeWidth=0.8))
            _lines(ink, g, when, line_x - 9, top + 1, ink.bold, ink.label, ink.leading, ink.text,
                   "end")
            _lines(ink, g, label, label_x, top + 1, ink.regular, ink.label, ink.leading, ink.text)
    dw.add(g)
    return dw


def _timeline_layout(events: list[d.TimelineEvent], ink: _Ink, width: float, ncols: int
                     ) -> tuple[float, list[tuple[float, float, float, float, list]]]:
    gap = 14.0
    col_w = (width - 2 - gap * (ncols - 1)) / ncols
    per = math.ceil(len(events) / ncols) if events else 0
    # the date column: wide enough for the widest word of a date, at most the widest date and
    # 60% of the column; of a few widths, the one that needs the fewest lines per event
    whens = [ink.clean(e.when) for e in events]
    widest_word = max((ink.width(w, ink.bold, ink.label) for x in whens for w in x.split(" ")),
                      default=0)
    widest = max((ink.width(x, ink.bold, ink.label) for x in whens), default=0)
    hi = max(widest_word, min(widest, col_w * 0.6))
    candidates = sorted({min(max(widest_word, f * col_w), hi) for f in (0.3, 0.4, 0.5, 0.6)}
                        | {hi})
    best: tuple[int, float, list] | None = None
    for when_w in candidates:
        label_w = max(col_w - when_w - 18, 20)
        rows = [(ink.wrap(x, ink.bold, ink.label, when_w + 0.01),
                 ink.wrap(e.label, ink.regular, ink.label, label_w))
                for x, e in zip(whens, events)]
        lines = max((max(len(a), len(b)) for a, b in rows), default=1)
        if best is None or lines < best[0]:
            best = (lines, when_w, rows)
    assert best is not None
    lines, when_w, rows_all = best
    pitch = lines * ink.label * ink.leading + ink.label * 0.7
    columns = []
    for c in range(ncols):
        rows = rows_all[c * per:(c + 1) * per]
        columns.append((2 + c * (col_w + gap), col_w, when_w, pitch, rows))
    height = max(per, 1) * pitch + 2
    return height, columns


# --------------------------------------------------------------------------------------------
# The API


def drawing(chart: d.Chart, style: Style, width: float, *,
            max_height: float | None = None, shaped: bool = True) -> Drawing:
    """The chart laid out ``width`` points wide (its height follows from the data).
    ``max_height`` lets a long timeline use columns rather than grow taller than a page;
    the caller still scales a drawing that remains too tall. ``shaped=False`` (for SVG, which
    the browser shapes and orders itself) keeps right-to-left lines in logical order."""
    if isinstance(chart, d.RiskMatrix):
        return _risk_matrix(chart, style, width, shaped)
    if isinstance(chart, d.Timeline):
        return _timeline(chart, style, width, max_height, shaped)
    raise TypeError(f"no drawing for {type(chart).__name__}")


def png(dw: Drawing, dpi: int = 200, scale: float = 1.0) -> bytes:
    """The Drawing, shown ``scale`` times its size, as PNG bytes at ``dpi`` (an RGB image on
    white, ``ceil`` of the shown size in pixels): the same Drawing gives the same bytes."""
    import pypdfium2 as pdfium

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
    return _png_rgb(pixels, width, height, stride, dpi)


def _png_rgb(pixels: bytes, width: int, height: int, stride: int, dpi: int) -> bytes:
    """8-bit RGB rows as a PNG file, each row unfiltered (filter type 0). Pillow's encoder
    always tries every filter on every row of an RGB image: for a chart (flat colours) that
    triples the time for a file no smaller, so the few chunks are written here."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    row = width * 3
    raw = b"".join(b"\0" + pixels[y * stride:y * stride + row] for y in range(height))
    per_metre = round(dpi / 0.0254)
    return b"".join((b"\x89PNG\r\n\x1a\n",
                     chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
                     chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
                     chunk(b"IDAT", zlib.compress(raw, 3)),
                     chunk(b"IEND", b"")))
