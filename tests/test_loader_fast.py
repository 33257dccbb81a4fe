"""The fast YAML path (libyaml through PyYAML, typed by ruamel.yaml's YAML 1.2 resolver) gives
exactly what the round-trip loader gives: the same data and the same positions, or it steps
aside and lets the round-trip loader answer (and word any error)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from strategies import brief_strategy

from briefgen import loader
from briefgen.errors import BriefError

ROOT = Path(__file__).resolve().parents[1]


def both(text: str, name: str = "t.yaml") -> tuple[object, object]:
    """(fast result or None, round-trip result or the BriefError it raised)."""
    fast = loader._fast_parse(text, name)
    try:
        slow = loader._parse_round_trip(text, name)
    except BriefError as e:
        slow = e
    return fast, slow


def same(fast: object, slow: object) -> None:
    if fast is None:
        return  # stepped aside: the round-trip loader's answer stands
    assert not isinstance(slow, BriefError), f"fast path accepted what is refused: {slow}"
    assert fast[0] == slow[0]
    assert fast[1].keys == slow[1].keys
    assert fast[1].values == slow[1].values


def test_fast_path_is_available() -> None:
    assert loader._fast_tools() is not None  # PyYAML with libyaml is a dependency


@pytest.mark.parametrize("path", sorted((ROOT / "briefs").glob("*.yaml"))
                         + sorted((ROOT / "styles").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_files(path: Path) -> None:
    fast, slow = both(path.read_text("utf-8"), str(path))
    assert fast is not None
    same(fast, slow)


SCALARS = ["yes", "no", "on", "off", "y", "n", "True", "FALSE", "null", "Null", "~", "",
           "1_000", "0o17", "017", "0x1F", "0b101", "1e3", "1.5e-3", ".5", "+1", "-0", ".inf",
           "-.Inf", ".nan", "1:20", "2023-09-20", "2023-09-20T14:30:00+04:00", "20 Sep 2023",
           "=", "<<", "@x", "`x", "a: b", "a #b", "'q'", '"dq"', "é", "Ստեփանակերտ", "1,000",
           "50%", "-", "--", "---", "...", "? x", "!x", "&a x", "*a", "[1, 2]", "{a: 1}"]


@pytest.mark.parametrize("value", SCALARS)
@pytest.mark.parametrize("form", ["key: {v}\n", "key:\n  - {v}\n", "{v}: x\n",
                                  "key: [{v}, b]\n", "key: {{k: {v}}}\n",
                                  'key: "{v}"\n', "key: '{v}'\n", "key: |\n  {v}\n  more\n",
                                  "key: >-\n  {v}\n  more\n", "key: a\n  {v}\n"])
def test_tricky_scalars(value: str, form: str) -> None:
    same(*both(form.format(v=value)))


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",                       # duplicate key
    "a: &x {b: 1}\nc: *x\n",              # alias
    "a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n",  # merge key
    "a: !!str 12\n", "a: !custom x\n", "%YAML 1.1\n---\na: yes\n",
    "- a\n- b\n", "just text\n", "a: 1\n---\nb: 2\n", "a: [1, 2\n", "a:\tb\n",
    "a:\n\t- b\n", "? [a, b]\n: c\n", "1: a\n'1': b\n", "a: b\r\nc: d\r\n",
    "\ufeffa: b\n", "a: b # comment\n# end\n", "a:\n  b:\n    c:\n      d: [e, {f: g}]\n",
])
def test_awkward_documents(text: str) -> None:
    same(*both(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(brief_strategy(max_rows=4), st.sampled_from(["block", "flow", "mixed"]),
       st.integers(min_value=2, max_value=6))
def test_generated_briefs(brief: dict, flow: str, indent: int) -> None:
    brief = _no_nulls(brief)  # an empty value would send it to the round trip (see below)
    yaml = YAML()
    yaml.indent(mapping=indent, sequence=indent + 2, offset=indent)
    yaml.default_flow_style = {"block": False, "flow": True, "mixed": None}[flow]
    yaml.width = 60
    buf = io.StringIO()
    yaml.dump(brief, buf)
    same(*both(buf.getvalue()))  # (libyaml refuses a few YAML 1.2 forms: the round trip)


@pytest.mark.parametrize("flow", [False, True, None])
def test_sample_rewritten_takes_the_fast_path(flow: bool | None) -> None:
    import briefgen

    data = _no_nulls(briefgen.load_brief(ROOT / "briefs" /
                                         "nagorno-karabakh-2023-09-ceasefire.yaml")
                     .model_dump(mode="json", exclude_none=True))
    yaml = YAML()
    yaml.default_flow_style = flow
    buf = io.StringIO()
    yaml.dump(data, buf)
    fast, slow = both(buf.getvalue())
    assert fast is not None
    same(fast, slow)


def _no_nulls(value: object) -> object:
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


def test_an_empty_value_takes_the_round_trip() -> None:
    """libyaml and ruamel.yaml place an empty value differently; the round trip decides."""
    assert loader._fast_parse("a: 1\nb:\nc: 2\n", "t.yaml") is None
