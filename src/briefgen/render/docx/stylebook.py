"""The styles part as briefgen writes it: defining (or redefining) a style by id, the run and
paragraph properties styles are made of, the document defaults, and, with a reference
document, the mapping from briefgen's style ids to the reference's own (Word localises the
ids of built-in styles: a German Word's Heading 1 is "berschrift1")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lxml import etree

from .docx_adapter import Element
from .ooxml import (
    PPR_ORDER,
    RPR_ORDER,
    STYLE_ORDER,
    W_NS,
    copy_el,
    el,
    hexcolour,
    hp,
    local,
    put,
    qn,
    remove_all,
    tw,
    val,
)

__all__ = ["StyleBook", "ppr", "rfonts", "set_lang"]

#: the styles with an id (XPath evaluated by libxml2: ElementPath's predicate, in Python,
#: took ~40 us a call over the sixty-odd styles, some sixty calls a pack)
_STYLE_BY_ID = etree.XPath("w:style[@w:styleId = $id]", namespaces={"w": W_NS})


def rfonts(font: str) -> Element:
    """A font on all four script slots (so Armenian and Cyrillic use it too)."""
    return el("w:rFonts", {"w:ascii": font, "w:hAnsi": font, "w:eastAsia": font, "w:cs": font})


def ppr(*items: Element | None) -> Element:
    """Paragraph properties holding ``items`` in schema order."""
    p = el("w:pPr")
    for i in items:
        if i is not None:
            put(p, i, PPR_ORDER)
    return p


def set_lang(rpr: Element, lang: str) -> None:
    """The language of Latin text, keeping an East Asian or complex-script one."""
    e = rpr.find(qn("w:lang"))
    if e is None:
        put(rpr, val("w:lang", lang), RPR_ORDER)
    else:
        e.set(qn("w:val"), lang)


class StyleBook:
    """The styles part being written: what briefgen defined, and where a reference's own
    styles stand in for briefgen's."""

    def __init__(self, root: Element, reference: bool, leading: float,
                 lines: Mapping[str, float] | None = None) -> None:
        self.root = root
        self.reference = reference
        self.leading = leading  # the line spacing of a spacing() that names none
        #: role name -> the proportional line spacing that sets its lines its leading apart
        #: (see :func:`~.typefaces.proportional_line`); a role not in it: its line multiple
        self.lines: Mapping[str, float] = lines or {}
        #: briefgen style id -> the reference's id for the same style (Word localises ids)
        self.style_map: dict[str, str] = {}
        #: styles briefgen wrote (the reference's own styles are left as they are)
        self.created: set[str] = set()
        #: reference styles by type and lower-case name, and by id (before any is added)
        self.ref_by_name: dict[tuple[str, str], str] = {}
        self.ref_by_id: dict[str, str] = {}
        for st in root.findall(qn("w:style")):
            sid, kind = st.get(qn("w:styleId")), st.get(qn("w:type"), "paragraph")
            name = st.find(qn("w:name"))
            self.ref_by_id[sid] = kind
            if name is not None and name.get(qn("w:val")):
                self.ref_by_name.setdefault((kind, name.get(qn("w:val")).casefold()), sid)

    # properties -------------------------------------------------------------------------
    def rpr(self, *, font: str | None = None, size: float | None = None,
            colour: str | None = None, bold: bool | None = None, italic: bool | None = None,
            underline: bool = False, superscript: bool = False,
            lang: str | None = None, keep_font: bool = False) -> Element:
        """Run properties. With a reference document, the styles briefgen adds name no font
        (they take the reference's) unless ``keep_font``."""
        r = el("w:rPr")
        if font and (not self.reference or keep_font):
            put(r, rfonts(font), RPR_ORDER)
        if bold is not None:
            put(r, el("w:b", None if bold else {"w:val": "0"}), RPR_ORDER)
            put(r, el("w:bCs", None if bold else {"w:val": "0"}), RPR_ORDER)
        if italic is not None:
            put(r, el("w:i", None if italic else {"w:val": "0"}), RPR_ORDER)
            put(r, el("w:iCs", None if italic else {"w:val": "0"}), RPR_ORDER)
        if colour:
            put(r, val("w:color", hexcolour(colour)), RPR_ORDER)
        if size:
            put(r, val("w:sz", hp(size)), RPR_ORDER)
            put(r, val("w:szCs", hp(size)), RPR_ORDER)
        if underline:
            put(r, val("w:u", "single"), RPR_ORDER)
        if superscript:
            put(r, val("w:vertAlign", "superscript"), RPR_ORDER)
        if lang:
            put(r, val("w:lang", lang), RPR_ORDER)
        return r

    def line(self, role: str, multiple: float) -> float:
        """The proportional line spacing written for ``role`` (its ``multiple`` of the type
        size where the book has no measured one)."""
        return self.lines.get(role, multiple)

    def spacing(self, before: float = 0, after: float = 0,
                line: float | None = None) -> Element:
        """Space before and after (points) and proportional line spacing (the style's
        leading unless ``line``)."""
        line = self.leading if line is None else line
        return el("w:spacing", {"w:before": str(tw(before)), "w:after": str(tw(after)),
                                "w:line": str(round(240 * line)), "w:lineRule": "auto"})

    # styles -----------------------------------------------------------------------------
    def find(self, style_id: str | None) -> Element | None:
        """The style element with this id, or None."""
        found = _STYLE_BY_ID(self.root, id=str(style_id))
        return found[0] if found else None

    def define(self, style_id: str, name: str, kind: str = "paragraph", *,
               based_on: str | None = "Normal", next_style: str | None = None,
               ppr: Element | None = None, rpr: Element | None = None,
               tbl: Iterable[Element] = (), builtin: bool = False,
               priority: int | None = None, qformat: bool = True) -> None:
        """Define (or redefine) a style by id; built-in styles keep their Word name. With a
        reference document, a style it defines (built-ins matched by name, as Word localises
        their ids) is left as the reference has it; only the styles it lacks are added."""
        if self.reference:
            found = self._reference_style(style_id, name, kind)
            if found is not None:
                if found != style_id:
                    self.style_map[style_id] = found
                return
        st = self._style_element(style_id, kind, builtin)
        put(st, val("w:name", name), STYLE_ORDER)
        if based_on:
            put(st, val("w:basedOn", based_on), STYLE_ORDER)
        if next_style:
            put(st, val("w:next", next_style), STYLE_ORDER)
        if priority is not None and st.find(qn("w:uiPriority")) is None:
            put(st, val("w:uiPriority", priority), STYLE_ORDER)
        if qformat and st.find(qn("w:qFormat")) is None:
            put(st, el("w:qFormat"), STYLE_ORDER)
        remove_all(st, "w:semiHidden", "w:unhideWhenUsed")
        if ppr is not None and len(ppr):
            put(st, ppr, STYLE_ORDER)
        if rpr is not None and len(rpr):
            put(st, rpr, STYLE_ORDER)
        for t in tbl:
            st.append(t)
        link = st.find(qn("w:link"))
        if link is not None and rpr is not None:
            char = self.find(link.get(qn("w:val")))
            if char is not None:
                remove_all(char, "w:rPr")
                put(char, copy_el(rpr), STYLE_ORDER)

    def _style_element(self, style_id: str, kind: str, builtin: bool) -> Element:
        """The style element to (re)define: a new one, or the existing one emptied of its
        formatting. A reference's style of another kind under our id gets ours renamed."""
        existing = self.find(style_id)
        if existing is not None and existing.get(qn("w:type"), "paragraph") != kind:
            # the reference uses our id for a style of another kind: ours gets its own id
            self.style_map[style_id] = style_id = f"{style_id}Briefgen"
            existing = self.find(style_id)
        self.created.add(style_id)
        if existing is None:
            st = el("w:style", {"w:type": kind, "w:styleId": style_id})
            if not builtin:
                st.set(qn("w:customStyle"), "1")
            if style_id == "Normal":
                st.set(qn("w:default"), "1")
            self.root.append(st)
            return st
        for c in list(existing):
            if local(c) in ("basedOn", "next", "pPr", "rPr", "tblPr", "trPr", "tcPr",
                            "tblStylePr"):
                existing.remove(c)
        return existing

    def _reference_style(self, style_id: str, name: str, kind: str) -> str | None:
        """The id of the reference's own style for ours (by name, else by id), or None when
        it has none."""
        found = self.ref_by_name.get((kind, name.casefold()))
        if found is None and self.ref_by_id.get(style_id) == kind:
            found = style_id
        return found

    def created_style(self, style_id: str) -> Element | None:
        """Our own definition of ``style_id``, or None when the reference's stands."""
        return self.find(style_id) if style_id in self.created else None

    def mapped(self, style_id: str) -> str:
        """The id ``style_id`` has in the pack (the reference's, where it has its own)."""
        return self.style_map.get(style_id, style_id)

    # defaults ---------------------------------------------------------------------------
    def doc_defaults(self, font: str, size: float, lang: str) -> None:
        """Document defaults: explicit fonts (no theme), size, language, no spacing. With a
        reference document its defaults stand; only the language is the document's."""
        root = self.root
        defaults = root.find(qn("w:docDefaults"))
        if defaults is None:
            defaults = el("w:docDefaults")
            root.insert(0, defaults)
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is None:
            rpr_default = el("w:rPrDefault")
            defaults.insert(0, rpr_default)
        ppr_default = defaults.find(qn("w:pPrDefault"))
        if ppr_default is None:
            ppr_default = el("w:pPrDefault")
            defaults.append(ppr_default)
        if not self.reference:
            # (the default template's unused table styles are gone already: base_template)
            remove_all(rpr_default, "w:rPr")
            rpr_default.append(self.rpr(font=font, size=size, lang=lang))
            remove_all(ppr_default, "w:pPr")
            ppr_default.append(ppr(self.spacing(0, 0)))
            return
        rpr = rpr_default.find(qn("w:rPr"))
        if rpr is None:
            rpr = rpr_default.makeelement(qn("w:rPr"), {})
            rpr_default.append(rpr)
        set_lang(rpr, lang)
        normal = self.ref_by_name.get(("paragraph", "normal"))
        st = self.find(normal) if normal else None
        if st is not None and st.find(f"{qn('w:rPr')}/{qn('w:lang')}") is not None:
            set_lang(st.find(qn("w:rPr")), lang)

    def default_styles(self) -> None:
        """The default character and table styles other styles are based on, when the
        document lacks them (Word omits what it considers unused)."""
        for kind, sid, name, extra in (
                ("character", "DefaultParagraphFont", "Default Paragraph Font", ()),
                ("table", "TableNormal", "Normal Table", (_table_normal_pr(),))):
            existing = next((st for st in self.root.findall(qn("w:style"))
                             if st.get(qn("w:type")) == kind
                             and (st.get(qn("w:default")) in ("1", "true", "on")
                                  or ((wv := st.find(qn("w:name"))) is not None
                                  and (wv.get(qn("w:val")) or "").casefold()
                                  == name.casefold()))), None)
            if existing is not None:
                if existing.get(qn("w:styleId")) != sid:
                    self.style_map[sid] = existing.get(qn("w:styleId"))
                continue
            self.root.append(el("w:style", {"w:type": kind, "w:default": "1", "w:styleId": sid},
                                val("w:name", name),
                                val("w:uiPriority", 1 if kind == "character" else 99),
                                el("w:semiHidden"), el("w:unhideWhenUsed"), *extra))


def _table_normal_pr() -> Element:
    """Word's Normal Table: no indent, 0.075 in cell margins left and right (108 twips)."""
    return el("w:tblPr", None, el("w:tblInd", {"w:w": "0", "w:type": "dxa"}),
              el("w:tblCellMar", None,
                 el("w:top", {"w:w": "0", "w:type": "dxa"}),
                 el("w:left", {"w:w": "108", "w:type": "dxa"}),
                 el("w:bottom", {"w:w": "0", "w:type": "dxa"}),
                 el("w:right", {"w:w": "108", "w:type": "dxa"})))
