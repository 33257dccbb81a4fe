"""Destination keys (bookmarks the contents, cross-references, outline and note links point
at) and outline levels: the renderer's naming state, in one small object. The names are
:class:`..common.AnchorNames`, valid and the same in every format."""

from __future__ import annotations

from ... import document as d
from ..common import AnchorNames

__all__ = ["Anchors"]


class Anchors:
    """The names handed out, the anchors whose first heading has been made, each endnote's
    name, and the outline level last used."""

    def __init__(self, doc: d.Document):
        self.names = AnchorNames()
        for h in doc.headings():  # headings first: their names are the document's own
            self.names.for_anchor(h.anchor)
        self.claimed: set[str] = set()
        self.notes: dict[int, str] = {}
        self.outline_level = -1

    @property
    def by_anchor(self) -> dict[str, str]:
        """The name of each heading anchor in the document."""
        return self.names.by_anchor

    def new_key(self, wanted: str) -> str:
        return self.names.new(wanted)

    def heading_key(self, anchor: str) -> str:
        """The key of a heading: its anchor's, or for a second heading with the same anchor,
        one of its own."""
        if anchor in self.claimed:
            return self.names.new(anchor)
        self.claimed.add(anchor)
        return self.names.for_anchor(anchor)

    def note_key(self, n: int) -> str:
        """The name of endnote ``n``'s entry (its marks link there)."""
        key = self.notes.get(n)
        if key is None:
            key = self.notes[n] = self.names.new(f"note_{n}")
        return key

    def next_outline_level(self, level: int) -> int:
        """Outline levels may not jump (0 then 2 is an error): clamp to one below the last."""
        lvl = max(0, min(level, self.outline_level + 1))
        self.outline_level = lvl
        return lvl
