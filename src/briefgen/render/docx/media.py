"""Pictures: figures (the PDF's chart layouts, :mod:`briefgen.render.chart_layout`, painted at
print resolution by :mod:`briefgen.render.chart_raster` and sized to the text width, the
figure's alternative text as the picture's description, the caption below in the Caption
style) and the style's cover logo."""

from __future__ import annotations

import io

from ...document import Figure, plain_text
from ...errors import BriefError, Diagnostic
from ..common import fit_box
from .docx_adapter import Element, doc_pr, new_pic_inline
from .inlines import write_inlines
from .ooxml import clean, el, tw
from .writer import Where, Writer, para

__all__ = ["write_cover_logo", "write_figure"]

#: points to EMU (drawing sizes)
_EMU = 12700


def _picture(inline: Element) -> Element:
    return el("w:r", None, el("w:drawing", None, inline))


def write_figure(w: Writer, f: Figure, out: Element, where: Where) -> None:
    """A chart as an inline PNG picture in a Figure paragraph, its caption below in the
    Caption style. The picture is the PDF's chart, laid out for the text width and
    painted at print resolution; the figure's alternative text is the picture's
    description."""
    from .. import chart_raster

    ctx = w.ctx
    look = ctx.sheet.figure
    width = ctx.page.text_width * (1.0 if where.top else look.nested_width)
    caption = ctx.sheet.role("caption")
    # as the PDF: the drawing and its caption's lines fit the page's text height
    room = ctx.page.text_height \
        - (caption.leading * look.caption_lines if f.caption else 0) - look.space_after
    # rasterised for the size it is shown at (a drawing taller than the page is shrunk)
    if chart_raster.available():
        png, shown_w, shown_h = chart_raster.png(f.chart, ctx.style, width, dpi=look.dpi,
                                                 max_height=room)
    else:  # a Pillow without libraqm cannot shape: the PDF's drawing, rendered by pdfium
        from .. import graphics

        dw = graphics.drawing(f.chart, ctx.style, width, max_height=room)
        scale = min(1.0, width / dw.width, room / dw.height)
        png = graphics.png(dw, dpi=look.dpi, scale=scale)
        shown_w, shown_h = dw.width * scale, dw.height * scale
    rid, _image = w.part.get_or_add_image(io.BytesIO(png))
    sid = w.next_shape_id()
    inline = new_pic_inline(sid, rid, f"figure{sid}.png",
                            round(shown_w * _EMU), round(shown_h * _EMU))
    alt = clean(f.alt or plain_text(f.caption))
    doc_pr(inline).set("name", f"Figure {sid}")
    doc_pr(inline).set("descr", alt)
    # the Figure style keeps the picture with its caption; without one, with nothing, and
    # the figure's space after follows the picture, or its caption below it
    after = el("w:spacing", {"w:after": str(tw(look.space_after))})
    p = para(w, out, "Figure", where,
             *(() if f.caption else (el("w:keepNext", {"w:val": "0"}), after)))
    p.append(_picture(inline))
    if f.caption:
        # a caption below its figure does not keep with what follows (the style does,
        # for table captions above their tables)
        cap = para(w, out, "Caption", where, el("w:keepNext", {"w:val": "0"}), after)
        write_inlines(w, f.caption, cap)


def write_cover_logo(w: Writer, out: Element, where: Where) -> None:
    """The style's cover logo (``cover.logo``), as the PDF prints it: an inline picture
    ``cover.logo_width`` wide (never wider than the text nor taller than a quarter of its
    height) in its aspect ratio, left-aligned on its own line in the Logo style at the top
    of the top sheet, described as "Logo" for screen readers."""
    ctx = w.ctx
    path, look = ctx.style.cover.logo, ctx.sheet.logo
    if path is None or look is None:
        return
    try:
        rid, image = w.part.get_or_add_image(str(path))
        width, height = fit_box(image.px_width, image.px_height, look.width,
                                ctx.page.text_width,
                                ctx.page.text_height * look.max_height_share)
    except Exception as e:
        raise BriefError([Diagnostic(str(path), None, None, "cover.logo",
                                     "the logo cannot be read as a PNG or JPEG image "
                                     f"({type(e).__name__}: {e})")]) from None
    inline = new_pic_inline(w.next_shape_id(), rid, f"logo.{image.ext}",
                            round(width * _EMU), round(height * _EMU))
    doc_pr(inline).set("name", look.alt)
    doc_pr(inline).set("descr", look.alt)
    p = para(w, out, "Logo", where)
    p.append(_picture(inline))
