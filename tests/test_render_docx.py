"""The DOCX renderer: structure read back with python-docx and raw OOXML, reproducibility, and
one LibreOffice conversion per module to check what a reader actually sees."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import subprocess
import time
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from briefgen.document import (
    Box,
    Cell,
    Contents,
    Document,
    Emph,
    Figure,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Marking,
    Meta,
    MetaField,
    Note,
    NotesList,
    PageBreak,
    Paragraph,
    Quote,
    Ref,
    RiskMatrix,
    RiskPoint,
    Strong,
    Table,
    Text,
    Timeline,
    TimelineEvent,
    TitleBlock,
    plain_text,
)
from briefgen.render.docx import render_docx
from briefgen.style import Style
from conftest import libreoffice_pdfs, need_tool

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}

ARMENIAN = "Ստեփանակերտ"
AZERI = "Xankəndi, Qarabağ"
CYRILLIC = "Нагорный Карабах"
HOSTILE = 'a<b Q&A &copy <img src="/etc/passwd"> {{ 7*7 }}'
DATE = dt.datetime(2023, 9, 21, 9, 30)


def T(s: str) -> Text:
    return Text(s)


def P(*inl, role="body") -> Paragraph:
    return Paragraph(tuple(T(i) if isinstance(i, str) else i for i in inl), role=role)


def C(s: str) -> Cell:
    return Cell((P(s),))


AMBER = Marking("tlp", "TLP:AMBER")


def sample_document(marking: Marking | None = AMBER) -> Document:
    chronology = tuple(
        (C(f"20 Sep 2023 {h:02d}:00"), C(f"Event {h}: report from {ARMENIAN} and {AZERI}"),
         C("Source grade B2"))
        for h in range(1, 46)
    )
    blocks = (
        P("TLP:AMBER", role="marking"),
        TitleBlock(
            title=(T("Nagorno-Karabakh: cease-fire of 20 September 2023"),),
            subtitle=(T("Briefing pack for the Minister"),),
            fields=(
                MetaField("Reference", (T("BP-2023-117"),)),
                MetaField("Date", (T("21 September 2023, facts as of 09:00"),)),
                MetaField("Originator", (T("South Caucasus Desk"),)),
            ),
        ),
        Box(blocks=(P("Azerbaijan's one-day offensive ended in a cease-fire; the de facto "
                      "authorities agreed to disarm.", Note((T("NPR, 20 Sep 2023."),))),),
            title=(T("Bottom line up front"),), role="summary"),
        Contents("Contents"),
        PageBreak(),
        Heading(1, (T("Lines to take"),), "lines"),
        P("We welcome the cease-fire in ", T(CYRILLIC), " and urge talks. See ",
          Ref("background", (T("Background"),)), "."),
        ListBlock(items=((P("First point, ", Strong((T("firmly"),)), "."),),
                         (P("Second point, ", Emph((T("gently"),)), "."),),
                         (P("Third point with a sub-list:"),
                          ListBlock(items=((P("nested bullet"),),), ordered=False)))),
        Heading(2, (T("Defensive lines"),), "defensive"),
        ListBlock(items=((P("Ordered one"),), (P("Ordered two"),), (P("Ordered three"),)),
                  ordered=True),
        P("Between the lists: ", T(HOSTILE)),
        ListBlock(items=((P("Restarted one"),), (P("Restarted two"),)), ordered=True),
        Heading(1, (T("Background"),), "background"),
        P("The region, known in Armenian as ", T(ARMENIAN), " (its main city) and in "
          "Azerbaijani as ", T(AZERI), ", saw fighting", Note((T("See "), Link(
              "https://www.npr.org/2023/09/20/ceasefire?a=1&b=2", (T("NPR report"),)),
              T("."))), ".", LineBreak(), "A second line after a break."),
        Quote(blocks=(P("We will not allow a humanitarian catastrophe."),),
              attribution=(T("A spokesperson, press briefing, 20 September 2023"),)),
        P("More at ", Link("https://example.org/brief?x=1&y=<2>", (T("example.org"),)),
          " and ", Link("mailto:desk@example.org", (T("the desk"),)), ".",
          Note((T("Interview with officials, 21 Sep 2023."),))),
        Figure(RiskMatrix(("Unlikely", "Likely", "Almost certain"), ("Minor", "Moderate", "Severe"),
                          ((0, 0, 1), (0, 1, 2), (1, 2, 2)), ("Low", "Medium", "High"),
                          (RiskPoint("Renewed fighting", 2, 3), RiskPoint("Exodus", 3, 3))),
               (T("Risks to the cease-fire"),), "Risk matrix: exodus almost certain, severe"),
        Heading(3, (T("Chronology"),), "chronology"),
        Figure(Timeline((TimelineEvent("19 Sep", 0, "Offensive begins"),
                         TimelineEvent("20 Sep", 1, "Cease-fire"))), (), "Timeline of two days"),
        Table(header=(C("Time"), C("Event"), C("Grade")), rows=chronology,
              widths=(2, 5, 1.5), caption=(T("Chronology of the offensive"),)),
        Heading(2, (T("Not in contents"),), "hidden", toc=False),
        P("Closing remarks.", Note((T("NPR, 20 Sep 2023."),)), role="small"),
        NotesList("Notes"),
    )
    meta = Meta(title="Nagorno-Karabakh cease-fire", date=DATE, author="South Caucasus Desk",
                subject="Cease-fire brief", keywords=("Armenia", "Azerbaijan"), lang="en-GB",
                marking=marking, footer_text="BP-2023-117 v1, 21 Sep 2023")
    return Document(meta=meta, blocks=blocks)


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def xml(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(parts(data)[name])


def wval(e: etree._Element | None, attr: str = "val") -> str | None:
    return None if e is None else e.get(f"{{{W}}}{attr}")


def texts(root: etree._Element) -> str:
    return "".join(t.text or "" for t in root.iter(f"{{{W}}}t"))


def style_ids(data: bytes) -> dict[str, etree._Element]:
    return {s.get(f"{{{W}}}styleId"): s for s in xml(data, "word/styles.xml").iter(f"{{{W}}}style")}


# --------------------------------------------------------------------------------------------
# Fixtures: one render per configuration for the module


@pytest.fixture(scope="module")
def doc() -> Document:
    return sample_document()


@pytest.fixture(scope="module")
def endnotes(doc: Document) -> bytes:
    return render_docx(doc, Style(notes="endnotes"))


@pytest.fixture(scope="module")
def footnotes(doc: Document) -> bytes:
    return render_docx(doc, Style(notes="footnotes"))


@pytest.fixture(scope="module")
def uk() -> bytes:
    from briefgen.style import Page
    return render_docx(sample_document(Marking("uk", "official-sensitive")),
                       Style(page=Page(size="Letter")))


# --------------------------------------------------------------------------------------------
# Styles


def test_paragraphs_use_named_styles(endnotes: bytes) -> None:
    d = docx.Document(io.BytesIO(endnotes))
    used = {p.style.name for p in d.paragraphs}
    for cell_style in ("Meta Label", "Meta Value", "Box Title", "Box Text", "Table Text",
                       "Table Heading"):
        assert any(p.style.name == cell_style for t in d.tables for row in t.rows
                   for c in row.cells for p in c.paragraphs), cell_style
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "List Bullet",
                 "List Bullet 2", "List Number", "Caption", "Quote", "Attribution",
                 "Body Marking", "Small Text", "TOC Heading", "toc 1", "toc 2", "toc 3"):
        assert name in used, name
    by_text = {p.text: p.style.name for p in d.paragraphs}
    assert by_text["Lines to take"] == "Heading 1"
    assert by_text["Defensive lines"] == "Heading 2"
    assert by_text["Chronology"] == "Heading 3"
    assert by_text["Closing remarks.1"] == "Small Text"  # 1: the repeated note's number
    assert {t.style.name for t in d.tables} == {"Meta Table", "Briefing Box", "Briefing Table"}


def test_lead_paragraph_style(doc: Document) -> None:
    d = Document(doc.meta, (P("A lead paragraph.", role="lead"), P("x", role="caption")))
    out = docx.Document(io.BytesIO(render_docx(d, Style())))
    assert [p.style.name for p in out.paragraphs[:2]] == ["Lead", "Caption"]


def test_styles_carry_fonts_sizes_colours_and_language(endnotes: bytes) -> None:
    styles = xml(endnotes, "word/styles.xml")
    defaults = styles.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr")
    fonts = defaults.find(f"{{{W}}}rFonts")
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert wval(fonts, attr) == "DejaVu Sans"
    assert not any(k.endswith("Theme") for k in fonts.attrib)  # no theme fonts overriding
    assert wval(defaults.find(f"{{{W}}}lang")) == "en-GB"
    ids = style_ids(endnotes)
    h1 = ids["Heading1"]
    assert wval(h1.find(f"{{{W}}}name")) == "heading 1"
    rpr = h1.find(f"{{{W}}}rPr")
    assert int(wval(rpr.find(f"{{{W}}}sz"))) / 2 == Style().sizes.h1 == 16  # half-points
    assert wval(rpr.find(f"{{{W}}}color")) == "1F3864"
    assert wval(rpr.find(f"{{{W}}}rFonts"), "cs") == "DejaVu Sans"
    assert h1.find(f"{{{W}}}pPr/{{{W}}}keepNext") is not None
    assert wval(ids["Normal"].find(f"{{{W}}}rPr/{{{W}}}lang")) == "en-GB"
    for sid in ("MarkingBanner", "MetaLabel", "Lead", "Attribution", "BoxText", "Hyperlink",
                "EndnoteText", "EndnoteReference", "FootnoteText", "FootnoteReference",
                "BriefingTable", "BriefingBox"):
        assert sid in ids, sid
    # the template's ~140 unused table styles are gone
    assert len([s for s in ids.values() if s.get(f"{{{W}}}type") == "table"]) <= 6


def test_serif_style_uses_serif_family(doc: Document) -> None:
    from briefgen.style import Fonts
    data = render_docx(doc, Style(fonts=Fonts(body="dejavu-serif", headings="dejavu-sans")))
    ids = style_ids(data)
    assert wval(ids["Normal"].find(f"{{{W}}}rPr/{{{W}}}rFonts"), "ascii") == "DejaVu Serif"
    assert wval(ids["Heading1"].find(f"{{{W}}}rPr/{{{W}}}rFonts"), "ascii") == "DejaVu Sans"


# --------------------------------------------------------------------------------------------
# Page set-up, header and footer


def test_page_setup_a4_and_letter(endnotes: bytes, uk: bytes) -> None:
    mm = 72 / 25.4

    def points(e: etree._Element, attr: str) -> float:  # twips to points
        return int(wval(e, attr)) / 20

    sect = xml(endnotes, "word/document.xml").find(f"{{{W}}}body/{{{W}}}sectPr")
    size = sect.find(f"{{{W}}}pgSz")
    assert points(size, "w") == pytest.approx(210 * mm, abs=0.05)  # A4, in whole twips
    assert points(size, "h") == pytest.approx(297 * mm, abs=0.05)
    mar = sect.find(f"{{{W}}}pgMar")
    assert points(mar, "top") == pytest.approx(25 * mm, abs=0.025)
    assert points(mar, "left") == pytest.approx(22 * mm, abs=0.025)
    sect = xml(uk, "word/document.xml").find(f"{{{W}}}body/{{{W}}}sectPr")
    size = sect.find(f"{{{W}}}pgSz")
    assert (points(size, "w"), points(size, "h")) == (8.5 * 72, 11 * 72)  # US Letter


def _resolved_ppr(data: bytes, style_id: str, tag: str) -> etree._Element | None:
    ids = style_ids(data)
    while style_id:
        st = ids[style_id]
        for part in ("pPr", "rPr"):
            e = st.find(f"{{{W}}}{part}/{{{W}}}{tag}")
            if e is not None:
                return e
        style_id = wval(st.find(f"{{{W}}}basedOn"))
    return None


def test_header_and_footer_carry_tlp_marking_and_page_fields(endnotes: bytes) -> None:
    p = parts(endnotes)
    header = etree.fromstring(p["word/header1.xml"])
    footer = etree.fromstring(p["word/footer1.xml"])
    assert texts(header) == "TLP:AMBER"
    assert "TLP:AMBER" in texts(footer)
    for root in (header, footer):
        marks = [q for q in root.iter(f"{{{W}}}p") if "TLP:AMBER" in texts(q)]
        assert wval(marks[0].find(f"{{{W}}}pPr/{{{W}}}pStyle")) == "MarkingBanner"
    assert wval(_resolved_ppr(endnotes, "MarkingBanner", "jc")) == "right"
    assert wval(_resolved_ppr(endnotes, "MarkingBanner", "color")) == "FFC000"
    assert wval(_resolved_ppr(endnotes, "MarkingBanner", "shd"), "fill") == "000000"
    assert int(wval(_resolved_ppr(endnotes, "MarkingBanner", "sz"))) >= 24
    instr = [t.text.strip() for t in footer.iter(f"{{{W}}}instrText")]
    assert instr == ["PAGE", "NUMPAGES"]
    assert "BP-2023-117 v1, 21 Sep 2023" in texts(footer)
    assert "Page " in texts(footer) and " of " in texts(footer)
    # every page: one section, its header and footer are the default ones
    sect = xml(endnotes, "word/document.xml").find(f"{{{W}}}body/{{{W}}}sectPr")
    assert [wval(r, "type") for r in sect.findall(f"{{{W}}}headerReference")] == ["default"]
    assert [wval(r, "type") for r in sect.findall(f"{{{W}}}footerReference")] == ["default"]
    assert sect.find(f"{{{W}}}titlePg") is None


def test_uk_marking_is_capitals_centred_without_shading(uk: bytes) -> None:
    p = parts(uk)
    header = etree.fromstring(p["word/header1.xml"])
    footer = etree.fromstring(p["word/footer1.xml"])
    assert texts(header) == "OFFICIAL-SENSITIVE"
    assert texts(footer).endswith("OFFICIAL-SENSITIVE")
    assert wval(_resolved_ppr(uk, "MarkingBanner", "jc")) == "center"
    assert _resolved_ppr(uk, "MarkingBanner", "shd") is None


def test_page_template_label_is_used(doc: Document) -> None:
    meta = Meta(title="t", date=DATE, labels={"page_x_of_y": "Seite {page} von {total}"},
                marking=Marking("custom", "internal"))
    data = render_docx(Document(meta, doc.blocks[:3]), Style())
    footer = etree.fromstring(parts(data)["word/footer1.xml"])
    assert "Seite " in texts(footer) and " von " in texts(footer)
    assert texts(etree.fromstring(parts(data)["word/header1.xml"])) == "INTERNAL"


# --------------------------------------------------------------------------------------------
# Contents, bookmarks, cross-references


def test_toc_field_prefilled_with_pagerefs_to_bookmarks(endnotes: bytes) -> None:
    body = xml(endnotes, "word/document.xml").find(f"{{{W}}}body")
    instr = [t.text.strip() for t in body.iter(f"{{{W}}}instrText")]
    assert instr[0] == 'TOC \\o "1-3" \\h \\z \\u'
    bookmarks = {wval(b, "name"): b for b in body.iter(f"{{{W}}}bookmarkStart")}
    entries = [p for p in body.iter(f"{{{W}}}p")
               if (wval(p.find(f"{{{W}}}pPr/{{{W}}}pStyle")) or "").startswith("TOC")
               and wval(p.find(f"{{{W}}}pPr/{{{W}}}pStyle")) != "TOCHeading"]
    heads = [texts(h) for h in entries]
    assert [re.sub(r"\d+$", "", h) for h in heads] == [
        "Lines to take", "Defensive lines", "Background", "Chronology", "Notes"]
    assert all(re.search(r"\d$", h) for h in heads)  # cached page numbers, not blank
    pagerefs = [i.split()[1] for i in instr if i.startswith("PAGEREF")]
    assert pagerefs == ["lines", "defensive", "background", "chronology", "notes"]
    for name in pagerefs:
        assert name in bookmarks
    # the bookmark wraps the heading text
    for p in body.iter(f"{{{W}}}p"):
        if wval(p.find(f"{{{W}}}pPr/{{{W}}}pStyle")) == "Heading1" and "Background" in texts(p):
            assert wval(p.find(f"{{{W}}}bookmarkStart"), "name") == "background"
            assert p.find(f"{{{W}}}bookmarkEnd") is not None
    ids = [wval(b, "id") for b in body.iter(f"{{{W}}}bookmarkStart")]
    assert ids == [str(i) for i in range(len(ids))]
    # fields balance
    kinds = [wval(f, "fldCharType") for f in body.iter(f"{{{W}}}fldChar")]
    assert kinds.count("begin") == kinds.count("end") == kinds.count("separate")
    assert "Not in contents" not in "".join(heads)


def test_settings_update_fields_in_schema_order(endnotes: bytes) -> None:
    from briefgen.render.docx.ooxml import SETTINGS_ORDER
    settings = xml(endnotes, "word/settings.xml")
    assert wval(settings.find(f"{{{W}}}updateFields")) == "true"
    names = [etree.QName(c).localname for c in settings if etree.QName(c).namespace == W]
    ranks = [SETTINGS_ORDER.index(n) for n in names]
    assert ranks == sorted(ranks)
    assert settings.find(f"{{{W}}}savePreviewPicture") is None


def test_ref_becomes_internal_hyperlink(endnotes: bytes) -> None:
    body = xml(endnotes, "word/document.xml").find(f"{{{W}}}body")
    refs = [h for h in body.iter(f"{{{W}}}hyperlink") if wval(h, "anchor") == "background"]
    assert any(texts(h) == "Background" for h in refs)
    names = {wval(b, "name") for b in body.iter(f"{{{W}}}bookmarkStart")}
    for h in body.iter(f"{{{W}}}hyperlink"):
        if wval(h, "anchor"):
            assert wval(h, "anchor") in names


def test_ref_to_unknown_anchor_is_plain_text(doc: Document) -> None:
    d = Document(doc.meta, (P("see ", Ref("nowhere", (T("there"),))),))
    body = xml(render_docx(d, Style()), "word/document.xml").find(f"{{{W}}}body")
    assert "see there" in texts(body)
    assert body.find(f".//{{{W}}}hyperlink") is None


# --------------------------------------------------------------------------------------------
# Notes


NOTE_TEXTS = ["NPR, 20 Sep 2023.", "See NPR report.", "Interview with officials, 21 Sep 2023."]


def _note_texts(data: bytes, part: str, tag: str) -> tuple[dict[str, str], etree._Element]:
    root = xml(data, part)
    notes = {wval(n, "id"): texts(n).strip() for n in root.findall(f"{{{W}}}{tag}")}
    return notes, root


def test_endnotes_are_a_numbered_list_in_the_body(endnotes: bytes) -> None:
    """Endnotes are listed in the body under the notes heading (LibreOffice would set Word
    endnotes on a page without header and footer, hence without the marking)."""
    p = parts(endnotes)
    assert "word/footnotes.xml" not in p and "word/endnotes.xml" not in p
    assert "endnotes" not in p["word/_rels/document.xml.rels"].decode()
    settings = xml(endnotes, "word/settings.xml")
    assert settings.find(f"{{{W}}}endnotePr") is None
    body = xml(endnotes, "word/document.xml").find(f"{{{W}}}body")
    paras = body.findall(f"{{{W}}}p")
    heading = next(q for q in paras if texts(q) == "Notes")
    assert wval(heading.find(f"{{{W}}}pPr/{{{W}}}pStyle")) == "Heading1"
    assert wval(heading.find(f"{{{W}}}bookmarkStart"), "name") == "notes"
    items = paras[paras.index(heading) + 1:paras.index(heading) + 4]
    assert [texts(q) for q in items] == NOTE_TEXTS
    numbering = xml(endnotes, "word/numbering.xml")
    num_ids = set()
    for n, q in enumerate(items, 1):
        ppr = q.find(f"{{{W}}}pPr")
        assert wval(ppr.find(f"{{{W}}}pStyle")) == "EndnoteText"
        num_ids.add(wval(ppr.find(f"{{{W}}}numPr/{{{W}}}numId")))
        assert wval(ppr.find(f"{{{W}}}numPr/{{{W}}}ilvl")) == "0"
        assert wval(q.find(f"{{{W}}}bookmarkStart"), "name") == f"_Note{n}"
    (num_id,) = num_ids  # one list, numbered from 1
    num = next(x for x in numbering.findall(f"{{{W}}}num") if wval(x, "numId") == num_id)
    assert wval(num.find(f"{{{W}}}lvlOverride/{{{W}}}startOverride")) == "1"
    abstract = next(a for a in numbering.findall(f"{{{W}}}abstractNum")
                    if wval(a, "abstractNumId") == wval(num.find(f"{{{W}}}abstractNumId")))
    assert wval(abstract.find(f"{{{W}}}lvl/{{{W}}}numFmt")) == "decimal"
    # every mark is its number, superscript (the reference style), linking to its note; the
    # repeated note is listed once and its second mark repeats the first number
    marks = [(wval(h, "anchor"), texts(h), wval(h.find(f".//{{{W}}}rStyle")))
             for h in body.iter(f"{{{W}}}hyperlink")
             if (wval(h, "anchor") or "").startswith("_Note")]
    assert marks == [("_Note1", "1", "EndnoteReference"), ("_Note2", "2", "EndnoteReference"),
                     ("_Note3", "3", "EndnoteReference"), ("_Note1", "1", "EndnoteReference")]
    assert wval(_resolved_ppr(endnotes, "EndnoteReference", "vertAlign")) == "superscript"
    assert body.find(f".//{{{W}}}endnoteReference") is None
    # the link inside note 2 is related from the document part
    rels = p["word/_rels/document.xml.rels"].decode()
    assert "https://www.npr.org/2023/09/20/ceasefire?a=1&amp;b=2" in rels


def test_endnotes_listed_where_the_notes_block_stands(doc: Document) -> None:
    blocks = (Contents("Contents"), Heading(1, (T("One"),), "one"),
              P("cited", Note((T("first"),)), Note((T("second"),)), Note((T("second"),))),
              NotesList("Sources cited"), Heading(1, (T("Annex"),), "annex"),
              P("later", Note((T("third"),)), Note((T("first"),))))
    data = render_docx(Document(doc.meta, blocks), Style())
    d = docx.Document(io.BytesIO(data))
    text = [(q.style.name, q.text) for q in d.paragraphs if q.text]
    heads = [t for t in text if t[0].startswith("Heading")]
    assert heads == [("Heading 1", "One"), ("Heading 1", "Sources cited"),
                     ("Heading 1", "Annex")]
    at = text.index(("Heading 1", "Sources cited"))
    assert text[at + 1:at + 4] == [("endnote text", "first"), ("endnote text", "second"),
                                   ("endnote text", "third")]  # numbered once all are known
    # marks side by side print in order (1,3, not 3,1)
    assert ("Normal", "cited1,2") in text and ("Normal", "later1,3") in text
    toc = [re.sub(r"\t\d+$", "", t) for s, t in text if s.startswith("toc")]
    assert toc == ["One", "Sources cited", "Annex"]
    body = xml(data, "word/document.xml")
    ids = [wval(b, "id") for b in body.iter(f"{{{W}}}bookmarkStart")]
    assert ids == [str(i) for i in range(len(ids))]  # in document order
    ends = [wval(b, "id") for b in body.iter(f"{{{W}}}bookmarkEnd")]
    assert sorted(ends) == sorted(ids)


def test_notes_without_a_notes_block_go_at_the_end(doc: Document) -> None:
    meta = Meta(title="t", date=DATE, labels={"notes": "Endnotes"})
    data = render_docx(Document(meta, (P("x", Note((T("n"),))), PageBreak())), Style())
    d = docx.Document(io.BytesIO(data))
    assert [(q.style.name, q.text) for q in d.paragraphs if q.text][-2:] == [
        ("Heading 1", "Endnotes"), ("endnote text", "n")]


def test_footnotes_part(footnotes: bytes) -> None:
    p = parts(footnotes)
    assert "word/endnotes.xml" not in p
    notes, root = _note_texts(footnotes, "word/footnotes.xml", "footnote")
    assert [wval(n, "id") for n in root.findall(f"{{{W}}}footnote")] == ["-1", "0", "1", "2", "3"]
    assert [notes[i] for i in ("1", "2", "3")] == NOTE_TEXTS
    body = xml(footnotes, "word/document.xml")
    assert [wval(r, "id") for r in body.iter(f"{{{W}}}footnoteReference")] == ["1", "2", "3"]
    assert "NOTEREF _RefNote1 \\f \\h" in [t.text.strip() for t in body.iter(f"{{{W}}}instrText")]
    for r in body.iter(f"{{{W}}}footnoteReference"):
        assert wval(r.getparent().find(f"{{{W}}}rPr/{{{W}}}rStyle")) == "FootnoteReference"
    settings = xml(footnotes, "word/settings.xml")
    assert [wval(f, "id") for f in settings.findall(f"{{{W}}}footnotePr/{{{W}}}footnote")] == \
        ["-1", "0"]
    # NotesList is ignored with footnotes: no notes heading
    d = docx.Document(io.BytesIO(footnotes))
    assert "Notes" not in [q.text for q in d.paragraphs]


def test_no_notes_no_notes_part(doc: Document) -> None:
    d = Document(doc.meta, (P("plain"), NotesList("Notes")))
    data = render_docx(d, Style())
    assert not any("notes.xml" in n for n in parts(data))
    assert "Notes" not in texts(xml(data, "word/document.xml"))


# --------------------------------------------------------------------------------------------
# Tables, lists, links


def _briefing_table(data: bytes) -> etree._Element:
    body = xml(data, "word/document.xml").find(f"{{{W}}}body")
    return next(t for t in body.iter(f"{{{W}}}tbl")
                if wval(t.find(f"{{{W}}}tblPr/{{{W}}}tblStyle")) == "BriefingTable")


def test_table_header_repeats_and_rows_do_not_split(endnotes: bytes) -> None:
    tbl = _briefing_table(endnotes)
    rows = tbl.findall(f"{{{W}}}tr")
    assert len(rows) == 46
    assert rows[0].find(f"{{{W}}}trPr/{{{W}}}tblHeader") is not None
    assert all(r.find(f"{{{W}}}trPr/{{{W}}}tblHeader") is None for r in rows[1:])
    assert all(r.find(f"{{{W}}}trPr/{{{W}}}cantSplit") is not None for r in rows)
    # header shading and stripes come from the table style, not from the cells
    assert tbl.find(f".//{{{W}}}tcPr/{{{W}}}shd") is None
    table_style = style_ids(endnotes)["BriefingTable"]
    first = next(t for t in table_style.findall(f"{{{W}}}tblStylePr")
                 if wval(t, "type") == "firstRow")
    assert wval(first.find(f"{{{W}}}tcPr/{{{W}}}shd"), "fill") == "1F3864"
    assert wval(first.find(f"{{{W}}}rPr/{{{W}}}color")) == "FFFFFF"
    look = tbl.find(f"{{{W}}}tblPr/{{{W}}}tblLook")
    assert wval(look, "firstRow") == "1" and wval(look, "noHBand") == "0"
    cols = [int(wval(g, "w")) for g in tbl.iter(f"{{{W}}}gridCol")]
    text_width = round((595.2756 - 2 * 22 * 72 / 25.4) * 20)
    assert abs(sum(cols) - text_width) <= 1
    assert abs(cols[1] / cols[0] - 2.5) < 0.01 and abs(cols[2] / cols[0] - 0.75) < 0.01
    assert wval(tbl.find(f"{{{W}}}tblPr/{{{W}}}tblLayout"), "type") == "fixed"
    assert wval(tbl.find(f"{{{W}}}tblPr/{{{W}}}tblCaption")) == "Chronology of the offensive"


def test_box_is_shaded_one_cell_table(endnotes: bytes) -> None:
    d = docx.Document(io.BytesIO(endnotes))
    box = next(t for t in d.tables if t.style.name == "Briefing Box")
    assert len(box.rows) == 1 and len(box.columns) == 1
    assert [p.style.name for p in box.cell(0, 0).paragraphs] == ["Box Title", "Box Text"]
    ids = style_ids(endnotes)
    assert wval(ids["BriefingBox"].find(f".//{{{W}}}tcPr/{{{W}}}shd"), "fill") == "EEF2F8"


def test_numbering_bullets_and_restarting_numbers(endnotes: bytes) -> None:
    body = xml(endnotes, "word/document.xml").find(f"{{{W}}}body")
    numbering = xml(endnotes, "word/numbering.xml")
    abstract_fmt = {wval(a, "abstractNumId"): wval(a.find(f"{{{W}}}lvl/{{{W}}}numFmt"))
                    for a in numbering.findall(f"{{{W}}}abstractNum")}
    nums = {wval(n, "numId"): n for n in numbering.findall(f"{{{W}}}num")}

    def fmt(num_id: str) -> str:
        return abstract_fmt[wval(nums[num_id].find(f"{{{W}}}abstractNumId"))]

    items = []
    for p in body.iter(f"{{{W}}}p"):
        numpr = p.find(f"{{{W}}}pPr/{{{W}}}numPr")
        if numpr is not None:
            items.append((texts(p), wval(numpr.find(f"{{{W}}}numId")),
                          wval(numpr.find(f"{{{W}}}ilvl"))))
    by_text = {t: (n, lvl) for t, n, lvl in items}
    assert fmt(by_text["First point, firmly."][0]) == "bullet"
    assert by_text["nested bullet"][1] == "1"
    first = by_text["Ordered one"][0]
    second = by_text["Restarted one"][0]
    assert by_text["Ordered three"][0] == first
    assert first != second
    assert fmt(first) == fmt(second) == "decimal"
    for n in (first, second):
        override = nums[n].find(f"{{{W}}}lvlOverride")
        assert wval(override, "ilvl") == "0"
        assert wval(override.find(f"{{{W}}}startOverride")) == "1"


def test_external_hyperlinks(endnotes: bytes) -> None:
    d = docx.Document(io.BytesIO(endnotes))
    rels = {r.rId: r for r in d.part.rels.values() if r.reltype.endswith("/hyperlink")}
    targets = {r.target_ref for r in rels.values()}
    assert targets == {"https://example.org/brief?x=1&y=<2>", "mailto:desk@example.org",
                       "https://www.npr.org/2023/09/20/ceasefire?a=1&b=2"}  # in note 2
    assert all(r.is_external for r in rels.values())
    body = xml(endnotes, "word/document.xml").find(f"{{{W}}}body")
    links = {texts(h): h.get(f"{{{R}}}id") for h in body.iter(f"{{{W}}}hyperlink")
             if h.get(f"{{{R}}}id")}
    assert rels[links["example.org"]].target_ref == "https://example.org/brief?x=1&y=<2>"
    run = next(h for h in body.iter(f"{{{W}}}hyperlink") if texts(h) == "the desk")
    assert wval(run.find(f".//{{{W}}}rStyle")) == "Hyperlink"


def test_emphasis_is_run_formatting(endnotes: bytes) -> None:
    body = xml(endnotes, "word/document.xml").find(f"{{{W}}}body")
    runs = {texts(r): r for r in body.iter(f"{{{W}}}r")}
    assert runs["firmly"].find(f"{{{W}}}rPr/{{{W}}}b") is not None
    assert runs["gently"].find(f"{{{W}}}rPr/{{{W}}}i") is not None
    brs = [r for r in body.iter(f"{{{W}}}br") if r.get(f"{{{W}}}type") is None]
    assert brs  # the LineBreak


# --------------------------------------------------------------------------------------------
# Text, properties, package


def test_figures_are_pictures_with_alt_text(endnotes: bytes) -> None:
    body = xml(endnotes, "word/document.xml").find(f"{{{W}}}body")
    wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    docprs = list(body.iter(f"{{{wp}}}docPr"))
    assert [d.get("descr") for d in docprs] == ["Risk matrix: exodus almost certain, severe",
                                                "Timeline of two days"]
    assert len({d.get("id") for d in docprs}) == 2
    media = [n for n in parts(endnotes) if n.startswith("word/media/")]
    assert len(media) == 2 and all(parts(endnotes)[n][:8] == b"\x89PNG\r\n\x1a\n" for n in media)
    d = docx.Document(io.BytesIO(endnotes))
    styles = [p.style.name for p in d.paragraphs]
    assert styles.count("Figure") == 2
    fig = styles.index("Figure")
    assert styles[fig + 1] == "Caption"  # the caption below its picture, in the Caption style
    assert d.paragraphs[fig + 1].text == "Risks to the cease-fire"


def test_figures_are_the_pdf_drawings_at_print_resolution(doc: Document,
                                                           endnotes: bytes) -> None:
    """The pictures are the shared chart layouts (the PDF's) painted, not a second drawing:
    byte for byte what chart_raster.png makes of the chart for the text width, shown at
    that width and at 200 dpi or more (test_chart_raster.py checks that picture against the
    PDF's drawing)."""
    from PIL import Image

    from briefgen.render import chart_raster
    from briefgen.render import docx as docx_renderer

    assert not hasattr(docx_renderer, "_chart_png") and not hasattr(docx_renderer, "_Canvas")
    body = xml(endnotes, "word/document.xml").find(f"{{{W}}}body")
    wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(
        parts(endnotes)["word/_rels/document.xml.rels"])}
    sect = body.find(f"{{{W}}}sectPr")
    text_width = (int(wval(sect.find(f"{{{W}}}pgSz"), "w"))
                  - sum(int(wval(sect.find(f"{{{W}}}pgMar"), side) or 0)
                        for side in ("left", "right", "gutter"))) / 20
    charts = [b.chart for b in doc.blocks if isinstance(b, Figure)]
    inlines = list(body.iter(f"{{{wp}}}inline"))
    assert len(inlines) == len(charts) == 2
    for chart, inline in zip(charts, inlines):
        cx = int(inline.find(f"{{{wp}}}extent").get("cx"))
        assert abs(cx / 12700 - text_width) < 0.5  # sized to the text width
        blip = next(inline.iter(f"{{{a}}}blip"))
        png = parts(endnotes)["word/" + rels[blip.get(f"{{{R}}}embed")]]
        assert png == chart_raster.png(chart, Style(), text_width, dpi=200,
                                       max_height=10_000)[0]
        with Image.open(io.BytesIO(png)) as im:
            assert im.width / (cx / 914400) >= 199.5  # pixels per inch as printed


def test_all_text_present_and_literal(endnotes: bytes) -> None:
    d = docx.Document(io.BytesIO(endnotes))
    all_text = "\n".join(p.text for p in d.paragraphs) + "\n".join(
        p.text for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs)
    for s in (ARMENIAN, AZERI, CYRILLIC, HOSTILE, "Lines to take", "Event 45: report from",
              "We will not allow a humanitarian catastrophe.",
              "\u2014\u00a0A spokesperson, press briefing, 20 September 2023",
              "Azerbaijan's one-day offensive", "South Caucasus Desk", "TLP:AMBER"):
        assert s in all_text, s
    raw = parts(endnotes)["word/document.xml"].decode()
    assert "a&lt;b Q&amp;A &amp;copy &lt;img" in raw  # escaped once, never interpreted


def test_control_characters_do_not_crash(doc: Document) -> None:
    d = Document(Meta(title="bad\x01title", date=DATE, footer_text="f\x02",
                      marking=Marking("tlp", "TLP:\x03")),
                 (P("bell\x07 and \x0b vertical tab", Note((T("n\x1f"),))),
                  Heading(1, (T("tab\there \ud800"),), "x\x04"), Contents("C\x05"),
                  Table((C("h\x06"),), ((C("c"),),), (1,), (T("cap\x0e"),)),
                  Figure(Timeline((TimelineEvent("w\x0f", 0, "l\x10"),)), (T("f\x11"),),
                         "alt\x12")))
    data = render_docx(d, Style(notes="footnotes"))
    body = texts(xml(data, "word/document.xml"))
    assert "bell\ufffd and \ufffd vertical tab" in body
    assert docx.Document(io.BytesIO(data)).core_properties.title == "bad\ufffdtitle"


def test_core_properties(endnotes: bytes) -> None:
    cp = docx.Document(io.BytesIO(endnotes)).core_properties
    assert cp.title == "Nagorno-Karabakh cease-fire"
    assert cp.subject == "Cease-fire brief"  # as given: the template leads it with the marking
    assert cp.author == cp.last_modified_by == "South Caucasus Desk"
    assert cp.keywords == "Armenia, Azerbaijan"
    assert cp.language == "en-GB"
    utc = DATE.replace(tzinfo=dt.UTC)  # naive dates are written as UTC
    assert cp.created == cp.modified == utc
    assert cp.revision == 1
    for name, blob in parts(endnotes).items():
        if name.startswith("docProps/"):
            assert b"python-docx" not in blob, name
            assert b"2013" not in blob, name
    app = parts(endnotes)["docProps/app.xml"].decode()
    assert "<Application>briefgen</Application>" in app
    assert "Microsoft" not in app


def test_timezone_aware_date_is_written_in_utc(doc: Document) -> None:
    when = dt.datetime(2023, 9, 21, 11, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    data = render_docx(Document(Meta(title="t", date=when), (P("x"),)), Style())
    created = docx.Document(io.BytesIO(data)).core_properties.created
    assert created == dt.datetime(2023, 9, 21, 9, 30, tzinfo=dt.UTC)


def test_blank_marking_prints_nothing(doc: Document) -> None:
    meta = Meta(title="t", date=DATE, marking=Marking("custom", "  "))
    data = render_docx(Document(meta, (P("x"),)), Style())
    assert texts(etree.fromstring(parts(data)["word/header1.xml"])) == ""
    assert docx.Document(io.BytesIO(data)).core_properties.subject == ""


def test_warning_box_has_its_own_style(doc: Document) -> None:
    data = render_docx(Document(doc.meta, (Box((P("careful"),), role="warning"),)), Style())
    assert {t.style.name for t in docx.Document(io.BytesIO(data)).tables} == {"Warning Box"}


def test_contents_without_headings_is_left_out(doc: Document) -> None:
    data = render_docx(Document(doc.meta, (Contents("Contents"), P("no headings"))), Style())
    body = xml(data, "word/document.xml")
    assert "Contents" not in texts(body)
    assert body.find(f".//{{{W}}}instrText") is None


def test_long_title_is_truncated_for_properties(doc: Document) -> None:
    data = render_docx(Document(Meta(title="x" * 400, date=DATE), (P("x"),)), Style())
    assert docx.Document(io.BytesIO(data)).core_properties.title == "x" * 255


def test_template_leftovers_removed(endnotes: bytes) -> None:
    names = set(parts(endnotes))
    assert not any("thumbnail" in n for n in names)
    assert not any(n.startswith("customXml") for n in names)
    assert "word/stylesWithEffects.xml" not in names
    fonts = xml(endnotes, "word/fontTable.xml")
    assert [wval(f, "name") for f in fonts.findall(f"{{{W}}}font")] == ["DejaVu Sans"]
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    theme = xml(endnotes, "word/theme/theme1.xml")
    for which in ("majorFont", "minorFont"):
        assert theme.find(f".//{{{a}}}{which}/{{{a}}}latin").get("typeface") == "DejaVu Sans"


def test_byte_identical_and_fixed_zip(doc: Document, endnotes: bytes) -> None:
    assert render_docx(doc, Style(notes="endnotes")) == endnotes
    with zipfile.ZipFile(io.BytesIO(endnotes)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2023, 9, 21, 9, 30, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}


# --------------------------------------------------------------------------------------------
# Validity: the hand-written parts against ECMA-376 Part 1 (transitional), written out here
# independently of the renderer's own tables.

_RPR_BASE = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
    "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
    "oMath"]
_PPR_BASE = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap",
    "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
    "cnfStyle"]
_BORDERS = ["top", "left", "start", "bottom", "right", "end", "insideH", "insideV", "tl2br",
            "tr2bl", "between", "bar"]
#: CT_* sequences by element name (children in the w: namespace must follow these orders)
SCHEMA_ORDER: dict[str, list[str]] = {
    "pPr": [*_PPR_BASE, "rPr", "sectPr", "pPrChange"],
    # the paragraph mark's rPr starts with ins/del/moveFrom/moveTo; a run's is EG_RPrBase
    "rPr": ["ins", "del", "moveFrom", "moveTo", *_RPR_BASE, "rPrChange"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
              "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
              "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
              "tblPrChange"],
    # CT_TrPrBase is a choice; Word writes it in this order, and ins/del/trPrChange follow
    "trPr": ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit",
             "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden", "ins", "del",
             "trPrChange"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
             "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns",
             "cellDel", "cellMerge", "tcPrChange"],
    "sectPr": ["headerReference", "footerReference", "footnotePr", "endnotePr", "type",
               "pgSz", "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols",
               "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
               "rtlGutter", "docGrid", "printerSettings", "sectPrChange"],
    "settings": [
        "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
        "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
        "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts",
        "embedSystemFonts", "saveSubsetFonts", "saveFormsData", "mirrorMargins",
        "alignBordersAndEdges", "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter",
        "gutterAtTop", "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle",
        "proofState", "formsDesign", "attachedTemplate", "linkStyles",
        "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
        "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting",
        "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet",
        "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone",
        "doNotHyphenateCaps", "showEnvelope", "summaryLength", "clickAndTypeStyle",
        "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting",
        "bookFoldPrintingSheets", "drawingGridHorizontalSpacing",
        "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery",
        "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
        "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin", "doNotShadeFormData",
        "noPunctuationKerning", "characterSpacingControl", "printTwoOnOne",
        "strictFirstAndLastChars", "noLineBreaksAfter", "noLineBreaksBefore",
        "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
        "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
        "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
        "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr",
        "endnotePr", "compat", "docVars", "rsids", "attachedSchema", "themeFontLang",
        "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
        "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
        "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"],
    "footnotePr": ["pos", "numFmt", "numStart", "numRestart", "footnote"],
    "endnotePr": ["pos", "numFmt", "numStart", "numRestart", "endnote"],
    "style": ["name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden",
              "uiPriority", "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal",
              "personalCompose", "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr",
              "tcPr", "tblStylePr"],
    "tblStylePr": ["pPr", "rPr", "tblPr", "trPr", "tcPr"],
    "styles": ["docDefaults", "latentStyles", "style"],
    "docDefaults": ["rPrDefault", "pPrDefault"],
    "numbering": ["numPicBullet", "abstractNum", "num", "numIdMacAtCleanup"],
    "abstractNum": ["nsid", "multiLevelType", "tmpl", "name", "styleLink", "numStyleLink",
                    "lvl"],
    "lvl": ["start", "numFmt", "lvlRestart", "pStyle", "isLgl", "suff", "lvlText",
            "lvlPicBulletId", "legacy", "lvlJc", "pPr", "rPr"],
    "num": ["abstractNumId", "lvlOverride"],
    "lvlOverride": ["startOverride", "lvl"],
    "pBdr": _BORDERS, "tblBorders": _BORDERS, "tcBorders": _BORDERS, "tblCellMar": _BORDERS,
    "tcMar": _BORDERS,
    "numPr": ["ilvl", "numId", "numberingChange", "ins"],
}
#: repeatable children (everything else appears at most once)
_REPEATS = {("styles", "style"), ("numbering", "abstractNum"), ("numbering", "num"),
            ("numbering", "numPicBullet"), ("abstractNum", "lvl"), ("num", "lvlOverride"),
            ("sectPr", "headerReference"), ("sectPr", "footerReference"),
            ("style", "tblStylePr"), ("footnotePr", "footnote"), ("endnotePr", "endnote"),
            ("settings", "activeWritingStyle"), ("settings", "smartTagType")}
#: elements that must come first (or last) among their w: siblings
_FIRST = {"p": "pPr", "r": "rPr", "tc": "tcPr", "tbl": "tblPr"}
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"


def schema_problems(data: bytes) -> list[str]:
    """Children out of schema order or repeated, in every WordprocessingML part."""
    problems = []
    for name, blob in parts(data).items():
        if not (name.startswith("word/") and name.endswith(".xml")):
            continue
        for e in etree.fromstring(blob).iter():
            if not isinstance(e.tag, str) or etree.QName(e).namespace != W:
                continue
            local = etree.QName(e).localname
            kids = [etree.QName(c).localname for c in e
                    if isinstance(c.tag, str) and etree.QName(c).namespace == W]
            where = f"{name}: <w:{local}> children {kids}"
            order = SCHEMA_ORDER.get(local)
            if order is not None:
                unknown = [k for k in kids if k not in order]
                if unknown:
                    problems.append(f"{where}: not in its schema: {unknown}")
                ranks = [order.index(k) for k in kids if k in order]
                if ranks != sorted(ranks):
                    problems.append(f"{where}: out of order")
                repeated = {k for k in kids if kids.count(k) > 1 and (local, k) not in _REPEATS}
                if repeated:
                    problems.append(f"{where}: repeated {sorted(repeated)}")
            first = _FIRST.get(local)
            if first in kids and kids[0] != first:
                problems.append(f"{where}: {first} is not first")
            if local == "tbl" and kids[:2] != ["tblPr", "tblGrid"]:
                problems.append(f"{where}: a table starts with tblPr, tblGrid")
            if local == "tr" and "trPr" in kids and kids.index("trPr") > (
                    1 if kids[:1] == ["tblPrEx"] else 0):
                problems.append(f"{where}: trPr is not first")
            if local == "body" and kids[-1:] != ["sectPr"]:
                problems.append(f"{where}: the body ends with its sectPr")
    return problems


def package_problems(data: bytes) -> list[str]:
    """Package integrity: relationships, content types, ids and references."""
    problems = []
    files = parts(data)
    types = etree.fromstring(files["[Content_Types].xml"])
    overrides = {o.get("PartName") for o in types.findall(f"{{{_CT}}}Override")}
    defaults = {d.get("Extension").lower() for d in types.findall(f"{{{_CT}}}Default")}
    for name in files:
        if name == "[Content_Types].xml" or name.endswith("/"):
            continue
        ext = name.rsplit(".", 1)[-1].lower()
        # an XML part needs its own type: the xml default (application/xml) is not a part's
        if f"/{name}" not in overrides and (ext not in defaults or ext == "xml"):
            problems.append(f"{name}: no content type")
    problems += [f"{o}: content type for a missing part" for o in overrides
                 if o.lstrip("/") not in files]
    bookmark_ids: list[str] = []
    doc_pr_ids: list[str] = []
    bookmark_names: set[str] = set()
    anchors: set[str] = set()
    for name, blob in files.items():
        if name.endswith(".rels"):
            base = name.replace("_rels/", "").removesuffix(".rels")
            folder = base.rsplit("/", 1)[0] if "/" in base else ""
            for rel in etree.fromstring(blob).findall(f"{{{_PKG_RELS}}}Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target")
                path = target.lstrip("/") if target.startswith("/") else \
                    "/".join(x for x in f"{folder}/{target}".split("/") if x)
                while "/../" in f"/{path}":
                    path = re.sub(r"[^/]+/\.\./", "", path, count=1)
                if path not in files:
                    problems.append(f"{name}: target {target} is not in the package")
            continue
        if not name.endswith(".xml") or name == "[Content_Types].xml":
            continue
        root = etree.fromstring(blob)
        rels_name = "/".join(filter(None, [name.rsplit("/", 1)[0] if "/" in name else "",
                                           "_rels", name.rsplit("/", 1)[-1] + ".rels"]))
        rel_ids = set()
        if rels_name in files:
            rel_ids = {r.get("Id") for r in etree.fromstring(files[rels_name])}
        for e in root.iter():
            if not isinstance(e.tag, str):
                continue
            for attr, value in e.attrib.items():
                if attr.startswith(f"{{{_R_NS}}}") and value not in rel_ids:
                    problems.append(f"{name}: r:{etree.QName(attr).localname}={value} "
                                    "has no relationship")
        if not name.startswith("word/"):
            continue
        starts = root.findall(f".//{{{W}}}bookmarkStart")
        ends = {wval(b, "id") for b in root.iter(f"{{{W}}}bookmarkEnd")}
        for b in starts:
            bookmark_ids.append(wval(b, "id"))
            if wval(b, "name") in bookmark_names:
                problems.append(f"{name}: bookmark name {wval(b, 'name')} twice")
            bookmark_names.add(wval(b, "name"))
            if wval(b, "id") not in ends:
                problems.append(f"{name}: bookmark {wval(b, 'name')} is not closed")
        anchors |= {wval(h, "anchor") for h in root.iter(f"{{{W}}}hyperlink")
                    if wval(h, "anchor")}
        wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
        doc_pr_ids += [d.get("id") for d in root.iter(f"{{{wp}}}docPr")]
    dup = sorted({i for i in bookmark_ids if bookmark_ids.count(i) > 1})
    if dup:
        problems.append(f"duplicate bookmark ids {dup}")
    if len(doc_pr_ids) != len(set(doc_pr_ids)):
        problems.append(f"duplicate drawing ids {doc_pr_ids}")
    problems += [f"link to missing bookmark {a}" for a in sorted(anchors - bookmark_names)]
    # numbering: every list used is defined, every definition complete
    if "word/numbering.xml" in files:
        numbering = etree.fromstring(files["word/numbering.xml"])
        abstract = {wval(a, "abstractNumId") for a in numbering.findall(f"{{{W}}}abstractNum")}
        nums = {wval(n, "numId") for n in numbering.findall(f"{{{W}}}num")}
        for n in numbering.findall(f"{{{W}}}num"):
            if wval(n.find(f"{{{W}}}abstractNumId")) not in abstract:
                problems.append(f"num {wval(n, 'numId')}: no such abstractNum")
        for name in ("word/document.xml", "word/styles.xml"):
            for e in etree.fromstring(files[name]).iter(f"{{{W}}}numId"):
                if wval(e) not in nums and wval(e) != "0":
                    problems.append(f"{name}: numId {wval(e)} is not defined")
    # notes: every reference has its note, and the separators settings name exist
    settings = etree.fromstring(files["word/settings.xml"])
    for kind in ("footnote", "endnote"):
        part = f"word/{kind}s.xml"
        ids = set()
        if part in files:
            notes = etree.fromstring(files[part]).findall(f"{{{W}}}{kind}")
            ids = [wval(n, "id") for n in notes]
            if len(ids) != len(set(ids)):
                problems.append(f"{part}: duplicate ids")
            ids = set(ids)
        refs = {wval(r, "id") for r in xml(data, "word/document.xml").iter(
            f"{{{W}}}{kind}Reference")}
        refs |= {wval(r, "id") for r in settings.iterfind(f"{{{W}}}{kind}Pr/{{{W}}}{kind}")}
        if refs - ids:
            problems.append(f"{kind}s referenced but missing: {sorted(refs - ids)}")
    return problems


def test_hand_written_parts_follow_the_schema(endnotes: bytes, footnotes: bytes, uk: bytes
                                              ) -> None:
    for data in (endnotes, footnotes, uk):
        assert schema_problems(data) == []
        assert package_problems(data) == []


def test_schema_checker_catches_disorder(endnotes: bytes) -> None:
    """The checker itself: a swapped pair in a paragraph's properties is reported."""
    files = parts(endnotes)
    root = etree.fromstring(files["word/styles.xml"])
    ppr = next(p for p in root.iter(f"{{{W}}}pPr") if len(p) >= 2)
    ppr.insert(0, ppr[-1])
    files["word/styles.xml"] = etree.tostring(root)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in files.items():
            z.writestr(n, b)
    assert any("out of order" in p for p in schema_problems(buf.getvalue()))


def test_empty_document(doc: Document) -> None:
    data = render_docx(Document(Meta(title="t", date=DATE), ()), Style())
    body = xml(data, "word/document.xml").find(f"{{{W}}}body")
    assert etree.QName(body[0]).localname == "p"
    assert etree.QName(body[-1]).localname == "sectPr"


def test_adjacent_tables_are_separated(doc: Document) -> None:
    t = Table((C("a"),), ((C("b"),),), (1,))
    data = render_docx(Document(doc.meta, (t, Box((P("c"),)), t)), Style())
    body = xml(data, "word/document.xml").find(f"{{{W}}}body")
    kinds = [etree.QName(c).localname for c in body]
    assert "tbl" not in [b for a, b in itertools.pairwise(kinds) if a == "tbl"]
    assert kinds[-2] == "p"


def test_render_is_fast(doc: Document) -> None:
    render_docx(doc, Style())  # warm caches (fonts, imports)
    start = time.perf_counter()
    render_docx(doc, Style())
    assert time.perf_counter() - start < 0.5


# --------------------------------------------------------------------------------------------
# LibreOffice: what a reader actually sees (one conversion of both variants per module)


@pytest.fixture(scope="module")
def libreoffice(endnotes: bytes, footnotes: bytes, tmp_path_factory) -> dict[str, list[str]]:
    import briefgen
    from conftest import SAMPLE

    need_tool("pdftotext")
    out = tmp_path_factory.mktemp("lo")
    files = {"endnotes": endnotes, "footnotes": footnotes,
             "sample": briefgen.build(SAMPLE, formats="docx").docx}
    pages: dict[str, list[str]] = {}
    for name, pdf in libreoffice_pdfs(files, out).items():
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        pages[name] = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    pages["_dir"] = [str(out)]
    return pages


def test_libreoffice_every_page_of_the_sample_carries_its_marking(libreoffice) -> None:
    """Each page LibreOffice lays out, the notes page included, shows the handling marking
    in its header and its footer (read back with pypdf, page by page)."""
    from pypdf import PdfReader

    pdf = Path(libreoffice["_dir"][0]) / "sample.pdf"
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    assert len(pages) >= 8
    for n, text in enumerate(pages, 1):
        assert text.count("TLP:CLEAR") >= 2, f"page {n} of {len(pages)} lacks its marking"
        assert f"Page {n} of {len(pages)}" in text
    # the notes (bare citations) are listed under "Sources", not a second time under "Notes"
    assert any(line.strip() == "Sources" for line in pages[-1].splitlines())


def _heading_page(pages: list[str], heading: str) -> int:
    for n, page in enumerate(pages, 1):
        if any(line.strip() == heading for line in page.splitlines()):
            return n
    raise AssertionError(f"{heading!r} not found as a line")


@pytest.mark.parametrize("variant", ["endnotes", "footnotes"])
def test_libreoffice_renders_the_pack(libreoffice: dict[str, list[str]], variant: str) -> None:
    pages = libreoffice[variant]
    text = "\n".join(pages)
    for s in ("Lines to take", "Defensive lines", "Background", "Chronology", ARMENIAN, AZERI,
              CYRILLIC, "Q&A &copy <img", "Event 45: report from", *NOTE_TEXTS):
        assert s in " ".join(text.split()), s
    total = len(pages)
    assert total >= 3
    for n, page in enumerate(pages, 1):  # every page: header and footer, live page fields
        assert f"Page {n} of {total}" in page, f"footer missing on page {n}"
        assert page.count("TLP:AMBER") >= 2, f"marking missing on page {n}"


@pytest.mark.parametrize("variant", ["endnotes", "footnotes"])
def test_libreoffice_contents_show_true_page_numbers(libreoffice: dict[str, list[str]],
                                                     variant: str) -> None:
    pages = libreoffice[variant]
    contents = next(p for p in pages if "Contents" in p)
    shown = {}
    for line in contents.splitlines():
        m = re.match(r"\s*(\S.*?)\s*\.{3,}\s*(\d*)\s*$", line)
        if m:
            shown[m.group(1)] = m.group(2)
    expected = ["Lines to take", "Defensive lines", "Background", "Chronology"]
    assert list(shown)[:4] == expected
    for heading in expected:
        assert shown[heading].isdigit(), f"no page number for {heading!r}"
        assert int(shown[heading]) == _heading_page(pages[1:], heading) + 1, heading


try:
    from hypothesis import HealthCheck, example, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test extra
    given = None

if given is not None:
    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.text(min_size=1, max_size=60))
    @example("Aא")  # a right-to-left run in a left-to-right line: a mark follows it
    def test_any_text_survives(s: str) -> None:
        """Every character comes back, as written (the left-to-right marks the writer puts
        after a right-to-left run in a left-to-right paragraph aside: bidi.isolate_inlines)."""
        d = Document(Meta(title=s, date=DATE), (Heading(1, (T(s),), "h"), P(s, Note((T(s),))),
                                                Table((C(s),), ((C(s),),), (1,))))
        data = render_docx(d, Style(notes="footnotes"))
        expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "\ufffd", s)
        expected = expected.replace("\r\n", "\n").replace("\r", "\n")
        body = docx.Document(io.BytesIO(data))
        heading = next(p for p in body.paragraphs if p.style.name == "Heading 1")
        lrm = "\u200e"
        assert heading.text.replace(lrm, "") == expected.replace(lrm, "")
        cell = body.tables[0].cell(1, 0).paragraphs[0].text
        assert cell.replace(lrm, "") == expected.replace(lrm, "")


def test_every_contents_entry_and_ref_has_its_bookmark(doc: Document) -> None:
    blocks = (Contents("Contents"),
              ListBlock(((Heading(2, (T("In a list"),), "inlist"), P("text")),)),
              Box((Heading(3, (T("In a box"),), "inbox"),)),
              Table((C("h"),), ((Cell((Heading(3, (T("In a cell"),), "incell"),)),),), (1,)),
              P(Ref("inlist", (T("a"),)), Ref("inbox", (T("b"),)), Ref("incell", (T("c"),))))
    body = xml(render_docx(Document(doc.meta, blocks), Style()), "word/document.xml")
    names = {wval(b, "name") for b in body.iter(f"{{{W}}}bookmarkStart")}
    targets = [t.text.split()[1] for t in body.iter(f"{{{W}}}instrText")
               if t.text.strip().startswith("PAGEREF")]
    anchors = [wval(h, "anchor") for h in body.iter(f"{{{W}}}hyperlink") if wval(h, "anchor")]
    assert targets == ["inlist", "inbox", "incell"]
    assert set(targets) | set(anchors) <= names


def test_bookmark_names_are_unique_and_valid(doc: Document) -> None:
    h = Heading(1, (T("Same"),), "same-anchor")
    blocks = (h, h, Heading(1, (T("Other"),), "same-anchor"),
              Heading(2, (T("Digits"),), "2023 — résumé"), Heading(2, (T("Long"),), "x" * 80))
    body = xml(render_docx(Document(doc.meta, blocks), Style()), "word/document.xml")
    names = [wval(b, "name") for b in body.iter(f"{{{W}}}bookmarkStart")]
    assert len(names) == len(set(names)) == 5
    for n in names:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", n), n


def test_lists_in_cells_use_table_list_styles(doc: Document) -> None:
    cell = Cell((P("Indicators:"), ListBlock(((P("one"),), (P("two"),)))))
    data = render_docx(Document(doc.meta, (Table((C("h"),), ((cell,),), (1,)),)), Style())
    paras = docx.Document(io.BytesIO(data)).tables[0].cell(1, 0).paragraphs
    assert [p.style.name for p in paras] == ["Table Text", "Table List Bullet",
                                             "Table List Bullet"]


# --------------------------------------------------------------------------------------------
# Parity: the DOCX and the PDF of one brief carry the same headings in the same order and the
# same facts (the sample, and a long brief made from it)


def _scaled_brief(k: int) -> dict:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_build.py"
    spec = importlib.util.spec_from_file_location("bench_build", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.scaled_brief(k)


def _norm(text: str) -> str:
    text = text.replace("\u00ad", "").replace("\ufb01", "fi").replace("\ufb02", "fl")
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module", params=["sample", "long"])
def both_formats(request):
    import briefgen
    from conftest import SAMPLE

    source = SAMPLE if request.param == "sample" else _scaled_brief(3)
    return briefgen.build(source)


def _docx_headings(data: bytes) -> list[str]:
    """Text of every paragraph in a Heading 1-3 style (by name), in document order, tables
    included."""
    names = {s.get(f"{{{W}}}styleId"): wval(s.find(f"{{{W}}}name"))
             for s in xml(data, "word/styles.xml").iter(f"{{{W}}}style")}
    out = []
    for p in xml(data, "word/document.xml").iter(f"{{{W}}}p"):
        sid = wval(p.find(f"{{{W}}}pPr/{{{W}}}pStyle"))
        if (names.get(sid) or "").lower() in ("heading 1", "heading 2", "heading 3"):
            out.append(_norm(texts(p)))
    return out


def _pdf_outline(data: bytes) -> list[str]:
    from pypdf import PdfReader

    def titles(outline) -> list[str]:
        out: list[str] = []
        for item in outline:
            out.extend(titles(item) if isinstance(item, list) else [_norm(item.title)])
        return out

    return titles(PdfReader(io.BytesIO(data)).outline)


def test_docx_and_pdf_have_the_same_headings_in_order(both_formats) -> None:
    pack = both_formats
    contents = [b.title for b in pack.document.blocks if isinstance(b, Contents)]
    pdf = [t for t in _pdf_outline(pack.pdf) if t not in contents]  # the PDF outlines it too
    docx_headings = _docx_headings(pack.docx)
    assert docx_headings == pdf
    model = [_norm(plain_text(h.children)) for h in pack.document.headings()]
    assert [h for h in docx_headings if h in model] == model
    assert len(docx_headings) >= 12


def test_docx_and_pdf_carry_the_same_facts(both_formats) -> None:
    """Every text of the document model (8 to 60 characters: names, figures, dates, phrases;
    charts excepted, which the DOCX holds as pictures) is in both the PDF and the DOCX."""
    from pypdf import PdfReader

    pack = both_formats
    pdf = _norm(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pack.pdf)).pages))
    docx_text = _norm(" ".join(texts(p) for p in xml(pack.docx, "word/document.xml").iter(
        f"{{{W}}}p")))
    facts = sorted({_norm(n.text) for n in pack.document.walk()
                    if isinstance(n, Text) and 8 <= len(n.text.strip()) <= 60})
    assert len(facts) > 100
    assert [f for f in facts if f not in pdf] == []
    assert [f for f in facts if f not in docx_text] == []
    from test_sample_pack import FACTS  # the article's facts, as both packs must print them

    assert [f for f in FACTS if _norm(f) not in pdf or _norm(f) not in docx_text] == []


def test_tall_figure_rasterised_at_its_shown_size() -> None:
    """A timeline taller than the page is shown shrunk; its picture has print resolution at
    that size, not at the drawing's full height (which took 27 MB a picture for a long one)."""
    from PIL import Image

    from briefgen.document import Timeline, TimelineEvent

    events = tuple(TimelineEvent(f"{1 + i % 28} Sep 2023", float(i),
                                 f"Event number {i}: a report of shelling near the town")
                   for i in range(200))
    data = render_docx(Document(Meta(title="t", date=DATE), (
        Figure(Timeline(events), (T("A long chronology"),), "A timeline of 200 events"),)),
        Style())
    body = xml(data, "word/document.xml").find(f"{{{W}}}body")
    wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(
        parts(data)["word/_rels/document.xml.rels"])}
    (inline,) = body.iter(f"{{{wp}}}inline")
    ext = inline.find(f"{{{wp}}}extent")
    cx, cy = int(ext.get("cx")) / 914400, int(ext.get("cy")) / 914400  # inches shown
    assert cy < 11  # shrunk to the page
    png = parts(data)["word/" + rels[next(inline.iter(f"{{{a}}}blip")).get(f"{{{R}}}embed")]]
    with Image.open(io.BytesIO(png)) as im:
        for pixels, inches in ((im.width, cx), (im.height, cy)):
            assert 199.5 <= pixels / inches <= 202, (pixels, inches)


# --------------------------------------------------------------------------------------------
# One stylesheet: every text role in the DOCX is the resolved stylesheet's


@pytest.mark.parametrize("name", ["default", "uk-brief", "us-memo", "in-focus"])
def test_every_role_is_the_stylesheets(name: str) -> None:
    """Each role's paragraph, read back through its Word style (basedOn chain, defaults, direct
    run formatting), has the stylesheet's family, weight, slant, size and colour (the PDF's
    side of the parity is tests/test_stylesheet_parity.py)."""
    from briefgen.fonts import family
    from briefgen.render.stylesheet import resolve
    from briefgen.style import load_style
    from test_stylesheet_parity import MARKERS, docx_looks, role_document

    style = load_style(name)
    sheet = resolve(style)
    looks = docx_looks(render_docx(role_document(), style))
    assert set(looks) == set(MARKERS)
    for role in MARKERS:
        want = sheet.role(role)
        expected = (family(want.family).name.replace(" ", "").casefold(), want.bold,
                    want.italic, round(want.size, 2), want.colour.upper())
        assert looks[role] == expected, role
