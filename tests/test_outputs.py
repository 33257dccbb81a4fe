"""Outputs are never lost or mixed: a pack's files are committed together or not at all, a
batch never lets two briefs overwrite each other, an input is never overwritten, nothing is
written outside the output folder, modes follow the umask, and no interrupted or killed run
leaves a partial (``*.part``) file."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import briefgen
from briefgen import bundle, pipeline
from briefgen.cli import cli
from briefgen.errors import BriefError, OutputError
from test_validation import MINIMAL


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".part"))


@pytest.fixture
def brief(tmp_path: Path) -> Path:
    path = tmp_path / "x.yaml"
    path.write_text(MINIMAL)
    return path


def test_a_folder_in_the_way_of_the_docx_keeps_the_old_pdf(tmp_path: Path, brief: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.pdf").write_bytes(b"old pdf")
    (out / "x.docx").mkdir()
    with pytest.raises(OutputError) as exc:
        briefgen.build_files(brief, out)
    assert str(out / "x.docx") in str(exc.value) and "is a folder" in str(exc.value)
    assert (out / "x.pdf").read_bytes() == b"old pdf"
    assert leftovers(tmp_path) == []
    code, _, err = run("build", str(brief), "-o", str(out))
    assert code == 2 and f"error: {out / 'x.docx'}: output: is a folder" in err
    assert (out / "x.pdf").read_bytes() == b"old pdf"


def test_a_rename_that_fails_puts_back_the_files_already_replaced(tmp_path: Path,
                                                                   monkeypatch):
    """The folder check passes, then the second rename fails (a disk error, a race): the
    first file is put back as it was, the new one removed, no temporary left."""
    old = {tmp_path / "x.pdf": b"old pdf"}
    (tmp_path / "x.pdf").write_bytes(b"old pdf")
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(Path(dst).name)
        if Path(dst).name == "x.docx":
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError, match="No space left"):
        pipeline.commit({tmp_path / "x.pdf": b"new pdf", tmp_path / "x.docx": b"new docx"})
    assert calls[:2] == ["x.pdf", "x.docx"]  # the PDF had been replaced before the failure
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == old
    monkeypatch.setattr(os, "replace", real)
    pipeline.commit({tmp_path / "x.pdf": b"new pdf", tmp_path / "x.docx": b"new docx"})
    assert (tmp_path / "x.pdf").read_bytes() == b"new pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.docx", "x.pdf"]


def test_two_briefs_with_one_name_in_a_batch_are_refused_naming_both(tmp_path: Path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.yaml").write_text(MINIMAL.replace("A brief", f"Brief {sub}"))
    (tmp_path / "a" / "y.yaml").write_text(MINIMAL)
    out = tmp_path / "out"
    result = briefgen.build_many([tmp_path / "a", tmp_path / "b"], out, formats="pdf", jobs=1)
    a, b = str(tmp_path / "a" / "x.yaml"), str(tmp_path / "b" / "x.yaml")
    assert sorted(result.failed) == [a, b]
    assert f"has the same name as {b}" in str(result.failed[a])
    assert f"has the same name as {a}" in str(result.failed[b])
    assert isinstance(result.failed[a], OutputError)
    assert list(result.written) == [str(tmp_path / "a" / "y.yaml")]
    assert sorted(p.name for p in out.iterdir()) == ["y.pdf"]
    code, _, err = run("build", str(tmp_path / "a"), str(tmp_path / "b"), "-o",
                       str(tmp_path / "cli"), "-f", "pdf", "-j", "1")
    assert code == 2 and err.count("has the same name as") == 2


def test_a_brief_named_like_its_pack_is_never_overwritten(tmp_path: Path):
    brief = tmp_path / "notes.docx"  # a YAML brief with an unlucky name
    brief.write_text(MINIMAL)
    with pytest.raises(OutputError, match="is an input of this build"):
        briefgen.build_files(brief, tmp_path)
    assert brief.read_text() == MINIMAL and not (tmp_path / "notes.pdf").exists()
    code, _, err = run("build", str(brief), "-o", str(tmp_path))
    assert code == 2 and f"{brief}: output: is an input of this build" in err
    assert brief.read_text() == MINIMAL
    # in a batch too, and the other formats of other briefs still build
    (tmp_path / "other.yaml").write_text(MINIMAL)
    result = briefgen.build_many([brief, tmp_path / "other.yaml"], tmp_path, jobs=1)
    assert list(result.failed) == [str(brief)] and brief.read_text() == MINIMAL
    assert (tmp_path / "other.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("stem", ["../../x", "../x", "a/b", "..", ".", "", "/etc/x"])
def test_a_stem_cannot_leave_the_output_folder(tmp_path: Path, stem: str):
    out = tmp_path / "deep" / "out"
    with pytest.raises(OutputError, match="plain file name"):
        briefgen.build_files(briefgen.parse_brief(MINIMAL), out, stem=stem, formats="pdf")
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_new_files_honour_the_umask_and_replaced_ones_keep_their_mode(tmp_path: Path,
                                                                      brief: Path):
    old = os.umask(0o027)
    try:
        written = briefgen.build_files(brief, tmp_path / "out", formats="pdf")
    finally:
        os.umask(old)
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o640
    written[0].chmod(0o600)
    briefgen.build_files(brief, tmp_path / "out", formats="pdf")
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600


def test_output_naming_a_file_is_exit_2_with_its_name(tmp_path: Path, brief: Path):
    afile = tmp_path / "taken"
    afile.write_text("mine")
    code, out, err = run("build", str(brief), "-o", str(afile))
    assert code == 2, err
    assert f"error: {afile}: output: is a file, not a folder" in err
    assert "internal error" not in err and afile.read_text() == "mine"
    code, _, err = run("build", str(brief), "-o", str(afile / "sub"))
    assert code == 2 and f"{afile} is a file" in err
    with pytest.raises(OutputError):
        briefgen.build_many([brief], afile)


def _unwritable(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    folder = Path("/sys/kernel")  # a folder even root cannot create files in
    if not folder.is_dir() or (os.access(folder, os.W_OK) and _can_create(folder)):
        pytest.skip("no folder here that refuses writes to this user")
    return folder


def _can_create(folder: Path) -> bool:
    try:
        fd = os.open(folder / ".briefgen-probe", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except OSError:
        return False
    os.close(fd)
    os.unlink(folder / ".briefgen-probe")
    return True


def test_unwritable_output_folder_is_exit_2_with_its_name(tmp_path: Path, brief: Path):
    folder = _unwritable(tmp_path)
    code, _, err = run("build", str(brief), "-o", str(folder), "-f", "pdf")
    assert code == 2, err
    assert f"error: {folder}: output: cannot write here" in err
    assert "internal error" not in err and "Traceback" not in err


def test_a_worker_killed_mid_way_leaves_no_partial_file(tmp_path: Path, monkeypatch):
    """Workers render and the caller writes: workers killed (SIGKILL) at random moments of
    their work, again and again, leave no partial file and no temporary; every pack that is
    there is whole, and the briefs whose workers died are reported."""
    import multiprocessing
    import random
    import threading

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the killer reaches workers through fork")
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"b{i}.yaml").write_text(MINIMAL.replace("A brief", f"Brief {i}"))
    whole = {f"b{i}.pdf": briefgen.build(folder / f"b{i}.yaml", formats="pdf").pdf
             for i in range(4)}
    start = time.perf_counter()
    briefgen.build(folder / "b0.yaml", formats="pdf")
    took = time.perf_counter() - start
    real = bundle.render_task

    def render_task(context, task):  # runs in the (forked) worker
        rng = random.Random(os.getpid() ^ time.time_ns())
        killer = None
        if rng.random() < 0.7:  # killed at a random moment of its work
            killer = threading.Timer(rng.uniform(0.0, 0.9 * took), os.kill,
                                     (os.getpid(), signal.SIGKILL))
            killer.start()
        try:
            outcome = real(context, task)
            time.sleep(0.9 * took)  # the killer, if any, strikes before the result leaves
            return outcome
        finally:
            if killer is not None:
                killer.cancel()

    render_task.__module__, render_task.__qualname__ = "briefgen.bundle", "render_task"
    monkeypatch.setattr(bundle, "render_task", render_task)
    out = tmp_path / "out"
    died = 0
    for _ in range(4):
        result = pipeline.build_many([folder], out, formats="pdf", jobs=2)
        assert len(result.written) + len(result.failed) == 4
        died += sum("stopped unexpectedly" in str(e) for e in result.failed.values())
        assert leftovers(tmp_path) == []
        for p in out.iterdir() if out.exists() else ():
            assert p.read_bytes() == whole[p.name]
    assert died  # the killer did strike (else this test would prove nothing)


def test_ctrl_c_in_a_batch_leaves_only_whole_packs(tmp_path: Path):
    """Interrupt a command-line batch at different moments: the packs already written stay,
    whole; no partial file or temporary is left."""
    folder = tmp_path / "in"
    folder.mkdir()
    n_briefs = 40
    for i in range(n_briefs):
        (folder / f"b{i:02}.yaml").write_text(MINIMAL.replace("A brief", f"Brief {i:02}"))
    env = {**os.environ, "PYTHONPATH": str(Path(briefgen.__file__).parents[1])}
    interrupted = 0
    for n, after in enumerate((1, 4, 9)):  # interrupt once this many packs are written
        out = tmp_path / f"out{n}"
        proc = subprocess.Popen([sys.executable, "-m", "briefgen", "build", str(folder), "-o",
                                 str(out), "-f", "pdf", "-j", "2", "-q"], env=env,
                                stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline and \
                len(list(out.glob("*.pdf")) if out.exists() else []) < after:
            time.sleep(0.005)
        try:
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        except ProcessLookupError:
            pass
        _, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err, err.decode()
        assert leftovers(tmp_path) == []
        written = sorted(out.iterdir()) if out.exists() else []
        for p in written:
            data = p.read_bytes()
            assert p.suffix == ".pdf" and data.startswith(b"%PDF-"), p
            assert data.rstrip().endswith(b"%%EOF"), p
        if proc.returncode == 130:
            interrupted += 1
            assert len(written) < n_briefs and b"interrupted" in err
        else:
            assert proc.returncode == 0 and len(written) == n_briefs
    assert interrupted  # at least one run was stopped half-way


def test_build_options_are_shared_and_old_keywords_still_work(tmp_path: Path):
    opts = briefgen.BuildOptions(formats="pdf", style="us-memo")
    assert opts.formats == ("pdf",)
    pack = briefgen.build(briefgen.parse_brief(MINIMAL), opts)
    assert list(pack.outputs) == ["pdf"]
    assert pack.pdf == briefgen.build(briefgen.parse_brief(MINIMAL), formats="pdf",
                                      style="us-memo").pdf
    assert pack.pdf != briefgen.build(briefgen.parse_brief(MINIMAL), opts, style="default").pdf
    with pytest.raises(BriefError, match="unknown format odt"):
        briefgen.BuildOptions(formats="pdf,odt")
    with pytest.raises(TypeError):
        briefgen.build(briefgen.parse_brief(MINIMAL), colour="red")
    assert briefgen.BuildOptions.of(missing_glyphs="replace").allow_missing_glyphs is True
    assert briefgen.__version__ and briefgen.__version__[0].isdigit()
