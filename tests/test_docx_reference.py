"""The DOCX pack on an organisation's Word document or template (``style.reference_docx``,
``--reference-doc``): its styles, page set-up and header logo are the pack's; its body is not.

The reference documents are made here with python-docx and then edited as Word leaves them: a
built-in style it never used is missing from styles.xml, a template's main part has the
template content type, a German Word names its heading styles' ids differently."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.enum.section import WD_ORIENT
from docx.shared import Inches, Pt, RGBColor
from lxml import etree

import briefgen
from briefgen.document import Document, Heading, Meta, Note, Paragraph, Text
from briefgen.errors import BriefError
from briefgen.render.docx import render_docx
from briefgen.style import Style
from conftest import SAMPLE, libreoffice_pdfs
from test_render_docx import (
    DATE,
    R,
    W,
    package_problems,
    parts,
    sample_document,
    schema_problems,
    style_ids,
    texts,
    wval,
    xml,
)

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
BODY_TEXT = "TEMPLATE BODY TEXT that no pack may carry"
HEADER_TEXT = "ACME Ministry of Examples"
LANDSCAPE_LETTER = ("15840", "12240")  # 11 x 8.5 in, in twips
MARGINS = {"top": "1584", "bottom": "1296", "left": "1440", "right": "1080", "header": "576"}


def logo_png() -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (240, 80), "#0B6E4F")
    ImageDraw.Draw(im).rectangle([20, 30, 220, 50], fill="#FFFFFF")
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


LOGO = logo_png()


def _font(style, name: str) -> None:
    """Name a style's font on every script slot, without the theme fonts that would win."""
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(f"{{{W}}}{slot}", name)


def _rezip(data: bytes, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            z.writestr(name, edit(name, src.read(name)))
    return out.getvalue()


def make_reference(*, dotx: bool = False, heading_id: str | None = None,
                   odd_even: bool = False, macros: bool = False) -> bytes:
    """An organisation's template: Heading 1 and Normal restyled, Letter landscape with its own
    margins, a logo and a name in the header, body text, and no Heading 2 style."""
    d = docx.Document()
    h1 = d.styles["Heading 1"]
    _font(h1, "Liberation Serif")
    h1.font.size = Pt(20)
    h1.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    _font(d.styles["Normal"], "Liberation Sans")
    d.styles["Normal"].font.size = Pt(10.5)
    sec = d.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Inches(11), Inches(8.5)
    sec.top_margin, sec.bottom_margin = Inches(1.1), Inches(0.9)
    sec.left_margin, sec.right_margin = Inches(1.0), Inches(0.75)
    sec.header_distance = Inches(0.4)
    hp = sec.header.paragraphs[0]
    hp.add_run().add_picture(io.BytesIO(LOGO), width=Inches(1.2))
    hp.add_run(" " + HEADER_TEXT)
    sec.footer.paragraphs[0].add_run("Reference footer text")
    if odd_even:  # even pages and the first page with headers of their own (no logo)
        d.settings.odd_and_even_pages_header_footer = True
        sec.different_first_page_header_footer = True
        sec.even_page_header.paragraphs[0].add_run("EVEN PAGE HEADER")
        sec.first_page_header.paragraphs[0].add_run("FIRST PAGE HEADER")
    d.add_paragraph(BODY_TEXT)
    d.add_heading("Template heading", 1)
    d.add_table(rows=1, cols=2).cell(0, 0).text = "template table cell"
    buf = io.BytesIO()
    d.save(buf)

    def edit(name: str, blob: bytes) -> bytes:
        if name == "word/styles.xml":  # as Word saves it: an unused built-in is absent
            text = blob.decode("utf-8")
            cut = re.sub(r'<w:style [^>]*w:styleId="Heading2".*?</w:style>', "", text,
                         flags=re.S)
            assert cut != text
            if heading_id:  # a localised Word: same name ("heading 1"), another id
                cut = cut.replace('"Heading1"', f'"{heading_id}"')
            blob = cut.encode("utf-8")
        if name == "word/document.xml" and heading_id:
            blob = blob.replace(b'"Heading1"', f'"{heading_id}"'.encode())
        if name == "[Content_Types].xml" and dotx:
            blob = blob.replace(b"wordprocessingml.document.main+xml",
                                b"wordprocessingml.template.main+xml")
        if name == "[Content_Types].xml" and macros:  # a macro-enabled template (.dotm)
            blob = blob.replace(
                b"application/vnd.openxmlformats-officedocument.wordprocessingml.document."
                b"main+xml", b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml"
            ).replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                                   b'vnd.ms-office.vbaProject"/></Types>')
        if name == "word/_rels/document.xml.rels" and macros:
            blob = blob.replace(b"</Relationships>", (
                b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>'))
        return blob

    data = _rezip(buf.getvalue(), edit)
    if macros:
        out = io.BytesIO(data)
        with zipfile.ZipFile(out, "a") as z:
            z.writestr("word/vbaProject.bin", b"MACROS" * 100)
        data = out.getvalue()
    return data


@pytest.fixture(scope="module")
def refs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ref")
    out = {}
    for name, data in (("org.docx", make_reference()), ("org.dotx", make_reference(dotx=True)),
                       ("de.docx", make_reference(heading_id="berschrift1")),
                       ("oddeven.docx", make_reference(odd_even=True)),
                       ("org.dotm", make_reference(macros=True))):
        (folder / name).write_bytes(data)
        out[name] = folder / name
    return out


@pytest.fixture(scope="module")
def pack(refs) -> bytes:
    """The sample brief's DOCX on the organisation's .dotx template."""
    return briefgen.build(SAMPLE, formats="docx", reference_doc=refs["org.dotx"]).docx


def _ref_xml(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def _style(root: etree._Element, style_id: str) -> etree._Element | None:
    return root.find(f"{{{W}}}style[@{{{W}}}styleId='{style_id}']")


# --------------------------------------------------------------------------------------------
# Styles


def test_reference_styles_are_kept_as_they_are(pack: bytes, refs) -> None:
    ref_styles = _ref_xml(refs["org.dotx"], "word/styles.xml")
    out_styles = xml(pack, "word/styles.xml")
    for sid in ("Heading1", "Normal", "Title", "Caption", "Quote"):
        assert etree.tostring(_style(out_styles, sid), method="c14n") == \
            etree.tostring(_style(ref_styles, sid), method="c14n"), sid
    d = docx.Document(io.BytesIO(pack))
    h1 = d.styles["Heading 1"]
    assert (h1.font.name, h1.font.size, h1.font.color.rgb) == \
        ("Liberation Serif", Pt(20), RGBColor(0xC0, 0x00, 0x00))
    assert d.styles["Normal"].font.name == "Liberation Sans"
    assert d.styles["Normal"].font.size == Pt(10.5)
    # the document's language on the defaults; no briefgen font forced on them
    defaults = out_styles.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr")
    assert wval(defaults.find(f"{{{W}}}lang")) == "en-GB"
    assert "DejaVu" not in etree.tostring(defaults).decode()
    # headings of the pack are in the reference's Heading 1
    by_text = {p.text: p.style.name for p in d.paragraphs}
    assert by_text["Lines to take"] == "Heading 1"


def test_missing_built_in_styles_are_created(pack: bytes, refs) -> None:
    assert _style(_ref_xml(refs["org.dotx"], "word/styles.xml"), "Heading2") is None
    d = docx.Document(io.BytesIO(pack))
    h2 = d.styles["Heading 2"]  # python-docx raised KeyError on the reference itself
    assert h2.type == 1 and h2.base_style.name == "Normal"
    st = _style(xml(pack, "word/styles.xml"), "Heading2")
    assert wval(st.find(f"{{{W}}}pPr/{{{W}}}outlineLvl")) == "1"
    assert st.find(f".//{{{W}}}rFonts") is None  # the reference's font, not a bundled one
    assert "Heading 2" in {p.style.name for p in d.paragraphs}
    # briefgen's own styles are added (the marking banner names the font it is measured in)
    ids = style_ids(pack)
    for sid in ("MarkingBanner", "BriefingTable", "MetaTable", "Lead", "TableText"):
        assert sid in ids, sid
    assert _style(xml(pack, "word/styles.xml"), "Lead").find(f".//{{{W}}}rFonts") is None
    fonts = [wval(f, "name") for f in xml(pack, "word/fontTable.xml").findall(f"{{{W}}}font")]
    assert "DejaVu Sans" in fonts


def test_localised_style_ids_are_used(refs) -> None:
    """A German Word names Heading 1's id "berschrift1": the pack uses that style rather than
    adding a second Heading 1."""
    data = render_docx(sample_document(), Style(reference_docx=refs["de.docx"]))
    styles = xml(data, "word/styles.xml")
    assert _style(styles, "Heading1") is None
    names = [wval(s.find(f"{{{W}}}name")) for s in styles.iter(f"{{{W}}}style")]
    assert names.count("heading 1") == 1
    body = xml(data, "word/document.xml")
    used = [wval(p.find(f"{{{W}}}pPr/{{{W}}}pStyle")) for p in body.iter(f"{{{W}}}p")
            if texts(p) == "Lines to take"]
    assert used == ["berschrift1"]
    toc_heading = _style(styles, "TOCHeading")
    assert wval(toc_heading.find(f"{{{W}}}basedOn")) == "berschrift1"
    assert package_problems(data) == []


# --------------------------------------------------------------------------------------------
# Page, header, body


def test_page_setup_comes_from_the_reference(pack: bytes) -> None:
    sect = xml(pack, "word/document.xml").find(f"{{{W}}}body/{{{W}}}sectPr")
    size = sect.find(f"{{{W}}}pgSz")
    assert (wval(size, "w"), wval(size, "h"), wval(size, "orient")) == \
        (*LANDSCAPE_LETTER, "landscape")
    mar = sect.find(f"{{{W}}}pgMar")
    assert {k: wval(mar, k) for k in MARGINS} == MARGINS
    # one default header and footer for every page
    assert [wval(r, "type") for r in sect.findall(f"{{{W}}}headerReference")] == ["default"]
    assert [wval(r, "type") for r in sect.findall(f"{{{W}}}footerReference")] == ["default"]
    assert sect.find(f"{{{W}}}titlePg") is None


def test_tables_and_figures_fit_the_references_text_width(pack: bytes) -> None:
    width = int(LANDSCAPE_LETTER[0]) - int(MARGINS["left"]) - int(MARGINS["right"])
    body = xml(pack, "word/document.xml")
    grids = [sum(int(wval(g, "w")) for g in t.iter(f"{{{W}}}gridCol"))
             for t in body.iter(f"{{{W}}}tbl")]
    assert max(grids) == width
    wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    extents = [int(e.get("cx")) for e in body.iter(f"{{{wp}}}extent")]
    assert extents and max(extents) == round(width / 20 * 12700)


def test_header_carries_the_logo_with_the_marking(pack: bytes) -> None:
    files = parts(pack)
    headers = [n for n in files if re.fullmatch(r"word/header\d+\.xml", n)]
    assert len(headers) == 1
    header = etree.fromstring(files[headers[0]])
    assert texts(header) == "TLP:CLEAR"  # the marking; the reference's header text is not
    blips = list(header.iter(f"{{{A}}}blip"))
    assert len(blips) == 1
    rels = etree.fromstring(files["word/_rels/" + headers[0].split("/")[1] + ".rels"])
    target = next(r.get("Target") for r in rels if r.get("Id") == blips[0].get(f"{{{R}}}embed"))
    assert files["word/" + target] == LOGO
    paras = header.findall(f"{{{W}}}p")
    assert paras[0].find(f".//{{{A}}}blip") is not None  # the logo first, then the marking
    assert wval(paras[-1].find(f"{{{W}}}pPr/{{{W}}}pStyle")) == "MarkingBanner"
    footer = texts(xml(pack, "word/footer1.xml"))
    assert "Reference footer text" not in footer and "TLP:CLEAR" in footer


def test_reference_body_and_leftovers_are_dropped(pack: bytes) -> None:
    files = parts(pack)
    everything = b" ".join(files.values())
    for gone in (BODY_TEXT, "Template heading", "template table cell", HEADER_TEXT,
                 "Reference footer text"):
        assert gone.encode() not in everything, gone
    assert not any(n.startswith(("customXml", "docProps/custom", "docProps/thumbnail"))
                   for n in files)
    media = [n for n in files if n.startswith("word/media/")]
    assert sorted(files[n][:8] for n in media) == [b"\x89PNG\r\n\x1a\n"] * len(media)
    assert sum(files[n] == LOGO for n in media) == 1  # the logo once; the rest are figures


def test_odd_even_and_first_page_headers_are_not_carried(refs) -> None:
    data = render_docx(sample_document(), Style(reference_docx=refs["oddeven.docx"]))
    settings = xml(data, "word/settings.xml")
    assert settings.find(f"{{{W}}}evenAndOddHeaders") is None
    sect = xml(data, "word/document.xml").find(f"{{{W}}}body/{{{W}}}sectPr")
    assert sect.find(f"{{{W}}}titlePg") is None
    assert b"EVEN PAGE HEADER" not in b"".join(parts(data).values())
    assert b"FIRST PAGE HEADER" not in b"".join(parts(data).values())
    header = next(v for k, v in parts(data).items() if k.startswith("word/header"))
    assert b"blip" in header  # the default header's logo
    assert package_problems(data) == [] and schema_problems(data) == []


def test_a_previous_pack_as_reference_with_footnotes(tmp_path) -> None:
    """A reference that has notes, numbering, bookmarks and fields of its own (an earlier
    pack): the new pack has one footnotes part with its own notes only."""
    old = render_docx(sample_document(), Style(notes="footnotes"))
    (tmp_path / "old.docx").write_bytes(old)
    meta = Meta(title="New", date=DATE)
    doc = Document(meta, (Heading(1, (Text("Fresh"),), "fresh"),
                          Paragraph((Text("New text"), Note((Text("The only note."),)))),))
    data = render_docx(doc, Style(notes="footnotes", reference_docx=tmp_path / "old.docx"))
    files = parts(data)
    assert [n for n in files if "notes" in n] == ["word/footnotes.xml"]
    notes = xml(data, "word/footnotes.xml").findall(f"{{{W}}}footnote")
    assert [texts(n).strip() for n in notes if wval(n, "type") is None] == ["The only note."]
    assert "Lines to take" not in texts(xml(data, "word/document.xml"))
    assert package_problems(data) == [] and schema_problems(data) == []


# --------------------------------------------------------------------------------------------
# Package


def test_valid_and_reproducible(pack: bytes, refs) -> None:
    assert schema_problems(pack) == []
    assert package_problems(pack) == []
    again = briefgen.build(SAMPLE, formats="docx", reference_doc=refs["org.dotx"]).docx
    assert again == pack
    # a .dotx gives the pack its .docx twin gives; a .dotm too, without its macros
    assert briefgen.build(SAMPLE, formats="docx", reference_doc=refs["org.docx"]).docx == pack
    assert briefgen.build(SAMPLE, formats="docx", reference_doc=refs["org.dotm"]).docx == pack


def test_core_properties_are_the_packs_only(pack: bytes) -> None:
    cp = docx.Document(io.BytesIO(pack)).core_properties
    assert cp.title.startswith("Nagorno-Karabakh")
    assert cp.last_printed is None and cp.content_status == "" and cp.identifier == ""
    core = parts(pack)["docProps/core.xml"]
    assert b"python-docx" not in core


@pytest.mark.parametrize("content, what", [
    (b"just some text\n", "not a Word document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".doc"),
    ("zip", "not a Word document"),
    ("xlsx", "spreadsheet"),
])
def test_a_file_that_is_not_a_word_document_is_refused(tmp_path, content, what) -> None:
    path = tmp_path / "ref.docx"
    if content == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "hi")
    elif content == "xlsx":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("[Content_Types].xml",
                       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                       'content-types"><Override PartName="/xl/workbook.xml" ContentType="'
                       'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
                       'main+xml"/></Types>')
            z.writestr("_rels/.rels",
                       '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       'relationships"><Relationship Id="rId1" Type="http://schemas.'
                       'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>')
    else:
        path.write_bytes(content)
    with pytest.raises(BriefError) as err:
        render_docx(sample_document(), Style(reference_docx=path))
    (diag,) = err.value.diagnostics
    assert (diag.file, diag.line, diag.path) == (str(path), None, "reference_docx")
    assert what in diag.message and diag.message.startswith("the reference document ")


def test_a_missing_reference_is_refused(tmp_path) -> None:
    with pytest.raises(BriefError) as err:
        render_docx(sample_document(), Style(reference_docx=tmp_path / "nowhere.dotx"))
    assert "does not exist" in err.value.diagnostics[0].message


# --------------------------------------------------------------------------------------------
# The command line, and what LibreOffice makes of the pack


def test_cli_build_with_a_reference_template(tmp_path, refs) -> None:
    from briefgen.cli import cli

    brief = tmp_path / "brief.yaml"
    brief.write_bytes(SAMPLE.read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(brief), "-o", str(out), "--format", "docx",
                                      "--reference-doc", str(refs["org.dotx"])])
    assert result.exit_code == 0, result.output
    data = (out / "brief.docx").read_bytes()
    assert not (out / "brief.pdf").exists()
    assert docx.Document(io.BytesIO(data)).styles["Heading 1"].font.name == "Liberation Serif"
    bad = tmp_path / "notes.txt"
    bad.write_text("not a template")
    result = CliRunner().invoke(cli, ["build", str(brief), "-o", str(out), "--format", "docx",
                                      "--reference-doc", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}: reference_docx: the reference document is not a Word document" in \
        result.output


@pytest.fixture(scope="module")
def libreoffice_pdf(pack: bytes, tmp_path_factory) -> Path:
    return libreoffice_pdfs({"pack": pack}, tmp_path_factory.mktemp("lo-ref"))["pack"]


def test_libreoffice_lays_out_the_pack_on_the_references_page(libreoffice_pdf: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(libreoffice_pdf)
    assert len(reader.pages) >= 8
    text = " ".join(p.extract_text() for p in reader.pages)
    # (the notes, bare citations, are listed under Sources)
    for s in ("Lines to take", "Annex A: Chronology", "Paul Stronski", "Sources"):
        assert s in text, s
    assert BODY_TEXT not in text and HEADER_TEXT not in text
    for n, page in enumerate(reader.pages, 1):
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (792, 612), n
        assert page.extract_text().count("TLP:CLEAR") >= 2, f"page {n} lacks its marking"
        assert len(page.images) >= 1, f"page {n} lacks the logo"
