"""Shared test helpers.

Tests that need a system tool (pdftotext, qpdf, pdffonts, soffice) call ``need_tool``: it skips
where the tool is absent, but fails when BRIEFGEN_REQUIRE_TOOLS=1 (set by .ci/run), so that CI
can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "briefs" / "nagorno-karabakh-2023-09-ceasefire.yaml"


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("BRIEFGEN_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{name} is required (BRIEFGEN_REQUIRE_TOOLS=1) but not installed")
        pytest.skip(f"{name} not installed")
    return path


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
