"""What a ``briefgen`` process starts before it imports the command line (briefgen.cli.early):
the reading of its arguments without click, held to click's options, and the composing child
of ``briefgen validate``, whose results must be those of composing in the command's process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest

from briefgen.cli import cli
from briefgen.cli.early import GROUP_FLAGS, VALUED, guess
from conftest import MINIMAL, run_command

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "briefs/nagorno-karabakh-2023-09-ceasefire.yaml"

forks = pytest.mark.skipif(
    not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2 or sys.platform != "linux",
    reason="needs os.fork, Linux and more than one core")


@pytest.mark.parametrize("name", ["build", "validate"])
def test_the_valued_options_are_the_commands_own(name: str) -> None:
    """Every option of build and validate that takes a value is in VALUED, and no flag is: a
    new option cannot make the early reading take a value for a brief, or a brief for one."""
    command = cli.commands[name]
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        names = set(param.opts) | set(param.secondary_opts)
        if param.is_flag or param.count:
            assert not names & VALUED, names
        else:
            assert names <= VALUED, names
    # the group's own options before the command: flags only, and GROUP_FLAGS among them
    group = [p for p in cli.params if isinstance(p, click.Option)]
    assert all(p.is_flag for p in group)
    assert GROUP_FLAGS <= {o for p in group for o in p.opts}


@pytest.mark.parametrize(("argv", "expected"), [
    (["build", SAMPLE], ("build", ("pdf", "docx"))),
    (["build", SAMPLE, "-f", "pdf"], ("build", ("pdf",))),
    (["build", "-fdocx", SAMPLE], ("build", ("docx",))),
    (["build", "-qf", "docx,pdf", SAMPLE], ("build", ("docx", "pdf"))),
    (["build", "--format=PDF", "--format", "docx", SAMPLE, "-o", "out"],
     ("build", ("pdf", "docx"))),
    (["--debug", "build", "-o", "out", "-s", "uk-brief", SAMPLE, "-j", "2"],
     ("build", ("pdf", "docx"))),
    (["build", "--", SAMPLE], ("build", ("pdf", "docx"))),
    (["validate", SAMPLE, "--style", "us-memo"], ("validate", ("pdf", "docx"))),
    (["build", SAMPLE, "-j", "1"], None),  # one after the other, in this process
    (["build", SAMPLE, "--jobs=1"], None),
    (["build", SAMPLE, SAMPLE], None),  # several briefs: a pool, not these children
    (["build", "briefs"], None),  # a folder
    (["build", "no-such-file.yaml"], None),
    (["build", SAMPLE, "--help"], None),
    (["build", "-h", SAMPLE], None),
    (["build", SAMPLE, "-o"], None),  # click reports it
    (["--version"], None),
    (["new", "x.yaml"], None),
    ([], None),
    (["build", "-o", SAMPLE], None),  # the output folder, not a brief
])
def test_guess(argv: list[str], expected: tuple[str, tuple[str, ...]] | None) -> None:
    os.chdir(ROOT)
    assert guess(argv) == expected


def command(*argv: str) -> dict:
    """``briefgen ARGV`` as the command runs it (conftest.run_command), with whether its own
    process imported the template engine."""
    return run_command(*argv, modules=("jinja2",))


def in_process(*argv: str) -> dict:
    """``briefgen ARGV`` with ``main(argv)`` (no early start: everything in one process)."""
    code = textwrap.dedent(f"""
        from briefgen.cli import main
        main({list(argv)!r})
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    return {"code": out.returncode, "out": out.stdout, "err": out.stderr}


@forks
def test_validate_composes_in_a_child_and_this_process_never_imports_the_engine() -> None:
    res = command("validate", SAMPLE)
    assert res["code"] == 0, res
    assert res["report"] == {"jinja2": False, "left": False}
    assert res["out"] == f"{SAMPLE}: valid\n"


@forks
def test_a_composer_no_check_took_is_ended(tmp_path: Path) -> None:
    """The brief does not load: the child started to compose it is ended, not left."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [\n", encoding="utf-8")
    res = command("validate", str(bad))
    assert res["code"] == 2
    assert res["report"]["left"] is False


@forks
@pytest.mark.parametrize("bad", [["-s", "no-such-style"], ["--reference-doc", "nothing.docx"]])
def test_a_composer_is_ended_when_the_style_is_refused_before_composing(bad: list[str]) -> None:
    """The child was taken by the check, which then refused the style: it is ended and
    reaped there, not left to its parent's exit."""
    res = command("validate", SAMPLE, *bad)
    assert res["code"] == 2
    assert res["report"]["left"] is False


@forks
def test_a_composer_killed_by_sigterm_is_an_internal_error_named_for_what_it_did() -> None:
    """SIGTERM to the child alone ends it (it does not inherit the command's handler, which
    would look like the command being stopped): exit 1, saying which child it was."""
    code = textwrap.dedent(f"""
        import os, signal, sys, threading, time
        sys.argv = ["briefgen", "validate", {SAMPLE!r}]
        from briefgen import workers
        workers._warm_composer = lambda: time.sleep(30)  # a composer that takes its time
        started = workers.prestart_composer
        def prestart_composer():
            started()
            pid = workers._PRESTARTED[workers.COMPOSER].pid
            threading.Timer(1.0, os.kill, (pid, signal.SIGTERM)).start()
        workers.prestart_composer = prestart_composer
        from briefgen.cli import main
        main()
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1, out.stderr
    assert "a composing process ended without a result (killed by signal SIGTERM)" \
        in out.stderr


def _cases(tmp: Path) -> dict[str, list[str]]:
    emoji = tmp / "emoji.yaml"
    emoji.write_text(MINIMAL.replace("title: A brief", "title: Ceasefire \U0001F54A holds"),
                     encoding="utf-8")
    broken = tmp / "broken.xml.j2"
    broken.write_text("<pack>{{ brief.title.nothing_here() }}</pack>\n", encoding="utf-8")
    minimal = tmp / "minimal.yaml"
    minimal.write_text(MINIMAL, encoding="utf-8")
    bad = tmp / "bad.yaml"
    bad.write_text("title: 3\n", encoding="utf-8")
    french = tmp / "french.yaml"  # (the child is sent the label set this process read)
    french.write_text(MINIMAL + "language: fr\n", encoding="utf-8")
    return {
        "valid": [SAMPLE],
        "warnings": ["briefs/variants/nagorno-karabakh-2023-09-ceasefire-us.yaml", "-s",
                     "uk-brief"],
        "template error": [str(minimal), "-t", str(broken)],
        "glyph error": [str(emoji)],
        "glyph and template errors": [str(emoji), "-t", str(broken)],
        "glyphs allowed": [str(emoji), "--allow-missing-glyphs"],
        "brief error": [str(bad)],
        "since": [SAMPLE, "--since", str(minimal)],
        "track changes alone": [SAMPLE, "--track-changes"],
        "summary template": [SAMPLE, "-t", "summary"],
        "another language": [str(french)],
    }


@forks
def test_validate_says_the_same_with_and_without_its_composing_child(tmp_path: Path) -> None:
    for name, args in _cases(tmp_path).items():
        child, here = command("validate", *args), in_process("validate", *args)
        assert {k: child[k] for k in here} == here, name
    assert "no glyph for" in command("validate", *_cases(tmp_path)["glyph and template errors"]
                                     )["err"]


def _normal(res: dict, *dirs: Path) -> dict:
    """A run's outcome with its output folder's name taken out (two runs write to two)."""
    out = dict(res)
    for d in dirs:
        out["out"] = out["out"].replace(str(d), "OUT")
        out["err"] = out["err"].replace(str(d), "OUT")
    out.pop("report", None)
    return out


@forks
def test_build_says_and_writes_the_same_with_and_without_its_early_start(
        tmp_path: Path) -> None:
    """The command's early start (its children, and for plain options the build itself,
    started before click reads the arguments) against ``main(argv)`` (neither): the same
    status, output, errors and warnings, and the same files."""
    for k, (name, args) in enumerate(_cases(tmp_path).items()):
        early_dir, here_dir = tmp_path / f"early{k}", tmp_path / f"here{k}"
        early = command("build", *args, "-f", "pdf", "-o", str(early_dir))
        here = in_process("build", *args, "-f", "pdf", "-o", str(here_dir))
        assert early["report"]["left"] is False, name
        assert _normal(early, early_dir) == _normal(here, here_dir), name
        made = sorted(p.name for p in early_dir.glob("*")) if early_dir.exists() else []
        assert made == (sorted(p.name for p in here_dir.glob("*"))
                        if here_dir.exists() else []), name
        for f in made:
            assert (early_dir / f).read_bytes() == (here_dir / f).read_bytes(), (name, f)


AHEAD = """
import json, os, sys
{before}
from briefgen import workers
from briefgen.cli.early import start
start({ahead!r})
held = bool(workers._AHEAD)
click_before = "click" in sys.modules
from briefgen.cli import main
try:
    main({argv!r})
    code = 0
except SystemExit as e:
    code = e.code
workers.reap_exiting()
try:
    os.waitpid(-1, os.WNOHANG)
    left = True
except ChildProcessError:
    left = False
print(json.dumps({{"held": held, "click_before": click_before, "code": code,
                  "taken": not workers._AHEAD, "left": left}}))
"""


def _ahead(ahead: list[str], argv: list[str], before: str = "") -> tuple[dict, str]:
    """Start a build ahead for ``ahead`` (as the command does), run ``main(argv)`` (the
    command, as click reads ``argv``), and say what became of it; and the error output. Code
    in ``before`` runs first."""
    code = AHEAD.format(ahead=ahead, argv=argv, before=textwrap.dedent(before))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    import json

    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


@forks
def test_a_build_started_ahead_is_taken_over(tmp_path: Path) -> None:
    """With plain options the early start loads and composes the brief and sends the
    document to the PDF's child before click is imported; the command takes it over."""
    argv = ["build", SAMPLE, "-f", "pdf", "-q", "-o", str(tmp_path / "a")]
    res, _ = _ahead(argv, argv)
    assert res == {"held": True, "click_before": False, "code": 0, "taken": True,
                   "left": False}
    here = in_process(*argv[:-1], str(tmp_path / "b"))
    assert here["code"] == 0
    name = Path(SAMPLE).with_suffix(".pdf").name
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@forks
def test_a_build_started_ahead_for_other_options_is_ended(tmp_path: Path) -> None:
    """Started for one style, asked (by click's reading) for another: the work started is
    ended and the build made afresh, in the style asked for."""
    res, _ = _ahead(["build", SAMPLE, "-f", "pdf", "-s", "uk-brief", "-o",
                     str(tmp_path / "a")],
                    ["build", SAMPLE, "-f", "pdf", "-q", "-o", str(tmp_path / "a")])
    assert res == {"held": True, "click_before": False, "code": 0, "taken": True,
                   "left": False}
    here = in_process("build", SAMPLE, "-f", "pdf", "-q", "-o", str(tmp_path / "b"))
    assert here["code"] == 0
    name = Path(SAMPLE).with_suffix(".pdf").name
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@forks
@pytest.mark.parametrize("argv", [["-j", "0"], ["--no-such-option"], ["-f", "pdf,nothing"]])
def test_a_usage_error_ends_a_build_started_ahead(tmp_path: Path, argv: list[str]) -> None:
    res = command("build", SAMPLE, "-o", str(tmp_path / "out"), *argv)
    assert res["code"] == 2 and res["report"]["left"] is False, res
    assert not (tmp_path / "out").exists()


@forks
def test_ctrl_c_in_a_build_started_ahead_ends_it(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import os, sys
        import briefgen.pipeline as p
        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt
        p._compose_checked = interrupted
        sys.argv = ["briefgen", "build", {SAMPLE!r}, "-f", "pdf", "-o", {str(tmp_path / "o")!r}]
        from briefgen.cli import main
        try:
            main()
        except SystemExit as e:
            try:
                os.waitpid(-1, os.WNOHANG)
                left = True
            except ChildProcessError:
                left = False
            print(e.code, left)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.split() == ["130", "False"], out.stderr
    assert "interrupted" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "o").exists()


@forks
def test_a_warning_raised_in_a_build_started_ahead_is_printed_once(tmp_path: Path) -> None:
    """A warning raised while the build is started ahead (before the command catches
    warnings) is raised again when the command takes it over: printed once, as the command
    prints warnings."""
    outs = []
    for mode, sub in (("early", ""), ("here", "main(sys.argv[1:])")):
        code = textwrap.dedent(f"""
            import sys, warnings
            import briefgen.pipeline as p
            from briefgen.errors import BriefWarning
            real = p.prepare_style
            def noisy(opts):
                warnings.warn(BriefWarning("a style note"))
                return real(opts)
            p.prepare_style = noisy
            sys.argv = ["briefgen", "build", {SAMPLE!r}, "-f", "pdf", "-q", "-o",
                        {str(tmp_path / mode)!r}]
            from briefgen.cli import main
            {sub or "main()"}
        """)
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
        outs.append((out.returncode, out.stderr.count("warning: a style note")))
    assert outs == [(0, 1), (0, 1)]


@forks
def test_a_warning_made_an_error_ends_the_build_started_ahead(tmp_path: Path) -> None:
    """A warning of a build started ahead that the filters make an error (``-W error``) is
    raised as the command takes the build over: the build fails as it would have, and its
    children are ended (none is left running for no one)."""
    argv = ["build", SAMPLE, "-f", "pdf", "-q", "-o", str(tmp_path / "o")]
    res, err = _ahead(argv, argv, before="""
        import warnings
        warnings.simplefilter("error", UserWarning)
        import briefgen.pipeline as p
        real = p.prepare_style
        def noisy(opts):
            warnings.warn(UserWarning("a note"))
            return real(opts)
        p.prepare_style = noisy
    """)
    assert (res["held"], res["code"], res["left"]) == (True, 1, False), err
    assert "UserWarning: a note" in err
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
