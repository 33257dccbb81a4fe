"""The ``briefgen`` command line.

Exit status: 0 success; 2 invalid input (each problem on its own line as
``file:line:column: field.path: message``, no traceback); 1 an internal error (a short message;
the traceback with ``--debug``).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import BriefError, BriefgenError, BriefgenWarning, Diagnostic

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2
FORMATS = ("pdf", "docx", "html")  # pipeline.FORMATS, without importing the pipeline for --help
DEFAULT_FORMATS = ("pdf", "docx")
_DEBUG = "briefgen.debug"


def _report(e: BriefError) -> None:
    for diag in e.diagnostics:
        click.echo(f"error: {diag}", err=True)


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_DEBUG] = True  # meta is shared by the group's context and its commands'


debug_option = click.option(
    "--debug", is_flag=True, expose_value=False, is_eager=True, callback=_set_debug,
    help="Show the traceback of internal errors.")
"""``--debug``, defined once: on the group (``briefgen --debug build ...``) and on every
command (``briefgen build ... --debug``)."""


def guarded(fn: F) -> F:
    """Map briefgen's exceptions to exit codes and messages (each error's ``exit_code``: 2 for
    invalid input, with every diagnostic on its own line; 1 for the rest, with the traceback
    under ``--debug``)."""

    @debug_option
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BriefError as e:
            _report(e)
            sys.exit(e.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as e:  # noqa: BLE001 - the last line of defence for users
            debug = click.get_current_context().meta.get(_DEBUG, False)
            if debug:
                traceback.print_exc()
            what = f"{type(e).__name__}: {e}" if not isinstance(e, BriefgenError) else str(e)
            click.echo(f"internal error: {what}", err=True)
            if not debug:
                click.echo("(run again with --debug for the details, and report it)", err=True)
            sys.exit(getattr(e, "exit_code", EXIT_INTERNAL))

    return wrapper  # type: ignore[return-value]


class FormatList(click.Choice):
    """``--format``: one of the formats, or several comma-separated (``pdf,docx``); the
    option may also be repeated (``-f pdf -f docx``)."""

    name = "format"

    def __init__(self) -> None:
        super().__init__(FORMATS, case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        parts = [v.strip() for v in str(value).split(",") if v.strip()]
        bad = [v for v in parts if v.lower() not in FORMATS]
        if bad or not parts:
            self.fail(f"unknown format {', '.join(bad) or '(none)'}; choose from "
                      f"{', '.join(FORMATS)}", param, ctx)
        return tuple(v.lower() for v in parts)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="briefgen")
@debug_option
def cli() -> None:
    """Turn structured briefs (YAML or JSON) into PDF and DOCX briefing packs."""


@cli.command()
@click.argument("briefs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", "output", required=True, type=click.Path(path_type=Path),
              help="Folder to write DIR/<brief>.pdf and DIR/<brief>.docx into.")
@click.option("--format", "-f", "formats", type=FormatList(), multiple=True,
              help="Formats to write: pdf, docx, html (an accessible web edition), "
                   "comma-separated or repeated; default pdf,docx.")
@click.option("--style", "-s", default=None, help="A shipped style name or a style file.")
@click.option("--template", "-t", default=None, help="A shipped template name or a template file.")
@click.option("--reference-doc", type=click.Path(path_type=Path), default=None,
              help="A Word document or template (.docx/.dotx) whose styles, page set-up and "
                   "header logo the DOCX pack takes.")
@click.option("--allow-missing-glyphs", is_flag=True,
              help="Print characters the fonts cannot draw as \ufffd with a warning, "
                   "instead of refusing the brief.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for several briefs (default: the cores this process "
                   "may use). With one brief, 1 renders PDF and DOCX one after the other "
                   "instead of side by side.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@guarded
def build(briefs: tuple[Path, ...], output: Path, formats: tuple[tuple[str, ...], ...],
          style: str | None, template: str | None, reference_doc: Path | None,
          allow_missing_glyphs: bool, jobs: int | None, quiet: bool) -> None:
    """Build packs from BRIEFS (files, or folders of *.yaml / *.json briefs)."""
    import warnings

    from .pipeline import BuildOptions

    chosen = tuple(dict.fromkeys(f for group in formats for f in group)) or DEFAULT_FORMATS
    options = BuildOptions(formats=chosen, style=style, template=template,
                           reference_doc=reference_doc,
                           allow_missing_glyphs=allow_missing_glyphs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BriefgenWarning)
        try:
            _build(briefs, output, options, quiet, jobs)
        finally:
            for w in caught:
                if issubclass(w.category, BriefgenWarning):
                    click.echo(f"warning: {w.message}", err=True)


def _build(briefs: tuple[Path, ...], output: Path, options: Any, quiet: bool,
           jobs: int | None) -> None:
    from .pipeline import build_files, build_many, expand_inputs

    if len(briefs) == 1 and not briefs[0].is_dir():
        # one brief: its formats render side by side on the cores there are
        written = build_files(briefs[0], output, options, parallel=jobs != 1)
        if not quiet:
            for p in written:
                click.echo(f"wrote {p}")
        return
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
@click.option("--format", "-f", "formats", type=FormatList(), multiple=True,
              help="The formats the build would write (a reference document is checked "
                   "only for docx); default pdf,docx.")
@click.option("--style", "-s", default=None, help="A shipped style name or a style file.")
@click.option("--template", "-t", default=None, help="A shipped template name or a template file.")
@click.option("--reference-doc", type=click.Path(path_type=Path), default=None,
              help="A Word document or template (.docx/.dotx) the DOCX pack would take.")
@click.option("--allow-missing-glyphs", is_flag=True,
              help="Warn of characters the fonts cannot draw instead of refusing them.")
@guarded
def validate(briefs: tuple[Path, ...], formats: tuple[tuple[str, ...], ...], style: str | None,
             template: str | None, reference_doc: Path | None,
             allow_missing_glyphs: bool) -> None:
    """Check BRIEFS as `build` would with the same options (the brief, the style's fonts for
    every character, the template), and report every problem, without rendering."""
    from .pipeline import BuildOptions, check, expand_inputs

    chosen = tuple(dict.fromkeys(f for group in formats for f in group)) or DEFAULT_FORMATS
    options = BuildOptions(formats=chosen, style=style, template=template,
                           reference_doc=reference_doc,
                           allow_missing_glyphs=allow_missing_glyphs)
    problems: list[BriefError] = []
    paths = expand_inputs(briefs)
    if not paths:
        raise BriefError([_no_briefs(briefs)])
    for path in paths:
        try:
            for w in check(path, options):
                click.echo(f"warning: {w}", err=True)
            click.echo(f"{path}: valid")
        except BriefError as e:
            problems.append(e)
    if problems:
        raise BriefError([d for e in problems for d in e.diagnostics])


@cli.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              help="Write the schema to this file instead of printing it.")
@guarded
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a brief (for editors and other tools)."""
    from .pipeline import write_atomic
    from .schema import schema_text

    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text.encode("utf-8"))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@guarded
def new(path: Path, force: bool) -> None:
    """Write a starter brief to PATH that validates and that editors can complete."""
    from .pipeline import write_atomic
    from .schema import schema_path

    if path.exists() and not force:
        raise BriefError([Diagnostic(str(path), None, None, "",
                                     "already exists; choose another name or pass --force")])
    schema = schema_path().resolve()
    try:
        ref = os.path.relpath(schema, path.resolve().parent)
    except ValueError:  # another drive on Windows
        ref = schema.as_uri()
    text = (resources.files("briefgen") / "starter.yaml").read_text("utf-8")
    text = text.format(schema=ref, name=path.name, today=dt.date.today().isoformat())
    write_atomic(path, text.encode("utf-8"))
    click.echo(f"wrote {path}; edit it, then: briefgen build {path} --output out/")


@cli.group(invoke_without_command=True)
@guarded
def styles() -> None:
    """List the shipped styles; `styles show NAME|FILE` prints one's resolved settings."""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is not None:
        return
    from .style import available_styles, load_style

    for key in available_styles():
        click.echo(f"{key:20} {load_style(key).description}")


@styles.command("show")
@click.argument("name")
@guarded
def styles_show(name: str) -> None:
    """Print the resolved settings of the style NAME (shipped) or FILE, as JSON."""
    import json

    from .style import load_style

    style = load_style(name)
    click.echo(json.dumps(style.model_dump(mode="json"), indent=2, ensure_ascii=False))


@cli.group(invoke_without_command=True)
@guarded
def templates() -> None:
    """List the shipped pack templates; `templates copy NAME DIR` copies one to edit.

    Build with the copy: briefgen build BRIEF -o out/ --template DIR/NAME.xml.j2"""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is not None:
        return
    from .compose import available_templates

    for key, path in available_templates().items():
        first = path.read_text("utf-8").split("\n", 1)[0]
        desc = first.removeprefix("{#-").removeprefix("{#").strip().split(".")[0]
        click.echo(f"{key:20} {desc}")


@templates.command("copy")
@click.argument("name")
@click.argument("folder", type=click.Path(path_type=Path))
@guarded
def templates_copy(name: str, folder: Path) -> None:
    """Copy the shipped template NAME (and the sections it uses) into FOLDER, to edit."""
    from .compose import available_templates, shipped_templates_dir
    from .pipeline import commit

    shipped = available_templates()
    if name not in shipped:
        raise BriefError([Diagnostic(name, None, None, "template",
                                     "no such template; shipped: " + ", ".join(shipped))])
    files = {}
    for src in (shipped[name], shipped_templates_dir() / "_sections.xml.j2"):
        target = folder / src.name
        if target.exists():
            raise BriefError([Diagnostic(str(target), None, None, "",
                                         "already exists; copy into another folder")])
        files[target] = src.read_bytes()
    for target in commit(files):
        click.echo(f"wrote {target}")
    click.echo(f"edit it, then: briefgen build BRIEF -o out/ --template {folder / shipped[name].name}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``briefgen`` command and ``python -m briefgen``."""
    # A run is short and allocates a great deal: the cyclic garbage collector's default pace (a
    # collection every 700 allocations, each full one walking every object the imports made)
    # and the full collection at exit cost about 90 ms of a 0.6 s build. Collect less often,
    # and leave the objects alive at the end to the operating system (gc.freeze: the exit no
    # longer walks them; files are closed and flushed as usual).
    gc.set_threshold(10_000, 20, 20)
    try:
        cli.main(args=argv, prog_name="briefgen", standalone_mode=True)
    except BriefgenError as e:  # pragma: no cover - guarded() handles these
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_INVALID)
    finally:
        gc.freeze()
