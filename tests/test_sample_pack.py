"""The flagship sample, end to end: both packs carry every fact of the article, read back by
independent readers (pdftotext and pypdf for the PDF; python-docx and the raw XML for the DOCX),
and the two packs are siblings (same headings, same order)."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest

import briefgen
from briefgen import document as d
from conftest import SAMPLE, docx_all_text, need_tool

# Each fact of the article as the packs must print it (qualifiers and attribution kept).
FACTS = [
    "TLP:CLEAR",
    "at least 200", "more than 400", "up to 2,000", "2,261", "1,049",
    "officials of the self-declared", "Russian military",
    "brokered", "disperse army units", "hand over military hardware", "reintegration talks",
    "Artsakh Republic", "Արցախ", "Baku", "Yerevan",
    "Paul Stronski", "Carnegie Endowment for International Peace", "Morning Edition",
    "to cease these actions immediately.", "a lack of concrete actions", "anti-terrorist",
    "disarm and remove",
    "And so the risks of a direct state-to-state conflict are rising.",
    "now we see the fighting occurring right directly on the ... international state border of "
    "Armenia and Azerbaijan.",
    "wider regional conflict", "partial blockade", "Ukraine",
    "19 September 2023", "20 September 2023", "NPR",
]


def norm(text: str) -> str:
    text = text.replace("\u00ad", "").replace("\ufb01", "fi").replace("\ufb02", "fl")
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def pack() -> briefgen.Pack:
    return briefgen.build(SAMPLE)


@pytest.fixture(scope="module")
def pdf_text_poppler(pack, tmp_path_factory) -> str:
    need_tool("pdftotext")
    path = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    path.write_bytes(pack.pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8")
    return norm(out)


@pytest.fixture(scope="module")
def pdf_text_pypdf(pack) -> str:
    from pypdf import PdfReader

    return norm(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pack.pdf)).pages))


@pytest.fixture(scope="module")
def docx_text(pack) -> str:
    """All text a Word user sees: body (incl. tables), headers, footers, foot/endnotes."""
    return norm(docx_all_text(pack.docx))


@pytest.mark.parametrize("fact", FACTS)
def test_pdf_carries_every_fact_pdftotext(pdf_text_poppler: str, fact: str):
    assert norm(fact) in pdf_text_poppler


@pytest.mark.parametrize("fact", FACTS)
def test_pdf_carries_every_fact_pypdf(pdf_text_pypdf: str, fact: str):
    assert norm(fact) in pdf_text_pypdf


@pytest.mark.parametrize("fact", FACTS)
def test_docx_carries_every_fact(docx_text: str, fact: str):
    assert norm(fact) in docx_text


ARTICLE = "npr-2023-09-20-nagorno-karabakh-ceasefire.txt"


def shared_article() -> Path:
    """The news report the sample is built from, in the shared folder that
    ``BRIEFGEN_SHARED`` names (CI sets it; the article is not part of the repository). Skipped
    when it is not there, except under BRIEFGEN_REQUIRE_TOOLS=1, where that is a failure."""
    shared = os.environ.get("BRIEFGEN_SHARED")
    path = Path(shared) / "source" / ARTICLE if shared else None
    if path is not None and path.is_file():
        return path
    why = (f"BRIEFGEN_SHARED={shared} has no source/{ARTICLE}" if shared else
           "BRIEFGEN_SHARED (the shared folder with source/ in it) is not set")
    if os.environ.get("BRIEFGEN_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{why} (required: BRIEFGEN_REQUIRE_TOOLS=1)")
    pytest.skip(why)


def test_quotes_are_verbatim_from_the_article():
    article = norm(shared_article().read_text("utf-8"))
    brief = briefgen.load_brief(SAMPLE)
    for q in brief.quotes:
        assert norm(q.text) in article, q.text


def test_figures_keep_qualifiers_and_attribution():
    brief = briefgen.load_brief(SAMPLE)
    by_value = {f.value: f for f in brief.figures}
    assert by_value[200].qualifier == "at least"
    assert by_value[400].qualifier == "more than"
    assert by_value[2000].qualifier == "up to"
    assert "Russian military" in by_value[2261].reported_by
    assert "self-declared" in by_value[200].reported_by
    # the repeated passage is one fact
    assert len([f for f in brief.figures if f.value == 200]) == 1


def test_pdf_and_docx_have_the_same_headings_in_order(pack):
    import docx

    expected = [d.plain_text(h.children) for h in pack.document.headings()]
    document = docx.Document(io.BytesIO(pack.docx))
    got = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert got[:len(expected)] == expected or got == expected
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pack.pdf))

    def titles(outline) -> list[str]:
        out = []
        for item in outline:
            if isinstance(item, list):
                out.extend(titles(item))
            else:
                out.append(item.title)
        return out

    assert [t for t in titles(reader.outline) if t in expected] == expected


def test_marking_in_pdf_and_docx_metadata(pack):
    import docx
    from pypdf import PdfReader

    info = PdfReader(io.BytesIO(pack.pdf)).metadata
    assert "TLP:CLEAR" in info.subject and "TLP:CLEAR" in info["/Keywords"]
    core = docx.Document(io.BytesIO(pack.docx)).core_properties
    assert "TLP:CLEAR" in core.subject and "TLP:CLEAR" in core.keywords
