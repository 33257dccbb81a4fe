"""Typed records: how the brief and style models are declared, and how valid input becomes
them without importing pydantic.

A model class is a frozen :class:`msgspec.Struct` (:class:`Model`). Its fields are declared
once, with everything both validators need:

* plain types msgspec checks itself (``str``, ``bool``, ``float``, ``Literal``, lists, other
  models);
* :class:`Scalar` types for values with rules of their own (a non-blank line, rich text, a
  date as precise as the source gives it, a length with a unit, a colour), written
  ``Annotated[Any, spec]`` at run time so that msgspec passes the raw value on and the
  model's ``__post_init__`` checks it (type checkers see the plain Python type instead);
* :class:`About`: a field's description, examples and constraints (a list's length, a
  number's range), in pydantic's ``Field`` terms.

Valid input (the common case: a brief that builds) is converted by msgspec and checked by
each model's ``__post_init__``, which accepts only what pydantic would accept and yields the
same values. Anything it does not accept goes to the pydantic mirror of the same classes
(:mod:`briefgen.pydantic_mirror`, imported only then), which decides, and words every
problem (``briefgen.validate``); the JSON schemas come from that mirror too. ``tests/
test_typed.py`` holds the two to each other on random input.

Adding a field to the brief (``briefgen/model.py``), for example::

    class Brief(Model, frozen=True, kw_only=True):
        ...
        deadline: Annotated[DateOrTime | None, About(description="when a decision is due")] = None
        tags: Annotated[list[Line], About(max_length=20)] = []

Use the kinds of value model.py already has (``Line``, ``RichText``, ``Text``, ``DateOrTime``
...); a new kind is a :class:`Scalar` there, with its alias for type checkers beside the
others. A rule across fields goes in the model's ``_rules`` (raise ``ValueError`` in the
user's words; use only the model's public attributes: the mirror runs it on its own
objects). Then write the schema anew (``briefgen schema -o src/briefgen/brief.schema.json``)
and run ``tests/test_typed.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import inspect
import math
import re
import threading
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, Union, get_args, get_origin

import msgspec

__all__ = ["About", "Given", "Model", "Scalar", "convert", "field_annotations", "model_fields",
           "set_field"]

M = TypeVar("M", bound="Model")
Check = Callable[[Any], Any]


class DeferredError(ValueError):
    """A value the fast check leaves to pydantic (which may still accept it, or words why
    not)."""


@dataclass(frozen=True, eq=False)
class About:
    """What pydantic's ``Field`` says of a field: its description and examples for the schema,
    and constraints the field's type does not carry itself (the length of a list, a shorter
    limit for one line, a number's range). Both validators apply them."""

    description: str | None = None
    examples: tuple[Any, ...] | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    allow_inf_nan: bool | None = None

    def field_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of pydantic's ``Field`` that say the same."""
        out = {k: getattr(self, k) for k in ("description", *_CONSTRAINTS)
               if getattr(self, k) is not None}
        if self.examples is not None:
            out["examples"] = list(self.examples)
        return out

    def check(self, v: Any) -> Any:
        if v is None:  # an optional field left out: the constraints are the value's
            return v
        if self.min_length is not None and len(v) < self.min_length:
            raise DeferredError("too short")
        if self.max_length is not None and len(v) > self.max_length:
            raise DeferredError("too long")
        if self.pattern is not None and _search(self.pattern, v) is None:
            raise DeferredError("does not match")
        if isinstance(v, (int, float)):
            if self.allow_inf_nan is False and not math.isfinite(v):
                raise DeferredError("not finite")
            if (self.ge is not None and not v >= self.ge) or \
                    (self.le is not None and not v <= self.le) or \
                    (self.gt is not None and not v > self.gt):
                raise DeferredError("out of range")
        return v

    @functools.cached_property
    def constrains(self) -> bool:
        """Whether it constrains the value (it may only describe it)."""
        return any(getattr(self, k) is not None for k in _CONSTRAINTS)


_CONSTRAINTS = ("min_length", "max_length", "pattern", "ge", "le", "gt", "allow_inf_nan")


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _search(pattern: str, v: str) -> re.Match[str] | None:
    """pydantic's (Rust) regex search: ``$`` is the end of the text, never before a final
    line break as in Python's ``re``."""
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(
            pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)
    return compiled.search(v)


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?\Z")


def _day(v: Any, lax: bool) -> dt.date:
    if type(v) is dt.date:
        return v
    if lax and type(v) is str and _DAY.match(v):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            pass
    raise DeferredError("not a day")


def _time(v: Any, lax: bool) -> dt.datetime:
    if type(v) is dt.datetime:
        return v
    if lax and type(v) is str and _TIME.match(v):
        try:
            out = dt.datetime.fromisoformat(v)
        except ValueError:
            pass
        else:
            if out.time() != dt.time():  # midnight: a day, to pydantic; let it decide
                return out
    raise DeferredError("not a date and time")


def _float(v: Any, lax: bool) -> float:
    if type(v) is float:
        return v
    if lax and type(v) is int:
        return float(v)
    raise DeferredError("not a number")


def _int(v: Any, lax: bool) -> int:
    if type(v) is int:
        return v
    raise DeferredError("not a whole number")


def _str(v: Any, lax: bool) -> str:
    if type(v) is str:
        return v
    raise DeferredError("not text")


def _path(v: Any, lax: bool) -> Path:
    if isinstance(v, Path):
        return v
    if lax and type(v) is str and v:
        return Path(v)
    raise DeferredError("not a file name")


#: How the fast check takes a value of each plain type: exactly that type (``lax`` False),
#: then with pydantic's lax conversions where they are unambiguous (``lax`` True).
_BASES: dict[type, Callable[[Any, bool], Any]] = {
    str: _str, int: _int, float: _float, dt.date: _day, dt.datetime: _time, Path: _path}


@dataclass(frozen=True, eq=False)
class Scalar:
    """A value with rules of its own: a plain type (or a union of them and other scalars),
    constraints, and functions run before and after the type is checked (pydantic's
    ``BeforeValidator`` and ``AfterValidator``: they return the value, possibly changed, or
    raise ``ValueError`` in the user's words, which only the pydantic mirror reports)."""

    name: str
    base: type | tuple[type | Scalar, ...]
    about: About = field(default_factory=About)
    before: tuple[Check, ...] = ()
    after: tuple[Check, ...] = ()
    #: Markers passed on to the pydantic annotation as they are (rich text's ``RICH``).
    marks: tuple[Any, ...] = ()
    #: The schema pydantic would not guess (a length may be a number or text with a unit).
    json_schema: Mapping[str, Any] | None = None

    @property
    def hint(self) -> Any:
        """The run-time annotation of a field of this kind."""
        return Annotated[Any, self]

    def check(self, v: Any) -> Any:
        """The value as pydantic would make it, or :class:`DeferredError` (or ``ValueError``)."""
        for f in self.before:
            v = f(v)
        if isinstance(self.base, type):
            return self._finish(_BASES[self.base](v, True))
        # A union, as pydantic's smart mode takes it: a member of the value's own type first,
        # then the members that convert it, in order. Sound only while no two members convert
        # the same value (a day's text is never a time's here: _time takes only a time of day
        # other than midnight, which pydantic would read as a day); tests/test_typed.py
        # checks the models' unions against pydantic on random dates.
        for lax in (False, True):
            for member in self.base:
                try:
                    typed = member._as_member(v, lax) if isinstance(member, Scalar) \
                        else _BASES[member](v, lax)
                except (ValueError, TypeError):  # not this member: the next may take it
                    continue
                return self._finish(typed)
        raise DeferredError(f"not a {self.name}")

    def _finish(self, v: Any) -> Any:
        """A value of the right type through the constraints and the after-rules."""
        if self.about.constrains:
            v = self.about.check(v)
        for f in self.after:
            v = f(v)
        return v

    def _as_member(self, v: Any, lax: bool) -> Any:
        if self.before or not isinstance(self.base, type):
            raise DeferredError("nested rules")  # (none of the models' unions need them)
        return self._finish(_BASES[self.base](v, lax))


class Given:
    """A default that is a filled list or mapping: each record gets its own copy
    (``msgspec.field(default_factory=Given({...}))``); the schema shows the value."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self) -> Any:
        return copy.deepcopy(self.value)


# --------------------------------------------------------------------------------------------
# The model base


def set_field(obj: Any, name: str, value: Any) -> None:
    """Set a field of a frozen model from within its own rules (a model or its pydantic
    mirror)."""
    if isinstance(obj, msgspec.Struct):
        msgspec.structs.force_setattr(obj, name, value)
    else:
        object.__setattr__(obj, name, value)


class Model(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A frozen, typed record; unknown keys are refused. Made from data (:func:`convert`,
    :meth:`model_validate`) or in Python (``Style(fonts={...})``: checked as the same data
    would be, a problem raised as a :class:`~briefgen.errors.BriefError`). Subclasses may
    define ``_rules`` (checks across fields, run after the fields') and ``__field_rules__``
    (a field's check that needs the other fields: ``{name: f(value, fields)}``); both see the
    model only through its public attributes, as the pydantic mirror runs them too."""

    if TYPE_CHECKING:
        __field_rules__: ClassVar[Mapping[str, Callable[[Any, dict[str, Any]], Any]]]
    # (unannotated at run time: msgspec would read a string annotation here once per model
    # class, twice, in every run)
    __field_rules__ = MappingProxyType({})

    def __post_init__(self) -> None:
        if getattr(_STATE, "restoring", False):  # unpickled, copied: checked when made
            return
        if not getattr(_STATE, "converting", False):  # made in Python: as if read from data
            _check_made(self)
            return
        for name, check in _plan(type(self)):
            value = getattr(self, name)
            new = check(value)
            if new is not value:
                msgspec.structs.force_setattr(self, name, new)
        if self.__field_rules__:
            seen = {n: getattr(self, n) for n in self.__struct_fields__}
            for name, rule in self.__field_rules__.items():
                value = rule(seen[name], seen)
                if value is not seen[name]:
                    msgspec.structs.force_setattr(self, name, value)
        self._rules()

    def _rules(self) -> None:
        """Checks across fields (raise ``ValueError`` in the user's words)."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (for a worker process) as its values: unpickling does not check them again,
        nor run the rules, which may depend on the machine (a font file's full path)."""
        return (restore, (type(self), tuple(getattr(self, n) for n in self.__struct_fields__)))

    @classmethod
    def model_validate(cls: type[M], data: Any) -> M:
        """A model from plain data, or :class:`~briefgen.errors.BriefError` with every
        problem."""
        from .validate import validate_model

        return validate_model(cls, data, None, f"<{cls.__name__}>")

    def model_copy(self: M, *, update: Mapping[str, Any] | None = None) -> M:
        """A copy with some fields replaced by values that are valid already (neither they
        nor the rules are checked again, as with pydantic's ``model_copy``: a style moved to a
        worker keeps the font keys it was checked with)."""
        values = {n: getattr(self, n) for n in self.__struct_fields__}
        unknown = set(update or {}) - values.keys()
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(unknown))}")
        values.update(update or {})
        return restore(type(self), tuple(values.values()))

    def model_dump(self, *, mode: str = "python", exclude_none: bool = False,
                   by_alias: bool = False) -> dict[str, Any]:
        """Plain data: a dict per model; with ``mode="json"``, dates as ISO text and file
        names as text, so that it can be written as JSON or YAML and validated again."""
        out: dict[str, Any] = {}
        names = _encode_names(type(self)) if by_alias else None
        for name in self.__struct_fields__:
            value = self._dump_field(name, getattr(self, name))
            if value is None and exclude_none:
                continue
            out[names[name] if names else name] = _dump(value, mode, exclude_none, by_alias)
        return out

    def _dump_field(self, name: str, value: Any) -> Any:
        """A field's value as a dump shows it (a subclass may show a name for an object)."""
        return value


#: ``converting``: msgspec is making models from data (it has checked the plain types; the
#: models check the rest). ``restoring``: models are made of values checked already.
_STATE = threading.local()


def restore(cls: type[M], values: tuple[Any, ...]) -> M:
    """A model of values that are valid already: neither they nor the rules are checked."""
    before = getattr(_STATE, "restoring", False)
    _STATE.restoring = True
    try:
        return cls(**dict(zip(cls.__struct_fields__, values, strict=True)))
    finally:
        _STATE.restoring = before


def _check_made(model: Model) -> None:
    """A model made in Python (``Brief(...)``, ``Style(fonts={...})``) is checked as the same
    values read from a file would be, and takes the values that makes (``leading=2`` becomes
    2.0, a mapping the model it describes); a problem raises
    :class:`~briefgen.errors.BriefError`, worded. A model given only its defaults is valid as
    it is (the defaults are: ``tests/test_typed.py``)."""
    cls = type(model)
    defaults = _defaults(cls)
    if defaults is not None and all(type(v := getattr(model, n)) is type(d) and v == d
                                    for n, d in defaults.items()):
        return
    from .validate import validate_model

    names = _encode_names(cls)
    data = {names[n]: plain_data(getattr(model, n)) for n in cls.__struct_fields__}
    valid = validate_model(cls, data, None, f"<{cls.__name__}>")
    for n in cls.__struct_fields__:
        msgspec.structs.force_setattr(model, n, getattr(valid, n))


_DEFAULTS: dict[type, dict[str, Any] | None] = {}


def _defaults(cls: type[Model]) -> dict[str, Any] | None:
    """Each field's default (a fresh one from a factory), or None for a model with a required
    field (which is always checked)."""
    if cls not in _DEFAULTS:
        found = dict(zip(cls.__struct_fields__, _all_defaults(cls), strict=True))
        _DEFAULTS[cls] = None if msgspec.NODEFAULT in found.values() else found
    out = _DEFAULTS[cls]
    if out is None:
        return None
    return {n: (d() if isinstance(d, _Factory) else d) for n, d in out.items()}


class _Factory:
    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def __call__(self) -> Any:
        return self.make()


def _all_defaults(cls: type[Model]) -> list[Any]:
    """Every field's default, in field order: the value, a :class:`_Factory`, or NODEFAULT."""
    n_required = len(cls.__struct_fields__) - len(cls.__struct_defaults__)
    out: list[Any] = [msgspec.NODEFAULT] * n_required
    for d in cls.__struct_defaults__:
        factory = getattr(d, "factory", None)  # msgspec's record of a default_factory
        out.append(_Factory(factory) if type(d).__name__ == "Factory" and factory else d)
    return out


def plain_data(value: Any) -> Any:
    """``value`` with every model in it as the plain data it was read from (its dump)."""
    return _dump(value, "python", exclude_none=False, by_alias=True)


def _dump(v: Any, mode: str, exclude_none: bool, by_alias: bool) -> Any:
    if isinstance(v, Model):
        return v.model_dump(mode=mode, exclude_none=exclude_none, by_alias=by_alias)
    if isinstance(v, (list, tuple)):
        items = [_dump(x, mode, exclude_none, by_alias) for x in v]
        return items if isinstance(v, list) or mode == "json" else tuple(items)
    if isinstance(v, dict):
        return {k: _dump(x, mode, exclude_none, by_alias) for k, x in v.items()}
    if mode == "json":
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()
        if isinstance(v, PurePath):
            return str(v)
    return v


_SURROGATE = re.compile("[\ud800-\udfff]")


def _ordinary(value: Any) -> bool:
    """Whether the text in plain data is ordinary: ``str`` itself (pydantic makes a subclass a
    plain ``str``; msgspec would keep it) with no lone surrogate (pydantic refuses one;
    msgspec takes it, or fails to word an error about it)."""
    t = type(value)
    if t is str:
        return _SURROGATE.search(value) is None
    if t is dict:
        return all(type(k) is str and _SURROGATE.search(k) is None and _ordinary(v)
                   for k, v in value.items())
    if t is list or t is tuple:
        return all(_ordinary(v) for v in value)
    return not isinstance(value, (str, Mapping))


def convert(data: Any, cls: type[M]) -> M:
    """``cls`` from plain data by the fast path; :class:`msgspec.ValidationError` for
    anything it leaves to pydantic."""
    if not _ordinary(data):
        raise msgspec.ValidationError("text pydantic reads otherwise (a str subclass, a lone "
                                      "surrogate)")
    before = getattr(_STATE, "converting", False)
    _STATE.converting = True
    try:
        return msgspec.convert(data, cls)
    finally:
        _STATE.converting = before


# --------------------------------------------------------------------------------------------
# Each model's plan: which fields need a check of their own, worked out once a class


_PLANS: dict[type[Model], tuple[tuple[str, Check], ...]] = {}


def model_fields(cls: type[Model]) -> tuple[msgspec.structs.FieldInfo, ...]:
    """The fields of a model class, their annotations resolved."""
    return msgspec.structs.fields(cls)


def _encode_names(cls: type[Model]) -> dict[str, str]:
    return dict(zip(cls.__struct_fields__, cls.__struct_encode_fields__, strict=True))


def _plan(cls: type[Model]) -> tuple[tuple[str, Check], ...]:
    plan = _PLANS.get(cls)
    if plan is None:
        steps = []
        for name, annotation in field_annotations(cls).items():
            check = checker(annotation)
            if check is not None:
                steps.append((name, check))
        plan = _PLANS[cls] = tuple(steps)
    return plan


def field_annotations(cls: type[Model]) -> dict[str, Any]:
    """Each field's annotation: as the class holds it where that is already an object (the
    models' modules do not postpone annotations), else resolved by msgspec (which costs a
    compile of each annotation's text)."""
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        hints.update(inspect.get_annotations(klass))
    fields = {name: hints.get(name) for name in cls.__struct_fields__}
    if any(a is None or isinstance(a, str) for a in fields.values()):
        return {f.name: f.type for f in model_fields(cls)}
    return fields


def annotated_parts(annotation: Any) -> tuple[Any, Scalar | None, About | None, list[Any]]:
    """An ``Annotated[...]`` annotation read as the declarations write it: the annotated type,
    its :class:`Scalar` (the type's own rules), its :class:`About` and any other metadata
    (``RICH``)."""
    inner, *meta = get_args(annotation)
    spec = next((m for m in meta if isinstance(m, Scalar)), None)
    about = next((m for m in meta if isinstance(m, About)), None)
    return inner, spec, about, [m for m in meta if m is not spec and m is not about]


def is_union(annotation: Any) -> bool:
    """``Union[...]``, ``Optional[...]`` or ``X | Y``."""
    return get_origin(annotation) in (Union, types.UnionType)


def checker(annotation: Any) -> Check | None:
    """The fast check of a value of this annotation, beyond what msgspec checks itself; None
    where msgspec's own check is the whole of it. (A model given as a mapping, in a model
    built in Python, is made from it, as msgspec does when it reads a file.)"""
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return _model_of(annotation)
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, spec, about, _ = annotated_parts(annotation)
        base = spec.check if spec is not None else checker(inner)
        if about is None or not about.constrains:
            return base
        return _then(base, about.check)
    if is_union(annotation):
        options = [a for a in get_args(annotation) if a is not type(None)]
        checks = [checker(a) for a in options]
        if all(c is None for c in checks):
            return None
        if len(options) != 1:
            raise TypeError(f"a union of checked types: {annotation!r}")
        only = checks[0]
        assert only is not None
        return lambda v: None if v is None else only(v)
    if origin is list:
        item = checker(get_args(annotation)[0])
        return None if item is None else _each(item)
    if origin is tuple:
        args = get_args(annotation)
        checks = [checker(a) for a in args if a is not Ellipsis]
        if all(c is None for c in checks):
            return None
        return _each_of(tuple(c or _same for c in checks), variadic=Ellipsis in args)
    if origin is dict:
        value = checker(get_args(annotation)[1])
        return None if value is None else _values(value)
    return None


def _model_of(cls: type[Model]) -> Check:
    def check(v: Any) -> Any:
        return convert(v, cls) if isinstance(v, dict) else v
    return check


def _same(v: Any) -> Any:
    return v


def _then(first: Check | None, second: Check) -> Check:
    if first is None:
        return second
    return lambda v: second(first(v))


def _each(item: Check) -> Check:
    def check(v: list[Any]) -> list[Any]:
        out = [item(x) for x in v]
        return v if all(a is b for a, b in zip(out, v, strict=True)) else out
    return check


def _each_of(checks: tuple[Check, ...], *, variadic: bool) -> Check:
    def check(v: tuple[Any, ...]) -> tuple[Any, ...]:
        fns = checks * len(v) if variadic else checks
        out = tuple(f(x) for f, x in zip(fns, v, strict=False))
        return v if all(a is b for a, b in zip(out, v, strict=True)) else out
    return check


def _values(value: Check) -> Check:
    def check(v: dict[Any, Any]) -> dict[Any, Any]:
        out = {k: value(x) for k, x in v.items()}
        return v if all(out[k] is v[k] for k in v) else out
    return check
