"""Page images of a pack for a quick look, a thumbnail or a chat message: the PDF's pages
rasterised by pdfium (a wheel, no system library) and written as PNG with fixed settings, so
that the same PDF gives the same images."""

from __future__ import annotations

import io
import re

from .errors import BriefError, Diagnostic

__all__ = ["page_images", "parse_pages"]

MAX_DPI = 600
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d*)\s*)?$")


def parse_pages(spec: str | None, count: int) -> list[int]:
    """1-based page numbers from a spec such as ``"1-2"``, ``"3"``, ``"2-"`` or ``"1,3-4"``
    (all pages for None), within the ``count`` pages of the document."""
    if spec is None or not spec.strip():
        return list(range(1, count + 1))
    pages: list[int] = []
    for part in spec.split(","):
        m = _RANGE.match(part)
        if not m:
            raise BriefError([Diagnostic("--pages", None, None, "pages",
                                         f"{part.strip()!r} is not a page range; write e.g. "
                                         "1-2, 3 or 2- (to the end)")])
        first = int(m.group(1))
        last = first if m.group(2) is None else (int(m.group(2)) if m.group(2) else count)
        if first < 1 or last < first:
            raise BriefError([Diagnostic("--pages", None, None, "pages",
                                         f"{part.strip()!r}: pages run from 1 up")])
        pages.extend(p for p in range(first, min(last, count) + 1) if p not in pages)
    if not pages:
        raise BriefError([Diagnostic("--pages", None, None, "pages",
                                     f"the pack has {count} page(s); {spec!r} names none")])
    return pages


def page_images(pdf: bytes, *, pages: str | None = None, dpi: int = 100) -> list[
        tuple[int, bytes]]:
    """(page number, PNG bytes) for each page named by ``pages`` at ``dpi``."""
    import pypdfium2 as pdfium

    if not 10 <= dpi <= MAX_DPI:
        raise BriefError([Diagnostic("--dpi", None, None, "dpi",
                                     f"{dpi} dpi: use 10 to {MAX_DPI}")])
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for n in parse_pages(pages, len(doc)):
            page = doc[n - 1]
            bitmap = page.render(scale=dpi / 72.0, fill_color=(255, 255, 255, 255),
                                 may_draw_forms=False)
            image = bitmap.to_pil().convert("RGB")
            page.close()
            buf = io.BytesIO()
            image.save(buf, format="PNG", optimize=False, compress_level=6,
                       dpi=(dpi, dpi))
            out.append((n, buf.getvalue()))
        return out
    finally:
        doc.close()
