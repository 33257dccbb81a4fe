"""Fonts: the bundled TrueType families, and which characters they can draw.

briefgen ships DejaVu Sans and DejaVu Serif (regular, bold, italic, bold italic; licence in
``fonts/dejavu/LICENSE``), which cover Latin (with Azerbaijani ə, ğ), Cyrillic and Armenian, so
a fresh ``pip install`` renders the flagship sample with no system font.

For the scripts DejaVu lacks (or has in its upright faces only), briefgen ships fallback
families from Google's Noto (SIL Open Font License 1.1; ``fonts/noto/LICENSE``, about 1 MB):
Noto Sans Arabic and Noto Naskh Arabic (Arabic, Persian, Urdu), Noto Sans Hebrew and Noto Serif
Hebrew. They have no italic: a slanted run prints in the upright face (never a box). A style's
``fonts.fallbacks`` lists the families tried, in order, for a character the body or headings
family cannot draw in all its faces (see :func:`font_runs`).
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Self

import msgspec

from .paths import data


class Family(msgspec.Struct, frozen=True):
    """A font family: its display name (as Word knows it) and its four TrueType files."""

    key: str
    name: str
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path

    def files(self) -> dict[str, Path]:
        return {"regular": self.regular, "bold": self.bold, "italic": self.italic,
                "bold_italic": self.bold_italic}


def _bundled(name: str) -> Path:
    return data("fonts", "dejavu", name)


BUNDLED: dict[str, Family] = {
    "dejavu-sans": Family("dejavu-sans", "DejaVu Sans", _bundled("DejaVuSans.ttf"),
                          _bundled("DejaVuSans-Bold.ttf"), _bundled("DejaVuSans-Oblique.ttf"),
                          _bundled("DejaVuSans-BoldOblique.ttf")),
    "dejavu-serif": Family("dejavu-serif", "DejaVu Serif", _bundled("DejaVuSerif.ttf"),
                           _bundled("DejaVuSerif-Bold.ttf"), _bundled("DejaVuSerif-Italic.ttf"),
                           _bundled("DejaVuSerif-BoldItalic.ttf")),
}


def _noto(name: str) -> Path:
    return data("fonts", "noto", name)


def _upright(key: str, name: str, stem: str) -> Family:
    """A family with no italic: its slanted faces are the upright ones."""
    regular, bold = _noto(f"{stem}-Regular.ttf"), _noto(f"{stem}-Bold.ttf")
    return Family(key, name, regular, bold, regular, bold)


#: the fallback families shipped for right-to-left scripts (keys usable in ``fonts.fallbacks``)
FALLBACKS: tuple[str, ...] = ("noto-sans-arabic", "noto-naskh-arabic", "noto-sans-hebrew",
                              "noto-serif-hebrew")
BUNDLED.update({
    "noto-sans-arabic": _upright("noto-sans-arabic", "Noto Sans Arabic", "NotoSansArabic"),
    "noto-naskh-arabic": _upright("noto-naskh-arabic", "Noto Naskh Arabic", "NotoNaskhArabic"),
    "noto-sans-hebrew": _upright("noto-sans-hebrew", "Noto Sans Hebrew", "NotoSansHebrew"),
    "noto-serif-hebrew": _upright("noto-serif-hebrew", "Noto Serif Hebrew", "NotoSerifHebrew"),
})


class FamilyKey(str):
    """The key a style's ``fonts.body`` / ``fonts.headings`` holds for one of the analyst's own
    families: a ``custom-<hex>`` string (derived from the files' paths, so two styles naming
    different files never clash) that carries the :class:`Family` it stands for, and the name
    the style gave it (``own``; what a dump of the style shows). Nothing is registered
    anywhere: the family travels with the style (to a worker process too), and the renderers
    register its faces when they draw with them."""

    family: Family
    own: str

    def __new__(cls, fam: Family, own: str) -> Self:
        key = super().__new__(cls, fam.key)
        key.family, key.own = fam, own
        return key

    def __reduce__(self) -> tuple[type[FamilyKey], tuple[Family, str]]:
        return (FamilyKey, (self.family, self.own))


def own_family(own: str, name: str, regular: Path, bold: Path | None = None,
               italic: Path | None = None, bold_italic: Path | None = None) -> FamilyKey:
    """The analyst's family ``own`` (its key in the style) of TrueType files, as a key for
    :func:`family`; faces not given fall back to the regular one. Pure: reads no file and
    registers nothing."""
    files = [regular, bold or regular, italic or regular,
             bold_italic or bold or italic or regular]
    digest = hashlib.sha256("\0".join(str(Path(f).resolve()) for f in files).encode())
    key = f"custom-{digest.hexdigest()[:12]}"
    return FamilyKey(Family(key, name, *(Path(f) for f in files)), own)


def check_truetype(path: Path) -> str | None:
    """Why ``path`` cannot serve as a font (ReportLab embeds TrueType outlines only), or None."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

    try:
        TTFontFile(str(path))
    except TTFError as e:
        return f"not a usable TrueType font ({e}); CFF-outline .otf files are not supported"
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    return None


def family(key: str) -> Family:
    """The family a style's font key stands for: a bundled one by name, or the analyst's own
    (a :class:`FamilyKey`, which carries it)."""
    if isinstance(key, FamilyKey):
        return key.family
    found = BUNDLED.get(key)
    if found is None:
        raise KeyError(f"no font family {key!r}; bundled: {', '.join(BUNDLED)}")
    return found


def coverage(path: Path) -> frozenset[int]:
    """The code points a TrueType file has glyphs for (read once per process)."""
    return _coverage(str(path))


@cache
def _coverage(path: str) -> frozenset[int]:
    return metrics(path).codepoints()


def missing_characters(text: str, fam: Family) -> list[str]:
    """Characters of ``text`` that the family's regular face cannot draw (spaces excepted)."""
    drawable = characters(fam.regular)
    if drawable.issuperset(text):  # the common case, in one C-speed test
        return []
    return sorted({c for c in text if c not in drawable and not c.isspace()})


def _face_paths(fam: Family) -> tuple[str, ...]:
    """The family's distinct face files (a face it lacks is its regular one)."""
    return tuple(str(p) for p in dict.fromkeys(fam.files().values()))


def family_characters(fam: Family) -> frozenset[str]:
    """The characters every face of a family can draw (a character one face lacks, such as
    Arabic in DejaVu Sans Oblique, is taken from a fallback in every face, so that a word
    keeps one font whatever its weight and slant)."""
    return _family_characters(_face_paths(fam))


@cache
def _family_characters(paths: tuple[str, ...]) -> frozenset[str]:
    if len(paths) == 1:
        return _characters(paths[0])
    return frozenset(map(chr, _family_codes(paths)))  # (code points first: no set of strings
                                                      # per face)


def family_codes(fam: Family) -> frozenset[int]:
    """The code points every face of a family has glyphs for (:func:`family_characters`)."""
    return _family_codes(_face_paths(fam))


@cache
def _family_codes(paths: tuple[str, ...]) -> frozenset[int]:
    return _coverage(paths[0]).intersection(*(_coverage(p) for p in paths[1:]))


class _Drawable:
    """What :func:`family_characters` says of each character, asked of the faces' cmaps one
    character at a time (and remembered): a brief's few hundred distinct characters cost less
    than the family's whole set of several thousand."""

    def __init__(self, paths: tuple[str, ...]) -> None:
        self._faces = [metrics(p) for p in paths]
        self._known: dict[str, bool] = {}

    def has(self, c: str) -> bool:
        known = self._known.get(c)
        if known is None:
            code = ord(c)
            known = self._known[c] = all(f._glyph(code) for f in self._faces)
        return known

    def draws(self, text: Iterable[str]) -> bool:
        return all(self.has(c) for c in set(text))


@cache
def _drawable(paths: tuple[str, ...]) -> _Drawable:
    return _Drawable(paths)


def family_draws(fam: Family, text: Iterable[str]) -> bool:
    """Whether every face of the family can draw every character of ``text`` (as
    ``family_characters(fam).issuperset(text)``, without building the family's set)."""
    return _drawable(_face_paths(fam)).draws(text)


def missing_in_chain(text: str, chain: Sequence[Family]) -> list[str]:
    """Characters of ``text`` that no family of the chain can draw in all its faces (spaces
    excepted): what would print as a box, or in one face only. A fallback family's files are
    read only when the families before it leave a character undrawn."""
    left: str | set[str] = text
    for fam in chain:
        drawable = _drawable(_face_paths(fam))
        if drawable.draws(left):
            return []
        left = {c for c in left if not drawable.has(c)}
    return sorted(c for c in left if not c.isspace())


def _neutral(c: str) -> bool:
    """Spaces, punctuation, digits and format characters: they stay in the font of the run
    they sit in when that font has them (so an Arabic phrase is one run, spaces included)."""
    cat = unicodedata.category(c)
    return cat[0] in "ZPN" or cat in ("Cf", "Sm", "Sc")


def font_runs(text: str, chain: Sequence[Family]) -> list[tuple[str, int]]:
    """``text`` cut into runs, each with the index in ``chain`` of the family that draws it:
    a character goes to the first family that has it in every face; a neutral one (space,
    punctuation, digit) stays with the run it is in if that family has it. A character no
    family has gets -1 (the caller prints a visible replacement for it)."""
    return runs_by(text, [family_characters(f) for f in chain])


def _next_strong(text: str, i: int, sets: Sequence[frozenset[str]]) -> int:
    """The family of the next character after ``i`` that is not neutral (0 if none): neutrals
    between two runs of one fallback stay in it; trailing ones go back to the style's family."""
    for c in text[i + 1:]:
        if not _neutral(c):
            return next((k for k, s in enumerate(sets) if c in s), -1)
    return 0


def runs_by(text: str, sets: Sequence[frozenset[str]]) -> list[tuple[str, int]]:
    """:func:`font_runs` over the character sets of the chain's families."""
    if sets and sets[0].issuperset(text):
        return [(text, 0)] if text else []
    runs: list[tuple[str, int]] = []
    cur, buf = 0, list[str]()
    for i, c in enumerate(text):
        if _neutral(c) and cur >= 0 and c in sets[cur] and (
                cur == 0 or _next_strong(text, i, sets) == cur):
            k = cur
        else:
            k = next((i for i, s in enumerate(sets) if c in s), -1)
        if k != cur and buf:
            runs.append(("".join(buf), cur))
            buf = []
        cur = k
        buf.append(c)
    if buf:
        runs.append(("".join(buf), cur))
    return runs


def characters(path: Path) -> frozenset[str]:
    """The characters a TrueType file has glyphs for, as a set of one-character strings (so
    that ``characters(f).issuperset(text)`` checks a whole text at once)."""
    return _characters(str(path))


@cache
def _characters(path: str) -> frozenset[str]:
    return frozenset(map(chr, _coverage(path)))


# --------------------------------------------------------------------------------------------
# Metrics: a minimal TrueType reader (cmap, hmtx, hhea, OS/2), enough for coverage, the DOCX
# page estimate and Word's font table, without importing a renderer's library.


class FontMetrics:
    """Advance widths and line height of a TrueType font, read from its cmap/hmtx/hhea."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as f:
            data = f.read()
        self._data = data
        u16 = struct.Struct(">H").unpack_from
        count = u16(data, 4)[0]
        tables: dict[bytes, int] = {}
        for i in range(count):
            tag, _, off, _ = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            tables[tag] = off
        head, hhea, hmtx, cmap = (tables[t] for t in (b"head", b"hhea", b"hmtx", b"cmap"))
        os2 = tables.get(b"OS/2")
        #: PANOSE classification and Unicode/code-page signature, for Word's font table
        self.panose = data[os2 + 32:os2 + 42].hex().upper() if os2 else "0" * 20
        #: a serif face by its PANOSE class (Latin text, serif style 2-10), else None
        self.serif = (2 <= data[os2 + 33] <= 10) if os2 and data[os2 + 32] == 2 else None
        self.signature = (struct.unpack_from(">IIIIII", data, os2 + 42)[:4]
                          + struct.unpack_from(">II", data, os2 + 78)) if os2 else (0,) * 6
        self.units = u16(data, head + 18)[0]
        asc, desc, gap = struct.unpack_from(">hhh", data, hhea + 4)
        #: line height as a multiple of the font size (what "single" spacing means)
        self.line = (asc - desc + gap) / self.units
        n_metrics = u16(data, hhea + 34)[0]
        self._advances = struct.unpack_from(f">{2 * n_metrics}H", data, hmtx)[0::2]
        self._segments: list[tuple[int, int, int, int, int]] = []
        self._groups: list[tuple[int, int, int]] = []
        n_sub = u16(data, cmap + 2)[0]
        best = None
        for i in range(n_sub):
            plat, enc, off = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
            fmt = u16(data, cmap + off)[0]
            if plat == 3 and enc == 10 and fmt == 12:
                best = (12, cmap + off)
            elif plat == 3 and enc == 1 and fmt == 4 and best is None:
                best = (4, cmap + off)
        if best and best[0] == 12:
            ngroups = struct.unpack_from(">I", data, best[1] + 12)[0]
            flat = struct.unpack_from(f">{3 * ngroups}I", data, best[1] + 16)
            self._groups = list(zip(flat[0::3], flat[1::3], flat[2::3]))
        elif best:
            base = best[1]
            segx2 = u16(data, base + 6)[0]
            seg = segx2 // 2
            ends = struct.unpack_from(f">{seg}H", data, base + 14)
            starts = struct.unpack_from(f">{seg}H", data, base + 16 + segx2)
            deltas = struct.unpack_from(f">{seg}h", data, base + 16 + 2 * segx2)
            ro_base = base + 16 + 3 * segx2
            ranges = struct.unpack_from(f">{seg}H", data, ro_base)
            for k in range(seg):
                self._segments.append((starts[k], ends[k], deltas[k], ranges[k],
                                       ro_base + 2 * k))
        self._cache: dict[str, float] = {}
        # the groups' starts, to find a code's group by bisection (when they are in order and
        # apart, as the format requires; a font that breaks the rule is searched in order)
        firsts = [g[0] for g in self._groups]
        ordered = all(a[1] < b[0] for a, b in zip(self._groups, self._groups[1:]))
        self._starts = firsts if ordered and firsts else None

    def _glyph(self, code: int) -> int:
        if self._starts is not None:
            k = bisect_right(self._starts, code) - 1
            if k >= 0:
                start, end, gid = self._groups[k]
                if code <= end:
                    return gid + code - start
        else:
            for start, end, gid in self._groups:
                if start <= code <= end:
                    return gid + code - start
        for start, end, delta, ro, ro_pos in self._segments:
            if start <= code <= end:
                if ro == 0:
                    return (code + delta) & 0xFFFF
                pos = ro_pos + ro + 2 * (code - start)
                g = struct.unpack_from(">H", self._data, pos)[0]
                return (g + delta) & 0xFFFF if g else 0
        return 0

    def width(self, ch: str) -> float:
        """Advance width of one character, as a multiple of the font size."""
        w = self._cache.get(ch)
        if w is None:
            g = self._glyph(ord(ch))
            adv = self._advances[min(g, len(self._advances) - 1)]
            w = self._cache[ch] = adv / self.units
        return w

    def codepoints(self) -> frozenset[int]:
        """Every code point the cmap maps to a glyph other than .notdef."""
        out: set[int] = set()
        for start, end, gid in self._groups:
            out.update(range(start if gid else start + 1, end + 1))
        for start, end, delta, ro, ro_pos in self._segments:
            codes = range(start, min(end, 0xFFFE) + 1)
            if not codes:
                continue
            if ro == 0:
                out.update(c for c in codes if (c + delta) & 0xFFFF)
            else:  # (the segment's glyph ids, read at once)
                ids = struct.unpack_from(f">{len(codes)}H", self._data, ro_pos + ro)
                out.update(c for c, g in zip(codes, ids) if g and (g + delta) & 0xFFFF)
        return frozenset(out)


def file_digest(path: Path | str) -> str:
    """The SHA-256 of a file's content (read again only when its size or time changes)."""
    st = Path(path).stat()
    return _file_digest(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=256)
def _file_digest(path: str, _mtime: int, _size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def metrics(path: Path | str) -> FontMetrics:
    """The metrics of a TrueType file (read once per process, whether named by a ``Path`` or a
    string)."""
    return _metrics(str(path))


@cache
def _metrics(path: str) -> FontMetrics:
    return FontMetrics(path)
