"""Blocks and inlines of the document model to semantic HTML5, one handler per node type.

Every string of the document is escaped (text is never markup); only http, https and mailto
links (checked again here) become links; nothing is fetched: the logo is inlined as a data URI
and charts as inline SVG.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ... import document as d
from ..bidi import base_rtl, has_rtl, rtl_runs
from ..common import AnchorNames, NoteNumbers, endnote_slot, mark_run
from ..stylesheet import Stylesheet
from .charts import svg

_SAFE_URL = re.compile(r"^(?:https?://|mailto:)\S+$", re.IGNORECASE)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class Writer:
    """The state of one HTML render: anchors, note numbers, figure counter."""

    doc: d.Document
    sheet: Stylesheet
    anchors: AnchorNames = field(default_factory=AnchorNames)
    notes: NoteNumbers[d.Note] = field(default_factory=NoteNumbers)
    note_html: list[str] = field(default_factory=list)
    note_refs: dict[int, int] = field(default_factory=dict)  # note -> marks written
    figures: int = 0
    tables: int = 0
    boxes: int = 0
    notes_written: bool = False

    # ------------------------------------------------------------------ inlines

    def inlines(self, inlines: tuple[d.Inline, ...], *, in_link: bool = False,
                in_note: bool = False) -> str:
        out: list[str] = []
        pending: list[int] = []  # note numbers standing side by side

        def flush() -> None:
            marks = mark_run(pending)
            out.append("<sup>" + "<span aria-hidden=\"true\">,</span>".join(
                self.note_mark(n, in_link) for n in marks) + "</sup>")
            pending.clear()

        for node in inlines:
            if isinstance(node, d.Note) and not in_note:
                if out and out[-1].endswith(" "):
                    out[-1] = out[-1].rstrip(" ")
                pending.append(self.note_number(node))
                continue
            if pending:
                flush()
            handler = INLINES[type(node)]
            out.append(handler(self, node, in_link, in_note))
        if pending:
            flush()
        return "".join(out)

    def note_number(self, note: d.Note) -> int:
        n, first = self.notes.number(note)
        if first:
            self.note_html.append("")
            self.note_html[n - 1] = self.inlines(note.children, in_note=True)
        return n

    def note_mark(self, n: int, in_link: bool) -> str:
        count = self.note_refs.get(n, 0) + 1
        self.note_refs[n] = count
        if in_link:
            return str(n)
        ident = f"noteref-{n}" if count == 1 else f"noteref-{n}-{count}"
        return (f'<a id="{ident}" href="#note-{n}" role="doc-noteref" '
                f'aria-label="Note {n}">{n}</a>')

    # ------------------------------------------------------------------ blocks

    def blocks(self, blocks: tuple[d.Block, ...], where: str = "main") -> str:
        return "".join(BLOCKS[type(b)](self, b, where) for b in blocks)

    def main(self) -> str:
        """The document's blocks; the notes where the first top-level NotesList stands (else
        at the end under the ``notes`` label), filled in once every note has its number."""
        parts = [BLOCKS[type(b)](self, b, "main") for b in self.doc.blocks]
        slot = endnote_slot(self.doc.blocks)
        if slot is not None:
            listed = self.doc.blocks[slot]
            assert isinstance(listed, d.NotesList)  # what endnote_slot finds
            parts[slot] = self.notes_section(listed.title)
        else:
            parts.append(self.notes_section(self.doc.meta.label("notes", "Notes")))
        return "".join(parts)

    def notes_section(self, title: str) -> str:
        if not self.note_html or self.notes_written:
            return ""
        self.notes_written = True
        ident = self.anchors.new("notes")
        items = "".join(
            f'<li id="note-{n}">{body} '
            f'<a class="backref" href="#noteref-{n}" role="doc-backlink" '
            f'aria-label="Back to the text of note {n}">\u21a9\ufe0e</a></li>'
            for n, body in enumerate(self.note_html, 1))
        if not title.strip():  # no heading of its own: under the one before (see NotesList)
            return f'<div class="notes-section"><ol class="notes">{items}</ol></div>'
        return (f'<section class="notes-section" aria-labelledby="{ident}">'
                f'<h2 id="{ident}">{esc(title)}</h2><ol class="notes">{items}</ol></section>')

    def logo(self) -> str:
        look = self.sheet.logo
        path = self.sheet.style.cover.logo
        if look is None or path is None:
            return ""
        data = path.read_bytes()
        kind = "png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "jpeg"
        src = f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"
        return (f'<p class="logo"><img src="{src}" alt="{esc(look.alt)}" '
                f'style="width: {look.width:.1f}pt; max-width: 100%"></p>')


# ---------------------------------------------------------------------- inline handlers


def _text(w: Writer, n: d.Text, in_link: bool, in_note: bool) -> str:
    if not has_rtl(n.text):
        return esc(n.text)
    # right-to-left runs isolated, so that the neutrals after one stay with the text around
    return "".join(f"<bdi>{esc(t)}</bdi>" if rtl else esc(t) for t, rtl in rtl_runs(n.text))


def _dir(inlines: tuple[d.Inline, ...]) -> str:
    """`` dir="rtl"`` for a paragraph whose first strong letter is right-to-left."""
    return ' dir="rtl"' if base_rtl(d.plain_text(inlines)) else ""


def _strong(w: Writer, n: d.Strong, in_link: bool, in_note: bool) -> str:
    return f"<strong>{w.inlines(n.children, in_link=in_link, in_note=in_note)}</strong>"


def _emph(w: Writer, n: d.Emph, in_link: bool, in_note: bool) -> str:
    return f"<em>{w.inlines(n.children, in_link=in_link, in_note=in_note)}</em>"


def _link(w: Writer, n: d.Link, in_link: bool, in_note: bool) -> str:
    inner = w.inlines(n.children, in_link=True, in_note=in_note)
    if in_link or not _SAFE_URL.match(n.url):
        return inner
    return f'<a href="{esc(n.url)}">{inner}</a>'


def _ref(w: Writer, n: d.Ref, in_link: bool, in_note: bool) -> str:
    inner = w.inlines(n.children, in_link=True, in_note=in_note)
    if in_link:
        return inner
    return f'<a href="#{w.anchors.for_anchor(n.anchor)}">{inner}</a>'


def _note_inline(w: Writer, n: d.Note, in_link: bool, in_note: bool) -> str:
    # a note inside a note: in brackets rather than lost
    return f" ({w.inlines(n.children, in_link=in_link, in_note=True)})"


def _span(w: Writer, n: d.Span, in_link: bool, in_note: bool) -> str:
    """Text in a language of its own: ``lang``, and ``dir`` from its first strong letter
    (rtl for Arabic, Hebrew, Persian), for screen readers, spell-checkers and layout."""
    inner = w.inlines(n.children, in_link=in_link, in_note=in_note)
    text = d.plain_text(n.children)
    direction = "rtl" if base_rtl(text) else "ltr"
    lang = f' lang="{esc(n.lang)}"' if n.lang else ""
    return f'<span{lang} dir="{direction}">{inner}</span>'


def _line_break(w: Writer, n: d.LineBreak, in_link: bool, in_note: bool) -> str:
    return "<br>"


def _revised(w: Writer, n: d.Inserted | d.Deleted, in_link: bool, in_note: bool) -> str:
    """A tracked change (briefgen.redline): the words inserted or deleted."""
    tag = "ins" if isinstance(n, d.Inserted) else "del"
    return f"<{tag}>{w.inlines(n.children, in_link=in_link, in_note=in_note)}</{tag}>"


INLINES: dict[type, Callable[..., str]] = {
    d.Text: _text, d.Strong: _strong, d.Emph: _emph, d.Link: _link, d.Ref: _ref,
    d.Note: _note_inline, d.LineBreak: _line_break, d.Span: _span, d.Inserted: _revised,
    d.Deleted: _revised,
}

# ---------------------------------------------------------------------- block handlers

_ROLE_CLASS = {"body": "", "lead": "r-lead", "small": "r-small", "marking": "r-marking",
               "caption": "r-caption", "attribution": "r-attribution"}


def _paragraph(w: Writer, b: d.Paragraph, where: str) -> str:
    classes = " ".join(c for c in (_ROLE_CLASS.get(b.role, ""), "numbered" if b.number else "")
                       if c)
    attr = f' class="{classes}"' if classes else ""
    text = w.inlines(b.children)
    if b.number:
        text = f'<span class="num">{esc(b.number)}</span><span>{text}</span>'
    return f"<p{attr}{_dir(b.children)}>{text}</p>"


def _heading(w: Writer, b: d.Heading, where: str) -> str:
    level = min(max(b.level, 1), 3) + 1  # the title is the page's h1
    if where != "main":  # a heading inside a box or cell: no level of its own
        return f'<p class="box-title">{w.inlines(b.children)}</p>'
    ident = w.anchors.for_anchor(b.anchor)
    return f'<h{level} id="{ident}">{w.inlines(b.children)}</h{level}>'


def _list(w: Writer, b: d.ListBlock, where: str) -> str:
    tag = "ol" if b.ordered else "ul"
    items = "".join(f"<li{_item_dir(item)}>{_item(w, item, where)}</li>" for item in b.items)
    return f"<{tag}>{items}</{tag}>"


def _item_dir(item: tuple[d.Block, ...]) -> str:
    return _dir(item[0].children) if item and isinstance(item[0], d.Paragraph) else ""


def _item(w: Writer, item: tuple[d.Block, ...], where: str) -> str:
    if len(item) == 1 and isinstance(item[0], d.Paragraph) and not item[0].number:
        return w.inlines(item[0].children)  # a one-paragraph item needs no <p>
    return w.blocks(item, where)


def _table(w: Writer, b: d.Table, where: str) -> str:
    caption = w.inlines(b.caption) if b.caption else ""
    ncols = max(1, b.ncols)
    head = "".join(f'<th scope="col">{_cell(w, c, "th")}</th>' for c in b.header)
    rows = []
    for row in b.rows:
        cells = list(row)[:ncols] + [d.Cell(())] * (ncols - len(row))
        extra = list(row)[ncols:]
        if extra:  # never drop text: the overflow joins the last cell
            cells[-1] = d.Cell(cells[-1].blocks + tuple(x for c in extra for x in c.blocks))
        rows.append("<tr>" + "".join(f"<td>{_cell(w, c, 'cell')}</td>" for c in cells)
                    + "</tr>")
    cap = f"<caption>{caption}</caption>" if caption else ""
    w.tables += 1
    label = esc(" ".join(d.plain_text(b.caption).split())) if b.caption else f"Table {w.tables}"
    return (f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">'
            f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table></div>")


def _cell(w: Writer, c: d.Cell, where: str) -> str:
    blocks = c.blocks
    if len(blocks) == 1 and isinstance(blocks[0], d.Paragraph) and blocks[0].role == "body":
        return w.inlines(blocks[0].children)
    return w.blocks(blocks, where)


def _quote(w: Writer, b: d.Quote, where: str) -> str:
    attribution = ""
    if b.attribution:
        attribution = (f"<figcaption>{esc(w.sheet.quote.attribution_prefix)}"
                       f"{w.inlines(b.attribution)}</figcaption>")
    return (f'<figure class="quote"><blockquote>{w.blocks(b.blocks, "quote")}</blockquote>'
            f"{attribution}</figure>")


def _box(w: Writer, b: d.Box, where: str) -> str:
    w.boxes += 1
    title = ""
    label = ""
    if b.title:
        ident = f"box-{w.boxes}"
        title = f'<p class="box-title" id="{ident}">{w.inlines(b.title)}</p>'
        label = f' role="note" aria-labelledby="{ident}"'
    return f'<div class="box box-{b.role}"{label}>{title}{w.blocks(b.blocks, "box")}</div>'


def _title_block(w: Writer, b: d.TitleBlock, where: str) -> str:
    out = [w.logo(), f"<h1>{w.inlines(b.title)}</h1>"]
    if b.subtitle:
        out.append(f'<p class="subtitle">{w.inlines(b.subtitle)}</p>')
    if b.fields:
        rows = "".join(f"<dt>{esc(f.label)}</dt><dd>{w.inlines(f.value)}</dd>"
                       for f in b.fields)
        out.append(f'<dl class="meta">{rows}</dl>')
    return '<div class="title-block">' + "".join(out) + "</div>"


def _contents(w: Writer, b: d.Contents, where: str) -> str:
    """The contents as nested ordered lists of links (a level never jumps by more than one)."""
    entries = [h for h in w.doc.headings() if h.toc]
    if not entries:
        return ""
    ident = w.anchors.new("contents")
    out, depth, open_li = ["<ol>"], 1, False
    for h in entries:
        level = min(max(h.level, 1), 3, depth + 1) if open_li else depth
        if level > depth:
            out.append("<ol>")
            depth += 1
        else:
            while depth > level:
                out.append("</li></ol>")
                depth -= 1
            if open_li:
                out.append("</li>")
        text = esc(" ".join(d.plain_text(h.children).split()))
        out.append(f'<li><a href="#{w.anchors.for_anchor(h.anchor)}">{text}</a>')
        open_li = True
    out.append("</li>")
    while depth > 1:
        out.append("</ol></li>")
        depth -= 1
    out.append("</ol>")
    return (f'<nav class="contents" aria-labelledby="{ident}"><h2 id="{ident}">'
            f"{esc(b.title)}</h2>{''.join(out)}</nav>")


def _notes_list(w: Writer, b: d.NotesList, where: str) -> str:
    return ""  # the main flow puts the notes here once every note has its number: see main()


def _page_break(w: Writer, b: d.PageBreak, where: str) -> str:
    return '<div class="page-break"></div>' if where == "main" else ""


def _figure(w: Writer, b: d.Figure, where: str) -> str:
    w.figures += 1
    ident = f"fig-{w.figures}"
    caption = w.inlines(b.caption) if b.caption else ""
    alt = b.alt or d.plain_text(b.caption)
    drawing = svg(b.chart, w.sheet.style, width=460.0, ident=ident,
                  title=d.plain_text(b.caption) or "Chart", desc=alt)
    cap = f'<figcaption id="{ident}-caption">{caption}</figcaption>' if caption else ""
    return f'<figure class="chart">{drawing}{cap}</figure>'


def _revision(w: Writer, b: d.Revision, where: str) -> str:
    tag = "ins" if b.kind == "inserted" else "del"
    return f'<{tag} class="revision">{w.blocks(b.blocks, where)}</{tag}>'


BLOCKS: dict[type, Callable[[Writer, Any, str], str]] = {
    d.Paragraph: _paragraph, d.Heading: _heading, d.ListBlock: _list, d.Table: _table,
    d.Quote: _quote, d.Box: _box, d.TitleBlock: _title_block, d.Contents: _contents,
    d.NotesList: _notes_list, d.PageBreak: _page_break, d.Figure: _figure,
    d.Revision: _revision,
}
