"""A new user's first hour (issue 16): every error in the user's words, styles documented as
briefs are, no surprises between validate and build."""

from __future__ import annotations

import io
import json
import re
import shutil
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel
from pypdf import PdfReader

import briefgen
from briefgen.cli import cli
from briefgen.model import Brief
from briefgen.pydantic_mirror import mirror
from conftest import ROOT, pdf_all_text
from test_validation import MINIMAL

#: Words that name Python, pydantic or Jinja2 rather than say what to write.
JARGON = re.compile(r"Input should|instance of|dictionary|pydantic|jinja2|TemplateModule|"
                    r"Record|NoneType|'str'|'int'|'float'|'tuple'|\bstr object|\bint object|"
                    r"TypeError|ValueError|AttributeError|UndefinedError|Traceback")


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def errors(text: str) -> list[str]:
    with pytest.raises(briefgen.BriefError) as exc:
        briefgen.parse_brief(text, name="b.yaml")
    return [str(d) for d in exc.value.diagnostics]


ACTOR = """\
actors:
  - name: Houthis
    other_names: ["Ansar Allah"]
    kind: armed group
    role: Controls the north.
"""


# --------------------------------------------------------------------------------------------
# Every problem in one run, in the user's words


def test_unknown_citation_reported_beside_a_bad_date(tmp_path: Path):
    text = MINIMAL.replace("One point [@src].", "One point [@nope].") + \
        "timeline:\n  - date: 2024-01-11/12\n    text: Talks [@src].\n"
    brief = tmp_path / "b.yaml"
    brief.write_text(text)
    code, _, err = run("validate", str(brief))
    assert code == 2
    assert "summary.0: cites unknown source 'nope'" in err
    assert "timeline.0.date:" in err
    assert err.index("summary.0") < err.index("timeline.0.date")  # in file order


def test_validate_reports_the_brief_and_the_style_in_one_run(tmp_path: Path):
    brief = tmp_path / "b.yaml"
    brief.write_text(MINIMAL.replace("date: 2023-09-20", "date: 2023-09-31"))
    style = tmp_path / "s.yaml"
    style.write_text("sizes: {base: 0}\n")
    code, _, err = run("validate", str(brief), "--style", str(style))
    assert code == 2
    assert f"{brief}:2:7: date:" in err and f"{style}:1:15: sizes.base:" in err


def test_other_names_as_text_says_what_to_write():
    (msg,) = errors(MINIMAL + ACTOR)
    assert msg.startswith("b.yaml:15:19: actors.0.other_names.0: must be a mapping of fields")
    assert "write it as `- name: Ansar Allah`" in msg
    assert not JARGON.search(msg), msg


def test_a_date_range_says_which_forms_are_accepted():
    text = MINIMAL + "timeline:\n  - date: 2024-01-11/12\n    text: Talks.\n"
    (msg,) = errors(text)
    assert "'2024-01-11/12' is not a date" in msg
    assert "a year (2024), a month (2024-01), a day (2024-01-11)" in msg
    assert "write the span in `date_note`" in msg
    assert not JARGON.search(msg), msg
    (msg,) = errors(MINIMAL.replace("date: 2023-09-20", "date: 20 Sept 2023"))
    assert "write a day as YYYY-MM-DD" in msg
    (msg,) = errors(MINIMAL.replace("date: 2023-09-20", "date: 2023-02-30"))
    assert "is not a date of the calendar" in msg


BAD_BRIEFS = {
    "a list for a text": MINIMAL.replace("title: A brief", "title: [1, 2]"),
    "a text for a list": MINIMAL.replace("summary:\n  - One point [@src].",
                                         "summary: One point"),
    "a text for a mapping": MINIMAL.replace("originator:\n  organisation: Desk",
                                            "originator: Desk"),
    "a bad literal": MINIMAL + "purpose: decison\n",
    "a bad source key": MINIMAL.replace("key: src", "key: '-src'"),
    "a bad url": MINIMAL + "    url: www.example.org\n",
    "a bad number": MINIMAL + "figures:\n  - {label: x, value: many, reported_by: y, "
                              "source: src}\n",
    "a bad flag": MINIMAL + "figures:\n  - {label: x, value: 1, reported_by: y, source: src, "
                            "qualifier: [1]}\n",
    "an empty list": MINIMAL.replace("summary:\n  - One point [@src].", "summary: []"),
    "a bad language": MINIMAL + "language: English\n",
    "a mapping for a date": MINIMAL + "as_of: {day: 1}\n",
    "a scale as text": MINIMAL + "risks:\n  - {title: r, description: d, analysis_by: a, "
                                 "likelihood: likely}\n",
}


@pytest.mark.parametrize("case", list(BAD_BRIEFS))
def test_no_message_names_a_python_type(case: str):
    for msg in errors(BAD_BRIEFS[case]):
        assert not JARGON.search(msg), msg


def test_a_bad_literal_gets_did_you_mean():
    (msg,) = errors(MINIMAL + "purpose: decison\n")
    assert "must be 'information' or 'decision'" in msg and "did you mean 'decision'" in msg


def style_errors(tmp_path: Path, text: str) -> list[str]:
    style = tmp_path / "s.yaml"
    style.write_text(text)
    with pytest.raises(briefgen.BriefError) as exc:
        briefgen.load_style(style)
    return [str(d) for d in exc.value.diagnostics]


def test_style_font_family_as_text_names_its_fields(tmp_path: Path):
    (msg,) = style_errors(tmp_path, "fonts:\n  families:\n    house: House.ttf\n")
    assert "s.yaml:3:12: fonts.families.house:" in msg
    assert "name (required)" in msg and "regular (required)" in msg and "bold_italic" in msg
    assert not JARGON.search(msg), msg
    shutil.copy(ROOT / "src" / "briefgen" / "fonts" / "dejavu" / "DejaVuSans.ttf",
                tmp_path / "H.ttf")
    (msg,) = style_errors(tmp_path, "fonts:\n  families:\n    house: {name: H, regular: "
                                    "H.ttf, bolditalic: H.ttf}\n")
    assert "did you mean 'bold_italic'" in msg


# --------------------------------------------------------------------------------------------
# Templates: errors at the template's file and line, in the template writer's words


def copied_template(tmp_path: Path, replace: str, by: str) -> Path:
    assert run("templates", "copy", "full", str(tmp_path))[0] == 0
    path = tmp_path / "full.xml.j2"
    text = path.read_text()
    assert replace in text
    path.write_text(text.replace(replace, by))
    return path


def template_error(tmp_path: Path, template: Path) -> str:
    brief = tmp_path / "b.yaml"
    brief.write_text(MINIMAL + ACTOR.replace('["Ansar Allah"]', "[{name: Ansar Allah}]"))
    code, _, err = run("validate", str(brief), "--template", str(template))
    assert code == 2, err
    assert not JARGON.search(err), err
    return err


def test_template_unknown_macro_says_did_you_mean(tmp_path: Path):
    template = copied_template(tmp_path, "{{ s.actors() }}", "{{ s.actor() }}")
    line = template.read_text().splitlines().index("{{ s.actor() }}") + 1
    err = template_error(tmp_path, template)
    assert f"{template}:{line}: template:" in err
    assert "no section macro `actor` in _sections.xml.j2; did you mean `actors`?" in err


def test_template_unknown_field_says_did_you_mean(tmp_path: Path):
    template = copied_template(tmp_path, "{{ s.actors() }}", "{{ brief.actor }}")
    err = template_error(tmp_path, template)
    assert "no field `actor` here; did you mean `actors`?" in err
    template.write_text(template.read_text().replace("{{ brief.actor }}", "{{ nothing }}"))
    assert "`nothing` is not defined" in template_error(tmp_path, template)
    template.write_text(template.read_text().replace("{{ nothing }}",
                                                     "{{ brief.sources[7] }}"))
    assert "the list has no item 7 (it has 1" in template_error(tmp_path, template)


@pytest.mark.parametrize(("xml", "expected"), [
    ('<box role="callout"><p>x</p></box>', "<box role='callout'> is not one of summary, note, "
                                           "warning"),
    ('<p colour="red">x</p>', "<p> has no attribute colour=; it takes role"),
    ("<bx><p>x</p></bx>", "unknown element <bx>; did you mean <box>?"),
    ('<h2 toc="nah">x</h2>', "<h2 toc='nah'> is not one of yes, no"),
])
def test_template_xml_outside_the_vocabulary_is_refused_at_its_line(tmp_path: Path, xml: str,
                                                                      expected: str):
    template = copied_template(tmp_path, "{{ s.actors() }}", xml)
    line = template.read_text().splitlines().index(xml) + 1
    err = template_error(tmp_path, template)
    assert f"{template}:{line}: template: {expected}" in err


# --------------------------------------------------------------------------------------------
# Styles: typos are located errors; layout problems are named, never internal errors


def test_style_sizes_and_margins_refused_at_the_style_line(tmp_path: Path):
    msgs = style_errors(tmp_path, "sizes: {h1: 400, base: 0}\n")
    assert any(m.startswith(f"{tmp_path / 's.yaml'}:1:13: sizes.h1:") for m in msgs), msgs
    assert any("sizes.base: 0 is not a font size" in m for m in msgs), msgs
    (msg,) = style_errors(tmp_path, "sizes:\n  base: -3\n")
    assert "s.yaml:2:9: sizes.base: -3 is not a font size" in msg
    (msg,) = style_errors(tmp_path, "page:\n  margins: {left: 200mm}\n")
    assert "s.yaml:2:3: page:" in msg and "margins leave less than 1 inch" in msg
    brief = tmp_path / "b.yaml"
    brief.write_text(MINIMAL)
    code, _, err = run("build", str(brief), "-o", str(tmp_path / "out"), "-s",
                       str(tmp_path / "s.yaml"))
    assert code == 2 and "internal error" not in err


def test_a_block_taller_than_the_page_is_named_not_an_internal_error(tmp_path: Path):
    """A short quotation is kept whole with its attribution: on a 3-inch page, one of a few
    sentences cannot fit. Whatever the length at which that starts, the build either works or
    names the block; it is never an internal error."""
    style = tmp_path / "small.yaml"
    style.write_text("page: {size: 3in x 3in, margins: {top: 5mm, bottom: 5mm, left: 5mm, "
                     "right: 5mm}}\n")
    brief = tmp_path / "b.yaml"
    refused = []
    for n in range(5, 12):
        words = " ".join(["Nobody expected the talks to last this long."] * n)
        brief.write_text(MINIMAL + f"quotes:\n  - text: {words}\n    speaker: A minister\n"
                                   "    source: src\n")
        code, _, err = run("build", str(brief), "-o", str(tmp_path / f"out{n}"), "-s",
                           str(style), "-f", "pdf")
        assert "internal error" not in err and "LayoutError" not in err
        if code:
            assert code == 2, err
            assert f"{brief}: layout: the quotation beginning “Nobody expected the talks" in err
            assert "in the section “Attributed analysis and quotes”" in err
            assert "does not fit on a page: it is" in err and "Give it room" in err
            assert not (tmp_path / f"out{n}").exists()
            refused.append(n)
    assert refused, "no quotation was too tall: make the page smaller"


@pytest.mark.parametrize(("size", "orientation", "expected"), [
    ("legal", "portrait", (612, 1008)),
    ("LETTER", "landscape", (792, 612)),
    ("a5", "portrait", (420, 595)),
    ("210mm x 99mm", "portrait", (595, 281)),
])
def test_page_sizes_any_case_custom_and_landscape(tmp_path: Path, size: str, orientation: str,
                                                  expected: tuple[int, int]):
    style = tmp_path / "s.yaml"
    margins = "{top: 10mm, bottom: 10mm, left: 10mm, right: 10mm}"
    style.write_text(f"page: {{size: {size}, orientation: {orientation}, margins: {margins}}}\n")
    pack = briefgen.build(briefgen.parse_brief(MINIMAL), style=str(style), formats="pdf")
    box = PdfReader(io.BytesIO(pack.pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == expected
    (msg,) = style_errors(tmp_path, "page: {size: B5}\n")
    assert "'B5' is not a page size" in msg and "Legal" in msg


# --------------------------------------------------------------------------------------------
# Styles documented: a schema, kept in sync, and a reference


def test_committed_style_schema_is_current():
    from briefgen.schema import style_schema_path, style_schema_text

    assert style_schema_path().read_text("utf-8") == style_schema_text(), \
        "run: briefgen schema --style -o src/briefgen/style.schema.json"
    code, out, _ = run("schema", "--style")
    assert code == 0 and json.loads(out)["title"] == "briefgen style"


def test_style_reference_is_current_and_documents_every_key():
    from briefgen.schema import STYLE_DOCS, _style_fields, style_reference

    keys = [k for k, _, _ in _style_fields()]
    assert set(keys) <= set(STYLE_DOCS), set(keys) - set(STYLE_DOCS)
    text = (ROOT / "docs" / "styles.md").read_text("utf-8")
    assert text == style_reference(), \
        "run: python -c 'import briefgen.schema as s; print(s.style_reference(), end=\"\")' " \
        "> docs/styles.md"
    for key in keys:
        assert f"| `{key}` |" in text
    assert "| `fonts.families.KEY.bold_italic` | file name |" in text
    assert "| `page.margins.left` | length | 22mm |" in text


def test_style_schema_describes_every_key_with_its_form():
    from briefgen.schema import style_schema

    schema = style_schema()
    defs = schema["$defs"]

    def props(model: str) -> dict[str, typing.Any]:
        return schema["properties"] if model == "Style" else defs[model]["properties"]

    for model in ("Style", *defs):
        for name, prop in props(model).items():
            assert prop.get("description"), f"{model}.{name} has no description"
    assert set(defs["FontFiles"]["required"]) == {"name", "regular"}
    assert "bold_italic" in defs["FontFiles"]["properties"]
    length = defs["Margins"]["properties"]["left"]
    assert re.fullmatch(length["anyOf"][1]["pattern"], "25mm")
    assert re.fullmatch(defs["Colours"]["properties"]["text"]["pattern"], "#1F3864")
    assert "extends" in schema["properties"]


def test_a_style_file_may_name_its_schema(tmp_path: Path):
    style = tmp_path / "s.json"
    style.write_text(json.dumps({"$schema": "style.schema.json", "extends": "uk-brief",
                                 "sizes": {"base": 10}}))
    assert briefgen.load_style(style).sizes.base == 10


# --------------------------------------------------------------------------------------------
# The starter


def test_new_json_writes_json_that_validates(tmp_path: Path):
    path = tmp_path / "s.json"
    assert run("new", str(path))[0] == 0
    data = json.loads(path.read_text())
    assert Path(data["$schema"]).is_absolute() and Path(data["$schema"]).is_file()
    assert briefgen.load_brief(path).title == "Title of the brief"
    assert run("validate", str(path))[0] == 0


def test_new_schema_reference_survives_moving_the_brief(tmp_path: Path):
    path = tmp_path / "a" / "brief.yaml"
    path.parent.mkdir()
    assert run("new", str(path))[0] == 0
    moved = tmp_path / "elsewhere" / "deeper" / "brief.yaml"
    moved.parent.mkdir(parents=True)
    shutil.move(path, moved)
    ref = moved.read_text().split("$schema=", 1)[1].split("\n", 1)[0]
    assert Path(ref).is_absolute()
    assert json.loads((moved.parent / ref).read_text())["title"] == "briefgen brief"


def _model_fields(model: type[BaseModel], data: typing.Any,
                  path: str = "") -> typing.Iterator[tuple[str, bool]]:
    """Each field of ``model`` (and of the models it holds) and whether ``data`` gives it."""
    from briefgen.validate import _model_types

    given = data if isinstance(data, dict) else {}
    for attr, field in model.model_fields.items():
        name = field.alias or attr  # as a brief file writes it (`copy`, not copy_path)
        yield f"{path}{name}", name in given
        for sub in _model_types(field.annotation):
            value = given.get(name)
            items = value if isinstance(value, list) else [value]
            merged: dict[str, typing.Any] = {}
            for item in items:
                if isinstance(item, dict):
                    merged.update(item)
            yield from _model_fields(sub, merged, f"{path}{name}.")


def test_full_starter_shows_every_field_once_with_a_comment(tmp_path: Path):
    from briefgen.loader import load_mapping

    path = tmp_path / "full.yaml"
    assert run("new", "--full", str(path))[0] == 0
    brief = briefgen.load_brief(path)
    data, _ = load_mapping(path)
    missing = [f for f, given in _model_fields(mirror(Brief), data) if not given]
    assert not missing, missing
    assert brief.figures[0].value and brief.sources[0].accessed is not None
    lines = path.read_text().splitlines()
    for top in Brief.__struct_fields__:  # every section once
        assert len([ln for ln in lines if ln.startswith(f"{top}:")]) == 1, top
    commented = [ln for ln in lines if re.match(r"\s*-?\s*\w+:.*#", ln)]
    assert len(commented) >= len(Brief.__struct_fields__) + 20
    code, _, err = run("build", str(path), "-o", str(tmp_path / "out"), "-f", "pdf")
    assert code == 0, err


def test_default_starter_mentions_full():
    from briefgen.cli.info import starter_text

    text = starter_text("x.yaml")
    assert "briefgen validate x.yaml" in text and "briefgen new --full" in text


# --------------------------------------------------------------------------------------------
# Data the model can hold


FIGURES = """\
figures:
  - {label: Trade, value: -40, unit: "%", reported_by: Customs, source: src}
  - {label: Aid, value: 25, currency: USD, unit: million, qualifier: at least,
     reported_by: Donors, source: src}
  - {label: Fees, value: 1200, currency: CHF, reported_by: Bank, source: src}
"""


def test_negative_figures_percentages_and_currencies(tmp_path: Path):
    text = MINIMAL.replace("  - key: src\n    title: A source\n",
                           "  - key: src\n    title: A source\n    date: 2024-02\n"
                           "    url: https://example.org/a\n    accessed: 2024-03-01\n")
    brief = briefgen.parse_brief(text + FIGURES)
    assert brief.figures[0].value == -40
    assert brief.sources[0].date == "2024-02"
    pdf = pdf_all_text(briefgen.build(brief, formats="pdf").pdf)
    flat = " ".join(pdf.split())
    assert "\u221240%" in flat
    assert "at least $25 million" in flat
    assert "CHF\u00a01,200" in pdf or "CHF 1,200" in flat
    assert "February 2024" in flat and "(accessed 1 March 2024)" in flat
    (msg,) = errors(MINIMAL + FIGURES.replace("currency: USD", "currency: dollars"))
    assert "figures.1.currency" in msg and not JARGON.search(msg)


# --------------------------------------------------------------------------------------------
# The API and the command line


def test_load_brief_given_text_points_to_parse_brief():
    with pytest.raises(briefgen.BriefError, match=r"use briefgen\.parse_brief\(text\)"):
        briefgen.load_brief(MINIMAL)
    assert briefgen.parse_brief(MINIMAL).title == "A brief"
    assert "parse_brief" in (briefgen.load_brief.__doc__ or "")


def test_build_without_output_writes_to_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    brief = tmp_path / "b.yaml"
    brief.write_text(MINIMAL)
    monkeypatch.chdir(tmp_path)
    code, out, err = run("build", "b.yaml", "-f", "pdf")
    assert code == 0, err
    assert (tmp_path / "out" / "b.pdf").read_bytes().startswith(b"%PDF-")


def test_readme_field_table_lists_every_brief_field():
    readme = (ROOT / "README.md").read_text("utf-8")
    table = readme.split("| field | what it holds |", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines()[2:]:
        first, rest = line.split("|")[1:3]
        for name in re.findall(r"`([a-z_]+)`", re.sub(r"\([^)]*\)", "", first)):
            rows[name] = rest
    fields = mirror(Brief).model_fields  # pydantic's view: aliases, the models a field holds
    assert set(rows) == set(fields), set(fields) ^ set(rows)
    from briefgen.validate import _model_types

    for name, field in fields.items():
        for model in _model_types(field.annotation):
            for sub in {f.alias or n for n, f in model.model_fields.items()} - {"editor_note"}:
                assert f"`{sub}`" in rows[name], f"the README's table omits {name}: {sub}"


def test_readme_using_it_commands_all_exist():
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("## Using it", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = {line.split()[1] for line in block.strip().splitlines()}
    assert commands <= set(cli.commands), commands - set(cli.commands)
