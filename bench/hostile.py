#!/usr/bin/env python3
"""Time against input size for the inputs that were super-linear (issue 8):
front-matter keys, contacts, style keys, font-family names and chained
styles. Each class runs at n, 2n and 4n; the ratio t(4n)/t(n) is about 4
when time is linear (16 would be quadratic). Over a limit the input must
be refused, and refusing must be linear too. Prints one line per class and
exits 1 when a ratio is above 8 (a generous bound for timer noise).

usage: bench/hostile.py [--leafpress build/leafpress]
Run from the repository root. Timing lives here, not in tests/."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HEAD = "---\ntitle: T\nlang: nl-NL\npublisher: P\nupdated: 2020-01\n"


def run(leafpress, work, source, contacts, styles):
    argv = [leafpress, "check", "--contacts", contacts, "--styles", styles, source]
    best = None
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def case(work, name, n):
    """Writes the inputs of one class at size n; returns (source, contacts, styles)."""
    d = os.path.join(work, f"{name}-{n}")
    os.makedirs(os.path.join(d, "styles"))
    shutil.copy("styles/house.yaml", os.path.join(d, "styles"))
    contacts = os.path.join(d, "contacts.yaml")
    with open(contacts, "w") as f:
        f.write("poli:\n  organisation: P\n")
    source = os.path.join(d, "a.md")
    body = "---\n\n# T\n\nTekst.\n"
    meta = ""
    if name == "front-matter keys":
        meta = "".join(f"k{i}: v\n" for i in range(n))
    elif name == "contacts":
        with open(contacts, "w") as f:
            for i in range(n):
                f.write(f"c{i}:\n  organisation: O\n  phones: [\"020 444 44 44\"]\n")
        meta = "contacts: [" + ", ".join(f"c{i * 7 % n}" for i in range(min(n, 90))) + "]\n"
    elif name == "style keys":
        with open(os.path.join(d, "styles", "x.yaml"), "w") as f:
            f.write("extends: house\nsuffix: -x\n" + "".join(f"k{i}: 1\n" for i in range(n)))
        meta = "style: x\n"
    elif name == "family names":
        with open(os.path.join(d, "styles", "x.yaml"), "w") as f:
            f.write("extends: house\nsuffix: -x\nfonts:\n  family: \""
                    + ", ".join(f"F{i}" for i in range(n)) + "\"\n")
        meta = "style: x\n"
    elif name == "chained styles":
        prev = "house"
        for i in range(n):
            with open(os.path.join(d, "styles", f"c{i}.yaml"), "w") as f:
                f.write(f"extends: {prev}\nsuffix: -c{i}\n")
            prev = f"c{i}"
    with open(source, "w") as f:
        f.write(HEAD + meta + body)
    return source, contacts, os.path.join(d, "styles")


CLASSES = [
    ("front-matter keys", 25000),   # 100,000 took 56 s
    ("contacts", 1200),             # under the limit: really loaded and looked up
    ("style keys", 5000),           # 50,000 took 20 s
    ("family names", 12500),        # 50,000 took over 60 s
    ("chained styles", 1250),       # 5,000 took over 300 s
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--leafpress", default="build/leafpress")
    args = parser.parse_args()
    leafpress = os.path.abspath(args.leafpress)
    worst = 0
    with tempfile.TemporaryDirectory(prefix="leafpress-bench-") as work:
        for name, n in CLASSES:
            times = [run(leafpress, work, *case(work, name, k), ) for k in (n, 2 * n, 4 * n)]
            ratio = times[2] / times[0] if times[0] > 0 else 0
            worst = max(worst, ratio)
            print(f"{name:18} n={n:6} {times[0]*1000:8.1f} ms  2n {times[1]*1000:8.1f} ms  "
                  f"4n {times[2]*1000:8.1f} ms  t(4n)/t(n) = {ratio:.1f}")
    sys.exit(1 if worst > 8 else 0)


if __name__ == "__main__":
    main()
