"""``briefgen build`` and ``briefgen validate``: the same options, one renders."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import BriefError, BriefgenWarning, Diagnostic
from .app import DEFAULT_FORMATS, EXIT_INTERNAL, EXIT_INVALID, FormatList, cli, guarded
from .early import stop_on_sigterm


def build_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options that decide what a build makes, shared by every command that builds or
    checks as a build would (build, validate, watch, preview): --format, --style, --template,
    --reference-doc, --allow-missing-glyphs, --since, --track-changes. ``options_from`` turns
    them into BuildOptions."""
    for option in reversed((
        click.option("--format", "-f", "formats", type=FormatList(), multiple=True,
                     help="Formats: pdf, docx, html (an accessible web edition), "
                          "comma-separated or repeated; default pdf,docx."),
        click.option("--style", "-s", default=None,
                     help="A shipped style name or a style file."),
        click.option("--template", "-t", default=None,
                     help="A shipped template name or a template file."),
        click.option("--reference-doc", type=click.Path(path_type=Path), default=None,
                     help="A Word document or template (.docx/.dotx) whose styles, page "
                          "set-up and header logo the DOCX pack takes."),
        click.option("--allow-missing-glyphs", is_flag=True,
                     help="Print characters the fonts cannot draw as \ufffd with a warning, "
                          "instead of refusing the brief."),
        click.option("--since", type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="An earlier version of the brief: the pack gets a box after the "
                          "summary listing the changes that matter since that version."),
        click.option("--track-changes", is_flag=True,
                     help="With --since: the DOCX holds the changes since that version as "
                          "tracked changes (HTML marks them; the PDF can show change bars)."),
    )):
        fn = option(fn)
    return fn


def chosen_formats(formats: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """The formats of ``--format`` options, in order, once each (default pdf,docx)."""
    return tuple(dict.fromkeys(f for group in formats for f in group)) or DEFAULT_FORMATS


def options_from(formats: tuple[tuple[str, ...], ...], style: str | None,
                 template: str | None, reference_doc: Path | None,
                 allow_missing_glyphs: bool, since: Path | None = None,
                 track_changes: bool = False) -> Any:
    from ..pipeline import BuildOptions

    if track_changes and since is None:
        raise click.UsageError("--track-changes needs --since OLD (the version to compare with)")
    return BuildOptions(formats=chosen_formats(formats), style=style, template=template,
                        reference_doc=reference_doc, allow_missing_glyphs=allow_missing_glyphs,
                        since=since, track_changes=track_changes)


@cli.command()
@click.argument("briefs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", "output", default=Path("out"), show_default=True,
              type=click.Path(path_type=Path),
              help="Folder to write DIR/<brief>.pdf and DIR/<brief>.docx into (made if "
                   "missing).")
@build_options
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for several briefs (default: the cores this process "
                   "may use). With one brief, 1 renders PDF and DOCX one after the other "
                   "instead of side by side.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@guarded
def build(briefs: tuple[Path, ...], output: Path, formats: tuple[tuple[str, ...], ...],
          style: str | None, template: str | None, reference_doc: Path | None,
          allow_missing_glyphs: bool, since: Path | None, track_changes: bool, jobs: int | None,
          quiet: bool) -> None:
    """Build packs from BRIEFS (files, or folders of *.yaml / *.json briefs)."""
    import warnings

    from ..workers import prestart, release

    one = len(briefs) == 1 and not briefs[0].is_dir()
    previous = stop_on_sigterm() if one else None
    try:
        if one and jobs != 1:
            # one brief: the renderers' children start importing now, while this process
            # imports the brief model and the templates (see briefgen.workers)
            prestart(chosen_formats(formats))
        options = options_from(formats, style, template, reference_doc, allow_missing_glyphs,
                               since, track_changes)
        if since is not None and (len(briefs) != 1 or briefs[0].is_dir()):
            raise click.UsageError("--since compares one brief with an earlier version: give "
                                   "one brief file")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", BriefgenWarning)
            try:
                _build(briefs, output, options, quiet, jobs)
            finally:
                for w in caught:
                    if issubclass(w.category, BriefgenWarning):
                        click.echo(f"warning: {w.message}", err=True)
    finally:  # a usage error or an interrupt at any point: no child outlives the command
        release()
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)


def _build(briefs: tuple[Path, ...], output: Path, options: Any, quiet: bool,
           jobs: int | None) -> None:
    from ..pipeline import build_files

    if len(briefs) == 1 and not briefs[0].is_dir():
        # one brief: its formats render side by side on the cores there are
        written = build_files(briefs[0], output, options, parallel=jobs != 1)
        if not quiet:
            for p in written:
                click.echo(f"wrote {p}")
        return
    from ..batch import build_many, expand_inputs

    paths = expand_inputs(briefs)
    if not paths:
        raise BriefError([_no_briefs(briefs)])
    bar = None
    if not quiet and sys.stderr.isatty():  # a progress bar on a terminal, silence elsewhere
        from tqdm import tqdm

        bar = tqdm(total=len(paths), unit="brief", file=sys.stderr, leave=False)

    def progress(done: int, total: int, name: str, ok: bool) -> None:
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(Path(name).name, refresh=False)

    def say(line: str, err: bool) -> None:
        if bar is not None:  # above the bar, which stays at the foot of the terminal
            bar.write(line, file=sys.stderr if err else sys.stdout)
        else:
            click.echo(line, err=err)

    def on_result(name: str, outcome: Any) -> None:
        """Each brief's files or errors as soon as it ends, not after the whole batch."""
        if isinstance(outcome, BriefError):
            for diag in outcome.diagnostics:
                say(f"error: {diag}", True)
        elif isinstance(outcome, BaseException):
            say(f"error: {name}: {outcome}", True)
        elif not quiet:
            for p in outcome:
                say(f"wrote {p}", False)

    try:
        result = build_many(paths, output, options, jobs=jobs, progress=progress,
                            on_result=on_result)
    finally:
        if bar is not None:
            bar.close()
    if not quiet:
        click.echo(f"{len(result.written)} built, {len(result.failed)} failed", err=True)
    if result.failed:  # invalid input only: 2; anything worse: 1
        invalid = all(isinstance(e, BriefError) for e in result.failed.values())
        sys.exit(EXIT_INVALID if invalid else EXIT_INTERNAL)


def _no_briefs(inputs: tuple[Path, ...]) -> Diagnostic:
    return Diagnostic(", ".join(map(str, inputs)), None, None, "",
                      "no brief files (*.yaml, *.yml, *.json) found")


@cli.command()
@click.argument("briefs", nargs=-1, required=True, type=click.Path(path_type=Path))
@build_options
@guarded
def validate(briefs: tuple[Path, ...], formats: tuple[tuple[str, ...], ...], style: str | None,
             template: str | None, reference_doc: Path | None,
             allow_missing_glyphs: bool, since: Path | None, track_changes: bool) -> None:
    """Check BRIEFS as `build` would with the same options (the brief, the style's fonts for
    every character, the template), and report every problem, without rendering."""
    from ..pipeline import check, expand_inputs
    from ..workers import release

    try:
        options = options_from(formats, style, template, reference_doc, allow_missing_glyphs,
                               since, track_changes)
        problems: list[BriefError] = []
        paths = expand_inputs(briefs)
        if not paths:
            raise BriefError([_no_briefs(briefs)])
        for path in paths:
            try:  # (the first takes the composing child started for one brief, if any)
                for w in check(path, options):
                    click.echo(f"warning: {w}", err=True)
                click.echo(f"{path}: valid")
            except BriefError as e:
                problems.append(e)
        if problems:
            raise BriefError([d for e in problems for d in e.diagnostics])
    finally:  # a child no check took (the brief did not load): ended, not left to its parent
        release()
