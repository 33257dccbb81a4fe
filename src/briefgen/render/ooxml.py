"""Raw WordprocessingML helpers for the DOCX renderer: the parts python-docx has no API for.

Element building, fields (PAGE, NUMPAGES, TOC, PAGEREF, NOTEREF), bookmark names, schema-ordered
insertion into ``w:pPr``/``w:rPr``/``w:tblPr``/``w:style``/``settings.xml``, the footnotes and
endnotes parts, ``docProps/app.xml``, ``word/fontTable.xml``, a minimal TrueType metrics reader
(for the page estimate, without importing the PDF renderer's library), the reproducible zip
rewrite, and opening a reference document or template as a document package. Nothing here
knows about briefs or about the document model; :mod:`briefgen.render.docx` does the
rendering.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import io
import re
import uuid
import zipfile
from functools import lru_cache
from typing import Iterable

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.package import OpcPackage
from docx.opc.part import XmlPart
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import NamespacePrefixedTag, nsdecls, qn
from docx.oxml.parser import oxml_parser, parse_xml
from lxml import etree

from ..fonts import FontMetrics

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Characters XML 1.0 cannot carry (C0 controls except tab/newline/CR, lone surrogates,
# U+FFFE/U+FFFF). Validation keeps them out of briefs; this keeps the renderer from crashing.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` with XML-illegal characters replaced by U+FFFD."""
    return _ILLEGAL.sub("\ufffd", text)


# --------------------------------------------------------------------------------------------
# Elements


@lru_cache(maxsize=None)
def _tag(tag: str) -> tuple[str, dict[str, str]]:
    """The Clark name and namespace map python-docx's OxmlElement works out for ``tag``."""
    ns = NamespacePrefixedTag(tag)
    return ns.clark_name, ns.nsmap


_qn = lru_cache(maxsize=None)(qn)


def el(tag: str, attrs: dict[str, str] | None = None, *children: etree._Element,
       text: str | None = None) -> etree._Element:
    """A new element; ``tag`` and attribute names are prefixed (``w:p``, ``w:val``). (As
    python-docx's ``OxmlElement``, with the names worked out once per tag: a pack makes
    thousands of elements.)"""
    clark, nsmap = _tag(tag)
    e = oxml_parser.makeelement(clark, nsmap=nsmap)
    if attrs:
        for k, v in attrs.items():
            e.set(_qn(k), str(v))
    for c in children:
        if c is not None:
            e.append(c)
    if text is not None:
        e.text = text
    return e


def val(tag: str, value: str | int) -> etree._Element:
    """An element with a single ``w:val`` attribute, e.g. ``<w:pStyle w:val="Title"/>``."""
    return el(tag, {"w:val": str(value)})


def text_el(text: str) -> etree._Element:
    """A ``w:t``, preserving spaces when they would otherwise be collapsed."""
    t = el("w:t", text=text)
    if text[:1].isspace() or text[-1:].isspace() or "  " in text:
        t.set(XML_SPACE, "preserve")
    return t


# Schema orders (ECMA-376 Part 1, transitional): children must appear in these sequences.
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange",
)
RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
    "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
    "oMath",
)
TBLPR_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
)
TCPR_ORDER = (
    "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
    "textDirection", "tcFitText", "vAlign", "hideMark",
)
STYLE_ORDER = (
    "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
    "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
    "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr",
)
SETTINGS_ORDER = (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions",
    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
    "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
    "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope",
    "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
    "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
    "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
    "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
    "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)


def local(e: etree._Element) -> str:
    return etree.QName(e).localname


def put(parent: etree._Element, child: etree._Element, order: tuple[str, ...],
        ns: str = W_NS) -> etree._Element:
    """Insert ``child`` into ``parent`` at its schema position, replacing an existing element of
    the same name (children of another namespace, e.g. ``w14:``, are left where they are)."""
    name = local(child)
    rank = {n: i for i, n in enumerate(order)}
    mine = rank[name]
    for existing in parent.findall(f"{{{ns}}}{name}"):
        parent.remove(existing)
    for i, sib in enumerate(parent):
        if etree.QName(sib).namespace == ns and rank.get(local(sib), -1) > mine:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def remove_all(parent: etree._Element, *names: str) -> None:
    for n in names:
        for e in parent.findall(qn(n)):
            parent.remove(e)


def shd(fill: str) -> etree._Element:
    return el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill.lstrip("#")})


def border(side: str, colour: str, size_eighths: int, space: int = 0,
           kind: str = "single") -> etree._Element:
    if kind == "nil":
        return el(f"w:{side}", {"w:val": "nil"})
    return el(f"w:{side}", {"w:val": kind, "w:sz": str(size_eighths), "w:space": str(space),
                            "w:color": colour.lstrip("#")})


# --------------------------------------------------------------------------------------------
# Fields, bookmarks, links


def field_runs(instr: str, cached: str, rpr: etree._Element | None = None
               ) -> list[etree._Element]:
    """A complex field as runs: begin, instruction, separate, cached result, end."""
    def run(*children: etree._Element) -> etree._Element:
        r = el("w:r")
        if rpr is not None:
            r.append(copy_el(rpr))
        for c in children:
            r.append(c)
        return r

    instr_el = el("w:instrText", text=f" {instr} ")
    instr_el.set(XML_SPACE, "preserve")
    return [
        run(el("w:fldChar", {"w:fldCharType": "begin"})),
        run(instr_el),
        run(el("w:fldChar", {"w:fldCharType": "separate"})),
        run(text_el(cached)),
        run(el("w:fldChar", {"w:fldCharType": "end"})),
    ]


def fld_char(kind: str) -> etree._Element:
    return el("w:r", None, el("w:fldChar", {"w:fldCharType": kind}))


def instr_run(instr: str) -> etree._Element:
    t = el("w:instrText", text=f" {instr} ")
    t.set(XML_SPACE, "preserve")
    return el("w:r", None, t)


def copy_el(e: etree._Element) -> etree._Element:
    return copy.deepcopy(e)


_BOOKMARK_BAD = re.compile(r"[^A-Za-z0-9_]")


def bookmark_name(anchor: str, taken: set[str]) -> str:
    """A valid Word bookmark name derived from ``anchor``: letters, digits and underscores,
    starting with a letter, at most 40 characters, unique among ``taken`` (which it joins)."""
    base = _BOOKMARK_BAD.sub("_", anchor) or "ref"
    if not base[0].isalpha() or not base[0].isascii():
        base = "h_" + base
    base = base[:40]
    name, n = base, 2
    while name in taken:
        suffix = f"_{n}"
        name = base[: 40 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


# --------------------------------------------------------------------------------------------
# Notes parts

_NOTES = {
    "footnotes": ("w:footnotes", "w:footnote", "/word/footnotes.xml", CT.WML_FOOTNOTES,
                  RT.FOOTNOTES),
    "endnotes": ("w:endnotes", "w:endnote", "/word/endnotes.xml", CT.WML_ENDNOTES,
                 RT.ENDNOTES),
}


def add_notes_part(document_part, kind: str, separator_line: bool = True) -> XmlPart:
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
    part = XmlPart(PackURI(partname), content_type, parse_xml(xml), document_part.package)
    document_part.relate_to(part, reltype)
    return part


# --------------------------------------------------------------------------------------------
# Package-level clean-up


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


def package_zip(package: OpcPackage, when: _dt.datetime) -> bytes:
    """The package as a .docx zip with a fixed entry order, fixed times and attributes and
    fixed compression, so identical content gives identical bytes. The parts are serialised
    as python-docx's own writer does, and compressed once (saving with python-docx and then
    rewriting its zip compressed everything twice)."""
    blobs: dict[str, bytes] = {}

    class Collect:  # python-docx's physical-writer interface: keep each blob
        @staticmethod
        def write(uri: PackURI, blob: bytes) -> None:
            blobs[uri.membername] = blob

    parts = list(package.iter_parts())
    PackageWriter._write_content_types_stream(Collect, parts)
    PackageWriter._write_pkg_rels(Collect, package.rels)
    PackageWriter._write_parts(Collect, parts)
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


#: ``w:font`` children for embedded faces, in schema order (CT_Font)
EMBED_SLOTS = ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic")
#: the content type of an obfuscated embedded font part (``word/fonts/*.odttf``)
CT_OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
_FONT_KEY_NS = uuid.UUID("6f1d2a3c-9b8e-4c57-a1d0-b41e3f9c2d75")


def font_key(data: bytes) -> str:
    """The ``w:fontKey`` GUID of an embedded font, derived from the file's content so that the
    same font always gets the same key (reproducible packages), e.g. ``{0A1B...}``."""
    return "{" + str(uuid.uuid5(_FONT_KEY_NS, hashlib.sha256(data).hexdigest())).upper() + "}"


def obfuscate_font(data: bytes, key: str) -> bytes:
    """A TrueType file obfuscated for embedding (ECMA-376 Part 1, 17.8.1): its first 32 bytes
    XORed with the 16 bytes of the GUID ``key`` taken in reverse order (the last two hex
    digits first). The operation is its own inverse."""
    k = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    return bytes(b ^ k[i % 16] for i, b in enumerate(data[:32])) + data[32:]


def font_table(fonts: Iterable[tuple[str, FontMetrics, bool]],
               merge_into: bytes | None = None,
               embeds: dict[str, list[tuple[str, str, str]]] | None = None) -> bytes:
    """A ``word/fontTable.xml`` listing the fonts in use (name, metrics, serif?), so Word
    knows their class and scripts when it has to substitute them. With ``merge_into`` (an
    existing font table), the fonts it lacks are added to it. ``embeds`` maps a font's name
    to its embedded faces, ``(slot, relationship id, font key)`` with slot one of
    :data:`EMBED_SLOTS` (written after ``w:sig``, in that order)."""
    root = etree.fromstring(merge_into) if merge_into else parse_xml(
        f"<w:fonts {nsdecls('w', 'r') if embeds else nsdecls('w')}/>")
    listed = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, m, serif in fonts:
        if name in listed:
            continue
        usb = m.signature
        root.append(el("w:font", {"w:name": name},
                       val("w:panose1", m.panose), val("w:charset", "00"),
                       val("w:family", "roman" if serif else "swiss"),
                       val("w:pitch", "variable"),
                       el("w:sig", {"w:usb0": f"{usb[0]:08X}", "w:usb1": f"{usb[1]:08X}",
                                    "w:usb2": f"{usb[2]:08X}", "w:usb3": f"{usb[3]:08X}",
                                    "w:csb0": f"{usb[4]:08X}", "w:csb1": f"{usb[5]:08X}"})))
    for font in root.findall(qn("w:font")):
        faces = (embeds or {}).get(font.get(qn("w:name")))
        if not faces:
            continue
        for child in list(font):  # ours replace any the font had
            if etree.QName(child).namespace == W_NS and local(child) in EMBED_SLOTS:
                font.remove(child)
        for slot, rid, key in sorted(faces, key=lambda f: EMBED_SLOTS.index(f[0])):
            e = etree.SubElement(font, qn(f"w:{slot}"))
            e.set(qn("r:id"), rid)
            e.set(qn("w:fontKey"), key)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------------------------
# Reference documents: an organisation's Word document or template, opened as a document

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
