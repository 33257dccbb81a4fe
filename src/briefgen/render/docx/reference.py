"""A reference document (``style.reference_docx``, a .docx/.dotx as pandoc's reference-doc):
opening it (a template or macro-enabled file as a document; anything else refused with a
message saying what it is), and making it the pack's starting point: its styles and its first
section's page set-up stay, its header's pictures (the logo) are carried into the pack's
header, and its body, footers, other headers, comments, glossary and macros go."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx as _docx
import msgspec
from docx.document import Document as WordDocument
from lxml import etree

from ...errors import BriefError, Diagnostic
from .docx_adapter import RT, Element, Part, XmlPart
from .ooxml import W_NS, copy_el, el, local, qn
from .package import keep_structure_only

__all__ = ["Logo", "NotWordError", "adopt_reference", "as_document_package",
           "check_reference_docx", "open_reference"]

_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_VML = "urn:schemas-microsoft-com:vml"
_MC_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
#: what a pack keeps of a reference's section properties: the page, not its layout quirks
_SECT_KEEP = ("pgSz", "pgMar", "paperSrc", "pgBorders", "bidi", "rtlGutter", "docGrid")
_WML_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: main-part content types python-docx refuses, rewritten to the document's: a template
#: (.dotx) and the macro-enabled document and template (.docm, .dotm; their macros are not
#: carried into the pack, which is a plain .docx)
_MAIN_ALIASES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
}
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_PKG_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = RT.OFFICE_DOCUMENT


class NotWordError(ValueError):
    """A file given as a Word document is not one; the message says what it is instead."""


def as_document_package(data: bytes) -> bytes:
    """The bytes of a WordprocessingML package whose main part python-docx accepts: a template
    (.dotx) or macro-enabled file has its main part's content type rewritten to the document
    main type, in memory. Raises :class:`NotWordError` for anything that is not a Word
    document or template."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise NotWordError("is an older Word (.doc) file or a password-protected document; "
                           "save it as a Word Document (.docx) or Word Template (.dotx)")
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        names = src.namelist()
        if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
            raise NotWordError("is a zip file but not a Word document (no Open XML package "
                               "parts); give a .docx or .dotx file")
        rels = etree.fromstring(src.read("_rels/.rels"))
        types = etree.fromstring(src.read("[Content_Types].xml"))
    except NotWordError:
        raise
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, OSError) as e:
        raise NotWordError("is not a Word document: a .docx or .dotx file is a zip package "
                           f"and this one could not be read as one ({e})") from None
    if "purl.oclc.org/ooxml" in etree.tostring(rels).decode("utf-8", "replace"):
        raise NotWordError("is saved in the Strict Open XML format, which cannot be read; "
                           "save it as a Word Document (.docx) or Word Template (.dotx)")
    target = next((r.get("Target") for r in rels.findall(f"{{{_PKG_RELS_NS}}}Relationship")
                   if r.get("Type") == _OFFICE_DOCUMENT), None)
    if target is None:
        raise NotWordError("is not a Word document (it has no main document part); give a "
                           ".docx or .dotx file")
    partname = "/" + target.lstrip("/")
    override = next((o for o in types.findall(f"{{{_CT_NS}}}Override")
                     if o.get("PartName", "").lower() == partname.lower()), None)
    ctype = override.get("ContentType") if override is not None else None
    if ctype == _WML_MAIN:
        return data
    if ctype not in _MAIN_ALIASES:
        what = ("a spreadsheet" if ctype and "spreadsheetml" in ctype else
                "a presentation" if ctype and "presentationml" in ctype else "not a Word document")
        raise NotWordError(f"is {what}, not a Word document or template "
                           f"({ctype or 'no main content type'}); give a .docx or .dotx file")
    assert override is not None  # ctype, one of the aliases, is its content type
    override.set("ContentType", _WML_MAIN)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                blob = etree.tostring(types, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
            dst.writestr(info, blob)
    return out.getvalue()


def check_reference_docx(path: Path) -> None:
    """Raise the :class:`BriefError` rendering would raise for this reference document, so a
    caller can refuse a bad one before rendering anything."""
    open_reference(path)


def open_reference(path: Path) -> WordDocument:
    """A reference document (.docx, .dotx, .docm, .dotm) opened with python-docx; anything
    else is a :class:`BriefError` saying what is wrong with the file."""
    def fail(message: str) -> BriefError:
        return BriefError([Diagnostic(str(path), None, None, "reference_docx",
                                      f"the reference document {message}")])

    from ...refdoc import load_reference

    # a regular file, read to a bounded size, unzipped within bounds and stripped of remote
    # content, macros, OLE and fetching fields before python-docx sees it
    data = load_reference(path)
    try:
        data = as_document_package(data)
    except NotWordError as e:
        raise fail(str(e)) from None
    try:
        wd = _docx.Document(io.BytesIO(data))
        wd.styles  # noqa: B018 - python-docx adds a styles part if there is none
        wd.settings  # noqa: B018
        wd.sections[0]
    except Exception as e:
        raise fail(f"is damaged and cannot be read as a Word document "
                   f"({type(e).__name__}: {e})") from None
    return wd


# --------------------------------------------------------------------------------------------
# Adopting it


class Logo(msgspec.Struct, frozen=True):
    """The pictures of a reference's default header, related to the pack's header part."""

    inline: tuple[Element, ...] = ()  # runs on their own line above the marking
    anchored: tuple[Element, ...] = ()  # floating runs, placed where the reference put them
    jc: str | None = None  # the alignment of the inline pictures' paragraph
    shapes: int = 0  # drawing ids 1..shapes are taken by these pictures


def adopt_reference(wd: WordDocument) -> Logo:
    """Make the reference document the pack's starting point: its body content goes (the
    pack's content only), its first section's page set-up stays (size, orientation,
    margins, header and footer distances; not its columns, line numbers, page numbering or
    different first page), and the pictures of its default header (the logo) are carried
    into a new header, where the marking joins them. Its footers, comments, glossary,
    macros and every part only the old body used are dropped."""
    part = wd.part
    body = wd.element.body
    first = next(body.iter(qn("w:sectPr")), None)  # the first section's
    old_header = None
    if first is not None:
        for ref in first.findall(qn("w:headerReference")):
            if ref.get(qn("w:type"), "default") == "default":
                old_header = part.related_parts.get(ref.get(qn("r:id")))
    sect = copy_el(first) if first is not None else el("w:sectPr")
    for child in list(sect):
        if local(child) not in _SECT_KEEP or etree.QName(child).namespace != W_NS:
            sect.remove(child)
    for child in list(body):
        body.remove(child)
    body.append(sect)
    keep_structure_only(part)
    header = wd.sections[0].header
    header.is_linked_to_previous = False
    if not isinstance(old_header, XmlPart):  # none, or not XML (only an XmlPart has .element)
        return Logo()
    return _header_pictures(old_header, header.part)


def _header_pictures(old_header: XmlPart, new_part: Part) -> Logo:
    """The runs of ``old_header`` holding pictures, their relationships re-made from
    ``new_part``, split into inline and floating ones."""
    pictures = {qn("w:drawing"), qn("w:pict"), qn("w:object"), _MC_ALTERNATE}
    inline: list[Element] = []
    anchored: list[Element] = []
    jc: str | None = None
    shapes = 0
    for r in old_header.element.iter(qn("w:r")):
        kept = [c for c in r if c.tag in pictures]
        if not kept:
            continue
        run = el("w:r", None, *(copy_el(c) for c in kept))
        _relate_again(run, old_header, new_part)
        for doc_pr in run.iter(f"{{{_WP}}}docPr"):
            shapes += 1
            doc_pr.set("id", str(shapes))
        floating = run.find(f".//{{{_WP}}}anchor") is not None or any(
            "position:absolute" in (v.get("style") or "").replace(" ", "")
            for v in run.iter() if isinstance(v.tag, str) and
            etree.QName(v).namespace == _VML)
        if floating:
            anchored.append(run)
        else:
            if not inline:
                p = r.getparent()
                j = p.find(f"{qn('w:pPr')}/{qn('w:jc')}") if p is not None else None
                jc = j.get(qn("w:val")) if j is not None else None
            inline.append(run)
    return Logo(tuple(inline), tuple(anchored), jc, shapes)


def _relate_again(run: Element, old_part: Part, new_part: Part) -> None:
    """Point the relationship ids in ``run`` (from ``old_part``) at the same targets related
    from ``new_part``; a dangling one is dropped."""
    for e in run.iter():
        for attr, value in list(e.attrib.items()):
            if not attr.startswith(f"{{{_R}}}"):
                continue
            rel = old_part.rels.get(value)
            if rel is None:
                del e.attrib[attr]
            elif rel.is_external:
                e.set(attr, new_part.relate_to(rel.target_ref, rel.reltype, is_external=True))
            else:
                e.set(attr, new_part.relate_to(rel.target_part, rel.reltype))
