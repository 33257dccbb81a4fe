"""Escaping text for XML: the two helpers of :mod:`xml.sax.saxutils` that briefgen uses, with the
same output. (Importing ``xml.sax.saxutils`` pulls in ``urllib.request`` and ``http.client``,
about 16 ms of every cold start.)"""

from __future__ import annotations

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "&#10;", "\r": "&#13;",
                       "\t": "&#9;"})


def escape(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` escaped, for XML character data."""
    return text.translate(_TEXT)


def quoteattr(text: str) -> str:
    """``text`` as a quoted XML attribute value, quotes included (double quotes unless the text
    holds a double quote and no single one)."""
    text = text.translate(_ATTR)
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'
