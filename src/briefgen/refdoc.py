"""Reference documents: keep only what a pack takes from one, and nothing that fetches.

A reference document (``--reference-doc``, ``style.reference_docx``) is a Word file someone else
made. A pack takes its styles, numbering, page set-up, header and footer text and embedded
header pictures; :func:`sanitize_reference` rewrites the package to exactly that, so nothing in
it can reach out when the pack is opened in Word or LibreOffice:

* every relationship with ``TargetMode="External"`` is dropped (a header picture linked with
  ``r:link`` to a URL, a remote ``attachedTemplate``, a hyperlink, a mail-merge data source),
  and every element that used one loses the reference (a linked picture loses its drawing);
* OLE objects (``w:object``, ``o:OLEObject``), ActiveX controls (``w:control``, ``activeX/``),
  macros (``vbaProject.bin``, ``vbaData.xml``), embedded packages, alternative-format chunks
  (``w:altChunk``), sub-documents, custom XML parts and data bindings, embedded fonts,
  comments, the glossary, printer settings, web settings and thumbnails are removed;
* fields that fetch or run something (``INCLUDEPICTURE``, ``INCLUDETEXT``, ``LINK``, ``DDE``,
  ``DDEAUTO``, ``IMPORT``, ``DATABASE`` ...) lose their code and keep their last result as text;
* settings that reach out on open (``attachedTemplate``, ``linkStyles``, ``mailMerge``) go.

The package is read with bounds (zip bombs): at most :data:`MAX_REFERENCE_BYTES` of file,
:data:`MAX_PARTS` parts, :data:`MAX_PART_BYTES` inflated for one part and
:data:`MAX_TOTAL_BYTES` for all, checked in the zip directory and again while inflating.
Anything wrong is a :class:`~briefgen.errors.BriefError` naming the file.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from .errors import BriefError, Diagnostic

MAX_REFERENCE_BYTES = 20 * 1024 * 1024
MAX_PARTS = 1000
MAX_PART_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
#: Inflated bytes per compressed byte beyond which a part is a bomb, not a document (XML
#: compresses about 10:1; 200:1 is generous).
MAX_RATIO = 200

_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_PR = "http://schemas.openxmlformats.org/package/2006/relationships"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_O = "urn:schemas-microsoft-com:office:office"
_V = "urn:schemas-microsoft-com:vml"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_RT_PKG = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"

#: Relationship types a kept part may have (the last path segment of the type URI).
_KEPT_TYPES = frozenset({
    "officeDocument", "core-properties", "extended-properties", "styles", "stylesWithEffects",
    "numbering", "settings", "fontTable", "theme", "header", "footer", "footnotes",
    "endnotes", "image", "webSettings"})
_IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf",
                          ".wmf"})
#: Fields whose code fetches content, runs something or reads another file.
_FETCHING_FIELDS = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "LINK", "DDE",
                              "DDEAUTO", "IMPORT", "DATABASE", "EMBED", "RD", "AUTOTEXT",
                              "AUTOTEXTLIST", "GLOSSARY", "MERGEFIELD", "NEXT", "NEXTIF",
                              "SKIPIF", "MERGEREC", "MERGESEQ", "HYPERLINK", "MACROBUTTON",
                              "PRIVATE", "ADDIN", "DOCVARIABLE", "FILLIN", "ASK"})
#: Elements removed wherever they stand.
_REMOVED = frozenset({
    f"{{{_W}}}object", f"{{{_W}}}control", f"{{{_W}}}altChunk", f"{{{_W}}}subDoc",
    f"{{{_W}}}dataBinding", f"{{{_O}}}OLEObject", f"{{{_W}}}attachedTemplate",
    f"{{{_W}}}linkStyles", f"{{{_W}}}mailMerge", f"{{{_W}}}embedRegular",
    f"{{{_W}}}embedBold", f"{{{_W}}}embedItalic", f"{{{_W}}}embedBoldItalic",
    f"{{{_W}}}printerSettings", f"{{{_W}}}docVars", f"{{{_W}}}updateFields",
    f"{{{_W}}}attachedSchema", f"{{{_W}}}saveThroughXslt", f"{{{_W}}}frameset"})
#: Containers a picture lives in: a picture that loses its data loses its container.
_PICTURE_CONTAINERS = (f"{{{_W}}}drawing", f"{{{_W}}}pict", f"{{{_MC}}}AlternateContent")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False, remove_comments=False)


class _Error(Exception):
    """The reference document is unusable (the message says why)."""


def _fail(name: str, message: str) -> BriefError:
    return BriefError([Diagnostic(name, None, None, "reference_docx",
                                  f"the reference document {message}")])


def load_reference(path: str | Path) -> bytes:
    """The sanitized bytes of a reference document file (read at most
    :data:`MAX_REFERENCE_BYTES` + 1 bytes of a regular file)."""
    from .loader import read_limited

    path = Path(path)
    if not path.exists():
        raise _fail(str(path), "does not exist (give a .docx or .dotx Word file)")
    try:
        data = read_limited(path, MAX_REFERENCE_BYTES, "Word document")
    except BriefError as e:  # worded for a brief: say which file it is
        raise _fail(str(path), e.diagnostics[0].message) from None
    return sanitize_reference(data, name=str(path))


def sanitize_reference(data: bytes, *, name: str) -> bytes:
    """The reference document ``data`` rewritten to what a pack may take from it (see the
    module's doc). Raises :class:`BriefError` naming ``name`` for a file that is not a Word
    package, is damaged, or is larger than the limits when inflated."""
    if len(data) > MAX_REFERENCE_BYTES:
        raise _fail(name, f"is {len(data):,} bytes; the limit is {MAX_REFERENCE_BYTES:,}")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _fail(name, "is an older Word (.doc) file or a password-protected document; "
                          "save it as a Word Document (.docx) or Word Template (.dotx)")
    try:
        parts = _read_parts(data, name)
        _check_main_part(parts)
        return _rewrite(parts)
    except _Error as e:
        raise _fail(name, str(e)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error,
            NotImplementedError, RuntimeError, ValueError) as e:
        raise _fail(name, f"is not a Word document or is damaged: a .docx file is a zip "
                          f"package and this one could not be read ({e})") from None
    except etree.XMLSyntaxError as e:
        raise _fail(name, f"has a damaged part ({e.msg})") from None


# --------------------------------------------------------------------------------------------
# Reading, bounded


def _read_parts(data: bytes, name: str) -> dict[str, bytes]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise _Error(f"has {len(infos):,} parts; the limit is {MAX_PARTS:,}")
    declared = 0
    seen: set[str] = set()
    for info in infos:
        if info.flag_bits & 0x1:
            raise _Error("is encrypted; save it without a password")
        if info.file_size > MAX_PART_BYTES:
            raise _Error(f"has a part ({info.filename[:80]!r}) of {info.file_size:,} bytes when "
                       f"unpacked; the limit is {MAX_PART_BYTES:,}")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) + 4096:
            raise _Error(f"has a part ({info.filename[:80]!r}) that unpacks to "
                       f"{info.file_size:,} bytes from {info.compress_size:,}: a zip bomb, not "
                       "a document")
        declared += info.file_size
        key = info.filename.lower()
        if key in seen:
            raise _Error(f"names the part {info.filename[:80]!r} twice")
        seen.add(key)
    if declared > MAX_TOTAL_BYTES:
        raise _Error(f"unpacks to {declared:,} bytes; the limit is {MAX_TOTAL_BYTES:,}")
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        partname = posixpath.normpath("/" + info.filename).lstrip("/")
        if partname != info.filename or partname.startswith("../"):
            continue  # not a part name a package may have ("a/../b", "/abs"): dropped
        chunks = []
        got = 0
        with zf.open(info) as f:  # the inflated size is checked as it is read
            while True:
                chunk = f.read(64 * 1024)
                if not chunk:
                    break
                got += len(chunk)
                total += len(chunk)
                if got > min(info.file_size, MAX_PART_BYTES) or total > MAX_TOTAL_BYTES:
                    raise _Error(f"has a part ({info.filename[:80]!r}) that unpacks to more "
                               "than its directory says: damaged or a zip bomb")
                chunks.append(chunk)
        parts[partname] = b"".join(chunks)
    if "[Content_Types].xml" not in parts or "_rels/.rels" not in parts:
        raise _Error("is a zip file but not a Word document (no Open XML package parts); give a "
                   ".docx or .dotx file")
    return parts


_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_WORD_MAIN_TYPES = (_WML + "document.main+xml", _WML + "template.main+xml",
                    "application/vnd.ms-word.document.macroEnabled.main+xml",
                    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")


def _check_main_part(parts: dict[str, bytes]) -> None:
    """Refuse a package whose main part is not a Word document, as the renderer words it."""
    rels = _xml(parts["_rels/.rels"])
    if b"purl.oclc.org/ooxml" in parts["_rels/.rels"]:
        raise _Error("is saved in the Strict Open XML format, which cannot be read; save it as a "
                   "Word Document (.docx) or Word Template (.dotx)")
    target = next((r.get("Target") for r in rels if r.get("Type", "").endswith(
        "/officeDocument") and r.get("TargetMode", "Internal") != "External"), None)
    if target is None:
        raise _Error("is not a Word document (it has no main document part); give a .docx or "
                   ".dotx file")
    partname = "/" + _target("", target)
    types = _xml(parts["[Content_Types].xml"])
    ctype = next((o.get("ContentType") for o in types.findall(f"{{{_CT}}}Override")
                  if o.get("PartName", "").lower() == partname.lower()), None)
    if ctype not in _WORD_MAIN_TYPES:
        what = ("a spreadsheet" if ctype and "spreadsheetml" in ctype else
                "a presentation" if ctype and "presentationml" in ctype else
                "not a Word document")
        raise _Error(f"is {what}, not a Word document or template "
                   f"({ctype or 'no main content type'}); give a .docx or .dotx file")
    if partname.lstrip("/") not in parts:
        raise _Error("is damaged: its main document part is missing")


def _xml(blob: bytes) -> etree._Element:
    if b"<!DOCTYPE" in blob[:4096] or b"<!ENTITY" in blob:
        raise _Error("declares a DOCTYPE or entities, which a Word document does not")
    return etree.fromstring(blob, parser=_PARSER)


# --------------------------------------------------------------------------------------------
# Rewriting


def _rels_name(partname: str) -> str:
    folder, base = posixpath.split(partname)
    return posixpath.join(folder, "_rels", base + ".rels")


def _target(source: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _kept_type(reltype: str) -> bool:
    return reltype.rsplit("/", 1)[-1] in _KEPT_TYPES


def _rewrite(parts: dict[str, bytes]) -> bytes:
    """Walk the relationships from the package root, keeping the allowed parts only."""
    kept: dict[str, bytes] = {}
    dropped_ids: dict[str, set[str]] = {}
    queue = [""]  # "" is the package itself (its rels are _rels/.rels)
    visited: set[str] = set()
    while queue:
        source = queue.pop(0)
        if source in visited:
            continue
        visited.add(source)
        rels_name = "_rels/.rels" if source == "" else _rels_name(source)
        if rels_name not in parts:
            continue
        rels = _xml(parts[rels_name])
        gone: set[str] = set()
        for rel in list(rels):
            rid, reltype = rel.get("Id", ""), rel.get("Type", "")
            target = rel.get("Target", "")
            external = rel.get("TargetMode", "Internal") == "External"
            path = _target(source, target) if not external else ""
            ok = (not external and _kept_type(reltype) and path in parts
                  and not path.startswith("../") and not path.lower().endswith(".rels"))
            if ok and reltype.endswith("/image") and \
                    posixpath.splitext(path)[1].lower() not in _IMAGE_TYPES:
                ok = False
            if ok and source == "" and reltype.rsplit("/", 1)[-1] not in (
                    "officeDocument", "core-properties", "extended-properties"):
                ok = False
            if not ok:
                rels.remove(rel)
                gone.add(rid)
                continue
            queue.append(path)
        dropped_ids[source] = gone
        kept[rels_name] = parts[rels_name] if not gone else \
            etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    for source in visited:
        if source and source in parts:
            if source.lower().endswith(".xml"):
                kept[source] = _clean_part(parts[source], dropped_ids.get(source, set()))
            else:
                kept[source] = parts[source]
    kept["[Content_Types].xml"] = _content_types(parts["[Content_Types].xml"], kept)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ["[Content_Types].xml", *sorted(n for n in kept if n != "[Content_Types].xml")]:
            if name in kept:
                zf.writestr(name, kept[name])
    return out.getvalue()


def _content_types(blob: bytes, kept: dict[str, bytes]) -> bytes:
    types = _xml(blob)
    names = {"/" + n.lower() for n in kept}
    for o in list(types.findall(f"{{{_CT}}}Override")):
        part = o.get("PartName", "").lower()
        ctype = o.get("ContentType", "")
        if part not in names:
            types.remove(o)
        elif "macroEnabled" in ctype:
            o.set("ContentType", ctype.replace("ms-word.document.macroEnabled.main+xml",
                                               "openxmlformats-officedocument.wordprocessingml."
                                               "document.main+xml")
                  .replace("ms-word.template.macroEnabledTemplate.main+xml",
                           "openxmlformats-officedocument.wordprocessingml.template.main+xml"))
    for d in list(types.findall(f"{{{_CT}}}Default")):
        ext = "." + d.get("Extension", "").lower()
        if ext not in (".xml", ".rels") and ext not in _IMAGE_TYPES:
            types.remove(d)
    return etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)


_FIELD_NAME = re.compile(r"^\s*([A-Za-z]+)")


def _field_fetches(instr: str) -> bool:
    m = _FIELD_NAME.match(instr)
    return m is not None and m.group(1).upper() in _FETCHING_FIELDS


def _clean_part(blob: bytes, gone: set[str]) -> bytes:
    """The part without what fetches or runs; the bytes as they were when nothing is."""
    root = _xml(blob)
    before = etree.tostring(root)
    _drop_fetching_fields(root)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag in _REMOVED:
            _remove(el)
            continue
        for attr, value in list(el.attrib.items()):
            ns = etree.QName(attr).namespace
            if ns == _R and value in gone:
                _drop_reference(el, attr)
                break
            if (ns == _O and etree.QName(attr).localname == "href") or \
                    (ns == _R and etree.QName(attr).localname in ("href", "link", "pict")):
                del el.attrib[attr]  # VML and DrawingML links to elsewhere
    if etree.tostring(root) == before:
        return blob
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:  # keep the text after it (mixed content)
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _drop_reference(el: etree._Element, attr: str) -> None:
    """An element refers to a relationship that is gone: a linked picture loses its picture;
    a hyperlink keeps its text; a header or footer reference goes; anything else goes."""
    local = etree.QName(el).localname
    if local == "blip" and etree.QName(attr).localname == "link":
        del el.attrib[attr]
        if el.get(f"{{{_R}}}embed") is not None:
            return
    if local == "hyperlink":
        parent = el.getparent()
        if parent is not None:
            i = parent.index(el)
            for child in list(el):
                parent.insert(i, child)
                i += 1
            parent.remove(el)
        return
    node = el
    while node is not None:
        if node.tag in _PICTURE_CONTAINERS:
            _remove(node)
            return
        node = node.getparent()
    _remove(el)


def _drop_fetching_fields(root: etree._Element) -> None:
    """Simple fields that fetch become their result; complex ones (begin, code, separate,
    result, end) lose their code and markers and keep their result runs."""
    for fld in list(root.iter(f"{{{_W}}}fldSimple")):
        if _field_fetches(fld.get(f"{{{_W}}}instr", "")):
            parent = fld.getparent()
            if parent is None:
                continue
            i = parent.index(fld)
            for child in list(fld):
                parent.insert(i, child)
                i += 1
            parent.remove(fld)
    runs = list(root.iter(f"{{{_W}}}r"))
    stack: list[dict[str, object]] = []
    doomed: list[etree._Element] = []
    for run in runs:
        char = run.find(f"{{{_W}}}fldChar")
        kind = char.get(f"{{{_W}}}fldCharType") if char is not None else None
        if kind == "begin":
            stack.append({"runs": [run], "code": [], "phase": "code"})
            continue
        if not stack:
            continue
        top = stack[-1]
        if kind == "separate":
            top["runs"].append(run)  # type: ignore[attr-defined]
            top["phase"] = "result"
            continue
        if kind == "end":
            top["runs"].append(run)  # type: ignore[attr-defined]
            stack.pop()
            if _field_fetches("".join(top["code"])):  # type: ignore[arg-type]
                doomed.extend(top["runs"])  # type: ignore[arg-type]
            continue
        if top["phase"] == "code":
            texts = run.findall(f"{{{_W}}}instrText")
            top["code"].extend(t.text or "" for t in texts)  # type: ignore[attr-defined]
            top["runs"].append(run)  # type: ignore[attr-defined]
    for run in doomed:
        _remove(run)
