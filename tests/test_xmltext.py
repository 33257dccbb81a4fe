"""briefgen.xmltext stands in for xml.sax.saxutils (a slow import): same output, always."""

from xml.sax.saxutils import escape as sax_escape
from xml.sax.saxutils import quoteattr as sax_quoteattr

from hypothesis import given
from hypothesis import strategies as st

from briefgen.xmltext import escape, quoteattr

TEXT = st.text(alphabet=st.sampled_from(list("ab&<>\"'\n\r\t é;#")) | st.characters())


@given(TEXT)
def test_same_as_saxutils(text: str) -> None:
    assert escape(text) == sax_escape(text)
    assert quoteattr(text) == sax_quoteattr(text)
