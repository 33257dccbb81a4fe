"""The style definitions: Word's built-in Title, Subtitle, Heading 1-3, List Bullet, List
Number, Caption, Quote, TOC, header/footer, footnote/endnote and Hyperlink styles restyled
from the :class:`~briefgen.style.Style`, and the custom styles for the rest (Marking Banner,
Body Marking, Meta Label/Value, Lead, Small Text, Attribution, Box Title/Text, Table
Text/Heading, Figure, and the table styles Briefing Table, Briefing Box, Warning Box, Meta
Table). Styles are defined in a fixed order (the styles part lists them so)."""

from __future__ import annotations

import docx as _docx

from .context import Context
from .docx_adapter import Element
from .numbering import list_ind
from .ooxml import border, copy_el, el, shd, tw, val
from .stylebook import StyleBook, ppr

__all__ = ["write_styles"]


def write_styles(wd: _docx.Document, ctx: Context) -> StyleBook:
    """Write every style into the document's styles part; return the book of them."""
    book = StyleBook(wd.styles.element, ctx.reference, ctx.style.sizes.leading)
    lang = ctx.meta.lang or "en-GB"
    book.doc_defaults(ctx.fonts.body_font, ctx.style.sizes.base, lang)
    book.default_styles()
    _text_styles(book, ctx, lang)
    _list_styles(book, ctx)
    _block_styles(book, ctx)
    _marking_styles(book, ctx)
    _title_block_styles(book, ctx)
    _table_text_styles(book, ctx)
    _furniture_and_note_styles(book, ctx)
    _table_styles(book, ctx)
    return book


def _text_styles(book: StyleBook, ctx: Context, lang: str) -> None:
    """Normal, Title, Subtitle, the headings and the contents styles."""
    c, z = ctx.style.colours, ctx.style.sizes
    head, sp = ctx.fonts.head_font, book.spacing
    book.define("Normal", "Normal", based_on=None, builtin=True, priority=0,
                ppr=ppr(el("w:widowControl"), sp(0, z.base * 0.55)),
                rpr=book.rpr(font=ctx.fonts.body_font, size=z.base, colour=c.text, lang=lang))
    book.define("Title", "Title", builtin=True, next_style="Subtitle", priority=10,
                ppr=ppr(el("w:keepNext"), sp(0, z.title * 0.25, 1.1)),
                rpr=book.rpr(font=head, size=z.title, colour=c.headings, bold=True))
    book.define("Subtitle", "Subtitle", builtin=True, priority=11,
                ppr=ppr(el("w:keepNext"), sp(0, z.subtitle * 0.9, 1.15)),
                rpr=book.rpr(font=head, size=z.subtitle, colour=c.muted, italic=False))
    for level, size, before, after in ((1, z.h1, z.h1 * 1.1, z.h1 * 0.4),
                                       (2, z.h2, z.h2 * 1.0, z.h2 * 0.35),
                                       (3, z.h3, z.h3 * 0.9, z.h3 * 0.3)):
        book.define(f"Heading{level}", f"heading {level}", builtin=True, next_style="Normal",
                    priority=9,
                    ppr=ppr(el("w:keepNext"), el("w:keepLines"), sp(before, after, 1.15),
                            val("w:outlineLvl", level - 1)),
                    rpr=book.rpr(font=head, size=size, colour=c.headings, bold=True,
                                 italic=False))
    book.define("TOCHeading", "TOC Heading", based_on="Heading1", next_style="Normal",
                builtin=True, priority=39,
                ppr=ppr(el("w:keepNext"), sp(z.h1 * 0.5, z.h1 * 0.5, 1.15),
                        val("w:outlineLvl", 9)))
    for level in (1, 2, 3):
        tabs = el("w:tabs", None, el("w:tab", {"w:val": "right", "w:leader": "dot",
                                               "w:pos": str(ctx.text_w)}))
        ind = el("w:ind", {"w:left": str(tw(14 * (level - 1)))})
        book.define(f"TOC{level}", f"toc {level}", builtin=True, next_style="Normal",
                    priority=39, qformat=False,
                    ppr=ppr(tabs, sp(4 if level == 1 else 0, 2, 1.15), ind), rpr=book.rpr())


def _list_styles(book: StyleBook, ctx: Context) -> None:
    """List Bullet and List Number 1-3 (their numbering is added by
    :func:`~.numbering.write_numbering`) and List Continue 1-3."""
    base = ctx.style.sizes.base
    for kind, name in (("ListBullet", "List Bullet"), ("ListNumber", "List Number")):
        for level in (1, 2, 3):
            sid = kind if level == 1 else f"{kind}{level}"
            sname = name if level == 1 else f"{name} {level}"
            book.define(sid, sname, builtin=True, priority=None, qformat=False,
                        ppr=ppr(book.spacing(0, base * 0.3),
                                el("w:contextualSpacing", {"w:val": "0"})))
        for level in (1, 2, 3):
            sid = "ListContinue" if level == 1 else f"ListContinue{level}"
            sname = "List Continue" if level == 1 else f"List Continue {level}"
            book.define(sid, sname, builtin=True, qformat=False,
                        ppr=ppr(book.spacing(0, base * 0.3),
                                list_ind(level - 1, hanging=False)))


def _block_styles(book: StyleBook, ctx: Context) -> None:
    """Caption, Figure, Quote, Attribution, Lead, the numbered paragraphs, Small Text."""
    c, z = ctx.style.colours, ctx.style.sizes
    base, sp = z.base, book.spacing
    book.define("Caption", "caption", builtin=True, next_style="Normal", priority=35,
                ppr=ppr(el("w:keepNext"), sp(z.small * 0.6, z.small * 0.4)),
                rpr=book.rpr(size=z.small, colour=c.muted, bold=True, italic=False))
    book.define("Figure", "Figure", next_style="Normal",
                ppr=ppr(el("w:keepNext"), sp(base * 0.4, 2, 1.0), val("w:jc", "center")))
    quote_ind = 28.35  # 1 cm
    book.define("Quote", "Quote", builtin=True, next_style="Normal", priority=29,
                ppr=ppr(el("w:pBdr", None, border("left", c.rule, 18, 8)),
                        sp(base * 0.3, base * 0.3),
                        el("w:ind", {"w:left": str(tw(quote_ind)),
                                     "w:right": str(tw(quote_ind))})),
                rpr=book.rpr(italic=True, colour=c.text))
    book.define("Attribution", "Attribution", next_style="Normal",
                ppr=ppr(el("w:keepLines"), sp(0, base * 0.8),
                        el("w:ind", {"w:left": str(tw(quote_ind)),
                                     "w:right": str(tw(quote_ind))})),
                rpr=book.rpr(size=z.small, colour=c.muted))
    book.define("Lead", "Lead", next_style="Normal", ppr=ppr(sp(0, base * 0.8)),
                rpr=book.rpr(size=round(base * 1.15 * 2) / 2, colour=c.text))
    if ctx.hang:  # numbered paragraphs: the number hung at the margin, the text indented
        for sid, name, based in (("NumberedParagraph", "Numbered Paragraph", "Normal"),
                                 ("NumberedLead", "Numbered Lead", "Lead")):
            book.define(sid, name, based_on=based, next_style="Normal",
                        ppr=ppr(el("w:tabs", None, el("w:tab", {
                            "w:val": "left", "w:pos": str(ctx.hang)})),
                            el("w:ind", {"w:left": str(ctx.hang),
                                         "w:hanging": str(ctx.hang)})))
    book.define("SmallText", "Small Text", ppr=ppr(sp(0, z.small * 0.5)),
                rpr=book.rpr(size=z.small, colour=c.muted))


def _marking_styles(book: StyleBook, ctx: Context) -> None:
    """The handling marking: Marking Banner (header, footer) and Body Marking (a marking
    sentence in the body, which screen readers read: they skip headers)."""
    look, text_w = ctx.look, ctx.page.text_width
    align = {"left": "left", "center": "center", "right": "right"}[look.align]
    items = [el("w:keepNext"), book.spacing(0, 0, 1.0), val("w:jc", align)]
    if look.background:
        # A label on a coloured block (TLP): paragraph shading framed by borders of the
        # same colour (the padding), indented so that the block is as wide as the label.
        pad = 3.0
        m = ctx.fonts.metrics(ctx.fonts.head_font, True, False)
        label_w = sum(m.width(ch) for ch in look.text) * look.size + 4.0
        block = min(label_w + 2 * pad, text_w)
        side = (text_w - block)
        left, right = {"right": (side + pad, pad), "left": (pad, side + pad),
                       "center": (side / 2 + pad, side / 2 + pad)}[look.align]
        items += [el("w:pBdr", None, *(border(b, look.background, 4, int(pad))
                                       for b in ("top", "left", "bottom", "right"))),
                  shd(look.background),
                  el("w:ind", {"w:left": str(tw(left)), "w:right": str(tw(right))})]
    book.define("MarkingBanner", "Marking Banner", ppr=ppr(*items),
                rpr=book.rpr(font=ctx.fonts.head_font, size=look.size, colour=look.colour,
                             bold=True, keep_font=True))  # its block is measured in it
    book.define("BodyMarking", "Body Marking", next_style="Normal",
                ppr=ppr(book.spacing(0, ctx.style.sizes.base * 0.8)),
                rpr=book.rpr(bold=True, colour=ctx.style.colours.text))


def _title_block_styles(book: StyleBook, ctx: Context) -> None:
    """The cover logo's paragraph and the title block's label and value cells."""
    c, z = ctx.style.colours, ctx.style.sizes
    if ctx.style.cover.logo is not None:
        book.define("Logo", "Logo", next_style="Title", qformat=False,
                    ppr=ppr(el("w:keepNext"), book.spacing(0, z.base, 1.0)))
    book.define("MetaLabel", "Meta Label",
                ppr=ppr(el("w:keepNext"), book.spacing(1, 1, 1.15)),
                rpr=book.rpr(size=z.small, colour=c.muted, bold=True))
    book.define("MetaValue", "Meta Value", ppr=ppr(book.spacing(1, 1, 1.15)))


def _table_text_styles(book: StyleBook, ctx: Context) -> None:
    """Table cells' text, headings and lists; box titles and text; the block spacer."""
    c, z = ctx.style.colours, ctx.style.sizes
    base, sp = z.base, book.spacing
    cell_size = max(z.small, base - 1)
    book.define("TableText", "Table Text", ppr=ppr(sp(0, 2, 1.15)),
                rpr=book.rpr(size=cell_size))
    for kind, name in (("ListBullet", "List Bullet"), ("ListNumber", "List Number")):
        for level in (1, 2, 3):  # lists in table cells, in the cells' type size
            suffix = "" if level == 1 else str(level)
            book.define(f"Table{kind}{suffix}", f"Table {name} {level}".replace(" 1", ""),
                        based_on=f"{kind}{suffix}", qformat=False,
                        ppr=ppr(sp(0, 2, 1.15)), rpr=book.rpr(size=cell_size))
    book.define("TableHeading", "Table Heading", based_on="TableText",
                ppr=ppr(el("w:keepNext")),
                rpr=book.rpr(bold=True, colour=c.table_header_text))
    book.define("BoxTitle", "Box Title", next_style="BoxText",
                ppr=ppr(el("w:keepNext"), sp(0, base * 0.35, 1.15)),
                rpr=book.rpr(font=ctx.fonts.head_font, size=base + 1, colour=c.headings,
                             bold=True))
    book.define("BoxText", "Box Text", ppr=ppr(sp(0, base * 0.4)))
    book.define("BlockSpacer", "Block Spacer", qformat=False, ppr=ppr(sp(0, 0, 1.0)),
                rpr=book.rpr(size=base * 0.6))


def _furniture_and_note_styles(book: StyleBook, ctx: Context) -> None:
    """Header and footer (a right tab at the text's edge; the footer ruled above), the
    footnote and endnote text and reference styles, and Hyperlink."""
    c, z = ctx.style.colours, ctx.style.sizes
    tabs = el("w:tabs", None, el("w:tab", {"w:val": "right", "w:pos": str(ctx.text_w)}))
    for sid, name in (("Header", "header"), ("Footer", "footer")):
        rule = el("w:pBdr", None, border("top", c.rule, 4, 4)) if sid == "Footer" else None
        book.define(sid, name, builtin=True, qformat=False,
                    ppr=ppr(rule, copy_el(tabs), book.spacing(0, 0, 1.15)),
                    rpr=book.rpr(size=z.header_footer, colour=c.muted))
    for kind, ident in (("footnote", "Footnote"), ("endnote", "Endnote")):
        book.define(f"{ident}Text", f"{kind} text", builtin=True, qformat=False,
                    ppr=ppr(book.spacing(0, 2, 1.15)), rpr=book.rpr(size=z.small))
        book.define(f"{ident}Reference", f"{kind} reference", "character",
                    based_on="DefaultParagraphFont", builtin=True, qformat=False,
                    rpr=book.rpr(superscript=True))
    book.define("Hyperlink", "Hyperlink", "character", based_on="DefaultParagraphFont",
                builtin=True, qformat=False, priority=99,
                rpr=book.rpr(colour=c.link, underline=True))


# --------------------------------------------------------------------------------------------
# Table styles


def _cell_mar(top: int, side: int) -> Element:
    return el("w:tblCellMar", None,
              el("w:top", {"w:w": str(top), "w:type": "dxa"}),
              el("w:left", {"w:w": str(side), "w:type": "dxa"}),
              el("w:bottom", {"w:w": str(top), "w:type": "dxa"}),
              el("w:right", {"w:w": str(side), "w:type": "dxa"}))


def _table_styles(book: StyleBook, ctx: Context) -> None:
    """Briefing Table (``tables.rules`` and ``tables.stripes``), Briefing Box, Warning Box
    and Meta Table."""
    c = ctx.style.colours
    rule = c.rule
    _briefing_table(book, ctx)

    def box_pr(eighths: int) -> Element:
        """A box's frame, ``eighths`` of a point thick, with no inner rules."""
        return el("w:tblPr", None,
                  el("w:tblBorders", None,
                     *(border(side, c.box_border, eighths) for side in
                       ("top", "left", "bottom", "right")),
                     border("insideH", rule, 0, kind="nil"),
                     border("insideV", rule, 0, kind="nil")),
                  _cell_mar(tw(7), tw(9)))

    book.define("BriefingBox", "Briefing Box", "table", based_on="TableNormal",
                priority=59, qformat=False, tbl=(box_pr(8), el("w:tcPr", None, shd(c.box_bg))))
    book.define("WarningBox", "Warning Box", "table", based_on="BriefingBox",
                priority=59, qformat=False, tbl=(box_pr(14),))
    meta_pr = el("w:tblPr", None,
                 el("w:tblBorders", None,
                    border("top", c.headings, 8),
                    border("left", rule, 0, kind="nil"),
                    border("bottom", c.headings, 8),
                    border("right", rule, 0, kind="nil"),
                    border("insideH", rule, 4),
                    border("insideV", rule, 0, kind="nil")),
                 _cell_mar(tw(2.5), 0))
    book.define("MetaTable", "Meta Table", "table", based_on="TableNormal",
                priority=59, qformat=False, tbl=(meta_pr,))


def _briefing_table(book: StyleBook, ctx: Context) -> None:
    c, tables = ctx.style.colours, ctx.style.tables
    rule = c.rule
    pad_lr, pad_tb = tw(4.5), tw(2.5)
    if tables.rules == "grid":  # every cell ruled, in the rule colour
        borders = [border(side, rule, 4) for side in
                   ("top", "left", "bottom", "right", "insideH", "insideV")]
    else:  # "horizontal": rules between rows, a heavier one above and below, no verticals
        borders = [border("top", c.table_header_bg, 8),
                   border("left", rule, 0, kind="nil"),
                   border("bottom", c.table_header_bg, 8),
                   border("right", rule, 0, kind="nil"),
                   border("insideH", rule, 4),
                   border("insideV", rule, 0, kind="nil")]
    tbl_pr = el("w:tblPr", None,
                val("w:tblStyleRowBandSize", 1),
                el("w:tblBorders", None, *borders),
                _cell_mar(pad_tb, pad_lr))
    first = el("w:tblStylePr", {"w:type": "firstRow"},
               book.rpr(bold=True, colour=c.table_header_text),
               el("w:trPr", None, el("w:tblHeader")),
               el("w:tcPr", None, shd(c.table_header_bg)))
    # stripes: every second body row shaded (the first body row is band 1, as the PDF
    # leaves it white); without stripes the style has no banding and tables say noHBand
    band = el("w:tblStylePr", {"w:type": "band2Horz"},
              el("w:tcPr", None, shd(c.table_stripe))) if tables.stripes else None
    book.define("BriefingTable", "Briefing Table", "table", based_on="TableNormal",
                priority=59, qformat=False, ppr=ppr(book.spacing(0, 0, 1.15)),
                tbl=(tbl_pr, first, *((band,) if band is not None else ())))
