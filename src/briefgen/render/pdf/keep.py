"""Keep-with-next: a heading (or a run of them, or a table caption) kept with the *first lines*
of what follows, never with all of it.

The group starts on this page when, below it, the next flowable can start (a table: its header
row and first body row; anything else: a first piece ReportLab is willing to split off, e.g. two
lines of a paragraph or list item, or the whole of a figure); otherwise it moves to the next
page with it. ReportLab's own keepWithNext would wrap the group *and the whole next flowable* in
a KeepTogether (so a long table drags its heading to the next page, leaving the page before half
empty), and it skips lists altogether (a ListFlowable is a container, which keepWithNext does
not join), leaving a heading alone at the foot of a page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Spacer, Table
from reportlab.platypus import Paragraph as _RLParagraph
from reportlab.platypus.doctemplate import (
    ActionFlowable,
    FrameBreak,
    IndexingFlowable,
    NullActionFlowable,
)
from reportlab.platypus.flowables import PageBreak

from ..common import LEAD_IN
from .flowables import Figure, NotesSlot
from .notes import FUZZ, note_marks
from .reportlab_adapter import (
    frame_at_top,
    frame_full_height,
    lone_row,
    place_in,
    placed_frame,
    row_heights,
    table_cells,
    whole_row,
    whole_table,
)

__all__ = ["KeepWithNext", "PullUp", "can_start", "keep_with_next"]

Notes = Callable[[list[Any]], float]


def _no_notes(_objs: list[Any]) -> float:
    return 0.0


class KeepWithNext(Flowable):
    """A run of keep-with-next flowables and the flowable after it (see the module)."""

    def __init__(self, group: list[Flowable], nxt: Flowable, frame_height: float):
        super().__init__()
        for f in group:  # we do the keeping: ReportLab must not wrap them in a KeepTogether
            f.keepWithNext = 0
        self.group = group
        self.nxt = nxt
        self.frame_height = frame_height
        self.width = self.height = 0

    def bg_children(self) -> list[Flowable]:
        """What it holds (for the footnotes' search for marks)."""
        return [*self.group, self.nxt]

    def getSpaceBefore(self) -> float:
        return self.group[0].getSpaceBefore()

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return availWidth, 0xFFFFFF  # never placed whole: split() hands out the pieces

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        nxt = self.nxt
        if isinstance(nxt, Figure):  # a figure scales to fit under its heading on a page
            nxt.max_height = self.frame_height - self._group_height(availWidth, nxt)
        action: Flowable = NullActionFlowable()
        if not frame_at_top(placed_frame(self)) and not self._starts_here(availWidth,
                                                                           availHeight):
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
            if y < -FUZZ:
                return False
            prev_after = f.getSpaceAfter()
            y -= prev_after
        nxt = self.nxt
        y -= max(nxt.getSpaceBefore() - (prev_after or 0), 0)
        return can_start(nxt, canv, aw, y, self.frame_height, self._notes_room(),
                         frame=placed_frame(self))

    def _notes_room(self) -> Notes:
        """With footnotes: the extra room at the page foot the notes of the group and of a
        piece of the next flowable would take."""
        frame = placed_frame(self)
        fn = getattr(frame, "bg_fn", None)
        if frame is None or fn is None:
            return _no_notes
        own = note_marks(self.group, [])

        def extra(objs: list[Any]) -> float:
            new: list[int] = []
            for n in own + note_marks(objs, []):
                if n not in fn.page and n not in new:
                    new.append(n)
            if not new:
                return 0.0
            return frame.notes_room(fn.height(fn.page + new)) - frame.notes_room(fn.reserved)

        return extra

    def draw(self) -> None:
        pass


def can_start(f: Flowable, canv: Canvas, aw: float, ah: float, frame_height: float,
              notes: Notes = _no_notes, depth: int = 0, frame: Frame | None = None) -> bool:
    """Whether ``f`` can put its first lines into ``ah`` points (see :class:`KeepWithNext`);
    ``notes`` gives the room the footnotes of a piece (and of the heading) would take;
    ``frame`` (where it is placed) says which table rows stand alone or split."""
    if ah <= 0:
        return False
    _w, h = f.wrapOn(canv, aw, ah)
    if h <= ah - notes([f]) + FUZZ:
        return True
    if isinstance(f, Table) and f.repeatRows:
        heights = row_heights(f)
        if None not in heights and sum(heights) < whole_table(frame):
            return False  # a short table is not split (FlowTable.split): it starts whole
        lead = sum(heights[: f.repeatRows + 1])
        body = heights[f.repeatRows:]
        short = max(f.splitInRow or 0, lone_row(frame))
        if len(body) >= 2 and body[0] < short:  # never a short row alone
            whole = body[1] < whole_row(frame)  # (see FlowTable._no_lone_row, _keeps_whole)
            lead += body[1] if whole else min(body[1], f.splitInRow or body[1])
        if lead <= ah - notes(table_cells(f)[: f.repeatRows + 1]) + FUZZ:
            return True
        # a first row too big to keep whole may be split inside, as ReportLab would
        if sum(heights[f.repeatRows: f.repeatRows + 1]) < frame_height / 2:
            return False
    room = ah
    if frame is not None:
        place_in(f, frame)  # (its split follows the frame's row rules, as when placed)
    for _ in range(3):  # the piece that fits with its own notes
        parts = f.splitOn(canv, aw, room)
        if not parts or isinstance(parts[0], ActionFlowable):
            return False
        first = parts[0]
        if len(parts) == 1 and first is f:
            return False
        _w, h = first.wrapOn(canv, aw, room)
        if h > room + FUZZ:
            # a container (a list) splits into its items, whatever the height: look inside
            return depth < 6 and can_start(first, canv, aw, room, frame_height, notes,
                                           depth + 1, frame)
        extra = notes([first])
        if h <= ah - extra + FUZZ:
            return True
        room = ah - extra
        if room <= 0:
            return False
    return False


class PullUp(Flowable):
    """The block before a short end of the pack (the sources: a heading and a short list) and
    that end. Where the end would start a page alone, the block splits earlier, so that its
    last lines go over with the end and the last page holds at least ``need`` points of text
    (never a heading and three lines alone). A table that cannot part with rows (it would
    leave a short row alone: FlowTable's rule) goes over whole, with ``lead``, the short
    paragraph that introduces it."""

    def __init__(self, prev: Flowable, tail: list[Flowable], need: float,
                 lead: list[Flowable] | None = None):
        super().__init__()
        self.prev = prev
        self.tail = tail
        self.need = need
        self.lead = lead or []
        self.width = self.height = 0

    def bg_children(self) -> list[Flowable]:
        """What it holds (for the footnotes' search for marks)."""
        return [*self.lead, self.prev, *self.tail]

    def getSpaceBefore(self) -> float:
        return (self.lead or [self.prev])[0].getSpaceBefore()

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return availWidth, 0xFFFFFF  # never placed whole: split() hands out the pieces

    def _tail_height(self, aw: float, spaced: bool) -> float:
        """The end's height: its text alone, or ``spaced`` with the space around it."""
        items: list[Flowable] = []
        for f in self.tail:
            items.extend(f.bg_children() if isinstance(f, KeepWithNext) else [f])
        return sum(f.wrapOn(self.canv, aw, 0xFFFFFF)[1]
                   + (f.getSpaceBefore() + f.getSpaceAfter() if spaced else 0) for f in items)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        canv, prev, lead = self.canv, self.prev, self.lead
        frame = placed_frame(self)
        above = sum(f.wrapOn(canv, availWidth, availHeight)[1] + f.getSpaceBefore()
                    + f.getSpaceAfter() for f in lead)
        _w, h = prev.wrapOn(canv, availWidth, availHeight - above)
        if h > availHeight - above + FUZZ:  # the block runs over: its last piece is the block
            if lead:  # with it, or with it on the next page when the table cannot start here
                rest = PullUp(prev, self.tail, self.need)
                if frame_at_top(frame) or can_start(prev, canv, availWidth, availHeight - above,
                                                    frame_full_height(frame), frame=frame):
                    return [*lead, rest]
                return [FrameBreak(), *lead, rest]
            parts = prev.splitOn(canv, availWidth, availHeight)
            if len(parts) >= 2 and not isinstance(parts[0], ActionFlowable):
                return [*parts[:-1], PullUp(parts[-1], self.tail, self.need)]
            return [*parts, *self.tail] if parts else []
        tail = self._tail_height(availWidth, spaced=False)
        room = availHeight - above - h - prev.getSpaceAfter()
        if self._tail_height(availWidth, spaced=True) <= room + FUZZ or tail >= self.need:
            return [*lead, prev, *self.tail]
        place_in(prev, frame)  # (a table piece alone on a page's top is judged there)
        for share in (1.0, 0.5, 0.25):  # as much as the block will part with, up to the need
            parts = prev.splitOn(canv, availWidth, h - (self.need - tail) * share)
            if len(parts) >= 2 and not isinstance(parts[0], ActionFlowable):
                return [*lead, *parts, *self.tail]  # (a table's split may hold a frame break)
        if isinstance(prev, Table) and not frame_at_top(frame):
            return [FrameBreak(), *lead, prev, *self.tail]
        return [*lead, prev, *self.tail]

    def draw(self) -> None:
        pass


def _pull_up(out: list[Flowable], need: float) -> list[Flowable]:
    """The last :class:`KeepWithNext` and what follows it, with the block before it (and a
    table's short lead-in paragraph), become one :class:`PullUp` (when that block is text or
    a table)."""
    ends = [k for k, f in enumerate(out) if isinstance(f, KeepWithNext)]
    if need <= 0 or not ends or ends[-1] == 0:
        return out
    k = ends[-1]
    tail, prev = out[k:], out[k - 1]
    if not _is_content(prev) or isinstance(prev, (KeepWithNext, Figure)) \
            or any(not _is_content(f) for f in tail):
        return out
    j = k - 1
    if j >= 1 and isinstance(prev, Table) and _leads_in(out[j - 1], prev):
        j -= 1
    return [*out[:j], PullUp(prev, tail, need, out[j:k - 1])]


def keep_with_next(story: list[Flowable], frame_height: float,
                   last_page: float = 0.0) -> list[Flowable]:
    """Each run of keep-with-next flowables (headings, captions) and the flowable after it
    become one :class:`KeepWithNext`; with ``last_page`` (points), the pack's short end
    carries the last lines of the block before it (:class:`PullUp`)."""
    out: list[Flowable] = []
    group: list[Flowable] = []
    for k, f in enumerate(story):
        if getattr(f, "getKeepWithNext", None) and f.getKeepWithNext():
            group.append(f)
            continue
        if group and _leads_in(f, story[k + 1] if k + 1 < len(story) else None):
            group.append(f)  # a heading's short lead-in stays with the table it introduces
            continue
        if group and _is_content(f):
            out.append(KeepWithNext(group, f, frame_height))
        else:
            out.extend(group)
            out.append(f)
        group = []
    out.extend(group)
    return _pull_up(out, last_page)


def _leads_in(f: Flowable, nxt: Flowable | None) -> bool:
    """Whether ``f`` is a short paragraph between a heading and a table (the table's
    introduction): kept with both, so the heading never ends a page with its table on the
    next (common.leads_in, as the DOCX does)."""
    return isinstance(f, _RLParagraph) and isinstance(nxt, Table) \
        and len(f.getPlainText()) <= LEAD_IN


def _is_content(f: Flowable) -> bool:
    # not the contents (which starts the pack and has its own title kept with it)
    return not isinstance(f, (ActionFlowable, PageBreak, IndexingFlowable, Spacer, NotesSlot))
