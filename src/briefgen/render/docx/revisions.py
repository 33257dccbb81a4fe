"""Tracked changes in the DOCX: Word's revision marks for the document model's
:class:`~briefgen.document.Inserted` and :class:`~briefgen.document.Deleted` inlines and
:class:`~briefgen.document.Revision` blocks (see :mod:`briefgen.redline`).

Content is written as usual, then marked: runs inserted are wrapped in ``w:ins``, runs deleted
in ``w:del`` (their ``w:t`` become ``w:delText``); a paragraph inserted or deleted whole has its
paragraph mark marked too (``w:pPr/w:rPr/w:ins|w:del``), and a table row whose paragraphs are all
inserted (or all deleted) is marked as a row (``w:trPr/w:ins|w:del``), so that Word and
LibreOffice accept or reject it as one change. Every mark names the brief's originator and date
(the document's author and date) and has an id of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...document import Block, Deleted, Inserted, Revision
from .docx_adapter import Element
from .ooxml import el, local, ppr_of, qn

__all__ = ["mark_content", "mark_paragraph", "mark_runs", "revision_block", "rows_marked",
           "write_revised"]

_TAG = {"inserted": "w:ins", "deleted": "w:del"}


def _attrs(w: Any) -> dict[str, str]:
    meta = w.ctx.meta
    return {"w:id": w.next_bookmark_id(), "w:author": meta.author or "briefgen",
            "w:date": meta.date.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _as_deleted(run: Element) -> None:
    for t in run.iter(qn("w:t")):
        t.tag = qn("w:delText")
    for t in run.iter(qn("w:instrText")):
        t.tag = qn("w:delInstrText")


def mark_runs(w: Any, container: Element, kind: str) -> None:
    """Wrap each stretch of runs directly in ``container`` (a paragraph, a hyperlink) in one
    ``w:ins`` or ``w:del``; runs inside hyperlinks are wrapped inside them."""
    group: Element | None = None
    for child in list(container):
        name = local(child)
        if name == "r":
            if kind == "deleted":
                _as_deleted(child)
            if group is None:
                group = el(_TAG[kind], _attrs(w))
                child.addprevious(group)
            group.append(child)  # (moves it)
            continue
        group = None
        if name in ("hyperlink", "fldSimple", "smartTag"):
            mark_runs(w, child, kind)


def mark_paragraph(w: Any, p: Element, kind: str) -> None:
    """Mark ``p``'s paragraph mark as inserted or deleted (the paragraph itself, not only its
    text)."""
    ppr = ppr_of(p)
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        change = ppr.find(qn("w:pPrChange"))
        sect = ppr.find(qn("w:sectPr"))
        anchor = sect if sect is not None else change
        if anchor is not None:
            anchor.addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.insert(0, el(_TAG[kind], _attrs(w)))


def _paragraph_kind(p: Element) -> str | None:
    rpr = p.find(f"{qn('w:pPr')}/{qn('w:rPr')}")
    if rpr is None:
        return None
    for kind, tag in _TAG.items():
        if rpr.find(qn(tag)) is not None:
            return kind
    return None


def mark_row(w: Any, tr: Element, kind: str) -> None:
    trpr = tr.find(qn("w:trPr"))
    if trpr is None:
        trpr = el("w:trPr")
        tblpr = tr.find(qn("w:tblPrEx"))
        if tblpr is not None:
            tblpr.addnext(trpr)
        else:
            tr.insert(0, trpr)
    change = trpr.find(qn("w:trPrChange"))
    if change is not None:
        change.addprevious(el(_TAG[kind], _attrs(w)))
    else:
        trpr.append(el(_TAG[kind], _attrs(w)))


def mark_whole_rows(w: Any, tbl: Element) -> None:
    """Mark as a row each row of ``tbl`` whose paragraphs with text are all inserted, or all
    deleted, whole."""
    for tr in tbl.findall(qn("w:tr")):
        kinds = {_paragraph_kind(p) for p in tr.iter(qn("w:p"))
                 if p.find(f".//{qn('w:r')}") is not None}
        if len(kinds) == 1:
            kind = kinds.pop()
            if kind is not None:
                mark_row(w, tr, kind)


def mark_content(w: Any, elements: list[Element], kind: str) -> None:
    """Mark everything in ``elements`` (paragraphs and tables just written) as inserted or
    deleted: every run, every paragraph mark, every table row."""
    for e in elements:
        name = local(e)
        if name == "p":
            mark_runs(w, e, kind)
            mark_paragraph(w, e, kind)
        elif name == "tbl":
            for tr in e.iter(qn("w:tr")):
                mark_row(w, tr, kind)
            for p in e.iter(qn("w:p")):
                mark_runs(w, p, kind)
                mark_paragraph(w, p, kind)


def _paragraph_of(e: Element | None) -> Element | None:
    while e is not None and local(e) != "p":
        e = e.getparent()
    return e


def write_revised(write: Callable[[Element], None], w: Any, node: Inserted | Deleted,
                  out: Element) -> None:
    """An inserted or deleted inline: ``write(scratch)`` writes its children; the runs are
    marked and moved into ``out``; the paragraph mark too when the whole paragraph is."""
    kind = "inserted" if isinstance(node, Inserted) else "deleted"
    scratch = el("w:p")
    write(scratch)
    mark_runs(w, scratch, kind)
    for child in list(scratch):
        out.append(child)
    if node.paragraph:
        p = _paragraph_of(out)
        if p is not None and _paragraph_kind(p) is None:
            mark_paragraph(w, p, kind)


def revision_block(write: Callable[[tuple[Block, ...]], None], w: Any, b: Revision,
                   out: Element) -> None:
    """Blocks inserted or deleted whole (a figure): written, then marked."""
    start = len(out)
    write(b.blocks)
    mark_content(w, list(out)[start:], b.kind)


def rows_marked(write: Callable[..., None]) -> Callable[..., None]:
    """A table writer whose rows inserted or deleted whole are marked as rows."""

    def write_marked(w: Any, b: Any, out: Element, where: Any) -> None:
        start = len(out)
        write(w, b, out, where)
        for e in list(out)[start:]:
            if local(e) == "tbl":
                mark_whole_rows(w, e)

    return write_marked
