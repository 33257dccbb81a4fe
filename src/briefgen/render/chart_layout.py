"""Charts laid out without a drawing library: a :class:`~briefgen.document.RiskMatrix` or a
:class:`~briefgen.document.Timeline` as a :class:`Layout`, a small display list (boxes, rules,
dots, lines of text) in points, origin at the bottom left, y upwards, that each renderer draws
with its own means: :mod:`briefgen.render.graphics` turns it into a ReportLab ``Drawing`` (the
PDF's vector figure, the HTML edition's SVG), :mod:`briefgen.render.chart_raster` into the
DOCX's PNG with Pillow, so a DOCX build imports neither ReportLab nor pdfium.

Text is measured by a :class:`Measure` the caller gives: ReportLab's own ``stringWidth`` and
shaping for the vector drawing, briefgen's TrueType metrics (:mod:`briefgen.fonts`) and HarfBuzz
for the raster one; both give the same widths (``tests/test_chart_raster.py`` checks), so the
layout, its line breaks included, is the same in every format. A line of text in the display
list is logical text in one weight (the body's regular or bold); the renderer cuts it into
runs of one face and one direction (a letter the body lacks in the first fallback family that
has it) and shapes the right-to-left ones.

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
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

import msgspec

from .. import document as d
from ..fonts import coverage, family
from ..style import Style

__all__ = ["BAND_FILLS", "WHITE", "Box", "Dot", "Ink", "Layout", "Measure", "Rule", "Text",
           "Turned", "band_fills", "contrast", "face_names", "ink_on", "layout", "rgb"]

BAND_FILLS: tuple[str, ...] = ("#C6E7C1", "#FFF2A8", "#FFD08A", "#F4A6A0")
"""Risk-band fills, least severe first (pastel green, yellow, amber, red), for a style without
``colours.risk_bands`` (the same values as that field's default)."""

WHITE = "white"
"""The white strokes between cells and round dots (ReportLab's ``colors.white``)."""

# --------------------------------------------------------------------------------------------
# Colours


def rgb(hexcolour: str) -> tuple[float, float, float]:
    """A ``#rrggbb`` colour (or :data:`WHITE`) as three fractions of 1, as ReportLab's
    ``HexColor`` reads it."""
    if hexcolour == WHITE:
        return 1.0, 1.0, 1.0
    v = int(hexcolour.lstrip("#"), 16)
    return ((v >> 16) & 0xFF) / 255.0, ((v >> 8) & 0xFF) / 255.0, (v & 0xFF) / 255.0


def _luminance(c: tuple[float, float, float]) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = _luminance(rgb(a)), _luminance(rgb(b))
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
        a, b = rgb(scale[i]), rgb(scale[i + 1])
        out.append("#" + "".join(f"{round(255 * (x + (y - x) * f)):02X}" for x, y in zip(a, b)))
    return out


# --------------------------------------------------------------------------------------------
# The display list


class Box(msgspec.Struct, frozen=True):
    """A rectangle: ``fill`` (or None) under a ``stroke`` of ``stroke_width`` centred on its
    edges. A risk-matrix cell carries its levels (1-based) and band (an index into the chart's
    ``band_labels``) in ``cell``: ``(likelihood, impact, band, band_label)``."""

    x: float
    y: float
    w: float
    h: float
    fill: str | None
    stroke: str
    stroke_width: float
    cell: tuple[int, int, int, str] | None = None


class Rule(msgspec.Struct, frozen=True):
    """A straight line (butt ends)."""

    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float


class Dot(msgspec.Struct, frozen=True):
    """A filled circle with a stroke centred on its edge."""

    cx: float
    cy: float
    r: float
    fill: str
    stroke: str
    stroke_width: float


class Text(msgspec.Struct, frozen=True):
    """One line of logical text, its baseline at ``y``; ``x`` is its start, middle or end
    (``anchor``) in the line's measured width; ``font`` names the body face it is set in (a
    letter the face lacks is drawn from a fallback family)."""

    x: float
    y: float
    text: str
    font: str
    size: float
    colour: str
    anchor: Literal["start", "middle", "end"] = "start"


class Turned(msgspec.Struct, frozen=True):
    """Lines of text drawn in their own coordinates, mapped to the chart's by the affine
    ``transform`` ``(a, b, c, d, e, f)``: ``x' = a x + c y + e``, ``y' = b x + d y + f``."""

    items: tuple[Text, ...]
    transform: tuple[float, float, float, float, float, float]


Item = Box | Rule | Dot | Text | Turned


class Layout(msgspec.Struct):
    """A chart laid out: ``width`` x ``height`` points of items, painted in order, and the
    :class:`Ink` that measured its text (its faces and files)."""

    width: float
    height: float
    ink: Ink
    items: list[Item] = msgspec.field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Text


def face_names(key: str) -> tuple[str, str, str, str]:
    """The ReportLab names of a family's regular, bold, italic and bold italic faces
    (:func:`briefgen.render.graphics.faces` registers them under these names)."""
    base = f"briefgen-{key}"
    return base, f"{base}-bold", f"{base}-italic", f"{base}-bolditalic"


class Measure(Protocol):
    """How a renderer measures a line of text (and readies the faces it is drawn in)."""

    def use(self, key: str) -> None:
        """A family (by its key) about to be measured or drawn with."""

    def width(self, ink: Ink, text: str, font: str, size: float) -> float:
        """The advance of one line of cleaned text set in ``font`` (a body face) at ``size``,
        its letters drawn from the faces :meth:`Ink.face` names, right-to-left runs shaped."""


class Ink:
    """The fonts and sizes of one chart, and text measuring and wrapping in them.

    A fallback family is looked at (its coverage read, the measure told to use it) only when
    the chart's text has a character the body lacks."""

    def __init__(self, style: Style, measure: Measure):
        self.measure = measure
        key = style.fonts.body
        measure.use(key)
        fam = style.fonts.family("body")
        names = face_names(fam.key)
        self.regular, self.bold = names[0], names[1]
        #: each face name used: its TrueType file
        self.files: dict[str, Path] = {self.regular: fam.regular, self.bold: fam.bold}
        self.own = coverage(fam.regular) & coverage(fam.bold)
        self._keys = list(style.fonts.fallbacks)
        # the fallback families read so far: (characters, regular, bold), in chain order
        self._chain: list[tuple[frozenset[int], str, str] | None] = [None] * len(self._keys)
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

    def _fallback(self, k: int) -> tuple[frozenset[int], str, str]:
        found = self._chain[k]
        if found is None:
            key = self._keys[k]
            fb = family(key)
            regular, bold = face_names(fb.key)[:2]
            found = self._chain[k] = (coverage(fb.regular) & coverage(fb.bold), regular, bold)
            self.files[regular], self.files[bold] = fb.regular, fb.bold
            self.measure.use(key)
        return found

    def _has(self, c: int) -> bool:
        return c in self.own or any(c in self._fallback(k)[0] for k in range(len(self._keys)))

    def clean(self, text: str) -> str:
        """One line of drawable text: whitespace collapsed, undrawable characters as U+FFFD
        (or "?" in a font without it)."""
        text = " ".join(text.split())
        own = self.own
        if all(ord(c) in own and c <= "\uffff" for c in text):
            return text
        bad = "\ufffd" if self._has(0xFFFD) else "?"
        return "".join(c if ord(c) <= 0xFFFF and self._has(ord(c)) else bad for c in text)

    def arrow(self) -> str:
        """The axis titles' arrow, where the font has one."""
        return " \u2192" if self._has(0x2192) else ""

    def face(self, c: str, font: str) -> str:
        """The face a character is drawn in: ``font`` (the body's regular or bold) when the
        body has it, else the same weight of the first fallback family that has it."""
        if ord(c) in self.own:
            return font
        for k in range(len(self._keys)):
            chars, regular, bold = self._fallback(k)
            if ord(c) in chars:
                return bold if font == self.bold else regular
        return font

    def plain(self, text: str) -> bool:
        """Whether a line is drawn as it is, in its one face: no right-to-left letter and
        every character in the body."""
        from .bidi import has_rtl

        own = self.own
        return all(ord(c) in own for c in text) and not has_rtl(text)

    def width(self, text: str, font: str, size: float) -> float:
        return self.measure.width(self, text, font, size)

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


def _lines(ink: Ink, out: list[Item], lines: Sequence[str], x: float, top: float, font: str,
           size: float, leading: float, colour: str,
           anchor: Literal["start", "middle", "end"] = "start") -> None:
    """Lines whose first line's top is at ``top`` (baselines below it)."""
    for k, text in enumerate(lines):
        base = top - size * 0.8 - k * size * leading
        out.append(Text(x, base, text, font, size, colour, anchor))


# --------------------------------------------------------------------------------------------
# The risk matrix


def _risk_matrix(m: d.RiskMatrix, ink: Ink, style: Style, width: float,
                 title_rows: int = 1) -> Layout:
    """The matrix; its likelihood title, rotated up the grid's left side, in ``title_rows``
    lines (more when it is longer than the grid is tall: then laid out again)."""
    nl, ni = len(m.likelihood_levels), len(m.impact_levels)
    lead = ink.leading
    fills = band_fills(len(m.band_labels), style)
    title_col = ink.title * (1.6 + (title_rows - 1) * lead)  # the rotated likelihood title
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
    out = Layout(width, y0 + grid_h + 2, ink)
    g = out.items

    for li in range(1, nl + 1):
        y = y0 + bottoms[li - 1]
        rh = heights[li - 1]
        for ii in range(1, ni + 1):
            x = gx + (ii - 1) * cw
            band = m.bands[li - 1][ii - 1]
            fill = fills[band]
            g.append(Box(x, y, cw, rh, fill, WHITE, 1.2, (li, ii, band, m.band_labels[band])))
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
    g.append(Box(gx, y0, cw * ni, grid_h, None, ink.rule, 0.6))
    for ii, ls in enumerate(i_lines, 1):
        _lines(ink, g, ls, gx + (ii - 0.5) * cw, y0 - 3, ink.regular, ink.label, lead, ink.text,
               "middle")
    # axis titles: impact under the grid, likelihood rotated up its left side
    g.append(Text(gx + cw * ni / 2, ink.title * 0.45, ink.clean(m.impact_title) + ink.arrow(),
                  ink.bold, ink.title, ink.headings, "middle"))
    turned = ink.wrap(ink.clean(m.likelihood_title) + ink.arrow(), ink.bold, ink.title, grid_h)
    if len(turned) > title_rows:
        return _risk_matrix(m, ink, style, width, len(turned))
    g.append(Turned(tuple(Text(0, -k * ink.title * lead, line, ink.bold, ink.title,
                               ink.headings, "middle") for k, line in enumerate(turned)),
                    (0, 1, -1, 0, ink.title * 1.05, y0 + grid_h / 2)))
    return out


# --------------------------------------------------------------------------------------------
# The timeline


def _timeline(t: d.Timeline, ink: Ink, width: float, max_height: float | None) -> Layout:
    """A vertical timeline: a line with a dot per event, the date left of it, the label right
    of it; events in order of ``position``, evenly spaced (at the height of the tallest).
    When ``max_height`` is given and one column would be taller, the events are shared among
    up to three columns side by side."""
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
    out = Layout(width, height, ink)
    g = out.items
    for x0, _col_w, when_w, pitch, rows in columns:
        if not rows:
            continue
        line_x = x0 + when_w + 9
        label_x = line_x + 9
        first_mid = height - 1 - ink.label * 0.45
        last_mid = first_mid - (len(rows) - 1) * pitch
        g.append(Rule(line_x, first_mid + ink.label * 0.6, line_x, last_mid - ink.label * 0.6,
                      ink.rule, 1.2))
        for k, (when, label) in enumerate(rows):
            top = height - 2 - k * pitch
            mid = top + 1 - ink.label * 0.45  # half the cap height above the first baseline
            g.append(Dot(line_x, mid, 2.6, ink.headings, WHITE, 0.8))
            _lines(ink, g, when, line_x - 9, top + 1, ink.bold, ink.label, ink.leading, ink.text,
                   "end")
            _lines(ink, g, label, label_x, top + 1, ink.regular, ink.label, ink.leading, ink.text)
    return out


def _timeline_layout(events: list[d.TimelineEvent], ink: Ink, width: float, ncols: int
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


def layout(chart: d.Chart, style: Style, width: float, measure: Measure, *,
           max_height: float | None = None) -> Layout:
    """The chart laid out ``width`` points wide (its height follows from the data), its text
    measured by ``measure``. ``max_height`` lets a long timeline use columns rather than grow
    taller than a page; the caller still scales a layout that remains too tall."""
    ink = Ink(style, measure)
    if isinstance(chart, d.RiskMatrix):
        return _risk_matrix(chart, ink, style, width)
    if isinstance(chart, d.Timeline):
        return _timeline(chart, ink, width, max_height)
    raise TypeError(f"no drawing for {type(chart).__name__}")
