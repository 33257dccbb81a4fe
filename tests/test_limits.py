"""Small files inside the documented limits that used to exhaust time or memory, and bad input
that used to end in an internal error or be silently accepted: each is now refused (exit 2,
file, line, field) or handled, within 5 s and 500 MB, measured in a child process."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

import briefgen
from briefgen.cli import cli
from briefgen.errors import BriefError
from test_validation import MINIMAL

SRC = Path(briefgen.__file__).resolve().parents[1]
SECONDS, MEGABYTES = 5.0, 500

_RUNNER = """
import resource, sys, time
t0 = time.monotonic()
from briefgen.cli import main
try:
    main(sys.argv[1:])
    code = 0
except SystemExit as e:
    code = e.code
print(f"MEASURE {time.monotonic() - t0:.3f} "
      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}", file=sys.stderr)
sys.exit(code)
"""


def measured(*args: str, timeout: float = 60) -> tuple[int, str, float, float]:
    """Run the CLI in a child process: exit code, stderr, seconds, peak megabytes."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    r = subprocess.run([sys.executable, "-c", _RUNNER, *args], capture_output=True, text=True,
                       env=env, timeout=timeout)
    lines = r.stderr.strip().splitlines()
    *rest, last = lines
    _, secs, mb = last.split()
    return r.returncode, "\n".join(rest), float(secs), float(mb)


def refused_fast(path: Path, needle: str, *extra: str) -> str:
    code, err, secs, mb = measured("validate", str(path), *extra)
    assert code == 2, err
    assert needle in err, err
    assert "Traceback" not in err and "report it" not in err, err
    assert secs < SECONDS and mb < MEGABYTES, (secs, mb)
    return err


# --------------------------------------------------------------------------------------------
# Bombs


def test_alias_expansion_counts_characters(tmp_path: Path):
    big = "x " * 10_000
    p = tmp_path / "aliases.yaml"
    p.write_text(MINIMAL + f'background:\n  - &a "{big}"\n' + "  - *a\n" * 6000)
    assert p.stat().st_size < 200_000
    refused_fast(p, "once aliases are expanded")


def test_nested_aliases_are_refused(tmp_path: Path):
    text = MINIMAL + 'x0: &x0 ["' + "y" * 20_000 + '"]\n'
    for i in range(1, 9):
        text += f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * 10) + "]\n"
    p = tmp_path / "nested.yaml"
    p.write_text(text)
    refused_fast(p, "once aliases are expanded")


def test_unclosed_citations_parse_in_linear_time(tmp_path: Path):
    p = tmp_path / "cite.yaml"
    p.write_text(MINIMAL + 'background:\n  - &c "' + "[@a" * 6000 + '"\n' + "  - *c\n" * 250)
    code, err, secs, mb = measured("validate", str(p))
    assert secs < SECONDS and mb < MEGABYTES, (secs, mb, err)
    assert code == 0, err


def test_citation_scan_matches_the_old_pattern_and_is_linear():
    import random
    import re
    import time

    from briefgen.inline import CITATION

    old = re.compile(r"\[(?P<body>[^\[\]]*@[A-Za-z0-9][^\[\]]*)\]")
    rng = random.Random(7)
    for _ in range(5000):
        t = "".join(rng.choice("[]@a. ;,x") for _ in range(rng.randint(0, 30)))
        assert [(m.start(), m.group("body")) for m in old.finditer(t)] == \
               [(m.start(), m.group("body")) for m in CITATION.finditer(t)], t
    t0 = time.monotonic()
    assert list(CITATION.finditer("[@a@a" * 200_000)) == []
    assert time.monotonic() - t0 < 1


def test_tab_in_a_comment_of_a_large_file_stays_on_the_fast_parser(tmp_path: Path):
    body = "".join(f"  - para {i} text text text text text\n" for i in range(120_000))
    p = tmp_path / "tab.yaml"
    p.write_text((MINIMAL + "# a\tcomment\nbackground:\n" + body)[:5 * 1024 * 1024 - 10]
                 .rsplit("\n", 1)[0] + "\n")
    refused_fast(p, "background: may have at most 5000 items")


def test_large_file_with_a_syntax_error_is_located_by_the_fast_parser(tmp_path: Path):
    body = "".join(f"  - para {i}\n" for i in range(4000))
    p = tmp_path / "bad.yaml"
    p.write_text(MINIMAL + "background:\n" + body * 10 + 'title2: "never closed\n')
    err = refused_fast(p, "YAML syntax error")
    assert "bad.yaml:" in err


def test_large_file_with_a_duplicate_key_is_located(tmp_path: Path):
    body = "".join(f"  - para {i}\n" for i in range(40_000))
    p = tmp_path / "dup.yaml"
    p.write_text(MINIMAL + "background:\n" + body + "title: again\n")
    refused_fast(p, "duplicate key 'title'")


@pytest.mark.parametrize("depth", [2000, 50_000])
def test_deep_nesting_is_refused_fast(tmp_path: Path, depth: int):
    p = tmp_path / "deep.yaml"
    p.write_text("title: " + "[" * depth + "]" * depth + "\n")
    refused_fast(p, "nesting is deeper than the limit")


def test_dev_zero_is_not_read_forever():
    code, err, secs, mb = measured("validate", "/dev/zero")
    assert code == 2 and "not a regular file" in err, err
    assert secs < SECONDS and mb < MEGABYTES


def test_fifo_as_brief_or_style_is_refused(tmp_path: Path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    code, err, secs, _ = measured("validate", str(fifo), timeout=20)
    assert code == 2 and "not a regular file" in err, err
    brief = tmp_path / "b.yaml"
    brief.write_text(MINIMAL)
    code, err, secs, _ = measured("build", str(brief), "-o", str(tmp_path / "out"),
                                  "--style", str(fifo), timeout=20)
    assert code == 2 and "not a regular file" in err, err
    assert secs < SECONDS


def test_read_stops_past_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from briefgen import loader

    p = tmp_path / "b.yaml"
    p.write_text(MINIMAL + "#" * 100)
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 50)
    with pytest.raises(BriefError, match="the limit is 50"):
        loader.read_text(p)


@pytest.mark.parametrize("fmt, text", [
    ("yaml", MINIMAL + "version: " + "9" * 5000 + "\n"),
    ("yaml", MINIMAL + "version: !!int " + "9" * 5000 + "\n"),
    ("json", '{"title": "x", "version": ' + "9" * 5000 + "}"),
    ("yaml", MINIMAL + "figures:\n  - label: x\n    value: " + "9" * 200 + "\n"),
])
def test_five_thousand_digit_integer_is_a_located_error(fmt: str, text: str):
    with pytest.raises(BriefError) as exc:
        briefgen.parse_brief(text, format=fmt, name=f"b.{fmt}")
    assert "digits" in str(exc.value)
    assert exc.value.diagnostics[0].line is not None


def test_unknown_keys_report_is_capped(tmp_path: Path):
    p = tmp_path / "keys.yaml"
    p.write_text(MINIMAL + "".join(f"k{i}: 1\n" for i in range(150_000)))
    err = refused_fast(p, "and 149,950 more problems")
    assert err.count("unknown field") == 50


def test_long_citation_locator_is_refused():
    text = MINIMAL.replace("One point [@src].", "One point [@src, p. " + "9" * 2000 + "].")
    with pytest.raises(BriefError, match="locator of 2,0"):
        briefgen.parse_brief(text)
    briefgen.parse_brief(MINIMAL.replace("[@src]", "[@src, pp. 3-7, para. 14]"))


# --------------------------------------------------------------------------------------------
# Logos


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 4))
            + chunk(b"IEND", b""))


def _noise_png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("kind, needle", [
    ("30000x30000", "far more pixels"), ("10000x9000", "far more pixels"),
    ("7000x6000", "at most 40,000,000 pixels"), ("truncated", "corrupt or truncated"),
    ("corrupt", "corrupt or truncated"), ("text", "not a PNG or JPEG")])
def test_bad_logo_is_refused_with_the_logo_named(tmp_path: Path, kind: str, needle: str):
    if "x" in kind and kind[0].isdigit():
        w, h = map(int, kind.split("x"))
        data = _png(w, h)
    elif kind == "text":
        data = b"not an image"
    else:
        data = _noise_png()
        if kind == "truncated":
            data = data[:len(data) // 2]
        else:
            b = bytearray(data)
            b[len(b) // 2:len(b) // 2 + 64] = bytes(64)
            data = bytes(b)
    (tmp_path / "logo.png").write_bytes(data)
    style = tmp_path / "s.yaml"
    style.write_text("cover:\n  logo: logo.png\n")
    brief = tmp_path / "b.yaml"
    brief.write_text(MINIMAL)
    code, err, secs, mb = measured("build", str(brief), "-o", str(tmp_path / "out"),
                                   "--style", str(style), "-f", "docx")
    assert code == 2, err
    assert "s.yaml:2:9: cover.logo: 'logo.png'" in err and needle in err, err
    assert secs < SECONDS and mb < MEGABYTES
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# --------------------------------------------------------------------------------------------
# Style numbers


@pytest.mark.parametrize("yaml_text, needle", [
    ("sizes:\n  base: 0\n", "not a font size"),
    ("sizes:\n  base: .inf\n", "not a font size"),
    ("sizes:\n  h1: 'inf'\n", "sizes.h1"),
    ("sizes:\n  base: true\n", "not a font size"),
    ("sizes:\n  leading: .nan\n", "finite"),
    ("page:\n  margins:\n    top: 1e999\n", "not a length"),
    ("page:\n  margins:\n    left: 500pt\n", "margins leave less than 1 inch"),
    ("page:\n  size: A5\n  margins:\n    top: 300mm\n", "margins leave less than 1 inch"),
    ("page:\n  margins:\n    top: 3000mm\n", "not a length a page can hold"),
])
def test_style_numbers_are_refused_located(tmp_path: Path, yaml_text: str, needle: str):
    from briefgen.style import load_style

    p = tmp_path / "s.yaml"
    p.write_text(yaml_text)
    with pytest.raises(BriefError) as exc:
        load_style(p)
    assert needle in str(exc.value)
    assert exc.value.diagnostics[0].line is not None


# --------------------------------------------------------------------------------------------
# Validate agrees with build; nonsense refused


FIGURE = ("figures:\n  - label: People\n    value: {v}\n    qualifier: at least\n"
          "    reported_by: X\n    source: src\n")


@pytest.mark.parametrize("text, needle", [
    (MINIMAL + FIGURE.format(v="1e999"), "figures.0.value: must be a finite number"),
    (MINIMAL + FIGURE.format(v='"Infinity"'), "figures.0.value: must be a finite number"),
    (MINIMAL + FIGURE.format(v=".nan"), "figures.0.value: must be a finite number"),
    (MINIMAL + FIGURE.format(v="true"), "figures.0.value: True is not a number"),
    (MINIMAL + FIGURE.format(v="1e300"), "larger than a key figure can be"),
    (MINIMAL.replace("date: 2023-09-20", "date: 1695168000"), "date: 1695168000 is not a date"),
    (MINIMAL.replace("date: 2023-09-20", 'date: "1695168000"'), "is not a date"),
    (MINIMAL + "timeline:\n  - date: 1695168000\n    text: x\n", "is not a date"),
    (MINIMAL + "timeline:\n  - date: 2023-13\n    text: x\n", "month must be 01 to 12"),
    (MINIMAL + 'timeline:\n  - date: "2023-00"\n    text: x\n', "month must be 01 to 12"),
    (MINIMAL.replace("title: A brief", 'title: "A \\u202eterces"'), "U+202E"),
    (MINIMAL.replace("title: A brief", 'title: "A\\u200bbrief"'), "U+200B"),
    (MINIMAL.replace("title: A brief", 'title: "A\\u200dbrief"'), "U+200D"),
    (MINIMAL.replace("title: A brief", 'title: "A \\x9b brief"'), "U+009B"),
    (MINIMAL.replace("title: A brief", 'title: "A \\x85 brief"'), "U+0085"),
    (MINIMAL.replace('"TLP:GREEN"', '"TLP:RED\\u2060"').replace("scheme: tlp", "scheme: custom"),
     "U+2060"),
    (MINIMAL.replace('"TLP:GREEN"', '"SECRET\\n"').replace("scheme: tlp", "scheme: us"),
     "a marking is one line"),
    (MINIMAL.replace('"TLP:GREEN"', '"SECRET\\n"').replace("scheme: tlp", "scheme: custom"),
     "a marking is one line"),
])
def test_nonsense_is_refused_by_validate(text: str, needle: str):
    with pytest.raises(BriefError) as exc:
        briefgen.parse_brief(text, name="b.yaml")
    assert needle in str(exc.value)
    assert all(d.line is not None for d in exc.value.diagnostics)


def test_joiners_and_marks_of_real_scripts_are_kept():
    persian = "حزب\u200cالله"  # a non-joiner inside a Persian word
    arabic = "\u200fمؤتمر (2023)"  # a right-to-left mark in Arabic text
    b = briefgen.parse_brief(MINIMAL.replace("title: A brief", f'title: "{arabic}"')
                             .replace("organisation: Desk", f'organisation: "{persian}"'))
    assert b.originator.organisation == persian and b.title == arabic
    for label in ("TLP:RED\u200d", "\u200eTLP:RED", "SECRET\u200c"):
        with pytest.raises(BriefError, match="U\\+200"):
            briefgen.parse_brief(MINIMAL.replace('"TLP:GREEN"', f'"{label}"')
                                 .replace("scheme: tlp", "scheme: custom"))
    with pytest.raises(BriefError, match="U\\+200E"):
        briefgen.parse_brief(MINIMAL.replace("title: A brief", 'title: "\u200eA brief"'))


def test_us_banner_fullmatch():
    from briefgen.model import Marking

    Marking(scheme="us", label="SECRET//NOFORN")
    with pytest.raises(briefgen.BriefError, match="a marking is one line"):
        Marking(scheme="us", label="SECRET//NOFORN\n")


def test_partial_dates_still_accepted():
    b = briefgen.parse_brief(MINIMAL + "timeline:\n  - date: 2023\n    text: a\n"
                             "  - date: 2023-09\n    text: b\n  - date: 2023-09-20\n    text: c\n"
                             + FIGURE.format(v="2.5"))
    assert [e.date for e in b.timeline][:2] == [2023, "2023-09"]


# --------------------------------------------------------------------------------------------
# Injection into our own machinery


def test_placeholder_characters_typed_in_a_brief_stay_text():
    from briefgen.inline import parse_inline

    assert briefgen.parse_brief(MINIMAL.replace("One point", "One \ue0000\ue001 point"))
    got = parse_inline("One \ue0000\ue001 and \x020\x03 [@src].", lambda g: ())
    assert "\ue0000\ue001" in "".join(getattr(i, "text", "") for i in got)
    with pytest.raises(BriefError, match="control character"):
        briefgen.parse_brief(MINIMAL.replace("One point", "One \\x020\\x03 point")
                             .replace("- One", '- "One').replace("[@src].", '[@src]."'))


def test_placeholder_characters_build_with_missing_glyphs_allowed():
    brief = briefgen.parse_brief(MINIMAL.replace("One point", "One \ue0000\ue001 point"))
    pack = briefgen.build(brief, formats="pdf", missing_glyphs="replace")
    assert pack.pdf and pack.pdf.startswith(b"%PDF")
    from briefgen import document as d

    notes = [n for n in d._walk_blocks(pack.document.blocks) if isinstance(n, d.Note)]
    assert len(notes) == 1  # the citation's, none from the typed characters


def test_terminal_escapes_in_unknown_keys_are_escaped(tmp_path: Path):
    p = tmp_path / "b.yaml"
    p.write_text(MINIMAL + '"x\\e[2K\\rerror: forged\\u202e": 1\n')
    r = CliRunner().invoke(cli, ["validate", str(p)])
    assert r.exit_code == 2
    assert "\x1b" not in r.stderr and "\r" not in r.stderr and "\u202e" not in r.stderr
    assert "\\x1b[2K\\rerror: forged\\u202e" in r.stderr


def test_reading_a_fifo_does_not_block_the_thread(tmp_path: Path):
    from briefgen.loader import read_text

    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    result: list[str] = []

    def go() -> None:
        try:
            read_text(fifo)
        except BriefError as e:
            result.append(str(e))

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(5)
    assert result and "not a regular file" in result[0]


# --------------------------------------------------------------------------------------------
# Hostile templates, measured


@pytest.mark.parametrize("attack", [
    "nested ranges never end", "string multiplication", "map center alloc",
    "references to one big text", "literal of references", "output flood",
    "doubling namespace", "building char by char", "macro recursion", "join bomb"])
def test_hostile_template_within_time_and_memory(tmp_path: Path, attack: str):
    from test_sandbox import ESCAPES

    tpl = tmp_path / "t.xml.j2"
    tpl.write_text("<pack>\n{# attack #}\n" + ESCAPES[attack] + "\n</pack>\n")
    brief = tmp_path / "b.yaml"
    brief.write_text(MINIMAL)
    code, err, secs, mb = measured("build", str(brief), "--template", str(tpl),
                                   "-o", str(tmp_path / "out"), "-f", "pdf")
    assert code == 2 and "t.xml.j2:3:" in err, err
    assert secs < SECONDS and mb < MEGABYTES, (secs, mb)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
