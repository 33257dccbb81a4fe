"""The blocks drawn as ReportLab tables: data tables (``tables.rules``: ``grid``, every cell
border; ``horizontal``, no vertical line, heavier rules above and below; ``tables.stripes``),
quotes (a rule at the left), boxes (filled, bordered) and the title block's field table.

A row taller than the space left is split inside the row (so a huge cell cannot stop the build),
but only when at least about four lines go on each side of the split (``min_split``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer, TableStyle

from ... import document as d
from ...xmltext import escape
from ..common import column_widths, least_widths
from .flowables import Para
from .furniture import frame_box
from .look import hex_colour
from .reportlab_adapter import CellTable

if TYPE_CHECKING:
    from .blocks import BlockWriter

__all__ = ["box", "data_table", "quote", "title_block"]


def _cell(w: BlockWriter, blocks: tuple[d.Block, ...], where: str,
          tag: str = "TD", **attrs: str) -> list[Flowable] | str:
    """A cell's flowables, its blocks' elements in a ``TD`` (or ``TH``, with ``attrs``)."""
    with w.tags.scope(tag, attrs=attrs or None):
        flow = w.blocks(blocks, where)
    return flow if flow else ""


def _rows(w: BlockWriter, t: d.Table, ncols: int) -> list[list[Any]]:
    rows = []
    for r in t.rows:
        with w.tags.scope("TR"):
            cells = [_cell(w, c.blocks, "cell") for c in r]
            for _ in range(ncols - len(cells)):
                w.tags.add("TD")
        if len(cells) > ncols:  # never drop text: the overflow goes into the last cell
            extra: list[Flowable] = []
            for c in cells[ncols - 1:]:
                extra.extend(c if isinstance(c, list) else [])
            cells = [*cells[:ncols - 1], extra or ""]
        cells += [""] * (ncols - len(cells))
        rows.append(cells)
    return rows


def _col_widths(w: BlockWriter, t: d.Table, ncols: int, where: str) -> list[str]:
    """The columns as shares of the width the table is given (ReportLab percentages), each
    wide enough for its longest word (common.least_widths) at the width it is drawn at: the
    text frame's, or the nested share of it inside a box or cell."""
    width = frame_box(w.style, 1)[2] * (1.0 if where == "main" else w.sheet.table.nested_width)
    least = [100 * x / width
             for x in least_widths(t, ncols, w.sheet, len(w.inline.notes.numbers))]
    return [f"{x:.4f}%" for x in column_widths(t.widths, ncols, 100, least)]


def data_table(w: BlockWriter, t: d.Table, where: str = "main") -> list[Flowable]:
    """A data table, its caption (kept with it) above."""
    look, tl = w.look, w.sheet.table
    widths = _col_widths(w, t, max(1, t.ncols), where)
    out: list[Flowable] = []
    caption = None
    if t.caption:  # converted first: notes are numbered in reading order (kept with the table)
        caption = w.tags.leaf(Para(w.inline.markup(t.caption), _keeping(look.p["caption"])),
                              "Caption")
    ncols = max(1, t.ncols)
    with w.tags.scope("TR"), w.tags.repeated():  # (drawn again on a later page: artifacts)
        header = [_cell(w, c.blocks, "th", "TH", O="Table", Scope="Column")
                  for c in t.header] or [""]
    rows = _rows(w, t, ncols)
    cmds: list[tuple[Any, ...]] = [
        *look.table_font,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), tl.pad_left),
        ("RIGHTPADDING", (0, 0), (-1, -1), tl.pad_right),
        ("TOPPADDING", (0, 0), (-1, -1), tl.pad_top),
        ("BOTTOMPADDING", (0, 0), (-1, -1), tl.pad_bottom),
        ("BACKGROUND", (0, 0), (-1, 0), hex_colour(tl.header_fill)),
        *look.table_rules(),
    ]
    if rows:
        cmds.extend(look.stripes())
    table = CellTable([header, *rows], colWidths=widths, repeatRows=1,
                  splitInRow=w.min_split, style=TableStyle(cmds), hAlign="LEFT",
                  spaceBefore=tl.space_before, spaceAfter=tl.space_after)
    if caption is not None:
        out.append(caption)
    out.append(table)
    return out


def _keeping(style: ParagraphStyle) -> ParagraphStyle:
    """A table caption's style: kept with the table below it, whatever the role says."""
    if style.keepWithNext:
        return style
    return ParagraphStyle(f"{style.name}-keep", parent=style, keepWithNext=1)


def quote(w: BlockWriter, q: d.Quote, where: str) -> Flowable:
    look, ql = w.look, w.sheet.quote
    flow = w.blocks(q.blocks, "quote" if where == "main" else where)
    if q.attribution:
        flow.append(w.tags.leaf(Para(escape(ql.attribution_prefix)
                                     + w.inline.markup(q.attribution, where),
                                     look.p["attribution"]), "P"))
    return CellTable([[flow or ""]], colWidths=["100%"], splitInRow=w.min_split, hAlign="LEFT",
                 style=TableStyle([
                     *look.table_font,
                     ("LINEBEFORE", (0, 0), (0, -1), ql.rule_width, hex_colour(ql.rule_colour)),
                     ("LEFTPADDING", (0, 0), (-1, -1), ql.rule_gap),
                     ("RIGHTPADDING", (0, 0), (-1, -1), ql.indent_right),
                     ("TOPPADDING", (0, 0), (-1, -1), ql.pad_top),
                     ("BOTTOMPADDING", (0, 0), (-1, -1), ql.pad_bottom),
                 ]), spaceBefore=ql.space_before, spaceAfter=ql.space_after)


def box(w: BlockWriter, b: d.Box) -> Flowable:
    look = w.look
    bl = w.sheet.boxes.get(b.role) or w.sheet.boxes["note"]
    flow: list[Flowable] = []
    if b.title:
        flow.append(w.tags.leaf(Para(w.inline.markup(b.title), look.p["box-title"]), "P"))
    flow.extend(w.blocks(b.blocks, "box"))
    return CellTable([[flow or ""]], colWidths=["100%"], splitInRow=w.min_split, hAlign="LEFT",
                 style=TableStyle([
                     *look.table_font,
                     ("BACKGROUND", (0, 0), (-1, -1), hex_colour(bl.fill)),
                     ("BOX", (0, 0), (-1, -1), bl.border_width, hex_colour(bl.border)),
                     ("LEFTPADDING", (0, 0), (-1, -1), bl.pad_left),
                     ("RIGHTPADDING", (0, 0), (-1, -1), bl.pad_right),
                     ("TOPPADDING", (0, 0), (-1, -1), bl.pad_top),
                     ("BOTTOMPADDING", (0, 0), (-1, -1), bl.pad_bottom),
                 ]), spaceBefore=bl.space_before, spaceAfter=bl.space_after)


def title_block(w: BlockWriter, tb: d.TitleBlock) -> list[Flowable]:
    look, tl = w.look, w.sheet.title_block
    tags = w.tags
    out: list[Flowable] = [tags.leaf(Para(w.inline.markup(tb.title), look.p["title"]),
                                     tags.heading(1))]
    if tb.subtitle:
        out.append(tags.leaf(Para(w.inline.markup(tb.subtitle), look.p["subtitle"]), "P"))
    if not tb.fields:
        out.append(Spacer(0, tl.space_after_bare))
        return out
    label_drop = look.p["meta-value"].fontSize - look.p["meta-label"].fontSize
    rows = []
    with tags.scope("Table"):  # a row header (the label) and its value per field
        for f in tb.fields:
            with tags.scope("TR"):
                with tags.scope("TH", attrs={"O": "Table", "Scope": "Row"}):
                    label_para = tags.leaf(Para(w.inline.escaped(f.label), look.p["meta-label"]),
                                           "P")
                with tags.scope("TD"):
                    value_para = tags.leaf(Para(w.inline.markup(f.value), look.p["meta-value"]),
                                           "P")
            rows.append([label_para, value_para])
    label = 100 * tl.label_share
    outer, inner = hex_colour(tl.outer_rule_colour), hex_colour(tl.inner_rule_colour)
    out.append(CellTable(rows, colWidths=[f"{label:g}%", f"{100 - label:g}%"], hAlign="LEFT",
                     splitInRow=w.min_split,
                     style=TableStyle([
                         *look.table_font,
                         ("VALIGN", (0, 0), (-1, -1), "TOP"),
                         ("LEFTPADDING", (0, 0), (-1, -1), 0),
                         ("RIGHTPADDING", (0, 0), (-1, -1), tl.column_gap),
                         ("TOPPADDING", (0, 0), (-1, -1), tl.row_pad),
                         # the smaller label sits on the value's first baseline
                         ("TOPPADDING", (0, 0), (0, -1), tl.row_pad + label_drop),
                         ("BOTTOMPADDING", (0, 0), (-1, -1), tl.row_pad),
                         ("LINEABOVE", (0, 0), (-1, 0), tl.outer_rule_width, outer),
                         ("LINEBELOW", (0, 0), (-1, -2), tl.inner_rule_width, inner),
                         ("LINEBELOW", (0, -1), (-1, -1), tl.outer_rule_width, outer),
                     ]), spaceBefore=tl.space_before, spaceAfter=tl.space_after))
    return out
