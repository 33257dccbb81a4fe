"""The renderer's own flowables: paragraphs that keep their line breaks, headings that bind
their bookmarks where they are drawn, tables in the main flow, figures with their captions,
and the endnotes' slot."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, ListFlowable
from reportlab.platypus import Paragraph as _RLParagraph
from reportlab.platypus.doctemplate import ActionFlowable, FrameBreak

from ...xmltext import escape
from ..common import LEAD_IN
from ..stylesheet import FigureLook
from .reportlab_adapter import (
    CellTable,
    MemoParagraph,
    PlainTextParagraph,
    continued,
    frame_at_top,
    lone_row,
    placed_frame,
    row_heights,
    set_cell,
    split_between_rows,
    split_inside_row,
    table_cells,
    whole_row,
    whole_table,
)
from .shaping import bidi_style, bidi_text, logical_text, reorder_lines
from .tagging import Elem, tagged

__all__ = ["Figure", "FlowTable", "Heading", "Logo", "NotesSlot", "Para", "ShortList",
           "TaggedParagraph"]


class TaggedParagraph(_RLParagraph):
    """A paragraph drawn as the marked content of its structure element (``bg_tag``, see
    :mod:`.tagging`), which its split pieces share."""

    bg_tag: Elem | None = None

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        tag = self.bg_tag
        if tag is not None:
            for part in parts:
                if isinstance(part, TaggedParagraph):
                    part.bg_tag = tag
        return parts

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        actual = getattr(self, "bg_actual", None)
        if actual is not None and self.bg_tag is not None and self.bg_tag.actual is None:
            self.bg_tag.actual = actual
        with tagged(canvas, self.bg_tag):
            super().drawOn(canvas, x, y, _sW)


class Para(TaggedParagraph, MemoParagraph, PlainTextParagraph):
    """Every paragraph the renderer makes: one line break per width (see
    :class:`.reportlab_adapter.MemoParagraph`), a text without markup not parsed (see
    :class:`.reportlab_adapter.PlainTextParagraph`), tagged; text with right-to-left letters
    shaped and reordered (see :func:`.shaping.bidi_style`)."""

    def __init__(self, text: str | None, style: ParagraphStyle | None = None, *args: Any,
                 **kw: Any) -> None:
        if style is not None and isinstance(text, str):
            shaped = bidi_style(text, style)
            if shaped is not style:  # drawn in visual order: the structure keeps the logical
                self.bg_actual = logical_text(text)
            style, text = shaped, bidi_text(text)
        super().__init__(text, style, *args, **kw)

    def drawPara(self, debug: int = 0) -> None:
        """Lines of several fragments drawn in visual order (:func:`.shaping.reorder_lines`;
        on copies, so that a split or a second drawing starts from the logical order)."""
        wrap, bl = getattr(self.style, "wordWrap", None), self.blPara
        if wrap not in ("RTL", "LTR") or getattr(bl, "kind", 0) != 1:
            super().drawPara(debug)
            return
        visual = copy.copy(bl)
        visual.lines = [copy.copy(line) for line in bl.lines]
        reorder_lines(visual.lines, wrap == "RTL")
        self.blPara = visual
        try:
            super().drawPara(debug)
        finally:
            self.blPara = bl


class Logo(Image):
    """The cover logo, drawn as a tagged ``Figure``."""

    bg_tag: Elem | None = None

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        if self.bg_tag is not None:
            self.bg_tag.place(canvas, x, y, x + self.drawWidth, y + self.drawHeight)
        with tagged(canvas, self.bg_tag):
            super().drawOn(canvas, x, y, _sW)


_HEADING_DUTIES = ("bg_key", "bg_outline", "bg_outline_level", "bg_toc_level", "bg_toc_text",
                   "bg_pages", "bg_lift")


class Heading(Para):
    """A paragraph that, where it is drawn, binds its bookmark (an XYZ destination the contents,
    cross-references and outline point at), adds its outline entry and tells the contents its
    page (in ``pages``). A link to it shows ``lift`` points above its top. Split pieces keep
    the duties on the first piece only."""

    def __init__(self, text: str | None, style: ParagraphStyle, *args: Any,
                 key: str | None = None, outline: str | None = None, outline_level: int = 0,
                 toc_level: int | None = None, toc_text: str = "",
                 pages: dict[str, int] | None = None, lift: float = 0, **kwargs: Any):
        super().__init__(text, style, *args, **kwargs)
        self.bg_key = key
        self.bg_outline = outline
        self.bg_outline_level = outline_level
        self.bg_toc_level = toc_level
        self.bg_toc_text = toc_text
        self.bg_pages = pages
        self.bg_lift = lift

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        if parts and isinstance(parts[0], Heading):
            first = parts[0]
            for attr in _HEADING_DUTIES:
                setattr(first, attr, getattr(self, attr))
        return parts

    def draw(self) -> None:
        key = self.bg_key
        if key:
            canv = self.canv
            canv.bookmarkHorizontal(key, 0, self.height + self.bg_lift)  # an XYZ destination
            if self.bg_outline is not None:
                canv.addOutlineEntry(self.bg_outline, key, self.bg_outline_level, closed=False)
            if self.bg_toc_level is not None and self.bg_pages is not None:
                self.bg_pages.setdefault(key, canv.getPageNumber())
        super().draw()


class FlowTable(CellTable):
    """A table in the main flow. ReportLab splits a table between rows first; if the space
    left under the first part can still take a few lines, the rest (with its repeated header)
    is then split *inside* a row on the same page: a second header in mid-page. Here, when
    that space is enough for an in-row split (``splitInRow``, about four lines each side), the
    row is split at once to fill the page; either way the rest starts on the next page (its
    pieces are of this class too, so every later split does the same)."""

    bg_continued = ""  # the label of a row continued, as the frame it was placed in said

    @property
    def _head(self) -> int:
        """How many header rows it repeats."""
        return self.repeatRows if isinstance(self.repeatRows, int) else 0

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if placed_frame(self) is not None:  # (with footnotes, a split is tried again frameless)
            self.bg_continued = continued(placed_frame(self))
        at_top = frame_at_top(placed_frame(self))
        head = self._head
        heights = row_heights(self)
        if not at_top and None not in heights \
                and sum(heights) < whole_table(placed_frame(self)):
            return []  # (a short table is not split: it moves on whole)
        if not at_top and len(heights) > head and None not in heights[:head + 1] \
                and sum(heights[:head + 1]) > availHeight and self._keeps_whole(head):
            return []  # (no whole row fits, and the first is kept whole: it moves on)
        parts = super().split(availWidth, availHeight)
        if len(parts) != 2:
            return parts
        if self._in_row(parts):  # no whole row fits: the row split so its rest is no stub
            fixed = None if self._keeps_whole(head) else \
                self._no_stub(parts, availWidth, availHeight)
            if fixed is None:
                return [] if not at_top else parts
            parts = fixed
        elif self.splitInRow and self.splitByRow \
                and not self._keeps_whole(len(table_cells(parts[0]))):
            used = parts[0].wrap(availWidth, availHeight)[1]
            if availHeight - used >= self.splitInRow:
                in_row = split_inside_row(self, availHeight)
                if len(in_row) == 2:
                    parts = self._no_stub(in_row, availWidth, availHeight) or parts
        if not self._in_row(parts):
            kept = self._no_lone_row(parts, availWidth, availHeight)
            if kept is None:
                return []
            parts = kept
        else:
            self._label_continued(parts)
        return [parts[0], FrameBreak(), parts[1]]

    def _label_continued(self, parts: list[Flowable]) -> None:
        """The rest of a split row on the next page says whose row it is: the row's label
        (its first cell's first paragraph, its plain words) and "(continued)", drawn again,
        an artifact (it is not tagged). Where the first cell ended on this page, the label
        fills that cell there, not an empty cell under the repeated header; where the first
        cell goes on too, the label opens its rest (the row made taller for it where need
        be), in a table of columns under a repeated header (not a quote's or a box's one
        cell, whose first paragraph is no label), when that paragraph is whole on this page
        (not when it goes on itself: its words would be drawn twice). Where nothing of the
        first cell is on this page, it needs none."""
        label = self.bg_continued
        head = self._head
        top, rest = table_cells(parts[0]), table_cells(parts[1])
        if not label or len(rest) <= head or not top or not top[-1][0]:
            return
        words = _label_words(table_cells(self)[len(top) - 1][0])
        if not words:
            return
        lead = table_cells(self)[len(top) - 1][0][0]
        para = Para(f"{escape(words)} <i>{escape(label)}</i>", lead.style)
        para.bg_label_words = words
        going_on = rest[head][0]
        if not going_on:
            rest[head][0] = [para]
        elif head and len(rest[head]) > 1 and top[-1][0][0] is lead:
            # split again, the label never ends a page alone (see _stranded)
            para.keepWithNext = 1
            set_cell(parts[1], head, 0, [para, *going_on])

    def _keeps_whole(self, row: int) -> bool:
        """Whether row ``row`` (of this table, header rows counted) is short enough to be
        kept whole, moved to the next page rather than split (``whole_row_share`` of the
        frame: a row split for a few lines leaves empty cells under the repeated header)."""
        heights = row_heights(self)
        return row < len(heights) and heights[row] < whole_row(placed_frame(self))

    def _sides(self, parts: list[Flowable], width: float) -> tuple[list[float], list[float]]:
        """The heights of the body rows on either side of a split between rows: this table's
        own (wrapped for the split), where they are known, else the pieces'."""
        head = self._head
        heights = row_heights(self)
        n = len(table_cells(parts[0]))
        if len(heights) == len(table_cells(self)) and None not in heights:
            return list(heights[head:n]), list(heights[n:])
        return self._short_rows(parts[0], width), self._short_rows(parts[1], width)

    def _short_rows(self, t: Flowable, width: float) -> list[float]:
        """The heights of a piece's body rows."""
        head = self._head
        t.wrap(width, 0xFFFFFF)
        return row_heights(t)[head:]

    def _no_lone_row(self, parts: list[Flowable], width: float,
                     height: float) -> list[Flowable] | None:
        """A split between rows that leaves no short row alone under the header, on this page
        or the next (a two-row table is never split one and one): ``parts``, or one row more
        carried over, or None to move the whole table on."""
        first, rest = self._sides(parts, width)
        short = max(self.splitInRow or 0, lone_row(placed_frame(self)))
        if len(first) == 1 and first[0] < short and not frame_at_top(placed_frame(self)):
            return None
        if len(rest) == 1 and rest[0] < short:
            if len(first) < 3:  # one row more over would leave one alone here: move it all
                return None
            used = parts[0].wrap(width, height)[1]  # (the space under it may be ample)
            again = split_between_rows(self, used - first[-1] + 1)
            if len(again) == 2 and not self._in_row(again):
                return again
            return None
        return parts

    def _in_row(self, parts: list[Flowable]) -> bool:
        """Whether ``parts`` split a row (rather than between rows)."""
        head = self._head
        return len(table_cells(parts[0])) + len(table_cells(parts[1])) - head \
            == len(table_cells(self)) + 1

    def _no_stub(self, parts: list[Flowable], width: float,
                 height: float) -> list[Flowable] | None:
        """An in-row split whose rest on the next page is at least ``splitInRow`` tall (a few
        lines under a repeated header beside empty cells reads as a fault; ReportLab checks
        the rest of the whole table, not of the row): ``parts``, or the row split higher up,
        or None when the part on this page would then be too short."""
        if self._parts_a_short_cell(parts):
            return None  # (every cell starts at the row's top: splitting higher parts it too)
        short = max(self._stub(parts, width), self._stranded(parts))
        if not short:
            return parts
        for step in range(3):  # a row splits between lines, items, paragraphs: go higher
            again = split_inside_row(self, height - short - 1 - step * (self.splitInRow or 0) / 2)
            if len(again) == 2 and self._in_row(again) and not self._stub(again, width) \
                    and not self._stranded(again):
                return again
        return None

    def _parts_a_short_cell(self, parts: list[Flowable]) -> bool:
        """Whether an in-row split parts a cell shorter than a lone row (``lone_row`` of the
        frame): a rating of a few lines ("Unlikely … Confidence: low") or an attribution
        is read whole, as a row that short is never split; the row moves on instead."""
        head = self._head
        first, rest = table_cells(parts[0]), table_cells(parts[1])
        if not first or len(rest) <= head:
            return False
        short = lone_row(placed_frame(self))
        top, bottom = len(first) - 1, head
        for c, (a, b) in enumerate(zip(first[top], rest[bottom])):
            if not (isinstance(a, (list, tuple)) and a and isinstance(b, (list, tuple)) and b):
                continue
            height = sum(_cell_height(t, r, c, flows)
                         for t, r, flows in ((parts[0], top, a), (parts[1], bottom, b)))
            if height < short:
                return True
        return False

    def _stranded(self, parts: list[Flowable]) -> float:
        """The height of what the split row leaves stranded at the foot of its first part: a
        cell ending with a keep-with-next paragraph, or with a short paragraph whose list went
        on to the next part (a label such as "Indicators to watch:"); 0 when there is none.
        (ReportLab splits a cell's flowables in order and keeps nothing with the next.)"""
        head = self._head
        first, rest = table_cells(parts[0]), table_cells(parts[1])
        if not first or len(rest) <= head:
            return 0.0
        worst = 0.0
        for top, bottom in zip(first[-1], rest[head]):
            if not isinstance(top, (list, tuple)) or not top:
                continue
            last = top[-1]
            nxt = bottom[0] if isinstance(bottom, (list, tuple)) and bottom else None
            if last.getKeepWithNext() or (isinstance(last, _RLParagraph)
                                          and isinstance(nxt, ListFlowable)
                                          and len(last.getPlainText()) <= LEAD_IN):
                worst = max(worst, getattr(last, "height", 0.0) + last.getSpaceBefore()
                            + last.getSpaceAfter())
        return worst

    def _stub(self, parts: list[Flowable], width: float) -> float:
        """How much shorter than ``splitInRow`` the rest of the split row is (0: not short)."""
        head = self._head
        parts[1].wrap(width, 0xFFFFFF)
        heights = row_heights(parts[1])
        if len(heights) <= head:
            return 0.0
        return max(0.0, self.splitInRow - heights[head])


def _label_words(cell: Any) -> str:
    """The plain words that label a row: its first cell's first paragraph's (a label drawn
    for a row continued from a page before keeps the words it was made of)."""
    lead = cell[0] if isinstance(cell, (list, tuple)) and cell else None
    if not isinstance(lead, _RLParagraph):
        return ""
    return str(getattr(lead, "bg_label_words", "") or lead.getPlainText().strip())


def _cell_height(t: Flowable, row: int, col: int, flows: Sequence[Flowable]) -> float:
    """The height of a cell's flowables, wrapped at the column's inner width."""
    cs = t._cellStyles[row][col]
    inner = t._colWidths[col] - cs.leftPadding - cs.rightPadding
    return sum(f.wrap(inner, 0xFFFFFF)[1] + f.getSpaceBefore() + f.getSpaceAfter()
               for f in flows)


class ShortList(ListFlowable):
    """A list of a few items in the main flow (three or fewer), kept on one page when it is
    short (under ``lone_row`` of the frame, as a table row is): moved on whole rather than
    split one item from the rest ("Brokered by:" alone at a page's foot)."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        frame = placed_frame(self)
        _w, h = self.wrap(availWidth, 0xFFFFFF)
        if h < lone_row(frame) and not frame_at_top(frame):
            return []
        return super().split(availWidth, availHeight)


class Figure(Flowable):
    """A chart (vector) with its caption below, kept together: the drawing is scaled down to
    the width available and so that drawing and caption never exceed the frame's height."""

    def __init__(self, drawing: Any, caption: _RLParagraph | None, frame_height: float,
                 look: FigureLook):
        super().__init__()
        self.drawing = drawing
        self.caption = caption
        self.frame_height = frame_height
        self.look = look
        self.spaceBefore = look.space_before
        self.spaceAfter = look.space_after
        self.max_height = frame_height  # lowered when a heading is kept with it
        self.scale = 1.0
        self.cap_h = 0.0
        self.bg_tag: Elem | None = None  # the drawing's Figure element (the caption has its own)

    def bg_children(self) -> Any:
        """What it holds that may carry note marks: its caption."""
        return self.caption

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        cap_h = 0.0
        if self.caption is not None:
            cap_h = self.caption.wrap(availWidth, self.frame_height)[1] + self.look.caption_gap
        dw = self.drawing
        limit = min(self.frame_height, self.max_height)
        room = max(limit - cap_h - 1, self.frame_height * self.look.min_height_share)
        self.scale = min(1.0, availWidth / dw.width, room / dw.height)
        self.cap_h = cap_h
        self.width = availWidth
        self.height = dw.height * self.scale + cap_h
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # never split: it moves to the next page whole (it always fits a frame)

    def draw(self) -> None:
        canv = self.canv
        dw, s = self.drawing, self.scale
        if self.bg_tag is not None:
            self.bg_tag.place(canv, 0, self.cap_h, dw.width * s, self.cap_h + dw.height * s)
        with tagged(canv, self.bg_tag):
            canv.saveState()
            canv.translate(0, self.cap_h)
            canv.scale(s, s)
            renderPDF.draw(dw, canv, 0, 0)
            canv.restoreState()
        if self.caption is not None:
            self.caption.drawOn(canv, 0, 0)


class FirstPageBreak(ActionFlowable):
    """A page break taken only on the pack's first page (``PageBreak.first_page_only``), and
    not at the top of a page: the rest starts page 2 after a front sheet that fits page 1,
    and follows on where one that ran over ends. It draws nothing."""

    def __init__(self) -> None:
        super().__init__(("pageBreak",))

    def apply(self, doc: Any) -> None:
        if doc.page == 1 and not doc.frame._atTop:
            doc.handle_pageBreak()


class NotesSlot(Flowable):
    """Where the endnotes go; replaced once every note has its number."""

    def __init__(self, title: str, outline_level: int):
        super().__init__()
        self.title = title
        self.outline_level = outline_level
        self.width = self.height = 0
        self.bg_tag: Elem | None = None  # where the endnotes' structure elements go
        self.bg_heading: str | None = None  # the endnotes heading's tag, taken in order

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:  # a slot nested in a box or table stays empty: notes go at the end
        pass
