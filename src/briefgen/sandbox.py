"""The template sandbox: what a pack template may see and do, and how long it may run.

A pack template is code written by whoever hands us a template folder, so it runs in a
sandbox stricter than Jinja2's own:

* It sees **plain, read-only data** only: the brief, the style, the labels and the scales are
  converted by :func:`plain` into :class:`Record` (a read-only mapping whose keys also read as
  attributes), tuples, strings, numbers, booleans, ``None`` and dates. No model, no ``Path``,
  nothing whose methods touch the disk, nothing a template can change for the caller.
* Attribute access is an allow-list (:meth:`SafeEnvironment.is_safe_attribute`): the keys of a
  record, a few side-effect-free methods of strings and dates, and the public parts of Jinja2's
  own loop, macro, cycler and namespace objects. Everything else is undefined, and using it is
  an error naming the template line.
* Calls are an allow-list too: briefgen's filters and globals, macros, and the methods that
  passed the attribute check. ``str.format`` is replaced by a plain ``{name}`` substitution
  (no attribute lookups, no widths); ``%`` on strings is refused.
* Execution is bounded: every ``{% for %}`` loop, call and output passes a check of the wall
  time (:data:`MAX_SECONDS`), the number of loop steps (:data:`MAX_STEPS`) and the text written
  (:data:`MAX_OUTPUT`); a string or list a template builds (``*``, ``+``, ``~``, ``replace``,
  ``center`` ...) may not pass :data:`MAX_VALUE`; ``range`` is bounded.
* ``{% include %}``/``{% import %}`` read only regular files inside the template folders (a
  symbolic link out of them is refused), of at most :data:`MAX_TEMPLATE_BYTES`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, TemplateNotFound, nodes
from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError, TemplateRuntimeError
from jinja2.filters import FILTERS, make_attrgetter
from jinja2.loaders import split_template_path
from jinja2.runtime import (
    BlockReference,
    LoopContext,
    Macro,
    TemplateReference,
    Undefined,
)
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import (
    Cycler,
    Joiner,
    Namespace,
    pass_context,
    pass_environment,
    pass_eval_context,
)
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape
from msgspec import Struct

#: The version of the instrumentation compiled into templates: part of the compiled-template
#: cache key, so that code compiled with older bounds is never loaded.
VERSION = 3
#: Wall time one template run may take, in seconds (``BRIEFGEN_TEMPLATE_SECONDS`` overrides).
MAX_SECONDS = 5.0
#: Loop steps (all ``{% for %}`` loops together) one template run may take.
MAX_STEPS = 2_000_000
#: Characters one template run may write (each macro's output counts where it is written).
MAX_OUTPUT = 40_000_000
#: Size of one value a template builds or holds: characters of text plus items of lists and
#: records, nested (a list of 1,000 references to one 10,000-character text weighs 10,001,001).
#: Above any part of a brief (5 MiB of text, 200,000 values).
MAX_VALUE = 12_000_000
#: Characters and items one template run may build in all (texts and lists made by ``*``,
#: ``+``, ``~``, ``join``, ``replace``, ``center``, ``indent``, ``format``).
MAX_ALLOC = 100_000_000
#: Largest ``range()``.
MAX_RANGE = 100_000
#: Size of one template file.
MAX_TEMPLATE_BYTES = 1024 * 1024


class TemplateLimitError(TemplateRuntimeError):
    """A template went past one of the sandbox's bounds."""


# --------------------------------------------------------------------------------------------
# Plain data


class Record(Mapping[str, Any]):
    """A read-only mapping whose keys read as attributes too (``brief.title``)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None, **more: Any) -> None:
        object.__setattr__(self, "_data", {**(data or {}), **more})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("read-only")

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __hash__(self) -> int:  # a record of plain data can be a set member (unique)
        return hash(tuple(self._data.items()))


class SafeFunction:
    """A function a template may call, held in plain data (``scale.find``)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:  # no address, no name of ours in a printed record
        return "(function)"


_SCALARS = (bool, int, float, type(None), dt.date, dt.datetime, dt.time)
#: What ``{{ ... }}`` may print: plain data (a record or list prints as its data).
_PRINTABLE = (*_SCALARS, Record, tuple, list, dict, range)


def plain(value: Any) -> Any:
    """``value`` as plain read-only data: models, mappings and dataclasses become
    :class:`Record`, lists tuples, paths strings."""
    if isinstance(value, str):
        return str(value) if type(value) is not Markup else value
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Struct):  # a model (briefgen.typed)
        return Record({name: plain(getattr(value, name)) for name in value.__struct_fields__})
    if isinstance(value, Mapping):
        return Record({str(k): plain(v) for k, v in value.items()})
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(plain(v) for v in value)
    if isinstance(value, Path):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        name = getattr(value, "name", None)  # estimative terms: name is a property
        if isinstance(name, str):
            out.setdefault("name", name)
        if hasattr(value, "find") and callable(value.find):  # a scale: scale.find(term)
            find = value.find
            out["find"] = SafeFunction(lambda word: plain(find(str(word))))
        return Record(out)
    raise TypeError(f"{type(value).__name__} is not plain data")


# --------------------------------------------------------------------------------------------
# The budget of one run


class _Budget(Struct):
    deadline: float
    seconds: float
    steps: int = 0
    output: int = 0
    allocated: int = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("briefgen_template_budget", default=None)


#: More time for a larger brief: a 5 MiB brief through the full template takes about 9 s.
SECONDS_PER_MIB = 3.0


def seconds_allowed(brief_chars: int = 0) -> float:
    """The wall time of one template run: :data:`MAX_SECONDS` (``BRIEFGEN_TEMPLATE_SECONDS``
    sets it), plus :data:`SECONDS_PER_MIB` for each MiB of the brief's text."""
    try:
        base = max(0.01, float(os.environ.get("BRIEFGEN_TEMPLATE_SECONDS", MAX_SECONDS)))
    except ValueError:
        base = MAX_SECONDS
    return base + SECONDS_PER_MIB * brief_chars / (1024 * 1024)


class budget:  # noqa: N801 (a context manager, named and used like a function)
    """``with budget(): ...`` bounds the template runs inside."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds_allowed() if seconds is None else seconds

    def __enter__(self) -> _Budget:
        b = _Budget(time.monotonic() + self.seconds, self.seconds)
        self._token = _BUDGET.set(b)
        return b

    def __exit__(self, *exc: object) -> None:
        _BUDGET.reset(self._token)


def _tick(steps: int = 0, output: int = 0) -> None:
    b = _BUDGET.get()
    if b is None:
        return
    b.steps += steps
    b.output += output
    if b.steps > MAX_STEPS:
        raise TemplateLimitError(f"the template took more than {MAX_STEPS:,} loop steps "
                                 "(a loop that does not end?)")
    if b.output > MAX_OUTPUT:
        raise TemplateLimitError(f"the template wrote more than {MAX_OUTPUT:,} characters")
    if time.monotonic() > b.deadline:
        raise TemplateLimitError(f"the template ran for more than {b.seconds:.3g} s "
                                 "(a loop that does not end?)")


def weight(value: Any, limit: int = MAX_VALUE) -> int:
    """Characters of text plus items of lists, tuples and records in ``value``, nested, each
    shared part counted where it is used (as printing would); stops counting past ``limit``."""
    memo: dict[int, int] = {}

    def w(v: Any, budget: int) -> int:
        if isinstance(v, str):
            return len(v)
        if isinstance(v, (list, tuple, Record, dict, Namespace, range)):
            if isinstance(v, range):
                return len(v)
            key = id(v)
            if key in memo:
                return memo[key]
            if isinstance(v, Namespace):
                v = object.__getattribute__(v, "_Namespace__attrs")
            items: Iterable[Any] = [*v.keys(), *v.values()] if isinstance(v, Mapping) else v
            total = 1
            for x in items:
                total += w(x, budget - total)
                if total > budget:
                    return total  # (not memoised: a partial count)
            memo[key] = total
            return total
        return 1

    return w(value, limit)


def _check_size(value: Any, what: str = "a value") -> Any:
    n = weight(value)
    if n > MAX_VALUE:
        raise TemplateLimitError(f"{what} of more than {MAX_VALUE:,} characters and items is "
                                 "larger than a template may build")
    return value


def _alloc(n: int) -> None:
    b = _BUDGET.get()
    if b is None:
        return
    b.allocated += n
    if b.allocated > MAX_ALLOC:
        raise TemplateLimitError(f"the template built more than {MAX_ALLOC:,} characters and "
                                 "items of text and lists")


class _Guarded:
    """An iterable a ``{% for %}`` loop walks, one budget check per step."""

    __slots__ = ("it",)

    def __init__(self, it: Any) -> None:
        self.it = it

    def __len__(self) -> int:
        return len(self.it)

    def __iter__(self) -> Iterator[Any]:
        for item in self.it:
            _tick(steps=1)
            yield item


@pass_context
def _guard(ctx: Any, it: Any) -> Any:
    if isinstance(it, Undefined):
        return it
    return _Guarded(it)


@pass_context
def _emit(ctx: Any, value: Any, static: bool = False) -> Any:
    """Every piece of output passes here: count it (static template text is kept as markup)."""
    if static:
        _tick(output=len(value))
        return Markup(value)
    if isinstance(value, str):
        _tick(output=len(value))
    elif isinstance(value, _PRINTABLE):
        _tick(output=len(str(value)))
    elif not isinstance(value, Undefined):
        raise SecurityError(f"a template prints text, numbers and dates, not a "
                            f"{type(value).__name__} object")
    return value


@pass_context
def _bounded(ctx: Any, value: Any, alloc: bool = False) -> Any:
    """Every value a filter, a literal or ``~`` makes passes here (``alloc``: it is new)."""
    _tick()
    _check_size(value, "a value")
    if alloc and isinstance(value, str):
        _alloc(len(value))
    return value


def _range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise TemplateLimitError(f"range() of {len(r):,} numbers; the limit is {MAX_RANGE:,}")
    return r


# --------------------------------------------------------------------------------------------
# Filters: Jinja2's side-effect-free ones; those that can multiply their input are bounded


def _do_replace(eval_ctx: Any, s: Any, old: str, new: str, count: int | None = None) -> Any:
    s, old, new = str(s), str(old), str(new)
    n = (len(s) + 1 if not old else s.count(old)) if count is None else count
    _check_size_len(len(s) + max(0, n) * max(0, len(new) - len(old)), "replace()")
    return FILTERS["replace"](eval_ctx, s, old, new, count)


def _check_size_len(n: int, what: str) -> None:
    """``what`` is about to build ``n`` characters or items."""
    if n > MAX_VALUE:
        raise TemplateLimitError(f"{what} would make {n:,} characters; the limit is "
                                 f"{MAX_VALUE:,}")
    _alloc(n)


def _joined(items: Iterable[Any], sep: str, what: str) -> list[str]:
    """``items`` as text for joining with ``sep``, refused as soon as the result would be too
    long (each item is weighed before it is made text)."""
    out: list[str] = []
    total = 0
    for x in items:
        if not isinstance(x, str):
            _check_size(x, what)
            x = str(x)
        total += len(x) + len(sep)
        if total > MAX_VALUE:
            raise TemplateLimitError(f"{what} would make more than {MAX_VALUE:,} characters")
        out.append(x)
    _alloc(total)
    return out


def _do_center(value: str, width: int = 80) -> str:
    _check_size_len(int(width), "center()")
    return FILTERS["center"](value, width)


def _do_indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    n = len(width) if isinstance(width, str) else int(width)
    _check_size_len(len(str(s)) + n * (str(s).count("\n") + 1), "indent()")
    return FILTERS["indent"](s, width, first, blank)


def _do_batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
    if int(linecount) > MAX_RANGE:
        raise TemplateLimitError(f"batch() of {linecount:,}; the limit is {MAX_RANGE:,}")
    return FILTERS["batch"](value, linecount, fill_with)


def _do_slice(value: Any, slices: int, fill_with: Any = None) -> Any:
    if int(slices) > MAX_RANGE:
        raise TemplateLimitError(f"slice() of {slices:,}; the limit is {MAX_RANGE:,}")
    return FILTERS["slice"](value, slices, fill_with)


def _do_join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
    if isinstance(value, Undefined) or attribute is not None:
        return _check_size(FILTERS["join"](eval_ctx, value, d, attribute), "join()")
    items = list(value)
    if any(not isinstance(x, str) for x in items):  # made text here, each weighed first
        items = _joined(items, str(d), "join()")
    else:
        _joined(items, str(d), "join()")
    return FILTERS["join"](eval_ctx, items, d, attribute)


def _do_sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    """Jinja2's ``sum``, for numbers only (a sum of lists grows as the square of its input)."""
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    values = [start, *iterable]
    if not all(isinstance(x, (int, float)) for x in values):
        raise TypeError("sum() adds numbers only in a template")
    return sum(values[1:], values[0])


_KEPT_FILTERS = ("abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape",
                 "first", "float", "forceescape", "groupby", "int", "items", "join", "last",
                 "length", "list", "lower", "map", "max", "min", "reject", "rejectattr",
                 "reverse", "round", "safe", "select", "selectattr", "sort", "string",
                 "striptags", "sum", "title", "trim", "truncate", "unique", "upper",
                 "urlencode", "wordcount", "xmlattr", "filesizeformat")


def safe_filters() -> dict[str, Callable[..., Any]]:
    out = {name: FILTERS[name] for name in _KEPT_FILTERS if name in FILTERS}
    out.update(replace=_do_replace, center=_do_center, indent=_do_indent, batch=_do_batch,
               slice=_do_slice, _guard=_guard, _emit=_emit, _bounded=_bounded)
    out["replace"] = pass_eval_context(_do_replace)
    out["join"] = pass_eval_context(_do_join)
    out["sum"] = pass_environment(_do_sum)
    return out


# --------------------------------------------------------------------------------------------
# str.format, the safe way


_FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*|\d+)?\}|[{}]")


def plain_format(template: str, args: tuple[Any, ...], kwargs: Mapping[str, Any],
                 quote: Callable[[Any], str] = str) -> str:
    """``template.format(*args, **kwargs)`` limited to ``{name}``, ``{0}``, ``{}`` and doubled
    braces: no attribute or index lookups, conversions or format specifications."""
    auto = iter(range(len(args) + 1))
    out: list[str] = []
    pos = 0
    for m in _FIELD.finditer(template):
        out.append(template[pos:m.start()])
        pos = m.end()
        tok = m.group(0)
        if tok in ("{{", "}}"):
            out.append(tok[0])
            continue
        if tok in ("{", "}"):
            raise SecurityError("format(): only {name} placeholders are allowed in templates "
                                "(no attributes, indexes, conversions or widths)")
        name = m.group(1)
        if name is None:
            name = str(next(auto))
        if name.isdigit():
            if int(name) >= len(args):
                raise IndexError(f"format(): no argument {name}")
            value = args[int(name)]
        elif name in kwargs:
            value = kwargs[name]
        else:
            raise KeyError(f"format(): no argument {name!r}")
        out.append(quote(value))
    out.append(template[pos:])
    return _check_size("".join(out), "format()")


# --------------------------------------------------------------------------------------------
# The environment


_STR_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "format", "format_map", "index",
    "isalnum", "isalpha", "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle",
    "isupper", "join", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "rfind",
    "rindex", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
    "swapcase", "title", "upper"})
_MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})
_SEQ_METHODS = frozenset({"index", "count"})
_DATE_ATTRS = frozenset({"year", "month", "day", "hour", "minute", "second", "microsecond",
                         "isoformat", "weekday", "isoweekday"})
_JINJA_TYPES = (LoopContext, Cycler, Joiner, Namespace, Macro, TemplateModule,
                TemplateReference, BlockReference)
_JINJA_CALLABLES = (Macro, BlockReference, LoopContext, Joiner)


def _method_owner_ok(obj: Any, name: str) -> bool:
    if name.startswith("_"):
        return False
    if isinstance(obj, str):
        return name in _STR_METHODS
    if isinstance(obj, (Record, dict)):
        return name in _MAPPING_METHODS
    if isinstance(obj, (tuple, list)):
        return name in _SEQ_METHODS
    if isinstance(obj, (dt.date, dt.time)):
        return name in _DATE_ATTRS
    return isinstance(obj, _JINJA_TYPES)


class SafeEnvironment(SandboxedEnvironment):
    """Jinja2's sandbox, narrowed to plain data and bounded (see the module's doc)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.clear()
        self.filters.update(safe_filters())
        self.tests.pop("callable", None)
        self.globals.clear()
        self.globals.update(range=_range, dict=lambda **kw: Record(kw), cycler=Cycler,
                            joiner=Joiner, namespace=Namespace)
        self._callables: set[int] = set()

    def allow_callables(self, *fns: Any) -> None:
        self._callables.update(id(f) for f in fns)

    # what a template may read ------------------------------------------------------------
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, Record):
            return attr in obj or attr in _MAPPING_METHODS
        return _method_owner_ok(obj, attr)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, (Record, dict)) and isinstance(attribute, str) \
                and attribute in obj and not attribute.startswith("_"):
            return obj[attribute]  # data wins over methods
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str) and argument.startswith("_") \
                and not isinstance(obj, (Record, dict)):
            return self.unsafe_undefined(obj, argument)
        return super().getitem(obj, argument)

    # what a template may call ------------------------------------------------------------
    def is_safe_callable(self, obj: Any) -> bool:
        if id(obj) in self._callables or isinstance(obj, (SafeFunction, *_JINJA_CALLABLES)):
            return True
        if obj in (_range, Cycler, Joiner, Namespace) or obj is self.globals.get("dict"):
            return True
        if isinstance(obj, (types.BuiltinMethodType, types.MethodType)):
            owner = getattr(obj, "__self__", None)
            return owner is not None and _method_owner_ok(owner, obj.__name__)
        return False

    # __self, as in Jinja's own SandboxedEnvironment.call: a template's call may pass self=...
    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _tick()
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"a template may not call {type(__obj).__name__} objects")
        if args or kwargs:  # a macro's varargs, a cycler's items: no heavier than a value
            _check_size((args, kwargs) if kwargs else args, "a call's arguments")
        if isinstance(__obj, types.BuiltinMethodType) and __obj.__name__ == "join" \
                and isinstance(getattr(__obj, "__self__", None), str) and len(args) == 1:
            sep: str = __obj.__self__  # type: ignore[assignment]
            args = (_joined(args[0], sep, "join()"),)
        result = __context.call(__obj, *args, **kwargs)
        if isinstance(result, (str, tuple, list)) and len(result) > MAX_OUTPUT:
            raise TemplateLimitError(f"a call made {len(result):,} characters or items")
        if not isinstance(__obj, Macro) and not isinstance(result, str):
            _check_size(result, "a call's result")  # (a macro's text was counted as written)
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if not isinstance(value, (types.MethodType, types.BuiltinMethodType)) \
                or value.__name__ not in ("format", "format_map"):
            return None
        owner = value.__self__
        if not isinstance(owner, str):
            return None
        quote: Callable[[Any], str] = (lambda v: str(escape(v))) if isinstance(owner, Markup) \
            else str
        is_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one mapping")
                kwargs, args = dict(args[0]), ()
            return type(owner)(plain_format(owner, args, kwargs, quote))

        return SafeFunction(wrapper)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if operator == "%" and isinstance(left, str):
            raise SecurityError("'%' formatting is not allowed in templates; use ~ or a filter")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, tuple, list)) and isinstance(n, int):
                    _check_size_len(weight(seq) * max(n, 0), "a repeated string or list")
            if isinstance(left, int) and isinstance(right, int) \
                    and left.bit_length() + right.bit_length() > 100_000:
                raise TemplateLimitError("a number too large for a template")
        if operator == "**" and isinstance(left, (int, float)) and isinstance(right, (int, float)) \
                and abs(left) > 1 and right > 0 \
                and right * math.log2(abs(left)) > (1024 if isinstance(left, float) or
                                                    isinstance(right, float) else 100_000):
            raise TemplateLimitError("a number too large for a template")
        if operator == "+" and isinstance(left, (str, tuple, list)) \
                and isinstance(right, (str, tuple, list)):
            _check_size_len(weight(left) + weight(right), "a joined string or list")
        return self.binop_table[operator](left, right)

    # every loop, concatenation and output is counted ---------------------------------------
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        _instrument(tree)
        return tree


def _wrap(node: nodes.Node, name: str, *args: nodes.Expr) -> nodes.Filter:
    return nodes.Filter(node, name, list(args), [], None, None, lineno=node.lineno)


class _Instrument(NodeTransformer):
    """Route every for-loop's iterable, every ``~`` and every output through the budget."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _wrap(node.iter, "_guard")
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [_wrap(n, "_emit", nodes.Const(True, lineno=n.lineno))
                      if isinstance(n, nodes.TemplateData) else _wrap(n, "_emit")
                      for n in node.nodes]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _wrap(node, "_bounded", nodes.Const(True, lineno=node.lineno))

    def visit_Filter(self, node: nodes.Filter) -> nodes.Node:
        self.generic_visit(node)
        if node.node is None or node.name.startswith("_"):  # a {% filter %} block's filter
            return node
        return _wrap(node, "_bounded")

    def _literal(self, node: nodes.Expr) -> nodes.Node:
        self.generic_visit(node)
        if getattr(node, "ctx", "load") != "load":  # an assignment target: a, b = ...
            return node
        return _wrap(node, "_bounded")

    visit_List = visit_Tuple = visit_Dict = _literal  # noqa: N815 (Jinja's visitor names)


def _instrument(tree: nodes.Template) -> None:
    _Instrument().visit(tree)


class SafeLoader(FileSystemLoader):
    """A template folder loader that reads only regular files inside its folders (no symbolic
    link out of them), of at most :data:`MAX_TEMPLATE_BYTES`."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            filename = os.path.join(folder, *pieces)
            if os.path.isfile(filename):
                break
        else:
            raise TemplateNotFound(template)
        real = Path(os.path.realpath(filename))
        if not real.is_relative_to(Path(os.path.realpath(folder))):
            raise SecurityError(f"template {template!r} is a link to {real}, outside the "
                                "template folder")
        problem = template_file_problem(real)
        if problem:
            raise TemplateLimitError(f"template {template!r} {problem}")
        with open(real, "rb") as f:
            data = f.read(MAX_TEMPLATE_BYTES + 1)
        if len(data) > MAX_TEMPLATE_BYTES:
            raise TemplateLimitError(f"template {template!r} is larger than "
                                     f"{MAX_TEMPLATE_BYTES:,} bytes")
        try:
            source = data.decode(self.encoding)
        except UnicodeDecodeError:
            raise TemplateLimitError(f"template {template!r} is not UTF-8 text") from None
        mtime = os.path.getmtime(real)

        def uptodate() -> bool:
            try:
                return os.path.getmtime(real) == mtime
            except OSError:
                return False

        return source, os.path.normpath(filename), uptodate


def template_file_problem(path: Path) -> str | None:
    """Why a template file cannot be read (not a regular file, too large), or ``None``."""
    from .loader import file_problem

    return file_problem(path, MAX_TEMPLATE_BYTES)


def iter_limited(chunks: Iterable[str]) -> str:
    """Join a template's output stream (each piece was counted where the template wrote it)."""
    return "".join(chunks)
