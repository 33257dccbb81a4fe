"""Layout rules of a style that act on the document itself, so both renderers honour them:
heading numbers (1, 1.1, 1.1.1), numbered paragraphs, US portion marks, the compact cover and
the body marking notice. Applied between compose and render."""

from __future__ import annotations

from dataclasses import replace

from . import document as d
from .style import Style

_PORTION = {"UNCLASSIFIED": "U", "CUI": "CUI", "CONFIDENTIAL": "C", "SECRET": "S",
            "TOP SECRET": "TS"}


def portion_mark(marking: d.Marking | None) -> str | None:
    """The portion mark for a US banner line (``UNCLASSIFIED//FOUO`` → ``(U)``), else None."""
    if marking is None or marking.scheme != "us":
        return None
    return f"({_PORTION.get(marking.label.split('//')[0].strip(), 'U')})"


def _prefix(inlines: tuple[d.Inline, ...], text: str) -> tuple[d.Inline, ...]:
    if inlines and isinstance(inlines[0], d.Text):
        return (d.Text(text + inlines[0].text), *inlines[1:])
    return (d.Text(text), *inlines)


def apply_style(doc: d.Document, style: Style) -> d.Document:
    blocks = list(doc.blocks)
    if not style.marking.body_notice:
        blocks = [b for b in blocks if not (isinstance(b, d.Paragraph) and b.role == "marking")]
    if style.cover.layout == "compact":
        first = next((i for i, b in enumerate(blocks) if isinstance(b, d.PageBreak)), None)
        if first is not None:
            del blocks[first]
    mark = portion_mark(doc.meta.marking) if style.marking.portion_marks else None
    counters = [0, 0, 0]
    para_no = 0
    out: list[d.Block] = []
    for b in blocks:
        if isinstance(b, d.Heading):
            children = b.children
            if style.numbering.headings == "decimal" and b.numbered and b.toc:
                counters[b.level - 1] += 1
                for k in range(b.level, 3):
                    counters[k] = 0
                number = ".".join(str(c) for c in counters[:b.level])
                children = _prefix(children, f"{number} " if b.level > 1 else f"{number}. ")
            if mark:
                children = _prefix(children, f"{mark} ")
            b = replace(b, children=children)
        elif isinstance(b, d.Paragraph) and b.role in ("body", "lead"):
            number = b.number
            if style.numbering.paragraphs == "decimal":
                para_no += 1
                number = f"{para_no}."
            b = replace(b, children=_prefix(b.children, f"{mark} ") if mark else b.children,
                        number=number)
        elif isinstance(b, d.ListBlock) and mark:
            b = replace(b, items=tuple(_mark_item(item, mark) for item in b.items))
        elif isinstance(b, d.TitleBlock) and mark:
            b = replace(b, title=_prefix(b.title, f"{mark} "))
        elif isinstance(b, d.Box) and mark:
            b = replace(b, blocks=tuple(replace(x, items=tuple(_mark_item(i, mark)
                                                                for i in x.items))
                                        if isinstance(x, d.ListBlock) else
                                        replace(x, children=_prefix(x.children, f"{mark} "))
                                        if isinstance(x, d.Paragraph) else x
                                        for x in b.blocks))
        out.append(b)
    return replace(doc, blocks=tuple(out))


def _mark_item(item: tuple[d.Block, ...], mark: str) -> tuple[d.Block, ...]:
    if item and isinstance(item[0], d.Paragraph):
        return (replace(item[0], children=_prefix(item[0].children, f"{mark} ")), *item[1:])
    return item
