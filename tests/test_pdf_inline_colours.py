"""Colours in the PDF's paragraph markup (links, their underlines) are written as css rgb(),
which ReportLab's parser reads at once: the colour a run gets is the one the hex colour of the
style gives."""

from __future__ import annotations

import pytest
from reportlab.lib.colors import HexColor, toColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from briefgen.render.pdf.inlines import _markup_colour


@pytest.mark.parametrize("hex_colour", ["#1F4E9E", "#000000", "#ffffff", "#7a0b3C", "#808080"])
def test_a_markup_colour_is_the_styles_colour(hex_colour: str) -> None:
    written = _markup_colour(hex_colour)
    assert written.startswith("rgb(")
    assert vars(toColor(written)) == vars(HexColor(hex_colour))  # same values, same types
    style = ParagraphStyle("t", fontName="Helvetica", fontSize=10)
    ours = Paragraph(f'see <a href="#x" color="{written}">here</a>', style).frags[-1]
    theirs = Paragraph(f'see <a href="#x" color="{hex_colour}">here</a>', style).frags[-1]
    assert vars(ours.textColor) == vars(theirs.textColor)


def test_other_colours_are_written_as_given() -> None:
    assert _markup_colour("blue") == "blue" and _markup_colour("#12345") == "#12345"
