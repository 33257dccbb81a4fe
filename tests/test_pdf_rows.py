"""Table rows split across PDF pages as a desk officer would accept them: a label that opens a
list inside a cell ("Indicators to watch:") never ends a page with its list on the next.
ReportLab splits a cell's flowables in order and keeps nothing with the next; FlowTable moves
the split up instead. Read back from the PDF with pdfplumber, in every shipped style and
template (the ``packs`` fixture of test_page_fill)."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from test_page_fill import packs  # noqa: F401  (the fixture: every style and template)

LABEL = ("Indicators", "to", "watch:")


def stranded_labels(pdf: bytes) -> list[str]:
    """The pages where a list's label is the last line of its column: nothing drawn below it,
    within two lines and in its column, before the page's furniture."""
    bad = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for n, page in enumerate(doc.pages, start=1):
            words = page.extract_words()
            texts = [w["text"] for w in words]
            for i in range(len(words) - len(LABEL) + 1):
                if tuple(texts[i:i + len(LABEL)]) != LABEL:
                    continue
                label = words[i]
                line = label["bottom"] - label["top"]
                below = [w for w in words
                         if label["bottom"] - 1 < w["top"] < label["bottom"] + 2.5 * line
                         and label["x0"] - 2 <= w["x0"] < label["x0"] + 4 * line]
                if not below:
                    bad.append(f"page {n}: {' '.join(LABEL)} ends its column")
    return bad


def test_the_check_sees_a_stranded_label() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.drawString(72, 100, "Indicators to watch:")
    c.drawString(72, 40, "Page 1 of 2")  # furniture far below is not the list
    c.showPage()
    c.drawString(72, 700, "Indicators to watch:")
    c.drawString(80, 688, "\u2022 Whether the cease-fire holds")
    c.save()
    assert stranded_labels(buf.getvalue()) == ["page 1: Indicators to watch: ends its column"]


def test_pdf_no_list_label_ends_a_page(packs: dict[str, tuple[bytes, bytes]]) -> None:  # noqa: F811
    bad = {name: found for name, (pdf, _docx) in packs.items()
           if (found := stranded_labels(pdf))}
    assert not bad, bad


@pytest.mark.parametrize("name", ["default-meeting"])
def test_the_sample_has_labels_to_check(packs: dict[str, tuple[bytes, bytes]],  # noqa: F811
                                        name: str) -> None:
    """The check reads something: the meeting pack prints the risks' indicator labels."""
    with pdfplumber.open(io.BytesIO(packs[name][0])) as doc:
        text = " ".join(p.extract_text() or "" for p in doc.pages)
    assert text.count("Indicators to watch:") >= 2
