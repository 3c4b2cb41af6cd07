"""From milestone 06 on, a transaction may change more pages than the
buffer pool holds: the pool spills them to the log before the commit
(pager.c). A statement that fails after spilling rolls back, and an abort
record after its pages says that they do not count (wal.h). A power cut at
every I/O point of a workload full of such statements, in an 8-frame pool,
loses nothing acknowledged and brings back nothing that was rolled back.

The fault layer (common/os.c, STRATA_FAULT) cuts the power at a chosen I/O
point, as in crash.py: writes made since their file's last sync are kept,
dropped or torn, as a seed decides.
"""
import concurrent.futures
import csv
import io
import random

MILESTONES = "06-"
CRASH_STATUS = 99           # OS_CRASH_STATUS in common/os.h
PROMPT = "strata=> "
POOL = ["--pool-pages", "8"]


class Workload:
    """SQL lines, the reply each must print, and the rows of t after each
    (a statement is all there or not there at all); None before t is
    created."""

    def __init__(self):
        self.lines, self.replies, self.states = [], [], []
        self.model = None

    def add(self, line, reply, change=None):
        self.lines.append(line)
        self.replies.append(reply)
        if change:
            change(self.model)
        self.states.append(None if self.model is None else dict(self.model))

    def create(self):
        self.add("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);",
                 "CREATE TABLE\n")
        self.model = {}
        self.states[-1] = {}

    def insert(self, rows):
        values = ", ".join("(%d, '%s')" % row for row in rows)
        self.add("INSERT INTO t VALUES %s;" % values,
                 "INSERT 0 %d\n" % len(rows), lambda m: m.update(rows))

    def insert_failing(self, rows, dup):
        """ROWS, then DUP, a key already there: the rows are in the pool
        or spilled to the log when the duplicate fails the statement."""
        values = ", ".join("(%d, '%s')" % row for row in rows)
        self.add("INSERT INTO t VALUES %s, (%d, 'dup');" % (values, dup),
                 'ERROR:  duplicate key value violates unique constraint '
                 '"t_pkey"\nDETAIL:  Key (id)=(%d) already exists.\n' % dup)

    def update(self, key, value):
        self.add("UPDATE t SET v = '%s' WHERE id = %d;" % (value, key),
                 "UPDATE 1\n", lambda m: m.__setitem__(key, value))

    def delete(self, key):
        self.add("DELETE FROM t WHERE id = %d;" % key, "DELETE 1\n",
                 lambda m: m.pop(key))

    def allowed_while(self, i):
        """The states of t if the power goes out while line I runs."""
        before = self.states[i - 1] if i > 0 else None
        if i >= len(self.lines):
            return [before]
        return [before, self.states[i]]


def value(rng, size):
    """SIZE bytes of one letter after a random tag, so that an image of
    another statement's row cannot pass for this one."""
    tag = "%06d" % rng.randrange(10 ** 6)
    return tag + rng.choice("abcdefghij") * (size - len(tag))


def workload(rng):
    w = Workload()
    w.create()
    key = 1
    for cycle in range(4):
        w.insert([(key + i, value(rng, 3000)) for i in range(3)])
        key += 3
        # Eight values of 20 KB: more pages than eight frames, most of
        # them spilled before the duplicate rolls the statement back.
        w.insert_failing([(1000 + 10 * cycle + i, value(rng, 20000))
                          for i in range(8)], rng.choice(list(w.model)))
        w.update(rng.choice(list(w.model)), value(rng, 9000))
        if cycle == 1:
            w.add("\\checkpoint", "Checkpoint: the file holds every "
                  "committed change; the log starts over.\n")
        w.insert_failing([(2000 + 10 * cycle + i, value(rng, 12000))
                          for i in range(6)], rng.choice(list(w.model)))
        w.delete(rng.choice(list(w.model)))
        w.insert([(key, value(rng, 500))])
        key += 1
    w.add("\\q", "")
    return w


def table_rows(t, db):
    """The rows of t in DB as select shows them (None: there is no t), and
    \\check's reply."""
    rows = t.strata(*POOL, db, "--csv", "-c", "SELECT id, v FROM t;")
    check = t.strata(*POOL, db, "-c", "\\check")
    if rows.output.startswith('ERROR:  relation "t" does not exist'):
        return None, check.output
    t.check(rows.status == 0, "reopening %s failed:\n%s" % (
        db, rows.output[-600:]))
    got = {int(r["id"]): r["v"] for r in csv.DictReader(
        io.StringIO(rows.output))}
    return got, check.output


def check_after_crash(t, w, db, output, what):
    replies = output.split(PROMPT)[1:]
    in_flight = len(replies) - 1  # -1: it crashed before the first prompt
    for i in range(in_flight):
        t.check(replies[i] == w.replies[i], "%s: line %d (%r) replied %r" % (
            what, i + 1, w.lines[i][:40], replies[i][:200]))
    got, check = table_rows(t, db)
    allowed = w.allowed_while(in_flight)
    keys = lambda rows: None if rows is None else sorted(rows)
    t.check(got in allowed, "%s: with line %d (%r) in flight, t has keys "
            "%s; allowed: %s" % (what, in_flight + 1,
                                 w.lines[in_flight][:40]
                                 if 0 <= in_flight < len(w.lines) else "",
                                 keys(got), [keys(a) for a in allowed]))
    t.check(check == "ok\n", "%s: \\check says %r" % (what, check))


def test_the_workload_spills_and_rolls_back(t):
    """Without a crash: every reply as expected, pages were spilled, and
    the table after a restart is the model's."""
    w = workload(random.Random(t.seed))
    lines = w.lines[:-1] + ["\\stats", "\\wal", "\\q"]
    result = t.strata(*POOL, "w.db", input_lines=lines)
    t.check_equal(result.status, 0, "exit status")
    replies = result.output.split(PROMPT)[1:]
    for i, line in enumerate(w.lines[:-1]):
        t.check_equal(replies[i], w.replies[i], "the reply to %r" % line[:40])
    spilled = [int(x.split(": ")[1]) for x in replies[-3].splitlines()
               if x.startswith("pages spilled to the log: ")]
    t.check(spilled and spilled[0] >= 50, "\\stats: %r" % replies[-3])
    # Since the \\checkpoint of the second round: five statements rolled
    # back after spilling, each with its abort record in the log.
    t.check(", 5 aborts)\n" in replies[-2], "\\wal: %r" % replies[-2])
    got, check = table_rows(t, "w.db")
    t.check(got == w.model, "after a restart, t has keys %s, not %s" % (
        sorted(got), sorted(w.model)))
    t.check_equal(check, "ok\n", "\\check")


def test_crash_at_every_io_point(t):
    """A power cut at each I/O point of the workload (a seeded sample when
    there are more than the limit): every acknowledged statement is
    there, no rolled-back row is, and \\check holds."""
    w = workload(random.Random(t.seed))
    counter = t.path("count")
    result = t.strata(*POOL, "n.db", input_lines=w.lines,
                      env={"STRATA_FAULT": "count=%s" % counter})
    t.check_equal(result.status, 0, "the counting run's exit status")
    total = int(counter.read_text())
    limit = 60 if t.sanitized else 300
    points = list(range(1, total + 1))
    if total > limit:
        points = sorted(random.Random(t.seed).sample(points, limit))

    def one(point):
        db = "c%d.db" % point
        fault = "crash=%d,seed=%d" % (point, t.seed * 7919 + point)
        result = t.strata(*POOL, db, input_lines=w.lines,
                          env={"STRATA_FAULT": fault})
        what = "crash at I/O point %d of %d (STRATA_FAULT=%s)" % (
            point, total, fault)
        t.check(result.status == CRASH_STATUS, "%s: exit status %d" % (
            what, result.status))
        check_after_crash(t, w, db, result.output, what)
        for path in (t.path(db), t.path(db + "-wal")):
            if path.exists():
                path.unlink()

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(one, p) for p in points]:
            future.result()
    t.check(len(points) >= 200 or t.sanitized, "only %d crash points" %
            len(points))
