"""Destination keys (bookmarks the contents, cross-references, outline and note links point
at) and outline levels: the renderer's naming state, in one small object."""

from __future__ import annotations

import re

from ... import document as d

__all__ = ["Anchors"]

_SAFE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,80}$")


class Anchors:
    """Every key handed out (each unique), the key of each heading anchor, the anchors whose
    first heading has been made, and the outline level last used."""

    def __init__(self, doc: d.Document):
        self.keys: set[str] = set()
        self.by_anchor: dict[str, str] = {}
        for i, h in enumerate(doc.headings(), 1):
            if h.anchor not in self.by_anchor:  # "briefgen-*" names are the renderer's own
                wanted = "" if h.anchor.startswith("briefgen-") else h.anchor
                self.by_anchor[h.anchor] = self.new_key(wanted, f"h{i}")
        self.claimed: set[str] = set()
        self.outline_level = -1

    def new_key(self, wanted: str, fallback: str) -> str:
        key = wanted if _SAFE_KEY.match(wanted) else f"briefgen-{fallback}"
        base, n = key, 1
        while key in self.keys:
            n += 1
            key = f"{base}-{n}"
        self.keys.add(key)
        return key

    def heading_key(self, anchor: str) -> str:
        """The key of a heading: its anchor's, or for a second heading with the same anchor,
        one of its own."""
        if anchor in self.claimed:
            return self.new_key(f"{anchor}-2", f"h-dup{len(self.keys)}")
        self.claimed.add(anchor)
        return self.by_anchor[anchor]

    def next_outline_level(self, level: int) -> int:
        """Outline levels may not jump (0 then 2 is an error): clamp to one below the last."""
        lvl = max(0, min(level, self.outline_level + 1))
        self.outline_level = lvl
        return lvl
