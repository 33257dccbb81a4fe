"""Batches: many briefs on a local process pool or any executor (a Dask cluster, say).

The caller reads, checks and composes each brief (its errors located in the caller's files and
lines), and sends a worker only data (:mod:`briefgen.bundle`): the batch's style and the files it
names once per worker, then each brief's composed document. Workers render and hand the bytes
back; the caller writes each pack whole (:mod:`briefgen.output`). So a worker on another
machine, or running as a user who cannot read the briefs nor write the output folder, builds
the same bytes as a local worker; and at most a few briefs per worker are in flight at once,
so a batch of thousands never holds thousands of packs in memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BriefgenError, Diagnostic, InternalError, OutputError
from .loader import expand_inputs
from .output import check_folder, commit, pack_targets
from .pipeline import BuildOptions, _warn, load, prepare, prepare_style, usable_cores
from .style import Style

if TYPE_CHECKING:  # concurrent.futures (and logging) load only for a batch
    import threading
    from concurrent.futures import Executor, Future

    from .bundle import Context, Rendered, Task

__all__ = ["BatchResult", "ProgressCallback", "ResultCallback", "build_many", "expand_inputs"]

#: briefs in flight per worker: enough to keep each busy while the caller composes and
#: writes, few enough that the packs waiting to be written stay a handful
IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True)
class BatchResult:
    """The outcome of building several briefs: what was written, and what failed and why."""

    written: dict[str, list[Path]]
    failed: dict[str, BriefgenError]

    @property
    def ok(self) -> bool:
        return not self.failed


ProgressCallback = Callable[[int, int, str, bool], None]
"""Called after each brief of a batch: (done, total, brief path, succeeded)."""
ResultCallback = Callable[[str, "list[Path] | BriefgenError"], None]
"""Called as each brief of a batch ends: (brief path, the files written or the error)."""


def _clashes(paths: Sequence[Path]) -> dict[str, BriefgenError]:
    """Briefs of one batch whose packs would have the same name (``a/x.yaml``, ``b/x.json``):
    each is refused, naming the others, rather than one overwriting another."""
    by_stem: dict[str, list[Path]] = {}
    for p in paths:
        by_stem.setdefault(p.stem.casefold(), []).append(p)
    out: dict[str, BriefgenError] = {}
    for group in by_stem.values():
        if len(group) > 1:
            for p in group:
                others = ", ".join(str(q) for q in group if q != p)
                out[str(p)] = OutputError([Diagnostic(
                    str(p), None, None, "output", f"has the same name as {others}: their "
                    f"packs would overwrite each other; rename one, or build them into "
                    "different folders")])
    return out


# --------------------------------------------------------------------------------------------
# Workers: the local pool, and where the batch's shared data goes


def _start_worker(context: Context, parent: int) -> None:
    """A pool worker leaves Ctrl-C to the process that started it (which stops the batch: an
    interrupt landing in a worker as it hands back a result could hang the pool), ends when
    that process ends however it ends (``kill``, ``kill -9``: a worker left behind would wait
    forever on a pipe no one reads), and is given the batch's shared data once, at start."""
    import signal

    from .bundle import install
    from .workers import die_with

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with(parent)
    install(context)


@contextmanager
def _process_pool(workers: int, context: Context) -> Iterator[Executor]:
    """A process pool of ``workers`` that ignore Ctrl-C and hold ``context``; on an interrupt
    or any error, the briefs not started are cancelled."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                             initargs=(context, os.getpid())) as pool:
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # the running briefs end soon
            raise


class _Channel:
    """How the batch's :class:`~briefgen.bundle.Context` reaches an executor's workers, once
    per worker where the executor allows it: on our own pool, the workers hold it from the
    start and each task names it by key; on a Dask cluster (``Client.get_executor()``) it is
    scattered to every worker (``broadcast=True``; a worker joining later fetches it from a
    peer) and each task takes the future, which Dask resolves on the worker to the copy it
    holds; any other executor receives it with each task (a thread pool shares it, a process
    executor of another kind pickles it each time; the files are still written once per
    worker process)."""

    def __init__(self, executor: Executor, context: Context, *, installed: bool) -> None:
        self.executor = executor
        self.extra: dict[str, Any] = {}
        self.client = None
        self.ref: Any = context.key if installed else context
        client: Any = getattr(executor, "_client", None)
        if not installed and hasattr(client, "scatter") and hasattr(client, "nthreads"):
            self.client = client
            self.ref = client.scatter(context, broadcast=True, hash=False)
            self.extra = {"pure": False}

    def slots(self) -> int:
        """How many briefs to keep in flight."""
        if self.client is not None:
            workers = sum(self.client.nthreads().values()) or 1
        else:
            workers = getattr(self.executor, "_max_workers", None) or usable_cores()
        return IN_FLIGHT_PER_WORKER * workers

    def submit(self, task: Task) -> Future[Any]:
        from .bundle import render_task

        return self.executor.submit(render_task, self.ref, task, **self.extra)

    def close(self) -> None:
        if self.client is not None:
            self.ref.release()
            self.client = None


# --------------------------------------------------------------------------------------------
# The batch


class _Batch:
    """One run of :func:`build_many`: the briefs, what has become of each, and the caller's
    side of the work (compose before, write after)."""

    def __init__(self, paths: list[Path], output_dir: str | os.PathLike[str],
                 opts: BuildOptions, progress: ProgressCallback | None,
                 on_result: ResultCallback | None) -> None:
        self.paths, self.output_dir, self.opts = paths, output_dir, opts
        self.progress, self.on_result = progress, on_result
        self.results: dict[str, list[Path] | BriefgenError] = {}
        self.warnings: dict[int, list[Diagnostic]] = {}
        self.names: dict[str, Path] = {}  # a context's file names -> the caller's files
        self.style: Style | None = None

    def record(self, name: str, outcome: list[Path] | BriefgenError) -> None:
        self.results[name] = outcome
        if self.on_result:
            self.on_result(name, outcome)
        if self.progress:
            self.progress(len(self.results), len(self.paths), name,
                          not isinstance(outcome, BaseException))

    def context(self) -> Context:
        """The style (and reference document) every brief shares, checked and read once."""
        from .bundle import _paths, make_context

        st = self.style = prepare_style(self.opts)
        assert isinstance(self.opts.formats, tuple)
        ctx = make_context(st, self.opts.formats, self.opts.parallel)
        portable = _paths(ctx.style)
        self.names = {p.name: q for p, q in zip(portable, _paths(st))}
        return ctx

    def task(self, index: int) -> Task | None:
        """Brief ``index`` read, checked and composed here (None, recorded, if it fails)."""
        from .bundle import Task

        path = self.paths[index]
        try:
            document, _style, warnings = prepare(load(path), self.opts, self.style)
        except BriefgenError as e:
            self.record(str(path), e)
            return None
        except Exception as e:
            self.record(str(path), InternalError(f"{path}: internal error: "
                                                 f"{type(e).__name__}: {e}"))
            return None
        self.warnings[index] = warnings
        return Task(index, document)

    def write(self, index: int, outcome: Rendered | BriefgenError) -> None:
        """A brief's bytes, back from a worker, written whole here (or its error recorded)."""
        from .bundle import caller_error

        path = self.paths[index]
        if isinstance(outcome, BaseException):
            self.record(str(path), caller_error(outcome, self.names, str(path)))
            return
        assert isinstance(self.opts.formats, tuple)
        targets = pack_targets(self.output_dir, path.stem, self.opts.formats)
        files = dict(zip(targets, (outcome.outputs[f] for f in self.opts.formats)))
        try:
            written: list[Path] | BriefgenError = commit(files, self.paths)
        except BriefgenError as e:
            written = e
        except OSError as e:
            written = OutputError.at(targets[0], f"cannot be written ({e.strerror or e})")
        else:
            for w in self.warnings.pop(index, ()):
                _warn(str(w))
        self.record(str(path), written)

    def run_here(self, context: Context, todo: Sequence[int]) -> None:
        """In this process, one brief after another (the same worker code, no executor)."""
        from .bundle import render_task

        for i in todo:
            task = self.task(i)
            if task is not None:
                self.write(*render_task(context, task))

    def run_on(self, channel: _Channel, todo: Sequence[int]) -> tuple[list[int], list[int]]:
        """Compose and submit the briefs, a few per worker at a time; write each as it comes
        back. Returns the briefs lost with a worker that died (a broken process pool), for the
        caller to try again alone, and those not yet started then, for a new pool; any other
        failure of the executor is that brief's failure.

        Ctrl-C is noticed between outcomes, never inside the executor's machinery or a write
        (an interrupt there could hang the pool or leave a temporary): the briefs in flight
        are cancelled, and KeyboardInterrupt is raised."""
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        queue = list(reversed(todo))
        lost: list[int] = []
        slots = channel.slots()
        running: dict[Future[Any], int] = {}
        with _deferred_interrupts() as interrupted:
            while (queue or running) and not interrupted.is_set():
                while queue and len(running) < slots and not lost:
                    index = queue.pop()
                    task = self.task(index)
                    if task is not None:
                        try:
                            running[channel.submit(task)] = index
                        except BrokenProcessPool:
                            lost.append(index)
                if not running:
                    break
                done, _ = wait(running, timeout=0.1, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=running.__getitem__):
                    index = running.pop(fut)
                    try:
                        outcome = fut.result()
                    except BrokenProcessPool:
                        lost.append(index)
                        continue
                    except Exception as e:
                        outcome = (index, InternalError(f"{type(e).__name__}: {e}"))
                    self.write(*outcome)
            if interrupted.is_set():
                for fut in running:
                    fut.cancel()
                raise KeyboardInterrupt
        return sorted(lost), sorted(queue)


@contextmanager
def _deferred_interrupts() -> Iterator[threading.Event]:
    """In the main thread, turn Ctrl-C into an event the caller checks when it is safe to
    stop (elsewhere, or where the program has its own handler, nothing changes)."""
    import signal
    import threading

    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield flag
        return
    previous = signal.signal(signal.SIGINT, lambda _sig, _frame: flag.set())
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def build_many(inputs: Sequence[str | os.PathLike[str]], output_dir: str | os.PathLike[str],
               options: BuildOptions | None = None, /, *,
               jobs: int | None = None, executor: Executor | None = None,
               progress: ProgressCallback | None = None,
               on_result: ResultCallback | None = None, **overrides: Any) -> BatchResult:
    """Build every brief; a bad one is reported and does not stop the others.

    ``on_result(path, outcome)`` hears of each brief as it ends (the files written, or the
    error), in the order they end; ``progress`` then counts it.

    Runs on ``executor`` when given (any :class:`concurrent.futures.Executor`: a process pool,
    a Dask ``Client.get_executor()``...), else on a process pool of ``jobs`` workers (default:
    the cores this process may use), or in this process when ``jobs`` is 1 or there is one
    brief. This process reads, checks and composes each brief and writes each pack as it comes
    back (all its files or none); workers receive only data (see :mod:`briefgen.bundle`) and
    only render, so they need no access to the briefs, the style's files or the output folder,
    and one that dies leaves nothing in the output folder. A worker of the local pool that dies
    (killed, out of memory) fails only the brief it was building: the briefs it took down with
    it are built again, each in a process of its own (on Dask, the scheduler retries a lost
    worker's tasks elsewhere). On an interrupt (Ctrl-C) the briefs not yet started are
    cancelled. Two briefs whose packs would have the same name both fail, and a pack never
    overwrites an input of the batch."""
    opts = BuildOptions.of(options, **overrides)
    paths = expand_inputs(inputs)
    batch = _Batch(paths, output_dir, opts, progress, on_result)
    clashes = _clashes(paths)
    for p in paths:
        if str(p) in clashes:
            batch.record(str(p), clashes[str(p)])
    todo = [i for i, p in enumerate(paths) if str(p) not in clashes]
    if todo:
        check_folder(Path(output_dir), make=False)
        try:
            context = batch.context()
        except BriefgenError as e:  # the style or reference document: every brief fails
            for i in todo:
                batch.record(str(paths[i]), e)
            todo = []
    workers = jobs or usable_cores()
    if not todo:
        pass
    elif executor is None and (workers == 1 or len(todo) <= 1):
        batch.run_here(context, todo)
    elif executor is not None:
        channel = _Channel(executor, context, installed=False)
        try:
            lost, rest = batch.run_on(channel, todo)
        finally:
            channel.close()
        for index in lost + rest:  # the executor broke (a process pool whose worker died)
            batch.record(str(paths[index]), InternalError(
                f"{paths[index]}: the executor stopped before it was built"))
    else:
        rest = todo
        while rest:
            with _process_pool(min(workers, len(rest)), context) as pool:
                lost, rest = batch.run_on(_Channel(pool, context, installed=True), rest)
            for index in lost:  # alone: a brief that kills its worker again fails alone
                with _process_pool(1, context) as pool:
                    if any(batch.run_on(_Channel(pool, context, installed=True), [index])):
                        batch.record(str(paths[index]), InternalError(
                            f"{paths[index]}: the process building it stopped unexpectedly "
                            "(it crashed or ran out of memory)"))
    order = {str(p): i for i, p in enumerate(paths)}
    ordered = sorted(batch.results.items(), key=lambda kv: order[kv[0]])
    return BatchResult({k: v for k, v in ordered if not isinstance(v, BaseException)},
                       {k: v for k, v in ordered if isinstance(v, BaseException)})
