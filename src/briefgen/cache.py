"""Results kept between runs of the command line, in a private folder of the user's.

A one-brief ``briefgen build`` or ``validate`` works out some things that seldom change from
run to run, and a cold process pays for each of them again (issue 19):

* the loaded, validated brief (:func:`briefgen.pipeline.load` of a file: 13 ms, the YAML
  parser's import included), kept for the same file path and bytes; the style
  (:func:`briefgen.style.load_style`), kept while every file it was made of is as it was (the
  test the process's own cache of styles makes); the label set
  (:func:`briefgen.loader.label_set`): with all three kept, the YAML parser is not imported;
* the brief's rich text as markdown-it parses it (:func:`briefgen.inline.parse_markdown`:
  18 ms with markdown-it's import, which a PDF's child otherwise spends for this process),
  kept for the same texts;
* the characters a style's fonts draw, which the PDF renderer asks of every face's character
  map (:func:`briefgen.render.pdf.inlines.text_characters`: 9 ms), kept for the same font
  files (path, size and time).

Every key also holds briefgen's own code (the size and time of each of its modules, templates
and data files), Python's version and the versions of the libraries that read the input
(PyYAML, ruamel.yaml, msgspec, markdown-it-py, mdurl), so that an edited, upgraded or
downgraded briefgen or library never reads an older result. Only what succeeded is kept: a
brief with a problem is read and reported afresh.

Where: ``$BRIEFGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/briefgen``, else
``~/.cache/briefgen``, made with mode 0700 and used only if it is a real folder owned by this
user and closed to others (the checks Jinja2 makes of the folder of its bytecode cache, which
keeps briefgen's compiled templates: see :mod:`briefgen.compose`). An entry is read with an
unpickler that builds only briefgen's and the standard library's plain records. A folder that
cannot be made, read or written, or an entry that cannot be read, only means working the
result out again. At most :data:`MAX_ENTRIES` entries are kept (the oldest go first).

Only the command line keeps results (:func:`turn_on`, called by :mod:`briefgen.cli.early`
for a one-brief command): a program's builds work from their input each time.
``BRIEFGEN_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import os
import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["MAX_ENTRIES", "file_stamp", "folder", "get", "kept", "put", "turn_on"]

#: The most entries kept; past it, the oldest fifth is removed.
MAX_ENTRIES = 200

T = TypeVar("T")

_ON = False
_FOLDER: list[Path | None] = []  # (worked out once per process)
_STAMP: list[str] = []
#: the distributions whose versions are part of every key (they read the input)
_LIBRARIES = ("pyyaml-", "ruamel.yaml-", "ruamel_yaml-", "msgspec-", "markdown_it_py-",
              "mdurl-")
#: what an entry may build besides briefgen's classes: plain records of the standard library
_ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"),
            ("datetime", "timedelta"), ("datetime", "timezone"), ("pathlib", "PosixPath"),
            ("pathlib", "WindowsPath"), ("pathlib", "PurePosixPath"),
            ("briefgen.typed", "restore")}


def turn_on() -> None:
    """Keep results in this process and the children it forks from now on (the command
    line's one-brief commands)."""
    global _ON
    _ON = True


def folder() -> Path | None:
    """The folder results are kept in, or None (off, or no safe folder)."""
    if not _FOLDER:
        _FOLDER.append(_find_folder())
    return _FOLDER[0]


def _find_folder() -> Path | None:
    if not _ON or os.environ.get("BRIEFGEN_NO_CACHE"):
        return None
    base = os.environ.get("BRIEFGEN_CACHE_DIR")
    if not base:
        # (a relative $XDG_CACHE_HOME is to be ignored, says the XDG spec; and with HOME
        # unset, a user the system has no entry for (a container's) has "~" for a home:
        # neither may put a folder in the current one)
        home = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(home):
            home = os.path.join(os.path.expanduser("~"), ".cache")
            if not os.path.isabs(home):
                return None
        base = os.path.join(home, "briefgen")
    import stat

    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        st = os.lstat(base)
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(st.st_mode) or (st.st_mode & 0o077):
        return None
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return None
    return Path(base)


def file_stamp(path: str | os.PathLike[str]) -> str:
    """A file's path, size, modification and change times and inode, for a key (``path:?``
    when it cannot be read). The change time and the inode are what a file replaced by
    another of the same size with its time kept (``cp -p``, ``rsync -a``, an archive's
    files) does not keep; the test :func:`briefgen.style.load_style` makes of a style's
    fonts."""
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:?"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def _code_stamp() -> str:
    """briefgen's modules, Python and the input-reading libraries, as they are now (0.5 ms)."""
    if not _STAMP:
        import hashlib

        import msgspec

        parts = [sys.version]
        stack = [os.path.dirname(__file__)]
        while stack:
            with os.scandir(stack.pop()) as found:
                for entry in found:
                    if entry.name.endswith((".py", ".j2", ".yaml", ".json")):
                        st = entry.stat()
                        parts.append(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}")
                    elif "." not in entry.name and entry.name != "__pycache__" \
                            and entry.is_dir():
                        stack.append(entry.path)
        site = os.path.dirname(os.path.dirname(msgspec.__file__ or ""))
        try:  # the libraries' installed versions, as their distributions name them
            parts += [n for n in os.listdir(site) if n.lower().startswith(_LIBRARIES)]
        except OSError:
            parts.append("?")
        parts.sort()
        _STAMP.append(hashlib.sha256("\n".join(parts).encode()).hexdigest())
    return _STAMP[0]


class _Unpickler(pickle.Unpickler):  # (pickle: imported by briefgen.workers already)
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        # a class of briefgen's own, by its own name: never a dotted name (the unpickler
        # follows it attribute by attribute, from a briefgen module to whatever that module
        # imported: ``briefgen.loader`` + ``types.FunctionType`` would build and call code),
        # nor a class a briefgen module only imported (``briefgen.cache`` + ``Path``)
        if module.startswith("briefgen.") and name.isidentifier() \
                and not name.startswith("_"):
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == module \
                    and found.__qualname__ == name and _plain_record(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not kept here")


def _plain_record(cls: type) -> bool:
    """Whether ``cls`` is a record (a msgspec Struct or a dataclass) whose instances cannot be
    called: not every class of briefgen's may come out of an entry (``Named("os", "system")``
    is a function, ``SafeFunction`` and ``Given`` hold one)."""
    import dataclasses

    import msgspec

    return (issubclass(cls, msgspec.Struct) or dataclasses.is_dataclass(cls)) \
        and not any("__call__" in vars(k) for k in cls.__mro__ if k is not object)


def kept(kind: str, parts: tuple[str | bytes, ...], make: Callable[[], T]) -> T:
    """``make()``, or what it returned in an earlier run for the same ``parts`` (and the same
    code: see the module). ``kind`` names the entries (one word)."""
    path = _entry(kind, parts)
    if path is None:
        return make()
    found: T | None = _read(path)
    if found is not None:
        return found
    value = make()
    _put(path.parent, path, value)
    return value


def get(kind: str, parts: tuple[str | bytes, ...]) -> Any:
    """What :func:`put` kept for ``parts`` in an earlier run, or None."""
    path = _entry(kind, parts)
    return None if path is None else _read(path)


def put(kind: str, parts: tuple[str | bytes, ...], value: Any) -> None:
    """Keep ``value`` for ``parts`` (nothing when results are not kept)."""
    path = _entry(kind, parts)
    if path is not None:
        _put(path.parent, path, value)


def _read(path: Path) -> Any:
    import io

    try:
        with open(path, "rb") as fh:
            return _Unpickler(io.BytesIO(fh.read())).load()
    except Exception:  # none yet, or one that cannot be read: made again
        return None


def _entry(kind: str, parts: tuple[str | bytes, ...]) -> Path | None:
    where = folder()
    if where is None:
        return None
    import hashlib

    digest = hashlib.sha256(_code_stamp().encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return where / f"{kind}-{digest.hexdigest()[:40]}"


def _put(where: Path, path: Path, value: Any) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "wb") as fh:
            fh.write(data)
        os.replace(temp, path)
    except BaseException as e:  # kept or not, the result is the same
        try:  # (interrupted too: Ctrl-C, or SIGTERM as the command has it, would leave it)
            os.unlink(temp)
        except OSError:
            pass
        if not isinstance(e, Exception):
            raise
        return
    _trim(where)


#: an entry's name (:func:`_entry`): its kind and 40 hexadecimal digits
_ENTRY = re.compile(r"[a-z]+-[0-9a-f]{40}")


def _trim(where: Path) -> None:
    try:
        # (only the entries _entry names: the folder may be one of the user's, given as
        # $BRIEFGEN_CACHE_DIR, and what else it holds is not briefgen's to remove)
        entries = [e for e in os.scandir(where) if _ENTRY.fullmatch(e.name) and e.is_file()]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
        for e in entries[: len(entries) - MAX_ENTRIES * 4 // 5]:
            os.unlink(e.path)
    except OSError:
        pass
