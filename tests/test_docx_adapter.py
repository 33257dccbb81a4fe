"""The python-docx internals the DOCX renderer relies on, exercised against the installed
python-docx: an upgrade that renames or changes one fails here, by name, rather than quietly
in a pack. And no other renderer module reaches past :mod:`briefgen.render.docx.docx_adapter`
for them."""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.text.paragraph import CT_P
from lxml import etree

from briefgen.render.docx import docx_adapter as ad

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
PACKAGE = Path(ad.__file__).parent


def saved(wd) -> dict[str, bytes]:
    """The members of ``wd`` as python-docx's own ``save`` writes them."""
    buf = io.BytesIO()
    wd.save(buf)
    with zipfile.ZipFile(buf) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_part_blobs_are_what_save_writes() -> None:
    """``PackageWriter._write_content_types_stream``, ``_write_pkg_rels``, ``_write_parts``."""
    for name in ("_write_content_types_stream", "_write_pkg_rels", "_write_parts"):
        assert callable(getattr(ad.PackageWriter, name)), name
    wd = docx.Document()
    wd.add_paragraph("hello")
    blobs = ad.part_blobs(wd.part.package)
    assert blobs == saved(wd)
    assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml",
            "word/_rels/document.xml.rels"} <= set(blobs)


def test_set_blob_replaces_a_binary_part() -> None:
    """``Part._blob``: the theme is a plain binary part in python-docx's template."""
    wd = docx.Document()
    theme = next(r.target_part for r in wd.part.rels.values() if r.reltype == ad.RT.THEME)
    assert type(theme) is ad.Part and hasattr(theme, "_blob")
    ad.set_blob(theme, b"<replaced/>")
    assert theme.blob == b"<replaced/>"
    assert ad.part_blobs(wd.part.package)[theme.partname.membername] \
        == b"<replaced/>"


def test_drop_rel_removes_a_relationship() -> None:
    wd = docx.Document()
    rels = wd.part.rels
    assert isinstance(rels, dict)
    rid = wd.part.relate_to("https://example.org/", ad.RT.HYPERLINK, is_external=True)
    ad.drop_rel(rels, rid)
    assert rid not in rels
    assert b"example.org" not in ad.part_blobs(wd.part.package)["word/_rels/document.xml.rels"]


def test_settings_part_is_the_settings() -> None:
    """``DocumentPart._settings_part``."""
    wd = docx.Document()
    part = ad.settings_part(wd.part)
    assert part.element is wd.settings.element
    assert etree.QName(part.element).localname == "settings"
    assert hasattr(part, "rels")


def test_sect_pr_is_the_sections_element() -> None:
    """``Section._sectPr``."""
    wd = docx.Document()
    sp = ad.sect_pr(wd.sections[0])
    assert sp.tag == f"{{{W}}}sectPr"
    assert sp is wd.element.body.find(f"{{{W}}}sectPr")


def test_story_element_is_the_header_and_footer() -> None:
    """``_Header._element``, ``_Footer._element``: changes show in the saved parts."""
    wd = docx.Document()
    sec = wd.sections[0]
    sec.header.is_linked_to_previous = False
    sec.footer.is_linked_to_previous = False
    hdr, ftr = ad.story_element(sec.header), ad.story_element(sec.footer)
    assert (hdr.tag, ftr.tag) == (f"{{{W}}}hdr", f"{{{W}}}ftr")
    hdr.append(ad.make_element("w:p"))
    hdr[-1].append(ad.make_element("w:r"))
    assert hdr[-1] is sec.header.paragraphs[-1]._p  # the same tree python-docx edits


def test_core_properties_element() -> None:
    """``CoreProperties._element``: what is written to docProps/core.xml."""
    wd = docx.Document()
    cp = wd.core_properties
    root = ad.core_properties_element(cp)
    assert root.tag == f"{{{CP}}}coreProperties"
    for child in list(root):
        root.remove(child)
    cp.title = "only this"
    core = etree.fromstring(ad.part_blobs(wd.part.package)["docProps/core.xml"])
    assert [etree.QName(c).localname for c in core] == ["title"]


def test_new_parts_are_packaged_with_their_content_type() -> None:
    wd = docx.Document()
    blob_part = ad.new_part("/word/fonts/font1.odttf", "application/x-test", b"\x00\x01",
                            wd.part.package)
    xml_part = ad.new_xml_part("/word/footnotes.xml", ad.CT.WML_FOOTNOTES,
                               ad.parse_xml(f"<w:footnotes {ad.nsdecls('w')}/>"),
                               wd.part.package)
    wd.part.relate_to(blob_part, ad.RT.FONT)
    wd.part.relate_to(xml_part, ad.RT.FOOTNOTES)
    blobs = ad.part_blobs(wd.part.package)
    assert blobs["word/fonts/font1.odttf"] == b"\x00\x01"
    assert b"footnotes" in blobs["word/footnotes.xml"]
    types = blobs["[Content_Types].xml"].decode()
    assert "application/x-test" in types and ad.CT.WML_FOOTNOTES in types


@pytest.mark.parametrize("tag", ["w:p", "w:r", "w:tbl", "w:rPr", "w:hyperlink", "w:sectPr"])
def test_make_element_is_oxml_element(tag: str) -> None:
    """``NamespacePrefixedTag`` and ``oxml_parser``: the same element (and element class)
    as python-docx's own ``OxmlElement``."""
    ours, theirs = ad.make_element(tag), OxmlElement(tag)
    assert (ours.tag, ours.nsmap, type(ours)) == (theirs.tag, theirs.nsmap, type(theirs))
    assert isinstance(ad.make_element("w:p"), CT_P)


def test_new_pic_inline_and_doc_pr() -> None:
    """``CT_Inline.new_pic_inline`` and its ``docPr``."""
    inline = ad.new_pic_inline(7, "rId9", "figure7.png", 12700 * 100, 12700 * 50)
    assert inline.tag == f"{{{WP}}}inline"
    extent = inline.find(f"{{{WP}}}extent")
    assert (extent.get("cx"), extent.get("cy")) == (str(12700 * 100), str(12700 * 50))
    assert next(inline.iter(f"{{{A}}}blip")).get(f"{{{R}}}embed") == "rId9"
    pr = ad.doc_pr(inline)
    assert pr.tag == f"{{{WP}}}docPr" and pr.get("id") == "7"
    pr.set("descr", "alt")
    assert inline.find(f"{{{WP}}}docPr").get("descr") == "alt"


def _private_uses(path: Path) -> list[str]:
    """Private attributes (``x._name``, not on ``self``) and imports of python-docx's
    internal modules in a source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__") \
                and not (isinstance(node.value, ast.Name) and node.value.id == "self"):
            found.append(f"{path.name}:{node.lineno} .{node.attr}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                ("docx.opc", "docx.oxml", "docx.parts")):
            found.append(f"{path.name}:{node.lineno} from {node.module}")
    return found


def test_no_renderer_module_reaches_past_the_adapter() -> None:
    modules = [p for p in PACKAGE.rglob("*.py") if p.name != "docx_adapter.py"]
    assert len(modules) > 10
    assert [u for p in modules for u in _private_uses(p)] == []
    assert _private_uses(PACKAGE / "docx_adapter.py")  # (the check finds them where they are)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_shipped_base_template_is_what_python_docx_makes() -> None:
    """The package a pack starts from is read from the copy shipped with briefgen
    (``package.BASE_TEMPLATE``), not made in each process: it must be, member for member,
    python-docx's default template as ``make_base_template`` makes it from the installed
    python-docx (an upgrade that changes that template fails here: write the file anew)."""
    from briefgen.render.docx.package import base_template, make_base_template

    shipped = _members(base_template())
    assert shipped == _members(make_base_template())
    # what every pack drops is gone already, and so are the unused table styles
    assert not {"word/stylesWithEffects.xml", "docProps/thumbnail.jpeg",
                "customXml/item1.xml"} & set(shipped)
    assert b"stylesWithEffects" not in shipped["word/_rels/document.xml.rels"]
    styles = etree.fromstring(shipped["word/styles.xml"])
    tables = {s.get(f"{{{W}}}styleId")
              for s in styles.iterfind(f"{{{W}}}style[@{{{W}}}type='table']")}
    assert tables == {"TableNormal", "TableGrid"}

    def others(root: etree._Element) -> list[str | None]:
        return [s.get(f"{{{W}}}styleId") for s in root.iterfind(f"{{{W}}}style")
                if s.get(f"{{{W}}}type") != "table"]

    assert len(others(styles)) > 50  # (the rest are all there)
    assert others(styles) == others(docx.Document().styles.element)
