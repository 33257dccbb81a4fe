"""Measuring what was written: paragraphs broken into lines with the fonts' advance widths
(ligatures, tabs, breaks, note marks), table rows with their cells' content, as LibreOffice
(7.4) lays them out. The results are boxes the pager (:mod:`.paging`) places on pages."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping

import msgspec

from ....fonts import Family, FontMetrics
from ..docx_adapter import Element
from ..ooxml import W_NS, is_on, local, qn
from ..typefaces import lo_line, lo_percent, metrics_of, single_line
from .sheet import StyleSheet, apply_props

__all__ = ["MIN_COLUMN", "CellLine", "Chars", "Measure", "PBox", "Row", "TBox", "line_breaks"]

_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_LIGATURES = (("ffi", "\ufb03"), ("ffl", "\ufb04"), ("ff", "\ufb00"), ("fi", "\ufb01"),
              ("fl", "\ufb02"))
_W_R, _W_RPR, _W_B, _W_I, _W_T = (f"{{{W_NS}}}{t}" for t in ("r", "rPr", "b", "i", "t"))
_W_PPR, _W_PSTYLE, _W_VAL = (f"{{{W_NS}}}{t}" for t in ("pPr", "pStyle", "val"))
_W_NAME, _W_BOOKMARK = f"{{{W_NS}}}name", f"{{{W_NS}}}bookmarkStart"
_WP_EXTENT = f"{{{_WP}}}extent"
_W_DEL_T = f"{{{W_NS}}}delText"  # tracked deletions: LibreOffice shows them, struck through
#: kerning narrows text a little; advance widths alone overestimate it
_WIDTH_FUDGE = 0.997
#: a superscript note mark's size, relative to its text
_MARK_SCALE = 0.65
#: a tab's advance, in ems (the default tab stops)
_TAB_EMS = 2
#: the narrowest a paragraph's text column is taken to be (points)
MIN_COLUMN = 36.0
#: the text lost at the foot of a page where a row splits (its cells break between lines,
#: each its own way), in lines
SPLIT_LINES = 1.0
#: characters after which a line may break
_BREAK_AFTER = "-\u2010\u2013\u2014/"


class PBox(msgspec.Struct):
    """A paragraph, measured."""

    lines: list[float]
    notes: list[list[str]]  # note ids referenced on each line
    before: float
    after: float
    keep_next: bool
    keep_lines: bool
    break_before: bool
    widow: bool
    marks: list[str]
    #: what proportional line spacing adds below each line's text: the last line on a page
    #: fits when its text does (LibreOffice lets the surplus reach below the body)
    surplus: float = 0.0
    #: the paragraphs after it that share its page where they fit on one (the contents'
    #: entries after its title), and whether the pager started a page before it for them
    group: int = 0
    broke: bool = False
    #: space added above it (points; taken away when negative) so that the table row kept
    #: with it splits where it parts its cells well (see paging._Pager._nudge)
    pushed: float = 0.0
    #: an item of a short list kept together (LibreOffice moves the list as a whole where
    #: it does not fit: no page break is written before it; measured)
    listed: bool = False
    #: the page the pager starts it on
    page: int = 0


class CellLine(msgspec.Struct, frozen=True):
    """A line of a cell (or a nested table, as one line: it is not split here): how far
    down the cell its foot is, the paragraph it belongs to (its index in the cell) and
    whether that paragraph is kept with the next (keep-with-next, or a label over a
    list)."""

    foot: float
    para: int
    kept: bool


class Row(msgspec.Struct):
    height: float
    cant_split: bool
    header: bool
    marks: list[str]
    notes: list[str]
    min_first: float = 0.0  # a splittable row's least first part (keep-with-next, orphans)
    max_first: float = 0.0  # and its largest (widows)
    split_cost: float = 0.0  # what splitting adds: the continuation's cell margins, a line
    line: float = 0.0  # its tallest first line (the unit of a split part's least height)
    pad: float = 0.0  # its cells' top and bottom margins
    #: let split (taller than a page may safely hold unsplittable: see fill_page_numbers)
    tall: bool = False
    #: whether the pager decides where it may split (a body row of a top-level table)
    managed: bool = False
    #: kept off the page where it does not fit whole (keep-with-next on its first paragraph:
    #: LibreOffice then moves it to the next page, where it splits; a tall row only)
    keep: bool = False
    #: each cell's lines, their feet measured from the row's top (where a split leaves what)
    cells: list[list[CellLine]] = msgspec.field(default_factory=list)
    #: space added below each of its cells' last paragraphs (points), so that the row after
    #: it splits where it parts its cells well (see paging._Pager._push)
    pushed: float = 0.0
    #: kept on the page of the next row (keep-with-next on all its paragraphs): a short
    #: first or last row would stand alone under the header otherwise
    bind: bool = False
    #: where the pager split it: the room it had on the page where it starts (points from
    #: its top; 0 where it did not split), whether that page held notes already, whether
    #: it was the first body row of its table there, and whether nothing but what keeps
    #: with it (a heading, the header rows) was above it there (see rows.continue_rows)
    split_at: float = 0.0
    split_notes: bool = False
    split_alone: bool = False
    split_top: bool = False
    #: where the pager moved it whole to the next page leaving a quarter of the page or
    #: more empty (a row at least ``whole`` tall that does not part well there): the room
    #: it had, and the three flags as for ``split_at`` (None: not so moved)
    moved: tuple[float, bool, bool, bool] | None = None


class TBox(msgspec.Struct):
    rows: list[Row]


Chars = list[tuple[str, float, "str | None"]]


class _Advances(dict[str, tuple[str, float, None]]):
    """A face's characters at a size as :data:`Chars` items, each worked out once."""

    def __init__(self, width: Callable[[str], float], scale: float) -> None:
        super().__init__()
        self.width, self.scale = width, scale

    def __missing__(self, ch: str) -> tuple[str, float, None]:
        item = self[ch] = (ch, self.width(ch) * self.scale, None)
        return item


#: each face's characters at each size (scaled by _WIDTH_FUDGE), per process: a paragraph's
#: characters are then looked up, not measured and scaled one by one
_ADVANCES: dict[tuple[FontMetrics, float], _Advances] = {}


def _advances(face: FontMetrics, scale: float) -> _Advances:
    table = _ADVANCES.get((face, scale))
    if table is None:
        table = _ADVANCES[(face, scale)] = _Advances(face.width, scale)
    return table


def _bold_italic(rpr: Element) -> tuple[bool | None, bool | None]:
    """A run's own bold and italic (None: its paragraph's), as ``is_on`` reads the first
    ``w:b`` and ``w:i``."""
    b = next(rpr.iterchildren(_W_B), None)
    i = next(rpr.iterchildren(_W_I), None)
    return is_on(b), is_on(i)


class Measure:
    """Paragraphs and tables measured in the styles of ``sheet`` and the fonts of
    ``families``; a table is measured once (splitting rows and paging both need it)."""

    def __init__(self, sheet: StyleSheet, text_width: float,
                 families: Mapping[str, Family] | None = None) -> None:
        self.sheet = sheet
        self.families = families
        self.text_width = text_width
        self._tables: dict[Element, TBox] = {}
        #: each table's rows as measured, before the pager decided anything on them: a
        #: table placed again whose rows were not rewritten starts from copies of these
        self._pristine: dict[Element, list[Row]] = {}
        #: each paragraph's properties and characters, read once (nothing changes a
        #: paragraph while it is measured: the estimate's decisions are written after)
        self._read: dict[Element, tuple[dict, Chars]] = {}
        #: each paragraph's line breaks at a width (the body is placed again after a row is
        #: written as two, and its paragraphs are the same)
        self._wraps: dict[tuple[Element, float], list[list[str]]] = {}
        #: each cell's measures at a width (a table measured anew after a row of it, or of
        #: another table, was written as two keeps its other cells)
        self._cell_measures: dict[tuple[Element, float], _CellMeasure] = {}
        #: each face's metrics by family, bold and italic (looked up per run)
        self._faces: dict[tuple[str, bool, bool], FontMetrics] = {}
        #: the single line height (twips) and the line height (points) by font, size, line
        #: spacing and exact height
        self._line_heights: dict[tuple[str, float, float, float], tuple[int, float]] = {}
        #: each paragraph's bookmarks and its tallest inline picture's height (or None)
        self._inside: dict[Element, tuple[list[str], float | None]] = {}

    def _chars(self, p: Element, props: dict) -> Chars:
        """(character, width in points, note id) in reading order; "\\n" forces a break."""
        out: Chars = []
        size, font = props["size"], props["font"]
        scale = size * _WIDTH_FUDGE
        for r in p.iter(_W_R):
            rpr = next(r.iterchildren(_W_RPR), None)
            bold, italic = props["bold"], props["italic"]
            if rpr is not None:
                b, i = _bold_italic(rpr)
                bold = bold if b is None else b
                italic = italic if i is None else i
            face = self._faces.get((font, bold, italic))
            if face is None:
                face = self._faces[(font, bold, italic)] = metrics_of(font, bold, italic,
                                                                     self.families)
            for c in r:
                tag = c.tag
                if tag in (_W_T, _W_DEL_T):
                    text = c.text or ""
                    for lig, glyph in _LIGATURES:
                        if lig in text:  # ligatures are one narrower glyph
                            text = text.replace(lig, glyph)
                    out.extend(map(_advances(face, scale).__getitem__, text))
                    continue
                if not isinstance(tag, str):  # a comment or processing instruction
                    continue
                _other_char(c, local(c), size, face.width, out)
        return out

    def text(self, p: Element, width: float) -> tuple[dict, Chars, float]:
        """A paragraph's resolved properties, its characters (a hanging number and its tab
        left out: they stand left of the text column) and the width its lines fill, in a
        column ``width`` wide."""
        hit = self._read.get(p)
        if hit is None:
            ppr = next(p.iterchildren(_W_PPR), None)
            sid = None
            if ppr is not None:
                style = next(ppr.iterchildren(_W_PSTYLE), None)
                if style is not None:
                    sid = style.get(_W_VAL)
            props = dict(self.sheet.para(sid))
            if ppr is not None:
                apply_props(props, ppr, None)
            chars = self._chars(p, props)
            if props["first"] < 0:  # a hanging number and its tab stand left of the column
                tab = next((i for i, c in enumerate(chars) if c[0] == "\t"), None)
                if tab is not None and sum(c[1] for c in chars[:tab]) <= -props["first"]:
                    chars = chars[tab + 1:]
            hit = self._read[p] = (props, chars)
        props, chars = hit
        return props, chars, max(width - props["left"] - props["right"], MIN_COLUMN)

    def para(self, p: Element, width: float) -> PBox:
        props, chars, avail = self.text(p, width)
        font_line = (props["font"], props["size"], props["line"], props["exact"])
        found = self._line_heights.get(font_line)
        if found is None:
            # LibreOffice works in whole twips and whole percentages: the font's line height
            # rounded, then scaled by the proportional spacing and truncated (see lo_line)
            single = single_line(props["font"], self.families, props["size"])
            found = self._line_heights[font_line] = (
                single, props["exact"] or lo_line(single, lo_percent(props["line"])) / 20)
        single, line_h = found
        key = (p, avail)
        note_lines = self._wraps.get(key)
        if note_lines is None:
            note_lines = self._wraps[key] = wrap(chars, avail)
        inside = self._inside.get(p)
        if inside is None:
            # its bookmarks, and the height of its tallest inline picture (which sets its
            # line's height, as LibreOffice lays it)
            inside = self._inside[p] = (
                [b.get(_W_NAME) for b in p.iter(_W_BOOKMARK)],
                max((int(ext.get("cy")) / 12700 for ext in p.iter(_WP_EXTENT)), default=None))
        marks, picture = list(inside[0]), inside[1]
        lines = [line_h] * len(note_lines)
        if picture is not None:
            lines[0] = max(lines[0], picture)
        lines[0] += props["border_top"]  # (borders do not collapse with spacing)
        lines[-1] += props["border_bottom"]
        surplus = 0.0 if props["exact"] or props["border_bottom"] else \
            max(0.0, line_h - single / 20)
        return PBox(lines, note_lines, props["before"], props["after"],
                    props["keep_next"], props["keep_lines"], props["break_before"],
                    props["widow"], marks, surplus)

    def _cell_height(self, tc: Element, width: float, cell_lines: list[CellLine]
                     ) -> tuple[float, list[str], list[str], float, float]:
        """A cell's height, bookmarks and notes, its least first part on a page and its
        height without its last two lines (or last row); its lines added to
        ``cell_lines``."""
        h, marks, notes = 0.0, [], []
        first: float | None = None
        tail = 0.0
        opens_kept = False  # the cell opens with a keep-with-next paragraph (a box's title)
        for k, child in enumerate(tc):
            tag = local(child)
            if tag == "p":
                box = self.para(child, width)
                opens_kept = opens_kept or (k == 1 and box.keep_next)  # (tc[0] is tcPr)
                tail = box.after + (sum(box.lines[-2:]) if len(box.lines) >= 4 else
                                    box.before + sum(box.lines))
                if first is None and not box.keep_next:
                    # widow and orphan control: a paragraph splits only with 2 + 2 lines
                    need = 2 if (len(box.lines) >= 4 or not box.widow) else len(box.lines)
                    first = h + box.before + sum(box.lines[:need])
                foot = h + box.before
                label = box.keep_next or _leads_list(child, tc[k + 1] if k + 1 < len(tc)
                                                     else None)
                for line in box.lines:
                    foot += line
                    cell_lines.append(CellLine(foot, k, label))
                h += box.before + sum(box.lines) + box.after
                marks += box.marks
                notes += [n for line in box.notes for n in line]
            elif tag == "tbl":
                t = self.table(child)
                h += sum(r.height for r in t.rows)
                cell_lines.append(CellLine(h, k, False))
                tail = t.rows[-1].height if t.rows else 0.0
                for r in t.rows:
                    marks += r.marks
                    notes += r.notes
        # LibreOffice does not split a row whose cell opens with a keep-with-next paragraph
        # where the row starts: it moves the row to the next page (measured)
        least = h if first is None or opens_kept else first
        return h, marks, notes, least, h - tail

    def paragraphs_read(self) -> tuple[dict, dict, dict]:
        """What was read of paragraphs: their properties and characters, their line breaks
        at a width, their bookmarks and pictures (for :meth:`adopt`)."""
        return self._read, self._wraps, self._inside

    def adopt(self, other: Measure) -> None:
        """Take what ``other`` read of paragraphs, where it measured them in the same styles
        and fonts and no paragraph was changed since (column widths may have been)."""
        read, wraps, inside = other.paragraphs_read()
        self._read.update(read)
        self._wraps.update(wraps)
        self._inside.update(inside)

    def forget(self, *paras: Element) -> None:
        """Read paragraphs ``paras`` anew (their properties were changed)."""
        for p in paras:
            self._read.pop(p, None)
            self._inside.pop(p, None)
        if paras:
            self._wraps = {k: v for k, v in self._wraps.items() if k[0] not in paras}
            self._cell_measures.clear()
            self._pristine.clear()

    def forget_tables(self, tbl: Element | None = None) -> None:
        """Measure table ``tbl`` anew (its rows were rewritten), or let every table be placed
        again (the pager leaves its decisions on the rows: the next :meth:`table` starts
        from copies of the rows as measured)."""
        if tbl is None:
            self._tables.clear()
        else:
            self._tables.pop(tbl, None)
            self._pristine.pop(tbl, None)

    def put_table(self, tbl: Element, box: TBox) -> None:
        """Take ``box`` as the measures of ``tbl`` again (kept before a trial rewrite of
        its rows, undone: the pager's decisions are on them)."""
        self._tables[tbl] = box
        self._pristine.pop(tbl, None)

    def table(self, tbl: Element) -> TBox:
        """A table, measured once (the measures are kept: splitting rows and paging both need
        them)."""
        box = self._tables.get(tbl)
        if box is None:
            rows = self._pristine.get(tbl)
            if rows is None:
                box = self._measure_table(tbl)
                self._pristine[tbl] = [copy.copy(r) for r in box.rows]
            else:
                box = TBox([copy.copy(r) for r in rows])
            self._tables[tbl] = box
        return box

    def _measure_table(self, tbl: Element) -> TBox:
        style = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
        sid = style.get(qn("w:val")) if style is not None else ""
        top, bottom, left, right = self.sheet.cell_margins(sid)
        # a row takes half the rule above it and half the rule below (LibreOffice's
        # collapsed borders: measured 27.35 pt between 0.5 pt rules, 27.6 pt for the
        # first and last rows of a table ruled 1 pt above and below)
        rule_top, rule_between, rule_bottom = self.sheet.row_rules(sid)
        trs = tbl.findall(qn("w:tr"))
        rows: list[Row] = []
        for k, tr in enumerate(trs):
            rules = ((rule_top if k == 0 else rule_between)
                     + (rule_bottom if k == len(trs) - 1 else rule_between)) / 2
            trpr = tr.find(qn("w:trPr"))
            cant = trpr is not None and trpr.find(qn("w:cantSplit")) is not None
            header = trpr is not None and trpr.find(qn("w:tblHeader")) is not None
            height, marks, notes, first, last = 0.0, [], [], 0.0, 0.0
            line = 0.0  # the row's tallest line
            cells: list[list[CellLine]] = []
            for tc in tr.findall(qn("w:tc")):
                w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
                cw = int(w.get(qn("w:w"))) / 20 if w is not None else self.text_width
                cells.append([])
                key = (tc, cw - left - right)
                hit = self._cell_measures.get(key)
                if hit is None:
                    measures = self._cell_height(tc, key[1], cells[-1])
                    last_line = max([0.0, *(self.para(p, key[1]).lines[-1]
                                            for p in tc.findall(qn("w:p"))[:1])])
                    hit = self._cell_measures[key] = (measures, list(cells[-1]), last_line)
                else:
                    cells[-1].extend(hit[1])
                ch, m, n, f, most = hit[0]
                m, n = list(m), list(n)
                line = max(line, hit[2])
                height = max(height, ch)
                first = max(first, f)
                last = max(last, most)
                marks += m
                notes += n
            rows.append(Row(height + top + bottom + rules, cant, header, marks, notes,
                            first + top, last + top, top + bottom + line * SPLIT_LINES,
                            line, top + bottom,
                            cells=[[CellLine(c.foot + top, c.para, c.kept) for c in cell]
                                   for cell in cells]))
        return TBox(rows)


#: a cell's measures (:meth:`Measure._cell_height`), its lines, and its first paragraph's last
#: line's height
_CellMeasure = tuple[tuple[float, list[str], list[str], float, float], list[CellLine], float]


def _is_item(p: Element | None) -> bool:
    return p is not None and local(p) == "p" and \
        p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None


def _leads_list(p: Element, nxt: Element | None) -> bool:
    """Whether paragraph ``p`` introduces the list that follows it (a label: "Indicators to
    watch:" over its bullets)."""
    return not _is_item(p) and _is_item(nxt)


def _other_char(c: Element, tag: str, size: float, width: Callable[[str], float],
                out: Chars) -> None:
    """A tab, a line break or a note reference as characters."""
    if tag == "tab":
        out.append(("\t", size * _TAB_EMS, None))
    elif tag == "br":
        out.append(("\n", 0.0, None))
    elif tag in ("footnoteReference", "endnoteReference"):
        nid = c.get(qn("w:id"))
        for ch in nid:
            out.append((ch, width(ch) * size * _MARK_SCALE, None))
        if tag == "footnoteReference":
            out[-1] = (out[-1][0], out[-1][1], nid)


def wrap(chars: Chars, width: float) -> list[list[str]]:
    """Greedy line breaking at spaces and after hyphens; returns note ids per line."""
    return line_breaks(chars, width)[0]


def line_breaks(chars: Chars, width: float) -> tuple[list[list[str]], list[int]]:
    """Greedy line breaking at spaces and after hyphens and dashes (as LibreOffice breaks):
    note ids per line, and the index in ``chars`` each line starts at."""
    cur: list[str] = []
    lines = [cur]
    starts = [0]
    x = 0.0
    brk = -1  # index in the current line after which we may break
    line_start = 0
    widths_since_break = 0.0
    for i, (ch, w, note) in enumerate(chars):
        if ch == "\n":
            cur = []
            lines.append(cur)
            starts.append(i + 1)
            x, brk, widths_since_break, line_start = 0.0, -1, 0.0, i + 1
            continue
        if ch == " ":
            x += w
            brk = i
            widths_since_break = 0.0
            if note:
                cur.append(note)
            continue
        if x + w > width and x > 0:
            if brk >= line_start:
                # carry the word since the last break to a new line
                carried = [c[2] for c in chars[brk + 1:i] if c[2]]
                for c in carried:
                    if c in cur:
                        cur.remove(c)
                cur = carried
                x = widths_since_break
                line_start = brk + 1
            else:
                cur = []
                x = 0.0
                line_start = i
            lines.append(cur)
            starts.append(line_start)
            brk = line_start - 1
            widths_since_break = x
        x += w
        widths_since_break += w
        if note:
            cur.append(note)
        if ch in _BREAK_AFTER:
            brk = i
            widths_since_break = 0.0
    return lines, starts
