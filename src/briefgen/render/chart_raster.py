"""Charts as PNG pictures for the DOCX, drawn with Pillow from a chart's
:class:`~briefgen.render.chart_layout.Layout`, without ReportLab or pdfium.

* :func:`png` lays a chart out (measured by :class:`Metrics`: briefgen's TrueType metrics, and
  HarfBuzz for right-to-left runs, which give the widths ReportLab gives, so the layout and its
  line breaks are the PDF's) and paints it at a resolution: boxes and rules with anti-aliased
  edges (their fractional coverage blended), dots drawn eight times larger and reduced, text by
  FreeType through libraqm (a right-to-left run shaped and ordered, with no kerning or
  ligatures in a left-to-right one, as ReportLab sets it), each run placed where the PDF
  places it.
* :func:`png_rgb` writes the pixels with fixed settings (no time stamp, no text chunks), so the
  same chart gives the same bytes.

Pillow needs libraqm (and FriBiDi) to shape; :func:`available` says whether it has them (the
DOCX renderer otherwise rasterises the PDF's drawing).
"""

from __future__ import annotations

import math
import struct
import threading
import unicodedata
import zlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import document as d
from ..fonts import coverage, metrics
from ..style import Style
from .chart_layout import WHITE, Box, Dot, Ink, Layout, Rule, Text, Turned, layout

if TYPE_CHECKING:
    from PIL import Image, ImageFont

__all__ = ["Metrics", "available", "png", "png_rgb", "render", "runs"]

# --------------------------------------------------------------------------------------------
# Measuring as ReportLab does


@cache
def _advances(path: str) -> tuple[dict[str, float], float]:
    """A TrueType file's advance per character in ReportLab's units (1000 to the em: the
    advance itself when the font has 1000 units to the em, else ``advance * (1000 / units)``),
    to be filled in as characters are met, and the font's units to the em."""
    return {}, float(metrics(path).units)


def _advance(path: str, c: str) -> float:
    widths, units = _advances(path)
    w = widths.get(c)
    if w is None:
        adv = round(metrics(path).width(c) * units)
        w = widths[c] = adv if units == 1000 else adv * (1000 / units)
    return w


def _plain_width(path: Path, text: str, size: float) -> float:
    """ReportLab's ``stringWidth`` of text in one face, to the last bit: rl_accel's (a
    dependency) sum of the advances in order, times 0.001, times the size."""
    p = str(path)
    total = 0.0
    for c in text:  # (not sum(): from Python 3.12 it compensates rounding, rl_accel does not)
        total += _advance(p, c)
    return total * 0.001 * size


@cache
def _hb_face(path: str) -> Any:
    import uharfbuzz as hb  # type: ignore[import-untyped]

    return hb.Face(hb.Blob(Path(path).read_bytes()))


def _shaped_width(path: Path, text: str, size: float) -> float:
    """The advance of a right-to-left run shaped by HarfBuzz as ReportLab shapes it
    (``shapeFragWord``: kerning, ligatures and discretionary ligatures, advances in thousandths
    of the em)."""
    import uharfbuzz as hb

    p = str(path)
    units = _advances(p)[1]
    font = hb.Font(_hb_face(p))
    font.ptem = size
    buf = hb.Buffer()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, {"kern": True, "liga": True, "dlig": True})
    scale = (lambda v: v) if units == 1000 else (lambda v: v * (1000 / units))
    return float(sum(scale(g.x_advance) for g in buf.glyph_positions)) * size / 1000


#: bidi classes of characters that stay in the face of the run before them, when it has them
_NEUTRAL = frozenset({"WS", "CS", "ON", "ES", "ET", "BN", "NSM"})


def runs(ink: Ink, text: str, font: str) -> list[tuple[str, str, bool]]:
    """One line cut into runs of one face and one direction, in visual order:
    ``[(logical text, face, right-to-left), ...]`` (as
    :func:`briefgen.render.pdf.shaping.line_runs` cuts it for the PDF)."""
    from .bidi import base_rtl, levels, visual_runs

    rtl = base_rtl(text)
    items: list[tuple[int, str, list[str]]] = []
    for c, lev in zip(text, levels(text, rtl), strict=True):
        f = ink.face(c, font)
        if items and items[-1][0] == lev and (
                items[-1][1] == f or (unicodedata.bidirectional(c) in _NEUTRAL
                                      and ord(c) in coverage(ink.files[items[-1][1]]))):
            items[-1][2].append(c)
        else:
            items.append((lev, f, [c]))
    logical = [(lev, f, "".join(cs)) for lev, f, cs in items]
    return [(logical[k][2], logical[k][1], bool(logical[k][0] % 2))
            for k in visual_runs([(lev, t) for lev, _, t in logical], rtl)]


def _run_width(ink: Ink, text: str, face: str, rtl: bool, size: float) -> float:
    path = ink.files[face]
    return _shaped_width(path, text, size) if rtl else _plain_width(path, text, size)


class Metrics:
    """Text measured without ReportLab, to ReportLab's widths."""

    def use(self, key: str) -> None:
        pass  # nothing to register

    def width(self, ink: Ink, text: str, font: str, size: float) -> float:
        if ink.plain(text):
            return _plain_width(ink.files[font], text, size)
        return sum(_run_width(ink, t, f, r, size) for t, f, r in runs(ink, text, font))


# --------------------------------------------------------------------------------------------
# Painting

_LOCK = threading.Lock()  # FreeType faces are not to be used by two threads at once
_SUPERSAMPLE = 8  # for round shapes


def available() -> bool:
    """Whether Pillow can shape text (it has libraqm and FriBiDi)."""
    from PIL import features

    return bool(features.check_feature("raqm"))


@cache
def _font(path: str, px: float) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(path, px, layout_engine=ImageFont.Layout.RAQM)


def _rgb255(colour: str) -> tuple[int, int, int]:
    if colour == WHITE:
        return 255, 255, 255
    v = int(colour.lstrip("#"), 16)
    return (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF


def _spans(a: float, b: float) -> list[tuple[int, int, float]]:
    """Pixels ``[i0, i1)`` covering ``[a, b)`` and how much of each they cover: a partial
    first pixel, the whole ones, a partial last one."""
    if b <= a:
        return []
    ia, ib = math.floor(a), math.floor(b)
    if ia == ib:
        return [(ia, ia + 1, b - a)]
    out = []
    if a > ia:
        out.append((ia, ia + 1, ia + 1 - a))
        ia += 1
    if ib > ia:
        out.append((ia, ib, 1.0))
    if b > ib:
        out.append((ib, ib + 1, b - ib))
    return out


class _Painter:
    def __init__(self, lay: Layout, k: float):
        from PIL import Image, ImageDraw

        self.lay, self.k = lay, k
        self.size = (math.ceil(round(lay.width * k, 6)), math.ceil(round(lay.height * k, 6)))
        self.img = Image.new("RGB", self.size, (255, 255, 255))
        self.draw = ImageDraw.Draw(self.img)
        self.blend = ImageDraw.Draw(self.img, "RGBA")

    def px(self, x: float, y: float) -> tuple[float, float]:
        return x * self.k, (self.lay.height - y) * self.k

    def fill(self, x0: float, y0: float, x1: float, y1: float, colour: str) -> None:
        """A rectangle in pixels (y down), its edges' partial pixels blended."""
        rgb = _rgb255(colour)
        for i0, i1, cx in _spans(x0, x1):
            for j0, j1, cy in _spans(y0, y1):
                alpha = round(255 * cx * cy)
                if alpha >= 255:
                    self.draw.rectangle((i0, j0, i1 - 1, j1 - 1), fill=rgb)
                elif alpha > 0:
                    self.blend.rectangle((i0, j0, i1 - 1, j1 - 1), fill=(*rgb, alpha))

    def box(self, b: Box) -> None:
        left, top = self.px(b.x, b.y + b.h)
        right, bottom = self.px(b.x + b.w, b.y)
        if b.fill is not None:
            self.fill(left, top, right, bottom, b.fill)
        s = b.stroke_width * self.k / 2
        if s > 0:
            self.fill(left - s, top - s, right + s, top + s, b.stroke)
            self.fill(left - s, bottom - s, right + s, bottom + s, b.stroke)
            self.fill(left - s, top + s, left + s, bottom - s, b.stroke)
            self.fill(right - s, top + s, right + s, bottom - s, b.stroke)

    def rule(self, r: Rule) -> None:
        (x1, y1), (x2, y2) = self.px(r.x1, r.y1), self.px(r.x2, r.y2)
        s = r.width * self.k / 2
        if x1 == x2:
            self.fill(x1 - s, min(y1, y2), x1 + s, max(y1, y2), r.colour)
        elif y1 == y2:
            self.fill(min(x1, x2), y1 - s, max(x1, x2), y1 + s, r.colour)
        else:  # (no chart draws one: a slanted line, without anti-aliasing)
            self.draw.line((x1, y1, x2, y2), fill=_rgb255(r.colour), width=max(1, round(2 * s)))

    def dot(self, c: Dot) -> None:
        from PIL import Image, ImageDraw

        k, n = self.k, _SUPERSAMPLE
        cx, cy = self.px(c.cx, c.cy)
        outer = (c.r + c.stroke_width / 2) * k
        x0, y0 = math.floor(cx - outer) - 1, math.floor(cy - outer) - 1
        side = math.ceil(2 * outer) + 3
        ccx, ccy = (cx - x0) * n, (cy - y0) * n

        def disc(*radii: tuple[float, int]) -> Image.Image:
            big = Image.new("L", (side * n, side * n), 0)
            d = ImageDraw.Draw(big)
            for r, v in radii:
                r *= k * n
                if r > 0:
                    d.ellipse((ccx - r, ccy - r, ccx + r - 1, ccy + r - 1), fill=v)
            return big.reduce(n)

        box = (x0, y0, x0 + side, y0 + side)
        self.img.paste(_rgb255(c.fill), box, disc((c.r, 255)))
        if c.stroke_width > 0:
            self.img.paste(_rgb255(c.stroke), box,
                           disc((c.r + c.stroke_width / 2, 255), (c.r - c.stroke_width / 2, 0)))

    def _runs(self, t: Text) -> tuple[float, list[tuple[str, str, bool, float]]]:
        """Where a line starts (points) and its runs with their widths."""
        ink = self.lay.ink
        if ink.plain(t.text):
            parts = [(t.text, t.font, False, _plain_width(ink.files[t.font], t.text, t.size))]
        else:
            parts = [(s, f, r, _run_width(ink, s, f, r, t.size))
                     for s, f, r in runs(ink, t.text, t.font)]
        total = sum(w for *_, w in parts)
        at = t.x - (total if t.anchor == "end" else total / 2 if t.anchor == "middle" else 0)
        return at, parts

    def _write(self, draw: Any, x: float, y: float, t: Text, colour: Any) -> None:
        """A line's runs on ``draw``, its start and baseline at pixel ``(x, y)``."""
        at, parts = self._runs(t)
        x += (at - t.x) * self.k
        px = t.size * self.k
        for s, f, rtl, w in parts:
            font = _font(str(self.lay.ink.files[f]), px)
            if rtl:
                draw.text((x, y), s, font=font, fill=colour, anchor="ls", direction="rtl",
                          features=["dlig"])
            else:
                draw.text((x, y), s, font=font, fill=colour, anchor="ls", direction="ltr",
                          features=["-kern", "-liga"])
            x += w * self.k

    def text(self, t: Text) -> None:
        self._write(self.draw, *self.px(t.x, t.y), t, _rgb255(t.colour))

    def turned(self, g: Turned) -> None:
        """Lines turned a quarter turn anticlockwise (the only turn a chart makes): each drawn
        upright in a mask, the mask turned and pasted in its colour."""
        from PIL import Image, ImageDraw

        a, b, c, d_, e, f = g.transform
        if (a, b, c, d_) != (0, 1, -1, 0):
            raise ValueError(f"cannot draw text turned by {g.transform[:4]}")
        k = self.k
        for t in g.items:
            at, parts = self._runs(t)
            total = sum(w for *_, w in parts)
            pad = t.size * 0.6
            # the line's box in its own coordinates: x from at to at + total, y about the
            # baseline; a local point (lx, ly) lands at (e - ly, f + lx) on the chart
            oxf = (e - (t.y + t.size + pad)) * k  # the mask's left edge on the page, in pixels
            ox = math.floor(oxf)
            top = e - ox / k  # the local y of the mask's first row (its top, before turning)
            wm = math.ceil((total + 2 * pad) * k) + 2
            hm = math.ceil((top - (t.y - t.size - pad)) * k) + 1
            oyf = (self.lay.height - f - (at - pad)) * k - wm
            oy = math.floor(oyf)
            left = self.lay.height - f - (oy + wm) / k  # the local x of the mask's first column
            mask = Image.new("L", (wm, hm), 0)
            self._write(ImageDraw.Draw(mask), (t.x - left) * k, (top - t.y) * k, t, 255)
            turned = mask.transpose(Image.Transpose.ROTATE_90)
            self.img.paste(_rgb255(t.colour), (ox, oy, ox + hm, oy + wm), turned)

    def paint(self) -> Image.Image:
        for it in self.lay.items:
            if isinstance(it, Box):
                self.box(it)
            elif isinstance(it, Rule):
                self.rule(it)
            elif isinstance(it, Dot):
                self.dot(it)
            elif isinstance(it, Text):
                self.text(it)
            else:
                self.turned(it)
        return self.img


def render(lay: Layout, dpi: int = 200, scale: float = 1.0) -> Image.Image:
    """A laid-out chart (measured by :class:`Metrics`), shown ``scale`` times its size, as an
    RGB image on white at ``dpi``, ``ceil`` of the shown size in pixels."""
    with _LOCK:
        return _Painter(lay, dpi / 72.0 * scale).paint()


def png(chart: d.Chart, style: Style, width: float, *, dpi: int = 200,
        max_height: float | None = None) -> tuple[bytes, float, float]:
    """The chart laid out ``width`` points wide as the PDF lays it out, as PNG bytes at ``dpi``,
    and the size it is shown at (points): its own, or, for a chart taller than
    ``max_height``, shrunk to that height (the picture is drawn for the shown size)."""
    lay = layout(chart, style, width, Metrics(), max_height=max_height)
    scale = min(1.0, width / lay.width,
                (math.inf if max_height is None else max_height) / lay.height)
    img = render(lay, dpi, scale)
    return (png_rgb(img.tobytes(), img.width, img.height, img.width * 3, dpi),
            lay.width * scale, lay.height * scale)


def png_rgb(pixels: bytes, width: int, height: int, stride: int, dpi: int) -> bytes:
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
