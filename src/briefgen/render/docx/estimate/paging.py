"""Placing measured paragraphs and tables on pages as LibreOffice (7.4) does: keep-with-next
(and its limits), keep-lines, widows and orphans, page breaks, unsplittable rows and repeated
header rows, footnote space at the foot of the page. It estimates; Word corrects."""

from __future__ import annotations

from collections.abc import Sequence

from .measure import PBox, Row, TBox

__all__ = ["paginate"]

#: LibreOffice lets a page's footnotes end a little below the body's bottom edge (the last
#: note's line reaching into the space above the footer: 1.4 pt measured)
NOTE_SLACK = 1.5
#: how many keep-with-next paragraphs in a row are followed when finding what must share a
#: page with the first
_KEEP_CHAIN = 4
#: the fewest lines a split row leaves on either page where moving it whole would leave a
#: quarter of its page or more empty (the PDF's rule, ``min_split_lines``, is four)
LEAST_SPLIT_LINES = 3
_GAP = 1 / 4
#: the estimate's margin in a split row's rest: it goes over by at least this much more
#: than a line fewer than it must carry (half a line)
_SURE = 0.5
#: the fewest lines a cell that splits leaves on either page, and the fewest lines of what
#: follows a keep-with-next paragraph in a cell (a label over a list) that stay with it
CELL_LINES = 2
#: how far (in lines) the estimate's split point may be from LibreOffice's: a split must
#: part every cell well wherever in that band the page's foot falls
_BAND = 0.6
#: the most space (in lines) added above a heading kept with a table whose first row would
#: split badly at the page's foot (it then splits well, rather than move with the heading
#: and leave the page's foot empty), in steps of a quarter line
_NUDGE = 3.0
#: or the most of the heading's space before taken away, as a share of it
_PULL = 0.7


def paginate(items: Sequence[PBox | TBox], body_height: float,
             note_heights: dict[str, float], note_gap: float,
             split_lines: int = 0, whole: float = 0.0) -> tuple[dict[str, int], int]:
    """The page of each bookmark, and the page count. With ``split_lines``, the pager
    decides where each managed row (:attr:`~.measure.Row.managed`) may split: see
    :meth:`_Pager._splits` (never a row shorter than ``whole``); the decision is left on
    the row (``cant_split``, ``keep``)."""
    return _Pager(items, body_height, note_heights, note_gap, split_lines, whole).run()


class _Pager:
    def __init__(self, items: Sequence[PBox | TBox], body_height: float,
                 note_heights: dict[str, float], note_gap: float,
                 split_lines: int = 0, whole: float = 0.0) -> None:
        self.items = items
        self.whole = whole
        self.H = body_height
        self.note_heights = note_heights
        self.note_gap = note_gap
        self.split_lines = split_lines
        self.pages: dict[str, int] = {}
        self.page = 1
        self.y = 0.0
        self.notes = 0.0
        # the previous paragraph's space after, already added to y. LibreOffice separates
        # two paragraphs by the larger of after and before, not their sum.
        self.after = 0.0
        # nothing on the page yet but paragraphs kept with what follows (and header rows)
        self.kept_top = True
        #: the table row just placed and the page it ends on (see _push)
        self.above: tuple[Row, int] | None = None
        #: the body rows of the table being placed that are on this page
        self.rows_here = 0

    def run(self) -> tuple[dict[str, int], int]:
        for k, it in enumerate(self.items):
            if isinstance(it, TBox):
                self._table(k, it)
            else:
                self._para(k, it)
        return self.pages, self.page

    # state ------------------------------------------------------------------------------
    def _new_page(self) -> None:
        self.page += 1
        self.y = 0.0
        self.notes = 0.0
        self.after = 0.0
        self.kept_top = True
        self.rows_here = 0

    def _slack(self) -> float:
        return NOTE_SLACK if self.notes else 0.0

    def _note_space(self, ids: list[str]) -> float:
        if not ids:
            return 0.0
        extra = sum(self.note_heights.get(i, 0.0) for i in ids)
        return extra + (self.note_gap if self.notes == 0.0 else 0.0)

    def _mark(self, marks: list[str], page: int) -> None:
        for m in marks:
            self.pages.setdefault(m, page)

    # heights ----------------------------------------------------------------------------
    def _start_height(self, k: int, depth: int = 0, prev_after: float = 0.0,
                      used: float = 0.0) -> float:
        """Height that must share a page with a preceding keep-with-next paragraph (whose
        space after, ``prev_after``, is already counted: the larger of the two applies);
        ``used``: the page's height taken above this item."""
        if k >= len(self.items):
            return 0.0
        it = self.items[k]
        if isinstance(it, TBox):  # its header rows and its first row (or what of it must
            head = sum(r.height for r in it.rows if r.header)  # start, when it may split)
            body = [r for r in it.rows if not r.header]
            if not body:
                return head
            r = body[0]
            if r.managed and self.split_lines:
                room = self.H - used - head - self.notes
                if r.height <= room and r.bind:  # it and the start of the next, or it moves
                    nxt = self._after_row(it, k, it.rows.index(r), room - r.height,
                                          used + head + r.height)
                    return head + r.height + nxt if nxt is not None else \
                        head + max(room, 0.0) + 1.0
                if r.height <= room:
                    return head + r.height
                if self._splits(r, room, used + head):
                    return head + self._first_need(r, self.split_lines)
                push = self._nudge(k, r, room, used + head)
                if push:
                    return push + head + self._first_need(r, self.split_lines)
                self._decide(r, room, used + head)  # it moves, and what keeps with it
                return head + max(room, 0.0) + 1.0
            return head + (r.height if r.cant_split else r.min_first)
        if it.break_before:
            return 0.0
        gap = max(0.0, it.before - prev_after)
        if it.keep_next and depth < _KEEP_CHAIN:
            return (gap + sum(it.lines) + it.after
                    + self._start_height(k + 1, depth + 1, it.after,
                                         used + gap + sum(it.lines) + it.after))
        # what must start on the page: all of it when it cannot split (kept together, or
        # too short to leave two lines on each page), else its first line or two
        n = len(it.lines)
        if not it.keep_lines and not (it.widow and n < 4):
            n = min(n, 2 if it.widow else 1)
        return gap + sum(it.lines[:n]) - it.surplus

    def _full_height(self, k: int) -> float:
        if k >= len(self.items):
            return 0.0
        it = self.items[k]
        if isinstance(it, TBox):
            return sum(r.height for r in it.rows)
        return it.before + sum(it.lines) + it.after

    # tables -----------------------------------------------------------------------------
    def _table(self, k: int, it: TBox) -> None:
        header_h = 0.0
        self.above = None
        self.rows_here = 0
        for i, r in enumerate(it.rows):
            self._row(r, header_h, (it, k, i) if r.bind else None)
            if r.header:
                header_h += r.height
            self.above = (r, self.page)
        self.above = None
        self.after = 0.0

    def _row(self, r: Row, header_h: float,
             bound: tuple[TBox, int, int] | None = None) -> None:
        """Place the row (``bound``: the table, its index and the row's, when the row is
        bound to what follows it)."""
        height, min_first, max_first = r.height, r.min_first, r.max_first
        marked = False
        fresh = False  # on a new page, under the repeated header rows only
        while True:
            room = self.H - self.y - self.notes + (
                NOTE_SLACK if self.notes or r.notes else 0.0)
            if bound is not None and self.y > 0 and not fresh and not self.kept_top \
                    and height + self._note_space(r.notes) <= room \
                    and self._after_row(*bound, room - height, self.y + height) is None:
                self._new_page()  # it goes on with the row it is bound to
                self.y += header_h
                fresh = True
                continue
            if height + self._note_space(r.notes) <= room or (
                    self.y == 0 and (r.cant_split or height <= room)):
                break
            if r.managed and self.split_lines and self.y > 0 and not fresh:
                self._decide(r, room, self.y)
                if (r.cant_split or r.keep) and room >= self.H * _GAP \
                        and r.height >= self.whole:  # (see rows.continue_rows)
                    r.moved = (room, self.notes > 0, self.rows_here == 0, self.kept_top)
            # (a row kept off the page where it starts does not move on from the top of one:
            # LibreOffice moves what keeps with it along)
            if self.y > 0 and not fresh and (r.cant_split or (r.keep and not self.kept_top)
                                              or min_first > room or max_first < min_first):
                self._new_page()
                if not r.header:
                    self.y += header_h
                fresh = True
                continue
            if room <= 0:  # the header rows fill the page: set the row anyway
                break
            # a splittable row, or one taller than a page under its header rows
            # (LibreOffice splits even an unsplittable row then): what fits
            # stays, the rest goes on
            if not marked:
                self._mark(r.marks, self.page)
                marked = True
            if not r.header and not r.split_at:
                r.split_at, r.split_notes = room, self.notes > 0
                r.split_alone = self.rows_here == 0
                r.split_top = self.kept_top
            part = min(room, max_first) if max_first >= min_first else room
            height = height - part + r.split_cost
            min_first, max_first = 0.0, height
            self._new_page()
            self.y += header_h
            fresh = True
        if not marked:
            self._mark(r.marks, self.page)
        self.notes += self._note_space(r.notes)
        self.y += height
        self.kept_top = self.kept_top and r.header
        self.rows_here += not r.header

    def _after_row(self, t: TBox, k: int, i: int, room: float, y: float) -> float | None:
        """What must start in ``room`` (its top at ``y``) below row ``i`` of the table
        ``items[k]``, which is bound to it: the next row's start (and what that one is bound
        to when it is whole there), or after the last row the start of what follows the
        table; None when it does not start there (it moves on, and the row with it)."""
        if i + 1 < len(t.rows):
            r = t.rows[i + 1]
            start = self._pair_start(r, room, y)
            if start is None or not r.bind or start < r.height:
                return start
            rest = self._after_row(t, k, i + 1, room - start, y + start)
            return None if rest is None else start + rest
        start = self._start_height(k + 1, used=y)
        return start if start <= room else None

    def _pair_start(self, r: Row, room: float, y: float) -> float | None:
        """What of row ``r`` must start in ``room`` (its top at ``y``) below the row bound
        to it, or None when it does not start there (it moves on, and that row with it)."""
        if r.height + self._note_space(r.notes) <= room:
            return r.height
        if r.managed and self.split_lines:
            return self._first_need(r, self.split_lines) \
                if not r.tall and self._splits(r, room, y) else None
        if r.cant_split or r.min_first > room:
            return None
        return r.min_first

    def _first_need(self, r: Row, lines: int) -> float:
        """The least first part of a split row that holds ``lines`` lines."""
        return max(r.min_first, r.pad / 2 + lines * r.line)

    def _splits(self, r: Row, room: float, y: float) -> bool:
        """Whether a row that does not fit in ``room`` (its top at ``y``) splits there: with
        at least ``split_lines`` lines on either page (as the PDF splits a row), or, where
        moving it whole would leave a quarter of the page or more empty, at least
        :data:`LEAST_SPLIT_LINES`; and every cell parted well (:meth:`_cells_part`).
        LibreOffice keeps no widows or orphans in the cells of a row it splits, nor a
        paragraph with the next: it fills the page, a line at its foot if that is all there
        is room for; so the decision is the generator's, and where it is not sure the row
        is held whole (it moves on)."""
        if r.max_first < r.min_first or r.height < self.whole:
            return False
        over = r.height - room  # what goes over: more than k lines' height is k + 1 lines
        for lines in (self.split_lines, LEAST_SPLIT_LINES):
            if lines < self.split_lines and room < self.H * _GAP:
                break
            if room >= self._first_need(r, lines) and over >= (lines - _SURE) * r.line:
                return self._cells_part(r, room)
        return False

    @staticmethod
    def _cells_part(r: Row, room: float) -> bool:
        """Whether a split of the row at the foot of ``room`` parts each cell well, wherever
        within :data:`_BAND` lines of it the page's foot falls: a cell that splits leaves
        :data:`CELL_LINES` lines or more on either page, and a keep-with-next paragraph
        (a label: "Indicators to watch:") keeps that many lines of what follows it."""
        if not r.cells:
            return True
        base = room - r.pad / 2
        for shift in (-_BAND, 0.0, _BAND):
            cut = base + shift * r.line
            for lines in r.cells:
                here = [c for c in lines if c.foot <= cut]
                n = len(here)
                if n == 0 or n == len(lines):
                    continue
                if n < CELL_LINES or len(lines) - n < CELL_LINES:
                    return False
                for label in {c.para for c in here if c.kept}:
                    after = sum(1 for c in here if c.para > label)
                    if after < CELL_LINES:
                        return False
        return True

    def _nudge(self, k: int, r: Row, room: float, y: float) -> float:
        """Where the first row of the table ``items[k]``, kept with the heading above it,
        would split badly at the page's foot (``room`` below its top, at ``y``) and moving
        it would leave a quarter of the page empty: the least space (up to :data:`_NUDGE`
        lines) that, added above the heading (or taken from its space before, up to
        :data:`_PULL` of it), lets it split well. The row then splits (decided) and the
        heading is moved (:attr:`~.measure.PBox.pushed`); returns the space, or 0."""
        j = k - 1
        while j > 0:
            above, it = self.items[j - 1], self.items[j]
            if not (isinstance(above, PBox) and above.keep_next and isinstance(it, PBox)
                    and not it.break_before):
                break
            j -= 1
        head = self.items[j] if j >= 0 else None
        if not isinstance(head, PBox) or head.break_before or room < self.H * _GAP \
                or r.max_first < r.min_first:
            return 0.0
        step = r.line / 4
        pushes = [k * step for k in range(1, int(_NUDGE * 4) + 1)]
        pushes += [-k * step for k in range(1, int(head.before * _PULL / step) + 1)]
        for push in sorted(pushes, key=abs):
            if self._splits(r, room - push, y + push):
                head.before += push
                head.pushed += push
                r.managed = False
                r.cant_split = False
                return push
        return 0.0

    def _decide(self, r: Row, room: float, y: float) -> None:
        """Split the row here (its top at ``y``), or move it to the next page: unsplittable
        when short enough to be held whole, else kept off this page
        (:attr:`~.measure.Row.keep`)."""
        r.managed = False  # decided once: where it first meets a page's foot
        if self._splits(r, room, y):
            r.cant_split = False
        elif r.tall:
            r.keep = True
        elif not self._push(r, room, y):
            r.cant_split = True

    def _push(self, r: Row, room: float, y: float) -> bool:
        """A row that just misses the page (too little goes over to split it well) where
        moving it would leave a quarter of the page or more empty, below a row of its table
        on this page: the least space (up to :data:`_NUDGE` lines) added at the foot of
        the row above that lets it split well (LibreOffice fills the page: more going over
        is the only way to split it higher). The row then splits; returns whether it
        does."""
        if self.above is None or self.above[1] != self.page or room < self.H * _GAP \
                or r.max_first < r.min_first:
            return False
        step = r.line / 4
        for k in range(1, int(_NUDGE * 4) + 1):
            push = k * step
            if self._splits(r, room - push, y + push):
                self.above[0].pushed += push
                self.y += push
                r.cant_split = False
                return True
        return False

    # paragraphs -------------------------------------------------------------------------
    def _gap(self, it: PBox) -> float:
        """The space above a paragraph: the larger of its space before and the previous
        one's after; at the top of a page only after a page break (as Word, LibreOffice
        drops the space before of a paragraph the text flowed onto a new page)."""
        if self.y > 0:
            return max(0.0, it.before - self.after)
        return it.before if it.break_before or self.page == 1 else 0.0

    def _para(self, k: int, it: PBox) -> None:
        if it.break_before and self.y > 0:
            self._new_page()
        self._keep(k, it)
        self.y += self._gap(it)
        first_page = self._lines(it)
        it.page = first_page or self.page
        self._mark(it.marks, it.page)
        self.y += it.after
        self.after = it.after
        self.kept_top = self.kept_top and it.keep_next

    def _keep(self, k: int, it: PBox) -> None:
        """A new page first when the paragraph must keep with the next one, or its lines
        together, or with its group (:attr:`~.measure.PBox.group`), and they do not fit
        here."""
        H = self.H
        if it.group and self.y > 0:
            group = sum(self._full_height(j) for j in range(k, k + 1 + it.group))
            if self.y + group > H and group <= H:
                # (with no space before: the PDF lays none at the top of a page)
                it.broke = it.break_before = True
                it.before = 0.0
                self._new_page()
        nxt = self.items[k + 1] if k + 1 < len(self.items) else None
        if it.keep_next and not (isinstance(nxt, PBox) and nxt.break_before):
            mine = self._gap(it) + sum(it.lines) + it.after
            need = mine + self._start_height(k + 1, prev_after=it.after, used=self.y + mine)
            # LibreOffice ignores keep-with-next when the paragraph and the whole of the
            # next paragraph would not fit on a page anyway (not so for a next table), and
            # checks the fit without the page's footnotes (measured: a heading stays at the
            # foot of a page whose footnotes push what follows it over).
            whole = it.before + sum(it.lines) + (
                0.0 if isinstance(nxt, TBox) else self._full_height(k + 1))
            if self.y + need > H and self.y > 0 \
                    and whole <= H \
                    and need <= H:
                kept = _kept_row(nxt)
                if ((isinstance(nxt, PBox) and nxt.keep_next) or kept is not None
                        or _bound_start(nxt)) and not it.listed:
                    # a chain (a heading, a question, its answer; a heading and a table
                    # whose first row is kept off the page): LibreOffice keeps a paragraph
                    # with the next only where that one moves on for its own sake, and
                    # leaves this one behind when the next moves with its own next
                    # (measured): the page break is written; the row splits on the next
                    # page, under the heading
                    it.broke = it.break_before = True
                    it.before = 0.0
                    if kept is not None:
                        kept.keep = kept.cant_split = False
                self._new_page()
        total = self._gap(it) + sum(it.lines) - it.surplus
        if it.keep_lines and self.y + total + self.notes > H + self._slack() \
                and self.y > 0 \
                and it.before + sum(it.lines) <= H:
            self._new_page()

    def _fit(self, it: PBox, i: int) -> tuple[int, float, float]:
        """How many of the lines from ``i`` fit on this page, and y and the notes' height
        after them."""
        n = len(it.lines)
        fit = 0
        y, notes = self.y, self.notes
        for j in range(i, n):
            extra = sum(self.note_heights.get(x, 0.0) for x in it.notes[j])
            if extra and notes == 0.0:
                extra += self.note_gap
            if y + it.lines[j] - it.surplus + notes + extra > self.H + (
                    NOTE_SLACK if notes + extra else 0.0):
                break
            y += it.lines[j]
            notes += extra
            fit += 1
        return fit, y, notes

    def _lines(self, it: PBox) -> int | None:
        """Set the paragraph's lines, across pages as widows and orphans allow; returns the
        page its first line is on."""
        n = len(it.lines)
        i = 0
        first_page = None
        while i < n:
            fit, y, notes = self._fit(it, i)
            if fit == n - i:
                if first_page is None:
                    first_page = self.page
                self.y, self.notes = y, notes
                break
            if it.widow and n - i >= 2:
                if i == 0 and fit < 2:
                    fit = 0  # orphan: move the paragraph
                elif n - i - fit < 2:
                    fit = max(0, n - i - 2)
                    if i == 0 and fit < 2:
                        fit = 0
            if fit == 0 and self.y == 0:
                fit = 1  # a line taller than a page: place it anyway
            if fit:
                if first_page is None:
                    first_page = self.page
                for j in range(i, i + fit):
                    self.y += it.lines[j]
                    self.notes += self._note_space(it.notes[j])
                i += fit
            self._new_page()
        return first_page


def _bound_start(it: PBox | TBox | None) -> bool:
    """Whether ``it`` is a table whose first body row is bound to the next (a heading kept
    with it is given a page break where it moves: see _Pager._keep)."""
    if not isinstance(it, TBox):
        return False
    row = next((r for r in it.rows if not r.header), None)
    return row is not None and row.bind


def _kept_row(it: PBox | TBox | None) -> Row | None:
    """A table's first body row when it is kept off the page where it does not fit whole
    (:attr:`~.measure.Row.keep`), else None."""
    if not isinstance(it, TBox):
        return None
    row = next((r for r in it.rows if not r.header), None)
    return row if row is not None and row.keep else None
