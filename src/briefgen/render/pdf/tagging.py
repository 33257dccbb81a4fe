"""The tagged PDF (PDF/UA-1, ISO 14289-1): a logical structure tree that mirrors the document
model, every piece of page content either marked as part of a structure element or as an
artifact.

Two halves, one object (:class:`Tagger`):

* **While the blocks become flowables** the structure tree is built in reading order: the
  block writer opens a container element per container block (:meth:`Tagger.block`: ``L``,
  ``Table``, ``BlockQuote``, ``Div``, ``TOC``) and row, cell and list-item scopes
  (:meth:`Tagger.scope`), and gives each flowable that draws content its leaf element
  (:meth:`Tagger.leaf`: ``P``, ``H1``-``H6``, ``TH``/``TD`` content, ``Caption``, ``Figure``,
  ``Lbl``...). Heading levels never skip (:meth:`Tagger.heading`).
* **While the pages are drawn** a tagged flowable's drawing is one marked-content sequence
  (``/P <</MCID n>> BDC ... EMC``) tied to its element (:func:`draw_tagged`); everything else on
  a page (running header and footer, markings, page numbers, rules, table backgrounds, repeated
  table headers) is inside ``/Artifact BMC ... EMC``: each page's content starts as an artifact
  and a tagged sequence interrupts it. A paragraph split across pages is one element with a
  marked-content sequence on each page. Each link annotation is a ``Link`` element (an ``OBJR``
  and ``/StructParent``) inside the element drawn when it was made; a note mark's link is
  wrapped in a ``Reference``; a footnote is a ``Note`` (with an ``ID``) inside the element that
  holds its first mark.

At the end (:meth:`Tagger.finish`) the tree is written: ``StructTreeRoot`` with its
``ParentTree`` (a number tree: each page's MCIDs and each annotation to their elements),
``IDTree``, ``/MarkInfo << /Marked true >>``, ``/StructParents`` and ``/Tabs /S`` on every page,
and XMP metadata with ``pdfuaid:part 1``, the title and the language. Elements that end up
with no content (a block that drew nothing) are left out; empty table cells stay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
from reportlab.pdfbase.pdfdoc import (
    PDFDictionary,
    PDFName,
    PDFObjectReference,
    PDFStream,
    PDFString,
)
from reportlab.pdfgen.canvas import Canvas

from ... import document as d
from ...xmltext import escape as xml_escape
from .reportlab_adapter import (
    PageHooks,
    RawObject,
    annotation_get,
    annotation_set,
    bullet,
    catalog,
    current_text,
    list_bullets,
    object_ref,
    register,
    set_bullet,
    text_literal,
)

__all__ = ["LINK_CALLBACK", "Elem", "Tagger", "draw_tagged", "link_marks", "tagged"]

ARTIFACT = "/Artifact BMC"
PAGINATION = "/Artifact <</Type /Pagination>> BDC"
LINK_CALLBACK = "briefgen_link"  # the <onDraw> callback at each link's start and end
_KEEP_EMPTY = frozenset({"TD", "TH", "TR", "Figure", "Document"})


class Elem(msgspec.Struct, eq=False):
    """A structure element: its type, parent, kids (elements, marked content as
    ``(page, mcid)``, annotations as ``("annot", page, ref)``) and attributes."""

    role: str
    parent: Elem | None = None
    kids: list[Any] = msgspec.field(default_factory=list)
    alt: str | None = None
    ident: str | None = None
    attrs: dict[str, str] | None = None  # the /A attribute object: owner, key: value
    once: bool = False  # drawn again on a later page: an artifact (repeated table headers)
    first_page: int | None = None
    bbox: tuple[float, float, float, float] | None = None  # a Figure's box on its page
    actual: str | None = None  # the logical text of one drawn reordered (right-to-left)
    lang: str | None = None  # a language of its own (a Span), as /Lang

    def place(self, canv: Canvas, x0: float, y0: float, x1: float, y1: float) -> None:
        """Note the box (in the canvas's current coordinates) the element is drawn in."""
        if self.bbox is None:
            (ax, ay), (bx, by) = canv.absolutePosition(x0, y0), canv.absolutePosition(x1, y1)
            self.bbox = (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))

    def add(self, role: str, **kw: Any) -> Elem:
        kid = Elem(role, self, **kw)
        self.kids.append(kid)
        return kid

    def __copy__(self) -> Elem:  # a copied flowable (ReportLab deep-copies lists to find
        return self  # a split) draws as the same element: the tree is not copied

    def __deepcopy__(self, _memo: dict[int, Any]) -> Elem:
        return self

    def has_content(self) -> bool:
        return any(not isinstance(k, Elem) or k.has_content() for k in self.kids)


def tagged_elem(flowable: Any) -> Elem | None:
    return getattr(flowable, "bg_tag", None)


class tagged:  # noqa: N801 (a context manager, named and used like a function)
    """Whatever is drawn inside is marked content of ``elem`` (if the canvas is tagging)."""

    __slots__ = ("canv", "depth", "tagger")

    def __init__(self, canv: Canvas, elem: Elem | None):
        tagger = getattr(canv, "bg_hooks", None)
        self.canv = canv
        self.tagger = tagger if elem is not None and isinstance(tagger, Tagger) else None
        if self.tagger is not None:
            self.depth = self.tagger.begin(canv, elem)  # type: ignore[arg-type]

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        if self.tagger is not None:
            self.tagger.end(self.canv, self.depth)


def draw_tagged(flowable: Any, canv: Canvas, draw: Callable[[], Any]) -> Any:
    """Draw ``flowable`` (``draw()``) as the marked content of its element, if it has one."""
    with tagged(canv, tagged_elem(flowable)):
        return draw()


class TaggedBullet:
    """A list item's bullet drawn as the item's ``Lbl``."""

    def __init__(self, inner: Any, elem: Elem):
        self.bg_inner = inner
        self.bg_tag = elem

    def drawOn(self, indenter: Any, canv: Canvas, *args: Any, **kwargs: Any) -> Any:
        with tagged(canv, self.bg_tag):
            return self.bg_inner.drawOn(indenter, canv, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("bg_inner", "bg_tag"):  # (copy's probes)
            raise AttributeError(name)
        return getattr(self.bg_inner, name)


def link_marks(targets: dict[str, str], target: str) -> tuple[str, str]:
    """The paragraph markup around a link to ``target`` (a URL or destination key): callbacks
    that tag its text as a ``Link`` (see :meth:`Tagger.link_mark`)."""
    ident = str(len(targets) + 1)
    targets[ident] = target
    return (f'<onDraw name="{LINK_CALLBACK}" label="{ident}"/>',
            f'<onDraw name="{LINK_CALLBACK}" label="end"/>')


#: a link mark's target that stands for a language span (``span_marks``), not a link
SPAN_TARGET = "\x00lang:"


def span_marks(targets: dict[str, str], lang: str, actual: str | None = None
               ) -> tuple[str, str]:
    """The paragraph markup around text in a language of its own: callbacks that tag it as a
    ``Span`` element with ``/Lang`` (the same callbacks as a link's; see
    :meth:`Tagger.link_mark`), and ``/ActualText`` when it is drawn reordered."""
    return link_marks(targets, SPAN_TARGET + lang + "\x00" + (actual or ""))


def _rtl(lang: str) -> bool:
    return lang.split("-")[0].casefold() in {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug",
                                             "dv", "ckb"}


class Tagger(PageHooks):
    """The structure tree of one render, and the marking of its pages (see the module)."""

    def __init__(self, meta: d.Meta, note_key: Callable[[str], int | None],
                 has_notes: bool = False):
        self.meta = meta
        self.has_notes = has_notes
        self.once = False  # making a repeated table header's elements
        self.root = Elem("Document")
        self.parents: list[Elem] = [self.root]  # conversion: the element being filled
        self.heading_level = 0
        self.note_key = note_key  # the note number a destination name links to, or None
        self.notes: dict[int, Elem] = {}  # footnote number: its Note
        self.mark_holder: dict[int, Elem] = {}  # footnote number: the element of its 1st mark
        # drawing
        # the open sequences: an element's, or an artifact (None, or its BDC operator)
        self.stack: list[Elem | str | None] = [None]
        self.page_mcids: dict[int, list[Elem]] = {}  # page index: the element of each MCID
        self.page_keys: dict[int, int] = {}  # page index: its StructParents key
        self.page_names: dict[int, str] = {}
        self.annot_keys: list[tuple[int, Elem]] = []  # StructParent key, its Link element
        self.next_key = 0
        self.links: list[tuple[str | None, Elem]] = []  # links drawn in the element being drawn
        #: the links and spans open in the text being drawn (None for a mark not tagged)
        self.open_inline: list[Elem | None] = []
        self.link_targets: dict[str, str] = {}  # a link mark's id: its URL or destination key
        self.titles: dict[str, str] = {}  # destination key: the heading's text

    def link_text(self, dest: str | None) -> str:
        title = self.titles.get(dest or "")
        return f"Go to {title}" if title else "Go to the section"

    # ------------------------------------------------------------------ building the tree

    @property
    def current(self) -> Elem:
        return self.parents[-1]

    def add(self, role: str, **kw: Any) -> Elem:
        if self.once:
            kw.setdefault("once", True)
        return self.current.add(role, **kw)

    @contextmanager
    def repeated(self) -> Iterator[None]:
        """Elements made inside are drawn again on later pages (a table's header row): there
        the drawing is an artifact, not new content."""
        once, self.once = self.once, True
        try:
            yield
        finally:
            self.once = once

    @contextmanager
    def into(self, elem: Elem) -> Iterator[Elem]:
        """Make elements inside ``elem`` (made earlier, e.g. the endnotes' place)."""
        self.parents.append(elem)
        try:
            yield elem
        finally:
            self.parents.pop()

    @contextmanager
    def scope(self, role: str, **kw: Any) -> Iterator[Elem]:
        """An element whose kids are made inside the ``with``."""
        with self.into(self.add(role, **kw)) as elem:
            yield elem

    @contextmanager
    def block(self, b: d.Block) -> Iterator[Elem]:
        """The container element of a block, if it has one (its leaves are made inside)."""
        role = _CONTAINERS.get(type(b))
        if role is None:
            yield self.current
            return
        with self.scope(role) as elem:
            yield elem

    def leaf(self, flowable: Any, role: str, **kw: Any) -> Any:
        """Give ``flowable`` its own element (made now, in reading order); it returns it."""
        flowable.bg_tag = self.add(role, **kw)
        key, title = getattr(flowable, "bg_key", None), getattr(flowable, "bg_outline", None)
        if key and title:  # (a link to it is described by its text)
            self.titles[key] = title
        return flowable

    def heading(self, level: int) -> str:
        """The tag of a heading of ``level`` (1 the highest): never more than one below the
        heading before it (the title is the H1)."""
        lvl = max(1, min(level, self.heading_level + 1, 6))
        self.heading_level = lvl
        return f"H{lvl}"

    def label_bullets(self, lst: Any, labels: list[Elem]) -> None:
        """Each item's bullet drawn as its ``Lbl``."""
        indenters = list_bullets(lst)
        if len(indenters) != len(labels):
            return  # (then the bullets are artifacts)
        for ind, lbl in zip(indenters, labels):
            set_bullet(ind, TaggedBullet(bullet(ind), lbl))

    @staticmethod
    def tag_contents(toc: Elem, entries: list[tuple[int, Any]]) -> list[Elem]:
        """A contents' entries (level from 0, paragraph): ``TOCI`` elements, a deeper level in
        a ``TOC`` inside the entry above it; the entry's text is its ``Link``. Each TOCI."""
        out: list[Elem] = []
        stack: list[Elem] = [toc]
        last: list[Elem | None] = [None]
        for level, para in entries:
            while len(stack) > level + 1:
                stack.pop()
                last.pop()
            while len(stack) < level + 1 and last[-1] is not None:
                stack.append(last[-1].add("TOC"))
                last.append(None)
            item = stack[-1].add("TOCI")
            last[-1] = item
            para.bg_tag = item.add("Link")
            out.append(item)
        return out

    def footnote(self, n: int) -> Elem:
        """The ``Note`` of footnote ``n``: in the element holding its first mark."""
        elem = self.notes.get(n)
        if elem is None:
            holder = self.mark_holder.get(n, self.root)
            elem = self.notes[n] = holder.add("Note", ident=f"note-{n}")
        return elem

    def watch_marks(self, callback: Callable[..., None]) -> Callable[..., None]:
        """A footnote mark's <onDraw> callback that also notes which element holds the mark."""

        def on_mark(canv: Canvas, kind: str, label: str | None) -> None:
            try:
                n = int(label or "")
            except ValueError:
                n = 0
            top = self.stack[-1]
            if n and isinstance(top, Elem):
                self.mark_holder.setdefault(n, top)
            callback(canv, kind, label)

        return on_mark

    # ------------------------------------------------------------------ drawing

    def begin(self, canv: Canvas, elem: Elem) -> int:
        """Open ``elem``'s marked content (closing the sequence open until now); the depth to
        give :meth:`end`."""
        depth = len(self.stack)
        self.links = []
        self.open_inline = []
        page = canv.getPageNumber() - 1
        if elem.once and elem.first_page is not None and elem.first_page != page:
            self._switch(canv, None)  # a repeated table header: an artifact
        else:
            self._switch(canv, elem)
        return depth

    def end(self, canv: Canvas, depth: int | None = None) -> None:
        """Close what :meth:`begin` opened (and a link left open in it), reopen what was."""
        canv.addLiteral("EMC")
        del self.stack[len(self.stack) - 1 if depth is None else depth:]
        self._open(canv, self.stack[-1])

    def _switch(self, canv: Canvas, elem: Elem | str | None) -> None:
        canv.addLiteral("EMC")  # whatever was open (there is always a sequence open)
        self.stack.append(elem)
        self._open(canv, elem)

    def pagination(self, draw: Callable[[Canvas, Any], None]) -> Callable[[Canvas, Any], None]:
        """A page template's ``onPage`` (the running header and footer, the markings) drawn as
        a pagination artifact."""

        def on_page(canv: Canvas, doc: Any) -> None:
            depth = len(self.stack)
            self._switch(canv, PAGINATION)
            try:
                draw(canv, doc)
            finally:
                self.end(canv, depth)

        return on_page

    def link_mark(self, canv: Canvas, _kind: str, label: str | None) -> None:
        """The <onDraw> callback at a link's start (its target's id) and end (``end``) in a
        paragraph: the link's text is the marked content of a ``Link`` element (in a
        ``Reference`` for a note mark) inside the paragraph's element. Written into the text
        object being drawn (marked content may stand between text operators)."""
        top = self.stack[-1]
        tx = current_text(canv)
        if label == "end":
            opened = self.open_inline.pop() if self.open_inline else None
            if opened is not None and top is opened and tx is not None:
                text_literal(tx, "EMC")
                self.stack.pop()
                self._open(canv, self.stack[-1], lambda op: text_literal(tx, op))
            return
        target = self.link_targets.get(label or "")
        if not isinstance(top, Elem) or tx is None or not label or (
                top.role == "Link" and not (target or "").startswith(SPAN_TARGET)):
            self.open_inline.append(None)  # (a link inside a link is not one)
            return
        if target is not None and target.startswith(SPAN_TARGET):
            lang, _, actual = target[len(SPAN_TARGET):].partition("\x00")
            link = top.add("Span", lang=lang, actual=actual or None)
        else:
            n = self.note_key(target) if target else None
            link = (top.add("Reference") if n is not None else top).add("Link")
            self.links.append((target, link))
        self.open_inline.append(link)
        text_literal(tx, "EMC")
        self.stack.append(link)
        self._open(canv, link, lambda op: text_literal(tx, op))

    def _open(self, canv: Canvas, elem: Elem | str | None,
              write: Callable[[str], None] | None = None) -> None:
        write = write or canv.addLiteral
        if not isinstance(elem, Elem):
            write(elem or ARTIFACT)
            return
        page = canv.getPageNumber() - 1
        mcids = self.page_mcids.setdefault(page, [])
        mcid = len(mcids)
        mcids.append(elem)
        elem.kids.append((page, mcid))
        if elem.first_page is None:
            elem.first_page = page
        write(f"/{elem.role} <</MCID {mcid}>> BDC")

    # the canvas's hooks

    def page_code(self, canv: Canvas, code: list[str]) -> None:
        """The page starts as an artifact and ends closing it."""
        code.insert(0, ARTIFACT)
        code.append("EMC")
        self.stack = [None]

    def page_dict(self, canv: Canvas, page: Any, name: str) -> None:
        from .reportlab_adapter import page_set

        index = canv.getPageNumber() - 1
        self.page_keys[index] = key = self.next_key
        self.next_key += 1
        self.page_names[index] = name
        page_set(page, StructParents=key, Tabs=PDFName("S"))

    def annotation(self, canv: Canvas, annotation: Any, ref: Any, dest: str | None) -> None:
        """A link annotation: a ``Link`` element (in a ``Reference`` for a note mark) in the
        element being drawn."""
        page = canv.getPageNumber() - 1
        top = self.stack[-1]
        holder = top if isinstance(top, Elem) else self.root
        n = self.note_key(dest) if dest else None
        action = annotation_get(annotation, "A")
        uri = action.dict.get("URI") if isinstance(action, PDFDictionary) else None
        target = uri.s if isinstance(uri, PDFString) else dest
        drawn = [link for t, link in reversed(self.links) if t == target]
        if drawn:  # the Link element of the text it is over
            link = drawn[0]
        elif holder.role == "Link":
            link = holder
        elif n is not None:
            link = holder.add("Reference").add("Link")
        else:
            link = holder.add("Link")
        link.kids.append(("annot", page, ref))
        key = self.next_key
        self.next_key += 1
        self.annot_keys.append((key, link))
        annotation_set(annotation, "StructParent", key)
        if not annotation_get(annotation, "Contents"):
            if isinstance(uri, PDFString):  # a web link: its address
                annotation_set(annotation, "Contents", PDFString(uri.s))
            else:  # an internal link (the text that carries it says where)
                annotation_set(annotation, "Contents",
                               f"Note {n}" if n is not None else self.link_text(dest))

    # ------------------------------------------------------------------ writing

    def finish(self, canv: Canvas, title: str, stamp: str) -> None:
        """Write the structure tree, the ParentTree and the catalogue's entries. Hundreds of
        elements: each is registered first (which numbers it), then written as one
        preformatted object (:class:`.reportlab_adapter.RawObject`)."""
        _prune(self.root)
        order: list[Elem] = []

        def walk(e: Elem) -> None:
            order.append(e)
            for k in e.kids:
                if isinstance(k, Elem):
                    walk(k)

        walk(self.root)
        objects: dict[int, RawObject] = {}
        refs: dict[int, str] = {}  # id(elem): "n 0 R"
        tree_root, parent_tree = RawObject([]), RawObject([])
        root_ref = object_ref(canv, register(canv, tree_root, "BGStructTreeRoot"))
        for n, e in enumerate(order, 1):
            obj = objects[id(e)] = RawObject([])
            refs[id(e)] = object_ref(canv, register(canv, obj, f"BGStruct{n}"))
        tree_ref = register(canv, parent_tree, "BGParentTree")
        pages = {i: object_ref(canv, PDFObjectReference(name))
                 for i, name in self.page_names.items()}
        ids: list[tuple[str, Elem]] = []
        for e in order:
            parts: list[Any] = []
            parent = refs[id(e.parent)] if e.parent else root_ref
            out = [f"<< /Type /StructElem /S /{e.role} /P {parent}"]
            pg = e.first_page
            if pg is None:
                pg = next((k[1] for k in e.kids if isinstance(k, tuple) and k[0] == "annot"),
                          None)
            if pg is not None and pg in pages:
                out.append(f" /Pg {pages[pg]}")
            kids: list[str] = []
            for k in e.kids:
                if isinstance(k, Elem):
                    kids.append(refs[id(k)])
                elif k[0] == "annot":
                    kids.append(f"<< /Type /OBJR /Obj {object_ref(canv, k[2])}"
                                f" /Pg {pages[k[1]]} >>")
                elif k[0] == pg:
                    kids.append(str(k[1]))
                else:
                    kids.append(f"<< /Type /MCR /Pg {pages[k[0]]} /MCID {k[1]} >>")
            if len(kids) == 1:  # one kid: as itself, not in an array (some readers want that)
                out.append(f" /K {kids[0]}")
            elif kids:
                out.append(f" /K [{' '.join(kids)}]")
            if e.attrs:
                out.append(" /A <<" + "".join(f" /{k} /{v}" for k, v in e.attrs.items())
                           + " >>")
            elif e.bbox is not None:
                out.append(" /A << /O /Layout /BBox [" + "".join(f" {v:.2f}" for v in e.bbox)
                           + " ] >>")
            parts.append("".join(out))
            if e.alt is not None:
                parts += [" /Alt ", PDFString(e.alt)]
            if e.lang is not None:
                parts += [" /Lang ", PDFString(e.lang)]
            if e.actual is not None:  # drawn reordered: its text in logical order
                parts += [" /ActualText ", PDFString(e.actual)]
            if e.ident is not None:
                parts += [" /ID ", PDFString(e.ident)]
                ids.append((e.ident, e))
            if e is self.root and self.meta.lang:
                parts += [" /Lang ", PDFString(self.meta.lang)]
            parts.append(" >>")
            objects[id(e)].parts = parts
        entries: list[tuple[int, str]] = []
        for page, key in self.page_keys.items():
            mcids = " ".join(refs[id(e)] for e in self.page_mcids.get(page, []))
            entries.append((key, f"[{mcids}]"))
        entries.extend((key, refs[id(link)]) for key, link in self.annot_keys)
        parent_tree.parts = ["<< /Nums [" + " ".join(f"{key} {value}" for key, value
                                                     in sorted(entries)) + "] >>"]
        head = (f"<< /Type /StructTreeRoot /K {refs[id(self.root)]} /ParentTree "
                f"{object_ref(canv, tree_ref)} /ParentTreeNextKey {self.next_key}")
        root: list[Any] = [head]
        if ids:
            root.append(" /IDTree << /Names [")
            for ident, e in sorted(ids, key=lambda x: x[0]):
                root += [" ", PDFString(ident), f" {refs[id(e)]}"]
            root.append(" ] >>")
        tree_root.parts = [*root, " >>"]
        cat = catalog(canv)
        cat.StructTreeRoot = PDFObjectReference("BGStructTreeRoot")
        cat.MarkInfo = PDFDictionary({"Marked": "true"})
        canv.setViewerPreference("DisplayDocTitle", "true")
        xmp = PDFStream(PDFDictionary({"Type": PDFName("Metadata"),
                                       "Subtype": PDFName("XML")}),
                        xmp_packet(title, self.meta, stamp).encode("utf-8"), filters=[])
        cat.Metadata = register(canv, xmp, "BGMetadata")


def _prune(e: Elem) -> None:
    """Leave out elements with nothing drawn (table cells and rows stay, for the grid)."""
    kept: list[Any] = []
    for k in e.kids:
        if isinstance(k, Elem):
            _prune(k)
            if k.role not in _KEEP_EMPTY and not k.kids:
                continue
        kept.append(k)
    e.kids = kept


_CONTAINERS: dict[type, str] = {
    d.ListBlock: "L",
    d.Table: "Table",
    d.Quote: "BlockQuote",
    d.Box: "Div",
}


def _date(pdf_date: str) -> str:
    """A PDF date (D:YYYYMMDDHHmmSS+HH'mm') as an XMP date."""
    s = pdf_date[2:]
    tz = s[14:].replace("'", "")
    tz = "Z" if tz in ("", "Z", "+0000", "-0000") else f"{tz[:3]}:{tz[3:5]}"
    return f"{s[0:4]}-{s[4:6]}-{s[6:8]}T{s[8:10]}:{s[10:12]}:{s[12:14]}{tz}"


def xmp_packet(title: str, meta: d.Meta, stamp: str) -> str:
    """The XMP metadata: title, language, author, subject, dates, producer and the PDF/UA
    identification (part 1)."""
    e = xml_escape
    lang = meta.lang or "x-default"
    when = _date(stamp)
    creator = (f"<dc:creator><rdf:Seq><rdf:li>{e(meta.author)}</rdf:li></rdf:Seq></dc:creator>"
               if meta.author else "")
    subject = (f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(meta.subject)}'
               "</rdf:li></rdf:Alt></dc:description>" if meta.subject else "")
    keywords = f"<pdf:Keywords>{e(', '.join(meta.keywords))}</pdf:Keywords>" \
        if meta.keywords else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\n'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(title)}</rdf:li></rdf:Alt>'
        "</dc:title>\n"
        f"<dc:language><rdf:Bag><rdf:li>{e(lang)}</rdf:li></rdf:Bag></dc:language>\n"
        f"{creator}{subject}"
        "<dc:format>application/pdf</dc:format>\n"
        f"{keywords}"
        "<pdf:Producer>ReportLab PDF Library - (opensource)</pdf:Producer>\n"
        "<xmp:CreatorTool>briefgen</xmp:CreatorTool>\n"
        f"<xmp:CreateDate>{when}</xmp:CreateDate>\n"
        f"<xmp:ModifyDate>{when}</xmp:ModifyDate>\n"
        "<pdfuaid:part>1</pdfuaid:part>\n"
        "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>')
