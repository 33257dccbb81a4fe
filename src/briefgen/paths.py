"""Where briefgen's own data files are: fonts, styles, templates, labels, schemas.

They are plain files beside the code (the wheel is installed unpacked; ReportLab and Word need
real file paths for fonts anyway), so a path from this module's location is all a build needs,
without ``importlib.resources`` (about 20 ms of imports in every process)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
"""The ``briefgen`` package folder."""


def data(*parts: str) -> Path:
    """A file or folder of the package: ``data("styles")``, ``data("fonts", "dejavu", f)``."""
    return PACKAGE.joinpath(*parts)
