"""``briefgen.diff``: changes between two versions of a brief, matched by meaning."""

from __future__ import annotations

import copy
import json

import pytest

import briefgen
from briefgen.diff import Change, diff_briefs, format_changes
from conftest import SAMPLE


@pytest.fixture(scope="module")
def old():
    return briefgen.load_brief(SAMPLE)


def edited(old, edit) -> briefgen.Brief:
    data = copy.deepcopy(old.model_dump(mode="python"))
    edit(data)
    return briefgen.load_brief(data)


def test_no_change_is_no_change(old) -> None:
    assert diff_briefs(old, old) == []
    assert format_changes([], old, old).startswith("No changes")


def test_the_five_edits_and_nothing_else(old) -> None:
    def edit(data):
        data["figures"][0]["value"] = 5000                         # change a figure
        data["risks"][0]["likelihood"]["term"] = "likely"           # move a rating
        data["risks"].append({**data["risks"][1], "title": "Displacement into Armenia",
                              "description": "Refugees may cross into Armenia in numbers."})
        removed = data["lines_to_take"].pop(1)                     # drop a line to take
        data["actors"].reverse()                                   # reorder actors
        data["_removed"] = removed

    data_holder = {}

    def keep(data):
        edit(data)
        data_holder["removed"] = data.pop("_removed")

    new = edited(old, keep)
    changes = diff_briefs(old, new)
    got = {(c.kind, c.section, c.field) for c in changes}
    assert got == {("changed", "figures", "value"), ("changed", "risks", "likelihood"),
                   ("added", "risks", None), ("removed", "lines_to_take", None),
                   ("reordered", "actors", None)}, changes
    text = format_changes(changes, old, new)
    assert "at least 200 people \u2192 at least 5,000 people" in text
    assert "unlikely (ICD 203) \u2192 likely (ICD 203)" in text
    assert "Risk added: \u201cDisplacement into Armenia\u201d" in text
    assert "Actors: order changed" in text
    assert data_holder["removed"].split()[0] in text


def test_rewording_is_a_change_not_a_removal(old) -> None:
    def edit(data):
        data["summary"][0] = data["summary"][0].replace("has been reached", "was reached")
    changes = diff_briefs(old, edited(old, edit))
    assert [(c.kind, c.section) for c in changes] == [("changed", "summary")]
    assert changes[0].old != changes[0].new


def test_reordering_alone_adds_and_removes_nothing(old) -> None:
    def edit(data):
        data["sources"].reverse()
        data["lines_to_take"].reverse()
        data["figures"].reverse()
    kinds = {c.kind for c in diff_briefs(old, edited(old, edit))}
    assert kinds <= {"reordered"}


def test_json_form(old) -> None:
    c = Change("changed", "figures", "Killed", "value", "at least 200", "at least 5,000")
    data = json.loads(json.dumps(c.as_dict()))
    assert data["description"] == ("Key figure \u201cKilled\u201d value: at least 200 \u2192 "
                                   "at least 5,000")
    assert c.noteworthy
    assert not Change("reordered", "actors", "").noteworthy
