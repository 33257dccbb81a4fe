"""What a render knows before it writes anything, computed once: the page (the style's, or a
reference document's), the fonts, the marking and its look, the numbered paragraphs' indent,
the notes mode and slot, and the bookmark names of every heading (fixed before rendering so
that forward references work)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import msgspec
from docx.document import Document as WordDocument
from docx.shared import Pt

from ...document import (
    Document,
    Inline,
    Marking,
    Meta,
    NotesList,
    Paragraph,
    TitleBlock,
)
from ...style import MarkingLook, Style
from ..common import AnchorNames, endnote_slot, hang_indent
from ..stylesheet import Stylesheet, resolve
from .docx_adapter import sect_pr
from .ooxml import qn, tw
from .typefaces import FontSet


class Page(msgspec.Struct, frozen=True):
    """The page as the section has it (a reference's, or the style's)."""

    width: float  # points
    height: float
    margin_top: float  # the body's vertical margins (points)
    margin_bottom: float
    text_w: int  # the text width, twips

    @property
    def text_width(self) -> float:
        """The text width in points."""
        return self.text_w / 20

    @property
    def text_height(self) -> float:
        return self.height - self.margin_top - self.margin_bottom


def page_setup(wd: WordDocument, style: Style, reference: bool) -> Page:
    """Set the section's page to the style's, or keep the reference's (what it leaves out
    comes from the style), and return it."""
    sec = wd.sections[0]
    sp = sect_pr(sec)
    m = style.page.margins
    width, height = style.page.dimensions
    if not reference or sp.find(qn("w:pgSz")) is None or sec.page_width is None \
            or sec.page_height is None:
        sec.page_width = Pt(width)
        sec.page_height = Pt(height)
    if not reference or sp.find(qn("w:pgMar")) is None:
        sec.top_margin = Pt(m.top)
        sec.bottom_margin = Pt(m.bottom)
        sec.left_margin = Pt(m.left)
        sec.right_margin = Pt(m.right)
        sec.gutter = Pt(m.binding)
    for attr, value in (("top_margin", m.top), ("bottom_margin", m.bottom),
                        ("left_margin", m.left), ("right_margin", m.right),
                        ("gutter", 0.0)):
        if getattr(sec, attr) is None:
            setattr(sec, attr, Pt(value))
    if not reference or sec.header_distance is None:
        sec.header_distance = Pt(max(12.0, m.top * 0.4))
    if not reference or sec.footer_distance is None:
        sec.footer_distance = Pt(max(12.0, m.bottom * 0.35))
    for attr in list(sp.attrib):
        del sp.attrib[attr]
    # every one of them is set above
    pw, ph, top, bottom = sec.page_width, sec.page_height, sec.top_margin, sec.bottom_margin
    left, right, gutter = sec.left_margin, sec.right_margin, sec.gutter
    assert pw is not None and ph is not None and top is not None and bottom is not None
    assert left is not None and right is not None and gutter is not None
    # a negative top or bottom margin is Word's "exactly": the body starts there anyway
    return Page(pw.pt, ph.pt, abs(top.pt), abs(bottom.pt),
                tw(pw.pt - left.pt - right.pt - gutter.pt))


class Context(msgspec.Struct, frozen=True):
    """The inputs every part of the render reads; nothing in it changes while writing."""

    doc: Document
    style: Style
    sheet: Stylesheet  # the resolved stylesheet: every look value the pack takes
    fonts: FontSet
    page: Page
    reference: bool  # the pack starts from the style's reference document
    marking: Marking | None  # the handling marking, or None (a blank label prints nothing)
    look: MarkingLook  # how the marking is printed
    hang: int  # numbered paragraphs: their text indent (twips), or 0 when there are none
    notes_kind: str  # "footnotes" or "endnotes"
    has_notes: bool
    #: where the endnotes are listed: the first NotesList directly in the document (as the
    #: PDF renderer places them); without one they go at the end under the "notes" label
    notes_slot: NotesList | None
    #: the cover logo goes before the first title block (else at the very top)
    logo_before: TitleBlock | None
    repeated_notes: frozenset[tuple[Inline, ...]]  # note contents marked more than once
    anchors: Mapping[str, str]  # anchor -> bookmark name
    heading_bm: Mapping[int, str]  # id(heading) -> bookmark name
    notes_bm: str  # the notes heading's bookmark
    bookmarks_taken: frozenset[str]  # every name above

    @property
    def meta(self) -> Meta:
        return self.doc.meta

    @property
    def text_w(self) -> int:
        return self.page.text_w


def make_context(doc: Document, style: Style, fonts: FontSet, page: Page) -> Context:
    sheet = resolve(style)
    mk = doc.meta.marking
    marking = mk if mk is not None and mk.label.strip() else None
    look = sheet.marking(marking.scheme if marking else "custom",
                         marking.label if marking else "")
    numbers = [b.number for b in doc.blocks if isinstance(b, Paragraph) and b.number]
    names = AnchorNames()
    anchors: dict[str, str] = {}
    heading_bm: dict[int, str] = {}
    for h in doc.headings():
        name = names.new(h.anchor)
        heading_bm[id(h)] = name
        anchors.setdefault(h.anchor, name)
    notes_bm = names.new("notes")
    notes = doc.notes()
    counts = Counter(n.children for n in notes)
    slot = endnote_slot(doc.blocks)
    return Context(
        doc=doc, style=style, sheet=sheet, fonts=fonts, page=page,
        reference=style.reference_docx is not None, marking=marking, look=look,
        hang=hang(numbers, sheet, fonts) if numbers else 0,
        notes_kind=style.notes, has_notes=bool(notes),
        notes_slot=doc.blocks[slot] if slot is not None else None,  # type: ignore[arg-type]
        logo_before=next((b for b in doc.blocks if isinstance(b, TitleBlock)), None),
        repeated_notes=frozenset(c for c, n in counts.items() if n > 1),
        anchors=anchors, heading_bm=heading_bm, notes_bm=notes_bm,
        bookmarks_taken=frozenset(names.taken))


def hang(numbers: list[str], sheet: Stylesheet, fonts: FontSet) -> int:
    """The indent of numbered paragraphs' text (twips), as the PDF's: room for the widest
    number in the Lead style's size and the stylesheet's gap, at least its minimum indent,
    the same for every paragraph so that their text stands in one column."""
    size = sheet.role("lead").size
    m = fonts.metrics(fonts.body_font)
    return tw(hang_indent(numbers, lambda n: sum(m.width(c) for c in n) * size,
                          sheet.hang.min_indent, sheet.hang.gap))
