"""Build every brief in a folder in one call; a bad brief is reported, the others still build.

    python examples/build_folder.py briefs/ out/
"""

from __future__ import annotations

import sys
from pathlib import Path

import briefgen


def main(folder: Path, out: Path) -> briefgen.BatchResult:
    options = briefgen.BuildOptions(formats="pdf,docx", style="default")
    result = briefgen.build_many([folder], out, options)
    for brief, files in result.written.items():
        print(f"{brief}: " + ", ".join(str(f) for f in files))
    for brief, error in result.failed.items():
        print(f"{brief}: FAILED\n{error}", file=sys.stderr)
    return result


if __name__ == "__main__":
    args = sys.argv[1:]
    res = main(Path(args[0] if args else "briefs"), Path(args[1] if len(args) > 1 else "out"))
    sys.exit(0 if res.ok else 2)
