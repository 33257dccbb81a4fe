"""Results the command line keeps between runs (briefgen.cache): a rebuild reads them and makes
the same bytes; an edited brief or style is read again; a bad entry is made again; only plain
records come out of an entry; the folder must be the user's own and closed; a program keeps
nothing."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

import briefgen
from briefgen import cache
from conftest import ROOT, run_command

SAMPLE = ROOT / "briefs" / "nagorno-karabakh-2023-09-ceasefire.yaml"
KINDS = {"brief", "style", "labels", "markdown", "chars"}

forks = pytest.mark.skipif(not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2,
                           reason="the PDF's child parses the Markdown kept: needs os.fork "
                                  "and two cores")


def _kinds(folder: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for entry in folder.iterdir():
        kind = entry.name.split("-")[0]
        out[kind] = out.get(kind, 0) + 1
    return out


def _build(brief: Path, out: Path, folder: Path, *more: str) -> dict:
    res = run_command("build", str(brief), "-f", "pdf", "-q", "-o", str(out), *more,
                      modules=("yaml", "markdown_it"), env={"BRIEFGEN_CACHE_DIR": str(folder)})
    assert res["code"] == 0 and res["report"]["left"] is False, res["err"]
    return res


@forks
def test_a_rebuild_reads_what_the_first_run_kept_and_makes_the_same_bytes(
        tmp_path: Path) -> None:
    """The second run reads the brief, the style, the labels, the parsed Markdown and the
    fonts' characters from the folder: its process imports neither the YAML parser nor
    markdown-it, and its PDF is the first run's and that of a run that keeps nothing."""
    folder = tmp_path / "cache"
    first = _build(SAMPLE, tmp_path / "1", folder)
    assert set(_kinds(folder)) == KINDS
    assert first["report"]["yaml"] is True
    second = _build(SAMPLE, tmp_path / "2", folder)
    assert second["report"] == {"yaml": False, "markdown_it": False, "left": False}
    plain = subprocess.run([sys.executable, "-m", "briefgen", "build", str(SAMPLE), "-f", "pdf",
                            "-q", "-o", str(tmp_path / "3"), "--jobs", "1"], cwd=ROOT,
                           env={**os.environ, "BRIEFGEN_NO_CACHE": "1"}, capture_output=True,
                           text=True, timeout=120)
    assert plain.returncode == 0, plain.stderr
    name = SAMPLE.with_suffix(".pdf").name
    pdfs = {(tmp_path / k / name).read_bytes() for k in "123"}
    assert len(pdfs) == 1


@forks
def test_an_edited_brief_and_an_edited_style_are_read_again(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    brief = tmp_path / "brief.yaml"
    text = SAMPLE.read_text(encoding="utf-8")
    brief.write_text(text, encoding="utf-8")
    style = tmp_path / "house.yaml"
    style.write_text("extends: default\ncolours: {headings: '#112233'}\n", encoding="utf-8")
    _build(brief, tmp_path / "1", folder, "-s", str(style))
    title = text.split("\ntitle:", 1)[1].splitlines()[0].strip().strip('"')
    brief.write_text(text.replace(title, "An edited title for the cache test", 1),
                     encoding="utf-8")
    style.write_text("extends: default\ncolours: {headings: '#445566'}\n", encoding="utf-8")
    res = _build(brief, tmp_path / "2", folder, "-s", str(style))
    assert res["report"]["yaml"] is True  # (the brief and the style were parsed again)
    pdf = tmp_path / "2" / "brief.pdf"
    words = PdfReader(pdf).pages[0].extract_text()
    assert "An edited title for the cache test" in words and title not in words
    assert b"0.266667 0.333333 0.4 rg" in _content(pdf) or b".266667 .333333 .4 rg" in \
        _content(pdf)  # the new heading colour (#445566) is drawn
    assert _kinds(folder)["brief"] == 2 and _kinds(folder)["style"] == 1  # (same style path)


def _content(pdf: Path) -> bytes:
    reader = PdfReader(pdf)
    return b"".join(p.get_contents().get_data() for p in reader.pages)


@forks
def test_entries_that_cannot_be_read_are_made_again(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    _build(SAMPLE, tmp_path / "1", folder)
    for entry in folder.iterdir():
        entry.write_bytes(b"not a pickle")
    _build(SAMPLE, tmp_path / "2", folder)
    name = SAMPLE.with_suffix(".pdf").name
    assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()
    assert all(e.read_bytes() != b"not a pickle" for e in folder.iterdir())


@pytest.fixture
def on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Results kept in this process, in ``tmp_path/cache`` (put back as they were after)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache, "_ON", True)
    monkeypatch.setattr(cache, "_FOLDER", [])
    return folder


class _Boom:
    def __reduce__(self) -> tuple:
        return (os.system, ("touch BOOM",))


def test_an_entry_builds_only_plain_records(on: Path, tmp_path: Path) -> None:
    """An entry that would call a function (here os.system) is refused, and made again."""
    assert cache.kept("t", ("x",), lambda: {"a": (1, 2.5, "b")}) == {"a": (1, 2.5, "b")}
    entry = next(on.iterdir())
    entry.write_bytes(pickle.dumps(_Boom()))
    os.chdir(tmp_path)
    assert cache.kept("t", ("x",), lambda: "made again") == "made again"
    assert not (tmp_path / "BOOM").exists()
    assert cache.get("t", ("x",)) == "made again"
    brief = briefgen.load_brief(SAMPLE)
    cache.put("t", ("brief",), brief)
    assert cache.get("t", ("brief",)) == brief  # briefgen's own records come back


def _global(module: str, name: str) -> bytes:
    return b"".join(b"\x8c" + bytes([len(s)]) + s.encode() for s in (module, name)) + b"\x93"


def test_an_entry_cannot_reach_a_class_through_a_briefgen_module(on: Path,
                                                                 tmp_path: Path) -> None:
    """A dotted name (``types.FunctionType`` of ``briefgen.loader``, which imports types) is
    followed attribute by attribute by the unpickler: an entry could build a code object and a
    function of it, and call that. Refused, as is a class a briefgen module only imported."""
    code = compile(f"open({str(tmp_path / 'BOOM')!r}, 'w').close()", "x", "exec")
    args = (code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_nlocals,
            code.co_stacksize, code.co_flags, code.co_code, code.co_consts, code.co_names,
            code.co_varnames, code.co_filename, code.co_name, code.co_qualname,
            code.co_firstlineno, code.co_linetable, code.co_exceptiontable, code.co_freevars,
            code.co_cellvars)
    payload = (b"\x80\x04" + _global("briefgen.loader", "types.FunctionType")
               + _global("briefgen.loader", "types.CodeType")
               + pickle.dumps(args, 3)[2:-1] + b"R}\x86R)R.")
    assert cache.kept("t", ("x",), lambda: 1) == 1
    next(on.iterdir()).write_bytes(payload)
    assert cache.kept("t", ("x",), lambda: "made again") == "made again"
    assert not (tmp_path / "BOOM").exists()
    for module, name in (("briefgen.cache", "Path"), ("briefgen.cache", "pickle.Unpickler")):
        next(on.iterdir()).write_bytes(b"\x80\x04" + _global(module, name) + b".")
        assert cache.get("t", ("x",)) is None, name


def test_an_entry_cannot_build_a_callable_of_briefgen(on: Path, tmp_path: Path) -> None:
    """A class of briefgen's whose instances are functions (``Named("os", "system")``) is not
    a plain record: an entry that builds one and calls it is refused."""
    os.chdir(tmp_path)
    payload = (b"\x80\x04" + _global("briefgen.workers", "Named")
               + pickle.dumps(("os", "system"), 3)[2:-1] + b"R"
               + pickle.dumps(("touch BOOM",), 3)[2:-1] + b"R.")
    assert cache.kept("t", ("x",), lambda: 1) == 1
    next(on.iterdir()).write_bytes(payload)
    assert cache.kept("t", ("x",), lambda: "made again") == "made again"
    assert not (tmp_path / "BOOM").exists()
    for name in ("Named", "Forked", "Standby"):
        next(on.iterdir()).write_bytes(b"\x80\x04" + _global("briefgen.workers", name) + b".")
        assert cache.get("t", ("x",)) is None, name


def test_a_font_replaced_with_its_size_and_time_kept_is_read_again(on: Path,
                                                                   tmp_path: Path) -> None:
    """A file's stamp (the fonts' characters are kept for it) changes when the file is
    replaced by another of the same size whose time is kept (``cp -p``): a font then read
    as the one it replaced drew the characters it lacks, and the build failed."""
    font = tmp_path / "house.ttf"
    font.write_bytes(b"a" * 100)
    os.utime(font, ns=(10**18, 10**18))
    before = cache.file_stamp(font)
    other = tmp_path / "other.ttf"
    other.write_bytes(b"b" * 100)
    os.utime(other, ns=(10**18, 10**18))
    os.replace(other, font)  # (rsync -a, tar x: another file, same size and time)
    assert cache.file_stamp(font) != before
    before = cache.file_stamp(font)
    time.sleep(0.05)  # (the change time is the kernel's coarse clock: a tick or more later)
    with open(font, "r+b") as fh:  # (cp -p over it: the same file, written)
        fh.write(b"c" * 100)
    os.utime(font, ns=(10**18, 10**18))
    assert cache.file_stamp(font) != before


def test_a_style_whose_parent_was_found_in_the_current_folder_is_not_kept(
        on: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``extends: base.yaml`` is looked for beside the style, then in the current folder: a
    style whose parent came from the current folder must see one made beside it later
    (a run kept the first parent's colours)."""
    from briefgen import style

    work = tmp_path / "work"
    (work / "styles").mkdir(parents=True)
    (work / "styles" / "x.yaml").write_text("extends: base.yaml\n")
    (work / "base.yaml").write_text('colours: {headings: "#FF0000"}\n')
    monkeypatch.chdir(work)
    monkeypatch.setattr(style, "_CACHE", {})
    assert style.load_style("styles/x.yaml").colours.headings == "#FF0000"
    (work / "styles" / "base.yaml").write_text('colours: {headings: "#0000FF"}\n')
    monkeypatch.setattr(style, "_CACHE", {})  # (the next run of the command)
    assert style.load_style("styles/x.yaml").colours.headings == "#0000FF"


def test_the_folder_must_be_closed_to_others(on: Path) -> None:
    on.mkdir(mode=0o755)
    on.chmod(0o755)
    assert cache.folder() is None
    assert cache.kept("t", ("x",), lambda: 1) == 1 and list(on.iterdir()) == []


def test_no_folder_is_made_in_the_current_one(on: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Without $BRIEFGEN_CACHE_DIR, a relative $XDG_CACHE_HOME is ignored (the XDG spec), and
    a home that is not a path ("~": HOME unset for a user the system has no entry for, as in a
    container) means no folder, not ``./~/.cache/briefgen``."""
    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("BRIEFGEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.folder() == tmp_path / "home" / ".cache" / "briefgen"
    monkeypatch.setattr(cache, "_FOLDER", [])
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(os.path, "expanduser", lambda p: p)  # (no passwd entry either)
    assert cache.folder() is None
    cache.put("t", ("x",), 1)
    assert list(work.iterdir()) == []


def test_a_folder_that_is_a_link_is_not_used(on: Path, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir(mode=0o700)
    on.symlink_to(real)
    assert cache.folder() is None


def test_entries_are_the_users_alone_and_the_oldest_go(on: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 10)
    for k in range(12):
        cache.put("t", (str(k),), k)
    assert (on.stat().st_mode & 0o777) == 0o700
    entries = list(on.iterdir())
    assert all((e.stat().st_mode & 0o777) == 0o600 for e in entries)
    assert len(entries) <= 10
    assert cache.get("t", ("11",)) == 11


def test_only_entries_go_from_a_folder_of_the_users(on: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """$BRIEFGEN_CACHE_DIR may name a folder of the user's own (closed to others, as a home
    folder often is): making room removes entries, never the user's files."""
    monkeypatch.setattr(cache, "MAX_ENTRIES", 10)
    on.mkdir(mode=0o700)
    mine = [on / f"my-notes-{k}.txt" for k in range(15)] + [on / "draft-v2"]
    for f in mine:
        f.write_text("keep")
    for k in range(12):
        cache.put("t", (str(k),), k)
    assert all(f.read_text() == "keep" for f in mine)
    assert len([e for e in on.iterdir() if e.name.startswith("t-")]) <= 10


def test_an_entry_interrupted_as_it_is_written_leaves_no_file(
        on: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or SIGTERM, which the command turns into SystemExit) as an entry is written:
    the half-made file is removed (nothing would ever remove it: it is no entry)."""
    assert cache.kept("t", ("x",), lambda: 1) == 1

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.put("t", ("y",), 2)
    assert [e.name[:2] for e in on.iterdir()] == ["t-"]


def test_off_when_asked_and_in_a_program(tmp_path: Path) -> None:
    """BRIEFGEN_NO_CACHE=1 turns it off for the command; a program's builds keep nothing."""
    folder = tmp_path / "cache"
    res = run_command("build", str(SAMPLE), "-f", "pdf", "-q", "-o", str(tmp_path / "1"),
                      env={"BRIEFGEN_CACHE_DIR": str(folder), "BRIEFGEN_NO_CACHE": "1"})
    assert res["code"] == 0, res["err"]
    assert not folder.exists()
    code = (f"import briefgen; briefgen.build_files({str(SAMPLE)!r}, {str(tmp_path / '2')!r}, "
            "formats='pdf')")
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=ROOT,
                         env={**os.environ, "BRIEFGEN_CACHE_DIR": str(folder)},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert not folder.exists()
