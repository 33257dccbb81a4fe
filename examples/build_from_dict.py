"""Build a pack from a brief written in code, as a dict, and write it to a folder.

    python examples/build_from_dict.py out/
"""

from __future__ import annotations

import sys
from pathlib import Path

import briefgen

BRIEF = {
    "title": "Port closure: shipping delays",
    "date": "2024-03-04",
    "originator": {"organisation": "Trade Desk", "author": "A. Analyst"},
    "marking": {"scheme": "uk", "label": "OFFICIAL"},
    "summary": [
        "The port authority closed berths 4 to 7 for **urgent repairs** [@notice].",
        "Delays of up to a week are expected for container traffic.",
    ],
    "figures": [
        {"label": "Berths closed", "value": 4, "qualifier": "exactly", "unit": "berths",
         "reported_by": "Port authority", "source": "notice"},
    ],
    "sources": [
        {"key": "notice", "title": "Notice to mariners 12/24", "publisher": "Port authority",
         "date": "2024-03-01", "url": "https://example.org/notices/12-24"},
    ],
}


def main(out: Path) -> list[Path]:
    brief = briefgen.load_brief(BRIEF)          # validates: a BriefError lists every problem
    written = briefgen.build_files(brief, out, stem="port-closure")
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return written


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out"))
