"""What every renderer shares, written once: note numbering and marks, anchor names, column
widths, the page label, the document date, drawable text, the hanging indent of numbered
paragraphs and image boxes. Nothing here imports ReportLab or python-docx.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import weakref
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

import msgspec

from .. import document as d
from ..document import replace
from .stylesheet import Stylesheet

__all__ = [
    "CELL_ROLES", "LEAD_IN", "AnchorNames", "NoteNumbers", "column_widths", "drawable",
    "endnote_slot", "ends_in_digit", "fill_label", "fit_box", "hang_indent", "leads_in",
    "least_widths", "mark_gap_size", "mark_run", "one_mark_per_note", "print_ready",
    "unbreakable", "utc_naive",
]

K = TypeVar("K", bound=Hashable)

REPLACEMENT = "\ufffd"


# --------------------------------------------------------------------------------------------
# Notes


class NoteNumbers(msgspec.Struct, Generic[K]):
    """Notes numbered in document order from 1. Equal notes are one note: the second and later
    marks repeat the first one's number and the note is listed once. ``key`` is what makes two
    notes equal (by default the note's content)."""

    order: list[K] = msgspec.field(default_factory=list)
    numbers: dict[K, int] = msgspec.field(default_factory=dict)

    def number(self, key: K) -> tuple[int, bool]:
        """The note's number, and whether this is its first mark."""
        n = self.numbers.get(key)
        if n is not None:
            return n, False
        self.order.append(key)
        n = self.numbers[key] = len(self.order)
        return n, True

    def __len__(self) -> int:
        return len(self.order)


def mark_run(numbers: Iterable[int]) -> list[int]:
    """The marks printed for notes that stand side by side: each note once, in order (the
    caller separates them with a comma: 1,2 rather than 12, and 5,12,13 rather than 12,5,13)."""
    return sorted(set(numbers))


_INLINES = (d.Text, d.Strong, d.Emph, d.Link, d.Ref, d.Note, d.LineBreak, d.Span, d.Inserted,
            d.Deleted)


def one_mark_per_note(doc: d.Document) -> d.Document:
    """``doc`` with at most one mark per note in each paragraph (any run of inlines: a
    heading, a caption, an attribution) and in each table cell (all its paragraphs together):
    the last mark of a note there stays, as a mark at the end of what a note supports covers
    it all; the earlier ones go. Every renderer draws the document this gives, so the marks
    are the same in every format; notes are numbered by the marks that remain."""
    blocks = _thin(doc.blocks, None)
    return doc if blocks is doc.blocks else replace(doc, blocks=blocks)


def print_ready(doc: d.Document) -> d.Document:
    """The document every renderer draws: one mark per note per paragraph or cell
    (:func:`one_mark_per_note`). Renderers of one build share the work: the last few
    documents made ready are remembered while they live."""
    key = id(doc)
    hit = _READY.get(key)
    if hit is not None and hit[0]() is doc:
        return hit[1]
    ready = one_mark_per_note(doc)
    if len(_READY) >= 4:
        _READY.pop(next(iter(_READY)))
    _READY[key] = (weakref.ref(doc), ready)
    return ready


_READY: dict[int, tuple[weakref.ref[d.Document], d.Document]] = {}


_WITH_CHILDREN = (d.Strong, d.Emph, d.Link, d.Ref, d.Span, d.Inserted, d.Deleted)


def _count_marks(node: Any, left: Counter[d.Note]) -> None:
    if isinstance(node, d.Note):
        left[node] += 1  # (a note inside a note is part of its text, not a mark)
    elif isinstance(node, tuple):
        for x in node:
            _count_marks(x, left)
    elif isinstance(node, _WITH_CHILDREN):  # the common case, without asking for fields
        for x in node.children:
            _count_marks(x, left)
    elif isinstance(node, (d.Text, d.LineBreak, str)):
        pass
    elif d.is_node(node):
        for name in d.field_names(type(node)):
            _count_marks(getattr(node, name), left)


def _has_repeat(inlines: tuple[Any, ...]) -> bool:
    """Whether a run of inlines marks some note twice (else it has nothing to thin)."""
    seen: set[d.Note] = set()
    stack = list(inlines)
    while stack:
        x = stack.pop()
        if isinstance(x, d.Note):
            if x in seen:
                return True
            seen.add(x)
        elif isinstance(x, _WITH_CHILDREN):
            stack.extend(x.children)
    return False


def _thin(node: Any, left: Counter[d.Note] | None) -> Any:
    """``node`` with the marks that a later mark of the same note in its scope repeats
    dropped; ``left`` counts the marks of each note still to come in the scope (None: not in
    a scope yet; a cell or a run of inlines starts one)."""
    if isinstance(node, tuple):
        if left is None and node and all(isinstance(x, _INLINES) for x in node):
            if not _has_repeat(node):
                return node
            left = Counter()
            _count_marks(node, left)
        out: list[Any] = []
        for x in node:
            if isinstance(x, d.Note) and left is not None:
                left[x] -= 1
                if left[x] > 0:
                    continue
                out.append(x)
            else:
                out.append(_thin(x, left))
        same = len(out) == len(node) and all(a is b for a, b in zip(out, node, strict=True))
        return node if same else tuple(out)
    if d.is_node(node):
        if isinstance(node, d.Cell) and left is None:
            left = Counter()
            _count_marks(node, left)
            if all(n <= 1 for n in left.values()):
                return node
        changes = {}
        for name in d.field_names(type(node)):
            value = getattr(node, name)
            new = _thin(value, left)
            if new is not value:
                changes[name] = new
        return replace(node, **changes) if changes else node
    return node


def mark_gap_size(sheet: Stylesheet) -> float:
    """The font size (half points, as Word stores sizes) at which a no-break space in the
    body face is about ``sheet.mark_gap`` wide: the gap between a digit and a note mark."""
    from ..fonts import family, metrics

    em = metrics(family(sheet.body_family).regular).width("\u00a0") or 0.25
    return max(1.0, round(2 * sheet.mark_gap / em) / 2)


def ends_in_digit(text: str) -> bool:
    """Whether a note mark after ``text`` needs the gap that keeps it from the number."""
    return text[-1:].isdigit()


#: the longest lead-in (characters, about three lines) kept with its heading and its table
LEAD_IN = 300


def leads_in(prev: d.Block | None, b: d.Block, nxt: d.Block | None) -> bool:
    """Whether ``b`` is a short paragraph between a heading, or another table, and a table
    (the table's introduction, as under an annex heading, or "Confidence levels. …" after the
    probability scale): kept with the table's first rows, so that neither the heading nor the
    introduction ends a page with its table on the next."""
    return isinstance(prev, (d.Heading, d.Table)) and isinstance(b, d.Paragraph) \
        and isinstance(nxt, d.Table) and len(d.plain_text(b.children)) <= LEAD_IN


def endnote_slot(blocks: Sequence[d.Block]) -> int | None:
    """Where the endnotes are listed: the index of the first top-level NotesList (both formats
    list them there), or None to append them at the end under the ``notes`` label."""
    return next((i for i, b in enumerate(blocks) if isinstance(b, d.NotesList)), None)


# --------------------------------------------------------------------------------------------
# Anchors

_ANCHOR_BAD = re.compile(r"[^A-Za-z0-9_]")


class AnchorNames(msgspec.Struct):
    """Names for anchors (headings, notes, the contents) that are valid in every format: the
    strictest is Word's bookmark name (letters, digits and underscores, starting with a
    letter, at most 40 characters); each is unique in the document."""

    taken: set[str] = msgspec.field(default_factory=set)
    by_anchor: dict[str, str] = msgspec.field(default_factory=dict)

    def new(self, wanted: str, fallback: str = "ref") -> str:
        base = _ANCHOR_BAD.sub("_", wanted) or fallback
        if not (base[0].isascii() and base[0].isalpha()):
            base = "h_" + base
        base = base[:40]
        name, n = base, 2
        while name in self.taken:
            suffix = f"_{n}"
            name = base[: 40 - len(suffix)] + suffix
            n += 1
        self.taken.add(name)
        return name

    def for_anchor(self, anchor: str) -> str:
        """The name of a document anchor (a heading's ``anchor``), the same on every call."""
        name = self.by_anchor.get(anchor)
        if name is None:
            name = self.by_anchor[anchor] = self.new(anchor)
        return name


# --------------------------------------------------------------------------------------------
# Tables


def column_widths(widths: Sequence[float], ncols: int, total: float,
                  least: Sequence[float] = ()) -> list[float]:
    """Relative column weights scaled to ``total``; weights that do not fit the table (wrong
    count, a zero or negative one) give equal columns. With ``least`` (each column's
    narrowest width, as :func:`least_widths` gives it), a column narrower than that widens to
    it, the others giving up the room in their proportions; when all the columns cannot have
    their least, each gets a share of ``total`` in proportion to it."""
    ncols = max(1, ncols)
    if len(widths) != ncols or not all(w > 0 for w in widths):
        widths = (1.0,) * ncols
    s = float(sum(widths))
    cols = [total * w / s for w in widths]
    if len(least) != ncols or all(c >= m for c, m in zip(cols, least, strict=True)):
        return cols
    if sum(least) >= total:
        return [total * m / sum(least) for m in least]
    fixed: dict[int, float] = {}
    while True:  # columns short of their least take it; the rest share what is left
        free = [i for i in range(ncols) if i not in fixed]
        room = total - sum(fixed.values())
        weight = sum(widths[i] for i in free)
        trial = {i: room * widths[i] / weight for i in free}
        short = [i for i in free if trial[i] < least[i]]
        if not short:
            return [fixed[i] if i in fixed else trial[i] for i in range(ncols)]
        fixed.update((i, least[i]) for i in short)


#: where a line may break in a run of text: at spaces (space, tab, line ends, U+2002-U+200B),
#: and after a hyphen (- and U+2010) (ReportLab and LibreOffice both break there); a no-break
#: space joins. Matches are the pieces between (a run between spaces, cut after its hyphens).
_PIECES = re.compile(r"[^\-\u2010 \t\r\n\u2002-\u200b]*[-\u2010]+"
                     r"|[^\-\u2010 \t\r\n\u2002-\u200b]+")
#: the roles of a table cell's paragraphs (as the renderers give them), by paragraph role
CELL_ROLES = {"small": "cell-small", "caption": "cell-caption", "attribution": "cell-small"}
#: a little more than the measured advance widths (rounding, a mark's comma)
_WORD_SLACK = 1.0


def unbreakable(text: str) -> list[str]:
    """The pieces of ``text`` a line cannot break inside."""
    return _PIECES.findall(text)


def _cell_pieces(blocks: Sequence[d.Block], role: str | None, depth: int, mark: str,
                 out: list[tuple[str, str, bool, int]]) -> None:
    """Each unbreakable piece of a cell's text: (text, role name, bold, list depth)."""
    for b in blocks:
        if isinstance(b, (d.Paragraph, d.Heading)):
            name = role or CELL_ROLES.get(getattr(b, "role", "body"), "cell")
            runs: list[tuple[str, bool]] = []
            _inline_runs(b.children, False, mark, runs)
            text = "".join(t for t, _ in runs)
            bold_spans, pos = [], 0
            for t, bold in runs:
                if bold:
                    bold_spans.append((pos, pos + len(t)))
                pos += len(t)
            if not bold_spans:  # (the common case: no need to find where each piece is)
                out.extend((w, name, False, depth) for w in _PIECES.findall(text))
                continue
            at = 0
            for w in _PIECES.findall(text):
                start = text.index(w, at)
                at = start + len(w)
                bold = any(s < at and start < e for s, e in bold_spans)
                out.append((w, name, bold, depth))
        elif isinstance(b, d.ListBlock):
            for item in b.items:
                _cell_pieces(item, role, depth + 1, mark, out)
        elif isinstance(b, (d.Quote, d.Box)):
            _cell_pieces(b.blocks, role, depth + 1, mark, out)


def _inline_runs(inlines: Sequence[d.Inline], bold: bool, mark: str,
                 out: list[tuple[str, bool]]) -> None:
    """The text of inlines as runs of (text, bold)."""
    for i in inlines:
        if isinstance(i, d.Text):
            out.append((i.text, bold))
        elif isinstance(i, d.Note):
            out.append((mark, bold))  # a mark hugs the word before it
        elif isinstance(i, d.LineBreak):
            out.append(("\n", bold))
        elif isinstance(i, d.Strong):
            _inline_runs(i.children, True, mark, out)
        elif isinstance(i, (d.Emph, d.Link, d.Ref, d.Span, d.Inserted)):
            _inline_runs(i.children, bold, mark, out)


@functools.lru_cache(maxsize=8192)
def _word_ems(face: str, word: str) -> float:
    """A word's advance width in ems of a font file (words repeat across a pack's tables)."""
    from ..fonts import metrics

    return sum(map(metrics(face).width, word))


def least_widths(t: d.Table, ncols: int, sheet: Stylesheet, numbered: int = 0) -> list[float]:
    """Each column's narrowest width (points): its longest unbreakable piece of text (a word
    with the punctuation and note mark against it), in the cell's font, with the list indent
    it stands at and the cell's padding, so that no word is broken at an arbitrary letter.
    ``numbered`` is how many notes have numbers before the table (for the marks' width)."""
    from ..fonts import family

    tl = sheet.table
    own: Counter[d.Note] = Counter()
    _count_marks(t, own)
    mark = "0" * len(str(max(1, numbered + len(own))))
    least = [0.0] * ncols
    indent_em = max(sheet.lists.bullet_indent_em, sheet.lists.ordered_indent_em)
    looks: dict[tuple[str, bool], tuple[float, str]] = {}  # (role, bold): (size, face file)
    for r, row in enumerate((t.header, *t.rows)):
        for c, cell in enumerate(row[:ncols]):
            pieces: list[tuple[str, str, bool, int]] = []
            _cell_pieces(cell.blocks, "th" if r == 0 else None, 0, mark, pieces)
            widest = least[c]
            for word, name, bold, depth in pieces:
                look = looks.get((name, bold))
                if look is None:
                    role = sheet.role(name)
                    fam = family(role.family)
                    look = looks[name, bold] = (
                        role.size, str(fam.bold if (bold or role.bold) else fam.regular))
                em, face = look
                width = em * _word_ems(face, word)
                indent = depth * em * indent_em
                widest = max(widest, width + indent + _WORD_SLACK)
            least[c] = widest
    return [w + tl.pad_left + tl.pad_right if w else 0.0 for w in least]


# --------------------------------------------------------------------------------------------
# Page furniture and dates

_PLACEHOLDER = re.compile(r"\{(page|total)\}")


def fill_label(label: str, page: int, total: int | None) -> str:
    """A page label such as ``"Page {page} of {total}"`` filled in. Only the two placeholders
    are replaced: the label is the template's text, never a format string."""
    values = {"page": str(page), "total": "?" if total is None else str(total)}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], label)


def utc_naive(when: _dt.datetime | _dt.date) -> _dt.datetime:
    """The document date as a naive UTC datetime to the second (a plain date is midnight; a
    naive datetime is taken as UTC)."""
    if not isinstance(when, _dt.datetime):
        when = _dt.datetime(when.year, when.month, when.day)
    if when.tzinfo is not None and when.utcoffset() is not None:
        when = when.astimezone(_dt.UTC).replace(tzinfo=None)
    return when.replace(microsecond=0, tzinfo=None)


def utc_aware(when: _dt.datetime | _dt.date) -> _dt.datetime:
    """The document date as an aware datetime (naive ones taken as UTC), its offset kept."""
    if not isinstance(when, _dt.datetime):
        when = _dt.datetime(when.year, when.month, when.day)
    if when.tzinfo is None or when.utcoffset() is None:
        when = when.replace(tzinfo=_dt.UTC)
    return when


# --------------------------------------------------------------------------------------------
# Text


def drawable(text: str, chars: frozenset[str] | set[str]) -> str:
    """``text`` with U+FFFD (a visible mark) for every character not in ``chars`` (the
    characters the fonts can draw): never a silent box or a vanished letter."""
    if chars.issuperset(text):
        return text
    return "".join(c if c in chars else REPLACEMENT for c in text)


def hang_indent(numbers: Iterable[str], measure: Callable[[str], float], min_indent: float,
                gap: float) -> float:
    """The text indent of numbered paragraphs: room for the widest number (``measure`` gives
    a string's width in points) and ``gap``, at least ``min_indent``, the same for every
    paragraph so that their text stands in one column."""
    widest = max((measure(n) for n in numbers), default=0.0)
    return max(min_indent, widest + gap)


# --------------------------------------------------------------------------------------------
# Images


def fit_box(px_width: float, px_height: float, width: float, max_width: float,
            max_height: float) -> tuple[float, float]:
    """The size (points) of an image shown ``width`` wide in its aspect ratio, never wider than
    ``max_width`` nor taller than ``max_height``."""
    if px_width <= 0 or px_height <= 0:
        raise ValueError("the image has no pixels")
    w = min(width, max_width)
    h = w * px_height / px_width
    if h > max_height:
        h = max_height
        w = h * px_width / px_height
    return w, h
