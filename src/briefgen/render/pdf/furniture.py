"""Page furniture: the text frame's place on each page (the binding margin on the inner side),
the header and footer rules, the marking (:func:`~briefgen.style.marking_look`) and the footer
line with "Page X of Y". Each page's footer line is a form XObject, drawn where it belongs
during the layout pass and filled in once the page count is known (:meth:`Furniture.finish`).
"""

from __future__ import annotations

from typing import Callable

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate

from ... import document as d
from ...style import MarkingLook, Style, marking_look
from .look import Look, hex_colour

__all__ = ["Furniture", "fill_label", "frame_box"]


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


def fill_label(label: str, page: int, total: int | None) -> str:
    tot = "?" if total is None else str(total)
    try:
        return label.format(page=page, total=tot)
    except (KeyError, IndexError, ValueError):
        return label.replace("{page}", str(page)).replace("{total}", tot)


def _footer_form(page: int) -> str:
    return f"briefgen-footer-{page}"


class Furniture:
    """What every page carries; remembers where each page's footer line goes."""

    def __init__(self, meta: d.Meta, style: Style, look: Look, drawable: Callable[[str], str]):
        self.meta = meta
        self.style = style
        self.look = look
        self.drawable = drawable
        marking = meta.marking
        self.marking: MarkingLook | None = (
            marking_look(marking.scheme, marking.label, style)
            if marking is not None and marking.label.strip() else None)
        self.footers: list[tuple[int, float, float, float]] = []  # page, x, width, baseline

    def draw_page(self, canv: Canvas, tmpl: BaseDocTemplate) -> None:
        """The page template's onPage: place the frame, draw the header and footer."""
        look = self.look
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
            self._draw_marking(canv, mk, x, width, ph - m.top * 0.42)
        canv.setStrokeColor(look.rule)
        canv.setLineWidth(0.5)
        rule_top = ph - m.top + min(8, m.top * 0.2)
        canv.line(x, rule_top, x + width, rule_top)
        # footer: a rule, the footer text and "Page X of Y", then the marking
        rule_bottom = m.bottom - min(8, m.bottom * 0.2)
        canv.line(x, rule_bottom, x + width, rule_bottom)
        hf = self.style.sizes.header_footer
        baseline = rule_bottom - hf * 1.35
        # "Page X of Y" and the footer text: a form, filled in once Y is known (see finish)
        canv.doForm(_footer_form(page))
        self.footers.append((page, x, width, baseline))
        if mk is not None:
            centre = min(m.bottom * 0.36, baseline - msize * 1.2)
            self._draw_marking(canv, mk, x, width, max(centre, msize * 0.9))
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
        look = self.look
        hf = self.style.sizes.header_footer
        label = fill_label(self.meta.label("page_x_of_y", "Page {page} of {total}"),
                           page, total)
        canv.setFont(look.body_faces.regular, hf)
        canv.setFillColor(look.muted)
        canv.drawRightString(x + width, baseline, label)
        footer = self.drawable(" ".join(self.meta.footer_text.split()))
        if footer:  # one line: shrunk to fit down to 6.5 pt, then shortened with an ellipsis
            font = look.body_faces.regular
            avail = width - pdfmetrics.stringWidth(label, font, hf) - 18
            size = hf
            while size > 6.5 and pdfmetrics.stringWidth(footer, font, size) > avail:
                size -= 0.25
            if pdfmetrics.stringWidth(footer, font, size) > avail:
                while footer and pdfmetrics.stringWidth(footer + "\u2026", font, size) > avail:
                    footer = footer[:-1]
                footer = footer.rstrip() + "\u2026"
            canv.setFont(font, size)
            canv.drawString(x, baseline, footer)

    def _draw_marking(self, canv: Canvas, mk: MarkingLook, x: float, width: float,
                      centre: float) -> None:
        """The marking, vertically centred on ``centre``: TLP as its coloured label on a filled
        box at the right; banners as capitals in the centre."""
        font = self.look.head_faces.bold
        size = mk.size
        text = self.drawable(mk.text)
        tw = pdfmetrics.stringWidth(text, font, size)
        base = centre - size * 0.35
        if mk.align == "right":
            tx = x + width - tw
        elif mk.align == "center":
            tx = x + (width - tw) / 2
        else:
            tx = x
        if mk.background:
            pad = size * 0.45
            canv.setFillColor(hex_colour(mk.background))
            bx = tx - pad if mk.align != "right" else x + width - tw - 2 * pad
            if mk.align == "right":
                tx = bx + pad
            canv.rect(bx, centre - size * 0.8, tw + 2 * pad, size * 1.6, stroke=0, fill=1)
        canv.setFillColor(hex_colour(mk.colour))
        canv.setFont(font, size)
        canv.drawString(tx, base, text)
