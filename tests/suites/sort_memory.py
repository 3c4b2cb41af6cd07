"""From milestone 07 on, ORDER BY, DISTINCT, GROUP BY and the set
operations pass their rows through an external merge sort: past work_mem
(4 MiB unless SET) the rows go to sorted runs in temporary files, which
are merged. So sorting 1,000,000 rows keeps the whole process under
32 MiB, although the rows alone take more than that in memory, and no
temporary file is left behind."""
import os
import random

MILESTONES = "07-"
ROWS = 1000000
LIMIT_KIB = 32 * 1024


def load(t):
    """A table of ROWS rows (id, a 12-letter text, a number below 10^9),
    in random order of v; returns the rows."""
    rng = random.Random(t.seed)
    rows = [(i, "".join(rng.choice("abcdefghij") for _ in range(12)),
             rng.randint(0, 10 ** 9)) for i in range(1, ROWS + 1)]
    t.path("rows.csv").write_text("".join("%d,%s,%d\n" % r for r in rows))
    t.path("tmp").mkdir()
    out = t.session("test.db", [
        "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, v INTEGER);",
        "\\copy t FROM 'rows.csv' CSV"])
    t.check("ERROR" not in out, "load: %r" % out[-300:])
    return rows


def query(t, sql):
    """The CSV lines SQL prints, and the peak memory of the process in
    KiB, with the temporary files in tmp/, which must be empty after."""
    result = t.strata("--csv", "-t", "-q", "test.db",
                      input_lines=[sql, "\\memory"],
                      env={"TMPDIR": str(t.path("tmp"))})
    t.check_equal(result.status, 0, "exit status")
    lines = result.output.replace("strata=> ", "").splitlines()
    t.check(lines and lines[-1].startswith("peak memory: "),
            "no \\memory line at the end: %r" % lines[-3:])
    peak = int(lines[-1].split()[2])
    t.check_equal(os.listdir(t.path("tmp")), [], "files left in TMPDIR")
    return lines[:-1], peak


def check_bound(t, peak, what):
    """PEAK (KiB) is under the limit. Not under the sanitizers: ASan holds
    freed memory in quarantine and maps shadow memory, so its process is
    several times larger; the run without them checks the bound, and
    this one the sort's answers and its files."""
    if not t.sanitized:
        t.check(peak < LIMIT_KIB, "%s: peak memory %d KiB, over %d KiB" % (
            what, peak, LIMIT_KIB))


def test_a_million_rows_sort_in_32_mib(t):
    rows = load(t)
    lines, peak = query(t, "SELECT v, s FROM t ORDER BY v DESC, s;")
    expected = sorted(rows, key=lambda r: (-r[2], r[1]))
    t.check_equal(len(lines), ROWS, "rows out")
    for i in (0, 1, ROWS // 2, ROWS - 1):
        t.check_equal(lines[i], "%d,%s" % (expected[i][2], expected[i][1]),
                      "row %d" % (i + 1))
    t.check(lines == ["%d,%s" % (r[2], r[1]) for r in expected],
            "the rows are not in order")
    check_bound(t, peak, "ORDER BY")


def test_group_by_and_distinct_over_a_million_rows_stay_bounded(t):
    rows = load(t)
    lines, peak = query(t, "SELECT v % 1000, count(*), min(s) FROM t "
                           "GROUP BY 1 ORDER BY 1;")
    groups = {}
    for _, s, v in rows:
        n, least = groups.get(v % 1000, (0, None))
        groups[v % 1000] = (n + 1, s if least is None else min(least, s))
    t.check(lines == ["%d,%d,%s" % (k, n, s) for k, (n, s) in
                      sorted(groups.items())], "GROUP BY: %r" % lines[:3])
    check_bound(t, peak, "GROUP BY")
    lines, peak = query(t, "SELECT count(*) FROM "
                           "(SELECT DISTINCT v % 500000, s FROM t);")
    t.check_equal(lines, ["%d" % len({(v % 500000, s) for _, s, v in rows})],
                  "DISTINCT count")
    check_bound(t, peak, "DISTINCT")


def test_a_sort_that_cannot_spill_fails_in_one_line(t):
    """No directory for the runs: the query fails with one line, the
    shell goes on, and the database is untouched."""
    t.path("rows.csv").write_text("".join(
        "%d,%s,%d\n" % (i, "x" * 20, (i * 7919) % 10007)
        for i in range(1, 20001)))
    t.session("test.db", [
        "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, v INTEGER);",
        "\\copy t FROM 'rows.csv' CSV"])
    result = t.strata("-q", "test.db", input_lines=[
        "SET work_mem = '64kB';", "SELECT v FROM t ORDER BY v;",
        "SELECT count(*) FROM t;", "\\check"],
        env={"TMPDIR": str(t.path("missing"))})
    replies = result.output.split("strata=> ")[1:]
    t.check(replies[1].startswith("ERROR:  ") and
            replies[1].count("\n") == 1, "the sort: %r" % replies[1][:300])
    t.check("20000" in replies[2], "count after: %r" % replies[2])
    t.check_equal(replies[3], "ok\n", "\\check")
