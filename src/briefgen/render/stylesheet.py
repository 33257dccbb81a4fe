"""The resolved stylesheet: a :class:`~briefgen.style.Style` (the analyst's data) turned, once,
into the presentation rules every renderer reads.

Where does a caption get its font? Here, for every format: :func:`resolve` names each *role*
(``body``, ``caption``, ``h2``, ``cell``, ``note`` ...) with its font family, weight, slant,
size, leading, colour, spacing and indents, and each *block look* (tables, boxes, quotes, the
title block, lists, figures, the logo, the page furniture) with its padding, rule widths and
ratios, as named values in points. A renderer maps these values to its library (ReportLab
paragraph styles, Word style definitions, CSS) and holds no size, ratio or padding of its own.

Only this module turns the style's few numbers (base size, the leading multiple, the heading
sizes) into the many a page needs; change a proportion here and both formats follow, which
``tests/test_stylesheet_parity.py`` checks by reading the PDF and the DOCX back.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

import msgspec

from ..style import MarkingLook, Style, marking_look

__all__ = [
    "BoxLook", "ChangeBarLook", "FigureLook", "FootnoteLook", "FurnitureLook", "ListLook",
    "LogoLook",
    "QuoteLook", "Role",
    "Stylesheet", "TableLook", "TitleBlockLook", "resolve",
]

Align = Literal["left", "center", "right", "justify"]


class Role(msgspec.Struct, frozen=True):
    """The look of one kind of text. Lengths are in points; ``leading`` is the distance from
    baseline to baseline (``line_multiple`` is the same as a multiple of ``size``)."""

    name: str
    family: str  # a style font key: resolve with briefgen.fonts.family(); see Stylesheet.font
    size: float
    leading: float
    colour: str  # "#RRGGBB"
    bold: bool = False
    italic: bool = False
    space_before: float = 0.0
    space_after: float = 0.0
    left_indent: float = 0.0
    right_indent: float = 0.0
    keep_with_next: bool = False
    align: Align = "left"

    @property
    def line_multiple(self) -> float:
        return self.leading / self.size


class TableLook(msgspec.Struct, frozen=True):
    """Data tables: cell padding, rules (``grid``: every border; ``horizontal``: a rule under
    each row, heavier above the header and under the last row), header and stripe fills."""

    rules: Literal["grid", "horizontal"]
    stripes: bool
    pad_left: float
    pad_right: float
    pad_top: float
    pad_bottom: float
    rule_width: float
    heavy_rule_width: float
    rule_colour: str
    header_fill: str
    header_text: str
    stripe_fill: str
    space_before: float
    space_after: float
    nested_width: float  # a table inside a box or cell takes this share of the width
    min_split_lines: int  # a row taller than a page splits only with this many lines each side
    #: a body row shorter than this share of the text frame never stands alone on a page
    #: under its table's header (at the foot of one page or the top of the next)
    lone_row_share: float = 0.25
    #: a body row shorter than this share of the text frame is never split across pages (it
    #: moves whole: a row split for a few lines leaves empty cells under the repeated header)
    whole_row_share: float = 0.4
    #: a table (header and body) shorter than this share of the text frame is never split
    #: across pages: it moves whole, with what keeps with it (a seven-row scale split two and
    #: five at a page's foot, where the next page has room for all of it)
    whole_table_share: float = 0.3


class BoxLook(msgspec.Struct, frozen=True):
    """A framed box (summary, note, warning)."""

    fill: str
    border: str
    border_width: float
    pad_left: float
    pad_right: float
    pad_top: float
    pad_bottom: float
    space_before: float
    space_after: float


class QuoteLook(msgspec.Struct, frozen=True):
    """A block quotation: a rule at its left, the text set in from it."""

    rule_width: float
    rule_colour: str
    rule_gap: float  # from the rule to the text
    indent_right: float
    space_before: float
    space_after: float
    attribution_prefix: str  # printed before the attribution (an em dash and a no-break space)
    pad_top: float = 2.0  # from the top of the rule to the first line's top
    pad_bottom: float = 0.0


class TitleBlockLook(msgspec.Struct, frozen=True):
    """The top sheet's labelled fields: a two-column table with rules."""

    label_share: float  # the label column's share of the text width
    row_pad: float
    outer_rule_width: float
    outer_rule_colour: str
    inner_rule_width: float
    inner_rule_colour: str
    space_before: float
    space_after: float
    column_gap: float = 6.0  # between the label and the value column
    space_after_bare: float = 0.0  # after a title block without fields


class ListLook(msgspec.Struct, frozen=True):
    bullet: str
    bullet_indent_em: float  # text indent of a bulleted list, in ems of its text size
    ordered_indent_em: float
    lettered_extra_em: float  # (a), (b) lists are set in this much further
    item_space_after: float  # between items
    space_after_em: float  # after the list, in ems
    #: a list of this many items or fewer, short (see TableLook.lone_row_share), is never
    #: split across pages: one item alone at a page's foot reads as a fault
    keep_items: int = 3


class HangLook(msgspec.Struct, frozen=True):
    """Numbered paragraphs: the number hung in the margin, the text in one column."""

    min_indent: float
    gap: float  # between the widest number and the text


class FigureLook(msgspec.Struct, frozen=True):
    dpi: int  # raster formats (the DOCX) rasterise drawings at this resolution
    caption_lines: int  # room kept on the page for a caption of this many lines
    space_before: float
    space_after: float
    nested_width: float
    caption_gap: float = 4.0  # between the drawing and its caption
    min_height_share: float = 0.25  # a drawing is never scaled below this share of the page


class LogoLook(msgspec.Struct, frozen=True):
    width: float
    max_height_share: float  # of the text height
    space_after: float
    alt: str


class FurnitureLook(msgspec.Struct, frozen=True):
    """Running header and footer: rules, the footer line and the marking banners."""

    size: float
    colour: str
    rule_width: float
    rule_colour: str
    rule_offset: float  # from the text frame to the header/footer rule (at most)
    min_footer_size: float  # a long footer text shrinks to this before it is shortened
    marking_pad: float  # the padding of a TLP label's filled block, as a share of its size
    # where things sit in the margins (shares of the margin, or ems of the text they place)
    rule_offset_share: float = 0.2  # the rule's offset is at most this share of the margin
    footer_drop_em: float = 1.35  # the footer line's baseline below the footer rule
    footer_gap: float = 18.0  # between the footer text and the page label
    footer_shrink_step: float = 0.25  # a long footer text shrinks by this much at a time
    marking_top_share: float = 0.42  # the header marking's centre below the page top
    marking_bottom_share: float = 0.36  # the footer marking's centre above the page bottom
    marking_clear_em: float = 1.2  # the footer marking's centre below the footer baseline
    marking_min_em: float = 0.9  # ... and at least this far above the page edge
    marking_baseline_em: float = 0.35  # a marking's baseline below its centre (capitals)
    marking_box_em: float = 1.6  # the height of a TLP label's filled block
    #: what printers leave unprinted at a sheet's edges (about 4.2 mm, a laser printer's): a
    #: marking's block, or its capitals, stays inside it, or the marking is cut off on paper
    print_margin: float = 12.0

    def marking_half(self, size: float, filled: bool) -> float:
        """Half the height of a marking of ``size`` points: its filled block, or its
        capitals."""
        return size * (self.marking_box_em if filled else 1.0) / 2

    def marking_top(self, top_margin: float, size: float, filled: bool) -> float:
        """The header marking's centre, in points below the page's top edge."""
        return max(top_margin * self.marking_top_share,
                   self.print_margin + self.marking_half(size, filled))

    def footer(self, bottom_margin: float, size: float | None,
               filled: bool) -> tuple[float, float, float | None]:
        """Where the footer's parts sit, in points above the page's bottom edge: its rule,
        its line's baseline and its marking's centre (None without a marking, ``size``
        None). The marking sits in the margin's lower part, clear of the footer line, and
        never in the strip a printer leaves unprinted; where that strip pushes it up, the
        footer line and its rule move up with it."""
        rule = bottom_margin - min(self.rule_offset, bottom_margin * self.rule_offset_share)
        baseline = rule - self.size * self.footer_drop_em
        if size is None:
            return rule, baseline, None
        clear = size * self.marking_clear_em
        centre = max(min(bottom_margin * self.marking_bottom_share, baseline - clear),
                     size * self.marking_min_em)
        safe = self.print_margin + self.marking_half(size, filled)
        if centre < safe:
            centre = safe
            if baseline < centre + clear:
                baseline = centre + clear
                rule = baseline + self.size * self.footer_drop_em
        return rule, baseline, centre


class FootnoteLook(msgspec.Struct, frozen=True):
    """Footnotes at the foot of the page (the PDF lays them out; Word does its own)."""

    separator: float  # the separator rule and the space around it
    rule_at: float  # the rule's place in that space, as a share from its top
    rule_width: float
    rule_colour: str
    rule_length: float  # at most this long ...
    rule_share: float  # ... and at most this share of the text width
    gap: float  # between notes
    max_share: float  # notes take at most this share of the text height (the rest carries on)


class ChangeBarLook(msgspec.Struct, frozen=True):
    """Change bars (the style's ``changes.bars``) beside the lines of the PDF that changed."""

    width: float = 1.5
    gap: float = 8.0  # from the bar's centre to the text's left edge
    colour: str = "#000000"
    above: float = 0.8  # the bar runs from this share of a line's leading above its baseline
    below: float = 0.25  # ... to this share below it


class Stylesheet(msgspec.Struct, frozen=True):
    """Everything a renderer needs to know about the look of a pack."""

    style: Style
    roles: Mapping[str, Role]
    table: TableLook
    boxes: Mapping[str, BoxLook]
    quote: QuoteLook
    title_block: TitleBlockLook
    lists: ListLook
    hang: HangLook
    figure: FigureLook
    logo: LogoLook | None
    furniture: FurnitureLook
    link_colour: str
    contents_number_width: float  # the contents' page-number column
    contents_indent: float  # per level
    contents_space_after: float = 0.0  # after the contents
    link_target_lift: float = 4.0  # a link to a heading shows this much above its top
    #: the gap (a no-break space this wide) between a digit and the note mark after it, so
    #: that "2023" and mark "1" never read as "20231", on the page or in the extracted text
    mark_gap: float = 1.0
    #: the fewest lines of body text a last page holds: a short end (the sources heading and
    #: its list) that would start a page alone carries the last lines of the block before it
    #: (the DOCX: an end of at most this many paragraphs keeps with the last table row)
    last_page_lines: int = 8
    footnotes: FootnoteLook = FootnoteLook(separator=12.6, rule_at=0.45, rule_width=0.5,
                                           rule_colour="#000000", rule_length=144.0,
                                           rule_share=1 / 3, gap=3.0, max_share=0.6)
    extra: Mapping[str, float] = msgspec.field(default_factory=lambda: MappingProxyType({}))
    change_bars: ChangeBarLook | None = None  # None: no change bars

    def role(self, name: str) -> Role:
        return self.roles[name]

    def marking(self, scheme: str, label: str) -> MarkingLook:
        return marking_look(scheme, label, self.style)

    @property
    def body_family(self) -> str:
        return self.style.fonts.body

    @property
    def heading_family(self) -> str:
        return self.style.fonts.headings


def _half(points: float) -> float:
    """Word stores sizes in half points: sizes are rounded so that both formats agree."""
    return round(points * 2) / 2


def _roles(style: Style) -> dict[str, Role]:
    """Every text role of ``style``: its font, weight, slant, size, leading, colour and
    spacing, in points."""
    z, c = style.sizes, style.colours
    body, head = style.fonts.body, style.fonts.headings
    base = _half(z.base)
    small = _half(z.small)
    lead = z.leading
    roles: dict[str, Role] = {}

    def add(name: str, size: float, *, family: str = body, colour: str = c.text,
            leading: float | None = None, **kw: object) -> None:
        size = _half(size)
        roles[name] = Role(name=name, family=family, size=size,
                           leading=size * lead if leading is None else leading,
                           colour=colour, **kw)  # type: ignore[arg-type]

    add("body", base, space_after=base * 0.6)
    add("lead", base * 1.15, space_after=base * 0.8)
    add("small", small, colour=c.muted, space_after=small * 0.5)
    add("marking", base, bold=True, space_after=base * 0.8)  # the marking sentence in the body
    add("caption", small, colour=c.muted, italic=True, space_before=small * 0.6,
        space_after=small * 0.4, keep_with_next=True)
    add("attribution", small, colour=c.muted, space_after=base * 0.8)
    add("quote", base, space_after=base * 0.4)
    cell = max(small, base - 1)
    add("cell", cell, space_after=cell * 0.35)
    add("cell-small", min(cell, small), colour=c.text, space_after=cell * 0.35)
    add("cell-caption", min(cell, small), colour=c.muted, italic=True, space_after=cell * 0.35)
    add("th", cell, bold=True, colour=c.table_header_text, space_after=cell * 0.35,
        keep_with_next=True)
    add("note", small, space_after=small * 0.4, left_indent=small * 2.6)
    add("title", z.title, family=head, bold=True, colour=c.headings,
        leading=_half(z.title) * 1.15, space_after=_half(z.title) * 0.3, keep_with_next=True)
    add("subtitle", z.subtitle, family=head, colour=c.muted,
        space_after=_half(z.subtitle) * 0.9, keep_with_next=True)
    add("meta-label", small, bold=True, colour=c.muted, keep_with_next=True)
    add("meta-value", base * 0.95)
    add("box-title", base * 1.05, family=head, bold=True, colour=c.headings,
        space_after=base * 0.4, keep_with_next=True)
    add("box-text", base, space_after=base * 0.4)
    for level, size, before, after in ((1, z.h1, 1.3, 0.45), (2, z.h2, 1.1, 0.45),
                                       (3, z.h3, 0.9, 0.45)):
        s = _half(size)
        add(f"h{level}", s, family=head, bold=True, colour=c.headings, leading=s * 1.2,
            space_before=s * before, space_after=s * after, keep_with_next=True)
    h1 = roles["h1"]
    roles["contents-title"] = msgspec.structs.replace(h1, name="contents-title")
    for level in (1, 2, 3):
        add(f"toc{level}", base if level == 1 else base * 0.95, bold=level == 1,
            left_indent=(level - 1) * base * 1.6, right_indent=base * 3,
            space_before=base * 0.5 if level == 1 else 0.0, space_after=base * 0.15)
    add("header-footer", z.header_footer, colour=c.muted)
    add("marking-banner", z.marking, family=head, bold=True, leading=z.marking * 1.2)
    return roles


def resolve(style: Style) -> Stylesheet:
    """The presentation rules of ``style``: every role and block look, in points."""
    z, c = style.sizes, style.colours
    base = _half(z.base)
    small = _half(z.small)
    roles = _roles(style)
    boxes = {
        role: BoxLook(fill=c.box_bg, border=c.box_border,
                      border_width=1.6 if role == "warning" else 1.0,
                      pad_left=10.0, pad_right=10.0, pad_top=8.0, pad_bottom=4.0,
                      space_before=4.0, space_after=base)
        for role in ("summary", "note", "warning")
    }
    logo = None
    if style.cover.logo is not None:
        logo = LogoLook(width=style.cover.logo_width, max_height_share=0.25, space_after=base,
                        alt="Logo")
    return Stylesheet(
        style=style,
        roles=MappingProxyType(roles),
        table=TableLook(rules=style.tables.rules, stripes=style.tables.stripes,
                        pad_left=5.0, pad_right=5.0, pad_top=4.0, pad_bottom=3.0,
                        rule_width=0.5, heavy_rule_width=1.0, rule_colour=c.rule,
                        header_fill=c.table_header_bg, header_text=c.table_header_text,
                        stripe_fill=c.table_stripe, space_before=2.0, space_after=base,
                        nested_width=0.9, min_split_lines=4),
        boxes=MappingProxyType(boxes),
        quote=QuoteLook(rule_width=2.5, rule_colour=c.rule, rule_gap=12.0, indent_right=18.0,
                        space_before=4.0, space_after=base * 0.8,
                        attribution_prefix="\u2014\u00a0"),
        title_block=TitleBlockLook(label_share=0.27, row_pad=3.5, outer_rule_width=1.2,
                                   outer_rule_colour=c.headings, inner_rule_width=0.4,
                                   inner_rule_colour=c.rule, space_before=4.0,
                                   space_after=base * 1.4, column_gap=6.0,
                                   space_after_bare=base),
        lists=ListLook(bullet="\u2022", bullet_indent_em=1.5, ordered_indent_em=2.0,
                       lettered_extra_em=0.5, item_space_after=base * 0.3, space_after_em=0.75),
        hang=HangLook(min_indent=base * 2.5, gap=base * 0.8),
        figure=FigureLook(dpi=200, caption_lines=3, space_before=4.0, space_after=base,
                          nested_width=0.85),
        logo=logo,
        furniture=FurnitureLook(size=z.header_footer, colour=c.muted, rule_width=0.5,
                                rule_colour=c.rule, rule_offset=8.0, min_footer_size=6.5,
                                marking_pad=0.45),
        link_colour=c.link,
        contents_number_width=base * 3,
        contents_indent=base * 1.6,
        contents_space_after=base,
        link_target_lift=4.0,
        footnotes=FootnoteLook(separator=small * 1.4, rule_at=0.45, rule_width=0.5,
                               rule_colour=c.rule, rule_length=144.0, rule_share=1 / 3,
                               gap=3.0, max_share=0.6),
        change_bars=ChangeBarLook(colour=c.headings) if style.changes.bars else None,
    )
