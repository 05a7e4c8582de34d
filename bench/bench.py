#!/usr/bin/env python3
"""Times leafpress as whole processes: medians over repeated runs, with
ratios against a baseline measured in the same run (`leafpress --version`:
process start and library loading), so figures from different machines
or loads can be compared. Peak memory is the child's max RSS (wait4).

usage: bench/bench.py [--runs N] [--leafpress build/leafpress]
Run from the repository root after `make`."""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def measure(argv, runs):
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        err = proc.stderr.read().decode()
        proc.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(argv)}\n{err}")
        times.append(elapsed)
        peaks.append(usage.ru_maxrss / 1024)  # KiB -> MiB
    return statistics.median(times), max(peaks)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--leafpress", default="build/leafpress")
    args = parser.parse_args()
    exe = os.path.abspath(args.leafpress)
    out = tempfile.mkdtemp(prefix="leafpress-bench-")
    try:
        cases = [
            ("baseline: leafpress --version", [exe, "--version"]),
            ("check, all leaflets", [exe, "check", "-q"]),
            ("build, one leaflet (levermetastasen, all variants)",
             [exe, "build", "-q", "-o", out, "sources/levermetastasen.md"]),
            ("build, one leaflet (net, both variants)",
             [exe, "build", "-q", "-o", out, "sources/net.md"]),
            ("build, full batch (all leaflets, all variants)", [exe, "build", "-q", "-o", out]),
        ]
        measure(cases[-1][1], 2)  # warm the page cache
        results = [(name, *measure(argv, args.runs)) for name, argv in cases]
        base = results[0][1]
        pdfs = sorted(f for f in os.listdir(out) if f.endswith(".pdf"))
        size = sum(os.path.getsize(os.path.join(out, f)) for f in pdfs)
        print(f"leafpress benchmark: median of {args.runs} runs, {os.cpu_count()} cores")
        print(f"{'case':55} {'median':>9} {'x base':>7} {'peak RSS':>9}")
        for name, median, peak in results:
            print(f"{name:55} {median * 1000:7.1f}ms {median / base:7.1f} {peak:7.1f}MiB")
        print(f"full batch writes {len(pdfs)} PDFs, {size / 1024:.0f} KiB in all")
    finally:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
