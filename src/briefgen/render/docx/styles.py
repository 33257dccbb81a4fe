"""The style definitions, from the resolved stylesheet (:mod:`briefgen.render.stylesheet`):
Word's built-in Title, Subtitle, Heading 1-3, List Bullet, List Number, Caption, Quote, TOC,
header/footer, footnote/endnote and Hyperlink styles, and custom styles for the rest (Marking
Banner, Body Marking, Meta Label/Value, Lead, Small Text, Attribution, Box Title/Text, Table
Text/Heading, Figure, and the table styles Briefing Table, Briefing Box, Warning Box, Meta
Table). Each paragraph style is a stylesheet role (font, weight, slant, size, leading, colour,
spacing, indents, keep-with-next); the table styles are its table, box and title-block looks.
No size, ratio or padding is decided here. Styles are defined in a fixed order (the styles
part lists them so)."""

from __future__ import annotations

from typing import Any

import msgspec
from docx.document import Document as WordDocument

from ..stylesheet import BoxLook, Role
from .context import Context
from .docx_adapter import Element
from .furniture import furniture_geometry
from .numbering import list_ind
from .ooxml import border, copy_el, eighths, el, shd, tw, val
from .stylebook import StyleBook, ppr
from .typefaces import proportional_line

__all__ = ["SINGLE", "quote_indents", "role_lines", "role_ppr", "write_styles"]

#: single line spacing (a picture's line, the marking's block)
SINGLE = 1.0
_JC = {"center": "center", "right": "right", "justify": "both"}


def write_styles(wd: WordDocument, ctx: Context) -> StyleBook:
    """Write every style into the document's styles part; return the book of them."""
    lines = role_lines(ctx)
    body = ctx.sheet.role("body")
    book = StyleBook(wd.styles.element, ctx.reference, lines.get("body", body.line_multiple),
                     lines)
    lang = ctx.meta.lang or "en-GB"
    book.doc_defaults(ctx.fonts.name(body.family), body.size, lang)
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


# --------------------------------------------------------------------------------------------
# Roles to Word properties


def role_lines(ctx: Context) -> dict[str, float]:
    """Each role's proportional line spacing that sets its lines its leading apart in Word
    and LibreOffice, as the PDF sets them (:func:`~.typefaces.proportional_line`); the
    marking banner's in the marking look's size. None with a reference document: its fonts
    are its own (each role's line multiple is written as it is)."""
    if ctx.reference:
        return {}
    families = ctx.fonts.families
    out = {name: proportional_line(ctx.fonts.name(role.family), families, role.size,
                                   role.leading)
           for name, role in ctx.sheet.roles.items()}
    banner = ctx.sheet.role("marking-banner")
    out[banner.name] = proportional_line(ctx.fonts.name(banner.family), families,
                                         ctx.look.size, ctx.look.size * banner.line_multiple)
    return out


def role_rpr(book: StyleBook, ctx: Context, role: Role, **kw: Any) -> Element:
    """A role's run properties: its family, size, colour, weight and slant."""
    return book.rpr(font=ctx.fonts.name(role.family), size=role.size, colour=role.colour,
                    bold=role.bold, italic=role.italic, **kw)


def role_ppr(book: StyleBook, role: Role, *extra: Element | None,
             before: float | None = None, after: float | None = None) -> Element:
    """A role's paragraph properties: keep-with-next, spacing (its leading as Word's
    proportional line spacing), indents and alignment, and ``extra`` ones."""
    items: list[Element | None] = [el("w:keepNext") if role.keep_with_next else None,
                                   book.spacing(role.space_before if before is None else before,
                                                role.space_after if after is None else after,
                                                book.line(role.name, role.line_multiple))]
    if role.left_indent or role.right_indent:
        items.append(el("w:ind", {"w:left": str(tw(role.left_indent)),
                                  "w:right": str(tw(role.right_indent))}))
    if role.align in _JC:
        items.append(val("w:jc", _JC[role.align]))
    return ppr(*items, *extra)


def _define(book: StyleBook, ctx: Context, sid: str, name: str, role_name: str,
            *extra: Element | None, rpr: Element | None = None, **kw: Any) -> None:
    """Define paragraph style ``sid`` as stylesheet role ``role_name``."""
    role = ctx.sheet.role(role_name)
    book.define(sid, name, ppr=role_ppr(book, role, *extra),
                rpr=rpr if rpr is not None else role_rpr(book, ctx, role), **kw)


def quote_indents(ctx: Context) -> Element:
    """A quotation's indents: its text set in from the rule at the margin by the rule's
    width and gap, and in from the right."""
    q = ctx.sheet.quote
    return el("w:ind", {"w:left": str(tw(q.rule_width + q.rule_gap)),
                        "w:right": str(tw(q.indent_right))})


# --------------------------------------------------------------------------------------------
# Paragraph styles


def _text_styles(book: StyleBook, ctx: Context, lang: str) -> None:
    """Normal, Title, Subtitle, the headings and the contents styles."""
    body = ctx.sheet.role("body")
    _define(book, ctx, "Normal", "Normal", "body", el("w:widowControl"), based_on=None,
            builtin=True, priority=0, rpr=role_rpr(book, ctx, body, lang=lang))
    _define(book, ctx, "Title", "Title", "title", builtin=True, next_style="Subtitle",
            priority=10)
    _define(book, ctx, "Subtitle", "Subtitle", "subtitle", builtin=True, priority=11)
    for level in (1, 2, 3):
        _define(book, ctx, f"Heading{level}", f"heading {level}", f"h{level}",
                el("w:keepLines"), val("w:outlineLvl", level - 1), builtin=True,
                next_style="Normal", priority=9)
    _define(book, ctx, "TOCHeading", "TOC Heading", "contents-title", val("w:outlineLvl", 9),
            based_on="Heading1", next_style="Normal", builtin=True, priority=39)
    for level in (1, 2, 3):
        tabs = el("w:tabs", None, el("w:tab", {"w:val": "right", "w:leader": "dot",
                                               "w:pos": str(ctx.text_w)}))
        # no right indent: the page number's right tab stands at the margin, and LibreOffice
        # drops a tab stop beyond the right indent (the number with it)
        toc = msgspec.structs.replace(ctx.sheet.role(f"toc{level}"), right_indent=0.0)
        book.define(f"TOC{level}", f"toc {level}", builtin=True, next_style="Normal",
                    priority=39, qformat=False, ppr=role_ppr(book, toc, tabs),
                    rpr=role_rpr(book, ctx, toc))


def _list_styles(book: StyleBook, ctx: Context) -> None:
    """List Bullet and List Number 1-3 (their numbering is added by
    :func:`~.numbering.write_numbering`) and List Continue 1-3: body text, the stylesheet's
    space between items."""
    lists = ctx.sheet.lists
    for kind, name in (("ListBullet", "List Bullet"), ("ListNumber", "List Number")):
        for level in (1, 2, 3):
            sid = kind if level == 1 else f"{kind}{level}"
            sname = name if level == 1 else f"{name} {level}"
            book.define(sid, sname, builtin=True, priority=None, qformat=False,
                        ppr=ppr(book.spacing(0, lists.item_space_after),
                                el("w:contextualSpacing", {"w:val": "0"})))
    for level in (1, 2, 3):
        sid = "ListContinue" if level == 1 else f"ListContinue{level}"
        sname = "List Continue" if level == 1 else f"List Continue {level}"
        book.define(sid, sname, builtin=True, qformat=False,
                    ppr=ppr(book.spacing(0, lists.item_space_after),
                            list_ind(ctx.sheet, level - 1, hanging=False)))


def _block_styles(book: StyleBook, ctx: Context) -> None:
    """Caption, Figure, Quote, Attribution, Lead, the numbered paragraphs, Small Text."""
    sheet = ctx.sheet
    q, fig = sheet.quote, sheet.figure
    _define(book, ctx, "Caption", "caption", "caption", builtin=True, next_style="Normal",
            priority=35)
    book.define("Figure", "Figure", next_style="Normal",
                ppr=ppr(el("w:keepNext"), book.spacing(fig.space_before, 0, SINGLE),
                        val("w:jc", "center")))
    quote = sheet.role("quote")
    book.define("Quote", "Quote", builtin=True, next_style="Normal", priority=29,
                ppr=role_ppr(book, quote,
                             el("w:pBdr", None, border("left", q.rule_colour,
                                                       eighths(q.rule_width),
                                                       round(q.rule_gap))),
                             quote_indents(ctx), before=q.space_before),
                rpr=role_rpr(book, ctx, quote))
    _define(book, ctx, "Attribution", "Attribution", "attribution", el("w:keepLines"),
            quote_indents(ctx), next_style="Normal")
    _define(book, ctx, "Lead", "Lead", "lead", next_style="Normal")
    if ctx.hang:  # numbered paragraphs: the number hung at the margin, the text indented
        for sid, name, based in (("NumberedParagraph", "Numbered Paragraph", "Normal"),
                                 ("NumberedLead", "Numbered Lead", "Lead")):
            book.define(sid, name, based_on=based, next_style="Normal",
                        ppr=ppr(el("w:tabs", None, el("w:tab", {
                            "w:val": "left", "w:pos": str(ctx.hang)})),
                            el("w:ind", {"w:left": str(ctx.hang),
                                         "w:hanging": str(ctx.hang)})))
    _define(book, ctx, "SmallText", "Small Text", "small")


def _marking_styles(book: StyleBook, ctx: Context) -> None:
    """The handling marking: Marking Banner (header, footer; the marking look's colour and
    size in the marking-banner role's family) and Body Marking (a marking sentence in the
    body, which screen readers read: they skip headers)."""
    look, role = ctx.look, ctx.sheet.role("marking-banner")
    align = {"left": "left", "center": "center", "right": "right"}[look.align]
    items = [el("w:keepNext"), book.spacing(0, 0, book.line(role.name, role.line_multiple)),
             val("w:jc", align)]
    if look.background:
        items += _label_block(ctx, ctx.fonts.name(role.family))
    book.define("MarkingBanner", "Marking Banner", ppr=ppr(*items),
                rpr=book.rpr(font=ctx.fonts.name(role.family), size=look.size,
                             colour=look.colour, bold=role.bold,
                             keep_font=True))  # its block is measured in it
    _define(book, ctx, "BodyMarking", "Body Marking", "marking", next_style="Normal")


#: room left beside a label on its block so that rounding never wraps it (points)
_LABEL_SLACK = 4.0


def _label_block(ctx: Context, font: str) -> list[Element]:
    """A label on a coloured block (TLP): paragraph shading framed by borders of the same
    colour (the padding), indented so that the block is as wide as the label."""
    look, text_w = ctx.look, ctx.page.text_width
    pad = look.size * ctx.sheet.furniture.marking_pad
    m = ctx.fonts.metrics(font, True, False)
    label_w = sum(m.width(ch) for ch in look.text) * look.size + _LABEL_SLACK
    block = min(label_w + 2 * pad, text_w)
    side = text_w - block
    left, right = {"right": (side + pad, pad), "left": (pad, side + pad),
                   "center": (side / 2 + pad, side / 2 + pad)}[look.align]
    edge = eighths(ctx.sheet.furniture.rule_width)  # in the block's own colour
    return [el("w:pBdr", None, *(border(b, look.background or "", edge, round(pad))
                                 for b in ("top", "left", "bottom", "right"))),
            shd(look.background or ""),
            el("w:ind", {"w:left": str(tw(left)), "w:right": str(tw(right))})]


def _title_block_styles(book: StyleBook, ctx: Context) -> None:
    """The cover logo's paragraph and the title block's label and value cells."""
    logo = ctx.sheet.logo
    if logo is not None:
        book.define("Logo", "Logo", next_style="Title", qformat=False,
                    ppr=ppr(el("w:keepNext"), book.spacing(0, logo.space_after, SINGLE)))
    _define(book, ctx, "MetaLabel", "Meta Label", "meta-label")
    _define(book, ctx, "MetaValue", "Meta Value", "meta-value")


def _table_text_styles(book: StyleBook, ctx: Context) -> None:
    """Table cells' text, headings and lists; box titles and text; the block spacer (the
    space after a table or box, exactly)."""
    cell = ctx.sheet.role("cell")
    _define(book, ctx, "TableText", "Table Text", "cell")
    for kind, name in (("ListBullet", "List Bullet"), ("ListNumber", "List Number")):
        for level in (1, 2, 3):  # lists in table cells, in the cells' type size
            suffix = "" if level == 1 else str(level)
            book.define(f"Table{kind}{suffix}", f"Table {name} {level}".replace(" 1", ""),
                        based_on=f"{kind}{suffix}", qformat=False,
                        ppr=role_ppr(book, cell), rpr=role_rpr(book, ctx, cell))
    _define(book, ctx, "TableHeading", "Table Heading", "th", based_on="TableText")
    # small print and captions in a cell: the stylesheet's cell roles (as the PDF sets them)
    _define(book, ctx, "TableSmallText", "Table Small Text", "cell-small",
            based_on="TableText", qformat=False)
    _define(book, ctx, "TableCaption", "Table Caption", "cell-caption", based_on="TableText",
            qformat=False)
    _define(book, ctx, "BoxTitle", "Box Title", "box-title", next_style="BoxText")
    _define(book, ctx, "BoxText", "Box Text", "box-text")
    book.define("BlockSpacer", "Block Spacer", qformat=False,
                ppr=ppr(spacer_spacing(ctx.sheet.table.space_after)))


def spacer_spacing(height: float) -> Element:
    """An empty paragraph exactly ``height`` tall: the space after a table, a box or the
    title block (Word has no space after a table but a paragraph's)."""
    return el("w:spacing", {"w:before": "0", "w:after": "0", "w:line": str(tw(height)),
                            "w:lineRule": "exact"})


def _furniture_and_note_styles(book: StyleBook, ctx: Context) -> None:
    """Header and footer (a right tab at the text's edge; the footer ruled above), the
    footnote and endnote text and reference styles, and Hyperlink."""
    f = ctx.sheet.furniture
    tabs = el("w:tabs", None, el("w:tab", {"w:val": "right", "w:pos": str(ctx.text_w)}))
    # the footer rule stands as far above the footer line's baseline as in the PDF
    space = furniture_geometry(ctx).rule_space
    for sid, name in (("Header", "header"), ("Footer", "footer")):
        rule = el("w:pBdr", None, border("top", f.rule_colour, eighths(f.rule_width), space)) \
            if sid == "Footer" else None
        _define(book, ctx, sid, name, "header-footer", rule, copy_el(tabs), builtin=True,
                qformat=False)
    note = ctx.sheet.role("note")
    for kind, ident in (("footnote", "Footnote"), ("endnote", "Endnote")):
        _define(book, ctx, f"{ident}Text", f"{kind} text", "note",
                el("w:tabs", None, el("w:tab", {"w:val": "left",
                                                "w:pos": str(tw(note.left_indent))})),
                el("w:ind", {"w:left": str(tw(note.left_indent)),
                             "w:hanging": str(tw(note.left_indent))}),
                builtin=True, qformat=False)
        book.define(f"{ident}Reference", f"{kind} reference", "character",
                    based_on="DefaultParagraphFont", builtin=True, qformat=False,
                    rpr=book.rpr(superscript=True))
    book.define("Hyperlink", "Hyperlink", "character", based_on="DefaultParagraphFont",
                builtin=True, qformat=False, priority=99,
                rpr=book.rpr(colour=ctx.sheet.link_colour, underline=True))


# --------------------------------------------------------------------------------------------
# Table styles


def _cell_mar(top: float, bottom: float, left: float, right: float) -> Element:
    return el("w:tblCellMar", None,
              el("w:top", {"w:w": str(tw(top)), "w:type": "dxa"}),
              el("w:left", {"w:w": str(tw(left)), "w:type": "dxa"}),
              el("w:bottom", {"w:w": str(tw(bottom)), "w:type": "dxa"}),
              el("w:right", {"w:w": str(tw(right)), "w:type": "dxa"}))


def _nil(*sides: str) -> list[Element]:
    return [border(side, "#000000", 0, kind="nil") for side in sides]


def _table_styles(book: StyleBook, ctx: Context) -> None:
    """Briefing Table (the table look: rules, stripes, padding), Briefing Box and Warning
    Box (the box looks) and Meta Table (the title block look)."""
    _briefing_table(book, ctx)
    boxes = ctx.sheet.boxes

    def box_pr(b: BoxLook) -> Element:
        """A box's frame, with no inner rules, and its padding."""
        return el("w:tblPr", None,
                  el("w:tblBorders", None,
                     *(border(side, b.border, eighths(b.border_width)) for side in
                       ("top", "left", "bottom", "right")),
                     *_nil("insideH", "insideV")),
                  _cell_mar(b.pad_top, b.pad_bottom, b.pad_left, b.pad_right))

    box, warning = boxes["summary"], boxes["warning"]
    book.define("BriefingBox", "Briefing Box", "table", based_on="TableNormal",
                priority=59, qformat=False, tbl=(box_pr(box), el("w:tcPr", None,
                                                                 shd(box.fill))))
    book.define("WarningBox", "Warning Box", "table", based_on="BriefingBox",
                priority=59, qformat=False,
                tbl=(box_pr(warning), el("w:tcPr", None, shd(warning.fill))))
    tb = ctx.sheet.title_block
    meta_pr = el("w:tblPr", None,
                 el("w:tblBorders", None,
                    border("top", tb.outer_rule_colour, eighths(tb.outer_rule_width)),
                    *_nil("left"),
                    border("bottom", tb.outer_rule_colour, eighths(tb.outer_rule_width)),
                    *_nil("right"),
                    border("insideH", tb.inner_rule_colour, eighths(tb.inner_rule_width)),
                    *_nil("insideV")),
                 _cell_mar(tb.row_pad, tb.row_pad, 0, 0))
    book.define("MetaTable", "Meta Table", "table", based_on="TableNormal",
                priority=59, qformat=False, tbl=(meta_pr,))


def _briefing_table(book: StyleBook, ctx: Context) -> None:
    t = ctx.sheet.table
    rule, heavy = eighths(t.rule_width), eighths(t.heavy_rule_width)
    if t.rules == "grid":  # every cell ruled, in the rule colour
        borders = [border(side, t.rule_colour, rule) for side in
                   ("top", "left", "bottom", "right", "insideH", "insideV")]
    else:  # "horizontal": rules between rows, a heavier one above and below, no verticals
        borders = [border("top", t.header_fill, heavy), *_nil("left"),
                   border("bottom", t.header_fill, heavy), *_nil("right"),
                   border("insideH", t.rule_colour, rule), *_nil("insideV")]
    tbl_pr = el("w:tblPr", None,
                val("w:tblStyleRowBandSize", 1),
                el("w:tblBorders", None, *borders),
                _cell_mar(t.pad_top, t.pad_bottom, t.pad_left, t.pad_right))
    th = ctx.sheet.role("th")
    first = el("w:tblStylePr", {"w:type": "firstRow"},
               book.rpr(bold=th.bold, colour=th.colour),
               el("w:trPr", None, el("w:tblHeader")),
               el("w:tcPr", None, shd(t.header_fill)))
    # stripes: every second body row shaded (the first body row is band 1, as the PDF
    # leaves it white); without stripes the style has no banding and tables say noHBand
    band = el("w:tblStylePr", {"w:type": "band2Horz"},
              el("w:tcPr", None, shd(t.stripe_fill))) if t.stripes else None
    cell = ctx.sheet.role("cell")
    book.define("BriefingTable", "Briefing Table", "table", based_on="TableNormal",
                priority=59, qformat=False,
                ppr=ppr(book.spacing(0, 0, book.line(cell.name, cell.line_multiple))),
                tbl=(tbl_pr, first, *((band,) if band is not None else ())))
