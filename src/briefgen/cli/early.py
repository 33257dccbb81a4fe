"""What a ``briefgen`` process starts before it imports the command line.

Importing click and the commands takes about 15 ms, and a child forked after that starts its
own work (importing ReportLab, about 0.1 s) that much later. So the command's process first
reads its arguments here, without click, far enough to know what it will do: ``build`` of
one brief file starts the formats' rendering children (:func:`briefgen.workers.prestart`);
``validate`` of one brief file starts a child that imports the template engine and will
compose the brief (:func:`briefgen.workers.prestart_composer`). The command, once click has
parsed its arguments, takes over those children or ends them.

This reading is a guess and only a guess: click alone decides what the arguments mean. A
wrong guess costs time, never a result (a child not taken is ended, and one that is missing
is started then). ``tests/test_cli_early.py`` holds :data:`VALUED` to the commands' options.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

__all__ = ["VALUED", "guess", "start", "stop_on_sigterm"]

#: The options of ``build`` and ``validate`` that take a value (every other option is a flag)
VALUED = frozenset({"-o", "--output", "-f", "--format", "-s", "--style", "-t", "--template",
                    "--reference-doc", "--since", "-j", "--jobs"})
#: The options the command group takes before the command's name (other than --help and
#: --version, after which nothing is built)
GROUP_FLAGS = frozenset({"--debug"})
DEFAULT_FORMATS = ("pdf", "docx")


def guess(argv: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
    """The command (``build`` or ``validate``) and the formats, when ``argv`` asks for one of
    them on one brief file (and ``build`` is not told ``--jobs 1``); otherwise None."""
    args = list(argv)
    i = 0
    while i < len(args) and args[i] in GROUP_FLAGS:
        i += 1
    if i >= len(args) or args[i] not in ("build", "validate"):
        return None
    command, rest = args[i], args[i + 1:]
    values: dict[str, list[str]] = {}
    briefs: list[str] = []
    k = 0
    while k < len(rest):
        arg = rest[k]
        k += 1
        if arg == "--":
            briefs += rest[k:]
            break
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name == "--help":
                return None
            if name in VALUED:
                if not eq:
                    if k >= len(rest):
                        return None
                    value, k = rest[k], k + 1
                values.setdefault(name, []).append(value)
        elif arg.startswith("-") and len(arg) > 1:  # short options, maybe clustered (-qf pdf)
            for n, letter in enumerate(arg[1:], start=1):
                name = "-" + letter
                if name == "-h":
                    return None
                if name in VALUED:
                    value = arg[n + 1:]
                    if not value:
                        if k >= len(rest):
                            return None
                        value, k = rest[k], k + 1
                    values.setdefault(name, []).append(value)
                    break
        else:
            briefs.append(arg)
    if len(briefs) != 1 or not os.path.isfile(briefs[0]):
        return None
    jobs = values.get("-j", []) + values.get("--jobs", [])
    if command == "build" and jobs and jobs[-1].strip() == "1":
        return None
    # (-f and --format in the order given: the first of each is enough to order them here)
    given = [f.strip().lower() for v in values.get("-f", []) + values.get("--format", [])
             for f in v.split(",") if f.strip()]
    return command, tuple(dict.fromkeys(given)) or DEFAULT_FORMATS


def start(argv: Sequence[str]) -> None:
    """Start the children :func:`guess` says the command will want (none when it cannot say,
    or where no child can be forked)."""
    found = guess(argv)
    if found is None:
        return
    from .. import workers

    command, formats = found
    from ..cache import turn_on

    turn_on()  # (before the children: they inherit it)
    stop_on_sigterm()  # (before the first child: see there)
    if command == "build":
        workers.prestart(formats)
    else:
        workers.prestart_composer()


def stop_on_sigterm() -> Any:
    """Have SIGTERM (``kill``, a job runner's timeout) end a command that has children as
    Ctrl-C does, with status 143: the children are ended and reaped, and no temporary file is
    left beside the pack (by default the process would vanish on the spot, leaving both).
    Returns the handler to put back, or None where there was one already (or this is not the
    main thread)."""
    import signal

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    try:
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return None
        return signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread
        return None
