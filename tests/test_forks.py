"""The forked children of a one-brief build under attack: interrupted, terminated, killed, or
not startable at all. Whatever happens, no child outlives the build, no partial file is left,
and the exit status says what happened (130 Ctrl-C, 143 SIGTERM, 1 internal, 2 invalid).

Each check runs in a fresh interpreter (a test session with threads rightly never forks).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import MINIMAL

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "briefs/nagorno-karabakh-2023-09-ceasefire.yaml"

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2 or sys.platform != "linux",
    reason="needs os.fork, Linux and more than one core")

#: after the code under test: whether this process still has a child (alive or not reaped)
CHILDREN_LEFT = """
try:
    os.waitpid(-1, os.WNOHANG)
    children_left = True
except ChildProcessError:
    children_left = False
"""


def script(*parts: str, timeout: float = 60, lines: bool = False,
           session: bool = False) -> Any:
    """Run the code ``parts`` (each dedented) in a fresh interpreter (in a session of its
    own with ``session``); the last prints one JSON line (with ``lines``: every line printed,
    as JSON)."""
    code = "\n".join(textwrap.dedent(part) for part in parts)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, start_new_session=session,
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    printed = [json.loads(line) for line in out.stdout.strip().splitlines()]
    return printed if lines else printed[-1]


def cli_in_process(argv: list[str], before: str = "") -> dict:
    """``briefgen.cli.main(argv)`` in a fresh interpreter (after ``before``): its exit code,
    and whether a child of it is left (alive, or dead and never reaped)."""
    return script("import json, os, sys", before, f"""
        from briefgen.cli import main
        try:
            main({argv!r})
            code = 0
        except SystemExit as e:
            code = e.code
    """, CHILDREN_LEFT, 'print(json.dumps({"code": code, "children_left": children_left}))')


def test_a_usage_error_after_the_children_started_ends_them(tmp_path: Path) -> None:
    """``--track-changes`` without ``--since`` is refused after the PDF's child was forked."""
    res = cli_in_process(["build", SAMPLE, "--track-changes", "-o", str(tmp_path / "out")])
    assert res == {"code": 2, "children_left": False}
    assert not (tmp_path / "out").exists()


def test_the_command_does_not_wait_for_a_child_that_sent_its_result(tmp_path: Path) -> None:
    """A child the command started (``prestart``) is not waited for once its result is in (it
    is only freeing its memory; the command exits next); :func:`workers.reap_exiting` reaps
    it, for a program that goes on. The file is written all the same."""
    res = script("import json, os", f"""
        from briefgen import workers
        workers.prestart(["pdf"])
        pid = workers._PRESTARTED["pdf"].pid
        from briefgen.cli import main
        try:
            main(["build", {SAMPLE!r}, "-f", "pdf", "-q", "-o", {str(tmp_path)!r}])
        except SystemExit as e:
            assert e.code in (0, None), e.code
        left_to_end = workers._EXITING == [pid]
        workers.reap_exiting()
    """, CHILDREN_LEFT, 'print(json.dumps([left_to_end, children_left]))')
    assert res == [True, False]
    assert (tmp_path / "nagorno-karabakh-2023-09-ceasefire.pdf").read_bytes()[:5] == b"%PDF-"


def test_ctrl_c_while_the_brief_model_is_imported_ends_the_children(tmp_path: Path) -> None:
    """An interrupt between the fork and the build proper (here: as the options are read,
    which imports the pipeline) exits 130 and ends the child."""
    res = cli_in_process(["build", SAMPLE, "-o", str(tmp_path / "out")], before="""
        import briefgen.cli.build as b
        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt
        b.options_from = interrupted
    """)
    assert res == {"code": 130, "children_left": False}
    assert not (tmp_path / "out").exists()


def test_ctrl_c_while_waiting_for_a_child_kills_it_at_once() -> None:
    """An interrupt while this process waits for a child's render ends the child there and
    then (not when it would have finished), and reaps it."""
    res = script(f"""
        import json, os, signal, time
        import briefgen
        from briefgen import pipeline, workers
        doc = briefgen.compose_brief({SAMPLE!r})
        style = briefgen.load_style(None)
        slow = workers.Standby(lambda: time.sleep(20))  # a child that takes its time
        def interrupt(*_):
            raise KeyboardInterrupt
        signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        start = time.monotonic()
        try:
            pipeline.render_all(doc, style, ("pdf",), standby={{"pdf": slow}})
            error = None
        except KeyboardInterrupt:
            error = "interrupted"
        took = time.monotonic() - start
    """, CHILDREN_LEFT, """
        print(json.dumps({"error": error, "quick": took < 5, "children_left": children_left}))
    """)
    assert res == {"error": "interrupted", "quick": True, "children_left": False}


def test_an_earlier_formats_error_comes_first_as_in_one_process() -> None:
    """Both formats fail, the first in a standby child and the second here: the error is the
    first format's, as when they render one after the other."""
    res = script(f"""
        import json, os
        import briefgen
        from briefgen import pipeline, workers
        doc = briefgen.compose_brief({SAMPLE!r})
        style = briefgen.load_style(None)
        errors = []
        for standby in ({{}}, {{"first-bad": workers.Standby(lambda: None)}}):
            try:
                pipeline.render_all(doc, style, ("first-bad", "second-bad"), standby=standby)
            except ValueError as e:
                errors.append(str(e))
    """, CHILDREN_LEFT, """
        print(json.dumps({"errors": errors, "children_left": children_left}))
    """)
    assert res == {"errors": ["first-bad", "first-bad"], "children_left": False}


FORK_FAILS = """
import errno
def no_fork():  # as when the user's process limit is reached (ulimit -u)
    raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
os.fork = no_fork
"""


def test_when_fork_fails_the_build_renders_here(tmp_path: Path) -> None:
    """EAGAIN from fork (too many processes) is no error: every format renders in this
    process, to the same bytes, from the command and from the API (cold and warm)."""
    serial = tmp_path / "serial"
    out = subprocess.run([sys.executable, "-m", "briefgen", "build", SAMPLE, "-o", str(serial),
                          "--jobs", "1", "-f", "pdf,docx,html", "-q"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    res = cli_in_process(["build", SAMPLE, "-o", str(tmp_path / "cli"), "-f", "pdf,docx,html",
                          "-q"], before=FORK_FAILS)
    assert res == {"code": 0, "children_left": False}
    for ext in ("pdf", "docx", "html"):
        name = f"nagorno-karabakh-2023-09-ceasefire.{ext}"
        assert (tmp_path / "cli" / name).read_bytes() == (serial / name).read_bytes(), ext
    res = script("import hashlib, json, os", FORK_FAILS, f"""
        import briefgen
        cold = briefgen.build({SAMPLE!r}, formats="pdf,docx,html", parallel=True)
        warm = briefgen.build({SAMPLE!r}, formats="pdf,docx,html", parallel=True)
        print(json.dumps({{f: [hashlib.sha256(p.outputs[f]).hexdigest() for p in (cold, warm)]
                          for f in cold.outputs}}))
    """)
    for ext in ("pdf", "docx", "html"):
        want = __import__("hashlib").sha256(
            (serial / f"nagorno-karabakh-2023-09-ceasefire.{ext}").read_bytes()).hexdigest()
        assert res[ext] == [want, want], ext


def test_a_child_dies_with_its_parent() -> None:
    """A child whose parent is killed outright (``kill -9``: no handler runs) is killed too,
    rather than rendering on for no one."""
    code = """
        import os, signal, sys, time
        from briefgen import workers
        child = workers.Standby(lambda: time.sleep(30))
        print(child.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    pid = int(proc.stdout.readline())  # (the child holds the pipe too: no reading to its end)
    try:
        assert proc.wait(timeout=60) == -signal.SIGKILL
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _running(pid):
            time.sleep(0.05)
        assert not _running(pid)
    finally:
        if _running(pid):
            os.kill(pid, signal.SIGKILL)
        proc.stdout.close()


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for init to reap it does not)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _first_child(pid: int, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as fh:
                kids = fh.read().split()
        except FileNotFoundError:
            kids = []
        if kids:
            return int(kids[0])
        time.sleep(0.005)
    raise AssertionError("the build forked no child")


def _session(pid: int) -> list[int]:
    """The processes still running in the session ``pid`` leads."""
    left = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != pid:
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[3]) == pid and fields[0] != "Z":
                left.append(int(entry))
    return left


def _build_then(tmp_path: Path, act: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """A ``briefgen build`` of the sample in its own session; ``act`` ("term" the parent,
    "kill" the child) once the child is forked."""
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "build", SAMPLE, "-o", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        child = _first_child(proc.pid)
        if act == "term":
            os.kill(proc.pid, signal.SIGTERM)
        else:
            os.kill(child, signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert _session(proc.pid) == []
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), out


def test_sigterm_ends_the_build_and_its_child(tmp_path: Path) -> None:
    res, out = _build_then(tmp_path, "term")
    assert res.returncode == 143, res.stderr
    assert not out.exists() or not list(out.iterdir())


def test_a_killed_child_is_an_internal_error_and_nothing_is_written(tmp_path: Path) -> None:
    res, out = _build_then(tmp_path, "kill")
    assert res.returncode == 1, res.stderr
    assert "internal error: a rendering process ended without a result (killed by signal " \
           "SIGKILL)" in res.stderr
    assert not out.exists()


@pytest.mark.parametrize("closed, brief, code", [(1, SAMPLE, 0), (2, "nope.yaml", 2)],
                         ids=["stdout", "stderr"])
def test_a_closed_standard_stream_keeps_the_exit_status(tmp_path: Path, closed: int,
                                                        brief: str, code: int) -> None:
    """``briefgen build ... >&-``: the pack is written and the status is 0; ``2>&-`` with an
    invalid brief: the status is still 2 (no traceback about a missing stream)."""
    out = subprocess.run(f"{sys.executable} -m briefgen build {brief} -o {tmp_path / 'o'} "
                         f"{closed}>&-", shell=True, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == code, out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert (tmp_path / "o").exists() == (code == 0)


def test_a_build_started_with_sigchld_ignored(tmp_path: Path) -> None:
    """A process started with SIGCHLD ignored (inherited through exec from some supervisors)
    has its children reaped by the system: waiting for one finds none, which is no error."""
    def ignore_sigchld() -> None:
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)

    out = subprocess.run([sys.executable, "-m", "briefgen", "build", SAMPLE, "-o",
                          str(tmp_path / "o"), "-q", "-f", "pdf,docx,html"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120,
                         preexec_fn=ignore_sigchld)
    assert out.returncode == 0, out.stderr
    assert sorted(p.suffix for p in (tmp_path / "o").iterdir()) == [".docx", ".html", ".pdf"]


def test_debug_shows_where_in_the_child_an_internal_error_happened(tmp_path: Path) -> None:
    """``--debug`` prints the traceback of an internal error: for one raised in a child, its
    frames there too (as the same build in one process would show them)."""
    code = f"""
        import briefgen.render.docx, briefgen.render.pdf as pdf  # warm: the PDF renders in a
        def deep_renderer_bug(*args):                             # child forked now
            return 1 / 0
        pdf.render_pdf = deep_renderer_bug
        from briefgen.cli import main
        main(["build", {SAMPLE!r}, "-f", "docx,pdf", "-o", {str(tmp_path / "o")!r}, "--debug"])
    """
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "internal error: ZeroDivisionError: division by zero" in out.stderr
    assert ', in deep_renderer_bug' in out.stderr
    assert not (tmp_path / "o").exists()


def test_an_error_that_cannot_be_rebuilt_here_is_still_reported() -> None:
    """An exception whose class cannot be rebuilt from its arguments (a keyword-only one)
    reaches this process as an internal error naming it, with the child's traceback."""
    res = script("""
        import json
        from briefgen import workers
        class Odd(Exception):
            def __init__(self, message, *, detail):
                super().__init__(message)
        def fails():
            raise Odd("odd failure", detail=1)
        child = workers.Forked(fails)
        try:
            child.result()
        except Exception as e:
            print(json.dumps({"type": type(e).__name__, "message": str(e),
                              "frames": "in fails" in str(e.__cause__)}))
    """)
    assert res == {"type": "InternalError", "message": "Odd: odd failure", "frames": True}


@pytest.mark.parametrize("hook", [
    "after_in_child=functools.partial(os.kill, 0, signal.SIGINT)",  # Ctrl-C: the group
    "after_in_parent=functools.partial(os.kill, os.getpid(), signal.SIGINT)",
], ids=["group", "parent"])
def test_an_interrupt_as_the_child_starts(hook: str) -> None:
    """Ctrl-C landing just as the fork returns (sent from inside ``os.fork``): in the child,
    it never unwinds into the caller's code (which would go on as a second copy of the
    build); here, the child just started is ended and reaped before it is raised. (Sent from
    the child, it can also land once the constructor has returned, outside this module: the
    caller's cleanup ends the child then, as the command's does.)"""
    lines = script(f"""
        import functools, json, os, signal
        from briefgen import workers
        me = os.getpid()
        os.register_at_fork({hook})
        child = None
        try:
            child = workers.Forked(lambda: "rendered")
            try:
                outcome = child.result()
            except Exception as e:
                outcome = type(e).__name__
        except KeyboardInterrupt:
            outcome = "interrupted"
            if child is not None:  # it landed after the fork returned (the signal is sent
                child.kill()       # from the child, and may come late): the caller's cleanup
        if os.getpid() != me:
            print(json.dumps({{"escaped": outcome}}), flush=True)
            os._exit(0)
    """, CHILDREN_LEFT, """
        print(json.dumps({"outcome": outcome, "children_left": children_left}))
    """, lines=True, session=True)
    assert lines == [{"outcome": "interrupted", "children_left": False}]




def test_a_block_taller_than_the_page_is_named_from_the_child_as_in_one_process(
        tmp_path: Path) -> None:
    """The PDF's LayoutError, raised in its child, is the same located diagnostic (status 2,
    nothing written) as with ``--jobs 1``, where this process renders it."""
    style = tmp_path / "small.yaml"
    style.write_text("page: {size: 3in x 3in, margins: {top: 5mm, bottom: 5mm, left: 5mm, "
                     "right: 5mm}}\n")
    # the first length at which the quotation, kept whole with its attribution, cannot fit
    found = script(f"""
        import json, briefgen
        for n in range(5, 40):
            words = " ".join(["Nobody expected the talks to last this long."] * n)
            text = {MINIMAL!r} + f"quotes:\\n  - text: {{words}}\\n    speaker: A minister\\n"
            try:
                briefgen.build(briefgen.parse_brief(text + "    source: src\\n"),
                               style={str(style)!r}, formats="pdf")
            except briefgen.BriefError as e:
                if "layout" in str(e):
                    print(json.dumps(text + "    source: src\\n"))
                    break
    """)
    brief = tmp_path / "tall.yaml"
    brief.write_text(found)
    runs = {}
    for jobs in ("1", "2"):
        out = subprocess.run([sys.executable, "-m", "briefgen", "build", str(brief), "-s",
                              str(style), "-o", str(tmp_path / jobs), "--jobs", jobs],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
        runs[jobs] = (out.returncode, out.stderr)
        assert not (tmp_path / jobs).exists()
    assert runs["1"] == runs["2"]
    code, err = runs["2"]
    assert code == 2 and f"error: {brief}: layout: the quotation beginning" in err, err


def _build_runs(tmp_path: Path, *args: str) -> dict[str, tuple[int, str]]:
    """``briefgen build ARGS`` as a command, with ``--jobs 1`` (everything in this process) and
    without (the formats' children rendering while this process checks the glyphs and the
    brief): exit status and error output of each, and nothing written when it fails."""
    runs = {}
    for jobs in ("1", "2"):
        out_dir = tmp_path / f"out{jobs}"
        out = subprocess.run([sys.executable, "-m", "briefgen", "build", *args, "-o",
                              str(out_dir), "--jobs", jobs], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
        runs[jobs] = (out.returncode, out.stderr.replace(str(out_dir), "OUT"))
        assert out.returncode == 0 or not out_dir.exists()
    return runs


@pytest.mark.parametrize("fmt", ["pdf", "docx", "pdf,docx"])
def test_a_missing_glyph_found_while_the_children_render_is_the_same_error(
        tmp_path: Path, fmt: str) -> None:
    """The children start rendering before the glyphs are checked: a character the fonts
    cannot draw still stops the build with the same located error, nothing written."""
    brief = tmp_path / "emoji.yaml"
    brief.write_text(MINIMAL.replace("title: A brief", "title: Ceasefire \U0001F54A holds"),
                     encoding="utf-8")
    runs = _build_runs(tmp_path, str(brief), "-f", fmt)
    assert runs["1"] == runs["2"]
    code, err = runs["2"]
    assert code == 2 and f"{brief}:1:8: title: the fonts have no glyph for" in err, err


def test_a_missing_glyph_is_reported_before_a_template_error_as_in_one_process(
        tmp_path: Path) -> None:
    """The template runs before the glyphs are checked when children render: when it fails,
    the error reported is still the glyph's, as when the glyphs are checked first."""
    brief = tmp_path / "emoji.yaml"
    brief.write_text(MINIMAL.replace("title: A brief", "title: Ceasefire \U0001F54A holds"),
                     encoding="utf-8")
    template = tmp_path / "broken.xml.j2"
    template.write_text("<pack>{{ brief.title.nothing_here() }}</pack>\n", encoding="utf-8")
    runs = _build_runs(tmp_path, str(brief), "-t", str(template))
    assert runs["1"] == runs["2"]
    code, err = runs["2"]
    assert code == 2 and "no glyph for" in err and "nothing_here" not in err, err
    brief.write_text(MINIMAL, encoding="utf-8")  # and without the glyph, the template's error
    runs = _build_runs(tmp_path, str(brief), "-t", str(template))
    assert runs["1"] == runs["2"] and runs["2"][0] == 2 and "nothing_here" in runs["2"][1]


def test_the_warnings_are_the_same_when_the_children_render(tmp_path: Path) -> None:
    """The template's and the brief's own warnings, found while the children render, are
    printed as with ``--jobs 1``."""
    runs = _build_runs(tmp_path, "briefs/variants/nagorno-karabakh-2023-09-ceasefire-us.yaml",
                       "-s", "uk-brief")
    assert runs["1"] == runs["2"]
    assert runs["2"][0] == 0 and "warning:" in runs["2"][1], runs["2"]


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for init to reap it does not)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            state = next(line for line in f if line.startswith("State:"))
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return False
    return "Z" not in state.split()[1]


def test_a_folder_builds_pool_workers_end_with_it_when_it_is_killed(tmp_path: Path) -> None:
    """``kill -TERM`` (or ``kill -9``) to a folder build: its pool workers end too, rather
    than wait for ever on a pipe no one reads."""
    folder = tmp_path / "briefs"
    folder.mkdir()
    for k in range(6):
        (folder / f"b{k}.yaml").write_bytes((ROOT / SAMPLE).read_bytes())
    for sig in (signal.SIGTERM, signal.SIGKILL):
        proc = subprocess.Popen([sys.executable, "-m", "briefgen", "build", str(folder), "-o",
                                 str(tmp_path / f"out{sig}"), "--jobs", "2", "--quiet"],
                                cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        workers: list[int] = []
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
            workers = [int(p) for p in children.read_text().split()] if children.exists() \
                else []
        assert len(workers) >= 2, "the pool's workers never started"
        time.sleep(0.3)  # the workers are rendering
        proc.send_signal(sig)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [w for w in workers if _alive(w)]
        for w in left:  # (so that a failure leaves nothing running)
            os.kill(w, signal.SIGKILL)
        assert not left, f"pool workers outlived a {signal.Signals(sig).name}"
