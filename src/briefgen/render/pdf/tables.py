"""The blocks drawn as ReportLab tables: data tables (``tables.rules``: ``grid``, every cell
border; ``horizontal``, no vertical line, heavier rules above and below; ``tables.stripes``),
quotes (a rule at the left), boxes (filled, bordered) and the title block's field table.

A row taller than the space left is split inside the row (so a huge cell cannot stop the build),
but only when at least about four lines go on each side of the split (``min_split``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from ... import document as d
from .flowables import Para

if TYPE_CHECKING:
    from .blocks import BlockWriter

__all__ = ["box", "data_table", "quote", "title_block"]


def _cell(w: BlockWriter, blocks: tuple[d.Block, ...], where: str) -> list[Flowable] | str:
    flow = w.blocks(blocks, where)
    return flow if flow else ""


def _rows(w: BlockWriter, t: d.Table, ncols: int) -> list[list[Any]]:
    rows = []
    for r in t.rows:
        cells = [_cell(w, c.blocks, "cell") for c in r]
        if len(cells) > ncols:  # never drop text: the overflow goes into the last cell
            extra: list[Flowable] = []
            for c in cells[ncols - 1:]:
                extra.extend(c if isinstance(c, list) else [])
            cells = cells[:ncols - 1] + [extra or ""]
        cells += [""] * (ncols - len(cells))
        rows.append(cells)
    return rows


def _col_widths(t: d.Table, ncols: int) -> list[str]:
    widths = t.widths
    if len(widths) != ncols or not all(w > 0 for w in widths):
        widths = (1,) * ncols
    total = float(sum(widths))
    return [f"{w * 100.0 / total:.4f}%" for w in widths]


def data_table(w: BlockWriter, t: d.Table) -> list[Flowable]:
    """A data table, its caption (kept with it) above."""
    look = w.look
    out: list[Flowable] = []
    caption = None
    if t.caption:  # converted first: notes are numbered in reading order
        cap_style = ParagraphStyle("briefgen-caption-keep", parent=look.p["caption"],
                                   keepWithNext=1)
        caption = Para(w.inline.markup(t.caption), cap_style)
    ncols = max(1, t.ncols)
    header = [_cell(w, c.blocks, "th") for c in t.header] or [""]
    rows = _rows(w, t, ncols)
    cmds: list[tuple[Any, ...]] = [
        *look.table_font,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, 0), look.header_bg),
        *look.table_rules(),
    ]
    if rows:
        cmds.extend(look.stripes())
    table = Table([header, *rows], colWidths=_col_widths(t, ncols), repeatRows=1,
                  splitInRow=w.min_split, style=TableStyle(cmds), hAlign="LEFT",
                  spaceBefore=2, spaceAfter=w.style.sizes.base)
    if caption is not None:
        out.append(caption)
    out.append(table)
    return out


def quote(w: BlockWriter, q: d.Quote, where: str) -> Flowable:
    look = w.look
    flow = w.blocks(q.blocks, "quote" if where == "main" else where)
    if q.attribution:
        flow.append(Para("\u2014\u00a0" + w.inline.markup(q.attribution, where),
                         look.p["attribution"]))
    return Table([[flow or ""]], colWidths=["100%"], splitInRow=w.min_split, hAlign="LEFT",
                 style=TableStyle([
                     *look.table_font,
                     ("LINEBEFORE", (0, 0), (0, -1), 2.5, look.rule),
                     ("LEFTPADDING", (0, 0), (-1, -1), 12),
                     ("RIGHTPADDING", (0, 0), (-1, -1), 18),
                     ("TOPPADDING", (0, 0), (-1, -1), 2),
                     ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                 ]), spaceBefore=4, spaceAfter=w.style.sizes.base * 0.8)


def box(w: BlockWriter, b: d.Box) -> Flowable:
    look = w.look
    flow: list[Flowable] = []
    if b.title:
        flow.append(Para(w.inline.markup(b.title), look.p["box-title"]))
    flow.extend(w.blocks(b.blocks, "box"))
    width = 1.6 if b.role == "warning" else 1.0
    return Table([[flow or ""]], colWidths=["100%"], splitInRow=w.min_split, hAlign="LEFT",
                 style=TableStyle([
                     *look.table_font,
                     ("BACKGROUND", (0, 0), (-1, -1), look.box_bg),
                     ("BOX", (0, 0), (-1, -1), width, look.box_border),
                     ("LEFTPADDING", (0, 0), (-1, -1), 10),
                     ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                     ("TOPPADDING", (0, 0), (-1, -1), 8),
                     ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                 ]), spaceBefore=4, spaceAfter=w.style.sizes.base)


def title_block(w: BlockWriter, tb: d.TitleBlock) -> list[Flowable]:
    look = w.look
    out: list[Flowable] = [Para(w.inline.markup(tb.title), look.p["title"])]
    if tb.subtitle:
        out.append(Para(w.inline.markup(tb.subtitle), look.p["subtitle"]))
    if not tb.fields:
        out.append(Spacer(0, w.style.sizes.base))
        return out
    label_drop = look.p["meta-value"].fontSize - look.p["meta-label"].fontSize
    rows = [[Para(w.inline.escaped(f.label), look.p["meta-label"]),
             Para(w.inline.markup(f.value), look.p["meta-value"])] for f in tb.fields]
    out.append(Table(rows, colWidths=["27%", "73%"], hAlign="LEFT", splitInRow=w.min_split,
                     style=TableStyle([
                         *look.table_font,
                         ("VALIGN", (0, 0), (-1, -1), "TOP"),
                         ("LEFTPADDING", (0, 0), (-1, -1), 0),
                         ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                         ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                         # the smaller label sits on the value's first baseline
                         ("TOPPADDING", (0, 0), (0, -1), 3.5 + label_drop),
                         ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
                         ("LINEABOVE", (0, 0), (-1, 0), 1.2, look.headings),
                         ("LINEBELOW", (0, 0), (-1, -2), 0.4, look.rule),
                         ("LINEBELOW", (0, -1), (-1, -1), 1.2, look.headings),
                     ]), spaceBefore=4, spaceAfter=w.style.sizes.base * 1.4))
    return out
