#!/usr/bin/env python3
"""selftest.py - tests of the test runner and the tools around it.

The runner decides what counts as a failure; these tests hold it to its
rules on made-up milestones whose `strata` is a small shell script, so
each rule is checked on a case that must fail and one that must pass.
`make test` runs them (tests/run.py: "selftest: ..."); alone:

  python3 tests/selftest.py -v
"""
import argparse
import shutil
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run          # noqa: E402
import transcript   # noqa: E402
import milestones   # noqa: E402  (run.py put scripts/ on the path)
import chapters     # noqa: E402


def script(path, body):
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(0o755)


class Fixture(unittest.TestCase):
    """Two milestones, 01-old and 02-new, in a scratch directory; each
    `strata` prints its own name for any input line."""

    def setUp(self):
        self.top = Path(tempfile.mkdtemp(prefix="selftest-"))
        self.old = self.milestone("01-old")
        self.new = self.milestone("02-new")
        args = argparse.Namespace(san=False, update=False, timeout=10,
                                  verbose=False, k=None, seed=None)
        self.runner = run.Runner(args)

    def tearDown(self):
        shutil.rmtree(self.top, ignore_errors=True)
        shutil.rmtree(self.runner.scratch, ignore_errors=True)

    def milestone(self, name):
        path = self.top / name
        path.mkdir()
        script(path / "strata", """\
            while read -r line; do echo 'db > %s'; done
            printf 'db > '
            """ % name)
        return milestones.Milestone(path)

    def suite(self, name, text):
        path = self.top / name
        path.write_text(textwrap.dedent(text))
        return path

    def predecessor(self, path):
        job = self.runner.predecessor_job(path, self.new, self.old, "pre")
        [result] = job()
        return result


class PredecessorRule(Fixture):
    """A suite that starts at 02 must fail on 01 by its own checks."""

    def test_an_exception_is_not_a_failure(self):
        path = self.suite("helper.py", """\
            import harness
            MILESTONES = "02"
            def test_x(t):
                next(iter(()))   # a helper's StopIteration, not a check
            """)
        result = self.predecessor(path)
        self.assertFalse(result.ok)
        self.assertIn("test_x: error: StopIteration", result.detail)

    def test_an_assertion_is_a_failure(self):
        path = self.suite("check.py", """\
            MILESTONES = "02"
            def test_x(t):
                t.check(t.milestone.name == "02-new", "not 02")
            """)
        self.assertTrue(self.predecessor(path).ok)

    def test_each_test_counts_on_its_own(self):
        path = self.suite("mixed.py", """\
            MILESTONES = "02"
            def test_error(t):
                raise KeyError("k")
            def test_passes(t):
                pass
            """)
        result = self.predecessor(path)
        self.assertFalse(result.ok)
        self.assertIn("test_error: error: KeyError", result.detail)
        self.assertIn("test_passes: passes", result.detail)

    def test_a_transcript_mismatch_is_a_failure(self):
        path = self.suite("new.t", """\
            milestones: 02
            ## says its name
            $ strata x.db
            db > hello
            02-new
            db >
            """)
        self.assertTrue(self.predecessor(path).ok)

    def test_a_transcript_that_passes_before_is_reported(self):
        path = self.suite("same.t", """\
            milestones: 02
            ## says nothing about its name
            $ echo hello
            hello
            """)
        result = self.predecessor(path)
        self.assertFalse(result.ok)
        self.assertIn("says nothing about its name: passes", result.detail)

    def test_a_timeout_is_not_a_failure(self):
        self.runner.args.timeout = 0.5
        path = self.suite("slow.t", """\
            milestones: 02
            ## hangs
            $ sleep 5
            """)
        result = self.predecessor(path)
        self.assertFalse(result.ok)
        self.assertIn("hangs: error: `sleep 5` timed out", result.detail)


class TestMarks(Fixture):
    """A Python test marked @harness.milestones(...) applies where its
    suite and its mark both do, and only there."""

    def test_a_mark_narrows_the_suite(self):
        path = self.suite("marked.py", """\
            import harness
            MILESTONES = "01-"
            def test_every(t):
                pass
            @harness.milestones("02-")
            def test_later(t):
                pass
            """)
        module, error = run.load_python_suite(path)
        self.assertIsNone(error)
        every = run.test_applies(module, module.test_every)
        later = run.test_applies(module, module.test_later)
        self.assertEqual([every(1), every(2), later(1), later(2)],
                         [True, True, False, True])

    def test_a_bad_mark_is_refused(self):
        path = self.suite("badmark.py", """\
            import harness
            MILESTONES = "01-"
            @harness.milestones("2-")
            def test_x(t):
                pass
            """)
        module, error = run.load_python_suite(path)
        self.assertIsNone(module)
        self.assertIn("bad milestone range '2-'", error)

    def test_the_predecessor_runs_only_the_first_milestones_tests(self):
        path = self.suite("later.py", """\
            import harness
            MILESTONES = "02-"
            def test_passes(t):
                pass
            @harness.milestones("03-")
            def test_fails_anywhere(t):
                t.check(False, "a check")
            """)
        result = self.predecessor(path)
        self.assertFalse(result.ok)
        self.assertNotIn("test_fails_anywhere", result.detail)


class Setups(Fixture):
    """A set-up's errors fail the test that depends on it."""

    def commands(self, text):
        commands, error = transcript.parse_commands(
            textwrap.dedent(text).split("\n"), 1)
        return commands, error

    def test_output_to_dev_null_is_refused(self):
        for line in ("$ strata t.db < rows.txt > /dev/null",
                     "$ ./strata t.db < rows.txt >/dev/null",
                     "$ echo x | STRATA_FAULT=count=p strata t 2>/dev/null"):
            _, error = self.commands(line)
            self.assertIn("hides any error", error or "", line)

    def test_a_crash_run_may_discard_its_output(self):
        commands, error = self.commands("""\
            $ STRATA_FAULT=crash=6 strata t.db < one.txt > /dev/null
            [exit 99]
            $ printf x | dd of=t.db bs=1 seek=4 conv=notrunc 2>/dev/null
            """)
        self.assertIsNone(error)
        self.assertEqual(commands[0].exit_status, 99)

    def test_a_failing_command_inside_a_pipeline_fails(self):
        # As a sanitizer report ends a run: all output printed, then exit 1.
        script(self.old.path / "strata", """\
            while read -r line; do echo 'db > Executed.'; done
            exit 1
            """)
        commands, _ = self.commands("""\
            $ printf 'a\\nb\\n' | strata t.db | grep -c Executed
            2
            """)
        env = self.runner.env_for(self.old)
        outcome = transcript.run_command(commands[0], self.top, env, 10)
        self.assertFalse(outcome.ok)
        self.assertEqual(outcome.exit_status, 1)


class BookSessions(Fixture):
    """A book session runs as a reader types it in milestones/NN-slug/."""

    def chapter(self, body):
        path = self.top / "02-new.md"
        path.write_text("# Chapter\n\n```session\n%s```\n" %
                        textwrap.dedent(body))
        chapter = chapters.Chapter(path)
        return self.runner.chapter_job(chapter, self.new)()

    def test_dot_slash_strata_is_the_milestones_binary(self):
        results = self.chapter("""\
            $ ./strata t.db
            db > hi
            02-new
            db >
            """)
        self.assertTrue(all(r.ok for r in results),
                        [r.detail for r in results])

    def test_strata_on_the_path_is_not_what_a_reader_has(self):
        results = self.chapter("""\
            $ strata t.db
            db > hi
            02-new
            db >
            """)
        self.assertFalse(results[-1].ok)
        self.assertIn("not found", results[-1].detail)


class Milestones(unittest.TestCase):
    """How milestones are compared: drift, diffs and their stat."""

    def setUp(self):
        self.top = Path(tempfile.mkdtemp(prefix="selftest-"))

    def tearDown(self):
        shutil.rmtree(self.top, ignore_errors=True)

    def make(self, name, files):
        path = self.top / name
        for rel, text in files.items():
            (path / rel).parent.mkdir(parents=True, exist_ok=True)
            (path / rel).write_text(text)
        return milestones.Milestone(path)

    @staticmethod
    def c_file(body):
        return "/* x.c */\n\nint f(int a)\n{\n%s\n}\n\nint g(void)\n" \
               "{\n    return 0;\n}\n" % body

    def test_a_function_that_skips_a_milestone_is_drift(self):
        ms = [self.make("01-a", {"src/x.c": self.c_file("    return a;")}),
              self.make("02-b", {"src/x.c": self.c_file("    return -a;")}),
              self.make("03-c", {"src/x.c": self.c_file("    return a;")})]
        self.assertEqual([(rel, name) for rel, name, _ in
                          milestones.drift(ms)], [("src/x.c", "f")])

    def test_a_change_that_is_carried_forward_is_not_drift(self):
        ms = [self.make("01-a", {"src/x.c": self.c_file("    return a;")}),
              self.make("02-b", {"src/x.c": self.c_file("    return -a;")}),
              self.make("03-c", {"src/x.c": self.c_file("    return -a;")})]
        self.assertEqual(milestones.drift(ms), [])

    def test_the_diff_is_minimal(self):
        # One line changed in each of 50 blocks: 50 lines out, 50 in.
        # (Python's difflib, which the tools once used, shows 52 and 52.)
        old = "".join("block %d\n%s" % (i, "same\n" * 5) for i in range(50))
        new = old.replace("same\nsame\nsame\nsame\nsame\n",
                          "same\nsame\nnew\nsame\nsame\n")
        a = self.make("01-a", {"README.md": old})
        b = self.make("02-b", {"README.md": new})
        lines = milestones.file_diff(a, b, "README.md").splitlines()[2:]
        self.assertEqual((sum(x.startswith("+") for x in lines),
                          sum(x.startswith("-") for x in lines)), (50, 50))

    def test_stat_bars_are_to_scale(self):
        a = self.make("01-a", {"src/x.c": "", "src/y.c": ""})
        b = self.make("02-b", {"src/x.c": "x\n" * 300, "src/y.c": "y\n" * 30})
        stat = milestones.diff_stat(a, b).split("\n")
        # As git draws it in 80 columns: 300 lines fill the graph's width
        # (80 - 7 for the name - 3 for the count - 6), 30 take a tenth.
        self.assertEqual(stat[0], " src/x.c | 300 " + "+" * 64)
        self.assertEqual(stat[1], " src/y.c |  30 " + "+" * 7)
        self.assertEqual(stat[2], " 2 files changed, 330 insertions(+)")

    def test_files_a_reader_makes_are_not_part_of_a_milestone(self):
        a = self.make("01-a", {"src/x.c": "", "Makefile": "", "test.db": "",
                               "rows.txt": "", "strata": ""})
        self.assertEqual(milestones.source_files(a), ["Makefile", "src/x.c"])


class ChapterEnds(unittest.TestCase):
    """Every chapter after 01 ends with the whole diff from the one
    before; 01 has none."""

    def ending(self, slug, text):
        top = Path(tempfile.mkdtemp(prefix="selftest-"))
        try:
            path = top / (slug + ".md")
            path.write_text(text)
            return chapters.Chapter(path).ending_error()
        finally:
            shutil.rmtree(top)

    def test_a_chapter_after_01_needs_the_whole_diff(self):
        self.assertIn("must end with {{fulldiff 01 02}}",
                      self.ending("02-btree", "# 02\n\nText.\n"))
        self.assertIn("must end with", self.ending(
            "02-btree", "# 02\n\n{{fulldiff 01 02}}\n\nMore text.\n"))
        self.assertIn("must end with", self.ending(
            "03-slotted-pages", "# 03\n\n{{fulldiff 01 03}}\n"))
        self.assertIsNone(self.ending("02-btree",
                                      "# 02\n\n{{fulldiff 01 02}}\n\n"))

    def test_chapter_01_has_none(self):
        self.assertIsNone(self.ending("01-fixed-rows", "# 01\n"))
        self.assertIn("has no {{fulldiff}}", self.ending(
            "01-fixed-rows", "# 01\n{{fulldiff 01 02}}\n"))


if __name__ == "__main__":
    unittest.main()
