"""Renderers: turn a :class:`~briefgen.document.Document` and a :class:`~briefgen.style.Style` into
bytes. Each format lives in its own module (``pdf``, ``docx``) so importing one never imports the
other's library."""
