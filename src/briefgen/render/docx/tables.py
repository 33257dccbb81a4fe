"""Tables, boxes and the title block's field table: Word tables in the Briefing Table,
Briefing/Warning Box and Meta Table styles (their looks are the styles': :mod:`~.styles`),
with fixed column widths, unsplittable rows (until the page estimate lets one split) and a
repeated header row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ...document import (
    Block,
    Box,
    Cell,
    Inline,
    Paragraph,
    Table,
    Text,
    TitleBlock,
    plain_text,
)
from ..common import column_widths, least_widths
from .docx_adapter import Element
from .inlines import write_inlines
from .ooxml import clean, el, local, val
from .styles import spacer_spacing
from .writer import Where, Writer, para

__all__ = ["grid", "write_box", "write_table", "write_title_block"]



def grid(widths: Sequence[float], n: int, total: int,
         least: Sequence[float] = ()) -> list[int]:
    """Column widths in whole twips summing to ``total``, in the proportions ``widths``, each
    at least its ``least`` (twips) where they fit (:func:`~briefgen.render.common.
    column_widths`; the last column takes the rounding)."""
    cols = [int(c) for c in column_widths(widths, n, total, least)]
    cols[-1] += total - sum(cols)
    return cols


def _width(w: Writer, where: Where) -> int:
    """The width a table takes here (twips): the text width, or the stylesheet's share of
    it when nested (in a box or a list)."""
    return w.ctx.text_w if where.top else int(w.ctx.text_w * w.ctx.sheet.table.nested_width)


def _tbl(style_id: str, cols: list[int], first_row: bool = False,
         bands: bool = False, caption: str = "") -> Element:
    """A table in ``style_id`` with its grid; ``w:tblLook`` says which of the style's
    conditional formats apply (header row, banded rows), as its flags and as the legacy
    hex value Word 2007 reads."""
    look = 0x0400 | (0x0020 if first_row else 0) | (0 if bands else 0x0200)
    tbl_pr = el("w:tblPr", None,
                val("w:tblStyle", style_id),
                el("w:tblW", {"w:w": str(sum(cols)), "w:type": "dxa"}),
                el("w:tblLayout", {"w:type": "fixed"}),
                el("w:tblLook", {"w:val": f"{look:04X}",
                                 "w:firstRow": "1" if first_row else "0",
                                 "w:lastRow": "0", "w:firstColumn": "0",
                                 "w:lastColumn": "0", "w:noHBand": "0" if bands else "1",
                                 "w:noVBand": "1"}))
    if caption:
        tbl_pr.append(val("w:tblCaption", clean(caption)[:255]))
    cols_el = el("w:tblGrid", None, *(el("w:gridCol", {"w:w": str(x)}) for x in cols))
    return el("w:tbl", None, tbl_pr, cols_el)


def _cell(w: Writer, tr: Element, width: int, blocks: Iterable[Block], where: Where,
          title: tuple[Inline, ...] = ()) -> Element:
    """A cell of ``blocks`` (a box's title first); a cell ends with a paragraph."""
    from .blocks import write_blocks  # (blocks dispatch to tables: cells hold blocks)

    tc = el("w:tc", None, el("w:tcPr", None, el("w:tcW", {"w:w": str(width),
                                                           "w:type": "dxa"})))
    if title:
        p = para(w, tc, "BoxTitle", where)
        write_inlines(w, title, p)
    write_blocks(w, blocks, tc, where)
    if local(tc[-1]) != "p":
        para(w, tc, where.body_style, where)
    tr.append(tc)
    return tc


def write_table(w: Writer, t: Table, out: Element, where: Where) -> None:
    """A data table: its caption above in the Caption style, the header row repeated on
    every page, rows written unsplittable (the page estimate then decides, where a row meets
    a page's foot, whether it splits there: :func:`~.estimate.fill_page_numbers`), header
    shading and stripes from the table style."""
    n = max(t.ncols, max((len(r) for r in t.rows), default=0), 1)
    # each column wide enough for its longest word (LibreOffice and Word break a word only
    # when it is wider than its column): the PDF's widths (common.least_widths)
    least = [20 * x for x in least_widths(t, n, w.ctx.sheet, len(w.state.notes))]
    cols = grid(t.widths, n, _width(w, where), least)
    if t.caption:
        p = para(w, out, "Caption", where)
        write_inlines(w, t.caption, p)
    tbl = _tbl("BriefingTable", cols, first_row=True, bands=w.ctx.style.tables.stripes,
               caption=plain_text(t.caption))
    cell_where = Where(body_style="TableText", top=False)
    head_where = Where(body_style="TableHeading", top=False)
    for r, row in enumerate((t.header, *t.rows)):
        tr_pr = el("w:trPr", None, el("w:cantSplit"))
        if r == 0:
            tr_pr.append(el("w:tblHeader"))
        tr = el("w:tr", None, tr_pr)
        cells = list(row) + [Cell(())] * (n - len(row))
        for ci, cell in enumerate(cells):
            _cell(w, tr, cols[ci], cell.blocks, head_where if r == 0 else cell_where)
        tbl.append(tr)
    if where.top and w.state.pending_break:
        para(w, out, None, where)  # a page break before a table needs a paragraph
    out.append(tbl)


def write_box(w: Writer, b: Box, out: Element, where: Where) -> None:
    """A box: a one-cell table in the Briefing Box (or Warning Box) style, its title in the
    Box Title style."""
    total = _width(w, where)
    if where.top and w.state.pending_break:
        para(w, out, None, where)
    tbl = _tbl("WarningBox" if b.role == "warning" else "BriefingBox", [total],
               caption=plain_text(b.title))
    tr = el("w:tr")
    _cell(w, tr, total, b.blocks, Where(body_style="BoxText", top=False), title=b.title)
    tbl.append(tr)
    out.append(tbl)


def write_title_block(w: Writer, tb: TitleBlock, out: Element, where: Where) -> None:
    """Title and subtitle, then the fields as a two-column Meta Table."""
    p = para(w, out, "Title", where)
    write_inlines(w, tb.title, p)
    if tb.subtitle:
        p = para(w, out, "Subtitle", where)
        write_inlines(w, tb.subtitle, p)
    if not tb.fields:
        return
    share = w.ctx.sheet.title_block.label_share
    cols = grid((share, 1 - share), 2, _width(w, where))
    tbl = _tbl("MetaTable", cols)
    label_where = Where(body_style="MetaLabel", top=False)
    value_where = Where(body_style="MetaValue", top=False)
    for f in tb.fields:
        tr = el("w:tr", None, el("w:trPr", None, el("w:cantSplit")))
        _cell(w, tr, cols[0], (Paragraph((Text(f.label),)),), label_where)
        _cell(w, tr, cols[1], (Paragraph(f.value),), value_where)
        tbl.append(tr)
    out.append(tbl)
    para(w, out, "BlockSpacer", where, spacer_spacing(w.ctx.sheet.title_block.space_after))
