"""The ``briefgen`` command group, its shared options and the exit-status rules.

Exit status: 0 success; 2 invalid input (each problem on its own line as
``file:line:column: field.path: message``, no traceback); 1 an internal error (a short message;
the traceback with ``--debug``).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import traceback
import types
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from ..errors import BriefError, BriefgenError

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


#: non-empty when :func:`main` runs the command: the process is the command's own
_OWN_PROCESS: list[bool] = []


def guarded(fn: F) -> F:
    """Map briefgen's exceptions to exit codes and messages (each error's ``exit_code``: 2 for
    invalid input, with every diagnostic on its own line; 1 for the rest, with the traceback
    under ``--debug``)."""

    @debug_option
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _OWN_PROCESS:
            _no_pydantic_plugins()
        try:
            return fn(*args, **kwargs)
        except BriefError as e:
            _report(e)
            sys.exit(e.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # the reader went away (| head): stop quietly
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_INTERNAL)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as e:
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


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``briefgen`` command and ``python -m briefgen``. Called without
    ``argv`` (as the command is), the process ends as soon as the command has: its files are
    written, closed and committed, its output flushed, and what the process holds is left to
    the operating system rather than torn down object by object (about 20 ms of a short run)."""
    # A run is short and allocates a great deal: the cyclic garbage collector's default pace (a
    # collection every 700 allocations, each full one walking every object the imports made)
    # and the full collection at exit cost about 90 ms of a 0.6 s build. Collect less often,
    # and leave the objects alive at the end to the operating system.
    gc.set_threshold(10_000, 20, 20)
    _OWN_PROCESS.append(True)
    try:
        cli.main(args=argv, prog_name="briefgen", standalone_mode=True)
        code: Any = EXIT_OK
    except BriefgenError as e:  # pragma: no cover - guarded() handles these
        click.echo(f"error: {e}", err=True)
        code = EXIT_INVALID
    except SystemExit as e:
        code = e.code
    if argv is not None:
        sys.exit(code)
    _leave(code)


def _no_pydantic_plugins() -> None:
    """The command's process loads no pydantic plugins. Building a model's validator, pydantic
    looks for plugins among every installed distribution's entry points, importing
    ``importlib.metadata`` for it (about 20 ms of a 0.3 s ``validate``); briefgen uses none,
    and the CLI owns its process (a program that imports briefgen keeps its plugins). Should a
    pydantic ask its plugin loader for anything but ``get_plugins``, the real one is loaded."""
    name = "pydantic.plugin._loader"
    if name in sys.modules:
        return

    class _Loader(types.ModuleType):
        @staticmethod
        def get_plugins() -> tuple[()]:
            return ()

        def __getattr__(self, attr: str) -> Any:
            if attr.startswith("__"):  # (the import system asks for __path__ and the like)
                raise AttributeError(attr)
            del sys.modules[name]
            return getattr(importlib.import_module(name), attr)

    sys.modules[name] = _Loader(name)


def _leave(code: Any) -> None:
    """Exit now with ``code`` (as ``sys.exit`` reads it), skipping the interpreter's teardown:
    standard output and error are flushed first, and nothing else is pending (every file a
    command writes is closed before it returns; atexit handlers are not needed by any)."""
    from . import _release

    _release()  # children started early that the command never took (a usage error)
    if code is None:
        status = EXIT_OK
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message on standard error, status 1
        if sys.stderr is not None:
            print(code, file=sys.stderr)
        status = EXIT_INTERNAL
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the descriptor closed (>&-): nothing to flush
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            if status == EXIT_OK:
                status = EXIT_INTERNAL
    os._exit(status)
