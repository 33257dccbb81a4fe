"""What the benchmark scripts share: where the sample is, how to run briefgen as a whole
process, and byte-compiling it first."""

from __future__ import annotations

import compileall
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "briefs" / "nagorno-karabakh-2023-09-ceasefire.yaml"


def briefgen_command() -> list[str]:
    """The ``briefgen`` console script beside this Python, else ``python -m briefgen``."""
    script = Path(sys.executable).parent / "briefgen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "briefgen"]


def compile_briefgen() -> None:
    """Byte-compile briefgen as ``pip install`` leaves it: a checkout run with
    ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile its modules again in every process
    (about 0.1 s a run)."""
    import briefgen

    compileall.compile_dir(str(Path(briefgen.__file__).parent), quiet=1)
