"""The differential tester, tests/difftest.py, on fixed seeds: thousands of
generated queries over generated schemas and data, each answered by strata
and by sqlite3 (Python's sqlite3 module) and compared, with the TLP and
NoREC oracles and DML statements besides; and the bugs it found, reduced
to scripts that must agree with sqlite3.

From milestone 08 on the schemas have indexes (CREATE [UNIQUE] INDEX,
before and after the rows), a share of the cases aims at them, and each
DML case ends with \\check (difftest.py says how); 07 generates what it
always has for the same seeds.

A failure prints the reduced script and how to replay the seed outside
the runner: python3 tests/difftest.py --seed N --queries Q --oracle O.
"""
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import difftest     # noqa: E402
import harness      # noqa: E402

MILESTONES = "07-"

# Seeds per test and cases per seed: about 5,000 cases in all, some 20 s
# on an idle machine when nothing fails (the runner gives sanitizer
# builds 4x the time).
REDUCE_SECONDS = 20


def run_seeds(t, salt, n_seeds, n_queries, oracles, cfg=None):
    """N_SEEDS seeds drawn from the run's seed and SALT, N_QUERIES cases
    each; fails with the first failure, reduced. From 08 on with indexes
    in the schemas."""
    draw = random.Random("%d/%s" % (t.seed, salt))
    seeds = [draw.randrange(1, 10 ** 9) for _ in range(n_seeds)]
    strata = ["strata"]
    cfg = dict(cfg or {})
    if t.milestone.number >= 8:
        cfg["indexes"] = True
    checked = 0
    for seed in seeds:
        found, n = difftest.run_seed(seed, strata, t.dir, n_queries, cfg,
                                     env=t.env, timeout=t.timeout,
                                     oracles=oracles, stop_at_first=True)
        checked += n
        if found:
            case, failure = found[0]
            reducer = difftest.Reducer(
                strata, t.dir, t.env, t.timeout,
                budget_s=REDUCE_SECONDS * (4 if t.sanitized else 1))
            case, failure, reduced = reducer.reduce(case, failure)
            raise harness.Failure(
                "%s\nreplay: python3 tests/difftest.py --strata %s/strata "
                "--seed %d --queries %d%s%s (after %d cases)" % (
                    difftest.report(seed, case, failure, reduced),
                    milestone_dir(t), seed, n_queries,
                    "".join(" --oracle " + o for o in oracles),
                    " --big --work-mem %d" % cfg["work_mem"]
                    if "work_mem" in cfg else "", checked))
    # Some draws fit no case of an oracle (a TLP on HAVING needs a GROUP
    # BY): they are skipped, but most make one.
    t.check(checked >= n_seeds * n_queries * 0.75,
            "only %d cases were made" % checked)


def milestone_dir(t):
    """The milestone's directory, from the top of the project."""
    return "milestones/%s" % t.milestone.name


def test_queries_agree_with_sqlite3(t):
    """Generated SELECTs (expressions, joins, aggregates, subqueries, set
    operations, views) give sqlite3's rows."""
    run_seeds(t, "diff", 10, 250, ["diff"])


def test_tlp_partitions(t):
    """WHERE p, WHERE NOT p and WHERE p IS NULL together give the rows of
    the query without the filter (also for DISTINCT, HAVING and
    aggregates)."""
    run_seeds(t, "tlp", 5, 200, ["tlp"])


def test_norec_counts(t):
    """count(*) with a filter equals the count of rows where the filter
    holds, counted without one."""
    run_seeds(t, "norec", 5, 160, ["norec"])


def test_dml_leaves_the_tables_of_sqlite3(t):
    """UPDATE, DELETE and INSERT ... SELECT leave every table as sqlite3
    leaves it, and a statement that fails leaves nothing."""
    run_seeds(t, "dml", 5, 80, ["dml", "diff"])


def test_large_tables_in_little_memory(t):
    """A table of 2,000 rows with work_mem at its least (64kB): sorts,
    DISTINCT, GROUP BY and set operations spill to runs and merge."""
    run_seeds(t, "big", 3, 120, ["diff", "tlp"], {"big": 1.0,
                                                 "work_mem": 64})


# The bugs the tester found, reduced: each a setup and the statements
# whose outcome must agree with sqlite3's ("-- ordered": in order).
REGRESSIONS = [
    ("NOT of a number other than 0 and 1 (bug 1)",
     ["CREATE TABLE t0 (c0 INTEGER)", "INSERT INTO t0 VALUES (1)"],
     ["SELECT NOT 0, NOT 2, NOT -1, NOT 0.5, NOT (NOT 4)",
      "UPDATE t0 SET c0 = NULL WHERE NOT 0", "SELECT * FROM t0"]),
    ("TRUE and FALSE are the integers 1 and 0 (bug 2)",
     ["CREATE TABLE t0 (c0 INTEGER)"],
     ["SELECT TRUE, FALSE, typeof(TRUE), TRUE + 1",
      "INSERT INTO t0 VALUES (TRUE)", "SELECT * FROM t0"]),
    ("IS TRUE and IS FALSE of any number (bug 3)",
     ["CREATE TABLE t1 (c0 TEXT)", "INSERT INTO t1 VALUES (NULL)"],
     ["SELECT 2 IS TRUE, 0.5 IS TRUE, -1 IS NOT TRUE, 3 IS FALSE",
      "SELECT sum((-1) IS TRUE) FROM t1"]),
    ("the right side's column of USING, qualified (bug 4)",
     ["CREATE TABLE t0 (c0 INTEGER, c1 TEXT)",
      "CREATE TABLE t1 (c0 INTEGER, c2 TEXT)",
      "INSERT INTO t0 VALUES (1, 'x'), (2, 'y')",
      "INSERT INTO t1 VALUES (1, 'z')"],
     ["SELECT a2.c0, a1.c0 FROM t0 AS a1 JOIN t1 AS a2 USING (c0)",
      "SELECT a2.* FROM t0 AS a1 JOIN t1 AS a2 USING (c0)",
      "SELECT a1.c0, a2.c0 FROM t0 AS a1 LEFT JOIN t1 AS a2 USING (c0)"]),
    ("LIMIT 0 with an OFFSET (bug 5)",
     ["CREATE TABLE t0 (c0 INTEGER)", "INSERT INTO t0 VALUES (1), (2)"],
     ["SELECT c0 FROM t0 LIMIT 0 OFFSET 1",
      "SELECT c0 FROM t0 ORDER BY 1 LIMIT 0 OFFSET 1"]),
    ("a correlated subquery in a LEFT JOIN's ON (bug 6)",
     ["CREATE TABLE t0 (c0 INTEGER)", "CREATE TABLE t1 (c0 TEXT)",
      "INSERT INTO t0 VALUES (4), (5)"],
     ["SELECT * FROM t0 LEFT JOIN t1 ON NULL IN (SELECT 1 FROM t0 AS a3 "
      "WHERE t0.c0)",
      "SELECT * FROM t0 LEFT JOIN t1 ON NULL IN (SELECT NULL FROM t0 AS a4 "
      "WHERE t1.c0)",
      "INSERT INTO t1 VALUES ('x')",
      "SELECT * FROM t0 LEFT JOIN t1 ON EXISTS (SELECT 1 FROM t0 AS a3 "
      "WHERE t0.c0 = 5)"]),
    ("abs() of a text is a real (bug 7)",
     [],
     ["SELECT abs('-2'), typeof(abs('3')), 'abc' || abs('')"]),
    ("a column of a subquery or view that is an expression has no "
     "affinity (bug 8)",
     ["CREATE TABLE t1 (c0 TEXT)", "INSERT INTO t1 VALUES ('-0'), ('0.0')",
      "CREATE VIEW v0 AS SELECT 'a' = 'b' AS x0"],
     ["SELECT t1.c0 FROM (SELECT -1 AS x0) AS a1 JOIN t1 ON a1.x0 >= t1.c0",
      "SELECT t1.c0 FROM t1, (SELECT 0 AS x0) AS a1 WHERE t1.c0 < a1.x0",
      "SELECT t1.c0 FROM v0, t1 WHERE v0.x0 = t1.c0"]),
    ("an INTEGER PRIMARY KEY compared with a text (bug 9)",
     ["CREATE TABLE t0 (c0 INTEGER PRIMARY KEY)",
      "INSERT INTO t0 VALUES (5), (3702094648805153479)"],
     ["SELECT c0 FROM t0 WHERE c0 < 'y'",
      "SELECT c0 FROM t0 WHERE 'y Ay z' >= c0",
      "SELECT c0 FROM t0 WHERE c0 > '4x'"]),
    ("a scalar subquery's text compared with a number (bug 10)",
     [],
     ["SELECT (SELECT '') < 0, (SELECT 'a') > 5, (SELECT '') = 0"]),
    ("the text of -0.0 (bug 11)",
     [],
     ["SELECT CAST(-0.0 AS TEXT), -0.0 || ''"]),
    ("sum() of texts that are not integers is a real (bug 12)",
     ["CREATE TABLE t0 (c0 TEXT)", "INSERT INTO t0 VALUES ('')"],
     ["SELECT sum(c0), typeof(sum(c0)), sum(c0) || '' FROM t0"]),
    ("% takes the leading integer of a text (bug 13)",
     [],
     ["SELECT '1e3' % 7, '1e3' % 1000.0"]),
    ("x IN (list) takes only x's affinity, not the list's (bug 14)",
     ["CREATE TABLE t0 (c0 INTEGER, c1 TEXT)",
      "INSERT INTO t0 VALUES (1, '0')"],
     ["SELECT 0 IN (c1), upper(1) IN (c0), 0 = c1 FROM t0",
      "SELECT c0 FROM t0 WHERE 0 IN (c1)"]),
    ("an INTEGER PRIMARY KEY compared with a text, in DELETE and UPDATE "
     "(bug 9)",
     ["CREATE TABLE t0 (c0 INTEGER, c1 INTEGER PRIMARY KEY)",
      "INSERT INTO t0 VALUES (2592, 3817925224200482713), (1, 5)"],
     ["UPDATE t0 SET c0 = NULL WHERE 'B' >= t0.c1", "SELECT * FROM t0",
      "DELETE FROM t0 WHERE 'B' >= t0.c1", "SELECT * FROM t0"]),
    ("a subquery in FROM of three aggregate arms under an aggregate: a "
     "use after free (AddressSanitizer; bug 15)",
     ["CREATE TABLE t0 (c0 REAL)", "CREATE TABLE t2 (c0 INTEGER)"],
     ["SELECT sum(x0) FROM (SELECT sum(1) AS x0 FROM t0, t2 UNION ALL "
      "SELECT sum(1) FROM t0, t2 UNION ALL SELECT sum(1) FROM t0, t2) AS u"]),
    ("max() of '': memcpy from NULL (UBSan; bug 16)",
     ["CREATE TABLE t1 (c0 TEXT)", "INSERT INTO t1 VALUES ('a')"],
     ["SELECT max(''), min(''), max(c0) FROM t1"]),
    ("a new row id after 9223372036854775807: a signed overflow (UBSan; "
     "bug 17; sqlite3 picks a random free row id there, strata refuses: "
     "only strata's survival is checked)",
     ["CREATE TABLE t3 (c0 INTEGER PRIMARY KEY)",
      "INSERT INTO t3 VALUES (9223372036854775807)"],
     ["INSERT INTO t3 VALUES (NULL) -- strata only"]),
    ("ORDER BY and GROUP BY positions are integers written as such that "
     "fit in 32 bits: TRUE, -TRUE and 2147483648 are constants (bug 18)",
     ["CREATE TABLE t0 (c0 INTEGER)", "INSERT INTO t0 VALUES (2), (1)"],
     ["SELECT c0 FROM t0 ORDER BY FALSE, c0",
      "SELECT c0 FROM t0 ORDER BY -TRUE, c0",
      "SELECT c0 FROM t0 ORDER BY 9223372036854775807, 1",
      "SELECT c0 FROM t0 ORDER BY -2147483648, c0",
      "SELECT c0 FROM t0 ORDER BY 2147483647",
      "SELECT c0 FROM t0 ORDER BY -1",
      "SELECT count(*) FROM t0 GROUP BY 2147483648"]),
    ("substr() takes its start and length as 32-bit integers, the length "
     "1,000,000,000 when not given (bug 19)",
     ["CREATE TABLE t0 (c0 TEXT)", "INSERT INTO t0 VALUES ('h\u00e9llo')"],
     ["SELECT substr(0, -3807896948519547515), substr(c0, -1000000001), "
      "substr(c0, -999999999) FROM t0",
      "SELECT substr(c0, 4294967297, 2), substr(c0, 2147483648, 2147483647), "
      "substr(c0, 1, 4294967298), substr(c0, 3, -2147483649) FROM t0",
      "SELECT substr(c0, -9223372036854775808, -9223372036854775807), "
      "substr(c0, 2.7, 1.9) FROM t0"]),
    ("UNION gives the last of equal rows that differ in form (0 and 0.0), "
     "INTERSECT and EXCEPT the last of the left side's, as SQLite's "
     "temporary index keeps them (bug 20)",
     ["CREATE TABLE t0 (c0 INTEGER, c1 REAL)",
      "INSERT INTO t0 VALUES (0, 0), (1, 1)"],
     ["SELECT 0.0 UNION SELECT 0", "SELECT c0 FROM t0 UNION SELECT c1 FROM t0",
      "SELECT c1 FROM t0 UNION SELECT c0 FROM t0 UNION SELECT c1 FROM t0",
      "SELECT c0, c1 FROM t0 UNION SELECT c1, c0 FROM t0",
      "SELECT * FROM (SELECT c0 FROM t0 UNION ALL SELECT c1 FROM t0) "
      "INTERSECT SELECT c0 FROM t0",
      "SELECT * FROM (SELECT c1 FROM t0 UNION ALL SELECT c0 FROM t0) "
      "EXCEPT SELECT 5"]),
    ("at most 64 tables in a join: 65 gave a wrong count where sqlite3 "
     "refuses (the planner has a bit for each of 64 items; bug 21)",
     ["CREATE TABLE t0 (c0 INTEGER)", "INSERT INTO t0 VALUES (1)"],
     ["SELECT count(*) FROM " + ", ".join("t0 AS a%d" % i for i in range(64))
      + " WHERE a0.c0 = a63.c0 AND a62.c0 = 1",
      "SELECT count(*) FROM " + ", ".join("t0 AS a%d" % i for i in range(65))
      + " WHERE a0.c0 = a64.c0"]),
    ("a scalar subquery as a FROM subquery's column keeps its column's "
     "affinity, as a CAST does (seed 593 on 08; bug 22)",
     ["CREATE TABLE t2 (c0 REAL)", "INSERT INTO t2 VALUES (2.625)"],
     ["SELECT NULL FROM (SELECT (SELECT CAST(0 AS TEXT) FROM t2 AS a2 "
      "ORDER BY 1 DESC LIMIT 1) AS x0) AS a1 WHERE a1.x0 BETWEEN 0 AND 0",
      "SELECT x = 0, x = '0', y = '2.625' FROM (SELECT (SELECT CAST(0 AS "
      "TEXT)) AS x, (SELECT c0 FROM t2) AS y)"]),
    ("sum() and abs() overflow in every order: an error on both (guards "
     "the allowance for overflows that depend on the order)",
     ["CREATE TABLE t0 (c0 INTEGER)",
      "INSERT INTO t0 VALUES (4611686018427387904), (4611686018427387904)"],
     ["SELECT sum(c0) FROM t0", "SELECT total(c0), avg(c0) FROM t0",
      "SELECT abs(-9223372036854775808)", "SELECT abs(-c0 - c0) FROM t0"]),
]


def test_found_bugs_stay_fixed(t):
    """Every reduced reproduction of a bug the tester found agrees with
    sqlite3."""
    failed = []
    for name, setup, checks in REGRESSIONS:
        problem = difftest.run_script(setup, checks, ["strata"], t.dir,
                                      t.env, t.timeout)
        if problem:
            failed.append("%s:\n%s" % (name, problem))
    t.check(not failed, "%d of %d reproductions disagree with sqlite3:\n\n%s"
            % (len(failed), len(REGRESSIONS), "\n\n".join(failed)))
