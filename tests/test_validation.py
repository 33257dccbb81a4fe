"""Loading and validation: every problem reported at once, located by file:line:column and
field path, with suggestions; the sample and the starter validate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import briefgen
from briefgen.errors import BriefError
from briefgen.schema import schema_path, schema_text
from conftest import MINIMAL, SAMPLE


def errors_of(text: str, name: str = "brief.yaml", fmt: str = "yaml") -> list[str]:
    with pytest.raises(BriefError) as exc:
        briefgen.parse_brief(text, name=name, format=fmt)
    return [str(d) for d in exc.value.diagnostics]


def test_minimal_brief_is_valid():
    brief = briefgen.parse_brief(MINIMAL)
    assert brief.title == "A brief"
    assert brief.marking.label == "TLP:GREEN"
    assert brief.language == "en-GB"  # default


def test_sample_brief_is_valid_and_complete():
    brief = briefgen.load_brief(SAMPLE)
    assert brief.marking.label == "TLP:CLEAR"
    names = " ".join(a.name for a in brief.actors)
    for who in ("Azerbaijan", "Armenia", "Russia", "United States", "Stronski", "Artsakh"):
        assert who in names
    quals = {(f.qualifier, f.value) for f in brief.figures}
    assert {("at least", 200), ("more than", 400), ("up to", 2000)} <= quals
    assert len(brief.risks) >= 2  # two distinct risks (issue 13 merged a duplicate)
    assert [s.key for s in brief.sources] == ["npr-2023-09-20"]


def test_unknown_key_is_located_with_suggestion():
    text = MINIMAL.replace("title: A brief", "title: A brief\nsubtitel: oops")
    (err,) = errors_of(text)
    assert err.startswith("brief.yaml:2:1: subtitel: unknown field 'subtitel'")
    assert "did you mean 'subtitle'?" in err


def test_nested_unknown_key_suggests_from_the_right_model():
    text = MINIMAL.replace("  organisation: Desk", "  organisation: Desk\n  autor: Me")
    (err,) = errors_of(text)
    assert err.startswith("brief.yaml:5:3: originator.autor:")
    assert "did you mean 'author'?" in err


def test_all_errors_reported_at_once_in_file_order():
    text = MINIMAL.replace("date: 2023-09-20", "date: 20th September") \
                  .replace('label: "TLP:GREEN"', 'label: "TLP: GREEN"') \
                  .replace("title: A brief\n", "")
    errs = errors_of(text)
    joined = "\n".join(errs)
    assert "brief.yaml:1:1: title: this field is required" in joined
    assert re.search(r"brief\.yaml:1:7: date: .*20th September", joined)
    assert re.search(r"brief\.yaml:6:10: marking\.label: 'TLP: GREEN' is not a TLP 2.0 label "
                     r"\(write it exactly 'TLP:GREEN'\)", joined)
    lines = [int(e.split(":")[1]) for e in errs if e.split(":")[1].isdigit()]
    assert lines == sorted(lines)


def test_duplicate_key_is_an_error_with_line():
    text = MINIMAL + "title: Again\n"
    (err,) = errors_of(text)
    assert err.startswith("brief.yaml:13:1:")
    assert "duplicate key" in err and "title" in err


def test_unknown_citation_is_an_error_with_suggestion():
    text = MINIMAL.replace("[@src]", "[@srcs]")
    (err,) = errors_of(text)
    assert err.startswith("brief.yaml:9:5: summary.0: cites unknown source 'srcs'")
    assert "did you mean 'src'?" in err


def test_unknown_source_key_in_sources_list():
    text = MINIMAL + "actors:\n  - name: X\n    kind: state\n    role: R\n    sources: [nope]\n"
    (err,) = errors_of(text)
    assert "actors.0.sources.0: cites unknown source 'nope'" in err
    assert err.startswith("brief.yaml:17:15:")


def test_duplicate_source_keys():
    text = MINIMAL + "  - key: src\n    title: Again\n"
    errs = errors_of(text)
    assert any("source key 'src' is defined more than once" in e for e in errs)


def test_wrong_types_and_enum_values():
    text = MINIMAL + ("figures:\n  - label: Dead\n    value: many\n    qualifier: atleast\n"
                      "    reported_by: X\n    source: src\n")
    errs = errors_of(text)
    assert any(e.startswith("brief.yaml:15:12: figures.0.value:") for e in errs)
    assert any(e.startswith("brief.yaml:16:16: figures.0.qualifier:") and "'at least'" in e
               for e in errs)


def test_likelihood_term_must_belong_to_scale():
    text = MINIMAL + ("risks:\n  - title: R\n    description: D\n    analysis_by: Me\n"
                      "    likelihood: {scale: phia, term: roughly even chance}\n")
    (err,) = errors_of(text)
    assert "risks.0.likelihood:" in err
    assert "not a term of the PHIA probability yardstick" in err
    assert "'realistic possibility'" in err


@pytest.mark.parametrize("scheme,label,ok", [
    ("tlp", "TLP:AMBER+STRICT", True), ("tlp", "TLP:WHITE", False), ("tlp", "tlp:clear", False),
    ("uk", "OFFICIAL-SENSITIVE", True), ("uk", "Official", False),
    ("us", "UNCLASSIFIED//FOR OFFICIAL USE ONLY", True), ("us", "CUI", True),
    ("us", "unclassified", False), ("custom", "Internal – board only", True),
])
def test_marking_schemes(scheme, label, ok):
    text = MINIMAL.replace("scheme: tlp", f"scheme: {scheme}").replace(
        'label: "TLP:GREEN"', f'label: "{label}"')
    if ok:
        assert briefgen.parse_brief(text).marking.label == label
    else:
        assert any("marking" in e for e in errors_of(text))


def test_control_characters_are_refused_with_field():
    text = MINIMAL.replace("title: A brief", 'title: "A\\vbrief"')
    (err,) = errors_of(text)
    assert err.startswith("brief.yaml:1:8: title:") and "U+000B" in err


@pytest.mark.parametrize("text,needle", [
    ("", "the file is empty"),
    ("- a\n- b\n", "must be a mapping"),
    ("title: [unclosed\n", "YAML syntax error"),
    ("title: x\n\tdate: y\n", "tabs"),
    ('title: "open\n', "YAML syntax error"),
    ('title: "open\nsummary: x\n\n', "(in the quoted text that starts at line 1, column 8)"),
    ("title: [a, b\ndate: x\n", "(in the [ ] list that starts at line 1, column 8)"),
])
def test_yaml_problems(text, needle):
    (err,) = errors_of(text)
    assert needle in err
    assert err.startswith("brief.yaml")


def test_json_brief_same_model_and_json_errors():
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(MINIMAL)
    data["date"] = "2023-09-20"
    brief = briefgen.parse_brief(json.dumps(data, indent=2), format="json", name="b.json")
    assert brief.title == "A brief"
    (err,) = errors_of('{"title": "x",\n "title": "y"}', name="b.json", fmt="json")
    assert "duplicate key 'title'" in err
    (err,) = errors_of('{"title": "x",\n "date": }', name="b.json", fmt="json")
    assert err.startswith("b.json:2:10: JSON syntax error")
    bad = json.dumps({**data, "sumary": []}, indent=2)
    errs = errors_of(bad, name="b.json", fmt="json")
    assert any("did you mean 'summary'" in e and re.match(r"b\.json:\d+:\d+: sumary", e)
               for e in errs)


def test_dict_input_has_no_positions_but_paths():
    with pytest.raises(BriefError) as exc:
        briefgen.load_brief({"title": "x"})
    errs = [str(d) for d in exc.value.diagnostics]
    assert "<dict>: date: this field is required" in errs


def test_binary_and_non_utf8_files(tmp_path: Path):
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin.yaml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    for name, needle in (("bin.yaml", "NUL"), ("latin.yaml", "not UTF-8")):
        with pytest.raises(BriefError) as exc:
            briefgen.load_brief(tmp_path / name)
        assert needle in str(exc.value)
    with pytest.raises(BriefError, match="no such file"):
        briefgen.load_brief(tmp_path / "missing.yaml")
    with pytest.raises(BriefError, match="is a folder"):
        briefgen.load_brief(tmp_path)


def test_alias_bomb_is_refused_quickly():
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        bomb.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10)
                    + "]")
    (err,) = errors_of("\n".join(bomb) + "\n")
    assert "limit" in err


def test_committed_schema_is_current():
    assert schema_path().read_text("utf-8") == schema_text(), \
        "run: briefgen schema -o src/briefgen/brief.schema.json"


def test_schema_documents_the_format():
    schema = json.loads(schema_text())
    props = schema["properties"]
    for key in ("title", "marking", "summary", "actors", "figures", "risks", "sources",
                "timeline", "agreements", "quotes", "sections", "lines_to_take", "qa"):
        assert key in props
    assert set(schema["required"]) == {"title", "date", "originator", "marking", "summary",
                                       "sources"}
    assert "rich text" in json.dumps(props["summary"])
