"""The HTML edition: a :class:`~briefgen.document.Document` and a style to one self-contained,
semantic, accessible HTML5 file.

``render_html(doc, style) -> bytes`` knows the document model and the resolved stylesheet
(:mod:`briefgen.render.stylesheet`), nothing about briefs. What it writes:

* landmarks: the marking banner in a ``<header>``, the pack in ``<main>``, the marking again in
  a ``<footer>``; a skip link; the contents as a ``<nav>`` of links;
* the title as the page's ``<h1>``, the document's headings one level below it (never a jump);
  tables with ``<caption>`` and ``<th scope="col">``, in a focusable scrolling region on narrow
  screens; quotes as ``<blockquote>`` in a ``<figure>`` with the attribution as its caption;
  charts as inline SVG (``role="img"``, ``<title>``, ``<desc>`` with the figure's alternative
  text) in a ``<figure>`` with a ``<figcaption>``; notes as links to a numbered list with links
  back (DPUB-ARIA roles); footnotes are listed as endnotes (a web page has no page foot);
* ``lang`` and ``dir`` on ``<html>``; the style's fonts, sizes and colours as CSS from the same
  stylesheet the PDF and DOCX read; print CSS with the marking at the top and bottom of every
  printed page and the page label at the foot;
* no script, no external fetch: the logo is a data URI, the charts are inline.

The same input gives the same bytes.
"""

from __future__ import annotations

from ... import document as d
from ...style import Style
from ..common import print_ready
from ..stylesheet import resolve
from .css import marking_rules, page_rules, stylesheet_css
from .writer import Writer, esc

__all__ = ["render_html"]

_RTL = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"}


def text_direction(lang: str) -> str:
    return "rtl" if lang.split("-")[0].casefold() in _RTL else "ltr"


def render_html(doc: d.Document, style: Style) -> bytes:
    """The HTML edition of ``doc`` in ``style``: same input, same bytes."""
    doc = print_ready(doc)
    sheet = resolve(style)
    meta = doc.meta
    lang = meta.lang or "en-GB"
    writer = Writer(doc, sheet)
    main = writer.main()
    if not any(isinstance(b, d.TitleBlock) for b in doc.blocks):
        main = writer.logo() + main
    css = stylesheet_css(sheet) + page_rules(sheet, meta.label("page_x_of_y",
                                                               "Page {page} of {total}"))
    banner = ""
    marking = meta.marking
    if marking is not None and marking.label.strip():
        css += marking_rules(sheet, marking.scheme, marking.label)
        look = sheet.marking(marking.scheme, marking.label)
        label = esc(look.text)
        banner = f'<p class="banner"><span>{label}</span></p>'
    head_meta = [f'<meta name="author" content="{esc(meta.author)}">' if meta.author else "",
                 f'<meta name="description" content="{esc(meta.subject)}">'
                 if meta.subject else "",
                 f'<meta name="keywords" content="{esc(", ".join(meta.keywords))}">'
                 if meta.keywords else "",
                 '<meta name="generator" content="briefgen">',
                 f'<meta name="dcterms.date" content="{meta.date.isoformat()}">']
    skip = esc(meta.label("skip_to_content", "Skip to content"))
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}" dir="{text_direction(lang)}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # no fetch of any kind: no script, nothing but inline styles and data: images
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{esc(meta.title)}</title>\n" + "".join(m + "\n" for m in head_meta if m)
        + f"<style>\n{css}</style>\n</head>\n<body>\n"
        f'<header><a class="skip" href="#main">{skip}</a>{banner}</header>\n'
        f'<main id="main">\n{main}\n</main>\n'
        f"<footer>{banner}</footer>\n</body>\n</html>\n")
    return page.encode("utf-8")
