"""Charts as inline SVG: the same ReportLab drawing the PDF embeds (:mod:`..graphics`), written
by ReportLab's SVG renderer, then made fit for a web page: no XML prolog or DOCTYPE, ids unique
in the page, a ``<title>`` and ``<desc>`` that name and describe it to screen readers, CSS font
names instead of ReportLab's internal ones, and a size that scales with the page."""

from __future__ import annotations

import html
import re

from ... import document as d
from ...style import Style
from .. import graphics
from .css import font_stack

_FACE = re.compile(r"font-family: briefgen-([a-z0-9-]+?)(-bold|-italic|-bolditalic)?;")
_ID = re.compile(r'\bid="([^"]+)"')


def svg(chart: d.Chart, style: Style, *, width: float, ident: str, title: str,
        desc: str) -> str:
    from reportlab.graphics import renderSVG

    drawing = graphics.drawing(chart, style, width, shaped=False)
    text = renderSVG.drawToString(drawing)
    text = text[text.index("<svg"):]  # no prolog, no DOCTYPE naming a remote DTD
    # ids unique in the page: every id and every reference to it gets the figure's prefix
    for name in sorted(set(_ID.findall(text)), key=len, reverse=True):
        text = text.replace(f'id="{name}"', f'id="{ident}-{name}"')
        text = text.replace(f"url(#{name})", f"url(#{ident}-{name})")
        text = text.replace(f'href="#{name}"', f'href="#{ident}-{name}"')
    text = re.sub(r"<title>.*?</title>", f'<title id="{ident}-title">'
                  f"{html.escape(title)}</title>", text, count=1, flags=re.S)
    text = re.sub(r"<desc>.*?</desc>", f'<desc id="{ident}-desc">{html.escape(desc)}</desc>',
                  text, count=1, flags=re.S)
    text = _FACE.sub(_css_face, text)
    return text.replace(
        "<svg ", f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'class="chart-svg" ', 1)


def _css_face(m: re.Match[str]) -> str:
    key, face = m.group(1), m.group(2) or ""
    weight = "bold" if "bold" in face else "normal"
    slant = "italic" if "italic" in face else "normal"
    stack = font_stack(key).replace('"', "'")
    return f"font-family: {stack}; font-weight: {weight}; font-style: {slant};"
