"""Build bundles: what a batch worker needs to render, as data, never as a path.

A batch's caller reads and checks everything once (the briefs, the style, the template, the
reference document) and composes each brief into its :class:`~briefgen.document.Document`; a
worker (a process of the local pool, or a Dask worker on another machine, as another user)
only renders, from data alone:

* :class:`Context`, shared by every brief of a batch: the style with each file it names (the
  cover logo, the reference document, the analyst's own font files) replaced by a name made of
  the file's content hash, and those files' bytes, once each. It goes once to each worker
  (the local pool's initializer; Dask's ``scatter(..., broadcast=True)``), and a worker writes
  the files once into a private temporary folder of its own (``briefgen-assets-*``, removed when
  the worker process ends), where the renderers read them as they read the caller's;
* :class:`Task`, one per brief: the composed document and the brief's index in the batch.

The worker hands back the bytes of each format (:class:`Rendered`) or the error, worded in the
caller's terms: an error naming a worker's file names the caller's file instead. The caller
writes every file (:mod:`briefgen.output`). The same functions serve the local process pool, so
local and cluster builds give the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .document import Document
from .errors import BriefError, BriefgenError, Diagnostic, InternalError
from .fonts import Family, FamilyKey
from .style import FontFiles, Style

__all__ = ["Context", "Rendered", "Task", "make_context", "render_task", "worker_stats"]


@dataclass(frozen=True)
class Context:
    """What every brief of a batch shares, as data. ``style`` names each file by its key in
    ``files`` (``<sha256>-<n><suffix>``: the same content under two names of the caller's
    stays two files, as the renderers would see it); ``files`` maps that name to the content
    hash, and ``assets`` each hash to the bytes, once."""

    key: str
    style: Style
    files: dict[str, str]
    assets: dict[str, bytes]
    formats: tuple[str, ...]
    parallel: bool = False

    def size(self) -> int:
        """The bytes of every file it carries."""
        return sum(len(b) for b in self.assets.values())


@dataclass(frozen=True)
class Task:
    """One brief of a batch: its index (the caller knows which file that is) and its
    composed, styled document."""

    index: int
    document: Document


@dataclass(frozen=True)
class Rendered:
    """The bytes of each format of one brief, rendered by a worker."""

    outputs: dict[str, bytes]


# --------------------------------------------------------------------------------------------
# The caller's side


def _relocate(style: Style, where: Callable[[Path], Path]) -> Style:
    """The style with every file it names moved to ``where(path)``; a font family keeps its
    key (the name the PDF registers it under), so the bytes are the same."""
    update: dict[str, Any] = {}
    if style.cover.logo is not None:
        update["cover"] = style.cover.model_copy(update={"logo": where(style.cover.logo)})
    if style.reference_docx is not None:
        update["reference_docx"] = where(style.reference_docx)
    fonts: dict[str, Any] = {}
    for slot in ("body", "headings"):
        key = getattr(style.fonts, slot)
        if isinstance(key, FamilyKey):
            fam = key.family
            fonts[slot] = FamilyKey(Family(fam.key, fam.name, where(fam.regular), where(fam.bold),
                                           where(fam.italic), where(fam.bold_italic)), key.own)
    if style.fonts.families:
        fonts["families"] = {
            name: FontFiles(name=f.name, regular=where(f.regular),
                            **{face: where(getattr(f, face)) for face in
                               ("bold", "italic", "bold_italic") if getattr(f, face) is not None})
            for name, f in style.fonts.families.items()}
    if fonts:
        update["fonts"] = style.fonts.model_copy(update=fonts)
    return style.model_copy(update=update) if update else style


def _paths(style: Style) -> list[Path]:
    found: list[Path] = []
    _relocate(style, lambda p: found.append(p) or p)  # type: ignore[func-returns-value]
    return list(dict.fromkeys(found))


def make_context(style: Style, formats: tuple[str, ...], parallel: bool = False) -> Context:
    """The batch's shared data: the style's files read once, named by their content."""
    names: dict[Path, Path] = {}
    files: dict[str, str] = {}
    assets: dict[str, bytes] = {}
    for path in _paths(style):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        n = sum(1 for h in files.values() if h == digest)
        name = f"{digest}-{n}{path.suffix.lower()}"
        names[path], files[name], assets[digest] = Path(name), digest, data
    portable = _relocate(style, names.__getitem__)
    key = hashlib.sha256(pickle.dumps((portable, sorted(files.items()), formats, parallel),
                                      protocol=5)).hexdigest()
    return Context(key, portable, files, assets, formats, parallel)


def caller_error(error: BriefgenError, names: dict[str, Path],
                 brief: str) -> BriefgenError:
    """A worker's error in the caller's terms: a file of the context named by the caller's
    path (``names``: name in the context -> the caller's file), an unexpected fault prefixed
    with the brief's file."""
    def fix(text: str) -> str:
        for name, path in names.items():
            text = text.replace(name, str(path))
        return text

    if isinstance(error, BriefError):
        return type(error)([Diagnostic(fix(d.file), d.line, d.column, d.path, fix(d.message))
                            for d in error.diagnostics])
    return type(error)(f"{brief}: {fix(str(error))}")


# --------------------------------------------------------------------------------------------
# The worker's side

#: contexts a worker process was given at start (the local pool's initializer), by key
_INSTALLED: dict[str, Context] = {}
#: the style of each context with its files in this worker's folder, by key
_LOCAL: dict[str, Style] = {}
_LOCK = threading.Lock()
_FOLDER: list[Path] = []
_STATS = {"contexts": 0, "files_written": 0, "tasks": 0}


def install(context: Context) -> None:
    """Give this worker process a batch's context (a process pool's initializer)."""
    _INSTALLED[context.key] = context


def worker_stats() -> dict[str, Any]:
    """This worker process's counts (contexts made local, files written, tasks run), its
    user id and its asset folder: what a test asks a worker."""
    return {**_STATS, "uid": os.getuid() if hasattr(os, "getuid") else None,
            "folder": str(_FOLDER[0]) if _FOLDER else None}


def _folder() -> Path:
    """This process's private asset folder, made on first use and removed when the process
    ends (a pool's worker process included: multiprocessing runs its finalizers at exit)."""
    if not _FOLDER:
        import shutil
        import tempfile
        from multiprocessing import util

        folder = Path(tempfile.mkdtemp(prefix="briefgen-assets-"))
        util.Finalize(None, shutil.rmtree, args=(str(folder), True), exitpriority=10)
        _FOLDER.append(folder)
    return _FOLDER[0]


def local_style(context: Context) -> Style:
    """The context's style with its files in this worker's folder (written there once)."""
    with _LOCK:
        style = _LOCAL.get(context.key)
        if style is None:
            folder = _folder() if context.files else Path()
            for name, digest in context.files.items():
                target = folder / name
                if not target.exists():
                    tmp = folder / f".{name}.{os.getpid()}.part"
                    tmp.write_bytes(context.assets[digest])
                    os.replace(tmp, target)
                    _STATS["files_written"] += 1
            style = _LOCAL[context.key] = _relocate(context.style, lambda p: folder / p.name)
            _STATS["contexts"] += 1
        return style


def render_task(context: Context | str, task: Task) -> tuple[int, Rendered | BriefgenError]:
    """Render one brief of a batch in a worker: its formats' bytes, or its error (returned,
    not raised, so that one bad brief is only its own failure). ``context`` is the batch's
    :class:`Context`, or its key where the process was given it at start."""
    from .pipeline import render_all

    try:
        ctx = context if isinstance(context, Context) else _INSTALLED[context]
        style = local_style(ctx)
        _STATS["tasks"] += 1
        outputs = render_all(task.document, style, ctx.formats, parallel=ctx.parallel)
        return task.index, Rendered(outputs)
    except BriefgenError as e:
        return task.index, _worker_terms(e)
    except Exception as e:
        return task.index, InternalError(f"internal error: {type(e).__name__}: {e}")


def _worker_terms(error: BriefgenError) -> BriefgenError:
    """An error with this worker's asset folder taken out of it (the caller puts its own
    file names in; see :func:`caller_error`)."""
    if not _FOLDER:
        return error
    prefix = str(_FOLDER[0]) + os.sep
    if isinstance(error, BriefError):
        return type(error)([Diagnostic(d.file.replace(prefix, ""), d.line, d.column, d.path,
                                       d.message.replace(prefix, ""))
                            for d in error.diagnostics])
    return type(error)(str(error).replace(prefix, ""))
