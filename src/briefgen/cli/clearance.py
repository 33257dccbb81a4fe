"""The clearance workflow: ``briefgen diff`` (what changed between two versions of a brief),
``briefgen watch`` (rebuild on every save while writing) and ``briefgen preview`` (page images
of the pack for a quick look). ``build --since OLD [--track-changes]`` is in :mod:`.build`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from ..errors import BriefError, BriefgenWarning
from .app import cli, guarded
from .build import build_options, options_from

#: ``diff``'s exit status, as diff(1): no changes, changes (2 stays invalid input)
EXIT_SAME, EXIT_CHANGED = 0, 1


@cli.command()
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@guarded
def diff(old: Path, new: Path, as_json: bool) -> None:
    """What changed from OLD to NEW (two versions of a brief), in the brief's terms: items
    matched by meaning, so a reordered list is one change. Exit status 0 when there are no
    changes, 1 when there are (as diff does), 2 for an invalid brief."""
    from ..diff import diff_briefs, format_changes
    from ..pipeline import load

    a, b = load(old).brief, load(new).brief
    changes = diff_briefs(a, b)
    if as_json:
        def version(x: Any, path: Path) -> dict[str, Any]:
            return {"file": str(path), "version": x.version, "date": x.date.isoformat()}

        click.echo(json.dumps({"old": version(a, old), "new": version(b, new),
                               "changes": [c.as_dict() for c in changes]},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(format_changes(changes, a, b), nl=False)
    sys.exit(EXIT_CHANGED if changes else EXIT_SAME)


def watch_inputs(brief: Path, options: Any) -> list[Path]:
    """The files a build of ``brief`` reads: the brief (and the earlier version with
    ``--since``), the style and every style it extends with the files they name (logo, fonts,
    reference document), the template (its neighbours are watched by their .j2 suffix) and the
    reference document given on the command line."""
    from .. import style as st
    from ..compose import resolve_template

    files = [brief]
    if options.since is not None:
        files.append(Path(options.since))
    ref = options.style
    try:
        if not isinstance(ref, st.Style):
            path = st._resolve_path(ref or "default", Path.cwd())
            files.append(path)
            st.load_style(path)
            cached = st._CACHE.get(str(path.resolve()))  # every file the style was made of
            if cached is not None:
                files.extend(Path(f) for f, _mark in cached[0])
        files.append(resolve_template(options.template))
    except BriefError:
        pass  # a broken style or template: the build reports it; watch what there is
    if options.reference_doc is not None:
        files.append(Path(options.reference_doc))
    return list(dict.fromkeys(files))


@cli.command("watch")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", "output", required=True, type=click.Path(path_type=Path),
              help="Folder to write the pack into (kept as it is when a save has errors).")
@build_options
@click.option("--debounce", type=click.IntRange(min=0, max=5000), default=200,
              help="Milliseconds of quiet after a save before rebuilding (default 200).")
@guarded
def watch_command(brief: Path, output: Path, formats: tuple[tuple[str, ...], ...],
                  style: str | None, template: str | None, reference_doc: Path | None,
                  allow_missing_glyphs: bool, since: Path | None, track_changes: bool,
                  debounce: int) -> None:
    """Build BRIEF into OUTPUT now and again whenever the brief, its style, its template or a
    file they name is saved; stop with Ctrl-C. A save with errors prints them and leaves the
    last good pack in place."""
    import warnings

    from ..pipeline import build_files
    from ..watch import watch

    options = options_from(formats, style, template, reference_doc, allow_missing_glyphs,
                           since, track_changes)
    output.mkdir(parents=True, exist_ok=True)

    def rebuild() -> None:
        started = time.monotonic()
        stamp = time.strftime("%H:%M:%S")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", BriefgenWarning)
            try:
                written = build_files(brief, output, options)
            except BriefError as e:
                for diag in e.diagnostics:
                    click.echo(f"error: {diag}", err=True)
                click.echo(f"[{stamp}] not rebuilt: the last good pack stays in {output}",
                           err=True)
                return
            except Exception as e:  # keep watching whatever a save does
                click.echo(f"[{stamp}] internal error: {type(e).__name__}: {e}", err=True)
                return
        for w in caught:
            click.echo(f"warning: {w.message}", err=True)
        took = time.monotonic() - started
        click.echo(f"[{stamp}] built {', '.join(p.name for p in written)} in {took:.1f} s")

    def changed(paths: list[Path]) -> None:
        click.echo(f"changed: {', '.join(p.name for p in paths)}")

    click.echo(f"watching {brief} (Ctrl-C to stop)")
    try:
        watch(lambda: watch_inputs(brief, options), rebuild, ignore=[output],
              debounce_ms=debounce, on_change=changed)
    except KeyboardInterrupt:
        pass
    click.echo("stopped")


@cli.command()
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", "output", required=True, type=click.Path(path_type=Path),
              help="Folder to write DIR/<brief>-<page>.png into.")
@build_options
@click.option("--pages", default=None, help="Pages, e.g. 1-2, 3 or 2- (default: all).")
@click.option("--dpi", type=int, default=100, show_default=True,
              help="Resolution of the images (10 to 600).")
@guarded
def preview(brief: Path, output: Path, formats: tuple[tuple[str, ...], ...],
            style: str | None, template: str | None, reference_doc: Path | None,
            allow_missing_glyphs: bool, since: Path | None, track_changes: bool,
            pages: str | None, dpi: int) -> None:
    """PNG images of BRIEF's pages (its PDF pack, rasterised) for a quick look, a thumbnail
    or a chat message."""
    from dataclasses import replace

    from ..pipeline import build, commit
    from ..preview import page_images

    options = replace(options_from(formats, style, template, reference_doc,
                                   allow_missing_glyphs, since, track_changes), formats=("pdf",))
    pdf = build(brief, options).pdf
    assert pdf is not None
    images = page_images(pdf, pages=pages, dpi=dpi)
    output.mkdir(parents=True, exist_ok=True)
    files = {output / f"{brief.stem}-{n}.png": png for n, png in images}
    for path in commit(files, [brief]):
        click.echo(f"wrote {path}")
