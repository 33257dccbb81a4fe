"""Renderers: turn a :class:`~briefgen.document.Document` and a :class:`~briefgen.style.Style` into
bytes. Each format lives in its own module (``pdf``, ``docx``) so importing one never imports the
other's library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..errors import BriefError, Diagnostic

if TYPE_CHECKING:
    from ..document import Document
    from ..style import Style

__all__ = ["layout_problem", "load_renderer", "prepare_renderer", "render"]


def render(document: Document, style: Style, fmt: str) -> bytes:
    """One document in one format. A block that cannot fit on a page (a paragraph inside a
    table cell taller than the page's text area, say) is a :class:`BriefError` naming it."""
    if fmt == "pdf":
        from .pdf import render_pdf  # (first: it imports ReportLab as briefgen does)

        from reportlab.platypus.doctemplate import LayoutError  # isort: skip

        try:
            return render_pdf(document, style)
        except LayoutError as e:
            raise BriefError([layout_problem(document, str(e))]) from None
    if fmt == "docx":
        from .docx import render_docx

        return render_docx(document, style)
    if fmt == "html":
        from .html import render_html

        return render_html(document, style)
    raise ValueError(fmt)


_KINDS = {"Paragraph": "paragraph", "Table": "table", "Quote": "quotation", "Box": "box",
          "ListBlock": "list", "Figure": "figure", "TitleBlock": "top sheet",
          "Heading": "heading", "Contents": "contents", "NotesList": "notes"}


def load_renderer(fmt: str) -> None:
    """Import a format's renderer and what its first render imports (the PDF renderer proper
    and ReportLab's document template; the DOCX's chart painter and Pillow), as a process
    that will render does while the document is still being composed."""
    import importlib

    importlib.import_module(f"briefgen.render.{fmt}")
    if fmt == "pdf":
        for name in ("briefgen.render.pdf.renderer", "briefgen.redline",
                     "reportlab.platypus.doctemplate"):
            importlib.import_module(name)
    elif fmt == "docx":
        from .chart_raster import available

        available()
        for name in ("PIL.Image", "PIL.ImageDraw", "PIL.ImageFont"):
            importlib.import_module(name)


def prepare_renderer(fmt: str, style: Style) -> None:
    """What a format's renderer can do with the style alone, before there is a document: the
    style's font files parsed and registered and the characters they draw listed (PDF), the
    base package read (DOCX). A child
    process that will render a document does this while the document is composed (see
    :class:`briefgen.workers.Standby`); the render that follows finds it done."""
    slots: tuple[Literal["body", "headings"], ...] = ("body", "headings")
    if fmt == "pdf":
        from reportlab.pdfbase.pdfmetrics import stringWidth

        from .graphics import faces

        for slot in slots:  # registered, and the faces most text uses read
            found = faces(style, slot)
            for name in (found.regular, found.bold) + ((found.italic,) if slot == "body" else ()):
                stringWidth("A", name, 10)
        from ..fonts import family, family_characters
        from .pdf.inlines import text_characters

        text_characters(family(style.fonts.body), family(style.fonts.headings))
        for key in style.fonts.fallbacks:  # the characters each face draws, read from its cmap
            family_characters(family(key))
    elif fmt == "docx":
        from ..fonts import metrics
        from .docx.package import base_template

        base_template()
        for slot in slots:  # the page estimate's widths
            fam = style.fonts.family(slot)
            for path in (fam.regular, fam.bold, fam.italic):
                metrics(str(path))


def layout_problem(document: Document, message: str) -> Diagnostic:
    """What a layout error means for the reader: which block (its kind, its first words and
    its section's heading) did not fit, how tall it is and how much room a page has. The
    file is left empty for the caller (which knows the brief's name) to fill in."""
    import re

    from ..document import Heading, Paragraph, Table, _walk_blocks, plain_text

    size = re.search(r"\(([\d.]+) x ([\d.]+)\)[^(]*?too large on page (\d+) in frame "
                     r"'[^']*'\(([\d.]+) x ([\d.]+)", message, re.DOTALL)
    excerpt_m = re.search(r"<Para at 0x[0-9a-fA-F]+>(.*?)'\(", message, re.DOTALL)
    excerpt = " ".join(excerpt_m.group(1).split()).lstrip("“\"‘'«") if excerpt_m else ""
    kind, section, inside = "block", "", ""
    heading = ""
    for block in document.blocks:
        if isinstance(block, Heading):
            heading = plain_text(block.children)
        if not excerpt:
            continue
        for node in _walk_blocks((block,)):
            text = " ".join(plain_text(node.children).split()).lstrip("“\"‘'«") \
                if isinstance(node, Paragraph) else ""
            if text and text.startswith(excerpt[:40]):
                kind = _KINDS.get(type(block).__name__, "block")
                section = heading
                inside = " (a cell of the table)" if isinstance(block, Table) else ""
                break
        if section or kind != "block":
            break
    what = f"the {kind}{inside}"
    if excerpt:
        what += f" beginning “{excerpt[:60].rstrip()}…”"
    if section:
        what += f" in the section “{section}”"
    why = "it cannot be split across pages and is taller than a page's text area"
    if size:
        why = (f"it is {float(size.group(2)):.0f} pt tall and cannot be split across pages, "
               f"and a page has {float(size.group(5)):.0f} pt of height for text (page "
               f"{size.group(3)})")
    return Diagnostic("", None, None, "layout",
                      f"{what} does not fit on a page: {why}. Give it room (a larger page, "
                      "smaller margins or smaller sizes in the style) or shorten it")
