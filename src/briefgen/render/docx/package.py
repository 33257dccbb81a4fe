"""The package around the document: the starting template, the relationships a pack keeps,
``docProps/app.xml``, the theme, the footnotes part, and the reproducible zip (fixed entry
order, times, attributes and compression, so identical content gives identical bytes)."""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import docx as _docx
from lxml import etree

from .docx_adapter import (
    CT,
    RT,
    Element,
    XmlPart,
    drop_rel,
    new_xml_part,
    nsdecls,
    parse_xml,
    part_blobs,
    set_blob,
    settings_part,
)
from .ooxml import W_NS, qn

APPLICATION = "briefgen"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
#: the document part's relationships that are part of its structure (never pruned)
_STRUCTURAL = (RT.STYLES, RT.NUMBERING, RT.SETTINGS, RT.WEB_SETTINGS, RT.FONT_TABLE, RT.THEME)


#: :func:`make_base_template`'s package, as shipped (``tests/test_docx_adapter.py`` checks that
#: it is still what the installed python-docx makes)
BASE_TEMPLATE = Path(__file__).with_name("base.docx")


@lru_cache(maxsize=1)
def base_template() -> bytes:
    """The package every pack without a reference document starts from
    (:func:`make_base_template`), read once per process from the copy shipped with briefgen:
    making it (python-docx opening its template, ~450 kB of styles, and saving it) took
    some 16 ms of a fresh process's first render."""
    return BASE_TEMPLATE.read_bytes()


def make_base_template() -> bytes:
    """python-docx's default template without its 98 unused table styles (a hand-made file
    has only what it uses: every build then parses a styles part a tenth of the size), and
    without the parts and relationships every pack drops (:func:`drop_package_extras`,
    :func:`drop_template_extras`: its thumbnail, custom XML and ``stylesWithEffects``, ~450
    kB more to read). :data:`BASE_TEMPLATE` is written anew with ``python -c "from
    briefgen.render.docx.package import BASE_TEMPLATE as t, make_base_template as m;
    t.write_bytes(m())"``."""
    wd = _docx.Document()
    root = wd.styles.element
    for st in root.findall(f"{{{W_NS}}}style[@{{{W_NS}}}type='table']"):
        if st.get(qn("w:styleId")) not in ("TableNormal", "TableGrid"):
            root.remove(st)
    drop_package_extras(wd.part.package)
    drop_template_extras(wd.part)
    buf = io.BytesIO()
    wd.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Relationships


def drop_package_extras(package: Any) -> None:
    """Keep only the package relationships a pack needs (document, core and app properties):
    the template's thumbnail goes, and so do a reference's custom properties (which may carry
    another document's sensitivity label) and signatures."""
    for rid, rel in list(package.rels.items()):
        if rel.reltype not in (RT.OFFICE_DOCUMENT, RT.CORE_PROPERTIES, RT.EXTENDED_PROPERTIES):
            drop_rel(package.rels, rid)


def drop_template_extras(document_part: Any) -> None:
    """A template's custom XML and stylesWithEffects go; app properties are rewritten."""
    for rid, rel in list(document_part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, _STYLES_WITH_EFFECTS):
            drop_rel(document_part.rels, rid)
    for rel in document_part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            set_blob(rel.target_part, app_xml(APPLICATION))


def keep_structure_only(document_part: Any) -> None:
    """Drop every relationship of the document part but its structural parts' (a reference's
    body pictures, links, headers and footers, comments, glossary...)."""
    for rid, rel in list(document_part.rels.items()):
        if rel.reltype not in _STRUCTURAL:
            drop_rel(document_part.rels, rid)


#: every attribute in the relationships namespace (r:id, r:embed, ...) of a part's tree
_IN_R = etree.XPath("//@*[namespace-uri() = $ns]")


def prune_relationships(document: Any) -> None:
    """Drop relationships nothing refers to any more (a reference's old body pictures and
    links, its attached template, mail-merge source): every part written is used."""

    def referenced(root: Element) -> set[str]:
        return {str(v) for v in _IN_R(root, ns=_R)}

    part = document.part
    used = referenced(document.element)
    for rid, rel in list(part.rels.items()):
        if rid not in used and rel.reltype not in (*_STRUCTURAL, RT.FOOTNOTES):
            drop_rel(part.rels, rid)
    settings = settings_part(part)
    used = referenced(settings.element)
    for rid in [rid for rid in settings.rels if rid not in used]:
        drop_rel(settings.rels, rid)


# --------------------------------------------------------------------------------------------
# Parts


def app_xml(application: str) -> bytes:
    """A fresh ``docProps/app.xml`` naming ``application`` and nothing from a template."""
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    root = etree.Element(f"{{{ns}}}Properties", nsmap={None: ns, "vt": vt})
    for tag, value in (("Application", application), ("DocSecurity", "0"),
                       ("ScaleCrop", "false"), ("LinksUpToDate", "false"),
                       ("SharedDoc", "false"), ("HyperlinksChanged", "false")):
        etree.SubElement(root, f"{{{ns}}}{tag}").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def theme(blob: bytes, head_font: str, body_font: str) -> bytes:
    """Theme fonts follow the style, so anything themed still uses the bundled family."""
    root = etree.fromstring(blob)
    for which, font in (("majorFont", head_font), ("minorFont", body_font)):
        for latin in root.iter(f"{{{_A}}}{which}"):
            lt = latin.find(f"{{{_A}}}latin")
            if lt is not None:
                lt.set("typeface", font)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_NOTES = {
    "footnotes": ("w:footnotes", "w:footnote", "/word/footnotes.xml", CT.WML_FOOTNOTES,
                  RT.FOOTNOTES),
    "endnotes": ("w:endnotes", "w:endnote", "/word/endnotes.xml", CT.WML_ENDNOTES,
                 RT.ENDNOTES),
}


def add_notes_part(document_part: Any, kind: str, separator_line: bool = True) -> XmlPart:
    """Create the footnotes or endnotes part with its two separator notes (ids -1 and 0) and
    relate it to the document part. Notes are appended to ``part.element`` afterwards."""
    root_tag, note_tag, partname, content_type, reltype = _NOTES[kind]
    tight = ('<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
             "</w:pPr>")
    sep = "<w:r><w:separator/></w:r>" if separator_line else ""
    xml = (
        f"<{root_tag} {nsdecls('w', 'r')}>"
        f'<{note_tag} w:type="separator" w:id="-1"><w:p>{tight}{sep}</w:p></{note_tag}>'
        f'<{note_tag} w:type="continuationSeparator" w:id="0"><w:p>{tight}'
        f"<w:r><w:continuationSeparator/></w:r></w:p></{note_tag}>"
        f"</{root_tag}>"
    )
    part = new_xml_part(partname, content_type, parse_xml(xml), document_part.package)
    document_part.relate_to(part, reltype)
    return part


# --------------------------------------------------------------------------------------------
# The zip


def zip_time(when: _dt.datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry time from ``when``, clamped to what the zip format can store."""
    lo, hi = _dt.datetime(1980, 1, 1), _dt.datetime(2107, 12, 31, 23, 59, 58)
    w = when.replace(tzinfo=None, microsecond=0)
    w = min(max(w, lo), hi)
    return (w.year, w.month, w.day, w.hour, w.minute, w.second - w.second % 2)


def _entry_rank(name: str) -> tuple[int, str]:
    first = ["[Content_Types].xml", "_rels/.rels", "word/document.xml",
             "word/_rels/document.xml.rels"]
    return (first.index(name), "") if name in first else (len(first), name)


def package_zip(package: Any, when: _dt.datetime) -> bytes:
    """The package as a .docx zip with a fixed entry order, fixed times and attributes and
    fixed compression, so identical content gives identical bytes. The parts are serialised
    as python-docx's own writer does, and compressed once (saving with python-docx and then
    rewriting its zip compressed everything twice)."""
    blobs = part_blobs(package)
    stamp = zip_time(when)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(blobs, key=_entry_rank):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, blobs[name], compresslevel=6)
    return out.getvalue()
