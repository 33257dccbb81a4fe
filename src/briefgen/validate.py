"""Validate: turn loaded data into a typed model, or into every problem at once, located.

Each problem becomes a :class:`~briefgen.errors.Diagnostic` ``file:line:column: field.path:
message``; a misspelt key gets a "did you mean" suggestion; a citation of an unknown source key
is an error like any other.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import difflib
import functools
import re
import typing
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from .errors import BriefError, Diagnostic
from .inline import citations
from .loader import Loc, Positions, printable
from .model import RICH, Brief
from .typed import Model, Scalar, convert, field_annotations, plain_data

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound=Model)


#: Characters in a citation's locator (", p. 3"): a page, a chapter, a paragraph.
MAX_LOCATOR = 200
#: Problems reported for one file; the rest are counted ("... and 149,950 more").
MAX_REPORTED = 50


def dotted(loc: Loc) -> str:
    """A field path for messages, with any unprintable character (a terminal escape in an
    unknown key) written as an escape."""
    return printable(".".join(str(p) for p in loc))


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    """The model classes an annotation may hold, looking through Optional, list and Annotated
    (pydantic's models: the mirror that words the problems)."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_model_types(arg))
    return found


def _keyed(annotation: Any) -> bool:
    """Whether a field holds a mapping of the user's own keys (``families: {house: ...}``)."""
    origin = typing.get_origin(annotation)
    if origin in (dict, typing.Mapping, collections.abc.Mapping):
        return True
    return origin is not None and origin not in (list, tuple) and \
        any(_keyed(a) for a in typing.get_args(annotation))


def _classes_at(cls: type[BaseModel], loc: Loc) -> list[type[BaseModel]]:
    """The model classes the value found at ``loc`` inside a ``cls`` document may be."""
    classes: list[type[BaseModel]] = [cls]
    key_next = False
    for part in loc:
        if isinstance(part, int) or key_next:  # a list index, or the user's own key
            key_next = False
            continue
        nxt: list[type[BaseModel]] = []
        for c in classes:
            f = c.model_fields.get(part)
            if f is not None:
                nxt.extend(_model_types(f.annotation))
                key_next = key_next or _keyed(f.annotation)
        classes = nxt
    return classes


def _fields_at(cls: type[BaseModel], loc: Loc) -> list[str]:
    """The field names allowed in the mapping found at ``loc`` inside a ``cls`` document."""
    return sorted({name for c in _classes_at(cls, loc) for name in c.model_fields})


def _field_at(cls: type[BaseModel], loc: Loc) -> Any:
    """The field (pydantic's FieldInfo) that holds the value at ``loc`` (for an item of a
    list field: the list field), or None."""
    named = [i for i, p in enumerate(loc) if isinstance(p, str)]
    if not named:
        return None
    last = named[-1]
    for c in _classes_at(cls, loc[:last]):
        f = c.model_fields.get(str(loc[last]))
        if f is not None:
            return f
    return None


def _types_in(annotation: Any) -> set[Any]:
    """Every plain type an annotation may hold (through Optional, unions, lists, Annotated)."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return {annotation}
    out: set[Any] = set()
    for arg in typing.get_args(annotation):
        out |= _types_in(arg)
    return out


#: How each kind of date field is written, for messages.
DATE_FORMS = {
    "day": "write a day as YYYY-MM-DD, e.g. 2024-01-11",
    "day or time": "write a day (2024-01-11) or a day and time (2024-01-11T14:30, with a "
                   "zone if it matters: 2024-01-11T14:30+03:00)",
    "partial": "write a year (2024), a month (2024-01), a day (2024-01-11) or a day and "
               "time (2024-01-11T14:30)",
}


def _date_kind(field: Any) -> str | None:
    """Which date forms a field takes (a key of DATE_FORMS), or None for a field that is
    not a date."""
    if field is None:
        return None
    types = _types_in(field.annotation)
    if dt.date not in types and dt.datetime not in types:
        return None
    if int in types or str in types:
        return "partial"
    return "day or time" if dt.datetime in types else "day"


#: Words for the patterns of the models' text fields.
PATTERN_WORDS = {
    r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$": "a source key is letters, digits and _ . : - "
                                      "(e.g. npr-2023)",
    r"^(https?|mailto):": "a link starts with https://, http:// or mailto:",
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$": "write a language tag such as en-GB or fr",
}

#: Python's names of types, in the user's words (for any message that still names one).
TYPE_WORDS = {"str": "text", "int": "a whole number", "float": "a number", "bool":
              "true or false", "dict": "a mapping", "list": "a list", "tuple": "a list",
              "NoneType": "nothing", "date": "a date", "datetime": "a date and time"}


def _found(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _mapping_message(cls: type[BaseModel], loc: Loc, value: Any) -> str:
    """A mapping was expected: say which fields it takes and, for a scalar where the
    mapping has one required field, how to write it (``- name: Ansar Allah``)."""
    classes = _classes_at(cls, loc)
    fields = {n: f for c in classes for n, f in c.model_fields.items()}
    required = [n for n, f in fields.items() if f.is_required()]
    listed = ", ".join(f"{n} (required)" if n in required else n for n in fields)
    text = f"must be a mapping of fields ({listed}), not {_found(value)}"
    if len(required) == 1 and not isinstance(value, (dict, list)) and value is not None:
        dash = "- " if loc and isinstance(loc[-1], int) else ""
        text += f"; write it as `{dash}{required[0]}: {value}`"
    return text


def _message(err: Any, cls: type[BaseModel], loc: Loc) -> str:
    """A pydantic error in the user's words: what is wrong and what to write instead; never
    the name of a Python or pydantic type."""
    kind = err["type"]
    msg: str = err["msg"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind == "extra_forbidden":
        allowed = _fields_at(cls, loc[:-1])
        near = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        text = f"unknown field {printable(repr(str(loc[-1])))}"
        if near:
            return text + f"; did you mean {near[0]!r}?"
        return text + ("; allowed here: " + ", ".join(allowed) if allowed else "")
    if kind == "missing":
        if loc and isinstance(loc[-1], int):  # a fixed-length list, short of items
            return f"item {loc[-1] + 1} is missing: the list is too short"
        return "this field is required"
    if kind in ("value_error", "assertion_error"):
        for prefix in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(prefix)
        return msg
    if kind in ("model_type", "model_attributes_type", "dict_type") and \
            _classes_at(cls, loc):
        return _mapping_message(cls, loc, value)
    date_kind = _date_kind(_field_at(cls, loc))
    if date_kind is not None and not isinstance(value, (dict, list)):
        text = f"{_found(value)} is not a date"
        if "outside expected range" in msg or "out of range" in msg:
            text = f"{_found(value)} is not a date of the calendar"
        text += f": {DATE_FORMS[date_kind]}"
        siblings = _fields_at(cls, loc[:-1]) if loc and isinstance(loc[-1], str) else []
        note = next((n for n in (f"{loc[-1]}_note", "date_note") if n in siblings), None)
        if isinstance(value, str) and note and any(s in value for s in ("/", "..", " to ")):
            text += f". For a span, give its first day here and write the span in `{note}`"
        return text
    found = "" if isinstance(value, (dict, list)) or "input" not in err \
        else f" (found {_found(value)})"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        text = "must be " + str(ctx.get("expected", "one of the listed values")) + found
        near = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6) \
            if isinstance(value, str) else []
        return text + (f"; did you mean {near[0]!r}?" if near else "")
    if kind == "string_pattern_mismatch":
        return PATTERN_WORDS.get(str(ctx.get("pattern")),
                                 "is not written in the expected form") + found
    words = {
        "string_type": "must be text (a number or date meant as text goes in quotes)",
        "int_type": "must be a whole number", "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_type": "must be a number", "float_parsing": "must be a number",
        "bool_type": "must be true or false", "bool_parsing": "must be true or false",
        "list_type": "must be a list (each item on its own line, starting with `- `)",
        "tuple_type": "must be a list (each item on its own line, starting with `- `)",
        "dict_type": "must be a mapping of keys to values",
        "path_type": "must be a file name", "finite_number": "must be a finite number",
    }
    if kind in words:
        return words[kind] + found
    if kind == "string_too_short":
        return "must not be empty" + found
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length', 0)} characters"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        n = ctx.get("max_length", 0)
        return f"may have at most {n} item{'s' if n != 1 else ''}"
    bounds = {"greater_than": "must be more than {gt}",
              "greater_than_equal": "must be {ge} or more",
              "less_than": "must be less than {lt}",
              "less_than_equal": "must be {le} or less"}
    if kind in bounds:
        return bounds[kind].format(**ctx) + found
    return _plain_words(msg) + found


def _plain_words(msg: str) -> str:
    """The last resort: pydantic's sentence with Python's type names put into words."""
    msg = re.sub(r"^Input should be ", "must be ", msg)
    msg = re.sub(r"(a valid dictionary or )?instance of \w+", "a mapping of fields", msg)
    msg = msg.replace("a valid dictionary", "a mapping")
    return re.sub(r"\b(" + "|".join(TYPE_WORDS) + r")\b", lambda m: TYPE_WORDS[m.group()], msg)


def _clean_loc(cls: type[BaseModel], loc: tuple[Any, ...]) -> Loc:
    """Drop pydantic's union-branch tags (``datetime``, ``function-after[...]``) from a location,
    keeping only real field names and list indexes."""
    out: list[str | int] = []
    classes: list[type[BaseModel]] = [cls]
    key_next = False
    for p in loc:
        if isinstance(p, int) or key_next:  # a list index, or the user's own mapping key
            out.append(p)
            key_next = False
            continue
        fields = {n: f for c in classes for n, f in c.model_fields.items()}
        if p in fields:
            out.append(p)
            classes = _model_types(fields[p].annotation)
            key_next = _keyed(fields[p].annotation)
        elif not classes and not out:
            out.append(p)
    return tuple(out)


def validate_model(cls: type[M], data: dict[str, Any], positions: Positions | None,
                   file: str) -> M:
    """Build ``cls`` from ``data`` or raise :class:`BriefError` listing every problem.

    Valid data is converted by the fast path (:mod:`briefgen.typed`); whatever that does not
    accept goes to the pydantic mirror of ``cls``, which either accepts it too (a form only
    pydantic converts, such as a date in JSON with a time at midnight) or lists every
    problem."""
    try:
        return convert(data, cls)
    except (msgspec.ValidationError, UnicodeError):  # (msgspec wording a lone surrogate)
        pass
    from pydantic import ValidationError

    from .pydantic_mirror import mirror, to_typed

    slow = mirror(cls)
    try:
        valid = slow.model_validate(plain_data(data))  # (models given in the data as dicts)
    except ValidationError as e:
        diags: list[Diagnostic] = []
        kinds: list[str] = []
        index: dict[tuple[Loc, str], int | None] = {}
        more = 0
        for err in e.errors(include_url=False):
            loc = _clean_loc(slow, err["loc"])
            if err["type"] == "extra_forbidden":
                loc = (*_clean_loc(slow, err["loc"][:-1]), err["loc"][-1])
            # Unions report each branch; keep one message per field (a rule's own words first).
            key = (loc, err["type"] if err["type"] in ("extra_forbidden", "missing") else "")
            if key in index:
                i = index[key]
                if i is not None and err["type"] == "value_error" and kinds[i] != "value_error":
                    diags[i] = Diagnostic(diags[i].file, diags[i].line, diags[i].column,
                                          diags[i].path, _message(err, slow, loc))
                    kinds[i] = "value_error"
                continue
            if len(diags) >= MAX_REPORTED:  # count the rest: no "did you mean" for 150,000 keys
                index[key] = None
                more += 1
                continue
            index[key] = len(diags)
            kinds.append(err["type"])
            line, col = positions.find(loc, key=err["type"] == "extra_forbidden") \
                if positions else (None, None)
            diags.append(Diagnostic(file, line, col, dotted(loc), _message(err, slow, loc)))
        diags.sort(key=lambda d: (d.line or 0, d.column or 0))
        if more:
            diags.append(Diagnostic(file, None, None, "",
                                    f"... and {more:,} more problems (the first "
                                    f"{MAX_REPORTED} are shown)"))
        raise BriefError(diags) from None
    return typing.cast(M, to_typed(valid))


def _holds_rich(annotation: Any, metadata: list[Any]) -> bool:
    if RICH in metadata:
        return True
    return any(a is RICH or (isinstance(a, Scalar) and RICH in a.marks) or _holds_rich(a, [])
               for a in typing.get_args(annotation))


def check_references(brief: Brief, positions: Positions | None, file: str) -> list[Diagnostic]:
    """Citations and ``sources`` lists must name keys that ``sources`` defines, once each."""
    diags: list[Diagnostic] = []
    keys = [s.key for s in brief.sources]

    def where(loc: Loc) -> tuple[int | None, int | None]:
        return positions.find(loc) if positions else (None, None)

    def unknown(key: str, loc: Loc) -> None:
        near = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else \
            ("; known keys: " + ", ".join(keys) if len(keys) <= 8 else "")
        line, col = where(loc)
        diags.append(Diagnostic(file, line, col, dotted(loc),
                                f"cites unknown source {key!r}{hint}"))

    seen: set[str] = set()
    for i, k in enumerate(keys):
        if k in seen:
            line, col = where(("sources", i, "key"))
            diags.append(Diagnostic(file, line, col, f"sources.{i}.key",
                                    f"source key {k!r} is defined more than once"))
        seen.add(k)
    for loc, text, rich in iter_strings(brief):
        for (key, locator), _offset in citations(text) if rich else ():
            if key not in seen:
                unknown(key, loc)
            if len(locator) > MAX_LOCATOR:
                line, col = where(loc)
                diags.append(Diagnostic(file, line, col, dotted(loc),
                                        f"the citation of {key!r} has a locator of "
                                        f"{len(locator):,} characters; the limit is "
                                        f"{MAX_LOCATOR} (write p. 3, ch. 2, para. 14 ...)"))
    for loc, key in _source_key_fields(brief, ()):
        if key not in seen:
            unknown(key, loc)
    return diags


def _source_key_fields(model: Model, loc: Loc) -> typing.Iterator[tuple[Loc, str]]:
    for name in model.__struct_fields__:
        value = getattr(model, name)
        here = (*loc, name)
        if name in ("sources", "source") and isinstance(model, Brief) is False:
            if isinstance(value, str):
                yield here, value
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    if isinstance(v, str):
                        yield (*here, i), v
        if isinstance(value, Model):
            yield from _source_key_fields(value, here)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, Model) and \
                        not (isinstance(model, Brief) and name == "sources"):
                    yield from _source_key_fields(v, (*here, i))


def _raw_strings(cls: type[BaseModel], data: Any,
                 loc: Loc = ()) -> typing.Iterator[tuple[Loc, str, bool, str]]:
    """Every string of raw (not yet valid) brief data where the model expects one: its
    location, whether the field is rich text, and the field's name."""
    if not isinstance(data, dict):
        return
    for name, info in cls.model_fields.items():
        if name not in data:
            continue
        value = data[name]
        rich = _holds_rich(info.annotation, info.metadata)
        models = _model_types(info.annotation)
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for i, v in items:
            here = (*loc, name) if i is None else (*loc, name, i)
            if isinstance(v, str):
                yield here, v, rich, name
            elif isinstance(v, dict) and models:
                yield from _raw_strings(models[0], v, here)


def check_raw_references(data: dict[str, Any], positions: Positions | None,
                         file: str) -> list[Diagnostic]:
    """The citation checks of :func:`check_references` on data that did not validate, so
    that an unknown source is reported beside the other problems, in the same run. Quiet
    when ``sources`` itself is unreadable (that is reported already)."""
    sources = data.get("sources")
    keys = [s["key"] for s in sources if isinstance(s, dict) and isinstance(s.get("key"), str)] \
        if isinstance(sources, list) else []
    if not keys:
        return []
    diags: list[Diagnostic] = []
    from .pydantic_mirror import mirror

    for loc, text, rich, name in _raw_strings(mirror(Brief), data):
        if loc[:1] == ("sources",) and len(loc) == 3:
            continue  # a source's own fields
        cited = [key for (key, _), _ in citations(text)] if rich else \
            [text] if name in ("source", "sources") and len(loc) > 1 else []
        for key in cited:
            if key not in keys:
                near = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
                hint = f"; did you mean {near[0]!r}?" if near else \
                    ("; known keys: " + ", ".join(keys) if len(keys) <= 8 else "")
                line, col = positions.find(loc) if positions else (None, None)
                diags.append(Diagnostic(file, line, col, dotted(loc),
                                        f"cites unknown source {key!r}{hint}"))
    return diags


def validate_brief(data: dict[str, Any], positions: Positions | None, file: str) -> Brief:
    """The whole brief check: the model's rules, then cross-references. Every problem is
    reported in one run: an unknown citation beside a bad date in the same file."""
    if isinstance(data.get("$schema"), str):  # an editor's pointer to the schema (JSON)
        data = {k: v for k, v in data.items() if k != "$schema"}
    try:
        brief = validate_model(Brief, data, positions, file)
    except BriefError as e:
        extra = check_raw_references(data, positions, file)
        if not extra:
            raise
        more = [d for d in e.diagnostics if d.line is None and d.message.startswith("...")]
        known = {(d.path, d.message) for d in e.diagnostics}
        diags = [d for d in e.diagnostics if d not in more] + \
            [d for d in extra if (d.path, d.message) not in known]
        diags.sort(key=lambda d: (d.line or 0, d.column or 0))
        raise BriefError(diags + more) from None
    diags = check_references(brief, positions, file)
    if diags:
        raise BriefError(diags)
    return brief


@functools.cache
def _rich_fields(cls: type[Model]) -> tuple[tuple[str, bool], ...]:
    """Each field of a model class and whether it holds rich text (worked out once a class:
    a build walks every string of a brief several times)."""
    return tuple((name, _holds_rich(annotation, []))
                 for name, annotation in field_annotations(cls).items())


def iter_strings(model: Model, loc: Loc = ()) -> typing.Iterator[tuple[Loc, str, bool]]:
    """Every string value in a model with its location, and whether it is rich text."""
    for name, rich in _rich_fields(type(model)):
        value = getattr(model, name)
        here = (*loc, name)
        values = enumerate(value) if isinstance(value, list) else [(None, value)]
        for i, v in values:
            where = here if i is None else (*here, i)
            if isinstance(v, Model):
                yield from iter_strings(v, where)
            elif isinstance(v, str):
                yield where, v, rich
            elif isinstance(v, list):
                for j, cell in enumerate(v):
                    if isinstance(cell, str):
                        yield (*where, j), cell, False


def check_glyphs(brief: Brief, positions: Positions | None, file: str,
                 coverage: typing.Callable[[str], list[str]], *,
                 replaced: bool = False) -> list[Diagnostic]:
    """Every character must be drawable by the style's fonts: name the field and character.
    With ``replaced`` (the build prints them as \ufffd instead of refusing the brief), each
    diagnostic says so, as the warning it then is."""
    diags = []
    for loc, text, _ in iter_strings(brief):
        missing = coverage(text)
        if missing:
            line, col = positions.find(loc) if positions else (None, None)
            shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:5])
            what = "printed as \ufffd" if replaced else \
                "it would print as a box. Remove it, or use a style whose fonts cover it"
            diags.append(Diagnostic(file, line, col, dotted(loc),
                                    f"the fonts have no glyph for {shown}; {what}"))
    return diags
