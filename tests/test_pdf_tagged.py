"""The tagged PDF (PDF/UA-1), checked by readers that are not ReportLab: pikepdf (the catalogue,
the structure tree, the ParentTree and every content stream, operator by operator), pdfinfo
(``Tagged: yes``, ``-struct-text``) and pdffonts.

The Matterhorn Protocol (PDF/UA-1) conditions these tests check, by number (see MATTERHORN
below and the report): the failure conditions that can be decided by reading the file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import pytest

import briefgen
from briefgen import document as d
from briefgen import style as st
from briefgen.render.pdf import render_pdf
from conftest import need_tool

T = d.Text
DATE = dt.datetime(2023, 9, 20, 14, 30, 5, tzinfo=dt.UTC)
ARABIC = "وقف إطلاق النار في ناغورنو كاراباخ"
HEBREW = "הפסקת אש בקרבאך"
ROOT = Path(__file__).resolve().parents[1]

TEXT_OPS = {"Tj", "TJ", "'", '"'}
PAINT_OPS = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "INLINE IMAGE"}
STANDARD = frozenset("""Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct
Private H H1 H2 H3 H4 H5 H6 P L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note
Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form""".split())

PARENTS = {"TR": {"Table", "THead", "TBody", "TFoot"}, "TH": {"TR"}, "TD": {"TR"},
           "LI": {"L"}, "Lbl": {"LI", "TOCI"}, "LBody": {"LI"}, "TOCI": {"TOC"},
           "THead": {"Table"}, "TBody": {"Table"}, "TFoot": {"Table"}}

# The Matterhorn conditions checked here (by number) -> the test that checks each.
MATTERHORN = {
    "01-003": "content marked as Artifact inside tagged content: test_marked_content",
    "01-004": "tagged content inside an Artifact: test_marked_content",
    "01-005": "content neither tagged nor an artifact: test_marked_content",
    "01-006": "a structure type not a standard one (nor role-mapped): test_structure",
    "01-007": "MarkInfo /Suspects true: test_no_problems",
    "02-001": "role map: no standard type remapped (we have no RoleMap): test_structure",
    "06-001": "no XMP metadata stream: test_catalogue",
    "06-002": "no pdfuaid:part: test_catalogue",
    "06-003": "no dc:title: test_catalogue",
    "07-001": "no ViewerPreferences DisplayDocTitle true: test_catalogue",
    "09-004..09-008": "table, list, TOC children of the wrong type: test_structure",
    "11-001..11-004": "natural language: /Lang on the catalogue (and the Document): test_catalogue",
    "13-004": "a Figure without Alt: test_structure",
    "14-002": "the first heading is not H1: test_structure",
    "14-003": "a skipped heading level: test_structure",
    "15-003": "a TH without Scope (no Headers/IDs used): test_structure",
    "19-003": "a Note without ID: test_structure",
    "19-004": "two Notes with one ID: test_structure",
    "28-008": "a page with annotations without /Tabs /S: test_catalogue",
    "28-010": "a Link annotation not inside a Link element: test_annotations",
    "28-011": "a Link annotation without Contents: test_annotations",
    "31-001..31-030 (part)": "fonts embedded, with ToUnicode: test_fonts",
}


# --------------------------------------------------------------------------------------------
# The reader


@dataclass
class Elem:
    obj: Any
    role: str
    depth: int
    # Elem | ("mcid", page_objgen, n) | ("objr", objgen)
    kids: list[Any] = field(default_factory=list)


def _page_of(obj: Any, inherited: Any) -> Any:
    pg = obj.get("/Pg") if isinstance(obj, pikepdf.Dictionary) else None
    return pg.objgen if pg is not None else inherited


def read_tree(pdf: pikepdf.Pdf) -> Elem:
    root = pdf.Root.StructTreeRoot

    def walk(obj: Any, depth: int, page: Any) -> Elem:
        e = Elem(obj, str(obj.get("/S", "/StructTreeRoot"))[1:], depth)
        page = _page_of(obj, page)
        k = obj.get("/K")
        kids = list(k) if isinstance(k, pikepdf.Array) else ([] if k is None else [k])
        for kid in kids:
            if isinstance(kid, int):
                e.kids.append(("mcid", page, int(kid)))
            elif kid.get("/Type") == "/MCR":
                e.kids.append(("mcid", _page_of(kid, page), int(kid.MCID)))
            elif kid.get("/Type") == "/OBJR":
                e.kids.append(("objr", kid.Obj.objgen))
            else:
                e.kids.append(walk(kid, depth + 1, page))
        return e

    return walk(root, 0, None)


def elems(e: Elem) -> list[Elem]:
    out = [e]
    for k in e.kids:
        if isinstance(k, Elem):
            out.extend(elems(k))
    return out


def number_tree(node: Any) -> dict[int, Any]:
    out: dict[int, Any] = {}
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums), 2):
            out[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        out.update(number_tree(kid))
    return out


@dataclass
class Marks:
    """What a content stream's operators say about marked content."""

    problems: list[str] = field(default_factory=list)
    mcids: dict[int, str] = field(default_factory=dict)  # MCID: its tag
    tagged_text: int = 0
    artifact_text: int = 0


def scan(ops: Any, marks: Marks, where: str, stack: list[tuple[str, int | None]],
         resources: Any, depth: int = 0) -> None:
    for operands, op in ops:
        name = str(op)
        if name in ("BMC", "BDC"):
            tag = str(operands[0])[1:]
            mcid = None
            if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                mcid = operands[1].get("/MCID")
                mcid = int(mcid) if mcid is not None else None
            inside_art = any(t == "Artifact" for t, _ in stack)
            inside_tag = any(m is not None for _, m in stack)
            if tag == "Artifact" and inside_tag:
                marks.problems.append(f"{where}: an artifact inside tagged content (01-003)")
            if mcid is not None and inside_art:
                marks.problems.append(f"{where}: tagged content inside an artifact (01-004)")
            if mcid is not None:
                if mcid in marks.mcids:
                    marks.problems.append(f"{where}: MCID {mcid} used twice")
                marks.mcids[mcid] = tag
            stack.append((tag, mcid))
        elif name == "EMC":
            if not stack:
                marks.problems.append(f"{where}: EMC without BMC/BDC")
            else:
                stack.pop()
        elif name in TEXT_OPS or name in PAINT_OPS:
            covered = any(t == "Artifact" or m is not None for t, m in stack)
            if not covered:
                marks.problems.append(f"{where}: {name} neither tagged nor an artifact (01-005)")
            if name in TEXT_OPS:
                if any(m is not None for _, m in stack):
                    marks.tagged_text += 1
                else:
                    marks.artifact_text += 1
            if name == "Do" and depth < 5:  # a form: its content is marked where it is drawn
                xobj = resources.get("/XObject", {}).get(operands[0])
                if xobj is not None and xobj.get("/Subtype") == "/Form":
                    inner = pikepdf.parse_content_stream(xobj)
                    scan(inner, marks, f"{where} form {operands[0]}", list(stack),
                         xobj.get("/Resources", resources), depth + 1)
    if depth == 0 and stack:
        marks.problems.append(f"{where}: {len(stack)} marked-content sequences left open")


@dataclass
class Report:
    pdf: pikepdf.Pdf
    tree: Elem
    problems: list[str]
    page_marks: list[Marks]


def check(data: bytes) -> Report:
    """Every machine-checkable problem of a tagged PDF this suite knows about."""
    import io

    pdf = pikepdf.open(io.BytesIO(data))
    problems: list[str] = []
    tree = read_tree(pdf)
    parent_tree = number_tree(pdf.Root.StructTreeRoot.ParentTree)
    all_elems = elems(tree)
    by_objgen = {e.obj.objgen: e for e in all_elems}
    page_marks: list[Marks] = []
    # every page: marked content, its ParentTree entry
    for i, page in enumerate(pdf.pages):
        marks = Marks()
        scan(pikepdf.parse_content_stream(page), marks, f"page {i + 1}", [],
             page.obj.get("/Resources", pikepdf.Dictionary()))
        page_marks.append(marks)
        problems.extend(marks.problems)
        if page.obj.get("/Tabs") != "/S":
            problems.append(f"page {i + 1}: no /Tabs /S (28-008)")
        key = page.obj.get("/StructParents")
        if key is None:
            problems.append(f"page {i + 1}: no /StructParents")
            continue
        entry = parent_tree.get(int(key))
        if entry is None:
            problems.append(f"page {i + 1}: no ParentTree entry")
            continue
        for mcid, tag in marks.mcids.items():
            if mcid >= len(entry):
                problems.append(f"page {i + 1}: MCID {mcid} not in the ParentTree")
                continue
            e = by_objgen.get(entry[mcid].objgen)
            if e is None:
                problems.append(f"page {i + 1}: MCID {mcid}'s parent not in the tree")
                continue
            if e.role != tag:
                problems.append(f"page {i + 1}: MCID {mcid} tagged {tag}, element {e.role}")
            if ("mcid", page.obj.objgen, mcid) not in e.kids:
                problems.append(f"page {i + 1}: MCID {mcid} not a kid of its element")
    # every MCID the tree names exists in its page's stream
    pages = {p.obj.objgen: n for n, p in enumerate(pdf.pages)}
    for e in all_elems:
        for k in e.kids:
            if isinstance(k, tuple) and k[0] == "mcid":
                n = pages.get(k[1])
                if n is None or k[2] not in page_marks[n].mcids:
                    problems.append(f"{e.role}: MCID {k[2]} on no page")
    # structure: standard types, parents and kids, headings, alt, notes, tables
    if tree.kids and isinstance(tree.kids[0], Elem) and tree.kids[0].role != "Document":
        problems.append("the structure tree does not start with Document")
    if pdf.Root.MarkInfo.get("/Suspects") is True:
        problems.append("MarkInfo /Suspects true (01-007)")
    if "/RoleMap" in pdf.Root.StructTreeRoot:
        problems.append("a role map (02-001: check it)")
    headings = []
    ids: dict[str, int] = {}
    for e in all_elems[1:]:
        if e.role not in STANDARD:
            problems.append(f"{e.role}: not a standard structure type (01-006)")
        kid_roles = [k.role for k in e.kids if isinstance(k, Elem)]
        allowed = {"L": {"LI", "Caption", "L"}, "LI": {"Lbl", "LBody"},
                   "Table": {"TR", "THead", "TBody", "TFoot", "Caption"}, "TR": {"TH", "TD"},
                   "TOC": {"TOCI", "TOC", "Caption"},
                   "TOCI": {"Lbl", "Reference", "P", "NonStruct", "TOC", "Link"}}.get(e.role)
        if allowed is not None and not set(kid_roles) <= allowed:
            problems.append(f"{e.role} holds {sorted(set(kid_roles) - allowed)} (09-00x)")
        for k in e.kids:
            if isinstance(k, Elem) and k.role in PARENTS and e.role not in PARENTS[k.role]:
                problems.append(f"{k.role} inside {e.role} (09-00x)")
        if re.fullmatch(r"H[1-6]", e.role):
            headings.append(int(e.role[1]))
        if e.role == "Figure" and not str(e.obj.get("/Alt", "")).strip():
            problems.append("a Figure without Alt (13-004)")
        if e.role == "TH":
            scope = e.obj.get("/A", {}).get("/Scope") if "/A" in e.obj else None
            if scope not in ("/Row", "/Column", "/Both"):
                problems.append("a TH without Scope (15-003)")
        if e.role == "Note":
            ident = str(e.obj.get("/ID", ""))
            if not ident:
                problems.append("a Note without ID (19-003)")
            ids[ident] = ids.get(ident, 0) + 1
        if e.role == "Link" and not any(isinstance(k, tuple) and k[0] == "objr"
                                        for k in e.kids):
            problems.append("a Link element without its annotation")
        if e.role == "Link" and not any(isinstance(k, tuple) and k[0] == "mcid"
                                        for k in e.kids):
            problems.append("a Link element without its text")
    problems.extend(f"Note ID {i} used {n} times (19-004)" for i, n in ids.items() if n > 1)
    if headings and headings[0] != 1:
        problems.append(f"the first heading is H{headings[0]} (14-002)")
    for a, b in itertools.pairwise(headings):
        if b > a + 1:
            problems.append(f"heading level skipped: H{a} then H{b} (14-003)")
    # annotations: each in a Link element, with Contents
    for i, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            if not str(annot.get("/Contents", "")).strip():
                problems.append(f"page {i + 1}: a link without Contents (28-011)")
            sp = annot.get("/StructParent")
            owner = parent_tree.get(int(sp)) if sp is not None else None
            e = by_objgen.get(owner.objgen) if owner is not None else None
            if e is None or e.role != "Link" or ("objr", annot.objgen) not in e.kids:
                problems.append(f"page {i + 1}: a link annotation not in a Link element (28-010)")
    return Report(pdf, tree, problems, page_marks)


def struct_text(data: bytes, tmp_path: Path) -> str:
    need_tool("pdfinfo")
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True,
                         text=True, check=True).stdout
    return out


# --------------------------------------------------------------------------------------------
# Documents


def p(*inlines: d.Inline | str, role: str = "body") -> d.Paragraph:
    children = tuple(T(i) if isinstance(i, str) else i for i in inlines)
    return d.Paragraph(children, role)  # type: ignore[arg-type]


def cell(text: str) -> d.Cell:
    return d.Cell((p(text),))


FILLER = ("The ceasefire announced on 20 September followed a one-day offensive; humanitarian "
          "access through the Lachin corridor remained the central question. ")


def rich_doc(lang: str = "en-GB") -> d.Document:
    """Tables (one over several pages), notes, both charts, a quote, a box, lists, links, a
    contents, right-to-left text."""
    meta = d.Meta(title="Tagged brief", date=DATE, author="Policy Unit", subject="Tagging",
                  lang=lang, marking=d.Marking("tlp", "TLP:AMBER"), footer_text="Footer line")
    rows = tuple((cell(f"Row {i} {ARABIC if i % 7 == 0 else ''}"), cell(FILLER))
                 for i in range(60))
    matrix = d.RiskMatrix(("Unlikely", "Likely"), ("Minor", "Major"), ((0, 1), (1, 1)),
                          ("Low", "High"), (d.RiskPoint("R1", 2, 2),))
    timeline = d.Timeline((d.TimelineEvent("19 Sep", 0, "Offensive"),
                           d.TimelineEvent("20 Sep", 1, "Ceasefire")))
    blocks: tuple[d.Block, ...] = (
        d.TitleBlock((T("Tagged brief"),), (T("A subtitle"),),
                     (d.MetaField("Date", (T("20 September 2023"),)),)),
        d.Box((p("Bottom line up front", d.Note((T("Source one."),))),), (T("Summary"),),
              "summary"),
        d.Contents("Contents"),
        d.Heading(1, (T("Background"),), "background"),
        p("See ", d.Link("https://example.org/x", (T("the source"),)), " and ",
          d.Ref("annex", (T("the annex"),)), ".", d.Note((T("Source two."),))),
        p(f"{ARABIC} — {HEBREW}"),
        d.ListBlock(((p("First"),), (p("Second"), d.ListBlock(((p("Nested"),),))),)),
        d.ListBlock(((p("One"),), (p("Two"),)), ordered=True),
        d.Heading(3, (T("A deep heading after H2"),), "deep"),
        d.Quote((p("A quoted sentence."),), (T("A speaker"),)),
        d.Table((cell("Name"), cell("Detail")), rows, (1, 3), (T("A long table"),)),
        d.Figure(matrix, (T("The risks"),), "Risk matrix: R1 is likely and major."),
        d.Figure(timeline, (T("The events"),), "Timeline: offensive, then ceasefire."),
        d.Heading(1, (T("Annex"),), "annex"),
        p(FILLER * 40, d.Note((T("Source three."),))),
        d.NotesList("Notes"),
    )
    return d.Document(meta, blocks)


def styled(notes: str = "endnotes", name: str = "default") -> st.Style:
    return st.load_style(name).model_copy(update={"notes": notes})


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    brief = briefgen.load_brief(ROOT / "briefs/nagorno-karabakh-2023-09-ceasefire.yaml")
    return briefgen.build(brief, formats="pdf").pdf


@pytest.fixture(scope="module")
def rich_pdf() -> bytes:
    return render_pdf(rich_doc(), styled())


@pytest.fixture(scope="module")
def rich_footnotes_pdf() -> bytes:
    return render_pdf(rich_doc(), styled("footnotes", "uk-brief"))


# --------------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("which", ["sample_pdf", "rich_pdf", "rich_footnotes_pdf"])
def test_no_problems(which: str, request: pytest.FixtureRequest) -> None:
    report = check(request.getfixturevalue(which))
    assert report.problems == []
    assert len(report.pdf.pages) > 1


def test_marked_content(rich_pdf: bytes) -> None:
    """Every text-showing and painting operator is in a tagged sequence or an artifact (the
    checker finds none outside); body text is tagged, the page furniture is an artifact."""
    report = check(rich_pdf)
    assert all(m.tagged_text > 0 for m in report.page_marks)
    assert all(m.artifact_text > 0 for m in report.page_marks)  # headers, footers, markings
    for page in report.pdf.pages:  # the running header and footer: a pagination artifact
        assert b"/Artifact <</Type /Pagination>> BDC" in page.obj.Contents.read_bytes()
    # the checker does catch untagged content
    bad = Marks()
    scan([([], pikepdf.Operator("BT")), ([pikepdf.String("x")], pikepdf.Operator("Tj"))],
         bad, "test", [], pikepdf.Dictionary())
    assert any("01-005" in x for x in bad.problems)


def test_catalogue(rich_pdf: bytes) -> None:
    report = check(rich_pdf)
    root = report.pdf.Root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == "en-GB"
    assert root.ViewerPreferences.DisplayDocTitle is True
    xmp = root.Metadata.read_bytes().decode("utf-8")
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "Tagged brief" in xmp and "<rdf:li>en-GB</rdf:li>" in xmp
    with report.pdf.open_metadata() as meta:  # a well-formed packet pikepdf can read
        assert meta["dc:title"] == "Tagged brief"
        assert meta["pdfuaid:part"] == "1"
    for page in report.pdf.pages:
        assert page.obj.Tabs == "/S"


def test_structure(rich_pdf: bytes, tmp_path: Path) -> None:
    """The tree mirrors the document: its element types in reading order."""
    report = check(rich_pdf)
    roles = [e.role for e in elems(report.tree)]
    assert roles[1] == "Document"
    for role in ("H1", "H2", "H3", "P", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD",
                 "Figure", "Caption", "BlockQuote", "TOC", "TOCI", "Link", "Note",
                 "Reference"):
        assert role in roles, role
    figures = [e for e in elems(report.tree) if e.role == "Figure"]
    alts = [str(e.obj.Alt) for e in figures]
    assert alts == ["Risk matrix: R1 is likely and major.",
                    "Timeline: offensive, then ceasefire."]
    # the long table: one header row (its repeats on later pages are artifacts), 60 rows
    tables = [e for e in elems(report.tree) if e.role == "Table"]
    big = max(tables, key=lambda t: len(t.kids))
    trs = [k for k in big.kids if isinstance(k, Elem) and k.role == "TR"]
    assert len(trs) == 61
    assert [k.role for k in trs[0].kids] == ["TH", "TH"]
    assert all(k.role == "TD" for tr in trs[1:] for k in tr.kids)
    assert next(k.role for k in big.kids) == "Caption"
    text = struct_text(rich_pdf, tmp_path)
    assert len(re.findall(r'"Name ?"', text)) == 1  # drawn on several pages, tagged once
    # headings in reading order, never skipping: title H1, the document's headings below it
    heads = re.findall(r"^\s*(H\d) \(block\)\n\s*\"(.*?) ?\"$", text, re.MULTILINE)
    assert heads[:4] == [("H1", "Tagged brief"), ("H2", "Contents"), ("H2", "Background"),
                         ("H3", "A deep heading after H2")]


def test_split_paragraph_one_element(rich_pdf: bytes) -> None:
    """A paragraph over two pages is one P with marked content on both."""
    report = check(rich_pdf)
    multi = [e for e in elems(report.tree)
             if e.role == "P" and len({k[1] for k in e.kids if isinstance(k, tuple)
                                       and k[0] == "mcid"}) > 1]
    assert multi


def test_annotations(rich_pdf: bytes, tmp_path: Path) -> None:
    report = check(rich_pdf)
    assert not report.problems
    annots = [a for pg in report.pdf.pages for a in pg.obj.get("/Annots", [])]
    uri = [a for a in annots if "/A" in a]
    assert [str(a.Contents) for a in uri] == ["https://example.org/x"]
    contents = {str(a.Contents) for a in annots}
    assert "Go to Annex" in contents and "Note 1" in contents
    # a note mark's link is a Reference
    refs = [e for e in elems(report.tree) if e.role == "Reference"]
    assert refs and all(k.role == "Link" for e in refs for k in e.kids)


def test_notes(rich_pdf: bytes, rich_footnotes_pdf: bytes) -> None:
    for data in (rich_pdf, rich_footnotes_pdf):
        report = check(data)
        notes = [e for e in elems(report.tree) if e.role == "Note"]
        assert sorted(str(n.obj.ID) for n in notes) == ["note-1", "note-2", "note-3"]
    # footnotes: each Note sits in the element that holds its mark
    report = check(rich_footnotes_pdf)
    for e in elems(report.tree):
        for k in e.kids:
            if isinstance(k, Elem) and k.role == "Note":
                assert e.role in ("P",), e.role


def test_word_breaks_at_line_ends(rich_pdf: bytes, tmp_path: Path) -> None:
    """A paragraph's lines are joined with a space in the structure's text (the line break
    was a space): no word runs into the next line's first word."""
    text = struct_text(rich_pdf, tmp_path)
    long_para = max(re.findall(r'"(The ceasefire announced[^"]*)"', text), key=len)
    assert long_para.count("The ceasefire announced") >= 10
    assert "question.The" not in long_para and "question. The" in long_para
    assert re.search(r"[a-z][A-Z]", long_para.replace("Lachin", "")) is None


def test_right_to_left_text(rich_pdf: bytes, tmp_path: Path) -> None:
    """Arabic and Hebrew read back from the structure in logical order (the glyphs are drawn
    shaped, in visual order: each element holding them carries its logical text as
    /ActualText); a brief whose language is Arabic says so in the catalogue, the Document
    element and the XMP."""
    report = check(rich_pdf)
    actual = [str(e.obj.ActualText) for e in elems(report.tree) if "/ActualText" in e.obj]
    assert f"{ARABIC} — {HEBREW}" in actual
    assert sum(ARABIC in t for t in actual) == 1 + 60 // 7 + 1  # paragraph, rows 0, 7, ... 56
    data = render_pdf(rich_doc(lang="ar"), styled())
    report = check(data)
    assert report.problems == []
    assert str(report.pdf.Root.Lang) == "ar"
    assert str(report.tree.kids[0].obj.Lang) == "ar"
    assert "<rdf:li>ar</rdf:li>" in report.pdf.Root.Metadata.read_bytes().decode()


def test_pdfinfo_tagged(sample_pdf: bytes, tmp_path: Path) -> None:
    need_tool("pdfinfo")
    path = tmp_path / "s.pdf"
    path.write_bytes(sample_pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    text = struct_text(sample_pdf, tmp_path)
    assert text.startswith("Document\n")
    assert "Figure" in text and "TOCI" in text and "LBody" in text


def test_fonts(rich_pdf: bytes, tmp_path: Path) -> None:
    need_tool("pdffonts")
    path = tmp_path / "f.pdf"
    path.write_bytes(rich_pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    assert out
    for line in out:
        cols = line.split()
        assert cols[-5:-3] == ["yes", "yes"] and cols[-3] == "yes", line  # emb sub uni


def test_reproducible() -> None:
    doc = rich_doc()
    assert render_pdf(doc, styled()) == render_pdf(doc, styled())


def test_copies_draw_as_the_same_element() -> None:
    """ReportLab deep-copies a list to find where it splits: the copy must not copy the tree
    (an orphan element) nor fail on the tagged bullet (which changed the layout)."""
    import copy

    from briefgen.render.pdf.flowables import Para
    from briefgen.render.pdf.tagging import Elem as Tag
    from briefgen.render.pdf.tagging import TaggedBullet

    root = Tag("Document")
    para = Para("text", __import__("reportlab.lib.styles").lib.styles.ParagraphStyle("s"))
    para.bg_tag = root.add("P")
    twin = copy.deepcopy(para)
    assert twin.bg_tag is para.bg_tag and len(root.kids) == 1
    bullet = TaggedBullet(copy.copy(STANDARD), root.add("Lbl"))
    bcopy = copy.deepcopy(bullet)
    assert bcopy.bg_tag is bullet.bg_tag and bcopy.bg_inner == bullet.bg_inner


def test_sample_with_footnotes_in_a_table_list() -> None:
    """uk-brief with footnotes: a list inside a table cell splits across pages."""
    brief = briefgen.load_brief(ROOT / "briefs/nagorno-karabakh-2023-09-ceasefire.yaml")
    data = briefgen.build(brief, formats="pdf", style=styled("footnotes", "uk-brief")).pdf
    report = check(data)
    assert report.problems == []
    notes = [e for e in elems(report.tree) if e.role == "Note"]
    assert notes and all(str(n.obj.ID).startswith("note-") for n in notes)


def test_figures_have_alt_and_a_box_on_their_page(tmp_path: Path) -> None:
    """The charts and the cover logo are Figures with Alt and a /BBox on the page."""
    import io

    from PIL import Image

    path = tmp_path / "logo.png"
    buf = io.BytesIO()
    Image.new("RGB", (240, 80), "#0B6E4F").save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    base = styled()
    style = base.model_copy(update={"cover": base.cover.model_copy(update={"logo": path})})
    report = check(render_pdf(rich_doc(), style))
    assert report.problems == []
    figures = [e for e in elems(report.tree) if e.role == "Figure"]
    assert len(figures) == 3
    from briefgen.render.stylesheet import resolve

    logo = resolve(style).logo
    assert logo is not None and logo.alt.strip()
    assert str(figures[0].obj.Alt) == logo.alt
    w, h = (float(v) for v in report.pdf.pages[0].mediabox[2:])
    for fig in figures:
        a = fig.obj.A
        assert a.O == "/Layout"
        x0, y0, x1, y1 = (float(v) for v in a.BBox)
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
        assert x1 - x0 > 20 and y1 - y0 > 10


def test_links_hold_their_text_and_annotations(tmp_path: Path) -> None:
    """A link's text is the marked content of its Link element, with its annotation(s): a link
    broken over two lines has both its annotations in one Link."""
    long_link = d.Link("https://example.org/long", (T("a link whose text runs over the end of "
                                                     "one line and on to the next one"),))
    doc = d.Document(rich_doc().meta, (
        p("Before ", d.Link("https://example.org/x", (T("the source"),)), " after."),
        p("Words words words words words words words words words words words words ",
          long_link, " end."),
    ))
    data = render_pdf(doc, styled())
    report = check(data)
    assert report.problems == []
    links = [e for e in elems(report.tree) if e.role == "Link"]
    assert len(links) == 2
    objrs = [[k for k in e.kids if isinstance(k, tuple) and k[0] == "objr"] for e in links]
    assert [len(o) for o in objrs] == [1, 2]
    assert all(any(isinstance(k, tuple) and k[0] == "mcid" for k in e.kids) for e in links)
    text = struct_text(data, tmp_path)
    assert re.search(r'Link \(inline\)\n\s+"the source"', text)
    assert re.search(r'"Before "\n\s+Link', text) and '" after. "' in text
