"""The PDF renderer: a :class:`~briefgen.document.Document` and a :class:`~briefgen.style.Style`
in, the bytes of a print-ready PDF out (ReportLab 5.1 platypus).

``render_pdf(doc, style) -> bytes`` is a pure function: the same input gives byte-identical
output, whatever the wall clock, ``SOURCE_DATE_EPOCH`` or ``PYTHONHASHSEED`` say.

How the harder parts are done:

* **Text is never markup.** Every :class:`~briefgen.document.Text` is escaped for ReportLab's
  paragraph parser; ``<b>``, ``<i>``, ``<a>`` and ``<super>`` tags are built only from the
  document's Strong/Emph/Link/Ref/Note nodes. Contents entries are escaped from the model's plain
  text (the contents re-parses its entries as markup).
* **Page X of Y** needs the total before the last page is laid out. Instead of a canvas that
  holds every page back until ``save()`` (which breaks ``bookmarkPage``: ReportLab binds
  bookmarks to the page counter, which such a canvas does not advance), the total is an
  *indexing flowable* (:class:`_PageTotal`) taking part in ``multiBuild``: each pass prints the
  previous pass's total, and the build repeats until the total printed equals the pages made,
  exactly as the contents repeats until its page numbers are right.
* **Dates**: the info dictionary's CreationDate/ModDate come from ``doc.meta.date`` (a naive
  datetime is taken as UTC) through the canvas's public ``setDateFormatter``; the build runs in
  ReportLab's ``invariant`` mode and the file ID is seeded from the document date, so the bytes
  do not depend on the clock or on an inherited ``SOURCE_DATE_EPOCH``. Nothing in ``os.environ``
  is touched.
* **Notes**: numbered in document order from 1; the superscript number links to its entry in
  the endnotes, listed at the :class:`~briefgen.document.NotesList` block or appended at the end
  under a "Notes" heading. True footnotes at the page foot are not implemented: a style asking
  for ``footnotes`` gets endnotes too.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable
from xml.sax.saxutils import escape, quoteattr

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    ListFlowable,
    ListItem,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as _RLParagraph
from reportlab.platypus import Table as _RLTable
from reportlab.platypus.doctemplate import IndexingFlowable
from reportlab.platypus.flowables import PageBreakIfNotEmpty
from reportlab.platypus.tableofcontents import TableOfContents

from .. import document as d
from ..fonts import coverage, family
from ..style import MarkingLook, Style, marking_look

__all__ = ["render_pdf"]

# --------------------------------------------------------------------------------------------
# Fonts: registered once per process


@dataclass(frozen=True)
class _Faces:
    """ReportLab names of a registered family's four faces."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


_FONT_LOCK = threading.Lock()
_FONTS: dict[str, _Faces] = {}


def _faces(key: str) -> _Faces:
    """Register a bundled family (TrueType, embedded as a subset) the first time it is asked for."""
    with _FONT_LOCK:
        faces = _FONTS.get(key)
        if faces is not None:
            return faces
        fam = family(key)
        base = f"briefgen-{key}"
        faces = _Faces(base, f"{base}-bold", f"{base}-italic", f"{base}-bolditalic")
        for name, path in ((faces.regular, fam.regular), (faces.bold, fam.bold),
                           (faces.italic, fam.italic), (faces.bold_italic, fam.bold_italic)):
            pdfmetrics.registerFont(TTFont(name, str(path), asciiReadable=True))
        pdfmetrics.registerFontFamily(base, normal=faces.regular, bold=faces.bold,
                                      italic=faces.italic, boldItalic=faces.bold_italic)
        _FONTS[key] = faces
        return faces


# --------------------------------------------------------------------------------------------
# Dates and reproducibility


@dataclass(frozen=True)
class _Stamp:
    """The document date in the shapes ReportLab's PDFDocument wants (see its TimeStamp)."""

    t: float
    lt: tuple[int, ...]
    YMDhms: tuple[int, ...]  # noqa: N815 - ReportLab's attribute name
    dhh: int
    dmm: int
    tzname: str
    pdf: str  # the PDF date string, e.g. D:20230920143000+04'00'

    @classmethod
    def of(cls, when: _dt.datetime | _dt.date) -> _Stamp:
        if not isinstance(when, _dt.datetime):  # a plain date: midnight
            when = _dt.datetime(when.year, when.month, when.day)
        if when.tzinfo is None or when.utcoffset() is None:
            when = when.replace(tzinfo=_dt.timezone.utc)
        offset = when.utcoffset() or _dt.timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        hh, mm = divmod(abs(minutes), 60)
        ymdhms = (when.year, when.month, when.day, when.hour, when.minute, when.second)
        pdf = "D:%04d%02d%02d%02d%02d%02d" % ymdhms + f"{sign}{hh:02d}'{mm:02d}'"
        return cls(t=when.timestamp(), lt=tuple(when.timetuple()), YMDhms=ymdhms,
                   dhh=(-hh if minutes < 0 else hh), dmm=mm, tzname=when.tzname() or "UTC",
                   pdf=pdf)

    @property
    def datetime(self) -> _dt.datetime:  # ReportLab's TimeStamp has one
        return _dt.datetime.fromtimestamp(self.t, _dt.timezone.utc)


def _canvas_maker(stamp: _Stamp) -> Callable[..., Canvas]:
    """A canvas factory for the doc template: invariant mode (no clock, no random ID), then the
    document's own date and an ID seeded from it instead of 2000-01-01 or SOURCE_DATE_EPOCH."""

    def make(*args: Any, **kwargs: Any) -> Canvas:
        kwargs["invariant"] = 1
        canv = Canvas(*args, **kwargs)
        canv.setDateFormatter(lambda *_ymdhms: stamp.pdf)
        pdoc = canv._doc
        pdoc._timeStamp = stamp
        if getattr(pdoc, "_ID", None) is None and hasattr(pdoc, "signature"):
            sig = hashlib.md5(usedforsecurity=False)
            sig.update(b"a reportlab document")
            sig.update(stamp.pdf.encode("ascii"))
            pdoc.signature = sig
        return canv

    return make


# --------------------------------------------------------------------------------------------
# Styles


def _hex(c: str) -> colors.Color:
    return colors.HexColor(c)


class _Look:
    """The paragraph styles and colours of one render, derived from a Style."""

    def __init__(self, style: Style):
        self.style = style
        self.body_faces = body = _faces(style.fonts.body)
        self.head_faces = head = _faces(style.fonts.headings)
        sz, c = style.sizes, style.colours
        self.text = _hex(c.text)
        self.muted = _hex(c.muted)
        self.link = c.link
        self.rule = _hex(c.rule)
        self.headings = _hex(c.headings)
        self.header_bg = _hex(c.table_header_bg)
        self.header_text = _hex(c.table_header_text)
        self.stripe = _hex(c.table_stripe)
        self.box_bg = _hex(c.box_bg)
        self.box_border = _hex(c.box_border)
        lead = sz.leading
        base = sz.base

        def ps(name: str, parent: ParagraphStyle | None = None, **kw: Any) -> ParagraphStyle:
            if parent is None:
                kw.setdefault("fontName", body.regular)
                kw.setdefault("fontSize", base)
                kw.setdefault("textColor", self.text)
                kw.setdefault("alignment", TA_LEFT)
                kw.setdefault("allowWidows", 0)
                kw.setdefault("allowOrphans", 0)
                kw.setdefault("spaceAfter", base * 0.6)
                kw.setdefault("bulletFontName", body.regular)
            if "fontSize" in kw and "leading" not in kw:
                kw["leading"] = kw["fontSize"] * lead
            return ParagraphStyle(f"briefgen-{name}", parent=parent, **kw)

        p: dict[str, ParagraphStyle] = {}
        p["body"] = ps("body", fontSize=base)
        p["lead"] = ps("lead", p["body"], fontSize=base * 1.15, spaceAfter=base * 0.8)
        p["small"] = ps("small", p["body"], fontSize=sz.small)
        p["marking"] = ps("marking", p["body"], fontName=body.bold)
        p["caption"] = ps("caption", p["body"], fontName=body.italic, fontSize=sz.small,
                          textColor=self.muted, spaceBefore=2, spaceAfter=4)
        p["attribution"] = ps("attribution", p["body"], fontSize=sz.small, textColor=self.muted)
        cell = max(sz.small, base - 1)
        p["cell"] = ps("cell", p["body"], fontSize=cell, spaceAfter=cell * 0.35)
        p["cell-small"] = ps("cell-small", p["cell"], fontSize=min(cell, sz.small))
        p["cell-caption"] = ps("cell-caption", p["cell-small"], fontName=body.italic,
                               textColor=self.muted)
        p["th"] = ps("th", p["cell"], fontName=body.bold, textColor=self.header_text)
        p["quote"] = ps("quote", p["body"], spaceAfter=base * 0.4)
        p["note"] = ps("note", p["body"], fontSize=sz.small, leftIndent=sz.small * 2.6,
                       bulletIndent=0, bulletFontSize=sz.small, spaceAfter=sz.small * 0.4)
        p["title"] = ps("title", p["body"], fontName=head.bold, fontSize=sz.title,
                        leading=sz.title * 1.15, textColor=self.headings, spaceAfter=sz.title * 0.3)
        p["subtitle"] = ps("subtitle", p["body"], fontName=head.regular, fontSize=sz.subtitle,
                           textColor=self.muted, spaceAfter=sz.subtitle * 0.9)
        p["meta-label"] = ps("meta-label", p["body"], fontName=body.bold, fontSize=sz.small,
                             textColor=self.muted, spaceAfter=0)
        p["meta-value"] = ps("meta-value", p["body"], fontSize=base * 0.95, spaceAfter=0)
        p["box-title"] = ps("box-title", p["body"], fontName=head.bold, fontSize=base * 1.05,
                            textColor=self.headings, spaceAfter=base * 0.4, keepWithNext=1)
        for level, size, before in ((1, sz.h1, 1.3), (2, sz.h2, 1.1), (3, sz.h3, 0.9)):
            p[f"h{level}"] = ps(f"h{level}", p["body"], fontName=head.bold, fontSize=size,
                                leading=size * 1.2, textColor=self.headings,
                                spaceBefore=size * before, spaceAfter=size * 0.45,
                                keepWithNext=1)
        p["h-toc"] = ps("h-toc", p["h1"])  # the Contents and Notes titles
        toc = []
        for level in range(3):
            toc.append(ps(f"toc{level}", p["body"],
                          fontName=body.bold if level == 0 else body.regular,
                          fontSize=base if level == 0 else base * 0.95,
                          leftIndent=level * base * 1.6, rightIndent=base * 3,
                          spaceBefore=base * 0.5 if level == 0 else 0, spaceAfter=base * 0.15))
        self.toc = toc
        # tables set their cell font even when every cell holds paragraphs: name ours, or an
        # unembedded Helvetica creeps into the file
        self.table_font = [("FONTNAME", (0, 0), (-1, -1), body.regular),
                           ("FONTSIZE", (0, 0), (-1, -1), base)]
        hf = sz.header_footer
        self.p = p


# --------------------------------------------------------------------------------------------
# Flowables


class _Heading(_RLParagraph):
    """A paragraph that, where it is drawn, binds its bookmark (an XYZ destination the contents,
    cross-references and outline point at), adds its outline entry and tells the contents its
    page. Split pieces keep the duties on the first piece only."""

    def __init__(self, text: str | None, style: ParagraphStyle, *args: Any,
                 key: str | None = None, outline: str | None = None, outline_level: int = 0,
                 toc_level: int | None = None, toc_text: str = "", template: Any = None,
                 **kwargs: Any):
        super().__init__(text, style, *args, **kwargs)
        self.bg_key = key
        self.bg_outline = outline
        self.bg_outline_level = outline_level
        self.bg_toc_level = toc_level
        self.bg_toc_text = toc_text
        self.bg_template = template

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        parts = super().split(availWidth, availHeight)
        if parts and isinstance(parts[0], _Heading):
            first = parts[0]
            for attr in ("bg_key", "bg_outline", "bg_outline_level", "bg_toc_level",
                         "bg_toc_text", "bg_template"):
                setattr(first, attr, getattr(self, attr))
        return parts

    def draw(self) -> None:
        key = self.bg_key
        if key:
            canv = self.canv
            canv.bookmarkHorizontal(key, 0, self.height + 4)  # canv.bookmarkPage(key, "XYZ", ...)
            if self.bg_outline is not None:
                canv.addOutlineEntry(self.bg_outline, key, self.bg_outline_level, closed=False)
            if self.bg_toc_level is not None and self.bg_template is not None:
                self.bg_template.notify(
                    "TOCEntry", (self.bg_toc_level, self.bg_toc_text, canv.getPageNumber(), key))
        super().draw()


class _PageTotal(IndexingFlowable):
    """An invisible indexing flowable that makes ``multiBuild`` repeat until the "of Y" printed
    in the footers equals the number of pages made (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.width = self.height = 0
        self.assumed: int | None = None  # the total the footers of this pass print
        self.counted: int | None = None  # the pages this pass made

    def isIndexing(self) -> int:  # noqa: N802 - ReportLab's protocol
        return 1

    def beforeBuild(self) -> None:  # noqa: N802
        self.assumed, self.counted = self.counted, None

    def afterBuild(self) -> None:  # noqa: N802
        pass

    def isSatisfied(self) -> bool:  # noqa: N802
        return self.assumed is not None and self.assumed == self.counted

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        pass


class _DocTemplate(BaseDocTemplate):
    def __init__(self, buf: io.BytesIO, *, total: _PageTotal, **kwargs: Any):
        self.bg_total = total
        super().__init__(buf, **kwargs)

    def beforeDocument(self) -> None:  # noqa: N802
        self.canv.showOutline()

    def afterPage(self) -> None:  # noqa: N802
        self.bg_total.counted = self.page


# --------------------------------------------------------------------------------------------
# The renderer

_SAFE_URL = re.compile(r"^(?:https?://|mailto:)\S+$", re.IGNORECASE)
_SAFE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,80}$")


def _plain(inlines: tuple[d.Inline, ...]) -> str:
    """One-line plain text (outline titles, contents entries)."""
    return " ".join(d.plain_text(inlines).split())


def _fill_label(label: str, page: int, total: int | None) -> str:
    tot = "?" if total is None else str(total)
    try:
        return label.format(page=page, total=tot)
    except (KeyError, IndexError, ValueError):
        return label.replace("{page}", str(page)).replace("{total}", tot)


class _Renderer:
    def __init__(self, doc: d.Document, style: Style):
        self.doc = doc
        self.style = style
        self.look = _Look(style)
        self.keys: set[str] = set()
        self.anchor_keys: dict[str, str] = {}
        for i, h in enumerate(doc.headings(), 1):
            if h.anchor not in self.anchor_keys:  # "briefgen-*" names are the renderer's own
                wanted = "" if h.anchor.startswith("briefgen-") else h.anchor
                self.anchor_keys[h.anchor] = self._new_key(wanted, f"h{i}")
        self.claimed: set[str] = set()
        self.has_toc = any(h.toc for h in doc.headings())
        # a row taller than the space left is split inside the row (so a huge cell cannot stop
        # the build), but only when at least about four lines go on each side of the split
        self.min_split = round(style.sizes.base * style.sizes.leading * 4)
        self.coverage = (coverage(family(style.fonts.body).regular)
                         & coverage(family(style.fonts.headings).bold))
        self.outline_level = -1
        self.notes: list[str] = []  # markup of each note's content, in number order
        self.notes_placed = False
        self.total = _PageTotal()
        self.template: _DocTemplate | None = None
        marking = doc.meta.marking
        self.marking: MarkingLook | None = (
            marking_look(marking.scheme, marking.label, style)
            if marking is not None and marking.label.strip() else None)

    # ---------------------------------------------------------------------------- keys

    def _new_key(self, wanted: str, fallback: str) -> str:
        key = wanted if _SAFE_KEY.match(wanted) else f"briefgen-{fallback}"
        base, n = key, 1
        while key in self.keys:
            n += 1
            key = f"{base}-{n}"
        self.keys.add(key)
        return key

    def _next_outline_level(self, level: int) -> int:
        """Outline levels may not jump (0 then 2 is an error): clamp to one below the last."""
        lvl = max(0, min(level, self.outline_level + 1))
        self.outline_level = lvl
        return lvl

    # ---------------------------------------------------------------------------- inlines

    def drawable(self, text: str) -> str:
        """``text`` with U+FFFD (a visible mark) for every character the fonts cannot draw, which
        would otherwise print as glyph 0 (a silent box that vanishes from the extracted text),
        and for characters beyond the Basic Multilingual Plane (emoji), for which ReportLab
        writes a malformed text map (odd-length hex strings in the ToUnicode CMap)."""
        if text.isascii() and text.isprintable():
            return text
        ok = self.ok_char
        if all(ok(c) for c in text):
            return text
        return "".join(c if ok(c) else "\ufffd" for c in text)

    def ok_char(self, c: str) -> bool:
        return c in "\t\n\r" or (ord(c) <= 0xFFFF and ord(c) in self.coverage)

    def inl(self, inlines: tuple[d.Inline, ...], where: str = "main", in_link: bool = False) -> str:
        out: list[str] = []
        colour = "" if where == "th" else f' color="{self.look.link}"'
        for i in inlines:
            if isinstance(i, d.Text):
                out.append(escape(self.drawable(i.text)))
            elif isinstance(i, d.Strong):
                out.append(f"<b>{self.inl(i.children, where, in_link)}</b>")
            elif isinstance(i, d.Emph):
                out.append(f"<i>{self.inl(i.children, where, in_link)}</i>")
            elif isinstance(i, d.LineBreak):
                out.append("<br/>")
            elif isinstance(i, d.Link):
                inner = self.inl(i.children, where, True)
                if in_link or not _SAFE_URL.match(i.url):
                    out.append(inner)
                else:
                    out.append(f'<a href={quoteattr(i.url)}{colour} underline="1"'
                               f' ucolor="{self.style.colours.rule}">{inner}</a>')
            elif isinstance(i, d.Ref):
                inner = self.inl(i.children, where, True)
                key = self.anchor_keys.get(i.anchor)
                if in_link or key is None:
                    out.append(inner)
                else:
                    out.append(f'<a href="#{key}"{colour}>{inner}</a>')
            elif isinstance(i, d.Note):
                if out and out[-1].endswith(" "):  # the number hugs the word it follows
                    out[-1] = out[-1].rstrip(" ")
                self.notes.append("")
                n = len(self.notes)
                self.notes[n - 1] = self.inl(i.children, "note")
                num = str(n) if in_link else f'<a href="#briefgen-note-{n}"{colour}>{n}</a>'
                out.append(f"<super>{num}</super>")
        return "".join(out)

    # ---------------------------------------------------------------------------- blocks

    def para_style(self, role: str, where: str) -> ParagraphStyle:
        p = self.look.p
        if where == "th":
            return p["th"]
        if where == "cell":
            return {"small": p["cell-small"], "caption": p["cell-caption"],
                    "attribution": p["cell-small"]}.get(role, p["cell"])
        if where == "quote" and role == "body":
            return p["quote"]
        return p.get(role, p["body"])

    def blocks(self, blocks: tuple[d.Block, ...], where: str = "main") -> list[Flowable]:
        out: list[Flowable] = []
        for b in blocks:
            out.extend(self.block(b, where))
        return out

    def block(self, b: d.Block, where: str) -> list[Flowable]:  # noqa: C901 - a dispatcher
        p = self.look.p
        if isinstance(b, d.Paragraph):
            style = self.para_style(b.role, where)
            return [_RLParagraph(self.inl(b.children, where), style)]
        if isinstance(b, d.Heading):
            return [self.heading(b, where)]
        if isinstance(b, d.ListBlock):
            return [self.list_block(b, where)]
        if isinstance(b, d.Table):
            return self.table(b)
        if isinstance(b, d.Quote):
            return [self.quote(b, where)]
        if isinstance(b, d.Box):
            return [self.box(b)]
        if isinstance(b, d.TitleBlock):
            return self.title_block(b)
        if isinstance(b, d.Contents):
            if not self.has_toc:  # an empty contents would print ReportLab's placeholder
                return []
            key = self._new_key("briefgen-contents", "contents")
            title = _Heading(escape(self.drawable(b.title)), p["h-toc"], key=key,
                             outline=" ".join(b.title.split()),
                             outline_level=self._next_outline_level(0), template=self.template)
            toc = TableOfContents(levelStyles=list(self.look.toc), dotsMinLevel=0,
                                  tableStyle=TableStyle([
                                      *self.look.table_font,
                                      ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                      ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                      ("RIGHTPADDING", (0, 0), (-1, -1), 0)]),
                                  rightColumnWidth=self.style.sizes.base * 3)
            return [title, toc, Spacer(0, self.style.sizes.base)]
        if isinstance(b, d.NotesList):
            # filled in (at the top level only) by _place_notes, once every note has its number
            return [_NotesSlot(b.title, self._next_outline_level(0))]
        if isinstance(b, d.PageBreak):
            return [PageBreakIfNotEmpty()]  # a fresh page is not broken again: no blank pages
        raise TypeError(f"the PDF renderer does not know the block {type(b).__name__}")

    def heading(self, h: d.Heading, where: str) -> _Heading:
        level = min(max(h.level, 1), 3)
        if h.anchor in self.claimed:  # a second heading with the same anchor gets its own key
            key = self._new_key(f"{h.anchor}-2", f"h-dup{len(self.keys)}")
        else:
            self.claimed.add(h.anchor)
            key = self.anchor_keys[h.anchor]
        outline = _plain(h.children)
        return _Heading(self.inl(h.children, where), self.look.p[f"h{level}"], key=key,
                        outline=outline, outline_level=self._next_outline_level(level - 1),
                        toc_level=(level - 1) if h.toc else None,
                        toc_text=escape(self.drawable(outline)), template=self.template)

    def list_block(self, lst: d.ListBlock, where: str) -> ListFlowable:
        look = self.look
        size = self.para_style("body", where).fontSize
        items = []
        for item in lst.items:
            flow = self.blocks(item, where) or [Spacer(0, 0)]
            items.append(ListItem(flow))
        kw: dict[str, Any] = dict(
            bulletFontName=look.body_faces.regular, bulletFontSize=size,
            bulletColor=look.text, leftIndent=size * (2.0 if lst.ordered else 1.5),
            spaceBefore=0, spaceAfter=size * 0.75)
        if lst.ordered:
            return ListFlowable(items, bulletType="1", start=1, bulletFormat="%s.", **kw)
        return ListFlowable(items, bulletType="bullet", start="\u2022", **kw)

    def _cell(self, blocks: tuple[d.Block, ...], where: str) -> list[Flowable] | str:
        flow = self.blocks(blocks, where)
        return flow if flow else ""

    def table(self, t: d.Table) -> list[Flowable]:
        look = self.look
        out: list[Flowable] = []
        caption = None
        if t.caption:  # converted first: notes are numbered in reading order
            cap_style = ParagraphStyle("briefgen-caption-keep", parent=look.p["caption"],
                                       keepWithNext=1)
            caption = _RLParagraph(self.inl(t.caption), cap_style)
        ncols = max(1, t.ncols)
        header = [self._cell(c.blocks, "th") for c in t.header] or [""]
        rows = []
        for r in t.rows:
            cells = [self._cell(c.blocks, "cell") for c in r]
            if len(cells) > ncols:  # never drop text: the overflow goes into the last cell
                extra: list[Flowable] = []
                for c in cells[ncols - 1:]:
                    extra.extend(c if isinstance(c, list) else [])
                cells = cells[:ncols - 1] + [extra or ""]
            cells += [""] * (ncols - len(cells))
            rows.append(cells)
        widths = t.widths
        if len(widths) != ncols or not all(w > 0 for w in widths):
            widths = (1,) * ncols
        total = float(sum(widths))
        col_widths = [f"{w * 100.0 / total:.4f}%" for w in widths]
        cmds: list[tuple[Any, ...]] = [
            *self.look.table_font,
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("BACKGROUND", (0, 0), (-1, 0), look.header_bg),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, look.rule),
            ("BOX", (0, 0), (-1, -1), 0.5, look.rule),
        ]
        if rows:
            cmds.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, look.stripe]))
        table = _RLTable([header, *rows], colWidths=col_widths, repeatRows=1, splitInRow=self.min_split,
                         style=TableStyle(cmds), hAlign="LEFT",
                         spaceBefore=2, spaceAfter=self.style.sizes.base)
        if caption is not None:
            out.append(caption)
        out.append(table)
        return out

    def quote(self, q: d.Quote, where: str) -> Flowable:
        look = self.look
        flow = self.blocks(q.blocks, "quote" if where == "main" else where)
        if q.attribution:
            flow.append(_RLParagraph("\u2014\u00a0" + self.inl(q.attribution, where),
                                     look.p["attribution"]))
        t = _RLTable([[flow or ""]], colWidths=["100%"], splitInRow=self.min_split, hAlign="LEFT",
                     style=TableStyle([
                         *look.table_font,
                         ("LINEBEFORE", (0, 0), (0, -1), 2.5, look.rule),
                         ("LEFTPADDING", (0, 0), (-1, -1), 12),
                         ("RIGHTPADDING", (0, 0), (-1, -1), 18),
                         ("TOPPADDING", (0, 0), (-1, -1), 2),
                         ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                     ]), spaceBefore=4, spaceAfter=self.style.sizes.base * 0.8)
        return t

    def box(self, b: d.Box) -> Flowable:
        look = self.look
        flow: list[Flowable] = []
        if b.title:
            flow.append(_RLParagraph(self.inl(b.title), look.p["box-title"]))
        flow.extend(self.blocks(b.blocks, "box"))
        width = 1.6 if b.role == "warning" else 1.0
        return _RLTable([[flow or ""]], colWidths=["100%"], splitInRow=self.min_split, hAlign="LEFT",
                        style=TableStyle([
                            *look.table_font,
                            ("BACKGROUND", (0, 0), (-1, -1), look.box_bg),
                            ("BOX", (0, 0), (-1, -1), width, look.box_border),
                            ("LEFTPADDING", (0, 0), (-1, -1), 10),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                            ("TOPPADDING", (0, 0), (-1, -1), 8),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                        ]), spaceBefore=4, spaceAfter=self.style.sizes.base)

    def title_block(self, tb: d.TitleBlock) -> list[Flowable]:
        look = self.look
        out: list[Flowable] = [_RLParagraph(self.inl(tb.title), look.p["title"])]
        if tb.subtitle:
            out.append(_RLParagraph(self.inl(tb.subtitle), look.p["subtitle"]))
        if tb.fields:
            label_drop = look.p["meta-value"].fontSize - look.p["meta-label"].fontSize
            rows = [[_RLParagraph(escape(self.drawable(f.label)), look.p["meta-label"]),
                     _RLParagraph(self.inl(f.value), look.p["meta-value"])] for f in tb.fields]
            out.append(_RLTable(rows, colWidths=["27%", "73%"], hAlign="LEFT", splitInRow=self.min_split,
                                style=TableStyle([
                                    *look.table_font,
                                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                                    ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                                    # the smaller label sits on the value's first baseline
                                    ("TOPPADDING", (0, 0), (0, -1), 3.5 + label_drop),
                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
                                    ("LINEABOVE", (0, 0), (-1, 0), 1.2, look.headings),
                                    ("LINEBELOW", (0, 0), (-1, -2), 0.4, look.rule),
                                    ("LINEBELOW", (0, -1), (-1, -1), 1.2, look.headings),
                                ]), spaceBefore=4, spaceAfter=self.style.sizes.base * 1.4))
        else:
            out.append(Spacer(0, self.style.sizes.base))
        return out

    def notes_flowables(self, title: str, outline_level: int) -> list[Flowable]:
        p = self.look.p
        key = self._new_key("briefgen-notes", "notes")
        out: list[Flowable] = [
            _Heading(escape(self.drawable(title)), p["h-toc"], key=key,
                     outline=" ".join(title.split()), outline_level=outline_level,
                     template=self.template)]
        for n, markup in enumerate(self.notes, 1):
            out.append(_RLParagraph(f'<a name="briefgen-note-{n}"/>{markup}', p["note"],
                                    bulletText=f"{n}."))
        return out

    # ---------------------------------------------------------------------------- the page

    def frame_box(self, page: int) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the text frame on a page (binding margin on the inner side:
        left on odd pages, right on even ones)."""
        pg = self.style.page
        w, h = pg.dimensions
        m = pg.margins
        inner, outer = m.left + m.binding, m.right
        left = inner if (page % 2 == 1 or not m.binding) else outer
        width = w - inner - outer
        return left, m.bottom, width, h - m.top - m.bottom

    def draw_page(self, canv: Canvas, tmpl: BaseDocTemplate) -> None:
        look = self.look
        _pw, ph = self.style.page.dimensions
        m = self.style.page.margins
        page = tmpl.page
        x, _y, width, _h = self.frame_box(page)
        # the binding margin alternates sides: move the frame before anything is laid on the page
        # (onPage runs at the start of each page, before the frame is reset and filled)
        for frame in tmpl.pageTemplate.frames:
            if frame.x1 != x:
                frame.x1 = x
        canv.saveState()
        mk = self.marking
        msize = mk.size if mk else 0
        # header: the marking, then a rule
        if mk is not None:
            self._draw_marking(canv, mk, x, width, ph - m.top * 0.42)
        canv.setStrokeColor(look.rule)
        canv.setLineWidth(0.5)
        rule_top = ph - m.top + min(8, m.top * 0.2)
        canv.line(x, rule_top, x + width, rule_top)
        # footer: a rule, the footer text and "Page X of Y", then the marking
        rule_bottom = m.bottom - min(8, m.bottom * 0.2)
        canv.line(x, rule_bottom, x + width, rule_bottom)
        hf = self.style.sizes.header_footer
        baseline = rule_bottom - hf * 1.35
        label = _fill_label(self.doc.meta.label("page_x_of_y", "Page {page} of {total}"),
                            page, self.total.assumed)
        canv.setFont(look.body_faces.regular, hf)
        canv.setFillColor(look.muted)
        canv.drawRightString(x + width, baseline, label)
        footer = self.drawable(" ".join(self.doc.meta.footer_text.split()))
        if footer:  # one line: shrunk to fit down to 6.5 pt, then shortened with an ellipsis
            font = look.body_faces.regular
            avail = width - pdfmetrics.stringWidth(label, font, hf) - 18
            size = hf
            while size > 6.5 and pdfmetrics.stringWidth(footer, font, size) > avail:
                size -= 0.25
            if pdfmetrics.stringWidth(footer, font, size) > avail:
                while footer and pdfmetrics.stringWidth(footer + "\u2026", font, size) > avail:
                    footer = footer[:-1]
                footer = footer.rstrip() + "\u2026"
            canv.setFont(font, size)
            canv.drawString(x, baseline, footer)
        if mk is not None:
            centre = min(m.bottom * 0.36, baseline - msize * 1.2)
            self._draw_marking(canv, mk, x, width, max(centre, msize * 0.9))
        canv.restoreState()

    def _draw_marking(self, canv: Canvas, mk: MarkingLook, x: float, width: float,
                      centre: float) -> None:
        """The marking, vertically centred on ``centre``: TLP as its coloured label on a filled
        box at the right; banners as capitals in the centre."""
        font = self.look.head_faces.bold
        size = mk.size
        text = self.drawable(mk.text)
        tw = pdfmetrics.stringWidth(text, font, size)
        base = centre - size * 0.35
        if mk.align == "right":
            tx = x + width - tw
        elif mk.align == "center":
            tx = x + (width - tw) / 2
        else:
            tx = x
        if mk.background:
            pad = size * 0.45
            canv.setFillColor(_hex(mk.background))
            bx = tx - pad if mk.align != "right" else x + width - tw - 2 * pad
            if mk.align == "right":
                tx = bx + pad
            canv.rect(bx, centre - size * 0.8, tw + 2 * pad, size * 1.6, stroke=0, fill=1)
        canv.setFillColor(_hex(mk.colour))
        canv.setFont(font, size)
        canv.drawString(tx, base, text)

    # ---------------------------------------------------------------------------- build

    def meta_subject(self) -> str:
        """The subject, led by the marking as printed unless the subject already carries it."""
        subject = self.doc.meta.subject
        if self.marking is None:
            return subject
        label = self.marking.text
        if label.casefold() in subject.casefold():
            return subject
        return f"{label} \u2014 {subject}" if subject else label

    def render(self) -> bytes:
        meta = self.doc.meta
        style = self.style
        buf = io.BytesIO()
        pw, ph = style.page.dimensions

        x, y, w, h = self.frame_box(1)
        frame = Frame(x, y, w, h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
                      id="body")
        page_template = PageTemplate(id="page", frames=[frame], onPage=self.draw_page,
                                     pagesize=(pw, ph))
        tmpl = _DocTemplate(
            buf, total=self.total, pagesize=(pw, ph), pageTemplates=[page_template],
            leftMargin=style.page.margins.left, rightMargin=style.page.margins.right,
            topMargin=style.page.margins.top, bottomMargin=style.page.margins.bottom,
            title=meta.title, author=meta.author, subject=self.meta_subject(),
            keywords=", ".join(meta.keywords), creator="briefgen", lang=meta.lang or None,
            displayDocTitle=1, initialFontName=self.look.body_faces.regular,
            initialFontSize=style.sizes.base, pageCompression=1, invariant=1)
        self.template = tmpl

        story = self.blocks(self.doc.blocks)
        story = self._place_notes(story)
        while story and isinstance(story[-1], (PageBreakIfNotEmpty, _NotesSlot)):
            story.pop()  # a break with nothing after it would end the pack on a blank page
        story.append(self.total)
        tmpl.multiBuild(story, canvasmaker=_canvas_maker(_Stamp.of(meta.date)))
        return buf.getvalue()

    def _place_notes(self, story: list[Flowable]) -> list[Flowable]:
        out: list[Flowable] = []
        for f in story:
            if isinstance(f, _NotesSlot):
                if self.notes and not self.notes_placed:
                    self.notes_placed = True
                    out.extend(self.notes_flowables(f.title, f.outline_level))
            else:
                out.append(f)
        if self.notes and not self.notes_placed:
            out.extend(self.notes_flowables(self.doc.meta.label("notes", "Notes"), 0))
        return out


class _NotesSlot(Flowable):
    """Where the endnotes go; replaced once every note has its number."""

    def __init__(self, title: str, outline_level: int):
        super().__init__()
        self.title = title
        self.outline_level = outline_level
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:  # a slot nested in a box or table stays empty: notes go at the end
        pass


def render_pdf(doc: d.Document, style: Style) -> bytes:
    """The PDF of ``doc`` in ``style``: same input, same bytes."""
    return _Renderer(doc, style).render()
