"""Right-to-left scripts (issue 15): the sample multi-script brief builds in every shipped style
with no flag; the PDF's Arabic is shaped (contextual forms), set in the bundled Noto fallback,
and copies out as Arabic letters (not presentation forms); mixed lines keep their neutrals."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pytest

import briefgen
from briefgen.fonts import BUNDLED, FALLBACKS, font_runs
from briefgen.render.pdf.shaping import isolate, log2vis

ROOT = Path(__file__).resolve().parents[1]
BRIEF = ROOT / "briefs" / "red-sea-shipping-2024-01.yaml"
STYLES = sorted(p.stem for p in (ROOT / "styles").glob("*.yaml"))
CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200e\u200f"))


def test_fallback_fonts_ship_with_their_licence():
    for fam in (BUNDLED[k] for k in FALLBACKS):
        for path in fam.files().values():
            assert path.is_file() and path.stat().st_size < 300_000
    assert "SIL OPEN FONT LICENSE" in (ROOT / "src/briefgen/fonts/noto/LICENSE").read_text()


def test_font_runs_send_arabic_to_the_fallback_and_keep_spaces_in_the_run():
    chain = [BUNDLED["dejavu-sans"], BUNDLED["noto-sans-arabic"]]
    runs = font_runs("itself أنصار الله (Ansar", chain)
    assert runs == [("itself ", 0), ("أنصار الله", 1), (" (Ansar", 0)]


def test_bidi_reorders_and_reports_positions():
    v2l: list[int] = []
    assert log2vis("ab أنص", "LTR", positions_V_to_L=v2l) == "ab صنأ"
    assert v2l == [0, 1, 2, 5, 4, 3]


def test_isolate_marks_the_end_of_a_right_to_left_run_only():
    assert isolate("<i>بيان الله</i>, 12 January") == "<i>بيان الله</i>\u200e, 12 January"
    assert isolate("a أنصار الله b") == "a أنصار الله\u200e b"
    assert isolate("a أنصار الله") == "a أنصار الله\u200e"
    assert isolate("a أنصار, الله b") == "a أنصار, الله\u200e b"


@pytest.mark.parametrize("style", STYLES)
def test_multi_script_brief_builds_in_every_style(style, tmp_path):
    result = briefgen.build(BRIEF, style=style, formats=("pdf", "docx"))
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(result.pdf)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "Noto" in fonts and "Arabic" in fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True).stdout.translate(CONTROLS)
    assert "\ufffd" not in text
    # shaped glyphs copy out as Arabic letters, never presentation forms or private use
    assert not any(0xFB50 <= ord(c) <= 0xFEFF or 0xE000 <= ord(c) <= 0xF8FF for c in text)
    for word in ("أنصار", "الله", "المندب", "تنگه", "هرمز", "סוף"):
        assert word in text, word
    # the date after an Arabic title stays after it
    assert "بيان" in text and ", 12 January 2024" in text


def test_shaped_arabic_uses_contextual_forms():
    """The PDF draws joined Arabic: the glyphs used are not the isolated letters."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import getFont

    from briefgen.render.graphics import faces
    from briefgen.render.pdf.flowables import Para
    from briefgen.render.pdf.shaping import install

    install()
    name = faces("noto-sans-arabic").regular
    p = Para(f'x <font name="{name}">أنصار</font> y', ParagraphStyle("t", fontName=name))
    p.wrap(400, 100)
    words = [s for line in p.blPara.lines for f in line.words for s in [f.text]]
    shaped = "".join(words)
    assert any(0xFE70 <= ord(c) <= 0xFEFF or 0xE000 <= ord(c) <= 0xF8FF for c in shaped)
    assert getFont(name).shapable
    assert unicodedata.bidirectional("أ") == "AL"
