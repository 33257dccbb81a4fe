"""Estimative-language scales: the words analysts use for likelihood, and what they mean.

US ICD 203 and the UK Professional Head of Intelligence Assessment (PHIA) probability
yardstick. A risk's likelihood names a scale and one of its terms; each term has a rank (1 = least
likely) used to place it in a risk matrix, and a printed range for the legend.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    rank: int
    words: tuple[str, ...]
    range: str

    @property
    def name(self) -> str:
        return self.words[0]


@dataclass(frozen=True)
class Scale:
    key: str
    name: str
    terms: tuple[Term, ...]

    def find(self, word: str) -> Term | None:
        w = " ".join(word.lower().split())
        for t in self.terms:
            if w in t.words:
                return t
        return None

    def all_terms(self) -> list[str]:
        return [w for t in self.terms for w in t.words]


ICD203 = Scale("icd203", "ICD 203", (
    Term(1, ("almost no chance", "remote"), "1-5%"),
    Term(2, ("very unlikely", "highly improbable"), "5-20%"),
    Term(3, ("unlikely", "improbable"), "20-45%"),
    Term(4, ("roughly even chance", "roughly even odds"), "45-55%"),
    Term(5, ("likely", "probable"), "55-80%"),
    Term(6, ("very likely", "highly probable"), "80-95%"),
    Term(7, ("almost certain", "nearly certain"), "95-99%"),
))

PHIA = Scale("phia", "PHIA probability yardstick", (
    Term(1, ("remote chance",), "≤5%"),
    Term(2, ("highly unlikely",), "10-20%"),
    Term(3, ("unlikely",), "25-35%"),
    Term(4, ("realistic possibility",), "40-<50%"),
    Term(5, ("likely", "probable"), "55-75%"),
    Term(6, ("highly likely",), "80-90%"),
    Term(7, ("almost certain",), "≥95%"),
))

SCALES: dict[str, Scale] = {s.key: s for s in (ICD203, PHIA)}


IMPACTS = ("minor", "limited", "moderate", "significant", "catastrophic")
"""Impact levels, least first (the UK National Risk Register's words)."""

BANDS = ("low", "medium", "high", "very high")


def risk_band(likelihood: int, impact: int, n_likelihood: int, n_impact: int) -> int:
    """The band (index into :data:`BANDS`) of a matrix cell, from 1-based levels: the product
    of the two levels scaled to 0–1, cut at 0.15, 0.35 and 0.6."""
    score = (likelihood / n_likelihood) * (impact / n_impact)
    return sum(score > cut for cut in (0.15, 0.35, 0.6))
