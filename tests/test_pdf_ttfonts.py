"""The PDF renderer's TrueType faces (:mod:`briefgen.render.pdf.ttfonts`): read only when drawn
with, and then to exactly what ReportLab's own reader gives (same values, same types, same
order but for the widths, which are only looked up), so that the PDF is the same to the
byte."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfbase.ttfonts import TTFError, TTFont, TTFontFace

from briefgen.fonts import BUNDLED
from briefgen.render.pdf.ttfonts import CHAR_INFO, Face, Font
from conftest import SAMPLE

FILES = sorted({str(p) for fam in BUNDLED.values() for p in fam.files().values()})
SKIP = {"_pos", "_pdfScale"}  # the read position; a lambda (equal in effect, not in identity)


def _state(face: Any) -> dict[str, Any]:
    for attr in CHAR_INFO:
        getattr(face, attr)
    return {k: v for k, v in vars(face).items() if k not in SKIP}


def _same(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        assert ours[key] == value, key
        assert type(ours[key]) is type(value), key
        if isinstance(value, dict):  # the order too, but for the widths (only looked up)
            if key != "charWidths":
                assert list(ours[key].items()) == list(value.items()), key
            assert all(type(v) is type(value[k]) for k, v in ours[key].items()), key
        if key == "hmetrics":  # (ReportLab leaves the last advance scaled, as a float, in the
            assert [tuple(map(type, m)) for m in ours[key]] == \
                [tuple(map(type, m)) for m in value]  # side-bearing-only entries)


@pytest.mark.parametrize("path", FILES, ids=lambda p: Path(p).name)
def test_a_face_reads_what_reportlab_reads(path: str) -> None:
    ours = Face(path)
    assert not set(CHAR_INFO) & set(vars(ours))  # nothing per character read yet
    _same(_state(ours), _state(TTFontFace(path)))


def test_a_code_mapped_twice_gets_reportlabs_width(tmp_path: Path) -> None:
    """A cmap whose groups overlap (a broken font): the width ReportLab gives such a code (its
    last glyph in glyph order) is kept, not the fast path's."""
    data = bytearray(Path(BUNDLED["dejavu-sans"].regular).read_bytes())
    face = TTFontFace(str(BUNDLED["dejavu-sans"].regular))
    encoffs = face.table["cmap"]["offset"] + next(
        off for plat, enc, off in (struct.unpack_from(">HHL", data, face.table["cmap"]["offset"]
                                                      + 4 + 8 * i) for i in range(5))
        if (plat, enc) == (3, 10))
    assert struct.unpack_from(">H", data, encoffs)[0] == 12
    groups = encoffs + 16
    for k in (5, 9, 40):  # start group k on the last code of group k - 1
        end_before = struct.unpack_from(">L", data, groups + 12 * (k - 1) + 4)[0]
        struct.pack_into(">L", data, groups + 12 * k, end_before)
    path = tmp_path / "overlap.ttf"
    path.write_bytes(bytes(data))
    ours = Face(str(path))
    assert ours.charWidths and "glyphToChar" in vars(ours)  # (read the slow way: codes repeat)
    _same(_state(ours), _state(TTFontFace(str(path))))


def test_glyph_to_char_is_made_only_when_asked_for() -> None:
    ours = Face(str(BUNDLED["dejavu-serif"].italic))
    assert ours.charWidths[ord("a")] > 0
    assert "glyphToChar" not in vars(ours)
    assert ours.glyphToChar[ours.charToGlyph[ord("a")]] == [ord("a")]
    assert "glyphToChar" in vars(ours)


class _OtherFormat(Face):
    """A face whose cmap format is taken as one the fast path does not read."""

    def _pick_cmap(self) -> tuple[int, int]:
        return super()._pick_cmap()[0], -1


def test_another_cmap_format_goes_through_reportlab_and_keeps_a_new_name() -> None:
    path = str(BUNDLED["dejavu-sans"].regular)
    ours = _OtherFormat(path)
    ours.name = ours.name + b"-12345678"  # as faces() names an analyst's own face
    theirs = _state(TTFontFace(path))
    theirs["name"] = ours.name
    _same(_state(ours), theirs)


def test_font_is_reportlabs_ttfont_with_the_same_attributes() -> None:
    path = str(BUNDLED["dejavu-serif"].bold)
    ours, theirs = Font("t-ours", path), TTFont("t-theirs", path, asciiReadable=True)
    assert isinstance(ours, TTFont)
    assert set(vars(ours)) == set(vars(theirs))  # a ReportLab upgrade adding one fails here
    assert (ours._asciiReadable, ours.shapable) == (theirs._asciiReadable, theirs.shapable)
    assert ours.face.name == theirs.face.name
    assert ours.stringWidth("Ceasefire — Ləçin", 11) == theirs.stringWidth("Ceasefire — Ləçin", 11)


def test_a_broken_file_fails_when_registered_not_when_drawn(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"OTTO" + b"\x00" * 40)  # CFF outlines: not embeddable by ReportLab
    with pytest.raises(TTFError, match="postscript outlines"):
        Font("t-bad", str(bad))
    good = Path(BUNDLED["dejavu-sans"].regular).read_bytes()
    (tmp_path / "nohead.ttf").write_bytes(good.replace(b"head", b"hexd", 1))
    with pytest.raises(TTFError, match="head table not found"):
        Font("t-nohead", str(tmp_path / "nohead.ttf"))


def test_faces_never_drawn_with_are_never_read() -> None:
    """In a fresh process (the registry is per process): the sample's chart registers the
    fallback families, which the sample never draws with, so they are never read."""
    script = f"""
import briefgen
from reportlab.pdfbase import pdfmetrics
from briefgen.render.graphics import faces
pdf = briefgen.build(briefgen.load_brief({str(SAMPLE)!r})).pdf
assert pdf.startswith(b"%PDF") and b"DejaVuSans" in pdf and b"Noto" not in pdf
for key in ("dejavu-sans", "noto-sans-arabic", "noto-sans-hebrew"):
    for name in ("regular", "bold"):
        face = pdfmetrics.getFont(getattr(faces(key), name)).face
        print(key, name, type(face).__name__, "charWidths" in vars(face))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert "dejavu-sans regular Face True" in out  # drawn with: read
    assert "dejavu-sans bold Face True" in out
    for key in ("noto-sans-arabic", "noto-sans-hebrew"):  # registered by the chart only
        assert f"{key} regular Face False" in out
        assert f"{key} bold Face False" in out
