"""The pydantic mirror of the typed models (:mod:`briefgen.typed`): the same classes, fields,
rules and descriptions as pydantic models, built the first time they are needed.

They are needed for input the fast check leaves undecided (pydantic decides: it lists every
problem, which ``briefgen.validate`` words and locates) and for the JSON schemas. A valid
brief and a shipped style never import pydantic.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from types import FunctionType
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .typed import About, Given, Model, Scalar, annotated_parts, is_union, model_fields, restore

__all__ = ["mirror", "mirrored", "to_typed"]


class _Mirror(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


_MIRRORS: dict[type[Model], type[BaseModel]] = {}


def mirror(cls: type[Model]) -> type[BaseModel]:
    """The pydantic model of a typed model class (built once)."""
    out = _MIRRORS.get(cls)
    if out is None:
        out = _MIRRORS[cls] = _build(cls)
    return out


def mirrored(cls: type[BaseModel]) -> type[Model]:
    """The typed model class a pydantic mirror was built from."""
    for typed_cls, mirror_cls in _MIRRORS.items():
        if mirror_cls is cls:
            return typed_cls
    raise KeyError(cls)


def to_typed(value: Any) -> Any:
    """A value pydantic validated, with each mirror model made the typed model it mirrors;
    the values are pydantic's, not checked again."""
    if isinstance(value, BaseModel):
        cls = mirrored(type(value))
        return restore(cls, tuple(to_typed(getattr(value, n)) for n in cls.__struct_fields__))
    if isinstance(value, (list, tuple)):
        return type(value)(to_typed(v) for v in value)
    if isinstance(value, dict):
        return {k: to_typed(v) for k, v in value.items()}
    return value


def _build(cls: type[Model]) -> type[BaseModel]:
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": cls.__module__,
                                 "__qualname__": cls.__qualname__,
                                 "__doc__": cls.__dict__.get("__doc__")}
    aliased = False
    for f in model_fields(cls):
        annotation, about = _split(f.type)
        annotations[f.name] = translate(annotation)
        kwargs = about.field_kwargs() if about is not None else {}
        if f.encode_name != f.name:
            kwargs["alias"] = f.encode_name
            aliased = True
        if f.default is not msgspec.NODEFAULT:
            default = f.default
            if isinstance(default, Model):
                default = mirror(type(default)).model_validate(default.model_dump())
            namespace[f.name] = Field(default, **kwargs) if kwargs else default
        elif isinstance(f.default_factory, Given):
            default = f.default_factory.value
            namespace[f.name] = Field(default, **kwargs) if kwargs else default
        elif f.default_factory is not msgspec.NODEFAULT:
            namespace[f.name] = Field(default_factory=f.default_factory, **kwargs)
        elif kwargs:
            namespace[f.name] = Field(**kwargs)
    namespace["__annotations__"] = annotations
    if aliased:
        namespace["model_config"] = ConfigDict(extra="forbid", frozen=True,
                                               str_strip_whitespace=False, populate_by_name=True)
    for name, rule in cls.__field_rules__.items():
        namespace[f"_rule_{name}"] = field_validator(name)(_field_rule(rule))
    if cls._rules is not Model._rules:
        namespace["_model_rules"] = model_validator(mode="after")(_model_rule(cls._rules))
    for name, value in vars(cls).items():  # properties and helpers the rules may use
        if not name.startswith("_") and name not in annotations and \
                isinstance(value, (property, staticmethod, classmethod, FunctionType)):
            namespace[name] = value
    return typing.cast(type[BaseModel], type(cls.__name__, (_Mirror,), namespace))


def _field_rule(rule: Callable[[Any, dict[str, Any]], Any]) -> Any:
    def check(cls: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
        return rule(value, info.data)

    return classmethod(check)


def _model_rule(rules: Callable[[Any], None]) -> Callable[[BaseModel], BaseModel]:
    def check(self: BaseModel) -> BaseModel:
        rules(self)
        return self

    return check


def _split(annotation: Any) -> tuple[Any, About | None]:
    """A field's annotation without its :class:`About`, and the About."""
    if get_origin(annotation) is Annotated:
        inner, spec, about, rest = annotated_parts(annotation)
        if about is not None:
            meta = [*([spec] if spec is not None else []), *rest]
            return (Annotated[(inner, *meta)] if meta else inner), about
    return annotation, None


def translate(annotation: Any) -> Any:
    """A typed model's annotation in pydantic's terms."""
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return mirror(annotation)
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, spec, about, rest = annotated_parts(annotation)
        if about is not None:
            rest = [Field(**about.field_kwargs()), *rest]
        base = scalar_type(spec) if spec is not None else translate(inner)
        return Annotated[(base, *rest)] if rest else base
    args = get_args(annotation)
    if is_union(annotation):
        return Union[tuple(translate(a) for a in args)]  # noqa: UP007
    if origin in (list, tuple, dict):
        return origin[tuple(a if a is Ellipsis else translate(a) for a in args)]
    return annotation


@functools.cache
def scalar_type(spec: Scalar) -> Any:
    """A :class:`~briefgen.typed.Scalar` as the pydantic annotation it stands for."""
    if isinstance(spec.base, type):
        base: Any = spec.base
    else:
        base = Union[tuple(scalar_type(m) if isinstance(m, Scalar) else m  # noqa: UP007
                           for m in spec.base)]
    meta: list[Any] = list(spec.marks)
    kwargs = spec.about.field_kwargs()
    if kwargs:
        meta.append(Field(**kwargs))
    meta += [BeforeValidator(f) for f in spec.before]
    meta += [AfterValidator(f) for f in spec.after]
    if spec.json_schema is not None:
        meta.append(WithJsonSchema(dict(spec.json_schema)))
    return Annotated[(base, *meta)] if meta else base
