"""Bad input gets a clear error (exit 2, file, line, field; no traceback, no hang, no file
written), and brief text is only ever text in both outputs."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import briefgen
from briefgen.cli import cli
from briefgen.errors import BriefError
from conftest import need_tool
from test_validation import MINIMAL

CASES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "the file is empty"),
    "blank": (b"   \n\n", "the file is empty"),
    "binary junk": (bytes(range(256)) * 4, "NUL bytes"),
    "not utf-8": ("title: café\n".encode("cp1252"), "not UTF-8"),
    "tab indentation": (b"title: x\noriginator:\n\torganisation: y\n", "tabs"),
    "unclosed quote": (b'title: "never closed\ndate: 2023-01-01\n', "YAML syntax error"),
    "top-level list": (b"- title: x\n", "must be a mapping"),
    "scalar": (b"just words\n", "must be a mapping"),
    "duplicate keys": (MINIMAL.encode() + b"date: 2024-01-01\n", "duplicate key"),
    "deep nesting": (("a:\n" + "".join("  " * i + "- \n" for i in range(1, 60))).encode()
                     .replace(b"- \n", b"-\n"), "limit"),
    "deep flow nesting": (b"title: " + b"[" * 5000 + b"]" * 5000 + b"\n", "limit"),
    "wrong types": (MINIMAL.replace("title: A brief", "title: [1, 2]").encode(),
                    "title: must be text"),
    "missing fields": (b"title: only a title\n", "this field is required"),
    "unknown key": (MINIMAL.replace("summary:", "sumary:").encode(), "did you mean 'summary'"),
    "bad date": (MINIMAL.replace("2023-09-20", "2023-02-30").encode(), "date:"),
    "unknown citation": (MINIMAL.replace("[@src]", "[@nope]").encode(),
                         "cites unknown source 'nope'"),
    "control character": (MINIMAL.replace("A brief", '"A\\x0bbrief"').replace(
        "title: A brief", 'title: "A\\vbrief"').encode(), "U+000B"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_brief_file_is_refused_cleanly_by_cli(tmp_path: Path, case: str):
    data, needle = CASES[case]
    brief = tmp_path / "brief.yaml"
    brief.write_bytes(data)
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["build", str(brief), "-o", str(out)])
    assert r.exit_code == 2, (r.stdout, r.stderr, r.exception)
    assert needle in r.stderr
    assert str(brief) in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert not out.exists()


@pytest.mark.parametrize("case", list(CASES))
def test_bad_brief_is_a_brief_error_in_the_api(tmp_path: Path, case: str):
    data, needle = CASES[case]
    brief = tmp_path / "brief.yaml"
    brief.write_bytes(data)
    with pytest.raises(BriefError) as exc:
        briefgen.build_files(brief, tmp_path / "out")
    assert needle in str(exc.value)
    assert all(d.file == str(brief) for d in exc.value.diagnostics)
    assert not (tmp_path / "out").exists()


def test_errors_carry_line_numbers_where_they_exist(tmp_path: Path):
    brief = tmp_path / "b.yaml"
    for case in ("tab indentation", "unclosed quote", "duplicate keys", "unknown key",
                 "unknown citation", "wrong types"):
        brief.write_bytes(CASES[case][0])
        with pytest.raises(BriefError) as exc:
            briefgen.load_brief(brief)
        assert all(d.line is not None for d in exc.value.diagnostics), case


def test_huge_file_is_refused_before_parsing(tmp_path: Path):
    brief = tmp_path / "huge.yaml"
    brief.write_bytes(b"title: x\nbackground:\n" + b"  - " + b"a" * (6 * 1024 * 1024) + b"\n")
    r = CliRunner().invoke(cli, ["validate", str(brief)])
    assert r.exit_code == 2 and "limit is 5,242,880" in r.stderr


def test_long_text_and_long_list_limits():
    long_text = MINIMAL.replace("One point [@src].", "x" * 20_001)
    with pytest.raises(BriefError, match="at most 20000 characters"):
        briefgen.parse_brief(long_text)
    many = MINIMAL + "background:\n" + "  - para\n" * 5_001
    with pytest.raises(BriefError, match="at most 5000 items"):
        briefgen.parse_brief(many)


def test_alias_bomb_refused_quickly(tmp_path: Path):
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    brief = tmp_path / "bomb.yaml"
    brief.write_text("\n".join(lines) + "\n")
    r = CliRunner().invoke(cli, ["validate", str(brief)])
    assert r.exit_code == 2 and "limit" in r.stderr


@pytest.mark.parametrize("text,needle", [
    ('{"title": "x",}', "JSON syntax error"),
    ('{"title": "x", "title": "y"}', "duplicate key 'title'"),
    ("[1, 2]", "must be a mapping"),
])
def test_bad_json(tmp_path: Path, text: str, needle: str):
    brief = tmp_path / "b.json"
    brief.write_text(text)
    r = CliRunner().invoke(cli, ["build", str(brief), "-o", str(tmp_path / "o")])
    assert r.exit_code == 2 and needle in r.stderr and str(brief) in r.stderr


def test_directory_and_missing_path(tmp_path: Path):
    r = CliRunner().invoke(cli, ["validate", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 2 and "no such file" in r.stderr
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    r = CliRunner().invoke(cli, ["build", str(empty), "-o", str(tmp_path / "o")])
    assert r.exit_code == 2 and "no brief files" in r.stderr


# --------------------------------------------------------------------------------------------
# Brief text is only text

HOSTILE = [
    "a<b", "Q&A", "&copy", "&amp;", '<img src="/etc/passwd"/>',
    '<a href="javascript:alert(1)">x</a>',
    "<font color=red>red</font>", "{{ 7*7 }}", "{% for x in y %}", "]]>", "<![CDATA[x]]>",
    "<!-- c -->", "<b>not bold</b>", "%PDF-1.4", "\\u0000", "${HOME}",
]


def _hostile_brief() -> str:
    lines = "\n".join(f"  - '{h.replace(chr(39), chr(39) * 2)}'" for h in HOSTILE)
    return MINIMAL.replace("title: A brief", "title: 'Title a<b & {{ 7*7 }}'") + \
        "lines_to_take:\n" + lines + "\n" + \
        "quotes:\n  - text: '<i>verbatim</i> & \"quoted\" {{ x }}'\n    speaker: S\n" \
        "    source: src\n"


def _nows(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def hostile_pack() -> briefgen.Pack:
    return briefgen.build(briefgen.parse_brief(_hostile_brief()))


def test_markup_prints_literally_in_pdf(hostile_pack, tmp_path: Path):
    need_tool("pdftotext")
    pdf = tmp_path / "h.pdf"
    pdf.write_bytes(hostile_pack.pdf)
    text = _nows(subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                                capture_output=True, check=True).stdout.decode())
    for h in [*HOSTILE, "Title a<b & {{ 7*7 }}", '<i>verbatim</i> & "quoted" {{ x }}']:
        assert _nows(h) in text, h
    assert "49" not in text


def test_no_dangerous_links_or_files_in_pdf(hostile_pack):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(hostile_pack.pdf))
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                assert str(action["/URI"]).startswith(("http://", "https://", "mailto:"))
    assert b"javascript" not in hostile_pack.pdf.lower().replace(b"javascript:alert", b"")
    assert b"/JavaScript" not in hostile_pack.pdf
    assert b"/Launch" not in hostile_pack.pdf
    # no image was read from the local file system
    assert all(not page.images for page in reader.pages)


def test_markup_prints_literally_in_docx(hostile_pack):
    import docx

    document = docx.Document(io.BytesIO(hostile_pack.docx))
    text = _nows("\n".join(p.text for p in document.paragraphs))
    for h in [*HOSTILE, "Title a<b & {{ 7*7 }}"]:
        assert _nows(h) in text, h
    with zipfile.ZipFile(io.BytesIO(hostile_pack.docx)) as z:
        rels = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".rels"))
    for target in re.findall(r'Target="([^"]+)"[^>]*TargetMode="External"', rels):
        assert target.startswith(("http://", "https://", "mailto:"))


def test_only_safe_links_become_links():
    brief = briefgen.parse_brief(MINIMAL.replace(
        "One point [@src].",
        "'Links [ok](https://example.org) [js](javascript:alert(1)) [f](file:///etc/passwd) "
        "[m](mailto:a@example.org) [rel](../x.pdf)'"))
    pack = briefgen.build(brief, formats="pdf")
    from pypdf import PdfReader

    uris = []
    for page in PdfReader(io.BytesIO(pack.pdf)).pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object().get("/A")
            if a is not None and "/URI" in a:
                uris.append(str(a["/URI"]))
    assert "https://example.org" in uris and "mailto:a@example.org" in uris
    assert not any("javascript" in u or "file:" in u or "x.pdf" in u for u in uris)


def test_batch_with_bad_brief_api(tmp_path: Path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.yaml").write_text(MINIMAL)
    (tmp_path / "in" / "b.yaml").write_bytes(b"\x00junk")
    result = briefgen.build_many([tmp_path / "in"], tmp_path / "out", formats="pdf")
    assert not result.ok
    assert list(result.failed) == [str(tmp_path / "in" / "b.yaml")]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.pdf"]


def test_write_failure_leaves_no_partial_file(tmp_path: Path, monkeypatch):
    import os

    from briefgen import pipeline

    brief = tmp_path / "b.yaml"
    brief.write_text(MINIMAL)
    briefgen.build_files(brief, tmp_path)
    good = (tmp_path / "b.pdf").read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        pipeline.write_atomic(tmp_path / "b.pdf", b"%PDF-partial")
    assert (tmp_path / "b.pdf").read_bytes() == good
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
