"""The styles part read back: each paragraph style's properties resolved (``basedOn`` chains
merged over the document defaults), as the page estimate needs them."""

from __future__ import annotations

from ..docx_adapter import Element
from ..ooxml import W_NS, is_on, qn

__all__ = ["StyleSheet", "apply_props", "paragraph_props"]

#: Word's default cell margins left and right (0.075 in), when a table style names none
_DEFAULT_CELL_SIDE = 5.4


def apply_props(props: dict, ppr: Element | None, rpr: Element | None) -> None:
    """Overlay the spacing, indents, keeps, size, bold, italic and font of ``ppr`` and
    ``rpr`` on ``props`` (points; line spacing as a multiple)."""
    if ppr is not None:
        _apply_ppr(props, ppr)
    if rpr is not None:
        sz = rpr.find(qn("w:sz"))
        if sz is not None:
            props["size"] = int(sz.get(qn("w:val"))) / 2
        for tag, key in (("w:b", "bold"), ("w:i", "italic")):
            v = is_on(rpr.find(qn(tag)))
            if v is not None:
                props[key] = v
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None and fonts.get(qn("w:ascii")):
            props["font"] = fonts.get(qn("w:ascii"))


_W = f"{{{W_NS}}}"
_SPACING, _IND, _PBDR, _VAL = (_W + t for t in ("spacing", "ind", "pBdr", "val"))
_LINE, _LINE_RULE = _W + "line", _W + "lineRule"
#: lengths read in twentieths of a point: (attribute, property, sign), for w:spacing and w:ind
_TWIPS = {_SPACING: ((_W + "before", "before", 1), (_W + "after", "after", 1)),
          _IND: ((_W + "left", "left", 1), (_W + "right", "right", 1),
                 (_W + "hanging", "first", -1))}
_SZ, _SPACE = _W + "sz", _W + "space"
_BORDERS = ((_W + "top", "border_top"), (_W + "bottom", "border_bottom"))
#: the on/off paragraph properties read, by Clark name
_ON_OFF = {_W + "keepNext": "keep_next", _W + "keepLines": "keep_lines",
           _W + "pageBreakBefore": "break_before", _W + "widowControl": "widow"}


def _apply_ppr(props: dict, ppr: Element) -> None:
    # one pass over the children, the first of each name read (as find() reads it): a
    # paragraph's pPr holds two or three, and a find() each for seven names cost more than
    # the rest of measuring its properties
    seen: set[object] = set()
    for c in ppr:
        tag = c.tag
        if tag in seen:
            continue
        seen.add(tag)
        lengths = _TWIPS.get(tag)
        if lengths is not None:
            for attr, key, sign in lengths:
                length = c.get(attr)
                if length is not None:
                    props[key] = sign * int(length) / 20
            line = c.get(_LINE) if tag == _SPACING else None
            if line is not None:
                if c.get(_LINE_RULE) == "exact":  # in twips: the line is that tall
                    props["exact"] = int(line) / 20
                else:  # in 240ths of the font's line
                    props["line"] = int(line) / 240
                    props["exact"] = 0.0
        elif tag == _PBDR:  # a border and its space above or below the text add height
            for side, name in _BORDERS:
                e = c.find(side)
                if e is not None:
                    props[name] = 0.0 if e.get(_VAL) in ("nil", "none") else \
                        int(e.get(_SZ, "0")) / 8 + int(e.get(_SPACE, "0"))
        else:
            flag = _ON_OFF.get(tag)
            if flag is not None:
                props[flag] = is_on(c)


class StyleSheet:
    """Resolved paragraph properties of the styles in styles.xml (basedOn chains merged)."""

    def __init__(self, styles: Element) -> None:
        self.by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
        dd = styles.find(qn("w:docDefaults"))
        self.defaults: dict = {"size": 10.0, "bold": False, "italic": False, "font": "",
                               "before": 0.0, "after": 0.0, "line": 1.0, "left": 0.0,
                               "right": 0.0, "first": 0.0, "keep_next": False,
                               "keep_lines": False, "break_before": False, "widow": False,
                               "exact": 0.0, "border_top": 0.0, "border_bottom": 0.0}
        if dd is not None:
            apply_props(self.defaults, dd.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}"),
                        dd.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}"))
        self._cache: dict[str, dict] = {}

    def _chain(self, style_id: str) -> list[Element]:
        """The style and the styles it is ``basedOn``, the furthest first (at most 20: a
        loop in a reference document's styles ends there)."""
        chain: list[Element] = []
        st = self.by_id.get(style_id)
        while st is not None and len(chain) < 20:
            chain.append(st)
            based = st.find(qn("w:basedOn"))
            st = self.by_id.get(based.get(qn("w:val"))) if based is not None else None
        return chain[::-1]

    def para(self, style_id: str | None) -> dict:
        style_id = style_id or "Normal"
        if style_id not in self._cache:
            props = dict(self.defaults)
            for st in self._chain(style_id):
                apply_props(props, st.find(qn("w:pPr")), st.find(qn("w:rPr")))
            self._cache[style_id] = props
        return self._cache[style_id]

    def cell_margins(self, style_id: str) -> tuple[float, float, float, float]:
        """(top, bottom, left, right) cell margins of a table style, in points."""
        st = self.by_id.get(style_id)
        mar = st.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}") if st is not None else None
        out = {"top": 0.0, "bottom": 0.0, "left": _DEFAULT_CELL_SIDE,
               "right": _DEFAULT_CELL_SIDE}
        if mar is not None:
            for side in out:
                e = mar.find(qn(f"w:{side}"))
                if e is not None:
                    out[side] = int(e.get(qn("w:w"))) / 20
        return out["top"], out["bottom"], out["left"], out["right"]

    def row_rules(self, style_id: str) -> tuple[float, float, float]:
        """(top, between rows, bottom) rule widths of a table style (``basedOn`` followed),
        in points; a rule that is nil or none is 0."""
        widths = {"top": 0.0, "insideH": 0.0, "bottom": 0.0}
        for st in self._chain(style_id):
            borders = st.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
            if borders is None:
                continue
            for side in widths:
                e = borders.find(qn(f"w:{side}"))
                if e is not None:
                    widths[side] = 0.0 if e.get(qn("w:val")) in ("nil", "none") else \
                        int(e.get(qn("w:sz"), "0")) / 8
        return widths["top"], widths["insideH"], widths["bottom"]

    def band_shading(self, style_id: str) -> tuple[Element | None, Element | None]:
        """The cell shading (``w:shd``) a table style gives its odd and its even banded rows
        (``band1Horz``, ``band2Horz``; ``basedOn`` followed), None where it gives none."""
        found: dict[str, Element | None] = {"band1Horz": None, "band2Horz": None}
        for st in self._chain(style_id):
            for pr in st.findall(qn("w:tblStylePr")):
                kind = pr.get(qn("w:type"))
                e = pr.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
                if kind in found and e is not None:
                    found[kind] = e
        return found["band1Horz"], found["band2Horz"]


def paragraph_props(sheet: StyleSheet, p: Element) -> dict:
    """A paragraph's resolved properties: its style's (``sheet``) with its own over them."""
    ppr = p.find(qn("w:pPr"))
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    props = dict(sheet.para(style.get(qn("w:val")) if style is not None else None))
    if ppr is not None:
        apply_props(props, ppr, None)
    return props
