"""Where a line may break (render/common.py): the unbreakable pieces a table column must be
wide enough for, in both renderers."""

from __future__ import annotations

from briefgen.render.common import unbreakable


def test_pieces_break_at_spaces_and_after_hyphens() -> None:
    text = "Nagorno-Karabakh  cease\u2010fire\ttalks\nnow\u2003then\u200bend -- x-"
    assert unbreakable(text) == ["Nagorno-", "Karabakh", "cease\u2010", "fire", "talks", "now",
                                 "then", "end", "--", "x-"]


def test_a_no_break_space_and_a_no_break_hyphen_join() -> None:
    assert unbreakable("200\u00a0km north\u2011east") == ["200\u00a0km", "north\u2011east"]
    assert unbreakable("") == [] and unbreakable(" \t ") == []
