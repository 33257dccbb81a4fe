"""Notes: their numbering state, the endnotes list, and footnotes at the foot of each page.

With ``notes: endnotes`` each mark links to its one entry, listed at the
:class:`~briefgen.document.NotesList` block or appended under a "Notes" heading. With
``notes: footnotes`` each page ends with the notes whose marks it holds (a note marked on
several pages is printed on each): the body frame (:class:`NoteFrame`) places a flowable, or the
largest piece of it, only if it fits together with the text of its own notes, so a note lands on
the page of its mark in one layout pass; nothing has to converge (see :class:`Footnotes` for the
safety nets).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, Table
from reportlab.platypus import Paragraph as _RLParagraph
from reportlab.platypus.doctemplate import ActionFlowable, FrameBreak
from reportlab.platypus.flowables import PageBreak

from ... import document as d
from ..common import NoteNumbers
from ..stylesheet import FootnoteLook
from .flowables import Heading, NotesSlot, Para
from .look import hex_colour
from .reportlab_adapter import (
    NOT_A_CONTAINER,
    NotesFrame,
    contained,
    current_frame,
    frame_cursor,
    frame_floor,
    frame_left,
    onDraw_labels,
    placed_frame,
    table_cells,
)

if TYPE_CHECKING:
    from .anchors import Anchors
    from .inlines import InlineWriter
    from .look import Look
    from .tagging import Tagger

__all__ = ["FN_CALLBACK", "FUZZ", "FlushNotes", "Footnotes", "NoteBook", "NoteFrame",
           "note_marks", "place_notes"]

FN_CALLBACK = "briefgen_fn"  # the <onDraw> callback each footnote mark carries
FUZZ = 1e-3
# the search for the largest first piece that fits with its notes (points; not looks)
_DRAWN = 0.01  # a flowable that moved the frame down by more than its space after drew text
_STEP = 0.5  # the descent stops when the room offered no longer shrinks by this much
_MORE = 2.0  # ... and offers the room a found piece's notes leave if it is this much more
_BISECT = 2.0  # the bisection's precision


class NoteBook(msgspec.Struct):
    """The notes met so far: each one's markup by number - 1, the number of each (equal notes
    are one note), and whether the endnotes list has been placed."""

    footnotes: bool
    markup: list[str] = msgspec.field(default_factory=list)
    numbers: NoteNumbers[d.Note] = msgspec.field(default_factory=NoteNumbers)
    placed: bool = False


# --------------------------------------------------------------------------------------------
# Which notes a flowable marks


def note_marks(f: Any, out: list[int], depth: int = 0) -> list[int]:
    """The note numbers whose marks a flowable (or a piece of one) holds, in reading order:
    found in paragraph fragments (the marks' <onDraw> callbacks), inside tables' cells, lists,
    indenters, keep-togethers, and the renderer's flowables that hold others (``bg_children``:
    figure captions, kept-together groups)."""
    if f is None or depth > 20 or isinstance(f, str):
        return out
    if isinstance(f, (list, tuple)):
        for x in f:
            note_marks(x, out, depth + 1)
        return out
    if isinstance(f, (_RLParagraph, Table)):  # their content is fixed once made: cache
        own = f.__dict__
        cached = own.get("_bg_marks")
        if cached is None:
            cached = own["_bg_marks"] = tuple(_own_marks(f, depth))
        out.extend(cached)
        return out
    inner = contained(f)
    if inner is not NOT_A_CONTAINER:
        note_marks(inner, out, depth + 1)
    else:
        children = getattr(f, "bg_children", None)
        if children is not None:
            note_marks(children(), out, depth + 1)
    return out


def _own_marks(f: Any, depth: int) -> list[int]:
    out: list[int] = []
    if isinstance(f, _RLParagraph):
        out.extend(int(label) for label in onDraw_labels(f, FN_CALLBACK))
    else:
        for row in table_cells(f):
            for v in row:
                note_marks(v, out, depth + 1)
    return out


# --------------------------------------------------------------------------------------------
# Endnotes


def endnotes(book: NoteBook, anchors: Anchors, writer: InlineWriter, look: Look, title: str,
             outline_level: int, tags: Tagger, heading_tag: str) -> list[Flowable]:
    """The endnotes list: its heading, then each note by number (a ``Note`` element with its
    ID; the marks' links are ``Reference`` elements)."""
    p = look.p
    out: list[Flowable] = []
    if title.strip():  # (untitled: listed under the heading before it, e.g. "Sources")
        key = anchors.new_key("notes")
        out.append(tags.leaf(
            Heading(writer.escaped(title), p["contents-title"], key=key,
                    outline=" ".join(title.split()), outline_level=outline_level,
                    lift=look.sheet.link_target_lift), heading_tag))
    for n, markup in enumerate(book.markup, 1):
        out.append(tags.leaf(Para(f'<a name="{anchors.note_key(n)}"/>{markup}', p["note"],
                                  bulletText=f"{n}."), "Note", ident=f"note-{n}"))
    return out


def place_notes(story: list[Flowable], book: NoteBook, anchors: Anchors, writer: InlineWriter,
                look: Look, default_title: str, tags: Tagger) -> list[Flowable]:
    """The story with the endnotes list at its (first top-level) slot, or at the end; with
    footnotes, the slots dropped. Their structure elements go where the slot's were made (in
    reading order) or at the end."""
    if book.footnotes:  # at the foot of each page (see NoteFrame); no list
        return [f for f in story if not isinstance(f, NotesSlot)]
    out: list[Flowable] = []
    for f in story:
        if isinstance(f, NotesSlot):
            if book.markup and not book.placed:
                book.placed = True
                with tags.into(f.bg_tag or tags.root):
                    out.extend(endnotes(book, anchors, writer, look, f.title, f.outline_level,
                                        tags, f.bg_heading or tags.heading(2)))
        else:
            out.append(f)
    if book.markup and not book.placed:
        with tags.scope("Div"):
            out.extend(endnotes(book, anchors, writer, look, default_title, 0, tags,
                                tags.heading(2)))
    return out


# --------------------------------------------------------------------------------------------
# Footnotes


class Footnotes:
    """The footnotes of the page being laid out: which notes have marks on it, how much room
    they take at the foot of the frame, and drawing them when the page ends.

    The frame (:class:`NoteFrame`) asks, before it places a flowable, for the notes whose
    marks it holds, and places it only if it fits *together with* their text at the foot;
    the page's notes are drawn in :meth:`draw`. Everything happens in one layout pass, so
    nothing has to converge: a note is on the page of its mark by construction. Safety net:
    a mark drawn on a page whose list lacks it (a flowable the search did not look into) adds
    its note when drawn, and notes that then do not fit under the text are carried to the
    foot of the next page, never dropped or drawn over the text."""

    def __init__(self, markup: list[str], style: ParagraphStyle, width: float,
                 look: FootnoteLook):
        self.markup = markup  # the note book's list of each note's markup, by number - 1
        self.style = style
        self.width = width
        self.look = look
        self.sep = look.separator  # the separator rule and the space around it
        self.gap = look.gap  # between notes
        self._heights: dict[int, float] = {}
        self.tag_note: Callable[[int], Any] | None = None  # a drawn note's Note element
        self.reset()

    def reset(self) -> None:
        self.page: list[int] = []  # numbers of the notes whose marks are on this page
        self.carry: list[Flowable] = []  # pieces of notes carried from the page before
        self.reserved = 0.0

    def paragraph(self, n: int) -> _RLParagraph:
        return Para(self.markup[n - 1], self.style, bulletText=f"{n}.")

    def _tagged(self, n: int) -> _RLParagraph:
        para = self.paragraph(n)
        if self.tag_note is not None:
            para.bg_tag = self.tag_note(n)
        return para

    def note_height(self, n: int) -> float:
        h = self._heights.get(n)
        if h is None:
            h = self._heights[n] = self.paragraph(n).wrap(self.width, 1e6)[1]
        return h

    def height(self, numbers: list[int], carry: list[Flowable] | None = None) -> float:
        carry = self.carry if carry is None else carry
        if not numbers and not carry:
            return 0.0
        h = self.sep + sum(c.wrap(self.width, 1e6)[1] + self.gap for c in carry)
        return h + sum(self.note_height(n) + self.gap for n in numbers)

    def new_marks(self, f: Flowable) -> list[int]:
        seen = set(self.page)
        out: list[int] = []
        for n in note_marks(f, []):
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

    def end_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        """The page template's onPageEnd: the page's notes."""
        self.draw(canv, current_frame(doc))

    def draw(self, canv: Canvas, frame: Frame) -> None:
        """At the end of a page: the separator and the notes at the foot of the frame, under
        the text (what does not fit there is carried to the next page)."""
        items: list[Flowable] = [*self.carry, *(self._tagged(n) for n in sorted(self.page))]
        self.carry = []
        if not items:
            return
        bottom = frame_floor(frame)
        need = self.height(sorted(self.page), items[:len(items) - len(self.page)])
        # under the text (the space after the last flowable may run into the notes' room)
        text_bottom = getattr(frame, "bg_text_bottom", frame_cursor(frame))
        top = min(bottom + need, text_bottom)
        x = frame_left(frame)
        fl = self.look
        rule_y = top - self.sep * fl.rule_at
        canv.saveState()
        canv.setStrokeColor(hex_colour(fl.rule_colour))
        canv.setLineWidth(fl.rule_width)
        canv.line(x, rule_y, x + min(self.width * fl.rule_share, fl.rule_length), rule_y)
        canv.restoreState()
        y = top - self.sep
        for i, item in enumerate(items):
            _w, h = item.wrap(self.width, 1e6)
            if y - h < bottom - FUZZ:  # overflow: what fits now, the rest on the next page
                parts = item.split(self.width, y - bottom) if y - bottom > 0 else []
                if len(parts) >= 2:
                    ph = parts[0].wrap(self.width, y - bottom)[1]
                    parts[0].drawOn(canv, x, y - ph)
                    self.carry = [*parts[1:], *items[i + 1:]]
                else:
                    self.carry = list(items[i:])
                break
            item.drawOn(canv, x, y - h)
            y -= h + self.gap


def _is_action(parts: list[Flowable]) -> bool:
    return isinstance(parts[0], (ActionFlowable, PageBreak))


class NoteFrame(NotesFrame):
    """The body frame when the style asks for footnotes: its bottom rises by the height of the
    notes whose marks are placed on the page (see :class:`Footnotes`)."""

    bg_force: bool  # (set in __init__, through __dict__ as ReportLab's frames are)

    def __init__(self, footnotes: Footnotes, *args: Any, **kwargs: Any):
        self.__dict__["bg_fn"] = footnotes
        self.__dict__["bg_force"] = False
        self.__dict__["bg_text_bottom"] = 0.0
        super().__init__(*args, **kwargs)

    def notes_room(self, height: float) -> float:
        """The room kept for notes: at most a share of the frame (more overflows to the next
        page), so that text always has room to go on."""
        return min(height, self.full_height * self.bg_fn.look.max_share)

    def _keep(self, height: float) -> None:
        self.set_floor(self.floor + self.notes_room(height))

    def on_reset(self) -> None:
        fn = self.bg_fn
        fn.start_page()  # notes carried from the page before keep their room
        self._keep(fn.reserved)
        self.bg_text_bottom = self.cursor

    def add(self, flowable: Flowable, canv: Canvas, trySplit: int = 0) -> int:
        y0 = self.cursor
        ok = self._add_with_notes(flowable, canv, trySplit)
        if ok:  # where the drawn text ends (the space after it does not count)
            after = self.space_after_placed(flowable)
            if y0 - self.cursor > after + _DRAWN:
                self.bg_text_bottom = self.cursor + after
        return ok

    def _add_with_notes(self, flowable: Flowable, canv: Canvas, trySplit: int) -> int:
        fn = self.bg_fn
        new = fn.new_marks(flowable)
        force, self.bg_force = self.bg_force, False
        if not new:
            return super().add(flowable, canv, trySplit)
        self._keep(fn.height(fn.page + new))
        ok = super().add(flowable, canv, trySplit)
        if not ok and force:
            # at the top of a page no piece of it fits with its notes (see split): place it
            # all the same, its notes' overflow going to the next page, rather than fail
            self._keep(fn.reserved)
            ok = super().add(flowable, canv, trySplit)
        if ok:
            fn.commit(new)
        self._keep(fn.reserved)
        return ok

    def split(self, flowable: Flowable, canv: Canvas) -> list[Flowable]:
        """Split so that the first piece fits *with* the notes of its own marks: the largest
        such piece (found by bisecting the height offered to the flowable's own split)."""
        parts = super().split(flowable, canv)
        fit = _PieceFit(self, flowable, canv)
        if fit(parts):
            return parts
        best = fit.descend(parts) or fit.bisect()
        if best:
            return best
        if self.at_top:  # nothing fits with its notes, even on a fresh page: force it
            return [ForceFit(), flowable]
        return []


class _PieceFit:
    """Finding the largest first piece of a flowable that fits in a footnote frame together
    with the notes its own marks bring."""

    def __init__(self, frame: NoteFrame, flowable: Flowable, canv: Canvas):
        self.frame = frame
        self.fn = frame.bg_fn
        self.flowable = flowable
        self.canv = canv
        # the space down to the frame's own bottom
        self.total = frame.cursor - frame.floor - frame.space_before(flowable)
        self.aw = frame.available_width()

    def need(self, piece: Flowable) -> float:
        fn = self.fn
        return self.frame.notes_room(fn.height(fn.page + fn.new_marks(piece)))

    def __call__(self, parts: list[Flowable]) -> bool:
        if not parts or _is_action(parts):
            return bool(parts)
        room = self.total - self.need(parts[0])
        return room > 0 and parts[0].wrapOn(self.canv, self.aw, room)[1] <= room + FUZZ

    def descend(self, parts: list[Flowable]) -> list[Flowable]:
        """Offer the split less room, by the room the first piece's notes take, until a first
        piece fits with its own notes (its notes shrink with it); then offer once more the
        room that piece's notes leave, which may take a few more lines."""
        best: list[Flowable] = []
        offered = self.total - self.frame.notes_room(self.fn.reserved)
        for _ in range(6):
            if not parts or _is_action(parts):
                break
            room = self.total - self.need(parts[0])
            if room <= 0 or room >= offered - _STEP:
                break
            offered = room
            parts = self.flowable.splitOn(self.canv, self.aw, room)
            if self(parts):
                best = parts
                break
        if best and not _is_action(best):
            room = self.total - self.need(best[0])
            if room > offered + _MORE:
                more = self.flowable.splitOn(self.canv, self.aw, room)
                if self(more):
                    best = more
        return best

    def bisect(self) -> list[Flowable]:
        """When the descent overshot (no piece at that room): bisect the room offered."""
        best: list[Flowable] = []
        lo, hi = 0.0, self.total - self.frame.notes_room(self.fn.reserved)
        while hi - lo > _BISECT:
            mid = (lo + hi) / 2
            cand = self.flowable.splitOn(self.canv, self.aw, mid)
            if self(cand):
                best, lo = cand, mid
            else:
                hi = mid
        return best


class FlushNotes(Flowable):
    """The story's last flowable with footnotes: when the last page's notes (with any carried
    from the page before) do not fit under its text, pages follow to hold them."""

    def __init__(self, footnotes: Footnotes):
        super().__init__()
        self.footnotes = footnotes
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        frame = placed_frame(self)
        fn = self.footnotes
        if frame is None:
            return 0, 0
        room = getattr(frame, "bg_text_bottom", frame_cursor(frame)) - frame_floor(frame)
        if fn.height(fn.page) <= room + FUZZ:
            return 0, 0
        return availWidth, 0xFFFFFF

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return [FrameBreak(), FlushNotes(self.footnotes)]

    def draw(self) -> None:
        pass


class ForceFit(ActionFlowable):
    """Tells the footnote frame to place the next flowable though its notes do not fit."""

    def apply(self, doc: BaseDocTemplate) -> None:
        current_frame(doc).bg_force = True
