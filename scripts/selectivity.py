#!/usr/bin/env python3
"""selectivity.py - query time against selectivity, a full scan against
an index range scan: the queries, the table and the plot.

Used by scripts/bench (`make bench`, milestone 08 on), which measures;
this module says what is measured and draws it. The query is

    SELECT count(*), sum(grp) FROM t WHERE val BETWEEN A AND A + W - 1;

on the bench's query table t(id, grp, val, name), val uniform over
0..ROWS-1, so W = FRACTION x ROWS returns about that fraction of the
rows; sum(grp) makes every matching row be read from the table (grp is
in no index), so the index scan pays a lookup per row and the full scan
reads every page once. The two lines are the same queries on the same
rows: "index" on the database with t_val, "full scan" on the one
without it. Each is timed as a run of REPEATS(fraction) queries minus a
run that only opens the database, over the queries; the repeats read
ranges side by side (A = 0, W, 2W, ...), so that none finds the pages
of the one before it in the pool.

The plot is of what the index costs, not of what a planner picks: a
BETWEEN, whose rows a planner without a histogram guesses as few,
rather than "val < X", which it may guess as many and answer by a scan.
The bench checks each point's plan (EXPLAIN); a point of the index line
that was answered without the index is drawn hollow and starred in the
table.

The plot goes to build/bench/selectivity.svg, and from a full run
(`make bench`: 1,000,000 rows, no --quick, no --out) to
book/pictures/selectivity.svg, which chapter 08 shows.
"""
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import milestones  # noqa: E402

sys.path.insert(0, str(milestones.ROOT / "book" / "tools"))
import svg  # noqa: E402

FRACTIONS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
QUERY = "SELECT count(*), sum(grp) FROM t WHERE val BETWEEN %d AND %d;"
BOOK_PLOT = milestones.ROOT / "book" / "pictures" / "selectivity.svg"
# How a curve is drawn, by what it measures.
LINES = {"index": None, "full scan": "6 4"}
COLORS = {"sqlite3": "#d1495b"}  # any milestone: svg.ACCENT


def statements(fraction, kind, n_rows):
    """The queries of one timed run of KIND ("index" or "full scan")
    at FRACTION of N_ROWS rows: an index scan of few rows is repeated
    until the run reads about 1% of the table (at most 100 times), so
    that its time stands clear of the start-up's; a full scan runs
    once."""
    width = max(1, round(fraction * n_rows))
    repeats = 1 if kind != "index" else max(1, min(
        100, round(0.01 * n_rows / width)))
    return [QUERY % (i * width, (i + 1) * width - 1)
            for i in range(repeats)]


def shown_query():
    """QUERY as the report and the caption show it."""
    return QUERY.replace("%d AND %d", "A AND A + W - 1")


def percent(fraction):
    return "%g%%" % (fraction * 100)


def ms(seconds):
    """SECONDS in milliseconds, to three digits or to the unit."""
    return "%.0f" % (seconds * 1000) if seconds >= 0.1 else "%.3g" % (
        seconds * 1000)


def crossing(index, scan):
    """The fraction where the curve INDEX [(fraction, seconds)] rises
    above SCAN, interpolated on the log scales; None if it does not."""
    for (f0, i0), (f1, i1), (_, s0), (_, s1) in zip(index, index[1:],
                                                      scan, scan[1:]):
        if i0 <= s0 and i1 > s1:
            d0, d1 = math.log(i0 / s0), math.log(i1 / s1)
            return math.exp(math.log(f0) + d0 / (d0 - d1) * math.log(
                f1 / f0))
    return None


def crossings(curves):
    """{program: the fraction where its index scan stops paying}."""
    out = {}
    for label in curves:
        program, kind = label.split(", ")
        if kind == "index" and program + ", full scan" in curves:
            out[program] = crossing(curves[label],
                                    curves[program + ", full scan"])
    return out


def table(curves, n_rows, scanned=()):
    """CURVES {"08-indexes, index": [(fraction, seconds)], ...} as the
    bench's report prints them; SCANNED: the (label, fraction) points
    answered without the index, starred."""
    fractions = [f for f, _ in next(iter(curves.values()))]
    lines = ["query time (ms) against the fraction of %s rows returned:" %
             "{:,}".format(n_rows), "  " + shown_query(),
             "  (W: the fraction x the rows; a column per fraction)",
             "  %-22s" % "" + "".join("%9s" % percent(f) for f in fractions)]
    for label, points in curves.items():
        lines.append("  %-22s" % label + "".join(
            "%9s" % (ms(s) + ("*" if (label, f) in scanned else ""))
            for f, s in points))
    for program, fraction in crossings(curves).items():
        lines.append("  %s: %s" % (program, (
            "the index scan is the faster below about %s of the rows" %
            percent(float("%.2g" % fraction))) if fraction else
            "the lines do not cross"))
    if scanned:
        lines.append("  *: the planner answered it without the index "
                     "(EXPLAIN)")
    return "\n".join(lines) + "\n"


def caption(curves, n_rows, scanned=()):
    found = crossings(curves)
    where = ", ".join("%s's near %s" % (
        p, percent(float("%.2g" % f))) for p, f in found.items() if f)
    return ("Time of one `%s` on a table of %s rows, against the "
            "fraction of the rows it returns (log scales): solid lines "
            "through the index on val, dashed a full scan of the table "
            "without it.%s%s" % (
                shown_query().rstrip(";"), "{:,}".format(n_rows),
                " The lines cross where the vertical marks are: %s." %
                where if where else "",
                " A hollow point: the planner answered without the index."
                if scanned else ""))


def svg_plot(curves, n_rows, scanned=()):
    """A log-log chart of the curves, the crossings marked; the points
    of SCANNED (as in table) hollow."""
    left, top, pw, ph = 52, 24, svg.WIDTH - 52 - 22, 250
    fractions = [f for f, _ in next(iter(curves.values()))]
    times = [s * 1000 for points in curves.values() for _, s in points]
    low = 10 ** math.floor(math.log10(min(times)))
    high = 10 ** math.ceil(math.log10(max(times)))

    def x(fraction):
        return left + pw * (math.log10(fraction) -
                            math.log10(fractions[0])) / (
            math.log10(fractions[-1]) - math.log10(fractions[0]))

    def y(ms):
        return top + ph * (math.log10(high) - math.log10(ms)) / (
            math.log10(high) - math.log10(low))

    c = svg.Canvas()
    decade = low
    while decade <= high * 1.0001:
        c.line(left, y(decade), left + pw, y(decade), stroke="#e2e2e6")
        c.text(left - 6, y(decade) + 4.5, "%g" % decade, svg.SMALL, "end")
        decade *= 10
    for f in fractions:
        if abs(math.log10(f) - round(math.log10(f))) < 1e-9:
            c.line(x(f), top + ph, x(f), top + ph + 4, stroke=svg.MUTED)
            c.text(x(f), top + ph + 18, percent(f), svg.SMALL, "middle")
    c.rect(left, top, pw, ph, stroke=svg.MUTED)
    c.text(0, 10, "ms per query (log scale)", svg.SMALL, mono=False)
    c.text(left + pw / 2, top + ph + 36, "fraction of the rows returned "
           "(log scale)", svg.SMALL, "middle", mono=False)
    entries = []
    for label, points in curves.items():
        program, kind = label.split(", ")
        color = COLORS.get(program, svg.ACCENT)
        dash = LINES[kind]
        xy = [(x(f), y(s * 1000)) for f, s in points]
        c.polyline(xy, stroke=color, width=2, dash=dash)
        for (px, py), (f, _) in zip(xy, points):
            if (label, f) in scanned:
                c.circle(px, py, 3.2, fill="white", stroke=color, width=1.5)
            else:
                c.circle(px, py, 2.6, fill=color)
        entries.append((color, dash, label))
    # Each crossing: a dotted line and its fraction, the leftmost's
    # label to the left of it, the others' to the right.
    found = sorted((f, p) for p, f in crossings(curves).items() if f)
    for i, (fraction, program) in enumerate(found):
        color = COLORS.get(program, svg.ACCENT)
        c.line(x(fraction), top, x(fraction), top + ph, stroke=color,
               dash="2 3")
        c.text(x(fraction) + (-4 if i == 0 else 4), top + 14 + 16 * i,
               percent(float("%.2g" % fraction)), svg.SMALL,
               "end" if i == 0 else "start", mono=False, fill=color)
    c.width, c.height = left + pw + 22, top + ph + 42
    key = svg.Canvas()
    for i, (color, dash, label) in enumerate(entries):
        kx, ky = left + (i % 2) * 190, (i // 2) * 20
        key.line(kx, ky + 6, kx + 30, ky + 6, stroke=color, width=2,
                 dash=dash)
        key.text(kx + 38, ky + 11, label, svg.SMALL, mono=False)
    key.width, key.height = left + 380, 20 * ((len(entries) + 1) // 2)
    return svg.margin(svg.stack([c, key], 8)).svg(caption(curves, n_rows,
                                                          scanned))
