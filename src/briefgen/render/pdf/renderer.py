"""One render: the document template and the single layout pass.

ReportLab's ``multiBuild`` lays the whole document out again until the contents' page numbers
and the "of Y" in the footers stop changing. Here the document is laid out and drawn once; the
numbers are form XObjects filled in after the pass (:meth:`Renderer.render`), see
:mod:`.contents` and :mod:`.furniture`.

The render's state is explicit and lives in a few small objects: :class:`.anchors.Anchors`
(destination keys, outline levels), :class:`.notes.NoteBook` (the notes and their numbers),
:class:`.contents.ContentsState` (entries, pages), :class:`.furniture.Furniture` (footer
places) and :class:`.blocks.BlockWriter` (list depth, numbered styles)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    ListFlowable,
    PageTemplate,
    Spacer,
)
from reportlab.platypus.flowables import PageBreakIfNotEmpty

from ... import document as d
from ...fonts import family, family_characters
from ...style import Style
from ..stylesheet import resolve
from .anchors import Anchors
from .blocks import BlockWriter
from .changebars import BAR_CALLBACK, ChangeBars
from .contents import ContentsState
from .dates import Stamp, canvas_maker
from .flowables import FirstPageBreak, FlowTable, NotesSlot, ShortList
from .furniture import Furniture, frame_box
from .inlines import InlineWriter, text_characters
from .keep import keep_with_next
from .look import Look
from .notes import FN_CALLBACK, FlushNotes, Footnotes, NoteBook, NoteFrame, place_notes
from .reportlab_adapter import (
    CellTable,
    HookedCanvas,
    defer_save,
    list_items,
    retype,
    set_continued,
    set_row_limits,
)
from .tagging import LINK_CALLBACK, Tagger

__all__ = ["DocTemplate", "Renderer"]


class DocTemplate(BaseDocTemplate):
    """The doc template: opens the outline pane, listens for footnote marks, counts pages."""

    bg_bars: ChangeBars | None = None  # change bars, when the style draws them

    def __init__(self, buf: io.BytesIO, *, tags: Tagger, footnotes: Footnotes | None = None,
                 **kwargs: Any):
        self.bg_footnotes = footnotes
        self.bg_tags = tags
        self.bg_pages = 0
        super().__init__(buf, **kwargs)

    def beforeDocument(self) -> None:
        canv = self.canv
        canv.showOutline()
        tags = self.bg_tags
        if isinstance(canv, HookedCanvas):
            canv.bg_hooks = tags  # the page content is marked (see tagging)
        canv.setNamedCB(LINK_CALLBACK, tags.link_mark)
        foot = self.bg_footnotes
        if foot is not None:
            foot.reset()
            foot.tag_note = tags.footnote
            canv.setNamedCB(FN_CALLBACK, tags.watch_marks(foot.drawn))
        bars = self.bg_bars
        if bars is not None:
            canv.setNamedCB(BAR_CALLBACK, bars.mark)

    def afterPage(self) -> None:
        self.bg_pages = self.page


def _no_op(*_args: Any) -> None:
    pass


class Renderer:
    def __init__(self, doc: d.Document, style: Style):
        self.doc = doc
        self.style = style
        self.sheet = sheet = resolve(style)
        self.look = Look(sheet)
        self.anchors = Anchors(doc)
        self.contents = ContentsState(has_toc=any(h.toc for h in doc.headings()))
        self.notes = NoteBook(footnotes=style.notes == "footnotes")
        chars = text_characters(family(style.fonts.body), family(style.fonts.headings))
        fallbacks = tuple((family_characters(family(k)), k) for k in style.fonts.fallbacks)
        self.inline = InlineWriter(self.anchors, self.notes, chars,
                                   link_colour=sheet.link_colour,
                                   rule_colour=sheet.table.rule_colour, fallbacks=fallbacks)
        notes = self.anchors.notes
        self.tags = Tagger(doc.meta, lambda key: next((n for n, k in notes.items() if k == key),
                                                      None), has_notes=bool(doc.notes()))
        self.tags.link_targets = self.inline.link_targets
        self.writer = BlockWriter(sheet, self.look, self.inline, self.anchors, self.contents,
                                  self.tags)
        self.furniture = Furniture(doc.meta, sheet, self.look, self.inline.drawable)
        self.bars = ChangeBars(sheet.change_bars, self.tags) if sheet.change_bars else None
        self.inline.change_bars = self.bars is not None

    def template(self, buf: io.BytesIO, foot: Footnotes | None) -> DocTemplate:
        style, meta = self.style, self.doc.meta
        pw, ph = style.page.dimensions
        x, y, w, h = frame_box(style, 1)
        pad: dict[str, Any] = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0,
                               "bottomPadding": 0, "id": "body"}
        frame: Frame = NoteFrame(foot, x, y, w, h, **pad) if foot else Frame(x, y, w, h, **pad)
        tl = self.sheet.table
        set_row_limits(frame, h * tl.lone_row_share, h * tl.whole_row_share,
                       h * tl.whole_table_share)
        set_continued(frame, self.doc.meta.label("continued", ""))
        page_template = PageTemplate(
            id="page", frames=[frame], onPage=self.tags.pagination(self.furniture.draw_page),
            pagesize=(pw, ph),
            onPageEnd=self.bars.end_page(foot.end_page if foot else _no_op) if self.bars
            else foot.end_page if foot else _no_op)
        m = style.page.margins
        tmpl = DocTemplate(
            buf, tags=self.tags, footnotes=foot, pagesize=(pw, ph), pageTemplates=[page_template],
            leftMargin=m.left, rightMargin=m.right, topMargin=m.top, bottomMargin=m.bottom,
            title=meta.title, author=meta.author, subject=meta.subject,
            keywords=", ".join(meta.keywords), creator="briefgen", lang=meta.lang or None,
            displayDocTitle=1, initialFontName=self.look.body_faces.regular,
            initialFontSize=self.sheet.role("body").size, pageCompression=1, invariant=1)
        tmpl.bg_bars = self.bars
        return tmpl

    def story(self, frame_height: float, foot: Footnotes | None) -> list[Flowable]:
        story = self.writer.main_flow(self.doc.blocks)
        story = place_notes(story, self.notes, self.anchors, self.inline, self.look,
                            self.doc.meta.label("notes", "Notes"), self.tags)
        for f in story:  # tables in the main flow (not nested in a list or cell: a frame
            if type(f) is CellTable:  # break is no option there)
                retype(f, FlowTable)
            elif type(f) is ListFlowable and len(list_items(f)) <= self.sheet.lists.keep_items:
                retype(f, ShortList)
        story = keep_with_next(story, frame_height, self.sheet.last_page_lines
                               * self.sheet.role("body").leading)
        while story and isinstance(story[-1], (PageBreakIfNotEmpty, FirstPageBreak, NotesSlot)):
            story.pop()  # a break with nothing after it would end the pack on a blank page
        if foot is not None:
            story.append(FlushNotes(foot))
        story.append(Spacer(0, 0))  # (so that an empty document still has its one page)
        return story

    def render(self) -> bytes:
        buf = io.BytesIO()
        _x, _y, w, h = frame_box(self.style, 1)
        foot: Footnotes | None = None
        if self.notes.footnotes:
            foot = Footnotes(self.notes.markup, self.look.p["note"], w, self.sheet.footnotes)
        tmpl = self.template(buf, foot)
        story = self.story(h, foot)
        defer_save(tmpl)  # one layout pass, then the forms it left open, then save
        stamp = Stamp.of(self.doc.meta.date)
        tmpl.build(story, canvasmaker=canvas_maker(stamp, HookedCanvas))
        self.tags.finish(tmpl.canv, self.doc.meta.title, stamp.pdf)
        self.furniture.finish(tmpl.canv, tmpl.bg_pages)
        self.contents.finish(tmpl.canv)
        tmpl.canv.save()
        return buf.getvalue()
