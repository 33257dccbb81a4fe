"""briefgen: structured briefs in, printable PDF and editable DOCX briefing packs out.

The public API::

    import briefgen

    brief = briefgen.load_brief("briefs/nagorno-karabakh-2023-09-ceasefire.yaml")
    pack = briefgen.build(brief)                    # in memory: pack.pdf, pack.docx (bytes)
    briefgen.build_files("brief.yaml", "out/")      # writes out/brief.pdf and out/brief.docx
    briefgen.build_many(["briefs/"], "out/")        # a folder of briefs; bad ones reported

A brief may be a file path, YAML/JSON text (:func:`parse_brief`), a ``dict`` or a
:class:`Brief`. Invalid input raises :class:`BriefError`, whose ``diagnostics`` list every problem
as ``file:line:column: field.path: message``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .document import Document
from .errors import BriefError, BriefgenError, Diagnostic, RenderError
from .model import Brief
from .pipeline import BatchResult, BriefWarning, Pack
from .style import Style, load_style

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = [
    "BatchResult", "Brief", "BriefError", "BriefWarning", "BriefgenError", "Diagnostic", "Document", "Pack",
    "RenderError", "Style", "build", "build_files", "build_many", "compose_brief", "load_brief",
    "load_style", "parse_brief",
]

BriefSource = str | os.PathLike[str] | Mapping[str, Any] | Brief
"""What the build functions accept as a brief: a file path, a mapping, or a model."""


def load_brief(source: str | os.PathLike[str] | Mapping[str, Any]) -> Brief:
    """Load and validate a brief from a YAML/JSON file path or a ``dict``.

    Raises :class:`BriefError` listing every problem, located by file, line and field."""
    from .pipeline import load

    return load(source).brief


def parse_brief(text: str | bytes, *, format: str = "yaml", name: str = "<string>") -> Brief:
    """Load and validate a brief from YAML (default) or JSON text; ``name`` labels errors."""
    from .pipeline import loads

    return loads(text, format=format, name=name).brief


def compose_brief(brief: BriefSource, *, template: str | os.PathLike[str] | None = None
                  ) -> Document:
    """The document model a pack template makes of a brief (before rendering)."""
    from .compose import compose
    from .pipeline import load

    return compose(load(brief).brief, template)


def build(brief: BriefSource, *, formats: str | Iterable[str] | None = None,
          style: str | os.PathLike[str] | Style | None = None,
          template: str | os.PathLike[str] | None = None,
          reference_doc: str | os.PathLike[str] | None = None,
          missing_glyphs: Literal["error", "replace"] = "error", parallel: bool = False) -> Pack:
    """Build a pack in memory and return it: ``pack.pdf`` and ``pack.docx`` are bytes.

    ``formats``: ``"pdf"``, ``"docx"``, ``"pdf,docx"`` or a list (default both); ``style``: a
    shipped style name, a style file or a :class:`Style`; ``template``: a shipped template name
    or a template file; ``reference_doc``: an organisation's Word document or template whose
    styles, page set-up and header logo the DOCX takes; ``missing_glyphs``: ``"error"`` (a
    character no font can draw is a :class:`BriefError`) or ``"replace"`` (it prints as �, with
    a :class:`BriefWarning` and an entry in ``pack.warnings``); ``parallel``: render the
    formats side by side, the second in a forked process on another core (POSIX only; it
    quietly renders one after the other where the process has other threads or one core).
    The same inputs always give byte-identical output."""
    from .pipeline import build as _build

    return _build(brief, formats=formats, style=style, template=template,
                  reference_doc=reference_doc, missing_glyphs=missing_glyphs, parallel=parallel)


def build_files(brief: BriefSource, output_dir: str | os.PathLike[str], *,
                formats: str | Iterable[str] | None = None,
                style: str | os.PathLike[str] | Style | None = None,
                template: str | os.PathLike[str] | None = None,
                reference_doc: str | os.PathLike[str] | None = None,
                missing_glyphs: Literal["error", "replace"] = "error",
                stem: str | None = None) -> list[Path]:
    """Build and write ``output_dir/<stem>.pdf`` and ``.docx``; return the paths written.

    ``stem`` defaults to the brief file's name without extension (required for a dict or
    model). Files are written atomically: a failed build leaves no partial file and never
    replaces a good earlier one."""
    from .pipeline import build_files as _build_files

    return _build_files(brief, output_dir, formats=formats, style=style, template=template,
                        reference_doc=reference_doc, missing_glyphs=missing_glyphs, stem=stem)


def build_many(inputs: Iterable[str | os.PathLike[str]], output_dir: str | os.PathLike[str], *,
               formats: str | Iterable[str] | None = None,
               style: str | os.PathLike[str] | Style | None = None,
               template: str | os.PathLike[str] | None = None,
               reference_doc: str | os.PathLike[str] | None = None,
               missing_glyphs: Literal["error", "replace"] = "error",
               jobs: int | None = None, executor: Executor | None = None,
               progress: Callable[[int, int, str, bool], None] | None = None,
               on_result: Callable[[str, list[Path] | BriefgenError], None] | None = None
               ) -> BatchResult:
    """Build every brief among ``inputs`` (files, or folders of ``*.yaml``/``*.json``).

    A bad brief does not stop the others: see ``result.failed``. Briefs build in parallel on a
    process pool of ``jobs`` workers (default: the cores this process may use), or on
    ``executor``: any :class:`concurrent.futures.Executor`, e.g.
    ``distributed.Client(...).get_executor()`` to spread a batch over a Dask cluster.
    ``on_result(path, files_or_error)`` hears of each brief as it ends, and
    ``progress(done, total, path, ok)`` is called after it."""
    from .pipeline import build_many as _build_many

    return _build_many(list(inputs), output_dir, formats=formats, style=style,
                       template=template, reference_doc=reference_doc,
                       missing_glyphs=missing_glyphs, jobs=jobs, executor=executor,
                       progress=progress, on_result=on_result)
