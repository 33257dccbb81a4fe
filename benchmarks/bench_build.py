"""Time building the flagship sample, cold and warm, and a brief K times its length.

    python benchmarks/bench_build.py [--repeat N] [--scale K]

cold: whole ``briefgen build`` processes (what one CLI run costs: interpreter, imports, font
registration, writing the files), for each format alone and both together. warm: the same
build repeated in one running process, after a first build (what a server or a batch pays per
pack). scale: the sample with its lists repeated K times (default 20): the time of a warm
build of both formats against the sample's (target: at most 1.1 K times, i.e. 22x for K=20),
ms per PDF page, and the peak memory of a whole process that builds it (target < 150 MB).

Before timing, briefgen's modules are byte-compiled, as ``pip install`` does: a checkout run
with ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile them again in every process. Medians
are printed; absolute times on a shared machine drift, ratios hold better.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also when imported from elsewhere
from common import SAMPLE, briefgen_command, compile_briefgen

SCALE_TARGET = 1.1  # time ratio per unit of length
MEMORY_TARGET_MB = 150


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


def cold(formats: str, repeat: int) -> float:
    times = []
    with tempfile.TemporaryDirectory(prefix="bench-build-") as out:
        cmd = [*briefgen_command(), "build", str(SAMPLE), "--format", formats, "-o", out, "--quiet"]
        subprocess.run(cmd, check=True)  # untimed: warms the template cache and the disk cache
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(cmd, check=True)
            times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def warm(source, formats: tuple[str, ...], repeat: int) -> tuple[float, dict[str, bytes]]:
    import briefgen

    brief = briefgen.load_brief(source)
    out = briefgen.build(brief, formats=formats).outputs
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = briefgen.build(brief, formats=formats).outputs
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, out


def pdf_pages(data: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


# The peak is read from /proc/self/status (VmHWM: this process's own high-water mark) where
# there is one: Linux's ru_maxrss also counts the memory of the parent that forked the process
# (the benchmark itself, large after its own builds).
PEAK = """
import json, resource, sys
sys.path.insert(0, {here!r})
from bench_build import scaled_brief
import briefgen
data = scaled_brief({k})
pack = briefgen.build(data, formats=("pdf", "docx"))
try:
    with open("/proc/self/status") as fh:
        peak = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"peak_mb": peak, "pdf": len(pack.pdf), "docx": len(pack.docx)}}))
"""


def peak_memory(k: int) -> dict:
    """Peak resident memory of a whole process that builds the K-times brief, both formats."""
    out = subprocess.run([sys.executable, "-c", PEAK.format(here=str(Path(__file__).parent),
                                                              k=k)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, default=20)
    args = ap.parse_args()


    compile_briefgen()
    print(f"sample: {SAMPLE.name}; medians of {args.repeat}")
    for formats in ("pdf", "docx", "pdf,docx"):
        print(f"  cold  briefgen build --format {formats:9} {cold(formats, args.repeat):7.1f} ms"
              " (whole process)")
    w1 = {}
    for formats in (("pdf",), ("docx",), ("pdf", "docx")):
        w1[formats], out = warm(SAMPLE, formats, args.repeat)
        pages = f", {pdf_pages(out['pdf'])} PDF pages" if "pdf" in formats else ""
        print(f"  warm  build(formats={'+'.join(formats):8}) {w1[formats]:7.1f} ms per pack{pages}")
    ok = True
    if args.scale > 1:
        k = args.scale
        data = scaled_brief(k)
        repeat = max(1, args.repeat // 2)
        both = ("pdf", "docx")
        t1, out1 = warm(SAMPLE, both, repeat)
        tk, outk = warm(data, both, repeat)
        p1, pk = pdf_pages(out1["pdf"]), pdf_pages(outk["pdf"])
        ratio = tk / t1
        ok = ratio <= SCALE_TARGET * k
        print(f"  scale x{k}: pdf+docx {tk:.0f} ms for {pk} PDF pages ({tk / pk:.1f} ms/page; "
              f"sample {t1:.0f} ms, {p1} pages, {t1 / p1:.1f} ms/page)")
        print(f"    time ratio {ratio:.1f}x for {k}x the length (target <= "
              f"{SCALE_TARGET * k:.0f}x)  {verdict(ok)}")
        for fmt in both:
            a, _ = warm(SAMPLE, (fmt,), repeat)
            b, _ = warm(data, (fmt,), repeat)
            print(f"    {fmt:4} {b:7.0f} ms, {b / a:.1f}x the sample's {a:.0f} ms")
        peak = peak_memory(k)
        mem_ok = peak["peak_mb"] < MEMORY_TARGET_MB
        ok = ok and mem_ok
        print(f"    peak memory of a process building it (both formats): {peak['peak_mb']:.0f} MB"
              f" (target < {MEMORY_TARGET_MB} MB)  {verdict(mem_ok)}; PDF {peak['pdf'] // 1024}"
              f" KiB, DOCX {peak['docx'] // 1024} KiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
