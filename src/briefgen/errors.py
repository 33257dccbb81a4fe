"""What briefgen raises and warns, in one hierarchy (all exported from :mod:`briefgen`)::

    BriefgenError                 every error briefgen raises on purpose
    ├── BriefError                invalid input (a brief, a style, a template, an option, an
    │   │                         output path): carries every problem as a located Diagnostic;
    │   │                         the CLI prints them and exits with status 2
    │   └── OutputError           the pack cannot be written where asked (exit status 2)
    ├── RenderError               a renderer could not draw a valid document (exit status 1)
    └── InternalError             an unexpected fault, e.g. a worker that died (exit status 1)

    BriefgenWarning (UserWarning) something was built differently from how it was written
    └── BriefWarning              (the same, kept under its first name)

``InputError`` is another name of :class:`BriefError`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    """One problem with an input file: where it is and what to do about it.

    ``line`` and ``column`` are 1-based; either may be ``None`` when the input has no position
    (a dict built in code). ``path`` is the dotted field path (``actors.2.name``)."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class BriefgenError(Exception):
    """Base class of every error briefgen raises on purpose."""

    #: the CLI's exit status for this error
    exit_code = 1


class BriefError(BriefgenError):
    """The input (a brief, a style, a template) is invalid. Carries every problem found.

    The CLI prints each diagnostic on its own line and exits with status 2."""

    exit_code = 2

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def __reduce__(self) -> tuple[type[BriefError], tuple[list[Diagnostic]]]:
        return (type(self), (self.diagnostics,))  # survives a trip to a worker process


InputError = BriefError


class OutputError(BriefError):
    """The pack cannot be written where asked: the output folder is a file or read-only, a
    target is a folder or would replace an input, two briefs of a batch share a name..."""

    @classmethod
    def at(cls, path: object, message: str) -> OutputError:
        """One problem with one output path."""
        return cls([Diagnostic(str(path), None, None, "output", message)])


class RenderError(BriefgenError):
    """A renderer could not produce output for a valid document (an internal fault)."""


class InternalError(BriefgenError):
    """An unexpected fault while building one brief of a batch (a bug: please report it)."""


class BriefgenWarning(UserWarning):
    """Something was built differently from how it was written (a character no font can draw
    printed as \ufffd, say). The CLI prints each as ``warning: ...``."""


class BriefWarning(BriefgenWarning):
    """A brief was printed differently from how it was written (the first name of
    :class:`BriefgenWarning`, kept for code that catches it)."""
