"""The fast path and the pydantic mirror agree (issue 19: valid input never imports pydantic).

A brief or style is converted by msgspec and the models' own checks (briefgen.typed); what
that does not accept goes to the pydantic mirror of the same classes, which decides and words
the problems. The fast path is only sound if it never accepts what pydantic refuses, and
yields what pydantic yields when both accept: these tests hold the two to each other on the
sample, every shipped style and brief, and on random changes to them (a value replaced by one
of many awkward values, a key left out, an unknown key added).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.loader import load_mapping
from briefgen.model import Brief
from briefgen.pydantic_mirror import mirror
from briefgen.style import Style, _load_raw, available_styles
from briefgen.typed import convert

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = sorted((ROOT / "briefs").rglob("*.yaml"))
SAMPLE = ROOT / "briefs" / "nagorno-karabakh-2023-09-ceasefire.yaml"

#: Values that sit on the edges of what some field takes: text that is blank, long, or holds
#: control or invisible characters; dates in every form pydantic reads; numbers that are
#: booleans, infinite or huge; lengths, colours and page sizes in their odd spellings.
AWKWARD: list[Any] = [
    None, True, False, 0, 1, -1, 12, 2022, 999, 10_000, 1.5, 12.0, 0.0, -0.5, 1e16,
    float("inf"), float("nan"), "", " ", "x", "x\n", "\ty", "a\u202eb", "a\u200bb", "a\x07b",
    "TLP:RED", "TLP:red", "OFFICIAL", "OFFICIAL-SENSITIVE PERSONAL", "SECRET PERSONAL",
    "UNCLASSIFIED//FOUO", "Unclassified", "2023", "2023-09", "2023-13", "2023-09\n",
    "2023-09-20", "2023-09-31", "2023-9-20", "2023-09-20T14:30", "2023-09-20T14:30:05",
    "2023-09-20T00:00", "2023-09-20T14:30Z", "2023-09-20T14:30+03:00", "20230920",
    "1695168000", dt.date(2023, 9, 20), dt.datetime(2023, 9, 20, 14, 30),
    dt.datetime(2023, 9, 20), "inf", "NaN", "200", "-40", "likely", "Likely",
    "almost certain", "icd203", "phia", "low", "npr-2023-09-20", "no-such-source",
    "[@npr-2023-09-20]", "https://example.org", "ftp://x", "USD", "usd", "en-GB", "EN",
    "25mm", "1in", "12pt", "2.5cm", " 3 mm ", "-3mm", "3km", "99999mm", "#1f3864",
    "#1F3864", "1F3864", "#12345", "A4", "a4", "letter", "Legal", "210mm x 99mm",
    "1in x 1in", "portrait", "landscape", "grid", "footnotes", "none", "decimal", "5x5",
    "dejavu-serif", "no-such-font", [], ["x"], [1, 2], ["#FFFFFF"] * 4, {}, {"x": 1},
    "x" * 2_001, "y" * 20_001, "a\ud800b", "\udfff", "\ud83d\ude00",
]


class Named(str):
    """A str subclass (an enum's value, a library's own string type): pydantic makes it a
    plain str, msgspec would keep it."""


AWKWARD += [Named("TLP:RED"), Named("x"), Named("2023-09-20"), Named("dejavu-serif")]


def _paths(data: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location in plain data (mapping keys and list indexes)."""
    out = [here]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*here, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*here, i))
    return out


def _mutate(data: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return data
    holder = data
    for p in path[:-1]:
        holder = holder[p]
    last = path[-1]
    if how == "replace":
        holder[last] = value
    elif how == "drop" and isinstance(holder, dict):
        del holder[last]
    elif how == "extra" and isinstance(holder[last], dict):
        holder[last]["unknwon_key"] = value
    return data


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types (1 is not 1.0, a date not a datetime); NaN equals NaN."""
    if type(a) is not type(b) and not (isinstance(a, str) and isinstance(b, str)):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _dump(model: Any) -> Any:
    """A model (typed or its pydantic mirror) as plain data, families by their own names."""
    if hasattr(model, "__struct_fields__") or hasattr(type(model), "model_fields"):
        names = model.__struct_fields__ if hasattr(model, "__struct_fields__") \
            else type(model).model_fields
        return {n: _dump(getattr(model, n)) for n in names}
    if isinstance(model, (list, tuple)):
        return type(model)(_dump(x) for x in model)
    if isinstance(model, dict):
        return {k: _dump(v) for k, v in model.items()}
    return str(model.own) if hasattr(model, "own") else model


def agree(cls: type, data: Any) -> str:
    """Run both validators on ``data``: 'both' when both accept (with the same values),
    'neither', or 'slow' when only pydantic accepts; fail when only the fast path does."""
    try:
        fast = convert(data, cls)
    except msgspec.ValidationError:
        fast = None
    try:
        slow = mirror(cls).model_validate(data)
    except Exception:  # pydantic's ValidationError, or a rule's own error
        slow = None
    if fast is not None:
        assert slow is not None, f"the fast path accepts what pydantic refuses: {data!r:.300}"
        assert _same(_dump(fast), _dump(slow)), "the two paths make different values"
        return "both"
    return "slow" if slow is not None else "neither"


def _style_data(name: str) -> dict[str, Any]:
    data, _ = _load_raw(available_styles()[name], ())
    data.setdefault("name", name)
    return data


def test_every_shipped_brief_and_style_takes_the_fast_path() -> None:
    for path in BRIEFS:
        data, _ = load_mapping(path)
        assert agree(Brief, data) == "both", path
    for name in available_styles():
        assert agree(Style, _style_data(name)) == "both", name


def test_a_date_in_a_form_only_pydantic_reads_still_validates() -> None:
    """The fast path leaves a time at midnight to pydantic, which reads it as a day; the
    brief is valid either way, and its value is pydantic's."""
    data, _ = load_mapping(SAMPLE)
    data["as_of"] = "2023-09-20T00:00"
    assert agree(Brief, data) == "slow"
    from briefgen.validate import validate_brief

    assert validate_brief(data, None, "x").as_of == dt.date(2023, 9, 20)


def test_a_model_made_in_python_is_checked_as_data_read_from_a_file() -> None:
    """A model built in Python runs the same checks as one read from a file, plain types
    included, with the same words, and takes the values they make."""
    from briefgen.errors import BriefError
    from briefgen.model import Marking, Originator
    from briefgen.style import Colours, Sizes, Tables

    with pytest.raises(BriefError, match="organisation: must not be blank"):
        Originator(organisation="   ")
    with pytest.raises(BriefError, match=r"label: 'TLP:PINK' is not a TLP 2\.0 label"):
        Marking(scheme="tlp", label="TLP:PINK")
    with pytest.raises(BriefError, match="organisation: must be text"):
        Originator(organisation=12)  # type: ignore[arg-type]
    with pytest.raises(BriefError, match="scheme: must be 'tlp', 'uk', 'us' or 'custom'"):
        Marking(scheme="bogus", label="X")  # type: ignore[arg-type]
    with pytest.raises(BriefError, match="leading: must be a number"):
        Sizes(leading="x")  # type: ignore[arg-type]
    with pytest.raises(BriefError, match="stripes: must be true or false"):
        Tables(stripes="maybe")  # type: ignore[arg-type]
    with pytest.raises(BriefError, match=r"risk_bands\.3: item 4 is missing"):
        Colours(risk_bands=("#FFF000",) * 3)  # type: ignore[arg-type]
    assert Sizes(leading=2).leading == 2.0 and type(Sizes(leading=2).leading) is float
    assert Colours(text="#abcdef").text == "#ABCDEF"
    assert Style(fonts={"body": "dejavu-serif"}).fonts == Style().fonts.model_copy(  # type: ignore[arg-type]
        update={"body": "dejavu-serif"})


def test_every_default_is_what_the_checks_make_of_it() -> None:
    """A model made with its defaults alone is not checked (the defaults of Style's parts are
    made when briefgen.style is imported, before the checks' own modules): so each default
    must be what validation makes of it, on both paths."""
    import briefgen.model
    import briefgen.style
    from briefgen.typed import Model

    for module in (briefgen.model, briefgen.style):
        for cls in vars(module).values():
            if not (isinstance(cls, type) and issubclass(cls, Model) and cls is not Model):
                continue
            try:
                made = cls()
            except TypeError:  # a required field: always checked
                continue
            assert _same(_dump(made), _dump(convert({}, cls))), cls
            assert _same(_dump(made), _dump(mirror(cls).model_validate({}))), cls


def test_models_given_inside_data_are_read_as_their_data() -> None:
    """A model inside the data (``{"marking": Marking(...)}``) is taken as it is, and when
    another field has a problem, only that problem is reported."""
    from briefgen.errors import BriefError
    from briefgen.model import Marking

    data = copy.deepcopy(SAMPLE_DATA)
    data["marking"] = Marking(scheme="tlp", label="TLP:RED")
    assert Brief.model_validate(data).marking.label == "TLP:RED"
    data["title"] = ""
    with pytest.raises(BriefError) as e:
        Brief.model_validate(data)
    assert [d.path for d in e.value.diagnostics] == ["title"]


def test_a_lone_surrogate_is_worded_not_a_crash(tmp_path: Path) -> None:
    """msgspec fails to word an error about a lone surrogate (UnicodeEncodeError); such text
    goes to pydantic, which refuses it, located."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.read_text(encoding="utf-8") + 'objectives: "\\ud800"\n',
                   encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "briefgen", "validate", str(bad)],
                         capture_output=True, text=True)
    assert out.returncode == 2, out.stderr
    assert "internal error" not in out.stderr
    assert f"{bad}:" in out.stderr and "objectives: must be a list" in out.stderr, out.stderr


SAMPLE_DATA, _ = load_mapping(SAMPLE)
SAMPLE_PATHS = _paths(SAMPLE_DATA)[1:]
STYLE_DATA = {name: _style_data(name) for name in available_styles()}
STYLE_PATHS = {name: _paths(data)[1:] for name, data in STYLE_DATA.items()}


def _trimmed(value: Any) -> Any:
    """The data with each list cut to its first item (every field still there, once)."""
    if isinstance(value, dict):
        return {k: _trimmed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_trimmed(v) for v in value[:1]]
    return value


def _leaf_fields(data: Any) -> list[tuple[Any, ...]]:
    """One location of each field holding a plain value (a list's items count as one)."""
    out: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for path in _paths(data)[1:]:
        value = data
        for p in path:
            value = value[p]
        if not isinstance(value, (dict, list)):
            out.setdefault(tuple("#" if isinstance(p, int) else p for p in path), path)
    return list(out.values())


def test_every_field_takes_every_awkward_value_alike() -> None:
    """Each field of the sample (its lists cut to one item) and of every shipped style, given
    each awkward value in turn: no field whose rule the fast path forgets goes unseen."""
    small = _trimmed(SAMPLE_DATA)
    for path in _leaf_fields(small):
        for value in AWKWARD:
            agree(Brief, _mutate(small, path, "replace", value))
    for data in STYLE_DATA.values():
        for path in _leaf_fields(data):
            for value in AWKWARD:
                agree(Style, _mutate(data, path, "replace", value))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(SAMPLE_PATHS), how=st.sampled_from(["replace", "drop", "extra"]),
       value=st.sampled_from(AWKWARD))
def test_random_changes_to_the_sample_never_split_the_two(path: tuple[Any, ...], how: str,
                                                          value: Any) -> None:
    agree(Brief, _mutate(SAMPLE_DATA, path, how, value))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(STYLE_DATA)), data=st.data(),
       how=st.sampled_from(["replace", "drop", "extra"]), value=st.sampled_from(AWKWARD))
def test_random_changes_to_the_styles_never_split_the_two(name: str, data: st.DataObject,
                                                          how: str, value: Any) -> None:
    path = data.draw(st.sampled_from(STYLE_PATHS[name]))
    agree(Style, _mutate(STYLE_DATA[name], path, how, value))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(["date", "as_of"]), value=st.one_of(
    st.dates(min_value=dt.date(1000, 1, 1)).map(str),
    st.datetimes(min_value=dt.datetime(1000, 1, 1)).map(lambda d: d.isoformat()),
    st.datetimes(min_value=dt.datetime(1000, 1, 1)).map(lambda d: d.isoformat()[:16]),
    st.integers(-10, 20_000), st.text(alphabet="0123456789-T:Z+ ", max_size=20)))
def test_random_dates_never_split_the_two(field: str, value: Any) -> None:
    data = copy.deepcopy(SAMPLE_DATA)
    data[field] = value
    data["timeline"][0]["date"] = value  # a partial date too
    agree(Brief, data)


def test_a_valid_brief_never_imports_pydantic_and_an_invalid_one_words_its_problems(
        tmp_path: Path) -> None:
    """The cost the fast path saves (pydantic and the models' validators, about 0.1 s a
    run) is paid only where a problem has to be worded."""
    code = ("import sys; from briefgen.pipeline import load; load({!r}); "
            "print('pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code.format(str(SAMPLE))],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.read_text(encoding="utf-8").replace("date: 2023-09-20\n",
                                                              "date: 2023-09-32\n", 1),
                   encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "briefgen", "validate", str(bad)],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "is not a date of the calendar" in out.stderr, out.stderr
    assert f"{bad}:" in out.stderr
