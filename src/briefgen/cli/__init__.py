"""The ``briefgen`` command line: the group and its rules in :mod:`.app`, one module per
family of commands (:mod:`.build`: build and validate; :mod:`.check`: analytic hygiene;
:mod:`.info`: schema, new, styles, templates; :mod:`.clearance`: diff, watch, preview).
The first use of ``cli`` (or of any name below but :func:`main`) imports them all, which
registers every command on the group.

Exit status: 0 success; 2 invalid input (each problem on its own line as
``file:line:column: field.path: message``, no traceback); 1 an internal error (a short message;
the traceback with ``--debug``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, cli, guarded

__all__ = ["EXIT_INTERNAL", "EXIT_INVALID", "EXIT_OK", "cli", "guarded", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``briefgen`` command and ``python -m briefgen`` (see
    :func:`briefgen.cli.app.main`). Called without ``argv`` (as the command is), the
    children the command will want are started first, before click is imported, and a
    one-brief build with them (:mod:`.early`)."""
    try:
        if argv is None:
            from .early import start

            start(sys.argv[1:])
        from .app import main as run

        _commands()
    except KeyboardInterrupt:  # Ctrl-C before the command (a build started ahead, click's
        # import): as during the command
        _release()
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    except BaseException:  # SIGTERM (status 143: see .early) before the command
        _release()
        raise
    run(argv)


def _release() -> None:
    """End the children started early that no command took (see :mod:`.early`)."""
    workers = sys.modules.get("briefgen.workers")
    if workers is not None:
        workers.release()


def _commands() -> None:
    from . import build, check, clearance, info  # noqa: F401 - each registers its commands


def __getattr__(name: str) -> Any:
    if name in __all__:
        _commands()
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
