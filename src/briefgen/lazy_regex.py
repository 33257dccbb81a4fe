"""Libraries imported without compiling, at import, the regular expressions they seldom use.

Some modules briefgen imports compile at import a pattern that takes far longer to compile than
the rest of the module takes to run, and that a brief seldom or never needs:

* ``reportlab.platypus.paragraph``: ``uri_pat``, used only to break long URIs when a paragraph
  style sets ``uriWasteReduce`` (off by default, and in every briefgen style): 27 ms, a quarter
  of ``import reportlab.platypus``, because it matches ``[a-z\\xa1-\\uffff]`` ignoring case;
* ``reportlab.lib.textsplit``: the CJK splitter's pattern (``cjkwrap``): 3.5 ms;
* ``reportlab.lib.rl_safe_eval`` and ``reportlab.lib.PyFontify``: about 1.5 ms together;
* ``yaml.reader``: the pure-Python reader's check for unprintable characters, never used with
  libyaml's loader (the one :mod:`briefgen.loader` takes): 4.5 ms.

:func:`importing` imports a module with every pattern those modules compile at import standing
in for itself (:class:`OnFirstUse`): compiled the first time it is used, then the same object's
methods. Nothing else changes: the pattern, its flags and what it matches are ReportLab's and
PyYAML's own, and a pattern used at import (``re.compile(...).split``) is compiled then.
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
from types import ModuleType
from typing import Any

__all__ = ["DEFERRED_IN", "OnFirstUse", "importing"]

#: The modules whose import-time patterns are compiled on first use.
DEFERRED_IN = frozenset({
    "reportlab.platypus.paragraph", "reportlab.lib.textsplit", "reportlab.lib.rl_safe_eval",
    "reportlab.lib.PyFontify", "yaml.reader",
})

_compile = re.compile
_lock = threading.Lock()


class OnFirstUse:
    """A compiled pattern's stand-in: compiles the pattern when first used, and from then on
    holds the compiled pattern's attributes as its own (so later uses are as fast)."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.__dict__["_source"] = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = _compile(*self.__dict__["_source"])
        for attr in ("match", "fullmatch", "search", "sub", "subn", "split", "findall",
                     "finditer", "scanner", "pattern", "flags", "groups", "groupindex"):
            self.__dict__[attr] = getattr(compiled, attr)
        return getattr(compiled, name)

    def __repr__(self) -> str:
        pattern, flags = self.__dict__["_source"]
        return f"OnFirstUse({pattern!r}, {flags})"


def _deferring(pattern: Any, flags: int = 0) -> Any:
    caller = sys._getframe(1).f_globals.get("__name__")
    if caller in DEFERRED_IN and isinstance(pattern, (str, bytes)):
        return OnFirstUse(pattern, flags)
    return _compile(pattern, flags)


def importing(name: str) -> ModuleType:
    """``importlib.import_module(name)``, the modules of :data:`DEFERRED_IN` it imports for the
    first time leaving their patterns to be compiled on first use. Safe from any thread:
    ``re.compile`` is only swapped while this lock is held, and only those modules' own calls
    are answered differently."""
    if name in sys.modules:
        return sys.modules[name]
    with _lock:
        re.compile = _deferring
        try:
            return importlib.import_module(name)
        finally:
            re.compile = _compile
