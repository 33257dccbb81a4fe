"""Layout rules of a style that act on the document itself, so both renderers honour them:
heading numbers (1, 1.1, 1.1.1), numbered paragraphs, US portion marks, the compact cover and
the body marking notice. Applied between compose and render."""

from __future__ import annotations

import re

from . import document as d
from .document import replace
from .style import Style

_PORTION = {"UNCLASSIFIED": "U", "CUI": "CUI", "CONFIDENTIAL": "C", "SECRET": "S",
            "TOP SECRET": "TS"}
#: CAPCO's portion abbreviations of banner caveats; a caveat not listed is kept as written.
_CAVEATS = {"FOR OFFICIAL USE ONLY": "FOUO", "NOFORN": "NF", "ORCON": "OC", "PROPIN": "PR",
            "LIMITED DISTRIBUTION": "LIMDIS", "LAW ENFORCEMENT SENSITIVE": "LES",
            "RELIDO": "RELIDO", "FOUO": "FOUO"}


def portion_mark(marking: d.Marking | None) -> str | None:
    """The portion mark for a US banner line, formed from its parts as CAPCO forms it:
    ``UNCLASSIFIED`` → ``(U)``, ``UNCLASSIFIED//FOR OFFICIAL USE ONLY`` → ``(U//FOUO)``,
    ``CUI`` → ``(CUI)``, ``SECRET//NOFORN`` → ``(S//NF)``; None for another scheme. (Every
    portion takes the banner's own mark: the brief does not mark its portions apart.)"""
    if marking is None or marking.scheme != "us":
        return None
    parts = [p.strip() for p in marking.label.split("//")]
    head = _PORTION.get(parts[0], "U")
    tail = [_CAVEATS.get(p, p) for p in parts[1:] if p]
    return "(" + "//".join([head, *tail]) + ")"


def _prefix(inlines: tuple[d.Inline, ...], text: str) -> tuple[d.Inline, ...]:
    if inlines and isinstance(inlines[0], d.Text):
        return (d.Text(text + inlines[0].text), *inlines[1:])
    return (d.Text(text), *inlines)


_ANNEX = re.compile(r"^\S+ ([A-Z][0-9]?)\s*:")


def apply_style(doc: d.Document, style: Style) -> d.Document:
    blocks = list(doc.blocks)
    if not style.marking.body_notice:
        blocks = [b for b in blocks if not (isinstance(b, d.Paragraph) and b.role == "marking")]
    if style.cover.layout == "compact":
        first = next((i for i, b in enumerate(blocks) if isinstance(b, d.PageBreak)), None)
        if first is not None:
            del blocks[first]
    if style.numbering.paragraphs == "decimal":
        blocks = _number_paragraphs(blocks, style.numbering.headings == "decimal")
    elif style.numbering.headings == "decimal":
        blocks = [_number_heading(b, c) if isinstance(b, d.Heading) else b
                  for b, c in zip(blocks, _heading_numbers(blocks), strict=True)]
    mark = portion_mark(doc.meta.marking) if style.marking.portion_marks else None
    if mark:
        blocks = [_mark(b, f"{mark} ") for b in blocks]
    return replace(doc, blocks=tuple(blocks))


def _heading_numbers(blocks: list[d.Block]) -> list[str]:
    """Each block's heading number ("2.", "2.1"), or "" (not a numbered heading)."""
    counters = [0, 0, 0]
    out = []
    for b in blocks:
        if isinstance(b, d.Heading) and b.numbered and b.toc:
            counters[b.level - 1] += 1
            for k in range(b.level, 3):
                counters[k] = 0
            number = ".".join(str(c) for c in counters[:b.level])
            out.append(f"{number} " if b.level > 1 else f"{number}. ")
        else:
            out.append("")
    return out


def _number_heading(b: d.Heading, number: str) -> d.Heading:
    return replace(b, children=_prefix(b.children, number)) if number else b


def _number_paragraphs(blocks: list[d.Block], headings: bool) -> list[d.Block]:
    """UK submission numbering, one sequence that reads consistently: with numbered headings,
    a section's paragraphs are 1.1, 1.2 under heading 1 (paragraphs before the first heading
    run 1, 2); without, paragraphs run 1, 2, 3 through the pack. A list after a numbered
    paragraph holds that paragraph's points ((a), (b)); a list with no paragraph above it in its
    section (the lines to take under their heading) is a run of paragraphs, each numbered. An
    annex ("Annex A: ...") numbers its own paragraphs A1, A2; the sources and notes at the end
    are not numbered paragraphs (their list is not lettered either)."""
    numbers = _heading_numbers(blocks) if headings else [""] * len(blocks)
    prefix, count = "", 0
    section = "body"
    out: list[d.Block] = []
    after_paragraph = False
    for b, hnum in zip(blocks, numbers, strict=True):
        keep = after_paragraph and isinstance(b, d.ListBlock)
        after_paragraph = keep
        if isinstance(b, d.Heading) and b.level == 1:
            if b.numbered:
                section = "body"
                if headings:
                    prefix, count = hnum.strip().rstrip("."), 0
            else:
                m = _ANNEX.match(d.plain_text(b.children))
                section = "annex" if m else "end"
                prefix, count = (m.group(1), 0) if m else ("", 0)
            out.append(_number_heading(b, hnum))
            continue
        if isinstance(b, d.Heading):
            out.append(_number_heading(b, hnum))
            continue

        if section == "end":
            if isinstance(b, d.ListBlock) and b.ordered:
                b = replace(b, ordered=False)
            out.append(b)
        elif isinstance(b, d.Paragraph) and b.role in ("body", "lead"):
            count += 1
            out.append(replace(b, number=_paragraph_number(section, prefix, count)))
            after_paragraph = True
            continue
        elif isinstance(b, d.ListBlock) and after_paragraph:
            out.append(b)  # the points of the paragraph above: (a), (b) or bullets
        elif isinstance(b, d.ListBlock):
            for item in b.items:
                first, rest = (item[0], item[1:]) if item else (d.Paragraph(()), ())
                if isinstance(first, d.Paragraph):
                    count += 1
                    out.append(replace(first, number=_paragraph_number(section, prefix, count)))
                    out.extend(rest)
                else:
                    out.extend(item)
        else:
            out.append(b)
    return out


def _paragraph_number(section: str, prefix: str, count: int) -> str:
    if section == "annex":
        return f"{prefix}{count}"
    return f"{prefix}.{count}" if prefix else f"{count}."


def _mark(b: d.Block, mark: str) -> d.Block:
    """Every portion of a block marked: headings, paragraphs (the marking notice, captions and
    attributions too), list items, each table row (in its first cell) and the table's caption,
    quotes, boxes and their titles, figure captions, the title and subtitle."""
    if isinstance(b, d.Heading):
        return replace(b, children=_prefix(b.children, mark))
    if isinstance(b, d.Paragraph):
        return replace(b, children=_prefix(b.children, mark)) if b.children else b
    if isinstance(b, d.ListBlock):
        return replace(b, items=tuple(_mark_item(item, mark) for item in b.items))
    if isinstance(b, d.TitleBlock):
        return replace(b, title=_prefix(b.title, mark),
                       subtitle=_prefix(b.subtitle, mark) if b.subtitle else b.subtitle)
    if isinstance(b, d.Box):
        return replace(b, title=_prefix(b.title, mark) if b.title else b.title,
                       blocks=tuple(_mark(x, mark) for x in b.blocks))
    if isinstance(b, d.Quote):
        return replace(b, blocks=tuple(_mark(x, mark) for x in b.blocks))
    if isinstance(b, d.Figure):
        return replace(b, caption=_prefix(b.caption, mark) if b.caption else b.caption)
    if isinstance(b, d.Table):
        rows = tuple((_mark_cell(r[0], mark), *r[1:]) if r else r for r in b.rows)
        return replace(b, rows=rows,
                       caption=_prefix(b.caption, mark) if b.caption else b.caption)
    return b


def _mark_cell(cell: d.Cell, mark: str) -> d.Cell:
    if cell.blocks:
        return replace(cell, blocks=(_mark(cell.blocks[0], mark), *cell.blocks[1:]))
    return replace(cell, blocks=(d.Paragraph((d.Text(mark.strip()),)),))


def _mark_item(item: tuple[d.Block, ...], mark: str) -> tuple[d.Block, ...]:
    if item and isinstance(item[0], d.Paragraph):
        return (replace(item[0], children=_prefix(item[0].children, mark)), *item[1:])
    return item
