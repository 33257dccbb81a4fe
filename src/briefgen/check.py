"""Analytic hygiene: what a valid brief may still get wrong, as warnings (``briefgen check``;
``briefgen build`` prints them too).

- relative time in a dated brief ("this week", "yesterday", "last year", a weekday with no date);
- estimative words outside a rating ("probably", "may", "could", "possibly", "perhaps") that are
  not a term of the scale the brief's ratings use;
- key figures with no as-of date (``as_of``, or ``as_of_note`` where the source gives none);
- summary and background sentences after the last citation of their paragraph (a fact stated
  without a source);
- risks that duplicate each other (the same rating and near-identical text);
- a summary of more than four points or about 120 words;
- quotes not found verbatim in their source's local copy (``copy:`` on the source, relative to
  the brief), or a copy that is absent.

Text in quotation marks (“...”, "...") is the source's wording and is not checked for relative
time or estimative words; nor are quotes, date and as-of notes (which keep the source's words on
purpose) or editors' notes. Each finding is a :class:`~briefgen.errors.Diagnostic` located at
its field; :data:`NOTE` leads findings that are information, not warnings (``--strict`` does
not fail on them).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from .errors import Diagnostic
from .estimative import SCALES
from .inline import CITATION
from .loader import Loc, Positions
from .model import Brief
from .validate import dotted, iter_strings

NOTE = "note: "
SUMMARY_POINTS = 4
SUMMARY_WORDS = 120
_PAIRWISE = 100  # risks of one rating compared pairwise; more: identical text only

#: fields whose text keeps the source's own words, or is never printed: not checked for
#: relative time and estimative words
_VERBATIM = {"date_note", "as_of_note", "editor_note", "editorial_notes", "url", "key",
             "copy_path", "scale", "term", "reference", "version", "language", "label"}
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’(?=\W|$)")
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
          r"December)")
_RELATIVE = re.compile(
    r"\b(?:(?:this|last|next|past|previous|coming) (?:week|month|year|weekend|night|"
    r"morning|evening|spring|summer|autumn|fall|winter)|yesterday|today|tomorrow|tonight|"
    r"(?:earlier|later) this (?:week|month|year)|(?:a|one|two|three|few) (?:days|weeks|months|"
    r"years) ago|right now)\b", re.I)
_WEEKDAY_ALONE = re.compile(rf"\b{_WEEKDAY}\b(?!,? \d{{1,2}}\b|,? {_MONTH}\b)")
_ESTIMATIVE = ("probably", "possibly", "perhaps", "may", "might", "could", "likely",
               "unlikely", "conceivably", "presumably", "maybe", "chances are")
_ESTIMATIVE_RE = re.compile(r"\b(" + "|".join(_ESTIMATIVE) + r")\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])[”\"’)]?\s+(?=[A-Z“\"(])")


def check_brief(brief: Brief, positions: Positions | None, file: str) -> list[Diagnostic]:
    """Every analytic-hygiene finding in a brief, in field order."""
    found: list[tuple[Loc, str]] = []
    found += _relative_time(brief)
    found += _estimative(brief)
    found += _undated_figures(brief)
    found += _uncited(brief)
    found += _duplicate_risks(brief)
    found += _long_summary(brief)
    found += _quotes_in_copies(brief, Path(file).parent if positions else None)
    out = []
    for loc, message in found:
        line, col = positions.find(loc) if positions else (None, None)
        out.append(Diagnostic(file, line, col, dotted(loc), message))
    return sorted(out, key=lambda d: (d.line or 0, d.column or 0))


def is_note(d: Diagnostic) -> bool:
    return d.message.startswith(NOTE)


def _free_text(brief: Brief) -> Iterator[tuple[Loc, str]]:
    """Text an analyst wrote (not the source's words), with quoted wording blanked out."""
    for loc, text, _rich in iter_strings(brief):
        names = {p for p in loc if isinstance(p, str)}
        if names & _VERBATIM or (loc and loc[0] == "quotes" and "text" in names) \
                or (loc and loc[0] in ("sources", "originator", "marking")):
            continue
        yield loc, text


@lru_cache(maxsize=4096)
def _unquoted(text: str) -> str:
    """The text without citations and with quoted wording blanked out (a brief repeats text
    through YAML aliases: each distinct text is scanned once)."""
    return _QUOTED.sub(lambda m: " " * len(m.group()), CITATION.sub("", text))


@lru_cache(maxsize=4096)
def _relative_in(text: str) -> tuple[tuple[str, str], ...]:
    clean = _unquoted(text)
    return tuple([("relative", m.group()) for m in _RELATIVE.finditer(clean)]
                 + [("weekday", m.group()) for m in _WEEKDAY_ALONE.finditer(clean)])


@lru_cache(maxsize=4096)
def _estimative_in(text: str) -> tuple[str, ...]:
    return tuple(m.group() for m in _ESTIMATIVE_RE.finditer(_unquoted(text)))


def _relative_time(brief: Brief) -> Iterator[tuple[Loc, str]]:
    for loc, text in _free_text(brief):
        for kind, word in _relative_in(text):
            if kind == "relative":
                yield loc, (f"relative time {word!r} in a brief dated "
                            f"{brief.date.isoformat()}: write the date it means")
            else:
                yield loc, f"the weekday {word!r} without a date: write the date"


def _estimative(brief: Brief) -> Iterator[tuple[Loc, str]]:
    used = {r.likelihood.scale for r in brief.risks if r.likelihood} or {"icd203"}
    terms = {w for key in used for w in SCALES[key].all_terms()}
    names = " / ".join(SCALES[k].name for k in sorted(used))
    for loc, text in _free_text(brief):
        for found in _estimative_in(text):
            word = found.lower()
            if found == "May" or word in terms:
                continue  # the month, or a term of the scale
            yield loc, (f"the estimative word {found!r} outside a rating: state a "
                        f"likelihood with a term of the {names} scale (in a risk's "
                        "likelihood), or say what the source says")


def _undated_figures(brief: Brief) -> Iterator[tuple[Loc, str]]:
    for i, f in enumerate(brief.figures):
        if f.as_of is None and not f.as_of_note:
            yield ("figures", i, "label"), (f"the figure {f.label!r} has no as-of date: give "
                                            "`as_of` (or `as_of_note` where the source gives "
                                            "none)")


def _uncited(brief: Brief) -> Iterator[tuple[Loc, str]]:
    for field in ("summary", "background"):
        for i, text in enumerate(getattr(brief, field)):
            for s in _uncited_in(text):
                yield (field, i), (f"a sentence with no citation after it: {_clip(s)!r}; "
                                   "cite its source ([@key])")


@lru_cache(maxsize=4096)
def _uncited_in(text: str) -> tuple[str, ...]:
    """The sentences after a text's last citation (at least four words each)."""
    cites = list(CITATION.finditer(text))
    tail = text[cites[-1].end():] if cites else text
    return tuple(s for s in _SENTENCE.split(tail.strip()) if len(s.split()) >= 4)


def _duplicate_risks(brief: Brief) -> Iterator[tuple[Loc, str]]:
    def rating(r: object) -> tuple[object, ...]:
        lk = getattr(r, "likelihood", None)
        return (lk.scale, SCALES[lk.scale].find(lk.term), getattr(r, "impact", None)) if lk \
            else (None, None, getattr(r, "impact", None))

    def words(r: object) -> str:
        text = f"{getattr(r, 'title', '')} {getattr(r, 'description', '')}"
        return " ".join(CITATION.sub("", text).lower().split())

    groups: dict[tuple[object, ...], list[int]] = {}
    for j, r in enumerate(brief.risks):
        groups.setdefault(rating(r), []).append(j)
    pairs = []
    for members in groups.values():
        if len(members) <= _PAIRWISE:
            pairs += [(i, j) for n, j in enumerate(members) for i in members[:n]]
        else:  # too many to compare pairwise: identical text only
            first: dict[str, int] = {}
            for j in members:
                i = first.setdefault(words(brief.risks[j]), j)
                if i != j:
                    pairs.append((i, j))
    for i, j in sorted(pairs, key=lambda p: (p[1], p[0])):
        a, b = brief.risks[i], brief.risks[j]
        same = difflib.SequenceMatcher(None, words(a), words(b)).ratio()
        titles = difflib.SequenceMatcher(None, a.title.lower(), b.title.lower()).ratio()
        if same >= 0.8 or titles >= 0.85:
            yield ("risks", j, "title"), (f"risk R{j + 1} {b.title!r} duplicates R{i + 1} "
                                          f"{a.title!r} (the same rating, near-identical "
                                          "text): merge them")


def _long_summary(brief: Brief) -> Iterator[tuple[Loc, str]]:
    n = len(brief.summary)
    if n > SUMMARY_POINTS:
        yield ("summary",), (f"the summary has {n} points: keep to {SUMMARY_POINTS} (the "
                             "bottom line up front)")
    words = sum(len(_plain(t).split()) for t in brief.summary)
    if words > SUMMARY_WORDS * 1.1:
        yield ("summary",), (f"the summary runs to {words} words: keep to about "
                             f"{SUMMARY_WORDS}")


def _quotes_in_copies(brief: Brief, folder: Path | None
                      ) -> Iterator[tuple[Loc, str]]:
    copies: dict[str, str | None] = {}
    for s in brief.sources:
        if not any(q.source == s.key for q in brief.quotes):
            continue
        if s.copy_path is None:
            yield ("sources", brief.sources.index(s), "key"), (
                f"{NOTE}the source {s.key!r} names no local copy (copy:), so its quotes are "
                "not checked against its text; the copy is absent")
            continue
        path = (folder or Path(".")) / s.copy_path
        try:
            copies[s.key] = _normal(path.read_text("utf-8", errors="replace"))
        except OSError:
            copies[s.key] = None
            yield ("sources", brief.sources.index(s), "copy"), (
                f"the local copy {s.copy_path!r} of the source {s.key!r} is absent "
                f"(looked for {path}); its quotes are not checked")
    for i, q in enumerate(brief.quotes):
        text = copies.get(q.source)
        if text is not None and _normal(q.text) not in text:
            yield ("quotes", i, "text"), (f"the quote {_clip(q.text)!r} is not found verbatim "
                                          f"in the local copy of {q.source!r}")


def _normal(text: str) -> str:
    return " ".join(text.split())


def _plain(text: str) -> str:
    return re.sub(r"[*_]|\[([^\]]*)\]\([^)]*\)", r"\1", CITATION.sub("", text))


def _clip(text: str, n: int = 60) -> str:
    text = _normal(text)
    return text if len(text) <= n else text[:n - 1] + "…"
