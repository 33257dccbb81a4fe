"""Cold start: whole ``briefgen`` processes against the floor of the libraries they use; ratios.

    python benchmarks/bench_cold.py [--repeat N]

Each target is a whole process measured side by side with what it is compared with (runs
interleaved after one untimed warm-up round; medians; PYTHONDONTWRITEBYTECODE unset, briefgen
byte-compiled first):

- ``build`` of the sample, PDF + DOCX  <= 2.0x ``python -c "import reportlab.platypus, docx"``
- the same                             <= 0.33x WeasyPrint (PDF) + pandoc (DOCX)
- ``build --format docx``              <= 2.0x pandoc's whole process
- ``build --format pdf``               <= 2.0x ``python -c "import reportlab.platypus"``
- ``validate`` of the sample           <= 0.15 s

The command line keeps some results between runs (briefgen.cache): the rounds after the first
read them, as a user's rebuilds do. Two more rows, not targets, show a PDF build that cannot:
with nothing kept (``BRIEFGEN_NO_CACHE=1``: a brief's first build) and after an edit of the
brief's text (its style, labels and fonts' characters still kept).

WeasyPrint and pandoc come from benchmarks/.venv-compare (setup_compare.sh); without them those
two targets are skipped. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # for common.py
from common import SAMPLE, briefgen_command, compile_briefgen  # noqa: E402

FIXTURES = HERE / "fixtures"
#: The libraries a ``validate`` of a valid brief imports (tests/test_import_budget.py holds it
#: to them): their import alone is the floor under the validate target.
VALIDATE_LIBS = "click, jinja2.sandbox, markdown_it, yaml, lxml.etree, msgspec"
COMPARE_BIN = HERE / ".venv-compare" / "bin"


def run(cmd: list[str], env: dict[str, str]) -> float:
    """Seconds one whole process takes; stop with its error output when it fails."""
    t = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=env)
    elapsed = time.perf_counter() - t
    if proc.returncode:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.strip()}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7, help="timed rounds per command (default 7)")
    ap.add_argument("--compare-venv", type=Path, default=COMPARE_BIN.parent,
                    help="the venv holding weasyprint and pandoc (default benchmarks/"
                         ".venv-compare)")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    compile_briefgen()
    weasyprint, pandoc = (args.compare_venv / "bin" / "weasyprint",
                          args.compare_venv / "bin" / "pandoc")
    competitors = weasyprint.exists() and pandoc.exists()
    bg = briefgen_command()
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        out = Path(tmp)
        cmds = {
            "build pdf+docx": [*bg, "build", str(SAMPLE), "-o", str(out / "both"), "-q"],
            "build pdf": [*bg, "build", str(SAMPLE), "--format", "pdf", "-o", str(out / "pdf"),
                          "-q"],
            "build docx": [*bg, "build", str(SAMPLE), "--format", "docx", "-o",
                           str(out / "docx"), "-q"],
            "validate": [*bg, "validate", str(SAMPLE)],
            "import platypus": [sys.executable, "-c", "import reportlab.platypus"],
            "import platypus, docx": [sys.executable, "-c", "import reportlab.platypus, docx"],
            # not a target: what the targets leave to briefgen's own work (see below)
            "import validate libs": [sys.executable, "-c", "import " + VALIDATE_LIBS],
        }
        if competitors:
            cmds["weasyprint"] = [str(weasyprint), str(FIXTURES / "briefing.html"),
                                  str(out / "weasyprint.pdf")]
            cmds["pandoc"] = [str(pandoc), str(FIXTURES / "briefing.md"), "-o",
                              str(out / "pandoc.docx")]
        # not targets: a build whose results were not kept from an earlier run (briefgen.
        # cache): the first build of a brief, and one after an edit of the brief's text (its
        # style, labels and fonts' characters kept)
        edited = out / "edited.yaml"
        sample_text = SAMPLE.read_text(encoding="utf-8")
        edits = iter(range(1, 10**6))

        def edit() -> None:
            edited.write_text(sample_text.replace("has been reached",
                                                  f"has been reached ({next(edits)})", 1),
                              encoding="utf-8")

        edit()
        cmds["build pdf, nothing kept"] = [*cmds["build pdf"]]
        cmds["build pdf, brief edited"] = [*bg, "build", str(edited), "--format", "pdf", "-o",
                                           str(out / "edited"), "-q"]
        envs = dict.fromkeys(cmds, env)
        envs["build pdf, nothing kept"] = {**env, "BRIEFGEN_NO_CACHE": "1"}
        before = {"build pdf, brief edited": edit}
        for name, cmd in cmds.items():
            run(cmd, envs[name])
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(args.repeat):
            for name, cmd in cmds.items():
                if name in before:
                    before[name]()
                times[name].append(run(cmd, envs[name]))
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"sample: {SAMPLE.name}; {args.repeat} interleaved rounds, medians")
    for name, t in times.items():
        print(f"    {name:24} {med[name] * 1000:7.1f} ms  (min {min(t) * 1000:.1f}, "
              f"max {max(t) * 1000:.1f})")
    checks = [("build pdf+docx / import platypus, docx",
               med["build pdf+docx"] / med["import platypus, docx"], 2.0, "x"),
              ("build pdf / import platypus", med["build pdf"] / med["import platypus"], 2.0,
               "x")]
    if competitors:
        checks += [("build pdf+docx / (weasyprint + pandoc)",
                    med["build pdf+docx"] / (med["weasyprint"] + med["pandoc"]), 0.33, "x"),
                   ("build docx / pandoc", med["build docx"] / med["pandoc"], 2.0, "x")]
    else:
        print(f"    (no WeasyPrint/pandoc in {args.compare_venv}: those targets skipped)")
    checks.append(("validate, seconds", med["validate"], 0.15, " s"))
    ok = True
    for label, value, target, unit in checks:
        passed = value <= target
        ok = ok and passed
        print(f"    {label:40} {value:5.2f}{unit} (target <= {target}{unit})  "
              f"{'PASS' if passed else 'FAIL'}")
    print(f"    (not targets: with nothing kept from an earlier run, build pdf is "
          f"{med['build pdf, nothing kept'] / med['import platypus']:.2f}x; after an edit of "
          f"the brief's text, {med['build pdf, brief edited'] / med['import platypus']:.2f}x)")
    libs = med["import validate libs"] * 1000
    print(f"    (the libraries validate needs import in {libs:.0f} ms: the 0.15 s target leaves "
          f"{150 - libs:.0f} ms for briefgen's own modules and its work)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
