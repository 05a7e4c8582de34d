#!/usr/bin/env python3
"""leafpress against its floor and against Typst, as whole processes, with
ratios taken in the same run (so machines and loads compare). Each case
runs N times: the median, and min-max; peak RSS is the largest of the runs
(wait4's ru_maxrss: the process and the workers it waited for).

  floor   bench/floor.c: Pango + cairo setting the same text as plain
          paragraphs on A5 pages, nothing else (the least the job can cost)
  typst   Typst 0.14 (npm @myriaddreamin/typst-ts-node-compiler, whole node
          process) on bench/levermetastasen.typ, the same text

Cases:
  1. the HPB leaflet (sources/levermetastasen.md), one house-style variant
     (its screen PDF): leafpress vs Typst and vs the floor
  2. start-up: `leafpress --version`, the start of `leafpress check` (a
     project with no leaflet: everything a check does before its first
     layout), and `check` of one short leaflet and of the 4 seeds, vs
     `floor --version`
  3. the 4 seeds: a full build (--force), a rebuild of the HPB leaflet
     alone (every variant and kind: what a change to one of its contacts
     costs), and a no-op build (all outputs current) vs `leafpress --version`
  4. document length: the HPB body 1x..64x in one leaflet (generated)
  5. number of leaflets: 1..1000 generated short leaflets, and the no-op
     build of 1000

usage: bench/run.sh (builds the floor, installs Typst, then runs this)
       bench/compare.py --leafpress build/leafpress --floor build/bench-floor [--runs N] [--quick]
                        [--parts 1,2,3,4,5]   (only those cases; default all)"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def run_once(argv, cwd, env=None, ok=(0,)):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) not in ok:
        raise SystemExit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(argv)} in {cwd}\n{err}")
    return elapsed, usage.ru_maxrss / 1024  # KiB -> MiB


def measure(argv, cwd, runs, env=None, warm=1):
    for _ in range(warm):
        run_once(argv, cwd, env)
    times, peak = [], 0.0
    for _ in range(runs):
        t, rss = run_once(argv, cwd, env)
        times.append(t * 1000)
        peak = max(peak, rss)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "rss": peak}


def measure_together(cases, runs, env=None):
    """Runs the cases round-robin, so that a change in the machine's load
    falls on all of them alike and their ratios hold. cases: [(argv, cwd)]
    or [(argv, cwd, exit codes that count as success)]."""
    cases = [c if len(c) == 3 else (c[0], c[1], (0,)) for c in cases]
    for argv, cwd, ok in cases:
        run_once(argv, cwd, env, ok)
    times = [[] for _ in cases]
    peaks = [0.0 for _ in cases]
    for _ in range(runs):
        for i, (argv, cwd, ok) in enumerate(cases):
            t, rss = run_once(argv, cwd, env, ok)
            times[i].append(t * 1000)
            peaks[i] = max(peaks[i], rss)
    return [{"median": statistics.median(t), "min": min(t), "max": max(t), "rss": p}
            for t, p in zip(times, peaks)]


def fmt(m):
    return f"{m['median']:8.1f} ms  [{m['min']:.1f}–{m['max']:.1f}]  {m['rss']:6.1f} MiB"


def project(root, sources, styles=("house",), contacts=True):
    """A leafpress project: sources {name: text}, the named styles, the fonts."""
    os.makedirs(os.path.join(root, "sources"))
    os.makedirs(os.path.join(root, "styles"))
    for s in styles:
        shutil.copy(os.path.join(REPO, "styles", s + ".yaml"), os.path.join(root, "styles"))
    os.symlink(os.path.join(REPO, "fonts"), os.path.join(root, "fonts"))
    if os.path.isdir(os.path.join(REPO, "profiles")):
        os.symlink(os.path.join(REPO, "profiles"), os.path.join(root, "profiles"))
    if contacts:
        shutil.copy(os.path.join(REPO, "sources", "contacts.yaml"), os.path.join(root, "sources"))
    for name, text in sources.items():
        with open(os.path.join(root, "sources", name), "w", encoding="utf-8") as f:
            f.write(text)


def hpb(copies=1):
    """The HPB leaflet without its contact sheet (one variant), its body repeated."""
    text = open(os.path.join(REPO, "sources", "levermetastasen.md"), encoding="utf-8").read()
    _, front, body = text.split("---\n", 2)
    front = "".join(l + "\n" for l in front.splitlines() if not l.startswith("contact_sheet:"))
    title, rest = body.split("\n", 1)
    return f"---\n{front}---\n{title}\n" + rest * copies


def trivial(i):
    return (f"---\ntitle: Folder {i}\nlang: nl-NL\npublisher: Testziekenhuis\nupdated: 2024-03\n---\n"
            f"# Folder {i}\n\nDeze folder vertelt u wat u kunt verwachten van het onderzoek. "
            f"Neem bij vragen contact op met de polikliniek.\n\n## Voorbereiding\n\n"
            f"- Neem uw medicijnlijst mee.\n- Kom nuchter.\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leafpress", default=os.path.join(REPO, "build", "leafpress"))
    ap.add_argument("--floor", default=os.path.join(REPO, "build", "bench-floor"))
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--quick", action="store_true", help="fewer runs and sizes (a smoke test)")
    ap.add_argument("--parts", default="1,2,3,4,5", help="which numbered cases to run (default: all)")
    args = ap.parse_args()
    parts = {int(p) for p in args.parts.split(",") if p.strip()}
    lp, floor = os.path.abspath(args.leafpress), os.path.abspath(args.floor)
    runs = 3 if args.quick else args.runs
    typst_js = os.path.join(REPO, "bench", "typst-compile.js")
    have_typst = os.path.isdir(os.path.join(REPO, "bench", "typst", "node_modules")) and shutil.which("node")
    env = dict(os.environ)
    env.pop("CI", None)
    env.pop("GITHUB_ACTIONS", None)
    tmp = tempfile.mkdtemp(prefix="leafpress-bench-")
    rows = []
    try:
        print(f"leafpress benchmark: {runs} runs per case (median [min–max], peak RSS), "
              f"{os.cpu_count()} cores; {subprocess.run([lp, '--version'], capture_output=True, text=True).stdout.strip()}")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
        if 1 in parts:
            hpb_case(lp, floor, typst_js, have_typst, tmp, runs, env, rows)
        if 2 in parts:
            startup_case(lp, floor, tmp, runs, env, rows)
        if 3 in parts:
            noop_case(lp, tmp, runs, env, rows)
        if 4 in parts:
            length_case(lp, tmp, runs, env, args.quick)
        if 5 in parts:
            count_case(lp, tmp, runs, env, args.quick, rows)
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")

        print("\nratios (median / median, same run)       measured   target")
        for name, ratio, target in rows:
            verdict = "" if target is None else ("  met" if ratio <= target else "  NOT met")
            print(f"   {name:38s} {ratio:8.2f}   {'' if target is None else f'<= {target:.2f}'}{verdict}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def hpb_case(lp, floor, typst_js, have_typst, tmp, runs, env, rows):
    # 1. the HPB leaflet, one variant
    one = os.path.join(tmp, "one")
    project(one, {"levermetastasen.md": hpb()})
    out = os.path.join(tmp, "one-out")
    cases = [([lp, "build", "-q", "--force", "--screen-only", "-o", out, "sources/levermetastasen.md"], one),
             ([floor, os.path.join(one, "sources", "levermetastasen.md"), os.path.join(tmp, "floor.pdf"),
               os.path.join(REPO, "fonts")], one)]
    if have_typst:
        cases.append((["node", typst_js, os.path.join(REPO, "bench", "levermetastasen.typ"),
                       os.path.join(tmp, "typst.pdf"), os.path.join(REPO, "fonts")], one))
    got = measure_together(cases, runs, env)
    leaf, fl = got[0], got[1]
    print("\n1. HPB leaflet, one house-style variant (screen PDF); the three interleaved")
    print(f"   leafpress build           {fmt(leaf)}")
    print(f"   floor (Pango+cairo)       {fmt(fl)}   leafpress/floor = {leaf['median'] / fl['median']:.2f}")
    rows.append(("HPB leaflet, 1 variant / floor", leaf["median"] / fl["median"], 1.5))
    if have_typst:
        ty = got[2]
        print(f"   Typst 0.14 (node)         {fmt(ty)}   leafpress/Typst = {leaf['median'] / ty['median']:.2f}")
        rows.append(("HPB leaflet, 1 variant / Typst 0.14", leaf["median"] / ty["median"], 0.30))
    else:
        print("   Typst: not installed (bench/run.sh installs it)")


def startup_case(lp, floor, tmp, runs, env, rows):
    # 2. start-up
    tiny = os.path.join(tmp, "tiny")
    project(tiny, {"folder.md": trivial(0)}, contacts=False)
    # check's start-up: all a check does before it lays out a leaflet
    # (libraries, options, the project); with no leaflet it stops there,
    # exit 2 ("no sources given and none found in sources/")
    empty = os.path.join(tmp, "empty")
    project(empty, {}, contacts=False)
    version, fver, check0, check1, check = measure_together(
        [([lp, "--version"], REPO), ([floor, "--version"], REPO), ([lp, "check", "-q"], empty, (2,)),
         ([lp, "check", "-q"], tiny), ([lp, "check", "-q"], REPO)], runs * 2, env)
    print("\n2. start-up (interleaved)")
    print(f"   floor --version           {fmt(fver)}")
    print(f"   leafpress --version       {fmt(version)}   / floor = {version['median'] / fver['median']:.2f}")
    print(f"   check start-up (no leaflet) {fmt(check0)} / floor = {check0['median'] / fver['median']:.2f}")
    print(f"   leafpress check, 1 short  {fmt(check1)}   / floor = {check1['median'] / fver['median']:.2f}"
          "  (lays it out: fonts, shaping)")
    print(f"   leafpress check (4 seeds) {fmt(check)}   / floor = {check['median'] / fver['median']:.2f}"
          "  (lays out every variant)")
    rows.append(("--version / floor --version", version["median"] / fver["median"], 1.5))
    rows.append(("check start-up / floor --version", check0["median"] / fver["median"], 1.5))
    rows.append(("check (1 short leaflet) / floor --version", check1["median"] / fver["median"], None))
    rows.append(("check (4 seeds) / floor --version", check["median"] / fver["median"], None))


def noop_case(lp, tmp, runs, env, rows):
    # 3. no-op build of the seeds
    seeds_out = os.path.join(tmp, "seeds-out")
    full = measure([lp, "build", "-q", "--force", "-o", seeds_out], REPO, max(3, runs // 3), env)
    one = measure([lp, "build", "-q", "--force", "-o", seeds_out, "sources/levermetastasen.md"], REPO,
                  max(3, runs // 3), env)
    run_once([lp, "build", "-q", "-o", seeds_out], REPO, env)
    time.sleep(2.5)  # past the racy window, so that the outputs' mtimes can be trusted
    noop, version2 = measure_together([([lp, "build", "-q", "-o", seeds_out], REPO), ([lp, "--version"], REPO)],
                                      runs * 2, env)
    print("\n3. the 4 seeds, every variant and kind")
    print(f"   full build (--force)      {fmt(full)}")
    print(f"   the HPB leaflet alone     {fmt(one)}")
    print(f"   no-op build               {fmt(noop)}   / --version = {noop['median'] / version2['median']:.2f}"
          " (interleaved with --version)")
    rows.append(("no-op build (4 seeds) / --version", noop["median"] / version2["median"], 1.5))


def length_case(lp, tmp, runs, env, quick):
    # 4. document length
    print("\n4. document length: the HPB body repeated (one variant, screen PDF)")
    print("   copies      time                        peak RSS     ms/copy  (from the previous size)")
    prev = None
    sizes = [1, 4, 16] if quick else [1, 2, 4, 8, 16, 32, 64]
    for k in sizes:
        d = os.path.join(tmp, f"len-{k}")
        project(d, {"lang.md": hpb(k)})
        m = measure([lp, "build", "-q", "--force", "--screen-only", "-o", os.path.join(d, "out")], d,
                    max(3, runs // (1 + k // 8)), env)
        step = f"{(m['median'] - prev[1]['median']) / (k - prev[0]):7.1f}" if prev else "      -"
        print(f"   {k:4d}x  {fmt(m)}  {step}")
        prev = (k, m)


def count_case(lp, tmp, runs, env, quick, rows):
    # 5. number of leaflets
    print("\n5. number of leaflets: short generated leaflets (house + grote-letter, screen PDFs)")
    print("   leaflets    time                        peak RSS     ms/leaflet")
    counts = [1, 10, 100] if quick else [1, 10, 100, 1000]
    for n in counts:
        d = os.path.join(tmp, f"many-{n}")
        project(d, {f"folder-{i:04d}.md": trivial(i) for i in range(n)}, styles=("house", "grote-letter"),
                contacts=False)
        # one build first, so that every size is measured alike: --force
        # typesetting it all again into outputs that are there (the first
        # build also writes and syncs every file)
        m = measure([lp, "build", "-q", "--force", "--screen-only", "-o", os.path.join(d, "out")], d,
                    max(3, runs // (1 + n // 50)), env, warm=1)
        print(f"   {n:5d}  {fmt(m)}  {m['median'] / n:8.2f}")
        last = (n, d)
    n, d = last
    run_once([lp, "build", "-q", "--screen-only", "-o", os.path.join(d, "out")], d, env)
    time.sleep(2.5)
    m, v = measure_together([([lp, "build", "-q", "--screen-only", "-o", os.path.join(d, "out")], d),
                             ([lp, "--version"], REPO)], runs, env)
    print(f"   no-op build of {n}: {fmt(m)}   / --version = {m['median'] / v['median']:.2f}"
          " (interleaved with --version)")
    rows.append((f"no-op build ({n} leaflets) / --version", m["median"] / v["median"], None))


if __name__ == "__main__":
    main()
