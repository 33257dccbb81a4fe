"""Table rows in LibreOffice's layout of the DOCX, as a desk officer would sign them, in every
shipped style and template and the variant briefs:

- a row split across pages leaves at least ``ROW_LINES`` lines on either page, and each of
  its cells that splits leaves at least ``CELL_LINES`` (LibreOffice keeps no widows or
  orphans in the cells of a row it splits: "in Ukraine¹." or "strength." stood alone at the
  top of a page beside empty cells);
- a label over a list in a cell ("Indicators to watch:") keeps ``CELL_LINES`` lines of its
  list with it at the foot of a page (LibreOffice ignores keep-with-next in a split row);
- a numeric range ("20–45%") is never broken at its en dash in a table's column ("20–" at a
  line's end, "45%" on the next);
- the contents' page numbers are the pages LibreOffice puts the headings on.

The pages are read back with pdfplumber (words and their positions: a word's column is told
by the x of the table's repeated header row); what to look for (rows, cells, labels, ranges)
is read from each .docx itself."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import briefgen
from briefgen.compose import available_templates
from briefgen.style import available_styles, load_style
from conftest import ROOT, SAMPLE, libreoffice_pdfs, need_tool
from test_docx_libreoffice_layout import _contents, _heading_page, _read_docx
from test_page_fill import PAGE_NO

#: the fewest lines a split row leaves on either page (its tallest cell)
ROW_LINES = 3
#: the fewest lines a cell that splits leaves on either page, and of a label's list
CELL_LINES = 2
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
VARIANTS = sorted((ROOT / "briefs" / "variants").glob("*.yaml"))
PACKS = [f"{s}-{t}" for s in sorted(available_styles()) for t in sorted(available_templates())] \
    + [f"var-{v.stem.rsplit('-', 1)[-1]}" for v in VARIANTS]


@pytest.fixture(scope="module")
def packs() -> dict[str, tuple[bytes, bytes]]:
    """(PDF, DOCX) of the sample in every style and template, and of each variant brief."""
    brief = briefgen.load_brief(SAMPLE)
    out = {}
    for style in sorted(available_styles()):
        for template in sorted(available_templates()):
            pack = briefgen.build(brief, briefgen.BuildOptions(style=load_style(style),
                                                               template=template))
            out[f"{style}-{template}"] = (pack.pdf, pack.docx)
    for v in VARIANTS:
        pack = briefgen.build(briefgen.load_brief(v))
        out[f"var-{v.stem.rsplit('-', 1)[-1]}"] = (pack.pdf, pack.docx)
    assert sorted(out) == sorted(PACKS)
    return out


@pytest.fixture(scope="module")
def lo_pdfs(packs: dict[str, tuple[bytes, bytes]],
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return libreoffice_pdfs({name: docx for name, (_pdf, docx) in packs.items()},
                            tmp_path_factory.mktemp("lo-rows"))


# -- the DOCX: tables, their rows and cells --------------------------------------------------

def _key(s: str) -> str:
    """Text as compared between the DOCX and a page: no white space, no digits (note marks
    are drawn by LibreOffice, not in the text), no bullets, ligatures unfolded."""
    return re.sub(r"[\s\d•]", "", unicodedata.normalize("NFKC", s))


@dataclass
class Table:
    header: list[str]  # the header row's cells
    rows: list[list[str]]  # each body row's cells
    labels: list[list[set[str]]]  # each body row's cells' labels (a paragraph over a list)


@dataclass
class Docx:
    tables: list[Table] = field(default_factory=list)
    body_paragraphs: list[str] = field(default_factory=list)  # outside tables


def _text(e: object) -> str:
    return " ".join("".join(t.text or "" for t in e.iter(f"{W}t")).split())  # type: ignore[attr-defined]


def _is_item(p: object) -> bool:
    return p is not None and p.find(f"{W}pPr/{W}numPr") is not None  # type: ignore[attr-defined]


def _docx(data: bytes) -> Docx:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
    out = Docx()
    for child in body:
        if child.tag == f"{W}p":
            out.body_paragraphs.append(_text(child))
        if child.tag != f"{W}tbl":
            continue
        trs = child.findall(f"{W}tr")
        if not trs or trs[0].find(f"{W}trPr/{W}tblHeader") is None:
            continue
        table = Table([_text(tc) for tc in trs[0].findall(f"{W}tc")], [], [])
        for tr in trs[1:]:
            cells = tr.findall(f"{W}tc")
            table.rows.append([_text(tc) for tc in cells])
            labels = []
            for tc in cells:
                ps = tc.findall(f"{W}p")
                labels.append({_text(p) for p, nxt in itertools.pairwise(ps)
                               if not _is_item(p) and _is_item(nxt) and _text(p)})
            table.labels.append(labels)
        out.tables.append(table)
    return out


# -- the pages: lines of words -----------------------------------------------------------------

@dataclass
class Line:
    top: float
    words: list[tuple[float, str]]  # (x0, text)

    @property
    def text(self) -> str:
        return " ".join(t for _x, t in self.words)


def _pages(pdf: Path, keep: set[str]) -> list[list[Line]]:
    """Each page's body lines (words grouped by their top; the furniture left out: lines
    that repeat on half the pages or more, and the page number), as pdfplumber reads them;
    a line whose key is in ``keep`` (a table's header row) is never furniture."""
    import pdfplumber

    pages: list[list[Line]] = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            lines: list[Line] = []
            for w in sorted(page.extract_words(), key=lambda w: (round(w["top"]), w["x0"])):
                if lines and abs(lines[-1].top - w["top"]) < 2.5:
                    lines[-1].words.append((w["x0"], w["text"]))
                else:
                    lines.append(Line(w["top"], [(w["x0"], w["text"])]))
            for line in lines:
                line.words.sort()
            pages.append(lines)
    seen = Counter(_key(line.text) for p in pages for line in {_key(x.text): x for x in p}.values())
    furniture = {k for k, n in seen.items() if len(pages) > 2 and n >= max(3, len(pages) / 2)
                 and k not in keep}
    return [[line for line in p if _key(line.text) not in furniture
             and not PAGE_NO.search(line.text)] for p in pages]


def _segments(line: Line, starts: list[float]) -> list[str]:
    """A line's text in each column (a word's column: the last whose start it is at or
    right of)."""
    out = [""] * len(starts)
    for x, t in line.words:
        col = max((c for c, s in enumerate(starts) if s <= x + 1.5), default=0)
        out[col] += t
    return [_key(s) for s in out]


@dataclass
class Split:
    page: int
    row: str
    foot: list[int]  # lines of each cell at the foot of the page
    rest: list[int]  # and at the top of the next
    short_labels: list[str]  # labels at the foot of the page with fewer than CELL_LINES


def _splits(pages: list[list[Line]], docx: Docx) -> list[Split]:
    """Each table row split across two pages: its lines on either page, cell by cell. The
    next page opens with the table's header row (repeated); its words give the columns'
    starts; the row's piece at the foot of the page starts with a line whose text in each
    column begins the row's cell there."""
    out = []
    headers = {_key(" ".join(t.header)): t for t in docx.tables}
    for n in range(len(pages) - 1):
        nxt = pages[n + 1]
        at = next((k for k, line in enumerate(nxt[:4]) if _key(line.text) in headers), None)
        if at is None:
            continue
        table = headers[_key(nxt[at].text)]
        starts = _starts(nxt[at], table.header)
        if starts is None:
            continue
        for r, cells in enumerate(table.rows):
            keys = [_key(c) for c in cells]
            foot = _piece(pages[n], starts, keys, opening=True)
            if foot is None:
                continue
            k0, per_foot = foot
            rest = _piece(nxt[at + 1:], starts, keys, opening=False)
            if rest is None or not any(rest[1]):
                continue
            short = []
            for c, labels in enumerate(table.labels[r]):
                for label in labels:
                    col = [_segments(line, starts)[c] for line in pages[n][k0:]]
                    col = [s for s in col if s]
                    if _key(label) in col and rest[1][c] and \
                            len(col) - 1 - col.index(_key(label)) < CELL_LINES:
                        short.append(label)
            out.append(Split(n + 1, cells[0][:40], per_foot, rest[1], short))
    return out


def _starts(line: Line, header: list[str]) -> list[float] | None:
    """The x where each header cell's text starts on the header row's line."""
    starts, words, k = [], line.words, 0
    for cell in header:
        first = _key(cell.split()[0]) if cell.split() else ""
        while k < len(words) and _key(words[k][1]) != first:
            k += 1
        if k == len(words):
            return None
        starts.append(words[k][0])
        k += 1
    return starts


def _piece(lines: list[Line], starts: list[float], keys: list[str],
           opening: bool) -> tuple[int, list[int]] | None:
    """The row's lines in ``lines``: from its opening line to the end (``opening``), or from
    the first line on while each column's text continues the row's cell there. Returns
    where the piece starts and each cell's count of lines; None when the row is not there
    (or whole there, with ``opening``)."""
    if opening:
        k0 = None
        for k, line in enumerate(lines):
            seg = _segments(line, starts)
            if len(seg[0]) >= 4 and keys[0].startswith(seg[0]) and all(
                    not s or keys[c].startswith(s) for c, s in enumerate(seg)):
                k0 = k
        if k0 is None:
            return None
    else:
        k0 = 0
    counts = [0] * len(keys)
    got = [""] * len(keys)
    for line in lines[k0:]:
        seg = _segments(line, starts)
        if not all(not s or s in keys[c] for c, s in enumerate(seg)):
            break
        if not opening and any(s and keys[c].startswith(s) and len(s) >= 4 and c == 0
                               for c, s in enumerate(seg)):
            break  # the next row opens
        for c, s in enumerate(seg):
            if s:
                counts[c] += 1
                got[c] += s
    if opening and all(len(g) >= len(k) - 1 for g, k in zip(got, keys, strict=True)):
        return None  # whole on this page
    return k0, counts


def _row_faults(splits: list[Split]) -> list[str]:
    bad = []
    for s in splits:
        if max(s.foot) < ROW_LINES or max(s.rest) < ROW_LINES:
            bad.append(f"page {s.page}: row {s.row!r} split {max(s.foot)} + {max(s.rest)}")
        for c, (a, b) in enumerate(zip(s.foot, s.rest, strict=True)):
            if a and b and min(a, b) < CELL_LINES:
                bad.append(f"page {s.page}: row {s.row!r} cell {c + 1} split {a} + {b}")
    return bad


def _label_faults(splits: list[Split]) -> list[str]:
    return [f"page {s.page}: row {s.row!r}: {label!r} ends the page"
            for s in splits for label in s.short_labels]


def _laid(packs: dict[str, tuple[bytes, bytes]], lo_pdfs: dict[str, Path],
          name: str) -> tuple[Docx, list[list[Line]]]:
    docx = _docx(packs[name][1])
    return docx, _pages(lo_pdfs[name], {_key(" ".join(t.header)) for t in docx.tables})


def test_the_checks_see_a_short_piece_and_a_lone_label() -> None:
    """The checks themselves, on made-up pages: a row split leaving one line of a cell over
    (a lone "strength."), a label with one line of its list, and a good split."""
    table = Table(["Risk", "Likelihood"],
                  [["R2. Renewed fighting on the border Indicators to watch: Whether the "
                    "cease-fire holds and Azerbaijan stands down", "Roughly even chance "
                    "ICD 203, 45–55% assessed strength."]],
                  [[{"Indicators to watch:"}, set()]])
    docx = Docx([table])

    def line(top: float, left: str, right: str = "") -> Line:
        return Line(top, [(50.0 + i, w) for i, w in enumerate(left.split())]
                    + [(300.0 + i, w) for i, w in enumerate(right.split())])

    head = line(0, "Risk", "Likelihood")
    bad = [[line(1, "text"), line(2, "R2. Renewed", "Roughly even"),
            line(3, "fighting on the", "chance ICD 203,"), line(4, "border", "45–55%"),
            line(5, "Indicators to watch:", "assessed"), line(6, "Whether the")],
           [head, line(7, "cease-fire holds and"), line(8, "Azerbaijan stands down",
                                                        "strength.")]]
    splits = _splits(bad, docx)
    assert len(splits) == 1 and splits[0].foot == [5, 4] and splits[0].rest == [2, 1]
    assert _row_faults(splits) and _label_faults(splits)
    good = [[line(1, "text"), line(2, "R2. Renewed", "Roughly even"),
             line(3, "fighting on the", "chance ICD 203,"), line(4, "border", "45–55%")],
            [head, line(5, "Indicators to watch:", "assessed strength."),
             line(6, "Whether the"), line(7, "cease-fire holds and"),
             line(8, "Azerbaijan stands down")]]
    splits = _splits(good, docx)
    assert len(splits) == 1 and splits[0].foot == [3, 3] and splits[0].rest == [4, 1]
    assert not _label_faults(splits)
    assert _row_faults(splits) == ["page 1: row 'R2. Renewed fighting on the border Indic' "
                                   "cell 2 split 3 + 1"]


@pytest.mark.parametrize("name", PACKS)
def test_split_rows_leave_lines_on_each_page(packs: dict[str, tuple[bytes, bytes]],
                                             lo_pdfs: dict[str, Path], name: str) -> None:
    docx, pages = _laid(packs, lo_pdfs, name)
    assert not _row_faults(_splits(pages, docx))


@pytest.mark.parametrize("name", PACKS)
def test_a_label_keeps_its_list_at_a_page_foot(packs: dict[str, tuple[bytes, bytes]],
                                               lo_pdfs: dict[str, Path], name: str) -> None:
    docx, pages = _laid(packs, lo_pdfs, name)
    if "summary" not in name:
        assert any(label for t in docx.tables for row in t.labels for label in row)
    assert not _label_faults(_splits(pages, docx))


def _broken_ranges(pages: list[list[Line]], docx: Docx) -> list[str]:
    """Words ending with a digit and an en dash ("20–") at a line's end in a table: the line
    is no paragraph outside the tables."""
    body = [_key(p) for p in docx.body_paragraphs]
    bad = []
    for n, lines in enumerate(pages, 1):
        for line in lines:
            if any(re.search(r"\d\u2013$", t) for _x, t in line.words) and \
                    not any(_key(line.text) in p for p in body):
                bad.append(f"page {n}: {line.text!r}")
    return bad


def test_the_check_sees_a_broken_range() -> None:
    docx = Docx([], ["Probability scale: unlikely 20–45%; roughly even chance 45–55%"])
    cell = Line(0, [(50, "Unlikely"), (300, "ICD"), (320, "203,"), (340, "20–")])
    legend = Line(0, [(50, "Probability"), (100, "scale:"), (150, "unlikely"), (200, "20–")])
    assert _broken_ranges([[cell, legend]], docx) == ["page 1: 'Unlikely ICD 203, 20–'"]
    assert not _broken_ranges([[Line(0, [(50, "ICD"), (80, "203,"), (100, "20–45%")])]],
                              docx)


@pytest.mark.parametrize("name", PACKS)
def test_ranges_are_not_broken_at_the_dash_in_tables(packs: dict[str, tuple[bytes, bytes]],
                                                     lo_pdfs: dict[str, Path],
                                                     name: str) -> None:
    docx, pages = _laid(packs, lo_pdfs, name)
    assert not _broken_ranges(pages, docx)


def test_the_pdf_keeps_ranges_whole(packs: dict[str, tuple[bytes, bytes]],
                                    tmp_path: Path) -> None:
    """The PDF never had the fault (ReportLab breaks at spaces and hyphens only)."""
    bad = {}
    for name, (pdf, data) in packs.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        found = _broken_ranges(_pages(path, set()), _docx(data))
        if found:
            bad[name] = found
    assert not bad, bad


@pytest.mark.parametrize("name", [p for p in PACKS if p.endswith("-full") or
                                  p.startswith("var-")])
def test_contents_numbers_are_the_headings_pages(packs: dict[str, tuple[bytes, bytes]],
                                                 lo_pdfs: dict[str, Path], name: str) -> None:
    """Every contents entry shows the page LibreOffice puts its heading on (the variant
    briefs too: test_docx_libreoffice_layout checks the sample's)."""
    laid = _read_docx(packs[name][1])
    text = subprocess.run([need_tool("pdftotext"), "-layout", str(lo_pdfs[name]), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    laid.pages = pages[:-1] if not pages[-1].strip() else pages
    at, shown = _contents(laid)
    assert len(shown) >= 6, shown
    actual = {title: _heading_page(laid, title, at) for title in shown}
    wrong = {t: (shown[t], actual[t]) for t in shown if shown[t] != actual[t]}
    assert not wrong, f"{name}: contents (shown, actual) {wrong}"
