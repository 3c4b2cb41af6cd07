#!/usr/bin/env python3
"""run.py - runs every test of every milestone; ends with "N passed, N failed".

What it runs, each against every milestone it applies to:

  tests/suites/*.t    transcript suites: terminal sessions with exact output
                      (the format is described in tests/transcript.py)
  tests/suites/*.py   Python suites, for what a transcript can't say briefly
                      (the API is in tests/harness.py)
  milestones/*/tests  each milestone's C unit tests, through `make unit`
  book/*.md           every chapter's excerpts must resolve and its sessions
                      must run as printed, against the chapter's milestone,
                      as a reader types them in milestones/NN-slug/: in a
                      directory where ./strata is the milestone's binary
                      (strata-san with --san), with no strata on PATH;
                      its pictures' scripts must run and their drawings
                      read what was printed; the whole book must render
  clang               every milestone and its unit tests must build with
                      clang, warning-free, in build/clang/ (not with --san)
  fuzz                from 06 on: the milestone's libFuzzer target
                      (tests/fuzz_sql.c, built with clang) for 45 seconds
                      shared by the targets, from a fixed seed, over the
                      seeds of tests/sql_corpus.py and tests/fuzz_corpus/
                      (not with --san: a sanitizer build of its own)
  bench               `make bench` runs, at its smallest (not with --san)
  drift               no function is the same in milestones N-1 and N+1
                      but different in N (a fix carried past N, or an
                      edit that skipped it), when three neighbours run
  tests/selftest.py   the runner's own tests: what counts as a failure
  sqllogictest        from 06 on: the project's files (tests/slt/NN-*.test)
                      and every file of the shared corpus
                      (../shared/sqllogictest, or $SLT_DIR) through
                      tests/slt.py, one result per file, with the records
                      the milestone cannot run yet skipped by name and
                      reason (never counted as passed); and slt.py's own
                      tests (tests/test_slt.py), once

Every suite names the milestones it applies to on a line such as
"milestones: 01-05" (Python: MILESTONES = "01-05"); a suite without one is
refused and counts as a failure. A test may apply to fewer of them (a
transcript's own "milestones:" line, a Python test marked
@harness.milestones("06-")).

A suite that starts at a milestone after the first must fail on the
milestone before it (a test that passes without the new code tests
nothing new): when both milestones are tested, as in a plain run
without -m, the runner runs it there too, and counts "SUITE fails on
NN-slug" as passed when at least one of its tests fails there by its
own check: a transcript whose output or exit status differs, a Python
test that raises harness.Failure. An error (any other exception, a
timeout) is not such a failure. A Python suite that starts later for
another reason says why in NOT_NEW = "..." (formats.py compares each
milestone with the one before, which 01 does not have). Not with --san.

Milestones with a buffer pool (05 on) run every transcript and Python
suite twice: with the default pool, and with a pool of 8 frames
(STRATA_POOL_PAGES=8), where pages are evicted all the time.

Usage: tests/run.py [-m NN] [--san] [-k TEXT] [--update] [--seed N]
                    [-j JOBS] [--timeout S] [-v]
  -m NN      only milestone NN (repeatable)
  --san      test the sanitizer builds (strata-san)
  -k TEXT    only tests whose name contains TEXT
  --update   rewrite the expected output of failing transcripts and book
             sessions with what the program printed (needs exactly one -m;
             runs no variant); review the change with git diff
  --seed N   seed for randomized tests (default: each test's fixed seed)
"""
import argparse
import concurrent.futures
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "book" / "tools"))

import harness      # noqa: E402
import milestones   # noqa: E402
import transcript   # noqa: E402
import chapters     # noqa: E402
import slt          # noqa: E402

SUITES = HERE / "suites"
SQL_FIRST = 6       # the first milestone that speaks SQL
DRIFT = "no function skips a milestone"
DEFAULT_SEED = 20261123


class Variant:
    """A way of running the suites: an environment for strata, from a
    milestone on."""

    def __init__(self, name, env, first):
        self.name = name      # "" for the plain run
        self.env = env
        self.first = first

    def label(self, milestone):
        return "%s%s" % (milestone.name, ", " + self.name if self.name
                         else "")


VARIANTS = [Variant("", {}, 1),
            Variant("pool 8", {"STRATA_POOL_PAGES": "8"}, 5)]
PLAIN = VARIANTS[0]


class Result:
    def __init__(self, name, milestone, ok, detail="", variant=None):
        self.name = name            # "basics.t: insert then select"
        self.milestone = milestone  # a Milestone, or None
        self.variant = variant or PLAIN
        self.ok = ok
        self.detail = detail        # what went wrong, readable
        self.seconds = 0.0          # the job's time, on its first result


class Runner:
    def __init__(self, args):
        self.args = args
        self.binary = "strata-san" if args.san else "strata"
        self.bin_dirs = {}
        self.updates = []           # (path, first_line, n_lines, new_lines)
        self.lock = threading.Lock()
        self.scratch = Path(tempfile.mkdtemp(prefix="strata-tests-"))

    # --- the environment a test runs in ---------------------------------

    def env_for(self, milestone, variant=PLAIN, on_path=True):
        """The environment of a test: PATH leads to a directory whose
        `strata` runs this milestone's binary (not ON_PATH: a book
        session, which types ./strata), and the variant's settings."""
        with self.lock:
            if milestone.name not in self.bin_dirs:
                bin_dir = self.scratch / "bin" / milestone.name
                bin_dir.mkdir(parents=True)
                wrapper = bin_dir / "strata"
                wrapper.write_text('#!/bin/sh\nexec "%s" "$@"\n' %
                                   (milestone.path / self.binary))
                wrapper.chmod(0o755)
                self.bin_dirs[milestone.name] = bin_dir
        env = dict(os.environ)
        if on_path:
            env["PATH"] = "%s:%s" % (self.bin_dirs[milestone.name],
                                     env.get("PATH", ""))
        env["LC_ALL"] = "C"
        env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
        env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
        env.pop("STRATA_POOL_PAGES", None)
        env.pop("STRATA_FAULT", None)
        env.update(variant.env)
        return env

    def workdir(self, label):
        return Path(tempfile.mkdtemp(prefix=label + "-", dir=self.scratch))

    def timeout(self):
        return self.args.timeout * (4 if self.args.san else 1)

    # --- transcript suites ----------------------------------------------

    def run_commands(self, commands, milestone, cwd, path, variant=PLAIN,
                     record=True, env=None):
        """Runs COMMANDS in CWD; returns a failure report or "". Stops at
        the first failure, except with --update and RECORD, which records
        every failing block and goes on."""
        env = env or self.env_for(milestone, variant)
        reports = []
        for cmd in commands:
            outcome = transcript.run_command(cmd, cwd, env, self.timeout())
            if outcome.ok:
                continue
            reports.append(transcript.describe_failure(cmd, outcome))
            if not (self.args.update and record):
                break
            with self.lock:
                self.updates.append((path, cmd.line_no, cmd.n_block_lines,
                                     transcript.updated_block(outcome)))
        return "\n".join(reports)

    def transcript_job(self, suite_path, test, milestone, variant):
        def job():
            cwd = self.workdir("t")
            report = self.run_commands(test.commands, milestone, cwd,
                                       suite_path, variant)
            if not report:
                shutil.rmtree(cwd, ignore_errors=True)
            else:
                report = "%s:%d\n%s\n  (files left in %s)" % (
                    rel(suite_path), test.line_no, report, cwd)
            return [Result("%s: %s" % (suite_path.name, test.name),
                           milestone, not report, report, variant)]
        job.where = variant.label(milestone)
        return job

    # --- Python suites ----------------------------------------------------

    def python_job(self, suite_path, func, milestone, variant):
        def job():
            cwd = self.workdir("py")
            seed = self.args.seed if self.args.seed is not None \
                else DEFAULT_SEED
            t = harness.Test(milestone, cwd, self.env_for(milestone, variant),
                             self.timeout(), seed, self.binary)
            name = "%s: %s" % (suite_path.name, func.__name__)
            try:
                func(t)
            except harness.Failure as e:
                return [Result(name, milestone, False,
                               "%s\n  %s\n  seed %d (replay: make test "
                               "M=%s K=%s SEED=%d)\n  (files left in %s)" % (
                                   rel(suite_path), str(e).replace(
                                       "\n", "\n  "), seed, milestone.tag,
                                   func.__name__, seed, cwd), variant)]
            except Exception:
                return [Result(name, milestone, False,
                               "%s\n%s" % (rel(suite_path),
                                           traceback.format_exc()), variant)]
            shutil.rmtree(cwd, ignore_errors=True)
            return [Result(name, milestone, True, variant=variant)]
        job.where = variant.label(milestone)
        return job

    # --- unit tests -------------------------------------------------------

    def unit_job(self, milestone):
        def job():
            cmd = ["make", "-s", "-C", str(milestone.path), "unit"]
            if self.args.san:
                cmd.append("SAN=1")
            try:
                proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT,
                                      env=self.env_for(milestone),
                                      timeout=self.timeout() * 5)
            except subprocess.TimeoutExpired:
                return [Result("unit tests", milestone, False, "timed out")]
            out = proc.stdout.decode("utf-8", "backslashreplace")
            results = []
            for line in out.splitlines():
                if line.startswith("PASS "):
                    results.append(Result("unit: " + line[5:], milestone,
                                          True))
                elif line.startswith("FAIL "):
                    results.append(Result("unit: " + line[5:].split(":")[0],
                                          milestone, False, line))
            if proc.returncode != 0 and all(r.ok for r in results):
                results.append(Result("unit tests", milestone, False,
                                      "`%s` failed:\n%s" % (" ".join(cmd),
                                                            out)))
            return [r for r in results if self.selected(r.name)]
        job.where = milestone.name
        return job

    # --- the book ---------------------------------------------------------

    def chapter_job(self, chapter, milestone):
        """The chapter's sessions run as a reader types them: in one
        directory where ./strata is the milestone's binary and src/ its
        sources (as in milestones/NN-slug/ after `make`), and no strata
        on PATH."""
        def job():
            results = []
            errors = chapter.excerpt_errors()
            results.append(Result("%s: excerpts resolve" % chapter.file_name,
                                  milestone, not errors, "\n".join(errors)))
            try:
                sessions = chapter.sessions()
            except chapters.DirectiveError as e:
                results.append(Result("%s: sessions parse" %
                                      chapter.file_name, milestone, False,
                                      str(e)))
                return [r for r in results if self.selected(r.name)]
            cwd = self.workdir("book")
            (cwd / "strata").symlink_to(milestone.path / self.binary)
            (cwd / "src").symlink_to(milestone.path / "src")
            env = self.env_for(milestone, on_path=False)
            clean = True
            for line_no, commands in sessions:
                name = "%s: session at line %d" % (chapter.file_name,
                                                   line_no)
                # Every session runs (each builds on the ones before), but
                # only a chosen one is rewritten.
                report = self.run_commands(commands, milestone, cwd,
                                           chapter.path,
                                           record=self.selected(name),
                                           env=env)
                if report:
                    clean = False
                    report = "%s:%d\n%s\n  (files left in %s)" % (
                        rel(chapter.path), line_no, report, cwd)
                results.append(Result(name, milestone, not report, report))
            if clean:
                shutil.rmtree(cwd, ignore_errors=True)
            return [r for r in results if self.selected(r.name)]
        job.where = milestone.name
        return job

    def picture_job(self, chapter, milestone):
        """Each {{picture}} of CHAPTER: its script runs on the milestone it
        names, and its drawing must read what that printed."""
        def job():
            results = []
            for kind, line_no, payload in chapter.blocks():
                if kind != "directive" or payload[0] != "picture":
                    continue
                name = "%s: picture %s" % (chapter.file_name,
                                           " ".join(payload[1][1:2]))
                if not self.selected(name):
                    continue
                cwd = self.workdir("picture")
                try:
                    figure = chapters.pictures.Figure(chapter.slug,
                                                      *payload)
                    figure.draw(self.binary, self.env_for(figure.milestone),
                                self.timeout(), cwd)
                    report = ""
                    shutil.rmtree(cwd, ignore_errors=True)
                except chapters.pictures.PictureError as e:
                    report = "%s:%d\n%s\n  (files left in %s)" % (
                        rel(chapter.path), line_no, e, cwd)
                results.append(Result(name, milestone, not report, report))
            return results
        job.where = milestone.name
        return job

    def render_job(self):
        def job():
            out_dir = self.workdir("render")
            proc = subprocess.run(
                [sys.executable, str(ROOT / "book" / "tools" / "render.py"),
                 "--out", str(out_dir)],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            ok = proc.returncode == 0
            if ok:
                shutil.rmtree(out_dir, ignore_errors=True)
            return [Result("book renders", None, ok,
                           proc.stdout.decode("utf-8", "replace"))]
        job.where = "the book"
        return job

    # --- sqllogictest ------------------------------------------------------

    def slt_job(self, milestone, path, rules):
        """One sqllogictest file on the milestone, its scratch databases
        in memory (/dev/shm) when the machine has it: the corpus makes
        thousands of durable commits."""
        def job():
            shm = Path("/dev/shm")
            workdir = self.workdir("slt") if not shm.is_dir() else \
                Path(tempfile.mkdtemp(prefix="strata-slt-", dir=shm))
            results = slt.run_files(
                [path], "strata", strata=milestone.path / self.binary,
                env=self.env_for(milestone), workdir=workdir, rules=rules,
                timeout=self.timeout())
            out = [Result("slt: %s" % r.name, milestone, r.ok,
                          r.report(20)) for r in results]
            if all(r.ok for r in results):
                shutil.rmtree(workdir, ignore_errors=True)
            return out
        job.where = milestone.name
        return job

    def slt_jobs(self, chosen):
        jobs = []
        corpus = slt.corpus_dir()
        for m in chosen:
            if m.number < SQL_FIRST:
                continue
            files = [(p, ()) for p in slt.project_files(m.number)]
            if corpus is not None:
                files += [(p, slt.rules_for(m.number))
                          for p in slt.test_files(corpus)]
            for path, rules in files:
                if self.selected("slt: %s" % slt.display_name(path)):
                    jobs.append(self.slt_job(m, path, rules))
        if corpus is None and any(m.number >= SQL_FIRST for m in chosen):
            print("note: %s" % slt.corpus_missing())
        return jobs

    def slt_selftest_job(self):
        """slt.py's own tests, one result each."""
        def job():
            proc = subprocess.run(
                [sys.executable, "-m", "unittest", "-v", "test_slt"],
                cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                timeout=self.timeout() * 20)
            out = proc.stdout.decode("utf-8", "replace")
            results = unittest_results(out, "slt.py: ")
            if proc.returncode != 0 and all(r.ok for r in results):
                results.append(Result("slt.py's tests", None, False, out))
            return [r for r in results if self.selected(r.name)]
        job.where = "the sqllogictest runner"
        return job

    # --- the project's own rules --------------------------------------------

    def selftest_job(self):
        """The runner's own tests (tests/selftest.py), one result each."""
        def job():
            proc = subprocess.run([sys.executable, str(HERE / "selftest.py"),
                                   "-v"], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  timeout=self.timeout() * 5)
            out = proc.stdout.decode("utf-8", "replace")
            results = unittest_results(out, "selftest: ")
            if proc.returncode != 0 and all(r.ok for r in results):
                results.append(Result("selftest", None, False, out))
            return [r for r in results if self.selected(r.name)]
        job.where = "the runner"
        return job

    def style_job(self, chosen):
        def job():
            long_lines = []
            files = list((ROOT / "common").glob("*.[ch]"))
            for m in chosen:
                files += list(m.path.glob("src/*.[ch]"))
                files += list(m.path.glob("tests/*.[ch]"))
            for path in sorted(files):
                for n, line in enumerate(path.read_text().split("\n"), 1):
                    if len(line.expandtabs()) > 80:
                        long_lines.append("%s:%d: %d columns" % (
                            rel(path), n, len(line.expandtabs())))
            return [Result("C lines fit in 80 columns", None,
                           not long_lines, "\n".join(long_lines))]
        job.where = "the style"
        return job

    def bench_job(self, chosen):
        """`make bench` at its smallest (300 rows, one round, no
        callgrind, the load, the selects and the indexes): not a test of
        speed, but it must run. Its report goes to a scratch directory."""
        def job():
            out = self.workdir("bench")
            cmd = [sys.executable, str(ROOT / "scripts" / "bench"), "--quick",
                   "--runs", "1", "-n", "300", "--no-instructions",
                   "--only", "load", "--only", "select", "--only", "index",
                   "--out", str(out)]
            for m in chosen:
                cmd += ["-m", m.tag]
            try:
                proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT,
                                      env=self.env_for(chosen[-1]),
                                      timeout=self.timeout() * 10)
            except subprocess.TimeoutExpired:
                return [Result("the bench runs", None, False, "timed out")]
            ok = proc.returncode == 0 and (out / "report.txt").exists()
            if ok:
                shutil.rmtree(out, ignore_errors=True)
            return [Result("the bench runs", None, ok, "`%s` failed:\n%s" % (
                " ".join(cmd), proc.stdout.decode("utf-8", "replace")))]
        job.where = "the bench"
        return job

    def drift_job(self, chosen):
        """A function the same in milestones N-1 and N+1 but not in N: a
        fix carried past N, or an edit that skipped it."""
        def job():
            found = milestones.drift(chosen)
            return [Result(DRIFT, None, not found, "\n".join(
                "milestones/%s/%s: %s() is the same in %s and %s but "
                "differs in %s" % (m.name, rel, name, before, after, m)
                for rel, name, (before, m, after) in found))]
        job.where = "the milestones' functions"
        return job

    def clang_job(self, milestone, name):
        """Builds the milestone and its unit tests with clang, the second
        compiler. rules.mk compiles with -Werror, so a warning fails."""
        def job():
            if shutil.which("clang") is None:
                return [Result(name, None, False, "clang is not installed "
                               "(scripts/install-deps installs it)")]
            # Targets in build/clang/: plain `make CC=clang` would also
            # overwrite ./strata, the binary the other tests run.
            targets = ["build/clang/strata"] + [
                "build/clang/tests/" + src.stem
                for src in sorted(milestone.path.glob("tests/test_*.c"))]
            cmd = ["make", "-s", "-C", str(milestone.path), "CC=clang"]
            try:
                proc = subprocess.run(cmd + targets, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT,
                                      timeout=self.timeout() * 5)
            except subprocess.TimeoutExpired:
                return [Result(name, None, False, "timed out")]
            return [Result(name, None, proc.returncode == 0,
                           "`%s` failed:\n%s" % (
                               " ".join(cmd + targets), proc.stdout.decode(
                                   "utf-8", "backslashreplace")))]
        job.where = milestone.name
        return job

    def fuzz_jobs(self, chosen, budget=45):
        """A job per libFuzzer target (tests/fuzz_*.c) of the chosen
        milestones: `make fuzz-build` (clang, ASan, UBSan, in build/fuzz/),
        then a run from a fixed seed over the suites' SQL and
        tests/fuzz_corpus/, BUDGET seconds shared by all targets. One
        test each: it fails on a crash, leak, timeout or failed check,
        with the input shown and saved. Not with --san (the fuzzer is its
        own sanitizer build): that skip is printed and counts as nothing."""
        targets = [(m, src) for m in chosen
                   for src in sorted(m.path.glob("tests/fuzz_*.c"))
                   if self.selected("fuzz: " + src.stem)]
        if self.args.san:
            for m, src in targets:
                print("SKIP fuzz: %s [%s]: not run with --san, since the "
                      "fuzzer is its own ASan and UBSan build; make test "
                      "without SAN=1 runs it" % (src.stem, m.name))
            return []
        seconds = max(10, budget // max(1, len(targets)))

        def make_job(m, src):
            name = "fuzz: %s" % src.stem

            def job():
                if shutil.which("clang") is None:
                    return [Result(name, m, False, "clang is not installed "
                                   "(scripts/install-deps installs it); it "
                                   "builds the fuzzer with libFuzzer")]
                cmd = ["make", "-s", "-C", str(m.path), "fuzz-build"]
                try:
                    proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT,
                                          timeout=self.timeout() * 10)
                except subprocess.TimeoutExpired:
                    return [Result(name, m, False, "`%s` timed out" %
                                   " ".join(cmd))]
                if proc.returncode != 0:
                    return [Result(name, m, False, "`%s` failed; it needs "
                                   "clang with libFuzzer (Debian's clang "
                                   "has it):\n%s" % (" ".join(cmd),
                                   proc.stdout.decode("utf-8", "replace")))]
                cwd = self.workdir("fuzz")
                (cwd / "corpus").mkdir()
                seed = self.args.seed if self.args.seed is not None \
                    else DEFAULT_SEED
                fuzz = m.path / "build" / "fuzz"
                run = [str(fuzz / "tests" / src.stem),
                       "-max_total_time=%d" % seconds, "-seed=%d" % seed,
                       "-timeout=20", "-rss_limit_mb=2048", "-max_len=4096",
                       "-dict=%s" % (fuzz / "sql.dict"),
                       "-artifact_prefix=%s/" % cwd, str(cwd / "corpus"),
                       str(fuzz / "seeds")]
                if (HERE / "fuzz_corpus").is_dir():
                    run.append(str(HERE / "fuzz_corpus"))
                try:
                    proc = subprocess.run(run, cwd=cwd, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT,
                                          env=self.env_for(m),
                                          timeout=seconds + 120)
                    log = proc.stdout.decode("utf-8", "replace")
                except subprocess.TimeoutExpired as e:
                    proc = None
                    log = (e.output or b"").decode("utf-8", "replace") + \
                        "\n(killed: still running %d s after its %d s)" % (
                            120, seconds)
                (cwd / "fuzz.log").write_text(log)
                if proc is not None and proc.returncode == 0:
                    shutil.rmtree(cwd, ignore_errors=True)
                    return [Result(name, m, True)]
                lines = log.splitlines()
                start = next((i for i, line in enumerate(lines) if
                              line.startswith(("==", src.stem + ":")) or
                              "runtime error:" in line), len(lines) - 30)
                report = ["%s, run for %d s from seed %d, found this:" % (
                    rel(run[0]), seconds, seed)]
                report += lines[max(0, start):start + 60]
                for found in sorted(cwd.glob("*-*")):
                    if found.name.split("-")[0] not in ("crash", "leak",
                                                        "timeout", "oom"):
                        continue
                    data = found.read_bytes()
                    report.append("input (%d bytes), saved as %s:" % (
                        len(data), found))
                    report += ["  %04x  %s" % (i, data[i:i + 16].hex(" "))
                               for i in range(0, min(len(data), 512), 16)]
                    report.append("  as text: %r" % data[:512])
                    report.append("  replay: %s %s; minimize: add "
                                  "-minimize_crash=1 -runs=100000" % (
                                      run[0], found))
                report.append("(the whole log: %s)" % (cwd / "fuzz.log"))
                return [Result(name, m, False, "\n".join(report))]
            job.where = m.name
            return job
        return [make_job(m, src) for m, src in targets]

    # --- collecting -------------------------------------------------------

    def selected(self, name):
        return self.args.k is None or self.args.k in name

    def collect(self, chosen):
        """Every job to run, and the failures found while collecting."""
        jobs, refused = [], []
        for path in sorted(SUITES.glob("*.t")):
            suite, error = parse_suite(path)
            if error:
                refused.append(Result(path.name, None, False, error))
                continue
            for test in suite.tests:
                for m in chosen:
                    if test.applies(m.number) and \
                            self.selected("%s: %s" % (path.name, test.name)):
                        for v in VARIANTS:
                            if m.number >= v.first:
                                jobs.append(self.transcript_job(path, test,
                                                                m, v))
        for path in sorted(SUITES.glob("*.py")):
            module, error = load_python_suite(path)
            if error:
                refused.append(Result(path.name, None, False, error))
                continue
            for func in python_tests(module):
                applies = test_applies(module, func)
                for m in chosen:
                    if applies(m.number) and self.selected(
                            "%s: %s" % (path.name, func.__name__)):
                        for v in VARIANTS:
                            if m.number >= v.first:
                                jobs.append(self.python_job(path, func, m,
                                                            v))
        for m in chosen:
            if self.args.k is None or any(
                    self.args.k in src.read_text()
                    for src in m.path.glob("tests/*.c")):
                jobs.append(self.unit_job(m))
        by_name = {m.name: m for m in chosen}
        for chapter in chapters.load():
            if chapter.slug in by_name:
                jobs.append(self.chapter_job(chapter, by_name[chapter.slug]))
                jobs.append(self.picture_job(chapter, by_name[chapter.slug]))
        if len(chosen) == len(milestones.all_milestones()) and \
                self.selected("book renders"):
            jobs.append(self.render_job())
        if self.selected("C lines fit in 80 columns"):
            jobs.append(self.style_job(chosen))
        if self.selected(DRIFT) and len(chosen) >= 3:
            jobs.append(self.drift_job(chosen))
        if self.args.k is None or "selftest" in self.args.k or \
                self.args.k in "selftest":
            jobs.append(self.selftest_job())
        jobs += self.slt_jobs(chosen)
        if self.args.k is None or "slt" in self.args.k:
            jobs.append(self.slt_selftest_job())
        if not self.args.san:
            for m in chosen:
                name = "%s builds with clang, warning-free" % m
                if self.selected(name):
                    jobs.append(self.clang_job(m, name))
            jobs += self.predecessor_jobs(chosen)
            if self.selected("the bench runs"):
                jobs.append(self.bench_job(chosen))
        jobs += self.fuzz_jobs(chosen)
        return jobs, refused

    def predecessor_jobs(self, chosen):
        """A suite that a milestone turns on must fail on the milestone
        before it: one job per such suite, when both are chosen."""
        numbers = {m.number: m for m in chosen}
        jobs = []
        for path in sorted(SUITES.glob("*.t")) + sorted(SUITES.glob("*.py")):
            if path.suffix == ".t":
                suite, _ = parse_suite(path)
                applies = suite and suite.applies
            else:
                module, _ = load_python_suite(path)
                applies = module and not getattr(module, "NOT_NEW", None) \
                    and milestones.parse_range(module.MILESTONES)
            if not applies:
                continue            # refused while collecting, or NOT_NEW
            first = next((m for m in milestones.all_milestones()
                          if applies(m.number)), None)
            if first is None or first.number - 1 not in numbers or \
                    first.number not in numbers:
                continue
            name = "%s fails on %s" % (path.name, numbers[first.number - 1])
            if self.selected(name):
                jobs.append(self.predecessor_job(
                    path, first, numbers[first.number - 1], name))
        return jobs

    def predecessor_job(self, path, first, before, name):
        """Runs the suite's tests of FIRST on BEFORE, test by test. Only a
        test's own assertion counts as failing there: a transcript whose
        output or exit status differs, a Python test that raises
        harness.Failure. Any other exception, or a timeout, is an error
        of the test, not evidence that BEFORE lacks what it checks."""
        def job():
            outcomes = []           # (test name, "fails"/"passes"/error)
            if path.suffix == ".t":
                suite, _ = parse_suite(path)
                for test in suite.tests:
                    if test.applies(first.number):
                        outcomes.append((test.name, self.transcript_outcome(
                            test.commands, before)))
            else:
                module, _ = load_python_suite(path)
                for func in python_tests(module):
                    if test_applies(module, func)(first.number):
                        outcomes.append((func.__name__,
                                         self.python_outcome(func, before)))
            failed = sum(1 for _, o in outcomes if o == "fails")
            report = "\n".join("  %s: %s" % t for t in outcomes)
            if self.args.verbose:
                print("%s: %d of %d tests fail\n%s" % (
                    name, failed, len(outcomes), report), flush=True)
            return [Result(name, None, failed > 0,
                           "no test of %s fails on %s by its own check, so "
                           "the suite tests nothing that %s adds:\n%s" % (
                               path.name, before, first, report))]
        job.where = before.name
        return job

    def transcript_outcome(self, commands, milestone):
        cwd = self.workdir("pre")
        env = self.env_for(milestone)
        try:
            for cmd in commands:
                outcome = transcript.run_command(cmd, cwd, env,
                                                 self.timeout())
                if outcome.timed_out:
                    return "error: `%s` %s" % (cmd.cmdline, outcome.message)
                if not outcome.ok:
                    return "fails"
            return "passes"
        finally:
            shutil.rmtree(cwd, ignore_errors=True)

    def python_outcome(self, func, milestone):
        cwd = self.workdir("pre")
        t = harness.Test(milestone, cwd, self.env_for(milestone),
                         self.timeout(), DEFAULT_SEED, self.binary)
        try:
            func(t)
            return "passes"
        except harness.Failure:
            return "fails"
        except Exception as e:
            return "error: %s: %s" % (type(e).__name__, e)
        finally:
            shutil.rmtree(cwd, ignore_errors=True)

    def apply_updates(self):
        """Rewrites expected blocks, bottom up so line numbers hold."""
        by_file = {}
        for path, line_no, n_lines, new in self.updates:
            by_file.setdefault(path, []).append((line_no, n_lines, new))
        for path, edits in by_file.items():
            lines = path.read_text().split("\n")
            for line_no, n_lines, new in sorted(edits, reverse=True):
                # Block lines follow the "$ " line (line_no is 1-based).
                lines[line_no:line_no + n_lines] = new
            path.write_text("\n".join(lines))
            print("updated %s (%d blocks): review with git diff" % (
                rel(path), len(edits)))


class Test:
    def __init__(self, name, line_no, applies):
        self.name = name
        self.line_no = line_no
        self.applies = applies    # predicate on milestone numbers
        self.commands = []


class Suite:
    def __init__(self):
        self.applies = None
        self.tests = []


def parse_header(lines, path):
    """Reads the comments, blank lines and "milestones:" line that open a
    suite or a test. Returns (range predicate or None, lines used)."""
    applies = None
    for used, (line_no, line) in enumerate(lines):
        if line.startswith("milestones:"):
            applies = milestones.parse_range(line.split(":", 1)[1])
        elif line.strip() and not line.startswith("#"):
            return applies, used
    return applies, len(lines)


def parse_suite(path):
    """Parses a transcript suite: a header (comments and a "milestones:"
    line), then tests, each opened by "## name", a header of its own (a
    comment saying what it proves, and optionally a narrower
    "milestones:"), then its commands. Returns (Suite, None), or
    (None, why the suite is refused)."""
    numbered = list(enumerate(path.read_text().split("\n"), 1))
    starts = [i for i, (_, line) in enumerate(numbered)
              if line.startswith("## ")] + [len(numbered)]
    suite = Suite()
    try:
        suite.applies, used = parse_header(numbered[:starts[0]], path)
        if used < starts[0]:
            return None, "%s:%d: text before the first \"## \" test" % (
                rel(path), numbered[used][0])
        if suite.applies is None:
            return None, ("%s: no \"milestones:\" line; every suite must "
                          "say which milestones it applies to" % rel(path))
        for begin, end in zip(starts, starts[1:]):
            line_no, title = numbered[begin]
            body = numbered[begin + 1:end]
            applies, used = parse_header(body, path)
            test = Test(title[3:].strip(), line_no, applies or suite.applies)
            first = body[used][0] if used < len(body) else line_no
            test.commands, error = transcript.parse_commands(
                [line for _, line in body[used:]], first)
            if error:
                return None, "%s: %s" % (rel(path), error)
            if not test.commands:
                return None, "%s:%d: test %r runs no command" % (
                    rel(path), line_no, test.name)
            suite.tests.append(test)
    except ValueError as e:
        return None, "%s: %s" % (rel(path), e)
    return suite, None


def load_python_suite(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:
        return None, "%s does not load:\n%s" % (rel(path),
                                                traceback.format_exc())
    if not isinstance(getattr(module, "MILESTONES", None), str):
        return None, ("%s: no MILESTONES = \"NN-NN\"; every suite must say "
                      "which milestones it applies to" % rel(path))
    try:
        milestones.parse_range(module.MILESTONES)
        for func in python_tests(module):
            test_applies(module, func)
    except ValueError as e:
        return None, "%s: %s" % (rel(path), e)
    return module, None


def test_applies(module, func):
    """Whether FUNC, a test of MODULE, applies to a milestone (by number):
    where its suite does and, if it is marked @harness.milestones(...),
    where the mark says too."""
    suite = milestones.parse_range(module.MILESTONES)
    own = getattr(func, "milestones", None)
    test = milestones.parse_range(own) if own is not None else suite
    return lambda number: suite(number) and test(number)


def python_tests(module):
    return [getattr(module, name) for name in sorted(vars(module))
            if name.startswith("test_") and callable(getattr(module, name))]


def unittest_results(out, prefix):
    """A Result per test that `python3 -m unittest -v` printed in OUT
    (its name, then its docstring's first line if it has one, then
    " ... ok" or what went wrong). A test skipped for a reason it states
    (slt.py's corpus tests, when the corpus is not there) is no result:
    neither passed nor failed."""
    results = []
    for m in re.finditer(r"^(test_\w+) \([^)\n]*\)(?:\n[^\n]*?)? \.\.\. "
                         r"(.*)$", out, re.M):
        if not m.group(2).startswith("skipped"):
            results.append(Result(prefix + m.group(1), None,
                                  m.group(2) == "ok", out))
    return results


def rel(path):
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return str(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-m", "--milestone", action="append")
    parser.add_argument("--san", action="store_true")
    parser.add_argument("-k")
    parser.add_argument("--update", action="store_true")
    parser.add_argument("--seed", type=int)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--durations", type=int, default=0, metavar="N",
                        help="list the N slowest jobs")
    args = parser.parse_args()

    try:
        chosen = [milestones.find(n) for n in args.milestone] \
            if args.milestone else milestones.all_milestones()
    except ValueError as e:
        sys.exit("run.py: %s" % e)
    if args.update and len(chosen) != 1:
        sys.exit("run.py: --update regenerates output from one milestone: "
                 "name it with -m NN (make test UPDATE=1 M=NN)")
    binary = "strata-san" if args.san else "strata"
    missing = [m.name for m in chosen if not (m.path / binary).exists()]
    if missing:
        sys.exit("run.py: no %s built in %s: run make%s first" % (
            binary, ", ".join(missing), " SAN=1" if args.san else ""))

    if args.update:
        # Expectations come from one run of each test: the plain one.
        del VARIANTS[1:]
    runner = Runner(args)
    jobs, results = runner.collect(chosen)
    for r in results:
        print("FAIL %s\n  %s" % (r.name, r.detail.replace("\n", "\n  ")))
    progress = Progress(len(jobs)) if sys.stdout.isatty() else None

    def timed(job):
        if progress:
            progress.started(job.where)
        start = time.monotonic()
        results = job()
        if results:
            results[0].seconds = time.monotonic() - start
        return results

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for future in concurrent.futures.as_completed(
                [pool.submit(timed, job) for job in jobs]):
            lines = []
            for r in future.result():
                results.append(r)
                where = " [%s]" % r.variant.label(r.milestone) \
                    if r.milestone else ""
                if not r.ok:
                    lines.append("FAIL %s%s\n%s" % (r.name, where,
                                                     indent(r.detail)))
                elif args.verbose:
                    lines.append("PASS %s%s" % (r.name, where))
            if progress:
                progress.finished(lines, sum(not r.ok for r in results))
            elif lines:
                print("\n".join(lines), flush=True)
    if progress:
        progress.clear()

    if args.update:
        runner.apply_updates()
    shutil.rmtree(runner.scratch / "bin", ignore_errors=True)
    if all(r.ok for r in results):
        shutil.rmtree(runner.scratch, ignore_errors=True)

    if args.durations:
        print("slowest jobs:")
        for r in sorted(results, key=lambda r: -r.seconds)[:args.durations]:
            print("  %6.1f s  %s%s" % (r.seconds, r.name, " [%s]" % (
                r.variant.label(r.milestone)) if r.milestone else ""))

    by_milestone = {}
    for r in results:
        key = r.variant.label(r.milestone) if r.milestone else "(project)"
        counts = by_milestone.setdefault(key, [0, 0])
        counts[0 if r.ok else 1] += 1
    for key in sorted(by_milestone):
        print("  %-22s %5d passed, %d failed" % (key, *by_milestone[key]))
    passed = sum(1 for r in results if r.ok)
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and results else 1


class Progress:
    """The line a terminal shows while the tests run: jobs done of all
    (a job is one test, or a group: a milestone's unit tests, a
    chapter's sessions), failures so far, the milestone a job just
    started on. Rewritten in place (\\r); other output is printed above
    it."""

    def __init__(self, total):
        self.total = total
        self.done = self.failed = 0
        self.where = ""
        self.lock = threading.Lock()

    def draw(self):
        sys.stdout.write("\r\033[K%d/%d jobs done, %d failed; testing %s" %
                         (self.done, self.total, self.failed, self.where))
        sys.stdout.flush()

    def started(self, where):
        with self.lock:
            self.where = where
            self.draw()

    def finished(self, lines, failed):
        with self.lock:
            self.done += 1
            self.failed = failed
            if lines:
                self.clear()
                print("\n".join(lines))
            self.draw()

    def clear(self):
        sys.stdout.write("\r\033[K")
        sys.stdout.flush()


def indent(text):
    return "\n".join(line if line.startswith("  ") else "  " + line
                     for line in text.splitlines())


if __name__ == "__main__":
    sys.exit(main())
