"""Direction of text, shared by the renderers: which letters are right-to-left, the direction
of a paragraph (its first strong letter, rule P2 of the Unicode bidirectional algorithm), and
the left-to-right mark that keeps neutrals (spaces, punctuation, digits) after a right-to-left
run with the left-to-right text they belong to ("بيان أنصار الله, 12 January 2024" keeps its
comma and date after the Arabic instead of before it)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from .. import document as d
from ..document import replace

__all__ = ["LRM", "RLM", "base_rtl", "has_rtl", "isolate_inlines", "levels", "resolved_levels",
           "rtl_runs", "visual_runs"]

LRM, RLM = "\u200e", "\u200f"


def _kind(c: str) -> str:
    k = unicodedata.bidirectional(c)
    return "R" if k in ("R", "AL") else k


#: the blocks where right-to-left letters live (Hebrew to Arabic Extended, the presentation
#: forms, and the right-to-left blocks of the supplementary planes): a fast first look
_RTL_BLOCKS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
                         "\U00010800-\U00010fff\U0001e800-\U0001efff]")


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter (Hebrew, Arabic, Syriac, Thaana, N'Ko)."""
    if _RTL_BLOCKS.search(text) is None:  # (most text: no character of those blocks at all)
        return False
    return any(_kind(c) == "R" for c in _RTL_BLOCKS.findall(text))


def base_rtl(text: str) -> bool:
    """Whether a paragraph of ``text`` is right-to-left: its first strong letter is."""
    for c in text:
        k = _kind(c)
        if k == "L":
            return False
        if k == "R":
            return True
    return False


def rtl_runs(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into runs, right-to-left ones (from a right-to-left letter to the last
    one before a left-to-right letter, neutrals between included) marked True."""
    out: list[tuple[str, bool]] = []
    start, rtl, last_r = 0, False, -1
    for i, c in enumerate(text):
        k = _kind(c)
        if k == "R":
            if not rtl:
                if i > start:
                    out.append((text[start:i], False))
                start, rtl = i, True
            last_r = i
        elif k == "L" and rtl:
            out.append((text[start:last_r + 1], True))
            start, rtl = last_r + 1, False
    if rtl:
        out.append((text[start:last_r + 1], True))
        start = last_r + 1
    if start < len(text):
        out.append((text[start:], False))
    return [r for r in out if r[0]]


def _texts(inlines: Iterable[d.Inline]) -> Iterator[d.Text]:
    for i in inlines:
        if type(i) is d.Text:
            yield i
        elif type(i) is not d.Note:
            yield from _texts(getattr(i, "children", ()))


def plain(inlines: Iterable[d.Inline]) -> str:
    """The text of a paragraph's inlines (notes left out)."""
    return "".join(t.text for t in _texts(inlines))


def isolate_inlines(inlines: tuple[d.Inline, ...]) -> tuple[d.Inline, ...]:
    """A left-to-right paragraph's inlines with a left-to-right mark after each right-to-left
    run that a left-to-right letter (or the end) follows, placed at the run's first
    non-right-to-left character (in the next text node when the run ends one). Inlines of a
    right-to-left paragraph, or with no right-to-left letter, come back as they are."""
    text = plain(inlines)
    if not has_rtl(text) or base_rtl(text):
        return inlines
    # where marks go, as offsets into the paragraph's text
    marks: list[int] = []
    pending, at = False, -1
    for i, c in enumerate(text):
        k = _kind(c)
        if k == "R":
            pending, at = True, -1
            continue
        if pending and at < 0:
            at = i
        if k == "L" and pending:
            marks.append(at)
            pending = False
    if pending:
        marks.append(at if at >= 0 else len(text))
    if not marks:
        return inlines
    pos = 0

    def walk(nodes: tuple[d.Inline, ...]) -> tuple[d.Inline, ...]:
        nonlocal pos
        out: list[d.Inline] = []
        for n in nodes:
            if type(n) is d.Text:
                start, end = pos, pos + len(n.text)
                here = [m - start for m in marks if start <= m < end
                        or (m == end == len(text))]
                pos = end
                if here:
                    t = n.text
                    for off in sorted(here, reverse=True):
                        t = t[:off] + LRM + t[off:]
                    n = d.Text(t)
                out.append(n)
            elif type(n) is not d.Note and hasattr(n, "children"):
                out.append(replace(n, children=walk(n.children)))
            else:
                out.append(n)
        return tuple(out)

    return walk(tuple(inlines))


def levels(text: str, rtl: bool) -> list[int]:
    """The embedding level of each character of one line of ``text`` in a paragraph of base
    direction ``rtl`` (rules W1 to I2 of the bidirectional algorithm; explicit controls
    count as neutrals): odd levels run right to left."""
    clean = "".join(" " if unicodedata.bidirectional(c) in
                    ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI") else c
                    for c in text)
    out = resolved_levels(clean, rtl)
    return out if out is not None else [int(rtl)] * len(text)


def resolved_levels(text: str, rtl: bool) -> list[int] | None:
    """The levels rules W1 to I2 give each character of ``text`` (python-bidi), or None where
    the algorithm dropped characters (explicit controls) and the levels no longer line up."""
    import bidi.algorithm as alg  # type: ignore[import-untyped]

    storage = alg.get_empty_storage()
    storage["base_level"] = int(rtl)
    storage["base_dir"] = "R" if rtl else "L"
    alg.get_embedding_levels(text, storage)
    alg.explicit_embed_and_overrides(storage)
    alg.resolve_weak_types(storage, False)
    alg.resolve_neutral_types(storage, False)
    alg.resolve_implicit_levels(storage, False)
    out = [ch["level"] for ch in storage["chars"]]
    return out if len(out) == len(text) else None


def visual_runs(items: list[tuple[int, str]], rtl: bool) -> list[int]:
    """The visual order (indices) of runs given as ``(level, text)`` in logical order (rule
    L2: from the highest level to the lowest odd one, reverse each sequence at or above it;
    trailing white space takes the base level, rule L1)."""
    lv = [lev for lev, _ in items]
    k = len(items) - 1
    while k >= 0 and not items[k][1].strip():
        lv[k] = int(rtl)
        k -= 1
    order = list(range(len(items)))
    if not lv:
        return order
    top = max(lv)
    lowest_odd = min((v for v in lv if v % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if lv[order[i]] >= level:
                j = i
                while j < len(order) and lv[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order
