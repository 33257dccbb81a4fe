"""Fields: the contents (a real ``TOC`` field pre-filled with one entry per contents heading,
each with a ``PAGEREF`` to the heading's bookmark; ``w:updateFields`` asks Word to refresh it)
and the footer's page numbers (``PAGE``, ``NUMPAGES``). LibreOffice shows a TOC field's
pre-filled result as it is, so the cached page numbers come from the page estimate
(:mod:`~.estimate`): the field results are collected here for it to fill."""

from __future__ import annotations

import re

from ...document import Contents, Heading, plain_text
from .docx_adapter import Element
from .ooxml import el, field_runs, fld_char, instr_run, qn
from .writer import Fmt, Where, Writer, para, run, text_runs

__all__ = ["page_fields", "write_contents"]

_PAGE_RE = re.compile(r"\{(page|total)\}")


def _entries(w: Writer) -> list[tuple[int, str, str]]:
    """The contents' entries: (level, text, bookmark); the endnotes heading among them."""
    ctx = w.ctx
    listed = ctx.notes_kind == "endnotes" and ctx.has_notes
    entries: list[tuple[int, str, str]] = []
    for b in ctx.doc.walk():
        if isinstance(b, Heading) and b.toc and b.level <= 3:
            entries.append((b.level, plain_text(b.children).replace("\n", " "),
                            ctx.heading_bm[id(b)]))
        elif listed and b is ctx.notes_slot and b.title.strip():  # (untitled: no heading)
            entries.append((1, b.title, ctx.notes_bm))
    if listed and ctx.notes_slot is None:
        entries.append((1, ctx.meta.label("notes", "Notes"), ctx.notes_bm))
    return entries


def write_contents(w: Writer, c: Contents, out: Element, where: Where) -> None:
    entries = _entries(w)
    if not entries:  # nothing to list: no empty "Contents" heading either
        return
    p = para(w, out, "TOCHeading", where)
    text_runs(c.title, Fmt(), p)
    if where.top:
        w.state.contents_title = p
    begin = [fld_char("begin"), instr_run('TOC \\o "1-3" \\h \\z \\u'), fld_char("separate")]
    for n, (level, text, bm) in enumerate(entries):
        # the dotted right tab on the entry itself, as Word writes a contents it generates
        tabs = el("w:tabs", None, el("w:tab", {"w:val": "right", "w:leader": "dot",
                                               "w:pos": str(w.ctx.text_w)}))
        p = para(w, out, f"TOC{min(max(level, 1), 3)}", where, tabs)
        if n == 0:
            for r in begin:
                p.append(r)
        h = el("w:hyperlink", {"w:anchor": bm, "w:history": "1"})
        text_runs(text, Fmt(), h)
        h.append(run(Fmt(), el("w:tab")))
        runs = field_runs(f"PAGEREF {bm} \\h", "1")
        w.state.toc_cache.append((bm, runs[3].find(qn("w:t"))))
        for r in runs:
            h.append(r)
        p.append(h)
        if n == len(entries) - 1:
            p.append(fld_char("end"))


def page_fields(template: str, p: Element) -> list[Element]:
    """The page label ``template`` ("Page {page} of {total}") into ``p`` as text and
    ``PAGE``/``NUMPAGES`` fields; returns the NUMPAGES fields' cached-result texts."""
    numpages: list[Element] = []
    pos = 0
    for m in _PAGE_RE.finditer(template):
        if m.start() > pos:
            text_runs(template[pos:m.start()], Fmt(), p)
        instr = "PAGE" if m.group(1) == "page" else "NUMPAGES"
        runs = field_runs(instr, "1")
        if instr == "NUMPAGES":
            numpages.append(runs[3].find(qn("w:t")))
        for r in runs:
            p.append(r)
        pos = m.end()
    if pos < len(template):
        text_runs(template[pos:], Fmt(), p)
    return numpages
