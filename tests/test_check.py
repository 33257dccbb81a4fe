"""`briefgen check`: analytic hygiene, as file:line:column: field: message (issue 14). A brief
written to hold each problem gets each warning; the sample gets none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import briefgen
from briefgen.check import check_brief
from briefgen.cli import cli
from briefgen.loader import load_mapping
from briefgen.pipeline import load
from conftest import ROOT, SAMPLE

BAD = """\
title: A brief with every problem
date: 2024-03-14
originator:
  organisation: Desk
marking:
  scheme: tlp
  label: "TLP:GREEN"
summary:
  - The port closed this week after the strike [@a].
  - Talks will probably resume on Monday [@a].
  - Officials said the berths could reopen soon [@a]. Shipping lines were told in a letter.
  - One [@a].
  - Two [@a].
background:
  - The union met yesterday; the strike began last year. It was called in May 2023 [@a].
  - The port handles a tenth of the country’s trade.
figures:
  - label: Berths closed
    value: 12
    reported_by: Port authority
    source: a
  - label: Ships waiting
    value: 40
    as_of: 2024-03-13
    reported_by: Port authority
    source: a
risks:
  - title: Strike spreads to other ports
    description: The strike spreads to the other ports of the coast [@a].
    likelihood: {scale: icd203, term: likely}
    impact: significant
    analysis_by: Desk
  - title: Strike spreads to other ports
    description: The strike spreads to the other ports of the coast [@a].
    likelihood: {scale: icd203, term: probable}
    impact: significant
    analysis_by: Desk
  - title: Talks break down
    description: It is likely that talks break down “as they may” [@a].
    likelihood: {scale: icd203, term: unlikely}
    impact: moderate
    analysis_by: Desk
quotes:
  - text: the port is closed until further notice
    speaker: Port authority
    source: a
  - text: we will strike until the end of the month
    speaker: Union
    source: a
  - text: nothing has been decided
    speaker: Ministry
    source: b
sources:
  - key: a
    title: A report
    copy: copies/a.txt
  - key: b
    title: Another report
    copy: copies/missing.txt
"""

EXPECTED = [
    ("summary.0", "relative time 'this week'"),
    ("summary.1", "the weekday 'Monday' without a date"),
    ("summary.1", "the estimative word 'probably' outside a rating"),
    ("summary.2", "the estimative word 'could' outside a rating"),
    ("summary.2", "a sentence with no citation after it: 'Shipping lines were told"),
    ("background.0", "relative time 'yesterday'"),
    ("background.0", "relative time 'last year'"),
    ("background.1", "a sentence with no citation after it: 'The port handles"),
    ("figures.0.label", "the figure 'Berths closed' has no as-of date"),
    ("risks.1.title", "risk R2 'Strike spreads to other ports' duplicates R1"),
    ("summary", "the summary has 5 points: keep to 4"),
    ("quotes.1.text", "the quote 'we will strike until the end of the month' is not found "
                      "verbatim in the local copy of 'a'"),
    ("sources.1.copy", "the local copy 'copies/missing.txt' of the source 'b' is absent"),
]


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    (tmp_path / "copies").mkdir()
    (tmp_path / "copies" / "a.txt").write_text(
        "The authority said the port is closed\nuntil further notice. The union said it would "
        "strike.", "utf-8")
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, "utf-8")
    return path


def test_check_finds_each_problem_where_it_is(bad: Path):
    found = check_brief(*_loaded(bad))
    got = [(d.path, d.message) for d in found]
    for field, start in EXPECTED:
        assert any(p == field and m.startswith(start) for p, m in got), (field, start, got)
    assert len(found) == len(EXPECTED), got
    lines = BAD.splitlines()
    for diag in found:  # located at the field's own line
        assert diag.line is not None and diag.column is not None
        key = diag.path.split(".")[0]
        assert key in "\n".join(lines[:diag.line]), diag
    # not flagged: "May 2023" (a month), "likely" (a term of the scale in use), words inside
    # quotation marks (“as they may”), the verbatim quote, the cited sentences
    assert not any("'May'" in m or "'may'" in m or "'likely'" in m for _, m in got)
    assert not any("the port is closed" in m for _, m in got)


def _loaded(path: Path) -> tuple[briefgen.Brief, object, str]:
    loaded = load(path)
    return loaded.brief, loaded.positions, loaded.name  # type: ignore[return-value]


def test_cli_prints_file_line_column_field_message_and_exits_zero(bad: Path):
    res = CliRunner().invoke(cli, ["check", str(bad)])
    assert res.exit_code == 0, res.output
    out = res.stdout.splitlines()
    assert len(out) == len(EXPECTED)
    assert out[0].startswith(f"{bad}:9:3: summary: the summary has 5 points")  # in file order
    assert out[1].startswith(f"{bad}:9:5: summary.0: relative time 'this week'")
    assert "13 warnings in 1 brief" in res.stderr
    strict = CliRunner().invoke(cli, ["check", "--strict", str(bad)])
    assert strict.exit_code == 2


def test_build_prints_the_same_warnings(bad: Path, tmp_path: Path):
    res = CliRunner().invoke(cli, ["build", str(bad), "-o", str(tmp_path / "out"), "-f", "pdf"])
    assert res.exit_code == 0, res.output
    checked = CliRunner().invoke(cli, ["check", str(bad)]).stdout.splitlines()
    for line in checked:
        assert f"warning: {line}" in res.stderr


def test_the_sample_is_clean_and_its_copy_is_said_absent():
    res = CliRunner().invoke(cli, ["check", "--strict", str(SAMPLE),
                                   str(ROOT / "briefs" / "variants")])
    assert res.exit_code == 0, res.output
    assert "0 warnings in 4 briefs" in res.stderr
    notes = res.stdout.splitlines()
    assert len(notes) == 4 and all("note: " in n and "the copy is absent" in n for n in notes)
    assert notes[0].startswith(f"{SAMPLE}:")


@pytest.mark.skipif(not os.environ.get("BRIEFGEN_SHARED"), reason="BRIEFGEN_SHARED not set")
def test_sample_quotes_are_verbatim_in_the_stored_article(tmp_path: Path):
    """With a local copy (the shared stored article, which the repository may not ship), every
    quote of the sample is found verbatim; a changed one is not."""
    article = Path(os.environ["BRIEFGEN_SHARED"]) / "source" / \
        "npr-2023-09-20-nagorno-karabakh-ceasefire.txt"
    data = load_mapping(SAMPLE)[0]
    data["sources"][0]["copy"] = str(article)
    brief = briefgen.load_brief(data)
    assert check_brief(brief, None, str(tmp_path / "b.yaml")) == []
    data["quotes"][0]["text"] = "to cease all these actions immediately."
    found = check_brief(briefgen.load_brief(data), None, str(tmp_path / "b.yaml"))
    assert [d.path for d in found] == ["quotes.0.text"]
