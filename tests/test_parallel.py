"""Formats rendered side by side in forked processes give the same bytes, and their errors.

Each check runs in a fresh interpreter: a process with other threads (a test session that
started a Dask cluster, say) rightly refuses to fork, and renders one format after the other.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SAMPLE = "briefs/nagorno-karabakh-2023-09-ceasefire.yaml"
ROOT = Path(__file__).resolve().parents[1]

PRELUDE = f"""
import hashlib, json, os
import briefgen
from briefgen import pipeline
assert pipeline._can_fork(), "this fresh process should be able to fork"
forked = []
real_fork = os.fork
def spy():  # the fork is real; its pid is recorded
    pid = real_fork()
    if pid:
        forked.append(pid)
    return pid
os.fork = spy
doc = briefgen.build({SAMPLE!r}, formats="pdf").document
style = briefgen.load_style(None)
def reaped():
    for pid in forked:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return bool(forked)
"""


def run(code: str) -> dict:
    import os

    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        pytest.skip("needs os.fork and more than one core")
    out = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_parallel_gives_the_same_bytes() -> None:
    res = run("""
        serial = pipeline.render_all(doc, style, ("pdf", "docx"))
        parallel = pipeline.render_all(doc, style, ("pdf", "docx"), parallel=True)
        print(json.dumps({"same": parallel == serial, "order": list(parallel),
                          "forks": len(forked), "reaped": reaped(),
                          "docx": parallel["docx"][:2].decode(),
                          "pdf": parallel["pdf"][:5].decode()}))
    """)
    assert res == {"same": True, "order": ["pdf", "docx"], "forks": 1, "reaped": True,
                   "docx": "PK", "pdf": "%PDF-"}


@pytest.mark.parametrize("fmts", [("pdf", "nope"), ("nope", "docx")],
                         ids=["error-in-child", "error-in-parent"])
def test_errors_reach_the_caller_and_children_are_reaped(fmts: tuple[str, str]) -> None:
    res = run(f"""
        try:
            pipeline.render_all(doc, style, {fmts!r}, parallel=True)
            error = None
        except ValueError as e:
            error = str(e)
        print(json.dumps({{"error": error, "forks": len(forked), "reaped": reaped()}}))
    """)
    assert res == {"error": "nope", "forks": 1, "reaped": True}


def test_cli_one_brief_parallel_and_serial_agree(tmp_path: Path) -> None:
    for jobs in ("1", "2"):
        out = subprocess.run([sys.executable, "-m", "briefgen", "build", SAMPLE, "-o",
                              str(tmp_path / jobs), "--jobs", jobs, "--quiet"], cwd=ROOT,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
    for ext in ("pdf", "docx"):
        name = f"nagorno-karabakh-2023-09-ceasefire.{ext}"
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_when_both_sides_fail_the_callers_own_error_is_raised() -> None:
    res = run("""
        try:
            pipeline.render_all(doc, style, ("first-bad", "second-bad"), parallel=True)
            error = None
        except ValueError as e:
            error = str(e)
        print(json.dumps({"error": error, "forks": len(forked), "reaped": reaped()}))
    """)
    assert res == {"error": "first-bad", "forks": 1, "reaped": True}


STANDBY = """
import json, os, sys
from briefgen import workers
workers.prestart({fmts})  # as `briefgen build` does, before the brief model is imported
started = {{f: c.pid for f, c in workers._PRESTARTED.items()}}
import briefgen
from briefgen import pipeline
try:
    pack = briefgen.build({source}, formats={fmts}, parallel=True)
    outputs = {{f: b[:5].decode("latin-1") for f, b in pack.outputs.items()}}
except briefgen.BriefError as e:
    outputs = str(e)
workers.release()
workers.reap_exiting()  # (prestarted children that sent their result are not waited for)
try:
    os.waitpid(-1, os.WNOHANG)
    children_left = True
except ChildProcessError:
    children_left = False
print(json.dumps({{"started": sorted(started), "outputs": outputs,
                  "renderers_here": sorted(m for m in ("briefgen.render.pdf",
                                                       "briefgen.render.docx")
                                           if m in sys.modules),
                  "children_left": children_left}}))
"""


def standby_run(fmts: tuple[str, ...], source: str) -> dict:
    import os

    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        pytest.skip("needs os.fork and more than one core")
    code = STANDBY.format(fmts=fmts, source=source)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("fmts, children, here", [
    (("pdf",), ["pdf"], []),
    (("docx",), ["docx"], []),
    (("pdf", "docx"), ["pdf"], ["briefgen.render.docx"]),
])
def test_a_fresh_build_renders_in_children_started_before_the_brief_is_read(
        fmts: tuple[str, ...], children: list[str], here: list[str]) -> None:
    """A cold process forks children that import the renderers while it prepares the
    document; they render it (this process never imports their renderers), and all of them
    are reaped."""
    res = standby_run(fmts, repr(SAMPLE))
    assert res["started"] == children
    assert sorted(res["outputs"]) == sorted(fmts)
    assert res["renderers_here"] == here
    assert not res["children_left"]


def test_children_started_for_a_brief_that_fails_are_ended() -> None:
    res = standby_run(("pdf", "docx"), repr({"title": "x"}))
    assert res["started"] == ["pdf"]
    assert "date: this field is required" in res["outputs"]
    assert not res["children_left"]


def test_cli_standby_and_serial_builds_agree_in_every_format(tmp_path: Path) -> None:
    for fmt in ("pdf", "docx"):
        for jobs in ("1", "2"):
            out = subprocess.run([sys.executable, "-m", "briefgen", "build", SAMPLE, "-f", fmt,
                                  "-o", str(tmp_path / jobs), "--jobs", jobs, "--quiet"],
                                 cwd=ROOT, capture_output=True, text=True, timeout=300)
            assert out.returncode == 0, out.stderr
        name = f"nagorno-karabakh-2023-09-ceasefire.{fmt}"
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()
