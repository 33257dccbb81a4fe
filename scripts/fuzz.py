"""Long fuzzing run: build N generated briefs (valid ones in both formats, and broken ones) and
report crashes, with the time taken.

    python scripts/fuzz.py --examples 10000 [--jobs 2]

A crash is any exception other than BriefError for broken input, or any exception at all, or a
text field missing from an output, for valid input. Exit status 1 if anything crashed.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _in_pieces(t: str, text: str, most: int = 4) -> bool:
    """``t`` in ``text`` as at most ``most`` pieces in order: a cell split over two pages has
    the footer, marking and repeated header between its halves, even inside a long word."""
    pos, pieces = 0, 0
    while t:
        size = len(t)
        while size and text.find(t[:size], pos) < 0:
            size -= 1
        if not size:
            return False
        pos = text.find(t[:size], pos) + size
        t, pieces = t[size:], pieces + 1
    return pieces <= most


def _save(data: dict, seed: int) -> str:
    """Keep a failing brief as JSON to rebuild and inspect: briefgen build FILE -o out/."""
    import hashlib
    import json
    import tempfile

    text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    folder = Path(tempfile.gettempdir()) / "briefgen-fuzz"
    folder.mkdir(exist_ok=True)
    path = folder / f"seed{seed}-{hashlib.sha256(text.encode()).hexdigest()[:8]}.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _chunk(args: tuple[int, int, int, bool]) -> tuple[int, int, list[str]]:
    """Run ``count`` generated briefs with hypothesis seeded by ``seed``; never raise."""
    seed, count, max_rows, check_text = args
    import re

    import hypothesis
    from conftest import docx_all_text, pdf_all_text
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from strategies import MUTATIONS, brief_strategy, printed_strings

    import briefgen

    failures: list[str] = []
    counts = {"built": 0, "refused": 0}

    @hypothesis.seed(seed)
    @settings(max_examples=count, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
    @given(brief_strategy(max_rows), st.sampled_from([None] * 21 + sorted(MUTATIONS)))
    def one(data, mutation):
        try:
            if mutation:
                try:
                    briefgen.build(MUTATIONS[mutation](data), formats="pdf")
                    failures.append(f"seed {seed}: mutation {mutation!r} was accepted")
                except briefgen.BriefError:
                    counts["refused"] += 1
                return
            pack = briefgen.build(data)
            if not check_text:
                assert pack.pdf.startswith(b"%PDF-") and pack.docx.startswith(b"PK")
                counts["built"] += 1
                return
            pdf = re.sub(r"\s+", "", pdf_all_text(pack.pdf))
            docx = re.sub(r"\s+", "", docx_all_text(pack.docx))
            for text in printed_strings(data):
                t = re.sub(r"\s+", "", text)
                if t not in pdf and _in_pieces(t, pdf):
                    pdf += t  # split by a page break: in order, furniture between the pieces
                if t not in pdf or t not in docx:
                    where = "pdf" if t not in pdf else "docx"
                    failures.append(f"seed {seed}: {text!r} missing from {where} "
                                    f"(brief saved as {_save(data, seed)})")
                    break
            counts["built"] += 1
        except Exception:  # noqa: BLE001 - that is what we hunt
            failures.append(f"seed {seed}: {traceback.format_exc(limit=4)}")

    one()
    return counts["built"], counts["refused"], failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--examples", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-rows", type=int, default=12)
    ap.add_argument("--no-text-check", action="store_true",
                    help="only hunt crashes: skip reading every field back (about 3x faster)")
    args = ap.parse_args()
    per = 50
    chunks = [(seed, min(per, args.examples - seed * per), args.max_rows, not args.no_text_check)
              for seed in range((args.examples + per - 1) // per)]
    t0 = time.perf_counter()
    built = refused = 0
    failures: list[str] = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for b, r, f in pool.map(_chunk, chunks):
            built, refused = built + b, refused + r
            failures += f
            done = built + refused + len(f)
            print(f"\r{done}/{args.examples} briefs, {len(failures)} failures", end="",
                  file=sys.stderr, flush=True)
    dt = time.perf_counter() - t0
    print(file=sys.stderr)
    print(f"{args.examples} generated briefs: {built} built in both formats, {refused} broken "
          f"ones refused cleanly, {len(failures)} failures, in {dt:.0f} s")
    for f in failures[:20]:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
