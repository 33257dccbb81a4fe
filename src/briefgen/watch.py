"""Rebuild a pack whenever its inputs are saved, for a live preview while writing.

:func:`watch` builds once, then waits for a change to any file the build reads (the brief,
the style and every style it extends, the pack template and the templates beside it, the
logo, fonts and reference document a style names), debounced so that an editor's burst of
writes is one rebuild. A save with errors prints them and leaves the last good pack in place
(a build writes nothing unless every format rendered). File events come from ``watchfiles``
(inotify on Linux, native events elsewhere); folders are watched rather than files, because
editors save by writing a new file and renaming it over the old one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["watch", "watched_folders"]


def watched_folders(files: Iterable[Path]) -> list[Path]:
    """The folders to watch for ``files``: each file's own folder, once."""
    out: list[Path] = []
    for f in files:
        folder = Path(f).resolve().parent
        if folder not in out:
            out.append(folder)
    return out


def _snapshot(files: Iterable[Path]) -> dict[Path, tuple[int, int, int] | None]:
    """What each file is now (inode, size, modification time), to notice a save that came
    while no watcher was running (during a rebuild)."""
    out: dict[Path, tuple[int, int, int] | None] = {}
    for f in files:
        try:
            st = f.stat()
            out[f] = (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            out[f] = None
    return out


def watch(inputs: Callable[[], list[Path]], rebuild: Callable[[], None], *,
          ignore: Iterable[Path] = (), stop: threading.Event | None = None,
          debounce_ms: int = 250, on_change: Callable[[list[Path]], None] | None = None) -> None:
    """Call ``rebuild`` now and after every change to a file ``inputs()`` names (asked again
    after each rebuild: a style may now extend another). Files under ``ignore`` (the output
    folder) never trigger a rebuild. Runs until ``stop`` is set or the user presses Ctrl-C."""
    import watchfiles

    stop = stop or threading.Event()
    ignored = [Path(p).resolve() for p in ignore]
    built = _snapshot(Path(f).resolve() for f in inputs())  # taken before the build reads
    rebuild()
    while not stop.is_set():
        files = {Path(f).resolve() for f in inputs()}
        folders = watched_folders(files)

        def relevant(_change: watchfiles.Change, path: str, files: set[Path] = files) -> bool:
            p = Path(path).resolve()
            if any(p.is_relative_to(i) for i in ignored):
                return False
            return p in files or p.suffix == ".j2"  # a template includes its neighbours

        changed: list[Path] = []
        for batch in watchfiles.watch(*folders, watch_filter=relevant, debounce=debounce_ms,
                                      step=50, stop_event=stop, raise_interrupt=False,
                                      rust_timeout=200, yield_on_timeout=True):
            if batch:
                changed = sorted({Path(p) for _c, p in batch})
                break
            # the watcher runs now: a save made before it started (during the last rebuild)
            # shows in the files themselves
            now = _snapshot(files)
            missed = sorted(f for f in files if now[f] != built.get(f, now[f]))
            if missed:
                changed = missed
                break
            if not all(f.exists() for f in folders):
                break
        else:  # the watcher ended by itself: stop was set, or Ctrl-C pressed
            return
        if stop.is_set():
            return
        if changed and on_change is not None:
            on_change(changed)
        if changed:
            built = _snapshot(files)
            rebuild()
