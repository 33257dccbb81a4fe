"""Every python-docx internal the DOCX renderer relies on, behind one door.

python-docx (1.2) has no public API for some of what a pack needs: serialising a package's
parts without its zip writer, replacing a part's bytes, the settings part, a section's
``w:sectPr``, a header's or footer's element, the core-properties element, making parts and
elements, and inline pictures. Those names are private or live in its internal ``opc`` and
``oxml`` modules, so they are used here and nowhere else in :mod:`briefgen.render.docx`;
``tests/test_docx_adapter.py`` exercises each against the installed python-docx, so an upgrade
that changes one fails loudly there rather than quietly in a pack.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeAlias, cast

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.opc.phys_pkg import PhysPkgWriter
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import NamespacePrefixedTag, nsdecls
from docx.oxml.ns import qn as _qn
from docx.oxml.parser import oxml_parser, parse_xml
from docx.oxml.shape import CT_Inline
from docx.shared import Emu
from lxml import etree

__all__ = [
    "CT", "RT", "Element", "Part", "XmlPart", "core_properties_element", "doc_pr",
    "drop_rel", "make_element", "new_part", "new_pic_inline", "new_xml_part", "nsdecls",
    "parse_xml", "part_blobs", "qn", "sect_pr", "set_blob", "settings_part", "story_element",
]

#: lxml's element type (for annotations)
Element: TypeAlias = etree._Element


class _Names(dict[str, str]):
    """Clark names by prefixed name, each worked out once (by python-docx's ``qn``)."""

    def __missing__(self, tag: str) -> str:
        name = self[tag] = _qn(tag)
        return name


#: ``qn("w:p")`` -> ``"{http://...wordprocessingml/2006/main}p"``: python-docx's ``qn``,
#: remembered (a pack asks for the same few dozen names some ten thousand times)
qn = _Names().__getitem__


# --------------------------------------------------------------------------------------------
# Package and parts


def part_blobs(package: Any) -> dict[str, bytes]:
    """Every member of ``package`` as python-docx's own writer serialises it (content types,
    package relationships, each part and its relationships), by zip member name, without
    writing a zip: ``PackageWriter._write_content_types_stream``, ``_write_pkg_rels`` and
    ``_write_parts`` with a collecting stand-in for its physical writer."""
    blobs: dict[str, bytes] = {}

    class Collect:  # python-docx's physical-writer interface: keep each blob
        @staticmethod
        def write(uri: PackURI, blob: bytes) -> None:
            blobs[uri.membername] = blob

    # python-docx annotates the writer as its PhysPkgWriter factory; any object with write() serves
    writer = cast(PhysPkgWriter, Collect)
    parts = list(package.iter_parts())
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    return blobs


def set_blob(part: Part, blob: bytes) -> None:
    """Replace the bytes of a binary (non-XML) part: ``Part._blob``."""
    part._blob = blob


def drop_rel(rels: Any, rid: str) -> None:
    """Remove relationship ``rid`` whatever refers to it (``Relationships`` is a dict; its
    ``Part.drop_rel`` keeps a relationship still referenced)."""
    del rels[rid]


def settings_part(document_part: Any) -> Any:
    """The document's settings part: ``DocumentPart._settings_part``."""
    return document_part._settings_part


def new_part(partname: str, content_type: str, blob: bytes, package: Any) -> Part:
    """A binary part (an embedded font) of ``package``."""
    return Part(PackURI(partname), content_type, blob, package)


def new_xml_part(partname: str, content_type: str, element: Element, package: Any) -> XmlPart:
    """An XML part (footnotes) of ``package`` with ``element`` as its root."""
    return XmlPart(PackURI(partname), content_type, element, package)


# --------------------------------------------------------------------------------------------
# Elements behind python-docx's proxies


def sect_pr(section: Any) -> Element:
    """A section's ``w:sectPr``: ``Section._sectPr``."""
    return section._sectPr


def story_element(story: Any) -> Element:
    """A header's ``w:hdr`` or a footer's ``w:ftr``: ``_Header._element``."""
    return story._element


def core_properties_element(cp: Any) -> Element:
    """The ``cp:coreProperties`` root behind ``CoreProperties``: ``CoreProperties._element``."""
    return cp._element


# --------------------------------------------------------------------------------------------
# Making elements


@cache
def _tag(tag: str) -> tuple[str, dict[str, str]]:
    """The Clark name and namespace map python-docx's OxmlElement works out for ``tag``."""
    ns = NamespacePrefixedTag(tag)
    return ns.clark_name, ns.nsmap


def make_element(tag: str) -> Element:
    """A new element of python-docx's parser (so it gets python-docx's element classes), as
    ``OxmlElement`` makes it, with the names worked out once per tag (a pack makes
    thousands of elements)."""
    clark, nsmap = _tag(tag)
    return oxml_parser.makeelement(clark, nsmap=nsmap)


def new_pic_inline(shape_id: int, rid: str, filename: str, cx: int, cy: int) -> Element:
    """A ``wp:inline`` picture (``CT_Inline.new_pic_inline``) of ``cx`` by ``cy`` EMU showing
    the image related as ``rid``."""
    return CT_Inline.new_pic_inline(shape_id, rid, filename, Emu(cx), Emu(cy))


def doc_pr(inline: Element) -> Element:
    """An inline picture's ``wp:docPr`` (its id, name and description)."""
    return inline.docPr
