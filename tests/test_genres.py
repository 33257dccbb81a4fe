"""The genres' own forms and the analytic standards (issue 14), read back from the PDF and the
DOCX: ratings that say whose they are and on which scale, the legend of the scale in use, the
risk matrix's size, the US memo (header block, en-US, portion marks), the UK submission
(recommendation and timing first, consistent paragraph numbers, descriptors and caveats), In
Focus (two pages, marking in the body, author block, no lines to take, page budget), the
meeting brief, and templates that say what they leave out."""

from __future__ import annotations

import copy
import io
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

import briefgen
from briefgen import document as d
from briefgen.errors import BriefError
from briefgen.loader import load_mapping
from briefgen.pipeline import BuildOptions, expand_inputs, load, prepare
from briefgen.style import available_styles
from conftest import ROOT, SAMPLE, docx_all_text, pdf_all_text
from test_validation import MINIMAL

VARIANTS = ROOT / "briefs" / "variants"
US = VARIANTS / "nagorno-karabakh-2023-09-ceasefire-us.yaml"
UK = VARIANTS / "nagorno-karabakh-2023-09-ceasefire-uk.yaml"
MEETING = VARIANTS / "nagorno-karabakh-2023-09-ceasefire-meeting.yaml"


def flat(text: str) -> str:
    return " ".join(text.split())


def build(brief: object, **opts: object) -> briefgen.Pack:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", briefgen.BriefgenWarning)
        return briefgen.build(brief, **opts)


def texts(pack: briefgen.Pack) -> list[str]:
    assert pack.pdf is not None and pack.docx is not None
    return [flat(pdf_all_text(pack.pdf)), flat(docx_all_text(pack.docx))]


def page_one(pack: briefgen.Pack) -> str:
    assert pack.pdf is not None
    return flat(PdfReader(io.BytesIO(pack.pdf)).pages[0].extract_text())


def pages(pack: briefgen.Pack) -> int:
    assert pack.pdf is not None
    return len(PdfReader(io.BytesIO(pack.pdf)).pages)


@pytest.fixture(scope="module")
def sample_packs() -> dict[str, briefgen.Pack]:
    return {t: build(SAMPLE, template=t) for t in ("full", "meeting", "summary")}


@pytest.fixture(scope="module")
def us_pack() -> briefgen.Pack:
    return build(US, style="us-memo")


@pytest.fixture(scope="module")
def uk_pack() -> briefgen.Pack:
    return build(UK, style="uk-brief")


# ------------------------------------------------------------------------------------------
# Estimative language


@pytest.mark.parametrize("template", ["full", "meeting", "summary"])
def test_every_rating_prints_scale_range_assessor_and_confidence(sample_packs, template):
    for text in texts(sample_packs[template]):
        assert re.search(r"Unlikely \(?ICD 203, 20–45%", text), text[-3000:]
        assert re.search(r"Roughly even chance \(?ICD 203, 45–55%", text)
        assert re.search(r"[Aa]ssessed by briefgen sample desk", text)
        assert re.search(r"[Cc]onfidence: low", text)
        # the summary's table used to read as Stronski's rating with no scale
        assert "Roughly even chance | Moderate" not in text


@pytest.mark.parametrize("template", ["full", "meeting", "summary"])
def test_every_template_prints_the_legend_of_the_scale_in_use(sample_packs, template):
    for text in texts(sample_packs[template]):
        assert "Probability scale (ICD 203)" in text
        assert "unlikely" in text and "20–45%" in text
        assert "PHIA" not in text
        assert "25–35%" not in text  # one reading, one meaning of "unlikely"
    full = texts(sample_packs["full"])
    for text in full:
        assert "Confidence levels" in text and "Moderate" in text


def test_legend_and_matrix_follow_the_ratings_scale(uk_pack):
    for text in texts(uk_pack):
        assert "Probability scale (PHIA probability yardstick)" in text
        assert "Probability scale (ICD 203)" not in text
        assert re.search(r"Unlikely \(?PHIA probability yardstick, 25–35%", text) or \
            ("Unlikely" in text and "PHIA probability yardstick, 25–35%" in text)
    doc, _style, _w = prepare(load(UK), BuildOptions(style="uk-brief"))
    (matrix,) = [b.chart for b in doc.blocks if isinstance(b, d.Figure)
                 and isinstance(b.chart, d.RiskMatrix)]
    assert matrix.likelihood_title == "Likelihood (PHIA probability yardstick)"
    assert matrix.likelihood_levels[1] == "unlikely"  # PHIA rows, 5 × 5
    assert len(matrix.likelihood_levels) == 5 and len(matrix.impact_levels) == 5
    doc, _style, _w = prepare(load(SAMPLE), BuildOptions(style="default"))
    (matrix,) = [b.chart for b in doc.blocks if isinstance(b, d.Figure)
                 and isinstance(b.chart, d.RiskMatrix)]
    assert matrix.likelihood_title == "Likelihood (ICD 203)"
    assert matrix.likelihood_levels[0] == "almost no chance – very unlikely"


def test_matrix_size_is_a_style_choice(tmp_path: Path):
    style = tmp_path / "three.yaml"
    style.write_text("extends: default\nrisk_matrix: 3x3\n", "utf-8")
    doc, _st, _w = prepare(load(SAMPLE), BuildOptions(style=style))
    (matrix,) = [b.chart for b in doc.blocks if isinstance(b, d.Figure)
                 and isinstance(b.chart, d.RiskMatrix)]
    assert len(matrix.likelihood_levels) == 3 and len(matrix.impact_levels) == 3
    assert matrix.band_labels == ("Low", "Medium", "High")
    assert {(r.label, r.likelihood, r.impact) for r in matrix.risks} == {("R1", 1, 3),
                                                                          ("R2", 2, 2)}
    pack = build(SAMPLE, style=style, formats="pdf")
    assert pack.pdf is not None
    assert "Minor – limited" in flat(pdf_all_text(pack.pdf))


def test_mixed_scales_are_warned_and_not_plotted_on_the_wrong_rows():
    data = load_mapping(SAMPLE)[0]
    data["risks"][1]["likelihood"] = {"scale": "phia", "term": "realistic possibility"}
    with pytest.warns(briefgen.BriefgenWarning, match="ratings mix"):
        pack = briefgen.build(data, formats="pdf")
    text = flat(pdf_all_text(pack.pdf))
    assert "Probability scale (ICD 203)" in text
    assert "Probability scale (PHIA probability yardstick)" in text
    (fig,) = [b for b in pack.document.blocks if isinstance(b, d.Figure)
              and isinstance(b.chart, d.RiskMatrix)]
    assert [r.label for r in fig.chart.risks] == ["R1"]  # type: ignore[union-attr]
    assert "not placed" in fig.alt


# ------------------------------------------------------------------------------------------
# US memo


def test_us_memo_page_one_has_the_header_block_in_us_english(us_pack):
    one = page_one(us_pack)
    # the memo type names the addressee ("INFORMATION MEMO FOR ..."), so no TO line repeats it
    for field in ("INFORMATION MEMO FOR Readers of the briefgen sample pack",
                  "FROM briefgen sample desk", "SUBJECT Nagorno-Karabakh",
                  "DATE September 20, 2023", "UNCLASSIFIED//FOR OFFICIAL USE ONLY"):
        assert field in one, field
    assert "Bottom line up front" in one and "TO Readers" not in one
    docx = texts(us_pack)[1]
    for field in ("INFORMATION MEMO FOR Readers", "FROM", "SUBJECT", "DATE",
                  "September 20, 2023"):
        assert field in docx, field


def test_memo_without_a_type_has_a_to_line():
    brief = MINIMAL + "memo:\n  to: The Director\n  through: [Head of Desk]\n"
    for text in texts(build(briefgen.parse_brief(brief))):
        assert "To The Director" in text and "Through Head of Desk" in text
        assert "From Desk" in text and "Subject A brief" in text


def test_us_memo_marks_every_portion_from_the_banner(us_pack):
    doc, _st, _w = prepare(load(US), BuildOptions(style="us-memo"))
    mark = "(U//FOUO) "

    def starts(inl: tuple[d.Inline, ...]) -> bool:
        return d.plain_text(inl).startswith(mark)

    checked = 0
    for b in d._walk_blocks(doc.blocks) if hasattr(d, "_walk_blocks") else ():
        if isinstance(b, d.Heading):
            assert starts(b.children), b
            checked += 1
        elif isinstance(b, d.Table):
            assert all(starts(r[0].blocks[0].children) for r in b.rows  # type: ignore[union-attr]
                       if r[0].blocks and isinstance(r[0].blocks[0], d.Paragraph)), b.header
            checked += 1
        elif isinstance(b, d.Figure):
            assert starts(b.caption)
            checked += 1
        elif isinstance(b, d.Quote):
            assert starts(b.blocks[0].children)  # type: ignore[union-attr]
            checked += 1
    assert checked > 20
    for b in doc.blocks:
        if isinstance(b, d.Paragraph) and b.children:
            assert starts(b.children), b
        elif isinstance(b, d.ListBlock):
            assert all(starts(item[0].children) for item in b.items)  # type: ignore[union-attr]
    for text in texts(us_pack):
        assert "(U//FOUO) Bottom line up front" in text
        assert "(U//FOUO) Key facts and figures" in text
        assert "(U//FOUO) People reported killed" in text  # a table row
        assert "(U//FOUO) Risks by likelihood and impact" in text  # a figure's caption
        assert "(U) " not in text  # never a bare (U) under a caveated banner


@pytest.mark.parametrize("banner,mark", [("CUI", "(CUI)"), ("UNCLASSIFIED", "(U)"),
                                         ("SECRET//NOFORN", "(S//NF)")])
def test_portion_marks_follow_the_banner(banner, mark):
    brief = MINIMAL.replace("scheme: tlp", "scheme: us").replace(
        'label: "TLP:GREEN"', f'label: "{banner}"') + "background:\n  - A paragraph.\n"
    for text in texts(build(briefgen.parse_brief(brief), style="us-memo")):
        assert f"{mark} A brief" in text and f"{mark} A paragraph." in text
        assert f"{mark} One point" in text


def test_us_memo_on_a_tlp_brief_says_why_there_are_no_portion_marks():
    with pytest.warns(briefgen.BriefgenWarning, match="no portion marks are printed"):
        briefgen.build(SAMPLE, style="us-memo", formats="pdf")


def test_each_style_has_a_variant_marked_in_its_own_scheme():
    assert load(US).brief.marking.scheme == "us" and load(US).brief.language == "en-US"
    assert load(UK).brief.marking.scheme == "uk"
    # a folder build of briefs/ builds the sample alone, and it comes first
    assert expand_inputs([ROOT / "briefs"]) == [SAMPLE]


GENRE = {"marking", "language", "purpose", "memo", "meeting", "objectives", "recommendations",
         "timing"}

# The US variant's prose is in US English. These are the only differences allowed between its
# strings and the sample's: the words below (whole words), then the dates, month first.
UK_TO_US = {"Defence": "Defense", "recognise": "recognize", "judgement": "judgment",
            "judgements": "judgments", "neighbouring": "neighboring"}
MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December")
# The sample's alias that only records the report's US spelling ("Russian Ministry of Defense"):
# the variant's name is spelled so already, and an alias that repeats the name is noise.
US_SPELLING_ALIAS = "US spelling, as in the report"
# A quotation the map may change: the sample quoting the pack's own words for an undated report
# ("reported on 20 September 2023, date not given"), which the US pack prints month first.
PACK_OWN_WORDS = "reported on "


def to_us(text: str) -> str:
    """The sample's prose in US English: the declared words, then "19 September 2023" ->
    "September 19, 2023" (and a comma after the year when the sentence runs on), "19 September"
    -> "September 19"."""
    for uk, us in UK_TO_US.items():
        text = re.sub(rf"\b{uk}\b", us, text)
    text = re.sub(rf"\b(\d{{1,2}}) ({MONTHS}) (\d{{4}})\b( (?=[A-Za-z]))?",
                  lambda m: f"{m[2]} {m[1]}, {m[3]}" + (", " if m[4] else ""), text)
    return re.sub(rf"\b(\d{{1,2}}) ({MONTHS})\b", r"\2 \1", text)


def _strings(x: object, fn: Callable[[str], str], skip_quote_text: bool = False) -> object:
    if isinstance(x, str):
        return fn(x)
    if isinstance(x, list):
        return [_strings(v, fn, skip_quote_text) for v in x]
    if isinstance(x, dict):
        return {k: v if skip_quote_text and k == "text" and "speaker" in x
                else _strings(v, fn, skip_quote_text) for k, v in x.items()}
    return x


def _quoted(x: object) -> list[str]:
    """The quotations (“…”) in every string of x."""
    if isinstance(x, str):
        return re.findall(r"“([^”]*)”", x)
    items = x.values() if isinstance(x, dict) else x if isinstance(x, list) else ()
    return [q for v in items for q in _quoted(v)]


def _first_difference(a: object, b: object, where: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if (diff := _first_difference(a.get(k), b.get(k), f"{where}.{k}")) is not None:
                return diff
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if (diff := _first_difference(x, y, f"{where}[{i}]")) is not None:
                return diff
        return None
    return None if a == b else f"{where}: variant {a!r} != expected {b!r}"


def fact_differences(variant: dict, sample: dict, us: bool = False) -> list[str]:
    """What a variant changes of the sample's facts: everything outside the genre's fields and
    the rating scale; for the US variant, after the sample's prose is put in US English by the
    declared map alone. Quotations compare equal without any mapping."""

    def facts(data: dict) -> dict:
        data = copy.deepcopy(data)
        for r in data.get("risks", []):
            r["likelihood"].pop("scale", None)
            r["likelihood"].pop("term", None)
        return {k: v for k, v in data.items() if k not in GENRE}

    got, expect = facts(variant), facts(sample)
    problems = []
    if [q.get("text") for q in got.get("quotes", [])] != \
            [q.get("text") for q in expect.get("quotes", [])]:
        problems.append("quotes: the variant's quotation texts are not the sample's")
    if us:
        problems += [f"the map would change a quotation: {q!r}" for q in _quoted(expect)
                     if to_us(q) != q and not q.startswith(PACK_OWN_WORDS)]
        expect = _strings(expect, to_us, skip_quote_text=True)  # type: ignore[assignment]
        for actor in expect.get("actors", []):
            if "other_names" in actor:
                actor["other_names"] = [n for n in actor["other_names"]
                                        if n.get("language") != US_SPELLING_ALIAS]
    if (diff := _first_difference(got, expect)) is not None:
        problems.append(diff)
    return problems


def test_variants_hold_the_samples_facts_and_nothing_else() -> None:
    """A variant differs from the sample only in its marking, language, purpose, the genre's
    fields (illustrative), in the UK variant the scale of the desk's ratings and in the US
    variant its prose, in US English by the declared map."""
    sample = load_mapping(SAMPLE)[0]
    for path in (US, UK, MEETING):
        assert fact_differences(load_mapping(path)[0], sample, us=path == US) == [], path.name
    us = load_mapping(US)[0]
    assert [q["text"] for q in us["quotes"]] == [q["text"] for q in sample["quotes"]]
    assert us["quotes"] and "19 September" not in str(us) and "Defence" not in str(us)


@pytest.mark.parametrize("change", ["number", "qualifier", "date in prose", "word in prose",
                                    "quote", "quote spelled the US way", "alias"])
def test_the_variant_check_catches_a_changed_fact(change: str) -> None:
    """The map is the only allowed difference: a fact changed in the US variant fails."""
    sample, us = load_mapping(SAMPLE)[0], load_mapping(US)[0]
    assert fact_differences(us, sample, us=True) == []
    if change == "number":
        us["figures"][0]["value"] = 201
    elif change == "qualifier":
        us["figures"][1]["qualifier"] = "at least"
    elif change == "date in prose":
        assert "September 19, 2023" in us["background"][4]
        us["background"][4] = us["background"][4].replace("September 19", "September 18")
    elif change == "word in prose":
        us["summary"][2] = us["summary"][2].replace("at least 200", "at least 300")
    elif change == "quote":
        us["quotes"][0]["text"] = us["quotes"][0]["text"].replace("immediately", "at once")
    elif change == "quote spelled the US way":  # a quotation is never mapped
        sample["quotes"][4]["text"] = sample["quotes"][4]["text"].replace(
            "Soviet era", "Soviet era of Defence")
        us["quotes"][4]["text"] = sample["quotes"][4]["text"].replace("Defence", "Defense")
    else:
        us["actors"][3]["other_names"].append({"name": "Russian MoD"})
    assert fact_differences(us, sample, us=True) != [], change


# ------------------------------------------------------------------------------------------
# UK submission


def test_uk_submission_opens_with_recommendation_and_timing(uk_pack):
    one = page_one(uk_pack)
    assert one.index("Recommendations") < one.index("Summary")
    assert "Timing:" in one and "To Readers of the briefgen sample pack" in one
    assert "OFFICIAL-SENSITIVE" in one
    for text in texts(uk_pack):
        assert "Timing:" in text and "Note that the cease-fire" in text


def test_uk_paragraphs_number_consistently(uk_pack):
    for text in texts(uk_pack):
        assert re.search(r"1\. Lines to take 1\.1 The cease-fire rests", text)
        assert re.search(r"4\. Background 4\.1 Nagorno-Karabakh is", text)
        assert re.search(r"B1 Likelihood terms follow", text)
        assert not re.search(r"\(a\) NPR", text)  # sources are not lettered
        assert not re.search(r"\b1[45]\. ", text)  # no annex paragraph continues the body's


@pytest.mark.parametrize("label", ["OFFICIAL-SENSITIVE COMMERCIAL", "OFFICIAL-SENSITIVE PERSONAL",
                                   "OFFICIAL-SENSITIVE LOCSEN UK EYES ONLY",
                                   "SECRET UK EYES ONLY", "TOP SECRET"])
def test_uk_descriptors_and_caveats_are_accepted_and_printed(label):
    brief = MINIMAL.replace("scheme: tlp", "scheme: uk").replace('label: "TLP:GREEN"',
                                                                 f'label: "{label}"')
    pack = build(briefgen.parse_brief(brief), style="uk-brief")
    for text in texts(pack):
        assert text.count(label) >= 2


@pytest.mark.parametrize("label,hint", [("SECRET PERSONAL", "OFFICIAL-SENSITIVE only"),
                                        ("OFFICIAL SENSITIVE", "not a UK classification"),
                                        ("UK EYES ONLY", "not a UK classification")])
def test_uk_bad_classifications_are_refused_with_advice(label, hint):
    brief = MINIMAL.replace("scheme: tlp", "scheme: uk").replace('label: "TLP:GREEN"',
                                                                 f'label: "{label}"')
    with pytest.raises(BriefError, match=hint):
        briefgen.parse_brief(brief)


# ------------------------------------------------------------------------------------------
# In Focus


def doubled() -> dict:
    data = load_mapping(SAMPLE)[0]
    for k in ("summary", "lines_to_take", "qa", "background", "figures", "actors", "timeline",
              "risks", "quotes"):
        data[k] = data[k] + [dict(x, title=x["title"] + " (2)") if k == "risks" else
                             dict(x, label=x["label"] + " (2)") if k == "figures" else x
                             for x in data[k]]
    return data


def test_in_focus_is_two_pages_for_the_sample_and_twice_the_sample():
    for brief in (SAMPLE, doubled()):
        pack = build(brief, style="in-focus", template="summary")
        assert pages(pack) == 2
        for text in texts(pack):
            assert "This document is marked TLP:CLEAR" in text  # the marking in the body
            assert "Author information" in text and "briefgen sample desk" in text
            assert "Lines to take" not in text  # non-partisan
            assert "Probability scale (ICD 203): almost no chance 1–5%" in text


def test_page_budget_warning_names_what_to_cut():
    with pytest.warns(briefgen.BriefgenWarning) as caught:
        pack = briefgen.build(doubled(), style="uk-brief", template="summary", formats="pdf")
    assert pages(pack) > 2
    msgs = [str(w.message) for w in caught]
    assert any("page budget is 2 pages" in m and "runs to" in m and "figures (3)" in m
               for m in msgs), msgs
    assert any("prints 3 of the 10 key figures" in m for m in msgs)  # (12 pt type: 3, not 5)
    assert any("prints 4 of the 8 summary points" in m for m in msgs)


@pytest.mark.parametrize("style", sorted(available_styles()))
def test_the_samples_summary_keeps_to_two_pages_in_every_style(style):
    """The summary template caps its lists by the style's type size (12 pt memo styles print
    a background paragraph and two key figures fewer), so the sample's summary keeps to its
    two pages in every shipped style, without a page-budget warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pack = briefgen.build(briefgen.load_brief(SAMPLE), style=style, template="summary",
                              formats="pdf")
    assert pages(pack) == 2
    assert not [w for w in caught if "page budget" in str(w.message)]


# ------------------------------------------------------------------------------------------
# Meeting brief and left-out sections


def test_meeting_brief_page_one():
    pack = build(MEETING, template="meeting")
    one = page_one(pack)
    for field in ("Counterpart An illustrative counterpart", "Date of meeting 21 September 2023",
                  "Venue Illustrative venue", "Attendees briefgen sample desk; a note-taker",
                  "Objectives", "Hear the counterpart"):
        assert field in one, field
    assert one.index("Counterpart") < one.index("Reference")
    for text in texts(pack):
        assert "Attributed analysis and quotes" in text  # the meeting template keeps quotes
        assert "Probability scale (ICD 203)" in text  # it cites ICD 203: it prints the annex


def test_templates_say_what_they_leave_out():
    with pytest.warns(briefgen.BriefgenWarning) as caught:
        briefgen.build(SAMPLE, template="summary", style="in-focus", formats="pdf")
    (left,) = [str(w.message) for w in caught if "leaves out" in str(w.message)]
    for f in ("lines_to_take (5)", "qa (2)", "actors (7)", "timeline (7)", "quotes (6)"):
        assert f in left
    with warnings.catch_warnings():
        warnings.simplefilter("error", briefgen.BriefgenWarning)
        briefgen.build(MEETING, template="full", formats="pdf")  # objectives and meeting print
        briefgen.build(SAMPLE, template="full", formats="pdf")
    pack = build(MEETING, template="full", formats="pdf")
    assert "Objectives" in flat(pdf_all_text(pack.pdf))


def test_summary_prints_the_recommendation_for_a_decision():
    pack = build(UK, template="summary")
    for text in texts(pack):
        assert "Recommendations" in text and "Agree that the casualty figures" in text
        assert "Timing:" in text


def test_summary_top_sheet_date_is_the_date_alone():
    """The compact top sheet's "Date" is the date: not the reference (every page's footer has
    it) nor the facts' date again when it is the same day."""
    pack = briefgen.build(briefgen.load_brief(SAMPLE), template="summary", formats="pdf")
    first = " ".join(PdfReader(io.BytesIO(pack.pdf)).pages[0].extract_text().split())
    assert "Date 20 September 2023 Originator" in first, first[:300]
