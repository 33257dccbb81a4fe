"""Blocks to paragraphs and tables, by a dispatch table (one handler per block type, as
pandoc's writers do). Paragraphs take the style of their role; headings are bookmarked for
references and the contents; lists are List Bullet/List Number paragraphs (among numbered
paragraphs they stand in their text column, ordered ones lettered (a), (b))."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from ...document import (
    Block,
    Box,
    Contents,
    Figure,
    Heading,
    ListBlock,
    NotesList,
    PageBreak,
    Paragraph,
    Quote,
    Revision,
    Table,
    TitleBlock,
    plain_text,
)
from ..common import leads_in
from .docx_adapter import Element
from .fields import write_contents
from .inlines import write_inlines
from .media import write_cover_logo, write_figure
from .notes import write_notes_heading
from .numbering import list_step
from .ooxml import (
    PPR_ORDER,
    bookmark_name,
    copy_el,
    el,
    local,
    ppr_of,
    put,
    qn,
    spacing_of,
    tw,
    val,
)
from .revisions import revision_block, rows_marked
from .styles import spacer_spacing
from .tables import write_box, write_table, write_title_block
from .writer import Fmt, Where, Writer, bookmarked, para, run, text_runs

__all__ = ["collapse_spacers", "keep_the_end", "no_space_before", "write_blocks"]

Handler = Callable[[Writer, Any, Element, Where], None]

#: the paragraph style of each paragraph role (role "body" takes the place's body style)
_ROLE_STYLES = {"lead": "Lead", "small": "SmallText", "marking": "BodyMarking",
                "caption": "Caption", "attribution": "Attribution"}
#: in a table cell, as the PDF sets them (the stylesheet's cell-small and cell-caption roles)
_CELL_ROLE_STYLES = {**_ROLE_STYLES, "small": "TableSmallText", "caption": "TableCaption",
                     "attribution": "TableSmallText"}


def write_blocks(w: Writer, blocks: Iterable[Block], out: Element, where: Where) -> None:
    """Write ``blocks`` into ``out`` (the body, a table cell)."""
    blocks = list(blocks)
    for idx, b in enumerate(blocks):
        handler = _HANDLERS.get(type(b))
        if handler is None:
            continue
        handler(w, b, out, where)
        if idx and len(out) and leads_in(blocks[idx - 1], b, blocks[idx + 1]
                                         if idx + 1 < len(blocks) else None):
            _keep_with_table(out[-1])
        if type(b) in _SPACED:
            nxt = blocks[idx + 1] if idx + 1 < len(blocks) else None
            _spacer_after_table(w, out, where, nxt)


def keep_the_end(body: list[Element], most: int) -> None:
    """The pack's short end (at most ``most`` paragraphs after its last table: the sources,
    the author's line) keeps together and with the last row of that table, so that it never
    starts the last page alone (a heading and three lines): where it does not fit under the
    table, that row goes over with it (LibreOffice and Word keep a row whose paragraphs all
    keep with the next)."""
    tables = [k for k, c in enumerate(body) if local(c) == "tbl"]
    if not tables:
        return
    end = [c for c in body[tables[-1] + 1:] if local(c) == "p"]
    if not 2 <= len(end) <= most:
        return
    rows = body[tables[-1]].findall(qn("w:tr"))
    for p in [*(rows[-1].iter(qn("w:p")) if rows else ()), *end[:-1]]:
        _keep_next(p)


#: the least height of a spacer that the next paragraph's space before takes up (points)
_MIN_SPACER = 1.0


def collapse_spacers(body: list[Element], spacer_id: str,
                     props: Callable[[Element], dict]) -> None:
    """The space above a paragraph as the PDF lays it. After a table (a box, the title
    block): the larger of the table's space after and the paragraph's space before, not
    their sum (Word and LibreOffice add a spacer's height to the space before of the
    paragraph after it): the spacer is shortened by that space before, never below
    :data:`_MIN_SPACER` (it stays: it stops LibreOffice chaining keep-with-next through
    the table; before a paragraph that starts a page it is that short). At the top of a
    page: none (Word and LibreOffice lay a paragraph's space before after a page break).
    ``props``: a paragraph's resolved properties (its style's and its own, as
    :class:`~.estimate.sheet.StyleSheet` reads them: ``before`` and ``exact``, points)."""
    for k, p in enumerate(body):
        if local(p) != "p":
            continue
        ppr = p.find(qn("w:pPr"))
        if ppr is not None and ppr.find(qn("w:pageBreakBefore")) is not None:
            no_space_before(p)
        nxt = body[k + 1] if k + 1 < len(body) else None
        if ppr is None or len(p) != 1 or nxt is None or local(nxt) != "p":
            continue
        style = ppr.find(qn("w:pStyle"))
        if style is None or style.get(qn("w:val")) != spacer_id:
            continue
        height, before = props(p)["exact"], props(nxt)["before"]
        if nxt.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None:
            before = height  # (the next starts a page: the space is not laid)
        if height and before > 0:
            put(ppr, spacer_spacing(max(_MIN_SPACER, height - before)), PPR_ORDER)


def no_space_before(p: Element) -> None:
    """No space before the paragraph (it starts a page: the PDF lays none there)."""
    spacing_of(p).set(qn("w:before"), "0")


def _keep_next(p: Element) -> Element:
    ppr = ppr_of(p)
    put(ppr, el("w:keepNext"), PPR_ORDER)
    return ppr


def _keep_with_table(p: Element) -> None:
    """A table's short lead-in kept with it (common.leads_in)."""
    if local(p) != "p":
        return
    put(_keep_next(p), el("w:keepLines"), PPR_ORDER)


def _spacer_after_table(w: Writer, out: Element, where: Where, nxt: Block | None) -> None:
    """An empty spacer paragraph after a table: Word merges adjacent tables and needs a
    paragraph to end a cell; in the body it keeps the next paragraph off the table's
    bottom rule, and stops LibreOffice chaining keep-with-next through the table (a
    heading, a table, then another heading would all move to the next page together)."""
    if where.top or nxt is None or type(nxt) in _SPACED:
        para(w, out, "BlockSpacer", where)


def write_paragraph(w: Writer, b: Paragraph, out: Element, where: Where,
                    style_id: str | None = None) -> Element:
    if style_id is None:
        roles = _CELL_ROLE_STYLES if where.body_style == "TableText" else _ROLE_STYLES
        style_id = where.body_style if b.role == "body" else \
            roles.get(b.role, where.body_style)
    number = b.number
    if number and w.ctx.hang and where.top and where.depth == 0 \
            and style_id in ("Normal", "Lead"):
        # the style numbers paragraphs: the number, a tab to the text's indent, the text
        p = para(w, out, "NumberedParagraph" if style_id == "Normal" else "NumberedLead",
                 where)
        text_runs(number, Fmt(), p)
        p.append(run(Fmt(), el("w:tab")))
    else:
        p = para(w, out, style_id, where)
    write_inlines(w, b.children, p)
    return p


def _paragraph(w: Writer, b: Paragraph, out: Element, where: Where) -> None:
    write_paragraph(w, b, out, where)


def _heading_bookmark(w: Writer, h: Heading) -> str:
    name = w.ctx.heading_bm.get(id(h))
    if name is None:  # not reachable via doc.headings(); still give it a bookmark
        name = bookmark_name(h.anchor, w.state.taken_bookmarks)
    return name


def _heading(w: Writer, h: Heading, out: Element, where: Where) -> None:
    level = min(max(h.level, 1), 3)
    p = para(w, out, f"Heading{level}", where)
    bookmarked(w, p, _heading_bookmark(w, h), lambda: write_inlines(w, h.children, p))


def _list_block(w: Writer, b: ListBlock, out: Element, where: Where) -> None:
    start = len(out)
    if w.ctx.hang and where.top and where.depth == 0 and where.body_style == "Normal":
        # among numbered paragraphs a list stands in their text column
        _list(w, b, out, msgspec.structs.replace(where, hang=w.ctx.hang), where.depth)
    else:
        _list(w, b, out, where, where.depth)
    if where.top and where.depth == 0 and len(b.items) <= w.ctx.sheet.lists.keep_items:
        paras = [c for c in out[start:] if local(c) == "p"]
        if len(paras) == len(out) - start:  # (paragraphs only: the estimate decides)
            w.state.short_lists.append(paras)


def _list(w: Writer, b: ListBlock, out: Element, where: Where, depth: int) -> None:
    depth = min(depth, 8)
    style_level = min(depth, 2) + 1
    num_id, sid = _list_numbering(w, b, where, depth, style_level)
    cont = "ListContinue" if style_level == 1 else f"ListContinue{style_level}"
    numpr = (val("w:ilvl", depth), val("w:numId", num_id))
    ind, cont_ind = _list_indents(w, b, where, depth)

    def item_para() -> Element:
        return para(w, out, sid, where, el("w:numPr", None, *(copy_el(e) for e in numpr)),
                    *(copy_el(e) for e in ind))

    for item in b.items:
        for k, blk in enumerate(item):
            if k == 0 and _item_text(w, blk, item_para()):
                continue
            _list_item_block(w, blk, out, where, depth, cont, cont_ind)
        if not item:  # an empty item still takes its number
            item_para()


def _item_text(w: Writer, blk: Block, p: Element) -> bool:
    """Write a list item's first block into its numbered paragraph ``p`` when it is a
    paragraph or a heading (which keeps its bookmark, for refs and contents)."""
    if isinstance(blk, Heading):
        bookmarked(w, p, _heading_bookmark(w, blk), lambda: write_inlines(w, blk.children, p))
        return True
    if isinstance(blk, Paragraph):
        write_inlines(w, blk.children, p)
        return True
    return False


def _list_item_block(w: Writer, blk: Block, out: Element, where: Where, depth: int,
                     cont: str, cont_ind: tuple[Element, ...]) -> None:
    """A block of a list item after its first paragraph: a paragraph in List Continue, a
    nested list one level down, anything else as itself."""
    if isinstance(blk, Paragraph):
        p = write_paragraph(w, blk, out, where, style_id=cont)
        for e in cont_ind:
            put(p.find(qn("w:pPr")), copy_el(e), PPR_ORDER)
    elif isinstance(blk, ListBlock):
        _list(w, blk, out, msgspec.structs.replace(where, depth=depth + 1), depth + 1)
    else:
        write_blocks(w, (blk,), out, msgspec.structs.replace(where, depth=depth + 1))


def _list_numbering(w: Writer, b: ListBlock, where: Where, depth: int,
                    style_level: int) -> tuple[int, str]:
    """The list's ``w:num`` and paragraph style."""
    nb = w.numbering
    if b.ordered:
        # among numbered paragraphs, ordered lists are lettered (a), (b); (i), (ii) inside
        num = nb.new_num(nb.abs_lettered if where.hang else nb.abs_number,
                         restart_level=depth)
        sid = "ListNumber" if style_level == 1 else f"ListNumber{style_level}"
    else:
        num = nb.bullet_num
        sid = "ListBullet" if style_level == 1 else f"ListBullet{style_level}"
    if where.body_style in ("TableText", "TableHeading"):
        sid = "Table" + sid
    return num, sid


def _list_indents(w: Writer, b: ListBlock, where: Where, depth: int
                  ) -> tuple[tuple[Element, ...], tuple[Element, ...]]:
    """In the numbered paragraphs' text column, the list's bullets and numbers start there:
    the items' and the continuation paragraphs' indents (none elsewhere: the styles')."""
    if not where.hang:
        return (), ()
    lists = w.ctx.sheet.lists
    step = list_step(w.ctx.sheet, b.ordered)
    extra = lists.lettered_extra_em * w.ctx.sheet.role("body").size \
        if b.ordered and depth < 2 else 0
    gap = step + extra
    left = where.hang + tw(step * depth + gap)
    return ((el("w:ind", {"w:left": str(left), "w:hanging": str(tw(gap))}),),
            (el("w:ind", {"w:left": str(left)}),))


def _quote(w: Writer, q: Quote, out: Element, where: Where) -> None:
    start = len(out)
    write_blocks(w, q.blocks, out, msgspec.structs.replace(where, body_style="Quote"))
    if q.attribution:
        _keep_with_attribution(w, q, [c for c in out[start:] if local(c) == "p"])
        p = para(w, out, "Attribution", where)
        text_runs("\u2014\u00a0", Fmt(), p)
        write_inlines(w, q.attribution, p)


#: a quotation at most this share of the page's text height is kept whole on one page
SHORT_QUOTE = 0.5


def _keep_with_attribution(w: Writer, q: Quote, paras: list[Element]) -> None:
    """A quotation is never parted from its attribution: each of its paragraphs keeps with
    the next (LibreOffice follows a chain of them) and, when the quotation is short, keeps
    its lines together, so that the whole quotation moves to the attribution's page; a
    long one keeps its last lines with the attribution (widow control does the rest)."""
    if not paras:
        return
    short = _quote_height(w, q) <= w.ctx.page.text_height * SHORT_QUOTE
    for p in paras if short else paras[-1:]:
        ppr = ppr_of(p)
        put(ppr, el("w:keepNext"), PPR_ORDER)
        if short:
            put(ppr, el("w:keepLines"), PPR_ORDER)


def _quote_height(w: Writer, q: Quote) -> float:
    """A quotation's height, roughly (its text's advance widths over its column, in its
    leading): enough to tell a short quotation from one that may split."""
    ctx = w.ctx
    role, look = ctx.sheet.role("quote"), ctx.sheet.quote
    metrics = ctx.fonts.metrics(ctx.fonts.name(role.family), role.bold, role.italic)
    column = max(ctx.page.text_width - look.rule_width - look.rule_gap - look.indent_right,
                 role.size)
    height = 0.0
    for b in q.blocks:
        text = plain_text(b.children) if isinstance(b, Paragraph) else \
            " ".join(plain_text(p.children) for p in _paragraphs(b))
        lines = sum(math.ceil(sum(metrics.width(c) for c in line) * role.size / column
                              * 1.1) or 1 for line in text.split("\n"))
        height += lines * role.leading + look.space_before + role.space_after
    return height


def _paragraphs(b: Block) -> Iterable[Paragraph]:
    """The paragraphs in a block (a list's items, a quotation's blocks), depth first."""
    if isinstance(b, Paragraph):
        yield b
    for child in getattr(b, "blocks", ()) or ():
        yield from _paragraphs(child)
    for item in getattr(b, "items", ()) or ():
        for child in item:
            yield from _paragraphs(child)


def _title_block(w: Writer, b: TitleBlock, out: Element, where: Where) -> None:
    if b is w.ctx.logo_before and where.top and where.depth == 0:
        write_cover_logo(w, out, where)
    write_title_block(w, b, out, where)


def _notes_list(w: Writer, b: NotesList, out: Element, where: Where) -> None:
    ctx = w.ctx
    if (b is ctx.notes_slot and ctx.has_notes and ctx.notes_kind == "endnotes"
            and w.state.notes_heading_p is None and where.top and where.depth == 0
            and where.body_style == "Normal"):
        write_notes_heading(w, out, b.title)  # the list follows once all are numbered


def _page_break(w: Writer, b: PageBreak, out: Element, where: Where) -> None:
    if where.top:  # (an unconditional break already pending stays so)
        st = w.state
        st.pending_first_page_only = b.first_page_only and (
            st.pending_first_page_only or not st.pending_break)
        st.pending_break = True


def _revision(w: Writer, b: Revision, out: Element, where: Where) -> None:
    w.state.tracked = True
    revision_block(lambda blocks: write_blocks(w, blocks, out, where), w, b, out)


#: blocks written as tables: a spacer paragraph may follow them
_SPACED = (Table, Box)

_HANDLERS: dict[type, Handler] = {
    Paragraph: _paragraph,
    Heading: _heading,
    ListBlock: _list_block,
    Table: rows_marked(write_table),
    Box: rows_marked(write_box),
    Quote: _quote,
    TitleBlock: _title_block,
    Contents: write_contents,
    NotesList: _notes_list,
    Figure: write_figure,
    PageBreak: _page_break,
    Revision: _revision,
}
