"""Time a batch build of N briefs on 1 worker against 2 workers (target: at least 1.8x).

    python benchmarks/bench_batch.py [--count N] [--formats pdf,docx] [--mode cli|api]
                                     [--template NAME|FILE] [--rounds R] [--wait-quiet S]
    python benchmarks/bench_batch.py --mode cluster [--count N] [--rounds R]

Makes N distinct copies of the flagship sample (each with its own title suffix and reference,
all the same size) in a temporary folder, then builds the folder with 1 worker and with 2,
alternately, ``--rounds`` times, so that drift on a shared machine hits both alike:

- ``--mode cli`` (default): the whole ``briefgen build DIR -o OUT --jobs J --quiet`` process,
  start-up and imports included (``python -m briefgen``, the same program as ``briefgen``);
- ``--mode api``: ``briefgen.build_many([DIR], OUT, jobs=J)`` in this process, after a warm-up
  build (so the imports are paid once, as in a long-running program).

- ``--mode cluster``: ``build_many`` on the local pool of 2 processes against a 2-worker Dask
  cluster (``distributed.LocalCluster``: 2 worker processes of 1 thread, reached over TCP on
  127.0.0.1, so that every brief and pack is serialised as on a real cluster), alternately;
  the packs of both must be byte-identical (checked). Prints each run and the ratio.

Every run must write all N outputs of each format (checked). Each run also reports the CPU
time it used and how many CPUs *other* processes kept busy meanwhile (from ``/proc/stat``): on a
shared machine that load slows the 2-worker run and not the 1-worker one, so a round it
disturbed is flagged, and a FAIL with disturbed rounds is marked inconclusive
(``--wait-quiet S`` waits for an idle moment before each run). Printed: the CPUs this process
may run on (``os.sched_getaffinity``), one brief for reference (a whole CLI process, and warm
in a running process), the time of each run, briefs/s, and the speed-up against the target.
Scratch data lives in a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SAMPLE, compile_briefgen

TARGET = 1.8
NOISE = 0.1  # CPUs of other processes' load tolerated during a 2-worker run


def machine_busy() -> float:
    """CPU seconds all processes on this machine have used since boot (``/proc/stat``)."""
    try:
        with open("/proc/stat") as fh:
            fields = fh.readline().split()[1:]
    except OSError:
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """CPU seconds used by this process and its finished children."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def wait_quiet(limit: float, window: float = 3.0) -> None:
    """Wait up to ``limit`` seconds for a ``window`` in which other processes use under
    ``NOISE`` CPUs (on a shared machine, so that a run starts quiet; it may not stay so)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        busy, t = machine_busy(), time.perf_counter()
        time.sleep(window)
        if (machine_busy() - busy) / (time.perf_counter() - t) < NOISE:
            return
    print(f"  (the machine stayed busy for {limit:.0f} s; running anyway)")


def measured(fn, *args) -> tuple[float, float, float]:
    """Run ``fn``: (wall seconds, CPU seconds of ours, CPUs that *other* processes kept busy
    on average meanwhile: a shared machine's load, which slows the 2-worker run most)."""
    busy, cpu, t = machine_busy(), own_cpu(), time.perf_counter()
    fn(*args)
    wall = time.perf_counter() - t
    ours = own_cpu() - cpu
    others = max(0.0, (machine_busy() - busy) - ours) / wall
    return wall, ours, others


def make_briefs(folder: Path, count: int) -> list[Path]:
    """``count`` copies of the sample, each with a distinct title and reference; the numbers
    are zero-padded so every copy has the same size."""
    import re

    text = SAMPLE.read_text("utf-8")
    found = re.search(r'^title: ".*"$', text, re.M)
    title = found.group(0) if found else ""
    reference = "reference: BG-SAMPLE-2023-017"
    if not title or reference not in text:
        raise SystemExit(f"{SAMPLE.name}: the title or reference line has changed; update "
                         "make_briefs()")
    width = len(str(count))
    folder.mkdir(parents=True)
    paths = []
    for i in range(1, count + 1):
        n = f"{i:0{width}d}"
        varied = (text.replace(title, title[:-1] + f' (copy {n})"', 1)
                      .replace(reference, f"{reference}-{n}", 1))
        path = folder / f"brief-{n}.yaml"
        path.write_text(varied, "utf-8")
        paths.append(path)
    return paths


def cli_args(folder: Path, out: Path, jobs: int, formats: str, template: str | None) -> list[str]:
    args = [sys.executable, "-m", "briefgen", "build", str(folder), "--output", str(out),
            "--jobs", str(jobs), "--format", formats, "--quiet"]
    if template:
        args += ["--template", template]
    return args


def run_cli(folder: Path, out: Path, jobs: int, formats: str, template: str | None) -> None:
    proc = subprocess.run(cli_args(folder, out, jobs, formats, template),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"briefgen build --jobs {jobs} exited {proc.returncode}")
    if proc.stdout.strip() or proc.stderr.strip():  # --quiet: nothing on success
        print(f"  note: --quiet run printed output:\n{proc.stdout}{proc.stderr}")


def run_api(folder: Path, out: Path, jobs: int, formats: str, template: str | None) -> None:
    import briefgen

    result = briefgen.build_many([folder], out, jobs=jobs, formats=formats, template=template)
    if not result.ok:
        for name, err in result.failed.items():
            print(f"  {name}: {err}", file=sys.stderr)
        raise SystemExit(f"build_many(jobs={jobs}) failed {len(result.failed)} briefs")


def check_outputs(briefs: list[Path], out: Path, formats: list[str]) -> None:
    missing = [f"{p.stem}.{fmt}" for p in briefs for fmt in formats
               if not (out / f"{p.stem}.{fmt}").is_file()
               or (out / f"{p.stem}.{fmt}").stat().st_size == 0]
    extra = {q.name for q in out.iterdir()} - {f"{p.stem}.{fmt}" for p in briefs
                                               for fmt in formats}
    if missing or extra:
        raise SystemExit(f"{out}: {len(missing)} outputs missing (e.g. {missing[:3]}), "
                         f"{len(extra)} unexpected files (e.g. {sorted(extra)[:3]})")


def single_brief(brief: Path, scratch: Path, formats: str, template: str | None,
                 repeat: int = 3) -> tuple[float, float]:
    """One brief: a whole CLI process (median of ``repeat``), and warm in this process."""
    cold = []
    for i in range(repeat):
        out = scratch / f"single-cli-{i}"
        args = [sys.executable, "-m", "briefgen", "build", str(brief), "--output", str(out),
                "--format", formats, "--quiet"] + (["--template", template] if template else [])
        t = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        cold.append(time.perf_counter() - t)
    import briefgen

    briefgen.build_files(brief, scratch / "single-warmup", formats=formats, template=template)
    warm = []
    for i in range(repeat):
        t = time.perf_counter()
        briefgen.build_files(brief, scratch / f"single-api-{i}", formats=formats,
                             template=template)
        warm.append(time.perf_counter() - t)
    return statistics.median(cold), statistics.median(warm)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=200, help="briefs in the batch (default 200)")
    ap.add_argument("--formats", default="pdf,docx", help="formats (default pdf,docx)")
    ap.add_argument("--mode", choices=("cli", "api", "cluster"), default="cli",
                    help="time whole briefgen processes (cli), build_many in-process (api), "
                         "or the local pool of 2 against a 2-worker Dask cluster (cluster)")
    ap.add_argument("--template", default=None, help="a template name or file (optional)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="rounds of (1 worker, 2 workers), alternated (default 1)")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="before each run, wait up to SECONDS for other processes to go idle "
                         "(on a shared machine; default 0: do not wait)")
    args = ap.parse_args()
    compile_briefgen()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if args.mode == "cluster":
        cluster_against_pool(args.count, ",".join(formats), args.template, args.rounds)
        return
    run = run_cli if args.mode == "cli" else run_api

    cpus = sorted(os.sched_getaffinity(0))
    print(f"python {sys.version.split()[0]}, os.cpu_count() = {os.cpu_count()}, "
          f"os.sched_getaffinity(0) = {len(cpus)} CPUs {cpus}")
    if len(cpus) < 2:
        print("  warning: fewer than 2 CPUs available; 2 workers cannot be faster")

    scratch = Path(tempfile.mkdtemp(prefix="briefgen-bench-batch-"))
    try:
        briefs = make_briefs(scratch / "briefs", args.count)
        size = briefs[0].stat().st_size
        print(f"{args.count} briefs of {size} bytes in {scratch / 'briefs'}; "
              f"formats {','.join(formats)}; mode {args.mode}"
              + (f"; template {args.template}" if args.template else ""))

        cold, warm = single_brief(briefs[0], scratch, ",".join(formats), args.template)
        print(f"one brief: {cold:.2f} s as a whole CLI process, {warm:.3f} s warm in a running "
              f"process (serial estimate for {args.count}: {warm * args.count:.1f} s)")

        times: dict[int, list[float]] = {1: [], 2: []}
        cpu: dict[int, list[float]] = {1: [], 2: []}
        adjusted: dict[int, list[float]] = {1: [], 2: []}
        quiet: list[bool] = []
        for r in range(1, args.rounds + 1):
            undisturbed = True
            for jobs in (1, 2):
                out = scratch / f"out-j{jobs}-r{r}"
                if args.wait_quiet:
                    wait_quiet(args.wait_quiet)
                elapsed, used, others = measured(run, scratch / "briefs", out, jobs,
                                                 ",".join(formats), args.template)
                check_outputs(briefs, out, formats)
                times[jobs].append(elapsed)
                cpu[jobs].append(used)
                # estimate of the time on an idle machine: as if the CPU time other processes
                # took, up to what our idle workers could have used, had been ours
                busy = used / elapsed
                spare = max(0.0, min(others, min(jobs, len(cpus)) - busy))
                adjusted[jobs].append(elapsed * busy / (busy + spare))
                # disturbed: the 1-worker run did not get a whole CPU, or other processes took
                # CPU time the 2 workers could have used
                undisturbed &= (used / elapsed >= 0.95 if jobs == 1
                                else others <= max(0.0, len(cpus) - 2) + NOISE)
                print(f"  round {r}, {jobs} worker{'s' if jobs > 1 else ' '}: {elapsed:7.2f} s "
                      f"({args.count / elapsed:5.2f} briefs/s; CPU {used:6.1f} s = "
                      f"{used / elapsed:.2f} CPUs busy; other processes {others:.2f} CPUs); "
                      f"all {args.count * len(formats)} outputs present")
                shutil.rmtree(out)
            quiet.append(undisturbed)
            print(f"  round {r} speed-up {times[1][-1] / times[2][-1]:.2f}x"
                  + ("" if undisturbed else "  (disturbed by other processes; estimate on an "
                     f"idle machine {adjusted[1][-1] / adjusted[2][-1]:.2f}x)"))

        t1, t2 = sum(times[1]), sum(times[2])
        n = args.count * args.rounds
        speedup = t1 / t2
        print(f"1 worker : {t1 / args.rounds:7.2f} s per batch  {n / t1:6.2f} briefs/s")
        print(f"2 workers: {t2 / args.rounds:7.2f} s per batch  {n / t2:6.2f} briefs/s")
        verdict = "PASS" if speedup >= TARGET else (
            "FAIL" if all(quiet) else "FAIL (but the machine was busy: inconclusive)")
        print(f"speed-up : {speedup:.2f}x  (target >= {TARGET}x)  {verdict}")
        if not all(quiet) and any(quiet):
            q1 = sum(t for t, ok in zip(times[1], quiet) if ok)
            q2 = sum(t for t, ok in zip(times[2], quiet) if ok)
            print(f"speed-up over the {sum(quiet)} undisturbed round(s) only: {q1 / q2:.2f}x  "
                  f"{'PASS' if q1 / q2 >= TARGET else 'FAIL'}")
        if not all(quiet):
            print(f"estimate on an idle machine (other processes' share added back, "
                  f"not measured): {sum(adjusted[1]) / sum(adjusted[2]):.2f}x")
        c1, c2 = sum(cpu[1]), sum(cpu[2])
        print(f"CPU time : {c1 / args.rounds:.1f} s on 1 worker, {c2 / args.rounds:.1f} s on 2 "
              f"(x{c2 / c1:.2f}: the extra work of the parallel run); best possible speed-up "
              f"on 2 CPUs with that extra work: {min(2.0, 2 * c1 / c2):.2f}x")
        if not all(quiet):
            print("warning: other processes used CPU time during some runs; a busy machine "
                  "understates the speed-up (run again when it is quiet, or with --rounds 3)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def cluster_against_pool(count: int, formats: str, template: str | None, rounds: int) -> None:
    """``count`` briefs on the local pool of 2 processes, then on a 2-worker Dask cluster."""
    from distributed import Client, LocalCluster

    import briefgen

    scratch = Path(tempfile.mkdtemp(prefix="briefgen-bench-cluster-"))
    try:
        briefs = make_briefs(scratch / "briefs", count)
        print(f"{count} briefs of {briefs[0].stat().st_size} bytes; formats {formats}; "
              f"CPUs {len(os.sched_getaffinity(0))}")
        t = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None, silence_logs=40) as cluster, \
                Client(cluster) as client:
            print(f"cluster of 2 workers up in {time.perf_counter() - t:.1f} s")
            times: dict[str, list[float]] = {"pool": [], "cluster": []}
            for r in range(1, rounds + 1):
                for kind in ("pool", "cluster"):
                    out = scratch / f"out-{kind}-{r}"
                    kwargs = ({"jobs": 2} if kind == "pool"
                              else {"executor": client.get_executor()})
                    elapsed, _used, others = measured(
                        lambda o=out, kw=kwargs: _batch_ok(briefgen.build_many(
                            [scratch / "briefs"], o, formats=formats, template=template,
                            **kw)))
                    check_outputs(briefs, out, formats.split(","))
                    times[kind].append(elapsed)
                    print(f"  round {r}, {kind:7}: {elapsed:7.2f} s ({count / elapsed:5.2f} "
                          f"briefs/s; other processes kept {others:.2f} CPUs busy, the "
                          "cluster's workers included)")
                a, b = scratch / f"out-pool-{r}", scratch / f"out-cluster-{r}"
                differ = [p.name for p in a.iterdir()
                          if p.read_bytes() != (b / p.name).read_bytes()]
                print(f"  round {r}: packs {'byte-identical' if not differ else 'DIFFER'}"
                      + (f" ({len(differ)}, e.g. {differ[:3]})" if differ else ""))
                shutil.rmtree(a)
                shutil.rmtree(b)
        pool, clus = statistics.median(times["pool"]), statistics.median(times["cluster"])
        print(f"local pool of 2 : {pool:7.2f} s  {count / pool:6.2f} briefs/s")
        print(f"Dask, 2 workers : {clus:7.2f} s  {count / clus:6.2f} briefs/s  "
              f"({clus / pool:.2f}x the pool's time)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _batch_ok(result) -> None:
    if not result.ok:
        raise SystemExit(f"{len(result.failed)} briefs failed, e.g. "
                         f"{next(iter(result.failed.values()))}")


if __name__ == "__main__":
    main()
