"""Inline nodes to ReportLab paragraph markup, one handler per node type.

**Text is never markup**: every :class:`~briefgen.document.Text` is escaped for ReportLab's
paragraph parser; ``<b>``, ``<i>``, ``<a>`` and ``<super>`` tags are built only from the
document's Strong/Emph/Link/Ref/Note nodes. Characters the fonts cannot draw become U+FFFD.

**Note marks**: notes are numbered in document order from 1; equal notes (dataclass equality)
are one note: later marks repeat the first one's number (the same note twice in a row gives one
mark; two different marks in a row print as "1,2"). With endnotes each mark links to its entry;
with footnotes it carries an ``<onDraw>`` callback that tells the page it holds the mark.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import msgspec

from ... import document as d
from ...cache import file_stamp, kept
from ...fonts import Family, coverage, family_codes, runs_by
from ...xmltext import escape, quoteattr
from ..common import drawable, mark_run
from ..graphics import faces
from .anchors import Anchors
from .changebars import bar_marks
from .notes import FN_CALLBACK, NoteBook
from .shaping import has_rtl
from .tagging import link_marks, span_marks

__all__ = ["InlineWriter", "text_characters"]

_SAFE_URL = re.compile(r"^(?:https?://|mailto:)\S+$", re.IGNORECASE)
_DIGIT_END = re.compile(r"\d(?:<[^>]*>)*$")  # markup whose text ends in a digit


@lru_cache(maxsize=16)
def text_characters(body: Family, headings: Family) -> frozenset[str]:
    """The characters the renderer draws in the style's own faces (see
    :meth:`InlineWriter.drawable`): those in the Basic Multilingual Plane that the body face and
    the headings' bold face have glyphs for and that every face of both families has, and tab
    and line ends. Remembered per pair of families, and kept between runs of the command line
    for the same font files (:mod:`briefgen.cache`); the PDF's standby child works it out
    while the document is composed (:func:`briefgen.render.prepare_renderer`)."""

    def make() -> frozenset[str]:
        codes = family_codes(body) & family_codes(headings)  # (code points: cheaper)
        codes &= coverage(body.regular) & coverage(headings.bold)  # (a face lacked: regular)
        return frozenset(map(chr, filter((0xFFFF).__ge__, codes))) | frozenset("\t\n\r")

    files = (*body.files().values(), *headings.files().values())
    return kept("chars", tuple(file_stamp(f) for f in files), make)


_HEX = re.compile(r"#([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})")


def _markup_colour(colour: str) -> str:
    """A ``#RRGGBB`` colour as ``rgb(R,G,B)`` for markup: ReportLab's parser reads that at
    once, and a hex colour only after trying it as a name and as a Python literal (3 against
    14 us); the colour it makes is the same (``HexColor``'s ``n / 255.0``, alpha 1)."""
    m = _HEX.fullmatch(colour)
    return f"rgb({','.join(str(int(x, 16)) for x in m.groups())})" if m else colour


class _Run(msgspec.Struct):
    """One run of inlines being converted: where it goes, the pieces so far, and the numbers
    of the note marks met side by side and not yet written."""

    where: str
    in_link: bool
    colour: str
    out: list[str] = msgspec.field(default_factory=list)
    pending: list[int] = msgspec.field(default_factory=list)


def _is_space(node: object) -> bool:
    return type(node) is d.Text and not node.text.strip(" ")


class InlineWriter:
    """Converts inline nodes to markup; numbers the notes as their marks are met."""

    def __init__(self, anchors: Anchors, notes: NoteBook, chars: frozenset[str], *,
                 link_colour: str, rule_colour: str,
                 fallbacks: tuple[tuple[frozenset[str], str], ...] = ()):
        self.anchors = anchors
        self.notes = notes
        #: what the style's own fonts draw in every face, then (characters, font key) of each
        #: fallback family, in the order tried (a family is registered when first drawn with)
        self.own = chars
        self.fallbacks = fallbacks
        self.chars = chars.union(*(c for c, _ in fallbacks)) if fallbacks else chars
        self.link_colour = _markup_colour(link_colour)
        self.rule_colour = _markup_colour(rule_colour)
        self.link_targets: dict[str, str] = {}  # each link's id: its target (see tagging)
        self.mark_gap = 0.0  # the font size of the space between a digit and a mark (blocks)

    def drawable(self, text: str) -> str:
        """``text`` with U+FFFD (a visible mark) for every character the fonts cannot draw, which
        would otherwise print as glyph 0 (a silent box that vanishes from the extracted text),
        and for characters beyond the Basic Multilingual Plane (emoji), for which ReportLab
        writes a malformed text map (odd-length hex strings in the ToUnicode CMap)."""
        return drawable(text, self.chars)

    def escaped(self, text: str) -> str:
        """Plain text as markup: drawable, escaped; a run of characters the style's own fonts
        lack in some face set in the first fallback family that has them (``<font>``, whose
        ``<b>``/``<i>`` faces ReportLab takes from that family)."""
        text = self.drawable(text)
        if self.own.issuperset(text):
            return escape(text)
        sets = [self.own, *(c for c, _ in self.fallbacks)]
        out = []
        for part, k in runs_by(text, sets):
            if k == 0:
                out.append(escape(part))
            elif k > 0:
                fallback = faces(self.fallbacks[k - 1][1]).regular
                out.append(f'<font name="{fallback}">{escape(part)}</font>')
            else:  # U+FFFD where the fonts have none: in DejaVu Sans, which has it, never a box
                out.append(f'<font name="{faces("dejavu-sans").regular}">{escape(part)}</font>')
        return "".join(out)

    def markup(self, inlines: tuple[d.Inline, ...], where: str = "main",
               in_link: bool = False) -> str:
        colour = "" if where == "th" else f' color="{self.link_colour}"'
        run = _Run(where, in_link, colour)
        self._emit(inlines, run)
        if run.pending:
            self._marks(run)
        return "".join(run.out)

    def _emit(self, inlines: tuple[d.Inline, ...], run: _Run) -> None:
        """Each inline through its handler, the note marks gathered so far written before
        the first inline that is not a note."""
        for k, i in enumerate(inlines):
            if run.pending and _is_space(i) and k + 1 < len(inlines) \
                    and type(inlines[k + 1]) is d.Note:
                continue  # marks side by side: the space between them goes
            if run.pending and type(i) is not d.Note:
                self._marks(run)
            handler = _HANDLERS.get(type(i))
            if handler is not None:
                handler(self, i, run)

    def note_number(self, note: d.Note) -> int:
        """The number of a note: the next one the first time its content is seen, the first
        one's number for every later equal note (they are one note, listed once)."""
        book = self.notes
        n, first = book.numbers.number(note)
        if first:
            book.markup.append("")
            book.markup[n - 1] = self.markup(note.children, "note")
        return n

    # ---------------------------------------------------------------------------- handlers

    def _text(self, i: d.Text, run: _Run) -> None:
        run.out.append(self.escaped(i.text))

    def _strong(self, i: d.Strong, run: _Run) -> None:
        run.out.append(f"<b>{self.markup(i.children, run.where, run.in_link)}</b>")

    def _emph(self, i: d.Emph, run: _Run) -> None:
        run.out.append(f"<i>{self.markup(i.children, run.where, run.in_link)}</i>")

    def _span(self, i: d.Span, run: _Run) -> None:
        """Text in a language of its own: a ``Span`` with ``/Lang`` in the tagged PDF."""
        inner = self.markup(i.children, run.where, run.in_link)
        if i.lang is None:
            run.out.append(inner)
            return
        text = d.plain_text(i.children)
        start, end = span_marks(self.link_targets, i.lang, text if has_rtl(text) else None)
        run.out.append(f"{start}{inner}{end}")

    def _line_break(self, _i: d.LineBreak, run: _Run) -> None:
        run.out.append("<br/>")

    def _link(self, i: d.Link, run: _Run) -> None:
        inner = self.markup(i.children, run.where, True)
        if run.in_link or not _SAFE_URL.match(i.url):
            run.out.append(inner)
        else:
            start, end = link_marks(self.link_targets, i.url)
            run.out.append(f'{start}<a href={quoteattr(i.url)}{run.colour} underline="1"'
                           f' ucolor="{self.rule_colour}">{inner}</a>{end}')

    def _ref(self, i: d.Ref, run: _Run) -> None:
        inner = self.markup(i.children, run.where, True)
        key = self.anchors.by_anchor.get(i.anchor)
        if run.in_link or key is None:
            run.out.append(inner)
        else:
            start, end = link_marks(self.link_targets, key)
            run.out.append(f'{start}<a href="#{key}"{run.colour}>{inner}</a>{end}')

    def _note(self, i: d.Note, run: _Run) -> None:
        out = run.out
        if out and out[-1].endswith(" "):  # the number hugs the word it follows
            out[-1] = out[-1].rstrip(" ")
            if not out[-1]:
                out.pop()
        run.pending.append(self.note_number(i))

    #: marks for change bars (the style's changes.bars: see changebars)
    change_bars = False

    def _inserted(self, i: d.Inserted, run: _Run) -> None:
        """A tracked change (briefgen.redline): the PDF prints the new text only (marked for
        change bars when the style draws them)."""
        if self.change_bars:
            run.out.append(bar_marks("start"))
        self._emit(i.children, run)
        if self.change_bars:
            run.out.append(bar_marks("end"))

    def _deleted(self, _i: d.Deleted, run: _Run) -> None:
        if self.change_bars:
            run.out.append(bar_marks("at"))

    def _marks(self, run: _Run) -> None:
        """The marks of notes side by side: one per note (common.mark_run), 1,2 not 12; after
        a digit, a hair-wide no-break space first (2023 1, never 20231)."""
        marks = [f"<super>{self._mark(n, run)}</super>" for n in mark_run(run.pending)]
        if self.mark_gap and run.out and _DIGIT_END.search(run.out[-1]):
            run.out.append(f'<font size="{self.mark_gap:g}">\u00a0</font>')
        run.out.append("<super>,</super>".join(marks))
        run.pending.clear()

    def _mark(self, n: int, run: _Run) -> str:
        if self.notes.footnotes:  # no link (the note is on the page); a callback marker
            return f'{n}<onDraw name="{FN_CALLBACK}" label="{n}"/>'
        if run.in_link:
            return str(n)
        key = self.anchors.note_key(n)
        start, end = link_marks(self.link_targets, key)
        return f'{start}<a href="#{key}"{run.colour}>{n}</a>{end}'


_HANDLERS: dict[type, Callable[[InlineWriter, Any, _Run], None]] = {
    d.Text: InlineWriter._text,
    d.Strong: InlineWriter._strong,
    d.Emph: InlineWriter._emph,
    d.LineBreak: InlineWriter._line_break,
    d.Link: InlineWriter._link,
    d.Ref: InlineWriter._ref,
    d.Note: InlineWriter._note,
    d.Span: InlineWriter._span,
    d.Inserted: InlineWriter._inserted,
    d.Deleted: InlineWriter._deleted,
}
