"""Validate: turn loaded data into a typed model, or into every problem at once, located.

Each problem becomes a :class:`~briefgen.errors.Diagnostic` ``file:line:column: field.path:
message``; a misspelt key gets a "did you mean" suggestion; a citation of an unknown source key
is an error like any other.
"""

from __future__ import annotations

import collections.abc
import difflib
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import BriefError, Diagnostic
from .inline import citations
from .loader import Loc, Positions, printable
from .model import RICH, Brief

M = TypeVar("M", bound=BaseModel)


#: Characters in a citation's locator (", p. 3"): a page, a chapter, a paragraph.
MAX_LOCATOR = 200
#: Problems reported for one file; the rest are counted ("... and 149,950 more").
MAX_REPORTED = 50


def dotted(loc: Loc) -> str:
    """A field path for messages, with any unprintable character (a terminal escape in an
    unknown key) written as an escape."""
    return printable(".".join(str(p) for p in loc))


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    """The model classes an annotation may hold, looking through Optional, list and Annotated."""
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


def _fields_at(cls: type[BaseModel], loc: Loc) -> list[str]:
    """The field names allowed in the mapping found at ``loc`` inside a ``cls`` document."""
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
    return sorted({name for c in classes for name in c.model_fields})


def _message(err: Any, cls: type[BaseModel], loc: Loc) -> str:
    kind = err["type"]
    msg: str = err["msg"]
    if kind == "extra_forbidden":
        allowed = _fields_at(cls, loc[:-1])
        near = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        text = f"unknown field {printable(repr(str(loc[-1])))}"
        if near:
            return text + f"; did you mean {near[0]!r}?"
        return text + ("; allowed here: " + ", ".join(allowed) if allowed else "")
    if kind == "missing":
        return "this field is required"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if kind not in ("value_error",) and "input" in err and not isinstance(err["input"],
                                                                           (dict, list)):
        shown = repr(err["input"])
        if len(shown) > 60:
            shown = shown[:57] + "..."
        msg += f" (found {shown})"
    return msg


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
    """Build ``cls`` from ``data`` or raise :class:`BriefError` listing every problem."""
    try:
        return cls.model_validate(data)
    except ValidationError as e:
        diags: list[Diagnostic] = []
        kinds: list[str] = []
        index: dict[tuple[Loc, str], int | None] = {}
        more = 0
        for err in e.errors(include_url=False):
            loc = _clean_loc(cls, err["loc"])
            if err["type"] == "extra_forbidden":
                loc = (*_clean_loc(cls, err["loc"][:-1]), err["loc"][-1])
            # Unions report each branch; keep one message per field (a rule's own words first).
            key = (loc, err["type"] if err["type"] in ("extra_forbidden", "missing") else "")
            if key in index:
                i = index[key]
                if i is not None and err["type"] == "value_error" and kinds[i] != "value_error":
                    diags[i] = Diagnostic(diags[i].file, diags[i].line, diags[i].column,
                                          diags[i].path, _message(err, cls, loc))
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
            diags.append(Diagnostic(file, line, col, dotted(loc), _message(err, cls, loc)))
        diags.sort(key=lambda d: (d.line or 0, d.column or 0))
        if more:
            diags.append(Diagnostic(file, None, None, "",
                                    f"... and {more:,} more problems (the first "
                                    f"{MAX_REPORTED} are shown)"))
        raise BriefError(diags) from None


def _holds_rich(annotation: Any, metadata: list[Any]) -> bool:
    if RICH in metadata:
        return True
    return any(a is RICH or _holds_rich(a, []) for a in typing.get_args(annotation))


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


def _source_key_fields(model: BaseModel, loc: Loc) -> typing.Iterator[tuple[Loc, str]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        here = (*loc, name)
        if name in ("sources", "source") and isinstance(model, Brief) is False:
            if isinstance(value, str):
                yield here, value
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    if isinstance(v, str):
                        yield (*here, i), v
        if isinstance(value, BaseModel):
            yield from _source_key_fields(value, here)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, BaseModel) and not (isinstance(model, Brief) and name == "sources"):
                    yield from _source_key_fields(v, (*here, i))


def validate_brief(data: dict[str, Any], positions: Positions | None, file: str) -> Brief:
    """The whole brief check: the model's rules, then cross-references."""
    brief = validate_model(Brief, data, positions, file)
    diags = check_references(brief, positions, file)
    if diags:
        raise BriefError(diags)
    return brief


def iter_strings(model: BaseModel, loc: Loc = ()) -> typing.Iterator[tuple[Loc, str, bool]]:
    """Every string value in a model with its location, and whether it is rich text."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        here = (*loc, name)
        rich = _holds_rich(info.annotation, info.metadata)
        values = enumerate(value) if isinstance(value, list) else [(None, value)]
        for i, v in values:
            where = here if i is None else (*here, i)
            if isinstance(v, BaseModel):
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
