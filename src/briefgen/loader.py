"""Load: read a YAML or JSON file into plain Python data, remembering where each value stood.

The result is a ``(data, positions)`` pair: ``data`` holds only dicts, lists and scalars;
``positions`` maps field paths to file positions so that validation can point at
``file:line:column``. Duplicate keys are errors. Limits are enforced before any work is done.
"""

from __future__ import annotations

import json
import os
import re
import types
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import msgspec

from .deferred import importing
from .errors import BriefError, Diagnostic

#: Limits on input, checked before parsing or while converting. Documented in the README.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 200_000
#: Characters of text (values and keys) once aliases are expanded: no more than a file holds.
MAX_CHARS = MAX_FILE_BYTES
#: Digits in one integer (Python itself stops at 4,300).
MAX_DIGITS = 100
#: Above this size only the fast parser (libyaml) reads a file: the pure-Python round-trip
#: loader, which words every error, takes about 12 s a megabyte.
MAX_ROUND_TRIP_CHARS = 256 * 1024

Loc = tuple[str | int, ...]


class Positions(msgspec.Struct):
    """Where each value (and each mapping key) stood in the source file, 1-based."""

    file: str
    values: dict[Loc, tuple[int, int]] = msgspec.field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = msgspec.field(default_factory=dict)

    def find(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of ``loc``, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self.keys[loc]
        while True:
            if loc in self.values:
                return self.values[loc]
            if loc in self.keys:
                return self.keys[loc]
            if not loc:
                return (1, 1) if self.values else (None, None)
            loc = loc[:-1]


def printable(text: str) -> str:
    """``text`` with every character that is not printable (terminal escapes, controls, bidi
    overrides) written as an escape, so that echoing user input cannot forge output."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def _fail(file: str, message: str, line: int | None = None, col: int | None = None,
          path: str = "") -> BriefError:
    return BriefError([Diagnostic(printable(file), line, col, printable(path), printable(message))])


def file_problem(path: Path, limit: int) -> str | None:
    """Why ``path`` cannot be read as an input of at most ``limit`` bytes (missing, not a
    regular file, too large), or ``None``: a check before a library opens it itself."""
    import stat

    try:
        st = os.stat(path)
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if st.st_size > limit:
        return f"is {st.st_size:,} bytes; the limit is {limit:,}"
    return None


def expand_inputs(inputs: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Brief files from paths, where a folder stands for the ``*.yaml``, ``*.yml`` and
    ``*.json`` files in it."""
    out: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir()
                              if q.suffix.lower() in (".yaml", ".yml", ".json") and q.is_file()))
        else:
            out.append(p)
    return out


def read_limited(path: Path, limit: int, what: str = "file") -> bytes:
    """At most ``limit`` bytes of a regular file, refusing a folder, a device, a pipe or a
    larger file. The size is checked while reading: a reported size can lie (``/proc``)."""
    import stat

    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise _fail(name, "no such file") from None
    except IsADirectoryError:
        raise _fail(name, f"is a folder, not a {what}") from None
    except OSError as e:
        raise _fail(name, f"cannot be read: {e.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise _fail(name, f"is a folder, not a {what}")
        raise _fail(name, f"is not a regular file (a device or a pipe?), not a {what}")
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(fd).st_size
        if size > limit:
            raise _fail(name, f"file is {size:,} bytes; the limit is {limit:,}")
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise _fail(name, f"file is more than {limit:,} bytes; the limit is {limit:,}")
    return raw


def read_text(path: Path) -> str:
    """The file's text, refusing what cannot be a brief with a message that says why."""
    return decode(read_limited(Path(path), MAX_FILE_BYTES, "brief file"), str(path))


def decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw:
        raise _fail(name, "contains NUL bytes: this is a binary file, not a YAML or JSON brief")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise _fail(name, f"is not UTF-8 text (byte 0x{raw[e.start]:02x}); save it as UTF-8",
                    line) from None
    return text


def parse_text(text: str, name: str, *, fmt: str | None = None) -> tuple[dict[str, Any], Positions]:
    """Parse YAML (the default) or JSON text into a mapping and its positions."""
    if not text.strip():
        raise _fail(name, "the file is empty")
    if len(text) > MAX_FILE_BYTES:
        raise _fail(name, f"the text is {len(text):,} characters; the limit is {MAX_FILE_BYTES:,}")
    if fmt is None:
        fmt = "json" if name.lower().endswith(".json") else "yaml"
    if fmt == "json":
        _check_json(text, name)
    fast = _fast_parse(text, name, large=len(text) > MAX_ROUND_TRIP_CHARS)
    if fast is not None:
        return fast
    return _parse_round_trip(text, name)


_LONG_DIGITS = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


def _too_long_number(text: str, name: str) -> BriefError:
    m = _LONG_DIGITS.search(text)
    line = col = None
    if m:
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return _fail(name, f"a number with more than {MAX_DIGITS} digits; write it as text "
                       "(in quotes) if it is not a quantity", line, col)


if TYPE_CHECKING:
    from ruamel.yaml.comments import TaggedScalar
    from ruamel.yaml.error import MarkedYAMLError


@lru_cache(maxsize=1)
def _ruamel() -> Any:
    """ruamel.yaml, imported when first needed: for the round-trip loader, or a number the
    fast path leaves to its constructors (a brief in plain YAML needs neither)."""
    import ruamel.yaml
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    class Constructor(RoundTripConstructor):
        """Dates stay text here; the model parses them, so a bad date gets a located
        message."""

    Constructor.add_constructor("tag:yaml.org,2002:timestamp",
                                RoundTripConstructor.construct_yaml_str)
    safe = ruamel.yaml.YAML(typ="safe", pure=True).constructor
    build = {_BOOL: safe.construct_yaml_bool, _INT: safe.construct_yaml_int,
             _FLOAT: safe.construct_yaml_float}
    from ruamel.yaml.nodes import ScalarNode

    return types.SimpleNamespace(
        YAML=ruamel.yaml.YAML, Constructor=Constructor, CommentedMap=CommentedMap,
        CommentedSeq=CommentedSeq, TaggedScalar=TaggedScalar, MarkedYAMLError=MarkedYAMLError,
        YAMLError=YAMLError, build=build, ScalarNode=ScalarNode)


def _parse_round_trip(text: str, name: str) -> tuple[dict[str, Any], Positions]:
    """ruamel.yaml's round-trip loader: every input it can read, and every error worded."""
    r = _ruamel()
    MarkedYAMLError, YAMLError = r.MarkedYAMLError, r.YAMLError
    CommentedMap, CommentedSeq = r.CommentedMap, r.CommentedSeq
    yaml = r.YAML(typ="rt")
    yaml.Constructor = r.Constructor
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except ValueError as e:
        if "integer string conversion" in str(e) or "digits" in str(e):
            raise _too_long_number(text, name) from None
        raise _fail(name, f"YAML error: {e}") from None
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = e.problem or e.context or "syntax error"
        start = e.context_mark
        if e.problem and e.context and start is not None and mark is not None \
                and (start.line, start.column) != (mark.line, mark.column):
            # e.g. an unclosed quote: found at the end of the file, opened much earlier
            problem += f" (in {_plain_context(e.context)} that starts at line " \
                       f"{start.line + 1}, column {start.column + 1})"
        if "found character '\\t'" in str(e):
            problem += " (YAML does not allow tabs for indentation; use spaces)"
        if "duplicate key" in str(e):
            problem = _duplicate_message(e)
        raise _fail(name, f"YAML syntax error: {problem}", line, col) from None
    except YAMLError as e:
        raise _fail(name, f"YAML error: {e}") from None
    except RecursionError:
        raise _fail(name, f"nesting is deeper than the limit of {MAX_DEPTH}") from None
    if not isinstance(tree, CommentedMap):
        kind = "a list" if isinstance(tree, CommentedSeq) else f"a {type(tree).__name__}"
        raise _fail(name, f"the top level must be a mapping of fields (title: ..., summary: ...), "
                          f"not {kind}", 1, 1)
    positions = Positions(name)
    counter = [0, 0]
    data = _plain(tree, (), positions, counter, name)
    return data, positions


# --------------------------------------------------------------------------------------------
# The fast path: libyaml (PyYAML's C parser) builds the node tree, with the line and column of
# every node, in about a thirtieth of the time ruamel.yaml's pure-Python round-trip loader
# takes (1 ms against 33 ms for the sample), and each plain scalar is typed by ruamel.yaml's own
# YAML 1.2 resolver and constructor, so the data is what the round-trip loader gives. Anything
# out of the ordinary (an explicit tag, a merge key, a duplicate or complex key, a %YAML
# directive, a syntax error, a top level that is not a mapping) goes to the round-trip loader,
# which words every error.


class _FallbackError(Exception):
    """The input needs the round-trip loader (``message`` says why, for a file too large for
    it; ``mark`` is libyaml's position)."""

    def __init__(self, message: str = "", mark: Any = None) -> None:
        super().__init__(message)
        self.message, self.mark = message, mark


_PLAIN, _QUOTED, _MAP, _SEQ = "briefgen:plain", "briefgen:quoted", "briefgen:map", "briefgen:seq"
_STR, _NULL, _BOOL, _INT, _FLOAT, _TIMESTAMP, _MERGE, _VALUE, _YAML = (
    f"tag:yaml.org,2002:{t}" for t in ("str", "null", "bool", "int", "float", "timestamp",
                                       "merge", "value", "yaml"))


#: ruamel.yaml's YAML 1.2 implicit resolvers (``VersionedResolver``, version 1.2), as data:
#: (tag, the first characters it is tried for, pattern, flags), in ruamel.yaml's order. A
#: plain scalar's type is the tag of the first pattern that matches, else text; reading the
#: table here spares every run ruamel.yaml's import. tests/test_loader_fast.py checks it
#: against ruamel.yaml's own table.
YAML12_RESOLVERS: tuple[tuple[str, str | tuple[str, ...], str, int], ...] = (
    (_BOOL, "tTfF", r"^(?:true|True|TRUE|false|False|FALSE)$", re.X),
    (_FLOAT, "-+0123456789.", r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""", re.X),
    (_INT, "-+0123456789", r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""", re.X),
    (_MERGE, "<", r"^(?:<<)$", 0),
    (_NULL, ("~", "n", "N", ""), r"""^(?: ~
        |null|Null|NULL
        | )$""", re.X),  # ("": the empty value)
    (_TIMESTAMP, "0123456789", r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.X),
    (_VALUE, "=", r"^(?:=)$", 0),
    (_YAML, "!&*", r"^(?:!|&|\*)$", 0),
)


@lru_cache(maxsize=1)
def _resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """:data:`YAML12_RESOLVERS` by first character, compiled."""
    out: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, firsts, pattern, flags in YAML12_RESOLVERS:
        compiled = re.compile(pattern, flags)
        for first in firsts:
            out.setdefault(first, []).append((tag, compiled))
    return out


def resolve_plain(value: str) -> str:
    """The YAML 1.2 tag of a plain (unquoted) scalar, as ruamel.yaml resolves it."""
    for tag, pattern in _resolvers().get(value[:1], ()):
        if pattern.match(value):
            return tag
    return _STR


_SIMPLE_FLOAT = re.compile(r"-?[0-9]{1,17}\.[0-9]{1,17}\Z")


@lru_cache(maxsize=1)
def _fast_tools() -> tuple[Any, Any] | None:
    try:
        pyyaml = importing("yaml")  # (its pure-Python reader's pattern is never used here)
        loader_base = pyyaml.CSafeLoader  # only with libyaml: the pure-Python one is no faster
    except (ImportError, AttributeError):
        return None

    class Loader(loader_base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            # untagged nodes get a marker; an explicitly tagged one keeps its tag
            if kind is pyyaml.ScalarNode:
                return _PLAIN if implicit[0] else _QUOTED
            return _MAP if kind is pyyaml.MappingNode else _SEQ

    return pyyaml, Loader


def _fast_parse(text: str, name: str, *, large: bool = False
                ) -> tuple[dict[str, Any], Positions] | None:
    """Parse with libyaml, or return ``None`` for the round-trip loader. A ``large`` file is
    never handed over (that loader would take minutes): what it would do is done here, and
    what it alone can read is refused, located."""
    tools = _fast_tools()
    if tools is None:
        return None
    if not large and ("%YAML" in text or "\t" in text):  # (libyaml takes some tabs ruamel
        return None                                       # refuses, with a helpful message)
    if large and re.search(r"^%YAML", text, re.M):
        raise _fail(name, f"a %YAML directive is not supported in a file over "
                          f"{MAX_ROUND_TRIP_CHARS // 1024} KB; remove it")
    pyyaml, loader = tools

    def at(mark: Any) -> tuple[int | None, int | None]:
        return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)

    try:
        root = pyyaml.compose(text, Loader=loader)
    except RecursionError:
        raise _fail(name, f"nesting is deeper than the limit of {MAX_DEPTH}") from None
    except pyyaml.YAMLError as e:
        if "nesting depth" in str(e):
            raise _fail(name, f"nesting is deeper than the limit of {MAX_DEPTH}",
                        *at(getattr(e, "problem_mark", None))) from None
        if not large:
            return None
        problem = getattr(e, "problem", None) or getattr(e, "context", None) or str(e)
        if "\t" in text and "tab" in str(e).lower():
            problem += " (YAML does not allow tabs for indentation; use spaces)"
        raise _fail(name, f"YAML syntax error: {problem}",
                    *at(getattr(e, "problem_mark", None))) from None
    except ValueError:
        raise _too_long_number(text, name) from None
    if not isinstance(root, pyyaml.MappingNode) or root.tag != _MAP:
        if not large:
            return None
        raise _fail(name, "the top level must be a mapping of fields (title: ..., summary: "
                          "...)", 1, 1)
    positions = Positions(name)
    counter = [0, 0]

    def scalar(node: Any) -> Any:
        if not isinstance(node, pyyaml.ScalarNode):
            raise _FallbackError("a mapping or list used as a key", node.start_mark)
        _count_chars(len(node.value), counter, name, *at(node.start_mark))
        if node.tag == _QUOTED:
            return node.value
        if node.tag != _PLAIN:
            raise _FallbackError(f"the explicit tag {node.tag}", node.start_mark)
        if not node.value:
            if large:
                return None
            raise _FallbackError  # (an empty value: the two parsers place it differently)
        if _WORD.match(node.value) and node.value.lower() not in _NOT_TEXT:
            return node.value  # text for certain: no need to ask the resolver (a fast path)
        if _DECIMAL.match(node.value):
            return int(node.value)
        tag = resolve_plain(node.value)
        if tag in (_STR, _TIMESTAMP):  # dates stay text: the model parses them
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return node.value.lower() == "true"
        if tag == _FLOAT and _SIMPLE_FLOAT.match(node.value):
            return float(node.value)  # as ruamel.yaml's constructor makes it
        if tag not in (_INT, _FLOAT):
            raise _FallbackError("a merge key or '=' value", node.start_mark)
        if tag == _INT and len(node.value) > MAX_DIGITS + 2:
            raise _fail(name, f"a number with more than {MAX_DIGITS} digits; write it as text "
                              "(in quotes) if it is not a quantity", *at(node.start_mark))
        r = _ruamel()  # 0x1F, 1_000, 1e3, .inf: ruamel.yaml's constructors
        return r.build[tag](r.ScalarNode(tag, node.value))

    def walk(node: Any, loc: Loc) -> Any:
        _within_limits(loc, positions, counter, name)
        if isinstance(node, pyyaml.MappingNode):
            if node.tag != _MAP:
                raise _FallbackError(f"the explicit tag {node.tag}", node.start_mark)
            at_mark = node.start_mark.index
            if node.flow_style and text.startswith("?", at_mark) and \
                    not text[at_mark + 1:at_mark + 2].isspace():
                # [?0]: YAML 1.2 reads the text "?0", libyaml and ruamel.yaml a one-pair
                # mapping; neither guess is safe, so say what to write
                raise _fail(name, "YAML syntax error: a value starting with '?' inside [ ] or { } "
                                  "is ambiguous; "
                                  "put it in quotes (\"?0\")", *at(node.start_mark))
            out: dict[str, Any] = {}
            for knode, vnode in node.value:
                key = scalar(knode)
                if isinstance(key, float) or (knode.tag == _PLAIN and knode.value == "<<"):
                    raise _FallbackError("a merge key or a number as a key", knode.start_mark)
                key = str(key)
                if key in out:  # the round-trip loader words the error
                    raise _FallbackError(f"duplicate key {key!r}; each key may appear once in "
                                         "a mapping", knode.start_mark)
                kloc = (*loc, key)
                km, vm = knode.start_mark, vnode.start_mark
                positions.keys[kloc] = (km.line + 1, km.column + 1)
                positions.values[kloc] = (vm.line + 1, vm.column + 1)
                out[key] = walk(vnode, kloc)
            return out
        if isinstance(node, pyyaml.SequenceNode):
            if node.tag != _SEQ:
                raise _FallbackError(f"the explicit tag {node.tag}", node.start_mark)
            items = []
            for i, vnode in enumerate(node.value):
                iloc = (*loc, i)
                vm = vnode.start_mark
                positions.values[iloc] = (vm.line + 1, vm.column + 1)
                items.append(walk(vnode, iloc))
            return items
        return scalar(node)

    try:
        data = walk(root, ())
    except RecursionError:
        raise _fail(name, f"nesting is deeper than the limit of {MAX_DEPTH}") from None
    except _FallbackError as e:
        if not large:
            return None
        message = e.message if e.message.startswith("duplicate") else \
            f"{e.message or 'this YAML feature'} is not supported in a file over " \
            f"{MAX_ROUND_TRIP_CHARS // 1024} KB"
        raise _fail(name, message, *at(e.mark)) from None
    return data, positions


_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_ ]*\Z")
_NOT_TEXT = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


def _count_chars(n: int, counter: list[int], name: str, line: int | None = None,
                 col: int | None = None) -> None:
    counter[1] += n
    if counter[1] > MAX_CHARS:
        raise _fail(name, f"the text comes to more than {MAX_CHARS:,} characters once aliases "
                          "are expanded; the limit keeps a build from running away", line, col)


_CONTEXTS = {"quoted scalar": "the quoted text", "flow sequence": "the [ ] list",
             "flow mapping": "the { } mapping", "block mapping": "the block of fields",
             "block collection": "the list", "block scalar": "the block of text",
             "plain scalar": "the text", "simple key": "the field name", "anchor": "the anchor",
             "alias": "the alias", "tag": "the tag", "directive": "the directive"}


def _plain_context(context: str) -> str:
    """ruamel.yaml's "while scanning a quoted scalar" as "the quoted text"."""
    for words, plain in _CONTEXTS.items():
        if words in context:
            return plain
    return context.replace("while scanning ", "").replace("while parsing ", "").strip()


def _duplicate_message(e: MarkedYAMLError) -> str:
    text = str(e.problem or "")
    return text.split("\n")[0].replace("found duplicate key", "duplicate key") + \
        "; each key may appear once in a mapping"


def _check_json(text: str, name: str) -> None:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for k, v in pairs:
            if k in seen:
                raise _fail(name, f"duplicate key {k!r}; each key may appear once in an object")
            seen[k] = v
        return seen

    try:
        json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as e:
        raise _fail(name, f"JSON syntax error: {e.msg}", e.lineno, e.colno) from None
    except ValueError:  # an integer longer than Python reads
        raise _too_long_number(text, name) from None
    except RecursionError:
        raise _fail(name, f"nesting is deeper than the limit of {MAX_DEPTH}") from None


def _within_limits(loc: Loc, pos: Positions, counter: list[int], name: str) -> None:
    """Count one more value; refuse a document with too many values or nested too deep."""
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _fail(name, f"more than {MAX_NODES:,} values (are aliases expanding?); "
                          "the limit keeps a build from running away")
    if len(loc) > MAX_DEPTH:
        line, col = pos.find(loc)
        raise _fail(name, f"nesting is deeper than the limit of {MAX_DEPTH}", line, col)


def _plain(node: Any, loc: Loc, pos: Positions, counter: list[int], name: str) -> Any:
    _within_limits(loc, pos, counter, name)
    r = _ruamel()
    CommentedMap, CommentedSeq = r.CommentedMap, r.CommentedSeq
    TaggedScalar = r.TaggedScalar
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for k in node:
            kloc = (*loc, str(k))
            try:
                kl, kc, vl, vc = node.lc.data[k]
                pos.keys[kloc] = (kl + 1, kc + 1)
                pos.values[kloc] = (vl + 1, vc + 1)
            except (KeyError, TypeError):
                kl = kc = None
            at = (kl + 1, kc + 1) if kl is not None and kc is not None else pos.find(loc)
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise _fail(name, "a mapping or list used as a key; keys are names "
                                  "(title:, summary: ...)", *at)
            if isinstance(k, TaggedScalar):
                k = _tagged(k, name, at)
            _count_chars(len(str(k)), counter, name)
            if str(k) in out:  # 1: and '1': are one key once read as text
                raise _fail(name, f"duplicate key {str(k)!r}; each key may appear once in a "
                                  "mapping", *at)
            out[str(k)] = _plain(node[k], kloc, pos, counter, name)
        return out
    if isinstance(node, TaggedScalar):
        return _plain(_tagged(node, name, pos.find(loc)), loc, pos, counter, name)
    if isinstance(node, CommentedSeq):
        items = []
        for i, v in enumerate(node):
            iloc = (*loc, i)
            try:
                vl, vc = node.lc.data[i]
                pos.values[iloc] = (vl + 1, vc + 1)
            except (KeyError, TypeError, IndexError):
                pass
            items.append(_plain(v, iloc, pos, counter, name))
        return items
    if isinstance(node, str):
        line, col = pos.find(loc)
        _count_chars(len(node), counter, name, line, col)
        return str(node)  # drop ruamel's scalar-string subclasses
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        if abs(node) >= 10 ** MAX_DIGITS:
            line, col = pos.find(loc)
            raise _fail(name, f"a number with more than {MAX_DIGITS} digits; write it as text "
                              "(in quotes) if it is not a quantity", line, col)
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node  # dates and datetimes


def _tagged(node: TaggedScalar, name: str, at: tuple[int | None, int | None]) -> str:
    """A scalar with an explicit tag: ``!!str`` is text; any other tag, and the YAML 1.1
    value and merge indicators (``=``, ``<<``) as values, are refused, located, with what to
    write instead."""
    tag = getattr(node.tag, "value", node.tag)
    if tag == "tag:yaml.org,2002:str":
        return str(node.value)
    if tag in ("tag:yaml.org,2002:value", "tag:yaml.org,2002:merge"):
        raise _fail(name, f"{node.value!r} alone is a YAML indicator, not a value; put it in "
                          f"quotes (\"{node.value}\") if it is text", *at)
    raise _fail(name, f"the explicit tag {tag} is not supported; remove it, or put the value in "
                      "quotes", *at)


def load_mapping(path: Path) -> tuple[dict[str, Any], Positions]:
    """Read and parse a YAML or JSON file (by extension; YAML otherwise)."""
    path = Path(path)
    return parse_text(read_text(path), str(path))


@lru_cache(maxsize=16)
def label_set(language: str) -> MappingProxyType[str, Any]:
    """The pack's label set for a language tag (``en-GB`` → ``en-gb``, then ``en``), over
    English, as read from ``labels/`` (read-only: it is cached for the whole process; the
    templates see it through :func:`briefgen.compose.load_labels`)."""
    from .cache import file_stamp, kept
    from .paths import data

    folder = data("labels")
    tag = language.lower()
    files = [folder / "en.yaml"] + [folder / f"{cand}.yaml" for cand in (tag.split("-")[0], tag)
                                    if cand != "en" and (folder / f"{cand}.yaml").is_file()]

    def read() -> dict[str, Any]:
        labels: dict[str, Any] = {}
        for f in files:
            labels = {**labels, **load_mapping(f)[0]}
        return labels

    # (the command line keeps it between runs: briefgen.cache)
    return MappingProxyType(kept("labels", tuple(map(file_stamp, files)), read))
