"""A build imports only what its formats need (checked in fresh interpreters)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "briefs/nagorno-karabakh-2023-09-ceasefire.yaml"
CODE = """
import json, sys, briefgen
briefgen.build({sample!r}, formats={formats!r}, template={template!r})
print(json.dumps({{m: any(n == m or n.startswith(m + ".") for n in sys.modules)
                  for m in ("reportlab", "docx", "pypdfium2", "PIL", "concurrent.futures",
                            "urllib.request", "http.client")}}))
"""


def modules_after(formats: str, template: str) -> dict[str, bool]:
    out = subprocess.run([sys.executable, "-c", CODE.format(sample=SAMPLE, formats=formats,
                                                            template=template)],
                         cwd=ROOT, capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_briefgen_loads_no_renderer() -> None:
    out = subprocess.run([sys.executable, "-c", "import sys, briefgen; print(sorted(m for m in "
                          "('reportlab', 'docx', 'pypdfium2', 'concurrent.futures') "
                          "if m in sys.modules))"], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("formats, template, expected", [
    ("pdf", "full", {"reportlab": True, "docx": False, "pypdfium2": False}),
    ("docx", "summary", {"reportlab": False, "docx": True, "pypdfium2": False}),
    # its chart is painted by Pillow from the shared layout, not drawn by ReportLab and
    # rasterised by pdfium
    ("docx", "full", {"reportlab": False, "docx": True, "pypdfium2": False, "PIL": True}),
])
def test_a_build_imports_what_its_formats_need(formats: str, template: str,
                                               expected: dict[str, bool]) -> None:
    found = modules_after(formats, template)
    assert {k: found[k] for k in expected} == expected
    assert not found["concurrent.futures"]  # only batches need it
    # nothing a build does fetches: xml.sax.saxutils would bring these (about 10 ms)
    assert not found["urllib.request"] and not found["http.client"]
