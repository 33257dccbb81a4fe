"""One style file drives the DOCX pack: every setting of :class:`~briefgen.style.Style` is read
back from the .docx (python-docx and raw OOXML), and one LibreOffice conversion per module
shows what a reader sees: the page, the mirrored binding margin, the analyst's own embedded
typeface, the heading colour and the cover logo.

The styles are written to temporary folders as an analyst would (``extends: default``), with
their logo made here with Pillow and their TrueType files copied from the bundled DejaVu and
renamed (a family no machine has installed, so LibreOffice can only have it from the file)."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

import briefgen
from briefgen import layout
from briefgen.document import (
    Document,
    ListBlock,
    Marking,
    Meta,
    Paragraph,
    Text,
    TitleBlock,
)
from briefgen.errors import BriefError
from briefgen.render.docx import render_docx
from briefgen.style import Cover, MarkingStyle, Numbering, Style, load_style
from conftest import SAMPLE, libreoffice_pdfs, need_tool
from test_render_docx import (
    R,
    W,
    package_problems,
    parts,
    sample_document,
    schema_problems,
    style_ids,
    wval,
    xml,
)

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
DEJAVU = Path(briefgen.__file__).parent / "fonts" / "dejavu"
MM = 72 / 25.4

SERIF = "Quillon Test Serif"  # body: regular and bold files
SANS = "Quillon Test Sans"  # headings: a regular file only
HOUSE = f"""\
extends: default
description: every setting changed
page:
  size: A5
  margins: {{top: 20mm, bottom: 20mm, left: 15mm, right: 15mm, binding: 12mm}}
fonts:
  families:
    q-serif: {{name: {SERIF}, regular: QSerif.ttf, bold: QSerif-Bold.ttf}}
    q-sans: {{name: {SANS}, regular: QSans.ttf}}
  body: q-serif
  headings: q-sans
sizes: {{base: 10, small: 8, title: 19, h1: 14.5, leading: 1.6, header_footer: 7, marking: 14}}
colours:
  text: "#203040"
  headings: "#7A0019"
  muted: "#6B5B3E"
  link: "#0B6E4F"
  rule: "#FF00FF"
  table_header_bg: "#004B23"
  table_header_text: "#FFF3B0"
  table_stripe: "#DDEEFF"
  box_bg: "#FFF0E0"
  box_border: "#C05000"
  risk_bands: ["#102030", "#405060", "#708090", "#A0B0C0"]
tables: {{stripes: false, rules: horizontal}}
cover: {{logo: logo.png, logo_width: 50mm}}
"""
LOGO_PX = (400, 100)


# --------------------------------------------------------------------------------------------
# Test material: a renamed TrueType font and a logo


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def renamed_font(data: bytes, family: str, style: str = "Regular") -> bytes:
    """A copy of a TrueType font whose name table calls it ``family`` ``style`` (a fresh name
    table; table checksums and the head adjustment recomputed)."""
    tables = {}
    for i in range(struct.unpack_from(">H", data, 4)[0]):
        tag, _, off, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        tables[tag] = data[off:off + length]
    ps = f"{family}-{style}".replace(" ", "")
    names = {1: family, 2: style, 3: ps, 4: f"{family} {style}", 6: ps}
    records, strings = [], b""
    for plat, enc, lang, codec in ((1, 0, 0, "mac_roman"), (3, 1, 0x409, "utf-16-be")):
        for nid, text in names.items():
            raw = text.encode(codec)
            records.append(struct.pack(">6H", plat, enc, lang, nid, len(raw), len(strings)))
            strings += raw
    tables[b"name"] = struct.pack(">3H", 0, len(records), 6 + 12 * len(records)) \
        + b"".join(records) + strings
    tables[b"head"] = tables[b"head"][:8] + b"\0\0\0\0" + tables[b"head"][12:]
    tags = sorted(tables)
    es = max(k for k in range(16) if 2 ** k <= len(tags))
    head = struct.pack(">IHHHH", 0x00010000, len(tags), 16 * 2 ** es, es,
                       16 * len(tags) - 16 * 2 ** es)
    offset, body, at = 12 + 16 * len(tags), b"", {}
    for tag in tags:
        t = tables[tag]
        at[tag] = offset + len(body)
        head += struct.pack(">4sIII", tag, _checksum(t), at[tag], len(t))
        body += t + b"\0" * (-len(t) % 4)
    font = bytearray(head + body)
    adjust = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[at[b"head"] + 8:at[b"head"] + 12] = struct.pack(">I", adjust)
    return bytes(font)


def png(size: tuple[int, int], fmt: str = "PNG") -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", size, "#8B0000")
    ImageDraw.Draw(im).rectangle([size[0] // 10, size[1] // 5, size[0] * 9 // 10,
                                  size[1] * 4 // 5], fill="#FFD700")
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue()


def deobfuscate(data: bytes, key: str) -> bytes:
    """ECMA-376 Part 1, 17.8.1, written independently of the renderer as LibreOffice reads
    it: key byte i is the hex pair at these offsets of the ``{GUID}`` string."""
    pos = (35, 33, 31, 29, 27, 25, 22, 20, 17, 15, 12, 10, 7, 5, 3, 1)
    k = [int(key[p:p + 2], 16) for p in pos]
    head = bytearray(data[:32])
    for i in range(16):
        head[i] ^= k[i]
        head[i + 16] ^= k[i]
    return bytes(head) + data[32:]


# --------------------------------------------------------------------------------------------
# Fixtures: the house style and its pack, the default pack, built once per module


@pytest.fixture(scope="module")
def house_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("house")
    (d / "QSerif.ttf").write_bytes(renamed_font((DEJAVU / "DejaVuSerif.ttf").read_bytes(),
                                                SERIF))
    (d / "QSerif-Bold.ttf").write_bytes(renamed_font(
        (DEJAVU / "DejaVuSerif-Bold.ttf").read_bytes(), SERIF, "Bold"))
    (d / "QSans.ttf").write_bytes(renamed_font((DEJAVU / "DejaVuSans.ttf").read_bytes(), SANS))
    (d / "logo.png").write_bytes(png(LOGO_PX))
    (d / "house.yaml").write_text(HOUSE)
    return d


@pytest.fixture(scope="module")
def house_style(house_dir: Path) -> Style:
    return load_style(house_dir / "house.yaml")


@pytest.fixture(scope="module")
def house(house_dir: Path) -> bytes:
    return briefgen.build(SAMPLE, style=house_dir / "house.yaml", formats="docx").docx


@pytest.fixture(scope="module")
def default() -> bytes:
    return briefgen.build(SAMPLE, formats="docx").docx


def _tw(points: float) -> int:
    return round(points * 20)


def twips(e: etree._Element | None, attr: str) -> float:
    """A length in twentieths of a point (``w:w``, ``w:left``, margins...), in points."""
    return int(wval(e, attr)) / 20


def half_points(e: etree._Element | None, attr: str = "val") -> float:
    """A font size in half-points (``w:sz``), in points."""
    return int(wval(e, attr)) / 2


#: whole twips: a length in points is written rounded to the nearest 1/20 pt
TWIP = 0.05


def _style(data: bytes, sid: str) -> etree._Element:
    return style_ids(data)[sid]


def _rpr(st: etree._Element, tag: str, attr: str = "val") -> str | None:
    return wval(st.find(f"{{{W}}}rPr/{{{W}}}{tag}"), attr)


# --------------------------------------------------------------------------------------------
# Page


def test_page_size_and_margins(house: bytes, house_style: Style) -> None:
    m = house_style.page.margins
    body = xml(house, "word/document.xml").find(f"{{{W}}}body")
    sect = body.find(f"{{{W}}}sectPr")
    size = sect.find(f"{{{W}}}pgSz")
    assert twips(size, "w") == pytest.approx(148 * MM, abs=TWIP)  # A5
    assert twips(size, "h") == pytest.approx(210 * MM, abs=TWIP)
    mar = sect.find(f"{{{W}}}pgMar")
    for side in ("top", "bottom", "left", "right"):
        assert twips(mar, side) == pytest.approx(getattr(m, side), abs=TWIP / 2), side


def test_binding_is_a_gutter_on_mirrored_margins(house: bytes, default: bytes) -> None:
    mar = xml(house, "word/document.xml").find(f".//{{{W}}}sectPr/{{{W}}}pgMar")
    assert twips(mar, "gutter") == pytest.approx(12 * MM, abs=TWIP / 2)
    settings = xml(house, "word/settings.xml")
    assert settings.find(f"{{{W}}}mirrorMargins") is not None
    assert settings.find(f"{{{W}}}gutterAtTop") is None  # the gutter is at the inner side
    # without a binding margin: no gutter, no mirroring
    mar = xml(default, "word/document.xml").find(f".//{{{W}}}sectPr/{{{W}}}pgMar")
    assert twips(mar, "gutter") == 0
    assert xml(default, "word/settings.xml").find(f"{{{W}}}mirrorMargins") is None


def test_text_width_leaves_out_the_gutter(house: bytes) -> None:
    """Tables fill the text column between the margins and the gutter."""
    width = 419.5276 - 2 * 15 * MM - 12 * MM
    tbl_w = [int(wval(t, "w")) for t in xml(house, "word/document.xml").iter(f"{{{W}}}tblW")]
    assert abs(max(tbl_w) - _tw(width)) <= 3  # the page in whole twips


# --------------------------------------------------------------------------------------------
# Fonts


def test_styles_name_the_analysts_families(house: bytes) -> None:
    for sid, font in (("Normal", SERIF), ("Title", SANS), ("Heading1", SANS),
                      ("Heading3", SANS), ("MarkingBanner", SANS)):
        fonts = _style(house, sid).find(f"{{{W}}}rPr/{{{W}}}rFonts")
        assert {wval(fonts, a) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {font}, sid
    assert docx.Document(io.BytesIO(house)).styles["Normal"].font.name == SERIF


def _font_table(data: bytes) -> dict[str, etree._Element]:
    return {wval(f, "name"): f for f in xml(data, "word/fontTable.xml").iter(f"{{{W}}}font")}


def test_custom_families_are_embedded_obfuscated(house: bytes, house_dir: Path) -> None:
    files = parts(house)
    fonts = _font_table(house)
    rels = {r.get("Id"): r.get("Target") for r in
            etree.fromstring(files["word/_rels/fontTable.xml.rels"]).iter(f"{{{PKG}}}Relationship")
            if r.get("Type").endswith("/relationships/font")}
    expected = {SERIF: {"embedRegular": "QSerif.ttf", "embedBold": "QSerif-Bold.ttf"},
                SANS: {"embedRegular": "QSans.ttf"}}  # a face the family lacks: not embedded
    for name, faces in expected.items():
        got = {etree.QName(e).localname: e for e in fonts[name]
               if etree.QName(e).localname.startswith("embed")}
        assert set(got) == set(faces), name
        for slot, file in faces.items():
            key = wval(got[slot], "fontKey")
            assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", key)
            part = "word/" + rels[got[slot].get(f"{{{R}}}id")]
            assert re.fullmatch(r"word/fonts/font\d+\.odttf", part)
            original = (house_dir / file).read_bytes()
            assert files[part] != original  # obfuscated...
            assert deobfuscate(files[part], key) == original  # ...as the standard says
    types = etree.fromstring(files["[Content_Types].xml"])
    for part in (p for p in files if p.endswith(".odttf")):
        ctype = next(o.get("ContentType") for o in types.iter(f"{{{CT}}}Override")
                     if o.get("PartName") == f"/{part}")
        assert ctype == "application/vnd.openxmlformats-officedocument.obfuscatedFont"
    assert len([p for p in files if p.endswith(".odttf")]) == 3
    assert xml(house, "word/settings.xml").find(f"{{{W}}}embedTrueTypeFonts") is not None


def test_bundled_families_are_not_embedded(default: bytes) -> None:
    files = parts(default)
    assert not [p for p in files if p.startswith("word/fonts/")]
    assert "word/_rels/fontTable.xml.rels" not in files
    assert not [e for f in _font_table(default).values() for e in f
                if etree.QName(e).localname.startswith("embed")]
    assert xml(default, "word/settings.xml").find(f"{{{W}}}embedTrueTypeFonts") is None


def test_font_keys_follow_the_files(house: bytes, house_dir: Path) -> None:
    """Reproducible: the same files give the same keys and bytes; another file another key."""
    assert briefgen.build(SAMPLE, style=house_dir / "house.yaml", formats="docx").docx == house
    keys = {wval(e, "fontKey") for f in _font_table(house).values() for e in f
            if etree.QName(e).localname.startswith("embed")}
    assert len(keys) == 3


def test_house_pack_is_valid(house: bytes) -> None:
    assert schema_problems(house) == []
    assert package_problems(house) == []


# --------------------------------------------------------------------------------------------
# Sizes and colours


def test_sizes_reach_the_styles(house: bytes, house_style: Style) -> None:
    z = house_style.sizes
    for sid, size in (("Normal", z.base), ("Title", z.title), ("Heading1", z.h1),
                      ("Heading2", z.h2), ("Heading3", z.h3), ("Caption", z.small),
                      ("FootnoteText", z.small), ("EndnoteText", z.small),
                      ("Header", z.header_footer), ("Footer", z.header_footer),
                      ("MarkingBanner", z.marking)):
        sz = _style(house, sid).find(f"{{{W}}}rPr/{{{W}}}sz")
        assert half_points(sz) == pytest.approx(size, abs=0.25), sid  # whole half-points


def test_leading_is_the_line_spacing(house: bytes, house_style: Style) -> None:
    """Proportional line spacing (a multiple of the font's own line height, as Word and
    LibreOffice lay it) that sets the lines the style's leading apart, as the PDF does:
    1.6 times the type size, not 1.6 times the font's line (1.164 em for the DejaVu faces
    the house fonts are)."""
    from briefgen.render.docx.typefaces import FontSet, lo_line, lo_percent, single_line

    fonts = FontSet.of(house_style)
    size = round(house_style.sizes.base * 2) / 2
    single = single_line(fonts.body_font, fonts.families, size)
    root = xml(house, "word/styles.xml")
    default = root.find(f"{{{W}}}docDefaults/{{{W}}}pPrDefault/{{{W}}}pPr/{{{W}}}spacing")
    normal = _style(house, "Normal").find(f"{{{W}}}pPr/{{{W}}}spacing")
    for sp in (default, normal):
        assert wval(sp, "lineRule") == "auto"  # proportional, in 240ths of a line
        multiple = int(wval(sp, "line")) / 240
        assert multiple < 1.6  # (the font's line is taller than its size)
        # LibreOffice's line: the font's at a whole percentage, in whole twips
        assert lo_line(single, lo_percent(multiple)) / 20 == pytest.approx(1.6 * size,
                                                                           abs=0.1)
        # Word's: the font's line at the multiple (LibreOffice's percentage in 240ths)
        assert multiple * single / 20 == pytest.approx(1.6 * size, abs=0.15)
    assert docx.Document(io.BytesIO(house)).styles["Normal"].paragraph_format.line_spacing \
        == pytest.approx(int(wval(normal, "line")) / 240)


def test_colours_reach_the_styles(house: bytes, house_style: Style) -> None:
    c = house_style.colours
    hexa = {k: v.lstrip("#").upper() for k, v in c.model_dump().items() if isinstance(v, str)}
    for sid, colour in (("Normal", "text"), ("Title", "headings"), ("Heading1", "headings"),
                        ("Heading2", "headings"), ("Heading3", "headings"),
                        ("BoxTitle", "headings"), ("Subtitle", "muted"), ("Caption", "muted"),
                        ("SmallText", "muted"), ("Header", "muted"), ("Footer", "muted"),
                        ("Hyperlink", "link"), ("TableHeading", "table_header_text")):
        assert _rpr(_style(house, sid), "color") == hexa[colour], sid
    h1 = docx.Document(io.BytesIO(house)).styles["Heading 1"]
    assert str(h1.font.color.rgb) == "7A0019"
    footer_rule = _style(house, "Footer").find(f"{{{W}}}pPr/{{{W}}}pBdr/{{{W}}}top")
    assert wval(footer_rule, "color") == hexa["rule"]
    quote = _style(house, "Quote").find(f"{{{W}}}pPr/{{{W}}}pBdr/{{{W}}}left")
    assert wval(quote, "color") == hexa["rule"]
    table = _style(house, "BriefingTable")
    first = table.find(f"{{{W}}}tblStylePr[@{{{W}}}type='firstRow']")
    assert wval(first.find(f"{{{W}}}tcPr/{{{W}}}shd"), "fill") == hexa["table_header_bg"]
    assert wval(first.find(f"{{{W}}}rPr/{{{W}}}color")) == hexa["table_header_text"]
    assert wval(table.find(f"{{{W}}}tblPr/{{{W}}}tblBorders/{{{W}}}insideH"), "color") \
        == hexa["rule"]
    box = _style(house, "BriefingBox")
    assert wval(box.find(f"{{{W}}}tcPr/{{{W}}}shd"), "fill") == hexa["box_bg"]
    for side in ("top", "left", "bottom", "right"):
        assert wval(box.find(f"{{{W}}}tblPr/{{{W}}}tblBorders/{{{W}}}{side}"), "color") \
            == hexa["box_border"]


def test_small_print_in_cells_is_set_as_in_the_pdf(default: bytes) -> None:
    """Small print in a table cell (an actor's other names, a figure's note) takes the
    stylesheet's cell-small role, as in the PDF (body colour, not the muted small print of
    the body text)."""
    from briefgen.render.stylesheet import resolve
    from briefgen.style import load_style

    cell_small = resolve(load_style("default")).role("cell-small")
    body = xml(default, "word/document.xml").find(f"{{{W}}}body")
    found = []
    for tc in body.iter(f"{{{W}}}tc"):
        for p in tc.iter(f"{{{W}}}p"):
            if "".join(t.text or "" for t in p.iter(f"{{{W}}}t")).startswith("Also: "):
                found.append(wval(p.find(f"{{{W}}}pPr/{{{W}}}pStyle")))
    assert found
    for sid in set(found):
        st = _style(default, sid)
        assert _rpr(st, "color") == cell_small.colour.lstrip("#").upper(), sid
        assert half_points(st.find(f"{{{W}}}rPr/{{{W}}}sz")) == cell_small.size, sid


def test_risk_band_colours_reach_the_figure(house: bytes, house_style: Style) -> None:
    """``colours.risk_bands`` reaches the DOCX through the shared drawing: the risk matrix
    picture is filled with the style's four band colours."""
    from PIL import Image

    bands = {tuple(bytes.fromhex(c.lstrip("#"))) for c in house_style.colours.risk_bands}
    found = set()
    for name, blob in parts(house).items():
        if name.startswith("word/media/") and name.endswith(".png"):
            im = Image.open(io.BytesIO(blob)).convert("RGB")
            found |= {rgb for _, rgb in im.getcolors(1 << 24)} & bands
    assert found == bands


# --------------------------------------------------------------------------------------------
# Tables


def _borders(data: bytes) -> dict[str, str]:
    b = _style(data, "BriefingTable").find(f"{{{W}}}tblPr/{{{W}}}tblBorders")
    return {etree.QName(e).localname: wval(e) for e in b}


def _bands(data: bytes) -> list[etree._Element]:
    return [p for p in _style(data, "BriefingTable").iter(f"{{{W}}}tblStylePr")
            if "band" in wval(p, "type")]


def _data_tables(data: bytes) -> list[etree._Element]:
    return [t for t in xml(data, "word/document.xml").iter(f"{{{W}}}tbl")
            if wval(t.find(f"{{{W}}}tblPr/{{{W}}}tblStyle")) == "BriefingTable"]


def test_horizontal_rules_without_stripes(house: bytes) -> None:
    borders = _borders(house)
    assert borders["left"] == borders["right"] == borders["insideV"] == "nil"
    assert borders["insideH"] == borders["top"] == borders["bottom"] == "single"
    assert _bands(house) == []  # no band shading in the style...
    tables = _data_tables(house)
    assert tables
    for t in tables:  # ...and the tables do not ask for banding, nor shade cells themselves
        look = t.find(f"{{{W}}}tblPr/{{{W}}}tblLook")
        assert (wval(look, "noHBand"), wval(look, "firstRow")) == ("1", "1")
        assert int(wval(look), 16) & 0x0200
        assert t.find(f".//{{{W}}}tcPr/{{{W}}}shd") is None
        assert t.find(f".//{{{W}}}tcBorders") is None


def test_grid_rules_with_stripes(default: bytes) -> None:
    c = load_style("default").colours
    borders = _borders(default)
    assert set(borders.values()) == {"single"}
    assert set(borders) == {"top", "left", "bottom", "right", "insideH", "insideV"}
    (band,) = _bands(default)
    assert wval(band, "type") == "band2Horz"  # the first body row white, as in the PDF
    assert wval(band.find(f"{{{W}}}tcPr/{{{W}}}shd"), "fill") == c.table_stripe.lstrip("#")
    for t in _data_tables(default):
        look = t.find(f"{{{W}}}tblPr/{{{W}}}tblLook")
        assert wval(look, "noHBand") == "0" and not int(wval(look), 16) & 0x0200


def test_us_memo_has_horizontal_rules_and_stripes() -> None:
    data = render_docx(sample_document(), load_style("us-memo"))
    assert _borders(data)["insideV"] == "nil" and len(_bands(data)) == 1


# --------------------------------------------------------------------------------------------
# Cover logo


def _logo(data: bytes) -> tuple[int, etree._Element]:
    body = xml(data, "word/document.xml").find(f"{{{W}}}body")
    for i, p in enumerate(body):
        for d in p.iter(f"{{{WP}}}docPr"):
            if d.get("descr") == "Logo":
                return i, p
    raise AssertionError("no logo")


def test_logo_tops_the_top_sheet(house: bytes, house_dir: Path) -> None:
    i, p = _logo(house)
    body = xml(house, "word/document.xml").find(f"{{{W}}}body")
    styles = [wval(e.find(f"{{{W}}}pPr/{{{W}}}pStyle")) for e in body]
    assert i == 0 and styles.index("Title") == 1  # the first thing, just before the title
    extent = p.find(f".//{{{WP}}}extent")
    cx, cy = int(extent.get("cx")), int(extent.get("cy"))
    assert cx == round(50 * MM * 12700)  # logo_width
    assert cy == round(cx * LOGO_PX[1] / LOGO_PX[0])  # its aspect ratio
    assert p.find(f".//{{{WP}}}docPr").get("name") == "Logo"
    blip = p.find(f".//{{{A}}}blip").get(f"{{{R}}}embed")
    rels = etree.fromstring(parts(house)["word/_rels/document.xml.rels"])
    target = next(r.get("Target") for r in rels if r.get("Id") == blip)
    assert parts(house)["word/" + target] == (house_dir / "logo.png").read_bytes()
    assert docx.Document(io.BytesIO(house)).inline_shapes[0].width == cx


def test_no_logo_no_logo_style(default: bytes) -> None:
    assert "Logo" not in style_ids(default)
    assert not any(d.get("descr") == "Logo" for d in
                   xml(default, "word/document.xml").iter(f"{{{WP}}}docPr"))


def _logo_style(tmp_path: Path, image: bytes, name: str, width: str = "35mm") -> Style:
    (tmp_path / name).write_bytes(image)
    (tmp_path / "s.yaml").write_text(f"extends: default\ncover: {{logo: {name}, "
                                     f"logo_width: {width}}}\n")
    return load_style(tmp_path / "s.yaml")


def test_jpeg_logo_without_title_block_goes_at_the_very_top(tmp_path: Path) -> None:
    style = _logo_style(tmp_path, png((120, 120), "JPEG"), "logo.jpg")
    doc = Document(Meta(title="t", date=sample_document().meta.date),
                   (Paragraph((Text("Only text."),)),))
    data = render_docx(doc, style)
    i, p = _logo(data)
    assert i == 0
    extent = p.find(f".//{{{WP}}}extent")
    assert int(extent.get("cx")) == int(extent.get("cy")) == round(35 * MM * 12700)
    assert any(n.endswith(".jpg") for n in parts(data))


def test_logo_is_never_wider_than_the_text_nor_taller_than_a_quarter_page(tmp_path) -> None:
    style = _logo_style(tmp_path, png((50, 400)), "tall.png", width="500mm")
    doc = Document(Meta(title="t", date=sample_document().meta.date),
                   (TitleBlock((Text("Title"),)),))
    _, p = _logo(render_docx(doc, style))
    extent = p.find(f".//{{{WP}}}extent")
    cx, cy = int(extent.get("cx")) / 12700, int(extent.get("cy")) / 12700
    m = style.page.margins
    assert cy == pytest.approx((841.8898 - m.top - m.bottom) / 4, abs=0.01)
    assert cx == pytest.approx(cy / 8, abs=0.01)


def test_unreadable_logo_is_a_located_error(tmp_path: Path) -> None:
    """The style loader refuses a file that is not an image; a style made in code may still
    name one, and rendering says what is wrong with it."""
    (tmp_path / "logo.png").write_bytes(b"not an image")
    style = Style(cover=Cover(logo=tmp_path / "logo.png"))
    with pytest.raises(BriefError, match=r"cover\.logo: the logo cannot be read"):
        render_docx(sample_document(), style)


# --------------------------------------------------------------------------------------------
# Markings


def test_tlp_colours_and_background() -> None:
    style = Style(marking=MarkingStyle(tlp_colours={"TLP:AMBER": "#FF8800"},
                                       tlp_background="#202020"))
    data = render_docx(sample_document(Marking("tlp", "TLP:AMBER")), style)
    banner = _style(data, "MarkingBanner")
    assert _rpr(banner, "color") == "FF8800"
    assert wval(banner.find(f"{{{W}}}pPr/{{{W}}}shd"), "fill") == "202020"
    assert wval(banner.find(f"{{{W}}}pPr/{{{W}}}jc")) == "right"


def test_banner_colour_for_classifications() -> None:
    style = Style(marking=MarkingStyle(banner_colour="#C00000"))
    data = render_docx(sample_document(Marking("uk", "official-sensitive")), style)
    banner = _style(data, "MarkingBanner")
    assert _rpr(banner, "color") == "C00000"
    assert banner.find(f"{{{W}}}pPr/{{{W}}}shd") is None
    header = xml(data, "word/header1.xml")
    assert "OFFICIAL-SENSITIVE" in "".join(t.text for t in header.iter(f"{{{W}}}t"))


# --------------------------------------------------------------------------------------------
# Numbered paragraphs (numbering.paragraphs, numbered by layout)


def test_numbered_paragraphs_hang_their_numbers() -> None:
    style = Style(numbering=Numbering(paragraphs="decimal"))
    doc = Document(Meta(title="t", date=sample_document().meta.date), (
        Paragraph((Text("First."),)),
        ListBlock(((Paragraph((Text("a point"),)),), (Paragraph((Text("another"),)),)),
                  ordered=True),
        Paragraph((Text("Second."),)),
        ListBlock(((Paragraph((Text("a bullet"),)),),)),
    ))
    data = render_docx(layout.apply_style(doc, style), style)
    body = xml(data, "word/document.xml").find(f"{{{W}}}body")
    paras = [p for p in body.iter(f"{{{W}}}p")
             if wval(p.find(f"{{{W}}}pPr/{{{W}}}pStyle")) == "NumberedParagraph"]
    assert ["".join(t.text for t in p.iter(f"{{{W}}}t")) for p in paras] == \
        ["1.First.", "2.Second."]
    for p in paras:  # the number, a tab, the text
        runs = p.findall(f"{{{W}}}r")
        assert runs[0].find(f"{{{W}}}t").text.endswith(".")
        assert runs[1].find(f"{{{W}}}tab") is not None
    st = _style(data, "NumberedParagraph")
    ind = st.find(f"{{{W}}}pPr/{{{W}}}ind")
    hang = int(wval(ind, "left"))
    assert int(wval(ind, "hanging")) == hang  # the number hung at the margin
    assert hang / 20 >= 2.5 * style.sizes.base - TWIP  # at least 2.5 em
    assert int(wval(st.find(f"{{{W}}}pPr/{{{W}}}tabs/{{{W}}}tab"), "pos")) == hang
    # lists stand in the text column; an ordered one is lettered (a), (b)
    items = [p for p in body.iter(f"{{{W}}}p") if p.find(f".//{{{W}}}numPr") is not None]
    for p in items:
        left = int(wval(p.find(f"{{{W}}}pPr/{{{W}}}ind"), "left"))
        hanging = int(wval(p.find(f"{{{W}}}pPr/{{{W}}}ind"), "hanging"))
        assert left - hanging == hang
    num_id = wval(items[0].find(f".//{{{W}}}numId"))
    numbering = xml(data, "word/numbering.xml")
    abstract = wval(numbering.find(f"{{{W}}}num[@{{{W}}}numId='{num_id}']/{{{W}}}abstractNumId"))
    lvl = numbering.find(f"{{{W}}}abstractNum[@{{{W}}}abstractNumId='{abstract}']/{{{W}}}lvl")
    assert (wval(lvl.find(f"{{{W}}}numFmt")), wval(lvl.find(f"{{{W}}}lvlText"))) == \
        ("lowerLetter", "(%1)")
    assert schema_problems(data) == [] and package_problems(data) == []


# --------------------------------------------------------------------------------------------
# LibreOffice: what a reader sees (one conversion for the module)


@pytest.fixture(scope="module")
def house_pdf(house: bytes, tmp_path_factory) -> Path:
    return libreoffice_pdfs({"house": house}, tmp_path_factory.mktemp("lo-styles"))["house"]


def test_libreoffice_uses_the_embedded_typeface(house_pdf: Path) -> None:
    """No installed font is called Quillon: LibreOffice can only have it from the .docx."""
    need_tool("pdffonts")
    fonts = subprocess.run(["pdffonts", str(house_pdf)], capture_output=True, text=True,
                           check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert {"QuillonTestSerif-Regular", "QuillonTestSerif-Bold",
            "QuillonTestSans-Regular"} <= names
    assert not any(n.startswith("DejaVu") for n in names)


def test_libreoffice_lays_out_the_style(house_pdf: Path, house_style: Style) -> None:
    import pdfplumber

    m = house_style.page.margins
    with pdfplumber.open(house_pdf) as pdf:
        p1, p2 = pdf.pages[0], pdf.pages[1]
        assert (round(p1.width), round(p1.height)) == (420, 595)  # A5
        # the binding margin on the inner side: left on odd pages, right on even ones
        assert min(c["x0"] for c in p1.chars) == pytest.approx(m.left + m.binding, abs=2)
        assert min(c["x0"] for c in p2.chars) == pytest.approx(m.right, abs=2)
        # the logo above the title, logo_width wide
        (logo,) = p1.images
        assert logo["x1"] - logo["x0"] == pytest.approx(50 * MM, abs=1)
        title = [c for c in p1.chars if c["size"] > 18]
        assert title and logo["bottom"] < min(c["top"] for c in title)
        # the headings' colour, from the style
        rgb = {tuple(round(v, 2) for v in c["non_stroking_color"]) for c in title}
        assert rgb == {(round(0x7A / 255, 2), 0.0, round(0x19 / 255, 2))}


def test_libreoffice_contents_page_numbers_with_the_analysts_font(house_pdf: Path) -> None:
    """The cached contents page numbers come from the page estimate, which measures the text
    in the analyst's own font files: on this small page, where long table rows split, it is
    right for most headings and never more than a page out."""
    text = subprocess.run(["pdftotext", "-layout", str(house_pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    contents = next(i for i, p in enumerate(pages) if re.search(r"^\s*Contents\s*$", p, re.M))
    shown = {}
    for line in pages[contents].splitlines():
        found = re.match(r"\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", line)
        if found:
            shown[found.group(1)] = int(found.group(2))
    found = {}
    for heading, page in shown.items():
        where = [n for n, p in enumerate(pages, 1) if n > contents + 1 and any(
            " ".join(line.split()) == heading for line in p.splitlines())]
        if where:  # a heading that wraps is not found as one line: left out
            found[heading] = (page, where[0])
    assert len(found) >= 8
    assert all(abs(shown - actual) <= 1 for shown, actual in found.values()), found
    assert sum(shown == actual for shown, actual in found.values()) >= len(found) * 3 / 4, \
        repr(found)


def test_reference_document_with_embedded_fonts(house: bytes, house_dir: Path,
                                                tmp_path: Path) -> None:
    """A reference document that embeds fonts of its own (a previous pack) gives its styles
    but not its font files: a reference brings styles, never files that Word or LibreOffice
    would parse (issue 12); the style's own family for the marking is embedded, and the font
    table still names the reference's families, with no embedding left pointing nowhere."""
    (tmp_path / "ref.docx").write_bytes(house)
    (tmp_path / "Other.ttf").write_bytes(renamed_font(
        (DEJAVU / "DejaVuSans.ttf").read_bytes(), "Quillon Other Sans"))
    (tmp_path / "s.yaml").write_text(
        "extends: default\nreference_docx: ref.docx\nfonts:\n  families:\n"
        "    o: {name: Quillon Other Sans, regular: Other.ttf}\n  headings: o\n")
    data = render_docx(sample_document(), load_style(tmp_path / "s.yaml"))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
    assert len(names) == len(set(names))
    assert len([n for n in names if n.endswith(".odttf")]) == 1
    fonts = _font_table(data)
    assert {SERIF, SANS, "Quillon Other Sans"} <= set(fonts)
    assert fonts["Quillon Other Sans"].find(f"{{{W}}}embedRegular") is not None
    for name in (SERIF, SANS):
        assert not [e for e in fonts[name] if "embed" in e.tag], name
    assert schema_problems(data) == [] and package_problems(data) == []
