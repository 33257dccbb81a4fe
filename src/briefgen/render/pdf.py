"""The PDF renderer: a :class:`~briefgen.document.Document` and a :class:`~briefgen.style.Style`
in, the bytes of a print-ready PDF out (ReportLab 5.1 platypus).

``render_pdf(doc, style) -> bytes`` is a pure function: the same input gives byte-identical
output, whatever the wall clock, ``SOURCE_DATE_EPOCH`` or ``PYTHONHASHSEED`` say.

How the harder parts are done:

* **Text is never markup.** Every :class:`~briefgen.document.Text` is escaped for ReportLab's
  paragraph parser; ``<b>``, ``<i>``, ``<a>`` and ``<super>`` tags are built only from the
  document's Strong/Emph/Link/Ref/Note nodes. Contents entries are escaped from the model's plain
  text (the contents re-parses its entries as markup).
* **One layout pass.** ReportLab's ``multiBuild`` lays the whole document out again until
  the contents' page numbers and the "of Y" in the footers stop changing (three passes for the
  sample). Here the document is laid out and drawn once: the contents is given its entries up
  front (their page numbers do not change its height), and each page's footer line and each
  contents entry's leader and page number are *form XObjects*, drawn where they belong during
  the pass and filled in once the numbers are known (:meth:`_Renderer.finish`). Headings bind
  bookmarks on the page they are drawn on, so outline, links and cross-references are right.
  Paragraphs remember their line breaks per width (:class:`_Para`), as tables and keep-with-
  next tests wrap the same ones again.
* **Dates**: the info dictionary's CreationDate/ModDate come from ``doc.meta.date`` (a naive
  datetime is taken as UTC) through the canvas's public ``setDateFormatter``; the build runs in
  ReportLab's ``invariant`` mode and the file ID is seeded from the document date, so the bytes
  do not depend on the clock or on an inherited ``SOURCE_DATE_EPOCH``. Nothing in ``os.environ``
  is touched.
* **Notes**: numbered in document order from 1; equal notes (dataclass equality) are one note:
  later marks repeat the first one's number (the same note twice in a row gives one mark; two
  different marks in a row print as "1,2"). With ``notes: endnotes`` each mark links to its
  one entry, listed at the :class:`~briefgen.document.NotesList` block or appended under a
  "Notes" heading. With ``notes: footnotes`` each page ends with the notes whose marks it holds
  (a note marked on several pages is printed on each): the body frame (:class:`_NoteFrame`)
  places a flowable, or the largest piece of it, only if it fits together with the text of its
  own notes, so a note lands on the page of its mark in one layout pass; nothing has to
  converge (see :class:`_Footnotes` for the safety nets).
* **Page flow**: a heading (or a run of them, or a table caption) keeps with the first lines of
  what follows, never with all of it (:class:`_KeepWithNext`; ReportLab's own keepWithNext
  drags a whole table along and ignores lists). A table split between rows continues on the
  next page, never lower on the same page with a second header (:class:`_FlowTable`).
* **Figures** (risk matrices, timelines) are vector drawings from :mod:`.graphics`, scaled to
  the frame, kept together with their caption (:class:`_Figure`).
* **The style** drives every look (``tests/test_pdf_styles.py`` reads each setting back):
  page size, margins and binding (the frame moves to the inner side page by page), fonts
  (bundled or the analyst's TrueType families, see :func:`.graphics.faces`), sizes and leading,
  every colour, ``tables.rules`` (``grid``: every cell border; ``horizontal``:
  no vertical line, heavier rules above and below) and ``tables.stripes``, ``cover.logo`` (above
  the top sheet's title), notes, markings (:func:`~briefgen.style.marking_look`). Numbered
  paragraphs (``numbering.paragraphs``, numbered by :mod:`briefgen.layout`) print with their
  number hung in the margin, lists in the text column and ordered ones lettered (a), (b).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable
from ..xmltext import escape, quoteattr

from reportlab.graphics import renderPDF
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    ListFlowable,
    ListItem,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as _RLParagraph
from reportlab.platypus import Table as _RLTable
from reportlab.platypus.doctemplate import (
    ActionFlowable,
    FrameBreak,
    IndexingFlowable,
    NullActionFlowable,
)
from reportlab.platypus.flowables import PageBreak, PageBreakIfNotEmpty
from reportlab.platypus.tableofcontents import TableOfContents

from .. import document as d
from ..errors import BriefError, Diagnostic
from ..fonts import characters, family
from ..style import MarkingLook, Style, marking_look
from . import graphics
from .graphics import faces

__all__ = ["render_pdf"]

# --------------------------------------------------------------------------------------------
# Fonts: registered once per process (see graphics.faces)


_faces = faces  # shared with the charts: one registration, the same font names


# --------------------------------------------------------------------------------------------
# Dates and reproducibility


@dataclass(frozen=True)
class _Stamp:
    """The document date in the shapes ReportLab's PDFDocument wants (see its TimeStamp)."""

    t: float
    lt: tuple[int, ...]
    YMDhms: tuple[int, ...]  # noqa: N815 - ReportLab's attribute name
    dhh: int
    dmm: int
    tzname: str
    pdf: str  # the PDF date string, e.g. D:20230920143000+04'00'

    @classmethod
    def of(cls, when: _dt.datetime | _dt.date) -> _Stamp:
        if not isinstance(when, _dt.datetime):  # a plain date: midnight
            when = _dt.datetime(when.year, when.month, when.day)
        if when.tzinfo is None or when.utcoffset() is None:
            when = when.replace(tzinfo=_dt.timezone.utc)
        offset = when.utcoffset() or _dt.timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        hh, mm = divmod(abs(minutes), 60)
        ymdhms = (when.year, when.month, when.day, when.hour, when.minute, when.second)
        pdf = "D:%04d%02d%02d%02d%02d%02d" % ymdhms + f"{sign}{hh:02d}'{mm:02d}'"
        return cls(t=when.timestamp(), lt=tuple(when.timetuple()), YMDhms=ymdhms,
                   dhh=(-hh if minutes < 0 else hh), dmm=mm, tzname=when.tzname() or "UTC",
                   pdf=pdf)

    @property
    def datetime(self) -> _dt.datetime:  # ReportLab's TimeStamp has one
        return _dt.datetime.fromtimestamp(self.t, _dt.timezone.utc)


def _canvas_maker(stamp: _Stamp) -> Callable[..., Canvas]:
    """A canvas factory for the doc template: invariant mode (no clock, no random ID), then the
    document's own date and an ID seeded from it instead of 2000-01-01 or SOURCE_DATE_EPOCH."""

    def make(*args: Any, **kwargs: Any) -> Canvas:
        kwargs["invariant"] = 1
        canv = Canvas(*args, **kwargs)
        canv.setDateFormatter(lambda *_ymdhms: stamp.pdf)
        pdoc = canv._doc
        pdoc._timeStamp = stamp
        if getattr(pdoc, "_ID", None) is None and hasattr(pdoc, "signature"):
            sig = hashlib.md5(usedforsecurity=False)
            sig.update(b"a reportlab document")
            sig.update(stamp.pdf.encode("ascii"))
            pdoc.signature = sig
        return canv

    return make


# --------------------------------------------------------------------------------------------
# Styles


def _hex(c: str) -> colors.Color:
    return colors.HexColor(c)


class _Look:
    """The paragraph styles and colours of one render, derived from a Style."""

    def __init__(self, style: Style):
        self.style = style
        self.body_faces = body = _faces(style.fonts.body)
        self.head_faces = head = _faces(style.fonts.headings)
        sz, c = style.sizes, style.colours
        self.text = _hex(c.text)
        self.muted = _hex(c.muted)
        self.link = c.link
        self.rule = _hex(c.rule)
        self.headings = _hex(c.headings)
        self.header_bg = _hex(c.table_header_bg)
        self.header_text = _hex(c.table_header_text)
        self.stripe = _hex(c.table_stripe)
        self.box_bg = _hex(c.box_bg)
        self.box_border = _hex(c.box_border)
        lead = sz.leading
        base = sz.base

        def ps(name: str, parent: ParagraphStyle | None = None, **kw: Any) -> ParagraphStyle:
            if parent is None:
                kw.setdefault("fontName", body.regular)
                kw.setdefault("fontSize", base)
                kw.setdefault("textColor", self.text)
                kw.setdefault("alignment", TA_LEFT)
                kw.setdefault("allowWidows", 0)
                kw.setdefault("allowOrphans", 0)
                kw.setdefault("spaceAfter", base * 0.6)
                kw.setdefault("bulletFontName", body.regular)
            if "fontSize" in kw and "leading" not in kw:
                kw["leading"] = kw["fontSize"] * lead
            return ParagraphStyle(f"briefgen-{name}", parent=parent, **kw)

        p: dict[str, ParagraphStyle] = {}
        p["body"] = ps("body", fontSize=base)
        p["lead"] = ps("lead", p["body"], fontSize=base * 1.15, spaceAfter=base * 0.8)
        p["small"] = ps("small", p["body"], fontSize=sz.small)
        p["marking"] = ps("marking", p["body"], fontName=body.bold)
        p["caption"] = ps("caption", p["body"], fontName=body.italic, fontSize=sz.small,
                          textColor=self.muted, spaceBefore=2, spaceAfter=4)
        p["attribution"] = ps("attribution", p["body"], fontSize=sz.small, textColor=self.muted)
        cell = max(sz.small, base - 1)
        p["cell"] = ps("cell", p["body"], fontSize=cell, spaceAfter=cell * 0.35)
        p["cell-small"] = ps("cell-small", p["cell"], fontSize=min(cell, sz.small))
        p["cell-caption"] = ps("cell-caption", p["cell-small"], fontName=body.italic,
                               textColor=self.muted)
        p["th"] = ps("th", p["cell"], fontName=body.bold, textColor=self.header_text)
        p["quote"] = ps("quote", p["body"], spaceAfter=base * 0.4)
        p["note"] = ps("note", p["body"], fontSize=sz.small, leftIndent=sz.small * 2.6,
                       bulletIndent=0, bulletFontSize=sz.small, spaceAfter=sz.small * 0.4)
        p["title"] = ps("title", p["body"], fontName=head.bold, fontSize=sz.title,
                        leading=sz.title * 1.15, textColor=self.headings, spaceAfter=sz.title * 0.3)
        p["subtitle"] = ps("subtitle", p["body"], fontName=head.regular, fontSize=sz.subtitle,
                           textColor=self.muted, spaceAfter=sz.subtitle * 0.9)
        p["meta-label"] = ps("meta-label", p["body"], fontName=body.bold, fontSize=sz.small,
                             textColor=self.muted, spaceAfter=0)
        p["meta-value"] = ps("meta-value", p["body"], fontSize=base * 0.95, spaceAfter=0)
        p["box-title"] = ps("box-title", p["body"], fontName=head.bold, fontSize=base * 1.05,
                            textColor=self.headings, spaceAfter=base * 0.4, keepWithNext=1)
        for level, size, before in ((1, sz.h1, 1.3), (2, sz.h2, 1.1), (3, sz.h3, 0.9)):
            p[f"h{level}"] = ps(f"h{level}", p["body"], fontName=head.bold, fontSize=size,
                                leading=size * 1.2, textColor=self.headings,
                                spaceBefore=size * before, spaceAfter=size * 0.45,
                                keepWithNext=1)
        p["h-toc"] = ps("h-toc", p["h1"])  # the Contents and Notes titles
        toc = []
        for level in range(3):
            toc.append(ps(f"toc{level}", p["body"],
                          fontName=body.bold if level == 0 else body.regular,
                          fontSize=base if level == 0 else base * 0.95,
                          leftIndent=level * base * 1.6, rightIndent=base * 3,
                          spaceBefore=base * 0.5 if level == 0 else 0, spaceAfter=base * 0.15))
        self.toc = toc
        # tables set their cell font even when every cell holds paragraphs: name ours, or an
        # unembedded Helvetica creeps into the file
        self.table_font = [("FONTNAME", (0, 0), (-1, -1), body.regular),
                           ("FONTSIZE", (0, 0), (-1, -1), base)]
        self.p = p

    def table_rules(self) -> list[tuple[Any, ...]]:
        """The rules of a data table, by ``tables.rules``: ``grid``, every cell border (as the
        DOCX draws it); ``horizontal``, no vertical line at all: a rule under every row, and a
        heavier one in the header colour above the header and under the last row (as the DOCX
        renderer's BriefingTable)."""
        tables = self.style.tables
        if tables.rules == "grid":
            cmds: list[tuple[Any, ...]] = [
                ("INNERGRID", (0, 0), (-1, -1), 0.5, self.rule),
                ("BOX", (0, 0), (-1, -1), 0.5, self.rule),
            ]
        else:
            cmds = [
                ("LINEABOVE", (0, 0), (-1, 0), 1.0, self.header_bg),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, self.rule),
                ("LINEBELOW", (0, -1), (-1, -1), 1.0, self.header_bg),
            ]
        return cmds

    def stripes(self) -> list[tuple[Any, ...]]:
        """``tables.stripes``: every second body row shaded, the first body row left white."""
        if not self.style.tables.stripes:
            return []
        return [("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, self.stripe])]


# --------------------------------------------------------------------------------------------
# Flowables


_WRAP_FUZZ = 1e-8  # ReportLab's own limit in Paragraph.wrap


class _Para(_RLParagraph):
    """A paragraph that remembers its line breaking for each width. ReportLab breaks a paragraph
    into lines again on every ``wrap``: a table wraps each cell to size its rows and again to
    draw it, and a keep-with-next test wraps what follows before it is placed. The lines depend only on the width (the text and style are fixed once
    made; split pieces are new paragraphs), so one break per width is enough."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        memo = self.__dict__.setdefault("_bg_wrap", {})
        hit = memo.get(availWidth)
        if hit is not None:
            self._wrapWidths, self.blPara, self.height = hit
            self.width = availWidth
            return availWidth, self.height
        size = super().wrap(availWidth, availHeight)
        if availWidth >= _WRAP_FUZZ:  # (a width too small to hold anything sets nothing)
            memo[availWidth] = (self._wrapWidths, self.blPara, self.height)
        return size


class _Heading(_Para):
    """A paragraph that, where it is drawn, binds its bookmark (an XYZ destination the contents,
    cross-references and outline point at), adds its outline entry and tells the contents its
    page. Split pieces keep the duties on the first piece only."""

    def __init__(self, text: str | None, style: ParagraphStyle, *args: Any,
                 key: str | None = None, outline: str | None = None, outline_level: int = 0,
                 toc_level: int | None = None, toc_text: str = "", template: Any = None,
                 **kwargs: Any):
        super().__init__(text, style, *args, **kwargs)
        self.bg_key = key
        self.bg_outline = outline
        self.bg_outline_level = outline_level
        self.bg_toc_level = toc_level
        self.bg_toc_text = toc_text
        self.bg_template = template

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        parts = super().split(availWidth, availHeight)
        if parts and isinstance(parts[0], _Heading):
            first = parts[0]
            for attr in ("bg_key", "bg_outline", "bg_outline_level", "bg_toc_level",
                         "bg_toc_text", "bg_template"):
                setattr(first, attr, getattr(self, attr))
        return parts

    def draw(self) -> None:
        key = self.bg_key
        if key:
            canv = self.canv
            canv.bookmarkHorizontal(key, 0, self.height + 4)  # canv.bookmarkPage(key, "XYZ", ...)
            if self.bg_outline is not None:
                canv.addOutlineEntry(self.bg_outline, key, self.bg_outline_level, closed=False)
            if self.bg_toc_level is not None and self.bg_template is not None:
                self.bg_template.bg_heading_pages.setdefault(key, canv.getPageNumber())
        super().draw()


class _Contents(TableOfContents):
    """The contents, drawn in the one layout pass before its page numbers are known: its
    entries are given up front (the page numbers do not change its height), and each entry's
    leader dots and page number are a form XObject, placed where the entry's text ends and
    filled in after the pass (see :meth:`_Renderer.finish`), exactly as ReportLab's contents
    would draw them. The whole leader links to the heading, as the entry's text does."""

    CALLBACK = "briefgen_toc"

    def __init__(self, entries: list[tuple[int, str, int, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lastEntries = entries  # filled as the headings are made, before any layout
        self.ends: dict[str, tuple[float, ParagraphStyle, int]] = {}  # key: room, style, level

    def isIndexing(self) -> int:  # noqa: N802 - nothing to settle: no multiBuild
        return 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if getattr(self, "_bg_width", None) != availWidth:  # the table, once per width
            super().wrap(availWidth, availHeight)  # (an entry's callback names its key)
            self._bg_width = availWidth
            self._bg_size = (self.width, self.height)
        self.width, self.height = self._bg_size
        return self._bg_size

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N803
        self._register(canvas)
        super().drawOn(canvas, x, y, _sW)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        parts = super().split(availWidth, availHeight)
        for part in parts:  # the table's pieces draw the entries: they need the callback too
            part.__class__ = _ContentsPiece
            part.bg_contents = self
        return parts

    def _register(self, canvas: Canvas) -> None:
        width = self._bg_width

        def entry_end(canv: Canvas, _kind: str, label: str) -> None:
            _page, level, key = label.split(",", 2)
            key = key.strip("'")  # the repr of a key: letters, digits, - and _ only
            info = canv._curr_tx_info
            cx, cy = info["cur_x"], info["cur_y"]
            style = self.getLevelStyle(int(level))
            self.ends[key] = (width - cx, style, int(level))
            canv.saveState()
            canv.translate(cx, cy)
            canv.doForm(_toc_form(key))
            canv.restoreState()
            canv.linkRect("", key, (cx, cy, width, cy + style.leading), relative=1)

        canvas.setNamedCB("drawTOCEntryEnd", entry_end)


class _ContentsPiece(_RLTable):
    """A piece of a split contents: a table that registers the contents' callback first."""

    bg_contents: _Contents

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N803
        self.bg_contents._register(canvas)
        super().drawOn(canvas, x, y, _sW)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        parts = super().split(availWidth, availHeight)
        for part in parts:
            part.bg_contents = self.bg_contents
        return parts


@lru_cache(maxsize=16)
def _drawable_chars(body: Path, headings: Path) -> frozenset[str]:
    """The characters both the body face and the headings' bold face have glyphs for, in the
    Basic Multilingual Plane (see :meth:`_Renderer.drawable`), and tab and line ends."""
    both = characters(body) & characters(headings)
    return frozenset(c for c in both if c <= "\uffff") | frozenset("\t\n\r")


def _toc_form(key: str) -> str:
    return f"briefgen-toc-{key}"


def _footer_form(page: int) -> str:
    return f"briefgen-footer-{page}"


def _leader(canv: Canvas, page: str, room: float, style: ParagraphStyle, dot: str) -> None:
    """A contents entry's end, from where its text ends (the origin) to ``room`` points right:
    dots, then the page number flush right (shrunk if it would not fit), as ReportLab draws
    it."""
    size = style.fontSize
    pw = pdfmetrics.stringWidth(page, style.fontName, size)
    while pw > room and size >= 1.0:
        size *= 0.9
        pw = pdfmetrics.stringWidth(page, style.fontName, size)
    dw = pdfmetrics.stringWidth(dot, style.fontName, size) if dot else 0.0
    n = int((room - pw) / dw) if dw else 0
    tx = canv.beginText(room - n * dw - pw, 0)
    tx.setFont(style.fontName, size)
    tx.setFillColor(style.textColor)
    tx.textLine(n * dot + page)
    canv.drawText(tx)


_FUZZ = 1e-3


class _KeepWithNext(Flowable):
    """Headings (and a table's caption) kept with the *first lines* of what follows them, never
    with all of it: the group starts on this page when, below it, the next flowable can start
    (a table: its header row and first body row; anything else: a first piece ReportLab is
    willing to split off, e.g. two lines of a paragraph or list item, or the whole of a figure);
    otherwise it moves to the next page with it. ReportLab's own keepWithNext would wrap the
    group *and the whole next flowable* in a KeepTogether (so a long table drags its heading to
    the next page, leaving the page before half empty), and it skips lists altogether (a
    ListFlowable is a container, which keepWithNext does not join), leaving a heading alone at
    the foot of a page."""

    def __init__(self, group: list[Flowable], nxt: Flowable, frame_height: float):
        super().__init__()
        for f in group:  # we do the keeping: ReportLab must not wrap them in a KeepTogether
            f.keepWithNext = 0
        self.group = group
        self.nxt = nxt
        self.frame_height = frame_height
        self.width = self.height = 0

    def getSpaceBefore(self) -> float:  # noqa: N802
        return self.group[0].getSpaceBefore()

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return availWidth, 0xFFFFFF  # never placed whole: split() hands out the pieces

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        nxt = self.nxt
        if isinstance(nxt, _Figure):  # a figure scales to fit under its heading on a page
            nxt.max_height = self.frame_height - self._group_height(availWidth, nxt)
        frame = getattr(self, "_frame", None)
        at_top = frame is None or getattr(frame, "_atTop", True)
        action: Flowable = NullActionFlowable()
        if not at_top and not self._starts_here(availWidth, availHeight):
            action = FrameBreak()
        return [action, *self.group, nxt]

    def _group_height(self, aw: float, nxt: Flowable) -> float:
        """The height the group takes above ``nxt`` at the top of a frame."""
        y = 0.0
        prev_after: float | None = None
        for f in self.group:
            if prev_after is not None:
                y += max(f.getSpaceBefore() - prev_after, 0)
            y += f.wrapOn(self.canv, aw, self.frame_height)[1]
            prev_after = f.getSpaceAfter()
            y += prev_after
        return y + max(nxt.getSpaceBefore() - (prev_after or 0), 0) + 1

    def _starts_here(self, aw: float, ah: float) -> bool:
        canv = self.canv
        y = ah
        prev_after: float | None = None
        for f in self.group:  # as Frame.add stacks them (space after overlaps space before)
            if prev_after is not None:
                y -= max(f.getSpaceBefore() - prev_after, 0)
            _w, h = f.wrapOn(canv, aw, y)
            y -= h
            if y < -_FUZZ:
                return False
            prev_after = f.getSpaceAfter()
            y -= prev_after
        nxt = self.nxt
        y -= max(nxt.getSpaceBefore() - (prev_after or 0), 0)
        return _can_start(nxt, canv, aw, y, self.frame_height, self._notes_room())

    def _notes_room(self) -> Callable[[list[Any]], float]:
        """With footnotes: the extra room at the page foot the notes of the group and of a
        piece of the next flowable would take."""
        frame = getattr(self, "_frame", None)
        fn = getattr(frame, "bg_fn", None)
        if fn is None:
            return _no_notes
        own = _note_marks(self.group, [])

        def extra(objs: list[Any]) -> float:
            new: list[int] = []
            for n in own + _note_marks(objs, []):
                if n not in fn.page and n not in new:
                    new.append(n)
            if not new:
                return 0.0
            return frame._room(fn.height(fn.page + new)) - frame._room(fn.reserved)

        return extra

    def draw(self) -> None:
        pass


def _no_notes(_objs: list[Any]) -> float:
    return 0.0


def _can_start(f: Flowable, canv: Canvas, aw: float, ah: float, frame_height: float,
               notes: Callable[[list[Any]], float] = _no_notes, depth: int = 0) -> bool:
    """Whether ``f`` can put its first lines into ``ah`` points (see :class:`_KeepWithNext`);
    ``notes`` gives the room the footnotes of a piece (and of the heading) would take."""
    if ah <= 0:
        return False
    _w, h = f.wrapOn(canv, aw, ah)
    if h <= ah - notes([f]) + _FUZZ:
        return True
    if isinstance(f, _RLTable) and f.repeatRows:
        heights = getattr(f, "_rowHeights", None) or []
        lead = sum(heights[: f.repeatRows + 1])
        if lead <= ah - notes(f._cellvalues[: f.repeatRows + 1]) + _FUZZ:
            return True
        # a first row too big to keep whole may be split inside, as ReportLab would
        if sum(heights[f.repeatRows: f.repeatRows + 1]) < frame_height / 2:
            return False
    room = ah
    for _ in range(3):  # the piece that fits with its own notes
        parts = f.splitOn(canv, aw, room)
        if not parts or isinstance(parts[0], ActionFlowable):
            return False
        first = parts[0]
        if len(parts) == 1 and first is f:
            return False
        _w, h = first.wrapOn(canv, aw, room)
        if h > room + _FUZZ:
            # a container (a list) splits into its items, whatever the height: look inside
            return depth < 6 and _can_start(first, canv, aw, room, frame_height, notes,
                                            depth + 1)
        extra = notes([first])
        if h <= ah - extra + _FUZZ:
            return True
        room = ah - extra
        if room <= 0:
            return False
    return False


def _keep_with_next(story: list[Flowable], frame_height: float) -> list[Flowable]:
    """Each run of keep-with-next flowables (headings, captions) and the flowable after it
    become one :class:`_KeepWithNext`."""
    out: list[Flowable] = []
    group: list[Flowable] = []
    for f in story:
        if getattr(f, "getKeepWithNext", None) and f.getKeepWithNext():
            group.append(f)
            continue
        if group and _is_content(f):
            out.append(_KeepWithNext(group, f, frame_height))
        else:
            out.extend(group)
            out.append(f)
        group = []
    out.extend(group)
    return out


def _is_content(f: Flowable) -> bool:
    # not the contents (which starts the pack and has its own title kept with it)
    return not isinstance(f, (ActionFlowable, PageBreak, IndexingFlowable, Spacer, _NotesSlot))


class _FlowTable(_RLTable):
    """A table in the main flow. ReportLab splits a table between rows first; if the space
    left under the first part can still take a few lines, the rest (with its repeated header)
    is then split *inside* a row on the same page: a second header in mid-page. Here, when
    that space is enough for an in-row split (``splitInRow``, about four lines each side), the
    row is split at once to fill the page; either way the rest starts on the next page (its
    pieces are of this class too, so every later split does the same)."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        parts = super().split(availWidth, availHeight)
        if len(parts) != 2:
            return parts
        if self.splitInRow and self.splitByRow:
            used = parts[0].wrap(availWidth, availHeight)[1]
            if availHeight - used >= self.splitInRow:
                in_row = self._splitRows(availHeight, doInRowSplit=1)
                if len(in_row) == 2:
                    parts = in_row
        return [parts[0], FrameBreak(), parts[1]]


class _Figure(Flowable):
    """A chart (vector) with its caption below, kept together: the drawing is scaled down to
    the width available and so that drawing and caption never exceed the frame's height."""

    def __init__(self, drawing: Any, caption: _RLParagraph | None, frame_height: float,
                 space_before: float, space_after: float):
        super().__init__()
        self.drawing = drawing
        self.caption = caption
        self.frame_height = frame_height
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.max_height = frame_height  # lowered when a heading is kept with it
        self.scale = 1.0
        self.cap_h = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        cap_h = 0.0
        if self.caption is not None:
            cap_h = self.caption.wrap(availWidth, self.frame_height)[1] + 4
        dw = self.drawing
        limit = min(self.frame_height, self.max_height)
        room = max(limit - cap_h - 1, self.frame_height * 0.25)
        self.scale = min(1.0, availWidth / dw.width, room / dw.height)
        self.cap_h = cap_h
        self.width = availWidth
        self.height = dw.height * self.scale + cap_h
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return []  # never split: it moves to the next page whole (it always fits a frame)

    def draw(self) -> None:
        canv = self.canv
        dw, s = self.drawing, self.scale
        canv.saveState()
        canv.translate(0, self.cap_h)
        canv.scale(s, s)
        renderPDF.draw(dw, canv, 0, 0)
        canv.restoreState()
        if self.caption is not None:
            self.caption.drawOn(canv, 0, 0)


# --------------------------------------------------------------------------------------------
# Footnotes

_FN_CALLBACK = "briefgen_fn"  # the <onDraw> callback each footnote mark carries


def _note_marks(f: Any, out: list[int], depth: int = 0) -> list[int]:
    """The note numbers whose marks a flowable (or a piece of one) holds, in reading order:
    found in paragraph fragments (the marks' <onDraw> callbacks), inside tables' cells, lists,
    indenters, keep-togethers and figure captions."""
    if f is None or depth > 20 or isinstance(f, str):
        return out
    if isinstance(f, (list, tuple)):
        for x in f:
            _note_marks(x, out, depth + 1)
        return out
    own = getattr(f, "__dict__", {})
    if isinstance(f, (_RLParagraph, _RLTable)):  # their content is fixed once made: cache
        cached = own.get("_bg_marks")
        if cached is None:
            cached = own["_bg_marks"] = tuple(_own_marks(f, depth))
        out.extend(cached)
        return out
    if "_flowable" in own:  # DDIndenter, LIIndenter (list items)
        _note_marks(own["_flowable"], out, depth + 1)
    elif isinstance(f, ListFlowable):
        _note_marks(f._content, out, depth + 1)
    elif "_content" in own:  # KeepTogether and other containers
        _note_marks(own["_content"], out, depth + 1)
    elif isinstance(f, _Figure):
        _note_marks(f.caption, out, depth + 1)
    elif isinstance(f, _KeepWithNext):
        _note_marks([*f.group, f.nxt], out, depth + 1)
    return out


def _own_marks(f: Any, depth: int) -> list[int]:
    out: list[int] = []
    if isinstance(f, _RLParagraph):
        for frag in getattr(f, "frags", None) or ():
            # a split paragraph's fragments are words: [width, (frag, text), ...]
            subs = [x[0] for x in frag[1:] if isinstance(x, tuple)] \
                if isinstance(frag, list) else (frag,)
            for sub in subs:
                cb = getattr(sub, "cbDefn", None)
                if cb is not None and getattr(cb, "kind", None) == "onDraw" \
                        and getattr(cb, "name", None) == _FN_CALLBACK:
                    out.append(int(cb.label))
    else:
        for row in f._cellvalues:
            for v in row:
                _note_marks(v, out, depth + 1)
    return out


class _Footnotes:
    """The footnotes of the page being laid out: which notes have marks on it, how much room
    they take at the foot of the frame, and drawing them when the page ends.

    The frame (:class:`_NoteFrame`) asks, before it places a flowable, for the notes whose
    marks it holds, and places it only if it fits *together with* their text at the foot;
    the page's notes are drawn in :meth:`draw`. Everything happens in one layout pass, so
    nothing has to converge: a note is on the page of its mark by construction. Safety net:
    a mark drawn on a page whose list lacks it (a flowable the search did not look into) adds
    its note when drawn, and notes that then do not fit under the text are carried to the
    foot of the next page, never dropped or drawn over the text."""

    GAP = 3.0  # between notes

    def __init__(self, markup: list[str], style: ParagraphStyle, width: float, *,
                 rule: colors.Color, size: float):
        self.markup = markup  # the renderer's list of each note's markup, by number - 1
        self.style = style
        self.width = width
        self.rule = rule
        self.sep = size * 1.4  # the separator rule and the space around it
        self._heights: dict[int, float] = {}
        self.reset()

    def reset(self) -> None:
        self.page: list[int] = []  # numbers of the notes whose marks are on this page
        self.carry: list[Flowable] = []  # pieces of notes carried from the page before
        self.reserved = 0.0

    def paragraph(self, n: int) -> _RLParagraph:
        return _Para(self.markup[n - 1], self.style, bulletText=f"{n}.")

    def note_height(self, n: int) -> float:
        h = self._heights.get(n)
        if h is None:
            h = self._heights[n] = self.paragraph(n).wrap(self.width, 1e6)[1]
        return h

    def height(self, numbers: list[int], carry: list[Flowable] | None = None) -> float:
        carry = self.carry if carry is None else carry
        if not numbers and not carry:
            return 0.0
        h = self.sep + sum(c.wrap(self.width, 1e6)[1] + self.GAP for c in carry)
        return h + sum(self.note_height(n) + self.GAP for n in numbers)

    def new_marks(self, f: Flowable) -> list[int]:
        seen = set(self.page)
        out: list[int] = []
        for n in _note_marks(f, []):
            if n not in seen and 1 <= n <= len(self.markup):
                seen.add(n)
                out.append(n)
        return out

    def commit(self, numbers: list[int]) -> None:
        # (drawing the flowable may have added them already, through drawn())
        self.page.extend(n for n in numbers if n not in self.page)
        self.reserved = self.height(self.page)

    def start_page(self) -> None:
        self.page = []
        self.reserved = self.height([])

    def drawn(self, canv: Canvas, kind: str, label: str | None) -> None:
        """The <onDraw> callback of a mark: its note belongs to this page."""
        try:
            n = int(label or "")
        except ValueError:
            return
        if n not in self.page and 1 <= n <= len(self.markup):
            self.page.append(n)

    def draw(self, canv: Canvas, frame: Frame) -> None:
        """At the end of a page: the separator and the notes at the foot of the frame, under
        the text (what does not fit there is carried to the next page)."""
        items: list[Flowable] = [*self.carry, *(self.paragraph(n) for n in sorted(self.page))]
        self.carry = []
        if not items:
            return
        bottom = frame._y1 + frame._bottomPadding
        need = self.height(sorted(self.page), items[:len(items) - len(self.page)])
        # under the text (the space after the last flowable may run into the notes' room)
        text_bottom = getattr(frame, "bg_text_bottom", frame._y)
        top = min(bottom + need, text_bottom)
        x = frame._x1 + frame._leftPadding
        canv.saveState()
        canv.setStrokeColor(self.rule)
        canv.setLineWidth(0.5)
        canv.line(x, top - self.sep * 0.45, x + min(self.width / 3, 144), top - self.sep * 0.45)
        canv.restoreState()
        y = top - self.sep
        for i, item in enumerate(items):
            _w, h = item.wrap(self.width, 1e6)
            if y - h < bottom - _FUZZ:  # overflow: what fits now, the rest on the next page
                parts = item.split(self.width, y - bottom) if y - bottom > 0 else []
                if len(parts) >= 2:
                    ph = parts[0].wrap(self.width, y - bottom)[1]
                    parts[0].drawOn(canv, x, y - ph)
                    self.carry = [*parts[1:], *items[i + 1:]]
                else:
                    self.carry = list(items[i:])
                break
            item.drawOn(canv, x, y - h)
            y -= h + self.GAP


class _NoteFrame(Frame):
    """The body frame when the style asks for footnotes: its bottom rises by the height of the
    notes whose marks are placed on the page (see :class:`_Footnotes`)."""

    def __init__(self, footnotes: _Footnotes, *args: Any, **kwargs: Any):
        self.__dict__["bg_fn"] = footnotes
        self.__dict__["bg_force"] = False
        self.__dict__["bg_text_bottom"] = 0.0
        super().__init__(*args, **kwargs)

    def _base(self) -> float:
        return self._y1 + self._bottomPadding

    def _room(self, height: float) -> float:
        """The room kept for notes: at most 60% of the frame (more overflows to the next
        page), so that text always has room to go on."""
        return min(height, self._height * 0.6)

    def _reset(self) -> None:
        super()._reset()
        fn = self.bg_fn
        fn.start_page()  # notes carried from the page before keep their room
        self._y1p = self._base() + self._room(fn.reserved)
        self.bg_text_bottom = self._y

    def add(self, flowable: Flowable, canv: Canvas, trySplit: int = 0) -> int:  # noqa: N803
        y0 = self._y
        ok = self._add_with_notes(flowable, canv, trySplit)
        if ok:  # where the drawn text ends (the space after it does not count)
            after = self._prevASpace if self._oASpace else flowable.getSpaceAfter()
            if y0 - self._y > after + 0.01:
                self.bg_text_bottom = self._y + after
        return ok

    def _add_with_notes(self, flowable: Flowable, canv: Canvas, trySplit: int) -> int:
        fn = self.bg_fn
        new = fn.new_marks(flowable)
        force, self.bg_force = self.bg_force, False
        if not new:
            return super().add(flowable, canv, trySplit)
        self._y1p = self._base() + self._room(fn.height(fn.page + new))
        ok = super().add(flowable, canv, trySplit)
        if not ok and force:
            # at the top of a page no piece of it fits with its notes (see split): place it
            # all the same, its notes' overflow going to the next page, rather than fail
            self._y1p = self._base() + self._room(fn.reserved)
            ok = super().add(flowable, canv, trySplit)
        if ok:
            fn.commit(new)
        self._y1p = self._base() + self._room(fn.reserved)
        return ok

    def split(self, flowable: Flowable, canv: Canvas) -> list[Flowable]:
        """Split so that the first piece fits *with* the notes of its own marks: the largest
        such piece (found by bisecting the height offered to the flowable's own split)."""
        fn = self.bg_fn
        parts = super().split(flowable, canv)
        s = 0.0
        if not self._atTop:
            s = flowable.getSpaceBefore()
            if self._oASpace:
                s = max(s - self._prevASpace, 0)
        total = self._y - self._base() - s  # the space down to the frame's own bottom
        aw = self._getAvailableWidth()

        def fits(parts: list[Flowable]) -> bool:
            if not parts or isinstance(parts[0], (ActionFlowable, PageBreak)):
                return bool(parts)
            room = total - self._room(fn.height(fn.page + fn.new_marks(parts[0])))
            return room > 0 and parts[0].wrapOn(canv, aw, room)[1] <= room + _FUZZ

        if fits(parts):
            return parts
        # offer the split less room, by the room the first piece's notes take, until a first
        # piece fits with its own notes (its notes shrink with it); then offer once more the
        # room that piece's notes leave, which may take a few more lines
        best: list[Flowable] = []
        offered = total - self._room(fn.reserved)
        for _ in range(6):
            if not parts or isinstance(parts[0], (ActionFlowable, PageBreak)):
                break
            need = self._room(fn.height(fn.page + fn.new_marks(parts[0])))
            room = total - need
            if room <= 0 or room >= offered - 0.5:
                break
            offered = room
            parts = flowable.splitOn(canv, aw, room)
            if fits(parts):
                best = parts
                break
        if best and not isinstance(best[0], (ActionFlowable, PageBreak)):
            room = total - self._room(fn.height(fn.page + fn.new_marks(best[0])))
            if room > offered + 2.0:
                more = flowable.splitOn(canv, aw, room)
                if fits(more):
                    best = more
        if not best:  # the descent overshot (no piece at that room): bisect the room offered
            lo, hi = 0.0, total - self._room(fn.reserved)
            while hi - lo > 2.0:
                mid = (lo + hi) / 2
                cand = flowable.splitOn(canv, aw, mid)
                if fits(cand):
                    best, lo = cand, mid
                else:
                    hi = mid
        if best:
            return best
        if self._atTop:  # nothing fits with its notes, even on a fresh page: force it
            return [_ForceFit(), flowable]
        return []


class _FlushNotes(Flowable):
    """The story's last flowable with footnotes: when the last page's notes (with any carried
    from the page before) do not fit under its text, pages follow to hold them."""

    def __init__(self, footnotes: _Footnotes):
        super().__init__()
        self.footnotes = footnotes
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        frame = getattr(self, "_frame", None)
        fn = self.footnotes
        if frame is None:
            return 0, 0
        room = getattr(frame, "bg_text_bottom", frame._y) - (frame._y1 + frame._bottomPadding)
        if fn.height(fn.page) <= room + _FUZZ:
            return 0, 0
        return availWidth, 0xFFFFFF

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return [FrameBreak(), _FlushNotes(self.footnotes)]

    def draw(self) -> None:
        pass


class _ForceFit(ActionFlowable):
    """Tells the footnote frame to place the next flowable though its notes do not fit."""

    def apply(self, doc: BaseDocTemplate) -> None:
        doc.frame.bg_force = True


class _DocTemplate(BaseDocTemplate):
    def __init__(self, buf: io.BytesIO, *, footnotes: _Footnotes | None = None, **kwargs: Any):
        self.bg_footnotes = footnotes
        self.bg_heading_pages: dict[str, int] = {}  # contents key: the page its heading is on
        self.bg_pages = 0
        super().__init__(buf, **kwargs)

    def beforeDocument(self) -> None:  # noqa: N802
        self.canv.showOutline()
        foot = self.bg_footnotes
        if foot is not None:
            foot.reset()
            self.canv.setNamedCB(_FN_CALLBACK, foot.drawn)

    def afterPage(self) -> None:  # noqa: N802
        self.bg_pages = self.page


# --------------------------------------------------------------------------------------------
# The renderer

_SAFE_URL = re.compile(r"^(?:https?://|mailto:)\S+$", re.IGNORECASE)
_SAFE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,80}$")


def _plain(inlines: tuple[d.Inline, ...]) -> str:
    """One-line plain text (outline titles, contents entries)."""
    return " ".join(d.plain_text(inlines).split())


def _fill_label(label: str, page: int, total: int | None) -> str:
    tot = "?" if total is None else str(total)
    try:
        return label.format(page=page, total=tot)
    except (KeyError, IndexError, ValueError):
        return label.replace("{page}", str(page)).replace("{total}", tot)


class _Renderer:
    def __init__(self, doc: d.Document, style: Style):
        self.doc = doc
        self.style = style
        self.look = _Look(style)
        self.keys: set[str] = set()
        self.anchor_keys: dict[str, str] = {}
        for i, h in enumerate(doc.headings(), 1):
            if h.anchor not in self.anchor_keys:  # "briefgen-*" names are the renderer's own
                wanted = "" if h.anchor.startswith("briefgen-") else h.anchor
                self.anchor_keys[h.anchor] = self._new_key(wanted, f"h{i}")
        self.claimed: set[str] = set()
        self.has_toc = any(h.toc for h in doc.headings())
        self.tocs: list[_Contents] = []
        self.toc_seed: list[tuple[int, str, int, str]] = []  # (level, text, 0, key)
        self.footers: list[tuple[int, float, float, float]] = []  # page, x, width, baseline
        # a row taller than the space left is split inside the row (so a huge cell cannot stop
        # the build), but only when at least about four lines go on each side of the split
        self.min_split = round(style.sizes.base * style.sizes.leading * 4)
        self.drawable_chars = _drawable_chars(family(style.fonts.body).regular,
                                              family(style.fonts.headings).bold)
        self.outline_level = -1
        self.notes: list[str] = []  # markup of each note's content, in number order
        self.note_numbers: dict[d.Note, int] = {}  # equal notes are one note
        self.notes_placed = False
        self.footnotes = style.notes == "footnotes"
        self.lettered = 0  # depth inside a lettered (numbered-paragraph) list, see list_block
        self.numbered_styles: dict[str, ParagraphStyle] = {}
        self.template: _DocTemplate | None = None
        marking = doc.meta.marking
        self.marking: MarkingLook | None = (
            marking_look(marking.scheme, marking.label, style)
            if marking is not None and marking.label.strip() else None)

    # ---------------------------------------------------------------------------- keys

    def _new_key(self, wanted: str, fallback: str) -> str:
        key = wanted if _SAFE_KEY.match(wanted) else f"briefgen-{fallback}"
        base, n = key, 1
        while key in self.keys:
            n += 1
            key = f"{base}-{n}"
        self.keys.add(key)
        return key

    def _next_outline_level(self, level: int) -> int:
        """Outline levels may not jump (0 then 2 is an error): clamp to one below the last."""
        lvl = max(0, min(level, self.outline_level + 1))
        self.outline_level = lvl
        return lvl

    # ---------------------------------------------------------------------------- inlines

    def drawable(self, text: str) -> str:
        """``text`` with U+FFFD (a visible mark) for every character the fonts cannot draw, which
        would otherwise print as glyph 0 (a silent box that vanishes from the extracted text),
        and for characters beyond the Basic Multilingual Plane (emoji), for which ReportLab
        writes a malformed text map (odd-length hex strings in the ToUnicode CMap)."""
        if text.isascii() and text.isprintable():
            return text
        ok = self.drawable_chars
        if ok.issuperset(text):
            return text
        return "".join(c if c in ok else "\ufffd" for c in text)

    def inl(self, inlines: tuple[d.Inline, ...], where: str = "main", in_link: bool = False) -> str:
        out: list[str] = []
        colour = "" if where == "th" else f' color="{self.look.link}"'
        marks: dict[int, int] = {}  # index in ``out`` of each note mark -> its number
        for i in inlines:
            if isinstance(i, d.Text):
                out.append(escape(self.drawable(i.text)))
            elif isinstance(i, d.Strong):
                out.append(f"<b>{self.inl(i.children, where, in_link)}</b>")
            elif isinstance(i, d.Emph):
                out.append(f"<i>{self.inl(i.children, where, in_link)}</i>")
            elif isinstance(i, d.LineBreak):
                out.append("<br/>")
            elif isinstance(i, d.Link):
                inner = self.inl(i.children, where, True)
                if in_link or not _SAFE_URL.match(i.url):
                    out.append(inner)
                else:
                    out.append(f'<a href={quoteattr(i.url)}{colour} underline="1"'
                               f' ucolor="{self.style.colours.rule}">{inner}</a>')
            elif isinstance(i, d.Ref):
                inner = self.inl(i.children, where, True)
                key = self.anchor_keys.get(i.anchor)
                if in_link or key is None:
                    out.append(inner)
                else:
                    out.append(f'<a href="#{key}"{colour}>{inner}</a>')
            elif isinstance(i, d.Note):
                if out and out[-1].endswith(" "):  # the number hugs the word it follows
                    out[-1] = out[-1].rstrip(" ")
                    if not out[-1]:
                        out.pop()
                n = self.note_number(i)
                prev = marks.get(len(out) - 1) if out else None
                if prev == n:  # the same note twice in a row: one mark
                    continue
                if self.footnotes:  # no link (the note is on the page); a callback marker
                    num = f'{n}<onDraw name="{_FN_CALLBACK}" label="{n}"/>'
                elif in_link:
                    num = str(n)
                else:
                    num = f'<a href="#briefgen-note-{n}"{colour}>{n}</a>'
                sep = "<super>,</super>" if prev is not None else ""  # 1,2 not 12
                out.append(f"{sep}<super>{num}</super>")
                marks[len(out) - 1] = n
        return "".join(out)

    def note_number(self, note: d.Note) -> int:
        """The number of a note: the next one the first time its content is seen, the first
        one's number for every later equal note (they are one note, listed once)."""
        n = self.note_numbers.get(note)
        if n is None:
            self.notes.append("")
            n = self.note_numbers[note] = len(self.notes)
            self.notes[n - 1] = self.inl(note.children, "note")
        return n

    # ---------------------------------------------------------------------------- blocks

    def para_style(self, role: str, where: str) -> ParagraphStyle:
        p = self.look.p
        if where == "th":
            return p["th"]
        if where == "cell":
            return {"small": p["cell-small"], "caption": p["cell-caption"],
                    "attribution": p["cell-small"]}.get(role, p["cell"])
        if where == "quote" and role == "body":
            return p["quote"]
        return p.get(role, p["body"])

    def blocks(self, blocks: tuple[d.Block, ...], where: str = "main") -> list[Flowable]:
        out: list[Flowable] = []
        for b in blocks:
            out.extend(self.block(b, where))
        return out

    def block(self, b: d.Block, where: str) -> list[Flowable]:  # noqa: C901 - a dispatcher
        p = self.look.p
        if isinstance(b, d.Paragraph):
            style = self.para_style(b.role, where)
            return [_Para(self.inl(b.children, where), style)]
        if isinstance(b, d.Heading):
            return [self.heading(b, where)]
        if isinstance(b, d.ListBlock):
            return [self.list_block(b, where)]
        if isinstance(b, d.Table):
            return self.table(b)
        if isinstance(b, d.Quote):
            return [self.quote(b, where)]
        if isinstance(b, d.Box):
            return [self.box(b)]
        if isinstance(b, d.TitleBlock):
            return self.title_block(b)
        if isinstance(b, d.Contents):
            if not self.has_toc:  # an empty contents would print ReportLab's placeholder
                return []
            key = self._new_key("briefgen-contents", "contents")
            title = _Heading(escape(self.drawable(b.title)), p["h-toc"], key=key,
                             outline=" ".join(b.title.split()),
                             outline_level=self._next_outline_level(0), template=self.template)
            # its entries: every heading for the contents, as heading() makes them
            toc = _Contents(self.toc_seed, levelStyles=list(self.look.toc), dotsMinLevel=0,
                            tableStyle=TableStyle([
                                *self.look.table_font,
                                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0)]),
                            rightColumnWidth=self.style.sizes.base * 3)
            self.tocs.append(toc)
            return [title, toc, Spacer(0, self.style.sizes.base)]
        if isinstance(b, d.NotesList):
            # filled in (at the top level only) by _place_notes, once every note has its number
            return [_NotesSlot(b.title, self._next_outline_level(0))]
        if isinstance(b, d.Figure):
            return [self.figure(b)]
        if isinstance(b, d.PageBreak):
            return [PageBreakIfNotEmpty()]  # a fresh page is not broken again: no blank pages
        raise TypeError(f"the PDF renderer does not know the block {type(b).__name__}")

    def main_flow(self, blocks: tuple[d.Block, ...]) -> list[Flowable]:
        """The story: the blocks in the main flow, with the style's cover logo above the top
        sheet's title block (at the very top without one) and, with numbered paragraphs, the
        paragraphs' numbers hung in the margin and lists set in the text column."""
        out: list[Flowable] = []
        logo = self.logo()
        numbered = any(isinstance(b, d.Paragraph) and b.number for b in blocks)
        hang = self.hang(blocks) if numbered else 0.0
        for b in blocks:
            if logo and isinstance(b, d.TitleBlock):
                out.extend(logo)
                logo = []
            if isinstance(b, d.Paragraph) and b.number:
                out.append(self.numbered_paragraph(b, hang))
                continue
            if numbered and isinstance(b, d.ListBlock):
                out.append(self.list_block(b, "main", hang))
                continue
            out.extend(self.block(b, "main"))
        return logo + out

    def hang(self, blocks: tuple[d.Block, ...]) -> float:
        """The indent of numbered paragraphs' text: room for the widest number, at least
        2.5 em, the same for every paragraph so that their text stands in one column."""
        numbers = [b.number for b in blocks if isinstance(b, d.Paragraph) and b.number]
        p = self.look.p["lead"]
        widest = max(pdfmetrics.stringWidth(x, p.fontName, p.fontSize) for x in numbers)
        base = self.style.sizes.base
        return max(base * 2.5, widest + base * 0.8)

    def numbered_paragraph(self, b: d.Paragraph, hang: float) -> Flowable:
        """A paragraph the style numbers: its number hung in the margin, the text indented."""
        style = self.numbered_styles.get(b.role)
        if style is None:
            parent = self.look.p[b.role]
            style = self.numbered_styles[b.role] = ParagraphStyle(
                f"{parent.name}-numbered", parent=parent, leftIndent=hang, bulletIndent=0,
                bulletFontName=self.look.body_faces.regular, bulletFontSize=parent.fontSize,
                bulletColor=self.look.text)
        return _Para(self.inl(b.children), style, bulletText=escape(b.number))

    def logo(self) -> list[Flowable]:
        """The style's cover logo at ``cover.logo_width`` (never wider than the text nor
        taller than a quarter of it), its aspect ratio kept, left-aligned."""
        path = self.style.cover.logo
        if path is None:
            return []
        try:
            iw, ih = ImageReader(str(path)).getSize()
            if iw <= 0 or ih <= 0:
                raise ValueError("it has no pixels")
        except Exception as e:  # noqa: BLE001 - whatever the image library says, say it here
            raise BriefError([Diagnostic(str(path), None, None, "cover.logo",
                                         f"not a readable PNG or JPEG image ({e})")]) from None
        _x, _y, fw, fh = self.frame_box(1)
        width = min(self.style.cover.logo_width, fw)
        height = width * ih / iw
        if height > fh / 4:
            height = fh / 4
            width = height * iw / ih
        img = Image(str(path), width=width, height=height, hAlign="LEFT")
        img.spaceAfter = self.style.sizes.base
        return [img]

    def heading(self, h: d.Heading, where: str) -> _Heading:
        level = min(max(h.level, 1), 3)
        if h.anchor in self.claimed:  # a second heading with the same anchor gets its own key
            key = self._new_key(f"{h.anchor}-2", f"h-dup{len(self.keys)}")
        else:
            self.claimed.add(h.anchor)
            key = self.anchor_keys[h.anchor]
        outline = _plain(h.children)
        toc_text = escape(self.drawable(outline))
        if h.toc:  # the contents' entry, its page number still unknown (see render)
            self.toc_seed.append((level - 1, toc_text, 0, key))
        return _Heading(self.inl(h.children, where), self.look.p[f"h{level}"], key=key,
                        outline=outline, outline_level=self._next_outline_level(level - 1),
                        toc_level=(level - 1) if h.toc else None,
                        toc_text=toc_text, template=self.template)

    def list_block(self, lst: d.ListBlock, where: str, hang: float = 0.0) -> ListFlowable:
        """A list; ``hang`` > 0 for a list in the main flow of a pack with numbered paragraphs:
        it stands in the paragraphs' text column (its bullets under their first letters) and,
        ordered, is lettered (a), (b), with (i), (ii) for an ordered list inside it."""
        look = self.look
        size = self.para_style("body", where).fontSize
        lettered = self.lettered
        if hang:
            self.lettered = 1
        elif lettered:
            self.lettered += 1
        try:
            items = []
            for item in lst.items:
                flow = self.blocks(item, where) or [Spacer(0, 0)]
                items.append(ListItem(flow))
        finally:
            self.lettered = lettered
        indent = size * (2.0 if lst.ordered else 1.5)
        kw: dict[str, Any] = dict(
            bulletFontName=look.body_faces.regular, bulletFontSize=size,
            bulletColor=look.text, leftIndent=indent + hang,
            spaceBefore=0, spaceAfter=size * 0.75)
        if hang:
            kw["bulletDedent"] = indent  # the bullet at the text column, not at the margin
        if lst.ordered and (hang or lettered == 1):  # (a) at the top, (i) inside
            kind = "a" if hang else "i"
            kw["leftIndent"] += size * 0.5
            if hang:
                kw["bulletDedent"] += size * 0.5
            return ListFlowable(items, bulletType=kind, start=1, bulletFormat="(%s)", **kw)
        if lst.ordered:
            return ListFlowable(items, bulletType="1", start=1, bulletFormat="%s.", **kw)
        return ListFlowable(items, bulletType="bullet", start="\u2022", **kw)

    def _cell(self, blocks: tuple[d.Block, ...], where: str) -> list[Flowable] | str:
        flow = self.blocks(blocks, where)
        return flow if flow else ""

    def table(self, t: d.Table) -> list[Flowable]:
        look = self.look
        out: list[Flowable] = []
        caption = None
        if t.caption:  # converted first: notes are numbered in reading order
            cap_style = ParagraphStyle("briefgen-caption-keep", parent=look.p["caption"],
                                       keepWithNext=1)
            caption = _Para(self.inl(t.caption), cap_style)
        ncols = max(1, t.ncols)
        header = [self._cell(c.blocks, "th") for c in t.header] or [""]
        rows = []
        for r in t.rows:
            cells = [self._cell(c.blocks, "cell") for c in r]
            if len(cells) > ncols:  # never drop text: the overflow goes into the last cell
                extra: list[Flowable] = []
                for c in cells[ncols - 1:]:
                    extra.extend(c if isinstance(c, list) else [])
                cells = cells[:ncols - 1] + [extra or ""]
            cells += [""] * (ncols - len(cells))
            rows.append(cells)
        widths = t.widths
        if len(widths) != ncols or not all(w > 0 for w in widths):
            widths = (1,) * ncols
        total = float(sum(widths))
        col_widths = [f"{w * 100.0 / total:.4f}%" for w in widths]
        cmds: list[tuple[Any, ...]] = [
            *self.look.table_font,
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
        table = _RLTable([header, *rows], colWidths=col_widths, repeatRows=1, splitInRow=self.min_split,
                         style=TableStyle(cmds), hAlign="LEFT",
                         spaceBefore=2, spaceAfter=self.style.sizes.base)
        if caption is not None:
            out.append(caption)
        out.append(table)
        return out

    def figure(self, fig: d.Figure) -> _Figure:
        _x, _y, width, height = self.frame_box(1)
        caption = _Para(self.inl(fig.caption), self.look.p["caption"]) \
            if fig.caption else None
        room = height - (self.style.sizes.small * self.style.sizes.leading * 3 if caption else 0)
        drawing = graphics.drawing(fig.chart, self.style, width, max_height=room)
        return _Figure(drawing, caption, height, space_before=4,
                       space_after=self.style.sizes.base)

    def quote(self, q: d.Quote, where: str) -> Flowable:
        look = self.look
        flow = self.blocks(q.blocks, "quote" if where == "main" else where)
        if q.attribution:
            flow.append(_Para("\u2014\u00a0" + self.inl(q.attribution, where),
                                     look.p["attribution"]))
        t = _RLTable([[flow or ""]], colWidths=["100%"], splitInRow=self.min_split, hAlign="LEFT",
                     style=TableStyle([
                         *look.table_font,
                         ("LINEBEFORE", (0, 0), (0, -1), 2.5, look.rule),
                         ("LEFTPADDING", (0, 0), (-1, -1), 12),
                         ("RIGHTPADDING", (0, 0), (-1, -1), 18),
                         ("TOPPADDING", (0, 0), (-1, -1), 2),
                         ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                     ]), spaceBefore=4, spaceAfter=self.style.sizes.base * 0.8)
        return t

    def box(self, b: d.Box) -> Flowable:
        look = self.look
        flow: list[Flowable] = []
        if b.title:
            flow.append(_Para(self.inl(b.title), look.p["box-title"]))
        flow.extend(self.blocks(b.blocks, "box"))
        width = 1.6 if b.role == "warning" else 1.0
        return _RLTable([[flow or ""]], colWidths=["100%"], splitInRow=self.min_split, hAlign="LEFT",
                        style=TableStyle([
                            *look.table_font,
                            ("BACKGROUND", (0, 0), (-1, -1), look.box_bg),
                            ("BOX", (0, 0), (-1, -1), width, look.box_border),
                            ("LEFTPADDING", (0, 0), (-1, -1), 10),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                            ("TOPPADDING", (0, 0), (-1, -1), 8),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                        ]), spaceBefore=4, spaceAfter=self.style.sizes.base)

    def title_block(self, tb: d.TitleBlock) -> list[Flowable]:
        look = self.look
        out: list[Flowable] = [_Para(self.inl(tb.title), look.p["title"])]
        if tb.subtitle:
            out.append(_Para(self.inl(tb.subtitle), look.p["subtitle"]))
        if tb.fields:
            label_drop = look.p["meta-value"].fontSize - look.p["meta-label"].fontSize
            rows = [[_Para(escape(self.drawable(f.label)), look.p["meta-label"]),
                     _Para(self.inl(f.value), look.p["meta-value"])] for f in tb.fields]
            out.append(_RLTable(rows, colWidths=["27%", "73%"], hAlign="LEFT", splitInRow=self.min_split,
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
                                ]), spaceBefore=4, spaceAfter=self.style.sizes.base * 1.4))
        else:
            out.append(Spacer(0, self.style.sizes.base))
        return out

    def notes_flowables(self, title: str, outline_level: int) -> list[Flowable]:
        p = self.look.p
        key = self._new_key("briefgen-notes", "notes")
        out: list[Flowable] = [
            _Heading(escape(self.drawable(title)), p["h-toc"], key=key,
                     outline=" ".join(title.split()), outline_level=outline_level,
                     template=self.template)]
        for n, markup in enumerate(self.notes, 1):
            out.append(_Para(f'<a name="briefgen-note-{n}"/>{markup}', p["note"],
                                    bulletText=f"{n}."))
        return out

    # ---------------------------------------------------------------------------- the page

    def frame_box(self, page: int) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the text frame on a page (binding margin on the inner side:
        left on odd pages, right on even ones)."""
        pg = self.style.page
        w, h = pg.dimensions
        m = pg.margins
        inner, outer = m.left + m.binding, m.right
        left = inner if (page % 2 == 1 or not m.binding) else outer
        width = w - inner - outer
        return left, m.bottom, width, h - m.top - m.bottom

    def draw_page(self, canv: Canvas, tmpl: BaseDocTemplate) -> None:
        look = self.look
        _pw, ph = self.style.page.dimensions
        m = self.style.page.margins
        page = tmpl.page
        x, _y, width, _h = self.frame_box(page)
        # the binding margin alternates sides: move the frame before anything is laid on the page
        # (onPage runs at the start of each page, before the frame is reset and filled)
        for frame in tmpl.pageTemplate.frames:
            if frame.x1 != x:
                frame.x1 = x
        canv.saveState()
        mk = self.marking
        msize = mk.size if mk else 0
        # header: the marking, then a rule
        if mk is not None:
            self._draw_marking(canv, mk, x, width, ph - m.top * 0.42)
        canv.setStrokeColor(look.rule)
        canv.setLineWidth(0.5)
        rule_top = ph - m.top + min(8, m.top * 0.2)
        canv.line(x, rule_top, x + width, rule_top)
        # footer: a rule, the footer text and "Page X of Y", then the marking
        rule_bottom = m.bottom - min(8, m.bottom * 0.2)
        canv.line(x, rule_bottom, x + width, rule_bottom)
        hf = self.style.sizes.header_footer
        baseline = rule_bottom - hf * 1.35
        # "Page X of Y" and the footer text: a form, filled in once Y is known (see render)
        canv.doForm(_footer_form(page))
        self.footers.append((page, x, width, baseline))
        if mk is not None:
            centre = min(m.bottom * 0.36, baseline - msize * 1.2)
            self._draw_marking(canv, mk, x, width, max(centre, msize * 0.9))
        canv.restoreState()

    def draw_footer(self, canv: Canvas, page: int, total: int, x: float, width: float,
                    baseline: float) -> None:
        """The footer line of a page: the footer text at the left, "Page X of Y" at the
        right."""
        look = self.look
        hf = self.style.sizes.header_footer
        label = _fill_label(self.doc.meta.label("page_x_of_y", "Page {page} of {total}"),
                            page, total)
        canv.setFont(look.body_faces.regular, hf)
        canv.setFillColor(look.muted)
        canv.drawRightString(x + width, baseline, label)
        footer = self.drawable(" ".join(self.doc.meta.footer_text.split()))
        if footer:  # one line: shrunk to fit down to 6.5 pt, then shortened with an ellipsis
            font = look.body_faces.regular
            avail = width - pdfmetrics.stringWidth(label, font, hf) - 18
            size = hf
            while size > 6.5 and pdfmetrics.stringWidth(footer, font, size) > avail:
                size -= 0.25
            if pdfmetrics.stringWidth(footer, font, size) > avail:
                while footer and pdfmetrics.stringWidth(footer + "\u2026", font, size) > avail:
                    footer = footer[:-1]
                footer = footer.rstrip() + "\u2026"
            canv.setFont(font, size)
            canv.drawString(x, baseline, footer)

    def _draw_marking(self, canv: Canvas, mk: MarkingLook, x: float, width: float,
                      centre: float) -> None:
        """The marking, vertically centred on ``centre``: TLP as its coloured label on a filled
        box at the right; banners as capitals in the centre."""
        font = self.look.head_faces.bold
        size = mk.size
        text = self.drawable(mk.text)
        tw = pdfmetrics.stringWidth(text, font, size)
        base = centre - size * 0.35
        if mk.align == "right":
            tx = x + width - tw
        elif mk.align == "center":
            tx = x + (width - tw) / 2
        else:
            tx = x
        if mk.background:
            pad = size * 0.45
            canv.setFillColor(_hex(mk.background))
            bx = tx - pad if mk.align != "right" else x + width - tw - 2 * pad
            if mk.align == "right":
                tx = bx + pad
            canv.rect(bx, centre - size * 0.8, tw + 2 * pad, size * 1.6, stroke=0, fill=1)
        canv.setFillColor(_hex(mk.colour))
        canv.setFont(font, size)
        canv.drawString(tx, base, text)

    # ---------------------------------------------------------------------------- build

    def render(self) -> bytes:
        meta = self.doc.meta
        style = self.style
        buf = io.BytesIO()
        pw, ph = style.page.dimensions

        x, y, w, h = self.frame_box(1)
        foot: _Footnotes | None = None
        if self.footnotes:
            foot = _Footnotes(self.notes, self.look.p["note"], w,
                              rule=self.look.rule, size=style.sizes.small)
            frame: Frame = _NoteFrame(foot, x, y, w, h, leftPadding=0, rightPadding=0,
                                      topPadding=0, bottomPadding=0, id="body")
        else:
            frame = Frame(x, y, w, h, leftPadding=0, rightPadding=0, topPadding=0,
                          bottomPadding=0, id="body")
        page_template = PageTemplate(
            id="page", frames=[frame], onPage=self.draw_page, pagesize=(pw, ph),
            onPageEnd=(lambda canv, doc: foot.draw(canv, doc.frame)) if foot else _no_op)
        tmpl = _DocTemplate(
            buf, footnotes=foot, pagesize=(pw, ph),
            pageTemplates=[page_template],
            leftMargin=style.page.margins.left, rightMargin=style.page.margins.right,
            topMargin=style.page.margins.top, bottomMargin=style.page.margins.bottom,
            title=meta.title, author=meta.author, subject=meta.subject,
            keywords=", ".join(meta.keywords), creator="briefgen", lang=meta.lang or None,
            displayDocTitle=1, initialFontName=self.look.body_faces.regular,
            initialFontSize=style.sizes.base, pageCompression=1, invariant=1)
        self.template = tmpl

        story = self.main_flow(self.doc.blocks)
        story = self._place_notes(story)
        for f in story:  # tables in the main flow (not nested in a list or cell: a frame
            if type(f) is _RLTable:  # break is no option there)
                f.__class__ = _FlowTable
        story = _keep_with_next(story, h)
        while story and isinstance(story[-1], (PageBreakIfNotEmpty, _NotesSlot)):
            story.pop()  # a break with nothing after it would end the pack on a blank page
        if foot is not None:
            story.append(_FlushNotes(foot))
        story.append(Spacer(0, 0))  # (so that an empty document still has its one page)
        tmpl._doSave = 0  # one layout pass, then the forms it left open, then save
        tmpl.build(story, canvasmaker=_canvas_maker(_Stamp.of(meta.date)))
        self.finish(tmpl.canv, tmpl.bg_pages, tmpl.bg_heading_pages)
        tmpl.canv.save()
        return buf.getvalue()

    def finish(self, canv: Canvas, total: int, heading_pages: dict[str, int]) -> None:
        """Fill in the forms the pass drew before the numbers were known: each page's footer
        ("Page X of Y") and each contents entry's leader dots and page number."""
        for page, x, width, baseline in self.footers:
            canv.beginForm(_footer_form(page))
            canv.saveState()
            self.draw_footer(canv, page, total, x, width, baseline)
            canv.restoreState()
            canv.endForm()
        for toc in self.tocs:
            for key, (room, style, level) in toc.ends.items():
                canv.beginForm(_toc_form(key))
                page = str(heading_pages.get(key, "?"))
                _leader(canv, page, room, style, " . " if level >= toc.dotsMinLevel else "")
                canv.endForm()

    def _place_notes(self, story: list[Flowable]) -> list[Flowable]:
        out: list[Flowable] = []
        if self.footnotes:  # at the foot of each page (see _NoteFrame); no list
            return [f for f in story if not isinstance(f, _NotesSlot)]
        for f in story:
            if isinstance(f, _NotesSlot):
                if self.notes and not self.notes_placed:
                    self.notes_placed = True
                    out.extend(self.notes_flowables(f.title, f.outline_level))
            else:
                out.append(f)
        if self.notes and not self.notes_placed:
            out.extend(self.notes_flowables(self.doc.meta.label("notes", "Notes"), 0))
        return out


class _NotesSlot(Flowable):
    """Where the endnotes go; replaced once every note has its number."""

    def __init__(self, title: str, outline_level: int):
        super().__init__()
        self.title = title
        self.outline_level = outline_level
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:  # a slot nested in a box or table stays empty: notes go at the end
        pass


def _no_op(*_args: Any) -> None:
    pass


def render_pdf(doc: d.Document, style: Style) -> bytes:
    """The PDF of ``doc`` in ``style``: same input, same bytes."""
    return _Renderer(doc, style).render()
