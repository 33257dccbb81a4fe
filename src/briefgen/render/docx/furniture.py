"""Page furniture: the header (a reference's logo, the handling marking) and the footer
(footer text, the page label at the right margin, the marking again)."""

from __future__ import annotations

from typing import Any

import msgspec
from docx.shared import Pt

from ...fonts import family_draws
from ..bidi import has_rtl, rtl_runs
from .context import Context
from .docx_adapter import Element, story_element
from .fields import page_fields
from .inlines import mark_rtl
from .ooxml import PPR_ORDER, eighths, el, put, qn, val
from .reference import Logo
from .stylebook import StyleBook, ppr
from .typefaces import ascent
from .writer import Fmt, run, text_runs

__all__ = ["Geometry", "furniture_geometry", "marking_block", "write_header_footer"]


def write_header_footer(section: Any, ctx: Context, book: StyleBook,
                        logo: Logo) -> list[Element]:
    """Write the section's header and footer; returns the NUMPAGES fields' cached results
    (the page estimate fills them)."""
    _header(section, ctx, logo)
    if not ctx.reference:  # (a reference document's distances are its own)
        where = furniture_geometry(ctx)
        if where.header is not None:
            section.header_distance = Pt(where.header)
        section.footer_distance = Pt(where.footer)
    return _footer(section, ctx, book)


class Geometry(msgspec.Struct, frozen=True):
    """Where the header and footer stand, as the PDF draws them (:mod:`..pdf.furniture`):
    Word and LibreOffice push the body down (up) where the header (footer) reaches past the
    top (bottom) margin, so that the furniture of the PDF's place keeps the PDF's body."""

    header: float | None  # the header's distance from the page top (None: as page_setup)
    footer: float  # the footer's distance from the page bottom
    marking_gap: float  # between the footer line and the footer's marking block
    rule_space: int  # between the footer rule and the footer line's text (whole points)


def marking_block(ctx: Context) -> float:
    """The height of the marking's paragraph: its line and, for a label on a coloured
    block, the block's padding and edges above and below."""
    fl, look = ctx.sheet.furniture, ctx.look
    h = look.size * ctx.sheet.role("marking-banner").line_multiple
    if look.background:
        h += 2 * (round(look.size * fl.marking_pad) + eighths(fl.rule_width) / 8)
    return h


def furniture_geometry(ctx: Context) -> Geometry:
    """The header's and footer's distances from the page edges, the footer rule's space and
    the marking's gap below the footer line, placing the header's marking, the footer rule
    and line and the footer's marking where the PDF draws them: the marking blocks centred
    on the PDF's marking centres, the footer line on the PDF's footer baseline."""
    fl, m = ctx.sheet.furniture, ctx.style.page.margins
    font = ctx.fonts.name(ctx.sheet.role("header-footer").family)
    asc = ascent(font, ctx.fonts.families, fl.size)
    rule_space = max(0, round(fl.size * fl.footer_drop_em - asc))
    below = ctx.sheet.role("header-footer").leading - asc  # the footer line below its baseline
    if ctx.marking is None:
        _rule, baseline, _none = fl.footer(m.bottom, None, False)
        return Geometry(None, max(0.0, baseline - below), 0.0, rule_space)
    size, block = ctx.look.size, marking_block(ctx)
    filled = bool(ctx.look.background)
    top = fl.marking_top(m.top, size, filled)
    _rule, baseline, centre = fl.footer(m.bottom, size, filled)
    assert centre is not None
    # the word processor's shaded block is taller than the PDF's: kept out of the strip a
    # printer leaves unprinted as well, it sits a little further in than the PDF's
    footer = max(fl.print_margin, centre - block / 2)
    gap = max(0.0, baseline - below - (footer + block))
    return Geometry(max(fl.print_margin, top - block / 2), footer, gap, rule_space)


def _marking_para(ctx: Context) -> Element:
    p = el("w:p", None, ppr(val("w:pStyle", "MarkingBanner")))
    _bidi_runs(ctx, ctx.look.text, p)
    return p


def _bidi_runs(ctx: Context, text: str, p: Element) -> None:
    """``text`` as runs, its right-to-left runs marked as body text's are (``w:rtl`` and the
    complex-script font of the first family of the chain that draws their letters)."""
    if not has_rtl(text):
        text_runs(text, Fmt(), p)
        return
    for part, rtl in rtl_runs(text):
        start = len(p)
        text_runs(part, Fmt(), p)
        if rtl:
            letters = {c for c in part if has_rtl(c)}
            font = next((fam.name for fam in ctx.style.fonts.chain("body")
                         if family_draws(fam, letters)), None)
            for r in p[start:]:
                mark_rtl(r, font)


def _emptied(story: Any) -> Element:
    story.is_linked_to_previous = False
    root = story_element(story)
    for child in list(root):
        root.remove(child)
    return root


def _header(section: Any, ctx: Context, logo: Logo) -> None:
    hdr = _emptied(section.header)
    if logo.inline:  # the reference's logo, on its own line above the marking
        items = [val("w:pStyle", "Header")]
        if logo.jc:
            items.append(val("w:jc", logo.jc))
        hdr.append(el("w:p", None, ppr(*items), *logo.inline))
    last = _marking_para(ctx) if ctx.marking is not None else \
        el("w:p", None, ppr(val("w:pStyle", "Header")))
    for r in logo.anchored:  # floating pictures: placed where the reference put them
        last.append(r)
    hdr.append(last)


def _footer(section: Any, ctx: Context, book: StyleBook) -> list[Element]:
    ftr = _emptied(section.footer)
    # the page number at the right margin whatever tab stops the footer style has
    p = el("w:p", None, ppr(val("w:pStyle", "Footer"),
                            _only_tab(book, "Footer", "right", ctx.text_w)))
    if ctx.meta.footer_text:
        _bidi_runs(ctx, ctx.meta.footer_text, p)
    p.append(run(Fmt(), el("w:tab")))
    numpages = page_fields(ctx.meta.label("page_x_of_y", "Page {page} of {total}"), p)
    ftr.append(p)
    if ctx.marking is not None:
        mp = _marking_para(ctx)
        # set off from the page label by the marking's own padding (a reference's footer);
        # else where the PDF draws it
        gap = ctx.look.size * ctx.sheet.furniture.marking_pad if ctx.reference else \
            furniture_geometry(ctx).marking_gap
        banner = ctx.sheet.role("marking-banner")
        put(mp.find(qn("w:pPr")),
            book.spacing(gap, 0, book.line(banner.name, banner.line_multiple)), PPR_ORDER)
        ftr.append(mp)
    return numpages


def _only_tab(book: StyleBook, style_id: str, kind: str, pos: int) -> Element:
    """Direct tab stops for a paragraph in ``style_id``: one ``kind`` stop at ``pos``,
    the style's other stops cleared (a reference's footer style has its own)."""
    inherited: list[str] = []
    sid: str | None = book.mapped(style_id)
    seen: set[str] = set()
    while sid and sid not in seen:
        seen.add(sid)
        st = book.find(sid)
        if st is None:
            break
        for t in st.iterfind(f"{qn('w:pPr')}/{qn('w:tabs')}/{qn('w:tab')}"):
            if t.get(qn("w:val")) != "clear":
                inherited.append(t.get(qn("w:pos")))
        based = st.find(qn("w:basedOn"))
        sid = based.get(qn("w:val")) if based is not None else None
    stops = {int(x): "clear" for x in inherited if x and x.lstrip("-").isdigit()}
    stops[pos] = kind
    return el("w:tabs", None, *(el("w:tab", {"w:val": v, "w:pos": str(at)})
                                for at, v in sorted(stops.items())))
