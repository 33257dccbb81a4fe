"""The document model: what a pack *is*, independent of briefs and of output formats.

A pack template turns a brief into a :class:`Document` (see :mod:`briefgen.compose`); the PDF and
DOCX renderers turn a :class:`Document` and a :class:`~briefgen.style.Style` into bytes. Nothing in
here knows what a cease-fire or an actor is, and nothing knows about ReportLab or python-docx: this
is the contract between the two halves, like pandoc's AST.

Inlines are runs of text with light formatting; blocks are the vertical elements of a page.
Every node is an immutable record (a frozen msgspec Struct: a class of them is made about
twenty times faster than a frozen dataclass, and so is each node) so a composed document can be
shared between renderers. :func:`replace`, :func:`field_names` and :func:`is_node` work on
nodes and on the two dataclasses, the document and its metadata.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal

import msgspec


class Node(msgspec.Struct, frozen=True):
    """A node of the document: an inline or a block (or a part of one)."""


# --------------------------------------------------------------------------------------------
# Inlines


class Text(Node, frozen=True):
    """Literal text. Renderers must print it as is: it is never markup."""

    text: str


class Strong(Node, frozen=True):
    children: tuple[Inline, ...]


class Emph(Node, frozen=True):
    children: tuple[Inline, ...]


class Link(Node, frozen=True):
    """An external link. ``url`` has already been checked to be http, https or mailto."""

    url: str
    children: tuple[Inline, ...]


class Ref(Node, frozen=True):
    """An internal cross-reference to a block carrying ``anchor`` (a heading's ``anchor``)."""

    anchor: str
    children: tuple[Inline, ...]


class Note(Node, frozen=True):
    """A numbered note (a source citation). The style decides footnote or endnote; renderers
    number notes in document order, starting at 1. Notes with equal content are one note: the
    second and later marks repeat the first one's number and the note is listed once."""

    children: tuple[Inline, ...]


class LineBreak(Node, frozen=True):
    pass


class Span(Node, frozen=True):
    """Text in a language of its own (a BCP 47 tag such as ``ar``, ``fa``, ``he-IL``): the
    renderers tag it (the PDF's structure, the DOCX's runs, the HTML's ``lang`` and ``dir``)
    for screen readers and spell-checkers. ``lang`` is None when the source gave no valid
    tag: the text prints all the same."""

    lang: str | None
    children: tuple[Inline, ...]


class Inserted(Node, frozen=True):
    """Text inserted since an earlier version (a tracked change: see :mod:`briefgen.redline`).
    ``paragraph`` True: the whole paragraph is new, its paragraph mark included."""

    children: tuple[Inline, ...]
    paragraph: bool = False


class Deleted(Node, frozen=True):
    """Text deleted since an earlier version: shown struck through where a format tracks
    changes (DOCX, HTML), left out elsewhere. ``paragraph`` True: the whole paragraph goes."""

    children: tuple[Inline, ...]
    paragraph: bool = False


Inline = Text | Strong | Emph | Link | Ref | Note | LineBreak | Span | Inserted | Deleted

# --------------------------------------------------------------------------------------------
# Blocks


class Heading(Node, frozen=True):
    """A section heading, level 1 to 3. ``anchor`` is a stable id for bookmarks, the contents
    and cross-references. ``toc`` False keeps it out of the table of contents; ``numbered``
    False keeps it unnumbered when the style numbers headings (annexes, sources)."""

    level: int
    children: tuple[Inline, ...]
    anchor: str
    toc: bool = True
    numbered: bool = True


ParaRole = Literal["body", "lead", "small", "marking", "caption", "attribution"]


class Paragraph(Node, frozen=True):
    """A paragraph. ``role`` names its purpose; the style decides its look. ``number`` is the
    paragraph's number when the style numbers paragraphs (``"3."``), which renderers hang in
    the margin before the text."""

    children: tuple[Inline, ...]
    role: ParaRole = "body"
    number: str = ""


class ListBlock(Node, frozen=True):
    """A bulleted (``ordered`` False) or numbered list. Each item is a tuple of blocks."""

    items: tuple[tuple[Block, ...], ...]
    ordered: bool = False


class Cell(Node, frozen=True):
    blocks: tuple[Block, ...]


class Table(Node, frozen=True):
    """A table with one header row. ``widths`` are relative column weights (any positive
    numbers); renderers scale them to the text width."""

    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]
    caption: tuple[Inline, ...] = ()

    @property
    def ncols(self) -> int:
        return len(self.header)


class Quote(Node, frozen=True):
    """A block quotation with its attribution (speaker, affiliation, occasion)."""

    blocks: tuple[Block, ...]
    attribution: tuple[Inline, ...] = ()


BoxRole = Literal["summary", "note", "warning"]


class Box(Node, frozen=True):
    """A framed box, e.g. the BLUF on the top sheet."""

    blocks: tuple[Block, ...]
    title: tuple[Inline, ...] = ()
    role: BoxRole = "note"


class MetaField(Node, frozen=True):
    label: str
    value: tuple[Inline, ...]


class TitleBlock(Node, frozen=True):
    """The top sheet's head: title, subtitle and a list of labelled metadata fields."""

    title: tuple[Inline, ...]
    subtitle: tuple[Inline, ...] = ()
    fields: tuple[MetaField, ...] = ()


class Contents(Node, frozen=True):
    """Where the table of contents goes, with its heading text."""

    title: str


class NotesList(Node, frozen=True):
    """Where endnotes are listed, with its heading text. Ignored when the style asks for
    footnotes; when absent and the style asks for endnotes, renderers append one at the end."""

    title: str


class PageBreak(Node, frozen=True):
    """The rest starts on a new page. With ``first_page_only`` only while the pack is on its
    first page: a front sheet that fits page 1 stands alone there; one that runs over is
    followed on its last page by the rest (no page left mostly empty by the break)."""

    first_page_only: bool = False


class RiskPoint(Node, frozen=True):
    """One risk placed in a matrix: ``likelihood`` and ``impact`` are 1-based levels."""

    label: str
    likelihood: int
    impact: int


class RiskMatrix(Node, frozen=True):
    """A likelihood × impact grid. Levels are listed least first; ``bands[l][i]`` is the index
    into ``band_labels`` (and the style's band colours) of the cell at likelihood level ``l+1``
    and impact level ``i+1``. Every cell prints its band's words, not only its colour."""

    likelihood_levels: tuple[str, ...]
    impact_levels: tuple[str, ...]
    bands: tuple[tuple[int, ...], ...]
    band_labels: tuple[str, ...]
    risks: tuple[RiskPoint, ...]
    likelihood_title: str = "Likelihood"
    impact_title: str = "Impact"


class TimelineEvent(Node, frozen=True):
    """An event on a timeline: ``when`` as printed, ``position`` its place on the time axis
    (any increasing number, e.g. days since an epoch), ``label`` a short text."""

    when: str
    position: float
    label: str


class Timeline(Node, frozen=True):
    events: tuple[TimelineEvent, ...]


Chart = RiskMatrix | Timeline


class Figure(Node, frozen=True):
    """A graphic drawn from data (vector in PDF, an image in DOCX), with a caption and the
    alternative text that describes it to readers who cannot see it."""

    chart: Chart
    caption: tuple[Inline, ...]
    alt: str


class Revision(Node, frozen=True):
    """Blocks wholly inserted or deleted since an earlier version, where no paragraph can say so
    itself (a figure). Paragraphs, list items and table rows carry :class:`Inserted` and
    :class:`Deleted` inlines instead (see :mod:`briefgen.redline`)."""

    kind: Literal["inserted", "deleted"]
    blocks: tuple[Block, ...]


Block = (
    Heading | Paragraph | ListBlock | Table | Quote | Box | TitleBlock | Contents | NotesList
    | PageBreak | Figure | Revision
)

# --------------------------------------------------------------------------------------------
# The document


class Marking(Node, frozen=True):
    """A handling marking: ``scheme`` is one of ``tlp``, ``uk``, ``us`` or ``custom``; ``label``
    is the exact text to print (e.g. ``TLP:CLEAR``, ``OFFICIAL-SENSITIVE``)."""

    scheme: Literal["tlp", "uk", "us", "custom"]
    label: str


@dataclass(frozen=True)
class Meta:
    """Document properties written to the PDF info dictionary and the DOCX core properties.
    ``subject`` is written as given: templates lead it with the marking (readers skip headers,
    so the marking belongs in the metadata too)."""

    title: str
    date: _dt.datetime
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    lang: str = "en-GB"
    marking: Marking | None = None
    footer_text: str = ""
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def label(self, key: str, default: str) -> str:
        """A fixed label the renderers print themselves (e.g. ``page_x_of_y``)."""
        return self.labels.get(key, default)


@dataclass(frozen=True)
class Document:
    meta: Meta
    blocks: tuple[Block, ...]

    def walk(self) -> Iterator[Block | Inline]:
        """Every block and inline in reading order (depth first)."""
        yield from _walk_blocks(self.blocks)

    def headings(self) -> list[Heading]:
        return [b for b in self.walk() if isinstance(b, Heading)]

    def notes(self) -> list[Note]:
        return [n for n in self.walk() if isinstance(n, Note)]


def _walk_blocks(blocks: tuple[Block, ...]) -> Iterator[Block | Inline]:
    for b in blocks:
        yield b
        if isinstance(b, (Heading, Paragraph)):
            yield from walk_inlines(b.children)
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from _walk_blocks(item)
        elif isinstance(b, Table):
            yield from walk_inlines(b.caption)
            for row in (b.header, *b.rows):
                for cell in row:
                    yield from _walk_blocks(cell.blocks)
        elif isinstance(b, Quote):
            yield from _walk_blocks(b.blocks)
            yield from walk_inlines(b.attribution)
        elif isinstance(b, Box):
            yield from walk_inlines(b.title)
            yield from _walk_blocks(b.blocks)
        elif isinstance(b, Figure):
            yield from walk_inlines(b.caption)
        elif isinstance(b, Revision) and b.kind == "inserted":  # the new version's blocks
            yield from _walk_blocks(b.blocks)
        elif isinstance(b, TitleBlock):
            yield from walk_inlines(b.title)
            yield from walk_inlines(b.subtitle)
            for f in b.fields:
                yield from walk_inlines(f.value)


def walk_inlines(inlines: tuple[Inline, ...]) -> Iterator[Inline]:
    for i in inlines:
        yield i
        if isinstance(i, (Strong, Emph, Link, Ref, Note, Span, Inserted, Deleted)):
            yield from walk_inlines(i.children)


def plain_text(inlines: tuple[Inline, ...], *, notes: bool = False) -> str:
    """The text of inlines without formatting; note contents only when ``notes`` is true."""
    out: list[str] = []
    for i in inlines:
        if isinstance(i, Text):
            out.append(i.text)
        elif isinstance(i, LineBreak):
            out.append("\n")
        elif isinstance(i, Note):
            if notes:
                out.append(plain_text(i.children, notes=notes))
        elif isinstance(i, Deleted):  # the text as it now reads
            continue
        else:
            out.append(plain_text(i.children, notes=notes))
    return "".join(out)


_NOT_TEXT = {"url", "anchor", "role", "scheme", "lang", "kind"}


def is_node(value: Any) -> bool:
    """Whether ``value`` is a node, the document or its metadata (not a class of them)."""
    return isinstance(value, Node) or (is_dataclass(value) and not isinstance(value, type))


_FIELDS: dict[type, tuple[str, ...]] = {}


def field_names(cls: type) -> tuple[str, ...]:
    """The field names of a node class (a tree walk asks for them at every node)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = cls.__struct_fields__ if issubclass(cls, msgspec.Struct) \
            else tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    return names


def replace(node: Any, /, **changes: Any) -> Any:
    """A copy of a node (or of the document or its metadata) with some fields changed."""
    if isinstance(node, msgspec.Struct):
        return msgspec.structs.replace(node, **changes)
    return dataclasses.replace(node, **changes)


def map_text(node: Any, fn: Callable[[str], str]) -> Any:
    """A copy of a document (or any node) with ``fn`` applied to every printed string: text,
    labels, captions and alt text, but not URLs, anchors or roles. Nodes in which nothing
    changes are kept as they are (not copied)."""
    if isinstance(node, tuple):
        out = tuple(map_text(n, fn) for n in node)
        return node if all(a is b for a, b in zip(out, node)) else out
    if isinstance(node, str):
        new = fn(node)
        return node if new == node else new
    if isinstance(node, dict):
        return {k: map_text(v, fn) for k, v in node.items()}
    if is_node(node):
        changes = {}
        for name in field_names(type(node)):
            if name in _NOT_TEXT:
                continue
            value = getattr(node, name)
            new = map_text(value, fn)
            if new is not value and not (isinstance(new, str) and new == value):
                changes[name] = new
        return replace(node, **changes) if changes else node
    return node
