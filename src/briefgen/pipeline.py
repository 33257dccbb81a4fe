"""The pipeline: load → validate → compose → render → write, and nothing else.

Each stage lives in its own module; this one only strings them together for the public API
(:mod:`briefgen`) and the CLI. Renderers are imported only for the formats asked for.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .compose import compose, load_labels
from .layout import apply_style
from .document import Document, map_text
from .errors import BriefError, BriefgenError, Diagnostic, InternalError

if TYPE_CHECKING:  # concurrent.futures (and logging) load only for a batch
    from concurrent.futures import Executor
from .fonts import family, missing_characters
from .loader import Positions, decode, parse_text, read_text
from .model import Brief
from .style import Style, load_style
from .validate import check_glyphs, validate_brief

FORMATS = ("pdf", "docx")


@dataclass(frozen=True)
class Loaded:
    """A valid brief with where it came from (for error positions)."""

    brief: Brief
    name: str
    positions: Positions | None = None


# --------------------------------------------------------------------------------------------
# Load and validate


def load(source: str | os.PathLike[str] | Mapping[str, Any] | Brief | Loaded,
         *, name: str | None = None) -> Loaded:
    """Load and validate a brief from a path, a mapping, or a model (already valid)."""
    if isinstance(source, Loaded):
        return source
    if isinstance(source, Brief):
        return Loaded(source, name or "<brief>")
    if isinstance(source, Mapping):
        label = name or "<dict>"
        return Loaded(validate_brief(dict(source), None, label), label)
    path = Path(source)
    text = read_text(path)
    data, positions = parse_text(text, str(path))
    return Loaded(validate_brief(data, positions, str(path)), str(path), positions)


def loads(text: str | bytes, *, format: str = "yaml", name: str = "<string>") -> Loaded:
    """Load and validate a brief from YAML or JSON text."""
    if isinstance(text, bytes):
        text = decode(text, name)
    data, positions = parse_text(text, name, fmt=format)
    return Loaded(validate_brief(data, positions, name), name, positions)


# --------------------------------------------------------------------------------------------
# Build


@dataclass(frozen=True)
class Pack:
    """A built pack: the composed document and the bytes of each requested format."""

    document: Document
    outputs: dict[str, bytes] = field(default_factory=dict)
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def pdf(self) -> bytes | None:
        return self.outputs.get("pdf")

    @property
    def docx(self) -> bytes | None:
        return self.outputs.get("docx")


def _formats(formats: str | Iterable[str] | None) -> tuple[str, ...]:
    if formats is None:
        return FORMATS
    wanted = [f.strip().lower() for f in (formats.split(",") if isinstance(formats, str)
                                          else formats) if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise BriefError([Diagnostic("--format", None, None, "format",
                                     f"unknown format {', '.join(bad) or '(none)'}; "
                                     f"choose from {', '.join(FORMATS)}")])
    return tuple(dict.fromkeys(wanted))


REPLACEMENT = "\ufffd"


def _missing_in(style: Style) -> Callable[[str], list[str]]:
    fams = {family(style.fonts.body), family(style.fonts.headings)}

    def missing(text: str) -> list[str]:
        return sorted({c for f in fams for c in missing_characters(text, f)})

    return missing


def check_fonts(loaded: Loaded, style: Style) -> list[Diagnostic]:
    """Every character the style's fonts cannot draw, as one diagnostic per field."""
    missing = _missing_in(style)
    diags = check_glyphs(loaded.brief, loaded.positions, loaded.name, missing)
    labels = load_labels(loaded.brief.language)
    for key, value in labels.items():
        if isinstance(value, str) and missing(value):
            diags.append(Diagnostic(loaded.name, None, None, "language",
                                    f"the label {key!r} for this language has characters the "
                                    "fonts cannot draw"))
    return diags


def replace_missing(document: Document, style: Style) -> Document:
    """The document with every character the fonts cannot draw shown as U+FFFD (�)."""
    missing = _missing_in(style)

    def fix(text: str) -> str:
        bad = missing(text)
        return "".join(REPLACEMENT if c in bad else c for c in text) if bad else text

    return map_text(document, fix)


def render(document: Document, style: Style, fmt: str) -> bytes:
    """One document in one format."""
    if fmt == "pdf":
        from .render.pdf import render_pdf

        return render_pdf(document, style)
    if fmt == "docx":
        from .render.docx import render_docx

        return render_docx(document, style)
    raise ValueError(fmt)


def render_all(document: Document, style: Style, fmts: Sequence[str], *,
               parallel: bool = False) -> dict[str, bytes]:
    """Every format of one document. With ``parallel`` (and where the system can fork, has
    more than one core and this process runs no other thread), each format after the first
    is rendered in a forked child process on another core while this one renders the first:
    a one-brief CLI build then costs about the slower format, not the sum. The bytes are the
    same either way."""
    if not (parallel and len(fmts) > 1 and _can_fork()):
        return {f: render(document, style, f) for f in fmts}
    children = {f: _Forked(render, document, style, f) for f in fmts[1:]}
    try:
        out = {fmts[0]: render(document, style, fmts[0])}
    except BaseException:  # this side failed: its error is the one to raise; reap the others
        for child in children.values():
            child.reap()
        raise
    out.update((f, child.result()) for f, child in children.items())
    return out


def _can_fork() -> bool:
    import threading

    return hasattr(os, "fork") and usable_cores() > 1 and threading.active_count() == 1


class _Forked:
    """A call run in a forked child; :meth:`result` returns its value or raises its error.
    The child shares this process's memory as it was (nothing is pickled on the way in) and
    sends its result back, pickled, through a pipe."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        import pickle

        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: run, send, and leave without running any exit handler
            os.close(read)
            try:
                try:
                    payload = pickle.dumps((True, fn(*args)))
                except BaseException as e:  # noqa: BLE001 - every failure goes to the parent
                    try:
                        payload = pickle.dumps((False, e))
                    except Exception:  # noqa: BLE001 - an error that does not pickle
                        payload = pickle.dumps((False, InternalError(f"{type(e).__name__}: {e}")))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(payload)
            finally:
                os._exit(0)
        os.close(write)
        self.read = read
        self.status: int | None = None  # the child's wait status, once reaped

    def reap(self) -> bytes:
        """Wait for the child and return what it sent (read first: the pipe is small)."""
        with os.fdopen(self.read, "rb") as pipe:
            payload = pipe.read()
        self.status = os.waitpid(self.pid, 0)[1]
        return payload

    def result(self) -> Any:
        import pickle

        payload = self.reap()
        if not payload:
            raise InternalError("a rendering process ended without a result "
                                f"(status {self.status})")
        ok, value = pickle.loads(payload)
        if not ok:
            raise value
        return value


def build(source: Any, *, formats: str | Iterable[str] | None = None,
          style: str | os.PathLike[str] | Style | None = None,
          template: str | os.PathLike[str] | None = None,
          reference_doc: str | os.PathLike[str] | None = None,
          missing_glyphs: Literal["error", "replace"] = "error",
          parallel: bool = False) -> Pack:
    """Build a pack in memory: see :func:`briefgen.build`; ``parallel``: see
    :func:`render_all`."""
    fmts = _formats(formats)
    loaded = load(source)
    st = load_style(style)
    if reference_doc is not None:
        ref = Path(reference_doc)
        if not ref.is_file():
            raise BriefError([Diagnostic(str(ref), None, None, "reference_docx",
                                         "no such file (a .docx or .dotx Word document)")])
        st = st.model_copy(update={"reference_docx": ref})
    if "docx" in fmts and st.reference_docx is not None:  # refuse a bad one before any work
        from .render.docx import check_reference_docx

        check_reference_docx(st.reference_docx)
    glyphs = check_fonts(loaded, st)
    if glyphs and missing_glyphs != "replace":
        raise BriefError(glyphs)
    document = apply_style(compose(loaded.brief, template, st), st)
    if glyphs:
        document = replace_missing(document, st)
    warnings = tuple(replace(g, message=g.message.replace(
        "it would print as a box. Remove it, or use a style whose fonts cover it",
        "printed as \ufffd")) for g in glyphs)
    for w in warnings:
        _warn(str(w))
    return Pack(document, render_all(document, st, fmts, parallel=parallel), warnings)


class BriefWarning(UserWarning):
    """Something in a brief was printed differently from how it was written."""


def _warn(message: str) -> None:
    import warnings

    warnings.warn(message, BriefWarning, stacklevel=3)


# --------------------------------------------------------------------------------------------
# Write


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a
    partial one: write a temporary file beside it, flush it to disk, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_files(source: Any, output_dir: str | os.PathLike[str], *, stem: str | None = None,
                **options: Any) -> list[Path]:
    """Build and write ``DIR/<stem>.pdf`` and ``DIR/<stem>.docx``: see
    :func:`briefgen.build_files`; ``options`` are :func:`build`'s."""
    if stem is None:
        if isinstance(source, (str, os.PathLike)):
            stem = Path(source).stem
        else:
            raise TypeError("stem= is required when the brief is not a file")
    pack = build(source, **options)
    out = Path(output_dir)
    written = []
    for fmt, data in pack.outputs.items():  # every format rendered before any is written
        target = out / f"{stem}.{fmt}"
        write_atomic(target, data)
        written.append(target)
    return written


@dataclass(frozen=True)
class BatchResult:
    """The outcome of building several briefs: what was written, and what failed and why."""

    written: dict[str, list[Path]]
    failed: dict[str, BriefgenError]

    @property
    def ok(self) -> bool:
        return not self.failed


def expand_inputs(inputs: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Brief files from paths, where a folder stands for the ``*.yaml``, ``*.yml`` and
    ``*.json`` files in it."""
    out: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir()
                              if q.suffix.lower() in (".yaml", ".yml", ".json") and q.is_file()))
        else:
            out.append(p)
    return out


def _build_one(path: Path, output_dir: str | os.PathLike[str],
               options: dict[str, Any]) -> tuple[str, list[Path] | BriefgenError]:
    """One brief of a batch; runs in a worker, so it returns failures instead of raising."""
    try:
        return str(path), build_files(path, output_dir, **options)
    except BriefgenError as e:
        return str(path), e
    except Exception as e:  # noqa: BLE001 - one bad brief must not stop the batch
        return str(path), InternalError(f"{path}: internal error: {type(e).__name__}: {e}")


def usable_cores() -> int:
    """The cores this process may run on (a container's or ``taskset``'s limit included)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _run_on(executor: Executor, paths: Sequence[Path], output_dir: str | os.PathLike[str],
            options: dict[str, Any],
            record: Callable[[str, list[Path] | BriefgenError], None]) -> list[Path]:
    """Submit every brief, record each outcome as it comes; return the briefs lost with a
    worker that died (a broken process pool), for the caller to try again. Any other failure
    of the executor is that brief's failure."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    futures = {executor.submit(_build_one, path, output_dir, options): path for path in paths}
    lost: list[Path] = []
    try:
        for fut in as_completed(futures):
            path = futures[fut]
            try:
                record(*fut.result())
            except BrokenProcessPool:
                lost.append(path)
            except Exception as e:  # noqa: BLE001 - e.g. a cluster's lost worker
                record(str(path), InternalError(f"{path}: {type(e).__name__}: {e}"))
    except BaseException:  # an interrupt: what has not started will not
        for fut in futures:
            fut.cancel()
        raise
    order = {p: i for i, p in enumerate(paths)}
    return sorted(lost, key=order.__getitem__)


ProgressCallback = Callable[[int, int, str, bool], None]
"""Called after each brief of a batch: (done, total, brief path, succeeded)."""
ResultCallback = Callable[[str, "list[Path] | BriefgenError"], None]
"""Called as each brief of a batch ends: (brief path, the files written or the error)."""


def build_many(inputs: Sequence[str | os.PathLike[str]], output_dir: str | os.PathLike[str], *,
               jobs: int | None = None, executor: Executor | None = None,
               progress: ProgressCallback | None = None,
               on_result: ResultCallback | None = None, **options: Any) -> BatchResult:
    """Build every brief; a bad one is reported and does not stop the others.

    ``on_result(path, outcome)`` hears of each brief as it ends (the files written, or the
    error), in the order they end; ``progress`` then counts it.

    Runs on ``executor`` when given (any :class:`concurrent.futures.Executor`: a process pool,
    a Dask ``Client.get_executor()``...), else on a process pool of ``jobs`` workers (default:
    the cores this process may use), or in this process when ``jobs`` is 1 or there is one
    brief. A worker that dies (killed, out of memory) fails only the brief it was building:
    the briefs it took down with it are built again, each in a process of its own. On an
    interrupt (Ctrl-C) the briefs not yet started are cancelled."""
    paths = expand_inputs(inputs)
    results: dict[str, list[Path] | BriefgenError] = {}

    def record(name: str, outcome: list[Path] | BriefgenError) -> None:
        results[name] = outcome
        if on_result:
            on_result(name, outcome)
        if progress:
            progress(len(results), len(paths), name, not isinstance(outcome, BaseException))

    workers = jobs or usable_cores()
    if executor is None and (workers == 1 or len(paths) <= 1):
        for path in paths:
            record(*_build_one(path, output_dir, options))
    elif executor is not None:
        _run_on(executor, paths, output_dir, options, record)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(workers, len(paths))) as pool:
            lost = _run_on(pool, paths, output_dir, options, record)
        for path in lost:  # alone this time: a brief that kills its worker again fails alone
            with ProcessPoolExecutor(max_workers=1) as pool:
                if _run_on(pool, [path], output_dir, options, record):
                    record(str(path), InternalError(
                        f"{path}: the process building it stopped unexpectedly (it crashed "
                        "or ran out of memory)"))
    order = {str(p): i for i, p in enumerate(paths)}
    ordered = sorted(results.items(), key=lambda kv: order[kv[0]])
    return BatchResult({k: v for k, v in ordered if not isinstance(v, BaseException)},
                       {k: v for k, v in ordered if isinstance(v, BaseException)})
