"""Property-based tests: generated briefs with hostile text everywhere build in both formats and
print every text field as written; broken briefs are refused cleanly. A bounded number of
examples here; scripts/fuzz.py runs thousands."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import briefgen
from conftest import docx_all_text, pdf_all_text
from strategies import MUTATIONS, brief_strategy, printed_strings


def nows(s: str) -> str:
    """Without white space, and a straight apostrophe between letters read as the typographic
    one the pack prints (compose)."""
    return re.sub(r"\s+", "", re.sub(r"(?<=[^\W\d_])'(?=[^\W\d_])", "\u2019", s))


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(brief_strategy())
def test_generated_briefs_build_and_print_every_field(data):
    pack = briefgen.build(data)
    pdf, docx = nows(pdf_all_text(pack.pdf)), nows(docx_all_text(pack.docx))
    for text in printed_strings(data):
        assert nows(text) in pdf, text
        assert nows(text) in docx, text


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(brief_strategy(max_rows=2), st.sampled_from(sorted(MUTATIONS)))
def test_broken_briefs_are_refused_cleanly(data, mutation):
    broken = MUTATIONS[mutation](data)
    with pytest.raises(briefgen.BriefError) as exc:
        briefgen.build(broken, formats="pdf")
    assert exc.value.diagnostics
    assert all(d.file == "<dict>" for d in exc.value.diagnostics)
