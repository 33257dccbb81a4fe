"""The numbering part: list definitions for bullets, numbers and (among numbered paragraphs)
lettered lists, and a ``w:num`` per list that restarts its numbering."""

from __future__ import annotations

from typing import Any

from ..stylesheet import Stylesheet
from .docx_adapter import Element
from .ooxml import PPR_ORDER, copy_el, el, local, put, qn, tw, val
from .stylebook import StyleBook, ppr

__all__ = ["Numbering", "list_ind", "write_numbering"]

#: the marks of nested bulleted lists (the first level's is the stylesheet's)
_NESTED_BULLETS = ("\u2013", "\u25aa")
_FORMATS = (("decimal", "%1."), ("lowerLetter", "%2)"), ("lowerRoman", "%3."))


def list_step(sheet: Stylesheet, ordered: bool) -> float:
    """A list level's indent step (points): the stylesheet's, in ems of the body text."""
    em = sheet.role("body").size
    return em * (sheet.lists.ordered_indent_em if ordered else sheet.lists.bullet_indent_em)


def list_ind(sheet: Stylesheet, level: int, hanging: bool = True,
             ordered: bool = False) -> Element:
    """The indent of list level ``level`` (0-based): its text ``level + 1`` steps in, its
    mark hung one step."""
    step = list_step(sheet, ordered)
    attrs = {"w:left": str(tw(step * (level + 1)))}
    if hanging:
        attrs["w:hanging"] = str(tw(step))
    return el("w:ind", attrs)


class Numbering:
    """The numbering part being written: its definitions' ids and the next ``w:num``."""

    def __init__(self, root: Element, first_abstract: int, last_num: int) -> None:
        self.root = root
        self.abs_bullet, self.abs_number = first_abstract, first_abstract + 1
        #: ordered lists among numbered paragraphs: (a), (b), with (i), (ii) inside
        self.abs_lettered = first_abstract + 2
        self.num_ids = last_num
        self.bullet_num = self.number_num = 0

    def new_num(self, abstract: int, restart_level: int | None = None) -> int:
        """A new ``w:num`` of definition ``abstract`` (restarting ``restart_level``)."""
        self.num_ids += 1
        num = el("w:num", {"w:numId": str(self.num_ids)}, val("w:abstractNumId", abstract))
        if restart_level is not None:
            num.append(el("w:lvlOverride", {"w:ilvl": str(restart_level)},
                          val("w:startOverride", 1)))
        cleanup = self.root.find(qn("w:numIdMacAtCleanup"))
        if cleanup is not None:
            cleanup.addprevious(num)
        else:
            self.root.append(num)
        return self.num_ids


def _ids(root: Element, tag: str, attr: str) -> list[int]:
    out = []
    for e in root.findall(qn(tag)):
        try:
            out.append(int(e.get(qn(attr))))
        except (TypeError, ValueError):
            pass
    return out


def write_numbering(document_part: Any, book: StyleBook, sheet: Stylesheet, body_font: str,
                    lettered: bool, reference: bool) -> Numbering:
    """Two list definitions (bullets, numbers; and lettered ones when ``lettered``), the
    List Bullet and List Number styles numbered by them. A reference document's own
    definitions stay (its styles may use them); ours take the next free ids."""
    root = document_part.numbering_part.element
    if not reference:
        for child in list(root):
            root.remove(child)
    numbering = Numbering(root, max(_ids(root, "w:abstractNum", "w:abstractNumId"),
                                    default=0) + 1,
                          max(_ids(root, "w:num", "w:numId"), default=0))
    # every abstractNum precedes every num (schema order)
    after = root.findall(qn("w:abstractNum"))
    at = (root.index(after[-1]) + 1) if after else \
        sum(1 for c in root if local(c) == "numPicBullet")
    kinds: list[tuple[int, bool | str]] = [(numbering.abs_bullet, False),
                                           (numbering.abs_number, True)]
    if lettered:
        kinds.append((numbering.abs_lettered, "lettered"))
    for abs_id, ordered in kinds:
        root.insert(at, _abstract(sheet, abs_id, ordered, book.rpr(font=body_font)))
        at += 1
    numbering.bullet_num = numbering.new_num(numbering.abs_bullet)
    numbering.number_num = numbering.new_num(numbering.abs_number)
    for kind, num in (("ListBullet", numbering.bullet_num),
                      ("ListNumber", numbering.number_num)):
        for level in (1, 2, 3):
            st = book.created_style(kind if level == 1 else f"{kind}{level}")
            if st is None:
                continue  # the reference's own list style, as it is
            ppr = st.find(qn("w:pPr"))
            put(ppr, el("w:numPr", None, val("w:ilvl", level - 1), val("w:numId", num)),
                PPR_ORDER)
            put(ppr, list_ind(sheet, level - 1, ordered=kind == "ListNumber"), PPR_ORDER)
    return numbering


def _abstract(sheet: Stylesheet, abs_id: int, ordered: bool | str,
              bullet_rpr: Element) -> Element:
    """A nine-level list definition: bullets, numbers (1. a) i.) or lettered ((a) (i) 1.)."""
    a = el("w:abstractNum", {"w:abstractNumId": str(abs_id)},
           val("w:multiLevelType", "hybridMultilevel"))
    for lvl in range(9):
        if ordered == "lettered":  # as the PDF: (a), then (i), then 1.
            fmt = ("lowerLetter", "lowerRoman", "decimal")[min(lvl, 2)]
            text = f"(%{lvl + 1})" if lvl < 2 else f"%{lvl + 1}."
        elif ordered:
            fmt, _ = _FORMATS[lvl % 3]
            text = f"%{lvl + 1}" + (")" if lvl % 3 == 1 else ".")
        else:
            fmt, text = "bullet", (sheet.lists.bullet, *_NESTED_BULLETS)[lvl % 3]
        level = el("w:lvl", {"w:ilvl": str(lvl)},
                   val("w:start", 1), val("w:numFmt", fmt), val("w:lvlText", text),
                   val("w:lvlJc", "left"), ppr(list_ind(sheet, lvl, ordered=bool(ordered))))
        if not ordered and len(bullet_rpr):
            level.append(copy_el(bullet_rpr))
        a.append(level)
    return a

