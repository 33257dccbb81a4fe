"""Compare briefgen with WeasyPrint + pandoc and with a hand-written floor; print ratios.

    bash benchmarks/setup_compare.sh          # once: WeasyPrint and pandoc in their own venv
    python benchmarks/bench_compare.py [--repeat N] [--skip-competitors]

(a) Whole process, one pack: ``briefgen build`` of the sample (PDF and DOCX) against
    ``weasyprint fixtures/briefing.html`` plus ``pandoc fixtures/briefing.md`` (the same
    briefing, made by fixtures/make_fixtures.py). Target: briefgen <= 0.4x their sum.
(b) Warm library call, both formats in a running process: ``briefgen.build(brief)`` against
    floor.py's hand-written ReportLab + python-docx (floor_pdf + floor_docx). Target <= 1.5x.

Absolute times drift on a shared machine, so the runs of each side are interleaved (A, B, C,
A, B, C, ...) after one untimed warm-up round, and ratios of medians are what count. The
competitors come from benchmarks/.venv-compare (setup_compare.sh); briefgen from the Python
running this script. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # for common.py and floor.py
from common import ROOT, SAMPLE, briefgen_command, compile_briefgen  # noqa: E402

FIXTURES = HERE / "fixtures"
COMPARE_BIN = HERE / ".venv-compare" / "bin"
PROCESS_TARGET = 0.4
WARM_TARGET = 1.5


def median_ms(times: list[float]) -> str:
    """'123.4 ms (min 120.0, max 130.1)' for a list of seconds."""
    return (f"{statistics.median(times) * 1000:7.1f} ms  "
            f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")


def verdict(ratio: float, target: float) -> str:
    return f"{ratio:.2f}x  (target <= {target}x)  {'PASS' if ratio <= target else 'FAIL'}"


def interleaved(jobs: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Run each job once untimed, then ``repeat`` timed rounds of all jobs in turn; seconds."""
    for job in jobs.values():
        job()
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeat):
        for name, job in jobs.items():
            gc.collect()
            t = time.perf_counter()
            job()
            times[name].append(time.perf_counter() - t)
    return times


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def first_line(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return out.splitlines()[0].strip()


def run_quiet(cmd: list[str]) -> None:
    """Run a command, its output discarded; on failure stop with its error output."""
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.strip()}")


def whole_process(repeat: int) -> bool:
    weasyprint, pandoc = COMPARE_BIN / "weasyprint", COMPARE_BIN / "pandoc"
    print("(a) whole process, one pack (PDF + DOCX)")
    print(f"    {first_line([str(weasyprint), '--version'])}; "
          f"{first_line([str(pandoc), '--version'])}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        out = Path(tmp)
        cmds = {
            "weasyprint": [str(weasyprint), str(FIXTURES / "briefing.html"),
                           str(out / "weasyprint.pdf")],
            "pandoc": [str(pandoc), str(FIXTURES / "briefing.md"), "-o", str(out / "pandoc.docx")],
            "briefgen": [*briefgen_command(), "build", str(SAMPLE), "--format", "pdf,docx",
                         "-o", str(out / "briefgen"), "--quiet"],
        }
        times = interleaved({name: (lambda c=cmd: run_quiet(c)) for name, cmd in cmds.items()},
                            repeat)
        pages_w = pdf_pages((out / "weasyprint.pdf").read_bytes())
        pages_b = pdf_pages((out / "briefgen" / f"{SAMPLE.stem}.pdf").read_bytes())
    med = {name: statistics.median(t) for name, t in times.items()}
    for name in cmds:
        print(f"    {name:22} {median_ms(times[name])}")
    print(f"    weasyprint + pandoc    {(med['weasyprint'] + med['pandoc']) * 1000:7.1f} ms")
    print(f"    pages: briefgen PDF {pages_b}, WeasyPrint PDF {pages_w}")
    ratio = med["briefgen"] / (med["weasyprint"] + med["pandoc"])
    print(f"    ratio briefgen / (weasyprint + pandoc): {verdict(ratio, PROCESS_TARGET)}")
    return ratio <= PROCESS_TARGET


def warm(repeat: int) -> bool:
    from importlib.metadata import version

    from floor import floor_docx, floor_pdf

    import briefgen

    print(f"(b) warm library call, both formats (briefgen {version('briefgen')}; floor: "
          f"reportlab {version('reportlab')}, python-docx {version('python-docx')})")
    brief = briefgen.load_brief(SAMPLE)
    data = brief.model_dump()
    results: dict[str, bytes] = {}

    def keep(name: str, fn: Callable[[], bytes]) -> Callable[[], None]:
        return lambda: results.__setitem__(name, fn())

    times = interleaved({
        "floor pdf": keep("floor pdf", lambda: floor_pdf(data)),
        "floor docx": keep("floor docx", lambda: floor_docx(data)),
        "briefgen pdf": keep("briefgen pdf", lambda: briefgen.build(brief, formats="pdf").pdf),
        "briefgen docx": keep("briefgen docx",
                              lambda: briefgen.build(brief, formats="docx").docx),
        "briefgen pdf+docx": lambda: briefgen.build(brief, formats=("pdf", "docx")),
        "briefgen parallel": lambda: briefgen.build(brief, formats=("pdf", "docx"),
                                                    parallel=True),
    }, repeat)
    floor_both = [p + d for p, d in zip(times["floor pdf"], times["floor docx"], strict=True)]
    for name, t in times.items():
        print(f"    {name:22} {median_ms(t)}")
    print(f"    {'floor pdf+docx':22} {median_ms(floor_both)}")
    print(f"    pages: briefgen PDF {pdf_pages(results['briefgen pdf'])}, "
          f"floor PDF {pdf_pages(results['floor pdf'])}")
    pdf_ratio = statistics.median(times["briefgen pdf"]) / statistics.median(times["floor pdf"])
    docx_ratio = (statistics.median(times["briefgen docx"])
                  / statistics.median(times["floor docx"]))
    print(f"    per format: pdf {pdf_ratio:.2f}x, docx {docx_ratio:.2f}x the floor")
    ratio = statistics.median(times["briefgen pdf+docx"]) / statistics.median(floor_both)
    print(f"    ratio briefgen / floor (pdf+docx, one core): {verdict(ratio, WARM_TARGET)}")
    par = statistics.median(times["briefgen parallel"]) / statistics.median(floor_both)
    print(f"    ratio briefgen parallel=True / floor:      {verdict(par, WARM_TARGET)}")
    return ratio <= WARM_TARGET


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed rounds per side (default 5)")
    ap.add_argument("--skip-competitors", action="store_true",
                    help="run only the warm comparison with the floor (no WeasyPrint/pandoc)")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    compile_briefgen()
    print(f"sample: {SAMPLE.name}; {args.repeat} interleaved rounds per side, medians",
          flush=True)
    ok = True
    if args.skip_competitors:
        print("(a) whole process: skipped (--skip-competitors)")
    elif not ((COMPARE_BIN / "weasyprint").exists() and (COMPARE_BIN / "pandoc").exists()):
        print(f"no WeasyPrint/pandoc in {COMPARE_BIN.parent}: run `bash "
              f"{HERE.relative_to(ROOT)}/setup_compare.sh` first, or pass --skip-competitors",
              file=sys.stderr)
        return 2
    else:
        ok = whole_process(args.repeat)
    ok = warm(args.repeat) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
