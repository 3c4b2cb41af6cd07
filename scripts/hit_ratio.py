#!/usr/bin/env python3
"""hit_ratio.py - the buffer pool's hit ratio against its size, under LRU
and clock, measured on a milestone with a pool and drawn as a plot.

  scripts/hit_ratio.py [-m NN] [-n ROWS] [--seed N] [--svg FILE]

Used by scripts/bench (`make bench`) and by the book ({{plot 05
hit-ratio}} in chapter 05, `make book`). The table is the bench's: ROWS
rows (100,000) in a random order drawn from the seed (7), loaded with
.import. Then, for pools of 8 to 2,048 frames and each policy, 50,000
point selects, their keys uniform or zipfian, and the hit ratio that
.stats prints.

That is 36 runs, about 25 seconds. The result is kept in build/hit-ratio/
under a key made of the strata binary's bytes and the parameters, so it
is measured again only when one of them changes.
"""
import argparse
import bisect
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import milestones  # noqa: E402

sys.path.insert(0, str(milestones.ROOT / "book" / "tools"))
import svg  # noqa: E402

CACHE = milestones.ROOT / "build" / "hit-ratio"
SELECTS = 50000
SIZES = [8 << i for i in range(9)]          # 8 .. 2048 frames
POLICIES = ("lru", "clock")
KINDS = ("uniform", "zipfian")
VERSION = 1             # of the measurement: change it to measure anew


def zipf_keys(rng, n_keys, count, s=1.0):
    """COUNT keys from 1..N_KEYS, key k drawn with weight 1/k^S, then
    scattered so that the hot keys are not neighbours in the tree."""
    weights = [1.0 / (k ** s) for k in range(1, n_keys + 1)]
    total = 0.0
    cumulative = []
    for w in weights:
        total += w
        cumulative.append(total)
    scatter = list(range(1, n_keys + 1))
    rng.shuffle(scatter)
    return [scatter[bisect.bisect_left(cumulative, rng.random() * total)]
            for _ in range(count)]


def cache_key(exe, n_rows, seed):
    digest = hashlib.sha256()
    digest.update(Path(exe).read_bytes())
    digest.update(json.dumps([VERSION, n_rows, seed, SELECTS, SIZES,
                              POLICIES, KINDS]).encode())
    return digest.hexdigest()[:20]


def strata(exe, args, lines, cwd):
    """Runs strata with LINES on stdin; its output, or exits on failure."""
    proc = subprocess.run([str(exe), *args], cwd=cwd,
                          input="".join(l + "\n" for l in lines).encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        sys.exit("hit_ratio: %s %s failed (exit %d):\n%s" % (
            exe, " ".join(args), proc.returncode, out[-2000:]))
    return out


def measure(milestone, n_rows=100000, seed=7):
    """({"lru, uniform": [(frames, hit ratio %), ...], ...}, pages in the
    table) for MILESTONE, from the cache when it has them."""
    exe = milestone.path / "strata"
    if not exe.exists():
        sys.exit("hit_ratio: %s is not built; run make" % milestone.name)
    key = cache_key(exe, n_rows, seed)
    cached = CACHE / ("%s.json" % key)
    if cached.exists():
        found = json.loads(cached.read_text())
        return ({k: [tuple(p) for p in v] for k, v in
                 found["curves"].items()}, found["pages"])
    print("hit ratio: measuring %s, %d runs of %d selects (about 25 s; "
          "kept in %s)" % (milestone.name, len(SIZES) * len(POLICIES) *
                           len(KINDS), SELECTS,
                           CACHE.relative_to(milestones.ROOT)),
          file=sys.stderr, flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=CACHE))
    try:
        # The bench's table: its ids in the order its load workload uses.
        ids = list(range(1, n_rows + 1))
        random.Random(seed).shuffle(ids)
        (work / "rows.csv").write_text("".join(
            "%d,user%d,person%d@example.com\n" % (i, i, i) for i in ids))
        strata(exe, ["t.db"], [".import rows.csv"], work)
        pages = (work / "t.db").stat().st_size // 4096
        rng = random.Random(seed)
        keys = {"uniform": [rng.randint(1, n_rows) for _ in range(SELECTS)],
                "zipfian": zipf_keys(rng, n_rows, SELECTS)}
        curves = {}
        for kind in KINDS:
            lines = ["select %d" % k for k in keys[kind]] + [".stats"]
            for policy in POLICIES:
                points = []
                for size in SIZES:
                    out = strata(exe, ["--pool-pages", str(size),
                                       "--eviction", policy, "t.db"],
                                 lines, work)
                    if "hit ratio: " not in out:
                        sys.exit("hit_ratio: .stats printed no hit ratio")
                    points.append((size, float(
                        out.split("hit ratio: ")[1].split("%")[0])))
                curves["%s, %s" % (policy, kind)] = points
    finally:
        shutil.rmtree(work, ignore_errors=True)
    partial = cached.with_suffix(".part%d" % os.getpid())
    partial.write_text(json.dumps({"curves": curves, "pages": pages}))
    os.replace(partial, cached)
    return curves, pages


def caption(pages):
    return ("Hit ratio of %s point selects against the number of frames, "
            "on a table of %s pages: solid lines LRU, dashed clock; blue "
            "uniform keys, red zipfian ones." % (
                "{:,}".format(SELECTS), "{:,}".format(pages)))


def svg_plot(curves, pages):
    """A line chart of hit ratio against pool size (log scale), its axis
    starting just below the lowest point."""
    left, top, pw, ph = 44, 24, svg.WIDTH - 44 - 22, 250
    sizes = [s for s, _ in next(iter(curves.values()))]
    ratios = [r for points in curves.values() for _, r in points]
    low = max(0, 5 * math.floor(min(ratios) / 5 - 0.2))
    high = min(100, 5 * math.ceil(max(ratios) / 5))
    step = 5 if high - low <= 40 else 10

    def x(size):
        return left + pw * (math.log2(size) - math.log2(sizes[0])) / (
            math.log2(sizes[-1]) - math.log2(sizes[0]))

    def y(ratio):
        return top + ph * (high - ratio) / (high - low)

    c = svg.Canvas()
    for ratio in range(int(low), int(high) + 1, step):
        c.line(left, y(ratio), left + pw, y(ratio), stroke="#e2e2e6")
        c.text(left - 6, y(ratio) + 4.5, "%d%%" % ratio, svg.SMALL, "end")
    for size in sizes:
        c.line(x(size), top + ph, x(size), top + ph + 4, stroke=svg.MUTED)
        c.text(x(size), top + ph + 18, str(size), svg.SMALL, "middle")
    c.rect(left, top, pw, ph, stroke=svg.MUTED)
    c.text(0, 10, "hit ratio", svg.SMALL, mono=False)
    c.text(left + pw / 2, top + ph + 36, "frames in the pool (log scale)",
           svg.SMALL, "middle", mono=False)
    colors = {"uniform": svg.ACCENT, "zipfian": "#d1495b"}
    entries = []
    for label in sorted(curves, key=lambda l: (l.split(", ")[1],
                                               l.split(", ")[0])):
        policy, kind = label.split(", ")
        dash = None if policy == "lru" else "6 4"
        points = [(x(s), y(r)) for s, r in curves[label]]
        c.polyline(points, stroke=colors[kind], width=2, dash=dash)
        for px, py in points:
            c.circle(px, py, 2.6, fill=colors[kind])
        entries.append((colors[kind], colors[kind], dash, label))
    c.width, c.height = left + pw + 22, top + ph + 42
    key = svg.Canvas()
    for i, (color, _, dash, label) in enumerate(entries):
        kx, ky = left + (i % 2) * 170, (i // 2) * 20
        key.line(kx, ky + 6, kx + 30, ky + 6, stroke=color, width=2,
                 dash=dash)
        key.text(kx + 38, ky + 11, label, svg.SMALL, mono=False)
    key.width, key.height = left + 340, 36
    return svg.margin(svg.stack([c, key], 8)).svg(caption(pages))


def table(curves):
    lines = ["hit ratio (%%) of %s point selects, by pool size:" %
             "{:,}".format(SELECTS),
             "%-18s" % "policy, keys" + "".join("%7d" % s for s in SIZES)]
    for label, points in sorted(curves.items()):
        lines.append("%-18s" % label + "".join("%7.1f" % r for _, r in
                                               points))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-m", "--milestone", default="05")
    parser.add_argument("-n", "--rows", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--svg", help="also write the plot to this file")
    args = parser.parse_args()
    try:
        milestone = milestones.find(args.milestone)
    except ValueError as e:
        sys.exit("hit_ratio: %s" % e)
    curves, pages = measure(milestone, args.rows, args.seed)
    sys.stdout.write(table(curves))
    if args.svg:
        Path(args.svg).write_text(svg_plot(curves, pages) + "\n")


if __name__ == "__main__":
    main()
