"""The contents, drawn in the one layout pass before its page numbers are known.

ReportLab's ``multiBuild`` lays the whole document out again until the contents' page numbers
stop changing. Here the contents is given its entries up front (their page numbers do not
change its height), and each entry's leader dots and page number are a form XObject, placed
where the entry's text ends and filled in after the pass (:meth:`ContentsState.finish`), exactly
as ReportLab's contents would draw them. Headings bind bookmarks on the page they are drawn on
(and note it in :attr:`ContentsState.pages`), so outline, links and cross-references are
right."""

from __future__ import annotations

from typing import Any

import msgspec
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from .flowables import TaggedParagraph
from .reportlab_adapter import (
    TOC_ENTRY_END,
    MemoParagraph,
    contents_table,
    retype,
    set_toc_entries,
    table_cells,
    text_end,
    toc_entry_label,
)
from .tagging import Elem, Tagger, tagged

__all__ = ["Contents", "ContentsState", "toc_form"]

Entry = tuple[int, str, int, str]  # level, text (markup), page (0: unknown), key


def toc_form(key: str) -> str:
    return f"briefgen-toc-{key}"


class ContentsEntry(TaggedParagraph, MemoParagraph):
    """An entry's paragraph (made by ReportLab's contents), tagged, its line breaking kept."""


class Contents(TableOfContents):
    """The contents (see the module); the whole leader links to the heading, as the entry's
    text does."""

    width: float  # ReportLab's, set by wrap()
    height: float

    def __init__(self, entries: list[Entry], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        set_toc_entries(self, entries)  # filled as the headings are made, before any layout
        self.bg_entries = entries
        self.ends: dict[str, tuple[float, ParagraphStyle, int]] = {}  # key: room, style, level
        self.bg_toc: Elem | None = None  # its TOC element (the entries' TOCI: see tag)
        self.bg_numbers: dict[str, Elem] = {}  # key: the element of the entry's page number

    def tag(self) -> None:
        """Each entry's paragraph drawn as a ``Link`` in its ``TOCI`` (made once)."""
        toc, table = self.bg_toc, contents_table(self)
        if toc is None or table is None:
            return
        self.bg_toc = None
        paras = [f for row in table_cells(table)
                 for f in (row[0] if isinstance(row[0], (list, tuple)) else [row[0]])
                 if isinstance(f, Paragraph)]
        if len(paras) != len(self.bg_entries):
            return  # (then the entries are artifacts)
        for para in paras:  # (a table wraps its cells again to draw them: once is enough)
            retype(para, ContentsEntry)
            para.remember_wrap()
        items = Tagger.tag_contents(toc, [(e[0], p) for e, p in zip(self.bg_entries, paras)])
        for entry, item in zip(self.bg_entries, items):  # its leader and page number, after it
            self.bg_numbers[entry[3]] = item.add("NonStruct")

    def isIndexing(self) -> int:
        return 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if getattr(self, "_bg_width", None) != availWidth:  # the table, once per width
            super().wrap(availWidth, availHeight)  # (an entry's callback names its key)
            self._bg_width = availWidth
            self.tag()
            self._bg_size = (self.width, self.height)
        self.width, self.height = self._bg_size
        return self._bg_size

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        self.register(canvas)
        super().drawOn(canvas, x, y, _sW)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        for part in parts:  # the table's pieces draw the entries: they need the callback too
            retype(part, ContentsPiece)
            part.bg_contents = self
        return parts

    def register(self, canvas: Canvas) -> None:
        """Set the callback each entry's text ends with: a form for its leader and page
        number there, and a link over it."""
        width = self._bg_width

        def entry_end(canv: Canvas, _kind: str, label: str) -> None:
            level, key = toc_entry_label(label)
            cx, cy = text_end(canv)
            style = self.getLevelStyle(level)
            self.ends[key] = (width - cx, style, level)
            with tagged(canv, self.bg_numbers.get(key)):
                canv.saveState()
                canv.translate(cx, cy)
                canv.doForm(toc_form(key))
                canv.restoreState()
            canv.linkRect("", key, (cx, cy, width, cy + style.leading), relative=1)

        canvas.setNamedCB(TOC_ENTRY_END, entry_end)


class ContentsPiece(Table):
    """A piece of a split contents: a table that registers the contents' callback first."""

    bg_contents: Contents

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        self.bg_contents.register(canvas)
        super().drawOn(canvas, x, y, _sW)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        for part in parts:
            part.bg_contents = self.bg_contents
        return parts


# ReportLab's own contents algorithm (tableofcontents.drawPageNumbers): a page number too wide
# for its room shrinks by a tenth at a time, down to a point
_SHRINK = 0.9
_MIN_SIZE = 1.0


def leader(canv: Canvas, page: str, room: float, style: ParagraphStyle, dot: str) -> None:
    """A contents entry's end, from where its text ends (the origin) to ``room`` points right:
    dots, then the page number flush right (shrunk if it would not fit), as ReportLab draws
    it."""
    size = style.fontSize
    pw = pdfmetrics.stringWidth(page, style.fontName, size)
    while pw > room and size >= _MIN_SIZE:
        size *= _SHRINK
        pw = pdfmetrics.stringWidth(page, style.fontName, size)
    dw = pdfmetrics.stringWidth(dot, style.fontName, size) if dot else 0.0
    n = int((room - pw) / dw) if dw else 0
    tx = canv.beginText(room - n * dw - pw, 0)
    tx.setFont(style.fontName, size)
    tx.setFillColor(style.textColor)
    tx.textLine(n * dot + page)
    canv.drawText(tx)


class ContentsState(msgspec.Struct):
    """The contents of one render: whether any heading is listed, the entries (made as the
    headings are), each contents made, and the page each listed heading was drawn on."""

    has_toc: bool
    entries: list[Entry] = msgspec.field(default_factory=list)
    made: list[Contents] = msgspec.field(default_factory=list)
    pages: dict[str, int] = msgspec.field(default_factory=dict)

    def make(self, styles: list[ParagraphStyle], table_font: list[tuple[Any, ...]],
             right_column: float) -> Contents:
        toc = Contents(self.entries, levelStyles=list(styles), dotsMinLevel=0,
                       tableStyle=TableStyle([
                           *table_font,
                           ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]),
                       rightColumnWidth=right_column)
        self.made.append(toc)
        return toc

    def finish(self, canv: Canvas) -> None:
        """Fill in each entry's leader dots and page number, once every page is known."""
        for toc in self.made:
            for key, (room, style, level) in toc.ends.items():
                canv.beginForm(toc_form(key))
                page = str(self.pages.get(key, "?"))
                leader(canv, page, room, style, " . " if level >= toc.dotsMinLevel else "")
                canv.endForm()
