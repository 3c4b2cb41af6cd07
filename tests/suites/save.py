"""The save of milestones 01-03, under a power cut, a failing disk and a
full one. Until the write-ahead log of 04, every change waits in memory
and .exit writes the whole database: the save is the only time the file
changes. It writes a new copy beside the database (test.db-tmp), syncs
it, renames it over the database and syncs the directory, so whatever
happens during a save, the file holds what the earlier sessions saved,
whole, or the new session too.

The fault layer (common/os.c, STRATA_FAULT) counts the I/O points of a
session (the writes and the sync of the copy, the rename, the sync of
the directory), then cuts the power at each in turn: writes made since
their file's last sync are kept, dropped or torn, a rename made since
its directory's last sync is kept or undone, as a seed decides. Then
strata opens the file again and select must show one of the two states.
"""
import os
import random
import resource
import shutil
import signal
import string
import subprocess

MILESTONES = "01-03"
CRASH_STATUS = 99   # OS_CRASH_STATUS in common/os.h


def word(rng, longest):
    return "".join(rng.choice(string.ascii_lowercase)
                   for _ in range(rng.randint(1, longest)))


class Model:
    """The table as select shows it: 01 keeps rows in the order they came,
    02 on by id, one row per id."""

    def __init__(self, milestone):
        self.keyed = milestone.number >= 2
        self.rows = {} if self.keyed else []

    def copy(self):
        other = Model.__new__(Model)
        other.keyed = self.keyed
        other.rows = dict(self.rows) if self.keyed else list(self.rows)
        return other

    def show(self):
        rows = [(k, *self.rows[k]) for k in sorted(self.rows)] \
            if self.keyed else self.rows
        return "".join("(%d, %s, %s)\n" % row for row in rows) + \
            "Executed.\n"


def session(rng, model, first_id, n_lines):
    """N_LINES statements that change MODEL: in 01 inserts, from 02 on
    inserts, updates and deletes that split and merge pages and fill the
    free list. Returns the lines, ending with .exit."""
    lines = []
    next_id = first_id
    for _ in range(n_lines):
        op = "insert"
        if model.keyed and model.rows:
            op = rng.choices(["insert", "update", "delete"], [50, 20, 30])[0]
        row = (word(rng, 32), word(rng, 255))
        if op == "insert":
            lines.append("insert %d %s %s" % (next_id, *row))
            if model.keyed:
                model.rows[next_id] = row
            else:
                model.rows.append((next_id, *row))
            next_id += 1
        else:
            key = rng.choice(sorted(model.rows))
            if op == "update":
                lines.append("update %d %s %s" % (key, *row))
                model.rows[key] = row
            else:
                lines.append("delete %d" % key)
                del model.rows[key]
    lines.append(".exit")
    return lines


def history(t, seed):
    """Two sessions saved one after the other, and a third: returns the
    database after the first two, the third's lines, and what select
    shows before and after the third."""
    rng = random.Random(seed)
    model = Model(t.milestone)
    # 01 holds 1300 rows; from 02 on, rows in random id order.
    first = session(rng, model, 1, 100 if not model.keyed else 300)
    second = session(rng, model, 1000, 60 if not model.keyed else 150)
    before = model.copy()
    third = session(rng, model, 2000, 120 if not model.keyed else 200)
    t.session("saved.db", first)
    t.session("saved.db", second)
    return "saved.db", third, before.show(), model.show()


def look(t, db):
    """What select (and, from 02 on, .check) says about DB."""
    lines = ["select"] + ([".check"] if t.milestone.number >= 2 else [])
    result = t.strata(db, input_lines=lines)
    t.check(result.status == 0, "reopening %s failed:\n%s" % (
        db, result.output[-600:]))
    replies = t.replies(result.output)
    if t.milestone.number >= 2:
        t.check_equal(replies[1], "ok\n", ".check of %s" % db)
    return replies[0]


def last_line(output):
    """The last line of a session's output, after its last prompt."""
    return output.splitlines()[-1].split("db > ")[-1]


def count_points(t, db, lines):
    scratch = "count.db"
    shutil.copy(t.path(db), t.path(scratch))
    counter = t.path("points.count")
    result = t.strata(scratch, input_lines=lines,
                      env={"STRATA_FAULT": "count=%s" % counter})
    t.check_equal(result.status, 0, "the counting run's exit status")
    return int(counter.read_text())


def test_power_cut_at_every_io_point_of_a_save(t):
    """Two sessions saved, then a third whose save loses power at each of
    its I/O points, with several fates for the waiting writes and the
    rename: every time, the file holds the first two sessions whole, or
    all three; a later session opens it and saves again."""
    db, lines, before, after = history(t, t.seed)
    total = count_points(t, db, lines)
    t.check(total >= 10, "only %d I/O points in a save" % total)
    fates = 2 if t.sanitized else 6
    outcomes = set()
    for point in range(1, total + 1):
        # Only at the last point, the sync of the directory, can the new
        # session survive: there the rename is kept or undone, so try it
        # often enough to see both.
        for fate in range(fates if point < total else 24):
            crashed = "crash%d-%d.db" % (point, fate)
            shutil.copy(t.path(db), t.path(crashed))
            fault = "crash=%d,seed=%d" % (point, t.seed + 7919 * point +
                                          fate)
            result = t.strata(crashed, input_lines=lines,
                              env={"STRATA_FAULT": fault})
            what = "power cut at I/O point %d of %d (STRATA_FAULT=%s)" % (
                point, total, fault)
            t.check(result.status == CRASH_STATUS, "%s: exit status %d, "
                    "not the crash's %d" % (what, result.status,
                                            CRASH_STATUS))
            shown = look(t, crashed)
            t.check(shown in (before, after), "%s: select shows %d rows, "
                    "neither the %d saved before nor the %d of the new "
                    "session" % (what, shown.count("\n") - 1,
                                 before.count("\n") - 1,
                                 after.count("\n") - 1))
            outcomes.add(shown == after)
            # Whatever the crash left beside it, the next save works.
            again = t.strata(crashed, input_lines=["insert 9999 z z@z"])
            t.check_equal(again.status, 0, "%s: the next session's exit "
                          "status" % what)
            t.check(not t.path(crashed + "-tmp").exists(),
                    "%s: the next save left its copy behind" % what)
    t.check(outcomes == {False, True}, "a power cut never left the new "
            "session (or never the old one): the crash layer is not "
            "deciding the rename's fate")


def test_power_cut_in_the_first_save(t):
    """A new database loses power during its first save: afterwards it is
    empty (or not there at all) or holds the whole session."""
    rng = random.Random(t.seed + 1)
    model = Model(t.milestone)
    lines = session(rng, model, 1, 40)
    t.path("empty.db").touch()
    total = count_points(t, "empty.db", lines)
    for point in range(1, total + 1):
        crashed = "new%d.db" % point
        fault = "crash=%d,seed=%d" % (point, t.seed + point)
        result = t.strata(crashed, input_lines=lines,
                          env={"STRATA_FAULT": fault})
        t.check_equal(result.status, CRASH_STATUS, "exit status at point "
                      "%d" % point)
        shown = look(t, crashed)
        t.check(shown in ("Executed.\n", model.show()), "power cut at I/O "
                "point %d of %d (STRATA_FAULT=%s): select shows %d rows" % (
                    point, total, fault, shown.count("\n") - 1))


def test_failing_disk_at_every_io_point_of_a_save(t):
    """EIO at each I/O point of a save: strata says what failed and exits
    with status 1, and the file holds the earlier sessions, untouched, with
    no copy left beside it. Only when the last step fails, the sync of the
    directory, is the new session saved (and the message says a power cut
    could still undo it)."""
    db, lines, before, after = history(t, t.seed + 2)
    total = count_points(t, db, lines)
    for point in range(1, total + 1):
        failed = "eio%d.db" % point
        shutil.copy(t.path(db), t.path(failed))
        result = t.strata(failed, input_lines=lines,
                          env={"STRATA_FAULT": "eio=%d" % point})
        what = "EIO at I/O point %d of %d" % (point, total)
        t.check_equal(result.status, 1, "%s: exit status" % what)
        last = last_line(result.output)
        if point < total:
            t.check(last.startswith("Error: ") and last.endswith(
                ": Input/output error. '%s' is as it was before this "
                "session." % failed), "%s: the message is %r" % (what, last))
            t.check_equal(look(t, failed), before, "%s: select" % what)
        else:
            t.check_equal(last, "Error: syncing the directory failed: "
                          "Input/output error. '%s' is saved, but a power "
                          "cut may undo the save." % failed,
                          "%s: the message" % what)
            t.check_equal(look(t, failed), after, "%s: select" % what)
        t.check(not t.path(failed + "-tmp").exists(),
                "%s: the copy was left behind" % what)


def test_full_disk_during_a_save(t):
    """The system refuses to let the file grow (here a file size limit,
    as a full disk would): the save fails with one line, and the file
    holds the earlier sessions, untouched."""
    db, lines, before, _ = history(t, t.seed + 3)
    limit = os.path.getsize(t.path(db))

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead

    proc = subprocess.run(["strata", db], cwd=t.dir, env=t.env,
                          input="".join(l + "\n" for l in lines).encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          preexec_fn=limited, timeout=t.timeout)
    t.check_equal(look(t, db), before, "select after the failed save")
    t.check_equal(proc.returncode, 1, "exit status")
    t.check_equal(last_line(proc.stdout.decode()), "Error: writing the new "
                  "copy failed: File too large. '%s' is as it was before "
                  "this session." % db, "the message")
    t.check(not t.path(db + "-tmp").exists(), "the copy was left behind")


def test_save_through_a_symbolic_link(t):
    """Opened through a symbolic link, the save replaces the file the link
    points to, and the link stays a link."""
    t.session("real.db", ["insert 1 ann ann@x.io"])
    os.symlink("real.db", t.path("link.db"))
    t.session("link.db", ["insert 2 bob bob@x.io"])
    t.check(t.path("link.db").is_symlink(), "link.db is no longer a link")
    t.check_equal(look(t, "real.db"), "(1, ann, ann@x.io)\n"
                  "(2, bob, bob@x.io)\nExecuted.\n", "select on real.db")
    t.check_equal(sorted(os.listdir(t.dir)), ["link.db", "real.db"],
                  "the files")


def test_save_keeps_the_permissions(t):
    """A database only its owner may read stays so after a save."""
    t.session("private.db", ["insert 1 ann ann@x.io"])
    os.chmod(t.path("private.db"), 0o600)
    t.session("private.db", ["insert 2 bob bob@x.io"])
    mode = os.stat(t.path("private.db")).st_mode & 0o777
    t.check_equal(oct(mode), oct(0o600), "the file's permissions")


def test_a_copy_left_by_a_crash_is_replaced(t):
    """A larger copy left over from a crash is not mistaken for part of
    the next save."""
    t.session("test.db", ["insert 1 ann ann@x.io"])
    t.path("test.db-tmp").write_bytes(b"\xff" * 100000)
    t.session("test.db", ["insert 2 bob bob@x.io"])
    t.check_equal(look(t, "test.db"), "(1, ann, ann@x.io)\n"
                  "(2, bob, bob@x.io)\nExecuted.\n", "select")
    t.check(not t.path("test.db-tmp").exists(), "the old copy is still "
            "there")
