"""The DOCX renderer: a :class:`~briefgen.document.Document` and a :class:`~briefgen.style.Style`
to the bytes of an editable Word file, as a skilled Word user would have made it by hand.

``render_docx(doc, style) -> bytes`` is a pure function: identical input gives identical bytes.

* **Styles, not direct formatting.** Word's built-in Title, Subtitle, Heading 1-3, List Bullet,
  List Number, Caption, Quote, TOC, header/footer, footnote/endnote and Hyperlink styles are
  restyled from the :class:`Style` (fonts named on all four script slots, so Armenian and
  Cyrillic use the bundled family; the document language on the defaults); custom styles carry
  the rest (Marking Banner, Body Marking, Meta Label/Value, Lead, Small Text, Attribution, Box
  Title/Text, Table Text/Heading, Figure, and the table styles Briefing Table, Briefing Box,
  Warning Box, Meta Table: header row shading, stripes, box fill and borders). Direct formatting
  is limited to bold/italic runs for inline emphasis.
* **python-docx** (1.2) provides the package, section, header and footer, pictures and core
  properties; fields, bookmarks, hyperlinks, the footnotes part, numbering and table properties
  are raw OXML written in schema order (:mod:`briefgen.render.ooxml`). Template leftovers
  (thumbnail, custom XML, stylesWithEffects, unused table styles, app.xml) are removed or
  rewritten and the zip is rewritten with fixed times, order and compression.
* **Reference document** (``style.reference_docx``, a .docx/.dotx as pandoc's reference-doc):
  the pack starts from it instead of python-docx's template. Its styles stand as they are
  (built-ins matched by name, as a localised Word gives them other ids); the styles it lacks
  (Word omits unused built-ins) are added, naming no font so that they take its own. Its first
  section's page size, orientation and margins, and the pictures of its default header (the
  logo, beside the marking), are kept; its body, footers, other headers, comments, glossary,
  macros and custom properties are not. A .dotx (or .docm/.dotm) is opened as a document.
* **Notes** are numbered in document order; notes with equal content are one note. Side by side
  marks read 1,2. ``style.notes == "footnotes"``: Word footnotes (a later mark of a repeated
  note is a ``NOTEREF`` field to the first, bookmarked, one), :class:`NotesList` ignored.
  ``"endnotes"``: a numbered list in the body under the notes heading, where the first
  top-level :class:`NotesList` stands (else at the end under the ``notes`` label), as the PDF
  lists them; each mark is its number, superscript, linking to its note's bookmark. Not Word
  endnotes: LibreOffice sets those on a page of their own without header and footer, which
  would leave a page without its handling marking.
* **Contents** is a real ``TOC`` field pre-filled with one entry per contents heading, each with a
  ``PAGEREF`` to the heading's bookmark, and ``w:updateFields`` asks Word to refresh it.
  LibreOffice shows a TOC field's pre-filled result as it is (it recomputes PAGEREF only outside
  a TOC), so the cached page numbers come from :class:`_PageEstimate`, a small model of the
  layout (line breaking with the fonts' advance widths, keep-with-next, widows and orphans,
  unsplittable rows, repeated header rows, footnote space), checked against LibreOffice.
* **Figures** (risk matrices, timelines) are the PDF's drawings (:mod:`briefgen.render.graphics`)
  rasterised at 200 dpi and sized to the text width, with the figure's alternative text as the
  picture's description and the caption below in the Caption style.
* **The style** drives every look (``tests/test_docx_styles.py`` reads each setting back):
  page size and margins, a binding margin as the gutter of mirrored margins (inside on the
  left of odd pages); fonts on every style and in the theme, the analyst's own TrueType
  families embedded in the package (``word/fonts/*.odttf``, obfuscated with a key derived
  from each file; the bundled DejaVu never is); sizes and leading (the line spacing of
  every body style); every colour; ``tables.rules`` (``grid``: every cell ruled;
  ``horizontal``: rules between rows, heavier above and below, no vertical line) and
  ``tables.stripes`` (the Briefing Table style's banded rows, and ``w:tblLook`` asking for
  them or not); ``cover.logo`` above the top sheet's title; markings via
  :func:`~briefgen.style.marking_look`. Numbered paragraphs (``numbering.paragraphs``,
  numbered by :mod:`briefgen.layout`) are the Numbered Paragraph style: the number hung at
  the margin, a tab to the text; lists among them stand in their text column, ordered ones
  lettered (a), (b).
"""

from __future__ import annotations

import datetime as _dt
import io
from collections import Counter
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

import docx as _docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Pt
from lxml import etree

from ..document import (
    Block,
    Box,
    Cell,
    Contents,
    Document,
    Emph,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Note,
    NotesList,
    PageBreak,
    Paragraph,
    Quote,
    Ref,
    Strong,
    Table,
    Text,
    TitleBlock,
    plain_text,
)
from ..errors import BriefError, Diagnostic
from ..fonts import BUNDLED, Family, FontMetrics, family, metrics
from ..style import Style, marking_look
from . import ooxml as ox
from .ooxml import el, put, val

__all__ = ["check_reference_docx", "render_docx"]

APPLICATION = "briefgen"

_W = ox.W_NS
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_VML = "urn:schemas-microsoft-com:vml"
_MC_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
#: what a pack keeps of a reference's section properties: the page, not its layout quirks
_SECT_KEEP = ("pgSz", "pgMar", "paperSrc", "pgBorders", "bidi", "rtlGutter", "docGrid")
_PAGE_RE = re.compile(r"\{(page|total)\}")
#: resolution of the figures' pictures (print)
FIGURE_DPI = 200


def render_docx(doc: Document, style: Style) -> bytes:
    """Render ``doc`` in ``style`` to the bytes of a .docx file.

    A pure function: identical input gives byte-identical output.
    """
    return _Renderer(doc, style).render()


def check_reference_docx(path: Path) -> None:
    """Raise the :class:`BriefError` rendering would raise for this reference document, so a
    caller can refuse a bad one before rendering anything."""
    _open_reference(path)


def _open_reference(path: Path) -> _docx.Document:
    """A reference document (.docx, .dotx, .docm, .dotm) opened with python-docx; anything
    else is a :class:`BriefError` saying what is wrong with the file."""
    def fail(message: str) -> BriefError:
        return BriefError([Diagnostic(str(path), None, None, "reference_docx",
                                      f"the reference document {message}")])

    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise fail("does not exist (give a .docx or .dotx Word file)") from None
    except OSError as e:
        raise fail(f"cannot be read: {e.strerror or e}") from None
    try:
        data = ox.as_document_package(data)
    except ox.NotWordError as e:
        raise fail(str(e)) from None
    try:
        wd = _docx.Document(io.BytesIO(data))
        wd.styles  # noqa: B018 - python-docx adds a styles part if there is none
        wd.settings  # noqa: B018
        wd.sections[0]  # noqa: B018
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds on a broken file
        raise fail(f"is damaged and cannot be read as a Word document "
                   f"({type(e).__name__}: {e})") from None
    return wd


# --------------------------------------------------------------------------------------------
# Small helpers


def _tw(points: float) -> int:
    """Points to twentieths of a point (twips)."""
    return int(round(points * 20))


def _hp(points: float) -> int:
    """Points to half-points (font sizes)."""
    return int(round(points * 2))


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


@dataclass(frozen=True)
class _Fmt:
    """Inline formatting state while walking inlines."""

    bold: bool = False
    italic: bool = False
    rstyle: str | None = None
    in_link: bool = False


@dataclass(frozen=True)
class _Ctx:
    """Where blocks are being written."""

    body_style: str = "Normal"  # style of role="body" paragraphs here
    top: bool = True  # directly in the document body (page breaks possible)
    depth: int = 0  # list nesting
    hang: int = 0  # a list in the text column of numbered paragraphs: their indent (twips)


# --------------------------------------------------------------------------------------------


class _Renderer:
    def __init__(self, doc: Document, style: Style) -> None:
        self.doc = doc
        self.style = style
        self.meta = doc.meta
        mk = doc.meta.marking
        #: the handling marking, or None (a blank label prints nothing)
        self.marking = mk if mk is not None and mk.label.strip() else None
        #: an organisation's Word document or template: its styles, page set-up and header
        #: logo are the pack's (see :meth:`_adopt_reference`)
        self.reference = style.reference_docx
        self.wd = _open_reference(self.reference) if self.reference is not None \
            else _docx.Document(io.BytesIO(_base_template()))
        self.part = self.wd.part
        body, head = family(style.fonts.body), family(style.fonts.headings)
        self.body_font, self.head_font = body.name, head.name
        #: the families in use by the name Word knows them by (their files measure the text)
        self.families: dict[str, Family] = {head.name: head, body.name: body}
        #: the analyst's own families (not the bundled ones): embedded in the package
        self.custom_families = {f.name: f for f in (body, head) if f.key not in BUNDLED}
        self.embedded_fonts = False
        # set by _page_setup: page size, text width (twips) and vertical margins (points)
        self.page_w = self.page_h = self.margin_top = self.margin_bottom = 0.0
        self.text_w = 0
        #: pictures of the reference's header, already related to the pack's header part
        self.logo_inline: list[etree._Element] = []
        self.logo_anchored: list[etree._Element] = []
        self.logo_jc: str | None = None
        #: reference styles by type and lower-case name, and by id (before any is added)
        self.ref_by_name: dict[tuple[str, str], str] = {}
        self.ref_by_id: dict[str, str] = {}
        #: briefgen style id -> the reference's id for the same style (Word localises ids)
        self.style_map: dict[str, str] = {}
        #: styles briefgen wrote (the reference's own styles are left as they are)
        self.created_styles: set[str] = set()
        #: numbered paragraphs (the style's numbering.paragraphs, numbered by layout): their
        #: text indent, room for the widest number (twips), or 0
        numbers = [b.number for b in doc.blocks
                   if isinstance(b, Paragraph) and b.number]
        self.hang = self._hang(numbers) if numbers else 0
        self.notes_kind = style.notes
        self.notes_part = None
        self.note_ids = 0
        self.bookmark_ids = 0
        self.num_ids = 0
        self.shape_ids = 0
        self.pending_break = False
        #: where the endnotes are listed: the first NotesList directly in the document (as the
        #: PDF renderer places them); without one they go at the end under the "notes" label
        self.notes_slot = next((b for b in doc.blocks if isinstance(b, NotesList)), None)
        self.notes_heading_p: etree._Element | None = None
        #: endnotes in number order, and each distinct note's number
        self.endnotes: list[tuple[Inline, ...]] = []
        self.endnote_numbers: dict[tuple[Inline, ...], int] = {}
        self.toc_cache: list[tuple[str, etree._Element]] = []
        self.numpages_cache: list[etree._Element] = []
        # anchors -> bookmark names, fixed before rendering so forward references work
        taken: set[str] = set()
        self.anchors: dict[str, str] = {}
        self.heading_bm: dict[int, str] = {}
        for h in doc.headings():
            name = ox.bookmark_name(h.anchor, taken)
            self.heading_bm[id(h)] = name
            self.anchors.setdefault(h.anchor, name)
        self.notes_bm = ox.bookmark_name("notes", taken)
        self.taken_bookmarks = taken
        self.emitted_bookmarks: set[str] = set()
        notes = doc.notes()
        self.has_notes = bool(notes)
        counts = Counter(n.children for n in notes)
        self.repeated_notes = {children for children, n in counts.items() if n > 1}
        self.note_marks: dict[tuple[Inline, ...], tuple[str, str]] = {}

    # ---------------------------------------------------------------------------------------
    def render(self) -> bytes:
        self._clean_package()
        self._page_setup()
        self._styles()
        self._numbering()
        if self.has_notes and self.notes_kind == "footnotes":
            self.notes_part = ox.add_notes_part(self.part, "footnotes")
        holder = el("w:body")
        #: the cover logo goes before the first title block (else at the very top)
        self.logo_before = next((b for b in self.doc.blocks if isinstance(b, TitleBlock)), None)
        if self.logo_before is None:
            self._cover_logo(holder, _Ctx())
        self._blocks(self.doc.blocks, holder, _Ctx())
        if self.endnotes:
            if self.notes_heading_p is None:  # no NotesList in the document: at the end
                self._notes_heading(holder, self.meta.label("notes", "Notes"))
            self._endnotes_list()
        self._ensure_ends_with_paragraph(holder)
        self._renumber_bookmarks(holder)
        body = self.wd.element.body
        sect = body.find(ox.qn("w:sectPr"))
        holder_children = list(holder)
        for child in holder_children:
            sect.addprevious(child)
        self._header_footer()
        self._map_styles(holder_children)
        self._estimate_pages(holder_children)
        self._settings()
        self._properties()
        self._prune_relationships()
        return ox.package_zip(self.wd.part.package, self._date())

    # ---------------------------------------------------------------------------------------
    # Package

    def _date(self) -> _dt.datetime:
        d = self.meta.date
        if not isinstance(d, _dt.datetime):  # a bare date
            d = _dt.datetime(d.year, d.month, d.day)
        if d.tzinfo is not None:
            d = d.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return d.replace(microsecond=0)

    def _clean_package(self) -> None:
        """Keep only the package relationships a pack needs (document, core and app
        properties): the template's thumbnail goes, and so do a reference's custom properties
        (which may carry another document's sensitivity label) and signatures. App properties
        are rewritten; the theme and font table follow the style unless a reference document
        gives them."""
        pkg = self.part.package
        for rid, rel in list(pkg.rels.items()):
            if rel.reltype not in (RT.OFFICE_DOCUMENT, RT.CORE_PROPERTIES,
                                   RT.EXTENDED_PROPERTIES):
                del pkg.rels[rid]
        if self.reference is not None:
            self._adopt_reference()
        for rid, rel in list(self.part.rels.items()):
            if rel.reltype in (RT.CUSTOM_XML, _STYLES_WITH_EFFECTS):
                del self.part.rels[rid]
        for rel in pkg.rels.values():
            if rel.reltype == RT.EXTENDED_PROPERTIES:
                rel.target_part._blob = ox.app_xml(APPLICATION)
        for rel in self.part.rels.values():
            if rel.is_external:
                continue
            target = rel.target_part
            if rel.reltype == RT.THEME and self.reference is None:
                target._blob = self._theme(target.blob)
            elif rel.reltype == RT.FONT_TABLE:
                # the fonts named: the style's, or the reference's and the marking's (named by
                # its style)
                names = list(dict.fromkeys((self.body_font, self.head_font))) \
                    if self.reference is None else [self.head_font]
                fonts = []
                for n in names:
                    m = self._metrics(n, False, False)
                    fonts.append((n, m, "Serif" in n if m.serif is None else m.serif))
                target._blob = ox.font_table(
                    fonts, merge_into=None if self.reference is None else target.blob,
                    embeds=self._embed_fonts(target, names))

    def _embed_fonts(self, table: Part, names: list[str]) -> dict[str, list[tuple[str, str,
                                                                                 str]]]:
        """Embed the analyst's own families among ``names`` (never the bundled DejaVu, which
        briefgen users have): each distinct TrueType file once, obfuscated with a key derived
        from its content (``word/fonts/fontN.odttf``, ECMA-376 Part 1, 17.8), related to the
        font table. A face the family lacks (it fell back to the regular file) is not
        embedded for that slot: Word and LibreOffice embolden or slant the regular face.
        Returns the embedded faces by font name, for :func:`ox.font_table`."""
        embeds: dict[str, list[tuple[str, str, str]]] = {}
        done: dict[Path, tuple[str, str]] = {}
        taken = {str(p.partname) for p in self.part.package.iter_parts()}  # a reference's own
        for name in names:
            fam = self.custom_families.get(name)
            if fam is None:
                continue
            seen: set[Path] = set()
            for slot, path in zip(ox.EMBED_SLOTS, (fam.regular, fam.bold, fam.italic,
                                                   fam.bold_italic)):
                path = Path(path).resolve()
                if path in seen:
                    continue
                seen.add(path)
                if path not in done:
                    data = path.read_bytes()
                    key = ox.font_key(data)
                    n = 1
                    while f"/word/fonts/font{n}.odttf" in taken:
                        n += 1
                    taken.add(f"/word/fonts/font{n}.odttf")
                    part = Part(PackURI(f"/word/fonts/font{n}.odttf"),
                                ox.CT_OBFUSCATED_FONT, ox.obfuscate_font(data, key),
                                self.part.package)
                    done[path] = (table.relate_to(part, RT.FONT), key)
                rid, key = done[path]
                embeds.setdefault(name, []).append((slot, rid, key))
        self.embedded_fonts = bool(done)
        return embeds

    def _hang(self, numbers: list[str]) -> int:
        """The indent of numbered paragraphs' text (twips), as the PDF's: room for the widest
        number in the Lead style's size, at least 2.5 em, the same for every paragraph so that
        their text stands in one column."""
        z = self.style.sizes
        lead = round(z.base * 1.15 * 2) / 2
        m = self._metrics(self.body_font, False, False)
        widest = max(sum(m.width(c) for c in n) * lead for n in numbers)
        return _tw(max(z.base * 2.5, widest + z.base * 0.8))

    def _metrics(self, font: str, bold: bool, italic: bool) -> FontMetrics:
        return _metrics(font, bold, italic, self.families)

    def _adopt_reference(self) -> None:
        """Make the reference document the pack's starting point: its body content goes (the
        pack's content only), its first section's page set-up stays (size, orientation,
        margins, header and footer distances; not its columns, line numbers, page numbering or
        different first page), and the pictures of its default header (the logo) are carried
        into a new header, where the marking joins them. Its footers, comments, glossary,
        macros and every part only the old body used are dropped."""
        body = self.wd.element.body
        first = next(body.iter(ox.qn("w:sectPr")), None)  # the first section's
        old_header = None
        if first is not None:
            for ref in first.findall(ox.qn("w:headerReference")):
                if ref.get(ox.qn("w:type"), "default") == "default":
                    old_header = self.part.related_parts.get(ref.get(ox.qn("r:id")))
        sect = ox.copy_el(first) if first is not None else el("w:sectPr")
        for child in list(sect):
            if ox.local(child) not in _SECT_KEEP or \
                    etree.QName(child).namespace != _W:
                sect.remove(child)
        for child in list(body):
            body.remove(child)
        body.append(sect)
        keep = (RT.STYLES, RT.NUMBERING, RT.SETTINGS, RT.WEB_SETTINGS, RT.FONT_TABLE, RT.THEME)
        for rid, rel in list(self.part.rels.items()):
            if rel.reltype not in keep:
                del self.part.rels[rid]
        header = self.wd.sections[0].header
        header.is_linked_to_previous = False
        if old_header is None or not hasattr(old_header, "element"):
            return
        new_part = header.part
        pictures = {ox.qn("w:drawing"), ox.qn("w:pict"), ox.qn("w:object"), _MC_ALTERNATE}
        for r in old_header.element.iter(ox.qn("w:r")):
            kept = [c for c in r if c.tag in pictures]
            if not kept:
                continue
            run = el("w:r", None, *(ox.copy_el(c) for c in kept))
            for e in run.iter():
                for attr, value in list(e.attrib.items()):
                    if not attr.startswith(f"{{{_R}}}"):
                        continue
                    rel = old_header.rels.get(value)
                    if rel is None:
                        del e.attrib[attr]
                    elif rel.is_external:
                        e.set(attr, new_part.relate_to(rel.target_ref, rel.reltype,
                                                       is_external=True))
                    else:
                        e.set(attr, new_part.relate_to(rel.target_part, rel.reltype))
            for doc_pr in run.iter(f"{{{_WP}}}docPr"):
                self.shape_ids += 1
                doc_pr.set("id", str(self.shape_ids))
            floating = run.find(f".//{{{_WP}}}anchor") is not None or any(
                "position:absolute" in (v.get("style") or "").replace(" ", "")
                for v in run.iter() if isinstance(v.tag, str) and
                etree.QName(v).namespace == _VML)
            if floating:
                self.logo_anchored.append(run)
            else:
                if not self.logo_inline:
                    p = r.getparent()
                    jc = p.find(f"{ox.qn('w:pPr')}/{ox.qn('w:jc')}") if p is not None else None
                    self.logo_jc = jc.get(ox.qn("w:val")) if jc is not None else None
                self.logo_inline.append(run)

    def _prune_relationships(self) -> None:
        """Drop relationships nothing refers to any more (a reference's old body pictures and
        links, its attached template, mail-merge source): every part written is used."""
        q = f"{{{_R}}}"

        def referenced(root: etree._Element) -> set[str]:
            return {v for e in root.iter() if isinstance(e.tag, str)
                    for k, v in e.attrib.items() if k.startswith(q)}

        structural = (RT.STYLES, RT.NUMBERING, RT.SETTINGS, RT.WEB_SETTINGS, RT.FONT_TABLE,
                      RT.THEME, RT.FOOTNOTES)
        used = referenced(self.wd.element)
        for rid, rel in list(self.part.rels.items()):
            if rid not in used and rel.reltype not in structural:
                del self.part.rels[rid]
        settings = self.part._settings_part
        used = referenced(settings.element)
        for rid in [rid for rid in settings.rels if rid not in used]:
            del settings.rels[rid]

    def _theme(self, blob: bytes) -> bytes:
        """Theme fonts follow the style, so anything themed still uses the bundled family."""
        a = "http://schemas.openxmlformats.org/drawingml/2006/main"
        root = etree.fromstring(blob)
        for which, font in (("majorFont", self.head_font), ("minorFont", self.body_font)):
            for latin in root.iter(f"{{{a}}}{which}"):
                lt = latin.find(f"{{{a}}}latin")
                if lt is not None:
                    lt.set("typeface", font)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_setup(self) -> None:
        """The style's page, or the reference's (what it leaves out comes from the style)."""
        sec = self.wd.sections[0]
        sp = sec._sectPr
        m = self.style.page.margins
        width, height = self.style.page.dimensions
        ref = self.reference is not None
        if not ref or sp.find(ox.qn("w:pgSz")) is None or sec.page_width is None \
                or sec.page_height is None:
            sec.page_width = Pt(width)
            sec.page_height = Pt(height)
        if not ref or sp.find(ox.qn("w:pgMar")) is None:
            sec.top_margin = Pt(m.top)
            sec.bottom_margin = Pt(m.bottom)
            sec.left_margin = Pt(m.left)
            sec.right_margin = Pt(m.right)
            sec.gutter = Pt(m.binding)
        for attr, value in (("top_margin", m.top), ("bottom_margin", m.bottom),
                            ("left_margin", m.left), ("right_margin", m.right),
                            ("gutter", 0.0)):
            if getattr(sec, attr) is None:
                setattr(sec, attr, Pt(value))
        if not ref or sec.header_distance is None:
            sec.header_distance = Pt(max(12.0, m.top * 0.4))
        if not ref or sec.footer_distance is None:
            sec.footer_distance = Pt(max(12.0, m.bottom * 0.35))
        for attr in list(sp.attrib):
            del sp.attrib[attr]
        self.page_w, self.page_h = sec.page_width.pt, sec.page_height.pt
        # a negative top or bottom margin is Word's "exactly": the body starts there anyway
        self.margin_top, self.margin_bottom = abs(sec.top_margin.pt), abs(sec.bottom_margin.pt)
        self.text_w = _tw(self.page_w - sec.left_margin.pt - sec.right_margin.pt
                          - sec.gutter.pt)

    # ---------------------------------------------------------------------------------------
    # Styles

    def _rfonts(self, font: str) -> etree._Element:
        return el("w:rFonts", {"w:ascii": font, "w:hAnsi": font, "w:eastAsia": font,
                               "w:cs": font})

    def _rpr(self, *, font: str | None = None, size: float | None = None,
             colour: str | None = None, bold: bool | None = None, italic: bool | None = None,
             underline: bool = False, superscript: bool = False,
             lang: str | None = None, keep_font: bool = False) -> etree._Element:
        """Run properties. With a reference document, the styles briefgen adds name no font
        (they take the reference's) unless ``keep_font``."""
        r = el("w:rPr")
        if font and (self.reference is None or keep_font):
            put(r, self._rfonts(font), ox.RPR_ORDER)
        if bold is not None:
            put(r, el("w:b", None if bold else {"w:val": "0"}), ox.RPR_ORDER)
            put(r, el("w:bCs", None if bold else {"w:val": "0"}), ox.RPR_ORDER)
        if italic is not None:
            put(r, el("w:i", None if italic else {"w:val": "0"}), ox.RPR_ORDER)
            put(r, el("w:iCs", None if italic else {"w:val": "0"}), ox.RPR_ORDER)
        if colour:
            put(r, val("w:color", _hex(colour)), ox.RPR_ORDER)
        if size:
            put(r, val("w:sz", _hp(size)), ox.RPR_ORDER)
            put(r, val("w:szCs", _hp(size)), ox.RPR_ORDER)
        if underline:
            put(r, val("w:u", "single"), ox.RPR_ORDER)
        if superscript:
            put(r, val("w:vertAlign", "superscript"), ox.RPR_ORDER)
        if lang:
            put(r, val("w:lang", lang), ox.RPR_ORDER)
        return r

    def _spacing(self, before: float = 0, after: float = 0,
                 line: float | None = None) -> etree._Element:
        line = self.style.sizes.leading if line is None else line
        return el("w:spacing", {"w:before": str(_tw(before)), "w:after": str(_tw(after)),
                                "w:line": str(int(round(240 * line))), "w:lineRule": "auto"})

    def _ppr(self, *items: etree._Element) -> etree._Element:
        p = el("w:pPr")
        for i in items:
            if i is not None:
                put(p, i, ox.PPR_ORDER)
        return p

    def _style(self, style_id: str, name: str, kind: str = "paragraph", *,
               based_on: str | None = "Normal", next_style: str | None = None,
               ppr: etree._Element | None = None, rpr: etree._Element | None = None,
               tbl: Iterable[etree._Element] = (), builtin: bool = False,
               priority: int | None = None, qformat: bool = True) -> None:
        """Define (or redefine) a style by id; built-in styles keep their Word name. With a
        reference document, a style it defines (built-ins matched by name, as Word localises
        their ids) is left as the reference has it; only the styles it lacks are added."""
        root = self.styles_el
        if self.reference is not None:
            found = self._reference_style(style_id, name, kind)
            if found is not None:
                if found != style_id:
                    self.style_map[style_id] = found
                return
        existing = root.find(f"{{{_W}}}style[@{{{_W}}}styleId='{style_id}']")
        if existing is not None and existing.get(ox.qn("w:type"), "paragraph") != kind:
            # the reference uses our id for a style of another kind: ours gets its own id
            self.style_map[style_id] = style_id = f"{style_id}Briefgen"
            existing = root.find(f"{{{_W}}}style[@{{{_W}}}styleId='{style_id}']")
        self.created_styles.add(style_id)
        if existing is None:
            st = el("w:style", {"w:type": kind, "w:styleId": style_id})
            if not builtin:
                st.set(ox.qn("w:customStyle"), "1")
            if style_id == "Normal":
                st.set(ox.qn("w:default"), "1")
            root.append(st)
        else:
            st = existing
            for c in list(st):
                if ox.local(c) in ("basedOn", "next", "pPr", "rPr", "tblPr", "trPr", "tcPr",
                                    "tblStylePr"):
                    st.remove(c)
        put(st, val("w:name", name), ox.STYLE_ORDER)
        if based_on:
            put(st, val("w:basedOn", based_on), ox.STYLE_ORDER)
        if next_style:
            put(st, val("w:next", next_style), ox.STYLE_ORDER)
        if priority is not None and st.find(ox.qn("w:uiPriority")) is None:
            put(st, val("w:uiPriority", priority), ox.STYLE_ORDER)
        if qformat and st.find(ox.qn("w:qFormat")) is None:
            put(st, el("w:qFormat"), ox.STYLE_ORDER)
        ox.remove_all(st, "w:semiHidden", "w:unhideWhenUsed")
        if ppr is not None and len(ppr):
            put(st, ppr, ox.STYLE_ORDER)
        if rpr is not None and len(rpr):
            put(st, rpr, ox.STYLE_ORDER)
        for t in tbl:
            st.append(t)
        link = st.find(ox.qn("w:link"))
        if link is not None and rpr is not None:
            char = root.find(f"{{{_W}}}style[@{{{_W}}}styleId='{link.get(ox.qn('w:val'))}']")
            if char is not None:
                ox.remove_all(char, "w:rPr")
                put(char, ox.copy_el(rpr), ox.STYLE_ORDER)

    def _reference_style(self, style_id: str, name: str, kind: str) -> str | None:
        """The id of the reference's own style for ours (by name, else by id), or None when
        it has none."""
        found = self.ref_by_name.get((kind, name.casefold()))
        if found is None and self.ref_by_id.get(style_id) == kind:
            found = style_id
        return found

    def _default_styles(self) -> None:
        """The default character and table styles other styles are based on, when the
        document lacks them (Word omits what it considers unused)."""
        root = self.styles_el
        for kind, sid, name, extra in (
                ("character", "DefaultParagraphFont", "Default Paragraph Font", ()),
                ("table", "TableNormal", "Normal Table", (
                    el("w:tblPr", None, el("w:tblInd", {"w:w": "0", "w:type": "dxa"}),
                       el("w:tblCellMar", None,
                          el("w:top", {"w:w": "0", "w:type": "dxa"}),
                          el("w:left", {"w:w": "108", "w:type": "dxa"}),
                          el("w:bottom", {"w:w": "0", "w:type": "dxa"}),
                          el("w:right", {"w:w": "108", "w:type": "dxa"}))),))):
            existing = next((st for st in root.findall(ox.qn("w:style"))
                             if st.get(ox.qn("w:type")) == kind
                             and (st.get(ox.qn("w:default")) in ("1", "true", "on")
                                  or (wv := st.find(ox.qn("w:name"))) is not None
                                  and (wv.get(ox.qn("w:val")) or "").casefold()
                                  == name.casefold())), None)
            if existing is not None:
                if existing.get(ox.qn("w:styleId")) != sid:
                    self.style_map[sid] = existing.get(ox.qn("w:styleId"))
                continue
            root.append(el("w:style", {"w:type": kind, "w:default": "1", "w:styleId": sid},
                           val("w:name", name), val("w:uiPriority", 1 if kind == "character"
                                                    else 99),
                           el("w:semiHidden"), el("w:unhideWhenUsed"), *extra))

    def _styles(self) -> None:
        s, c, z = self.style, self.style.colours, self.style.sizes
        self.styles_el = root = self.wd.styles.element
        lang = self.meta.lang or "en-GB"
        for st in root.findall(ox.qn("w:style")):
            sid, kind = st.get(ox.qn("w:styleId")), st.get(ox.qn("w:type"), "paragraph")
            name = st.find(ox.qn("w:name"))
            self.ref_by_id[sid] = kind
            if name is not None and name.get(ox.qn("w:val")):
                self.ref_by_name.setdefault((kind, name.get(ox.qn("w:val")).casefold()), sid)
        defaults = root.find(ox.qn("w:docDefaults"))
        if defaults is None:
            defaults = el("w:docDefaults")
            root.insert(0, defaults)
        rpr_default = defaults.find(ox.qn("w:rPrDefault"))
        if rpr_default is None:
            rpr_default = el("w:rPrDefault")
            defaults.insert(0, rpr_default)
        ppr_default = defaults.find(ox.qn("w:pPrDefault"))
        if ppr_default is None:
            ppr_default = el("w:pPrDefault")
            defaults.append(ppr_default)
        if self.reference is None:
            # (the default template's unused table styles are gone already: _base_template)
            # Document defaults: explicit fonts (no theme), size, language.
            ox.remove_all(rpr_default, "w:rPr")
            rpr_default.append(self._rpr(font=self.body_font, size=z.base, lang=lang))
            ox.remove_all(ppr_default, "w:pPr")
            ppr_default.append(self._ppr(self._spacing(0, 0)))
        else:
            # The reference's defaults stand; only the language is the document's.
            rpr = rpr_default.find(ox.qn("w:rPr"))
            if rpr is None:
                rpr = rpr_default.makeelement(ox.qn("w:rPr"), {})
                rpr_default.append(rpr)
            self._set_lang(rpr, lang)
            normal = self.ref_by_name.get(("paragraph", "normal"))
            st = root.find(f"{{{_W}}}style[@{{{_W}}}styleId='{normal}']") if normal else None
            if st is not None and st.find(f"{ox.qn('w:rPr')}/{ox.qn('w:lang')}") is not None:
                self._set_lang(st.find(ox.qn("w:rPr")), lang)
        self._default_styles()

        base = z.base
        self._style("Normal", "Normal", based_on=None, builtin=True, priority=0,
                    ppr=self._ppr(el("w:widowControl"), self._spacing(0, base * 0.55)),
                    rpr=self._rpr(font=self.body_font, size=base, colour=c.text, lang=lang))
        self._style("Title", "Title", builtin=True, next_style="Subtitle", priority=10,
                    ppr=self._ppr(el("w:keepNext"), self._spacing(0, z.title * 0.25, 1.1)),
                    rpr=self._rpr(font=self.head_font, size=z.title, colour=c.headings,
                                  bold=True))
        self._style("Subtitle", "Subtitle", builtin=True, priority=11,
                    ppr=self._ppr(el("w:keepNext"), self._spacing(0, z.subtitle * 0.9, 1.15)),
                    rpr=self._rpr(font=self.head_font, size=z.subtitle, colour=c.muted,
                                  italic=False))
        for level, size, before, after in ((1, z.h1, z.h1 * 1.1, z.h1 * 0.4),
                                           (2, z.h2, z.h2 * 1.0, z.h2 * 0.35),
                                           (3, z.h3, z.h3 * 0.9, z.h3 * 0.3)):
            self._style(f"Heading{level}", f"heading {level}", builtin=True, next_style="Normal",
                        priority=9,
                        ppr=self._ppr(el("w:keepNext"), el("w:keepLines"),
                                      self._spacing(before, after, 1.15),
                                      val("w:outlineLvl", level - 1)),
                        rpr=self._rpr(font=self.head_font, size=size, colour=c.headings,
                                      bold=True, italic=False))
        self._style("TOCHeading", "TOC Heading", based_on="Heading1", next_style="Normal",
                    builtin=True, priority=39,
                    ppr=self._ppr(el("w:keepNext"), self._spacing(z.h1 * 0.5, z.h1 * 0.5, 1.15),
                                  val("w:outlineLvl", 9)))
        for level in (1, 2, 3):
            tabs = el("w:tabs", None, el("w:tab", {"w:val": "right", "w:leader": "dot",
                                                   "w:pos": str(self.text_w)}))
            ind = el("w:ind", {"w:left": str(_tw(14 * (level - 1)))})
            self._style(f"TOC{level}", f"toc {level}", builtin=True, next_style="Normal",
                        priority=39, qformat=False,
                        ppr=self._ppr(tabs, self._spacing(4 if level == 1 else 0, 2, 1.15),
                                      ind),
                        rpr=self._rpr())
        # Lists
        for i, (kind, name) in enumerate((("ListBullet", "List Bullet"),
                                          ("ListNumber", "List Number"))):
            for level in (1, 2, 3):
                sid = kind if level == 1 else f"{kind}{level}"
                sname = name if level == 1 else f"{name} {level}"
                self._style(sid, sname, builtin=True, priority=None, qformat=False,
                            ppr=self._ppr(self._spacing(0, base * 0.3),
                                          el("w:contextualSpacing", {"w:val": "0"})))
            for level in (1, 2, 3):
                sid = "ListContinue" if level == 1 else f"ListContinue{level}"
                sname = "List Continue" if level == 1 else f"List Continue {level}"
                self._style(sid, sname, builtin=True, qformat=False,
                            ppr=self._ppr(self._spacing(0, base * 0.3),
                                          self._list_ind(level - 1, hanging=False)))
        self._style("Caption", "caption", builtin=True, next_style="Normal", priority=35,
                    ppr=self._ppr(el("w:keepNext"), self._spacing(z.small * 0.6, z.small * 0.4)),
                    rpr=self._rpr(size=z.small, colour=c.muted, bold=True, italic=False))
        self._style("Figure", "Figure", next_style="Normal",
                    ppr=self._ppr(el("w:keepNext"), self._spacing(base * 0.4, 2, 1.0),
                                  val("w:jc", "center")))
        quote_ind = 28.35  # 1 cm
        self._style("Quote", "Quote", builtin=True, next_style="Normal", priority=29,
                    ppr=self._ppr(
                        el("w:pBdr", None, ox.border("left", c.rule, 18, 8)),
                        self._spacing(base * 0.3, base * 0.3),
                        el("w:ind", {"w:left": str(_tw(quote_ind)),
                                     "w:right": str(_tw(quote_ind))})),
                    rpr=self._rpr(italic=True, colour=c.text))
        self._style("Attribution", "Attribution", next_style="Normal",
                    ppr=self._ppr(el("w:keepLines"),
                                  self._spacing(0, base * 0.8),
                                  el("w:ind", {"w:left": str(_tw(quote_ind)),
                                               "w:right": str(_tw(quote_ind))})),
                    rpr=self._rpr(size=z.small, colour=c.muted))
        self._style("Lead", "Lead", next_style="Normal",
                    ppr=self._ppr(self._spacing(0, base * 0.8)),
                    rpr=self._rpr(size=round(base * 1.15 * 2) / 2, colour=c.text))
        if self.hang:  # numbered paragraphs: the number hung at the margin, the text indented
            for sid, name, based in (("NumberedParagraph", "Numbered Paragraph", "Normal"),
                                     ("NumberedLead", "Numbered Lead", "Lead")):
                self._style(sid, name, based_on=based, next_style="Normal",
                            ppr=self._ppr(el("w:tabs", None, el("w:tab", {
                                "w:val": "left", "w:pos": str(self.hang)})),
                                el("w:ind", {"w:left": str(self.hang),
                                             "w:hanging": str(self.hang)})))
        self._style("SmallText", "Small Text",
                    ppr=self._ppr(self._spacing(0, z.small * 0.5)),
                    rpr=self._rpr(size=z.small, colour=c.muted))
        # Handling marking (header, footer and body paragraphs with role="marking")
        mk = self.marking
        look = marking_look(mk.scheme if mk else "custom", mk.label if mk else "", s)
        self.look = look
        align = {"left": "left", "center": "center", "right": "right"}[look.align]
        items = [el("w:keepNext"), self._spacing(0, 0, 1.0), val("w:jc", align)]
        if look.background:
            # A label on a coloured block (TLP): paragraph shading framed by borders of the
            # same colour (the padding), indented so that the block is as wide as the label.
            pad = 3.0
            m = self._metrics(self.head_font, True, False)
            label_w = sum(m.width(ch) for ch in look.text) * look.size + 4.0
            block = min(label_w + 2 * pad, self.text_w / 20)
            side = (self.text_w / 20 - block)
            left, right = {"right": (side + pad, pad), "left": (pad, side + pad),
                           "center": (side / 2 + pad, side / 2 + pad)}[look.align]
            items += [el("w:pBdr", None, *(ox.border(b, look.background, 4, int(pad))
                                           for b in ("top", "left", "bottom", "right"))),
                      ox.shd(look.background),
                      el("w:ind", {"w:left": str(_tw(left)), "w:right": str(_tw(right))})]
        self._style("MarkingBanner", "Marking Banner", ppr=self._ppr(*items),
                    rpr=self._rpr(font=self.head_font, size=look.size, colour=look.colour,
                                  bold=True, keep_font=True))  # its block is measured in it
        # a marking sentence in the body (screen readers skip headers): bold body text
        self._style("BodyMarking", "Body Marking", next_style="Normal",
                    ppr=self._ppr(self._spacing(0, z.base * 0.8)),
                    rpr=self._rpr(bold=True, colour=c.text))
        # Title block
        if s.cover.logo is not None:
            self._style("Logo", "Logo", next_style="Title", qformat=False,
                        ppr=self._ppr(el("w:keepNext"), self._spacing(0, base, 1.0)))
        self._style("MetaLabel", "Meta Label",
                    ppr=self._ppr(el("w:keepNext"), self._spacing(1, 1, 1.15)),
                    rpr=self._rpr(size=z.small, colour=c.muted, bold=True))
        self._style("MetaValue", "Meta Value",
                    ppr=self._ppr(self._spacing(1, 1, 1.15)))
        # Tables and boxes
        cell_size = max(z.small, base - 1)
        self._style("TableText", "Table Text",
                    ppr=self._ppr(self._spacing(0, 2, 1.15)),
                    rpr=self._rpr(size=cell_size))
        for kind, name in (("ListBullet", "List Bullet"), ("ListNumber", "List Number")):
            for level in (1, 2, 3):  # lists in table cells, in the cells' type size
                suffix = "" if level == 1 else str(level)
                self._style(f"Table{kind}{suffix}", f"Table {name} {level}".replace(" 1", ""),
                            based_on=f"{kind}{suffix}", qformat=False,
                            ppr=self._ppr(self._spacing(0, 2, 1.15)),
                            rpr=self._rpr(size=cell_size))
        self._style("TableHeading", "Table Heading", based_on="TableText",
                    ppr=self._ppr(el("w:keepNext")),
                    rpr=self._rpr(bold=True, colour=c.table_header_text))
        self._style("BoxTitle", "Box Title", next_style="BoxText",
                    ppr=self._ppr(el("w:keepNext"), self._spacing(0, base * 0.35, 1.15)),
                    rpr=self._rpr(font=self.head_font, size=base + 1, colour=c.headings,
                                  bold=True))
        self._style("BoxText", "Box Text",
                    ppr=self._ppr(self._spacing(0, base * 0.4)))
        self._style("BlockSpacer", "Block Spacer", qformat=False,
                    ppr=self._ppr(self._spacing(0, 0, 1.0)),
                    rpr=self._rpr(size=base * 0.6))
        # Header and footer
        tabs = el("w:tabs", None, el("w:tab", {"w:val": "right", "w:pos": str(self.text_w)}))
        for sid, name in (("Header", "header"), ("Footer", "footer")):
            rule = el("w:pBdr", None, ox.border("top", c.rule, 4, 4)) if sid == "Footer" \
                else None
            self._style(sid, name, builtin=True, qformat=False,
                        ppr=self._ppr(rule, ox.copy_el(tabs), self._spacing(0, 0, 1.15)),
                        rpr=self._rpr(size=z.header_footer, colour=c.muted))
        # Notes and links
        for kind, ident in (("footnote", "Footnote"), ("endnote", "Endnote")):
            self._style(f"{ident}Text", f"{kind} text", builtin=True, qformat=False,
                        ppr=self._ppr(self._spacing(0, 2, 1.15)),
                        rpr=self._rpr(size=z.small))
            self._style(f"{ident}Reference", f"{kind} reference", "character",
                        based_on="DefaultParagraphFont", builtin=True, qformat=False,
                        rpr=self._rpr(superscript=True))
        self._style("Hyperlink", "Hyperlink", "character", based_on="DefaultParagraphFont",
                    builtin=True, qformat=False, priority=99,
                    rpr=self._rpr(colour=c.link, underline=True))
        self._table_styles()

    @staticmethod
    def _set_lang(rpr: etree._Element, lang: str) -> None:
        """The language of Latin text, keeping an East Asian or complex-script one."""
        e = rpr.find(ox.qn("w:lang"))
        if e is None:
            put(rpr, val("w:lang", lang), ox.RPR_ORDER)
        else:
            e.set(ox.qn("w:val"), lang)

    def _table_styles(self) -> None:
        c = self.style.colours
        pad_lr, pad_tb = _tw(4.5), _tw(2.5)

        def cell_mar(top: int, side: int) -> etree._Element:
            return el("w:tblCellMar", None,
                      el("w:top", {"w:w": str(top), "w:type": "dxa"}),
                      el("w:left", {"w:w": str(side), "w:type": "dxa"}),
                      el("w:bottom", {"w:w": str(top), "w:type": "dxa"}),
                      el("w:right", {"w:w": str(side), "w:type": "dxa"}))

        rule = c.rule
        tables = self.style.tables
        if tables.rules == "grid":  # every cell ruled, in the rule colour
            borders = [ox.border(side, rule, 4) for side in
                       ("top", "left", "bottom", "right", "insideH", "insideV")]
        else:  # "horizontal": rules between rows, a heavier one above and below, no verticals
            borders = [ox.border("top", c.table_header_bg, 8),
                       ox.border("left", rule, 0, kind="nil"),
                       ox.border("bottom", c.table_header_bg, 8),
                       ox.border("right", rule, 0, kind="nil"),
                       ox.border("insideH", rule, 4),
                       ox.border("insideV", rule, 0, kind="nil")]
        tbl_pr = el("w:tblPr", None,
                    val("w:tblStyleRowBandSize", 1),
                    el("w:tblBorders", None, *borders),
                    cell_mar(pad_tb, pad_lr))
        first = el("w:tblStylePr", {"w:type": "firstRow"},
                   self._rpr(bold=True, colour=c.table_header_text),
                   el("w:trPr", None, el("w:tblHeader")),
                   el("w:tcPr", None, ox.shd(c.table_header_bg)))
        # stripes: every second body row shaded (the first body row is band 1, as the PDF
        # leaves it white); without stripes the style has no banding and tables say noHBand
        band = el("w:tblStylePr", {"w:type": "band2Horz"},
                  el("w:tcPr", None, ox.shd(c.table_stripe))) if tables.stripes else None
        self._style("BriefingTable", "Briefing Table", "table", based_on="TableNormal",
                    priority=59, qformat=False,
                    ppr=self._ppr(self._spacing(0, 0, 1.15)),
                    tbl=(tbl_pr, first, *((band,) if band is not None else ())))
        def box_pr(eighths: int) -> etree._Element:
            """A box's frame, ``eighths`` of a point thick, with no inner rules."""
            return el("w:tblPr", None,
                      el("w:tblBorders", None,
                         *(ox.border(side, c.box_border, eighths) for side in
                           ("top", "left", "bottom", "right")),
                         ox.border("insideH", rule, 0, kind="nil"),
                         ox.border("insideV", rule, 0, kind="nil")),
                      cell_mar(_tw(7), _tw(9)))

        self._style("BriefingBox", "Briefing Box", "table", based_on="TableNormal",
                    priority=59, qformat=False, tbl=(box_pr(8), el("w:tcPr", None,
                                                                   ox.shd(c.box_bg))))
        self._style("WarningBox", "Warning Box", "table", based_on="BriefingBox",
                    priority=59, qformat=False, tbl=(box_pr(14),))
        meta_pr = el("w:tblPr", None,
                     el("w:tblBorders", None,
                        ox.border("top", c.headings, 8),
                        ox.border("left", rule, 0, kind="nil"),
                        ox.border("bottom", c.headings, 8),
                        ox.border("right", rule, 0, kind="nil"),
                        ox.border("insideH", rule, 4),
                        ox.border("insideV", rule, 0, kind="nil")),
                     cell_mar(_tw(2.5), 0))
        self._style("MetaTable", "Meta Table", "table", based_on="TableNormal",
                    priority=59, qformat=False, tbl=(meta_pr,))

    # ---------------------------------------------------------------------------------------
    # Numbering

    def _list_ind(self, level: int, hanging: bool = True) -> etree._Element:
        left = _tw(18 * (level + 1))
        attrs = {"w:left": str(left)}
        if hanging:
            attrs["w:hanging"] = str(_tw(18))
        return el("w:ind", attrs)

    def _numbering(self) -> None:
        """Two list definitions (bullets, numbers). A reference document's own definitions
        stay (its styles may use them); ours take the next free ids."""
        self.numbering_el = numbering = self.part.numbering_part.element
        if self.reference is None:
            for child in list(numbering):
                numbering.remove(child)

        def ids(tag: str, attr: str) -> list[int]:
            out = []
            for e in numbering.findall(ox.qn(tag)):
                try:
                    out.append(int(e.get(ox.qn(attr))))
                except (TypeError, ValueError):
                    pass
            return out

        first_abs = max(ids("w:abstractNum", "w:abstractNumId"), default=0) + 1
        self.num_ids = max(ids("w:num", "w:numId"), default=0)
        self.abs_bullet, self.abs_number = first_abs, first_abs + 1
        #: ordered lists among numbered paragraphs: (a), (b), with (i), (ii) inside
        self.abs_lettered = first_abs + 2
        # every abstractNum precedes every num (schema order)
        after = numbering.findall(ox.qn("w:abstractNum"))
        at = (numbering.index(after[-1]) + 1) if after else \
            sum(1 for c in numbering if ox.local(c) == "numPicBullet")
        bullets = ("\u2022", "\u2013", "\u25aa")
        formats = (("decimal", "%1."), ("lowerLetter", "%2)"), ("lowerRoman", "%3."))
        kinds = [(self.abs_bullet, False), (self.abs_number, True)]
        if self.hang:
            kinds.append((self.abs_lettered, "lettered"))
        for abs_id, ordered in kinds:
            a = el("w:abstractNum", {"w:abstractNumId": str(abs_id)},
                   val("w:multiLevelType", "hybridMultilevel"))
            for lvl in range(9):
                if ordered == "lettered":  # as the PDF: (a), then (i), then 1.
                    fmt = ("lowerLetter", "lowerRoman", "decimal")[min(lvl, 2)]
                    text = f"(%{lvl + 1})" if lvl < 2 else f"%{lvl + 1}."
                elif ordered:
                    fmt, _ = formats[lvl % 3]
                    text = f"%{lvl + 1}" + (")" if lvl % 3 == 1 else ".")
                else:
                    fmt, text = "bullet", bullets[lvl % 3]
                level = el("w:lvl", {"w:ilvl": str(lvl)},
                           val("w:start", 1), val("w:numFmt", fmt), val("w:lvlText", text),
                           val("w:lvlJc", "left"),
                           self._ppr(self._list_ind(lvl)))
                rpr = self._rpr(font=self.body_font)
                if not ordered and len(rpr):
                    level.append(rpr)
                a.append(level)
            numbering.insert(at, a)
            at += 1
        self.bullet_num = self._new_num(self.abs_bullet)
        self.number_num = self._new_num(self.abs_number)
        for kind, num in (("ListBullet", self.bullet_num), ("ListNumber", self.number_num)):
            for level in (1, 2, 3):
                sid = kind if level == 1 else f"{kind}{level}"
                if sid not in self.created_styles:
                    continue  # the reference's own list style, as it is
                st = self.styles_el.find(f"{{{_W}}}style[@{{{_W}}}styleId='{sid}']")
                ppr = st.find(ox.qn("w:pPr"))
                put(ppr, el("w:numPr", None, val("w:ilvl", level - 1), val("w:numId", num)),
                    ox.PPR_ORDER)
                put(ppr, self._list_ind(level - 1), ox.PPR_ORDER)

    def _new_num(self, abstract: int, restart_level: int | None = None) -> int:
        self.num_ids += 1
        num = el("w:num", {"w:numId": str(self.num_ids)}, val("w:abstractNumId", abstract))
        if restart_level is not None:
            num.append(el("w:lvlOverride", {"w:ilvl": str(restart_level)},
                          val("w:startOverride", 1)))
        cleanup = self.numbering_el.find(ox.qn("w:numIdMacAtCleanup"))
        if cleanup is not None:
            cleanup.addprevious(num)
        else:
            self.numbering_el.append(num)
        return self.num_ids

    # ---------------------------------------------------------------------------------------
    # Inlines

    def _run(self, fmt: _Fmt, *content: etree._Element) -> etree._Element:
        r = el("w:r")
        if fmt.rstyle or fmt.bold or fmt.italic:
            rpr = el("w:rPr")
            if fmt.rstyle:
                rpr.append(val("w:rStyle", fmt.rstyle))
            if fmt.bold:
                rpr.append(el("w:b"))
                rpr.append(el("w:bCs"))
            if fmt.italic:
                rpr.append(el("w:i"))
                rpr.append(el("w:iCs"))
            r.append(rpr)
        for c in content:
            r.append(c)
        return r

    def _text_runs(self, text: str, fmt: _Fmt, out: etree._Element) -> None:
        text = ox.clean(text).replace("\r\n", "\n").replace("\r", "\n")
        for i, line in enumerate(text.split("\n")):
            if i:
                out.append(self._run(fmt, el("w:br")))
            for j, chunk in enumerate(line.split("\t")):
                if j:
                    out.append(self._run(fmt, el("w:tab")))
                if chunk:
                    out.append(self._run(fmt, ox.text_el(chunk)))

    def _inlines(self, inlines: Iterable[Inline], out: etree._Element, fmt: _Fmt = _Fmt(),
                 part=None, in_note: bool = False) -> None:
        part = part if part is not None else self.part
        prev_mark: str | None = None  # the number of a note mark just written
        for i in inlines:
            if not isinstance(i, Note):
                prev_mark = None
            if isinstance(i, Text):
                self._text_runs(i.text, fmt, out)
            elif isinstance(i, Strong):
                self._inlines(i.children, out, replace(fmt, bold=True), part, in_note)
            elif isinstance(i, Emph):
                self._inlines(i.children, out, replace(fmt, italic=True), part, in_note)
            elif isinstance(i, Link):
                if fmt.in_link:
                    self._inlines(i.children, out, fmt, part, in_note)
                    continue
                rid = part.relate_to(ox.clean(i.url), RT.HYPERLINK, is_external=True)
                h = el("w:hyperlink", {"r:id": rid, "w:history": "1"})
                self._inlines(i.children, h, replace(fmt, rstyle="Hyperlink", in_link=True),
                              part, in_note)
                out.append(h)
            elif isinstance(i, Ref):
                target = self.anchors.get(i.anchor)
                if target is None or fmt.in_link:
                    self._inlines(i.children, out, fmt, part, in_note)
                    continue
                h = el("w:hyperlink", {"w:anchor": target, "w:history": "1"})
                self._inlines(i.children, h, replace(fmt, rstyle="Hyperlink", in_link=True),
                              part, in_note)
                out.append(h)
            elif isinstance(i, Note):
                if in_note:
                    # a note inside a note: print it in brackets rather than lose it
                    self._text_runs(" (", fmt, out)
                    self._inlines(i.children, out, fmt, part, in_note)
                    self._text_runs(")", fmt, out)
                    continue
                mark = self._note(i, out, fmt, prev_mark)
                prev_mark = mark
                continue
            elif isinstance(i, LineBreak):
                out.append(self._run(fmt, el("w:br")))

    def _note(self, note: Note, out: etree._Element, fmt: _Fmt,
              prev_mark: str | None) -> str:
        """Write a note's reference mark into ``out`` and return its number. Notes with equal
        content are one note, listed once under one number. Marks side by side are separated
        by a superscript comma (1,2 rather than 12); the same note twice in a row is one mark.

        Footnotes are Word footnotes (a later mark of a repeated note is a NOTEREF field to the
        first, bookmarked, mark). Endnotes are listed in the body (:meth:`_endnotes_list`); a
        mark is its number, superscript, linking to the note's bookmark."""
        if self.notes_kind == "endnotes":
            n = self.endnote_numbers.get(note.children)
            if n is None:
                self.endnotes.append(note.children)
                n = self.endnote_numbers[note.children] = len(self.endnotes)
            number = str(n)
            if number == prev_mark:
                return number
            if prev_mark is not None:
                out.append(self._run(_Fmt(rstyle="EndnoteReference"), ox.text_el(",")))
            run = self._run(_Fmt(rstyle="EndnoteReference"), ox.text_el(number))
            if fmt.in_link:  # a link cannot hold another link: the number alone
                out.append(run)
            else:
                out.append(el("w:hyperlink", {"w:anchor": f"_Note{n}", "w:history": "1"}, run))
            return number
        seen = self.note_marks.get(note.children)
        if seen is not None and seen[0] == prev_mark:
            return prev_mark
        if prev_mark is not None:
            out.append(self._run(_Fmt(rstyle="FootnoteReference"), ox.text_el(",")))
        if seen is not None:
            nid, bm = seen
            rpr = el("w:rPr", None, val("w:rStyle", "FootnoteReference"))
            for r in ox.field_runs(f"NOTEREF {bm} \\f \\h", nid, rpr):
                out.append(r)
            return nid
        self.note_ids += 1
        nid = str(self.note_ids)
        p = el("w:p", None, self._ppr(val("w:pStyle", "FootnoteText")))
        p.append(self._run(_Fmt(rstyle="FootnoteReference"), el("w:footnoteRef")))
        p.append(self._run(_Fmt(), ox.text_el(" ")))
        self._inlines(note.children, p, _Fmt(), self.notes_part, in_note=True)
        self.notes_part.element.append(el("w:footnote", {"w:id": nid}, p))
        mark = self._run(_Fmt(rstyle="FootnoteReference"),
                         el("w:footnoteReference", {"w:id": nid}))
        if note.children in self.repeated_notes:
            bm = f"_RefNote{nid}"
            bid = str(self.bookmark_ids)
            self.bookmark_ids += 1
            out.append(el("w:bookmarkStart", {"w:id": bid, "w:name": bm}))
            out.append(mark)
            out.append(el("w:bookmarkEnd", {"w:id": bid}))
            self.note_marks[note.children] = (nid, bm)
        else:
            out.append(mark)
        return nid

    # ---------------------------------------------------------------------------------------
    # Blocks

    def _para(self, out: etree._Element, style_id: str | None, ctx: _Ctx,
              *extra_ppr: etree._Element) -> etree._Element:
        items: list[etree._Element] = []
        if style_id and style_id != "Normal":
            items.append(val("w:pStyle", style_id))
        if ctx.top and self.pending_break:
            items.append(el("w:pageBreakBefore"))
            self.pending_break = False
        items.extend(extra_ppr)
        p = el("w:p")
        if items:
            p.append(self._ppr(*items))
        out.append(p)
        return p

    def _blocks(self, blocks: Iterable[Block], out: etree._Element, ctx: _Ctx) -> None:
        blocks = list(blocks)
        for idx, b in enumerate(blocks):
            nxt = blocks[idx + 1] if idx + 1 < len(blocks) else None
            if isinstance(b, Paragraph):
                self._paragraph(b, out, ctx)
            elif isinstance(b, Heading):
                self._heading(b, out, ctx)
            elif isinstance(b, ListBlock):
                if self.hang and ctx.top and ctx.depth == 0 and ctx.body_style == "Normal":
                    # among numbered paragraphs a list stands in their text column
                    self._list(b, out, replace(ctx, hang=self.hang), ctx.depth)
                else:
                    self._list(b, out, ctx, ctx.depth)
            elif isinstance(b, Table):
                self._table(b, out, ctx)
                self._spacer_after_table(out, ctx, nxt)
            elif isinstance(b, Box):
                self._box(b, out, ctx)
                self._spacer_after_table(out, ctx, nxt)
            elif isinstance(b, Quote):
                self._quote(b, out, ctx)
            elif isinstance(b, TitleBlock):
                if b is self.logo_before and ctx.top and ctx.depth == 0:
                    self._cover_logo(out, ctx)
                self._title_block(b, out, ctx)
            elif isinstance(b, Contents):
                self._contents(b, out, ctx)
            elif isinstance(b, NotesList):
                if (b is self.notes_slot and self.has_notes and self.notes_kind == "endnotes"
                        and self.notes_heading_p is None and ctx.top and ctx.depth == 0
                        and ctx.body_style == "Normal"):
                    self._notes_heading(out, b.title)  # the list follows once all are numbered
            elif isinstance(b, Figure):
                self._figure(b, out, ctx)
            elif isinstance(b, PageBreak):
                if ctx.top:
                    self.pending_break = True

    def _spacer_after_table(self, out: etree._Element, ctx: _Ctx, nxt: Block | None) -> None:
        """An empty spacer paragraph after a table: Word merges adjacent tables and needs a
        paragraph to end a cell; in the body it keeps the next paragraph off the table's
        bottom rule, and stops LibreOffice chaining keep-with-next through the table (a
        heading, a table, then another heading would all move to the next page together)."""
        if ctx.top or nxt is None or isinstance(nxt, (Table, Box)):
            self._para(out, "BlockSpacer", ctx)

    def _paragraph(self, b: Paragraph, out: etree._Element, ctx: _Ctx,
                   style_id: str | None = None) -> etree._Element:
        if style_id is None:
            style_id = {"body": ctx.body_style, "lead": "Lead", "small": "SmallText",
                        "marking": "BodyMarking", "caption": "Caption",
                        "attribution": "Attribution"}.get(b.role, ctx.body_style)
        number = b.number
        if number and self.hang and ctx.top and ctx.depth == 0 and style_id in ("Normal",
                                                                                 "Lead"):
            # the style numbers paragraphs: the number, a tab to the text's indent, the text
            p = self._para(out, "NumberedParagraph" if style_id == "Normal" else "NumberedLead",
                           ctx)
            self._text_runs(number, _Fmt(), p)
            p.append(self._run(_Fmt(), el("w:tab")))
        else:
            p = self._para(out, style_id, ctx)
        self._inlines(b.children, p)
        return p

    def _heading(self, h: Heading, out: etree._Element, ctx: _Ctx) -> None:
        level = min(max(h.level, 1), 3)
        p = self._para(out, f"Heading{level}", ctx)
        name = self.heading_bm.get(id(h))
        if name is None:  # not reachable via doc.headings(); still give it a bookmark
            name = ox.bookmark_name(h.anchor, self.taken_bookmarks)
        self._bookmarked(p, name, lambda: self._inlines(h.children, p))

    def _bookmarked(self, p: etree._Element, name: str, fill) -> None:
        if name in self.emitted_bookmarks:  # the same heading object placed twice
            name = ox.bookmark_name(name, self.taken_bookmarks)
        self.emitted_bookmarks.add(name)
        bid = str(self.bookmark_ids)
        self.bookmark_ids += 1
        p.append(el("w:bookmarkStart", {"w:id": bid, "w:name": name}))
        fill()
        p.append(el("w:bookmarkEnd", {"w:id": bid}))

    def _notes_heading(self, out: etree._Element, title: str) -> None:
        p = self._para(out, "Heading1", _Ctx())
        self._bookmarked(p, self.notes_bm, lambda: self._text_runs(title, _Fmt(), p))
        self.notes_heading_p = p

    def _endnotes_list(self) -> None:
        """The endnotes as a numbered list after the notes heading, each note bookmarked
        (``_Note<n>``) for the marks that link to it. Body paragraphs, not Word endnotes:
        LibreOffice sets real endnotes on a page of their own without header and footer, which
        would leave a page without its handling marking."""
        num = self._new_num(self.abs_number, restart_level=0)
        at = self.notes_heading_p
        for n, children in enumerate(self.endnotes, 1):
            p = el("w:p", None, self._ppr(val("w:pStyle", "EndnoteText"),
                                          el("w:numPr", None, val("w:ilvl", 0),
                                             val("w:numId", num))))
            self._bookmarked(p, f"_Note{n}",
                             lambda: self._inlines(children, p, _Fmt(), in_note=True))
            at.addnext(p)
            at = p

    def _renumber_bookmarks(self, holder: etree._Element) -> None:
        """Bookmark ids in document order (the notes list is written last, wherever it is)."""
        ids: dict[str, str] = {}
        for e in holder.iter(ox.qn("w:bookmarkStart"), ox.qn("w:bookmarkEnd")):
            old = e.get(ox.qn("w:id"))
            if old not in ids:
                ids[old] = str(len(ids))
            e.set(ox.qn("w:id"), ids[old])

    def _list(self, b: ListBlock, out: etree._Element, ctx: _Ctx, depth: int) -> None:
        depth = min(depth, 8)
        style_level = min(depth, 2) + 1
        if b.ordered:
            # among numbered paragraphs, ordered lists are lettered (a), (b); (i), (ii) inside
            num = self._new_num(self.abs_lettered if ctx.hang else self.abs_number,
                                restart_level=depth)
            sid = "ListNumber" if style_level == 1 else f"ListNumber{style_level}"
        else:
            num = self.bullet_num
            sid = "ListBullet" if style_level == 1 else f"ListBullet{style_level}"
        if ctx.body_style in ("TableText", "TableHeading"):
            sid = "Table" + sid
        cont = "ListContinue" if style_level == 1 else f"ListContinue{style_level}"
        numpr = (val("w:ilvl", depth), val("w:numId", num))
        inner = replace(ctx, depth=depth + 1)
        # in the numbered paragraphs' text column: the list's bullets and numbers start there
        ind: tuple[etree._Element, ...] = ()
        cont_ind: tuple[etree._Element, ...] = ()
        if ctx.hang:
            gap = 18 + (self.style.sizes.base * 0.5 if b.ordered and depth < 2 else 0)
            left = ctx.hang + _tw(18 * depth + gap)
            ind = (el("w:ind", {"w:left": str(left), "w:hanging": str(_tw(gap))}),)
            cont_ind = (el("w:ind", {"w:left": str(left)}),)
        for item in b.items:
            first = True
            for blk in item:
                if first:
                    first = False
                    p = self._para(out, sid, ctx, el("w:numPr", None, *(ox.copy_el(e)
                                                                        for e in numpr)),
                                   *(ox.copy_el(e) for e in ind))
                    if isinstance(blk, Paragraph):
                        self._inlines(blk.children, p)
                        continue
                    if isinstance(blk, Heading):  # keep its bookmark for refs and contents
                        name = self.heading_bm.get(id(blk)) or ox.bookmark_name(
                            blk.anchor, self.taken_bookmarks)
                        self._bookmarked(p, name, lambda: self._inlines(blk.children, p))
                        continue
                if isinstance(blk, Paragraph):
                    p = self._paragraph(blk, out, ctx, style_id=cont)
                    for e in cont_ind:
                        put(p.find(ox.qn("w:pPr")), ox.copy_el(e), ox.PPR_ORDER)
                elif isinstance(blk, ListBlock):
                    self._list(blk, out, inner, depth + 1)
                else:
                    self._blocks((blk,), out, replace(ctx, depth=depth + 1))
            if first:  # an empty item still takes its number
                self._para(out, sid, ctx, el("w:numPr", None, *(ox.copy_el(e) for e in numpr)),
                           *(ox.copy_el(e) for e in ind))

    # Tables ---------------------------------------------------------------------------------

    def _grid(self, widths: tuple[float, ...], n: int, total: int) -> list[int]:
        if len(widths) != n or any(w <= 0 for w in widths):
            widths = (1.0,) * n
        s = float(sum(widths))
        cols = [int(total * w / s) for w in widths]
        cols[-1] += total - sum(cols)
        return cols

    def _tbl(self, style_id: str, cols: list[int], first_row: bool = False,
             bands: bool = False, caption: str = "") -> etree._Element:
        """A table in ``style_id`` with its grid; ``w:tblLook`` says which of the style's
        conditional formats apply (header row, banded rows), as its flags and as the legacy
        hex value Word 2007 reads."""
        look = 0x0400 | (0x0020 if first_row else 0) | (0 if bands else 0x0200)
        tbl_pr = el("w:tblPr", None,
                    val("w:tblStyle", style_id),
                    el("w:tblW", {"w:w": str(sum(cols)), "w:type": "dxa"}),
                    el("w:tblLayout", {"w:type": "fixed"}),
                    el("w:tblLook", {"w:val": f"{look:04X}",
                                     "w:firstRow": "1" if first_row else "0",
                                     "w:lastRow": "0", "w:firstColumn": "0",
                                     "w:lastColumn": "0", "w:noHBand": "0" if bands else "1",
                                     "w:noVBand": "1"}))
        if caption:
            tbl_pr.append(val("w:tblCaption", ox.clean(caption)[:255]))
        grid = el("w:tblGrid", None, *(el("w:gridCol", {"w:w": str(w)}) for w in cols))
        return el("w:tbl", None, tbl_pr, grid)

    def _cell(self, tr: etree._Element, width: int, blocks: Iterable[Block], ctx: _Ctx,
              title: tuple[Inline, ...] = ()) -> etree._Element:
        tc = el("w:tc", None, el("w:tcPr", None, el("w:tcW", {"w:w": str(width),
                                                               "w:type": "dxa"})))
        if title:
            p = self._para(tc, "BoxTitle", ctx)
            self._inlines(title, p)
        self._blocks(blocks, tc, ctx)
        last = tc[-1]
        if ox.local(last) != "p":
            self._para(tc, ctx.body_style, ctx)
        tr.append(tc)
        return tc

    def _table(self, t: Table, out: etree._Element, ctx: _Ctx) -> None:
        n = max(t.ncols, max((len(r) for r in t.rows), default=0), 1)
        total = self.text_w if ctx.top else int(self.text_w * 0.9)
        cols = self._grid(t.widths, n, total)
        if t.caption:
            p = self._para(out, "Caption", ctx)
            self._inlines(t.caption, p)
        tbl = self._tbl("BriefingTable", cols, first_row=True, bands=self.style.tables.stripes,
                        caption=plain_text(t.caption))
        cell_ctx = _Ctx(body_style="TableText", top=False)
        head_ctx = _Ctx(body_style="TableHeading", top=False)
        for r, row in enumerate((t.header, *t.rows)):
            tr_pr = el("w:trPr", None, el("w:cantSplit"))
            if r == 0:
                tr_pr.append(el("w:tblHeader"))
            tr = el("w:tr", None, tr_pr)
            cells = list(row) + [Cell(())] * (n - len(row))
            for ci, cell in enumerate(cells):  # header shading and stripes: the table style
                self._cell(tr, cols[ci], cell.blocks, head_ctx if r == 0 else cell_ctx)
            tbl.append(tr)
        if ctx.top and self.pending_break:
            self._para(out, None, ctx)  # a page break before a table needs a paragraph
        out.append(tbl)

    def _box(self, b: Box, out: etree._Element, ctx: _Ctx) -> None:
        total = self.text_w if ctx.top else int(self.text_w * 0.9)
        if ctx.top and self.pending_break:
            self._para(out, None, ctx)
        tbl = self._tbl("WarningBox" if b.role == "warning" else "BriefingBox", [total],
                        caption=plain_text(b.title))
        tr = el("w:tr")
        self._cell(tr, total, b.blocks, _Ctx(body_style="BoxText", top=False), title=b.title)
        tbl.append(tr)
        out.append(tbl)

    def _figure(self, f: Figure, out: etree._Element, ctx: _Ctx) -> None:
        """A chart as an inline PNG picture in a Figure paragraph, its caption below in the
        Caption style. The picture is the PDF's drawing (:mod:`briefgen.render.graphics`),
        laid out for the text width and rasterised at print resolution; the figure's
        alternative text is the picture's description."""
        from docx.oxml.shape import CT_Inline

        from . import graphics

        width = self.text_w / 20 * (1.0 if ctx.top else 0.85)
        z = self.style.sizes
        # as the PDF: the drawing and a three-line caption fit the page's text height
        room = self.page_h - self.margin_top - self.margin_bottom \
            - (z.small * z.leading * 3 if f.caption else 0) - z.base
        dw = graphics.drawing(f.chart, self.style, width, max_height=room)
        scale = min(1.0, width / dw.width, room / dw.height)
        # rasterised for the size it is shown at (a drawing taller than the page is shrunk)
        png = graphics.png(dw, dpi=FIGURE_DPI, scale=scale)
        rid, _image = self.part.get_or_add_image(io.BytesIO(png))
        self.shape_ids += 1
        inline = CT_Inline.new_pic_inline(self.shape_ids, rid, f"figure{self.shape_ids}.png",
                                          int(round(dw.width * scale * 12700)),
                                          int(round(dw.height * scale * 12700)))
        alt = ox.clean(f.alt or plain_text(f.caption))
        inline.docPr.set("name", f"Figure {self.shape_ids}")
        inline.docPr.set("descr", alt)
        # the Figure style keeps the picture with its caption; without one, with nothing
        p = self._para(out, "Figure", ctx,
                       *(() if f.caption else (el("w:keepNext", {"w:val": "0"}),)))
        p.append(el("w:r", None, el("w:drawing", None, inline)))
        if f.caption:
            # a caption below its figure does not keep with what follows (the style does,
            # for table captions above their tables)
            cap = self._para(out, "Caption", ctx, el("w:keepNext", {"w:val": "0"}))
            self._inlines(f.caption, cap)

    def _quote(self, q: Quote, out: etree._Element, ctx: _Ctx) -> None:
        self._blocks(q.blocks, out, replace(ctx, body_style="Quote"))
        if q.attribution:
            p = self._para(out, "Attribution", ctx)
            self._text_runs("\u2014\u00a0", _Fmt(), p)
            self._inlines(q.attribution, p)

    def _cover_logo(self, out: etree._Element, ctx: _Ctx) -> None:
        """The style's cover logo (``cover.logo``), as the PDF prints it: an inline picture
        ``cover.logo_width`` wide (never wider than the text nor taller than a quarter of its
        height) in its aspect ratio, left-aligned on its own line in the Logo style at the top
        of the top sheet, described as "Logo" for screen readers."""
        from docx.oxml.shape import CT_Inline

        path = self.style.cover.logo
        if path is None:
            return
        try:
            rid, image = self.part.get_or_add_image(str(path))
            ratio = image.px_height / image.px_width
        except Exception as e:  # noqa: BLE001 - python-docx raises many kinds on a bad image
            raise BriefError([Diagnostic(str(path), None, None, "cover.logo",
                                         "the logo cannot be read as a PNG or JPEG image "
                                         f"({type(e).__name__}: {e})")]) from None
        width = min(self.style.cover.logo_width, self.text_w / 20)
        quarter = (self.page_h - self.margin_top - self.margin_bottom) / 4
        if width * ratio > quarter:
            width = quarter / ratio
        self.shape_ids += 1
        inline = CT_Inline.new_pic_inline(self.shape_ids, rid, f"logo.{image.ext}",
                                          int(round(width * 12700)),
                                          int(round(width * ratio * 12700)))
        inline.docPr.set("name", "Logo")
        inline.docPr.set("descr", "Logo")
        p = self._para(out, "Logo", ctx)
        p.append(el("w:r", None, el("w:drawing", None, inline)))

    def _title_block(self, tb: TitleBlock, out: etree._Element, ctx: _Ctx) -> None:
        p = self._para(out, "Title", ctx)
        self._inlines(tb.title, p)
        if tb.subtitle:
            p = self._para(out, "Subtitle", ctx)
            self._inlines(tb.subtitle, p)
        if not tb.fields:
            return
        cols = self._grid((0.28, 0.72), 2, self.text_w if ctx.top else int(self.text_w * 0.9))
        tbl = self._tbl("MetaTable", cols)
        label_ctx = _Ctx(body_style="MetaLabel", top=False)
        value_ctx = _Ctx(body_style="MetaValue", top=False)
        for f in tb.fields:
            tr = el("w:tr", None, el("w:trPr", None, el("w:cantSplit")))
            self._cell(tr, cols[0], (Paragraph((Text(f.label),)),), label_ctx)
            self._cell(tr, cols[1], (Paragraph(f.value),), value_ctx)
            tbl.append(tr)
        out.append(tbl)
        self._para(out, "BlockSpacer", ctx)

    def _contents(self, c: Contents, out: etree._Element, ctx: _Ctx) -> None:
        listed = self.notes_kind == "endnotes" and self.has_notes
        entries: list[tuple[int, str, str]] = []
        for b in self.doc.walk():
            if isinstance(b, Heading) and b.toc and b.level <= 3:
                entries.append((b.level, plain_text(b.children).replace("\n", " "),
                                self.heading_bm[id(b)]))
            elif listed and b is self.notes_slot:
                entries.append((1, b.title, self.notes_bm))
        if listed and self.notes_slot is None:
            entries.append((1, self.meta.label("notes", "Notes"), self.notes_bm))
        if not entries:  # nothing to list: no empty "Contents" heading either
            return
        p = self._para(out, "TOCHeading", ctx)
        self._text_runs(c.title, _Fmt(), p)
        begin = [ox.fld_char("begin"), ox.instr_run('TOC \\o "1-3" \\h \\z \\u'),
                 ox.fld_char("separate")]
        for n, (level, text, bm) in enumerate(entries):
            # the dotted right tab on the entry itself, as Word writes a contents it generates
            tabs = el("w:tabs", None, el("w:tab", {"w:val": "right", "w:leader": "dot",
                                                   "w:pos": str(self.text_w)}))
            p = self._para(out, f"TOC{min(max(level, 1), 3)}", ctx, tabs)
            if n == 0:
                for r in begin:
                    p.append(r)
            h = el("w:hyperlink", {"w:anchor": bm, "w:history": "1"})
            self._text_runs(text, _Fmt(), h)
            h.append(self._run(_Fmt(), el("w:tab")))
            runs = ox.field_runs(f"PAGEREF {bm} \\h", "1")
            self.toc_cache.append((bm, runs[3].find(ox.qn("w:t"))))
            for r in runs:
                h.append(r)
            p.append(h)
            if n == len(entries) - 1:
                p.append(ox.fld_char("end"))

    def _ensure_ends_with_paragraph(self, holder: etree._Element) -> None:
        if len(holder) == 0 or ox.local(holder[-1]) != "p":
            self._para(holder, "BlockSpacer", _Ctx(top=False))
        if self.pending_break:
            self.pending_break = False

    def _map_styles(self, body: list[etree._Element]) -> None:
        """Point paragraphs, runs, tables and the styles briefgen added at the reference's
        ids for the styles it has under another id (a German Word's Heading 1 is
        "berschrift1", a French one's "Titre1")."""
        if not self.style_map:
            return
        roots = [*body, self.wd.sections[0].header._element,
                 self.wd.sections[0].footer._element, self.styles_el]
        if self.notes_part is not None:
            roots.append(self.notes_part.element)
        tags = {ox.qn(f"w:{t}") for t in ("pStyle", "rStyle", "tblStyle", "basedOn", "next",
                                          "link")}
        attr = ox.qn("w:val")
        for root in roots:
            for e in root.iter(*tags):
                new = self.style_map.get(e.get(attr))
                if new is not None and (ox.local(e) in ("pStyle", "rStyle", "tblStyle") or
                                        e.getparent().get(ox.qn("w:styleId"))
                                        in self.created_styles):
                    e.set(attr, new)

    def _estimate_pages(self, body: list[etree._Element]) -> None:
        """Fill the contents' cached page numbers (and NUMPAGES') from a page estimate."""
        sheet = _StyleSheet(self.styles_el)
        est = _PageEstimate(sheet, 0.0, self.text_w / 20, {}, 0.0, self.families)
        sec = self.wd.sections[0]

        def story_height(element: etree._Element) -> float:
            return sum(b.before + sum(b.lines) + b.after
                       for b in (est.para(p, self.text_w / 20)
                                 for p in element.findall(ox.qn("w:p"))))

        top = max(self.margin_top,
                  sec.header_distance.pt + story_height(sec.header._element))
        bottom = max(self.margin_bottom,
                     sec.footer_distance.pt + story_height(sec.footer._element))
        est.body_height = self.page_h - top - bottom
        if self.notes_part is not None and self.notes_kind == "footnotes":
            for note in self.notes_part.element.findall(ox.qn("w:footnote")):
                nid = note.get(ox.qn("w:id"))
                if not nid.startswith("-") and nid != "0":
                    est.note_heights[nid] = story_height(note)
            # LibreOffice's footnote area: 0.1 cm either side of a thin separator line, and
            # the last note's space after is not laid out (measured: 6.1 pt, 2 pt)
            after = sheet.para(self.style_map.get("FootnoteText", "FootnoteText"))["after"]
            est.note_gap = 6.0 - after
        self._split_tall_rows(est, body)
        pages, total = est.run(body)
        for bm, t in self.toc_cache:
            t.text = str(pages.get(bm, 1))
        for t in self.numpages_cache:
            t.text = str(total)

    def _split_tall_rows(self, est: _PageEstimate, body: list[etree._Element]) -> None:
        """Let a table row split across pages when it would not fit on one (a long risk on a
        small page): rows are written unsplittable, and LibreOffice cuts off the foot of an
        unsplittable row taller than the page, text and all. The PDF splits such rows too."""
        room = est.body_height * 0.85  # the estimate's margin of error
        for tbl in body:
            if ox.local(tbl) != "tbl":
                continue
            box = est.table(tbl)
            header = sum(r.height for r in box.rows if r.header)
            for tr, row in zip(tbl.findall(ox.qn("w:tr")), box.rows):
                if row.cant_split and not row.header and row.height > room - header:
                    ox.remove_all(tr.find(ox.qn("w:trPr")), "w:cantSplit")
                    row.cant_split = False  # (the estimate keeps its measures: see table())

    # ---------------------------------------------------------------------------------------
    # Header, footer, settings, properties

    def _only_tab(self, style_id: str, kind: str, pos: int) -> etree._Element:
        """Direct tab stops for a paragraph in ``style_id``: one ``kind`` stop at ``pos``,
        the style's other stops cleared (a reference's footer style has its own)."""
        inherited: list[str] = []
        sid: str | None = self.style_map.get(style_id, style_id)
        seen: set[str] = set()
        while sid and sid not in seen:
            seen.add(sid)
            st = self.styles_el.find(f"{{{_W}}}style[@{{{_W}}}styleId='{sid}']")
            if st is None:
                break
            for t in st.iterfind(f"{ox.qn('w:pPr')}/{ox.qn('w:tabs')}/{ox.qn('w:tab')}"):
                if t.get(ox.qn("w:val")) != "clear":
                    inherited.append(t.get(ox.qn("w:pos")))
            based = st.find(ox.qn("w:basedOn"))
            sid = based.get(ox.qn("w:val")) if based is not None else None
        stops = {int(x): "clear" for x in inherited if x and x.lstrip("-").isdigit()}
        stops[pos] = kind
        return el("w:tabs", None, *(el("w:tab", {"w:val": v, "w:pos": str(at)})
                                    for at, v in sorted(stops.items())))

    def _marking_para(self) -> etree._Element:
        p = el("w:p", None, self._ppr(val("w:pStyle", "MarkingBanner")))
        self._text_runs(self.look.text, _Fmt(), p)
        return p

    def _header_footer(self) -> None:
        sec = self.wd.sections[0]
        mk = self.marking
        header = sec.header
        header.is_linked_to_previous = False
        hdr = header._element
        for child in list(hdr):
            hdr.remove(child)
        if self.logo_inline:  # the reference's logo, on its own line above the marking
            items = [val("w:pStyle", "Header")]
            if self.logo_jc:
                items.append(val("w:jc", self.logo_jc))
            hdr.append(el("w:p", None, self._ppr(*items), *self.logo_inline))
        last = self._marking_para() if mk is not None else \
            el("w:p", None, self._ppr(val("w:pStyle", "Header")))
        for run in self.logo_anchored:  # floating pictures: placed where the reference put them
            last.append(run)
        hdr.append(last)

        footer = sec.footer
        footer.is_linked_to_previous = False
        ftr = footer._element
        for child in list(ftr):
            ftr.remove(child)
        # the page number at the right margin whatever tab stops the footer style has
        p = el("w:p", None, self._ppr(val("w:pStyle", "Footer"),
                                      self._only_tab("Footer", "right", self.text_w)))
        if self.meta.footer_text:
            self._text_runs(self.meta.footer_text, _Fmt(), p)
        p.append(self._run(_Fmt(), el("w:tab")))
        template = self.meta.label("page_x_of_y", "Page {page} of {total}")
        pos = 0
        for m in _PAGE_RE.finditer(template):
            if m.start() > pos:
                self._text_runs(template[pos:m.start()], _Fmt(), p)
            instr = "PAGE" if m.group(1) == "page" else "NUMPAGES"
            runs = ox.field_runs(instr, "1")
            if instr == "NUMPAGES":
                self.numpages_cache.append(runs[3].find(ox.qn("w:t")))
            for r in runs:
                p.append(r)
            pos = m.end()
        if pos < len(template):
            self._text_runs(template[pos:], _Fmt(), p)
        ftr.append(p)
        if mk is not None:
            mp = self._marking_para()
            ppr = mp.find(ox.qn("w:pPr"))
            put(ppr, self._spacing(3, 0, 1.0), ox.PPR_ORDER)
            ftr.append(mp)

    def _settings(self) -> None:
        s = self.wd.settings.element
        order = ox.SETTINGS_ORDER
        # template leftovers: a preview picture that is gone, revision ids, "spelling checked"
        ox.remove_all(s, "w:savePreviewPicture", "w:rsids", "w:attachedTemplate",
                      "w:proofState", "w:linkStyles", "w:footnotePr", "w:endnotePr")
        # a reference's settings that would hide the marking on some pages (different even
        # page headers), lock the pack (protection) or make it a mail-merge document
        ox.remove_all(s, "w:evenAndOddHeaders", "w:documentProtection", "w:writeProtection",
                      "w:mailMerge")
        put(s, val("w:updateFields", "true"), order)
        if self.embedded_fonts:  # the analyst's families travel with the pack
            put(s, el("w:embedTrueTypeFonts"), order)
        if self.reference is None and self.style.page.margins.binding > 0:
            # a binding margin: left and right become inside and outside, the gutter (in
            # pgMar) widens the inside, on the left of odd pages and the right of even ones
            put(s, el("w:mirrorMargins"), order)
        if self.notes_part is not None:
            put(s, el("w:footnotePr", None,
                      el("w:footnote", {"w:id": "-1"}), el("w:footnote", {"w:id": "0"})),
                order)
        compat = s.find(ox.qn("w:compat"))
        if compat is not None:
            for cs in compat.findall(ox.qn("w:compatSetting")):
                if cs.get(ox.qn("w:name")) == "compatibilityMode":
                    cs.set(ox.qn("w:val"), "15")
        tfl = s.find(ox.qn("w:themeFontLang"))
        if tfl is not None:
            tfl.set(ox.qn("w:val"), self.meta.lang or "en-GB")
        w14 = "http://schemas.microsoft.com/office/word/2010/wordml"
        for e in s.findall(f"{{{w14}}}docId"):
            s.remove(e)

    def _properties(self) -> None:
        cp = self.wd.core_properties
        meta = self.meta
        for child in list(cp._element):  # nothing from a template or reference remains
            cp._element.remove(child)

        def short(text: str) -> str:
            return ox.clean(text)[:255]

        cp.title = short(meta.title)
        cp.subject = short(meta.subject)
        cp.comments = ""
        cp.author = short(meta.author)
        cp.last_modified_by = short(meta.author)
        cp.keywords = short(", ".join(meta.keywords))
        cp.language = short(meta.lang)
        cp.category = ""
        cp.revision = 1
        when = self._date()
        cp.created = when
        cp.modified = when


# --------------------------------------------------------------------------------------------
# Page estimate
#
# LibreOffice (7.4) shows a TOC field's pre-rendered result as it is: the PAGEREF fields inside
# the TOC are not recomputed (outside a TOC they are). Word recomputes them when the fields are
# updated. So the cached page numbers must already be right, and nothing short of laying the
# document out knows them: this is a small line-breaking and page-filling model of what we wrote
# (styles resolved from styles.xml, DejaVu advance widths, keep-with-next, widow control,
# unsplittable rows and repeated header rows, footnote space). It estimates; Word corrects.


_LIGATURES = (("ffi", "\ufb03"), ("ffl", "\ufb04"), ("ff", "\ufb00"), ("fi", "\ufb01"),
              ("fl", "\ufb02"))
#: LibreOffice lets a page's footnotes end a little below the body's bottom edge (the last
#: note's line reaching into the space above the footer: 1.4 pt measured)
_NOTE_SLACK = 1.5
_W_R, _W_RPR, _W_B, _W_I, _W_T = (f"{{{_W}}}{t}" for t in ("r", "rPr", "b", "i", "t"))
#: kerning narrows text a little; advance widths alone overestimate it
_WIDTH_FUDGE = 0.997


@lru_cache(maxsize=1)
def _base_template() -> bytes:
    """python-docx's default template without its ~140 unused table styles (a hand-made file
    has only what it uses), made once per process: every build then parses a styles part a
    fifth of the size."""
    wd = _docx.Document()
    root = wd.styles.element
    for st in root.findall(f"{{{_W}}}style[@{{{_W}}}type='table']"):
        if st.get(ox.qn("w:styleId")) not in ("TableNormal", "TableGrid"):
            root.remove(st)
    buf = io.BytesIO()
    wd.save(buf)
    return buf.getvalue()


def _face_metrics(path: str) -> FontMetrics:
    return metrics(path)


def _metrics(font: str, bold: bool, italic: bool,
             families: Mapping[str, Family] | None = None) -> FontMetrics:
    """The metrics of a face by family name: one of ``families`` (the style's, the analyst's
    own files included), else a bundled family, else DejaVu Sans (a reference document's
    font, which briefgen has no file for)."""
    fam = (families or {}).get(font) or next(
        (f for f in BUNDLED.values() if f.name == font), BUNDLED["dejavu-sans"])
    face = {(False, False): fam.regular, (True, False): fam.bold,
            (False, True): fam.italic, (True, True): fam.bold_italic}[(bold, italic)]
    return _face_metrics(str(face))


def _on(e: etree._Element | None) -> bool | None:
    if e is None:
        return None
    return e.get(ox.qn("w:val"), "true") not in ("0", "false", "off")


class _StyleSheet:
    """Resolved paragraph properties of the styles in styles.xml (basedOn chains merged)."""

    def __init__(self, styles: etree._Element) -> None:
        self.by_id = {s.get(ox.qn("w:styleId")): s for s in styles.findall(ox.qn("w:style"))}
        dd = styles.find(ox.qn("w:docDefaults"))
        self.defaults: dict = {"size": 10.0, "bold": False, "italic": False, "font": "",
                               "before": 0.0, "after": 0.0, "line": 1.0, "left": 0.0,
                               "right": 0.0, "first": 0.0, "keep_next": False,
                               "keep_lines": False, "break_before": False, "widow": False}
        if dd is not None:
            self._apply(self.defaults, dd.find(f"{ox.qn('w:pPrDefault')}/{ox.qn('w:pPr')}"),
                        dd.find(f"{ox.qn('w:rPrDefault')}/{ox.qn('w:rPr')}"))
        self._cache: dict[str, dict] = {}

    @staticmethod
    def _apply(props: dict, ppr: etree._Element | None, rpr: etree._Element | None) -> None:
        q = ox.qn
        if ppr is not None:
            sp = ppr.find(q("w:spacing"))
            if sp is not None:
                if sp.get(q("w:before")) is not None:
                    props["before"] = int(sp.get(q("w:before"))) / 20
                if sp.get(q("w:after")) is not None:
                    props["after"] = int(sp.get(q("w:after"))) / 20
                if sp.get(q("w:line")) is not None:
                    props["line"] = int(sp.get(q("w:line"))) / 240
            ind = ppr.find(q("w:ind"))
            if ind is not None:
                for attr, key in (("w:left", "left"), ("w:right", "right")):
                    if ind.get(q(attr)) is not None:
                        props[key] = int(ind.get(q(attr))) / 20
                if ind.get(q("w:hanging")) is not None:
                    props["first"] = -int(ind.get(q("w:hanging"))) / 20
            for tag, key in (("w:keepNext", "keep_next"), ("w:keepLines", "keep_lines"),
                             ("w:pageBreakBefore", "break_before"),
                             ("w:widowControl", "widow")):
                v = _on(ppr.find(q(tag)))
                if v is not None:
                    props[key] = v
        if rpr is not None:
            sz = rpr.find(q("w:sz"))
            if sz is not None:
                props["size"] = int(sz.get(q("w:val"))) / 2
            for tag, key in (("w:b", "bold"), ("w:i", "italic")):
                v = _on(rpr.find(q(tag)))
                if v is not None:
                    props[key] = v
            fonts = rpr.find(q("w:rFonts"))
            if fonts is not None and fonts.get(q("w:ascii")):
                props["font"] = fonts.get(q("w:ascii"))

    def para(self, style_id: str | None) -> dict:
        style_id = style_id or "Normal"
        if style_id not in self._cache:
            chain: list[etree._Element] = []
            st = self.by_id.get(style_id)
            while st is not None and len(chain) < 20:
                chain.append(st)
                based = st.find(ox.qn("w:basedOn"))
                st = self.by_id.get(based.get(ox.qn("w:val"))) if based is not None else None
            props = dict(self.defaults)
            for st in reversed(chain):
                self._apply(props, st.find(ox.qn("w:pPr")), st.find(ox.qn("w:rPr")))
            self._cache[style_id] = props
        return self._cache[style_id]

    def cell_margins(self, style_id: str) -> tuple[float, float, float, float]:
        """(top, bottom, left, right) cell margins of a table style, in points."""
        st = self.by_id.get(style_id)
        mar = st.find(f"{ox.qn('w:tblPr')}/{ox.qn('w:tblCellMar')}") if st is not None else None
        out = {"top": 0.0, "bottom": 0.0, "left": 5.4, "right": 5.4}
        if mar is not None:
            for side in out:
                e = mar.find(ox.qn(f"w:{side}"))
                if e is not None:
                    out[side] = int(e.get(ox.qn("w:w"))) / 20
        return out["top"], out["bottom"], out["left"], out["right"]


@dataclass
class _PBox:
    """A paragraph, measured."""

    lines: list[float]
    notes: list[list[str]]  # note ids referenced on each line
    before: float
    after: float
    keep_next: bool
    keep_lines: bool
    break_before: bool
    widow: bool
    marks: list[str]


@dataclass
class _Row:
    height: float
    cant_split: bool
    header: bool
    marks: list[str]
    notes: list[str]
    min_first: float = 0.0  # a splittable row's least first part (keep-with-next, orphans)
    max_first: float = 0.0  # and its largest (widows)


@dataclass
class _TBox:
    rows: list[_Row]


class _PageEstimate:
    """Estimate on which page each bookmark lands, and the page count."""

    def __init__(self, sheet: _StyleSheet, body_height: float, text_width: float,
                 note_heights: dict[str, float], note_gap: float,
                 families: Mapping[str, Family] | None = None) -> None:
        self.sheet = sheet
        self.families = families
        self.body_height = body_height
        self.text_width = text_width
        self.note_heights = note_heights
        self.note_gap = note_gap
        self._tables: dict[etree._Element, _TBox] = {}

    # measuring --------------------------------------------------------------------------
    def _chars(self, p: etree._Element, props: dict) -> list[tuple[str, float, str | None]]:
        """(character, width in points, note id) in reading order; "\\n" forces a break."""
        out: list[tuple[str, float, str | None]] = []
        size, font = props["size"], props["font"]
        base_bold, base_italic = props["bold"], props["italic"]
        q = ox.qn
        scale = size * _WIDTH_FUDGE
        for r in p.iter(_W_R):
            rpr = r.find(_W_RPR)
            bold, italic = base_bold, base_italic
            if rpr is not None:
                b, i = _on(rpr.find(_W_B)), _on(rpr.find(_W_I))
                bold = bold if b is None else b
                italic = italic if i is None else i
            width = _metrics(font, bold, italic, self.families).width
            for c in r:
                tag = c.tag
                if tag == _W_T:
                    text = c.text or ""
                    for lig, glyph in _LIGATURES:
                        if lig in text:  # ligatures are one narrower glyph
                            text = text.replace(lig, glyph)
                    out.extend([(ch, width(ch) * scale, None) for ch in text])
                    continue
                if not isinstance(tag, str):  # a comment or processing instruction
                    continue
                tag = ox.local(c)
                if tag == "tab":
                    out.append(("\t", size * 2, None))
                elif tag == "br":
                    out.append(("\n", 0.0, None))
                elif tag in ("footnoteReference", "endnoteReference"):
                    nid = c.get(q("w:id"))
                    for ch in nid:
                        out.append((ch, width(ch) * size * 0.65, None))
                    if tag == "footnoteReference":
                        out[-1] = (out[-1][0], out[-1][1], nid)
        return out

    def _wrap(self, chars: list[tuple[str, float, str | None]], width: float
              ) -> list[list[str]]:
        """Greedy line breaking at spaces and after hyphens; returns note ids per line."""
        lines: list[list[str]] = [[]]
        x = 0.0
        brk = -1  # index in the current line after which we may break
        line_start = 0
        widths_since_break = 0.0
        i = 0
        n = len(chars)
        while i < n:
            ch, w, note = chars[i]
            if ch == "\n":
                lines.append([])
                x, brk, widths_since_break, line_start = 0.0, -1, 0.0, i + 1
                i += 1
                continue
            if ch == " ":
                x += w
                brk = i
                widths_since_break = 0.0
                if note:
                    lines[-1].append(note)
                i += 1
                continue
            if x + w > width and x > 0:
                if brk >= line_start:
                    # carry the word since the last break to a new line
                    carried = [c[2] for c in chars[brk + 1:i] if c[2]]
                    for c in carried:
                        if c in lines[-1]:
                            lines[-1].remove(c)
                    lines.append(carried)
                    x = widths_since_break
                    line_start = brk + 1
                else:
                    lines.append([])
                    x = 0.0
                    line_start = i
                brk = line_start - 1
                widths_since_break = x
            x += w
            widths_since_break += w
            if note:
                lines[-1].append(note)
            if ch in "-\u2010\u2013\u2014/":
                brk = i
                widths_since_break = 0.0
            i += 1
        return lines

    def para(self, p: etree._Element, width: float) -> _PBox:
        q = ox.qn
        ppr = p.find(q("w:pPr"))
        sid = None
        if ppr is not None and ppr.find(q("w:pStyle")) is not None:
            sid = ppr.find(q("w:pStyle")).get(q("w:val"))
        props = dict(self.sheet.para(sid))
        if ppr is not None:
            _StyleSheet._apply(props, ppr, None)
        # LibreOffice works in whole twips: the font's line height rounded, then scaled by the
        # proportional spacing and truncated (measured against its layout: 16.60 pt for 11 pt
        # DejaVu at 130 %, where the exact product is 16.65)
        single = round(props["size"] * 20
                       * _metrics(props["font"], False, False, self.families).line)
        line_h = math.floor(single * props["line"] + 1e-6) / 20
        avail = max(width - props["left"] - props["right"], 36.0)
        chars = self._chars(p, props)
        if props["first"] < 0:  # a hanging number and its tab stand left of the text column
            tab = next((i for i, c in enumerate(chars) if c[0] == "\t"), None)
            if tab is not None and sum(c[1] for c in chars[:tab]) <= -props["first"]:
                chars = chars[tab + 1:]
        note_lines = self._wrap(chars, avail)
        marks = [b.get(q("w:name")) for b in p.iter(q("w:bookmarkStart"))]
        lines = [line_h] * len(note_lines)
        for ext in p.iter(f"{{{_WP}}}extent"):  # an inline picture sets its line's height
            lines[0] = max(lines[0], int(ext.get("cy")) / 12700)  # as LibreOffice lays it
        return _PBox(lines, note_lines, props["before"], props["after"],
                     props["keep_next"], props["keep_lines"], props["break_before"],
                     props["widow"], marks)

    def _cell_height(self, tc: etree._Element, width: float) -> tuple[float, list[str],
                                                                        list[str], float]:
        h, marks, notes = 0.0, [], []
        first: float | None = None
        tail = 0.0
        for child in tc:
            tag = ox.local(child)
            if tag == "p":
                box = self.para(child, width)
                tail = box.after + (sum(box.lines[-2:]) if len(box.lines) >= 4 else
                                    box.before + sum(box.lines))
                if first is None and not box.keep_next:
                    # widow and orphan control: a paragraph splits only with 2 + 2 lines
                    least = 2 if (len(box.lines) >= 4 or not box.widow) else len(box.lines)
                    first = h + box.before + sum(box.lines[:least])
                h += box.before + sum(box.lines) + box.after
                marks += box.marks
                notes += [n for line in box.notes for n in line]
            elif tag == "tbl":
                t = self.table(child)
                h += sum(r.height for r in t.rows)
                tail = t.rows[-1].height if t.rows else 0.0
                for r in t.rows:
                    marks += r.marks
                    notes += r.notes
        return h, marks, notes, h if first is None else first, h - tail

    def table(self, tbl: etree._Element) -> _TBox:
        """A table, measured once (the measures are kept: splitting rows and paging both need
        them)."""
        box = self._tables.get(tbl)
        if box is None:
            box = self._tables[tbl] = self._measure_table(tbl)
        return box

    def _measure_table(self, tbl: etree._Element) -> _TBox:
        q = ox.qn
        style = tbl.find(f"{q('w:tblPr')}/{q('w:tblStyle')}")
        top, bottom, left, right = self.sheet.cell_margins(
            style.get(q("w:val")) if style is not None else "")
        rows: list[_Row] = []
        for tr in tbl.findall(q("w:tr")):
            trpr = tr.find(q("w:trPr"))
            cant = trpr is not None and trpr.find(q("w:cantSplit")) is not None
            header = trpr is not None and trpr.find(q("w:tblHeader")) is not None
            height, marks, notes, first, last = 0.0, [], [], 0.0, 0.0
            for tc in tr.findall(q("w:tc")):
                w = tc.find(f"{q('w:tcPr')}/{q('w:tcW')}")
                cw = int(w.get(q("w:w"))) / 20 if w is not None else self.text_width
                ch, m, n, f, most = self._cell_height(tc, cw - left - right)
                height = max(height, ch)
                first = max(first, f)
                last = max(last, most)
                marks += m
                notes += n
            rows.append(_Row(height + top + bottom + 0.3, cant, header, marks, notes,
                             first + top, last + top))
        return _TBox(rows)

    # paging -----------------------------------------------------------------------------
    def run(self, body: Iterable[etree._Element]) -> tuple[dict[str, int], int]:
        items: list[_PBox | _TBox] = []
        for child in body:
            tag = ox.local(child)
            if tag == "p":
                items.append(self.para(child, self.text_width))
            elif tag == "tbl":
                items.append(self.table(child))
        pages: dict[str, int] = {}
        # "after": the previous paragraph's space after, already added to y. LibreOffice
        # separates two paragraphs by the larger of after and before, not their sum.
        state = {"page": 1, "y": 0.0, "notes": 0.0, "after": 0.0}
        H = self.body_height

        def new_page() -> None:
            state["page"] += 1
            state["y"] = 0.0
            state["notes"] = 0.0
            state["after"] = 0.0

        def slack() -> float:
            return _NOTE_SLACK if state["notes"] else 0.0

        def note_space(ids: list[str]) -> float:
            if not ids:
                return 0.0
            extra = sum(self.note_heights.get(i, 0.0) for i in ids)
            return extra + (self.note_gap if state["notes"] == 0.0 else 0.0)

        def start_height(k: int, depth: int = 0) -> float:
            """Height that must share a page with a preceding keep-with-next paragraph."""
            if k >= len(items):
                return 0.0
            it = items[k]
            if isinstance(it, _TBox):
                head = [r.height for r in it.rows if r.header]
                body = [r.height for r in it.rows if not r.header]
                return sum(head) + (body[0] if body else 0.0)
            if it.break_before:
                return 0.0
            if it.keep_next and depth < 4:
                return (it.before + sum(it.lines) + it.after
                        + start_height(k + 1, depth + 1))
            n = len(it.lines) if it.keep_lines else min(len(it.lines), 2 if it.widow else 1)
            return it.before + sum(it.lines[:n])

        def full_height(k: int) -> float:
            if k >= len(items):
                return 0.0
            it = items[k]
            if isinstance(it, _TBox):
                return sum(r.height for r in it.rows)
            return it.before + sum(it.lines) + it.after

        for k, it in enumerate(items):
            if isinstance(it, _TBox):
                header_h = 0.0
                for r in it.rows:
                    height, min_first, max_first = r.height, r.min_first, r.max_first
                    marked = False
                    fresh = False  # on a new page, under the repeated header rows only
                    while True:
                        room = H - state["y"] - state["notes"] + (
                            _NOTE_SLACK if state["notes"] or r.notes else 0.0)
                        if height + note_space(r.notes) <= room or (
                                state["y"] == 0 and (r.cant_split or height <= room)):
                            break
                        if state["y"] > 0 and not fresh and (
                                r.cant_split or min_first > room or max_first < min_first):
                            new_page()
                            if not r.header:
                                state["y"] += header_h
                            fresh = True
                            continue
                        if room <= 0:  # the header rows fill the page: set the row anyway
                            break
                        # a splittable row, or one taller than a page under its header rows
                        # (LibreOffice splits even an unsplittable row then): what fits
                        # stays, the rest goes on
                        if not marked:
                            for m in r.marks:
                                pages.setdefault(m, state["page"])
                            marked = True
                        part = min(room, max_first) if max_first >= min_first else room
                        height, min_first, max_first = height - part, 0.0, height
                        new_page()
                        state["y"] += header_h
                        fresh = True
                    if not marked:
                        for m in r.marks:
                            pages.setdefault(m, state["page"])
                    state["notes"] += note_space(r.notes)
                    state["y"] += height
                    if r.header:
                        header_h += r.height
                state["after"] = 0.0
                continue
            if it.break_before and state["y"] > 0:
                new_page()
            def gap() -> float:
                return max(0.0, it.before - state["after"]) if state["y"] > 0 else it.before

            nxt = items[k + 1] if k + 1 < len(items) else None
            if it.keep_next and not (isinstance(nxt, _PBox) and nxt.break_before):
                need = gap() + sum(it.lines) + start_height(k + 1)
                # LibreOffice ignores keep-with-next when the paragraph and the whole of the
                # next paragraph would not fit on a page anyway (not so for a next table).
                whole = it.before + sum(it.lines) + (
                    0.0 if isinstance(nxt, _TBox) else full_height(k + 1))
                if state["y"] + need + state["notes"] > H + slack() and state["y"] > 0 \
                        and whole <= H \
                        and need <= H:
                    new_page()
            total = gap() + sum(it.lines)
            if it.keep_lines and state["y"] + total + state["notes"] > H + slack() \
                    and state["y"] > 0 \
                    and it.before + sum(it.lines) <= H:
                new_page()
            state["y"] += gap()
            n = len(it.lines)
            i = 0
            first_page = None
            while i < n:
                # how many lines fit on this page?
                fit = 0
                y, notes = state["y"], state["notes"]
                for j in range(i, n):
                    extra = sum(self.note_heights.get(x, 0.0) for x in it.notes[j])
                    if extra and notes == 0.0:
                        extra += self.note_gap
                    if y + it.lines[j] + notes + extra > H + (_NOTE_SLACK if notes + extra
                                                                  else 0.0):
                        break
                    y += it.lines[j]
                    notes += extra
                    fit += 1
                if fit == n - i:
                    if first_page is None:
                        first_page = state["page"]
                    state["y"], state["notes"] = y, notes
                    break
                if it.widow and n - i >= 2:
                    if i == 0 and fit < 2:
                        fit = 0  # orphan: move the paragraph
                    elif n - i - fit < 2:
                        fit = max(0, n - i - 2)
                        if i == 0 and fit < 2:
                            fit = 0
                if fit == 0 and state["y"] == 0:
                    fit = 1  # a line taller than a page: place it anyway
                if fit:
                    if first_page is None:
                        first_page = state["page"]
                    for j in range(i, i + fit):
                        state["y"] += it.lines[j]
                        state["notes"] += note_space(it.notes[j])
                    i += fit
                new_page()
            for m in it.marks:
                pages.setdefault(m, first_page or state["page"])
            state["y"] += it.after
            state["after"] = it.after
        return pages, state["page"]
