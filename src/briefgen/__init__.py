"""briefgen: structured briefs in, printable PDF and editable DOCX briefing packs out.

The public API::

    import briefgen

    brief = briefgen.load_brief("briefs/nagorno-karabakh-2023-09-ceasefire.yaml")
    pack = briefgen.build(brief)                    # in memory: pack.pdf, pack.docx (bytes)
    briefgen.build_files("brief.yaml", "out/")      # writes out/brief.pdf and out/brief.docx
    briefgen.build_many(["briefs/"], "out/")        # a folder of briefs; bad ones reported
    opts = briefgen.BuildOptions(style="uk-brief", formats="pdf")
    briefgen.build(brief, opts)                     # the same options for every function

A brief may be a file path, YAML/JSON text (:func:`parse_brief`), a ``dict`` or a
:class:`Brief`. Every build function takes a :class:`BuildOptions` (or, for short, its fields as
keyword arguments: ``build(brief, style="uk-brief")``). Invalid input raises
:class:`BriefError`, whose ``diagnostics`` list every problem as
``file:line:column: field.path: message``; every error briefgen raises is a
:class:`BriefgenError` (see :mod:`briefgen.errors`), and what it warns a :class:`BriefgenWarning`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from .errors import (
    BriefError,
    BriefgenError,
    BriefgenWarning,
    BriefWarning,
    Diagnostic,
    InputError,
    InternalError,
    OutputError,
    RenderError,
)

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from .batch import BatchResult
    from .document import Document
    from .model import Brief
    from .pipeline import BuildOptions, Pack
    from .style import Style, load_style

#: the public names defined elsewhere, imported on first use: ``import briefgen`` (and so
#: every ``briefgen`` command) costs only what it uses, not the brief model, the templates
#: and the package metadata each time (tests/test_imports.py holds each command to its list)
_LAZY = {"BatchResult": "batch", "Document": "document", "Brief": "model",
         "BuildOptions": "pipeline", "Pack": "pipeline", "Style": "style",
         "load_style": "style"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    elif name == "__version__":
        from importlib import metadata

        try:
            value = metadata.version("briefgen")
        except metadata.PackageNotFoundError:  # a source tree on sys.path, not installed
            value = "0+unknown"
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"__version__"})


__all__ = [
    "BatchResult", "Brief", "BriefError", "BriefWarning", "BriefgenError", "BriefgenWarning",
    "BuildOptions", "Diagnostic", "Document", "InputError", "InternalError", "OutputError",
    "Pack", "RenderError", "Style", "__version__", "build", "build_files", "build_many",
    "compose_brief", "load_brief", "load_style", "parse_brief",
]

BriefSource: TypeAlias = "str | os.PathLike[str] | Mapping[str, Any] | Brief"
"""What the build functions accept as a brief: a file path, a mapping, or a model."""


def load_brief(source: str | os.PathLike[str] | Mapping[str, Any]) -> Brief:
    """Load and validate a brief from a YAML/JSON file path or a ``dict`` (for YAML or JSON
    *text*, use :func:`parse_brief`).

    Raises :class:`BriefError` listing every problem, located by file, line and field."""
    from .pipeline import load

    if isinstance(source, str) and ("\n" in source or source.lstrip()[:1] in ("{", "[")
                                    or ": " in source) and not os.path.exists(source):
        raise BriefError([Diagnostic(source.split("\n", 1)[0][:40] + "...", None, None, "",
                                     "load_brief takes a file path or a dict, and this looks "
                                     "like YAML or JSON text: use briefgen.parse_brief(text)")])

    return load(source).brief


def parse_brief(text: str | bytes, *, format: str = "yaml", name: str = "<string>") -> Brief:
    """Load and validate a brief from YAML (default) or JSON text; ``name`` labels errors."""
    from .pipeline import loads

    return loads(text, format=format, name=name).brief


def compose_brief(brief: BriefSource, options: BuildOptions | None = None, /,
                  **overrides: Any) -> Document:
    """The document model a pack template makes of a brief (before rendering): the options'
    ``template`` (and ``style``, where given)."""
    from .pipeline import compose_brief as _compose_brief

    return _compose_brief(brief, options, **overrides)


def build(brief: BriefSource, options: BuildOptions | None = None, /,
          **overrides: Any) -> Pack:
    """Build a pack in memory and return it: ``pack.pdf`` and ``pack.docx`` are bytes.

    ``options``: a :class:`BuildOptions` (formats, style, template, reference_doc,
    allow_missing_glyphs, parallel); keyword arguments override its fields
    (``build(brief, style="us-memo")``). A character no font can draw is a
    :class:`BriefError`, or with ``allow_missing_glyphs`` prints as � with a
    :class:`BriefWarning` and an entry in ``pack.warnings``. The same inputs always give
    byte-identical output."""
    from .pipeline import build as _build

    return _build(brief, options, **overrides)


def build_files(brief: BriefSource, output_dir: str | os.PathLike[str],
                options: BuildOptions | None = None, /, *, stem: str | None = None,
                **overrides: Any) -> list[Path]:
    """Build and write ``output_dir/<stem>.pdf`` and ``.docx``; return the paths written.

    ``stem`` defaults to the brief file's name without extension (required for a dict or
    model) and must be a plain file name. The files of a pack are written together or not at
    all: a failed build or write leaves no partial file and replaces none of the earlier
    ones, and the brief file itself is never overwritten. Raises :class:`OutputError` (a
    :class:`BriefError`) when the pack cannot be written there."""
    from .pipeline import build_files as _build_files

    return _build_files(brief, output_dir, options, stem=stem, **overrides)


def build_many(inputs: Iterable[str | os.PathLike[str]], output_dir: str | os.PathLike[str],
               options: BuildOptions | None = None, /, *,
               jobs: int | None = None, executor: Executor | None = None,
               progress: Callable[[int, int, str, bool], None] | None = None,
               on_result: Callable[[str, list[Path] | BriefgenError], None] | None = None,
               **overrides: Any) -> BatchResult:
    """Build every brief among ``inputs`` (files, or folders of ``*.yaml``/``*.json``).

    A bad brief does not stop the others: see ``result.failed``. Briefs build in parallel on a
    process pool of ``jobs`` workers (default: the cores this process may use), or on
    ``executor``: any :class:`concurrent.futures.Executor`, e.g.
    ``distributed.Client(...).get_executor()`` to spread a batch over a Dask cluster (the
    workers render; this process writes). Two briefs whose packs would share a name both
    fail. ``on_result(path, files_or_error)`` hears of each brief as it ends, and
    ``progress(done, total, path, ok)`` is called after it."""
    from .batch import build_many as _build_many

    return _build_many(list(inputs), output_dir, options, jobs=jobs, executor=executor,
                       progress=progress, on_result=on_result, **overrides)
