"""Pictures: figures (the PDF's drawings, :mod:`briefgen.render.graphics`, rasterised at print
resolution and sized to the text width, the figure's alternative text as the picture's
description, the caption below in the Caption style) and the style's cover logo."""

from __future__ import annotations

import io

from ...document import Figure, plain_text
from ...errors import BriefError, Diagnostic
from .docx_adapter import Element, doc_pr, new_pic_inline
from .inlines import write_inlines
from .ooxml import clean, el
from .writer import Where, Writer, para

__all__ = ["FIGURE_DPI", "write_cover_logo", "write_figure"]

#: resolution of the figures' pictures (print)
FIGURE_DPI = 200
#: points to EMU (drawing sizes)
_EMU = 12700
#: the share of the text width a figure takes when nested (in a box or a list)
NESTED_FIGURE_WIDTH = 0.85
#: the caption lines a figure leaves room for on its page
CAPTION_LINES = 3


def _picture(inline: Element) -> Element:
    return el("w:r", None, el("w:drawing", None, inline))


def write_figure(w: Writer, f: Figure, out: Element, where: Where) -> None:
    """A chart as an inline PNG picture in a Figure paragraph, its caption below in the
    Caption style. The picture is the PDF's drawing, laid out for the text width and
    rasterised at print resolution; the figure's alternative text is the picture's
    description."""
    from .. import graphics

    ctx = w.ctx
    width = ctx.page.text_width * (1.0 if where.top else NESTED_FIGURE_WIDTH)
    z = ctx.style.sizes
    # as the PDF: the drawing and a three-line caption fit the page's text height
    room = ctx.page.text_height \
        - (z.small * z.leading * CAPTION_LINES if f.caption else 0) - z.base
    dw = graphics.drawing(f.chart, ctx.style, width, max_height=room)
    scale = min(1.0, width / dw.width, room / dw.height)
    # rasterised for the size it is shown at (a drawing taller than the page is shrunk)
    png = graphics.png(dw, dpi=FIGURE_DPI, scale=scale)
    rid, _image = w.part.get_or_add_image(io.BytesIO(png))
    sid = w.next_shape_id()
    inline = new_pic_inline(sid, rid, f"figure{sid}.png",
                            int(round(dw.width * scale * _EMU)),
                            int(round(dw.height * scale * _EMU)))
    alt = clean(f.alt or plain_text(f.caption))
    doc_pr(inline).set("name", f"Figure {sid}")
    doc_pr(inline).set("descr", alt)
    # the Figure style keeps the picture with its caption; without one, with nothing
    p = para(w, out, "Figure", where,
             *(() if f.caption else (el("w:keepNext", {"w:val": "0"}),)))
    p.append(_picture(inline))
    if f.caption:
        # a caption below its figure does not keep with what follows (the style does,
        # for table captions above their tables)
        cap = para(w, out, "Caption", where, el("w:keepNext", {"w:val": "0"}))
        write_inlines(w, f.caption, cap)


def write_cover_logo(w: Writer, out: Element, where: Where) -> None:
    """The style's cover logo (``cover.logo``), as the PDF prints it: an inline picture
    ``cover.logo_width`` wide (never wider than the text nor taller than a quarter of its
    height) in its aspect ratio, left-aligned on its own line in the Logo style at the top
    of the top sheet, described as "Logo" for screen readers."""
    ctx = w.ctx
    path = ctx.style.cover.logo
    if path is None:
        return
    try:
        rid, image = w.part.get_or_add_image(str(path))
        ratio = image.px_height / image.px_width
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds on a bad image
        raise BriefError([Diagnostic(str(path), None, None, "cover.logo",
                                     "the logo cannot be read as a PNG or JPEG image "
                                     f"({type(e).__name__}: {e})")]) from None
    width = min(ctx.style.cover.logo_width, ctx.page.text_width)
    quarter = ctx.page.text_height / 4
    if width * ratio > quarter:
        width = quarter / ratio
    inline = new_pic_inline(w.next_shape_id(), rid, f"logo.{image.ext}",
                            int(round(width * _EMU)), int(round(width * ratio * _EMU)))
    doc_pr(inline).set("name", "Logo")
    doc_pr(inline).set("descr", "Logo")
    p = para(w, out, "Logo", where)
    p.append(_picture(inline))
