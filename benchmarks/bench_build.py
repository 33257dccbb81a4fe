"""Time building the flagship sample: PDF and DOCX separately, cold and warm.

    python benchmarks/bench_build.py [--repeat N] [--scale K]

cold: a fresh ``python -c`` process that imports briefgen and builds one format (what one CLI
run costs, imports and font registration included). warm: the same build repeated in one
running process, after a first build (what a server or a batch pays per pack). ``--scale K``
also times a brief K times the sample's length (actors, events, figures, paragraphs repeated)
and prints ms per page. Medians are printed; absolute times on a shared machine drift.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "briefs" / "nagorno-karabakh-2023-09-ceasefire.yaml"


def scaled_brief(k: int) -> dict:
    """The sample with its lists repeated ``k`` times (names numbered to stay distinct)."""
    import briefgen

    data = briefgen.load_brief(SAMPLE).model_dump(mode="python")
    for field in ("background", "figures", "actors", "timeline", "risks", "quotes",
                  "lines_to_take"):
        items = data.get(field) or []
        out = []
        for i in range(k):
            for item in items:
                if isinstance(item, dict):
                    item = dict(item)
                    for key in ("name", "label", "title"):
                        if item.get(key) is not None:
                            item[key] = f"{item[key]} ({i + 1})"
                out.append(item)
        data[field] = out
    return data


def cold(fmt: str, repeat: int) -> float:
    code = ("import briefgen,sys; briefgen.build(sys.argv[1], formats=sys.argv[2])")
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, str(SAMPLE), fmt], check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def warm(source, fmt: str, repeat: int) -> tuple[float, bytes]:
    import briefgen

    brief = briefgen.load_brief(source)
    out = briefgen.build(brief, formats=fmt).outputs[fmt]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = briefgen.build(brief, formats=fmt).outputs[fmt]
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, out


def pdf_pages(data: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, default=20)
    args = ap.parse_args()

    print(f"sample: {SAMPLE.name}")
    for fmt in ("pdf", "docx"):
        c = cold(fmt, args.repeat)
        w, out = warm(SAMPLE, fmt, args.repeat)
        pages = f", {pdf_pages(out)} pages" if fmt == "pdf" else ""
        print(f"  {fmt:4}  cold (whole process) {c:8.1f} ms   warm {w:8.1f} ms per pack{pages}")
    if args.scale > 1:
        data = scaled_brief(args.scale)
        w1, out1 = warm(SAMPLE, "pdf", max(1, args.repeat // 2))
        wk, outk = warm(data, "pdf", max(1, args.repeat // 2))
        p1, pk = pdf_pages(out1), pdf_pages(outk)
        dk, _ = warm(data, "docx", max(1, args.repeat // 2))
        print(f"  scale x{args.scale}: pdf {wk:.0f} ms for {pk} pages "
              f"({wk / pk:.1f} ms/page; sample {w1 / p1:.1f} ms/page; "
              f"time ratio {wk / w1:.1f}x), docx {dk:.0f} ms")


if __name__ == "__main__":
    main()
