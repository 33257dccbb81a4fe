"""A batch on a cluster as a cluster really is: its workers cannot see the caller's files.

The test starts a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, the
workers as the user ``nobody`` (``setpriv``), who can read neither the briefs nor the style's
files (a folder of root's, mode 700) and cannot write the output folder (root's, mode 700). The
batch must still write every pack, byte-identical to a build in this process; the workers
must receive the style's files once each, and hand back errors in the caller's terms.

It needs root (to change user), ``setpriv`` (util-linux), ``distributed``, and an interpreter
and source tree that ``nobody`` can run and read; elsewhere it is skipped with its reason,
except under ``BRIEFGEN_REQUIRE_TOOLS=1`` (``.ci/run``), where it must run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import briefgen
from conftest import SAMPLE
from test_validation import MINIMAL

NOBODY = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"]
SRC = Path(briefgen.__file__).resolve().parents[1]  # the briefgen under test, for the workers


def unavailable(reason: str) -> None:
    if os.environ.get("BRIEFGEN_REQUIRE_TOOLS") == "1":
        pytest.fail(f"the cluster test must run (BRIEFGEN_REQUIRE_TOOLS=1) but {reason}")
    pytest.skip(reason)


def nobody_env(scratch: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL")}
    return {**keep, "HOME": str(scratch), "TMPDIR": str(scratch), "PYTHONPATH": str(SRC),
            "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A folder of nobody's own (HOME, TMPDIR and the workers' local directory)."""
    folder = Path(tempfile.mkdtemp(prefix="briefgen-cluster-"))
    try:
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            os.chown(folder, 65534, 65534)
            folder.chmod(0o700)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def require_cluster_tools(scratch: Path) -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        unavailable("distributed is not installed (pip install -e '.[dask]')")
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        unavailable("the workers run as another user: the tests must run as root")
    if shutil.which("setpriv") is None:
        unavailable("setpriv (util-linux) is not installed")
    probe = subprocess.run(["setpriv", *NOBODY, sys.executable, "-P", "-c",
                            "import briefgen, distributed, os; print(os.getuid())"],
                           cwd=scratch, env=nobody_env(scratch), capture_output=True,
                           text=True, timeout=120)
    if probe.returncode != 0 or probe.stdout.strip() != "65534":
        unavailable(f"the user nobody cannot run {sys.executable} with briefgen from {SRC} "
                    f"(make the folders on the way searchable: chmod o+x; "
                    f"{probe.stderr.strip()[-300:]})")


class Cluster:
    """A scheduler (this user) and workers (nobody) on 127.0.0.1, stopped on exit."""

    def __init__(self, scratch: Path, workers: int) -> None:
        self.scratch = scratch
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        info = scratch.parent / f"{scratch.name}-scheduler.json"
        self.info = info
        self.start([sys.executable, "-P", "-m", "dask", "scheduler", "--host", "127.0.0.1",
                    "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
                   os.environ.copy(), scratch)
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            self.check_running()
            if time.monotonic() > deadline:
                raise TimeoutError("the scheduler did not start in 60 s")
            time.sleep(0.2)
        time.sleep(0.2)
        self.address = json.loads(info.read_text())["address"]
        assert self.address.startswith("tcp://127.0.0.1:")
        for i in range(workers):
            self.start(["setpriv", *NOBODY, sys.executable, "-P", "-m", "dask", "worker",
                        self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                        "--host", "127.0.0.1", "--name", f"w{i}",
                        "--local-directory", str(scratch / f"w{i}")],
                       nobody_env(scratch), scratch)

    def start(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        log = self.scratch.parent / f"{self.scratch.name}-{len(self.procs)}.log"
        self.logs.append(log)
        with open(log, "wb") as fh:
            self.procs.append(subprocess.Popen(args, env=env, cwd=cwd, stdout=fh,
                                               stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def check_running(self) -> None:
        for proc, log in zip(self.procs, self.logs):
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited {proc.returncode}:\n"
                                   + log.read_text("utf-8", "replace")[-2000:])

    def stop(self) -> None:
        """SIGTERM (dask closes gracefully), the workers first; SIGKILL after 30 s."""
        for proc in [*self.procs[1:], *self.procs[:1]]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        for path in [self.info, *self.logs]:
            path.unlink(missing_ok=True)


def make_inputs(root: Path) -> tuple[Path, Path, Path]:
    """Briefs (and one bad one) and a style with its own fonts, a logo and a reference
    document, in folders only root may enter; returns (briefs folder, style file, output)."""
    import docx
    from PIL import Image

    briefs, styles, out = root / "briefs", root / "style", root / "out"
    for folder in (briefs, styles, out):
        folder.mkdir()
        folder.chmod(0o700)
    for i in range(5):
        (briefs / f"b{i}.yaml").write_text(MINIMAL.replace("A brief", f"Brief {i}"))
    shutil.copy(SAMPLE, briefs / SAMPLE.name)
    (briefs / "bad.yaml").write_text("title: [\n")
    fonts = Path(briefgen.__file__).parent / "fonts" / "dejavu"
    shutil.copy(fonts / "DejaVuSerif.ttf", styles / "house.ttf")
    shutil.copy(fonts / "DejaVuSerif-Bold.ttf", styles / "house-bold.ttf")
    Image.new("RGB", (120, 40), (31, 56, 100)).save(styles / "logo.png")
    docx.Document().save(str(styles / "org.docx"))
    style = styles / "house.yaml"
    style.write_text("extends: default\nreference_docx: org.docx\ncover: {logo: logo.png}\n"
                     "fonts:\n  body: house\n  headings: house\n  families:\n"
                     "    house: {name: House Serif, regular: house.ttf, bold: house-bold.ttf}\n")
    return briefs, style, out


def test_a_cluster_of_other_users_builds_every_pack_byte_identical(tmp_path: Path,
                                                                   scratch: Path) -> None:
    require_cluster_tools(scratch)
    from distributed import Client

    from briefgen import bundle

    briefs, style, out = make_inputs(tmp_path)
    formats = "pdf,docx,html"
    cluster = Cluster(scratch, workers=2)
    try:
        with Client(cluster.address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            # the workers are nobody, and can neither read the briefs nor write the output
            assert set(client.run(os.getuid).values()) == {65534}
            assert not any(client.run(os.access, str(briefs), os.R_OK | os.X_OK).values())
            assert not any(client.run(os.access, str(style.parent), os.R_OK).values())
            assert not any(client.run(os.access, str(out), os.W_OK).values())
            result = briefgen.build_many([briefs], out, style=style, formats=formats,
                                         executor=client.get_executor())
            stats = client.run(bundle.worker_stats)
        bad = briefs / "bad.yaml"
        assert list(result.failed) == [str(bad)]
        assert f"{bad}:2:1: YAML syntax error" in str(result.failed[str(bad)])
        good = sorted(p for p in briefs.iterdir() if p != bad)
        assert sorted(result.written) == [str(p) for p in good]
        # the style's four files (two fonts, logo, reference) went once to each worker
        # that rendered, and every brief was rendered by one of them
        assert all(s["uid"] == 65534 for s in stats.values())
        assert sum(s["tasks"] for s in stats.values()) == len(good)
        for s in stats.values():
            assert (s["contexts"], s["files_written"]) == ((1, 4) if s["tasks"] else (0, 0))
        local = briefgen.build_many([briefs], tmp_path / "local", style=style, formats=formats,
                                    jobs=1)
        assert local.failed.keys() == result.failed.keys()
        names = sorted(p.name for p in out.iterdir())
        assert names == sorted(f"{p.stem}.{f}" for p in good for f in formats.split(","))
        for name in names:
            assert (out / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
        # ... and the same bytes as a plain one-brief build, which reads the caller's files
        pack = briefgen.build(briefs / "b1.yaml", style=style, formats=formats)
        for fmt in formats.split(","):
            assert (out / f"b1.{fmt}").read_bytes() == pack.outputs[fmt]
        assert b"DejaVuSerif-" in pack.pdf  # the style's own font (named with its digest)
    finally:
        cluster.stop()
    # the workers removed their asset folders as they stopped
    leftovers = list(scratch.rglob("briefgen-assets-*"))
    assert leftovers == []


def test_nothing_a_worker_receives_names_a_file_of_the_callers(tmp_path: Path) -> None:
    """The batch's shared data and each brief's task, as pickled for a worker, hold the
    style's files as bytes and no path of the caller's; an error a worker reports about one of
    those files comes back naming the caller's file."""
    import pickle

    from briefgen import bundle
    from briefgen.errors import BriefError, Diagnostic
    from briefgen.pipeline import BuildOptions, load, prepare

    _briefs, style_file, _out = make_inputs(tmp_path)
    opts = BuildOptions(style=style_file, formats="pdf,docx")
    document, style, _ = prepare(load(tmp_path / "briefs" / "b0.yaml"), opts)
    context = bundle.make_context(style, ("pdf", "docx"))
    sent = pickle.dumps(context) + pickle.dumps(bundle.Task(0, document))
    assert str(tmp_path).encode() not in sent and b"house.ttf" not in sent
    assert b"logo.png" not in sent and b"org.docx" not in sent
    assert (tmp_path / "style" / "logo.png").read_bytes() in sent
    assert len(context.files) == 4 and context.size() == sum(
        (tmp_path / "style" / n).stat().st_size
        for n in ("house.ttf", "house-bold.ttf", "logo.png", "org.docx"))
    logo = context.style.cover.logo
    assert logo is not None and not logo.is_absolute()
    error = BriefError([Diagnostic(logo.name, None, None, "cover.logo", "cannot be read")])
    names = {p.name: q for p, q in zip(bundle._paths(context.style), bundle._paths(style))}
    back = bundle.caller_error(error, names, "b0.yaml")
    assert str(back) == f"{tmp_path / 'style' / 'logo.png'}: cover.logo: cannot be read"
