"""What changed between two versions of a brief, in the brief's own terms.

Not a text diff: items are matched by meaning (a key figure by its label, a risk by its title,
an actor by name, a source by key; list items and quotes by the similarity of their text), so
that reordering a list is one "reordered" change, not a removal and an addition, and a line
reworded is "changed", not "removed" and "added". :func:`diff_briefs` gives a list of
:class:`Change`; each says itself in words for a reader (:meth:`Change.describe`) and as plain
data (:meth:`Change.as_dict`, for ``briefgen diff --json``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .model import Brief

__all__ = ["Change", "changes_since", "diff_briefs", "format_changes"]

Kind = Literal["added", "removed", "changed", "reordered"]

#: how similar two texts must be (difflib ratio) to be one item reworded, not two items
SIMILAR = 0.6

#: sections, in the order a brief reads, with the words a reader sees
SECTIONS = {
    "title": "Title", "subtitle": "Subtitle", "reference": "Reference", "version": "Version",
    "date": "Date", "as_of": "Facts as of", "purpose": "Purpose", "audience": "Audience",
    "marking": "Handling marking", "originator": "Originator", "summary": "Summary point",
    "objectives": "Objective", "recommendations": "Recommendation",
    "lines_to_take": "Line to take", "qa": "Question", "background": "Background paragraph",
    "figures": "Key figure", "actors": "Actor", "agreements": "Agreement",
    "timeline": "Event", "risks": "Risk", "quotes": "Quote", "sections": "Section",
    "sources": "Source",
}

#: changes a reader of the pack is told about (the "changes since" box): figures, ratings,
#: items added and removed; rewording and reordering are for the drafter
NOTEWORTHY_FIELDS = {"value", "likelihood", "impact", "as_of", "status", "marking"}


@dataclass(frozen=True)
class Change:
    kind: Kind
    section: str  # a key of SECTIONS
    item: str  # the item's name: a figure's label, a risk's title, a line's first words
    field: str | None = None  # what changed in the item (None: the item itself)
    old: str | None = None
    new: str | None = None

    @property
    def noteworthy(self) -> bool:
        """Whether a reader of the new pack should be told (see NOTEWORTHY_FIELDS)."""
        if self.kind in ("added", "removed"):
            return True
        return self.kind == "changed" and (self.field in NOTEWORTHY_FIELDS
                                           or self.section == "marking")

    def describe(self) -> str:
        what = SECTIONS.get(self.section, self.section)
        name = f"\u201c{self.item}\u201d" if self.item else ""
        if self.kind == "added":
            return f"{what} added: {name}".rstrip(": ")
        if self.kind == "removed":
            return f"{what} removed: {name}".rstrip(": ")
        if self.kind == "reordered":
            plural = {"lines_to_take": "Lines to take"}.get(self.section, f"{what}s")
            return f"{plural}: order changed"
        field = f" {self.field.replace('_', ' ')}" if self.field else ""
        head = f"{what} {name}{field}".replace("  ", " ").strip()
        if self.old is not None and self.new is not None and \
                max(len(self.old), len(self.new)) <= 80:
            return f"{head}: {self.old} \u2192 {self.new}"
        return f"{head} changed"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "description": self.describe()}


# --------------------------------------------------------------------------------------------
# Words for values


def _num(v: float) -> str:
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,}"
    return f"{int(v):,}"


def _figure_value(f: Any) -> str:
    q = "" if f.qualifier == "exactly" else f"{f.qualifier} "
    unit = f" {f.unit}" if f.unit else ""
    if f.unit in ("%", "per cent"):
        unit = "%" if f.unit == "%" else " per cent"
    return f"{q}{_num(f.value)}{unit}"


def _likelihood(r: Any) -> str | None:
    if r.likelihood is None:
        return None
    scale = {"icd203": "ICD 203", "phia": "PHIA"}.get(r.likelihood.scale, r.likelihood.scale)
    return f"{r.likelihood.term} ({scale})"


def _plain(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        return "; ".join(str(_plain(x)) for x in v) or None
    if hasattr(v, "model_dump"):
        return ", ".join(f"{k}: {x}" for k, x in v.model_dump(exclude_none=True).items())
    return str(v)


def _short(text: str, words: int = 8) -> str:
    parts = re.sub(r"\s+", " ", text).strip().split(" ")
    return " ".join(parts[:words]) + ("\u2026" if len(parts) > words else "")


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold(), autojunk=False).ratio()


# --------------------------------------------------------------------------------------------
# Matching


def _match(old: Sequence[Any], new: Sequence[Any], key: Callable[[Any], str],
           text: Callable[[Any], str] | None = None) -> tuple[list[tuple[int, int]], list[int],
                                                              list[int]]:
    """Pairs (old index, new index) of the same item, then the unmatched old and new indexes.
    Items match by ``key`` first (exactly, case-insensitively); the rest by the similarity of
    ``text`` (best pairs first, at least SIMILAR)."""
    pairs: list[tuple[int, int]] = []
    new_by_key: dict[str, list[int]] = {}
    for j, item in enumerate(new):
        new_by_key.setdefault(key(item).casefold(), []).append(j)
    left_old = []
    for i, item in enumerate(old):
        js = new_by_key.get(key(item).casefold())
        if js:
            pairs.append((i, js.pop(0)))
        else:
            left_old.append(i)
    used = {j for _i, j in pairs}
    left_new = [j for j in range(len(new)) if j not in used]
    if text is not None and left_old and left_new:
        scored = sorted(((_similar(text(old[i]), text(new[j])), i, j)
                         for i in left_old for j in left_new), reverse=True)
        for score, i, j in scored:
            if score < SIMILAR:
                break
            if i in left_old and j in left_new:
                pairs.append((i, j))
                left_old.remove(i)
                left_new.remove(j)
    return sorted(pairs), left_old, left_new


def _reordered(pairs: list[tuple[int, int]]) -> bool:
    news = [j for _i, j in sorted(pairs)]
    return news != sorted(news)


# --------------------------------------------------------------------------------------------
# Sections

#: keyed sections: (section, key, name shown, fields compared with their words)
_FieldWords = Callable[[Any], str | None]


def _field(name: str) -> _FieldWords:
    return lambda item: _plain(getattr(item, name))


def _fields(*names: str) -> dict[str, _FieldWords]:
    return {n: _field(n) for n in names}


def _shortened(text: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda item: _short(text(item))


_KEYED: dict[str, tuple[Callable[[Any], str], Callable[[Any], str], dict[str, _FieldWords]]] = {
    "figures": (lambda f: f.label, lambda f: f.label, {
        "value": _figure_value, **_fields("as_of", "as_of_note", "reported_by", "source",
                                          "note")}),
    "risks": (lambda r: r.title, lambda r: r.title, {
        "likelihood": _likelihood, **_fields("impact", "description", "indicators",
                                             "analysis_by", "sources")}),
    "actors": (lambda a: a.name, lambda a: a.name, _fields(
        "kind", "role", "position", "leverage", "notes", "other_names", "sources")),
    "agreements": (lambda a: a.name, lambda a: a.name, _fields(
        "brokered_by", "parties", "date", "date_note", "summary", "sources")),
    "sources": (lambda s: s.key, lambda s: s.title, _fields(
        "title", "publisher", "author", "date", "url")),
    "sections": (lambda s: s.title, lambda s: s.title, _fields("paragraphs", "bullets",
                                                               "table")),
}

#: text lists matched by similarity: (section, the text of an item, fields compared)
_TEXTS: dict[str, tuple[Callable[[Any], str], dict[str, _FieldWords]]] = {
    "summary": (str, {}), "objectives": (str, {}), "recommendations": (str, {}),
    "lines_to_take": (str, {}), "background": (str, {}),
    "qa": (lambda q: q.question, _fields("answer")),
    "timeline": (lambda e: f"{e.date} {e.text}", _fields("date", "date_note", "label",
                                                          "sources")),
    "quotes": (lambda q: f"{q.speaker}: {q.text}", _fields("speaker", "affiliation",
                                                            "occasion", "date", "source")),
}

_SCALARS = ("title", "subtitle", "reference", "version", "date", "as_of", "purpose",
            "audience")


def diff_briefs(old: Brief, new: Brief) -> list[Change]:
    """Every change from ``old`` to ``new``, in the order the brief reads."""
    out: list[Change] = []
    for name in _SCALARS:
        a, b = _plain(getattr(old, name)), _plain(getattr(new, name))
        if a != b:
            out.append(Change("changed", name, "", None, a, b))
    if old.marking != new.marking:
        out.append(Change("changed", "marking", "", None, old.marking.label,
                          new.marking.label))
    if old.originator != new.originator:
        out.append(Change("changed", "originator", "", None, _plain(old.originator),
                          _plain(new.originator)))
    for section in SECTIONS:
        if section in _KEYED:
            key, shown, fields = _KEYED[section]
            out.extend(_diff_list(section, getattr(old, section), getattr(new, section), key,
                                  shown, fields, text=shown))
        elif section in _TEXTS:
            text, fields = _TEXTS[section]
            out.extend(_diff_list(section, getattr(old, section), getattr(new, section), text,
                                  _shortened(text), fields, text=text,
                                  reworded=True))
    out.extend(_diff_terms(old, new))
    return out


def _diff_list(section: str, old: Sequence[Any], new: Sequence[Any], key: Callable[[Any], str],
               shown: Callable[[Any], str], fields: dict[str, _FieldWords], *,
               text: Callable[[Any], str], reworded: bool = False) -> list[Change]:
    pairs, gone, added = _match(old, new, key, text)
    out: list[Change] = []
    for i, j in pairs:
        a, b = old[i], new[j]
        if reworded and text(a) != text(b):
            out.append(Change("changed", section, shown(b), "text" if section not in
                              ("qa", "quotes", "timeline") else "wording",
                              text(a), text(b)))
        for field, words in fields.items():
            wa, wb = words(a), words(b)
            if wa != wb:
                out.append(Change("changed", section, shown(b), field, wa, wb))
    out.extend(Change("removed", section, shown(old[i])) for i in gone)
    out.extend(Change("added", section, shown(new[j])) for j in added)
    if _reordered(pairs):
        out.append(Change("reordered", section, ""))
    return out


def _diff_terms(old: Brief, new: Brief) -> list[Change]:
    """Terms of agreements that are in both versions, matched by their obligation's text."""
    out: list[Change] = []
    new_by_name = {a.name.casefold(): a for a in new.agreements}
    for a in old.agreements:
        b = new_by_name.get(a.name.casefold())
        if b is None:
            continue
        pairs, gone, added = _match(a.terms, b.terms, lambda t: t.obligation,
                                    lambda t: t.obligation)
        for i, j in pairs:
            ta, tb = a.terms[i], b.terms[j]
            for field in ("status", "party", "obligation"):
                va, vb = getattr(ta, field), getattr(tb, field)
                if va != vb:
                    out.append(Change("changed", "agreements",
                                      f"{b.name}: {_short(tb.obligation, 6)}", field, va, vb))
        out.extend(Change("removed", "agreements", f"{a.name}: {_short(a.terms[i].obligation)}")
                   for i in gone)
        out.extend(Change("added", "agreements", f"{b.name}: {_short(b.terms[j].obligation)}")
                   for j in added)
    return out


def format_changes(changes: Sequence[Change], old: Brief, new: Brief) -> str:
    """The change list for a terminal: a heading naming both versions, a line per change."""
    def version(b: Brief) -> str:
        v = f"version {b.version}" if b.version else "the version"
        return f"{v} of {b.date:%-d %B %Y}"

    if not changes:
        return f"No changes from {version(old)} to {version(new)}.\n"
    mark = {"added": "+", "removed": "-", "changed": "~", "reordered": "\u2195"}
    lines = [f"Changes from {version(old)} to {version(new)}:"]
    lines += [f"  {mark[c.kind]} {c.describe()}" for c in changes]
    return "\n".join(lines) + "\n"


def changes_since(old: Brief, new: Brief, changes: Sequence[Change] | None = None
                  ) -> dict[str, Any]:
    """What a pack template needs for its "changes since" box, as plain data: the old
    version's ``version`` and ``date``, the ``lines`` a reader is told (the noteworthy
    changes: figures, ratings, items added and removed), and ``total``, every change."""
    if changes is None:
        changes = diff_briefs(old, new)
    return {"version": old.version or "", "date": old.date,
            "lines": [c.describe() for c in changes if c.noteworthy],
            "total": len(changes)}
