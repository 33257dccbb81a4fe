"""What libraries set up at import and a brief seldom needs, left until it is first used.

Two kinds, both measured on a cold ``briefgen build`` (issue 19):

**Regular expressions compiled at import.** Some modules briefgen imports compile a pattern that
takes far longer to compile than the rest of the module takes to run, and that a brief seldom
or never needs:

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

**Modules imported at import.** ReportLab imports HarfBuzz (``uharfbuzz``, 9 ms), which only
text a paragraph style shapes needs (right-to-left scripts), Pillow (``PIL.Image``, 8 ms),
which only a bitmap image needs, and ``tempfile`` (with ``shutil`` and ``random``: 3 ms), for
its test suite's output folder. :func:`modules_on_first_use` puts a stand-in
(:class:`ModuleOnFirstUse`) in their place that imports the module when an attribute of it is
first asked for, and hands every attribute on. Only a standby PDF child does this
(:func:`briefgen.workers.warm_renderer`): a process that runs nothing but the render, so no
other code meets the stand-in.
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
import types
from typing import Any

__all__ = ["DEFERRED_IN", "REPORTLAB_SELDOM", "ModuleOnFirstUse", "OnFirstUse", "importing",
           "modules_on_first_use"]

#: The modules whose import-time patterns are compiled on first use.
DEFERRED_IN = frozenset({
    "reportlab.platypus.paragraph", "reportlab.lib.textsplit", "reportlab.lib.rl_safe_eval",
    "reportlab.lib.PyFontify", "yaml.reader", "yaml.resolver", "yaml.constructor",
})

#: The modules ReportLab imports at import that a brief seldom needs (see above).
REPORTLAB_SELDOM = ("uharfbuzz", "PIL.Image", "tempfile")

_compile = re.compile
_lock = threading.Lock()  # (held while re.compile is swapped)
_module_lock = threading.RLock()  # (held while a stand-in imports its module)


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


def importing(name: str) -> types.ModuleType:
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


class ModuleOnFirstUse(types.ModuleType):
    """A module's stand-in in ``sys.modules``: imports the module the first time one of its
    attributes is asked for, and from then on answers every attribute with the module's own.
    It is true (``if uharfbuzz:`` and ``Image is not None`` see a module) and carries the
    module's spec (so ``import`` and ``from ... import`` take it as it is)."""

    def __getattr__(self, name: str) -> Any:
        real = self.__dict__.get("_module")
        if real is None:
            with _module_lock:
                real = self.__dict__.get("_module")
                if real is None:
                    if sys.modules.get(self.__name__) is self:
                        del sys.modules[self.__name__]
                    real = self.__dict__["_module"] = importlib.import_module(self.__name__)
        return getattr(real, name)


def modules_on_first_use(names: tuple[str, ...]) -> None:
    """Put a :class:`ModuleOnFirstUse` in ``sys.modules`` for each of ``names`` that is
    installed and not yet imported (its parent package is imported: it is small for those
    named here). For a process that runs nothing but briefgen's render (see above)."""
    import importlib.util

    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        stand_in = ModuleOnFirstUse(name)
        stand_in.__spec__ = spec
        sys.modules[name] = stand_in
