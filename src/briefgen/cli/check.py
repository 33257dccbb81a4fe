"""The ``check`` command: analytic hygiene of briefs (:mod:`briefgen.check`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import BriefError, Diagnostic
from .app import EXIT_INVALID, cli, guarded


@cli.command()
@click.argument("briefs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit with status 2 when there is any warning.")
@guarded
def check(briefs: tuple[Path, ...], strict: bool) -> None:
    """Check BRIEFS for analytic hygiene: relative time, estimative words outside a rating,
    undated figures, uncited sentences, duplicate risks, a long summary, quotes not found in
    a source's local copy. Prints each as file:line:column: field: message; exits 0 unless
    --strict (then 2 when there is a warning). `build` prints the same warnings."""
    from ..check import check_brief, is_note
    from ..pipeline import expand_inputs, load

    paths = expand_inputs(briefs)
    if not paths:
        raise BriefError([_none(briefs)])
    warned = 0
    problems: list[BriefError] = []
    for path in paths:
        try:
            loaded = load(path)
        except BriefError as e:
            problems.append(e)
            continue
        found = check_brief(loaded.brief, loaded.positions, loaded.name)
        for d in found:
            click.echo(str(d))
        warned += sum(not is_note(d) for d in found)
    if problems:
        raise BriefError([d for e in problems for d in e.diagnostics])
    click.echo(f"{warned} warning{'s' if warned != 1 else ''} in {len(paths)} "
               f"brief{'s' if len(paths) != 1 else ''}", err=True)
    if strict and warned:
        sys.exit(EXIT_INVALID)


def _none(inputs: tuple[Path, ...]) -> Diagnostic:
    return Diagnostic(", ".join(map(str, inputs)), None, None, "",
                      "no brief files (*.yaml, *.yml, *.json) found")
