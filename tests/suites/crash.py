"""Crash safety, from milestone 04 on: whatever instant the power goes out,
every statement that printed "Executed." is in the database afterwards, and
a statement that did not print it is either all there or not there at all.

The fault layer (common/os.c, STRATA_FAULT) cuts the power at a chosen I/O
point: writes made since their file's last sync are kept, dropped or torn,
as a seed decides. The tests count a workload's I/O points, crash at every
one of them, reopen the database, and compare what select returns, and what
.check says, with a model of the table kept here.
"""
import concurrent.futures
import random
import signal
import string
import subprocess
import threading
import time

MILESTONES = "04-05"
CRASH_STATUS = 99   # OS_CRASH_STATUS in common/os.h
BATCH = 1000        # IMPORT_BATCH_ROWS


def show(model):
    """What select prints for a table in the state MODEL."""
    return "".join("(%d, %s, %s)\n" % (k, *model[k]) for k in sorted(model)) \
        + "Executed.\n"


def word(rng, longest):
    return "".join(rng.choice(string.ascii_lowercase)
                   for _ in range(rng.randint(1, longest)))


class Workload:
    """Lines for strata, with what each does to the table.

    Each line has an effect: a list of steps, each a dict of changes (a
    value of None deletes the key). A statement is one step; .import is one
    step per batch; meta commands have none. If the power goes out while a
    line runs, the table may be in the state after any whole number of its
    steps, and in no other."""

    def __init__(self):
        self.lines, self.replies, self.effects = [], [], []
        self.model = {}        # the table once every line has run
        self.csv = {}          # the CSV files .import reads, by name

    def add(self, line, reply=None, steps=()):
        self.lines.append(line)
        self.replies.append(reply)
        self.effects.append(list(steps))
        for step in steps:
            apply(self.model, step)

    def insert(self, key, row):
        self.add("insert %d %s %s" % (key, *row), "Executed.\n",
                 [{key: row}])

    def update(self, key, row):
        self.add("update %d %s %s" % (key, *row), "Executed.\n",
                 [{key: row}])

    def delete(self, key):
        self.add("delete %d" % key, "Executed.\n", [{key: None}])

    def import_rows(self, rows, batch=BATCH):
        """.import of ROWS ([(key, (username, email))]), committed BATCH
        rows at a time."""
        name = "rows%d.csv" % len(self.csv)
        self.csv[name] = "id,username,email\n" + "".join(
            "%d,%s,%s\n" % (k, *row) for k, row in rows)
        batches = [dict(rows[i:i + batch]) for i in range(0, len(rows),
                                                           batch)]
        self.add(".import " + name, None, batches)

    def allowed_while(self, i):
        """What select may show if the power goes out while line I runs."""
        model = {}
        for steps in self.effects[:max(i, 0)]:
            for step in steps:
                apply(model, step)
        allowed = [show(model)]
        if 0 <= i < len(self.lines):
            for step in self.effects[i]:
                apply(model, step)
                allowed.append(show(model))
        return allowed


def apply(model, step):
    for key, row in step.items():
        if row is None:
            model.pop(key, None)
        else:
            model[key] = row


def random_workload(rng, n_statements, max_key, checkpoint_at=None):
    """Inserts, updates and deletes of rows with random string lengths, so
    that leaves split, share and merge."""
    w = Workload()
    free = list(range(1, max_key + 1))
    rng.shuffle(free)
    for i in range(n_statements):
        if i == checkpoint_at:
            w.add(".checkpoint")
        present = list(w.model)
        op = rng.choices(["insert", "update", "delete"], [55, 20, 25])[0]
        if op == "insert" and not free:
            op = "update"
        if op != "insert" and not present:
            op = "insert"
        row = (word(rng, 32), word(rng, 255))
        if op == "insert":
            w.insert(free.pop(), row)
        elif op == "update":
            w.update(rng.choice(present), row)
        else:
            key = rng.choice(present)
            w.delete(key)
            free.append(key)
    return w


def count_points(t, workload, name, kind="any"):
    counter = t.path(name + ".count")
    result = t.strata(name + ".db", input_lines=workload.lines,
                      env={"STRATA_FAULT": "count=%s,kind=%s" % (counter,
                                                                 kind)})
    t.check_equal(result.status, 0, "the counting run's exit status")
    return int(counter.read_text())


def check_after_crash(t, workload, db, output, what):
    """Checks the replies printed before the crash, then reopens DB and
    checks that it holds an allowed state and passes .check."""
    replies = t.replies(output)
    in_flight = len(replies) - 1   # -1: it crashed before the first prompt
    for i in range(in_flight):
        expected = workload.replies[i]
        t.check(expected is None or replies[i] == expected,
                "%s: line %d (%r) replied %r" % (
                    what, i + 1, workload.lines[i][:40], replies[i]))
    after = t.strata(db, input_lines=["select", ".check"])
    got = t.replies(after.output)
    t.check(after.status == 0 and len(got) >= 2,
            "%s: reopening failed:\n%s" % (what, after.output[-600:]))
    allowed = workload.allowed_while(in_flight)
    t.check(got[0] in allowed,
            "%s: with line %d (%r) in flight, select shows %d rows, none of "
            "the %d allowed states" % (
                what, in_flight + 1, workload.lines[in_flight][:40]
                if 0 <= in_flight < len(workload.lines) else "",
                got[0].count("\n") - 1, len(allowed)))
    t.check(got[1] == "ok\n", "%s: .check says %r" % (what, got[1]))


def crash_everywhere(t, workload, name, seed, limit, fates=1, kind="any"):
    """Crashes WORKLOAD at every I/O point (a seeded sample of LIMIT of them
    if there are more; under the sanitizers, which are slower, a sample of
    a fifth as many) and checks each outcome; with FATES > 1, as many
    times at each point, each time with another seed for the fate of the
    waiting writes; with KIND "sync", at the syncs only. Returns the
    points tried."""
    if t.sanitized:
        limit //= 5
    if t.pool_pages == 8:
        limit //= 2   # every eviction's write-back is one more I/O point
    for csv_name, text in workload.csv.items():
        t.path(csv_name).write_text(text)
    total = count_points(t, workload, name, kind)
    points = list(range(1, total + 1))
    if total > limit:
        points = sorted(random.Random(seed).sample(points, limit))

    def one(point, fate):
        db = "%s%d-%d.db" % (name, point, fate)
        fault = "crash=%d,seed=%d,kind=%s" % (point, seed * 7919 + point +
                                               fate * 104729, kind)
        result = t.strata(db, input_lines=workload.lines,
                          env={"STRATA_FAULT": fault})
        what = "crash at I/O point %d of %d (STRATA_FAULT=%s)" % (
            point, total, fault)
        t.check(result.status == CRASH_STATUS, "%s: exit status %d, not the "
                "crash's %d" % (what, result.status, CRASH_STATUS))
        check_after_crash(t, workload, db, result.output, what)
        for path in (t.path(db), t.path(db + "-wal")):
            if path.exists():
                path.unlink()

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(one, p, f) for p in points
                       for f in range(fates)]:
            future.result()
    return len(points)


def test_crash_at_every_io_point(t):
    """400 inserts, updates and deletes that split, share and merge pages,
    a .checkpoint halfway, an .import of three batches, and the checkpoint
    of .exit: a power cut at each of the workload's I/O points loses
    nothing acknowledged and leaves no statement half done."""
    rng = random.Random(t.seed)
    w = random_workload(rng, 400, 150, checkpoint_at=200)
    if t.pool_pages == 8:
        # Eight frames hold little more than one insert's pages, so
        # .import commits whenever a row may not fit, after any row: the
        # model allows every row boundary, and there are fewer rows.
        w.import_rows([(100000 + n, ("u%d" % n, "e%d@x.io" % n))
                       for n in range(300)], batch=1)
    else:
        w.import_rows([(100000 + n, ("u%d" % n, "e%d@x.io" % n))
                       for n in range(2500)])
    for key in rng.sample(sorted(w.model), 20):
        w.delete(key)
    w.add(".exit")
    tried = crash_everywhere(t, w, "a", t.seed, 3000)
    t.check(tried >= 800 or t.sanitized, "only %d crash points" % tried)


def test_crash_in_a_shrinking_table(t):
    """The table fills up and then empties, so leaves merge, the root
    collapses and pages go to the free list: a crash anywhere leaves the
    tree and the free list consistent."""
    rng = random.Random(t.seed + 1)
    w = Workload()
    keys = list(range(1, 121))
    rng.shuffle(keys)
    for key in keys:
        w.insert(key, (word(rng, 32), word(rng, 255)))
    rng.shuffle(keys)
    for key in keys[:-2]:
        w.delete(key)
    w.add(".exit")
    crash_everywhere(t, w, "b", t.seed + 1, 1000)


def test_crash_as_the_log_is_reused(t):
    """After a checkpoint the log is written again from its start. A power
    cut in the first commit after it may leave the old header with some of
    the new records over the old ones, in any order: recovery must not
    redo a part of the old generation (it would put back pages that later
    transactions of that generation changed). The crash comes at each
    sync, where the most writes wait, with many fates for them."""
    rng = random.Random(t.seed + 3)
    w = Workload()
    w.insert(1, ("one", "first@x.io"))
    w.insert(1000000, ("last", "last@x.io"))
    key = 2
    # Eight frames make .import commit early, after any row (see above).
    batch = 1 if t.pool_pages == 8 else BATCH
    for cycle in range(6):
        w.add(".checkpoint")
        # The old generation: a one-page transaction, then a larger one
        # that changes the same leaf (the keys go in after key - 1).
        w.update(key - 1, (word(rng, 32), word(rng, 255)))
        rows = [(key + i, (word(rng, 32), "e" * 200)) for i in range(20)]
        w.import_rows(rows, batch)
        key += 20
        w.add(".checkpoint")
        # The new generation's first commit, larger than the old first.
        rows = [(key + i, (word(rng, 32), "e" * 200)) for i in range(20)]
        w.import_rows(rows, batch)
        key += 20
    w.add(".exit")
    crash_everywhere(t, w, "r", t.seed + 3, 1000,
                     fates=6 if t.sanitized else 25, kind="sync")


def test_crash_during_recovery(t):
    """A power cut in the middle of recovery, at each of its I/O points:
    while it redoes the log into the file, appends the checkpoint record
    of the header it is about to write, writes that header and syncs.
    The next open recovers all the same: the log is still there, and it
    either follows the file's checkpoint or ends with the checkpoint
    record that the file's header now names."""
    rng = random.Random(t.seed + 4)
    w = random_workload(rng, 120, 60, checkpoint_at=60)
    w.add(".exit")
    total = count_points(t, w, "c")
    firsts = sorted(random.Random(t.seed + 4).sample(
        range(1, total + 1), 3 if t.sanitized else 8))
    crashes = 0
    for first in firsts:
        db = "c%d.db" % first
        fault = "crash=%d,seed=%d" % (first, t.seed + first)
        result = t.strata(db, input_lines=w.lines,
                          env={"STRATA_FAULT": fault})
        t.check(result.status == CRASH_STATUS, "crash at %d: exit status "
                "%d" % (first, result.status))
        files = {p: t.path(p).read_bytes() for p in (db, db + "-wal")
                 if t.path(p).exists()}
        counter = t.path(db + ".count")
        t.strata(db, input_lines=["select"],
                 env={"STRATA_FAULT": "count=%s" % counter})
        for second in range(1, int(counter.read_text()) + 1):
            for p in (db, db + "-wal"):
                if t.path(p).exists():
                    t.path(p).unlink()
            for p, data in files.items():
                t.path(p).write_bytes(data)
            again = "crash=%d,seed=%d" % (second, t.seed + second)
            reopened = t.strata(db, input_lines=["select"],
                                env={"STRATA_FAULT": again})
            t.check(reopened.status == CRASH_STATUS, "crash at %d, then %d "
                    "in the reopen: exit status %d" % (first, second,
                                                       reopened.status))
            check_after_crash(t, w, db, result.output, "crash at %d (%s), "
                              "then at %d (%s) in recovery" % (
                                  first, fault, second, again))
            crashes += 1
    t.check(crashes >= 100 or t.sanitized, "only %d crashes in recovery" %
            crashes)


def test_kill_9_at_random_times(t):
    """kill -9 from outside, at random moments of a long workload: every
    acknowledged statement survives."""
    rng = random.Random(t.seed + 2)
    w = random_workload(rng, 3000, 2000)
    data = "".join(line + "\n" for line in w.lines).encode()
    # The kills land between 5% and 60% of the time the whole workload
    # takes, measured first, so that they cut it short whatever its pace.
    # A round whose workload ends first does not count, and its length
    # becomes the new measure: the pace of a loaded machine changes.
    start = time.monotonic()
    t.session("timing.db", w.lines)
    span = time.monotonic() - start
    killed = 0
    for round_ in range(24):
        if killed == 8:
            break
        db = "kill%d.db" % round_
        proc = subprocess.Popen(["strata", db], cwd=t.dir, env=t.env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        chunks = []
        reader = threading.Thread(
            target=lambda: chunks.append(proc.stdout.read()))
        reader.start()

        def feed():
            try:
                proc.stdin.write(data)
                proc.stdin.close()
            except OSError:
                pass  # killed while we were still writing
        writer = threading.Thread(target=feed)
        writer.start()
        began = time.monotonic()
        try:
            proc.wait(timeout=rng.uniform(0.05, 0.6) * span)
            span = time.monotonic() - began
        except subprocess.TimeoutExpired:
            proc.kill()
            killed += proc.wait() == -signal.SIGKILL
        writer.join()
        reader.join()
        output = b"".join(chunks).decode("utf-8", "replace")
        check_after_crash(t, w, db, output, "kill -9 in round %d" % round_)
    t.check(killed == 8, "only %d of 24 kills landed before the workload "
            "ended" % killed)
