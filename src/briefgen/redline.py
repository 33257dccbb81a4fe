"""Tracked changes: one document that holds a new version with its changes from an old one.

:func:`redline` compares two composed documents (the same template and style, two versions of
a brief) block by block and, inside paragraphs that are the same paragraph reworded, word by
word, as pandoc's document model would carry them: text inserted is an
:class:`~briefgen.document.Inserted` inline and text deleted a
:class:`~briefgen.document.Deleted` one; a paragraph wholly inserted or deleted carries one
such inline over all its text with ``paragraph=True`` (its paragraph mark goes with it), and so
do the paragraphs of a list item or a table row inserted or deleted whole; a figure inserted or
deleted is a :class:`~briefgen.document.Revision`. Blocks are aligned by content: equal blocks
first, then, between them, blocks of one type whose text is similar enough (recursively into
lists, tables, boxes and quotations); the rest are inserted or deleted. A block moved is deleted
where it was and inserted where it is, as in a word processor.

The DOCX renderer writes Word's revision marks (``w:ins``, ``w:del``); the HTML one ``<ins>``
and ``<del>``; the PDF shows the new text (:func:`shown`), with change bars where the style
asks for them.

A note in deleted text is kept where the same note is marked earlier in text that stays (it
then has that note's number, in every format); any other is left out, so that the notes'
numbers are the new version's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from . import document as d
from .document import replace

if TYPE_CHECKING:
    import difflib

__all__ = ["accept", "has_changes", "redline", "reject", "shown"]

T = TypeVar("T")
Kind = Literal["inserted", "deleted"]

#: how similar two blocks of one type must be (difflib ratio of their text) to be one block
#: changed rather than one deleted and another inserted
SIMILAR = 0.5


def redline(old: d.Document, new: d.Document) -> d.Document:
    """``new`` with its changes from ``old`` marked (the new version's properties)."""
    return replace(new, blocks=_known_notes(_blocks(old.blocks, new.blocks), set()))


# --------------------------------------------------------------------------------------------
# Aligning sequences


def _text(node: Any) -> str:
    """All the printed text of a block (or an item, a row: a tuple of them)."""
    if isinstance(node, tuple):
        return "\n".join(_text(n) for n in node)
    if isinstance(node, d.Cell):
        return _text(node.blocks)
    parts: list[str] = []
    for n in d._walk_blocks((node,)):
        if isinstance(n, d.Text):
            parts.append(n.text)
        elif isinstance(n, d.RiskPoint):  # pragma: no cover - charts are not walked
            parts.append(n.label)
    if isinstance(node, d.Figure):
        parts.append(node.alt)
    return " ".join(parts)


def _likeness(node: Any) -> str:
    """The text two blocks are compared by: a table's rows and a list's items sorted, so that
    one reordered is still that table or list."""
    if isinstance(node, d.Table):
        return _text(node.header) + "\n" + "\n".join(sorted(_text(r) for r in node.rows))
    if isinstance(node, d.ListBlock):
        return "\n".join(sorted(_text(i) for i in node.items))
    return _text(node)


def _matcher(a: Sequence[Any], b: Sequence[Any]) -> difflib.SequenceMatcher[Any]:
    import difflib  # (here: a renderer imports this module for shown() alone)

    return difflib.SequenceMatcher(None, a, b, autojunk=False)


def _similar(a: str, b: str) -> float:
    m = _matcher(a, b)
    if m.real_quick_ratio() < SIMILAR or m.quick_ratio() < SIMILAR:
        return 0.0
    return m.ratio()


def _align(old: Sequence[T], new: Sequence[T], same_kind: Callable[[T, T], bool]
           ) -> list[tuple[T | None, T | None]]:
    """``old`` and ``new`` as pairs in reading order: (a, b) the same item (equal, or of one
    kind and similar), (a, None) deleted, (None, b) inserted. Equal items are matched first
    (difflib), then within each gap the pairs that keep order and are most similar (a longest
    common subsequence weighted by similarity)."""
    out: list[tuple[T | None, T | None]] = []
    m = _matcher(list(old), list(new))
    for tag, i1, i2, j1, j2 in m.get_opcodes():
        if tag == "equal":
            out.extend(zip(old[i1:i2], new[j1:j2]))
        else:
            gap = _pair_gap(list(old[i1:i2]), list(new[j1:j2]), same_kind)
            out.extend(gap)
    return out


def _pair_gap(old: list[T], new: list[T], same_kind: Callable[[T, T], bool]
              ) -> list[tuple[T | None, T | None]]:
    n, m = len(old), len(new)
    if not n or not m or n * m > 40_000:
        return [(a, None) for a in old] + [(None, b) for b in new]
    texts_a = [_likeness(a) for a in old]
    texts_b = [_likeness(b) for b in new]
    score = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            if same_kind(old[i], new[j]):
                s = _similar(texts_a[i], texts_b[j])
                score[i][j] = s if s >= SIMILAR else 0.0
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = score[i][j] + best[i + 1][j + 1] if score[i][j] else 0.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out: list[tuple[T | None, T | None]] = []
    i = j = 0
    while i < n and j < m:
        if score[i][j] and best[i][j] == score[i][j] + best[i + 1][j + 1]:
            out.append((old[i], new[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((old[i], None))
            i += 1
        else:
            out.append((None, new[j]))
            j += 1
    out.extend((a, None) for a in old[i:])
    out.extend((None, b) for b in new[j:])
    return out


def _same_type(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, d.Heading):
        return bool(a.level == b.level)
    if isinstance(a, d.Table):
        return bool(a.ncols == b.ncols)
    return True


def _same_row(a: tuple[d.Cell, ...], b: tuple[d.Cell, ...]) -> bool:
    return len(a) == len(b)


# --------------------------------------------------------------------------------------------
# Blocks


def _blocks(old: tuple[d.Block, ...], new: tuple[d.Block, ...]) -> tuple[d.Block, ...]:
    out: list[d.Block] = []
    for a, b in _align(old, new, _same_type):
        if a is not None and b is not None:
            out.extend(_block(a, b))
        elif a is not None:
            out.extend(mark_blocks("deleted", (a,)))
        elif b is not None:
            out.extend(mark_blocks("inserted", (b,)))
    return tuple(out)


def _block(a: d.Block, b: d.Block) -> tuple[d.Block, ...]:
    """Two versions of one block as one block with their changes (or, where they cannot be
    compared inside, the old one deleted and the new one inserted)."""
    if a == b:
        return (b,)
    if isinstance(a, (d.Paragraph, d.Heading)) and type(a) is type(b):
        return (replace(b, children=_inlines(a.children, b.children)),)
    if isinstance(a, d.ListBlock) and isinstance(b, d.ListBlock):
        items: list[tuple[d.Block, ...]] = []
        for ia, ib in _align(a.items, b.items, lambda x, y: True):
            if ia is not None and ib is not None:
                items.append(_blocks(ia, ib))
            elif ia is not None:
                items.append(mark_blocks("deleted", ia))
            elif ib is not None:
                items.append(mark_blocks("inserted", ib))
        return (replace(b, items=tuple(items)),)
    if isinstance(a, d.Table) and isinstance(b, d.Table) and a.ncols == b.ncols:
        rows: list[tuple[d.Cell, ...]] = []
        for ra, rb in _align(a.rows, b.rows, _same_row):
            if ra is not None and rb is not None:
                rows.append(_row(ra, rb))
            elif ra is not None:
                rows.append(_mark_row("deleted", ra))
            elif rb is not None:
                rows.append(_mark_row("inserted", rb))
        return (replace(b, header=_row(a.header, b.header), rows=tuple(rows),
                        caption=_inlines(a.caption, b.caption)),)
    if isinstance(a, d.Box) and isinstance(b, d.Box):
        return (replace(b, title=_inlines(a.title, b.title), blocks=_blocks(a.blocks, b.blocks)),)
    if isinstance(a, d.Quote) and isinstance(b, d.Quote):
        return (replace(b, blocks=_blocks(a.blocks, b.blocks),
                        attribution=_inlines(a.attribution, b.attribution)),)
    if isinstance(a, d.TitleBlock) and isinstance(b, d.TitleBlock):
        old_fields = {f.label: f for f in a.fields}
        fields = tuple(replace(f, value=_inlines(old_fields[f.label].value, f.value))
                       if f.label in old_fields else replace(f, value=_whole("inserted", f.value))
                       for f in b.fields)
        return (replace(b, title=_inlines(a.title, b.title),
                        subtitle=_inlines(a.subtitle, b.subtitle), fields=fields),)
    if isinstance(a, (d.Contents, d.NotesList, d.PageBreak)) and type(a) is type(b):
        return (b,)
    return (*mark_blocks("deleted", (a,)), *mark_blocks("inserted", (b,)))


def _row(a: tuple[d.Cell, ...], b: tuple[d.Cell, ...]) -> tuple[d.Cell, ...]:
    return tuple(d.Cell(_blocks(ca.blocks, cb.blocks)) for ca, cb in zip(a, b))


def _mark_row(kind: Kind, row: tuple[d.Cell, ...]) -> tuple[d.Cell, ...]:
    return tuple(d.Cell(mark_blocks(kind, c.blocks)) for c in row)


def mark_blocks(kind: Kind, blocks: tuple[d.Block, ...]) -> tuple[d.Block, ...]:
    """``blocks`` wholly inserted or deleted: every paragraph's text and mark, every list item,
    every table row; a figure as a :class:`~briefgen.document.Revision`. Contents, notes lists
    and page breaks deleted are dropped (they cannot carry a mark)."""
    out: list[d.Block] = []
    for b in blocks:
        if isinstance(b, (d.Paragraph, d.Heading)):
            out.append(replace(b, children=_whole(kind, b.children)))
        elif isinstance(b, d.ListBlock):
            out.append(replace(b, items=tuple(mark_blocks(kind, item) for item in b.items)))
        elif isinstance(b, d.Table):
            out.append(replace(b, header=_mark_row(kind, b.header),
                               rows=tuple(_mark_row(kind, r) for r in b.rows),
                               caption=_whole(kind, b.caption) if b.caption else ()))
        elif isinstance(b, d.Box):
            out.append(replace(b, title=_whole(kind, b.title) if b.title else (),
                               blocks=mark_blocks(kind, b.blocks)))
        elif isinstance(b, d.Quote):
            out.append(replace(b, blocks=mark_blocks(kind, b.blocks),
                               attribution=_whole(kind, b.attribution) if b.attribution
                               else ()))
        elif isinstance(b, d.TitleBlock):
            out.append(replace(b, title=_whole(kind, b.title),
                               subtitle=_whole(kind, b.subtitle) if b.subtitle else (),
                               fields=tuple(replace(f, value=_whole(kind, f.value))
                                            for f in b.fields)))
        elif isinstance(b, (d.Contents, d.NotesList, d.PageBreak)):
            if kind == "inserted":
                out.append(b)
        elif isinstance(b, d.Revision):
            out.append(b)
        else:
            out.append(d.Revision(kind, (b,)))
    return tuple(out)


def _whole(kind: Kind, inlines: tuple[d.Inline, ...]) -> tuple[d.Inline, ...]:
    return (_wrap(kind, inlines, True),)


def _wrap(kind: Kind, inlines: tuple[d.Inline, ...], paragraph: bool = False) -> d.Inline:
    if kind == "inserted":
        return d.Inserted(inlines, paragraph)
    return d.Deleted(inlines, paragraph)


def _known_notes(node: Any, seen: set[d.Note]) -> Any:
    """``node`` with each note in deleted text left out unless the same note is marked before
    it in text that stays (``seen``, filled in reading order)."""
    if isinstance(node, tuple):
        return tuple(_known_notes(n, seen) for n in node)
    if isinstance(node, d.Note):
        seen.add(node)
        return node
    if isinstance(node, d.Deleted):
        return replace(node, children=_seen_only(node.children, seen))
    if isinstance(node, d.Revision) and node.kind == "deleted":
        return replace(node, blocks=_without_notes(node.blocks))
    if isinstance(node, (d.Text, d.LineBreak, d.Meta, d.Figure, d.Contents, d.NotesList,
                         d.PageBreak)) or not d.is_node(node):
        return node
    return replace(node, **{f: _known_notes(getattr(node, f), seen)
                            for f in d.field_names(type(node))})


def _seen_only(inlines: tuple[d.Inline, ...], seen: set[d.Note]) -> tuple[d.Inline, ...]:
    out: list[d.Inline] = []
    for i in inlines:
        if isinstance(i, d.Note):
            if i in seen:
                out.append(i)
        elif isinstance(i, (d.Strong, d.Emph, d.Link, d.Ref, d.Inserted, d.Deleted)):
            out.append(replace(i, children=_seen_only(i.children, seen)))
        else:
            out.append(i)
    return tuple(out)


def _without_notes(inlines: Any) -> Any:
    out: list[Any] = []
    for i in inlines:
        if isinstance(i, d.Note):
            continue
        if isinstance(i, (d.Strong, d.Emph, d.Link, d.Ref, d.Inserted, d.Deleted, d.Paragraph,
                          d.Heading)):
            out.append(replace(i, children=_without_notes(i.children)))
        elif isinstance(i, d.Figure):
            out.append(replace(i, caption=_without_notes(i.caption)))
        else:
            out.append(i)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Inlines, word by word

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

#: a formatting wrapper, as a hashable path step: ("b",), ("i",), ("a", url), ("ref", anchor)
Step = tuple[str, ...]
Token = tuple[tuple[Step, ...], Any]  # (path, a word or space as str, or an atomic inline)


def _tokens(inlines: tuple[d.Inline, ...], path: tuple[Step, ...] = ()) -> list[Token]:
    out: list[Token] = []
    for i in inlines:
        if isinstance(i, d.Text):
            out.extend((path, t) for t in _TOKEN.findall(i.text))
        elif isinstance(i, d.Strong):
            out.extend(_tokens(i.children, (*path, ("b",))))
        elif isinstance(i, d.Emph):
            out.extend(_tokens(i.children, (*path, ("i",))))
        elif isinstance(i, d.Link):
            out.extend(_tokens(i.children, (*path, ("a", i.url))))
        elif isinstance(i, d.Ref):
            out.extend(_tokens(i.children, (*path, ("ref", i.anchor))))
        else:  # a note, a line break: one token
            out.append((path, i))
    return out


def _build(tokens: Sequence[Token], depth: int = 0) -> tuple[d.Inline, ...]:
    """Inlines from tokens: runs of one path nested again, adjacent words one Text."""
    out: list[d.Inline] = []
    k = 0
    while k < len(tokens):
        path, item = tokens[k]
        if len(path) > depth:
            step = path[depth]
            end = k
            while end < len(tokens) and len(tokens[end][0]) > depth and \
                    tokens[end][0][depth] == step:
                end += 1
            children = _build(tokens[k:end], depth + 1)
            out.append(_node(step, children))
            k = end
            continue
        if isinstance(item, str):
            if out and isinstance(out[-1], d.Text):
                out[-1] = d.Text(out[-1].text + item)
            else:
                out.append(d.Text(item))
        else:
            out.append(item)
        k += 1
    return tuple(out)


def _node(step: Step, children: tuple[d.Inline, ...]) -> d.Inline:
    if step[0] == "b":
        return d.Strong(children)
    if step[0] == "i":
        return d.Emph(children)
    if step[0] == "a":
        return d.Link(step[1], children)
    if step[0] == "ins":
        return d.Inserted(children)
    if step[0] == "del":
        return d.Deleted(children)
    return d.Ref(step[1], children)


def _is_space(t: Token) -> bool:
    return isinstance(t[1], str) and not t[1].strip()


def _inlines(old: tuple[d.Inline, ...], new: tuple[d.Inline, ...]) -> tuple[d.Inline, ...]:
    """``new`` with the words inserted and deleted since ``old`` marked."""
    if old == new:
        return new
    if not old:
        return (d.Inserted(new),) if new else ()
    if not new:
        return (d.Deleted(old),)
    a, b = _tokens(old), _tokens(new)
    ops = _matcher(a, b).get_opcodes()
    # a change, spaces, a change: one change (not "-a +x _ -b +y" for "a b" -> "x y")
    merged: list[list[Any]] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        inner = 0 < k < len(ops) - 1
        if tag == "equal" and inner and all(_is_space(t) for t in a[i1:i2]):
            tag = "replace"
        if merged and tag != "equal" and merged[-1][0] != "equal":
            merged[-1][2], merged[-1][4] = i2, j2
        else:
            merged.append([tag, i1, i2, j1, j2])
    # one stream, each change's words marked by an innermost path step, so that a change
    # inside bold text stays inside it: Strong("at least ", Deleted("200"), Inserted("5,000"))
    stream: list[Token] = []
    for tag, i1, i2, j1, j2 in merged:
        if tag == "equal":
            stream.extend(b[j1:j2])
            continue
        stream.extend(((*p, ("del",)), t) for p, t in a[i1:i2])
        stream.extend(((*p, ("ins",)), t) for p, t in b[j1:j2])
    return _build(stream)


# --------------------------------------------------------------------------------------------
# Views


def has_changes(inlines: tuple[d.Inline, ...]) -> bool:
    """Whether inlines hold an insertion or a deletion (a paragraph beside a change bar)."""
    return any(isinstance(i, (d.Inserted, d.Deleted)) for i in d.walk_inlines(inlines)) or \
        any(isinstance(i, d.Deleted) for i in inlines)


def _gone(inlines: tuple[d.Inline, ...]) -> bool:
    return len(inlines) == 1 and isinstance(inlines[0], d.Deleted) and inlines[0].paragraph


def shown(doc: d.Document) -> d.Document:
    """The document as a format that shows only the new text prints it: paragraphs, list
    items, table rows and figures deleted whole left out (deleted words are left out by the
    renderer; inserted text stays marked, for change bars). A document without tracked
    changes is returned as it is."""
    if not any(isinstance(n, (d.Inserted, d.Deleted, d.Revision)) for n in _walk_all(doc.blocks)):
        return doc
    return replace(doc, blocks=_shown_blocks(doc.blocks))


def _walk_all(blocks: tuple[d.Block, ...]) -> Any:
    for n in d._walk_blocks(blocks):
        yield n
        if isinstance(n, d.Revision):
            yield from _walk_all(n.blocks)


def _shown_blocks(blocks: tuple[d.Block, ...]) -> tuple[d.Block, ...]:
    """The blocks shown; where some were left out, an empty deletion marks the place (the
    start of the next block shown, else the end of the one before), for a change bar."""
    out: list[d.Block] = []
    gap = False
    for b in blocks:
        s = _shown_block(b)
        if s is None:
            gap = True
            continue
        out.append(_flagged(s) if gap else s)
        gap = False
    if gap and out:
        out[-1] = _flagged(out[-1], at_end=True)
    return tuple(out)


def _shown_items(items: tuple[tuple[d.Block, ...], ...]) -> tuple[tuple[d.Block, ...], ...]:
    """List items or table rows (as tuples of blocks) shown, as :func:`_shown_blocks`."""
    out: list[tuple[d.Block, ...]] = []
    gap = False
    for item in items:
        shown_item = _shown_blocks(item)
        if not shown_item and item:
            gap = True
            continue
        if gap and shown_item:
            shown_item = (_flagged(shown_item[0]), *shown_item[1:])
        out.append(shown_item)
        gap = False
    if gap and out and out[-1]:
        out[-1] = (*out[-1][:-1], _flagged(out[-1][-1], at_end=True))
    return tuple(out)


def _flagged(b: d.Block, at_end: bool = False) -> d.Block:
    """``b`` with an empty deletion at the start (or end) of its first (or last) paragraph."""
    mark = d.Deleted(())
    if isinstance(b, (d.Paragraph, d.Heading)):
        children = (*b.children, mark) if at_end else (mark, *b.children)
        return replace(b, children=children)
    if isinstance(b, d.ListBlock) and b.items and b.items[-1 if at_end else 0]:
        k = -1 if at_end else 0
        item = b.items[k]
        inner = _flagged(item[k], at_end)
        item = (*item[:-1], inner) if at_end else (inner, *item[1:])
        items = (*b.items[:-1], item) if at_end else (item, *b.items[1:])
        return replace(b, items=items)
    if isinstance(b, (d.Box, d.Quote)) and b.blocks:
        inner = _flagged(b.blocks[-1 if at_end else 0], at_end)
        blocks = (*b.blocks[:-1], inner) if at_end else (inner, *b.blocks[1:])
        return replace(b, blocks=blocks)
    return b


def _shown_block(b: d.Block) -> d.Block | None:
    if isinstance(b, (d.Paragraph, d.Heading)):
        return None if _gone(b.children) else b
    if isinstance(b, d.ListBlock):
        items = tuple(i for i in _shown_items(b.items) if i)
        return replace(b, items=items) if items else None
    if isinstance(b, d.Table):
        def keep(row: tuple[d.Cell, ...]) -> bool:
            return not all(all(isinstance(x, d.Paragraph) and _gone(x.children)
                               for x in c.blocks) for c in row)
        if not keep(b.header):
            return None
        rows: list[tuple[d.Cell, ...]] = []
        gap = False
        for r in b.rows:
            if not keep(r):
                gap = True
                continue
            cells = [d.Cell(_shown_blocks(c.blocks)) for c in r]
            if gap and cells and cells[0].blocks:
                cells[0] = d.Cell((_flagged(cells[0].blocks[0]), *cells[0].blocks[1:]))
            rows.append(tuple(cells))
            gap = False
        return replace(b, header=tuple(d.Cell(_shown_blocks(c.blocks)) for c in b.header),
                       rows=tuple(rows), caption=() if _gone(b.caption) else b.caption)
    if isinstance(b, d.Box):
        inner = _shown_blocks(b.blocks)
        return replace(b, blocks=inner) if inner or not b.blocks else None
    if isinstance(b, d.Quote):
        inner = _shown_blocks(b.blocks)
        return replace(b, blocks=inner) if inner or not b.blocks else None
    if isinstance(b, d.Revision):
        return None if b.kind == "deleted" else b
    return b


# --------------------------------------------------------------------------------------------
# Accepting and rejecting (for tests, and for a reviewer's tools)


def accept(doc: d.Document) -> d.Document:
    """The new version: every insertion kept, every deletion dropped."""
    return replace(doc, blocks=_resolve(doc.blocks, "inserted"))


def reject(doc: d.Document) -> d.Document:
    """The old version (but for notes in deleted text): every deletion kept, every insertion
    dropped."""
    return replace(doc, blocks=_resolve(doc.blocks, "deleted"))


def _resolve(blocks: tuple[d.Block, ...], keep: Kind) -> tuple[d.Block, ...]:
    drop = d.Deleted if keep == "inserted" else d.Inserted
    out: list[d.Block] = []
    for b in blocks:
        if isinstance(b, (d.Paragraph, d.Heading)):
            if len(b.children) == 1 and isinstance(b.children[0], drop) and \
                    b.children[0].paragraph:
                continue
            out.append(replace(b, children=_resolve_inlines(b.children, keep)))
        elif isinstance(b, d.ListBlock):
            items = tuple(i for i in (_resolve(item, keep) for item in b.items) if i)
            if items:
                out.append(replace(b, items=items))
        elif isinstance(b, d.Table):
            def res_row(r: tuple[d.Cell, ...]) -> tuple[d.Cell, ...] | None:
                cells = tuple(d.Cell(_resolve(c.blocks, keep)) for c in r)
                gone = all(not c.blocks for c in cells) and any(c.blocks for c in r)
                return None if gone else cells
            header = res_row(b.header)
            if header is None:
                continue
            rows = tuple(r for r in (res_row(r) for r in b.rows) if r is not None)
            out.append(replace(b, header=header, rows=rows,
                               caption=_resolve_inlines(b.caption, keep)))
        elif isinstance(b, d.Box):
            inner = _resolve(b.blocks, keep)
            if inner or not b.blocks:
                out.append(replace(b, blocks=inner, title=_resolve_inlines(b.title, keep)))
        elif isinstance(b, d.Quote):
            inner = _resolve(b.blocks, keep)
            if inner or not b.blocks:
                out.append(replace(b, blocks=inner,
                                   attribution=_resolve_inlines(b.attribution, keep)))
        elif isinstance(b, d.TitleBlock):
            out.append(replace(b, title=_resolve_inlines(b.title, keep),
                               subtitle=_resolve_inlines(b.subtitle, keep),
                               fields=tuple(replace(f, value=_resolve_inlines(f.value, keep))
                                            for f in b.fields)))
        elif isinstance(b, d.Revision):
            if b.kind == keep:
                out.extend(_resolve(b.blocks, keep))
        else:
            out.append(b)
    return tuple(out)


def _resolve_inlines(inlines: tuple[d.Inline, ...], keep: Kind) -> tuple[d.Inline, ...]:
    out: list[d.Inline] = []
    for i in inlines:
        if isinstance(i, (d.Inserted, d.Deleted)):
            if (keep == "inserted") == isinstance(i, d.Inserted):
                out.extend(_resolve_inlines(i.children, keep))
        elif isinstance(i, (d.Strong, d.Emph, d.Link, d.Ref)):
            out.append(replace(i, children=_resolve_inlines(i.children, keep)))
        else:
            out.append(i)
    merged: list[d.Inline] = []
    for i in out:
        if merged and isinstance(i, d.Text) and isinstance(merged[-1], d.Text):
            merged[-1] = d.Text(merged[-1].text + i.text)
        else:
            merged.append(i)
    return tuple(merged)
