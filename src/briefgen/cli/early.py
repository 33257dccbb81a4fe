"""What a ``briefgen`` process starts before it imports the command line.

Importing click and the commands takes about 15 ms, and a child forked after that starts its
own work (importing ReportLab, about 0.1 s) that much later. So the command's process first
reads its arguments here, without click, far enough to know what it will do: ``build`` of
one brief file starts the formats' rendering children (:func:`briefgen.workers.prestart`);
``validate`` of one brief file starts a child that imports the template engine and will
compose the brief (:func:`briefgen.workers.prestart_composer`). A ``build`` whose options
decide no more than the formats, the style and the template goes further: it is started
itself (:func:`briefgen.pipeline.build_ahead`: the brief loaded and composed, the children
sent the document), so that click's import and reading (about 15 ms) come while the
children render. The command, once click has parsed its arguments, takes over those children
and that build, or ends them.

This reading is a guess and only a guess: click alone decides what the arguments mean. A
wrong guess costs time, never a result (a child or a build not taken is ended, and one that
is missing is started then; a build started ahead prints and writes nothing, and one that
fails is done again by the command, which reports the problem as it would have).
``tests/test_cli_early.py`` holds :data:`VALUED` to the commands' options, and the outcome of
every kind of build, good and bad, to that of a build without the early start.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

__all__ = ["AHEAD_FLAGS", "AHEAD_VALUED", "VALUED", "guess", "start", "stop_on_sigterm"]

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
    read = _read(argv)
    return (read.command, read.formats) if read is not None else None


class _Read:
    """What :func:`_read` made of the arguments."""

    def __init__(self, command: str, values: dict[str, list[str]], flags: set[str],
                 brief: str) -> None:
        self.command, self.values, self.flags, self.brief = command, values, flags, brief
        # (-f and --format in the order given: the first of each is enough to order them)
        given = [f.strip().lower() for v in values.get("-f", []) + values.get("--format", [])
                 for f in v.split(",") if f.strip()]
        self.formats = tuple(dict.fromkeys(given)) or DEFAULT_FORMATS

    def last(self, *names: str) -> str | None:
        found = [v for n in names for v in self.values.get(n, [])]
        return found[-1] if found else None


def _read(argv: Sequence[str]) -> _Read | None:
    args = list(argv)
    i = 0
    while i < len(args) and args[i] in GROUP_FLAGS:
        i += 1
    if i >= len(args) or args[i] not in ("build", "validate"):
        return None
    command, rest = args[i], args[i + 1:]
    values: dict[str, list[str]] = {}
    flags: set[str] = set()
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
            else:
                flags.add(arg)
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
                flags.add(name)
        else:
            briefs.append(arg)
    if len(briefs) != 1 or not os.path.isfile(briefs[0]):
        return None
    jobs = values.get("-j", []) + values.get("--jobs", [])
    if command == "build" and jobs and jobs[-1].strip() == "1":
        return None
    return _Read(command, values, flags, briefs[0])


#: What a build may be started with before click reads the arguments (:func:`start`): the
#: options that decide only the formats, the style and the template, or nothing the build
#: makes (where the files go, how much is printed, how many processes).
AHEAD_VALUED = frozenset({"-o", "--output", "-f", "--format", "-s", "--style", "-t",
                          "--template", "-j", "--jobs"})
AHEAD_FLAGS = frozenset({"-q", "--quiet"})


def start(argv: Sequence[str]) -> None:
    """Start the children the command will want (none when :func:`guess` cannot say, or
    where no child can be forked); for a ``build`` of one brief file with only the options
    of :data:`AHEAD_VALUED` and :data:`AHEAD_FLAGS`, start the build itself too: the brief
    is loaded and composed and the children sent the document before click is imported and
    reads the arguments (:func:`briefgen.pipeline.build_ahead`). The command then takes that
    work over if click's reading of the arguments gives the same options, and ends it
    otherwise (a wrong guess costs time, never a result)."""
    read = _read(argv)
    if read is None:
        return
    from .. import workers
    from ..cache import turn_on

    turn_on()  # (before the children: they inherit it)
    stop_on_sigterm()  # (before the first child: see there)
    if read.command != "build":
        workers.prestart_composer()
        return
    workers.prestart(read.formats)
    if set(read.values) <= AHEAD_VALUED and read.flags <= AHEAD_FLAGS and workers.taken_early():
        from ..pipeline import BuildOptions, build_ahead

        try:
            options = BuildOptions(formats=read.formats, style=read.last("-s", "--style"),
                                   template=read.last("-t", "--template"), parallel=True)
        except Exception:  # (an unknown format: click says so)
            return
        build_ahead(read.brief, options)


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
