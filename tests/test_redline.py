"""Tracked changes (issue 18): ``briefgen.redline`` marks a new version's changes from an old
one in the document model; the DOCX holds them as Word revisions that LibreOffice lists,
accepts and rejects; HTML marks them; the PDF prints the new text; ``--since`` adds a "changes
since" box."""

from __future__ import annotations

import copy
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import fields, is_dataclass, replace
from pathlib import Path

import pytest
import yaml
from lxml import etree

import briefgen
from briefgen import document as d
from briefgen.pipeline import BuildOptions, build, compose_brief
from briefgen.redline import accept, redline, reject, shown
from conftest import SAMPLE, need_tool

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
HERE = Path(__file__).resolve().parent


def five_edits(data: dict) -> None:
    """Change a figure, move a rating, add a risk, drop a line to take, reorder actors."""
    data["figures"][0]["value"] = 5000
    data["risks"][0]["likelihood"]["term"] = "likely"
    data["risks"].append({**data["risks"][1], "title": "Displacement into Armenia",
                          "description": "Refugees may cross into Armenia in numbers."})
    data["lines_to_take"].pop(1)
    data["actors"].reverse()


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("versions")
    old = folder / "old.yaml"
    shutil.copy(SAMPLE, old)
    data = copy.deepcopy(briefgen.load_brief(SAMPLE).model_dump(mode="json", exclude_none=True))
    five_edits(data)
    new = folder / "new.yaml"
    new.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return old, new


@pytest.fixture(scope="module")
def docs(versions: tuple[Path, Path]) -> tuple[d.Document, d.Document, d.Document]:
    old, new = (compose_brief(p) for p in versions)
    return old, new, redline(old, new)


def _norm(node, notes: bool = True):
    """A node with adjacent texts merged (and, with ``notes`` False, without notes)."""
    if isinstance(node, tuple):
        out: list = []
        for x in node:
            x = _norm(x, notes)
            if not notes and isinstance(x, d.Note):
                continue
            if out and isinstance(x, d.Text) and isinstance(out[-1], d.Text):
                out[-1] = d.Text(out[-1].text + x.text)
            else:
                out.append(x)
        return tuple(out)
    if is_dataclass(node) and not isinstance(node, (type, d.Meta)):
        return replace(node, **{f.name: _norm(getattr(node, f.name), notes)
                                for f in fields(node)})
    return node


def _changes(doc: d.Document) -> list[tuple[str, bool, str]]:
    out = []
    for n in d._walk_blocks(doc.blocks):
        if isinstance(n, d.Inserted | d.Deleted):
            out.append((type(n).__name__, n.paragraph, d.plain_text(n.children)))
        if isinstance(n, d.Deleted):  # walk() does not go into deleted text
            out.extend(("Deleted", m.paragraph, d.plain_text(m.children))
                       for m in d.walk_inlines(n.children) if isinstance(m, d.Deleted))
    return out


def test_a_document_against_itself_has_no_changes(docs) -> None:
    old, _new, _red = docs
    assert redline(old, old) == old
    assert shown(old) is old


def test_accepting_gives_the_new_version_and_rejecting_the_old(docs) -> None:
    old, new, red = docs
    assert _norm(accept(red).blocks) == _norm(new.blocks)
    # (a note in deleted text stays when it is marked before in text that stays: the
    # sample's notes all cite one report)
    assert _norm(reject(red).blocks) == _norm(old.blocks)


def _section_texts(doc: d.Document, head: str) -> set[str]:
    """The texts of the paragraphs under the heading that starts with ``head``."""
    out: set[str] = set()
    level = None
    for b in doc.blocks:
        if isinstance(b, d.Heading):
            if level is not None and b.level <= level:
                break
            if d.plain_text(b.children).startswith(head):
                level = b.level
                continue
        if level is not None:
            out.update(d.plain_text(n.children) for n in d._walk_blocks((b,))
                       if isinstance(n, d.Paragraph | d.Heading))
            if isinstance(b, d.Quote):
                out.add(d.plain_text(b.attribution))
    return out


def test_the_five_edits_are_marked_and_nothing_else(docs) -> None:
    _old, _new, red = docs
    changes = _changes(red)
    words = [(k, t) for k, whole, t in changes if not whole]
    # the figure (in the figures table) and the rating (in the risk's table and the matrix's
    # cells), word by word
    assert ("Deleted", "200") in words and ("Inserted", "5,000") in words
    assert ("Deleted", "Unlikely") in words and ("Inserted", "Likely") in words
    whole = [(k, t) for k, w, t in changes if w]
    # the line to take dropped: one paragraph deleted whole
    dropped = [t for k, t in whole if k == "Deleted" and t.startswith("The casualty figures")]
    assert len(dropped) == 1
    # the new risk: its heading and its text inserted whole
    assert ("Inserted", "R3. Displacement into Armenia") in whole
    assert ("Inserted", "Refugees may cross into Armenia in numbers.") in whole
    # the actors reordered: rows moved (deleted where they were, inserted where they are);
    # the new risk copies the second one's indicators and ratings (text in the risks section):
    # text inserted whole is that, or a moved row; text deleted whole is the line dropped, or
    # a moved row
    ins = [t for k, t in whole if k == "Inserted"]
    dels = [t for k, t in whole if k == "Deleted"]
    copied = _section_texts(_old, "Risks and assessment")
    for text in ins:
        assert text in dels or text in copied or text in (
            "R3. Displacement into Armenia", "Refugees may cross into Armenia in numbers."), text
    for text in dels:
        assert text in ins or text in dropped, text
    actors = [a.name for a in briefgen.load_brief(SAMPLE).actors]
    moved = [t for t in ins if t in actors]  # reversed: all but one row move
    assert len(moved) == len(actors) - 1 and moved == [a for a in actors[::-1] if a in moved]
    tables = [b for b in red.blocks if isinstance(b, d.Table)
              and "Actor" in d.plain_text(b.header[0].blocks[0].children)]
    assert len(tables) == 1, "the actors table is one table, its rows moved"
    # the risk matrix is a figure: replaced whole
    revs = [b.kind for b in red.blocks if isinstance(b, d.Revision)]
    assert revs == ["deleted", "inserted"]


def test_shown_is_the_new_text(docs) -> None:
    _old, new, red = docs
    text = " ".join(d.plain_text(b.children) for b in shown(red).walk()
                    if isinstance(b, d.Paragraph | d.Heading))
    want = " ".join(d.plain_text(b.children) for b in new.walk()
                    if isinstance(b, d.Paragraph | d.Heading))
    assert text == want


# --------------------------------------------------------------------------------------------
# Built packs


@pytest.fixture(scope="module")
def packs(versions: tuple[Path, Path]) -> dict[str, briefgen.Pack]:
    old, new = versions
    fmts = ("pdf", "docx", "html")
    return {
        "tracked": build(new, BuildOptions(formats=fmts, since=old, track_changes=True)),
        "since": build(new, BuildOptions(formats=fmts, since=old)),
        "plain": build(new, BuildOptions(formats=("pdf",))),
    }


def _document_xml(docx: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return etree.fromstring(z.read("word/document.xml"))


def test_the_docx_holds_word_revisions(packs) -> None:
    root = _document_xml(packs["tracked"].docx)
    ins = root.findall(".//w:ins", NS)
    dels = root.findall(".//w:del", NS)
    assert ins and dels
    ids = [e.get(f"{{{W}}}id") for e in ins + dels]
    assert len(ids) == len(set(ids)), "every revision has an id of its own"
    for e in ins + dels:
        assert e.get(f"{{{W}}}author") == "briefgen sample desk"
        assert e.get(f"{{{W}}}date") == "2023-09-20T00:00:00Z"
    deleted = ["".join(t.text or "" for t in e.iter(f"{{{W}}}delText")) for e in dels]
    inserted = ["".join(t.text or "" for t in e.iter(f"{{{W}}}t")) for e in ins]
    assert "200" in deleted and "5,000" in inserted
    assert not any(e.findall(".//w:t", NS) for e in dels), "deleted text is w:delText"
    # whole paragraphs: the paragraph mark is marked; moved table rows: the row is
    assert root.findall(".//w:pPr/w:rPr/w:del", NS) and root.findall(".//w:pPr/w:rPr/w:ins", NS)
    assert root.findall(".//w:trPr/w:ins", NS) and root.findall(".//w:trPr/w:del", NS)


def test_the_tracked_docx_writes_no_continued_rows(versions) -> None:
    """A redline's table rows are not written as two with a "(continued)" label where a page
    breaks them (render/docx/estimate/rows.py): accepting its changes must leave the
    document's own text. The same pack untracked does part its rows so (uk-brief style)."""
    from briefgen.style import load_style

    old, new = versions

    def texts(track: bool) -> str:
        pack = build(new, BuildOptions(formats=("docx",), since=old, track_changes=track,
                                       style=load_style("uk-brief")))
        return "".join(t.text or "" for t in _document_xml(pack.docx).iter(f"{{{W}}}t"))

    assert "(continued)" not in texts(True)
    assert "(continued)" in texts(False)


def _pdftext(pdf: bytes, tmp: Path, name: str) -> str:
    f = tmp / f"{name}.pdf"
    f.write_bytes(pdf)
    return subprocess.run([need_tool("pdftotext"), "-layout", str(f), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_the_pdf_prints_the_new_text(packs, tmp_path: Path) -> None:
    tracked = _pdftext(packs["tracked"].pdf, tmp_path, "tracked")
    since = _pdftext(packs["since"].pdf, tmp_path, "since")
    assert tracked == since
    assert "at least 5,000 people" in tracked


def test_the_html_marks_insertions_and_deletions(packs) -> None:
    html = packs["tracked"].html.decode()
    assert "<del>200</del><ins>5,000</ins>" in html
    assert re.search(r"<del>Unlikely</del><ins>Likely</ins>", html)
    assert '<del class="revision">' in html and '<ins class="revision">' in html


def test_the_changes_since_box_in_both_formats(packs, tmp_path: Path) -> None:
    from conftest import docx_all_text

    lines = ["Changes since version 1.1 of 20 September 2023",
             "Line to take removed: \u201cThe casualty figures come from one side: at\u2026\u201d",
             "at least 200 people \u2192 at least 5,000 people",
             "likelihood: unlikely (ICD 203) \u2192 likely (ICD 203)",
             "Risk added: \u201cDisplacement into Armenia\u201d"]
    pdf = " ".join(_pdftext(packs["since"].pdf, tmp_path, "since").split())
    docx = " ".join(docx_all_text(packs["since"].docx).split())
    for line in lines:
        assert line in pdf, line
        assert line in docx, line
    plain = " ".join(_pdftext(packs["plain"].pdf, tmp_path, "plain").split())
    assert "Changes since" not in plain
    # only what matters to a reader: the actors' order is the drafter's business
    assert "order changed" not in pdf


# --------------------------------------------------------------------------------------------
# LibreOffice reads the revisions back


def _uno_python() -> str:
    python = shutil.which("python3", path="/usr/bin") or "python3"
    need_tool("soffice")
    ok = subprocess.run([python, "-c", "import uno"], capture_output=True).returncode == 0
    if not ok:
        if os.environ.get("BRIEFGEN_REQUIRE_TOOLS") == "1":
            pytest.fail("LibreOffice's Python (python3-uno) is required (BRIEFGEN_REQUIRE_TOOLS=1)")
        pytest.skip("LibreOffice's Python (uno) is not installed")
    return python


def _lo_text(path: Path) -> list[str]:
    """LibreOffice's text export as lines, the contents' page numbers left out (deleted text
    shown moves pages)."""
    text = path.read_text(encoding="utf-8-sig")
    return [re.sub(r"\t\d+$", "", line) for line in text.splitlines()]


def test_libreoffice_lists_accepts_and_rejects_each_revision(packs, versions,
                                                             tmp_path: Path) -> None:
    python = _uno_python()
    (tmp_path / "tracked.docx").write_bytes(packs["tracked"].docx)
    subprocess.run([python, str(HERE / "lo_revisions.py"), str(tmp_path / "tracked.docx"),
                    str(tmp_path)], check=True, timeout=300)
    revisions = json.loads((tmp_path / "revisions.json").read_text())
    kinds = {r["type"] for r in revisions}
    assert kinds == {"Insert", "Delete"}, kinds
    assert {(r["author"], r["date"]) for r in revisions} == {("briefgen sample desk",
                                                              "2023-09-20")}
    root = _document_xml(packs["tracked"].docx)
    assert len(revisions) >= len(root.findall(".//w:trPr/w:ins", NS))
    # the versions as LibreOffice reads them without revisions
    old, new = versions
    from briefgen.compose import compose
    from briefgen.diff import changes_since
    from briefgen.layout import apply_style
    from briefgen.render.docx import render_docx
    from briefgen.style import load_style

    st = load_style(None)
    a, b = briefgen.load_brief(old), briefgen.load_brief(new)
    old_doc = apply_style(compose(a, None, st, changes_since(a, b)), st)
    (tmp_path / "new.docx").write_bytes(packs["since"].docx)
    (tmp_path / "old.docx").write_bytes(render_docx(old_doc, st))
    subprocess.run([need_tool("soffice"), f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--headless", "--convert-to", "txt:Text (encoded):UTF8", "--outdir",
                    str(tmp_path), str(tmp_path / "new.docx"), str(tmp_path / "old.docx")],
                   capture_output=True, timeout=300, check=True)
    assert _lines(tmp_path / "accepted.txt") == _lines(tmp_path / "new.txt")
    assert _lines(tmp_path / "rejected.txt") == _lines(tmp_path / "old.txt")


def _lines(path: Path) -> Counter[str]:
    """The lines of LibreOffice's text export (:func:`_lo_text`), in any order, without the
    "(continued)" lines and empty ones: a table row the page estimate parts at a page's
    foot is written as two (render/docx/estimate/rows.py), where each document's layout
    puts it, and LibreOffice's text lists the cells of each row in turn."""
    return Counter(line for line in _lo_text(path)
                   if line.strip() and not line.rstrip().endswith("(continued)"))


# --------------------------------------------------------------------------------------------
# Change bars in the PDF


def test_change_bars_beside_changed_lines_as_artifacts(versions, packs, tmp_path: Path) -> None:
    import pdfplumber

    from briefgen.style import load_style
    from test_pdf_tagged import check

    old, new = versions
    style = tmp_path / "bars.yaml"
    style.write_text("extends: default\nchanges:\n  bars: true\n")
    assert load_style(style).changes.bars and not load_style(None).changes.bars
    pdf = build(new, BuildOptions(formats=("pdf",), since=old, track_changes=True,
                                  style=style)).pdf
    # the same text and pages as without bars
    assert _pdftext(pdf, tmp_path, "bars") == _pdftext(packs["tracked"].pdf, tmp_path, "t")

    def bars(data: bytes) -> dict[int, list[tuple[float, float]]]:
        out: dict[int, list[tuple[float, float]]] = {}
        with pdfplumber.open(io.BytesIO(data)) as doc:
            for n, page in enumerate(doc.pages, 1):
                words = page.extract_words()
                left = min(w["x0"] for w in words)
                found = [(ln["top"], ln["bottom"]) for ln in page.lines
                         if abs(ln["x0"] - ln["x1"]) < 0.01 and ln["x0"] < left - 3
                         and ln["bottom"] - ln["top"] > 5]
                if found:
                    out[n] = found
        return out

    with_bars = bars(pdf)
    assert with_bars and not bars(packs["tracked"].pdf)
    # a bar beside the changed figure's line ("5,000"; not the box's "200 → 5,000", which
    # is no tracked change), none beside unchanged text
    seen = {"figure": 0, "dropped": 0}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for n, page in enumerate(doc.pages, 1):
            words = page.extract_words()
            for w in words:
                line = " ".join(x["text"] for x in words if abs(x["top"] - w["top"]) < 2)
                # (and beside the line to take after the one dropped: where it was)
                if w["text"] == "5,000" and "\u2192" not in line:
                    seen["figure"] += 1
                elif w["text"] == "According" and "Russian military" in line:
                    seen["dropped"] += 1
                else:
                    continue
                assert any(top - 1 <= w["top"] and w["bottom"] <= bottom + 1
                           for top, bottom in with_bars.get(n, [])), (n, w)
        last = len(doc.pages)
    assert seen["figure"] and seen["dropped"] == 1, seen
    assert last not in with_bars  # the sources and notes did not change
    # the bars are artifacts (no content for a reader), and the tagged PDF has no problem
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for n in with_bars:
            page = doc.pages[n - 1]
            stack: list[str] = []
            bars_at: list[str] = []
            x_bar = None
            for operands, op in pikepdf.parse_content_stream(page):
                name = str(op)
                if name in ("BMC", "BDC"):
                    stack.append(str(operands[0]))
                elif name == "EMC":
                    stack.pop()
                elif name == "m" and float(operands[0]) < 60:
                    x_bar = float(operands[0])
                elif name == "l" and x_bar is not None and float(operands[0]) == x_bar:
                    bars_at.append(stack[-1] if stack else "")
                    x_bar = None
                elif name == "m":
                    x_bar = None
            assert bars_at and set(bars_at) == {"/Artifact"}, (n, bars_at)
    assert check(pdf).problems == []
