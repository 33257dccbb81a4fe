"""Fonts: the bundled TrueType families, and which characters they can draw.

briefgen ships DejaVu Sans and DejaVu Serif (regular, bold, italic, bold italic; licence in
``fonts/dejavu/LICENSE``), which cover Latin (with Azerbaijani ə, ğ), Cyrillic and Armenian, so
a fresh ``pip install`` renders the flagship sample with no system font.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Family:
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
    return Path(str(resources.files("briefgen") / "fonts" / "dejavu" / name))


BUNDLED: dict[str, Family] = {
    "dejavu-sans": Family("dejavu-sans", "DejaVu Sans", _bundled("DejaVuSans.ttf"),
                          _bundled("DejaVuSans-Bold.ttf"), _bundled("DejaVuSans-Oblique.ttf"),
                          _bundled("DejaVuSans-BoldOblique.ttf")),
    "dejavu-serif": Family("dejavu-serif", "DejaVu Serif", _bundled("DejaVuSerif.ttf"),
                           _bundled("DejaVuSerif-Bold.ttf"), _bundled("DejaVuSerif-Italic.ttf"),
                           _bundled("DejaVuSerif-BoldItalic.ttf")),
}


_CUSTOM: dict[str, Family] = {}


def register_family(name: str, regular: Path, bold: Path | None = None,
                    italic: Path | None = None, bold_italic: Path | None = None) -> str:
    """Make a family of TrueType files known by a key derived from its files (so two styles
    naming different files never clash); faces not given fall back to the regular one.
    Returns the key to use wherever a family key is expected."""
    files = [regular, bold or regular, italic or regular,
             bold_italic or bold or italic or regular]
    digest = hashlib.sha256("\0".join(str(Path(f).resolve()) for f in files).encode())
    key = f"custom-{digest.hexdigest()[:12]}"
    _CUSTOM[key] = Family(key, name, *(Path(f) for f in files))
    return key


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
    found = BUNDLED.get(key) or _CUSTOM.get(key)
    if found is None:
        raise KeyError(f"no font family {key!r}; bundled: {', '.join(BUNDLED)}")
    return found


@lru_cache(maxsize=None)
def coverage(path: Path) -> frozenset[int]:
    """The code points a TrueType file has glyphs for (read once per process)."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    return frozenset(TTFontFile(str(path)).charToGlyph)


def missing_characters(text: str, fam: Family) -> list[str]:
    """Characters of ``text`` that the family's regular face cannot draw (spaces excepted)."""
    cov = coverage(fam.regular)
    return sorted({c for c in text if ord(c) not in cov and not c.isspace()})
