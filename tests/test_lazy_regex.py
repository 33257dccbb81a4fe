"""ReportLab's and PyYAML's seldom-used patterns compiled on first use (briefgen.lazy_regex):
deferred as the renderer and the loader import those libraries, and the same patterns then."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from briefgen.lazy_regex import DEFERRED_IN, OnFirstUse, importing

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
