"""Reading the XML a pack template writes into the document model.

A pack template (:mod:`briefgen.compose`) writes a small XML vocabulary (``VOCABULARY``:
``<h1>``, ``<p role=...>``, ``<table widths=...>``, ``<box>``, ``<figure>``, ``<note>`` ...);
:func:`parse_pack` reads it, refusing any element or attribute outside the vocabulary at the
template file and line that wrote it (:func:`locate_in_template`), folds white space as HTML
does, and builds the :class:`~briefgen.document.Document` the renderers draw. Nothing here
runs a template or knows a brief.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from pathlib import Path
from typing import Any

from lxml import etree

from . import document as d
from .errors import BriefError, Diagnostic
from .loader import printable


def _near(name: str, names: Any) -> str:
    """"; did you mean `x`?" for the name nearest to ``name``, or nothing."""
    near = difflib.get_close_matches(name, [str(n) for n in names], n=1, cutoff=0.6)
    return f"; did you mean `{near[0]}`?" if near else ""


def slug(text: str) -> str:
    """An anchor made of a heading's words."""
    s = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-")
    return s or "section"


#: a language tag a span may carry (BCP 47, as the brief's own ``language``)
_LANG_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
#: Elements a template writes to tell the build something, not printed: ``<printed
#: field="risks" shown="3" total="5"/>`` (a section of the brief the template printed, and how
#: many of its items where it capped them) and ``<warning>text</warning>``.
_REPORT_TAGS = ("printed", "warning")


_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


def _typographic(text: str) -> str:
    return _APOSTROPHE.sub("\u2019", text)


# --------------------------------------------------------------------------------------------
# Reading the template's XML into the document model


class _PackReader:
    def __init__(self, source: str):
        self.source = source
        self.anchors: set[str] = set()

    def fail(self, el: Any, message: str) -> BriefError:
        return BriefError([Diagnostic(self.source, None, None, "template",
                                      f"{message} (line {el.sourceline} of the template's "
                                      "output)")])

    # inlines ---------------------------------------------------------------------------
    def inlines(self, el: Any) -> tuple[d.Inline, ...]:
        out: list[d.Inline] = []
        if el.text:
            out.append(d.Text(el.text))
        for child in el:
            tag = child.tag
            if tag == "b":
                out.append(d.Strong(self.inlines(child)))
            elif tag == "i":
                out.append(d.Emph(self.inlines(child)))
            elif tag == "a":
                out.append(d.Link(child.get("href", ""), self.inlines(child)))
            elif tag == "ref":
                out.append(d.Ref(child.get("to", ""), self.inlines(child)))
            elif tag == "note":
                out.append(d.Note(_strip(self.inlines(child))))
            elif tag == "br":
                out.append(d.LineBreak())
            elif tag == "span":  # a language of its own; a span with no valid tag is its text
                lang = child.get("lang", "")
                if _LANG_TAG.match(lang):
                    out.append(d.Span(lang, self.inlines(child)))
                else:
                    out.extend(self.inlines(child))
            else:
                raise self.fail(child, f"<{tag}> is not allowed inside text")
            if child.tail:
                out.append(d.Text(child.tail))
        return _collapse(out)

    # blocks ----------------------------------------------------------------------------
    BLOCK_TAGS = frozenset({"h1", "h2", "h3", "p", "ul", "ol", "table", "quote", "box",
                            "titleblock", "contents", "notes", "pagebreak", "figure"})

    def blocks(self, el: Any) -> tuple[d.Block, ...]:
        out: list[d.Block] = []
        for child in el:
            if not isinstance(child.tag, str) or child.tag in _REPORT_TAGS:
                continue  # what the template reports to the build (see compose_report)
            out.append(self.block(child))
        if el.text and el.text.strip():
            raise self.fail(el, f"text {el.text.strip()[:30]!r} outside a paragraph in <{el.tag}>")
        return tuple(out)

    def flow(self, el: Any) -> tuple[d.Block, ...]:
        """Content of a list item or cell: blocks, or inline text as one paragraph."""
        if any(isinstance(c.tag, str) and c.tag in self.BLOCK_TAGS for c in el):
            return self.blocks(el)
        inl = self.inlines(el)
        return (d.Paragraph(inl),) if inl else ()

    def block(self, el: Any) -> d.Block:
        tag = el.tag
        if tag in ("h1", "h2", "h3"):
            content = self.inlines(el)
            anchor = el.get("id") or slug(d.plain_text(content))
            base, n = anchor, 2
            while anchor in self.anchors:
                anchor, n = f"{base}-{n}", n + 1
            self.anchors.add(anchor)
            return d.Heading(int(tag[1]), content, anchor, el.get("toc", "yes") != "no",
                             el.get("number", "yes") != "no")
        if tag == "p":
            role = el.get("role", "body")
            if role not in ("body", "lead", "small", "marking", "caption", "attribution"):
                raise self.fail(el, f"unknown paragraph role {role!r}")
            return d.Paragraph(self.inlines(el), role)
        if tag in ("ul", "ol"):
            items = []
            for li in el:
                if li.tag != "li":
                    raise self.fail(li, f"<{li.tag}> in a list: use <li>")
                items.append(self.flow(li))
            return d.ListBlock(tuple(items), ordered=tag == "ol")
        if tag == "table":
            return self.table(el)
        if tag == "quote":
            attribution: tuple[d.Inline, ...] = ()
            body = []
            for c in el:
                if c.tag == "attribution":
                    attribution = self.inlines(c)
                else:
                    body.append(c)
            holder = etree.Element("quote")
            holder.extend(body)
            return d.Quote(self.blocks(holder), attribution)
        if tag == "box":
            title = self.inlines(el.find("title")) if el.find("title") is not None else ()
            holder = etree.Element("box")
            holder.extend([c for c in el if c.tag != "title"])
            role = el.get("role", "note")
            return d.Box(self.blocks(holder), title, role)
        if tag == "titleblock":
            title = el.find("title")
            sub = el.find("subtitle")
            fields = tuple(d.MetaField(f.get("label", ""), self.inlines(f))
                           for f in el.findall("field"))
            return d.TitleBlock(self.inlines(title) if title is not None else (),
                                self.inlines(sub) if sub is not None else (), fields)
        if tag == "contents":
            return d.Contents(el.get("title", "Contents"))
        if tag == "notes":
            return d.NotesList(el.get("title", "Notes"))
        if tag == "pagebreak":
            return d.PageBreak(first_page_only=el.get("only-on-first-page") == "yes")
        if tag == "figure":
            return self.figure(el)
        raise self.fail(el, f"unknown element <{tag}>")

    def figure(self, el: Any) -> d.Figure:
        caption_el = el.find("caption")
        caption = self.inlines(caption_el) if caption_el is not None else ()
        charts = [c for c in el if c.tag in ("riskmatrix", "timeline")]
        if len(charts) != 1:
            raise self.fail(el, "a <figure> holds one <riskmatrix> or <timeline>")
        c = charts[0]
        try:
            chart: d.Chart
            if c.tag == "riskmatrix":
                levels = tuple(x.text or "" for x in c.findall("likelihood"))
                impacts = tuple(x.text or "" for x in c.findall("impact"))
                bands = tuple(tuple(int(v) for v in row.split())
                              for row in (c.findtext("cells") or "").split(";"))
                band_labels = tuple(x.text or "" for x in c.findall("band"))
                risks = tuple(d.RiskPoint(r.get("label", ""), int(r.get("likelihood", "")),
                                          int(r.get("impact", ""))) for r in c.findall("risk"))
                ok = (len(bands) == len(levels) and all(len(b) == len(impacts) for b in bands)
                      and all(0 <= v < len(band_labels) for b in bands for v in b)
                      and all(1 <= r.likelihood <= len(levels) and 1 <= r.impact <= len(impacts)
                              for r in risks))
                if not ok:
                    raise ValueError("levels, cells, bands and risks do not fit together")
                chart = d.RiskMatrix(levels, impacts, bands, band_labels, risks,
                                     c.get("likelihood-title", "Likelihood"),
                                     c.get("impact-title", "Impact"))
            else:
                chart = d.Timeline(tuple(d.TimelineEvent(e.get("when", ""),
                                                         _finite(e.get("position", "0")),
                                                         " ".join((e.text or "").split()))
                                         for e in c.findall("event")))
        except ValueError as e:
            raise self.fail(c, f"bad <{c.tag}>: {e}") from None
        return d.Figure(chart, caption, el.get("alt", ""))

    def table(self, el: Any) -> d.Table:
        caption: tuple[d.Inline, ...] = ()
        header: tuple[d.Cell, ...] = ()
        rows: list[tuple[d.Cell, ...]] = []
        for c in el:
            if c.tag == "caption":
                caption = self.inlines(c)
            elif c.tag == "tr":
                cells = tuple(d.Cell(self.flow(td)) for td in c if td.tag in ("td", "th"))
                if all(td.tag == "th" for td in c) and not header and not rows:
                    header = cells
                else:
                    rows.append(cells)
            else:
                raise self.fail(c, f"<{c.tag}> in a table: use <caption> and <tr>")
        if not header:
            raise self.fail(el, "a table needs a header row of <th> cells first")
        for r in rows:
            if len(r) != len(header):
                raise self.fail(el, f"a row has {len(r)} cells; the header has {len(header)}")
        widths_attr = el.get("widths")
        if widths_attr:
            try:
                widths = tuple(float(w) for w in widths_attr.split(","))
            except ValueError:
                widths = ()
            if len(widths) != len(header) or \
                    any(not math.isfinite(w) or w <= 0 or w > 1000 for w in widths):
                raise self.fail(el, "widths must give one positive number per column")
        else:
            widths = tuple(1.0 for _ in header)
        return d.Table(header, tuple(rows), widths, caption)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > 1e6:
        raise ValueError(f"position {text!r} is not a finite number")
    return value


_WS = re.compile(r"\s+")


def _collapse(nodes: list[d.Inline]) -> tuple[d.Inline, ...]:
    """Merge adjacent text and fold runs of white space, as HTML does; a note mark sits
    against the word before it, as pandoc places citation notes."""
    out: list[d.Inline] = []
    for n in nodes:
        if isinstance(n, d.Text):
            text = _WS.sub(" ", n.text)
            if "'" in text:  # a straight apostrophe between letters (a source's "we're" in
                text = _typographic(text)  # curly quotes) printed as the typographic one
            if out and isinstance(out[-1], d.Text):
                out[-1] = d.Text(out[-1].text + text)
            elif text:
                out.append(n if text == n.text else d.Text(text))
        else:
            if isinstance(n, d.Note) and out and isinstance(out[-1], d.Text):
                out[-1] = d.Text(out[-1].text.rstrip())
            out.append(n)
    return _strip(tuple(out))


def _strip(nodes: tuple[d.Inline, ...]) -> tuple[d.Inline, ...]:
    items = list(nodes)
    if items and isinstance(items[0], d.Text) and items[0].text[:1].isspace():
        items[0] = d.Text(items[0].text.lstrip())
    if items and isinstance(items[-1], d.Text) and items[-1].text[-1:].isspace():
        items[-1] = d.Text(items[-1].text.rstrip())
    if any(isinstance(i, d.Text) and not i.text for i in items):
        items = [i for i in items if not (isinstance(i, d.Text) and not i.text)]
    return tuple(items)


_BRACES = re.compile(r"\{\{|\}\}|\{(?:page|total)\}")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                          remove_pis=True, huge_tree=False)


#: The template vocabulary: each element and the attributes it may carry (``label-*`` on
#: ``<pack>``: the page labels). Anything else is refused, with the template's file and line.
VOCABULARY: dict[str, frozenset[str]] = {tag: frozenset(attrs) for tag, attrs in {
    "pack": ("title", "author", "subject", "keywords", "lang", "date", "marking-scheme",
             "marking-label", "footer", "page-budget"),
    "titleblock": (), "title": (), "subtitle": (), "field": ("label",),
    "h1": ("id", "toc", "number"), "h2": ("id", "toc", "number"), "h3": ("id", "toc", "number"),
    "p": ("role",), "ul": (), "ol": (), "li": (),
    "table": ("widths",), "caption": (), "tr": (), "th": (), "td": (),
    "quote": (), "attribution": (), "box": ("role",),
    "figure": ("alt",), "riskmatrix": ("likelihood-title", "impact-title"), "likelihood": (),
    "impact": (), "band": (), "cells": (), "risk": ("label", "likelihood", "impact"),
    "timeline": (), "event": ("when", "position"),
    "contents": ("title",), "notes": ("title",), "pagebreak": ("only-on-first-page",),
    "b": (), "i": (), "a": ("href",), "ref": ("to",), "note": (), "br": (), "span": ("lang",),
    # what a template reports to the build, not printed (see ComposeReport)
    "printed": ("field", "shown", "total"), "warning": (),
}.items()}
#: Attributes that take one of a few values.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("p", "role"): ("body", "lead", "small", "marking", "caption", "attribution"),
    ("box", "role"): ("summary", "note", "warning"),
    **{(h, a): ("yes", "no") for h in ("h1", "h2", "h3") for a in ("toc", "number")},
    ("pagebreak", "only-on-first-page"): ("yes", "no"),
}


def _template_files(source: str) -> list[Path]:
    """The template and the templates it may include or import (its folder's, and the
    shipped section library), for locating a line of its output in its source."""
    path = Path(source)
    files = [path] if path.is_file() else []
    from .compose import shipped_templates_dir  # (compose imports this module)

    for folder in (path.parent, shipped_templates_dir()):
        if folder.is_dir():
            files += sorted(p for p in folder.glob("*.j2") if p not in files)
    return files


def locate_in_template(source: str, pattern: str) -> tuple[str, int | None]:
    """The template file and line that wrote what ``pattern`` (a regular expression) finds:
    the template's own file first, then the templates beside it and the shipped sections.
    Where no single line matches: the template file and no line."""
    rx = re.compile(pattern)
    for file in _template_files(source):
        try:
            lines = file.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        hits = [n for n, text in enumerate(lines, 1) if rx.search(text)]
        if len(hits) == 1:
            return str(file), hits[0]
        if hits:
            return str(file), None
    return source, None


def _check_vocabulary(root: Any, source: str) -> None:
    """Refuse an element or attribute the vocabulary does not have (``<box role="callout">``,
    ``<bx>``), at the template line that wrote it where it can be found."""
    problems: list[Diagnostic] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag
        if tag not in VOCABULARY:
            near = difflib.get_close_matches(tag, VOCABULARY, n=1, cutoff=0.6)
            hint = f"; did you mean <{near[0]}>?" if near else \
                " (templates/README.md lists the elements)"
            file, line = locate_in_template(source, rf"<{re.escape(tag)}\b")
            problems.append(_xml_problem(file, line, el, f"unknown element <{tag}>{hint}"))
            continue
        for attr, value in el.attrib.items():
            if tag == "pack" and attr.startswith("label-"):
                continue
            allowed = VOCABULARY[tag]
            pattern = rf"<{re.escape(tag)}\b[^>]*\b{re.escape(attr)}\s*="
            if attr not in allowed:
                near = difflib.get_close_matches(attr, allowed, n=1, cutoff=0.6)
                hint = f"; did you mean {near[0]}=?" if near else \
                    ("; it takes " + ", ".join(sorted(allowed)) if allowed else
                     "; it takes no attributes")
                file, line = locate_in_template(source, pattern)
                problems.append(_xml_problem(file, line, el,
                                             f"<{tag}> has no attribute {attr}={hint}"))
            elif (tag, attr) in CHOICES and value not in CHOICES[tag, attr]:
                file, line = locate_in_template(
                    source, rf"<{re.escape(tag)}\b[^>]*\b{re.escape(attr)}\s*=\s*"
                            rf"[\"']{re.escape(value)}[\"']")
                if line is None:
                    file, line = locate_in_template(source, pattern)
                choices = CHOICES[tag, attr]
                problems.append(_xml_problem(
                    file, line, el, f"<{tag} {attr}={value[:40]!r}> is not one of "
                                    + ", ".join(choices)
                                    + _near(value, choices).replace("`", "'")))
    if problems:
        raise BriefError(problems)


def _xml_problem(file: str, line: int | None, el: Any, message: str) -> Diagnostic:
    if line is None:
        message += f" (line {el.sourceline} of the template's output)"
    return Diagnostic(printable(file), line, None, "template", message)


def parse_pack(xml: str, source: str = "<template>") -> d.Document:
    """Read a pack template's XML output into a document."""
    if "<!DOCTYPE" in xml or "<!ENTITY" in xml:
        raise BriefError([Diagnostic(source, None, None, "template",
                                     "templates may not declare a DOCTYPE or entities")])
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser=_PARSER)
    except etree.XMLSyntaxError as e:
        line = e.position[0] if e.position else None
        raise BriefError([Diagnostic(source, None, None, "template",
                                     f"the template wrote malformed XML at line {line} of its "
                                     f"output: {e.msg}")]) from None
    if root.tag != "pack":
        raise BriefError([Diagnostic(source, None, None, "template",
                                     "the template's output must be one <pack> element")])
    _check_vocabulary(root, source)
    reader = _PackReader(source)
    blocks = reader.blocks(root)
    for ref in (n for n in d._walk_blocks(blocks) if isinstance(n, d.Ref)):
        if ref.anchor not in reader.anchors:
            raise BriefError([Diagnostic(source, None, None, "template",
                                         f"<ref to={ref.anchor!r}> names no heading id")])
    date_text = root.get("date", "2000-01-01")
    try:
        date = dt.datetime.fromisoformat(date_text)
    except ValueError:
        raise BriefError([Diagnostic(source, None, None, "template",
                                     f"<pack date={date_text[:40]!r}> is not an ISO date "
                                     "(write it as 2023-09-20 or 2023-09-20T14:30)")]) from None
    if date.tzinfo is None:
        date = date.replace(tzinfo=dt.UTC)
    marking = None
    if root.get("marking-label"):
        marking = d.Marking(root.get("marking-scheme", "custom"),
                            root.get("marking-label"))
    labels = {k[len("label-"):]: v for k, v in root.attrib.items() if k.startswith("label-")}
    for key, value in labels.items():
        if _BRACES.sub("", value).count("{") or _BRACES.sub("", value).count("}"):
            raise BriefError([Diagnostic(source, None, None, "template",
                                         f"<pack label-{key}=...> may hold only the "
                                         "placeholders {page} and {total}; write other braces "
                                         "as {{ and }}")])
    meta = d.Meta(title=root.get("title", ""), date=date, author=root.get("author", ""),
                  subject=root.get("subject", ""),
                  keywords=tuple(k.strip() for k in root.get("keywords", "").split(";")
                                 if k.strip()),
                  lang=root.get("lang", "en-GB"), marking=marking,
                  footer_text=root.get("footer", ""), labels=labels)
    return d.Document(meta, blocks)
