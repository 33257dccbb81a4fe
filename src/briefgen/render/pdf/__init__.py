"""The PDF renderer: a :class:`~briefgen.document.Document` and a :class:`~briefgen.style.Style`
in, the bytes of a print-ready PDF out (ReportLab 5.1 platypus).

``render_pdf(doc, style) -> bytes`` is a pure function: the same input gives byte-identical
output, whatever the wall clock, ``SOURCE_DATE_EPOCH`` or ``PYTHONHASHSEED`` say.

One job per module:

* :mod:`.renderer`: the document template and the single layout pass; the render's state.
* :mod:`.blocks`: block nodes to flowables, a handler per node type; :mod:`.tables`: the
  blocks drawn as tables (data tables, quotes, boxes, the title block).
* :mod:`.inlines`: inline nodes to paragraph markup, a handler per node type; note marks.
* :mod:`.notes`: note numbering state, endnotes, footnotes at the page foot.
* :mod:`.contents`: the contents, its page numbers filled in after the pass.
* :mod:`.furniture`: header, footer ("Page X of Y"), marking, the frame's place per page.
* :mod:`.keep`: headings kept with the first lines of what follows.
* :mod:`.flowables`: the renderer's own flowables; :mod:`.look`: paragraph styles and colours
  from the Style; :mod:`.anchors`: destination keys; :mod:`.dates`: the document date.
* :mod:`.tagging`: the tagged PDF (PDF/UA-1): the structure tree, marked content, artifacts.
* :mod:`.reportlab_adapter`: every private ReportLab name the renderer relies on.

The style drives every look (``tests/test_pdf_styles.py`` reads each setting back): page size,
margins and binding (the frame moves to the inner side page by page), fonts, sizes and leading,
every colour, table rules and stripes, the cover logo, notes, markings.
"""

from __future__ import annotations

from ... import document as d
from ...deferred import importing
from ...style import Style
from ..common import print_ready

# ReportLab, imported here before any other of its modules, without compiling at import what
# it seldom uses (see briefgen.deferred): 30 ms of the PDF's cold start.
importing("reportlab.platypus.paragraph")

__all__ = ["render_pdf"]


def render_pdf(doc: d.Document, style: Style) -> bytes:
    """The PDF of ``doc`` in ``style``: same input, same bytes. A document with tracked
    changes (briefgen.redline) prints as its new version."""
    from ...redline import shown
    from .renderer import Renderer  # (imported here: graphics.faces needs .ttfonts alone)

    return Renderer(print_ready(shown(doc)), style).render()
