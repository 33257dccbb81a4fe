"""Page furniture: the text frame's place on each page (the binding margin on the inner side),
the header and footer rules, the marking (:func:`~briefgen.style.marking_look`) and the footer
line with "Page X of Y". Each page's footer line is a form XObject, drawn where it belongs
during the layout pass and filled in once the page count is known (:meth:`Furniture.finish`).
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate

from ... import document as d
from ...style import MarkingLook, Style
from ..bidi import has_rtl
from ..common import fill_label
from ..stylesheet import Stylesheet
from .look import Look, hex_colour
from .shaping import line_runs, run_width

__all__ = ["Furniture", "frame_box"]


def frame_box(style: Style, page: int) -> tuple[float, float, float, float]:
    """(x, y, width, height) of the text frame on a page (binding margin on the inner side:
    left on odd pages, right on even ones)."""
    pg = style.page
    w, h = pg.dimensions
    m = pg.margins
    inner, outer = m.left + m.binding, m.right
    left = inner if (page % 2 == 1 or not m.binding) else outer
    width = w - inner - outer
    return left, m.bottom, width, h - m.top - m.bottom


def _footer_form(page: int) -> str:
    return f"briefgen-footer-{page}"


class Furniture:
    """What every page carries; remembers where each page's footer line goes."""

    def __init__(self, meta: d.Meta, sheet: Stylesheet, look: Look,
                 drawable: Callable[[str], str]):
        self.meta = meta
        self.style = sheet.style
        self.fl = sheet.furniture
        self.look = look
        self.drawable = drawable
        marking = meta.marking
        self.marking: MarkingLook | None = (
            sheet.marking(marking.scheme, marking.label)
            if marking is not None and marking.label.strip() else None)
        self.footers: list[tuple[int, float, float, float]] = []  # page, x, width, baseline

    def draw_page(self, canv: Canvas, tmpl: BaseDocTemplate) -> None:
        """The page template's onPage: place the frame, draw the header and footer."""
        fl = self.fl
        _pw, ph = self.style.page.dimensions
        m = self.style.page.margins
        page = tmpl.page
        x, _y, width, _h = frame_box(self.style, page)
        # the binding margin alternates sides: move the frame before anything is laid on the page
        # (onPage runs at the start of each page, before the frame is reset and filled)
        for frame in tmpl.pageTemplate.frames:
            if frame.x1 != x:
                frame.x1 = x
        canv.saveState()
        mk = self.marking
        msize = mk.size if mk else 0
        # header: the marking, then a rule
        if mk is not None:
            self._draw_marking(canv, mk, x, width,
                               ph - fl.marking_top(m.top, msize, bool(mk.background)))
        canv.setStrokeColor(hex_colour(fl.rule_colour))
        canv.setLineWidth(fl.rule_width)
        rule_top = ph - m.top + min(fl.rule_offset, m.top * fl.rule_offset_share)
        canv.line(x, rule_top, x + width, rule_top)
        # footer: a rule, the footer text and "Page X of Y", then the marking
        rule_bottom, baseline, centre = fl.footer(m.bottom, msize if mk else None,
                                                  bool(mk and mk.background))
        canv.line(x, rule_bottom, x + width, rule_bottom)
        # "Page X of Y" and the footer text: a form, filled in once Y is known (see finish)
        canv.doForm(_footer_form(page))
        self.footers.append((page, x, width, baseline))
        if mk is not None and centre is not None:
            self._draw_marking(canv, mk, x, width, centre)
        canv.restoreState()

    def finish(self, canv: Canvas, total: int) -> None:
        """Fill in each page's footer form ("Page X of Y"), once the page count is known."""
        for page, x, width, baseline in self.footers:
            canv.beginForm(_footer_form(page))
            canv.saveState()
            self.draw_footer(canv, page, total, x, width, baseline)
            canv.restoreState()
            canv.endForm()

    def draw_footer(self, canv: Canvas, page: int, total: int, x: float, width: float,
                    baseline: float) -> None:
        """The footer line of a page: the footer text at the left, "Page X of Y" at the
        right."""
        fl = self.fl
        hf = fl.size
        label = fill_label(self.meta.label("page_x_of_y", "Page {page} of {total}"),
                           page, total)
        font = self.look.p["header-footer"].fontName
        canv.setFont(font, hf)
        canv.setFillColor(hex_colour(fl.colour))
        if self._runs(label, font, hf) is None:
            canv.drawRightString(x + width, baseline, label)
        else:
            self._draw(canv, x + width - self._width(label, font, hf), baseline, label, font, hf)
        footer = self.drawable(" ".join(self.meta.footer_text.split()))
        if footer:  # one line: shrunk to fit down to a minimum, then shortened with an ellipsis
            avail = width - self._width(label, font, hf) - fl.footer_gap
            size = hf
            while size > fl.min_footer_size and self._width(footer, font, size) > avail:
                size -= fl.footer_shrink_step
            if self._width(footer, font, size) > avail:
                while footer and self._width(footer + "\u2026", font, size) > avail:
                    footer = footer[:-1]
                footer = footer.rstrip() + "\u2026"
            canv.setFont(font, size)
            self._draw(canv, x, baseline, footer, font, size)

    def _runs(self, text: str, font: str, size: float) -> list[tuple[str, str]] | None:
        """A line's runs (:func:`~.shaping.line_runs`: shaped, in visual order, each in a face
        that has its letters), or None for text the face draws as it is (no right-to-left
        letter, every character its own)."""
        own = pdfmetrics.getFont(font).face.charToGlyph
        if not has_rtl(text) and all(ord(c) in own for c in text):
            return None
        from ..graphics import faces

        chain = [(pdfmetrics.getFont(f.regular).face.charToGlyph, f.bold if "bold" in font
                  else f.regular) for f in map(faces, self.style.fonts.fallbacks)]

        def face_of(c: str) -> str:
            if ord(c) in own:
                return font
            return next((f for chars, f in chain if ord(c) in chars), font)

        return line_runs(text, size, face_of)

    def _width(self, text: str, font: str, size: float) -> float:
        runs = self._runs(text, font, size)
        if runs is None:
            return pdfmetrics.stringWidth(text, font, size)
        return sum(run_width(t, f, size) for t, f in runs)

    def _draw(self, canv: Canvas, x: float, y: float, text: str, font: str,
              size: float) -> None:
        """``text`` from ``x``: as it is, or run by run (shaped, right to left where it is)."""
        runs = self._runs(text, font, size)
        if runs is None:
            canv.drawString(x, y, text)
            return
        for t, f in runs:
            canv.setFont(f, size)
            canv.drawString(x, y, t)
            x += run_width(t, f, size)
        canv.setFont(font, size)

    def _draw_marking(self, canv: Canvas, mk: MarkingLook, x: float, width: float,
                      centre: float) -> None:
        """The marking, vertically centred on ``centre``: TLP as its coloured label on a filled
        box at the right; banners as capitals in the centre."""
        fl = self.fl
        font = self.look.p["marking-banner"].fontName
        size = mk.size
        text = self.drawable(mk.text)
        tw = self._width(text, font, size)
        base = centre - size * fl.marking_baseline_em
        if mk.align == "right":
            tx = x + width - tw
        elif mk.align == "center":
            tx = x + (width - tw) / 2
        else:
            tx = x
        if mk.background:
            pad = size * fl.marking_pad
            canv.setFillColor(hex_colour(mk.background))
            bx = tx - pad if mk.align != "right" else x + width - tw - 2 * pad
            if mk.align == "right":
                tx = bx + pad
            box = size * fl.marking_box_em
            canv.rect(bx, centre - box / 2, tw + 2 * pad, box, stroke=0, fill=1)
        canv.setFillColor(hex_colour(mk.colour))
        canv.setFont(font, size)
        self._draw(canv, tx, base, text, font, size)
