"""Inlines to runs, by a dispatch table (one handler per inline type): text, bold, italic,
external links and cross-references (hyperlinks), line breaks, and note marks.

Notes are numbered in document order; notes with equal content are one note. Marks side by
side read 1,2. Footnotes are Word footnotes (a later mark of a repeated note is a ``NOTEREF``
field to the first, bookmarked, one). Endnotes are listed in the body
(:mod:`~.notes`); a mark is its number, superscript, linking to its note's bookmark."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from ...document import (
    Deleted,
    Emph,
    Inline,
    Inserted,
    LineBreak,
    Link,
    Note,
    Ref,
    Span,
    Strong,
    Text,
)
from ...fonts import family_draws
from ..bidi import base_rtl, has_rtl, isolate_inlines, plain, rtl_runs
from ..common import ends_in_digit, mark_gap_size, mark_run
from .docx_adapter import RT, Element, qn
from .ooxml import clean, el, field_runs, text_el, val
from .revisions import write_revised
from .stylebook import ppr
from .writer import Fmt, Writer, run, text_runs

__all__ = ["write_inlines"]

_W_T = qn("w:t")


class _Walk(msgspec.Struct, frozen=True):
    part: Any  # the part links are related from (the document's, or the footnotes')
    in_note: bool  # inside a note's own text


#: a handler writes one inline into ``out``
Handler = Callable[[Writer, Any, Element, Fmt, _Walk], None]

_PLAIN = Fmt()  # no formatting (Fmt is frozen, so one instance serves every call)


def write_inlines(w: Writer, inlines: Iterable[Inline], out: Element, fmt: Fmt = _PLAIN,
                  part: Any = None, in_note: bool = False) -> None:
    """Write ``inlines`` into ``out`` (a paragraph or a hyperlink). A paragraph whose first
    strong letter is right-to-left is marked ``w:bidi``; in a left-to-right one, a mark
    isolates each right-to-left run from the neutrals after it (:mod:`..bidi`)."""
    inlines = tuple(inlines)
    if out.tag == qn("w:p"):
        text = plain(inlines)
        if has_rtl(text):
            if base_rtl(text):
                _mark_bidi(out)
            else:
                inlines = isolate_inlines(inlines)
    _inlines(w, inlines, out, fmt, _Walk(part if part is not None else w.part, in_note))


#: pPr children that come after ``w:bidi`` (CT_PPrBase order)
_AFTER_BIDI = ("adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
               "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
               "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr",
               "pPrChange")


def _mark_bidi(p: Element) -> None:
    """``<w:bidi/>`` in a paragraph's properties, where the schema puts it."""
    ppr_el = p.find(qn("w:pPr"))
    if ppr_el is None:
        ppr_el = el("w:pPr")
        p.insert(0, ppr_el)
    after = {qn(f"w:{t}") for t in _AFTER_BIDI}
    for k, child in enumerate(ppr_el):
        if child.tag in after:
            ppr_el.insert(k, el("w:bidi"))
            return
    ppr_el.append(el("w:bidi"))


def _inlines(w: Writer, inlines: Iterable[Inline], out: Element, fmt: Fmt,
             walk: _Walk) -> None:
    marks: list[Note] = []  # notes side by side, marked together
    for i in inlines:
        if type(i) is Note and not walk.in_note:
            marks.append(i)
            continue
        if marks:
            _note_marks(w, marks, out, fmt)
            marks = []
        handler = _HANDLERS.get(type(i))
        if handler is not None:
            handler(w, i, out, fmt, walk)
    if marks:
        _note_marks(w, marks, out, fmt)


def _text(w: Writer, i: Text, out: Element, fmt: Fmt, walk: _Walk) -> None:
    if not has_rtl(i.text):
        text_runs(i.text, fmt, out)
        return
    for part, rtl in rtl_runs(i.text):
        if not rtl:
            text_runs(part, fmt, out)
            continue
        start = len(out)
        text_runs(part, fmt, out)
        font = _complex_font(w, part)
        for r in out[start:]:
            mark_rtl(r, font)


def _complex_font(w: Writer, text: str) -> str | None:
    """The name of the first family of the style's chain that draws every right-to-left
    letter of ``text`` in all its faces (the ``w:cs`` font of its runs)."""
    letters = {c for c in text if has_rtl(c)}
    for fam in w.ctx.style.fonts.chain("body"):
        if family_draws(fam, letters):
            return fam.name
    return None


def mark_rtl(r: Element, font: str | None) -> None:
    """A run of right-to-left text: ``w:rtl``, and its complex-script font (CT_RPr order:
    ``rFonts`` after ``rStyle``, ``rtl`` after the weight and slant)."""
    rpr = r.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        r.insert(0, rpr)
    if font is not None:
        fonts = el("w:rFonts", {"w:cs": font})
        style = rpr.find(qn("w:rStyle"))
        rpr.insert(0 if style is None else 1, fonts)
    rpr.append(el("w:rtl"))


def _strong(w: Writer, i: Strong, out: Element, fmt: Fmt, walk: _Walk) -> None:
    _inlines(w, i.children, out, msgspec.structs.replace(fmt, bold=True), walk)


def _emph(w: Writer, i: Emph, out: Element, fmt: Fmt, walk: _Walk) -> None:
    _inlines(w, i.children, out, msgspec.structs.replace(fmt, italic=True), walk)


def _link(w: Writer, i: Link, out: Element, fmt: Fmt, walk: _Walk) -> None:
    if fmt.in_link:  # a link cannot hold another link: its text alone
        _inlines(w, i.children, out, fmt, walk)
        return
    rid = walk.part.relate_to(clean(i.url), RT.HYPERLINK, is_external=True)
    h = el("w:hyperlink", {"r:id": rid, "w:history": "1"})
    _inlines(w, i.children, h, msgspec.structs.replace(fmt, rstyle="Hyperlink", in_link=True), walk)
    out.append(h)


def _ref(w: Writer, i: Ref, out: Element, fmt: Fmt, walk: _Walk) -> None:
    target = w.ctx.anchors.get(i.anchor)
    if target is None or fmt.in_link:
        _inlines(w, i.children, out, fmt, walk)
        return
    h = el("w:hyperlink", {"w:anchor": target, "w:history": "1"})
    _inlines(w, i.children, h, msgspec.structs.replace(fmt, rstyle="Hyperlink", in_link=True), walk)
    out.append(h)


def _span(w: Writer, i: Span, out: Element, fmt: Fmt, walk: _Walk) -> None:
    """Text in a language of its own: its runs carry ``w:lang`` (``w:bidi`` for right-to-left
    text, the language Word spell-checks complex scripts in; ``w:val`` otherwise)."""
    start = len(out)
    _inlines(w, i.children, out, fmt, walk)
    if i.lang is None:
        return
    attr = "w:bidi" if has_rtl(plain(i.children)) else "w:val"
    for added in out[start:]:
        for r in added.iter(qn("w:r")):
            rpr = r.find(qn("w:rPr"))
            if rpr is None:
                rpr = el("w:rPr")
                r.insert(0, rpr)
            rpr.append(el("w:lang", {attr: i.lang}))


def _line_break(w: Writer, i: LineBreak, out: Element, fmt: Fmt, walk: _Walk) -> None:
    out.append(run(fmt, el("w:br")))


def _revised(w: Writer, i: Inserted | Deleted, out: Element, fmt: Fmt, walk: _Walk) -> None:
    """Tracked changes: runs in ``w:ins`` / ``w:del`` (see :mod:`.revisions`)."""
    w.state.tracked = True
    write_revised(lambda scratch: _inlines(w, i.children, scratch, fmt, walk), w, i, out)


def _note_in_note(w: Writer, note: Note, out: Element, fmt: Fmt, walk: _Walk) -> None:
    """A note inside a note: printed in brackets rather than lost."""
    text_runs(" (", fmt, out)
    _inlines(w, note.children, out, fmt, walk)
    text_runs(")", fmt, out)


def _note_marks(w: Writer, notes: list[Note], out: Element, fmt: Fmt) -> None:
    """The reference marks of notes side by side: each numbered
    (:class:`~briefgen.render.common.NoteNumbers`), the same note twice in a row one mark,
    the others separated by a superscript comma (1,2 rather than 12;
    :func:`~briefgen.render.common.mark_run`)."""
    numbers = [w.state.notes.number(n.children)[0] for n in notes]
    endnotes = w.ctx.notes_kind == "endnotes"
    rstyle = "EndnoteReference" if endnotes else "FootnoteReference"
    texts = [t.text or "" for t in out.iter(_W_T)]
    if texts and ends_in_digit(texts[-1]):  # a hair-wide no-break space: 2023 1, not 20231
        size = str(round(2 * mark_gap_size(w.ctx.sheet)))
        out.append(el("w:r", None, el("w:rPr", None, val("w:sz", size), val("w:szCs", size)),
                      text_el("\u00a0")))
    for k, n in enumerate(mark_run(numbers)):
        if k:
            out.append(run(Fmt(rstyle=rstyle), text_el(",")))
        if endnotes:
            _endnote_mark(n, out, fmt)
        else:
            _footnote_mark(w, n, out)


def _endnote_mark(n: int, out: Element, fmt: Fmt) -> None:
    """An endnote's mark: its number, linking to its entry in the notes list."""
    mark = run(Fmt(rstyle="EndnoteReference"), text_el(str(n)))
    if fmt.in_link:  # a link cannot hold another link: the number alone
        out.append(mark)
    else:
        out.append(el("w:hyperlink", {"w:anchor": f"_Note{n}", "w:history": "1"}, mark))


def _footnote_mark(w: Writer, n: int, out: Element) -> None:
    """A footnote's mark: the footnote itself the first time (bookmarked when the note is
    marked again), a NOTEREF field to that first mark after."""
    nid, bm = str(n), f"_RefNote{n}"
    if n in w.state.footnotes_written:
        rpr = el("w:rPr", None, val("w:rStyle", "FootnoteReference"))
        for r in field_runs(f"NOTEREF {bm} \\f \\h", nid, rpr):
            out.append(r)
        return
    w.state.footnotes_written.add(n)
    children = w.state.notes.order[n - 1]
    p = el("w:p", None, ppr(val("w:pStyle", "FootnoteText")))
    p.append(run(Fmt(rstyle="FootnoteReference"), el("w:footnoteRef")))
    p.append(run(Fmt(), el("w:tab")))  # to the note's text, the mark hung in the margin
    assert w.notes_part is not None  # a footnote mark: the pack has a footnotes part
    _inlines(w, children, p, Fmt(), _Walk(w.notes_part, True))
    w.notes_part.element.append(el("w:footnote", {"w:id": nid}, p))
    mark = run(Fmt(rstyle="FootnoteReference"), el("w:footnoteReference", {"w:id": nid}))
    if children in w.ctx.repeated_notes:
        bid = w.next_bookmark_id()
        out.append(el("w:bookmarkStart", {"w:id": bid, "w:name": bm}))
        out.append(mark)
        out.append(el("w:bookmarkEnd", {"w:id": bid}))
    else:
        out.append(mark)


_HANDLERS: dict[type, Handler] = {
    Text: _text,
    Strong: _strong,
    Emph: _emph,
    Link: _link,
    Ref: _ref,
    Note: _note_in_note,  # (outside a note, notes are marked in groups: _note_marks)
    LineBreak: _line_break,
    Span: _span,
    Inserted: _revised,
    Deleted: _revised,
}
