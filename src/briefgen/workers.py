"""Rendering in forked processes, so that one brief's build uses the cores there are.

Two ways, both POSIX only and both giving the same bytes as rendering in this process:

* :class:`Forked` runs a call in a child forked *now*, sharing this process's memory as it is
  (the composed document is not copied): :func:`briefgen.pipeline.render_all` renders each
  format after the first this way.
* :class:`Standby` forks a child *before* the document exists, in a process that has not
  imported a format's renderer yet (a fresh ``briefgen build``): the child imports the
  renderer and its libraries (ReportLab alone is about 0.1 s) while this process loads,
  validates and composes the brief, then renders the document it is sent. A cold one-brief
  build then costs about the preparation plus the rendering, not the imports as well. A
  child with time to spare can be asked for work on the way (:meth:`Standby.ask`: the one
  rendering child parses the brief's Markdown); ``briefgen validate`` forks one that imports the
  template engine and composes the brief (:func:`prestart_composer`). The command starts
  these children before it imports click (:mod:`briefgen.cli.early`).

A child sends its result back pickled through a pipe and leaves with ``os._exit`` (no exit
handler of the parent runs twice); an error it raises is raised again here, with the child's
traceback as its cause. The command (whose children :func:`prestart` started) does not wait
for a child that has sent its result to finish ending (it frees its memory: 3 ms), since the
command itself exits next; a program reaps them with :func:`reap_exiting`. No child outlives
its use: one whose build fails or is interrupted
is killed and reaped at once, and one whose parent dies (even by ``kill -9``) is killed by
the system (Linux). Where no child can be started (EAGAIN, EMFILE), the format renders in
this process, to the same bytes.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .errors import BriefError, InternalError

__all__ = ["COMPOSER", "ForkError", "Forked", "Named", "Standby", "can_fork", "cold",
           "hold_ahead", "prestart", "prestart_composer", "reap_exiting", "release",
           "standby_for", "take", "take_ahead", "taken_early", "usable_cores"]


def usable_cores() -> int:
    """The cores this process may run on (a container's or ``taskset``'s limit included)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether forking is possible and worth it: POSIX, more than one core, and no other
    thread in this process (a forked child would inherit its locks, held)."""
    import threading

    return hasattr(os, "fork") and usable_cores() > 1 and threading.active_count() == 1


def _send(fn: Callable[..., Any], args: tuple[Any, ...], fd: int) -> None:
    """In a child: pickle what ``fn(*args)`` returns (or the error it raises) to ``fd``."""
    try:
        payload = pickle.dumps((True, fn(*args)))
    except BaseException as e:
        import traceback

        try:
            error = pickle.dumps(e)
        except Exception:  # not picklable: its type and message reach the parent
            error = b""
        text = "".join(traceback.format_exception(e))
        payload = pickle.dumps((False, (error, f"{type(e).__name__}: {e}", text)))
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(payload)


#: the kinds of call a Standby child is sent
_PREPARE, _ASK, _LAST = 0, 1, 2


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, size: int) -> bytes | None:
    """``size`` bytes from ``fd`` (None at an end of file before them)."""
    parts: list[bytes] = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as pipe:
        return pipe.read()


def _pipe() -> tuple[int, int]:
    """A pipe, or :class:`ForkError` (too many open files)."""
    try:
        return os.pipe()
    except OSError as e:
        raise ForkError(e.errno, e.strerror) from None


_STOPS = (signal.SIGINT, signal.SIGTERM)


def _fork(*fds: int) -> tuple[int, Any]:
    """``os.fork()`` with Ctrl-C and SIGTERM held back in both processes, and the signal mask
    to put back (:func:`signal.pthread_sigmask`): the child lets them through only inside its
    ``try``, so that an interrupt landing as it starts can never unwind it into the caller's
    code. Or :class:`ForkError`, with ``fds`` closed (a system out of processes or memory:
    EAGAIN, ENOMEM): the caller renders in this process instead."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        return os.fork(), held
    except OSError as e:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        for fd in fds:
            os.close(fd)
        raise ForkError(e.errno, e.strerror) from None


def _child_signals() -> None:
    """In a child: SIGTERM ends it (the system's way), whatever this process does with it (the
    command raises SystemExit there, to end its children and leave no file behind: a child
    that did so would seem to the parent to have asked it to stop)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _let_through(held: Any, undo: Callable[[], None]) -> None:
    """In this process, after a fork: put the signal mask back; a Ctrl-C or SIGTERM held back
    meanwhile is raised now, and the child just started is ended first (``undo``)."""
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    except BaseException:
        undo()
        raise


def die_with(parent: int) -> None:
    """In a child: be killed when ``parent`` dies, however it dies (``kill -9`` included),
    rather than render on for no one (Linux; elsewhere a child ends when it next writes)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (ImportError, OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before that took effect
        os._exit(1)


def _leave_child() -> None:
    """End a child: its standard streams closed first, since the system closes a process's
    files only after freeing its memory (3 ms for a PDF child), and whoever reads the
    command's output through a pipe (a shell's ``$(...)``, a CI log) waits for every copy of
    it to close; then ``os._exit`` (no exit handler of the parent runs twice)."""
    try:
        os.closerange(0, 3)
    finally:
        os._exit(0)


class ChildTracebackError(Exception):
    """The traceback of an error raised in a child, as text: the cause of the error raised
    again here, so that a traceback printed here (``--debug``) shows where it happened."""

    def __str__(self) -> str:
        return "\n\n" + str(self.args[0]).rstrip()


class ForkError(OSError):
    """No child could be started; the work is done in this process instead."""


def _how_it_ended(status: int | None) -> str:
    if status is not None and os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return f"killed by signal {name}"
    if status is not None and os.WIFEXITED(status):
        return f"exit status {os.WEXITSTATUS(status)}"
    return f"status {status}"


class Forked:
    """A call run in a forked child; :meth:`result` returns its value or raises its error.
    The child shares this process's memory as it was (nothing is pickled on the way in) and
    sends its result back, pickled, through a pipe."""

    #: what the child does, for the message when it ends without a result
    role = "rendering"

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        read, write = _pipe()
        parent = os.getpid()
        self.pid, held = _fork(read, write)
        if self.pid == 0:  # the child: run, send, and leave without running any exit handler
            try:
                _child_signals()
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
                os.close(read)
                die_with(parent)
                _send(fn, args, write)
            finally:
                _leave_child()
        self.read = read
        self.status: int | None = None  # the child's wait status, once reaped
        try:
            os.close(write)
        finally:
            _let_through(held, self.kill)

    #: whether :meth:`reap` waits for the child to end after it sent its result (it frees
    #: its memory as it ends: 3 ms for a PDF child); a command that exits right after leaves
    #: it to the system (see :func:`prestart`)
    wait_for_exit = True

    def reap(self) -> bytes:
        """Wait for the child and return what it sent (read first: the pipe is small)."""
        if self.status is not None:  # reaped already (killed)
            return b""
        fd, self.read = self.read, -1  # closed by the reading, even if it is interrupted
        try:
            payload = _read_all(fd)
        except BaseException:  # interrupted: what it would send is of no use now
            self.kill()
            raise
        if payload and not self.wait_for_exit:  # sent all it had: it is leaving
            _EXITING.append(self.pid)
            self.status = 0
            return payload
        self._wait()
        return payload

    def kill(self) -> None:
        """End the child now, whatever it is doing, and reap it (a build that fails or is
        interrupted has no use for what it would send); nothing if it is reaped already."""
        if self.status is not None:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:  # already gone
            pass
        if self.read >= 0:
            os.close(self.read)
            self.read = -1
        self._wait()

    def _wait(self) -> None:
        try:
            self.status = os.waitpid(self.pid, 0)[1]
        except ChildProcessError:  # reaped by the system (SIGCHLD ignored) or the caller
            self.status = 0
        except BaseException:  # interrupted while waiting: end it, and reap it still
            try:
                os.kill(self.pid, signal.SIGKILL)
                self.status = os.waitpid(self.pid, 0)[1]
            except OSError:
                self.status = 0
            raise

    def result(self) -> Any:
        payload = self.reap()
        if not payload:
            raise InternalError(f"a {self.role} process ended without a result "
                                f"({_how_it_ended(self.status)})")
        ok, value = pickle.loads(payload)
        if ok:
            return value
        error, summary, text = value
        try:
            exc = pickle.loads(error) if error else None
        except Exception:  # an exception that cannot be rebuilt from its arguments
            exc = None
        if not isinstance(exc, BaseException):
            exc = InternalError(summary)
        if not isinstance(exc, BriefError) and exc.__cause__ is None:
            exc.__cause__ = ChildTracebackError(text)  # the frames of the child, for --debug
        raise exc


class Named:
    """A function named by its module and name, imported where it is called: a child can be
    sent a function of a module this process has not imported, and need not (pickle sends a
    function by name, but finding the name means importing its module here)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(self.module), self.name)(*args)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Named, (self.module, self.name))


class Standby(Forked):
    """A child forked before there is anything to render: it runs ``warm()`` (imports), then
    the calls it is sent: each :meth:`prepare` call as it comes (work that needs only part of
    the input, its errors ignored: the real call meets them again), each :meth:`ask` call
    (work done for this process while the child waits: :meth:`answer` returns its value, or
    None if it failed), and the :meth:`send` call, whose value :meth:`result` returns.
    :meth:`cancel` (or this process ending) releases a child that will not be needed.

    Each call, and each answer, travels as one length-prefixed message, so the child never
    waits for an end of file that another child, holding a copy of the pipe, would keep from
    coming."""

    #: started by :func:`prestart`, before this process read its input (time to spare)
    early = False

    def __init__(self, warm: Callable[[], Any], role: str = "rendering") -> None:
        self.role = role
        jobs, self._jobs = _pipe()  # this process -> the child: the pickled calls
        try:
            read, write = _pipe()  # the child -> this process: the pickled result
        except OSError:
            os.close(jobs)
            os.close(self._jobs)
            raise
        parent = os.getpid()
        self.pid, held = _fork(jobs, self._jobs, read, write)
        if self.pid == 0:
            try:
                _child_signals()
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
                os.close(self._jobs)
                os.close(read)
                die_with(parent)
                self._serve(warm, jobs, write)
            finally:
                _leave_child()
        self.read = read
        self.status = None
        self._asked = 0  # answers the child owes (read before its result)
        try:
            os.close(jobs)
            os.close(write)
        finally:
            _let_through(held, self.cancel)

    @staticmethod
    def _serve(warm: Callable[[], Any], jobs: int, write: int) -> None:
        """The child's side: warm up, then run the calls until the last one (or none)."""
        try:
            warm()
        except Exception:  # an import that fails fails again in the call, and says why there
            pass
        with os.fdopen(jobs, "rb") as pipe:
            while True:
                head = pipe.read(8)
                job = pipe.read(int.from_bytes(head, "big")) if len(head) == 8 else b""
                if not job:  # cancelled
                    return
                kind, fn, args = pickle.loads(job)
                if kind == _LAST:
                    _send(fn, args, write)
                    return
                try:
                    value = fn(*args)
                except Exception:  # the last call meets it again, and reports it
                    value = None
                if kind == _ASK:
                    try:
                        answer = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) \
                            if value is not None else b""
                    except Exception:
                        answer = b""
                    _write_all(write, len(answer).to_bytes(8, "big") + answer)

    def prepare(self, fn: Callable[..., Any], *args: Any) -> None:
        """Have the child run ``fn(*args)`` now, for what it leaves behind (fonts parsed, a
        template read) rather than for its value."""
        self._post(pickle.dumps((_PREPARE, fn, args), protocol=pickle.HIGHEST_PROTOCOL),
                   last=False)

    def ask(self, fn: Callable[..., Any], *args: Any) -> None:
        """Have the child work out ``fn(*args)`` for this process while it waits for its own
        call; :meth:`answer` returns the value (asked and answered in order)."""
        self._post(pickle.dumps((_ASK, fn, args), protocol=pickle.HIGHEST_PROTOCOL),
                   last=False)
        if self._jobs >= 0:
            self._asked += 1

    def answer(self) -> Any:
        """The value of the earliest :meth:`ask` not yet answered (waiting for it), or None
        when the call failed, or the child is gone."""
        if self._asked <= 0 or self.read < 0:
            return None
        self._asked -= 1
        try:
            size = int.from_bytes(_read_exact(self.read, 8) or b"", "big")
            payload = _read_exact(self.read, size) if size else b""
            return pickle.loads(payload) if payload else None
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def reap(self) -> bytes:
        while self._asked > 0:  # (answers never asked for come before the result)
            self.answer()
        return super().reap()

    def send(self, fn: Callable[..., Any], *args: Any) -> None:
        """Have the child return ``fn(*args)`` (both pickled: it is a separate process)."""
        self._post(pickle.dumps((_LAST, fn, args), protocol=pickle.HIGHEST_PROTOCOL))

    def cancel(self) -> None:
        """End the child without work (it has only imported and prepared: it holds nothing
        to save) and wait for it, so that a failed build ends at once."""
        if self._jobs >= 0:  # (no message: a full pipe would keep this side waiting)
            os.close(self._jobs)
            self._jobs = -1
        self.kill()

    def _post(self, data: bytes, *, last: bool = True) -> None:
        if self._jobs < 0:
            return
        fd = self._jobs
        if len(data) > 60_000:  # a pipe holds 64 KiB: make room, so this side need not wait
            try:
                import fcntl

                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, len(data) + 8)
            except (ImportError, AttributeError, OSError):
                pass  # it waits for the child to read, which is only slower
        try:
            _write_all(fd, len(data).to_bytes(8, "big"))
            _write_all(fd, data)
        except BrokenPipeError:  # the child is gone: result() says so
            last = True
        if last:
            os.close(fd)
            self._jobs = -1


_PRESTARTED: dict[str, Standby] = {}


def standby_for(fmts: Sequence[str]) -> dict[str, Standby]:
    """Children that import the renderers of ``fmts`` while this process prepares the
    document, for a process that has not imported them yet (a fresh ``briefgen build``; a
    warm process forks after composing instead, with nothing to copy): every format but one,
    which this process renders itself (DOCX, the lightest to import), or the one format.
    Those :func:`prestart` forked are taken first. Empty where forking is not possible or
    worth it."""
    keep = "docx" if len(fmts) > 1 and "docx" in fmts else None
    wanted = [f for f in fmts if f != keep and (f in _PRESTARTED or cold(f))]
    out = {f: _PRESTARTED.pop(f) for f in wanted if f in _PRESTARTED}
    release()  # any started for other formats: not needed
    if len(out) < len(wanted) and can_fork():
        for f in wanted:
            if f not in out:
                try:
                    out[f] = Standby(warm_renderer(f))
                except ForkError:  # no process to spare: the build renders it here
                    break
    return out


#: The key of the composing child among the prestarted ones (:func:`prestart_composer`).
COMPOSER = "compose"


def prestart_composer() -> None:
    """Fork a child that imports the template engine (Jinja2, lxml, markdown-it: about 50 ms)
    while this process imports the brief model and loads and validates the brief; it then
    composes the brief it is sent (:func:`briefgen.pipeline.check`, which ``briefgen
    validate`` runs, takes it with :func:`take`). Only for a process that has yet to import
    the engine, on more than one core."""
    if can_fork() and COMPOSER not in _PRESTARTED and "briefgen.compose" not in sys.modules:
        try:
            _PRESTARTED[COMPOSER] = Standby(_warm_composer, "composing")
        except ForkError:  # no process to spare: this process composes
            pass


def _warm_composer() -> None:
    from .compose import warm

    warm()


def take(key: str) -> Standby | None:
    """The prestarted child for ``key`` (a format, or :data:`COMPOSER`), now the caller's to
    use or cancel; None when there is none."""
    return _PRESTARTED.pop(key, None)


def release() -> None:
    """End the :func:`prestart` children no build took over (the build failed before), and
    those of a build started ahead (:func:`hold_ahead`) that none took over."""
    for child in _PRESTARTED.values():
        child.cancel()
    _PRESTARTED.clear()
    held = take_ahead()
    if held is not None:
        held.cancel()


def taken_early() -> bool:
    """Whether :func:`prestart` started children (a build may then be started ahead)."""
    return bool(_PRESTARTED)


#: a build started ahead (briefgen.pipeline.build_ahead): opaque here but for its cancel()
_AHEAD: list[Any] = []


def hold_ahead(build: Any) -> None:
    """Keep a build started before the command read its arguments (ended with its
    ``cancel()`` by :func:`release` if no build takes it over with :func:`take_ahead`)."""
    _AHEAD[:] = [build]


def take_ahead() -> Any:
    """The build :func:`hold_ahead` kept (now the caller's, children and all), or None."""
    return _AHEAD.pop() if _AHEAD else None


#: children that sent their result and were left to end on their own (``wait_for_exit``)
_EXITING: list[int] = []


def reap_exiting() -> None:
    """Wait for the children left to end on their own (each has sent its result and is only
    freeing its memory), so that none is left unreaped: for a program that goes on after a
    command's work (the command itself exits and leaves them to the system)."""
    while _EXITING:
        pid = _EXITING.pop()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def prestart(fmts: Sequence[str]) -> None:
    """Fork the :func:`standby_for` children now, before this process imports the brief
    model and the templates (the ``briefgen build`` of one brief calls this first thing);
    the build takes them over."""
    if can_fork() and not _PRESTARTED and not _AHEAD:
        _PRESTARTED.update(standby_for(fmts))
        for child in _PRESTARTED.values():
            child.early = True
            child.wait_for_exit = False  # (the command exits once it has written the files)


def warm_renderer(fmt: str) -> Callable[[], None]:
    """What a :class:`Standby` child does while it waits: import the format's renderer and
    what it imports when it first runs (:func:`briefgen.render.load_renderer`), the PDF's
    without the modules ReportLab imports and a brief seldom needs (HarfBuzz, Pillow: they
    are imported if the render asks for them; see :mod:`briefgen.deferred`)."""

    def warm() -> None:
        from .render import load_renderer

        if fmt == "pdf":
            from .deferred import REPORTLAB_SELDOM, modules_on_first_use

            modules_on_first_use(REPORTLAB_SELDOM)
        load_renderer(fmt)

    return warm


def cold(fmt: str) -> bool:
    """Whether this process has yet to import the format's renderer (a fresh process)."""
    return f"briefgen.render.{fmt}" not in sys.modules
