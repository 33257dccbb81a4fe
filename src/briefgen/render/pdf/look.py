"""The look of one render: the paragraph styles, colours and table rules derived from a
:class:`~briefgen.style.Style` (fonts: bundled or the analyst's TrueType families, registered
once per process by :func:`..graphics.faces`, which the charts share)."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from ...style import Style
from ..graphics import faces

__all__ = ["Look", "hex_colour"]


def hex_colour(c: str) -> colors.Color:
    return colors.HexColor(c)


class Look:
    """The paragraph styles and colours of one render, derived from a Style."""

    def __init__(self, style: Style):
        self.style = style
        self.body_faces = faces(style.fonts.body)
        self.head_faces = faces(style.fonts.headings)
        c = style.colours
        self.text = hex_colour(c.text)
        self.muted = hex_colour(c.muted)
        self.link = c.link
        self.rule = hex_colour(c.rule)
        self.headings = hex_colour(c.headings)
        self.header_bg = hex_colour(c.table_header_bg)
        self.header_text = hex_colour(c.table_header_text)
        self.stripe = hex_colour(c.table_stripe)
        self.box_bg = hex_colour(c.box_bg)
        self.box_border = hex_colour(c.box_border)
        self.p: dict[str, ParagraphStyle] = {}
        self._text_styles()
        self._heading_styles()
        self.toc = self._toc_styles()
        # tables set their cell font even when every cell holds paragraphs: name ours, or an
        # unembedded Helvetica creeps into the file
        self.table_font = [("FONTNAME", (0, 0), (-1, -1), self.body_faces.regular),
                           ("FONTSIZE", (0, 0), (-1, -1), style.sizes.base)]

    def _ps(self, name: str, parent: ParagraphStyle | None = None, **kw: Any) -> ParagraphStyle:
        body, base = self.body_faces, self.style.sizes.base
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
            kw["leading"] = kw["fontSize"] * self.style.sizes.leading
        return ParagraphStyle(f"briefgen-{name}", parent=parent, **kw)

    def _text_styles(self) -> None:
        ps, p, body = self._ps, self.p, self.body_faces
        sz = self.style.sizes
        base = sz.base
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

    def _heading_styles(self) -> None:
        ps, p, body, head = self._ps, self.p, self.body_faces, self.head_faces
        sz = self.style.sizes
        base = sz.base
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

    def _toc_styles(self) -> list[ParagraphStyle]:
        body, base = self.body_faces, self.style.sizes.base
        return [self._ps(f"toc{level}", self.p["body"],
                         fontName=body.bold if level == 0 else body.regular,
                         fontSize=base if level == 0 else base * 0.95,
                         leftIndent=level * base * 1.6, rightIndent=base * 3,
                         spaceBefore=base * 0.5 if level == 0 else 0, spaceAfter=base * 0.15)
                for level in range(3)]

    def table_rules(self) -> list[tuple[Any, ...]]:
        """The rules of a data table, by ``tables.rules``: ``grid``, every cell border (as the
        DOCX draws it); ``horizontal``, no vertical line at all: a rule under every row, and a
        heavier one in the header colour above the header and under the last row (as the DOCX
        renderer's BriefingTable)."""
        if self.style.tables.rules == "grid":
            return [
                ("INNERGRID", (0, 0), (-1, -1), 0.5, self.rule),
                ("BOX", (0, 0), (-1, -1), 0.5, self.rule),
            ]
        return [
            ("LINEABOVE", (0, 0), (-1, 0), 1.0, self.header_bg),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, self.rule),
            ("LINEBELOW", (0, -1), (-1, -1), 1.0, self.header_bg),
        ]

    def stripes(self) -> list[tuple[Any, ...]]:
        """``tables.stripes``: every second body row shaded, the first body row left white."""
        if not self.style.tables.stripes:
            return []
        return [("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, self.stripe])]
