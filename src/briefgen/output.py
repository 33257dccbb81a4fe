"""Output: a pack's files are committed together or not at all.

The caller of a build (one brief or a batch) writes every file here: checked first
(:func:`check_targets`), written to temporaries beside their targets, then renamed into place
together (:func:`commit`). A batch's workers never write; they hand the bytes back.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import OutputError

__all__ = ["check_folder", "check_targets", "commit", "pack_targets", "write_atomic"]


def check_folder(folder: Path, *, make: bool = True) -> None:
    """Make the output folder (or, without ``make``, only check that it can be made), or
    refuse it with a message naming it."""
    if folder.exists() and not folder.is_dir():
        raise OutputError.at(folder, "is a file, not a folder; name a folder for the output")
    if not make:
        above = next((p for p in folder.parents if p.exists()), None)
        if above is not None and not above.is_dir():
            raise OutputError.at(folder, f"cannot be made: {above} is a file")
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError.at(folder, "cannot be made: part of its path is a file") from None
    except OSError as e:
        raise OutputError.at(folder, f"cannot be made ({e.strerror})") from None


def check_targets(targets: Iterable[Path], protect: Iterable[Path] = ()) -> None:
    """Refuse, before any work, targets that cannot be written: a folder in the way, a file
    that is one of the inputs (``protect``), the same file twice."""
    guarded = {_identity(p) for p in protect}
    seen: dict[tuple[Any, ...], Path] = {}
    for target in targets:
        if target.is_dir():
            raise OutputError.at(target, "is a folder; move it, or write to another folder")
        ident = _identity(target)
        if ident in guarded:
            raise OutputError.at(target, "is an input of this build; it will not be "
                                         "overwritten: write to another folder")
        if ident in seen:
            raise OutputError.at(target, f"would be written twice (also as {seen[ident]})")
        seen[ident] = target


def _identity(path: Path) -> tuple[Any, ...]:
    """What makes two paths the same file: device and inode where it exists, else the
    resolved path (case-folded: on a case-insensitive disk ``A.pdf`` is ``a.pdf``)."""
    try:
        st = path.stat()
        return ("inode", st.st_dev, st.st_ino)
    except OSError:
        return ("path", str(path.resolve()).casefold())


def commit(files: Mapping[Path, bytes], protect: Iterable[Path] = ()) -> list[Path]:
    """Write every file or none: readers see the old files or the new ones, never a partial
    one, and never one format new and the other old.

    Every target is checked first (:func:`check_targets`); then each file goes to a
    temporary ``.NAME.*.part`` beside its target, flushed to disk; only when all are written
    are they renamed over their targets. An existing target keeps a hard link (or a copy) until
    the end, so that a rename that fails puts back the files already replaced. A new file
    takes the permissions the umask gives, a replaced one keeps its own. Temporaries are
    removed whatever happens, an interrupt included."""
    targets = list(files)
    for folder in dict.fromkeys(t.parent for t in targets):
        check_folder(folder)
    check_targets(targets, protect)
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path | None] = {}
    done: list[Path] = []
    try:
        for target in targets:
            temps[target] = _write_temp(target, files[target])
        for target in targets:
            backups[target] = _keep(target)
        for target in targets:
            os.replace(temps[target], target)
            del temps[target]
            done.append(target)
    except BaseException:
        for target in reversed(done):  # put back what was replaced, remove what was new
            old = backups.get(target)
            try:
                if old is not None:
                    os.replace(old, target)
                    backups[target] = None
                else:
                    target.unlink(missing_ok=True)
            except OSError:
                pass
        raise
    finally:
        for tmp in [*temps.values(), *(b for b in backups.values() if b is not None)]:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
    return targets


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.urandom(6).hex()}.part")


def _write_temp(target: Path, data: bytes) -> Path:
    """``data`` in a new temporary file beside ``target``, flushed to disk. Its name is chosen
    before it exists, so an interrupt at any point leaves nothing the caller cannot remove."""
    tmp = _temp_name(target)
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)  # the umask applies, as for any new file
        except OSError as e:
            raise OutputError.at(target.parent, f"cannot write here ({e.strerror})") from None
        with os.fdopen(fd, "wb") as fh:
            try:
                mode = target.stat().st_mode & 0o7777  # a replaced file keeps its mode
            except OSError:
                mode = None
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _keep(target: Path) -> Path | None:
    """A second name for an existing target (a hard link, else a copy), to put it back if the
    commit fails; None if there is no target yet."""
    if not target.exists():
        return None
    keep = _temp_name(target)
    try:
        os.link(target, keep)
    except OSError:
        import shutil

        shutil.copy2(target, keep)
    return keep


def write_atomic(path: Path, data: bytes) -> None:
    """Write one file so that readers see the old file or the new one, never a partial one."""
    commit({Path(path): data})


def pack_targets(output_dir: str | os.PathLike[str], stem: str,
                 formats: Iterable[str]) -> list[Path]:
    """``output_dir/<stem>.<format>`` for each format; refuse a stem that is not a plain file
    name (``../x``, ``a/b``), which would write outside the output folder."""
    seps = {os.sep, os.altsep or os.sep, "/"}
    if not stem or stem in (".", "..") or any(c in stem for c in seps) or "\0" in stem:
        raise OutputError.at(stem, "the stem must be a plain file name, not a path: the "
                                   "pack is written inside the output folder")
    out = Path(output_dir)
    return [out / f"{stem}.{fmt}" for fmt in formats]

