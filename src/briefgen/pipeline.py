"""The pipeline: load → check → compose → render → build, in that order, and nothing else.

Each stage lives in its own module; this one only strings them together for the public API
(:mod:`briefgen`) and the CLI. Renderers are imported only for the formats asked for. Writing
the files (committed together or not at all) is :mod:`briefgen.output`; building many briefs
(a process pool, a Dask cluster) is :mod:`briefgen.batch`. Both keep their public names
importable from here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cache
from .check import check_brief, is_note
from .composed import ComposeReport
from .document import Document, map_text
from .errors import BriefError, BriefWarning, Diagnostic
from .fonts import missing_in_chain
from .inline import parsed_ahead
from .layout import apply_style
from .loader import (
    MAX_FILE_BYTES,
    Positions,
    decode,
    expand_inputs,
    label_set,
    parse_text,
    read_limited,
)
from .model import Brief
from .output import check_folder, check_targets, commit, pack_targets, write_atomic
from .render import prepare_renderer, render
from .style import Style, load_style
from .validate import check_glyphs, validate_brief
from .workers import (
    COMPOSER,
    Forked,
    ForkError,
    Named,
    Standby,
    can_fork,
    hold_ahead,
    standby_for,
    take,
    take_ahead,
    usable_cores,
)

_can_fork = can_fork  # its first name

if TYPE_CHECKING:
    from .batch import BatchResult, ProgressCallback, ResultCallback, build_many

__all__ = [
    "DEFAULT_FORMATS", "FORMATS", "BatchResult", "BuildOptions", "Loaded", "Pack",
    "ProgressCallback", "ResultCallback", "build", "build_files", "build_many", "check",
    "check_fonts", "check_targets", "commit", "compose_brief", "expand_inputs", "load", "loads",
    "pack_targets", "parse_formats", "prepare", "prepare_style", "render", "render_all",
    "replace_missing", "usable_cores", "write_atomic",
]

#: names of :mod:`briefgen.batch` that this module still answers to (loaded on first use, so
#: that a one-brief build never imports the batch machinery)
_BATCH = frozenset({"BatchResult", "ProgressCallback", "ResultCallback", "build_many"})


def __getattr__(name: str) -> Any:
    if name in _BATCH:
        from . import batch

        return getattr(batch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
    raw = read_limited(path, MAX_FILE_BYTES, "brief file")

    def loaded() -> Loaded:
        data, positions = parse_text(decode(raw, str(path)), str(path))
        return Loaded(validate_brief(data, positions, str(path)), str(path), positions)

    return cache.kept("brief", (str(path), raw), loaded)  # (the command line keeps it: see cache)


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
    """Characters no family of the body's or the headings' chain (the family, then the
    fallbacks) can draw in every face: bold, italic and bold italic as well as upright."""
    chains = {tuple(style.fonts.chain("body")), tuple(style.fonts.chain("headings"))}

    def missing(text: str) -> list[str]:
        return sorted({c for ch in chains for c in missing_in_chain(text, ch)})

    return missing


def check_fonts(loaded: Loaded, style: Style, *, replaced: bool = False) -> list[Diagnostic]:
    """Every character the style's fonts cannot draw, as one diagnostic per field (worded as
    a warning that it is printed as \ufffd when ``replaced``)."""
    missing = _missing_in(style)
    diags = check_glyphs(loaded.brief, loaded.positions, loaded.name, missing,
                         replaced=replaced)
    labels = label_set(loaded.brief.language)
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


def render_all(document: Document, style: Style, fmts: Sequence[str], *,
               parallel: bool = False, standby: Mapping[str, Standby] | None = None,
               meanwhile: Callable[[], None] | None = None,
               sent: bool = False) -> dict[str, bytes]:
    """Every format of one document. With ``parallel`` (and where the system can fork, has
    more than one core and this process runs no other thread), each format after the first
    is rendered in a forked child process on another core while this one renders the first:
    a one-brief CLI build then costs about the slower format, not the sum. A format with a
    ``standby`` child (see :func:`standby_for`) is rendered there. The bytes are the same
    either way. ``meanwhile`` runs once the children have their work, before this process
    renders: an exception it raises ends the build (the children are killed). ``sent``: the
    standby children have been sent the document already."""
    children: dict[str, Forked] = dict(standby or {})
    try:
        for fmt, standing in (standby or {}).items() if not sent else ():
            standing.send(render, document, style, fmt)
        rest = [f for f in fmts if f not in children]
        if parallel and len(rest) > 1 and can_fork():
            for f in rest[1:]:
                try:
                    children[f] = Forked(render, document, style, f)
                except ForkError:  # no process to spare: render it here
                    break
            rest = [f for f in rest if f not in children]
        if meanwhile is not None:
            meanwhile()
        out: dict[str, bytes] = {}
        for f in rest:
            try:
                out[f] = render(document, style, f)
            except Exception:  # as one after the other: an earlier format's error first
                for earlier in fmts[:fmts.index(f)]:
                    if earlier in children:
                        children[earlier].result()
                raise
        out.update((f, child.result()) for f, child in children.items())
    except BaseException:  # failed or interrupted: the children's work is of no use
        for child in children.values():
            child.kill()
        raise
    return {f: out[f] for f in fmts}


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
    pack = _build(source, BuildOptions.of(options, **overrides))
    for w in pack.warnings:
        _warn(str(w))
    return pack


def _build(source: Any, opts: BuildOptions) -> Pack:
    """The pack, its warnings in ``pack.warnings`` (not warned: the caller does)."""
    started = _take_ahead(source, opts) or _start(source, opts)
    try:
        try:
            outputs = render_all(started.document, started.style, started.formats,
                                 parallel=opts.parallel, standby=started.standby,
                                 meanwhile=started.meanwhile, sent=True)
        except BriefError as e:  # a layout problem: name the brief it is in
            raise BriefError([replace(d, file=started.loaded.name) if not d.file else d
                              for d in e.diagnostics]) from None
    except BaseException:  # failed or interrupted: no child outlives the build
        started.cancel()
        raise
    glyphs = started.glyphs + page_budget_warnings(started.report, outputs, started.loaded.name)
    return Pack(started.document, outputs, tuple(glyphs))


class _Started:
    """A build up to its rendering: the document composed, and sent to the children."""

    def __init__(self, loaded: Loaded, style: Style, document: Document,
                 report: ComposeReport, glyphs: list[Diagnostic], formats: tuple[str, ...],
                 standby: dict[str, Standby],
                 meanwhile: Callable[[], None] | None) -> None:
        self.loaded, self.style, self.document, self.report = loaded, style, document, report
        self.glyphs, self.formats, self.standby = glyphs, formats, standby
        self.meanwhile = meanwhile

    def cancel(self) -> None:
        """End the children (the build failed, was interrupted, or is not wanted)."""
        for child in self.standby.values():
            child.cancel()


class _Ahead:
    """A build started by :func:`build_ahead`: of which brief, with which options, and the
    warnings it raised (to be raised again when it is taken over)."""

    def __init__(self, path: Path, options: BuildOptions, started: _Started,
                 caught: list[Any]) -> None:
        self.path, self.options, self.started, self.caught = path, options, started, caught

    def cancel(self) -> None:
        self.started.cancel()


def _start(source: Any, opts: BuildOptions) -> _Started:
    """Load, prepare and compose, the children (:func:`standby_for`) sent the document."""
    fmts = opts.formats
    assert isinstance(fmts, tuple)
    standby = standby_for(fmts) if opts.parallel else {}
    try:
        loaded = load(source)
        take_markdown = _markdown_ahead(standby, loaded)
        st = prepare_style(opts)
        for fmt, child in standby.items():  # fonts and such, while the brief is composed
            child.prepare(prepare_renderer, fmt, st)
        markdown = take_markdown()
        meanwhile: Callable[[], None] | None = None
        glyphs: list[Diagnostic] = []
        if standby and not opts.allow_missing_glyphs:
            # the children start rendering as soon as the document is composed; the checks
            # that cannot change it (glyphs: an error stops the build all the same; the
            # brief's own notes) run here meanwhile
            with parsed_ahead(markdown):
                document, report = _compose_checked(loaded, opts, st)

            def meanwhile() -> None:
                found = check_fonts(loaded, st)
                if found:
                    raise BriefError(found)
                glyphs.extend(_notes(loaded, st, report))
        else:
            with parsed_ahead(markdown):
                document, st, glyphs, report = _prepare(loaded, opts, st)
        for fmt, child in standby.items():
            child.send(render, document, st, fmt)
    except BaseException:  # failed or interrupted: no child outlives the build
        for child in standby.values():
            child.cancel()
        raise
    return _Started(loaded, st, document, report, glyphs, fmts, standby, meanwhile)


def build_ahead(source: str, opts: BuildOptions) -> None:
    """Start the build of ``source`` with ``opts`` before the command line has read its
    arguments (:func:`briefgen.cli.early.start`: click's import, about 15 ms, is then off the
    way to the children's work); :func:`_build` takes it over when it is asked for the same
    brief with the same options. Nothing is printed or written here: the warnings raised
    are kept and raised again then, and a build that fails is left for the command to do
    again (it meets the same problem, and reports it in its own order)."""
    import warnings

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            started = _start(source, opts)
    except Exception:
        return
    hold_ahead(_Ahead(Path(source), opts, started, caught))


def _take_ahead(source: Any, opts: BuildOptions) -> _Started | None:
    """The build :func:`build_ahead` started, if it is of ``source`` with ``opts`` (else it
    is ended); its warnings are raised again, here."""
    held: _Ahead | None = take_ahead()
    if held is None:
        return None
    if not isinstance(source, (str, os.PathLike)) or Path(source) != held.path \
            or held.options != opts:
        held.cancel()
        return None
    import warnings

    try:
        for w in held.caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    except BaseException:  # a warning the filters make an error (-W error): as in _start
        held.cancel()
        raise
    return held.started


#: the rich text a child parses ahead at most (characters): enough for briefs several times
#: the sample's 14,000 within the time the DOCX's child would otherwise wait
MARKDOWN_AHEAD_CHARS = 100_000


def _markdown_ahead(standby: Mapping[str, Standby], loaded: Loaded,
                    ) -> Callable[[], Mapping[str, Any] | None]:
    """Have a child with time to spare parse the brief's Markdown while this process imports
    the template engine: the one rendering child (the DOCX's or the PDF's; with two formats
    this process renders the DOCX), when the command started it before reading the brief.
    Its imports are done before its document (the DOCX's long before, the PDF's about 40 ms:
    ReportLab's without what :mod:`briefgen.deferred` leaves), so parsing for this process
    balances the two (measured: -f pdf 25 ms faster, -f pdf,docx 17 ms); what it made is
    kept for the next run of the command line (:mod:`briefgen.cache`), which then asks
    nothing. The function returned imports the engine and takes what the child made
    (:func:`briefgen.inline.parse_markdown`; composing within
    :func:`briefgen.inline.parsed_ahead` then never imports markdown-it). A text the child did
    not parse is parsed when the template reaches it, to the same inlines; a brief with more
    rich text than :data:`MARKDOWN_AHEAD_CHARS` is parsed here."""
    helper = next(iter(standby.values())) if len(standby) == 1 else None
    if helper is None or not helper.early:
        return lambda: None
    from .validate import iter_strings

    texts = [text for _loc, text, rich in iter_strings(loaded.brief) if rich]
    if sum(map(len, texts)) > MARKDOWN_AHEAD_CHARS:
        return lambda: None
    kept: Mapping[str, Any] | None = cache.get("markdown", tuple(texts))
    if kept is not None:  # parsed in an earlier run: the child is not asked
        return lambda: kept
    helper.ask(Named("briefgen.inline", "parse_markdown"), texts)

    def take() -> Mapping[str, Any] | None:
        from . import compose  # noqa: F401 - the template engine, while the child parses

        parsed: Mapping[str, Any] | None = helper.answer()
        if parsed is not None:
            cache.put("markdown", tuple(texts), parsed)
        return parsed

    return take


def _compose_checked(loaded: Loaded, opts: BuildOptions, st: Style,
                     ) -> tuple[Document, ComposeReport]:
    """:func:`_compose` before the glyphs are checked, with the same outcome as checking them
    first: when the template fails, a character the fonts cannot draw is the error reported."""
    try:
        return _compose(loaded, opts, st)
    except BriefError:
        glyphs = check_fonts(loaded, st)
        if glyphs:
            raise BriefError(glyphs) from None
        raise


def prepare(loaded: Loaded, opts: BuildOptions, style: Style | None = None,
            ) -> tuple[Document, Style, list[Diagnostic]]:
    """Everything a build checks and makes before rendering: the style (and the reference
    document the DOCX would take; or ``style``, as :func:`prepare_style` made it), the glyphs
    of every text in that style's fonts, and the document the template composes. Returns the
    styled document, the style and the warnings: characters printed as U+FFFD (with
    ``allow_missing_glyphs``; else they are errors), and what the template left out of the
    brief."""
    document, st, warnings, _report = _prepare(loaded, opts, style)
    return document, st, warnings


def _prepare(loaded: Loaded, opts: BuildOptions, style: Style | None = None, *,
             composer: Standby | None = None,
             ) -> tuple[Document, Style, list[Diagnostic], ComposeReport]:
    """The styled document, the style, the warnings and the template's report. A
    ``composer`` child (:func:`briefgen.workers.prestart_composer`) composes while this
    process checks the glyphs; the outcome is the same (a glyph error is still reported
    before the template's)."""
    st = prepare_style(opts) if style is None else style
    if composer is not None and (opts.since is not None or opts.track_changes):
        composer.cancel()  # (rare: composed here, the two versions and their changes)
        composer = None
    if composer is None:
        glyphs = check_fonts(loaded, st, replaced=opts.allow_missing_glyphs)
        if glyphs and not opts.allow_missing_glyphs:
            raise BriefError(glyphs)
        document, report = _compose(loaded, opts, st)
        own = None
    else:
        try:
            composer.send(Named("briefgen.compose", "compose_styled"), loaded.brief,
                          _path_or_name(opts.template), st,
                          dict(label_set(loaded.brief.language)))
            glyphs = check_fonts(loaded, st, replaced=opts.allow_missing_glyphs)
            if glyphs and not opts.allow_missing_glyphs:
                raise BriefError(glyphs)
            own = _own_notes(loaded, st)
            document, report = composer.result()
        except BaseException:
            composer.cancel()
            raise
    if glyphs:
        document = replace_missing(document, st)
    return document, st, glyphs + _notes(loaded, st, report, own), report


def _compose(loaded: Loaded, opts: BuildOptions, st: Style) -> tuple[Document, ComposeReport]:
    """The styled document the template composes (with its "changes since" box and tracked
    changes when the options ask for them), and what the template reported."""
    template = _path_or_name(opts.template)
    if opts.since is None:
        if opts.track_changes:
            raise BriefError([Diagnostic("--track-changes", None, None, "track_changes",
                                         "needs --since OLD: the version to track changes from")])
        from .compose import compose_styled

        return compose_styled(loaded.brief, template, st)
    return _since(loaded, load(opts.since), template, st, opts.track_changes)


def _notes(loaded: Loaded, st: Style, report: ComposeReport,
           own: list[Diagnostic] | None = None) -> list[Diagnostic]:
    """The warnings of a build that composed: what the template reported, then the brief's
    own (:func:`_own_notes`, or ``own`` where they were found before)."""
    return [Diagnostic(loaded.name, None, None, "template", w) for w in report.warnings] \
        + (_own_notes(loaded, st) if own is None else own)


def _own_notes(loaded: Loaded, st: Style) -> list[Diagnostic]:
    """The warnings that need no template: a marking the style cannot portion-mark, and the
    brief's own analytic-hygiene warnings."""
    notes: list[Diagnostic] = []
    if st.marking.portion_marks and loaded.brief.marking.scheme != "us":
        notes.append(Diagnostic(loaded.name, None, None, "marking",
                                f"the style marks portions from a US banner line, but this "
                                f"brief is marked {loaded.brief.marking.label} "
                                f"({loaded.brief.marking.scheme}): no portion marks are "
                                "printed (briefs/variants/ holds the sample marked as a US memo)"))
    notes += [d for d in check_brief(loaded.brief, loaded.positions, loaded.name)
              if not is_note(d)]
    return notes


def prepare_style(opts: BuildOptions) -> Style:
    """The style a build renders in, with the options' reference document, checked (a batch
    does this once for all its briefs)."""
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
    return st


def page_budget_warnings(report: ComposeReport, outputs: Mapping[str, bytes],
                         name: str) -> list[Diagnostic]:
    """A warning when the PDF runs past the template's page budget, naming what to cut: the
    longest sections the pack printed."""
    pdf = outputs.get("pdf")
    if report.page_budget is None or pdf is None:
        return []
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    if pages <= report.page_budget:
        return []
    biggest = sorted(report.sizes.items(), key=lambda kv: -kv[1])[:4]
    cut = ", ".join(f"{k} ({v})" for k, v in biggest)
    return [Diagnostic(name, None, None, "template",
                       f"the {report.template} template's page budget is "
                       f"{report.page_budget} pages, and this pack runs to {pages}: cut the "
                       f"longest sections it prints ({cut} items), or use a longer template")]


def _since(loaded: Loaded, old: Loaded, template: Any, st: Style, track: bool,
           ) -> tuple[Document, ComposeReport]:
    """The new version's document with its "changes since" box (both versions composed with
    it, so that it is no tracked change), the changes marked when ``track``."""
    from .compose import compose, compose_report
    from .diff import changes_since

    changes = changes_since(old.brief, loaded.brief)
    composed, report = compose_report(loaded.brief, template, st, changes)
    document = apply_style(composed, st)
    if not track:
        return document, report
    from .redline import redline

    old_doc = apply_style(compose(old.brief, template, st, changes), st)
    return redline(old_doc, document), report


def check(source: Any, options: BuildOptions | None = None, /,
          **overrides: Any) -> list[Diagnostic]:
    """Check a brief as a build with these options would, without rendering: the brief, the
    style, the glyphs in the style's fonts, the reference document and the template. Raises
    the :class:`BriefError` the build would raise; returns the build's warnings."""
    opts = BuildOptions.of(options, **overrides)
    try:
        loaded = load(source)
    except BriefError as e:  # report the style's problems in the same run
        problems = list(e.diagnostics)
        try:
            load_style(_path_or_name(opts.style))
        except BriefError as style_error:
            problems += style_error.diagnostics
        raise BriefError(problems) from None
    # a child forked at the command's start may have imported the template engine meanwhile
    # (``briefgen validate``: see briefgen.cli.early)
    composer = take(COMPOSER)
    try:
        _document, _style, warnings, _report = _prepare(loaded, opts, composer=composer)
    except BaseException:  # (a bad style or reference document: refused before it was used)
        if composer is not None:
            composer.cancel()
        raise
    return warnings


def compose_brief(source: Any, options: BuildOptions | None = None, /,
                  **overrides: Any) -> Document:
    """The document model a pack template makes of a brief, before rendering (the options'
    template, and its style where one is given)."""
    opts = BuildOptions.of(options, **overrides)
    from .compose import compose

    style = load_style(_path_or_name(opts.style)) if opts.style is not None else None
    return compose(load(source).brief, _path_or_name(opts.template), style)


def _path_or_name(ref: Any) -> Any:
    """A style or template reference as the loaders take it: a name, a Path, or as given."""
    return Path(ref) if isinstance(ref, os.PathLike) and not isinstance(ref, Path) else ref


def _warn(message: str) -> None:
    import warnings

    warnings.warn(message, BriefWarning, stacklevel=4)


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
    check_folder(Path(output_dir), make=False)
    check_targets(targets, protect)  # refuse before the work, and again when writing
    pack = build(source, opts)
    return commit(dict(zip(targets, (pack.outputs[f] for f in opts.formats))), protect)
