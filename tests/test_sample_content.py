"""The flagship sample reads as a desk officer would sign it (tracker issue 13): built through
the public API in both formats and read back (pypdf for the PDF, python-docx for the DOCX), the
pack has clean date clauses, no working notes, no truncated or doubled chronology, no repeated
attribution, no relative time, no filler cells, and English typography (en-dash ranges, "40%",
"Recommendations" when there are several)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

import briefgen
from conftest import SAMPLE


def norm(text: str) -> str:
    text = text.replace("\u00ad", "").replace("\ufb01", "fi").replace("\ufb02", "fl")
    return re.sub(r"\s+", " ", text)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return norm(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def docx_paragraphs(data: bytes) -> list[str]:
    """Every paragraph of the DOCX body, tables (nested too) included, via python-docx."""
    import docx

    out: list[str] = []

    def walk(container: Any) -> None:
        for p in container.paragraphs:
            out.append(p.text)
        for t in container.tables:
            for row in t.rows:
                for cell in row.cells:
                    walk(cell)

    walk(docx.Document(io.BytesIO(data)))
    return out


def docx_text(data: bytes) -> str:
    return norm(" ".join(docx_paragraphs(data)))


def docx_table_rows(data: bytes) -> list[list[str]]:
    import docx

    rows = []
    for t in docx.Document(io.BytesIO(data)).tables:
        for row in t.rows:
            rows.append([norm(c.text).strip() for c in row.cells])
    return rows


@pytest.fixture(scope="module")
def pack() -> briefgen.Pack:
    return briefgen.build(SAMPLE)


@pytest.fixture(scope="module")
def texts(pack: briefgen.Pack) -> dict[str, str]:
    return {"pdf": pdf_text(pack.pdf), "docx": docx_text(pack.docx)}


FORMATS = ["pdf", "docx"]


def sample_dict() -> dict[str, Any]:
    return briefgen.load_brief(SAMPLE).model_dump(exclude_none=True)


def build_texts(brief: dict[str, Any]) -> dict[str, str]:
    p = briefgen.build(brief)
    return {"pdf": pdf_text(p.pdf), "docx": docx_text(p.docx)}


# --------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_nested_parentheses_from_date_notes(texts: dict[str, str], fmt: str):
    text = texts[fmt]
    assert not re.search(r"\(\s*\(", text), re.search(r".{60}\(\s*\(.{60}", text)
    assert not re.search(r"\)\s*\)", text), re.search(r".{60}\)\s*\).{20}", text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_undated_items_print_as_reported_not_as_a_date(texts: dict[str, str], fmt: str):
    text = texts[fmt]
    # the US call (quote and chronology) and the protests: no date in the report
    assert text.count("reported on 20 September 2023, date not given") >= 3
    assert text.count("Reported on 20 September 2023, date not given") >= 2
    assert "Stronski" in text and "2022 (“last year” in the report of 20 September 2023)" in text


def test_chronology_rows_of_undated_events(pack: briefgen.Pack):
    rows = {r[1][:40]: r[0] for r in docx_table_rows(pack.docx) if len(r) == 2}
    protests = next(v for k, v in rows.items() if k.startswith("Large protests in Yerevan"))
    call = next(v for k, v in rows.items() if k.startswith("The United States calls"))
    for cell in (protests, call):
        assert cell.startswith("Reported on 20 September 2023, date not given"), cell
    offensive = next(v for k, v in rows.items() if k.startswith("Azerbaijan launches"))
    assert offensive == "19 September 2023 (“since Tuesday”)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_relative_time(texts: dict[str, str], fmt: str):
    assert "this week" not in texts[fmt].lower()


# --------------------------------------------------------------------------------------------
# What the pack prints and what it keeps for its editors


WORKING_NOTES = ["Stored copy", "One fact, listed once", "does not close it",
                 "the report gives the year only", "shared/source/", "first paragraph"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_working_notes_are_not_printed(texts: dict[str, str], fmt: str):
    for note in WORKING_NOTES:
        assert note not in texts[fmt], note


def test_editor_notes_never_print_anywhere():
    brief = sample_dict()
    marker = "EDITORXYZZY"
    brief["editorial_notes"] = [f"{marker} top"]
    for key in ("actors", "figures", "agreements", "timeline", "risks", "quotes", "sources"):
        for i, item in enumerate(brief[key]):
            item["editor_note"] = f"{marker} {key} {i}"
    for t in brief["agreements"][0]["terms"]:
        t["editor_note"] = f"{marker} term"
    for template in ("full", "meeting", "summary"):
        p = briefgen.build(brief, template=template)
        assert marker not in pdf_text(p.pdf), template
        assert marker not in docx_text(p.docx), template


# --------------------------------------------------------------------------------------------
# Chronology once, whole


@pytest.mark.parametrize("fmt", FORMATS)
def test_chronology_once_and_not_truncated(texts: dict[str, str], fmt: str):
    text = texts[fmt]
    assert "…" not in text
    assert text.count("Second war over Nagorno-Karabakh") == 1
    assert text.count("The Russian peacekeepers’ base camp is hosting") == 1


def test_docx_has_no_timeline_picture_beside_the_table(pack: briefgen.Pack):
    """In the DOCX the graphic is a picture: its alternative text names the events."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(pack.docx)) as z:
        body = z.read("word/document.xml").decode("utf-8")
    alts = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', body)
    assert alts and not [a for a in alts if "Second war" in a]


# --------------------------------------------------------------------------------------------
# Attribution and filler


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_repeated_attribution(texts: dict[str, str], fmt: str):
    text = texts[fmt]
    for repeated in ("United States government, United States",
                     "Government of Azerbaijan, Azerbaijan", "(as reported by NPR)"):
        assert repeated not in text, repeated
    assert "— Paul Stronski, Carnegie Endowment for International Peace, interview" in text


def test_attribution_drops_an_affiliation_the_speaker_already_names():
    brief = sample_dict()
    brief["quotes"] = [
        {"text": "first words", "speaker": "Government of Ruritania", "affiliation": "Ruritania",
         "occasion": "a statement", "source": "npr-2023-09-20"},
        {"text": "second words", "speaker": "Ministry", "affiliation": "Ministry of Truth",
         "source": "npr-2023-09-20"},
    ]
    for fmt, text in build_texts(brief).items():
        assert "— Government of Ruritania, a statement" in text, fmt
        assert "Ruritania, Ruritania" not in text, fmt
        assert "— Ministry of Truth" in text and "Ministry, Ministry" not in text, fmt


def test_actors_table_has_no_source_filler_cells(pack: briefgen.Pack):
    import docx

    cells = [norm(p.text).strip() for t in docx.Document(io.BytesIO(pack.docx)).tables
             for row in t.rows for c in row.cells for p in c.paragraphs]
    assert any(c.startswith("Government of Azerbaijan") for c in cells)  # the actors table
    assert not [c for c in cells if re.fullmatch(r"Source\s*[\d¹²³⁴⁵⁶⁷⁸⁹⁰]*", c)]
    assert not re.search(r"\bSource\s?\d", pdf_text(pack.pdf))


def test_actor_sources_not_cited_in_its_text_still_get_a_mark():
    brief = sample_dict()
    brief["sources"].append({"key": "other-2023", "title": "Another report"})
    brief["actors"][0]["sources"] = ["npr-2023-09-20", "other-2023"]
    p = briefgen.build(brief)
    text = docx_text(p.docx)
    assert "Another report" in text.split("Notes")[-1]  # cited, so it has a note


# --------------------------------------------------------------------------------------------
# Content the audit fixed


@pytest.mark.parametrize("fmt", FORMATS)
def test_audited_content(texts: dict[str, str], fmt: str):
    text = texts[fmt]
    assert "apparent break in the conflict" in text
    for wrong in ("Cease-fire reached", "ethnic Azeris also live there", "Analyst",
                  "Its peacekeeping contingent", "We welcome", "We note", "We are concerned",
                  "Azerbaijan’s military ·", "halt in fighting"):
        assert wrong not in text, wrong
    assert "Promised" in text and "Agreed" not in text


def test_agreement_parties_are_those_the_report_names(pack: briefgen.Pack):
    parties = [p for p in docx_paragraphs(pack.docx) if p.startswith("Parties:")]
    assert parties and all("Azerbaijan" not in p for p in parties)


def test_no_duplicate_risks():
    brief = briefgen.load_brief(SAMPLE)
    titles = [r.title for r in brief.risks]
    assert len(set(titles)) == len(titles)
    # NPR's "wider regional conflict" and Stronski's "direct state-to-state conflict" are one risk
    merged = [r for r in brief.risks
              if "wider regional conflict" in r.description or "state-to-state" in r.description]
    assert len(merged) == 1


# --------------------------------------------------------------------------------------------
# Typography and labels


@pytest.mark.parametrize("fmt", FORMATS)
def test_ranges_take_an_en_dash(texts: dict[str, str], fmt: str):
    text = texts[fmt]
    assert "20–45%" in text and "45–55%" in text
    assert not re.search(r"\d-\d+%", text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_scale_legend_wording(texts: dict[str, str], fmt: str):
    assert "follow the ICD 203" not in texts[fmt]
    assert "Intelligence Community Directive 203 (ICD 203)" in texts[fmt]


def test_percent_against_the_number_in_english():
    brief = sample_dict()
    brief["figures"].append({"label": "Share of the population displaced", "value": 40,
                             "qualifier": "about", "unit": "%", "reported_by": "NPR",
                             "source": "npr-2023-09-20"})
    for fmt, text in build_texts(brief).items():
        assert "about 40%" in text and "40 %" not in text, fmt


@pytest.mark.parametrize("count,heading", [(3, "Recommendations"), (1, "Recommendation")])
def test_recommendation_heading_agrees_in_number(count: int, heading: str):
    import docx

    brief = sample_dict()
    brief["recommendations"] = [f"Recommendation text {i}." for i in range(count)]
    p = briefgen.build(brief)
    headings = [x.text for x in docx.Document(io.BytesIO(p.docx)).paragraphs
                if x.style.name.startswith("Heading")]
    assert heading in headings and ("Recommendations" in headings) == (count > 1)
    assert re.search(rf"\b{heading}\b(?!s)", pdf_text(p.pdf))
