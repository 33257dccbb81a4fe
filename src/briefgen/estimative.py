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


CONFIDENCE = ("low", "moderate", "high")
"""Confidence levels (ICD 203): how well sources and reasoning support a judgement. Stated
beside a likelihood, never fused into it."""

#: Which of a seven-term scale's ranks fall in each row of a matrix of this many rows.
_LIKELIHOOD_ROWS: dict[int, tuple[tuple[int, ...], ...]] = {
    7: ((1,), (2,), (3,), (4,), (5,), (6,), (7,)),
    5: ((1, 2), (3,), (4,), (5,), (6, 7)),
    3: ((1, 2, 3), (4,), (5, 6, 7)),
}
#: Which impact levels (1 = minor ... 5 = catastrophic) fall in each column.
_IMPACT_COLUMNS: dict[int, tuple[tuple[int, ...], ...]] = {
    5: ((1,), (2,), (3,), (4,), (5,)),
    3: ((1, 2), (3,), (4, 5)),
}


@dataclass(frozen=True)
class MatrixAxes:
    """The rows and columns of a risk matrix of a given size, on one scale: each row is a
    group of the scale's terms (least likely first), each column a group of impact levels.
    ``size`` 5 is the 5 × 5 matrix, 3 the 3 × 3 (low / medium / high), 0 one row per term of
    the scale (7 × 5)."""

    scale: Scale
    size: int

    @property
    def rows(self) -> tuple[tuple[int, ...], ...]:
        return _LIKELIHOOD_ROWS[self.size or 7]

    @property
    def columns(self) -> tuple[tuple[int, ...], ...]:
        return _IMPACT_COLUMNS[self.size if self.size == 3 else 5]

    def row_of(self, rank: int) -> int:
        """The 1-based row of a term's rank."""
        return next(i for i, ranks in enumerate(self.rows, 1) if rank in ranks)

    def column_of(self, impact: str) -> int:
        level = IMPACTS.index(impact) + 1
        return next(i for i, levels in enumerate(self.columns, 1) if level in levels)

    def row_terms(self) -> list[list[str]]:
        """Each row's terms (their first words), least likely first."""
        by_rank = {t.rank: t.name for t in self.scale.terms}
        return [[by_rank[r] for r in ranks] for ranks in self.rows]

    def column_impacts(self) -> list[list[str]]:
        return [[IMPACTS[i - 1] for i in levels] for levels in self.columns]

    def band(self, row: int, column: int) -> int:
        """The band of a cell (1-based row and column); a 3 × 3 matrix has three bands."""
        b = risk_band(row, column, len(self.rows), len(self.columns))
        return min(b, 2) if self.size == 3 else b
