"""The DOCX renderer: a :class:`~briefgen.document.Document` and a :class:`~briefgen.style.Style`
to the bytes of an editable Word file, as a skilled Word user would have made it by hand.

``render_docx(doc, style) -> bytes`` is a pure function: identical input gives identical bytes.

* **Styles, not direct formatting** (:mod:`.styles`, :mod:`.stylebook`). Word's built-in
  styles are restyled from the :class:`Style` (fonts named on all four script slots, so
  Armenian and Cyrillic use the bundled family; the document language on the defaults);
  custom styles carry the rest. Direct formatting is limited to bold/italic runs for inline
  emphasis.
* **python-docx** (1.2) provides the package, section, header and footer, pictures and core
  properties; fields, bookmarks, hyperlinks, the footnotes part, numbering and table
  properties are raw OXML written in schema order (:mod:`.ooxml`). Every python-docx internal
  used is in :mod:`.docx_adapter`. Template leftovers are removed or rewritten and the zip is
  rewritten with fixed times, order and compression (:mod:`.package`).
* **Reference document** (``style.reference_docx``, :mod:`.reference`): the pack starts from
  it instead of python-docx's template; its styles stand as they are, the styles it lacks are
  added naming no font; its first section's page set-up and its header's pictures are kept.
* **Notes** are numbered in document order; notes with equal content are one note
  (:mod:`.inlines`, :mod:`.notes`): Word footnotes, or a numbered endnotes list in the body.
* **Contents** is a real ``TOC`` field (:mod:`.fields`) whose cached page numbers come from a
  page estimate (:mod:`.estimate`), as LibreOffice shows the cached result as it is.
* **Figures** are the PDF's drawings rasterised at print resolution (:mod:`.media`).
* **One stylesheet.** Every look value comes from the resolved stylesheet
  (:mod:`briefgen.render.stylesheet`, computed once into the :class:`~.context.Context`): each
  paragraph style is a stylesheet role, the table styles its table, box and title-block
  looks; the algorithms both renderers share (note numbers and marks, anchor names, column
  widths, the date, the hanging indent, image boxes) are :mod:`briefgen.render.common`'s.
  ``tests/test_docx_styles.py`` reads each style setting back.

The body is written by dispatch tables, one handler per node type (:mod:`.blocks`,
:mod:`.inlines`), from a frozen :class:`~.context.Context` computed once.
"""

from __future__ import annotations

from .package import APPLICATION
from .reference import check_reference_docx
from .renderer import render_docx

__all__ = ["APPLICATION", "check_reference_docx", "render_docx"]
