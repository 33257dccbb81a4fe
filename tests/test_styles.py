"""Styles: shipped house styles, inheritance, validation, and settings that reach both outputs."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import briefgen
from briefgen.cli import cli
from briefgen.errors import BriefError
from briefgen.style import available_styles, load_style
from conftest import SAMPLE, docx_all_text, need_tool, pdf_all_text
from test_validation import MINIMAL

SHIPPED = ["default", "in-focus", "uk-brief", "us-memo"]


def test_shipped_styles_listed_with_descriptions():
    assert sorted(available_styles()) == SHIPPED
    r = CliRunner().invoke(cli, ["styles"])
    assert r.exit_code == 0
    for name in SHIPPED:
        line = next(x for x in r.stdout.splitlines() if x.startswith(name + " "))
        assert len(line.split(None, 1)[1]) > 20  # a real one-line description


def test_styles_show_prints_resolved_settings():
    import json

    r = CliRunner().invoke(cli, ["styles", "show", "us-memo"])
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["page"]["size"] == "Letter"
    assert data["fonts"]["body"] == "dejavu-serif"
    assert data["page"]["margins"]["left"] == 72.0
    assert data["colours"]["link"] == "#1F4E9E"  # inherited: neither us-memo nor default sets it
    assert "extends" not in data  # resolved: the chain is merged, not shown


def test_styles_show_is_a_subcommand_and_styles_alone_lists():
    r = CliRunner().invoke(cli, ["styles", "show", "--help"])
    assert r.exit_code == 0 and "Usage: cli styles show [OPTIONS] NAME" in r.stdout
    r = CliRunner().invoke(cli, ["styles", "show"])
    assert r.exit_code == 2 and "Missing argument 'NAME'" in r.stderr
    r = CliRunner().invoke(cli, ["styles", "shw", "default"])
    assert r.exit_code == 2 and "No such command 'shw'" in r.stderr
    r = CliRunner().invoke(cli, ["styles", "show", "no-such-style"])
    assert r.exit_code == 2 and "no style named 'no-such-style'" in r.stderr


def test_analyst_style_extends_a_shipped_one_and_changes_only_what_it_overrides(tmp_path: Path):
    mine = tmp_path / "house.yaml"
    mine.write_text("extends: uk-brief\ndescription: Our house style\n"
                    "colours: {headings: '#7A0019'}\n")
    base, child = load_style("uk-brief").model_dump(), load_style(mine).model_dump()
    assert child["colours"]["headings"] == "#7A0019"
    diff = {k for k in base if base[k] != child[k]}
    assert diff == {"name", "description", "colours"}
    assert {k for k in base["colours"] if base["colours"][k] != child["colours"][k]} == \
        {"headings"}


@pytest.mark.parametrize("text,needle", [
    ("colours: {headngs: '#000000'}\n",
     "2:11: colours.headngs: unknown field 'headngs'; did you mean 'headings'?"),
    ("colours: {headings: navy}\n", "colours.headings: 'navy' is not a colour"),
    ("page: {margins: {top: 25}}\npage2: 1\n", "page2: unknown field"),
    ("page: {margins: {top: 2 inches}}\n", "is not a length"),
    ("cover: {logo: missing.png}\n", "cover.logo: no such file 'missing.png'"),
    ("cover: {logo: ../../etc/passwd}\n",
     "cover.logo: '../../etc/passwd' is outside the style's folder"),
    ("cover: {logo: /etc/passwd}\n", "is outside the style's folder"),
    ("extends: nonexistent\n", "no style named 'nonexistent'"),
])
def test_bad_style_files_are_refused_with_location(tmp_path: Path, text: str, needle: str):
    style = tmp_path / "bad.yaml"
    style.write_text("description: x\n" + text)
    with pytest.raises(BriefError) as exc:
        load_style(style)
    assert needle in str(exc.value)
    assert str(style) in str(exc.value) or "nonexistent" in str(exc.value)
    r = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path / "o"), "--style",
                                 str(style)])
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


def test_extends_loop_is_refused(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(BriefError, match="loop"):
        load_style(tmp_path / "a.yaml")


@pytest.fixture(scope="module")
def packs() -> dict[str, briefgen.Pack]:
    return {name: briefgen.build(SAMPLE, style=name) for name in SHIPPED}


def test_every_shipped_style_builds_visibly_different_packs(packs):
    from pypdf import PdfReader

    sizes = {n: tuple(round(float(x)) for x in PdfReader(io.BytesIO(p.pdf)).pages[0].mediabox[2:])
             for n, p in packs.items()}
    assert sizes["default"] == sizes["uk-brief"] == (595, 842)
    assert sizes["us-memo"] == sizes["in-focus"] == (612, 792)
    assert len({p.pdf for p in packs.values()}) == len(SHIPPED)
    assert len({p.docx for p in packs.values()}) == len(SHIPPED)


def test_page_size_and_margins_reach_the_docx(packs):
    import docx
    from docx.shared import Inches

    sec = docx.Document(io.BytesIO(packs["us-memo"].docx)).sections[0]
    assert abs(sec.page_width - Inches(8.5)) < 2000 and abs(sec.page_height - Inches(11)) < 2000
    assert abs(sec.left_margin - Inches(1)) < 2000
    sec = docx.Document(io.BytesIO(packs["uk-brief"].docx)).sections[0]
    assert abs(sec.page_width.mm - 210) < 1


def test_serif_style_embeds_the_serif_family(packs, tmp_path: Path):
    need_tool("pdffonts")
    pdf = tmp_path / "us.pdf"
    pdf.write_bytes(packs["us-memo"].pdf)
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "DejaVuSerif" in out and "DejaVuSans" not in out.replace("DejaVuSerif", "")
    import docx

    normal = docx.Document(io.BytesIO(packs["us-memo"].docx)).styles["Normal"]
    assert normal.font.name == "DejaVu Serif"


def test_uk_numbering_in_both_formats(packs):
    pdf = pdf_all_text(packs["uk-brief"].pdf)
    doc = docx_all_text(packs["uk-brief"].docx)
    for text in (pdf, doc):
        assert re.search(r"1\. Lines to take", text)
        assert re.search(r"6\.1 Nagorno-Karabakh cease-fire", text)
        # paragraphs numbered within their section (section 4's first is 4.1), lines to take
        # numbered as paragraphs, an annex's paragraphs A1, A2 (issue 14)
        assert re.search(r"\b4\.1\s+Nagorno-Karabakh is a separatist enclave", text)
        assert re.search(r"\b1\.1\s+The cease-fire rests on Russia", text)
        assert re.search(r"\bB1\s+Likelihood terms follow", text)
        assert "Annex A: Chronology" in text and not re.search(r"\d\. Annex A", text)
    assert not re.search(r"\b1\. Lines to take", pdf_all_text(packs["default"].pdf))


def test_us_portion_marks_and_banner(tmp_path: Path):
    brief = MINIMAL.replace("scheme: tlp", "scheme: us").replace(
        'label: "TLP:GREEN"', 'label: "UNCLASSIFIED//FOR OFFICIAL USE ONLY"') + \
        "background:\n  - A paragraph.\n"
    pack = briefgen.build(briefgen.parse_brief(brief), style="us-memo")
    for text in (pdf_all_text(pack.pdf), docx_all_text(pack.docx)):
        # the banner's own portion mark, as CAPCO forms it (issue 14): never a bare (U)
        assert "(U//FOUO) A brief" in text  # the title
        assert "(U//FOUO) A paragraph." in text
        assert "(U//FOUO) One point" in text
        assert "(U) " not in text
        assert text.count("UNCLASSIFIED//FOR OFFICIAL USE ONLY") >= 2


def test_compact_summary_style_fits_two_pages(tmp_path: Path):
    from pypdf import PdfReader

    pack = briefgen.build(SAMPLE, style="in-focus", template="summary")
    assert len(PdfReader(io.BytesIO(pack.pdf)).pages) == 2
    text = pdf_all_text(pack.pdf)
    assert "This document is marked" in text  # the marking once in the body (issue 14)
    assert "Annex" not in text


def test_legend_setting(packs):
    uk = pdf_all_text(packs["uk-brief"].pdf)
    # the legend printed is the legend of the scale the ratings use (ICD 203), not the
    # style's house scale; the build says so (issue 14)
    assert "Probability scale (PHIA probability yardstick)" not in uk
    assert "Probability scale (ICD 203)" in uk
    with pytest.warns(briefgen.BriefgenWarning, match="ratings use the ICD 203"):
        briefgen.build(SAMPLE, style="uk-brief", formats="pdf")
    with pytest.warns(briefgen.BriefgenWarning, match="prints no probability legend"):
        briefgen.build(SAMPLE, style=briefgen.load_style("default").model_copy(
            update={"legend": "none"}), formats="pdf")


def test_analyst_truetype_family_reaches_both_outputs(tmp_path: Path):
    import shutil

    import docx

    src = Path(briefgen.__file__).parent / "fonts" / "dejavu"
    shutil.copy(src / "DejaVuSerif.ttf", tmp_path / "House.ttf")
    shutil.copy(src / "DejaVuSerif-Bold.ttf", tmp_path / "House-Bold.ttf")
    style = tmp_path / "house.yaml"
    style.write_text("extends: default\nfonts:\n  families:\n"
                     "    house: {name: House Serif, regular: House.ttf, bold: House-Bold.ttf}\n"
                     "  body: house\n")
    pack = briefgen.build(SAMPLE, style=style)
    assert b"DejaVuSerif" in pack.pdf  # the analyst's file, embedded
    assert docx.Document(io.BytesIO(pack.docx)).styles["Normal"].font.name == "House Serif"


@pytest.mark.parametrize("files,needle", [
    ("{name: H, regular: Bad.ttf}", "Bad.ttf: not a usable TrueType font"),
    ("{name: H, regular: ../outside.ttf}", "is outside the style's folder"),
    ("{name: H, regular: Missing.ttf}", "no such file 'Missing.ttf'"),
])
def test_bad_font_files_are_named(tmp_path: Path, files: str, needle: str):
    (tmp_path / "Bad.ttf").write_text("not a font")
    style = tmp_path / "s.yaml"
    style.write_text(f"fonts:\n  families:\n    h: {files}\n  body: h\n")
    with pytest.raises(BriefError) as exc:
        load_style(style)
    assert needle in str(exc.value) and f"{style}:3:" in str(exc.value)


def test_logo_must_be_an_image(tmp_path: Path):
    (tmp_path / "logo.png").write_text("not an image")
    style = tmp_path / "s.yaml"
    style.write_text("description: x\ncover:\n  logo: logo.png\n")
    with pytest.raises(BriefError, match=r"s\.yaml:3:9: cover\.logo: 'logo.png' is not a PNG"):
        load_style(style)


def test_style_with_custom_fonts_survives_a_trip_to_a_worker(tmp_path: Path):
    import pickle
    import shutil
    import subprocess
    import sys

    src = Path(briefgen.__file__).parent / "fonts" / "dejavu"
    shutil.copy(src / "DejaVuSerif.ttf", tmp_path / "House.ttf")
    style = tmp_path / "house.yaml"
    style.write_text("fonts:\n  families:\n    house: {name: House, regular: House.ttf}\n"
                     "  body: house\n")
    blob = pickle.dumps(load_style(style))
    code = ("import pickle,sys; from briefgen.fonts import family; "
            "s=pickle.loads(sys.stdin.buffer.read()); print(family(s.fonts.body).name)")
    r = subprocess.run([sys.executable, "-c", code], input=blob, capture_output=True)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode().strip() == "House"


def _own_family_style(tmp_path: Path, entries: str) -> Path:
    import shutil

    from briefgen.fonts import BUNDLED

    shutil.copy(BUNDLED["dejavu-serif"].regular, tmp_path / "House.ttf")
    path = tmp_path / "house.yaml"
    path.write_text("extends: default\nfonts:\n  families:\n    house:\n" + entries
                    + "  body: house\n")
    return path


def test_own_family_errors_name_the_family_and_suggest(tmp_path: Path):
    """A mistake inside one of the analyst's families names that family in the field path
    (fonts.families.house.regular), with a "did you mean" for a misspelt face."""
    path = _own_family_style(tmp_path, "      name: House\n      regluar: House.ttf\n")
    with pytest.raises(BriefError) as info:
        load_style(path)
    text = str(info.value)
    assert "fonts.families.house.regular: this field is required" in text
    assert "house.yaml:6:7: fonts.families.house.regluar: unknown field 'regluar'; " \
           "did you mean 'regular'?" in text


def test_styles_show_names_own_families_by_their_style_name(tmp_path: Path):
    path = _own_family_style(tmp_path, "      name: House\n      regular: House.ttf\n")
    res = CliRunner().invoke(cli, ["styles", "show", str(path)])
    assert res.exit_code == 0, res.output
    assert '"body": "house"' in res.output and "custom-" not in res.output


def test_style_cache_sees_an_edited_parent_in_the_same_process(tmp_path: Path):
    """The cache is keyed on every file a style was made of: editing the parent a style
    extends (the same size, at once: no clock tick in between) gives the new colour."""
    parent = tmp_path / "parent.yaml"
    child = tmp_path / "child.yaml"
    parent.write_text('extends: default\ncolours: {headings: "#111111"}\n')
    child.write_text("extends: parent.yaml\ndescription: child\n")
    assert load_style(child).colours.headings == "#111111"
    assert load_style(child) is load_style(child)  # still cached while nothing changes
    parent.write_text('extends: default\ncolours: {headings: "#222222"}\n')
    assert load_style(child).colours.headings == "#222222"
    parent.write_text('extends: us-memo\ncolours: {headings: "#222222"}\n')
    assert load_style(child).page.size == "Letter"  # the grandparent changed


def test_style_cache_sees_a_replaced_logo(tmp_path: Path):
    from PIL import Image

    style = tmp_path / "s.yaml"
    style.write_text("cover: {logo: logo.png}\n")
    Image.new("RGB", (4, 4), "red").save(tmp_path / "logo.png")
    first = load_style(style)
    (tmp_path / "logo.png").unlink()
    with pytest.raises(BriefError, match=r"no such file 'logo\.png'"):
        load_style(style)
    Image.new("RGB", (4, 4), "blue").save(tmp_path / "logo.png")
    assert load_style(style) is not first and load_style(style).cover.logo == first.cover.logo


def test_validating_a_style_registers_no_font_and_rendering_does(tmp_path: Path):
    """A style is data: loading one with an own family registers nothing with ReportLab and
    fills no table of families; the renderer registers the faces when it draws with them.
    The dump names the family as the style does, and validates again to the same family."""
    from reportlab.pdfbase import pdfmetrics

    from briefgen import fonts
    from briefgen.render import graphics
    from briefgen.style import Style

    path = _own_family_style(tmp_path, "      name: House\n      regular: House.ttf\n")
    before = set(pdfmetrics.getRegisteredFontNames())
    cache = dict(graphics._FONTS)
    style = load_style(path)
    assert set(pdfmetrics.getRegisteredFontNames()) == before and graphics._FONTS == cache
    assert not any(isinstance(v, dict) and v and all(isinstance(f, fonts.Family)
                                                     for f in v.values())
                   for k, v in vars(fonts).items() if k != "BUNDLED"), "a table of families"
    house = style.fonts.family("body")
    assert (house.name, house.regular) == ("House", (tmp_path / "House.ttf").resolve())
    again = Style.model_validate(style.model_dump())
    assert again.fonts.family("body") == house and again.model_dump()["fonts"]["body"] == "house"
    faces = graphics.faces(style, "body")
    assert faces.regular in pdfmetrics.getRegisteredFontNames()
    assert faces.regular not in before
    assert graphics.faces(style, "body") is faces  # once per process
