"""The brief's Markdown parsed ahead, in a child with time to spare (inline.parse_markdown, the
rendering child of a one-format ``briefgen build``), and the worker calls that carry it
(workers.Standby.ask / answer): the document and the file are those of parsing in place.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import briefgen
from briefgen import inline
from briefgen.validate import iter_strings
from conftest import MINIMAL, run_command

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "briefs/nagorno-karabakh-2023-09-ceasefire.yaml"

#: rich text that exercises what parse_inline sets aside before markdown-it sees it
TRICKY = MINIMAL.replace("  - One point [@src].\n", """\
  - "**Bold** and *italic*, a [link](https://example.org) and <https://example.org/x> [@src]."
  - "A span [Сирия]{lang=ru} with **bold [inside]{lang=fr}**, [*Damas* en **mai**]{lang=fr}
    and [@src, p. 3; @src]."
  - "Brackets [never closed, [nested [deep]] and \\\\[escaped\\\\] and a [not a citation] group."
  - "Stars * alone, a_snake_case_name, `code`, 2 * 3 = 6 and a line\\nbreak."
  - "Plain text with no markup at all."
""")

forks = pytest.mark.skipif(
    not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2 or sys.platform != "linux",
    reason="needs os.fork, Linux and more than one core")


def _rich_texts(brief: briefgen.Brief) -> list[str]:
    return [text for _loc, text, rich in iter_strings(brief) if rich]


@pytest.mark.parametrize("source", ["sample", "tricky"])
def test_a_brief_composed_from_markdown_parsed_ahead_is_the_same_document(
        source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    brief = briefgen.load_brief(SAMPLE) if source == "sample" else briefgen.parse_brief(TRICKY)
    expected = briefgen.compose_brief(brief)
    parsed = inline.parse_markdown(_rich_texts(brief))
    assert parsed, "nothing parsed ahead"

    def no_parser() -> None:
        raise AssertionError("markdown-it asked for a text not parsed ahead")

    monkeypatch.setattr(inline, "_md", no_parser)
    with inline.parsed_ahead(parsed):
        assert briefgen.compose_brief(brief) == expected
    # and nothing is kept after the block
    assert inline._AHEAD.get() is None
    with pytest.raises(AssertionError, match="not parsed ahead"):
        briefgen.compose_brief(brief)


def test_what_is_parsed_ahead_is_what_parsing_in_place_makes() -> None:
    texts = [*_rich_texts(briefgen.parse_brief(TRICKY)),
             "x [a]{lang=fr} [@k] **y**", "[**b**]{lang=de}", "\\[@k\\] *e*", ""]
    parsed = inline.parse_markdown(texts)
    for prepared, inlines in parsed.items():
        tokens = inline._md().parseInline(prepared)
        assert inlines == tuple(inline._build(tokens[0].children or [], 0, None)[0])


@forks
def test_a_child_answers_what_it_is_asked_in_order_then_gives_its_result() -> None:
    code = textwrap.dedent("""
        import json, os
        from briefgen import workers
        child = workers.Standby(lambda: None)
        child.ask(sorted, [3, 1, 2])
        child.ask(int, "not a number")  # fails: answered None
        child.ask(len, "four")
        first, second = child.answer(), child.answer()
        child.ask(max, [1, 5])  # never read: the result comes after it all the same
        child.send(sum, [1, 2, 3])
        third = child.answer()
        result = child.result()
        try:
            os.waitpid(-1, os.WNOHANG)
            left = True
        except ChildProcessError:
            left = False
        print(json.dumps([first, second, third, result, left]))
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [[1, 2, 3], None, 4, 6, False]


def _in_child_and_here(tmp_path: Path, brief: Path, fmt: str = "docx") -> bool:
    """Build ``brief`` in ``fmt`` as the command does (its children started first) and with
    ``--jobs 1``; assert the same bytes; return whether the command's process imported
    markdown-it."""
    res = run_command("build", str(brief), "-f", fmt, "-o", str(tmp_path / "child"), "-q",
                      modules=("markdown_it",), timeout=300)
    assert res["code"] == 0 and res["report"]["left"] is False, res["err"]
    serial = subprocess.run([sys.executable, "-m", "briefgen", "build", str(brief), "-f",
                             fmt, "-o", str(tmp_path / "here"), "--jobs", "1", "-q"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert serial.returncode == 0, serial.stderr
    name = brief.with_suffix(f".{fmt}").name
    assert (tmp_path / "child" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    return bool(res["report"]["markdown_it"])


@forks
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_one_format_build_parses_its_markdown_in_the_child_to_the_same_bytes(
        tmp_path: Path, fmt: str) -> None:
    brief = tmp_path / "tricky.yaml"
    brief.write_text(TRICKY, encoding="utf-8")
    assert _in_child_and_here(tmp_path, brief, fmt) is False


@forks
def test_more_rich_text_than_a_child_parses_in_its_wait_is_parsed_here(tmp_path: Path) -> None:
    """Past MARKDOWN_AHEAD_CHARS the rendering child is not asked (it would keep the build
    waiting): the command's own process parses, to the same bytes."""
    from briefgen.pipeline import MARKDOWN_AHEAD_CHARS

    para = "A **bold** claim, an *aside* and a [link](https://example.org/a) [@src]. " * 14
    count = MARKDOWN_AHEAD_CHARS // len(para) + 2
    body = "".join(f"  - \"{para}\"\n" for _ in range(count))
    brief = tmp_path / "long.yaml"
    brief.write_text(MINIMAL + "background:\n" + body, encoding="utf-8")
    assert _in_child_and_here(tmp_path, brief) is True


@forks
def test_a_library_build_does_not_ask_its_children() -> None:
    """Only children the command started before reading the brief have time to spare: a
    program's ``build(parallel=True)`` parses its Markdown itself, and keeps nothing."""
    code = textwrap.dedent(f"""
        import json, briefgen
        from briefgen import inline, workers
        asked = []
        original = workers.Standby.ask
        def ask(self, *args):
            asked.append(1)
            return original(self, *args)
        workers.Standby.ask = ask
        for _ in range(2):
            briefgen.build({str(SAMPLE)!r}, formats="docx", parallel=True)
        print(json.dumps({{"asked": len(asked), "kept": inline._AHEAD.get() is not None}}))
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"asked": 0, "kept": False}
