"""briefgen.fonts' own TrueType reader: a code's glyph found by bisection over the cmap's
groups is the one the in-order search finds; coverage of format-4 cmaps read a segment at a
time."""

from __future__ import annotations

from briefgen.fonts import BUNDLED, FontMetrics


def test_bisection_finds_the_glyph_the_search_in_order_finds() -> None:
    path = str(BUNDLED["dejavu-sans"].regular)
    fast, slow = FontMetrics(path), FontMetrics(path)
    assert fast._starts is not None  # (DejaVu's groups are in order)
    slow._starts = None
    for code in [*range(0, 0x2200), *range(0xFB00, 0xFB10), 0xFFFD, 0x1F600, 0x10FFFF]:
        assert fast._glyph(code) == slow._glyph(code), hex(code)
    assert fast._glyph(ord("A")) != 0 and fast._glyph(0x0600) == 0  # (no Arabic in DejaVu)


def test_coverage_of_format_4_cmaps() -> None:
    noto = FontMetrics(str(BUNDLED["noto-sans-arabic"].regular))
    assert not noto._groups and noto._segments  # a format-4 cmap
    cov = noto.codepoints()
    assert 0x0627 in cov and 0x0644 in cov  # alef, lam
    assert ord("A") not in cov
    assert all(noto._glyph(c) for c in cov)  # every code listed has a glyph
    assert not any(noto._glyph(c) for c in range(0x0600, 0x0700) if c not in cov)


def test_a_file_is_read_once_whether_named_by_path_or_string() -> None:
    from briefgen.fonts import metrics

    path = BUNDLED["dejavu-serif"].bold
    assert metrics(path) is metrics(str(path))


def test_the_per_character_check_says_what_the_family_set_says() -> None:
    """Validation asks each face's cmap one character at a time (fonts.family_draws, used by
    missing_in_chain) instead of building the family's set: the two must agree on every
    code point, in every bundled family (format 4 and format 12 cmaps)."""
    from briefgen.fonts import BUNDLED, family_characters, family_draws

    for fam in BUNDLED.values():
        drawable = family_characters(fam)
        for code in [*range(0, 0x3000), *range(0x3000, 0x30000, 7), 0xFFFF, 0x10FFFF]:
            c = chr(code)
            assert family_draws(fam, c) == (c in drawable), (fam.key, hex(code))
