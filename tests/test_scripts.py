"""Right-to-left scripts (issue 15), read back from real output.

The sample multi-script brief (examples/briefs/red-sea-shipping-2024-01.yaml: Arabic, Persian and
Hebrew names in lines, a table, an italic source title, a heading, a right-to-left paragraph)
builds in every shipped style with no flag. The PDF's Arabic is shaped (contextual forms) in the
bundled Noto fallback and pdftotext gives the phrases back in logical order; the DOCX marks its
right-to-left runs and paragraphs, names their complex-script font and language, and
LibreOffice's layout of it reads back the same; the HTML tags the spans."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

import briefgen
from briefgen import document as d
from briefgen.fonts import BUNDLED, FALLBACKS, font_runs
from briefgen.render.bidi import isolate_inlines, rtl_runs
from briefgen.render.pdf.shaping import isolate, log2vis
from conftest import libreoffice_pdfs, need_tool, rtl_charts

ROOT = Path(__file__).resolve().parents[1]
BRIEF = ROOT / "examples" / "briefs" / "red-sea-shipping-2024-01.yaml"
STYLES = sorted(p.stem for p in (ROOT / "styles").glob("*.yaml"))
#: bidi controls pdftotext wraps right-to-left runs in, and the marks briefgen adds
CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200e\u200f"))
PHRASES = ("أنصار الله", "باب المندب", "تنگه هرمز", "البحر الأحمر", "بيان أنصار الله",
           "دریای سرخ", "ים סוף")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pdftotext(path: Path) -> str:
    need_tool("pdftotext")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out.translate(CONTROLS)


# ------------------------------------------------------------------------------ units


def test_fallback_fonts_ship_with_their_licence():
    for fam in (BUNDLED[k] for k in FALLBACKS):
        for path in fam.files().values():
            assert path.is_file() and path.stat().st_size < 300_000
    assert "SIL OPEN FONT LICENSE" in (ROOT / "src/briefgen/fonts/noto/LICENSE").read_text()


def test_font_runs_send_arabic_to_the_fallback_and_keep_inner_spaces_in_the_run():
    chain = [BUNDLED["dejavu-sans"], BUNDLED["noto-sans-arabic"]]
    assert font_runs("itself أنصار الله (Ansar", chain) == [
        ("itself ", 0), ("أنصار الله", 1), (" (Ansar", 0)]
    # DejaVu Sans has Arabic upright only: Arabic always comes from the fallback
    assert font_runs("أ", [BUNDLED["dejavu-sans"]]) == [("أ", -1)]


def test_bidi_reorders_and_reports_positions():
    v2l: list[int] = []
    assert log2vis("ab أنص", "LTR", positions_V_to_L=v2l) == "ab صنأ"
    assert v2l == [0, 1, 2, 5, 4, 3]


def test_isolate_marks_the_end_of_a_right_to_left_run_only():
    assert isolate("<i>بيان الله</i>, 12 January") == "<i>بيان الله</i>\u200e, 12 January"
    assert isolate("a أنصار الله b") == "a أنصار الله\u200e b"
    assert isolate("a أنصار الله") == "a أنصار الله\u200e"
    assert isolate("a أنصار, الله b") == "a أنصار, الله\u200e b"
    inl = (d.Text("the "), d.Emph((d.Text("بيان الله"),)), d.Text(", 12 January"))
    assert isolate_inlines(inl) == (d.Text("the "), d.Emph((d.Text("بيان الله"),)),
                                    d.Text("\u200e, 12 January"))
    rtl = (d.Text("نص عربي, English"),)
    assert isolate_inlines(rtl) == rtl  # a right-to-left paragraph is left alone
    assert rtl_runs("a أنصار الله (b") == [("a ", False), ("أنصار الله", True), (" (b", False)]


# ------------------------------------------------------------------------------ PDF


@pytest.mark.parametrize("style", STYLES)
def test_multi_script_brief_builds_in_every_style(style, tmp_path):
    pack = briefgen.build(BRIEF, style=style, formats=("pdf", "docx"))
    # no character replaced or missing: the genre notes (a legend, portion marks) may stand
    assert not [w for w in pack.warnings if "\ufffd" in w.message or "glyph" in w.message]
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(pack.pdf)
    need_tool("pdffonts")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "Arabic" in fonts  # the Noto fallback, embedded
    text = pdftotext(pdf)
    assert "\ufffd" not in text
    # shaped glyphs copy out as Arabic letters, never presentation forms or private use
    assert not [c for c in text if 0xFB50 <= ord(c) <= 0xFEFF or 0xE000 <= ord(c) <= 0xF8FF]
    flat = " ".join(text.split())
    for phrase in PHRASES[:5]:
        assert phrase in flat, phrase
    # the date after an Arabic title stays after it
    assert "بيان أنصار الله, 12 January 2024" in flat


def test_right_to_left_paragraph_is_set_right_aligned(tmp_path):
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(briefgen.build(BRIEF, formats=("pdf",)).pdf)
    need_tool("pdftotext")
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)<', html)
    line = [w for w in words if w[3] == "هذه"]  # the paragraph's first word
    assert line
    x_max = float(line[0][2])
    y = line[0][1]
    same_line = [float(w[2]) for w in words if w[1] == y]
    # the first word of a right-to-left paragraph is its rightmost, at the right margin
    assert x_max == max(same_line) and x_max > 595 * 0.85


def test_shaped_arabic_uses_contextual_forms():
    from reportlab.lib.styles import ParagraphStyle

    from briefgen.render.graphics import faces
    from briefgen.render.pdf.flowables import Para

    name = faces("noto-sans-arabic").regular
    p = Para(f'x <font name="{name}">أنصار</font> y', ParagraphStyle("t", fontName=name))
    p.wrap(400, 100)
    shaped = "".join(f.text for line in p.blPara.lines for f in line.words)
    assert "أنصار" not in shaped  # not the isolated letters in logical order
    assert any(0xFE70 <= ord(c) <= 0xFEFF or 0xE000 <= ord(c) <= 0xF8FF for c in shaped)


# ------------------------------------------------------------------------------ glyphs


def _house(tmp_path: Path, fallbacks: str) -> Path:
    lib = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
    if not lib.exists():
        pytest.skip("Liberation Sans not installed")
    (tmp_path / "House.ttf").write_bytes(lib.read_bytes())
    style = tmp_path / "house.yaml"
    style.write_text("name: house\nextends: default\nfonts:\n  families:\n"
                     "    house: {name: House, regular: House.ttf}\n"
                     f"  body: house\n  headings: house\n{fallbacks}")
    return style


def test_a_house_font_without_arabic_falls_back(tmp_path):
    pack = briefgen.build(BRIEF, style=str(_house(tmp_path, "")), formats=("pdf",))
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(pack.pdf)
    assert "أنصار الله" in " ".join(pdftotext(pdf).split())


def test_missing_glyphs_are_refused_or_visibly_replaced(tmp_path):
    style = str(_house(tmp_path, "  fallbacks: []\n"))
    with pytest.raises(briefgen.BriefError, match="U\\+0623"):
        briefgen.build(BRIEF, style=style, formats=("pdf",))
    with pytest.warns(briefgen.BriefWarning):
        pack = briefgen.build(BRIEF, style=style, formats=("pdf",), allow_missing_glyphs=True)
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(pack.pdf)
    text = pdftotext(pdf)
    # the house font has no U+FFFD: the replacement is drawn in DejaVu, never a blank
    assert "calls itself \ufffd\ufffd\ufffd\ufffd\ufffd \ufffd\ufffd\ufffd\ufffd" in text
    need_tool("pdffonts")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "DejaVuSans" in fonts


def test_glyph_check_covers_the_italic_face():
    """DejaVu Sans has Arabic upright only: with no fallback, an italic source title in
    Arabic is refused (it would print as a box), not passed by the upright face's check."""
    from briefgen.fonts import missing_in_chain

    assert missing_in_chain("أ", [BUNDLED["dejavu-sans"]]) == ["أ"]
    assert missing_in_chain("أ", [BUNDLED["dejavu-sans"], BUNDLED["noto-sans-arabic"]]) == []


# ------------------------------------------------------------------------------ DOCX, HTML


def _document_xml(data: bytes) -> str:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode()


def test_docx_marks_runs_paragraphs_fonts_and_languages():
    xml = _document_xml(briefgen.build(BRIEF, formats=("docx",)).docx)
    # the Arabic run: right-to-left, its complex-script font from the chain
    assert re.search(r'<w:rPr><w:rFonts w:cs="Noto Sans Arabic"/><w:rtl/></w:rPr>'
                     r"<w:t>باب المندب</w:t>", xml)
    # the right-to-left paragraph is bidi
    para = re.search(r"<w:p>(?:(?!</w:p>).)*هذه فقرة(?:(?!</w:p>).)*</w:p>", xml)
    assert para and "<w:bidi/>" in para.group(0)
    # the neutrals after an Arabic title stay with the English (a left-to-right mark)
    assert "\u200e, 12 January 2024" in xml
    # other_names[].language tags the runs (w:bidi for right-to-left languages)
    assert re.search(r'<w:rtl/><w:lang w:bidi="ar"/></w:rPr><w:t>أنصار الله</w:t>', xml)
    assert re.search(r'<w:lang w:bidi="he"/></w:rPr><w:t>ים סוף</w:t>', xml)
    assert re.search(r'<w:lang w:bidi="fa"/></w:rPr><w:t>دریای سرخ</w:t>', xml)


def test_libreoffice_layout_of_the_docx_reads_like_the_pdf(tmp_path):
    pack = briefgen.build(BRIEF, formats=("pdf", "docx"))
    lo = libreoffice_pdfs({"b": pack.docx}, tmp_path)["b"]
    ours = tmp_path / "ours.pdf"
    ours.write_bytes(pack.pdf)
    lo_text, our_text = (" ".join(pdftotext(p).split()) for p in (lo, ours))
    # (not "البحر الأحمر": LibreOffice's map of the lam-alef ligature reads back as alef-lam)
    for phrase in (*PHRASES[:3], "بيان أنصار الله, 12 January 2024", "ים סוף"):
        assert phrase in lo_text, phrase
        assert phrase in our_text, phrase
    assert "البحر الأحمر" in our_text


def test_html_spans_carry_lang_and_dir():
    html = briefgen.build(BRIEF, formats=("html",)).html.decode()
    assert '<span lang="ar" dir="rtl"><bdi>أنصار الله</bdi></span>' in html
    assert '<span lang="he" dir="rtl"><bdi>ים סוף</bdi></span>' in html
    # right-to-left runs isolated; right-to-left paragraphs and list items marked
    assert "<em><bdi>بيان أنصار الله</bdi></em>, 12 January 2024" in html
    assert '<p dir="rtl"><bdi>هذه فقرة' in html and '<li dir="rtl"><bdi>سطر' in html


def test_right_to_left_list_item_has_its_bullet_on_the_right(tmp_path):
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(briefgen.build(BRIEF, formats=("pdf",)).pdf)
    need_tool("pdftotext")
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)<', out)
    bullets = [w for w in words if w[3] == "•"]
    arabic = [w for w in words if re.search("[\u0600-\u06ff]", w[3])]
    mine = [b for b in bullets if any(w[1] == b[1] for w in arabic)]
    assert mine, "no bullet on an Arabic item's line"
    line = [w for w in arabic if w[1] == mine[0][1]]
    # the bullet is right of the item's text, at the right margin; an English item's at left
    assert float(mine[0][0]) > max(float(w[2]) for w in line)
    assert float(mine[0][2]) > 595 * 0.85
    assert min(float(b[0]) for b in bullets) < 595 * 0.2


def test_tagged_pdf_spans_carry_their_language_and_the_structure_is_sound():
    from test_pdf_tagged import check, elems

    report = check(briefgen.build(BRIEF, formats=("pdf",)).pdf)
    assert report.problems == []
    spans = [e for e in elems(report.tree) if e.role == "Span"]
    # (the names' languages, and a span of rich text: "[تنگه هرمز]{lang=fa}")
    assert sorted(str(e.obj.Lang) for e in spans) == ["ar", "fa", "fa", "he"]
    assert {str(e.obj.ActualText) for e in spans} == {"أنصار الله", "دریای سرخ", "ים סוף",
                                                      "تنگه هرمز"}
    # each Span holds marked content (its text), inside the cell's paragraph
    assert all(any(not hasattr(k, "role") for k in e.kids) for e in spans)


# --------------------------------------------------------------------------------------------
# Charts: right-to-left labels shaped, reordered, in a face that has the letters




def _chart_strings(node) -> list:
    out = []
    for c in getattr(node, "contents", []):
        out.extend([c] if hasattr(c, "text") else _chart_strings(c))
    return out


@pytest.mark.parametrize("body", ["dejavu-sans", "dejavu-serif"])
def test_chart_labels_are_shaped_right_to_left_in_a_face_with_the_letters(body):
    from reportlab.pdfbase.pdfmetrics import getFont

    from briefgen.render import graphics
    from briefgen.style import Style

    style = Style.model_validate({"fonts": {"body": body, "headings": body}})
    m, tl = rtl_charts()
    for chart in (m, tl):
        strings = _chart_strings(graphics.drawing(chart, style, 400))
        drawn = "".join(s.text for s in strings)
        assert "\ufffd" not in drawn and "?" not in drawn
        for s in strings:  # every glyph drawn is in the face that draws it
            face = getFont(s.fontName).face
            assert all(ord(c) in face.charToGlyph for c in s.text), (s.fontName, s.text)
        # joined: contextual forms (or shaped glyphs), not the bare letters, and no run of
        # letters left in logical order
        assert "أنصار" not in drawn and "\u0627\u0644\u0644\u0647" not in drawn
        assert any(hasattr(s.text, "__shapeData__") for s in strings)
    strings = _chart_strings(graphics.drawing(tl, style, 400))
    # a right-to-left line: "January" is drawn left of the Arabic that precedes it logically
    january = next(s for s in strings if s.text == "January")
    arabic = [s for s in strings if hasattr(s.text, "__shapeData__") and s.y == january.y
              and not s.fontName.endswith("-bold")]  # (the bold ones: the date column)
    assert arabic and all(a.x > january.x for a in arabic)
    if body == "dejavu-serif":  # no Arabic in the face: the Noto fallback draws it
        letters = [a for a in arabic if re.search("[\u0600-\u06ff\ufb50-\ufeff]", a.text)]
        assert letters and {a.fontName for a in letters} == {"briefgen-noto-sans-arabic"}
    # SVG keeps logical text (the browser shapes it)
    plain = "".join(s.text for s in _chart_strings(graphics.drawing(tl, style, 400,
                                                                    shaped=False)))
    assert "بيان أنصار الله" in plain


def test_chart_labels_read_back_in_logical_order_from_pdf_and_png(tmp_path):
    import datetime as dt

    from briefgen.render import graphics
    from briefgen.render.pdf import render_pdf
    from briefgen.style import Style

    m, tl = rtl_charts()
    doc = d.Document(d.Meta("Charts", dt.datetime(2024, 1, 15),
                            marking=d.Marking("tlp", "TLP:CLEAR")),
                     (d.Figure(m, (d.Text("Matrix"),), "A matrix"),
                      d.Figure(tl, (d.Text("Timeline"),), "A timeline")))
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(render_pdf(doc, Style()))
    text = pdftotext(pdf)
    for phrase in ("هجوم أنصار الله", "الاحتمال", "نادر", "بيان أنصار الله", "ים סוף",
                   "يناير"):
        assert phrase in text, phrase
    assert "\ufffd" not in text
    png = graphics.png(graphics.drawing(tl, Style(), 400))
    assert png.startswith(b"\x89PNG")
    # the PNG's pixels: the Arabic label is drawn (ink right of the axis on its row)
    import io

    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    assert img.getextrema()[0] < 100


# --------------------------------------------------------------------------------------------
# Page furniture: the footer line shaped in the PDF, its runs marked in the DOCX


def _footer_doc() -> d.Document:
    import datetime as dt

    return d.Document(d.Meta("Footer", dt.datetime(2024, 1, 15),
                             marking=d.Marking("tlp", "TLP:CLEAR"),
                             footer_text="باب المندب - BG-SAMPLE-RTL-001"),
                      (d.Paragraph((d.Text("Body."),)),))


@pytest.mark.parametrize("body", ["dejavu-sans", "dejavu-serif"])
def test_pdf_footer_is_shaped_and_reads_back_in_logical_order(body, tmp_path):
    from briefgen.render.pdf import render_pdf
    from briefgen.style import Style

    style = Style.model_validate({"fonts": {"body": body, "headings": body}})
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(render_pdf(_footer_doc(), style))
    text = pdftotext(pdf)
    assert "باب المندب" in text and "BG-SAMPLE-RTL-001" in text and "\ufffd" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    if body == "dejavu-serif":  # the serif has no Arabic: the fallback draws the footer's
        assert "NotoSansArabic" in fonts
    # drawn right to left: the second Arabic word left of the first, the Latin left of both
    box = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True).stdout
    x = {w.translate(CONTROLS): float(m) for m, w in
         re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', box)}
    # (-bbox gives each word's characters in the order drawn: a right-to-left word reversed)
    assert x["BG-SAMPLE-RTL-001"] < x["المندب"[::-1]] < x["باب"[::-1]], x


def test_docx_footer_runs_are_marked_right_to_left():
    import io

    from briefgen.render.docx import render_docx
    from briefgen.style import Style

    with zipfile.ZipFile(io.BytesIO(render_docx(_footer_doc(), Style()))) as z:
        footer = next(z.read(n).decode() for n in z.namelist()
                      if n.startswith("word/footer") and "BG-SAMPLE" in z.read(n).decode())
    runs = re.findall(r"<w:r>(.*?)</w:r>", footer, re.S)
    arabic = [r for r in runs if "باب" in r]
    latin = [r for r in runs if "BG-SAMPLE" in r]
    assert arabic and all("<w:rtl/>" in r and 'w:cs="' in r for r in arabic)
    assert latin and all("<w:rtl/>" not in r for r in latin)


# --------------------------------------------------------------------------------------------
# A language in rich text: [text]{lang=tag}


def test_rich_text_span_syntax_parses_only_a_valid_lang():
    from briefgen.inline import parse_inline

    assert parse_inline("a [أنصار الله]{lang=ar} b") == (
        d.Text("a "), d.Span("ar", (d.Text("أنصار الله"),)), d.Text(" b"))
    assert parse_inline("**[ים]{lang=he-IL}**") == (
        d.Strong((d.Span("he-IL", (d.Text("ים"),)),)),)
    assert parse_inline("[*x*]{lang=fa}") == (d.Span("fa", (d.Emph((d.Text("x"),)),)),)
    for literal in ("[t]{lang=AR}", "[t]{lang=ar class=x}", "[t]{dir=rtl}", "[]{lang=ar}",
                    "[t] {lang=ar}", "[t]{lang=a}", "[t]{lang=ar"):
        assert parse_inline(literal) == (d.Text(literal),), literal
    assert parse_inline("\\[t]{lang=ar}") == (d.Text("[t]{lang=ar}"),)
    # a span in a link's text, a citation after it
    assert parse_inline("[[t]{lang=ar}](https://example.org)") == (
        d.Link("https://example.org", (d.Span("ar", (d.Text("t"),)),)),)


def test_rich_text_span_syntax_takes_linear_time():
    import time

    from briefgen.inline import parse_inline

    for text in ("[" * 50_000, "[a]{" * 20_000, "[a]{lang=" * 20_000, "]{lang=ar}" * 20_000,
                 "[x]{lang=ar}" * 5_000):
        start = time.perf_counter()
        parse_inline(text)
        assert time.perf_counter() - start < 2.0, text[:20]


def test_rich_text_span_reaches_every_format():
    pack = briefgen.build(BRIEF, formats=("pdf", "docx", "html"))
    assert '<span lang="fa" dir="rtl"><bdi>تنگه هرمز</bdi></span>' in pack.html.decode()
    assert re.search(r'<w:lang w:bidi="fa"/></w:rPr><w:t>تنگه هرمز</w:t>',
                     _document_xml(pack.docx))
    from test_pdf_tagged import check, elems

    report = check(pack.pdf)  # (kept: the structure elements read from its open PDF)
    spans = [e for e in elems(report.tree) if e.role == "Span"]
    assert report.problems == []
    assert any(str(e.obj.Lang) == "fa" and str(e.obj.ActualText) == "تنگه هرمز" for e in spans)
