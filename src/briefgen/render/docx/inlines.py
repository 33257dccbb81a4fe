"""Inlines to runs, by a dispatch table (one handler per inline type): text, bold, italic,
external links and cross-references (hyperlinks), line breaks, and note marks.

Notes are numbered in document order; notes with equal content are one note. Marks side by
side read 1,2. Footnotes are Word footnotes (a later mark of a repeated note is a ``NOTEREF``
field to the first, bookmarked, one). Endnotes are listed in the body
(:mod:`~.notes`); a mark is its number, superscript, linking to its note's bookmark."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from ...document import Emph, Inline, LineBreak, Link, Note, Ref, Strong, Text
from .docx_adapter import RT, Element
from .ooxml import clean, el, field_runs, text_el, val
from .stylebook import ppr
from .writer import Fmt, Writer, run, text_runs

__all__ = ["write_inlines"]


@dataclass(frozen=True)
class _Walk:
    part: Any  # the part links are related from (the document's, or the footnotes')
    in_note: bool  # inside a note's own text


#: a handler writes one inline into ``out`` and returns the number of the note mark it
#: wrote (None when it wrote none): marks side by side are separated by a comma
Handler = Callable[[Writer, Any, Element, Fmt, _Walk, "str | None"], "str | None"]


def write_inlines(w: Writer, inlines: Iterable[Inline], out: Element, fmt: Fmt = Fmt(),
                  part: Any = None, in_note: bool = False) -> None:
    """Write ``inlines`` into ``out`` (a paragraph or a hyperlink)."""
    _inlines(w, inlines, out, fmt, _Walk(part if part is not None else w.part, in_note))


def _inlines(w: Writer, inlines: Iterable[Inline], out: Element, fmt: Fmt,
             walk: _Walk) -> None:
    prev_mark: str | None = None  # the number of a note mark just written
    for i in inlines:
        handler = _HANDLERS.get(type(i))
        if handler is not None:
            prev_mark = handler(w, i, out, fmt, walk, prev_mark)


def _text(w: Writer, i: Text, out: Element, fmt: Fmt, walk: _Walk,
          prev: str | None) -> None:
    text_runs(i.text, fmt, out)


def _strong(w: Writer, i: Strong, out: Element, fmt: Fmt, walk: _Walk,
            prev: str | None) -> None:
    _inlines(w, i.children, out, replace(fmt, bold=True), walk)


def _emph(w: Writer, i: Emph, out: Element, fmt: Fmt, walk: _Walk,
          prev: str | None) -> None:
    _inlines(w, i.children, out, replace(fmt, italic=True), walk)


def _link(w: Writer, i: Link, out: Element, fmt: Fmt, walk: _Walk,
          prev: str | None) -> None:
    if fmt.in_link:  # a link cannot hold another link: its text alone
        _inlines(w, i.children, out, fmt, walk)
        return
    rid = walk.part.relate_to(clean(i.url), RT.HYPERLINK, is_external=True)
    h = el("w:hyperlink", {"r:id": rid, "w:history": "1"})
    _inlines(w, i.children, h, replace(fmt, rstyle="Hyperlink", in_link=True), walk)
    out.append(h)


def _ref(w: Writer, i: Ref, out: Element, fmt: Fmt, walk: _Walk,
         prev: str | None) -> None:
    target = w.ctx.anchors.get(i.anchor)
    if target is None or fmt.in_link:
        _inlines(w, i.children, out, fmt, walk)
        return
    h = el("w:hyperlink", {"w:anchor": target, "w:history": "1"})
    _inlines(w, i.children, h, replace(fmt, rstyle="Hyperlink", in_link=True), walk)
    out.append(h)


def _line_break(w: Writer, i: LineBreak, out: Element, fmt: Fmt, walk: _Walk,
                prev: str | None) -> None:
    out.append(run(fmt, el("w:br")))


def _note(w: Writer, note: Note, out: Element, fmt: Fmt, walk: _Walk,
          prev: str | None) -> str | None:
    """A note's reference mark; returns its number. The same note twice in a row is one
    mark."""
    if walk.in_note:
        # a note inside a note: print it in brackets rather than lose it
        text_runs(" (", fmt, out)
        _inlines(w, note.children, out, fmt, walk)
        text_runs(")", fmt, out)
        return prev
    if w.ctx.notes_kind == "endnotes":
        return _endnote_mark(w, note, out, fmt, prev)
    return _footnote_mark(w, note, out, prev)


def _endnote_mark(w: Writer, note: Note, out: Element, fmt: Fmt, prev: str | None) -> str:
    st = w.state
    n = st.endnote_numbers.get(note.children)
    if n is None:
        st.endnotes.append(note.children)
        n = st.endnote_numbers[note.children] = len(st.endnotes)
    number = str(n)
    if number == prev:
        return number
    if prev is not None:
        out.append(run(Fmt(rstyle="EndnoteReference"), text_el(",")))
    mark = run(Fmt(rstyle="EndnoteReference"), text_el(number))
    if fmt.in_link:  # a link cannot hold another link: the number alone
        out.append(mark)
    else:
        out.append(el("w:hyperlink", {"w:anchor": f"_Note{n}", "w:history": "1"}, mark))
    return number


def _footnote_mark(w: Writer, note: Note, out: Element, prev: str | None) -> str | None:
    st = w.state
    seen = st.note_marks.get(note.children)
    if seen is not None and seen[0] == prev:
        return prev
    if prev is not None:
        out.append(run(Fmt(rstyle="FootnoteReference"), text_el(",")))
    if seen is not None:
        nid, bm = seen
        rpr = el("w:rPr", None, val("w:rStyle", "FootnoteReference"))
        for r in field_runs(f"NOTEREF {bm} \\f \\h", nid, rpr):
            out.append(r)
        return nid
    st.note_ids += 1
    nid = str(st.note_ids)
    p = el("w:p", None, ppr(val("w:pStyle", "FootnoteText")))
    p.append(run(Fmt(rstyle="FootnoteReference"), el("w:footnoteRef")))
    p.append(run(Fmt(), text_el(" ")))
    _inlines(w, note.children, p, Fmt(), _Walk(w.notes_part, True))
    w.notes_part.element.append(el("w:footnote", {"w:id": nid}, p))
    mark = run(Fmt(rstyle="FootnoteReference"), el("w:footnoteReference", {"w:id": nid}))
    if note.children in w.ctx.repeated_notes:
        bm = f"_RefNote{nid}"
        bid = w.next_bookmark_id()
        out.append(el("w:bookmarkStart", {"w:id": bid, "w:name": bm}))
        out.append(mark)
        out.append(el("w:bookmarkEnd", {"w:id": bid}))
        st.note_marks[note.children] = (nid, bm)
    else:
        out.append(mark)
    return nid


_HANDLERS: dict[type, Handler] = {
    Text: _text,
    Strong: _strong,
    Emph: _emph,
    Link: _link,
    Ref: _ref,
    Note: _note,
    LineBreak: _line_break,
}
