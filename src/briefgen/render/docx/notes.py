"""Endnotes: a numbered list in the body under the notes heading, where the first top-level
:class:`~briefgen.document.NotesList` stands (else at the end under the ``notes`` label), as
the PDF lists them. Not Word endnotes: LibreOffice sets those on a page of their own without
header and footer, which would leave a page without its handling marking. (Footnotes are Word
footnotes, written with their marks: :mod:`~.inlines`.)"""

from __future__ import annotations

from functools import partial

from .docx_adapter import Element
from .inlines import write_inlines
from .ooxml import el, tw, val
from .stylebook import ppr
from .writer import Fmt, Where, Writer, bookmarked, para, text_runs

__all__ = ["write_endnotes_list", "write_notes_heading"]


def write_notes_heading(w: Writer, out: Element, title: str) -> None:
    """The notes heading (bookmarked for the contents); the list goes after it once every
    note is numbered. With no title, no heading: the list goes under what stands before (the
    heading the template gave it, such as "Sources")."""
    if not title.strip() and len(out):
        w.state.notes_heading_p = out[-1]
        return
    p = para(w, out, "Heading1", Where())
    bookmarked(w, p, w.ctx.notes_bm, lambda: text_runs(title, Fmt(), p))
    w.state.notes_heading_p = p


def write_endnotes_list(w: Writer) -> None:
    """The endnotes as a numbered list after the notes heading, each note bookmarked
    (``_Note<n>``) for the marks that link to it."""
    num = w.numbering.new_num(w.numbering.abs_number, restart_level=0)
    at = w.state.notes_heading_p
    assert at is not None  # written before the list (renderer.py)
    # the number hung at the note role's indent (a paragraph's own indent, not the list's)
    indent = str(tw(w.ctx.sheet.role("note").left_indent))
    for n, children in enumerate(w.state.notes.order, 1):
        p = el("w:p", None, ppr(val("w:pStyle", "EndnoteText"),
                                el("w:numPr", None, val("w:ilvl", 0), val("w:numId", num)),
                                el("w:ind", {"w:left": indent, "w:hanging": indent})))
        bookmarked(w, p, f"_Note{n}", partial(write_inlines, w, children, p, Fmt(), in_note=True))
        at.addnext(p)
        at = p
