"""Values of any size in bounded memory, from milestone 06 on: a 10 MiB
text and 1 MiB ones are written and read back byte for byte, through a
restart and through a crash and its recovery, with the default pool and
with 8 frames, and the process's peak memory (\\memory: its peak resident
set) stays within a bound that counts the value a few times and the
pool once, and nothing that grows with the table.

The bounds, over the peak of a session that only opens the file:
  writing   6 V + pool + 4 MiB: the statement's line as read (its buffer
            grows by doubling, up to 2 V), the statement being collected
            (again up to 2 V), the literal parsed out of it (V) and the
            record made of it (V); today's code needs about 4 V
  reading   2 V + pool + 4 MiB: the payload gathered from its chain (V);
            CSV streams each row out as it comes
where V is the largest value. Neither bound grows with the number of
rows or the size of the file: twenty 1 MiB rows (a file of 20 MiB) are
held to the bound of one. Under the sanitizers, ASan's quarantine keeps
freed memory on purpose, so these runs turn it off (quarantine_size_mb=0)
to measure strata's own.
"""
import random
import re
import shutil
import subprocess
import threading
import time

import harness
from harness import csv_line, parse_csv

MILESTONES = "06-"
SQL = harness.SqlDialect()
MIB = 1 << 20
SLACK = 4 * MIB
CRASH_STATUS = 99


def value(seed, size, alphabet="abcdefghijklmnopqrstuvwxyz ',\"é€"):
    """SIZE characters of text (UTF-8: a few more bytes), with quotes,
    commas and multi-byte characters, so that the output's quoting is
    tested too; not periodic, so that a page out of place shows. (No line
    break: see test_a_text_of_many_lines.)"""
    rng = random.Random(seed)
    chunk = "".join(rng.choice(alphabet) for _ in range(4093))
    out, n = [], 0
    while n < size:
        piece = "%08d" % n + chunk[n % 1000:]
        out.append(piece)
        n += len(piece)
    return "".join(out)[:size]


def sql_text(text):
    return "'" + text.replace("'", "''") + "'"


class Session:
    """One strata run, under /bin/sh so that its peak memory is its own
    (a child's starts from its parent's, and the parent here is the test
    runner), reading its input from a file."""

    def __init__(self, t, db, lines, env=None, timeout=None):
        self.t = t
        t.path("input.sql").write_text("".join(l + "\n" for l in lines))
        env = dict(t.env, **(env or {}))
        if t.sanitized:
            env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + \
                ":quarantine_size_mb=0"
        try:
            proc = subprocess.run(
                ["/bin/sh", "-c", 'strata --csv "$1" < input.sql', "sh",
                 db], cwd=t.dir, env=env, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, timeout=timeout or t.timeout * 2)
        except subprocess.TimeoutExpired:
            raise harness.Failure("strata %s timed out after %d s" % (
                db, timeout or t.timeout * 2))
        self.status = proc.returncode
        self.output = proc.stdout.decode("utf-8", "replace")
        self.replies = SQL.replies_to(lines, self.output)
        self.lines = lines

    def check_ok(self, what):
        t = self.t
        t.check(self.status == 0, "%s: exit status %d; output ends %r" % (
            what, self.status, self.output[-300:]))
        for line, reply in zip(self.lines, self.replies):
            t.check("ERROR" not in reply, "%s: %r answered %r" % (
                what, line[:60], reply[:300]))
        return self

    def peak_kib(self):
        found = re.findall(r"peak memory: (\d+) KiB", self.output)
        self.t.check(found, "no \\memory line in %r" % self.output[-300:])
        return int(found[-1])


def baseline(t, db):
    """The peak of a session that opens DB and does nothing."""
    return Session(t, db, ["\\memory", "\\q"]).check_ok(
        "opening").peak_kib()


def pool_bytes(t):
    return (t.pool_pages or 256) * 4096


def check_bound(t, peak_kib, base_kib, copies, largest, what):
    bound = copies * largest + pool_bytes(t) + SLACK
    used = (peak_kib - base_kib) * 1024
    t.check(used <= bound, "%s: the peak memory grew by %d KiB over the "
            "%d KiB of an idle session; the bound is %d KiB (%d x %d KiB "
            "of value + %d KiB of pool + %d KiB)" % (
                what, used // 1024, base_kib, bound // 1024, copies,
                largest // 1024, pool_bytes(t) // 1024, SLACK // 1024))


def read_rows(t, reply, what):
    try:
        return parse_csv(reply)
    except ValueError as e:
        raise harness.Failure("%s: not CSV (%s): %r" % (what, e,
                                                        reply[:300]))


def check_value(t, got, expected, what):
    if got == expected:
        return
    at = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b),
              min(len(got), len(expected)))
    raise harness.Failure("%s: the value read back is %d characters, not "
                          "%d; first difference at %d: %r, expected %r" % (
                              what, len(got), len(expected), at,
                              got[at:at + 40], expected[at:at + 40]))


def test_a_10_mib_value_in_bounded_memory(t):
    """A 10 MiB text is written, replaced by another, and read back byte
    for byte after a restart, in a pool of 8 frames too: the value itself
    a few times over, plus the pool, is all the memory it takes."""
    big = value(t.seed, 10 * MIB)
    other = value(t.seed + 1, 10 * MIB)
    base = baseline(t, "big.db")
    written = Session(t, "big.db", [
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n INT);",
        "INSERT INTO t VALUES (1, %s, 1);" % sql_text(big),
        "INSERT INTO t VALUES (2, 'small', 2);", "\\check",
        "\\memory"]).check_ok("writing 10 MiB")
    t.check_equal(written.replies[3], "ok\n", "\\check after the insert")
    check_bound(t, written.peak_kib(), base, 6, len(big.encode()),
                "writing a 10 MiB value")
    read = Session(t, "big.db", ["SELECT v FROM t WHERE id = 1;",
                                 "\\memory"]).check_ok("reading 10 MiB")
    rows = read_rows(t, read.replies[0], "reading 10 MiB")
    t.check(len(rows) == 2, "reading 10 MiB: %d rows" % len(rows))
    check_value(t, rows[1][0], big, "the 10 MiB value after a restart")
    check_bound(t, read.peak_kib(), base, 2, len(big.encode()),
                "reading a 10 MiB value")
    # Replaced: the old chain is freed, the new one written, and \check
    # finds every page of both accounted for.
    updated = Session(t, "big.db", [
        "UPDATE t SET v = %s WHERE id = 1;" % sql_text(other), "\\check",
        "\\memory"]).check_ok("replacing 10 MiB")
    t.check_equal(updated.replies[:2], ["UPDATE 1\n", "ok\n"],
                  "the update")
    check_bound(t, updated.peak_kib(), base, 6, len(other.encode()),
                "replacing a 10 MiB value")
    read = Session(t, "big.db", ["SELECT * FROM t;", "\\check",
                                 "\\memory"]).check_ok("reading again")
    rows = read_rows(t, read.replies[0], "reading again")
    t.check(len(rows) == 3 and rows[2] == ["2", "small", "2"],
            "the table after the update: %d rows" % len(rows))
    check_value(t, rows[1][1], other, "the new 10 MiB value")
    t.check_equal(read.replies[1], "ok\n", "\\check after the update")
    check_bound(t, read.peak_kib(), base, 2, len(other.encode()),
                "reading the new 10 MiB value")


def test_memory_does_not_grow_with_the_table(t):
    """Twenty rows of 1 MiB (a file of 20 MiB), inserted one by one and
    by \\copy, then each replaced, then scanned whole: the peak of each
    session stays within the bound of one 1 MiB value, and every value
    reads back byte for byte."""
    values = {k: value(t.seed + k, MIB) for k in range(1, 21)}
    largest = max(len(v.encode()) for v in values.values())
    base = baseline(t, "many.db")
    t.path("rows.csv").write_text(csv_line(["id", "v"]) + "".join(
        csv_line([k, values[k]]) for k in range(11, 21)))
    made = Session(t, "many.db", [
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"] + [
        "INSERT INTO t VALUES (%d, %s);" % (k, sql_text(values[k]))
        for k in range(1, 11)] + [
        "\\copy t FROM 'rows.csv' CSV HEADER", "\\memory"]).check_ok(
            "writing 20 rows of 1 MiB")
    t.check_equal(made.replies[11], "COPY 10\n", "the \\copy")
    check_bound(t, made.peak_kib(), base, 6, largest,
                "writing twenty 1 MiB values")
    t.check(t.path("many.db").stat().st_size > 20 * MIB,
            "the file holds only %d bytes" % t.path("many.db").stat().st_size)
    # Each replaced by the next one's value: chains freed and reused.
    new = {k: values[k % 20 + 1] for k in values}
    changed = Session(t, "many.db", [
        "UPDATE t SET v = %s WHERE id = %d;" % (sql_text(new[k]), k)
        for k in range(1, 21)] + ["\\check", "\\memory"]).check_ok(
            "replacing 20 rows of 1 MiB")
    t.check_equal(changed.replies[20], "ok\n", "\\check after the updates")
    check_bound(t, changed.peak_kib(), base, 6, largest,
                "replacing twenty 1 MiB values")
    scan = Session(t, "many.db", ["SELECT * FROM t;", "\\memory"]).check_ok(
        "scanning 20 rows of 1 MiB")
    rows = read_rows(t, scan.replies[0], "the scan")
    t.check_equal([r[0] for r in rows[1:]], [str(k) for k in range(1, 21)],
                  "the keys the scan read")
    for row in rows[1:]:
        check_value(t, row[1], new[int(row[0])], "row %s" % row[0])
    check_bound(t, scan.peak_kib(), base, 2, largest,
                "scanning twenty 1 MiB values")


def killed_after(t, db, lines, acks):
    """Runs LINES on DB and kills it (kill -9) as soon as it has printed
    ACKS command tags: what they acknowledged is committed, in the log,
    and not yet in the file, which only the close would have copied."""
    proc = subprocess.Popen(["strata", *SQL.args, db], cwd=t.dir, env=t.env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    data = "".join(line + "\n" for line in lines).encode()

    def feed():
        try:
            proc.stdin.write(data)
        except OSError:
            pass  # it ended, or was killed, before reading it all
    writer = threading.Thread(target=feed)
    writer.start()
    out = b""
    deadline = time.monotonic() + t.timeout * 2
    while out.count(b"INSERT 0 1\n") + out.count(b"CREATE TABLE\n") < acks:
        chunk = proc.stdout.read1(65536)
        if not chunk or time.monotonic() > deadline:
            break
        out += chunk
    proc.kill()
    proc.wait()
    writer.join()
    t.check(out.count(b"INSERT 0 1\n") + out.count(b"CREATE TABLE\n") ==
            acks, "the session before the kill printed %r" % out[-300:])


def test_a_10_mib_value_through_a_crash(t):
    """A committed 10 MiB value waits in the log (the process was killed
    before its close copied it into the file). The next open redoes it
    into the file, and the power goes out during that (at an I/O point of
    the recovery or of the close after it): each time, the open after
    that finds the value whole, byte for byte, within the bound of
    reading it, and \\check is ok."""
    big = value(t.seed + 7, 10 * MIB)
    killed_after(t, "base.db", [
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);",
        "INSERT INTO t VALUES (1, %s);" % sql_text(big)], 2)
    wal = t.path("base.db-wal")
    t.check(wal.exists() and wal.stat().st_size > 10 * MIB,
            "the log does not hold the value: %s" % (
                wal.stat().st_size if wal.exists() else "no log"))
    counter = t.path("points")
    shutil.copy(t.path("base.db"), t.path("count.db"))
    shutil.copy(wal, t.path("count.db-wal"))
    Session(t, "count.db", ["\\q"], env={
        "STRATA_FAULT": "count=%s" % counter}).check_ok("counting")
    total = int(counter.read_text())
    rng = random.Random(t.seed)
    points = sorted({1, 2, total - 1, total} |
                    set(rng.sample(range(1, total + 1), min(total, 6))))
    for point in points:
        db = "crash%d.db" % point
        shutil.copy(t.path("base.db"), t.path(db))
        shutil.copy(wal, t.path(db + "-wal"))
        fault = "crash=%d,seed=%d" % (point, t.seed + point)
        what = "a crash at I/O point %d of %d of the recovery and close " \
            "(STRATA_FAULT=%s)" % (point, total, fault)
        crashed = Session(t, db, ["\\q"], env={"STRATA_FAULT": fault})
        t.check(crashed.status == CRASH_STATUS, "%s: exit status %d" % (
            what, crashed.status))
        base = baseline(t, "idle%d.db" % point)
        after = Session(t, db, ["SELECT v FROM t WHERE id = 1;", "\\check",
                                "\\memory"]).check_ok(what + ", reopened")
        rows = read_rows(t, after.replies[0], what)
        t.check(len(rows) == 2, "%s: %d rows" % (what, len(rows) - 1))
        check_value(t, rows[1][0], big, what)
        t.check_equal(after.replies[1], "ok\n", "%s: \\check" % what)
        check_bound(t, after.peak_kib(), base, 2, len(big.encode()),
                    what + ": recovering and reading 10 MiB")


def test_a_text_of_many_lines(t):
    """A 1 MiB text with a line break every 16 characters, typed into the
    shell (70,000 lines of one statement) and read back: the shell must
    collect the statement in time linear in its size, well within the
    timeout. (Found: 06 scans the whole statement so far again at each
    line, so the time grows with lines x size: 100 KB of 3,700 lines take
    seconds, 400 KB of 15,000 a minute, this text hours.)"""
    text = value(t.seed, MIB, "abcdefghijklmnopqrstuvwxyz ',\"")
    text = "\n".join(text[i:i + 15] for i in range(0, len(text), 15))
    made = Session(t, "lines.db", [
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);",
        "INSERT INTO t VALUES (1, %s);" % sql_text(text)],
        timeout=t.timeout)
    made.check_ok("a 1 MiB text of %d lines" % (text.count("\n") + 1))
    read = Session(t, "lines.db", ["SELECT v FROM t;"]).check_ok(
        "reading it")
    rows = read_rows(t, read.replies[0], "reading it")
    check_value(t, rows[1][0], text, "the text of many lines")
