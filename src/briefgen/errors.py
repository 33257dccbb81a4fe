"""Errors that reach users: every problem with their input, located and explained."""

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


class BriefError(BriefgenError):
    """The input (a brief, a style, a template) is invalid. Carries every problem found.

    The CLI prints each diagnostic on its own line and exits with status 2."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def __reduce__(self) -> tuple[type[BriefError], tuple[list[Diagnostic]]]:
        return (BriefError, (self.diagnostics,))  # survives a trip to a worker process


class RenderError(BriefgenError):
    """A renderer could not produce output for a valid document (an internal fault)."""


class InternalError(BriefgenError):
    """An unexpected fault while building one brief of a batch (a bug: please report it)."""
