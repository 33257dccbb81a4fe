"""Change bars: with the style's ``changes.bars`` and a document with tracked changes
(:mod:`briefgen.redline`), a bar in the margin beside each line of the PDF that changed.

The inline writer puts an ``<onDraw>`` mark where each insertion starts and ends and where a
deletion was (:data:`BAR_CALLBACK`); as a paragraph is drawn, :meth:`ChangeBars.mark` notes the
line each mark falls on, in page coordinates; at the end of the page the bars are drawn beside
the frame's left edge, from the first line of a change to its last, as artifacts (they are not
content: a reader of the tagged PDF is not read a bar)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.pdfgen.canvas import Canvas

from ..stylesheet import ChangeBarLook
from .reportlab_adapter import current_frame, text_line_on_page
from .tagging import Tagger

__all__ = ["BAR_CALLBACK", "ChangeBars"]

BAR_CALLBACK = "briefgen_change"  # the <onDraw> callback of a change's start, end or place


def bar_marks(label: str) -> str:
    """The markup of a change mark (``start``, ``end`` or ``at``)."""
    return f'<onDraw name="{BAR_CALLBACK}" label="{label}"/>'


class ChangeBars:
    def __init__(self, look: ChangeBarLook, tags: Tagger):
        self.look = look
        self.tags = tags
        self.spans: list[tuple[float, float]] = []  # this page's bars: (bottom, top)
        #: changes started and not ended, innermost last (paragraphs in a table's cells are
        #: drawn cell by cell): (page, the top of the line each starts on)
        self.open: list[tuple[int, float]] = []

    def _line(self, canv: Canvas) -> tuple[float, float]:
        """The page coordinates (bottom, top) of the line being drawn."""
        base, leading = text_line_on_page(canv)
        return base - self.look.below * leading, base + self.look.above * leading

    def mark(self, canv: Canvas, _kind: str, label: str | None) -> None:
        """The <onDraw> callback."""
        bottom, top = self._line(canv)
        page = canv.getPageNumber()
        if label == "start":
            self.open.append((page, top))
            return
        if label == "end" and self.open:
            started, start_top = self.open.pop()
            if started == page:
                top = max(top, start_top)
        self.spans.append((bottom, top))

    def end_page(self, then: Callable[[Canvas, Any], None]) -> Callable[[Canvas, Any], None]:
        """A page template's ``onPageEnd`` that draws the page's bars, then does ``then``."""

        def on_page_end(canv: Canvas, doc: Any) -> None:
            page = canv.getPageNumber()
            frame = current_frame(doc)
            for k, (started, top) in enumerate(self.open):
                # a change that runs on to the next page: its bar to the frame's foot here,
                # from the frame's top there
                if started == page:
                    self.spans.append((frame.y1, top))
                self.open[k] = (page + 1, frame.y1 + frame.height)
            if self.spans:
                self._draw(canv, current_frame(doc).x1)
            then(canv, doc)

        return on_page_end

    def _draw(self, canv: Canvas, frame_x: float) -> None:
        tags, look = self.tags, self.look
        depth = len(tags.stack)
        tags._switch(canv, None)  # an artifact
        try:
            canv.saveState()
            canv.setStrokeColor(look.colour)
            canv.setLineWidth(look.width)
            canv.setLineCap(0)
            x = frame_x - look.gap
            for bottom, top in _merged(self.spans):
                canv.line(x, bottom, x, top)
            canv.restoreState()
        finally:
            tags.end(canv, depth)
            self.spans = []


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping bars as one, top of the page first."""
    out: list[list[float]] = []
    for bottom, top in sorted(spans, key=lambda s: -s[1]):
        if out and top >= out[-1][0]:
            out[-1][0] = min(out[-1][0], bottom)
        else:
            out.append([bottom, top])
    return [(b, t) for b, t in out]
