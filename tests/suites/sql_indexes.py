"""Secondary indexes, from milestone 08 on: an index never changes an
answer, only how it is found. The same random queries run on the same
tables before CREATE INDEX, after it (and after changes the indexes
kept up with) and after DROP INDEX, and give the same rows; joins of
three or four tables give sqlite3's rows whatever order the planner
joins them in (an order other than FROM's for many); EXPLAIN shows
an index for a point lookup once there is one, and a scan before and
after, and an index for IN lists, ranges, joins on the indexed column
and an ORDER BY ... LIMIT the index's order serves without a sort;
CREATE INDEX over a table of 200,000 rows in a pool of 8 frames
builds in bounded memory and \\check says ok; a UNIQUE index refuses a
duplicate from INSERT, UPDATE and \\copy, each refusal leaving the table
as it was; a key longer than an index takes is refused in one line; and
the differential tester, aimed at indexes alone, agrees with sqlite3.
"""
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import difftest     # noqa: E402
import harness      # noqa: E402

MILESTONES = "08-"
SQL = harness.SqlDialect()
LIMIT_KIB = 32 * 1024       # the bound for CREATE INDEX's memory


def session(t, lines, db="test.db", env=None):
    """LINES on DB (--csv, tags on): one reply per line."""
    out = t.session(db, lines, args=SQL.args, env=env)
    return SQL.replies_to(lines, out)


def check_ok(t, lines, replies, what):
    """No reply of LINES is an error."""
    for line, reply in zip(lines, replies):
        t.check(not reply.startswith("ERROR"), "%s: %r replied %r" % (
            what, line[:80], reply[:400]))


# --- the plan never changes the answer ------------------------------------

def random_tables(rng):
    """Two tables for the planner to choose between a scan and an index
    on: t0 of 2,000 rows (integers from pools of a few hundred values,
    reals, short texts, NULLs) and t1 of 400 keyed rows pointing into
    t0's values; as difftest Tables, so that its generators apply."""
    vals = difftest.ValueGen(rng)
    t0 = difftest.Table("t0", [("c0", "INTEGER"), ("c1", "TEXT"),
                               ("c2", "REAL"), ("c3", "INTEGER")])
    t1 = difftest.Table("t1", [("c0", "INTEGER"), ("c1", "INTEGER"),
                               ("c2", "TEXT")], pk=0)
    ints = [rng.randint(-500, 500) for _ in range(300)] + \
        [vals.int() for _ in range(20)]
    texts = [vals.text() for _ in range(40)] + \
        ["w%03d" % i for i in range(200)]
    reals = [vals.real() for _ in range(60)]

    def maybe(v, p=0.05):
        return None if rng.random() < p else v
    t0.rows = [(maybe(rng.choice(ints)), maybe(rng.choice(texts)),
                maybe(rng.choice(reals)), maybe(rng.randint(0, 9), 0.2))
               for _ in range(2000)]
    t1.rows = [(k, maybe(rng.choice(ints)), maybe(rng.choice(texts)))
               for k in rng.sample(range(1, 100000), 400)]
    return difftest.Schema([t0, t1])


def answer(out):
    """A query's Outcome as something to compare: the error's first
    line, or the rows."""
    if out.fatal:
        return ("fatal", out.error)
    if out.error is not None:
        return ("error", out.error.split("\n")[0])
    return ("rows", out.columns, [tuple(r) for r in out.rows])


def same(a, b, ordered):
    if a[0] != "rows" or b[0] != "rows" or ordered:
        return a == b
    return a[1] == b[1] and sorted(a[2], key=repr) == sorted(b[2], key=repr)


def test_the_plan_never_changes_the_answer(t):
    """200 queries aimed at random indexes (equalities on a prefix of the
    columns, ranges, IN, IS NULL, ORDER BY with LIMIT, min/max, joins)
    give the same rows without the indexes, with them, after ANALYZE and
    INSERT, UPDATE and DELETE kept them up (the statistics now stale),
    and after DROP INDEX; some of the plans use an index, and \\check
    says ok with the indexes."""
    rng = random.Random(t.seed)
    schema = random_tables(rng)
    irng = random.Random("%d/indexes" % t.seed)
    difftest.gen_indexes(irng, schema)
    for tbl in schema.tables:      # at least one index each, made here
        if not tbl.indexes:
            tbl.indexes.append(difftest.Index(
                tbl.name + "_i9", tbl.name, [(tbl.cols[1][0], False)],
                False, True))
    indexes = [x for tbl in schema.tables for x in tbl.indexes]
    gen = difftest.IndexQueries(difftest.Gen(irng, schema, {}))
    queries = []
    while len(queries) < 200:
        case = gen.case(("diff",))
        if difftest.deterministic(case.roots[0]):
            queries.append((case.statements()[0],
                            difftest.total_order(case.roots[0])))
    changes = []
    dml = difftest.Gen(irng, schema, {})
    while len(changes) < 30:
        case = difftest.gen_dml(dml)
        if case is not None:
            changes.append(difftest.stmt_sql(case.roots[0]))

    db = difftest.Strata(["strata"], t.path("plan.db"), t.env, t.timeout)
    try:
        for tbl in schema.tables:
            for sql in [tbl.create_sql()] + list(tbl.insert_sqls(
                    chunk=200)):
                out = db.run(sql)
                t.check(out.error is None, "%s: %s" % (sql[:80], out.error))

        def run_all(what):
            return [(sql, ordered, answer(db.run(sql)))
                    for sql, ordered in queries]

        def compare(before, after, what):
            for (sql, ordered, a), (_, _, b) in zip(before, after):
                t.check(b[0] != "fatal", "%s: %s: strata failed: %s" % (
                    what, sql, b[1]))
                t.check(same(a, b, ordered), "%s: %s\n  before: %r\n  "
                        "after:  %r" % (what, sql, shorten(a), shorten(b)))

        def check_file(what):
            out = db.command("\\check")
            t.check(out == b"ok\n", "%s: \\check said %r" % (what, out))

        plain = run_all("without indexes")
        made = []
        for x in indexes:
            out = db.run(x.create_sql())
            if out.error is None:
                made.append(x)
            else:
                t.check(x.unique and "duplicate key" in out.error,
                        "%s: %s" % (x.create_sql(), out.error))
        t.check(made, "no index could be made")
        check_file("after CREATE INDEX")
        compare(plain, run_all("with indexes"),
                "with indexes %s" % ", ".join(x.name for x in made))
        used = 0
        for sql, _ in queries:
            plan = db.run("EXPLAIN " + sql)
            used += plan.error is None and "Index" in b" ".join(
                bytes(v or b"") for r in plan.rows for v in r).decode(
                    "utf-8", "replace")
        t.check(used >= 20, "only %d of %d plans use an index" % (
            used, len(queries)))

        out = db.run("ANALYZE")
        t.check(out.error is None, "ANALYZE: %s" % out.error)
        for sql in changes:
            out = db.run(sql)
            t.check(not out.fatal, "%s: strata failed: %s" % (sql,
                                                               out.error))
        check_file("after the changes")
        indexed = run_all("after the changes")
        for x in made:
            out = db.run("DROP INDEX %s" % x.name)
            t.check(out.error is None, "DROP INDEX %s: %s" % (x.name,
                                                             out.error))
        compare(indexed, run_all("after DROP INDEX"),
                "the changed tables, with and after DROP INDEX")
    finally:
        problem = db.close()
    t.check(problem is None, problem or "")


# --- the join order never changes the answer -------------------------------

JOIN_TABLES = [("j0", 2000), ("j1", 300), ("j2", 40), ("j3", 6)]
SCAN_RE = re.compile(r"Scan (?:using \S+ on )?\S+ AS (t\d)")


def join_query(rng):
    """A join of three or four of JOIN_TABLES, named in a random order
    as t0, t1, ...: each item after the first joined to one before it by
    an equality, as JOIN ... ON, a comma and WHERE, or a LEFT JOIN;
    perhaps a filter, perhaps an IS NULL on a LEFT JOIN's right item;
    and either aggregates or, in ORDER BY order, the columns of one item
    first. (sql, the number of leading ORDER BY columns or 0, the FROM
    order as aliases.)"""
    names = rng.sample([n for n, _ in JOIN_TABLES], rng.choice([3, 4]))
    aliases = ["t%d" % i for i in range(len(names))]
    frm = "%s AS t0" % names[0]
    where = []
    lefts = []
    for i in range(1, len(names)):
        o = rng.randrange(i)
        mine, theirs = rng.choice([("a", "id"), ("id", "a"), ("a", "a")])
        on = "t%d.%s = t%d.%s" % (i, mine, o, theirs)
        if rng.random() < 0.25:
            on += " AND t%d.b < %d" % (i, rng.randrange(10))
        op = rng.choice([",", "JOIN", "JOIN", "LEFT JOIN"])
        if op == ",":
            frm += ", %s AS t%d" % (names[i], i)
            where.append(on)
        else:
            frm += " %s %s AS t%d ON %s" % (op, names[i], i, on)
        if op == "LEFT JOIN":
            lefts.append(i)
    if rng.random() < 0.5:
        i = rng.randrange(len(names))
        where.append(rng.choice(["t%d.b < %d" % (i, rng.randrange(10)),
                                 "t%d.c = 'x%d'" % (i, rng.randrange(10)),
                                 "t%d.id < %d" % (i, rng.randrange(60))]))
    if lefts and rng.random() < 0.3:
        where.append("t%d.id IS NULL" % rng.choice(lefts))
    sql = "SELECT %s FROM " + frm + (" WHERE " + " AND ".join(where)
                                     if where else "")
    if rng.random() < 0.6:
        cols = ", ".join("count(t%d.id), sum(t%d.a), max(t%d.c)" % (
            i, i, i) for i in range(len(names)))
        return sql % ("count(*), " + cols), 0, aliases
    # Of any item: a LEFT JOIN's right item cannot go first even so.
    k = rng.randrange(len(names))
    keys = rng.choice([["a"], ["b", "id"], ["id"], ["c", "a"]])
    first = ", ".join("t%d.%s" % (k, c) for c in keys)
    rest = ", ".join("t%d.id" % i for i in range(len(names)) if i != k)
    sql = sql % (first + ", " + rest) + " ORDER BY " + first
    return sql, len(keys), aliases


def test_the_join_order_never_changes_the_answer(t):
    """120 joins of three or four tables of 6 to 2,000 rows, their FROM
    items in random orders (inner joins, commas with WHERE, LEFT JOINs,
    filters, an IS NULL on a LEFT JOIN's right item), give sqlite3's
    rows without indexes, with indexes on the joined columns and after
    ANALYZE: with ORDER BY, also in its order. The plans join in an
    order other than FROM's for at least a third of the queries, and
    the indexes change the order of at least ten."""
    rng = random.Random("%d/join order" % t.seed)
    db = difftest.Strata(["strata"], t.path("order.db"), t.env, t.timeout)
    lite = difftest.Sqlite()

    def both(sql):
        mine, theirs = db.run(sql), lite.run(sql)
        t.check(mine.error is None and theirs.error is None,
                "%s: strata %s, sqlite3 %s" % (sql, mine.error,
                                               theirs.error))
        return mine

    def order_of(sql):
        plan = db.run("EXPLAIN " + sql)
        t.check(plan.error is None, "EXPLAIN %s: %s" % (sql, plan.error))
        text = "\n".join(bytes(r[0]).decode() for r in plan.rows)
        return SCAN_RE.findall(text)

    def run_all(what):
        orders = []
        for sql, n_keys, aliases in queries:
            mine, theirs = db.run(sql), lite.run(sql)
            t.check(not mine.fatal and mine.error is None,
                    "%s: %s: %s" % (what, sql, mine.error))
            t.check(theirs.error is None, "%s: sqlite3: %s: %s" % (
                what, sql, theirs.error))
            t.check(difftest.results_equal(theirs.rows, mine.rows, False),
                    "%s: %s\n  strata:  %s\n  sqlite3: %s" % (
                        what, sql, mine.show()[:600],
                        difftest.Outcome(rows=theirs.rows).show()[:600]))
            t.check(all(difftest.rows_equal(a[:n_keys], b[:n_keys])
                        for a, b in zip(theirs.rows, mine.rows)),
                    "%s: %s: not in ORDER BY order" % (what, sql))
            order = order_of(sql)
            t.check(sorted(order) == aliases, "%s: EXPLAIN %s scans %r" % (
                what, sql, order))
            orders.append(order)
        return orders

    try:
        rows = random.Random("%d/join rows" % t.seed)
        for name, n in JOIN_TABLES:
            both("CREATE TABLE %s (id INTEGER PRIMARY KEY, a INTEGER, "
                 "b INTEGER, c TEXT)" % name)
            values = []
            for i in range(1, n + 1):
                a = "NULL" if rows.random() < 0.05 else rows.randrange(50)
                values.append("(%d, %s, %d, 'x%d')" % (
                    i, a, rows.randrange(10), rows.randrange(10)))
            for k in range(0, n, 500):
                both("INSERT INTO %s VALUES %s" % (
                    name, ", ".join(values[k:k + 500])))
        queries = []
        while len(queries) < 120:
            sql, n_keys, aliases = join_query(rng)
            out = lite.run("SELECT count(*) FROM (%s)" % sql)
            if out.error is None and out.rows[0][0] <= 3000:
                queries.append((sql, n_keys, aliases))
        plain = run_all("without indexes")
        for name, _ in JOIN_TABLES:
            for col in "abc":
                both("CREATE INDEX %s_%s ON %s (%s)" % (name, col, name,
                                                         col))
        indexed = run_all("with indexes")
        both("ANALYZE")
        analyzed = run_all("after ANALYZE")
    finally:
        lite.close()
        problem = db.close()
    t.check(problem is None, problem or "")
    moved = sum(o != a for o, (_, _, a) in zip(plain + indexed + analyzed,
                                               queries * 3))
    t.check(moved >= len(queries), "only %d of %d plans join in an order "
            "other than FROM's" % (moved, 3 * len(queries)))
    changed = sum(a != b for a, b in zip(plain, indexed))
    t.check(changed >= 10, "the indexes changed the order of only %d "
            "queries" % changed)


def shorten(a):
    if a[0] == "rows" and len(a[2]) > 8:
        return a[:2] + (a[2][:8] + ["... %d rows" % len(a[2])],)
    return a


# --- EXPLAIN ----------------------------------------------------------------

def test_explain_shows_the_index_for_a_point_lookup(t):
    """A lookup by an indexed column is planned through the index; before
    the index and after DROP INDEX, the same query scans the table; the
    rows are the same in all three."""
    rows = ["(%d, 'name%d', %d)" % (i, i, i % 7) for i in range(1, 2001)]
    query = "SELECT id, b FROM t WHERE b = 'name1234';"
    lines = ["CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT, c INTEGER);"]
    lines += ["INSERT INTO t VALUES %s;" % ", ".join(rows[i:i + 500])
              for i in range(0, len(rows), 500)]
    lines += ["EXPLAIN " + query, query,
              "CREATE INDEX t_b ON t (b);", "EXPLAIN " + query, query,
              "DROP INDEX t_b;", "EXPLAIN " + query, query]
    replies = session(t, lines)
    check_ok(t, lines, replies, "the session")
    first = len(lines) - 8      # the first EXPLAIN's reply
    scan, indexed, dropped = (replies[first + i] for i in (0, 3, 6))
    for what, plan in (("before CREATE INDEX", scan),
                       ("after DROP INDEX", dropped)):
        t.check("Index" not in plan and re.search(r"\bScan t\b", plan),
                "%s, EXPLAIN shows no plain scan of t:\n%s" % (what, plan))
    t.check("Index" in indexed and "t_b" in indexed,
            "with the index t_b, EXPLAIN does not show it:\n%s" % indexed)
    for i in (1, 4, 7):
        t.check_equal(replies[first + i], "id,b\n1234,name1234\n",
                      "the lookup's answer: %s" % lines[first + i])


def test_explain_shows_index_order_ranges_and_index_joins(t):
    """With an index on k: ORDER BY k LIMIT 5 reads the index in order
    and sorts nothing; k IN (...) and a range on k are index scans; a
    join whose inner side is compared on k looks each outer row up in
    the index. Before the index each of them scans (and the ORDER BY
    sorts); the rows are the same both times, and are the right ones."""
    n = 5000
    keys = [(i * 7919) % n for i in range(1, n + 1)]
    lines = ["CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, v TEXT);",
             "CREATE TABLE s (x INTEGER);",
             "INSERT INTO s VALUES (17), (4242), (-1);"]
    lines += ["INSERT INTO t VALUES %s;" % ", ".join(
        "(%d, %d, 'v%d')" % (i, keys[i - 1], i)
        for i in range(a, min(a + 500, n + 1))) for a in range(1, n + 1, 500)]
    queries = ["SELECT k FROM t ORDER BY k LIMIT 5;",
               "SELECT id FROM t WHERE k IN (3, 99, 4000) ORDER BY id;",
               "SELECT count(*) FROM t WHERE k >= 100 AND k < 120;",
               "SELECT s.x, t.id FROM s JOIN t ON t.k = s.x ORDER BY 1;"]
    by_key = {k: i for i, k in enumerate(keys, 1)}
    answers = ["k\n0\n1\n2\n3\n4\n",
               "id\n" + "".join("%d\n" % i for i in sorted(
                   by_key[k] for k in (3, 99, 4000))),
               "count\n20\n",
               "x,id\n17,%d\n4242,%d\n" % (by_key[17], by_key[4242])]
    explained = [x for q in queries for x in ("EXPLAIN " + q, q)]
    lines += explained + ["CREATE INDEX t_k ON t (k);"] + explained
    replies = session(t, lines)
    check_ok(t, lines, replies, "the session")
    first = len(lines) - 2 * len(explained) - 1
    for phase, at in (("without t_k", first),
                      ("with t_k", first + len(explained) + 1)):
        for i, (q, want) in enumerate(zip(queries, answers)):
            plan, rows = replies[at + 2 * i], replies[at + 2 * i + 1]
            t.check_equal(rows, want, "%s: %s" % (phase, q))
            if phase == "with t_k":
                t.check("Index" in plan and "t_k" in plan,
                        "%s: EXPLAIN %s shows no index:\n%s" % (phase, q,
                                                                plan))
            else:
                t.check("Index" not in plan, "%s: EXPLAIN %s shows an "
                        "index:\n%s" % (phase, q, plan))
        order_plan = replies[at]
        t.check(("Sort" in order_plan) == (phase == "without t_k"),
                "%s: ORDER BY k LIMIT 5 %s:\n%s" % (
                    phase, "sorts, though t_k is in k's order"
                    if phase == "with t_k" else "does not sort",
                    order_plan))


# --- CREATE INDEX in bounded memory -----------------------------------------

def test_create_index_on_a_table_far_larger_than_the_pool(t):
    """200,000 rows (about 2,200 pages) and a pool of 8 frames: CREATE
    INDEX on a text column in random order builds, in under 32 MiB,
    \\check says ok, and lookups and a range through the index find the
    rows the table has."""
    rng = random.Random(t.seed)
    n = 200000
    rows = [(i, "".join(rng.choice("abcdefghij") for _ in range(10)),
             rng.randint(0, 10 ** 6)) for i in range(1, n + 1)]
    t.path("rows.csv").write_text("".join("%d,%s,%d\n" % r for r in rows))
    small = {"STRATA_POOL_PAGES": "8"}
    lines = ["CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, v INTEGER);",
             "\\copy t FROM 'rows.csv' CSV"]
    replies = session(t, lines, env=small)
    check_ok(t, lines, replies, "the load")
    lines = ["CREATE INDEX t_s ON t (s);", "\\memory"]
    replies = session(t, lines, env=small)
    t.check_equal(replies[0], "CREATE INDEX\n", "CREATE INDEX's reply")
    peak = re.match(r"peak memory: (\d+) KiB", replies[1])
    t.check(peak is not None, "\\memory said %r" % replies[1])
    if not t.sanitized:     # ASan's quarantine and shadow: see sort_memory
        t.check(int(peak.group(1)) < LIMIT_KIB, "CREATE INDEX of %d rows "
                "peaked at %s KiB, over %d" % (n, peak.group(1), LIMIT_KIB))
    probe = rows[n // 3]
    low, high = "c", "cab"
    lines = ["\\check",
             "SELECT id, s, v FROM t WHERE s = '%s';" % probe[1],
             "SELECT count(*) FROM t WHERE s >= '%s' AND s < '%s';" % (
                 low, high),
             "EXPLAIN SELECT id FROM t WHERE s = '%s';" % probe[1]]
    replies = session(t, lines, env=small)
    t.check_equal(replies[0], "ok\n", "\\check after CREATE INDEX")
    t.check_equal(replies[1], "id,s,v\n" + "".join(
        "%d,%s,%d\n" % r for r in rows if r[1] == probe[1]),
        "the lookup of s = %r" % probe[1])
    t.check_equal(replies[2], "count\n%d\n" % sum(
        1 for r in rows if low <= r[1] < high), "the range's count")
    t.check("Index" in replies[3], "the lookup is not planned through "
            "t_s:\n%s" % replies[3])


# --- UNIQUE -----------------------------------------------------------------

UNIQUE_SETUP = [
    "CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT, n INTEGER);",
    "INSERT INTO u VALUES (1, 'ann@x', 10), (2, 'bo@x', 20), "
    "(3, NULL, 30), (4, 'cy@x', 40);",
    "CREATE UNIQUE INDEX u_email ON u (email);",
]
UNIQUE_ROWS = "id,email,n\n1,ann@x,10\n2,bo@x,20\n3,,30\n4,cy@x,40\n"
DUPLICATE = 'duplicate key value violates unique constraint "u_email"'


def test_unique_refuses_duplicates_and_changes_nothing(t):
    """INSERT of a row whose email is taken (after rows that are not),
    two new rows with one email, an UPDATE onto a taken email, an UPDATE
    of many rows that collides on the way, and a \\copy of a file whose
    last row is a duplicate: each is refused with PostgreSQL's message,
    and the table reads back as it was; NULLs are distinct, and a
    refused statement leaves the index exact (\\check)."""
    t.path("dup.csv").write_text("5,dee@x,50\n6,eve@x,60\n7,ann@x,70\n")
    refused = [
        "INSERT INTO u VALUES (5, 'dee@x', 50), (6, 'bo@x', 60);",
        "INSERT INTO u VALUES (5, 'dee@x', 50), (6, 'dee@x', 60);",
        "UPDATE u SET email = 'ann@x' WHERE id = 2;",
        "UPDATE u SET email = 'same@x' WHERE n >= 20;",
        "\\copy u FROM 'dup.csv' CSV",
    ]
    lines = list(UNIQUE_SETUP)
    for statement in refused:
        lines += [statement, "SELECT * FROM u ORDER BY id;", "\\check"]
    lines += ["INSERT INTO u VALUES (5, NULL, 50), (6, NULL, 60);",
              "UPDATE u SET email = 'ann@x' WHERE id = 1;",
              "SELECT count(*) FROM u WHERE email IS NULL;", "\\check"]
    replies = session(t, lines)
    check_ok(t, lines[:3], replies[:3], "the set-up")
    for i, statement in enumerate(refused):
        at = 3 + 3 * i
        t.check(replies[at].startswith("ERROR:  ") and
                DUPLICATE in replies[at].split("\n")[0], "%r: replied %r, "
                "not an error that %s" % (statement, replies[at][:300],
                                          DUPLICATE))
        t.check_equal(replies[at + 1], UNIQUE_ROWS,
                      "the table after %r" % statement)
        t.check_equal(replies[at + 2], "ok\n",
                      "\\check after %r" % statement)
    t.check_equal(replies[-5:-1], ["INSERT 0 2\n", "UPDATE 1\n",
                                   "count\n3\n", "ok\n"],
                  "NULLs, which are distinct, and an email set to itself")


def test_unique_index_over_duplicates_is_refused(t):
    """CREATE UNIQUE INDEX over rows that repeat a value fails, and leaves
    no index behind: the same duplicates can still be inserted, and a
    plain index of that name can be made after."""
    lines = ["CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT);",
             "INSERT INTO u VALUES (1, 'a'), (2, 'b'), (3, 'a');",
             "CREATE UNIQUE INDEX u_email ON u (email);",
             "INSERT INTO u VALUES (4, 'b');",
             "CREATE INDEX u_email ON u (email);",
             "SELECT id FROM u WHERE email = 'b' ORDER BY id;", "\\check"]
    replies = session(t, lines)
    t.check(replies[2].startswith("ERROR:  "), "CREATE UNIQUE INDEX over "
            "duplicates replied %r" % replies[2])
    t.check_equal(replies[3:], ["INSERT 0 1\n", "CREATE INDEX\n",
                                "id\n2\n4\n", "ok\n", ""],
                  "after the refused index")


def test_primary_key_and_unique_on_any_columns(t):
    """PRIMARY KEY on a text column and UNIQUE on another (06 and 07
    refused both) are kept by unique indexes: a duplicate of either is
    refused, the table stays as it was, NULLs in the UNIQUE column are
    distinct."""
    lines = ["CREATE TABLE p (code TEXT PRIMARY KEY, n INTEGER UNIQUE);",
             "INSERT INTO p VALUES ('a', 1), ('b', NULL), ('c', NULL);",
             "INSERT INTO p VALUES ('a', 5);",
             "INSERT INTO p VALUES ('d', 1);",
             "UPDATE p SET code = 'b' WHERE code = 'c';",
             "SELECT * FROM p ORDER BY code;", "\\check"]
    replies = session(t, lines)
    check_ok(t, lines[:2], replies[:2], "the set-up")
    for at in (2, 3, 4):
        t.check(replies[at].startswith("ERROR:  duplicate key value "
                                       "violates unique constraint \""),
                "%r replied %r" % (lines[at], replies[at][:300]))
    t.check_equal(replies[5:7], ["code,n\na,1\nb,\nc,\n", "ok\n"],
                  "the table after the refusals")


# --- keys too long ----------------------------------------------------------

def test_a_key_too_long_for_the_index_is_refused_in_one_line(t):
    """A text of 5,000 bytes cannot be a key of an index (BTREE_MAX_KEY is
    640 bytes): the INSERT is refused with a one-line
    error and the table is unchanged; CREATE INDEX over a table that
    holds such a text is refused the same way and makes no index; the
    text itself goes into a table without an index, as before."""
    long_text = "x" * 5000
    lines = ["CREATE TABLE k (id INTEGER PRIMARY KEY, s TEXT);",
             "CREATE INDEX k_s ON k (s);",
             "INSERT INTO k VALUES (1, 'short'), (2, '%s');" % long_text,
             "SELECT count(*) FROM k;",
             "DROP INDEX k_s;",
             "INSERT INTO k VALUES (2, '%s');" % long_text,
             "CREATE INDEX k_s ON k (s);",
             "SELECT id, length(s) FROM k ORDER BY id;", "\\di", "\\check"]
    replies = session(t, lines)
    check_ok(t, lines[:2], replies[:2], "the set-up")
    for at in (2, 6):
        reply = replies[at]
        t.check(reply.startswith("ERROR:  ") and reply.count("\n") == 1 and
                len(reply) < 200, "%s... replied %r: not a one-line error"
                % (lines[at][:50], reply[:400]))
    t.check_equal(replies[3], "count\n0\n", "the table after the refusal")
    t.check_equal([replies[4], replies[5], replies[7]],
                  ["DROP INDEX\n", "INSERT 0 1\n", "id,length\n2,5000\n"],
                  "the long text without an index")
    t.check("k_s" not in replies[8], "the refused index is listed:\n%s" %
            replies[8])
    t.check_equal(replies[9], "ok\n", "\\check")


# --- against sqlite3 --------------------------------------------------------

def test_index_queries_agree_with_sqlite3(t):
    """The differential tester with every case aimed at an index: random
    schemas with indexes made before and after their rows, queries on
    their columns, answered by strata and by sqlite3 with the same
    indexes."""
    draw = random.Random("%d/sql_indexes" % t.seed)
    checked = 0
    for seed in [draw.randrange(1, 10 ** 9) for _ in range(6)]:
        found, n = difftest.run_seed(
            seed, ["strata"], t.dir, 150, {"indexes": True,
                                           "index_share": 1.0},
            env=t.env, timeout=t.timeout, oracles=["diff", "tlp"],
            stop_at_first=True)
        checked += n
        if found:
            case, failure = found[0]
            reducer = difftest.Reducer(["strata"], t.dir, t.env, t.timeout,
                                       budget_s=20 * (4 if t.sanitized
                                                      else 1))
            case, failure, reduced = reducer.reduce(case, failure)
            raise harness.Failure(
                "%s\nreplay: python3 tests/difftest.py --strata "
                "milestones/%s/strata --seed %d --queries 150 --oracle diff "
                "--oracle tlp (index cases only: cfg index_share 1.0)" % (
                    difftest.report(seed, case, failure, reduced),
                    t.milestone.name, seed))
    t.check(checked >= 500, "only %d cases were made" % checked)
