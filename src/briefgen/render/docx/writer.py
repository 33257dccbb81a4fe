"""Writing the body: what every block and inline handler is given (the :class:`Writer`), where
it writes (:class:`Where`) and in which inline formatting (:class:`Fmt`), and the primitives
they share: a paragraph, a bookmark around content, runs of text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from ...document import Inline
from ..common import NoteNumbers
from .context import Context
from .docx_adapter import Element
from .numbering import Numbering
from .ooxml import bookmark_name, clean, el, text_el, val
from .stylebook import ppr

__all__ = ["BodyState", "Fmt", "Where", "Writer", "bookmarked", "para", "run", "text_runs"]


class Fmt(msgspec.Struct, frozen=True):
    """Inline formatting state while walking inlines."""

    bold: bool = False
    italic: bool = False
    rstyle: str | None = None
    in_link: bool = False


class Where(msgspec.Struct, frozen=True):
    """Where blocks are being written."""

    body_style: str = "Normal"  # style of role="body" paragraphs here
    top: bool = True  # directly in the document body (page breaks possible)
    depth: int = 0  # list nesting
    hang: int = 0  # a list in the text column of numbered paragraphs: their indent (twips)


class BodyState(msgspec.Struct):
    """What writing the body accumulates: counters for the ids Word wants unique, the notes
    numbered so far, and the cached field results the page estimate fills in later."""

    shape_ids: int = 0  # drawing ids (a reference's header pictures take the first)
    bookmark_ids: int = 0
    pending_break: bool = False  # a page break waits for the next top-level paragraph
    #: the pending break is taken only on the first page (``PageBreak.first_page_only``)
    pending_first_page_only: bool = False
    #: the paragraphs written with such a break: the page estimate keeps it where the
    #: paragraph comes while the flow is on page 1, and removes it elsewhere
    first_page_breaks: list[Element] = msgspec.field(default_factory=list)
    taken_bookmarks: set[str] = msgspec.field(default_factory=set)
    emitted_bookmarks: set[str] = msgspec.field(default_factory=set)
    #: the notes numbered so far, by content (equal notes are one note)
    notes: NoteNumbers[tuple[Inline, ...]] = msgspec.field(default_factory=NoteNumbers)
    #: the footnotes written so far (a later mark refers to the first)
    footnotes_written: set[int] = msgspec.field(default_factory=set)
    notes_heading_p: Element | None = None
    #: contents entries' cached page numbers: (bookmark, the w:t holding its number)
    toc_cache: list[tuple[str, Element]] = msgspec.field(default_factory=list)
    #: the contents' title paragraph (the page estimate may start the contents on a new page)
    contents_title: Element | None = None
    #: the paragraphs of each short list in the body (``ListLook.keep_items`` items or
    #: fewer): the page estimate keeps those under a share of the page together
    short_lists: list[list[Element]] = msgspec.field(default_factory=list)
    #: tracked changes written (a redline: see :mod:`briefgen.redline`)
    tracked: bool = False


class Writer(msgspec.Struct):
    """The inputs of the body handlers (the context, the parts they add to) and their
    accumulated state."""

    ctx: Context
    part: Any  # the document part (hyperlinks and pictures are related from it)
    numbering: Numbering
    notes_part: Any | None  # the footnotes part, when notes are footnotes
    state: BodyState

    def next_bookmark_id(self) -> str:
        bid = str(self.state.bookmark_ids)
        self.state.bookmark_ids += 1
        return bid

    def next_shape_id(self) -> int:
        self.state.shape_ids += 1
        return self.state.shape_ids


def para(w: Writer, out: Element, style_id: str | None, where: Where,
         *extra_ppr: Element) -> Element:
    """A new paragraph in ``style_id`` appended to ``out`` (a pending page break goes
    before it when it is directly in the body)."""
    items: list[Element] = []
    if style_id and style_id != "Normal":
        items.append(val("w:pStyle", style_id))
    conditional = False
    if where.top and w.state.pending_break:
        items.append(el("w:pageBreakBefore"))
        w.state.pending_break = False
        conditional, w.state.pending_first_page_only = w.state.pending_first_page_only, False
    items.extend(extra_ppr)
    p = el("w:p")
    if items:
        p.append(ppr(*items))
    out.append(p)
    if conditional:
        w.state.first_page_breaks.append(p)
    return p


def bookmarked(w: Writer, p: Element, name: str, fill: Callable[[], None]) -> None:
    """Bookmark ``name`` around what ``fill`` writes into ``p`` (a second bookmark of the
    same name, the same heading placed twice, gets a fresh name)."""
    if name in w.state.emitted_bookmarks:
        name = bookmark_name(name, w.state.taken_bookmarks)
    w.state.emitted_bookmarks.add(name)
    bid = w.next_bookmark_id()
    p.append(el("w:bookmarkStart", {"w:id": bid, "w:name": name}))
    fill()
    p.append(el("w:bookmarkEnd", {"w:id": bid}))


def run(fmt: Fmt, *content: Element) -> Element:
    """A run of ``content`` in ``fmt`` (direct formatting only for bold and italic)."""
    r = el("w:r")
    if fmt.rstyle or fmt.bold or fmt.italic:
        rpr = el("w:rPr")
        if fmt.rstyle:
            rpr.append(val("w:rStyle", fmt.rstyle))
        if fmt.bold:
            rpr.append(el("w:b"))
            rpr.append(el("w:bCs"))
        if fmt.italic:
            rpr.append(el("w:i"))
            rpr.append(el("w:iCs"))
        r.append(rpr)
    for c in content:
        r.append(c)
    return r


def text_runs(text: str, fmt: Fmt, out: Element) -> None:
    """``text`` as runs in ``out``: line breaks and tabs as Word's, not characters."""
    text = clean(text).replace("\r\n", "\n").replace("\r", "\n")
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append(run(fmt, el("w:br")))
        for j, chunk in enumerate(line.split("\t")):
            if j:
                out.append(run(fmt, el("w:tab")))
            if chunk:
                out.append(run(fmt, text_el(chunk)))
