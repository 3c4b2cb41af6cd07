#!/usr/bin/env python3
"""test_slt.py - tests of the sqllogictest runner, tests/slt.py.

Small hand-written .test files go through the runner on both engines:
sqlite (Python's sqlite3) and strata, with the test double
tests/slt_fake_strata.py in place of strata, so that the pipe protocol
runs for real. Each test checks that the runner catches what it must (a
wrong value, row count, sort, hash, statement outcome, label), honours
skipif/onlyif/halt and skip rules, renders values by the README's rules,
and survives a strata that crashes, hangs or never ends a statement.
Then the project's own files, and the shared corpus when it is there
(its first records of each file, on both engines).

Run: python3 -m unittest discover -s tests -p 'test_slt.py' (or run this
file). Needs nothing but Python 3.
"""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import slt                  # noqa: E402

FAKE = HERE / "slt_fake_strata.py"
CORPUS_LIMIT = 300          # records of each corpus file run here


class Scratch(unittest.TestCase):
    """A scratch directory per test, and ways to run a .test text."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="test-slt-")
        self.dir = Path(self.tmp.name)
        self.n_files = 0

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, text, name=None):
        """TEXT as a file, each line without its leading white space (the
        tests indent them as the code around them)."""
        self.n_files += 1
        path = self.dir / (name or "t%d.test" % self.n_files)
        path.write_text("\n".join(line.lstrip() for line in
                                  text.lstrip("\n").split("\n")))
        return path

    def run_on(self, engine, text, strata=FAKE, **options):
        """TEXT as a .test file through ENGINE; one FileResult."""
        path = self.write(text)
        return slt.run_files([path], engine, strata if engine == "strata"
                             else None, workdir=self.dir, **options)[0]

    def each_engine(self, text, **options):
        """[(engine, FileResult)] for both engines; the engine is in the
        result's name, so in every report."""
        results = []
        for engine in ("sqlite", "strata"):
            result = self.run_on(engine, text, **options)
            result.name += " (engine %s)" % engine
            results.append((engine, result))
        return results

    def check_counts(self, result, passed, failed, skipped):
        self.assertEqual((result.passed, result.failed,
                          result.skipped_total),
                         (passed, failed, skipped), result.report())
        self.assertEqual(result.records, passed + failed + skipped)


TABLE = """
    statement ok
    CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)

    statement ok
    INSERT INTO t VALUES (3, 30, 'c'), (1, 10, 'a'), (2, 20, 'b')
"""


class Rendering(unittest.TestCase):
    def test_integers(self):
        cases = [(3.9, "3"), (-3.9, "-3"), (0.5, "0"), (b"12abc", "12"),
                 (b"abc", "0"), (b"", "0"), (b"  -42x", "-42"),
                 (b"3.9", "3"), (7, "7"), (-7, "-7"),
                 (2 ** 32 + 5, "5"), (-2 ** 31 - 1, "2147483647"),
                 (2 ** 63 - 1, "-1"), (1e20, "-1"), (-1e20, "0"),
                 (float("nan"), "0"), (b"99999999999999999999999", "-1")]
        for value, rendered in cases:
            with self.subTest(value=value):
                self.assertEqual(slt.render(value, "I"), rendered)

    def test_reals(self):
        cases = [(1.5, "1.500"), (2, "2.000"), (-0.25, "-0.250"),
                 (1e20, "100000000000000000000.000"), (b"2.5abc", "2.500"),
                 (b"abc", "0.000"), (b"", "0.000"),
                 # SQLite's printf rounds its decimal digits; C gives 1.000.
                 (1.0005, "1.001")]
        for value, rendered in cases:
            with self.subTest(value=value):
                self.assertEqual(slt.render(value, "R"), rendered)

    def test_text(self):
        cases = [(b"", "(empty)"), (b"abc", "abc"), (b" a ~", " a ~"),
                 (b"a\tb\x7f\n", "a@b@@"), ("é".encode(), "@@"),
                 (12, "12"), (-3, "-3"), (100.0, "100.0"),
                 (1e20, "1.0e+20")]
        for value, rendered in cases:
            with self.subTest(value=value):
                self.assertEqual(slt.render(value, "T"), rendered)

    def test_null_whatever_the_type(self):
        for letter in "IRT":
            self.assertEqual(slt.render(None, letter), "NULL")

    def test_csv_fields_read_as_numbers_where_they_can(self):
        """An unquoted CSV field may be a number or a text; a real
        read as I is truncated, a text read for its leading integer."""
        csv = slt.CsvText
        cases = [(csv(b"3.9"), "I", "3"), (csv(b"-3.9"), "I", "-3"),
                 (csv(b"12abc"), "I", "12"), (csv(b"1e+20"), "I", "-1"),
                 (csv(b"1e+20"), "R", "100000000000000000000.000"),
                 (csv(b"100"), "T", "100"), (csv(b"1.50"), "T", "1.50"),
                 (csv(b"t"), "T", "t")]
        for value, letter, rendered in cases:
            with self.subTest(value=value, letter=letter):
                self.assertEqual(slt.render(value, letter), rendered)

    def test_hash_is_md5_of_values_each_with_a_newline(self):
        import hashlib
        self.assertEqual(slt.md5_of(["1", "a"]),
                         hashlib.md5(b"1\na\n").hexdigest())

    def test_sort_modes(self):
        rows = [["2", "b"], ["10", "a"], ["2", "a"]]
        self.assertEqual(slt.arrange(rows, "nosort"),
                         ["2", "b", "10", "a", "2", "a"])
        # Rendered strings compare as strings: "10" before "2".
        self.assertEqual(slt.arrange(rows, "rowsort"),
                         ["10", "a", "2", "a", "2", "b"])
        self.assertEqual(slt.arrange(rows, "valuesort"),
                         ["10", "2", "2", "a", "a", "b"])


class Csv(unittest.TestCase):
    def test_fields(self):
        rows = slt.parse_csv(b'a,b\n1,\n"",x\n"q,""u""\nv",2\r\n\n')
        self.assertEqual(rows, [[b"a", b"b"], [b"1", None], [b"", b"x"],
                                [b'q,"u"\nv', b"2"], [None]])
        self.assertIsInstance(rows[1][0], slt.CsvText)
        self.assertNotIsInstance(rows[2][0], slt.CsvText)

    def test_trailing_empty_field(self):
        self.assertEqual(slt.parse_csv(b"1,\n"), [[b"1", None]])

    def test_bad_quoting(self):
        for data in (b'"open\n', b'a"b\n', b'"a"b\n'):
            with self.subTest(data=data):
                self.assertRaises(ValueError, slt.parse_csv, data)


class Parsing(unittest.TestCase):
    def test_records(self):
        records = slt.parse(textwrap.dedent("""\
            # a comment
            hash-threshold 4

            skipif mysql # not compatible
            onlyif sqlite
            query IT rowsort label-7
            SELECT 1,
              'a'
            ----
            1
            a

            statement error
            DROP TABLE x

            halt
            """).replace("\n", "\r\n"))
        kinds = [r.kind for r in records]
        self.assertEqual(kinds, ["hash-threshold", "query", "statement",
                                 "halt"])
        q = records[1]
        self.assertEqual((q.types, q.sort, q.label, q.line_no),
                         ("IT", "rowsort", "label-7", 6))
        self.assertEqual(q.conditions, [("skipif", "mysql"),
                                        ("onlyif", "sqlite")])
        self.assertEqual(q.sql, "SELECT 1,\n  'a'")
        self.assertEqual(q.expected, ["1", "a"])
        self.assertFalse(records[2].expect_ok)

    def test_hash_line(self):
        q = slt.parse("query I\nSELECT 1\n----\n30 values hashing to "
                      "0123456789abcdef0123456789abcdef\n")[0]
        self.assertEqual(q.hashed, (30, "0123456789abcdef0123456789abcdef"))
        self.assertEqual(q.sort, "nosort")

    def test_bad_records(self):
        for text in ("query X\nSELECT 1\n----\n1\n", "statement maybe\nX\n",
                     "query I\n----\n1\n", "frobnicate\n", "skipif x\n",
                     "hash-threshold many\n", "statement ok\n",
                     "query I rowsort nosort\nSELECT 1\n----\n1\n"):
            with self.subTest(text=text):
                self.assertEqual(slt.parse(text)[0].kind, "bad")


class Runner(Scratch):
    def test_a_passing_file(self):
        for _, r in self.each_engine(TABLE + """
                query IIT nosort
                SELECT * FROM t
                ----
                1
                10
                a
                2
                20
                b
                3
                30
                c

                query T nosort
                SELECT s FROM t WHERE id = 2
                ----
                b
                """):
            self.check_counts(r, 4, 0, 0)
            self.assertTrue(r.ok)

    def test_wrong_value(self):
        for _, r in self.each_engine(TABLE + """
                query IT nosort
                SELECT id, s FROM t WHERE id = 2
                ----
                2
                x
                """):
            self.check_counts(r, 2, 1, 0)
            f = r.failures[0]
            self.assertEqual((f.line_no, f.sql),
                             (7, "SELECT id, s FROM t WHERE id = 2"))
            self.assertIn("values differ at value 2", f.message)
            self.assertIn("expected (2 values):\n    2\n    x", f.message)
            self.assertIn("actual (2 values):\n    2\n    b", f.message)
            self.assertRegex(str(f), r"^FAIL .*/t\d\.test:7: query IT "
                             r"nosort\n    SELECT id, s FROM t")

    def test_wrong_row_count(self):
        for _, r in self.each_engine(TABLE + """
                query I nosort
                SELECT id FROM t
                ----
                1
                2

                query I nosort
                SELECT id FROM t WHERE id = 9
                ----
                9
                """):
            self.check_counts(r, 2, 2, 0)
            self.assertIn("expected (2 values)", r.failures[0].message)
            self.assertIn("actual (3 values)", r.failures[0].message)
            self.assertIn("actual (0 values):\n    (nothing)",
                          r.failures[1].message)

    def test_wrong_sort(self):
        """nosort keeps the engine's order (row ids: 1, 2, 3), so the
        insertion order is wrong there and right after rowsort."""
        for _, r in self.each_engine(TABLE + """
                query I nosort
                SELECT id FROM t
                ----
                3
                1
                2

                query I rowsort
                SELECT id FROM t
                ----
                1
                2
                3

                query IT rowsort
                SELECT id, s FROM t
                ----
                1
                a
                2
                b
                3
                c

                query IT valuesort
                SELECT id, s FROM t
                ----
                1
                2
                3
                a
                b
                c

                query IT valuesort
                SELECT id, s FROM t
                ----
                1
                a
                2
                b
                3
                c
                """):
            self.check_counts(r, 5, 2, 0)
            self.assertEqual([f.line_no for f in r.failures], [7, 41])

    def test_hash(self):
        good = slt.md5_of(["1", "a", "2", "b", "3", "c"])
        bad = good[:-1] + ("0" if good[-1] != "0" else "1")
        for _, r in self.each_engine(TABLE + """
                hash-threshold 2

                query IT nosort
                SELECT id, s FROM t
                ----
                6 values hashing to %s

                query IT nosort
                SELECT id, s FROM t
                ----
                6 values hashing to %s

                query IT nosort
                SELECT id, s FROM t WHERE id = 1
                ----
                6 values hashing to %s
                """ % (good, bad, good)):
            self.check_counts(r, 3, 2, 0)
            self.assertIn("expected 6 values hashing to %s\ngot      6 "
                          "values hashing to %s" % (bad, good),
                          r.failures[0].message)
            self.assertIn("got      2 values", r.failures[1].message)

    def test_statement_outcomes(self):
        for _, r in self.each_engine(TABLE + """
                statement error
                INSERT INTO t VALUES (4, 40, 'd')

                statement ok
                INSERT INTO t VALUES (1, 11, 'dup')

                statement error
                INSERT INTO t VALUES (1, 11, 'dup')

                statement ok
                SELEC 1

                statement error
                SELEC 1

                statement error
                SELECT * FROM nowhere
                """):
            self.check_counts(r, 5, 3, 0)
            self.assertEqual([f.message.split("\n")[0] for f in r.failures],
                             ["statement error succeeded",
                              "statement ok failed:",
                              "statement ok failed:"])
            self.assertIn("UNIQUE", r.failures[1].message)

    def test_query_errors_and_columns(self):
        for _, r in self.each_engine(TABLE + """
                query I nosort
                SELECT nope FROM t
                ----

                query II nosort
                SELECT id FROM t WHERE id = 1
                ----
                1
                """):
            self.check_counts(r, 2, 2, 0)
            self.assertIn("query failed:", r.failures[0].message)
            self.assertIn("nope", r.failures[0].message)
            self.assertIn("returned 1 columns, its types II say 2",
                          r.failures[1].message)

    def test_labels(self):
        """Queries with one label must agree, whatever each file says;
        the second of label-2 matches its own (wrong) values but not the
        first of its label."""
        for _, r in self.each_engine(TABLE + """
                query I rowsort label-1
                SELECT id FROM t
                ----
                1
                2
                3

                query I nosort label-1
                SELECT id FROM t
                ----
                1
                2
                3

                query I nosort label-2
                SELECT id FROM t WHERE id = 1
                ----
                1

                query I nosort label-2
                SELECT id FROM t WHERE id = 2
                ----
                2
                """):
            self.check_counts(r, 5, 1, 0)
            f = r.failures[0]
            self.assertEqual(f.line_no, 26)
            self.assertIn("label-2 differs from the query with the same "
                          "label at line 21", f.message)

    def test_skipif_onlyif(self):
        text = TABLE + """
            skipif sqlite
            statement ok
            NOT SQL AT ALL

            onlyif mysql # mysql only
            statement ok
            NOT SQL EITHER

            onlyif sqlite
            skipif postgresql
            query I nosort
            SELECT id FROM t WHERE id = 1
            ----
            1

            skipif mysql
            query I nosort
            SELECT id FROM t WHERE id = 2
            ----
            2

            onlyif strata
            statement error
            SELECT * FROM nowhere
            """
        r = self.run_on("sqlite", text)
        self.check_counts(r, 4, 0, 3)
        self.assertEqual(dict(r.skipped), {"skipif sqlite": 1,
                                           "onlyif mysql": 1,
                                           "onlyif strata": 1})
        # Strata answers to "strata" and "sqlite".
        r = self.run_on("strata", text)
        self.check_counts(r, 5, 0, 2)
        self.assertEqual(dict(r.skipped), {"skipif sqlite": 1,
                                           "onlyif mysql": 1})
        # ... or to the names it is given.
        r = self.run_on("strata", text, names={"sqlite"})
        self.check_counts(r, 4, 0, 3)

    def test_halt(self):
        for _, r in self.each_engine(TABLE + """
                onlyif mysql
                halt

                query I nosort
                SELECT id FROM t WHERE id = 1
                ----
                1

                halt

                query I nosort
                SELECT id FROM t WHERE id = 1
                ----
                999

                statement ok
                NOT SQL
                """):
            self.check_counts(r, 3, 0, 2)
            self.assertEqual(dict(r.skipped), {"after halt at line 15": 2})

    def test_limit(self):
        for _, r in self.each_engine(TABLE + """
                statement ok
                NOT SQL

                statement ok
                NOT SQL
                """, limit=3):
            self.check_counts(r, 2, 1, 1)
            self.assertEqual(dict(r.skipped), {"beyond --limit 3": 1})

    def test_bad_record_fails(self):
        for _, r in self.each_engine(TABLE + """
                query Q
                SELECT 1
                ----
                1
                """):
            self.check_counts(r, 2, 1, 0)
            self.assertIn("TYPES of I, R and T", r.failures[0].message)

    def test_skip_rules(self):
        """A skipped statement ok skips the rest of the file, unless its
        rule is harmless; a skipped query or statement error does not."""
        text = TABLE + """
            statement ok
            CREATE INDEX ti ON t (n)

            query I nosort
            SELECT id FROM t WHERE id = 1
            ----
            1

            statement error
            UPDATE t SET n = n + 1 WHERE nosuch = 1

            query I nosort
            SELECT n + 1 FROM t WHERE id = 1
            ----
            11

            statement ok
            UPDATE t SET n = n + 1

            query I nosort
            SELECT n FROM t WHERE id = 1
            ----
            11
            """
        for engine in ("sqlite", "strata"):
            with self.subTest(engine=engine):
                r = self.run_on(engine, text, rules=slt.rules_for(6))
                self.check_counts(r, 3, 0, 5)
                self.assertEqual(dict(r.skipped), {
                    "needs CREATE INDEX (milestone 08)": 1,
                    "needs query processing (milestone 07)": 3,
                    "follows a statement skipped at line 23 (needs query "
                    "processing (milestone 07))": 1})
                r = self.run_on(engine, text, rules=slt.rules_for(7))
                self.check_counts(r, 7, 0, 1)
                r = self.run_on(engine, text, rules=[
                    slt.Rule("no UPDATE here", r"\bUPDATE\b")])
                self.check_counts(r, 5, 0, 3)

    def test_06_grammar(self):
        inside = ["SELECT * FROM t", "select a, B from T where id = -5",
                  "SELECT a FROM t WHERE s = 'it''s'",
                  "INSERT INTO t VALUES (1, 'a''b', -2.5e3, NULL), (2, "
                  "TRUE, .5, 'x')", "INSERT INTO t (a, b) VALUES (1, 2);",
                  "UPDATE t SET a = 1, b = 'x' WHERE id = 2",
                  "DELETE FROM t", "DELETE FROM t WHERE id = 3",
                  "DROP TABLE IF EXISTS t", "CREATE TABLE t (a INTEGER)"]
        outside = ["SELECT a + 1 FROM t", "SELECT * FROM t WHERE a > 1",
                   "SELECT * FROM t, u", "INSERT INTO t SELECT * FROM u",
                   "INSERT INTO t VALUES (1 + 1)",
                   "UPDATE t SET a = a + 1 WHERE id = 2",
                   "UPDATE t SET a = 1", "DELETE FROM t WHERE x > 5",
                   "SELECT count(*) FROM t", "SELECT 1"]
        rules = slt.rules_for(6)
        for sql in inside:
            with self.subTest(sql=sql):
                self.assertFalse(any(r.applies(sql) for r in rules))
        for sql in outside:
            with self.subTest(sql=sql):
                self.assertTrue(rules[-1].applies(sql))


class StrataProtocol(Scratch):
    def double(self, code):
        """A strata that is the fake with CODE run first (patching it)."""
        path = self.dir / "strata-double"
        path.write_text("#!%s\nimport os, sys, time\nsys.path.insert(0, %r)\n"
                        "import slt_fake_strata as fake\n%s\nfake.main()\n" %
                        (sys.executable, str(HERE), textwrap.dedent(code)))
        path.chmod(0o755)
        return path

    MISBEHAVES = """
        execute = fake.execute

        def misbehave(conn, sql):
            if "CRASH" in sql:
                os._exit(3)
            if "HANG" in sql:
                time.sleep(60)
            execute(conn, sql)

        fake.execute = misbehave
        """

    def test_crash_and_hang(self):
        """A crash or a hang fails its record; a new strata on the same
        database runs the next ones."""
        strata = self.double(self.MISBEHAVES)
        r = self.run_on("strata", TABLE + """
            statement ok
            SELECT 'CRASH'

            query I nosort
            SELECT id FROM t WHERE id = 1
            ----
            1

            statement ok
            SELECT 'HANG'

            query I nosort
            SELECT count(*) FROM t
            ----
            3
            """, strata=strata, timeout=1)
        self.check_counts(r, 4, 2, 0)
        self.assertIn("strata exited with status 3", r.failures[0].message)
        self.assertIn("no reply within 1 s", r.failures[1].message)

    def test_exit_status_at_the_end(self):
        strata = self.double("""
            main = fake.main

            def main_then_fail():
                main()
                print("==1==ERROR: LeakSanitizer: detected memory leaks")
                sys.exit(1)

            fake.main = main_then_fail
            """)
        r = self.run_on("strata", TABLE, strata=strata)
        self.check_counts(r, 2, 0, 0)
        self.assertFalse(r.ok)
        self.assertIn("at the end of its input strata exited with status 1",
                      r.failures[0].message)
        self.assertIn("LeakSanitizer", r.failures[0].message)
        self.assertTrue(r.kept.is_dir())
        self.assertIn("files left in %s" % r.kept, r.report())

    def test_unfinished_statement(self):
        """An open quote never ends the statement: the runner sees the
        shell ask for more, without waiting for the timeout."""
        r = self.run_on("strata", TABLE + """
            statement ok
            INSERT INTO t VALUES (4, 40, 'open)

            query I nosort
            SELECT count(*) FROM t
            ----
            3
            """, timeout=30)
        self.check_counts(r, 3, 1, 0)
        self.assertIn("the statement did not end", r.failures[0].message)
        self.assertLess(r.seconds, 20)

    def test_errors_over_several_lines(self):
        """psql's LINE and caret lines after ERROR:  are part of the
        error, not rows."""
        r = self.run_on("strata", TABLE + """
            statement ok
            SELEC 1

            query I nosort
            SELECT id FROM t WHERE id = 1
            ----
            1
            """)
        self.check_counts(r, 3, 1, 0)
        self.assertIn('ERROR:  syntax error at or near "SELEC"',
                      r.failures[0].message)
        self.assertIn("LINE 1: SELEC 1", r.failures[0].message)

    def test_values_through_csv(self):
        """NULL, the empty string, commas, quotes and line breaks survive
        the CSV; a statement over several lines goes as one."""
        for _, r in self.each_engine("""
                query TTTTT nosort
                SELECT NULL, '', 'a,b', 'say "hi"',
                  'x' || char(10) || 'y'
                ----
                NULL
                (empty)
                a,b
                say "hi"
                x@y

                query IRT nosort
                SELECT 1.5, 1e20, -0.25
                ----
                1
                100000000000000000000.000
                -0.25
                """):
            self.check_counts(r, 2, 0, 0)

    def test_missing_binary(self):
        r = self.run_on("strata", TABLE, strata=self.dir / "no-such-strata")
        self.check_counts(r, 0, 2, 0)
        self.assertIn("cannot run", r.failures[0].message)


class CommandLine(Scratch):
    def cli(self, *args):
        return subprocess.run([sys.executable, str(HERE / "slt.py"),
                               *map(str, args)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              cwd=self.dir)

    def test_exit_status(self):
        good = self.write(TABLE)
        bad = self.write(TABLE + "\nstatement ok\nNOT SQL\n")
        proc = self.cli(good)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("1 files: 2 records, 2 run: 2 passed, 0 failed; 0 "
                      "skipped", proc.stdout)
        proc = self.cli("--engine", "strata", "--strata", FAKE, "--workdir",
                        self.dir, good, bad)
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertIn("(files left in %s/slt-" % self.dir, proc.stdout)
        self.assertIn("FAIL %s:7: statement ok" % bad, proc.stdout)
        self.assertIn("2 files: 5 records, 5 run: 4 passed, 1 failed",
                      proc.stdout)
        self.assertEqual(self.cli("--engine", "strata", good).returncode, 2)
        self.assertEqual(self.cli("--skip-pattern", "no-reason",
                                  good).returncode, 2)

    def test_skip_pattern_and_names(self):
        path = self.write(TABLE + "\nstatement error\nNOT SQL\n\nonlyif x\n"
                          "statement ok\nSELECT 1\n")
        proc = self.cli("--skip-pattern", "^NOT=not SQL", path)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("skipped 1: not SQL", proc.stdout)
        self.assertIn("skipped 1: onlyif x", proc.stdout)
        proc = self.cli("--skip-pattern", "^NOT=not SQL", "--as", "x,y",
                        path)
        self.assertIn("3 run: 3 passed, 0 failed; 1 skipped", proc.stdout)

    def test_no_corpus(self):
        """Without the corpus, --corpus says so in one line, and that is
        no failure."""
        proc = subprocess.run(
            [sys.executable, str(HERE / "slt.py"), "--corpus"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, SLT_DIR=str(self.dir / "none")))
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(proc.stdout, "no sqllogictest corpus in %s (set "
                         "SLT_DIR): its files not run\n" % (self.dir / "none"))

    def test_complete(self):
        """--complete writes results from sqlite3 (values, or a hash past
        the threshold), and the file then passes on both engines."""
        path = self.write(TABLE + """
            query IT rowsort
            SELECT id, s FROM t

            query I nosort
            SELECT id FROM t
            ----
            wrong

            hash-threshold 2

            query IT nosort
            SELECT id, s FROM t
            """)
        proc = self.cli("--complete", path)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        text = path.read_text()
        self.assertIn("SELECT id, s FROM t\n----\n1\na\n2\nb\n3\nc\n", text)
        self.assertIn("SELECT id FROM t\n----\n1\n2\n3\n", text)
        self.assertIn("----\n6 values hashing to %s\n" % slt.md5_of(
            ["1", "a", "2", "b", "3", "c"]), text)
        for engine in ("sqlite", "strata"):
            r = slt.run_files([path], engine, FAKE, workdir=self.dir)[0]
            self.check_counts(r, 5, 0, 0)

    def test_complete_leaves_a_failing_file(self):
        path = self.write(TABLE + "\nstatement ok\nNOT SQL\n\nquery I\n"
                          "SELECT 1\n")
        before = path.read_text()
        proc = self.cli("--complete", path)
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertIn("not rewritten", proc.stdout)
        self.assertEqual(path.read_text(), before)


class ProjectFiles(Scratch):
    """tests/slt/*.test: pass on sqlite3 and, through the fake, on the
    strata engine (answering to "sqlite" only, since the fake has
    sqlite3's semantics, not Strata's); and hold only 06's SQL."""

    def records(self):
        for path in slt.project_files(6):
            for rec in slt.parse(path.read_text()):
                yield path, rec

    def test_they_exist(self):
        self.assertTrue(slt.project_files(6))
        self.assertEqual(slt.project_files(5), [])

    def test_pass(self):
        files = slt.project_files(6)
        for engine in ("sqlite", "strata"):
            for r in slt.run_files(files, engine, FAKE, names={"sqlite"},
                                   workdir=self.dir):
                with self.subTest(engine=engine, file=r.name):
                    self.assertTrue(r.ok, r.report())
                    self.assertGreater(r.passed, 20)
                    self.assertEqual(set(r.skipped) - {"onlyif strata"},
                                     set(), r.summary())

    def test_only_06_sql(self):
        """Every record but a statement that must fail (a syntax error)
        is inside what the 06 rules let through."""
        rules = slt.rules_for(6)
        for path, rec in self.records():
            if rec.kind == "query" or (rec.kind == "statement" and
                                       rec.expect_ok):
                with self.subTest(file=path.name, line=rec.line_no):
                    self.assertFalse(any(r.applies(rec.sql) for r in rules),
                                     rec.sql)

    def test_readable(self):
        """No trailing white space, comment lines within 80 columns, no
        record the runner cannot read."""
        for path in slt.project_files(6):
            for n, line in enumerate(path.read_text().split("\n"), 1):
                with self.subTest(file=path.name, line=n):
                    self.assertEqual(line, line.rstrip())
                    if line.startswith("#"):
                        self.assertLessEqual(len(line), 80)
        for path, rec in self.records():
            self.assertNotEqual(rec.kind, "bad", "%s:%d: %s" % (
                path.name, rec.line_no, rec.message))

    def test_results_are_sqlite3s(self):
        """--complete on a copy changes nothing: every result in the
        files is what sqlite3 returns."""
        for path in slt.project_files(6):
            copy = self.dir / path.name
            copy.write_bytes(path.read_bytes())
            result, n = slt.complete(copy)
            self.assertTrue(result.ok, result.report())
            self.assertGreater(n, 0)
            self.assertEqual(copy.read_bytes(), path.read_bytes(), path.name)


@unittest.skipUnless(slt.corpus_dir(), slt.corpus_missing())
class Corpus(Scratch):
    def test_first_records_of_every_file(self):
        """The first records of each corpus file pass on sqlite3, and
        through the fake with the same counts."""
        files = slt.test_files(slt.corpus_dir())
        self.assertTrue(files)
        by_engine = {}
        for engine in ("sqlite", "strata"):
            results = slt.run_files(files, engine, FAKE, limit=CORPUS_LIMIT,
                                    workdir=self.dir)
            for r in results:
                with self.subTest(engine=engine, file=r.name):
                    self.assertTrue(r.ok, r.report(5))
                    self.assertGreater(r.passed, 0)
            by_engine[engine] = [(r.name, r.passed, r.failed,
                                  dict(r.skipped)) for r in results]
        self.assertEqual(by_engine["sqlite"], by_engine["strata"])


if __name__ == "__main__":
    unittest.main()
