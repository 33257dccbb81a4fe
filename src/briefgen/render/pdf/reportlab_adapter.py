"""Every private ReportLab name the PDF renderer relies on, in one place.

ReportLab 5.1 offers no public way to do a few things the renderer needs (a document date that
is not the clock, one layout pass, a paragraph that keeps its line breaks, a frame whose bottom
rises with the page's footnotes, the contents' entry ends). Those reach into ReportLab's
internals: here and nowhere else in :mod:`briefgen.render.pdf`, each behind a named function
or class. ``tests/test_reportlab_adapter.py`` exercises every one of them against the installed
ReportLab, so an upgrade that renames or changes one fails there, loudly, by name.

The names relied on: ``Canvas._doc`` and its ``PDFDocument._timeStamp``, ``_ID`` and
``signature``; ``Canvas._curr_tx_info`` (where an ``<onDraw>`` callback's text ends);
``Paragraph._wrapWidths``, ``blPara``, ``frags`` and their ``cbDefn``; ``Paragraph._setup``
(given fragments, it skips the parser) and the fragment ``ParaParser`` makes of plain text;
``Table._cellvalues``, ``_rowHeights``, ``_splitRows``, ``_splitCell`` (overridden),
``_listCellGeom``, ``_cellStyles``, ``_colWidths``, ``_argH``; ``ListFlowable._content``,
``_flowable`` (list and definition indenters) and ``_content`` (KeepTogether);
``Flowable._frame``; the frame's ``_reset``,
``_x1``, ``_y1``, ``_y``, ``_y1p``, ``_height``, ``_leftPadding``, ``_bottomPadding``,
``_atTop``, ``_prevASpace``, ``_oASpace``, ``_getAvailableWidth``; ``BaseDocTemplate.frame``
and ``_doSave``; ``TableOfContents._lastEntries`` and its ``drawTOCEntryEnd`` callback's label;
and changing a split table piece's class (``__class__``).

For the tagged PDF (:mod:`.tagging`): ``Canvas._code`` (a page's operators, to open and close the
page's artifact sequence), ``Canvas._setAnnotations`` (the page dictionary before it is added),
``Canvas._addAnnotation`` and ``_annotationrefs`` (each annotation as it is made),
``Canvas._doc`` and its ``Catalog``, ``thisPageName`` and ``Reference``; ``PDFPage.__NoDefault__``
(the keys a page dictionary writes), ``LinkAnnotation.permitted`` and ``otherkw``;
``LIIndenter._bullet`` (a list item's bullet), ``TableOfContents._table``,
``PDFTextObject._textOut`` (how a paragraph writes each line: see :class:`SpacedText`) and
``_code`` (marked content written between a paragraph's text operators), and
``PDFDocument.idToObjectNumberAndVersion`` (the number an object gets when registered).
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, ListFlowable, Table
from reportlab.platypus import Paragraph as _RLParagraph
from reportlab.platypus.flowables import LIIndenter
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser
from reportlab.platypus.tableofcontents import TableOfContents

__all__ = [
    "TOC_ENTRY_END",
    "WRAP_FUZZ",
    "CellTable",
    "HookedCanvas",
    "MemoParagraph",
    "NotesFrame",
    "ObjectRef",
    "PageHooks",
    "PlainTextParagraph",
    "RawObject",
    "SpacedText",
    "annotation_get",
    "annotation_set",
    "bullet",
    "catalog",
    "contained",
    "contents_table",
    "continued",
    "current_frame",
    "current_text",
    "defer_save",
    "frame_at_top",
    "frame_cursor",
    "frame_floor",
    "frame_left",
    "list_bullets",
    "list_items",
    "object_ref",
    "onDraw_labels",
    "page_set",
    "placed_frame",
    "register",
    "retype",
    "row_heights",
    "seed_document",
    "set_bullet",
    "set_cell",
    "set_toc_entries",
    "split_inside_row",
    "table_cells",
    "text_end",
    "text_literal",
    "toc_entry_label",
]

WRAP_FUZZ = 1e-8  # ReportLab's own limit in Paragraph.wrap
TOC_ENTRY_END = "drawTOCEntryEnd"  # the <onDraw> callback each contents entry ends with


# --------------------------------------------------------------------------------------------
# The canvas's PDF document: its date and file ID


def seed_document(canv: Canvas, stamp: Any, seed: str) -> None:
    """Give the canvas's PDF document ``stamp`` as its time stamp (the date ReportLab writes
    in the info dictionary) and, unless it has one already, a file ID seeded from ``seed``
    rather than from the clock (``invariant`` mode's 2000-01-01)."""
    pdoc = canv._doc
    pdoc._timeStamp = stamp
    if getattr(pdoc, "_ID", None) is None and hasattr(pdoc, "signature"):
        sig = hashlib.md5(usedforsecurity=False)
        sig.update(b"a reportlab document")
        sig.update(seed.encode("ascii"))
        pdoc.signature = sig


def current_text(canv: Canvas) -> Any:
    """Inside an ``<onDraw>`` callback: the text object the paragraph is being drawn with."""
    info = getattr(canv, "_curr_tx_info", None)
    return info.get("tx") if info else None


def text_literal(tx: Any, op: str) -> None:
    """Write an operator into a text object at the point it has got to."""
    tx._code.append(op)


def text_end(canv: Canvas) -> tuple[float, float]:
    """Inside an ``<onDraw>`` callback: where the paragraph's text has got to (x, y)."""
    info = canv._curr_tx_info
    return info["cur_x"], info["cur_y"]


def text_line_on_page(canv: Canvas) -> tuple[float, float]:
    """Inside an ``<onDraw>`` callback: the baseline of the line being drawn in page
    coordinates (through the canvas's current transformation), and the line's leading."""
    info = canv._curr_tx_info
    _, b, _, d, _, f = canv._currentMatrix
    x, y = info["cur_x"], info["cur_y"]
    return b * x + d * y + f, float(info.get("leading") or 0.0)


# --------------------------------------------------------------------------------------------
# Paragraphs


class MemoParagraph(_RLParagraph):
    """A paragraph that remembers its line breaking for each width. ReportLab breaks a paragraph
    into lines again on every ``wrap``: a table wraps each cell to size its rows and again to
    draw it, and a keep-with-next test wraps what follows before it is placed. The lines depend
    only on the width (the text and style are fixed once made; split pieces are new
    paragraphs), so one break per width is enough."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        memo = self.__dict__.setdefault("_bg_wrap", {})
        hit = memo.get(availWidth)
        if hit is not None:
            self._wrapWidths, self.blPara, self.height = hit
            self.width = availWidth
            return availWidth, self.height
        size = super().wrap(availWidth, availHeight)
        if availWidth >= WRAP_FUZZ:  # (a width too small to hold anything sets nothing)
            memo[availWidth] = (self._wrapWidths, self.blPara, self.height)
        return size

    def remember_wrap(self) -> None:
        """Remember the line breaking of the last ``wrap``, made before this paragraph was a
        ``MemoParagraph`` (one ReportLab made, then retyped)."""
        width = getattr(self, "width", 0)
        if width >= WRAP_FUZZ and getattr(self, "blPara", None) is not None:
            self.__dict__.setdefault("_bg_wrap", {})[width] = (
                self._wrapWidths, self.blPara, self.height)


#: per paragraph style: (font name, size, colour) and the fragment ReportLab's parser makes of a
#: plain text in it (its text aside)
_PLAIN: WeakKeyDictionary[Any, tuple[tuple[Any, ...], Any]] = WeakKeyDictionary()


class PlainTextParagraph(_RLParagraph):
    """A paragraph that, for a text with no markup (no ``<`` or ``&``: most of a pack's table
    cells), skips ReportLab's parser: the parser would make one fragment of the style's font,
    size and colour holding the cleaned text, which is what this makes from the fragment it
    parsed once for the style (its lists copied). Anything else is parsed as usual."""

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any,
               cleaner: Any) -> None:
        if frags is None and cleaner is cleanBlockQuotedText and type(text) is str \
                and "<" not in text and "&" not in text \
                and not getattr(style, "textTransform", None):
            cleaned = cleaner(text)
            if cleaned:
                frag = _plain_frag(style)
                if frag is not None:
                    frag = copy.copy(frag)
                    frag.text = cleaned
                    frag.link, frag.us_lines = list(frag.link), list(frag.us_lines)
                    super()._setup(cleaned, style, bulletText, [frag], cleaner)
                    return
        super()._setup(text, style, bulletText, frags, cleaner)


def _plain_frag(style: Any) -> Any:
    """The fragment ReportLab's parser makes of a plain text in ``style`` (None if it makes
    anything else of one)."""
    key = (style.fontName, style.fontSize, style.textColor)
    hit = _PLAIN.get(style)
    if hit is not None and hit[0] == key:
        return hit[1]
    parser = ParaParser()
    parser.caseSensitive = 1  # (as Paragraph sets it)
    got_style, frags, bullet = parser.parse("x", style)
    frag = None
    if got_style is style and frags is not None and len(frags) == 1 and not bullet \
            and frags[0].text == "x" and set(vars(frags[0])) == _PLAIN_ATTRS:
        frag = frags[0]
    _PLAIN[style] = (key, frag)
    return frag


#: the attributes of a plain text's fragment (what the parser sets from the style)
_PLAIN_ATTRS = {"__tag__", "bold", "fontName", "fontSize", "greek", "italic", "link", "rise",
                "text", "textColor", "us_lines"}


def onDraw_labels(para: _RLParagraph, name: str) -> list[str]:
    """The labels of the ``<onDraw name=...>`` callbacks a paragraph (or a split piece of one)
    holds, in reading order."""
    out: list[str] = []
    for frag in getattr(para, "frags", None) or ():
        # a split paragraph's fragments are words: [width, (frag, text), ...]
        subs = [x[0] for x in frag[1:] if isinstance(x, tuple)] \
            if isinstance(frag, list) else (frag,)
        for sub in subs:
            cb = getattr(sub, "cbDefn", None)
            if cb is not None and getattr(cb, "kind", None) == "onDraw" \
                    and getattr(cb, "name", None) == name:
                out.append(cb.label)
    return out


# --------------------------------------------------------------------------------------------
# Tables and containers


class CellTable(Table):
    """A table whose cells split inside a row at the width they are drawn at. ReportLab 5.1's
    ``_splitRows`` hands ``_splitCell`` the column's width with the cell's paddings in it, so a
    paragraph split inside a row breaks its lines for a column wider than the one it is drawn
    in: its first piece, broken again to the narrower width, runs a line over the space it was
    given (one word alone on a line, below the page's last line).

    A top-aligned cell of flowables is split here (:meth:`_split_flowables`, ReportLab's
    algorithm) with every flowable measured and split at the drawn width: handing ReportLab's
    own ``_splitCell`` the narrower width measures the cell's flowables at that width less the
    paddings again, and a paragraph splits at the line breaks of that narrower measure (its
    pieces, broken again where they are drawn, leave a short line at the foot of the first
    page, and the lines either side are not those the paragraph's widow and orphan control
    counted)."""

    def _splitCell(self, value: Any, style: Any, oldHeight: float, newHeight: float,
                   width: float) -> Any:
        inner = width - style.leftPadding - style.rightPadding
        if isinstance(value, (tuple, list)) and style.valign == "TOP":
            return self._split_flowables(value, style, newHeight, inner)
        return super()._splitCell(value, style, oldHeight, newHeight, inner)

    def _split_flowables(self, value: Any, style: Any, newHeight: float,
                         width: float) -> Any:
        """ReportLab's ``_splitCell`` for a top-aligned cell of flowables, at ``width`` (the
        width the cell's flowables are drawn at): those that fit in ``newHeight`` (less the
        paddings), then the first that does not split (a paragraph at its line breaks
        there: its style's widow and orphan control keeps two lines at least on either side,
        or leaves it whole to the second part), and the rest; ``[]`` when nothing goes in
        the first part. (``_findSplit`` is ReportLab's split of a list flowable.)"""
        room = newHeight - style.topPadding - style.bottomPadding  # (ReportLab's own lets
        # the last line run into the bottom padding: the row is cut at ``newHeight``)
        canv = getattr(self, "canv", None)
        tall = 72000 - style.topPadding - style.bottomPadding  # (as _listCellGeom wraps them)
        first: list[Any] = []
        rest: list[Any] = []
        used = 0.0
        for k, f in enumerate(value):
            h = f.wrapOn(canv, width, tall)[1]
            before = f.getSpaceBefore()
            if used + h + before <= room:
                first.append(f)
                used += h + before + f.getSpaceAfter()
                continue
            split_h = room - used - before
            if hasattr(f, "_findSplit"):
                _w, _h, s0, s1 = f._findSplit(canv, width, split_h, mergeSpace=1, obj=None,
                                              content=None, paraFix=True)
                head, tail = (list(s0), list(s1)) if s0 and s1 else ([], [f])
            else:
                pieces = f.split(width, split_h)
                head, tail = (pieces[:1], pieces[1:]) if pieces else ([], [f])
            if not head and not first:
                return []  # (the first flowable does not split there: nor does the cell)
            first.extend(head)
            rest.extend(tail)
            rest.extend(value[k + 1:])
            break
        return tuple(first), tuple(rest)


def table_cells(table: Table) -> list[list[Any]]:
    """A table's cell contents, row by row."""
    return table._cellvalues


def set_cell(table: Table, row: int, col: int, value: list[Flowable]) -> None:
    """Put ``value`` in cell (``row``, ``col``) of a table piece made by a split, not yet
    wrapped, and raise that row's height to hold it where it is too low (a split piece's
    rows have fixed heights, its columns known widths)."""
    table._cellvalues[row][col] = value
    style = table._cellStyles[row][col]
    need = table._listCellGeom(value, table._colWidths[col], style)[1] \
        + style.topPadding + style.bottomPadding
    heights = table._argH
    if heights[row] is not None and need > heights[row]:
        heights[row] = need
        if table._rowHeights is not heights:
            table._rowHeights[row] = need


def row_heights(table: Table) -> list[float]:
    """A wrapped table's row heights (``None`` for a row not yet measured)."""
    return getattr(table, "_rowHeights", None) or []


def split_between_rows(table: Table, height: float) -> list[Flowable]:
    """Split ``table`` between rows only, to fill ``height``."""
    return table._splitRows(height, doInRowSplit=0)


def split_inside_row(table: Table, height: float) -> list[Flowable]:
    """Split ``table`` to fill ``height``, inside a row if need be (the second table starting
    with the rest of that row)."""
    return table._splitRows(height, doInRowSplit=1)


def list_items(lst: ListFlowable) -> list[Any]:
    """A list flowable's items."""
    return list(lst._content)


def retype(obj: Any, cls: type) -> None:
    """Make ``obj`` (made by ReportLab, e.g. a split piece) an instance of ``cls``, a subclass
    of its own class that adds behaviour but no state of ReportLab's."""
    obj.__class__ = cls


_NOT_A_CONTAINER = object()


def contained(f: Any) -> Any:
    """What a container flowable holds (a list item's or definition's indented flowable, a
    list's items, a KeepTogether's content), or ``NOT_A_CONTAINER``."""
    own = getattr(f, "__dict__", {})
    if "_flowable" in own:  # DDIndenter, LIIndenter (list items)
        return own["_flowable"]
    if isinstance(f, ListFlowable):
        return f._content
    if "_content" in own:  # KeepTogether and other containers
        return own["_content"]
    return _NOT_A_CONTAINER


NOT_A_CONTAINER = _NOT_A_CONTAINER


# --------------------------------------------------------------------------------------------
# Frames and the doc template


def placed_frame(f: Flowable) -> Frame | None:
    """The frame a flowable is being placed in (ReportLab sets it on wrap and split), if any."""
    return getattr(f, "_frame", None)


def place_in(f: Flowable, frame: Frame | None) -> None:
    """Tell ``f`` the frame it is being placed in, as ReportLab does before a split (for a
    flowable split by another on its behalf)."""
    f._frame = frame


def set_row_limits(frame: Frame, lone: float, whole: float, table: float = 0.0) -> None:
    """Tell the tables placed in ``frame`` how short a row must not stand alone on a page,
    how short a row is kept whole, and how short a whole table is never split (points)."""
    frame.__dict__["bg_lone_row"] = lone
    frame.__dict__["bg_whole_row"] = whole
    frame.__dict__["bg_whole_table"] = table


def set_continued(frame: Frame, label: str) -> None:
    """Tell the tables placed in ``frame`` the words that mark a row continued from the page
    before ("(continued)")."""
    frame.__dict__["bg_continued"] = label


def continued(frame: Frame | None) -> str:
    """What :func:`set_continued` told ``frame`` ("" for none)."""
    return str(getattr(frame, "bg_continued", ""))


def lone_row(frame: Frame | None) -> float:
    """The height below which a row never stands alone on a page (see set_row_limits)."""
    return float(getattr(frame, "bg_lone_row", 0.0))


def whole_row(frame: Frame | None) -> float:
    """The height below which a row is never split across pages (see set_row_limits)."""
    return float(getattr(frame, "bg_whole_row", 0.0))


def whole_table(frame: Frame | None) -> float:
    """The height below which a table is never split across pages (see set_row_limits)."""
    return float(getattr(frame, "bg_whole_table", 0.0))


def frame_full_height(frame: Frame | None) -> float:
    """A frame's whole height (0 for none)."""
    return float(frame._height) if frame is not None else 0.0


def frame_at_top(frame: Frame | None) -> bool:
    """Whether nothing has been placed in the frame yet (a frame-less flowable is at a top)."""
    return frame is None or bool(getattr(frame, "_atTop", True))


def frame_floor(frame: Frame) -> float:
    """The y of the frame's own bottom (inside its padding)."""
    return frame._y1 + frame._bottomPadding


def frame_left(frame: Frame) -> float:
    """The x of the frame's left edge (inside its padding)."""
    return frame._x1 + frame._leftPadding


def frame_cursor(frame: Frame) -> float:
    """The y down to which the frame is filled."""
    return frame._y


def current_frame(doc: BaseDocTemplate) -> Frame:
    """The frame the doc template is filling."""
    return doc.frame


def defer_save(doc: BaseDocTemplate) -> None:
    """Have ``doc.build`` lay out and draw every page but not save the canvas (the caller
    fills in forms first, then saves)."""
    doc._doSave = 0


class NotesFrame(Frame):
    """A frame whose usable bottom can be raised (:meth:`set_floor`, for the page's notes),
    with the frame state a subclass needs as public names. Subclasses override
    :meth:`on_reset` (a new page), and may override ``add`` and ``split``."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)

    def _reset(self) -> None:
        super()._reset()
        self.on_reset()

    def on_reset(self) -> None:
        """Called at each page start, after the frame is emptied."""

    @property
    def floor(self) -> float:
        """The y of the frame's own bottom."""
        return self._y1 + self._bottomPadding

    @property
    def full_height(self) -> float:
        return self._height

    @property
    def cursor(self) -> float:
        """The y down to which the frame is filled."""
        return self._y

    @property
    def at_top(self) -> bool:
        return bool(self._atTop)

    def set_floor(self, y: float) -> None:
        """Lay flowables out down to ``y`` only."""
        self._y1p = y

    def space_after_placed(self, flowable: Flowable) -> float:
        """The space after ``flowable``, just placed, as the frame counts it."""
        return self._prevASpace if self._oASpace else flowable.getSpaceAfter()

    def space_before(self, flowable: Flowable) -> float:
        """The space the frame would put above ``flowable`` placed next."""
        s = 0.0
        if not self._atTop:
            s = flowable.getSpaceBefore()
            if self._oASpace:
                s = max(s - self._prevASpace, 0)
        return s

    def available_width(self) -> float:
        return self._getAvailableWidth()


# --------------------------------------------------------------------------------------------
# The contents


def set_toc_entries(toc: TableOfContents, entries: list[tuple[int, str, int, str]]) -> None:
    """Give the contents its entries (level, text, page, key) without a layout pass."""
    toc._lastEntries = entries


def toc_entry_label(label: str) -> tuple[int, str]:
    """The level and key in the label of a contents entry's end callback (``page,level,'key'``
    for keys of letters, digits, - and _)."""
    _page, level, key = label.split(",", 2)
    return int(level), key.strip("'")


def contents_table(toc: TableOfContents) -> Table | None:
    """The table a wrapped contents draws its entries with."""
    return getattr(toc, "_table", None)


# --------------------------------------------------------------------------------------------
# The tagged PDF: the canvas's pages, annotations and catalogue


class PageHooks:
    """What a :class:`HookedCanvas` tells its listener (the methods do nothing here)."""

    def page_code(self, canv: Canvas, code: list[str]) -> None:
        """A page is ending: ``code`` is its list of operators, to change in place."""

    def page_dict(self, canv: Canvas, page: Any, name: str) -> None:
        """The page's dictionary (``page``), registered next under ``name``."""

    def annotation(self, canv: Canvas, annotation: Any, ref: Any, dest: str | None) -> None:
        """An annotation just added to the page (``ref`` refers to it); ``dest`` is the
        destination name of an internal link."""


_NO_SPACE_AFTER = frozenset(" \t\u00a0-\u00ad\u2010\u2011\u2013\u2014/")


class SpacedText(PDFTextObject):
    """A text object whose lines end with a space (``T*`` after text that ends a word), so that
    text taken from the page or the structure tree keeps the word break at a line break (a
    paragraph's lines are written without the space they were broken at). The space is drawn
    after the line's last glyph: nothing visible changes."""

    bg_last = ""

    def _textOut(self, text: str, TStar: int = 0) -> None:
        if TStar:
            last = text or self.bg_last
            if last and last[-1] not in _NO_SPACE_AFTER:
                text += " "
            self.bg_last = ""
        elif text:
            self.bg_last = text
        super()._textOut(text, TStar)


class HookedCanvas(Canvas):
    """A canvas that tells ``bg_hooks`` (a :class:`PageHooks`, if set) about each page's
    operators and dictionary and each annotation on a page; its text objects are
    :class:`SpacedText`; its files say PDF 1.7 (ISO 32000-1, which PDF/UA-1 builds on: page
    ``/Tabs``, structure elements' attributes are PDF 1.5 and later)."""

    bg_hooks: PageHooks | None = None
    bg_dest: str | None = None

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("pdfVersion", (1, 7))
        super().__init__(*args, **kwargs)

    def beginText(self, x: float = 0, y: float = 0, direction: Any = None) -> PDFTextObject:
        return SpacedText(self, x, y, direction=direction)

    def showPage(self) -> None:
        hooks = self.bg_hooks
        if hooks is not None:
            hooks.page_code(self, self._code)
        super().showPage()

    def _setAnnotations(self, page: Any) -> None:
        super()._setAnnotations(page)
        hooks = self.bg_hooks
        if hooks is not None and isinstance(page, pdfdoc.PDFPage):  # (not a form's)
            hooks.page_dict(self, page, self._doc.thisPageName())

    def linkRect(self, contents: str, destinationname: str, *args: Any,
                 **kwargs: Any) -> Any:
        self.bg_dest = destinationname
        try:
            return super().linkRect(contents, destinationname, *args, **kwargs)
        finally:
            self.bg_dest = None

    def _addAnnotation(self, annotation: Any, name: str | None = None,
                       addtopage: int = 1) -> None:
        super()._addAnnotation(annotation, name, addtopage)
        hooks = self.bg_hooks
        if hooks is not None and addtopage:
            hooks.annotation(self, annotation, self._annotationrefs[-1], self.bg_dest)


_PAGE_CLASSES: dict[tuple[str, ...], type] = {}


def page_set(page: Any, **entries: Any) -> None:
    """Add entries to a page dictionary not yet written (ReportLab writes only the keys its
    page class lists)."""
    keys = tuple(sorted(entries))
    cls = _PAGE_CLASSES.get(keys)
    if cls is None:
        base = pdfdoc.PDFPage
        cls = _PAGE_CLASSES[keys] = type(
            "BriefgenPage", (base,), {"__NoDefault__": [*base.__NoDefault__, *keys]})
    page.__class__ = cls
    for k, v in entries.items():
        setattr(page, k, v)


def annotation_set(annotation: Any, key: str, value: Any) -> None:
    """Set an entry of an annotation made by the canvas (a ``PDFDictionary`` from ``linkURL``
    or a ``LinkAnnotation`` from ``linkRect``)."""
    if isinstance(annotation, pdfdoc.PDFDictionary):
        annotation[key] = value
    elif key == "Contents":
        annotation.Contents = value
    else:
        if key not in annotation.permitted:
            annotation.permitted = (*annotation.permitted, key)
        annotation.otherkw[key] = value


def annotation_get(annotation: Any, key: str) -> Any:
    if isinstance(annotation, pdfdoc.PDFDictionary):
        return annotation.dict.get(key)
    if key == "Contents":
        return annotation.Contents
    return annotation.otherkw.get(key)


def catalog(canv: Canvas) -> Any:
    """The document catalogue (its entries are attributes; ReportLab writes the keys it
    knows, which include ``StructTreeRoot``, ``MarkInfo``, ``Metadata`` and
    ``ViewerPreferences``)."""
    return canv._doc.Catalog


def register(canv: Canvas, obj: Any, name: str) -> Any:
    """Register a PDF object under ``name`` in the canvas's document: a reference to it."""
    return canv._doc.Reference(obj, name)


def object_ref(canv: Canvas, ref: Any) -> str:
    """``n 0 R`` for a registered object (its number is given when it is registered)."""
    n, v = canv._doc.idToObjectNumberAndVersion[ref.name]
    return f"{n} {v} R"


def list_bullets(lst: ListFlowable) -> list[LIIndenter]:
    """The item indenters of a list that carry a bullet (one per item, in order)."""
    return [f for f in lst._content if isinstance(f, LIIndenter) and f._bullet]


def bullet(indenter: LIIndenter) -> Any:
    return indenter._bullet


def set_bullet(indenter: LIIndenter, value: Any) -> None:
    indenter._bullet = value


class ObjectRef:
    """A reference to the object registered under ``name`` (see :class:`RawObject`)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


class RawObject(pdfdoc.PDFObject):
    """A PDF object written from pieces: text, :class:`ObjectRef` (an object's number, known when
    the file is written) and ReportLab objects (strings, references), formatted then."""

    def __init__(self, parts: list[Any]):
        self.parts = parts

    def format(self, document: Any) -> bytes:
        numbers = document.idToObjectNumberAndVersion
        out: list[bytes] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part.encode("latin-1"))
            elif isinstance(part, ObjectRef):
                out.append(b"%d %d R" % numbers[part.name])
            else:
                out.append(part.format(document))
        return b"".join(out)
