"""Rich text: light Markdown inline formatting and pandoc-style citations, parsed to inlines.

Supported: ``**bold**``, ``*italic*`` (and the underscore forms), ``[text](https://...)``,
``<https://...>``, backslash escapes, citations ``[@key]``, ``[@key, p. 3]``, ``[@a; @b]``, and
text in a language of its own, pandoc's bracketed span ``[أنصار الله]{lang=ar}`` (a
:class:`~briefgen.document.Span`: only ``lang=`` with a BCP 47 tag, no bracket inside; any
other attribute, or an invalid tag, leaves the text as written). Everything else (HTML,
entities, ReportLab tags, Jinja syntax) is literal text. Links are kept only for http, https
and mailto; any other link prints as the text that was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import TYPE_CHECKING

from .document import Emph, Inline, LineBreak, Link, Span, Strong, Text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_CITE_KEY = re.compile(r"@(?P<key>[A-Za-z0-9][A-Za-z0-9_.:-]*[A-Za-z0-9_])|@(?P<one>[A-Za-z0-9])")
_KEY_START = re.compile(r"@[A-Za-z0-9]")
_BRACKET = re.compile(r"[\[\]]")
#: Marks where a citation group stands while the rest is parsed: control characters that the
#: model refuses in every text field, so a brief cannot type them (they are removed here too).
_OPEN, _CLOSE = "\x02", "\x03"
#: stand-ins for brackets that cannot open a link (see _plain_brackets): control characters
#: that a brief cannot contain, so markdown-it reads them as plain text
_LBRACKET, _RBRACKET = "\x0e", "\x0f"
_BRACKETS = str.maketrans({_LBRACKET: "[", _RBRACKET: "]"})
#: characters the enabled markdown-it rules act on (emphasis, link, escape, autolink, newline)
_MARKUP = re.compile(r"[*_\[\\<\n]")
_PLACEHOLDER = re.compile("\x02(\\d+)\x03|\x10(\\d+)\x11")
#: Marks where a language span stands while the rest is parsed (control characters, as above)
_SOPEN, _SCLOSE = "\x10", "\x11"
#: ``[text]{lang=tag}``: the span's attributes, checked where a ``]`` is followed by ``{``
#: (anchored, one bounded pass: no backtracking)
_SPAN_ATTRS = re.compile(r"\{lang=([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\}")
ALLOWED_SCHEMES = ("http://", "https://", "mailto:")

#: A citation: the key and the locator written after it (", p. 3"), possibly empty.
Citation = tuple[str, str]


class _CitationMatch:
    """A bracket group that holds a citation: ``[`` body ``]``, the body without brackets."""

    __slots__ = ("_end", "_start", "string")

    def __init__(self, string: str, start: int, end: int) -> None:
        self.string, self._start, self._end = string, start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, name: int | str = 0) -> str:
        if name == "body":
            return self.string[self._start + 1:self._end - 1]
        return self.string[self._start:self._end]


class _CitationPattern:
    """Finds ``[...@key...]`` groups (no bracket inside) in one left-to-right pass: linear
    time whatever the text (a regular expression backtracks badly on ``[@a@a@a...``)."""

    def finditer(self, text: str) -> Iterator[_CitationMatch]:
        i = text.find("[")
        while i != -1:
            b = _BRACKET.search(text, i + 1)
            if b is None:
                return
            j = b.start()
            if text[j] == "]" and _KEY_START.search(text, i + 1, j):
                yield _CitationMatch(text, i, j + 1)
                i = text.find("[", j + 1)
            else:
                i = j if text[j] == "[" else text.find("[", j + 1)

    def sub(self, repl: str | Callable[[_CitationMatch], str], text: str) -> str:
        out: list[str] = []
        pos = 0
        for m in self.finditer(text):
            out.append(text[pos:m.start()])
            out.append(repl(m) if callable(repl) else repl)
            pos = m.end()
        out.append(text[pos:])
        return "".join(out)


CITATION = _CitationPattern()


def _spans(text: str, repl: Callable[[str, str], str]) -> str:
    """``text`` with each ``[body]{lang=tag}`` (no bracket in the body, a ``[`` not escaped)
    replaced by ``repl(body, tag)``, in one left-to-right pass (linear time)."""
    if "]{" not in text:
        return text
    out: list[str] = []
    pos = 0
    i = text.find("[")
    while i != -1:
        if i > 0 and text[i - 1] == "\\":
            i = text.find("[", i + 1)
            continue
        b = _BRACKET.search(text, i + 1)
        if b is None:
            break
        j = b.start()
        if text[j] == "[":
            i = j
            continue
        m = _SPAN_ATTRS.match(text, j + 1) if text.startswith("{", j + 1) else None
        if m is not None and j > i + 1:
            out.append(text[pos:i])
            out.append(repl(text[i + 1:j], m.group(1)))
            pos = m.end()
            i = text.find("[", pos)
        else:
            i = text.find("[", j + 1)
    out.append(text[pos:])
    return "".join(out)


def citations(text: str) -> Iterator[tuple[Citation, int]]:
    """Every citation in ``text`` with its character offset (for error positions)."""
    for m in CITATION.finditer(text):
        for part in m.group("body").split(";"):
            k = _CITE_KEY.search(part)
            if k:
                yield (k.group("key") or k.group("one"), part[k.end():].strip(" ,")), m.start()


@lru_cache(maxsize=1024)
def _group_citations(group: str) -> list[Citation]:
    """The citations of one bracket group (the same group recurs throughout a brief)."""
    return [c for c, _ in citations(group)]


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    """The parser, made (and markdown-it imported: about 10 ms) the first time a text has
    something for it to act on."""
    from markdown_it import MarkdownIt

    return MarkdownIt("zero").enable(["emphasis", "link", "escape", "autolink", "newline"])


def _plain_brackets(text: str) -> str:
    """``text`` with every square bracket that cannot open a link set aside as a stand-in
    character: a ``[`` never closed, and a pair inside another pair. markdown-it looks for
    the end of a link label from every ``[`` afresh, which takes quadratic time on thousands
    of unclosed or nested brackets (and an escape per bracket costs a token each); after this
    linear pass every ``[`` it sees has its ``]`` at the same depth."""
    if "[" not in text:
        return text
    escape: set[int] = set()
    stack: list[int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            stack.append(i)
        elif c == "]" and stack:
            j = stack.pop()
            if stack:  # a pair inside a pair: text, not a label
                escape.update((i, j))
        i += 1
    escape.update(stack)  # never closed
    if not escape:
        return text
    return "".join((_LBRACKET if ch == "[" else _RBRACKET) if k in escape else ch
                   for k, ch in enumerate(text))


def _prepare(text: str, citing: bool) -> tuple[str, list[list[Citation]], list[tuple[str, str]]]:
    """What :func:`parse_inline` hands markdown-it for ``text``: the text with each citation
    group (when ``citing``; else escaped) and each language span set aside as a numbered
    placeholder, and brackets that cannot open a link as stand-ins; with the groups and the
    spans' (body, language) in order."""
    groups: list[list[Citation]] = []

    def hold(m: _CitationMatch) -> str:
        cites = _group_citations(m.group(0))
        if not cites or not citing:
            return m.group(0).replace("[", "\\[").replace("]", "\\]")
        groups.append(cites)
        return f"{_OPEN}{len(groups) - 1}{_CLOSE}"

    spans: list[tuple[str, str]] = []

    def span(body: str, lang: str) -> str:
        spans.append((body, lang))
        return f"{_SOPEN}{len(spans) - 1}{_SCLOSE}"

    for marker in (_OPEN, _CLOSE, _LBRACKET, _RBRACKET, _SOPEN, _SCLOSE):
        if marker in text:
            text = text.replace(marker, "")
    return _plain_brackets(CITATION.sub(hold, _spans(text, span))), groups, spans


#: What markdown-it made of each prepared text (placeholders not yet expanded), parsed ahead
#: of the template by a child, for the composing that :func:`parsed_ahead` surrounds
_AHEAD: ContextVar[Mapping[str, tuple[Inline, ...]] | None] = ContextVar(
    "briefgen_markdown_ahead", default=None)


def _markdown(prepared: str) -> tuple[Inline, ...]:
    """The inlines markdown-it makes of ``prepared`` (placeholders still in its texts)."""
    ahead = _AHEAD.get()
    hit = ahead.get(prepared) if ahead is not None else None
    if hit is not None:
        return hit
    tokens = _md().parseInline(prepared)
    children = tokens[0].children or [] if tokens else []
    return tuple(_build(children, 0, None)[0])


def _markdown_inputs(text: str, citing: bool = True) -> Iterator[str]:
    """The prepared texts :func:`parse_inline` (with citations turned into notes, as a pack
    template's ``rich`` filter does) would hand markdown-it for ``text`` and its spans."""
    prepared, _groups, spans = _prepare(text, citing)
    if _MARKUP.search(prepared):
        yield prepared
    for body, _lang in spans:
        yield from _markdown_inputs(body, False)


def parse_markdown(texts: Iterable[str]) -> dict[str, tuple[Inline, ...]]:
    """What markdown-it makes of the rich texts ``texts``, ahead of the template: a process
    with a core to spare (the one rendering child, waiting for its document) parses them
    while the one that composes imports the template engine, and composing within
    :func:`parsed_ahead` there spares that one markdown-it (about 20 ms with its import). A
    text not parsed here is parsed when the template reaches it, to the same inlines."""
    out: dict[str, tuple[Inline, ...]] = {}
    for text in texts:
        for prepared in _markdown_inputs(text):
            if prepared not in out:
                out[prepared] = _markdown(prepared)
    return out


@contextmanager
def parsed_ahead(parsed: Mapping[str, tuple[Inline, ...]] | None) -> Iterator[None]:
    """Within the block, take what :func:`parse_markdown` made (in this process or another)
    as parsed (nothing is kept after it)."""
    token = _AHEAD.set(parsed or None)
    try:
        yield
    finally:
        _AHEAD.reset(token)


def parse_inline(text: str,
                 cite: Callable[[list[Citation]], tuple[Inline, ...]] | None = None
                 ) -> tuple[Inline, ...]:
    """Parse rich text into inlines. ``cite`` turns the citations of one bracket group into
    inlines (typically one :class:`~briefgen.document.Note`); without it citations stay text."""
    prepared, groups, span_texts = _prepare(text, cite is not None)
    spans = [Span(lang, parse_inline(body)) for body, lang in span_texts]
    if _MARKUP.search(prepared):
        out: tuple[Inline, ...] | list[Inline] = _markdown(prepared)
    else:  # nothing markdown-it would act on: plain text (it stops at every '@' and '.')
        out = [Text(prepared)] if prepared else []

    def expand(node: Inline) -> list[Inline]:
        if isinstance(node, Text):
            res: list[Inline] = []
            pos = 0
            for m in _PLACEHOLDER.finditer(node.text):
                if m.start() > pos:
                    res.append(Text(node.text[pos:m.start()].translate(_BRACKETS)))
                if m.group(2) is not None:
                    res.append(spans[int(m.group(2))])
                else:
                    res.extend(cite(groups[int(m.group(1))]) if cite else ())
                pos = m.end()
            if pos < len(node.text):
                res.append(Text(node.text[pos:].translate(_BRACKETS)))
            return res
        if isinstance(node, (Strong, Emph)):
            return [type(node)(tuple(x for c in node.children for x in expand(c)))]
        if isinstance(node, Link):
            return [Link(node.url.translate(_BRACKETS),
                         tuple(x for c in node.children for x in expand(c)))]
        return [node]

    return _merge_text(tuple(x for n in out for x in expand(n)))


def _build(tokens: list, i: int, closing: str | None) -> tuple[list[Inline], int]:
    out: list[Inline] = []
    while i < len(tokens):
        t = tokens[i]
        if closing and t.type == closing:
            return out, i + 1
        if t.type == "text":
            out.append(Text(t.content))
        elif t.type == "softbreak":
            out.append(Text(" "))
        elif t.type == "hardbreak":
            out.append(LineBreak())
        elif t.type in ("strong_open", "em_open"):
            inner, i = _build(tokens, i + 1, t.type.replace("_open", "_close"))
            out.append((Strong if t.type == "strong_open" else Emph)(tuple(inner)))
            continue
        elif t.type == "link_open":
            inner, i = _build(tokens, i + 1, "link_close")
            href = str(t.attrs.get("href", ""))
            if href.lower().startswith(ALLOWED_SCHEMES):
                out.append(Link(href, tuple(inner)))
            elif t.markup == "autolink":
                out.append(Text(f"<{href}>"))
            else:
                out.append(Text("["))
                out.extend(inner)
                out.append(Text(f"]({href})"))
            continue
        else:
            out.append(Text(t.content))
        i += 1
    return out, i


def _merge_text(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for n in nodes:
        if isinstance(n, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + n.text)
        elif isinstance(n, Text) and not n.text:
            continue
        else:
            out.append(n)
    return tuple(out)
