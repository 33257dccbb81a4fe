"""The render, in order: the package to start from (python-docx's template or the reference
document) cleaned, the page, the :class:`~.context.Context`, the styles and numbering parts,
the body, the notes, header and footer, the reference's style ids, the page estimate,
settings and properties, and the reproducible zip. Each step takes what it needs and returns
what it makes."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from typing import Any

import docx as _docx

from ...document import Document
from ...style import Style
from ..common import print_ready
from .blocks import collapse_spacers, keep_the_end, write_blocks
from .context import make_context, page_setup
from .docx_adapter import Element, story_element
from .estimate import fill_page_numbers
from .estimate.sheet import StyleSheet, paragraph_props
from .furniture import write_header_footer
from .media import write_cover_logo
from .notes import write_endnotes_list, write_notes_heading
from .numbering import write_numbering
from .ooxml import PPR_ORDER, el, local, put, qn, remove_all
from .package import (
    add_notes_part,
    base_template,
    drop_package_extras,
    drop_template_extras,
    package_zip,
    prune_relationships,
)
from .properties import core_properties, doc_date, settings
from .ranges import keep_ranges_whole
from .reference import Logo, adopt_reference, open_reference
from .stylebook import StyleBook
from .styles import write_styles
from .typefaces import FontSet, restyle_theme_and_fonts
from .writer import BodyState, Where, Writer, para

__all__ = ["render_docx"]


def render_docx(doc: Document, style: Style) -> bytes:
    """Render ``doc`` in ``style`` to the bytes of a .docx file.

    A pure function: identical input gives byte-identical output.
    """
    doc = print_ready(doc)
    reference = style.reference_docx is not None
    wd = open_reference(style.reference_docx) if style.reference_docx is not None \
        else _docx.Document(io.BytesIO(base_template()))
    fonts = FontSet.of(style)
    logo, embedded = _prepare_package(wd, fonts, reference)
    ctx = make_context(doc, style, fonts, page_setup(wd, style, reference))
    book = write_styles(wd, ctx)
    numbering = write_numbering(wd.part, book, ctx.sheet, fonts.body_font, bool(ctx.hang),
                                reference)
    notes_part = add_notes_part(wd.part, "footnotes") \
        if ctx.has_notes and ctx.notes_kind == "footnotes" else None
    w = Writer(ctx, wd.part, numbering, notes_part,
               BodyState(shape_ids=logo.shapes, taken_bookmarks=set(ctx.bookmarks_taken)))
    body = _write_body(w, wd.element.body)
    section = wd.sections[0]
    numpages = write_header_footer(section, ctx, book, logo)
    _map_styles(book, [*body, story_element(section.header), story_element(section.footer),
                       book.root, *([notes_part.element] if notes_part is not None else [])])
    sheet = StyleSheet(book.root)
    spacer_id = book.mapped("BlockSpacer")
    drop_break = _break_dropper(body, w.state.first_page_breaks, spacer_id,
                                lambda p: paragraph_props(sheet, p))
    collapse_spacers(body, spacer_id, lambda p: paragraph_props(sheet, p))
    measured = keep_ranges_whole(body, book.root, fonts.families, ctx.text_w / 20)
    fill_page_numbers(body, book.root, section, page_height=ctx.page.height,
                      margins=(ctx.page.margin_top, ctx.page.margin_bottom),
                      text_w=ctx.text_w, families=fonts.families, notes_part=notes_part,
                      footnote_style=book.mapped("FootnoteText"), toc=w.state.toc_cache,
                      numpages=numpages, split_lines=ctx.sheet.table.min_split_lines,
                      contents=w.state.contents_title, short_lists=w.state.short_lists,
                      lone_share=ctx.sheet.table.lone_row_share,
                      whole_share=ctx.sheet.table.whole_row_share,
                      table_share=ctx.sheet.table.whole_table_share,
                      # (a redline's rows are not written as two, labelled: accepting or
                      # rejecting its changes must leave the document's own text)
                      continued="" if w.state.tracked else ctx.meta.label("continued", ""),
                      first_page_breaks=w.state.first_page_breaks, drop_break=drop_break,
                      measured=measured)
    settings(wd, ctx.meta.lang or "en-GB", embedded_fonts=embedded,
             mirror_margins=not reference and style.page.margins.binding > 0,
             footnotes=notes_part is not None)
    core_properties(wd, ctx.meta)
    prune_relationships(wd)
    return package_zip(wd.part.package, doc_date(ctx.meta))


def _prepare_package(wd: Any, fonts: FontSet, reference: bool) -> tuple[Logo, bool]:
    """Only the parts and relationships a pack needs; a reference document made the pack's
    starting point (its header pictures returned); app properties rewritten; the theme and
    font table following the style (returns whether fonts were embedded)."""
    drop_package_extras(wd.part.package)
    logo = adopt_reference(wd) if reference else Logo()
    drop_template_extras(wd.part)
    embedded = restyle_theme_and_fonts(wd.part, fonts, reference)
    return logo, embedded


def _write_body(w: Writer, document_body: Element) -> list[Element]:
    """The document's blocks (the cover logo first when no title block takes it), the
    endnotes list, into the document body before its section properties; returns the
    elements written."""
    ctx = w.ctx
    holder = el("w:body")
    if ctx.logo_before is None:
        write_cover_logo(w, holder, Where())
    write_blocks(w, ctx.doc.blocks, holder, Where())
    if ctx.notes_kind == "endnotes" and len(w.state.notes):
        if w.state.notes_heading_p is None:  # no NotesList in the document: at the end
            write_notes_heading(w, holder, ctx.meta.label("notes", "Notes"))
        write_endnotes_list(w)
    if len(holder) == 0 or local(holder[-1]) != "p":
        para(w, holder, "BlockSpacer", Where(top=False))
    keep_the_end(list(holder), ctx.sheet.last_page_lines)
    w.state.pending_break = False
    _renumber_bookmarks(holder)
    sect = document_body.find(qn("w:sectPr"))
    children = list(holder)
    for child in children:
        sect.addprevious(child)
    return children


def _break_dropper(body: list[Element], paras: list[Element], spacer_id: str,
                   props: Callable[[Element], dict]) -> Callable[[Element], list[Element]]:
    """What takes a first-page-only break away from one of ``paras`` (see
    :func:`~.estimate.fill_page_numbers`): the spacing it and the paragraph before it had
    before :func:`collapse_spacers` laid them out for a page break is put back, the break
    removed and the two laid out again; returns the paragraphs changed."""

    def pair(p: Element) -> list[Element]:
        k = next((i for i, c in enumerate(body) if c is p), 0)
        return [body[k - 1], p] if k and local(body[k - 1]) == "p" else [p]

    def spacing(e: Element) -> Element | None:
        sp = e.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
        return None if sp is None else copy.deepcopy(sp)

    saved = {p: [(e, spacing(e)) for e in pair(p)] for p in paras}

    def drop(p: Element) -> list[Element]:
        for e, sp in saved.get(p, []):
            ppr = e.find(qn("w:pPr"))
            if ppr is not None:
                remove_all(ppr, "w:spacing", *(["w:pageBreakBefore"] if e is p else []))
                if sp is not None:
                    put(ppr, copy.deepcopy(sp), PPR_ORDER)
        changed = [e for e, _ in saved.get(p, [])]
        collapse_spacers(changed, spacer_id, props)
        return changed

    return drop


def _renumber_bookmarks(holder: Element) -> None:
    """Bookmark ids in document order (the notes list is written last, wherever it is)."""
    ids: dict[str, str] = {}
    for e in holder.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd")):
        old = e.get(qn("w:id"))
        if old not in ids:
            ids[old] = str(len(ids))
        e.set(qn("w:id"), ids[old])


def _map_styles(book: StyleBook, roots: list[Element]) -> None:
    """Point paragraphs, runs, tables and the styles briefgen added at the reference's
    ids for the styles it has under another id (a German Word's Heading 1 is
    "berschrift1", a French one's "Titre1")."""
    if not book.style_map:
        return
    tags = {qn(f"w:{t}") for t in ("pStyle", "rStyle", "tblStyle", "basedOn", "next",
                                   "link")}
    attr = qn("w:val")
    for root in roots:
        for e in root.iter(*tags):
            new = book.style_map.get(e.get(attr))
            if new is not None and (local(e) in ("pStyle", "rStyle", "tblStyle") or
                                    e.getparent().get(qn("w:styleId")) in book.created):
                e.set(attr, new)

