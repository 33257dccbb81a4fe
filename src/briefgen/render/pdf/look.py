"""The stylesheet in ReportLab's terms: a paragraph style per role of the resolved
:class:`~briefgen.render.stylesheet.Stylesheet`, colours, and table rules. Nothing here holds a
size, ratio or padding of its own: every value comes from the stylesheet (fonts: bundled or the
analyst's TrueType families, registered once per process by :func:`..graphics.faces`, which the
charts share)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from ..graphics import Faces, faces
from ..stylesheet import Role, Stylesheet

__all__ = ["Look", "hex_colour"]

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}


@lru_cache(maxsize=256)
def hex_colour(c: str) -> colors.Color:
    return colors.HexColor(c)


def face(fam: Faces, bold: bool, italic: bool) -> str:
    """The ReportLab font name of a family's face."""
    if bold and italic:
        return fam.bold_italic
    if bold:
        return fam.bold
    return fam.italic if italic else fam.regular


def paragraph_style(role: Role) -> ParagraphStyle:
    """A role as a ReportLab paragraph style (widows and orphans never allowed; a bullet, as
    a note's number, in the role's own regular face and size)."""
    fam = faces(role.family)
    return ParagraphStyle(
        f"briefgen-{role.name}", fontName=face(fam, role.bold, role.italic),
        fontSize=role.size, leading=role.leading, textColor=hex_colour(role.colour),
        alignment=_ALIGN[role.align], allowWidows=0, allowOrphans=0,
        spaceBefore=role.space_before, spaceAfter=role.space_after,
        leftIndent=role.left_indent, rightIndent=role.right_indent,
        keepWithNext=int(role.keep_with_next), bulletFontName=fam.regular,
        bulletFontSize=role.size, bulletIndent=0)


class Look:
    """The paragraph styles (by role name) and table looks of one render."""

    def __init__(self, sheet: Stylesheet):
        self.sheet = sheet
        self.body_faces = faces(sheet.body_family)
        self.p: dict[str, ParagraphStyle] = {
            name: paragraph_style(role) for name, role in sheet.roles.items()}
        self.toc = [self.p[f"toc{level}"] for level in (1, 2, 3)]
        body = sheet.role("body")
        # tables set their cell font even when every cell holds paragraphs: name ours, or an
        # unembedded Helvetica creeps into the file
        self.table_font = [("FONTNAME", (0, 0), (-1, -1), self.body_faces.regular),
                           ("FONTSIZE", (0, 0), (-1, -1), body.size)]

    def table_rules(self) -> list[tuple[Any, ...]]:
        """The rules of a data table, by ``tables.rules``: ``grid``, every cell border;
        ``horizontal``, no vertical line at all: a rule under every row, and a heavier one in
        the header colour above the header and under the last row."""
        t = self.sheet.table
        rule, heavy = hex_colour(t.rule_colour), hex_colour(t.header_fill)
        if t.rules == "grid":
            return [
                ("INNERGRID", (0, 0), (-1, -1), t.rule_width, rule),
                ("BOX", (0, 0), (-1, -1), t.rule_width, rule),
            ]
        return [
            ("LINEABOVE", (0, 0), (-1, 0), t.heavy_rule_width, heavy),
            ("LINEBELOW", (0, 0), (-1, -1), t.rule_width, rule),
            ("LINEBELOW", (0, -1), (-1, -1), t.heavy_rule_width, heavy),
        ]

    def stripes(self) -> list[tuple[Any, ...]]:
        """``tables.stripes``: every second body row shaded, the first body row left white."""
        t = self.sheet.table
        if not t.stripes:
            return []
        return [("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, hex_colour(t.stripe_fill)])]
