"""The command line: exit codes, messages, outputs, and the examples."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import briefgen
from briefgen.cli import cli
from conftest import ROOT, SAMPLE
from test_validation import MINIMAL


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_build_sample_writes_pdf_and_docx(tmp_path: Path):
    code, out, err = run("build", str(SAMPLE), "--output", str(tmp_path))
    assert code == 0, err
    stem = SAMPLE.stem
    pdf, docx = tmp_path / f"{stem}.pdf", tmp_path / f"{stem}.docx"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert docx.read_bytes().startswith(b"PK")
    assert f"wrote {pdf}" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{stem}.docx", f"{stem}.pdf"]


def test_build_one_format(tmp_path: Path):
    code, _, err = run("build", str(SAMPLE), "-o", str(tmp_path), "--format", "pdf")
    assert code == 0, err
    assert [p.suffix for p in tmp_path.iterdir()] == [".pdf"]
    code, _, err = run("build", str(SAMPLE), "-o", str(tmp_path), "--format", "odt")
    assert code == 2 and "unknown format odt" in err


def test_invalid_brief_exit_2_with_location_and_no_traceback(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("title: A brief", "titel: A brief"))
    code, out, err = run("build", str(bad), "--output", str(tmp_path / "out"))
    assert code == 2
    assert f"{bad}:1:1: titel: unknown field 'titel'; did you mean 'title'?" in err
    assert "Traceback" not in err + out
    assert not (tmp_path / "out").exists(), "a failed build must write nothing"


def test_failed_build_keeps_the_good_earlier_output(tmp_path: Path):
    brief = tmp_path / "b.yaml"
    brief.write_text(MINIMAL)
    assert run("build", str(brief), "-o", str(tmp_path))[0] == 0
    good = (tmp_path / "b.pdf").read_bytes()
    brief.write_text(MINIMAL.replace("[@src]", "[@missing]"))
    code, _, err = run("build", str(brief), "-o", str(tmp_path))
    assert code == 2 and "cites unknown source 'missing'" in err
    assert (tmp_path / "b.pdf").read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.docx", "b.pdf", "b.yaml"]


def test_missing_file_is_exit_2(tmp_path: Path):
    code, _, err = run("build", str(tmp_path / "nope.yaml"), "-o", str(tmp_path))
    assert code == 2 and "nope.yaml: no such file" in err


def test_batch_with_a_bad_brief_builds_the_others(tmp_path: Path):
    folder = tmp_path / "briefs"
    folder.mkdir()
    (folder / "good.yaml").write_text(MINIMAL)
    (folder / "bad.yaml").write_text(MINIMAL.replace("date: 2023-09-20", "date: soon"))
    out = tmp_path / "out"
    code, _, err = run("build", str(folder), "--output", str(out), "--format", "pdf")
    assert code == 2
    assert "bad.yaml:2:7: date:" in err
    assert "1 built, 1 failed" in err
    assert [p.name for p in out.iterdir()] == ["good.pdf"]


def test_validate_command(tmp_path: Path):
    code, out, _ = run("validate", str(SAMPLE))
    assert code == 0 and "valid" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("scheme: tlp", "scheme: nato"))
    code, _, err = run("validate", str(bad))
    assert code == 2 and "marking.scheme" in err


def test_schema_command_prints_json_schema():
    import json

    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "marking" in schema["properties"]


def test_new_writes_a_starter_that_validates(tmp_path: Path):
    path = tmp_path / "starter.yaml"
    code, out, _ = run("new", str(path))
    assert code == 0
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    schema_ref = text.split("$schema=", 1)[1].split("\n", 1)[0]
    assert (path.parent / schema_ref).resolve().is_file()
    assert briefgen.load_brief(path).title == "Title of the brief"
    assert run("new", str(path))[0] == 2  # will not overwrite without --force
    assert run("new", str(path), "--force")[0] == 0


def explode_renderers(monkeypatch) -> None:
    """Every renderer raises: in this process, and in the children a build forks (which
    inherit the patch)."""
    import briefgen.render.docx
    import briefgen.render.pdf

    def boom(*a, **k):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(briefgen.render.pdf, "render_pdf", boom)
    monkeypatch.setattr(briefgen.render.docx, "render_docx", boom)


def test_internal_error_is_exit_1_with_short_message(tmp_path: Path, monkeypatch):
    explode_renderers(monkeypatch)
    code, out, err = run("build", str(SAMPLE), "-o", str(tmp_path))
    assert code == 1
    assert "internal error: RuntimeError: renderer exploded" in err
    assert "Traceback" not in err
    code, out, err = run("build", str(SAMPLE), "-o", str(tmp_path), "--debug")
    assert code == 1 and "Traceback" in err
    assert list(tmp_path.iterdir()) == []


def test_styles_and_templates_lists():
    code, out, _ = run("styles")
    assert code == 0 and "default" in out
    code, out, _ = run("styles", "show", "default")
    assert code == 0 and '"size": "A4"' in out
    code, out, _ = run("templates")
    assert code == 0 and "full" in out


def test_python_dash_m_is_the_same_program(tmp_path: Path):
    r = subprocess.run([sys.executable, "-m", "briefgen", "validate", str(SAMPLE)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([sys.executable, "-m", "briefgen", "build", "nothing.yaml", "-o", "x"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr


def test_example_build_from_dict(tmp_path: Path, capsys):
    mod = runpy.run_path(str(ROOT / "examples" / "build_from_dict.py"))
    written = mod["main"](tmp_path)
    assert sorted(p.name for p in written) == ["port-closure.docx", "port-closure.pdf"]
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "port-closure.pdf").pages)
    assert "Port closure" in text and "OFFICIAL" in text and "urgent repairs" in text


def test_example_build_folder(tmp_path: Path):
    mod = runpy.run_path(str(ROOT / "examples" / "build_folder.py"))
    result = mod["main"](ROOT / "briefs", tmp_path)
    assert result.ok
    assert (tmp_path / f"{SAMPLE.stem}.pdf").is_file()
    assert (tmp_path / f"{SAMPLE.stem}.docx").is_file()


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_same_brief_builds_byte_identical_files(tmp_path: Path, fmt: str):
    a = briefgen.build(SAMPLE, formats=fmt).outputs[fmt]
    b = briefgen.build(SAMPLE, formats=fmt).outputs[fmt]
    assert a == b


def test_character_no_font_has_is_refused_naming_field_and_character(tmp_path: Path):
    brief = tmp_path / "emoji.yaml"
    brief.write_text(MINIMAL.replace("title: A brief", "title: Ceasefire \U0001F54A holds"),
                     encoding="utf-8")
    code, _, err = run("build", str(brief), "-o", str(tmp_path / "out"))
    assert code == 2
    assert f"{brief}:1:8: title: the fonts have no glyph for '\U0001F54A' (U+1F54A)" in err
    assert not (tmp_path / "out").exists()


def test_missing_glyphs_replaced_visibly_with_option(tmp_path: Path):
    import docx
    from pypdf import PdfReader

    brief = tmp_path / "emoji.yaml"
    brief.write_text(MINIMAL.replace("title: A brief", "title: Ceasefire \U0001F54A holds"),
                     encoding="utf-8")
    code, _, err = run("build", str(brief), "-o", str(tmp_path), "--allow-missing-glyphs")
    assert code == 0, err
    assert "warning:" in err and "U+1F54A" in err and "title" in err
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "emoji.pdf").pages)
    assert "Ceasefire \ufffd holds" in text
    document = docx.Document(str(tmp_path / "emoji.docx"))
    assert "Ceasefire \ufffd holds" in "\n".join(p.text for p in document.paragraphs)
    with pytest.warns(briefgen.BriefWarning, match="U\\+1F54A"):
        pack = briefgen.build(brief, formats="pdf", missing_glyphs="replace")
    assert pack.warnings and pack.warnings[0].path == "title"


def test_batch_in_parallel_and_on_any_executor(tmp_path: Path):
    from concurrent.futures import ThreadPoolExecutor

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"b{i}.yaml").write_text(MINIMAL.replace("A brief", f"Brief {i}"))
    (folder / "broken.yaml").write_text("title: [\n")
    seen = []
    result = briefgen.build_many([folder], tmp_path / "p", formats="pdf", jobs=2)
    assert sorted(Path(k).name for k in result.written) == ["b0.yaml", "b1.yaml", "b2.yaml"]
    assert isinstance(result.failed[str(folder / "broken.yaml")], briefgen.BriefError)
    assert "broken.yaml:2:1: YAML syntax error" in str(result.failed[str(folder / "broken.yaml")])
    with ThreadPoolExecutor(2) as pool:
        from briefgen.pipeline import build_many

        result2 = build_many([folder], tmp_path / "t", formats="pdf", executor=pool,
                             progress=lambda done, total, name, ok: seen.append((done, total, ok)))
    assert len(result2.written) == 3 and len(result2.failed) == 1
    assert [s[0] for s in seen] == [1, 2, 3, 4] and all(s[1] == 4 for s in seen)
    assert (tmp_path / "p" / "b1.pdf").read_bytes() == (tmp_path / "t" / "b1.pdf").read_bytes()


def test_batch_cli_reports_and_exits_nonzero_quietly_off_terminal(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.yaml").write_text(MINIMAL)
    (folder / "z.yaml").write_text("- not a brief\n")
    code, out, err = run("build", str(folder), "-o", str(tmp_path / "o"), "--jobs", "2",
                         "--format", "pdf")
    assert code == 2
    assert "z.yaml:1:1: the top level must be a mapping" in err
    assert "1 built, 1 failed" in err
    assert "\r" not in err  # no progress bar when stderr is not a terminal


def test_a_worker_that_dies_fails_only_its_own_brief(tmp_path: Path, monkeypatch):
    """A brief whose worker dies (here: it exits on the spot, as an out-of-memory kill would
    end it) is reported as such; the briefs that died with it are built again."""
    import multiprocessing
    import os

    from briefgen import bundle, pipeline

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the stand-in crash reaches workers through fork")
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"b{i}.yaml").write_text(MINIMAL.replace("A brief", f"Brief {i}"))
    real = bundle.render_task

    def render_task(context, task):  # runs in the (forked) worker, which has the document
        if task.document.meta.title == "Brief 2":
            os._exit(9)
        return real(context, task)

    render_task.__module__, render_task.__qualname__ = "briefgen.bundle", "render_task"
    monkeypatch.setattr(bundle, "render_task", render_task)
    result = pipeline.build_many([folder], tmp_path / "out", formats="pdf", jobs=2)
    assert sorted(Path(k).name for k in result.written) == [
        "b0.yaml", "b1.yaml", "b3.yaml", "b4.yaml", "b5.yaml"]
    assert list(result.failed) == [str(folder / "b2.yaml")]
    assert "stopped unexpectedly" in str(result.failed[str(folder / "b2.yaml")])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "b0.pdf", "b1.pdf", "b3.pdf", "b4.pdf", "b5.pdf"]


def test_jobs_default_to_the_usable_cores():
    """A process limited to one core (taskset, a container) counts one, not the machine's."""
    import os

    from briefgen.pipeline import usable_cores

    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this system")
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(allowed)})
        assert usable_cores() == 1
    finally:
        os.sched_setaffinity(0, allowed)
    assert usable_cores() == len(allowed) >= 1


def test_batch_reports_each_brief_as_it_ends(tmp_path: Path):
    """A bad brief is reported when it fails, not after the whole batch: on_result hears of
    every brief before the batch returns, and the CLI prints through it."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.yaml").write_text(MINIMAL)
    (folder / "b.yaml").write_text("title: [\n")
    heard = []
    result = briefgen.build_many([folder], tmp_path / "o", formats="pdf", jobs=1,
                                 on_result=lambda name, outcome: heard.append((name, outcome)))
    assert [Path(n).name for n, _ in heard] == ["a.yaml", "b.yaml"]
    assert heard[0][1] == result.written[str(folder / "a.yaml")]
    assert heard[1][1] is result.failed[str(folder / "b.yaml")]
    code, out, err = run("build", str(folder), "-o", str(tmp_path / "o2"), "--jobs", "1",
                         "--format", "pdf")
    assert code == 2
    assert err.index("b.yaml:2:1: YAML syntax error") < err.index("1 built, 1 failed")
    assert "wrote " in out


def test_format_is_a_choice_as_a_list_or_repeated(tmp_path: Path):
    for n, args in enumerate((["-f", "pdf,docx"], ["-f", "pdf", "-f", "docx"],
                              ["--format", "DOCX,pdf"], [])):
        out = tmp_path / str(n)
        code, _, err = run("build", str(SAMPLE), "-o", str(out), "-j", "1", *args)
        assert code == 0, err
        assert sorted(p.suffix for p in out.iterdir()) == [".docx", ".pdf"]
    code, _, err = run("build", str(SAMPLE), "-o", str(tmp_path / "x"), "-f", "pdf,odt")
    assert code == 2 and "unknown format odt; choose from pdf, docx, html" in err
    assert not (tmp_path / "x").exists()
    code, out, _ = run("build", "--help")
    assert "[pdf|docx|html]" in out


def test_debug_on_the_group_or_after_the_command(tmp_path: Path, monkeypatch):
    explode_renderers(monkeypatch)
    for args in (["--debug", "build", str(SAMPLE), "-o", str(tmp_path)],
                 ["build", str(SAMPLE), "-o", str(tmp_path), "--debug"],
                 ["--debug", "styles", "show", "default"]):
        code, out, err = run(*args)
        if "styles" in args:
            assert code == 0 and '"size": "A4"' in out
        else:
            assert code == 1 and "Traceback" in err and "renderer exploded" in err
    code, _, err = run("build", str(SAMPLE), "-o", str(tmp_path))
    assert code == 1 and "Traceback" not in err and "--debug" in err


def test_templates_copy_is_a_subcommand(tmp_path: Path):
    code, out, err = run("templates", "copy", "meeting", str(tmp_path / "mine"))
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == [
        "_sections.xml.j2", "meeting.xml.j2"]
    code, _, err = run("templates", "copy", "meeting", str(tmp_path / "mine"))
    assert code == 2 and "already exists" in err
    code, _, err = run("templates", "copy", "nope", str(tmp_path / "other"))
    assert code == 2 and "nope: template: no such template; shipped: full, meeting, summary" in err
    code, _, err = run("templates", "copy", "full")
    assert code == 2 and "Missing argument 'FOLDER'" in err


def test_warnings_of_a_batch_reach_the_terminal(tmp_path: Path):
    """A character printed as \ufffd in a brief built by a worker process is still reported:
    the worker sends its warnings back with the pack."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.yaml").write_text(MINIMAL.replace("title: A brief", "title: Dove \U0001F54A"),
                                   encoding="utf-8")
    (folder / "b.yaml").write_text(MINIMAL)
    code, _, err = run("build", str(folder), "-o", str(tmp_path / "o"), "-f", "pdf", "-j", "2",
                       "--allow-missing-glyphs")
    assert code == 0, err
    assert f"warning: {folder / 'a.yaml'}:1:8: title: the fonts have no glyph for " \
           "'\U0001F54A' (U+1F54A); printed as \ufffd" in err
    assert issubclass(briefgen.BriefWarning, briefgen.BriefgenWarning)
    assert issubclass(briefgen.OutputError, briefgen.BriefError)
    assert issubclass(briefgen.BriefError, briefgen.BriefgenError)
    assert issubclass(briefgen.RenderError, briefgen.BriefgenError)
    assert issubclass(briefgen.InternalError, briefgen.BriefgenError)


def test_validate_checks_what_build_would(tmp_path: Path):
    """validate takes build's options and agrees with build: an emoji no font draws, a
    template that does not exist and a bad style are refused by both, without any file."""
    text = SAMPLE.read_text(encoding="utf-8")
    brief = tmp_path / "peace.yaml"
    brief.write_text(text.replace("\ntitle: \"", "\ntitle: \"\U0001F54A ", 1), encoding="utf-8")
    for command in (["validate"], ["build", "-o", str(tmp_path / "out")]):
        code, _out, err = run(*command, str(brief))
        assert code == 2 and "no glyph for '\U0001F54A'" in err and ":8: title:" in err, err
    assert not (tmp_path / "out").exists()
    code, out, err = run("validate", str(brief), "--allow-missing-glyphs")
    assert code == 0 and "printed as \ufffd" in err and "valid" in out
    code, _out, err = run("validate", str(SAMPLE), "--template", "nope")
    assert code == 2 and "no such template" in err
    code, _out, err = run("validate", str(SAMPLE), "--style", "us-memo", "-f", "docx")
    assert code == 0, err
