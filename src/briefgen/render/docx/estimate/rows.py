"""A row the pager splits at a page's foot whose first cell (its label: an actor's name) ends
on the first page, written as two rows: LibreOffice continues a split row under an empty
first cell (the reader sees four lines of a role beside no name under the repeated header),
and the DOCX is edited, so the label cannot be drawn again as the PDF draws it
(render/pdf/flowables.FlowTable._label_continued). The first row holds the label and, of
each other cell, the paragraphs that fit on the page; the second the label's words and
"(continued)" over the rest, and moves to the next page. Both are unsplittable. A row the
pager must split at the top of a page (taller than the room) that would leave a line or two
on one side is parted so too, between paragraphs."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from ..docx_adapter import Element
from ..ooxml import TCPR_ORDER, XML_SPACE, el, local, put, qn, remove_all
from .measure import Measure, Row
from .paging import _SURE, LEAST_SPLIT_LINES
from .sheet import StyleSheet

__all__ = ["continue_rows"]

#: a run's properties the label's words keep (their script and font; not their weight)
_SCRIPT = ("rFonts", "rtl", "cs", "lang")
#: a paragraph's properties its copy over the continued row leaves out
_NOT_AGAIN = ("w:numPr", "w:keepNext", "w:pageBreakBefore")


def continue_rows(measure: Measure, body: Sequence[Element], *, label: str,
                  page_room: float, lone: float, whole: float,
                  note_heights: dict[str, float],
                  note_gap: float, done: set[Element]) -> list[Element]:
    """Each body row of a table with a repeated header that the pager split (see
    :attr:`~.measure.Row.split_at`), its first cell ending on the first page (or the split
    forced and too short on one side), written as two rows where that parts it well
    (:func:`_pair`); ``page_room``: the most a row may take on a page; ``lone``: the least a
    row alone on a page under its header takes; ``whole``: the most a first row below other
    text on its page may take; rows in ``done`` were written so before. Returns the rows
    written (the pager must not split them: they are decided)."""
    made: list[Element] = []
    for tbl in body:
        if local(tbl) != "tbl":
            continue
        trs = tbl.findall(qn("w:tr"))
        box = measure.table(tbl)
        if len(trs) != len(box.rows) or not any(r.header for r in box.rows):
            continue
        header_h = sum(r.height for r in box.rows if r.header)
        order = {tr: k for k, tr in enumerate(trs)}
        last = trs[-1]
        todo = [(tr, row) for tr, row in zip(trs, box.rows)
                if row.split_at and not row.header and tr not in done]
        changed = False
        for tr, row in todo:
            pair = _pair(measure, tbl, tr, row, label=label,
                         room=page_room - header_h, lone=lone, whole=whole,
                         last=tr is last,
                         notes=(note_heights, note_gap))
            if pair is not None:
                made.extend(pair)
                order[pair[0]] = order[pair[1]] = order[tr]
                changed = True
        if changed:
            _keep_stripes(measure.sheet, tbl, order)
    return made


def _pair(measure: Measure, tbl: Element, tr: Element, row: Row, *, label: str,
          room: float, lone: float, whole: float, last: bool,
          notes: tuple[dict[str, float], float]) -> tuple[Element, Element] | None:
    """Row ``tr`` (measured: ``row``) replaced by its two rows in ``tbl``, or None (left as
    it is) where that does not part it well: the first row must fit the room the row had
    with a line to spare (the estimate is not exact), hold at least
    :data:`~.paging.LEAST_SPLIT_LINES` lines of its tallest other cell, not stand alone
    on its page under the header when short (under ``lone``) and, below other text there,
    be shorter than ``whole``; the second must fit a page under the header (``room``) and
    not stand alone when short and last. A cell is parted between paragraphs (a list
    between items), never after one kept with the next. Where the label does not end on
    the first page, the row is parted so only where the pager's split was forced and
    leaves too few lines on a page (:func:`_forced`): every cell is parted, the first too,
    and the second row says nothing more (its first cell goes on)."""
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
    limit = row.split_at - row.line - row.pad / 2
    # the label ends on the first page with a line to spare; else the row is parted between
    # paragraphs only where the pager's split (forced: the row does not move on) leaves
    # too few lines on a page, the first cell's too (the second row goes on with it)
    labelled = feet[0][-1] <= limit
    if not labelled and not _forced(row):
        return None
    own = 1 if labelled else 0  # the first cell the cuts part
    tallest = max(range(own, len(cells)), key=lambda c: len(row.cells[c]))
    cuts = [len(blocks[0]) if labelled else _cut(feet[0], kept[0], limit, len(blocks[0]))]
    cuts += [_cut(feet[c], kept[c], limit, len(blocks[c])) for c in range(1, len(cells))]
    note_heights, note_gap = notes
    placed = measure.table(tbl)  # (the pager's decisions: kept where the rows stay)
    for _ in range(sum(len(b) for b in blocks)):
        if all(cuts[c] == len(blocks[c]) for c in range(len(cells))):
            return None  # nothing goes on
        here = sum(1 for x in row.cells[tallest]
                   if x.para < _start(cells[tallest], blocks[tallest], cuts[tallest]))
        if here < LEAST_SPLIT_LINES:
            return None
        first, rest = _rows(tr, cells, blocks, cuts, label if labelled else None)
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
                0.0 if row.split_notes else note_gap)
        fits = need <= row.split_at - row.line
        # (below other text on its page the first row is held under ``whole``: where the
        # estimate puts that text's end too high, LibreOffice finds the row too tall and
        # moves it, leaving the page's foot empty, as it may for a short row held whole)
        if fits and b.height <= room and not (row.split_alone and a.height < lone) \
                and not (last and b.height < lone) \
                and (row.split_top or a.height < whole):
            return first, rest
        first.addprevious(tr)
        tbl.remove(first)
        tbl.remove(rest)
        measure.put_table(tbl, placed)
        if fits or b.height > room:
            return None  # (less in the first row does not help)
        # the first row is too tall: the tallest part of the other cells ends higher
        c = max((c for c in range(own, len(cells)) if cuts[c] > 0),
                key=lambda c: feet[c][cuts[c] - 1], default=None)
        if c is None or (labelled and feet[c][cuts[c] - 1] <= feet[0][-1]):
            return None
        cuts[c] = _cut(feet[c], kept[c], feet[c][cuts[c] - 1] - 0.01, cuts[c] - 1)
    return None


def _forced(row: Row) -> bool:
    """Whether the pager's split of the row leaves fewer than
    :data:`~.paging.LEAST_SPLIT_LINES` lines on a page (a split it did not choose: the row
    could not move on)."""
    over = row.height - row.split_at
    least = (LEAST_SPLIT_LINES - _SURE) * row.line
    return over < least or row.split_at - row.pad / 2 < least


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
          label: str | None) -> tuple[Element, Element]:
    """The two rows: copies of the row's properties and cells', the first with each cell's
    blocks up to its cut, the second with the rest (the first cell: its label's words and
    ``label``); a cell left empty holds an empty paragraph in the style of its first."""
    first, rest = el("w:tr"), el("w:tr")
    for e in tr:
        if local(e) in ("tblPrEx", "trPr"):
            first.append(copy.deepcopy(e))
            rest.append(copy.deepcopy(e))
    for r in (first, rest):
        trpr = r.find(qn("w:trPr"))
        if trpr is None:
            trpr = el("w:trPr")
            r.insert(1 if r.find(qn("w:tblPrEx")) is not None else 0, trpr)
        if trpr.find(qn("w:cantSplit")) is None:
            trpr.insert(0, el("w:cantSplit"))
    for c, (tc, bs) in enumerate(zip(cells, blocks)):
        tcpr = tc.find(qn("w:tcPr"))
        parts = (bs[:cuts[c]], [_continued(bs[0], label)] if c == 0 and label is not None
                 else bs[cuts[c]:])
        for r, part in zip((first, rest), parts):
            cell = el("w:tc")
            if tcpr is not None:
                cell.append(copy.deepcopy(tcpr))
            for b in part:
                cell.append(b if c == 0 and r is rest and label is not None
                            else copy.deepcopy(b))
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
