"""The front sheet's page break (``<pagebreak only-on-first-page="yes"/>`` in the full and
meeting templates): where the front sheet fits page 1 the rest starts page 2; where it runs
past page 1 the rest follows on under it instead of leaving that page mostly empty. Checked
on the PDF as briefgen writes it and on the DOCX as LibreOffice lays it out (tracker issue
13: var-uk in uk-brief, the sample's meeting pack)."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest

import briefgen
from briefgen import document as d
from briefgen.errors import BriefError
from briefgen.packxml import parse_pack
from briefgen.style import load_style
from conftest import ROOT, SAMPLE, libreoffice_pdfs

VAR_UK = ROOT / "briefs" / "variants" / "nagorno-karabakh-2023-09-ceasefire-uk.yaml"
#: (brief, style, template): front sheets that run past page 1, and one that fits it
SPILLED = {"var-uk": (VAR_UK, "uk-brief", "full"), "meeting": (SAMPLE, "default", "meeting")}
FITS = {"full": (SAMPLE, "default", "full")}
#: the page after page 1 is not "mostly empty": its text reaches below this share of it
FILLED = 0.6


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each pack's PDF ("<name>.pdf") and its DOCX laid out by LibreOffice ("<name>.lo")."""
    tmp = tmp_path_factory.mktemp("front")
    out: dict[str, Path] = {}
    docx: dict[str, bytes] = {}
    for name, (brief, style, template) in {**SPILLED, **FITS}.items():
        pack = briefgen.build(briefgen.load_brief(brief),
                              briefgen.BuildOptions(style=load_style(style), template=template))
        path = tmp / f"{name}.briefgen.pdf"
        path.write_bytes(pack.pdf)
        out[f"{name}.pdf"] = path
        docx[name] = pack.docx
    (tmp / "lo").mkdir()
    for name, path in libreoffice_pdfs(docx, tmp / "lo").items():
        out[f"{name}.lo"] = path
    return out


def _body_words(page: pdfplumber.page.Page) -> list[dict]:
    """The page's words less the running header and footer (its top and bottom 8%)."""
    return [w for w in page.extract_words()
            if page.height * 0.08 < w["top"] and w["bottom"] < page.height * 0.92]


@pytest.mark.parametrize("kind", ["pdf", "lo"])
@pytest.mark.parametrize("name", sorted(SPILLED))
def test_spilled_front_sheet_is_followed_on(pdfs: dict[str, Path], name: str,
                                            kind: str) -> None:
    with pdfplumber.open(pdfs[f"{name}.{kind}"]) as pdf:
        page = pdf.pages[1]
        words = _body_words(page)
        assert words, f"{name} ({kind}): page 2 is empty"
        low = max(w["bottom"] for w in words) / page.height
    assert low > FILLED, (f"{name} ({kind}): page 2's text ends {low:.0%} down the page: "
                          "the front sheet's page break left it mostly empty")


@pytest.mark.parametrize("kind", ["pdf", "lo"])
def test_front_sheet_that_fits_stands_alone(pdfs: dict[str, Path], kind: str) -> None:
    with pdfplumber.open(pdfs[f"full.{kind}"]) as pdf:
        first = " ".join(w["text"] for w in _body_words(pdf.pages[0]))
        second = _body_words(pdf.pages[1])
    assert "Contents" not in first
    assert second and second[0]["text"] == "Contents", \
        f"page 2 ({kind}) starts with {second[0]['text'] if second else None!r}"


def test_contents_page_numbers_after_a_spilled_front_sheet(pdfs: dict[str, Path]) -> None:
    """The DOCX's cached contents page numbers (LibreOffice shows them as they are) are the
    pages LibreOffice puts the headings on, the break taken away."""
    with pdfplumber.open(pdfs["var-uk.lo"]) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    entry = re.compile(r"^(\d+\. [A-Z][^.]*?)\s*\.{3,}\s*(\d+)$", re.M)
    at = next(i for i, t in enumerate(pages) if entry.search(t))
    entries = entry.findall(pages[at])
    assert len(entries) >= 4
    for title, number in entries:
        found = [i + 1 for i, t in enumerate(pages) if i >= at
                 and any(line.strip() == title for line in t.splitlines())]
        assert found and found[0] == int(number), (title, number, found)


def test_pagebreak_attribute() -> None:
    pack = ('<pack title="T"><p>a</p><pagebreak only-on-first-page="yes"/><p>b</p>'
            '<pagebreak/></pack>')
    breaks = [b for b in parse_pack(pack).blocks if isinstance(b, d.PageBreak)]
    assert [b.first_page_only for b in breaks] == [True, False]
    with pytest.raises(BriefError):
        parse_pack('<pack title="T"><pagebreak only-on-first-page="maybe"/></pack>')
