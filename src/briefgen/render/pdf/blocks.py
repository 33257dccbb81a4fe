"""Block nodes to flowables, one handler per node type (:data:`_HANDLERS`).

Numbered paragraphs (``numbering.paragraphs``, numbered by :mod:`briefgen.layout`) print with
their number hung in the margin, lists in the text column and ordered ones lettered (a), (b).
Figures (risk matrices, timelines) are vector drawings from :mod:`..graphics`, scaled to the
frame, kept together with their caption. The style's ``cover.logo`` goes above the top sheet's
title."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, ListFlowable, ListItem, Spacer
from reportlab.platypus.flowables import PageBreakIfNotEmpty

from ... import document as d
from ...errors import BriefError, Diagnostic
from ...xmltext import escape
from .. import graphics
from ..bidi import base_rtl, plain
from ..common import endnote_slot, fit_box, hang_indent, mark_gap_size
from ..stylesheet import Stylesheet
from . import tables
from .anchors import Anchors
from .contents import ContentsState
from .flowables import Figure, FirstPageBreak, Heading, Logo, NotesSlot, Para
from .furniture import frame_box
from .inlines import InlineWriter
from .look import Look
from .tagging import Elem, Tagger

__all__ = ["BlockWriter"]


def _plain(inlines: tuple[d.Inline, ...]) -> str:
    """One-line plain text (outline titles, contents entries)."""
    return " ".join(d.plain_text(inlines).split())


class BlockWriter:
    """Converts blocks to flowables. Its own state: how deep inside a lettered list it is, and
    the paragraph styles made for numbered paragraphs."""

    def __init__(self, sheet: Stylesheet, look: Look, inline: InlineWriter, anchors: Anchors,
                 contents: ContentsState, tags: Tagger):
        self.tags = tags  # the structure tree, built in reading order (see tagging)
        self.sheet = sheet
        self.style = sheet.style
        self.look = look
        self.inline = inline
        inline.mark_gap = mark_gap_size(sheet)  # (2023 1, never 20231)
        self.anchors = anchors
        self.contents = contents
        # a row taller than the space left is split inside the row (so a huge cell cannot stop
        # the build), but only when at least a few lines go on each side of the split
        self.min_split = round(sheet.role("body").leading * sheet.table.min_split_lines)
        self.notes_at: int | None = None  # the top-level block the endnotes are listed at
        self.lettered = 0  # depth inside a lettered (numbered-paragraph) list, see list_block
        self.numbered_styles: dict[str, ParagraphStyle] = {}

    def para_style(self, role: str, where: str) -> ParagraphStyle:
        p = self.look.p
        if where == "th":
            return p["th"]
        if where == "cell":
            return {"small": p["cell-small"], "caption": p["cell-caption"],
                    "attribution": p["cell-small"]}.get(role, p["cell"])
        if where == "quote" and role == "body":
            return p["quote"]
        if where == "box" and role == "body":
            return p["box-text"]
        return p.get(role, p["body"])

    def blocks(self, blocks: tuple[d.Block, ...], where: str = "main") -> list[Flowable]:
        out: list[Flowable] = []
        for b in blocks:
            out.extend(self.block(b, where))
        return out

    def block(self, b: d.Block, where: str) -> list[Flowable]:
        handler = _HANDLERS.get(type(b))
        if handler is None:
            raise TypeError(f"the PDF renderer does not know the block {type(b).__name__}")
        with self.tags.block(b):
            return handler(self, b, where)

    def main_flow(self, blocks: tuple[d.Block, ...]) -> list[Flowable]:
        """The story: the blocks in the main flow, with the style's cover logo above the top
        sheet's title block (at the very top without one) and, with numbered paragraphs, the
        paragraphs' numbers hung in the margin and lists set in the text column."""
        out: list[Flowable] = []
        logo = self.logo()
        numbered = any(isinstance(b, d.Paragraph) and b.number for b in blocks)
        hang = self.hang(blocks) if numbered else 0.0
        self.notes_at = endnote_slot(blocks)
        for i, b in enumerate(blocks):
            if isinstance(b, d.NotesList):
                out.extend(self.notes_slot(b, "main") if i == self.notes_at else [])
                continue
            if logo and isinstance(b, d.TitleBlock):
                out.extend(logo)
                logo = []
            if isinstance(b, d.Paragraph) and b.number:
                out.append(self.numbered_paragraph(b, hang))
                continue
            if numbered and isinstance(b, d.ListBlock):
                with self.tags.block(b):
                    out.append(self.list_block(b, "main", hang))
                continue
            out.extend(self.block(b, "main"))
        return logo + out

    def hang(self, blocks: tuple[d.Block, ...]) -> float:
        """The indent of numbered paragraphs' text (common.hang_indent): room for the widest
        number, the same for every paragraph so that their text stands in one column."""
        numbers = [b.number for b in blocks if isinstance(b, d.Paragraph) and b.number]
        p = self.look.p["lead"]
        return hang_indent(numbers, lambda x: pdfmetrics.stringWidth(x, p.fontName, p.fontSize),
                           self.sheet.hang.min_indent, self.sheet.hang.gap)

    def numbered_paragraph(self, b: d.Paragraph, hang: float) -> Flowable:
        """A paragraph the style numbers: its number hung in the margin, the text indented."""
        style = self.numbered_styles.get(b.role)
        if style is None:
            parent = self.look.p[b.role]
            style = self.numbered_styles[b.role] = ParagraphStyle(
                f"{parent.name}-numbered", parent=parent, leftIndent=hang, bulletIndent=0,
                bulletFontName=self.look.body_faces.regular, bulletFontSize=parent.fontSize,
                bulletColor=parent.textColor)
        return self.tags.leaf(Para(self.inline.markup(b.children), style,
                                   bulletText=escape(b.number)), "P")

    def logo(self) -> list[Flowable]:
        """The style's cover logo at ``cover.logo_width`` (never wider than the text nor
        taller than a quarter of it), its aspect ratio kept, left-aligned."""
        path, logo = self.style.cover.logo, self.sheet.logo
        if path is None or logo is None:
            return []
        _x, _y, fw, fh = frame_box(self.style, 1)
        try:
            iw, ih = ImageReader(str(path)).getSize()
            width, height = fit_box(iw, ih, logo.width, fw, fh * logo.max_height_share)
        except Exception as e:
            raise BriefError([Diagnostic(str(path), None, None, "cover.logo",
                                         f"not a readable PNG or JPEG image ({e})")]) from None
        img = Logo(str(path), width=width, height=height, hAlign="LEFT")
        img.spaceAfter = logo.space_after
        return [self.tags.leaf(img, "Figure", alt=logo.alt)]

    # ---------------------------------------------------------------------------- handlers

    def paragraph(self, b: d.Paragraph, where: str) -> list[Flowable]:
        return [self.tags.leaf(Para(self.inline.markup(b.children, where),
                                    self.para_style(b.role, where)), "P")]

    def heading(self, h: d.Heading, where: str) -> list[Flowable]:
        level = min(max(h.level, 1), 3)
        key = self.anchors.heading_key(h.anchor)
        outline = _plain(h.children)
        toc_text = self.inline.escaped(outline)
        if h.toc:  # the contents' entry, its page number still unknown (see contents)
            self.contents.entries.append((level - 1, toc_text, 0, key))
        # the title is the H1: a heading inside a box or cell is a paragraph (as in HTML)
        tag = self.tags.heading(level + 1) if where == "main" else "P"
        return [self.tags.leaf(Heading(
            self.inline.markup(h.children, where), self.look.p[f"h{level}"], key=key,
            outline=outline, outline_level=self.anchors.next_outline_level(level - 1),
            toc_level=(level - 1) if h.toc else None, toc_text=toc_text,
            pages=self.contents.pages, lift=self.sheet.link_target_lift), tag)]

    def list_items(self, lst: d.ListBlock, where: str,
                   labels: list[Elem] | None = None) -> list[ListItem]:
        """The items (each an ``LI`` with its ``Lbl``, for the bullet, and ``LBody``)."""
        out = []
        tags = self.tags
        for item in lst.items:
            with tags.scope("LI"):
                lbl = tags.add("Lbl")
                if labels is not None:
                    labels.append(lbl)
                with tags.scope("LBody"):
                    li = ListItem(self.blocks(item, where) or [Spacer(0, 0)])
                    first = item[0] if item else None
                    # an item whose text is right-to-left: its bullet on the right (below)
                    li.bg_rtl = isinstance(first, d.Paragraph) and base_rtl(plain(first.children))
                    out.append(li)
        return out

    def list_block(self, lst: d.ListBlock, where: str, hang: float = 0.0) -> ListFlowable:
        """A list; ``hang`` > 0 for a list in the main flow of a pack with numbered paragraphs:
        it stands in the paragraphs' text column (its bullets under their first letters) and,
        ordered, is lettered (a), (b), with (i), (ii) for an ordered list inside it."""
        lettered = self.lettered
        if hang:
            self.lettered = 1
        elif lettered:
            self.lettered += 1
        labels: list[Elem] = []
        try:
            items = self.list_items(lst, where, labels)
            made = self._list_flowable(lst, items, where, hang, lettered)
        finally:
            self.lettered = lettered
        self.tags.label_bullets(made, labels)
        return made

    def _list_flowable(self, lst: d.ListBlock, items: list[ListItem], where: str, hang: float,
                       lettered: int) -> ListFlowable:
        look, ll = self.look, self.sheet.lists
        body = self.para_style("body", where)
        size = body.fontSize
        indent = size * (ll.ordered_indent_em if lst.ordered else ll.bullet_indent_em)
        kw: dict[str, Any] = {
            "bulletFontName": look.body_faces.regular, "bulletFontSize": size,
            "bulletColor": body.textColor, "leftIndent": indent + hang,
            "spaceBefore": 0, "spaceAfter": size * ll.space_after_em}
        if hang:
            kw["bulletDedent"] = indent  # the bullet at the text column, not at the margin
        for li in items:  # right-to-left items mirrored: indent and bullet on the right
            if getattr(li, "bg_rtl", False):
                li._params.update(leftIndent=hang, rightIndent=indent, bulletDir="rtl",
                                  bulletAlign="right")
        if lst.ordered and (hang or lettered == 1):  # (a) at the top, (i) inside
            kind = "a" if hang else "i"
            kw["leftIndent"] += size * ll.lettered_extra_em
            if hang:
                kw["bulletDedent"] += size * ll.lettered_extra_em
            return ListFlowable(items, bulletType=kind, start=1, bulletFormat="(%s)", **kw)
        if lst.ordered:
            return ListFlowable(items, bulletType="1", start=1, bulletFormat="%s.", **kw)
        return ListFlowable(items, bulletType="bullet", start=ll.bullet, **kw)

    def _list(self, lst: d.ListBlock, where: str) -> list[Flowable]:
        return [self.list_block(lst, where)]

    def _table(self, t: d.Table, where: str) -> list[Flowable]:
        return tables.data_table(self, t, where)

    def _quote(self, q: d.Quote, where: str) -> list[Flowable]:
        return [tables.quote(self, q, where)]

    def _box(self, b: d.Box, _where: str) -> list[Flowable]:
        return [tables.box(self, b)]

    def _title_block(self, tb: d.TitleBlock, _where: str) -> list[Flowable]:
        return tables.title_block(self, tb)

    def contents_block(self, b: d.Contents, _where: str) -> list[Flowable]:
        if not self.contents.has_toc:  # an empty contents would print ReportLab's placeholder
            return []
        key = self.anchors.new_key("contents")
        title = self.tags.leaf(Heading(
            self.inline.escaped(b.title), self.look.p["contents-title"], key=key,
            outline=" ".join(b.title.split()), outline_level=self.anchors.next_outline_level(0),
            lift=self.sheet.link_target_lift), self.tags.heading(2))
        # its entries: every heading for the contents, as heading() makes them
        toc = self.contents.make(self.look.toc, self.look.table_font,
                                 self.sheet.contents_number_width)
        toc.bg_toc = self.tags.add("TOC")  # its TOCI elements: made as it is laid out
        return [title, toc, Spacer(0, self.sheet.contents_space_after)]

    def notes_slot(self, b: d.NotesList, where: str) -> list[Flowable]:
        """Where the endnotes go: the first top-level list (see common.endnote_slot), filled
        in by notes.place_notes once every note has its number; nested ones stay empty."""
        if where != "main":
            return []
        slot = NotesSlot(b.title, self.anchors.next_outline_level(0))
        slot.bg_tag = self.tags.add("Div")  # where the endnotes' elements go
        if self.tags.has_notes:  # (the heading level is taken here, in reading order)
            slot.bg_heading = self.tags.heading(2)
        return [slot]

    def figure(self, fig: d.Figure, _where: str) -> list[Flowable]:
        fl = self.sheet.figure
        _x, _y, width, height = frame_box(self.style, 1)
        tags = self.tags
        figure_tag = tags.add("Figure", alt=" ".join(fig.alt.split()))
        caption = tags.leaf(Para(self.inline.markup(fig.caption), self.look.p["caption"]),
                            "Caption") if fig.caption else None
        room = height - (self.look.p["caption"].leading * fl.caption_lines if caption else 0)
        drawing = graphics.drawing(fig.chart, self.style, width, max_height=room)
        made = Figure(drawing, caption, height, fl)
        made.bg_tag = figure_tag
        return [made]

    def page_break(self, b: d.PageBreak, _where: str) -> list[Flowable]:
        if b.first_page_only:
            return [FirstPageBreak()]
        return [PageBreakIfNotEmpty()]  # a fresh page is not broken again: no blank pages


def _revision(w: BlockWriter, b: d.Revision, where: str) -> list[Flowable]:
    """Blocks inserted or deleted whole (briefgen.redline): the PDF prints the new ones."""
    return w.blocks(b.blocks, where) if b.kind == "inserted" else []


_HANDLERS: dict[type, Callable[[BlockWriter, Any, str], list[Flowable]]] = {
    d.Paragraph: BlockWriter.paragraph,
    d.Heading: BlockWriter.heading,
    d.ListBlock: BlockWriter._list,
    d.Table: BlockWriter._table,
    d.Quote: BlockWriter._quote,
    d.Box: BlockWriter._box,
    d.TitleBlock: BlockWriter._title_block,
    d.Contents: BlockWriter.contents_block,
    d.NotesList: BlockWriter.notes_slot,
    d.Figure: BlockWriter.figure,
    d.PageBreak: BlockWriter.page_break,
    d.Revision: _revision,
}
