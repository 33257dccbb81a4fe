"""Numeric ranges kept on one line in table columns: LibreOffice and Word may break a line
after an en dash, so "ICD 203, 20–45%" in a narrow likelihood column came out as "20–" at a
line's end and "45%" on the next. OOXML has no non-breaking en dash, and the text must stay
the brief's (no joiner characters), so a column where a range would break at its dash is
widened until the range fits on the line, another column giving up the room where that
costs the table least height (none below its longest word). The PDF needs none of it
(ReportLab breaks at spaces and hyphens only)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping

from ...fonts import Family
from .docx_adapter import Element
from .estimate.measure import Chars, Measure, PBox, line_breaks
from .estimate.sheet import StyleSheet
from .ooxml import local, qn

__all__ = ["keep_ranges_whole"]

#: a range's dash: a digit, an en dash, a digit ("20–45%")
_RANGE = re.compile(r"\d\u2013[<>\u2264\u2265]?\d")  # (PHIA's "40–<50%" too)
#: a bound before a range's second number ("40–<50%")
_BOUND = "<>\u2264\u2265"
#: characters a line may break at or after (as measure.line_breaks breaks)
_BREAKS = " -\u2010\u2013\u2014/\n\t"
#: the estimate's margin of error in a line's width (points): a range must not break
#: at its dash with a column this much narrower or wider
_MARGIN = 3.0
#: how many times the columns are widened and checked again
_ROUNDS = 6


class _Measure(Measure):
    """A :class:`Measure` that breaks each paragraph into lines once per width, and sums
    each cell once per width: the columns are tried at many widths, and nothing here
    changes a paragraph while it measures (only the column widths are written, at the
    end)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._boxes: dict[tuple[Element, float], PBox] = {}
        self._cells: dict[tuple[Element, float], float] = {}

    def cell(self, tc: Element, width: float) -> float:
        """A cell's paragraphs' height at ``width`` (once per width)."""
        h = self._cells.get((tc, width))
        if h is None:
            h = self._cells[(tc, width)] = sum(
                b.before + sum(b.lines) + b.after
                for b in (self.para(p, width) for p in tc.findall(qn("w:p"))))
        return h

    def para(self, p: Element, width: float) -> PBox:
        box = self._boxes.get((p, width))  # (most columns keep their width from trial to trial)
        if box is None:
            box = self._boxes[(p, width)] = super().para(p, width)
        return box


def keep_ranges_whole(body: list[Element], styles: Element,
                      families: Mapping[str, Family], text_w: float) -> Measure:
    """Widen the columns of the top-level tables in ``body`` where a numeric range would
    break at its en dash (see the module), as LibreOffice lays the lines. Returns what
    measured their paragraphs: only column widths were written, so the page estimate need
    not read them again (see :meth:`~.estimate.measure.Measure.adopt`)."""
    measure = _Measure(StyleSheet(styles), text_w, families)
    for tbl in body:
        if local(tbl) == "tbl":
            _table(measure, tbl)
    return measure


def _table(measure: _Measure, tbl: Element) -> None:
    grid = [int(g.get(qn("w:w"))) for g in tbl.iter(qn("w:gridCol"))]
    rows = [tr.findall(qn("w:tc")) for tr in tbl.findall(qn("w:tr"))]
    if len(grid) < 2 or any(len(cells) != len(grid) for cells in rows) or \
            not _RANGE.search("".join(t.text or "" for t in tbl.iter(qn("w:t")))):
        return  # (no range; one column, or merged cells: nothing to trade)
    style = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
    _, _, left, right = measure.sheet.cell_margins(style.get(qn("w:val"))
                                                   if style is not None else "")
    columns = [[p for cells in rows for p in cells[c].findall(qn("w:p"))]
               for c in range(len(grid))]
    texts = [[measure.text(p, 1e6) for p in col] for col in columns]
    # each column's longest unbreakable piece, with its paragraph's indents: a column
    # never gives up room below it
    least = [max((_longest(chars) + 1e6 - avail for _props, chars, avail in col), default=0.0)
             + left + right for col in texts]
    # (only paragraphs holding a range can break one)
    ranged = [[p for p, (_props, chars, _avail) in zip(col, txt, strict=True)
               if _RANGE.search("".join(c[0] for c in chars))]
              for col, txt in zip(columns, texts, strict=True)]
    changed = False
    for _ in range(_ROUNDS):
        need = [max((_short(measure, p, g / 20 - left - right) for p in col), default=0.0)
                for g, col in zip(grid, ranged, strict=True)]
        if not any(need):
            break
        for c, n in enumerate(need):
            if n:
                trials = _widened(grid, c, round(20 * n) + 20, least)
                if trials:
                    grid = min(trials, key=lambda g: _height(measure, rows, g, left + right))
        changed = True
    if not changed:
        return
    for g, w in zip(tbl.iter(qn("w:gridCol")), grid, strict=True):
        g.set(qn("w:w"), str(w))
    for cells in rows:
        for tc, w in zip(cells, grid, strict=True):
            tcw = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            if tcw is not None:
                tcw.set(qn("w:w"), str(w))


def _short(measure: Measure, p: Element, width: float) -> float:
    """How much wider (points) a column ``width`` wide must be for no range in paragraph
    ``p`` (one that holds a range) to break at its dash (0 when none does), wherever within
    :data:`_MARGIN` of the estimate LibreOffice's line width is."""
    _props, chars, avail = measure.text(p, width)
    # (a line LibreOffice makes ``e`` wider or narrower than the estimate's needs what the
    # estimate's line that wide needs: the column widens the line by as much)
    return max(_range_break(chars, avail + e) for e in (-_MARGIN, 0.0, _MARGIN))


def _range_break(chars: Chars, avail: float) -> float:
    """How much wider than ``avail`` a line must be to hold the whole of a range broken
    after its dash (the most, when more than one is), or 0."""
    _notes, starts = line_breaks(chars, avail)
    worst = 0.0
    for prev, s in itertools.pairwise(starts):
        if 2 <= s < len(chars) and chars[s - 1][0] == "\u2013" and chars[s - 2][0].isdigit() \
                and (chars[s][0].isdigit() or chars[s][0] in _BOUND):
            end = s
            while end < len(chars) and chars[end][0] not in _BREAKS:
                end += 1
            worst = max(worst, sum(c[1] for c in chars[prev:end]) - avail)
    return worst


def _height(measure: _Measure, rows: list[list[Element]], grid: list[int],
            margins: float) -> float:
    """The table's height with columns ``grid`` (twips) wide: each row's tallest cell."""
    return sum(max(measure.cell(tc, g / 20 - margins) for tc, g in zip(cells, grid, strict=True))
               for cells in rows)


def _longest(chars: Chars) -> float:
    """The widest run of characters a line cannot break inside (points)."""
    widest = run = 0.0
    for ch, w, _note in chars:
        if ch in " \n\t":
            run = 0.0
            continue
        run += w
        widest = max(widest, run)
        if ch in _BREAKS:
            run = 0.0
    return widest


def _widened(grid: list[int], c: int, extra: int, least: list[float]) -> list[list[int]]:
    """Ways to make column ``c`` ``extra`` twips wider: each other column giving it all
    (where that leaves it its ``least``, points), or all of them in proportion to their
    room above their least."""
    room = [0 if k == c else max(0, g - round(20 * least[k])) for k, g in enumerate(grid)]
    if sum(room) < extra:
        return []
    out = []
    for k, r in enumerate(room):
        if r >= extra:
            out.append([g + extra if j == c else g - extra if j == k else g
                        for j, g in enumerate(grid)])
    total = sum(room)
    give = [r * extra // total for r in room]
    give[max(range(len(grid)), key=lambda k: room[k])] += extra - sum(give)
    out.append([g + extra if k == c else g - give[k] for k, g in enumerate(grid)])
    return out
