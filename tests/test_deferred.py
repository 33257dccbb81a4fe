"""ReportLab's and PyYAML's seldom-used patterns compiled on first use (briefgen.deferred):
deferred as the renderer and the loader import those libraries, and the same patterns then."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from briefgen.deferred import DEFERRED_IN, ModuleOnFirstUse, OnFirstUse, importing

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import re, sys
real = re.compile
from briefgen.render import load_renderer
load_renderer("pdf")
from briefgen.pipeline import load
load("briefs/nagorno-karabakh-2023-09-ceasefire.yaml")
import reportlab.platypus.paragraph as p, reportlab.lib.textsplit as t, yaml.reader as y
print(type(p.uri_pat).__name__, type(t.rx).__name__, type(y.Reader.NON_PRINTABLE).__name__,
      type(p._wsc_re_split).__name__, re.compile is real)
"""


def test_the_renderer_and_the_loader_leave_the_slow_patterns_uncompiled():
    """In a fresh process, as a command imports them: ReportLab's URI pattern (27 ms to compile),
    its CJK splitter and PyYAML's pure-Python reader check stand in for themselves; a pattern
    used at import (``re.compile(...).split``) is compiled; ``re.compile`` is restored."""
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.split() == ["OnFirstUse", "OnFirstUse", "OnFirstUse",
                                  "builtin_function_or_method", "True"]


URIS = ["https://example.org/a/very/long/path?q=1", "mailto:someone@example.org", "www.x",
        "http://[::1]:8080/", "ftp://user:pw@host.example/x", "not a uri", "HTTPS://ÉXAMPLE.FR/é"]


def test_a_deferred_pattern_matches_as_the_compiled_one():
    import reportlab.platypus.paragraph as p

    source = p.uri_pat.pattern  # (compiles it, if it was deferred)
    flags = p.uri_pat.flags
    fresh = OnFirstUse(source, flags)
    compiled = re.compile(source, flags)
    for uri in URIS:
        a, b = fresh.match(uri), compiled.match(uri)
        assert (a and a.groups()) == (b and b.groups()), uri
    assert fresh.pattern == source and fresh.flags == flags and fresh.groups == compiled.groups
    assert fresh.split is not None and "match" in vars(fresh)  # held: no hook on later uses


def test_only_the_named_modules_are_answered_differently():
    assert "reportlab.platypus.paragraph" in DEFERRED_IN
    with pytest.raises(AttributeError):
        OnFirstUse("a", 0).__deepcopy__  # noqa: B018 (dunder lookups are not forwarded)
    assert isinstance(importing("json"), type(re))  # (an imported module comes straight back)
    seen: list[object] = []

    def other_thread() -> None:  # a compile from elsewhere is a real one
        seen.append(re.compile("x+y"))

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert isinstance(seen[0], re.Pattern)


STAND_INS = """
import json, sys
import briefgen
if sys.argv[1] == "child":  # as a standby PDF child starts
    from briefgen.workers import warm_renderer
    warm_renderer("pdf")()
import reportlab.pdfbase.ttfonts as tt, reportlab.lib.utils as ut
seen = [type(tt.uharfbuzz).__name__, type(ut.Image).__name__]
pack = briefgen.build(sys.argv[2], style=sys.argv[3], formats="pdf", parallel=False)
open(sys.argv[4], "wb").write(pack.pdf)
seen += [type(sys.modules["uharfbuzz"]).__name__, type(sys.modules["PIL.Image"]).__name__]
print(json.dumps(seen))
"""


def test_a_pdf_child_imports_harfbuzz_and_pillow_when_the_render_asks(tmp_path: Path) -> None:
    """A standby PDF child starts with stand-ins for HarfBuzz and Pillow (ReportLab's modules
    hold them); a brief with Arabic text in a style with a logo makes the render ask for both:
    the real modules are imported then, and the PDF is the one a plain process makes."""
    from PIL import Image

    Image.new("RGB", (120, 40), (31, 56, 100)).save(tmp_path / "logo.png")
    (tmp_path / "logo.yaml").write_text("extends: default\ncover: {logo: logo.png}\n",
                                        encoding="utf-8")
    from conftest import MINIMAL

    brief = tmp_path / "rtl.yaml"
    brief.write_text(MINIMAL + 'background:\n  - "بيان أنصار الله في 12 يناير [@src]."\n',
                     encoding="utf-8")
    got = {}
    for mode in ("child", "plain"):
        out = subprocess.run([sys.executable, "-c", STAND_INS, mode, str(brief),
                              str(tmp_path / "logo.yaml"), str(tmp_path / f"{mode}.pdf")],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert out.returncode == 0, out.stderr
        got[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["child"] == ["ModuleOnFirstUse", "ModuleOnFirstUse", "module", "module"]
    assert got["plain"] == ["module", "module", "module", "module"]
    assert (tmp_path / "child.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()


def test_a_stand_in_is_true_and_hands_every_attribute_on() -> None:
    import types

    stand_in = ModuleOnFirstUse("colorsys")
    assert stand_in and isinstance(stand_in, types.ModuleType)
    import colorsys

    assert stand_in.rgb_to_hsv(1, 0, 0) == colorsys.rgb_to_hsv(1, 0, 0)
    assert stand_in.rgb_to_hsv is colorsys.rgb_to_hsv
