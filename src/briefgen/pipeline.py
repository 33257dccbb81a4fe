"""The pipeline: load → validate → compose → render → write, and nothing else.

Each stage lives in its own module; this one only strings them together for the public API
(:mod:`briefgen`) and the CLI. Renderers are imported only for the formats asked for.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .compose import compose, load_labels
from .document import Document, map_text
from .errors import BriefError, BriefgenError, BriefWarning, Diagnostic, InternalError, OutputError
from .layout import apply_style

if TYPE_CHECKING:  # concurrent.futures (and logging) load only for a batch
    import threading
    from concurrent.futures import Executor
from .fonts import missing_characters
from .loader import Positions, decode, parse_text, read_text
from .model import Brief
from .style import Style, load_style
from .validate import check_glyphs, validate_brief

FORMATS = ("pdf", "docx", "html")
DEFAULT_FORMATS = ("pdf", "docx")


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

    @property
    def html(self) -> bytes | None:
        return self.outputs.get("html")


REPLACEMENT = "\ufffd"


def _missing_in(style: Style) -> Callable[[str], list[str]]:
    fams = {style.fonts.family("body"), style.fonts.family("headings")}

    def missing(text: str) -> list[str]:
        return sorted({c for f in fams for c in missing_characters(text, f)})

    return missing


def check_fonts(loaded: Loaded, style: Style, *, replaced: bool = False) -> list[Diagnostic]:
    """Every character the style's fonts cannot draw, as one diagnostic per field (worded as
    a warning that it is printed as \ufffd when ``replaced``)."""
    missing = _missing_in(style)
    diags = check_glyphs(loaded.brief, loaded.positions, loaded.name, missing,
                         replaced=replaced)
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
    if fmt == "html":
        from .render.html import render_html

        return render_html(document, style)
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
                except BaseException as e:
                    try:
                        payload = pickle.dumps((False, e))
                    except Exception:
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


# --------------------------------------------------------------------------------------------
# Options


@dataclass(frozen=True)
class BuildOptions:
    """How to build a pack, the same for :func:`build`, :func:`build_files`,
    :func:`build_many` and :func:`briefgen.compose_brief`.

    ``formats``: ``"pdf"``, ``"docx"``, ``"pdf,docx"`` or a list (default both; kept as a
    tuple); ``style``: a shipped style name, a style file or a :class:`~briefgen.Style`;
    ``template``: a shipped template name or a template file; ``reference_doc``: an
    organisation's Word document or template whose styles, page set-up and header logo the
    DOCX takes; ``allow_missing_glyphs``: print a character no font can draw as \ufffd (with a
    :class:`~briefgen.BriefgenWarning` and an entry in ``pack.warnings``) instead of refusing
    the brief; ``parallel``: render the formats of one brief side by side, the second in a
    forked process on another core (POSIX only; it quietly renders one after the other where
    the process has other threads or one core); ``since``: an earlier version of the brief (a
    path, a mapping or a model): the pack gets a "changes since" box after the summary;
    ``track_changes`` (with ``since``): the pack holds the new text with its changes from the
    earlier version as tracked changes (revision marks in the DOCX, ``<ins>``/``<del>`` in
    HTML; the PDF prints the new text, with change bars where the style asks for them). The
    same options always give byte-identical output."""

    formats: tuple[str, ...] | str | Iterable[str] | None = DEFAULT_FORMATS
    style: str | os.PathLike[str] | Style | None = None
    template: str | os.PathLike[str] | None = None
    reference_doc: str | os.PathLike[str] | None = None
    allow_missing_glyphs: bool = False
    parallel: bool = False
    since: Any = None
    track_changes: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "formats", parse_formats(self.formats))

    @classmethod
    def of(cls, options: BuildOptions | None = None, **overrides: Any) -> BuildOptions:
        """``options`` (default: the defaults) with ``overrides`` applied: the keyword
        arguments the build functions took before there was a :class:`BuildOptions`
        (``missing_glyphs="replace"`` is ``allow_missing_glyphs=True``)."""
        if options is not None and not isinstance(options, BuildOptions):
            raise TypeError(f"options must be a BuildOptions, not {type(options).__name__}")
        if "missing_glyphs" in overrides:
            how = overrides.pop("missing_glyphs")
            if how not in ("error", "replace"):
                raise ValueError(f"missing_glyphs must be 'error' or 'replace', not {how!r}")
            overrides.setdefault("allow_missing_glyphs", how == "replace")
        if not overrides:
            return options or cls()
        return replace(options, **overrides) if options is not None else cls(**overrides)


def parse_formats(formats: str | Iterable[str] | None) -> tuple[str, ...]:
    """Formats from ``"pdf,docx"`` or a list, in order, once each; refuse an unknown one."""
    if formats is None:
        return DEFAULT_FORMATS
    wanted = [f.strip().lower() for f in (formats.split(",") if isinstance(formats, str)
                                          else formats) if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise BriefError([Diagnostic("--format", None, None, "format",
                                     f"unknown format {', '.join(bad) or '(none)'}; "
                                     f"choose from {', '.join(FORMATS)}")])
    return tuple(dict.fromkeys(wanted))


_formats = parse_formats  # its first name


# --------------------------------------------------------------------------------------------
# Build


def build(source: Any, options: BuildOptions | None = None, /, **overrides: Any) -> Pack:
    """Build a pack in memory: see :func:`briefgen.build`. Warns (a :class:`BriefWarning`)
    of each character printed as \ufffd."""
    pack = _build(load(source), BuildOptions.of(options, **overrides))
    for w in pack.warnings:
        _warn(str(w))
    return pack


def _build(loaded: Loaded, opts: BuildOptions) -> Pack:
    """The pack, its warnings in ``pack.warnings`` (not warned: the caller does)."""
    document, st, glyphs = prepare(loaded, opts)
    fmts = opts.formats
    assert isinstance(fmts, tuple)
    return Pack(document, render_all(document, st, fmts, parallel=opts.parallel), tuple(glyphs))


def prepare(loaded: Loaded, opts: BuildOptions) -> tuple[Document, Style, list[Diagnostic]]:
    """Everything a build checks and makes before rendering: the style (and the reference
    document the DOCX would take), the glyphs of every text in that style's fonts, and the
    document the template composes. Returns the styled document, the style and the warnings
    for characters printed as U+FFFD (with ``allow_missing_glyphs``; else they are errors)."""
    fmts = opts.formats
    assert isinstance(fmts, tuple)
    st = load_style(_path_or_name(opts.style))
    if opts.reference_doc is not None:
        ref = Path(opts.reference_doc)
        if not ref.is_file():
            raise BriefError([Diagnostic(str(ref), None, None, "reference_docx",
                                         "no such file (a .docx or .dotx Word document)")])
        st = st.model_copy(update={"reference_docx": ref})
    if "docx" in fmts and st.reference_docx is not None:  # refuse a bad one before any work
        from .render.docx import check_reference_docx

        check_reference_docx(st.reference_docx)
    glyphs = check_fonts(loaded, st, replaced=opts.allow_missing_glyphs)
    if glyphs and not opts.allow_missing_glyphs:
        raise BriefError(glyphs)
    template = _path_or_name(opts.template)
    if opts.since is None:
        if opts.track_changes:
            raise BriefError([Diagnostic("--track-changes", None, None, "track_changes",
                                         "needs --since OLD: the version to track changes from")])
        document = apply_style(compose(loaded.brief, template, st), st)
    else:
        document = _since(loaded, load(opts.since), template, st, opts.track_changes)
    if glyphs:
        document = replace_missing(document, st)
    return document, st, glyphs


def _since(loaded: Loaded, old: Loaded, template: Any, st: Style, track: bool) -> Document:
    """The new version's document with its "changes since" box (both versions composed with
    it, so that it is no tracked change), the changes marked when ``track``."""
    from .diff import changes_since

    changes = changes_since(old.brief, loaded.brief)
    document = apply_style(compose(loaded.brief, template, st, changes), st)
    if not track:
        return document
    from .redline import redline

    return redline(apply_style(compose(old.brief, template, st, changes), st), document)


def check(source: Any, options: BuildOptions | None = None, /,
          **overrides: Any) -> list[Diagnostic]:
    """Check a brief as a build with these options would, without rendering: the brief, the
    style, the glyphs in the style's fonts, the reference document and the template. Raises
    the :class:`BriefError` the build would raise; returns the build's warnings."""
    opts = BuildOptions.of(options, **overrides)
    _document, _style, warnings = prepare(load(source), opts)
    return warnings


def compose_brief(source: Any, options: BuildOptions | None = None, /,
                  **overrides: Any) -> Document:
    """The document model a pack template makes of a brief, before rendering (the options'
    template, and its style where one is given)."""
    opts = BuildOptions.of(options, **overrides)
    style = load_style(_path_or_name(opts.style)) if opts.style is not None else None
    return compose(load(source).brief, _path_or_name(opts.template), style)


def _path_or_name(ref: Any) -> Any:
    """A style or template reference as the loaders take it: a name, a Path, or as given."""
    return Path(ref) if isinstance(ref, os.PathLike) and not isinstance(ref, Path) else ref


def _warn(message: str) -> None:
    import warnings

    warnings.warn(message, BriefWarning, stacklevel=4)


# --------------------------------------------------------------------------------------------
# Write: a pack's files are committed together or not at all


def _check_folder(folder: Path, *, make: bool = True) -> None:
    """Make the output folder (or, without ``make``, only check that it can be made), or
    refuse it with a message naming it."""
    if folder.exists() and not folder.is_dir():
        raise OutputError.at(folder, "is a file, not a folder; name a folder for the output")
    if not make:
        above = next((p for p in folder.parents if p.exists()), None)
        if above is not None and not above.is_dir():
            raise OutputError.at(folder, f"cannot be made: {above} is a file")
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError.at(folder, "cannot be made: part of its path is a file") from None
    except OSError as e:
        raise OutputError.at(folder, f"cannot be made ({e.strerror})") from None


def check_targets(targets: Iterable[Path], protect: Iterable[Path] = ()) -> None:
    """Refuse, before any work, targets that cannot be written: a folder in the way, a file
    that is one of the inputs (``protect``), the same file twice."""
    guarded = {_identity(p) for p in protect}
    seen: dict[tuple[Any, ...], Path] = {}
    for target in targets:
        if target.is_dir():
            raise OutputError.at(target, "is a folder; move it, or write to another folder")
        ident = _identity(target)
        if ident in guarded:
            raise OutputError.at(target, "is an input of this build; it will not be "
                                         "overwritten: write to another folder")
        if ident in seen:
            raise OutputError.at(target, f"would be written twice (also as {seen[ident]})")
        seen[ident] = target


def _identity(path: Path) -> tuple[Any, ...]:
    """What makes two paths the same file: device and inode where it exists, else the
    resolved path (case-folded: on a case-insensitive disk ``A.pdf`` is ``a.pdf``)."""
    try:
        st = path.stat()
        return ("inode", st.st_dev, st.st_ino)
    except OSError:
        return ("path", str(path.resolve()).casefold())


def commit(files: Mapping[Path, bytes], protect: Iterable[Path] = ()) -> list[Path]:
    """Write every file or none: readers see the old files or the new ones, never a partial
    one, and never one format new and the other old.

    Every target is checked first (:func:`check_targets`); then each file goes to a
    temporary ``.NAME.*.part`` beside its target, flushed to disk; only when all are written
    are they renamed over their targets. An existing target keeps a hard link (or a copy) until
    the end, so that a rename that fails puts back the files already replaced. A new file
    takes the permissions the umask gives, a replaced one keeps its own. Temporaries are
    removed whatever happens, an interrupt included."""
    targets = list(files)
    for folder in dict.fromkeys(t.parent for t in targets):
        _check_folder(folder)
    check_targets(targets, protect)
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path | None] = {}
    done: list[Path] = []
    try:
        for target in targets:
            temps[target] = _write_temp(target, files[target])
        for target in targets:
            backups[target] = _keep(target)
        for target in targets:
            os.replace(temps[target], target)
            del temps[target]
            done.append(target)
    except BaseException:
        for target in reversed(done):  # put back what was replaced, remove what was new
            old = backups.get(target)
            try:
                if old is not None:
                    os.replace(old, target)
                    backups[target] = None
                else:
                    target.unlink(missing_ok=True)
            except OSError:
                pass
        raise
    finally:
        for tmp in [*temps.values(), *(b for b in backups.values() if b is not None)]:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
    return targets


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.urandom(6).hex()}.part")


def _write_temp(target: Path, data: bytes) -> Path:
    """``data`` in a new temporary file beside ``target``, flushed to disk. Its name is chosen
    before it exists, so an interrupt at any point leaves nothing the caller cannot remove."""
    tmp = _temp_name(target)
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)  # the umask applies, as for any new file
        except OSError as e:
            raise OutputError.at(target.parent, f"cannot write here ({e.strerror})") from None
        with os.fdopen(fd, "wb") as fh:
            try:
                mode = target.stat().st_mode & 0o7777  # a replaced file keeps its mode
            except OSError:
                mode = None
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _keep(target: Path) -> Path | None:
    """A second name for an existing target (a hard link, else a copy), to put it back if the
    commit fails; None if there is no target yet."""
    if not target.exists():
        return None
    keep = _temp_name(target)
    try:
        os.link(target, keep)
    except OSError:
        import shutil

        shutil.copy2(target, keep)
    return keep


def write_atomic(path: Path, data: bytes) -> None:
    """Write one file so that readers see the old file or the new one, never a partial one."""
    commit({Path(path): data})


def pack_targets(output_dir: str | os.PathLike[str], stem: str,
                 formats: Iterable[str]) -> list[Path]:
    """``output_dir/<stem>.<format>`` for each format; refuse a stem that is not a plain file
    name (``../x``, ``a/b``), which would write outside the output folder."""
    seps = {os.sep, os.altsep or os.sep, "/"}
    if not stem or stem in (".", "..") or any(c in stem for c in seps) or "\0" in stem:
        raise OutputError.at(stem, "the stem must be a plain file name, not a path: the "
                                   "pack is written inside the output folder")
    out = Path(output_dir)
    return [out / f"{stem}.{fmt}" for fmt in formats]


def build_files(source: Any, output_dir: str | os.PathLike[str],
                options: BuildOptions | None = None, /, *, stem: str | None = None,
                **overrides: Any) -> list[Path]:
    """Build and write ``DIR/<stem>.pdf`` and ``DIR/<stem>.docx``: see
    :func:`briefgen.build_files`."""
    opts = BuildOptions.of(options, **overrides)
    protect: list[Path] = []
    if isinstance(source, (str, os.PathLike)):
        protect.append(Path(source))
        if stem is None:
            stem = Path(source).stem
    elif stem is None:
        raise TypeError("stem= is required when the brief is not a file")
    if isinstance(opts.since, (str, os.PathLike)):
        protect.append(Path(opts.since))  # the earlier version is an input too
    assert isinstance(opts.formats, tuple)
    targets = pack_targets(output_dir, stem, opts.formats)
    _check_folder(Path(output_dir), make=False)
    check_targets(targets, protect)  # refuse before the work, and again when writing
    pack = build(source, opts)
    return commit(dict(zip(targets, (pack.outputs[f] for f in opts.formats))), protect)


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


@dataclass(frozen=True)
class _Rendered:
    """One brief of a batch, rendered in a worker and sent back to be written by the caller
    (a worker never writes in the output folder: one killed mid-way leaves nothing there)."""

    files: dict[Path, bytes]
    warnings: tuple[Diagnostic, ...]


def _build_one(path: Path, output_dir: str | os.PathLike[str],
               options: BuildOptions) -> tuple[str, _Rendered | BriefgenError]:
    """One brief of a batch; runs in a worker, so it returns failures instead of raising."""
    try:
        assert isinstance(options.formats, tuple)
        targets = pack_targets(output_dir, path.stem, options.formats)
        pack = _build(load(path), options)
        return str(path), _Rendered(dict(zip(targets, (pack.outputs[f] for f in options.formats))),
                                    pack.warnings)
    except BriefgenError as e:
        return str(path), e
    except Exception as e:
        return str(path), InternalError(f"{path}: internal error: {type(e).__name__}: {e}")


def _ignore_interrupts() -> None:
    """A batch worker leaves Ctrl-C to the process that started it (which stops the batch):
    an interrupt landing in a worker as it hands back a result could hang the pool."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _process_pool(workers: int) -> Iterator[Executor]:
    """A process pool of ``workers`` whose workers ignore Ctrl-C; on an interrupt or any
    error, the briefs not started are cancelled."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts) as pool:
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # the running briefs end soon
            raise


def usable_cores() -> int:
    """The cores this process may run on (a container's or ``taskset``'s limit included)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _run_on(executor: Executor, paths: Sequence[Path], output_dir: str | os.PathLike[str],
            options: BuildOptions,
            record: Callable[[str, _Rendered | BriefgenError], None]) -> list[Path]:
    """Submit every brief, record each outcome as it comes; return the briefs lost with a
    worker that died (a broken process pool), for the caller to try again. Any other failure
    of the executor is that brief's failure.

    Ctrl-C is noticed between outcomes, never inside the executor's machinery or a write
    (an interrupt there could hang the pool or leave a temporary): the briefs not started
    are cancelled, and KeyboardInterrupt is raised."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    order = {p: i for i, p in enumerate(paths)}
    lost: list[Path] = []
    with _deferred_interrupts() as interrupted:
        futures = {executor.submit(_build_one, path, output_dir, options): path
                   for path in paths}
        pending = set(futures)
        while pending and not interrupted.is_set():
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: order[futures[f]]):
                path = futures[fut]
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    lost.append(path)
                    continue
                except Exception as e:
                    outcome = (str(path), InternalError(f"{path}: {type(e).__name__}: {e}"))
                record(*outcome)
        if interrupted.is_set():
            for fut in pending:
                fut.cancel()
            raise KeyboardInterrupt
    return sorted(lost, key=order.__getitem__)


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
    brief. Workers only render; this process writes each pack as it comes back (all its files
    or none), so a worker that dies leaves nothing in the output folder. A worker that dies
    (killed, out of memory) fails only the brief it was building: the briefs it took down with
    it are built again, each in a process of its own. On an interrupt (Ctrl-C) the briefs not
    yet started are cancelled. Two briefs whose packs would have the same name both fail, and
    a pack never overwrites an input of the batch."""
    opts = BuildOptions.of(options, **overrides)
    paths = expand_inputs(inputs)
    results: dict[str, list[Path] | BriefgenError] = {}

    def record(name: str, outcome: _Rendered | list[Path] | BriefgenError) -> None:
        if isinstance(outcome, _Rendered):  # rendered by a worker: write it here, whole
            rendered = outcome
            try:
                outcome = commit(rendered.files, paths)
            except BriefgenError as e:
                outcome = e
            except OSError as e:
                outcome = OutputError.at(next(iter(rendered.files)),
                                         f"cannot be written ({e.strerror or e})")
            else:
                for w in rendered.warnings:
                    _warn(str(w))
        results[name] = outcome
        if on_result:
            on_result(name, outcome)
        if progress:
            progress(len(results), len(paths), name, not isinstance(outcome, BaseException))

    clashes = _clashes(paths)
    todo = [p for p in paths if str(p) not in clashes]
    for p in paths:
        if str(p) in clashes:
            record(str(p), clashes[str(p)])
    if todo:
        _check_folder(Path(output_dir), make=False)
    workers = jobs or usable_cores()
    if executor is None and (workers == 1 or len(todo) <= 1):
        for path in todo:
            record(*_build_one(path, output_dir, opts))
    elif executor is not None:
        _run_on(executor, todo, output_dir, opts, record)
    else:
        with _process_pool(min(workers, len(todo))) as pool:
            lost = _run_on(pool, todo, output_dir, opts, record)
        for path in lost:  # alone this time: a brief that kills its worker again fails alone
            with _process_pool(1) as pool:
                if _run_on(pool, [path], output_dir, opts, record):
                    record(str(path), InternalError(
                        f"{path}: the process building it stopped unexpectedly (it crashed "
                        "or ran out of memory)"))
    order = {str(p): i for i, p in enumerate(paths)}
    ordered = sorted(results.items(), key=lambda kv: order[kv[0]])
    return BatchResult({k: v for k, v in ordered if not isinstance(v, BaseException)},
                       {k: v for k, v in ordered if isinstance(v, BaseException)})
