"""The page estimate: the contents' cached page numbers (and NUMPAGES').

LibreOffice (7.4) shows a TOC field's pre-rendered result as it is: the PAGEREF fields inside
the TOC are not recomputed (outside a TOC they are). Word recomputes them when the fields are
updated. So the cached page numbers must already be right, and nothing short of laying the
document out knows them: this is a small line-breaking and page-filling model of what was
written (styles resolved from styles.xml, the fonts' advance widths, keep-with-next, widow
control, unsplittable rows and repeated header rows, footnote space), checked against
LibreOffice. It estimates; Word corrects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ....fonts import Family
from ..docx_adapter import Element, story_element
from ..ooxml import PPR_ORDER, el, local, ppr_of, put, qn, remove_all, spacing_of
from .measure import Measure, PBox, TBox
from .paging import paginate
from .rows import continue_rows, hold_row
from .sheet import StyleSheet

__all__ = ["fill_page_numbers"]

#: the share of the page a table row may take before it is let split (the estimate's
#: margin of error)
ROW_ROOM = 0.85
#: how many times a row split at a page's foot (or moved on) is written anew, one at a
#: time, and the body placed again (a pair moved on may bring another such row to a
#: page's foot)
_CONTINUE_PASSES = 8
#: LibreOffice's footnote area: 0.1 cm either side of a thin separator line (measured 6.1 pt)
NOTE_AREA_GAP = 6.0


def fill_page_numbers(body: list[Element], styles: Element, section: Any, *,
                      page_height: float, margins: tuple[float, float], text_w: int,
                      families: Mapping[str, Family], notes_part: Any | None,
                      footnote_style: str, toc: list[tuple[str, Element]],
                      numpages: list[Element], split_lines: int = 0,
                      contents: Element | None = None,
                      short_lists: list[list[Element]] | None = None,
                      lone_share: float = 0.0, whole_share: float = 0.0,
                      table_share: float = 0.0, continued: str = "",
                      first_page_breaks: Sequence[Element] = (),
                      drop_break: Callable[[Element], list[Element]] | None = None,
                      measured: Measure | None = None) -> None:
    """Fill the contents' cached page numbers (``toc``: bookmark and the text element of its
    cached number) and NUMPAGES' (``numpages``) from a page estimate of ``body``. Rows too
    tall for a page are let split on the way (see :func:`_split_tall_rows`); with
    ``split_lines``, where a table's body row meets the foot of a page the estimate decides
    whether it splits there or moves on whole, and writes that into the row
    (:func:`_write_splits`). The contents (``contents``: its title paragraph) is not split
    across pages where it fits on one: where it would be, its title starts a page (as the
    PDF keeps it whole; LibreOffice does not keep a title with a contents field's entries).

    As the PDF: a list of ``short_lists`` shorter than ``lone_share`` of the page is kept
    together (:func:`_keep_short_lists`); a body row shorter than that is kept from standing
    alone on a page under its header (:func:`_bind_rows`), and one shorter than
    ``whole_share`` of the page is never split (the pager: ``whole``); a table shorter than
    ``table_share`` of the page is not split at all (each body row bound to the next).

    With ``continued`` (the words that say a row goes on from the page before: "(continued)"),
    a row the pager splits (or moves whole leaving a quarter of the page empty) is written
    as two rows where whole paragraphs part it well, the second saying whose row it is, or
    else moves on whole (:func:`~.rows.continue_rows`); one row at a time, the body placed
    again after each.

    ``first_page_breaks``: paragraphs written with a page break before them that applies only
    on the first page (``PageBreak.first_page_only``): where the estimate starts one past
    page 2 (what is before it runs past page 1), ``drop_break`` takes its break away (and
    returns the paragraphs it changed) and the body is placed again without it.

    ``measured``: what measured paragraphs of ``body`` in the same styles and fonts since
    they were last changed (:func:`~..ranges.keep_ranges_whole`): they are not read again."""
    sheet = StyleSheet(styles)
    measure = Measure(sheet, text_w / 20, families)
    if measured is not None:
        measure.adopt(measured)

    def story_height(element: Element, first_before: bool = True) -> float:
        """A story's paragraphs stacked: between two, the larger of the space after and
        the next one's before (as in the body); the first one's space before only when
        ``first_before`` (a header's or footer's first is laid at its top edge, but the
        spacing before a later paragraph of it is laid: the footer's marking block)."""
        h, after = 0.0, 0.0
        for k, p in enumerate(element.findall(qn("w:p"))):
            b = measure.para(p, text_w / 20)
            if k or first_before:
                h += max(0.0, b.before - after)
            h += sum(b.lines) + b.after
            after = b.after
        return h

    top = max(margins[0],
              section.header_distance.pt + story_height(story_element(section.header), False))
    bottom = max(margins[1],
                 section.footer_distance.pt + story_height(story_element(section.footer), False))
    body_height = page_height - top - bottom
    note_heights: dict[str, float] = {}
    note_gap = 0.0
    if notes_part is not None:
        for note in notes_part.element.findall(qn("w:footnote")):
            nid = note.get(qn("w:id"))
            if not nid.startswith("-") and nid != "0":
                note_heights[nid] = story_height(note)
        # the last note's space after is not laid out (measured: 2 pt)
        note_gap = NOTE_AREA_GAP - sheet.para(footnote_style)["after"]
    decided: set[Element] = set()
    kept_off: set[Element] = set()  # rows kept off the page where they meet its foot

    def lay_out() -> tuple[list[PBox | TBox], dict[str, int], int]:
        """The body measured and placed on pages (the pager decides afresh)."""
        _split_tall_rows(measure, body_height, body)
        listed = _keep_short_lists(measure, short_lists or [], body_height * lone_share)
        items: list[PBox | TBox] = []
        for child in body:
            tag = local(child)
            if tag == "p":
                para = measure.para(child, measure.text_width)
                if child is contents and toc:
                    para.group = len(toc)
                para.listed = child in listed
                items.append(para)
            elif tag == "tbl":
                box = measure.table(child)
                for tr, row in zip(child.findall(qn("w:tr")), box.rows):
                    row.managed = not row.header and tr not in decided | kept_off
                    row.keep = row.keep or tr in kept_off
                if split_lines:
                    _bind_rows(box, body_height * lone_share, body_height * whole_share,
                               _ends_kept(child), body_height * table_share)
                items.append(box)
        pages, total = paginate(items, body_height, note_heights, note_gap, split_lines,
                                body_height * whole_share)
        return items, pages, total

    items, pages, total = lay_out()
    if first_page_breaks and drop_break is not None:
        placed = [c for c in body if local(c) in ("p", "tbl")]
        late = [p for p in first_page_breaks if p in placed
                and _page_of(items[placed.index(p)]) > 2]
        for p in late:
            measure.forget(*drop_break(p))
        if late:
            items, pages, total = lay_out()
    for _ in range(_CONTINUE_PASSES if split_lines and continued else 0):
        off = len(kept_off)
        made = continue_rows(measure, body, label=continued,
                             page_room=body_height * ROW_ROOM, lone=body_height * lone_share,
                             whole=body_height * whole_share,
                             note_heights=note_heights, note_gap=note_gap, done=decided,
                             off=kept_off)
        if not made and len(kept_off) == off:
            break
        decided.update(made)
        measure.forget_tables()
        items, pages, total = lay_out()
    if split_lines:
        _write_splits(measure, body)
    for child, item in zip([c for c in body if local(c) in ("p", "tbl")], items):
        if isinstance(item, PBox) and item.broke:
            put(ppr_of(child), el("w:pageBreakBefore"), PPR_ORDER)
            spacing_of(child).set(qn("w:before"), "0")  # (no space before: see paging._keep)
        elif isinstance(item, PBox) and item.pushed:
            spacing_of(child).set(qn("w:before"), str(round(item.before * 20)))
    for bm, t in toc:
        t.text = str(pages.get(bm, 1))
    for t in numpages:
        t.text = str(total)


def _page_of(item: PBox | TBox) -> int:
    return item.page if isinstance(item, PBox) else 0


def _split_tall_rows(measure: Measure, body_height: float, body: list[Element]) -> None:
    """Let a table row split across pages when it would not fit on one (a long risk on a
    small page): rows are written unsplittable, and LibreOffice cuts off the foot of an
    unsplittable row taller than the page, text and all. The PDF splits such rows too."""
    room = body_height * ROW_ROOM  # the estimate's margin of error
    for tbl in body:
        if local(tbl) != "tbl":
            continue
        box = measure.table(tbl)
        header = sum(r.height for r in box.rows if r.header)
        for tr, row in zip(tbl.findall(qn("w:tr")), box.rows):
            if row.cant_split and not row.header and row.height > room - header:
                remove_all(tr.find(qn("w:trPr")), "w:cantSplit")
                row.cant_split = False  # (the estimate keeps its measures: see table())
            row.tall = not row.header and row.height > room - header


def _keep_short_lists(measure: Measure, lists: list[list[Element]],
                      most: float) -> set[Element]:
    """Each list (its paragraphs) shorter than ``most`` is kept on one page: keep-with-next
    on each of its paragraphs but the last (the pager follows the chain). Returns the
    paragraphs kept."""
    kept: set[Element] = set()
    for paras in lists:
        if len(paras) < 2 or any(p.getparent() is None for p in paras):
            continue
        height = 0.0
        for p in paras:
            b = measure.para(p, measure.text_width)
            height += b.before + sum(b.lines) + b.after
        if height < most:
            for p in paras[:-1]:
                put(ppr_of(p), el("w:keepNext"), PPR_ORDER)
            kept.update(paras[:-1])
    return kept


def _bind_rows(box: TBox, lone: float, whole: float, end_kept: bool,
               table: float = 0.0) -> None:
    """A body row shorter than ``lone`` never stands alone on a page under its table's
    header: the first is bound to the second (:attr:`~.measure.Row.bind`: they share a page,
    or the table moves whole) and the row before the last to the last, where that one is
    short enough to be held whole (under ``whole``). A table shorter than ``table`` is held
    whole: every body row is bound to the next (as the PDF moves a short table on rather
    than split it). The last row is bound to what follows the table where ``end_kept`` (the
    pack's end: see blocks.keep_the_end)."""
    body = [r for r in box.rows if not r.header]
    if body:
        body[-1].bind = end_kept
    if len(body) < 2:
        return
    if sum(r.height for r in box.rows) < table:
        for r in body[:-1]:
            r.bind = True
        return
    if body[0].height < lone:
        body[0].bind = True
    if body[-1].height < lone and body[-2].height < whole and not body[-2].tall:
        body[-2].bind = True


def _ends_kept(tbl: Element) -> bool:
    """Whether the table's last row keeps with what follows (see blocks.keep_the_end)."""
    rows = tbl.findall(qn("w:tr"))
    p = next(rows[-1].iter(qn("w:p")), None) if rows else None
    return p is not None and p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None


def _write_splits(measure: Measure, body: list[Element]) -> None:
    """The pager's decisions written into the rows (LibreOffice keeps no widows or orphans
    in the cells of a row it splits, so where a row may split is said by the row): a row
    that splits loses ``w:cantSplit``; one that moves on whole gets it, or, when too tall to
    be held whole safely, keep-with-next on its first paragraph (LibreOffice then moves the
    row to the next page rather than split it at the foot of this one; measured)."""
    for tbl in body:
        if local(tbl) != "tbl":
            continue
        for tr, row in zip(tbl.findall(qn("w:tr")), measure.table(tbl).rows):
            trpr = tr.find(qn("w:trPr"))
            has = trpr is not None and trpr.find(qn("w:cantSplit")) is not None
            if row.cant_split and not has:
                hold_row(tr)
            elif has and not row.cant_split:
                remove_all(trpr, "w:cantSplit")
            if row.bind:  # (LibreOffice keeps such a row with the next: measured)
                for p in tr.iter(qn("w:p")):
                    put(ppr_of(p), el("w:keepNext"), PPR_ORDER)
            elif row.keep:
                p = next(tr.iter(qn("w:p")), None)
                if p is not None:
                    put(ppr_of(p), el("w:keepNext"), PPR_ORDER)
            if row.pushed:
                _push_below(measure, tr, row.pushed)


def _push_below(measure: Measure, tr: Element, push: float) -> None:
    """``push`` points more space below the last paragraph of each of a row's cells (the
    row grows by as much, whichever cell is the tallest)."""
    for tc in tr.findall(qn("w:tc")):
        ps = tc.findall(qn("w:p"))
        if not ps:
            continue
        p = ps[-1]
        after = measure.text(p, measure.text_width)[0]["after"]
        spacing_of(p).set(qn("w:after"), str(round((after + push) * 20)))
