"""The HTML edition, read back with an independent parser (lxml.html) and, where Debian's
Chromium, its driver and the npm axe-core are installed (CI installs them), loaded in a real
browser: axe-core finds no WCAG 2.2 AA violation, the page reflows at 320 px, and Chromium's
printed PDF carries the marking and the page label on every page."""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

import briefgen
from briefgen import document as d
from briefgen.render.html import render_html
from briefgen.style import available_styles, load_style
from conftest import SAMPLE, need_tool

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def sample_html(style_name: str = "default", brief: object = SAMPLE) -> bytes:
    """The sample's HTML edition through the public API, as a user builds it."""
    pack = briefgen.build(briefgen.load_brief(brief), formats="html",  # type: ignore[arg-type]
                          style=style_name)
    assert pack.pdf is None and pack.docx is None
    return pack.html


def test_cli_writes_the_html_edition(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from briefgen.cli import cli

    result = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path), "-f", "html"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [SAMPLE.stem + ".html"]
    assert (tmp_path / files[0]).read_bytes() == sample_html()


@pytest.fixture(scope="module")
def page() -> bytes:
    return sample_html()


def tree(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(data)


def test_semantic_landmarks_and_headings(page: bytes) -> None:
    t = tree(page)
    assert t.get("lang") == "en-GB" and t.get("dir") == "ltr"
    assert len(t.findall(".//main")) == 1
    assert t.find(".//header") is not None and t.find(".//footer") is not None
    assert t.find(".//nav") is not None, "the contents is a nav"
    skip = t.find(".//a[@class='skip']")
    assert skip is not None and skip.get("href") == "#main"
    assert len(t.findall(".//h1")) == 1
    assert "Nagorno-Karabakh" in t.find(".//h1").text_content()
    # heading levels never jump (h1, then h2 ...)
    levels = [int(h.tag[1]) for h in t.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    # every contents link lands on a heading
    ids = {e.get("id") for e in t.iter() if e.get("id")}
    for a in t.findall(".//nav//a"):
        assert a.get("href")[1:] in ids


def test_tables_figures_and_notes(page: bytes) -> None:
    t = tree(page)
    tables = t.findall(".//table")
    assert len(tables) >= 4
    for table in tables:
        ths = table.findall(".//thead//th")
        assert ths and all(th.get("scope") == "col" for th in ths)
    charts = t.findall(".//figure[@class='chart']")
    assert len(charts) >= 1  # the risk matrix (the chronology is a table)
    for fig in charts:
        svg = fig.find(".//svg")
        assert svg.get("role") == "img"
        title, desc = svg.find("title"), svg.find("desc")
        assert title is not None and title.text and title.text != "..."
        assert desc is not None and len(desc.text) > 20
        assert set(svg.get("aria-labelledby").split()) == {title.get("id"), desc.get("id")}
        assert fig.find("figcaption") is not None
    # notes: each mark links to its note, each note links back to a mark that exists
    ids = {e.get("id") for e in t.iter() if e.get("id")}
    marks = t.xpath(".//a[@role='doc-noteref']")
    notes = t.xpath(".//ol[@class='notes']/li")
    assert marks and notes
    for a in marks:
        assert a.get("href")[1:] in ids
    for li in notes:
        back = li.xpath(".//a[@role='doc-backlink']")[0]
        assert back.get("href")[1:] in ids
    assert len(ids) == len([e for e in t.iter() if e.get("id")]), "ids are unique"


def test_marking_top_and_bottom_and_in_print_css(page: bytes) -> None:
    t = tree(page)
    label = "TLP:CLEAR"
    assert label in t.find(".//header").text_content()
    assert label in t.find(".//footer").text_content()
    css = t.find(".//style").text
    assert f'content: "{label}"' in css and "@top-" in css and "@bottom-" in css
    assert "counter(page)" in css and "counter(pages)" in css


def test_self_contained_no_script_no_fetch(page: bytes) -> None:
    t = tree(page)
    assert not t.findall(".//script")
    for e in t.iter():
        for attr in ("src", "href", "data", "action", "poster", "srcset"):
            v = e.get(attr)
            if v is None:
                continue
            if e.tag == "a" and attr == "href":
                assert v.startswith(("#", "http://", "https://", "mailto:")), v
            else:
                assert v.startswith(("data:", "#")), (e.tag, attr, v)
    assert b"<!DOCTYPE svg" not in page and b"http://www.w3.org/TR/2001" not in page
    assert b"@import" not in page and b"url(http" not in page


def test_brief_text_is_never_markup() -> None:
    brief = briefgen.load_brief(SAMPLE)
    data = brief.model_dump(mode="json") if hasattr(brief, "model_dump") else dict(brief)
    data["title"] = "<script>alert(1)</script> & {{ 7*7 }} <b>x</b>"
    data["summary"] = ["A <img src=x onerror=alert(1)> line [x](javascript:alert(1))"]
    out = sample_html(brief=data)
    t = tree(out)
    assert not t.findall(".//script") and not t.findall(".//img[@onerror]")
    assert "<script>alert(1)</script> & {{ 7*7 }} <b>x</b>" in t.find(".//h1").text_content()
    assert not any((a.get("href") or "").startswith("javascript") for a in t.iter("a"))


def test_same_input_same_bytes(page: bytes) -> None:
    assert sample_html() == page


def test_every_style_renders_its_own_look() -> None:
    looks = {}
    for name in available_styles():
        t = tree(sample_html(name))
        css = t.find(".//style").text
        looks[name] = css
        assert "@page" in css
    assert len(set(looks.values())) == len(looks)
    assert "DejaVu Serif" in looks["us-memo"]


def test_right_to_left_document() -> None:
    meta = d.Meta(title="عنوان", date=__import__("datetime").datetime(2024, 1, 12), lang="ar")
    doc = d.Document(meta, (d.Paragraph((d.Text("أنصار الله"),)),))
    t = tree(render_html(doc, load_style("default")))
    assert t.get("dir") == "rtl" and t.get("lang") == "ar"


# ------------------------------------------------------------------------- in a real browser


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None or not AXE.exists():
        if os.environ.get("BRIEFGEN_REQUIRE_TOOLS") == "1":
            pytest.fail("chromium, chromedriver and node_modules/axe-core are required "
                        "(BRIEFGEN_REQUIRE_TOOLS=1)")
        pytest.skip("chromium, chromedriver or node_modules/axe-core (npm install) missing")
    return browser, driver


@pytest.fixture(scope="module")
def browser():
    binary, driver = _chromium()
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"):
        opts.add_argument(flag)
    b = webdriver.Chrome(service=Service(executable_path=driver), options=opts)
    b.set_script_timeout(60)
    yield b
    b.quit()


def _axe(browser, path: Path) -> list[dict]:
    browser.get(path.as_uri())
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa', 'wcag22aa', 'best-practice']}}).then(r => done(JSON.stringify("
        "r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => "
        "n.target.join(' ')).slice(0, 5)})))), e => done(JSON.stringify([{id: 'axe-error', "
        "impact: String(e)}])));")
    return json.loads(result)


@pytest.mark.parametrize("style_name", ["default", "uk-brief", "us-memo", "in-focus"])
def test_axe_core_finds_no_violation(browser, tmp_path: Path, style_name: str) -> None:
    path = tmp_path / f"{style_name}.html"
    path.write_bytes(sample_html(style_name))
    violations = _axe(browser, path)
    assert violations == [], json.dumps(violations, indent=1)


def test_axe_core_on_a_right_to_left_brief(browser, tmp_path: Path) -> None:
    """The multi-script example (Arabic, Persian, Hebrew; tables, notes, a chart) passes too,
    and its right-to-left text is marked as such."""
    brief = ROOT / "examples" / "briefs" / "red-sea-shipping-2024-01.yaml"
    data = sample_html("default", brief)
    assert b'dir="rtl"' in data or b"<bdi" in data
    path = tmp_path / "rtl.html"
    path.write_bytes(data)
    violations = _axe(browser, path)
    assert violations == [], json.dumps(violations, indent=1)


def test_reflows_at_320_px_and_screenshot(browser, tmp_path: Path) -> None:
    path = tmp_path / "sample.html"
    path.write_bytes(sample_html())
    browser.set_window_size(320 + 16, 900)
    browser.get(path.as_uri())
    width = browser.execute_script("return document.documentElement.clientWidth")
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width}px: {scroll}px wide"
    browser.set_window_size(1280, 900)
    browser.get(path.as_uri())
    shot = browser.get_screenshot_as_png()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    Path(os.environ.get("BRIEFGEN_SCREENSHOT", tmp_path / "first-screen.png")).write_bytes(shot)


def test_printed_pages_carry_the_marking_and_page_label(tmp_path: Path) -> None:
    binary, _driver = _chromium()
    need_tool("pdftotext")
    path = tmp_path / "sample.html"
    path.write_bytes(sample_html())
    pdf = tmp_path / "printed.pdf"
    subprocess.run([binary, "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", path.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert pdf.exists(), "Chromium printed nothing"
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf.read_bytes())).pages
    assert len(pages) >= 3
    for n, p in enumerate(pages, 1):
        text = p.extract_text()
        assert text.count("TLP:CLEAR") >= 2, f"page {n} lacks the marking top and bottom"
        assert f"Page {n} of {len(pages)}" in text, f"page {n}: no page label"
