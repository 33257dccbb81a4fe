"""The HTML edition's CSS, written from the resolved stylesheet: one class per text role, the
block looks (tables, boxes, quotes, the title block), a layout that reflows down to 320 px and
200 % zoom, and print rules that put the handling marking at the top and bottom of every
printed page (CSS page-margin boxes) with "Page X of Y" in the footer."""

from __future__ import annotations

import re

from ...fonts import family
from ..stylesheet import Role, Stylesheet

_GENERIC = {"dejavu-serif": "serif"}


def font_stack(key: str) -> str:
    """A CSS font-family list for a style font key: the family's own name, then a generic."""
    try:
        name = family(key).name
    except KeyError:
        name = key
    generic = _GENERIC.get(key, "serif" if "serif" in name.casefold()
                           and "sans" not in name.casefold() else "sans-serif")
    return f"\"{css_string(name)}\", {generic}"


def css_string(text: str) -> str:
    """``text`` safe inside a double-quoted CSS string."""
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 0x20 or ch in "\u2028\u2029" or ch == "<":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "".join(out)


def _pt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") + "pt"


def _role_rule(selector: str, r: Role) -> str:
    decl = [
        f"font-family: {font_stack(r.family)}",
        f"font-size: {_pt(r.size)}",
        f"line-height: {r.line_multiple:.3f}",
        f"color: {r.colour}",
        f"font-weight: {'bold' if r.bold else 'normal'}",
        f"font-style: {'italic' if r.italic else 'normal'}",
        f"margin: {_pt(r.space_before)} {_pt(r.right_indent)} {_pt(r.space_after)} "
        f"{_pt(r.left_indent)}",
    ]
    return f"{selector} {{ {'; '.join(decl)}; }}"


#: role -> the selectors that take its look
SELECTORS = {
    "body": "main p, .r-body", "lead": ".r-lead", "small": ".r-small",
    "marking": ".r-marking", "caption": "figcaption, caption, .r-caption",
    "attribution": ".quote figcaption, .r-attribution", "quote": "blockquote p",
    "cell": "td, td p", "cell-small": "td .r-small", "cell-caption": "td .r-caption",
    "th": "th, th p", "note": ".notes li", "title": "h1", "subtitle": ".subtitle",
    "meta-label": ".meta dt", "meta-value": ".meta dd", "box-title": ".box .box-title",
    "box-text": ".box p", "h1": "h2", "h2": "h3", "h3": "h4",
    "contents-title": ".contents h2, .notes-section h2", "toc1": ".contents li",
}


def stylesheet_css(sheet: Stylesheet) -> str:
    t, q, tb = sheet.table, sheet.quote, sheet.title_block
    body = sheet.role("body")
    box = sheet.boxes["note"]
    warning = sheet.boxes["warning"]
    rules = [
        "*, *::before, *::after { box-sizing: border-box; }",
        f"html {{ background: #FFFFFF; color: {body.colour}; }}",
        f"body {{ margin: 0 auto; max-width: 46rem; padding: 0 1rem; "
        f"font-family: {font_stack(body.family)}; font-size: {_pt(body.size)}; "
        f"line-height: {body.line_multiple:.3f}; overflow-wrap: break-word; }}",
        ".skip { position: absolute; left: -999rem; }",
        ".skip:focus { position: static; display: inline-block; padding: .5rem; "
        "background: #FFFFFF; }",
        f"a {{ color: {sheet.link_colour}; }}",
        "img, svg { max-width: 100%; height: auto; }",
        ".banner { margin: 0 -1rem; padding: .25rem 1rem; font-weight: bold; }",
    ]
    rules += [_role_rule(sel, sheet.role(role)) for role, sel in SELECTORS.items()]
    rules += [
        "h1, h2, h3, h4 { break-after: avoid; }",
        ".numbered { display: flex; gap: .6em; } .numbered > .num { flex: none; min-width: 2em; }",
        ".meta { display: grid; grid-template-columns: "
        f"minmax(6rem, {tb.label_share * 100:.0f}%) 1fr; gap: 0 .75rem; margin: 0 0 1rem; "
        f"border-top: {_pt(tb.outer_rule_width)} solid {tb.outer_rule_colour}; "
        f"border-bottom: {_pt(tb.outer_rule_width)} solid {tb.outer_rule_colour}; }}",
        f".meta dt, .meta dd {{ margin: 0; padding: {_pt(tb.row_pad)} 0; }}",
        ".table-wrap { overflow-x: auto; margin: 0 0 1em; }",
        "table { border-collapse: collapse; width: 100%; }",
        "caption { text-align: left; }",
        f"th, td {{ vertical-align: top; text-align: left; padding: {_pt(t.pad_top)} "
        f"{_pt(t.pad_right)} {_pt(t.pad_bottom)} {_pt(t.pad_left)}; }}",
        "td p, th p { margin: 0; }",
        f"thead th {{ background: {t.header_fill}; color: {t.header_text}; }}",
    ]
    if t.rules == "grid":
        rules.append(f"th, td {{ border: {_pt(t.rule_width)} solid {t.rule_colour}; }}")
    else:
        rules += [f"tr {{ border-bottom: {_pt(t.rule_width)} solid {t.rule_colour}; }}",
                  f"thead tr {{ border-top: {_pt(t.heavy_rule_width)} solid {t.header_fill}; }}",
                  f"tbody tr:last-child {{ border-bottom: {_pt(t.heavy_rule_width)} solid "
                  f"{t.header_fill}; }}"]
    if t.stripes:
        rules.append(f"tbody tr:nth-child(even) {{ background: {t.stripe_fill}; }}")
    rules += [
        f".box {{ background: {box.fill}; border: {_pt(box.border_width)} solid {box.border}; "
        f"padding: {_pt(box.pad_top)} {_pt(box.pad_right)} {_pt(box.pad_bottom)} "
        f"{_pt(box.pad_left)}; margin: {_pt(box.space_before)} 0 {_pt(box.space_after)}; }}",
        f".box-warning {{ border-width: {_pt(warning.border_width)}; }}",
        f".quote {{ margin: {_pt(q.space_before)} 0 {_pt(q.space_after)}; "
        f"border-left: {_pt(q.rule_width)} solid {q.rule_colour}; "
        f"padding: 0 {_pt(q.indent_right)} 0 {_pt(q.rule_gap)}; }}",
        ".quote blockquote { margin: 0; }",
        "figure { margin: 0 0 1em; }",
        ".contents ol, .contents ul { list-style: none; padding-left: 0; }",
        f".contents ol ol {{ padding-left: {_pt(sheet.contents_indent)}; }}",
        ".notes { padding-left: 2.2em; }",
        ".contents a { display: inline-block; min-height: 24px; padding: 2px 0; }",
        "@media print {",
        "  body { max-width: none; padding: 0; }",
        "  .skip, .banner { display: none; }",
        "  .page-break { break-after: page; }",
        "  a { color: inherit; }",
        "  .table-wrap { overflow: visible; }",
        "  thead { display: table-header-group; }",
        "  tr, figure, .box, .quote { break-inside: avoid; }",
        "}",
    ]
    return "\n".join(rules) + "\n"


def page_rules(sheet: Stylesheet, page_label: str) -> str:
    """@page: the style's paper and margins, the marking in the top and bottom margin boxes,
    the page label at the foot (Chromium draws CSS page-margin boxes)."""
    st = sheet.style
    w, h = st.page.dimensions
    m = st.page.margins
    f = sheet.furniture
    return (f"@page {{ size: {_pt(w)} {_pt(h)}; margin: {_pt(m.top)} {_pt(m.right)} "
            f"{_pt(m.bottom)} {_pt(m.left + m.binding)}; "
            f"@bottom-left {{ content: {_counter_content(page_label)}; font-size: {_pt(f.size)}; "
            f"color: {f.colour}; font-family: {font_stack(sheet.body_family)}; }} }}")


def _counter_content(label: str) -> str:
    """A page label ("Page {page} of {total}") as CSS generated content with page counters."""
    parts = re.split(r"(\{page\}|\{total\})", label)
    out = []
    for part in parts:
        if part == "{page}":
            out.append("counter(page)")
        elif part == "{total}":
            out.append("counter(pages)")
        elif part:
            out.append(f'"{css_string(part)}"')
    return " ".join(out) or '""'


def marking_rules(sheet: Stylesheet, scheme: str, label: str) -> str:
    """The marking's look on screen (the banners) and on every printed page: in the top and
    bottom page-margin boxes, as wide as the label (a TLP label on its black block, never a
    black band across the margin)."""
    look = sheet.marking(scheme, label)
    bg = look.background or "transparent"
    font = font_stack(sheet.heading_family)
    pad = look.size * sheet.furniture.marking_pad
    width = _label_width(sheet.heading_family, look.text) * look.size + 2 * pad + 2
    m = sheet.style.page.margins
    box = look.align
    decl = (f"content: \"{css_string(look.text)}\"; color: {look.colour}; background: {bg}; "
            f"font-family: {font}; font-weight: bold; font-size: {_pt(look.size)}; "
            f"line-height: 1.2; padding: {_pt(pad * 0.3)} {_pt(pad)}; width: {_pt(width)}; "
            "text-align: center; vertical-align: middle; white-space: nowrap;")
    top = f"margin: {_pt(max(0.0, m.top * 0.42 - look.size))} 0 auto 0;"
    bottom = f"margin: auto 0 {_pt(max(0.0, m.bottom * 0.36 - look.size * 0.6))} 0;"
    page = (f"@page {{ @top-{box} {{ {decl} {top} }} "
            f"@bottom-{box if box != 'left' else 'right'} {{ {decl} {bottom} }} }}")
    screen = (f".banner {{ text-align: {box}; }} .banner span {{ color: {look.colour}; "
              f"background: {bg}; font-size: {_pt(look.size)}; padding: 0 {_pt(pad)}; "
              f"font-family: {font}; }}")
    return screen + "\n" + page + "\n"


def _label_width(key: str, text: str) -> float:
    """The width of ``text`` in the family's bold face, in ems."""
    from ...fonts import metrics

    try:
        m = metrics(family(key).bold)
    except (KeyError, OSError):
        return 0.75 * len(text)
    return sum(m.width(ch) for ch in text)
