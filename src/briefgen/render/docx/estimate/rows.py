"""A row the pager splits at a page's foot, written as two rows: LibreOffice continues a
split row under an empty first cell, or with no word of whose row it is (the reader sees
four lines of a role beside no name, or the rest of a risk's indicators, under the
repeated header), and the DOCX is edited, so the label cannot be drawn again as the PDF
draws it (render/pdf/flowables.FlowTable._label_continued). The first row holds, of each
cell, the paragraphs that fit on the page (the whole label where it ends there); the
second opens its first cell with the label's words and "(continued)", over the rest, and
moves to the next page. Both are unsplittable (the second, taller than a page, is parted
so again where it meets the next page's foot). Cells are parted between whole paragraphs,
never leaving one line of a cell alone on either side. A row the pager moves whole where
that leaves a quarter of the page or more empty is parted so too where it fits; one that
parts badly moves on whole rather than go on unlabelled."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from ..docx_adapter import Element
from ..ooxml import TCPR_ORDER, XML_SPACE, el, local, put, qn, remove_all
from .measure import Measure, Row
from .paging import CELL_LINES, LEAST_SPLIT_LINES
from .sheet import StyleSheet

__all__ = ["continue_rows", "hold_row"]

#: a run's properties the label's words keep (their script and font; not their weight)
_SCRIPT = ("rFonts", "rtl", "cs", "lang")
#: a paragraph's properties its copy over the continued row leaves out
_NOT_AGAIN = ("w:numPr", "w:keepNext", "w:pageBreakBefore")


def continue_rows(measure: Measure, body: Sequence[Element], *, label: str,
                  page_room: float, lone: float, whole: float,
                  note_heights: dict[str, float],
                  note_gap: float, done: set[Element], off: set[Element]) -> list[Element]:
    """Each body row of a table with a repeated header that the pager split (see
    :attr:`~.measure.Row.split_at`) or moved whole leaving much of its page empty
    (:attr:`~.measure.Row.moved`), written as two rows where whole paragraphs part it well
    (:func:`_pair`); a split row that does not part so, where it leaves less than half
    of its page (twice ``lone``), moves on: held whole where it fits a page, else added to
    ``off`` (it is kept off the page: see :attr:`~.measure.Row.keep`). ``page_room``: the
    most a row may take on a page; ``lone``: the least a row alone on a page under its
    header takes; ``whole``: the most a first row below other text on its page may take;
    rows in ``done`` were written so before. One row is written anew at a time (what
    follows it moves: the body is placed again). Returns the rows written (the pager must
    not split them: they are decided)."""
    made: list[Element] = []
    for tbl in body:
        if local(tbl) != "tbl":
            continue
        trs = tbl.findall(qn("w:tr"))
        box = measure.table(tbl)
        if len(trs) != len(box.rows) or not any(r.header for r in box.rows):
            continue
        header_h = sum(r.height for r in box.rows if r.header)
        room = page_room - header_h
        order = {tr: k for k, tr in enumerate(trs)}
        last = trs[-1]
        todo = [(tr, row) for tr, row in zip(trs, box.rows)
                if (row.split_at or row.moved) and not row.header and tr not in done]
        for tr, row in todo:
            feet = [row.moved] if row.moved else []
            if row.split_at:
                feet.append((row.split_at, row.split_notes, row.split_alone, row.split_top))
            pair = None
            for foot in feet:
                pair = _pair(measure, tbl, tr, row, foot, label=label, room=room,
                             lone=lone, whole=whole, last=tr is last,
                             notes=(note_heights, note_gap))
                if pair is not None:
                    break
            if pair is not None:
                made.extend(r for r in pair
                            if r.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None)
                order[pair[0]] = order[pair[1]] = order[tr]
                _keep_stripes(measure.sheet, tbl, order)
                return made
            if row.split_at and not row.keep and row.split_at < 2 * lone \
                    and (row.tall or row.height > room):
                off.add(tr)  # (it goes on unlabelled else): kept off the page
                return made
            if row.split_at and row.split_at < 2 * lone:
                hold_row(tr)  # (it goes on unlabelled else): it moves on whole
                measure.forget_tables(tbl)
                made.append(tr)
                return made
    return made


def hold_row(tr: Element) -> None:
    """The row written unsplittable."""
    trpr = tr.find(qn("w:trPr"))
    if trpr is None:
        trpr = el("w:trPr")
        tr.insert(1 if tr.find(qn("w:tblPrEx")) is not None else 0, trpr)
    if trpr.find(qn("w:cantSplit")) is None:
        trpr.insert(0, el("w:cantSplit"))


def _pair(measure: Measure, tbl: Element, tr: Element, row: Row,
          foot: tuple[float, bool, bool, bool], *, label: str,
          room: float, lone: float, whole: float, last: bool,
          notes: tuple[dict[str, float], float]) -> tuple[Element, Element] | None:
    """Row ``tr`` (measured: ``row``) replaced by its two rows in ``tbl``, or None (left as
    it is) where that does not part it well; ``foot``: the room the row has on the page
    where it meets the page's foot, whether that page holds notes, whether the row is the
    first body row of its table there, and whether nothing but what keeps with it is above
    it there (see :attr:`~.measure.Row.split_at`). The first row must fit that room with a
    line to spare (the estimate is not exact), not stand alone on its page under the header
    when short (under ``lone``) and, below other text there, be shorter than ``whole``; the
    second must fit a page under the header (``room``) and not stand alone when short and
    last. A cell is parted between paragraphs (a list between items), never after one kept
    with the next. Where the first cell (the label) ends in the first row, the first row
    holds at least :data:`~.paging.LEAST_SPLIT_LINES` lines of the tallest other cell and
    the second row's first cell says the label's words and "(continued)"; where the first
    cell goes on too, every cell is parted (:func:`_carry_cuts`) and the second row's first
    cell opens with that line over the first cell's rest."""
    at, split_notes, split_alone, split_top = foot
    cells = tr.findall(qn("w:tc"))
    if len(cells) < 2 or len(row.cells) != len(cells) or any(
            tc.find(f"{qn('w:tcPr')}/{qn(t)}") is not None
            for tc in cells for t in ("w:gridSpan", "w:vMerge", "w:hMerge")):
        return None
    blocks = [[c for c in tc if local(c) in ("p", "tbl")] for tc in cells]
    lead = blocks[0][0] if blocks[0] else None
    if lead is None or local(lead) != "p" or not _words(lead):
        return None
    # each block's foot (points from the row's top) and whether it is kept with the next
    feet = [[_foot(row, c, tc.index(b)) for b in bs] for c, (tc, bs) in
            enumerate(zip(cells, blocks))]
    kept = [[any(x.kept for x in row.cells[c] if x.para == tc.index(b)) for b in bs]
            for c, (tc, bs) in enumerate(zip(cells, blocks))]
    limit = at - row.line - row.pad / 2
    labelled = feet[0][-1] <= limit  # the label ends on the first page, a line to spare
    tallest = max(range(1, len(cells)), key=lambda c: len(row.cells[c]))
    cuts: list[int] | None
    if labelled:
        cuts = [len(blocks[0])]
        cuts += [_cut(feet[c], kept[c], limit, len(blocks[c])) for c in range(1, len(cells))]
    else:
        cuts = _carry_cuts(row, cells, blocks, feet, kept, limit)
    note_heights, note_gap = notes
    placed = measure.table(tbl)  # (the pager's decisions: kept where the rows stay)
    for _ in range(sum(len(b) for b in blocks)):
        if cuts is None or all(cuts[c] == len(blocks[c]) for c in range(len(cells))):
            return None  # nothing goes on
        here = sum(1 for x in row.cells[tallest]
                   if x.para < _start(cells[tallest], blocks[tallest], cuts[tallest]))
        if labelled and here < LEAST_SPLIT_LINES:
            return None
        first, rest = _rows(tr, cells, blocks, cuts, label)
        tr.addprevious(first)
        tr.addprevious(rest)
        tbl.remove(tr)
        measure.forget_tables(tbl)
        box = measure.table(tbl)
        k = tbl.findall(qn("w:tr")).index(first)
        a, b = box.rows[k], box.rows[k + 1]
        need = a.height
        if a.notes:
            need += sum(note_heights.get(n, 0.0) for n in a.notes) + (
                0.0 if split_notes else note_gap)
        fits = need <= at - row.line
        # (below other text on its page the first row is held under ``whole``: where the
        # estimate puts that text's end too high, LibreOffice finds the row too tall and
        # moves it, leaving the page's foot empty, as it may for a short row held whole)
        low = split_top or a.height < whole or (not labelled and not split_alone)
        # (a second row taller than a page goes on splittable: it is parted so again where
        # the pager splits it)
        # (a first row alone under the header, short, is not written: the first cell
        # going on, its text is taken without the row's margins and half a line)
        short = a.height - (0.0 if labelled else a.pad + a.line / 2) < lone
        if fits and (b.height <= room or not labelled) \
                and not (split_alone and short) \
                and not (last and b.height < lone) and low:
            if b.height > room:
                remove_all(rest.find(qn("w:trPr")), "w:cantSplit")
                measure.forget_tables(tbl)
            return first, rest
        first.addprevious(tr)
        tbl.remove(first)
        tbl.remove(rest)
        measure.put_table(tbl, placed)
        if labelled:
            if fits or b.height > room:
                return None  # (less in the first row does not help)
            # the first row is too tall: the tallest part of the other cells ends higher
            have = cuts
            c = max((c for c in range(1, len(cells)) if have[c] > 0),
                    key=lambda c: feet[c][have[c] - 1], default=None)
            if c is None or feet[c][cuts[c] - 1] <= feet[0][-1]:
                return None
            cuts[c] = _cut(feet[c], kept[c], feet[c][cuts[c] - 1] - 0.01, cuts[c] - 1)
            continue
        if fits and low:
            return None  # (less in the first row does not help)
        # the first row is too tall: every cell's part ends above the foot of its tallest
        limit = max(feet[c][cuts[c] - 1] for c in range(len(cells)) if cuts[c] > 0) - 0.01
        cuts = _carry_cuts(row, cells, blocks, feet, kept, limit)
    return None


def _carry_cuts(row: Row, cells: list[Element], blocks: list[list[Element]],
                feet: list[list[float]], kept: list[list[bool]],
                limit: float) -> list[int] | None:
    """How many of each cell's blocks go in the first row of a row whose first cell goes
    on: those ending above ``limit``, the last not kept with the next, and where a cell is
    parted, at least :data:`~.paging.CELL_LINES` lines on either side of the cut (fewer
    before it: the cell goes on whole; fewer after: less stays); None where that leaves
    the first cell nothing, or the first row fewer than
    :data:`~.paging.LEAST_SPLIT_LINES` lines in every cell (a line or two carried over
    alone)."""
    cuts = []
    most = 0
    for c, (tc, bs) in enumerate(zip(cells, blocks)):
        n = _cut(feet[c], kept[c], limit, len(bs))
        total = len(row.cells[c])

        def lines(k: int, c: int = c, tc: Element = tc, bs: list[Element] = bs) -> int:
            start = _start(tc, bs, k)
            return sum(1 for x in row.cells[c] if x.para < start)

        while 0 < n < len(bs):
            if lines(n) < CELL_LINES:
                n = 0
            elif total - lines(n) < CELL_LINES:
                n = _cut(feet[c], kept[c], feet[c][n - 1] - 0.01, n - 1)
            else:
                break
        cuts.append(n)
        most = max(most, lines(n))
    if not 0 < cuts[0] < len(blocks[0]) or most < LEAST_SPLIT_LINES:
        return None
    return cuts


def _foot(row: Row, c: int, k: int) -> float:
    """The foot of the last line of child ``k`` of cell ``c`` (points from the row's top)."""
    return max((x.foot for x in row.cells[c] if x.para == k), default=0.0)


def _cut(feet: list[float], kept: list[bool], limit: float, most: int) -> int:
    """How many of a cell's blocks (at most ``most``) go in the first row: the most whose
    last ends above ``limit``, the last of them not kept with the next."""
    n = min(most, len(feet))
    while n > 0 and (feet[n - 1] > limit or (n < len(feet) and kept[n - 1])):
        n -= 1
    return n


def _start(tc: Element, blocks: list[Element], cut: int) -> int:
    """The index in ``tc`` of the first block the second row takes (past its end: none)."""
    return tc.index(blocks[cut]) if cut < len(blocks) else len(tc)


def _rows(tr: Element, cells: list[Element], blocks: list[list[Element]], cuts: list[int],
          label: str) -> tuple[Element, Element]:
    """The two rows: copies of the row's properties and cells', the first with each cell's
    blocks up to its cut, the second with the rest (the first cell's opened by its label's
    words and ``label``); a cell left empty holds an empty paragraph in the style of its
    first."""
    first, rest = el("w:tr"), el("w:tr")
    for e in tr:
        if local(e) in ("tblPrEx", "trPr"):
            first.append(copy.deepcopy(e))
            rest.append(copy.deepcopy(e))
    for r in (first, rest):
        hold_row(r)
    for c, (tc, bs) in enumerate(zip(cells, blocks)):
        tcpr = tc.find(qn("w:tcPr"))
        said = _continued(bs[0], label) if c == 0 else None
        parts = (bs[:cuts[c]], bs[cuts[c]:] if said is None else [said, *bs[cuts[c]:]])
        for r, part in zip((first, rest), parts):
            cell = el("w:tc")
            if tcpr is not None:
                cell.append(copy.deepcopy(tcpr))
            for b in part:
                cell.append(b if b is said else copy.deepcopy(b))
            if not part or local(part[-1]) != "p":
                cell.append(_empty(next(iter(tc.findall(qn("w:p"))), None)))
            r.append(cell)
    return first, rest


def _empty(like: Element | None) -> Element:
    """An empty paragraph in the style of ``like``."""
    p = el("w:p")
    style = like.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") if like is not None else None
    if style is not None:
        p.append(el("w:pPr", None, copy.deepcopy(style)))
    return p


def _text_runs(p: Element) -> list[Element]:
    """The runs of a paragraph that hold its words (not its note marks, nor deleted text)."""
    out = []
    for r in p.iter(qn("w:r")):
        up = r.getparent()
        if up is not None and local(up) == "hyperlink" and \
                (up.get(qn("w:anchor")) or "").startswith("_Note"):
            continue
        if r.find(qn("w:t")) is not None:
            out.append(r)
    return out


def _words(p: Element) -> str:
    return " ".join("".join(t.text or "" for r in _text_runs(p)
                            for t in r.findall(qn("w:t"))).split())


def _continued(lead: Element, label: str) -> Element:
    """The first cell's paragraph in the continued row: the plain words of the label's first
    paragraph (``lead``: its style, its script and fonts, not its weight) and ``label`` in
    italics ("(continued)"), as the PDF draws them."""
    p = el("w:p")
    ppr = lead.find(qn("w:pPr"))
    if ppr is not None:
        ppr = copy.deepcopy(ppr)
        remove_all(ppr, *_NOT_AGAIN)
        p.append(ppr)
    if _words(lead).endswith(label):  # (it says so already: a continued row's part)
        p.extend(copy.deepcopy(e) for e in lead if local(e) != "pPr")
        return p
    runs = _text_runs(lead)
    texts = ["".join(t.text or "" for t in r.findall(qn("w:t"))) for r in runs]
    texts[0] = texts[0].lstrip()
    texts[-1] = texts[-1].rstrip() + " "
    for r, text in zip(runs, texts):
        if not text:
            continue
        out = el("w:r")
        rpr = r.find(qn("w:rPr"))
        keep = [copy.deepcopy(e) for e in rpr if local(e) in _SCRIPT] \
            if rpr is not None else []
        if keep:
            out.append(el("w:rPr", None, *keep))
        t = el("w:t", text=text)
        t.set(XML_SPACE, "preserve")
        out.append(t)
        p.append(out)
    p.append(el("w:r", None, el("w:rPr", None, el("w:i"), el("w:iCs")),
                el("w:t", text=label)))
    return p


def _keep_stripes(sheet: StyleSheet, tbl: Element, order: dict[Element, int]) -> None:
    """A striped table's rows after a row written as two keep their band (LibreOffice and
    Word band rows by their place: every row after the pair would change shade): each body
    row whose band changed, and the pair's second row, is given its former band's shading
    as its cells' own (``order``: each row's place before; a pair's two share the row's)."""
    look = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblLook')}")
    style = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
    if look is None or style is None or look.get(qn("w:noHBand")) == "1":
        return
    bands = sheet.band_shading(style.get(qn("w:val")))
    if bands == (None, None):
        return
    trs = tbl.findall(qn("w:tr"))
    heads = sum(1 for tr in trs if tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None)
    first_body = min((order[tr] for tr in trs[heads:]), default=0)
    for k, tr in enumerate(trs[heads:]):
        was = (order[tr] - first_body) % 2
        if was == k % 2:
            continue
        fill = bands[was]
        for tc in tr.findall(qn("w:tc")):
            tcpr = tc.find(qn("w:tcPr"))
            if tcpr is None:
                tcpr = el("w:tcPr")
                tc.insert(0, tcpr)
            if tcpr.find(qn("w:shd")) is None:
                put(tcpr, copy.deepcopy(fill) if fill is not None else
                    el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": "auto"}),
                    TCPR_ORDER)
