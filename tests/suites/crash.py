"""Crash safety, from milestone 04 on: whatever instant the power goes out,
every statement that was acknowledged ("Executed.", a SQL command tag) is
in the database afterwards, and a statement that was not is either all
there or not there at all (a load, .import or \\copy: a whole number of
its batches).

The workloads are operations on tables (harness.Workload), and the
milestone's dialect types them: 04-05's shell changes its one table a row
at a time; SQL (06 on) also has several tables, NULLs, values over a page
and of hundreds of KiB (overflow chains), updates that move rows and free
chains, DROP TABLE, and from 08 on indexes. A workload uses everything
its dialect offers (harness.TABLES, INDEXES, ...). One test writes
transactions far larger than the buffer pool (06 on: a 1 MiB value, the
DROP of a table of megabytes), whose pages the pager spills to the log
before they commit.

From milestone 08 on the workloads keep indexes too: a CREATE INDEX
made before the rows that every later statement maintains, a CREATE
UNIQUE INDEX built from rows already there and a duplicate it refuses,
an index on a table that is dropped, a DROP INDEX, and an index the
\\copy fills; \\check after each crash then also verifies every index
against its table (every row has its entry, no entry lacks a row).

The fault layer (common/os.c, STRATA_FAULT) cuts the power at a chosen I/O
point: writes made since their file's last sync are kept, dropped or torn,
as a seed decides. The tests count a workload's I/O points, crash at every
one of them, reopen the database, and compare what select returns for
every table, and what .check (\\check) says, with the states the model
allows.
"""
import concurrent.futures
import random
import signal
import string
import subprocess
import threading
import time

import harness
from harness import (DELETE_ALL, INDEXES, MOVES, MULTI_ROW, OVERFLOW, TABLES,
                     VALUES, Schema, Workload)

MILESTONES = "04-"
CRASH_STATUS = 99   # OS_CRASH_STATUS in common/os.h


# --- the workloads -----------------------------------------------------------

def word(rng, shortest, longest, letters=string.ascii_lowercase):
    return "".join(rng.choice(letters)
                   for _ in range(rng.randint(shortest, longest)))


def any_text(rng, shortest, longest):
    """A text with blanks, quotes and commas (harness.VALUES)."""
    return word(rng, shortest, longest, string.ascii_letters + " ,'\"")


def big_text(rng, size):
    """SIZE bytes of text (no line break, so that a statement is a line),
    not one byte repeated: a chain page misplaced would show."""
    piece = "".join(rng.choice(string.ascii_letters + string.digits + " '")
                    for _ in range(1021))
    return "".join("%07d:%s" % (i, piece[i % 997:] + piece[:i % 997])
                   for i in range(size // 1029 + 1))[:size]


def short_row(rng):
    """A users row any dialect can say: two words of random lengths (up
    to the fixed schema's 32 and 255 bytes), so that leaves split, share
    and merge."""
    return (word(rng, 1, 32), word(rng, 1, 255))


USERS = Schema("users", [("id", "INTEGER PRIMARY KEY"),
                         ("name", "VARCHAR(40) NOT NULL"),
                         ("email", "TEXT")], True)
DOCS = Schema("docs", [("id", "INTEGER PRIMARY KEY"), ("title", "TEXT"),
                       ("body", "TEXT"), ("score", "REAL"),
                       ("ok", "BOOLEAN")], True)
NOTES = Schema("notes", [("body", "TEXT"), ("n", "INTEGER")], False)
SCRATCH = Schema("scratch", [("id", "INTEGER PRIMARY KEY"),
                             ("v", "TEXT")], True)


def new_workload(t, schemas=()):
    """A Workload in T's dialect, its loads committing as many rows at
    once as they do in T's variant (Dialect.import_batch): 04's .import
    1000, 05's .import and \\copy the whole load, since their batches are
    bounded by the pages they change, not by the pool."""
    d = t.dialect
    return Workload(d, schemas if d.offers(TABLES) else (),
                    d.import_batch(t.pool_pages))


def churn(w, rng, n_statements, max_key, checkpoint_at=None):
    """N_STATEMENTS inserts, updates and deletes of users rows of random
    lengths, over the keys 1 to MAX_KEY, so that leaves split, share and
    merge; a checkpoint before statement CHECKPOINT_AT."""
    free = list(range(1, max_key + 1))
    rng.shuffle(free)
    for i in range(n_statements):
        if i == checkpoint_at:
            w.checkpoint()
        present = list(w.state["users"])
        op = rng.choices(["insert", "update", "delete"], [55, 20, 25])[0]
        if op == "insert" and not free:
            op = "update"
        if op != "insert" and not present:
            op = "insert"
        row = short_row(rng)
        if op == "insert":
            w.insert("users", [(free.pop(), row)])
        elif op == "update":
            w.update("users", rng.choice(present), dict(enumerate(row)))
        else:
            key = rng.choice(present)
            w.delete("users", key)
            free.append(key)


def mixed_workload(t, rng, size):
    """The workload of every I/O point and of the kills, made of all that
    T's dialect offers; SIZE is "small", "medium" or "long".

    One table (04-05): churn in it (statements of a row), a checkpoint
    halfway, a load of 2,500 rows (04: three batches; 05: one, of more
    pages than an 8-frame pool holds, which it spills to the log),
    deletes and the close, which checkpoints.

    Several tables (06 on): random inserts, updates and deletes between
    landmarks: overflow values, a failing INSERT, a table filled and
    dropped, a checkpoint, a load, a DELETE of every row, and the close.
    With indexes (08 on): indexes made before and after rows, UNIQUE with
    a refused duplicate, one dropped with its table, one dropped alone;
    they change no table, so the states the model allows stay the
    same."""
    d = t.dialect
    if not d.offers(TABLES):
        n, max_key = {"medium": (400, 150), "long": (3000, 2000)}[size]
        w = new_workload(t)
        if size == "long":   # the kills end it; stdin's end closes it
            churn(w, rng, n, max_key)
            return w
        churn(w, rng, n, max_key, checkpoint_at=n // 2)
        w.load("users", [(100000 + n, ("u%d" % n, "e%d@x.io" % n))
                         for n in range(2500)])
        for key in rng.sample(sorted(w.state["users"]), 20):
            w.delete("users", key)
        w.exit()
        return w
    assert d.offers(MULTI_ROW, VALUES, OVERFLOW, MOVES, DELETE_ALL)
    n_statements, big_sizes, load_rows = {
        "small": (24, [9000, 40000], 1200),
        "medium": (60, [20000, 300000], 1500),
        "long": (900, [20000, 300000], 2500)}[size]
    return several_tables(t, rng, n_statements, big_sizes, load_rows)


def several_tables(t, rng, n_statements, big_sizes, load_rows):
    """mixed_workload() in a dialect of several tables."""
    indexes = t.dialect.offers(INDEXES)
    w = new_workload(t, [USERS, DOCS, NOTES, SCRATCH])
    for s in (USERS, DOCS, NOTES):
        w.create(s.name)
    if indexes:
        w.create_index("users_name", "users", "name")
    user_key = [0]
    note_numbers = set()

    def user():
        return (any_text(rng, 1, 40), any_text(rng, 0, 60)
                if rng.random() < 0.9 else None)

    def note_number():
        """A number for notes.n, never one used before: with the UNIQUE
        index on it, a repeat would be refused (the odds are 1 in 10^9 a
        workload, and the draw is 07's when there is none)."""
        n = rng.randint(-10 ** 12, 10 ** 12)
        while indexes and n in note_numbers:
            n = rng.randint(-10 ** 12, 10 ** 12)
        note_numbers.add(n)
        return n

    def insert_users(n):
        rows = []
        for _ in range(n):
            user_key[0] += rng.randint(1, 3)
            rows.append((user_key[0], user()))
        w.insert("users", rows)

    def random_statement():
        op = rng.choices(["users", "update", "delete", "doc", "note",
                          "move"], [30, 20, 15, 15, 15, 5])[0]
        users = sorted(w.state["users"])
        if op == "users" or not users:
            insert_users(rng.randint(1, 4))
        elif op == "update":
            w.update("users", rng.choice(users), {0: user()[0]})
        elif op == "delete":
            w.delete("users", rng.choice(users))
        elif op == "move":
            user_key[0] += 1
            w.update("users", rng.choice(users), {}, new_key=user_key[0])
        elif op == "doc":
            docs = sorted(w.state["docs"])
            size = rng.choice([0, 10, 3000, 5000, 20000])
            if docs and rng.random() < 0.5:
                w.update("docs", rng.choice(docs), {1: big_text(rng, size)})
            else:
                key = w.next_key("docs")
                w.insert("docs", [(key, (any_text(rng, 0, 20),
                                         big_text(rng, size),
                                         rng.uniform(-1e3, 1e3),
                                         rng.random() < 0.5))])
        else:
            w.insert("notes", [(None, (any_text(rng, 0, 30), note_number()))
                               for _ in range(rng.randint(1, 3))])

    insert_users(5)
    for size in big_sizes:
        w.insert("docs", [(w.next_key("docs"),
                           ("big", big_text(rng, size), 1.5, True)),
                          (w.next_key("docs") + 1, (None, None, None,
                                                    None))])
    for _ in range(n_statements // 3):
        random_statement()
    w.insert_failing("users", [(user_key[0] + 1, user())],
                     sorted(w.state["users"])[0])
    if indexes:
        # Built from the rows there, then refusing a repeat of one.
        n = 424242424242
        note_numbers.add(n)
        w.insert("notes", [(None, ("taken", n))])
        w.create_index("notes_n", "notes", "n DESC", unique=True)
        w.create_index("docs_title", "docs", "title, score")
        w.insert_refused("notes", ("again", n), "notes_n", "n", n)
    w.create("scratch")
    if indexes:
        w.create_index("scratch_id", "scratch", "id DESC")
    w.insert("scratch", [(k, (big_text(rng, 12000),)) for k in range(1, 4)])
    w.insert("scratch", [(9, (big_text(rng, big_sizes[0]),))])
    for _ in range(n_statements // 3):
        random_statement()
    w.checkpoint()
    if indexes:
        w.drop_index("docs_title")
        w.create_index("users_email", "users", "email, id")
    # The big values shrink and grow again: their chains are freed and
    # the pages reused.
    for key in sorted(w.state["docs"])[:2]:
        w.update("docs", key, {1: "short now"})
    w.drop("scratch")
    w.load("users", [(100000 + i, user()) for i in range(load_rows)])
    for _ in range(n_statements // 3):
        random_statement()
    w.insert("docs", [(w.next_key("docs"),
                       ("again", big_text(rng, big_sizes[-1]), -0.5,
                        False))])
    w.delete("notes")
    w.exit()
    return w


# --- crashing a workload and checking what is left -----------------------

def count_points(t, w, name, kind="any"):
    """Runs W once, counting its I/O points (of KIND), and checks every
    reply."""
    counter = t.path(name + ".count")
    result = t.strata(*w.dialect.args, name + ".db", input_lines=w.lines,
                      env={"STRATA_FAULT": "count=%s,kind=%s" % (counter,
                                                                 kind)})
    t.check_equal(result.status, 0, "the counting run's exit status")
    replies = w.dialect.replies(result.output)
    for i, expected in enumerate(w.replies):
        t.check(expected is None or (i < len(replies) and
                                     replies[i] == expected),
                "the counting run: line %d (%r) replied %r, not %r" % (
                    i + 1, w.lines[i][:60],
                    replies[i][:300] if i < len(replies) else None,
                    (expected or "")[:300]))
    return int(counter.read_text())


def check_after_crash(t, w, db, output, what):
    """Checks the replies printed before the crash, then reopens DB and
    checks that it holds an allowed state and passes .check (\\check)."""
    replies = w.dialect.replies(output)
    in_flight = len(replies) - 1   # -1: it crashed before the first prompt
    for i in range(in_flight):
        expected = w.replies[i]
        t.check(expected is None or replies[i] == expected,
                "%s: line %d (%r) replied %r" % (
                    what, i + 1, w.lines[i][:60], replies[i][:300]))
    # A line whose whole reply is out is durable: it must be there.
    acknowledged = 0 <= in_flight < len(w.lines) and \
        bool(w.replies[in_flight]) and \
        replies[in_flight] == w.replies[in_flight]
    read_back = w.read_back()
    after = t.strata(*w.dialect.args, db, input_lines=read_back)
    got = w.dialect.replies(after.output)[:len(read_back)]
    t.check(after.status == 0 and len(got) == len(read_back),
            "%s: reopening failed:\n%s" % (what, after.output[-600:]))
    allowed, n_allowed = w.allows(got, in_flight, acknowledged)
    if not allowed:
        line = w.lines[in_flight][:60] \
            if 0 <= in_flight < len(w.lines) else ""
        before = next(w.states_while(in_flight, acknowledged))
        raise harness.Failure(
            "%s: with line %d (%r) in flight%s, the tables read back are "
            "none of the %d allowed states; against the state before "
            "it:\n%s" % (what, in_flight + 1, line,
                         " and acknowledged" if acknowledged else "",
                         n_allowed, w.describe(got, before)))


def crash_everywhere(t, w, name, seed, limit, fates=1, kind="any"):
    """Crashes W at every I/O point (a seeded sample of LIMIT of them if
    there are more; a fifth as many under the sanitizers, which are
    slower, half in an 8-frame pool, where every eviction's write-back is
    one more I/O point) and checks each outcome; with FATES > 1, as many
    times at each point, each time with another seed for the fate of the
    waiting writes; with KIND "sync", at the syncs only. Returns (points
    tried, points in all)."""
    if t.sanitized:
        limit //= 5
    if t.pool_pages == 8:
        limit //= 2
    for file_name, text in w.files.items():
        t.path(file_name).write_text(text)
    total = count_points(t, w, name, kind)
    points = list(range(1, total + 1))
    if total > limit:
        points = sorted(random.Random(seed).sample(points, limit))

    def one(point, fate):
        db = "%s%d-%d.db" % (name, point, fate)
        fault = "crash=%d,seed=%d,kind=%s" % (point, seed * 7919 + point +
                                               fate * 104729, kind)
        result = t.strata(*w.dialect.args, db, input_lines=w.lines,
                          env={"STRATA_FAULT": fault})
        what = "crash at I/O point %d of %d (STRATA_FAULT=%s)" % (
            point, total, fault)
        t.check(result.status == CRASH_STATUS, "%s: exit status %d, not the "
                "crash's %d; output ends %r" % (what, result.status,
                                                CRASH_STATUS,
                                                result.output[-300:]))
        check_after_crash(t, w, db, result.output, what)
        for path in (t.path(db), t.path(db + "-wal")):
            if path.exists():
                path.unlink()

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(one, p, f) for p in points
                       for f in range(fates)]:
            future.result()
    return len(points), total


# --- the tests ---------------------------------------------------------------

def test_crash_at_every_io_point(t):
    """The mixed workload (see mixed_workload): in 04-05, 400 inserts,
    updates and deletes, a checkpoint halfway, a load (04: of three
    batches; 05: of one, spilled to the log in an 8-frame pool), deletes
    and the close; from 06 on three tables and a fourth made,
    filled and dropped, values of 20 and 300 KiB updated to short ones and
    back, a failing INSERT, a \\checkpoint, a \\copy (one batch), a
    DELETE of every row, the close. A power cut at each of its I/O points
    (a sample of 3000 in 04-05, of 200 from 06 on, where a run takes
    longer) loses nothing acknowledged and leaves no statement half
    done."""
    w = mixed_workload(t, random.Random(t.seed), "medium")
    if t.dialect.offers(OVERFLOW):
        tried, total = crash_everywhere(t, w, "a", t.seed, 200)
        t.check(total >= 300, "only %d I/O points in the workload" % total)
    else:
        tried, total = crash_everywhere(t, w, "a", t.seed, 3000)
        t.check(tried >= 800 or t.sanitized, "only %d crash points" % tried)


@harness.milestones("04-05")
def test_crash_in_a_shrinking_table(t):
    """The table fills up and then empties, so leaves merge, the root
    collapses and pages go to the free list: a crash anywhere leaves the
    tree and the free list consistent. (From 06 on the mixed workload's
    DELETE of every row and DROP TABLE empty trees.)"""
    rng = random.Random(t.seed + 1)
    w = new_workload(t)
    keys = list(range(1, 121))
    rng.shuffle(keys)
    for key in keys:
        w.insert("users", [(key, short_row(rng))])
    rng.shuffle(keys)
    for key in keys[:-2]:
        w.delete("users", key)
    w.exit()
    crash_everywhere(t, w, "b", t.seed + 1, 1000)


@harness.milestones("04-05")
def test_crash_as_the_log_is_reused(t):
    """After a checkpoint the log is written again from its start. A power
    cut in the first commit after it may leave the old header with some of
    the new records over the old ones, in any order: recovery must not
    redo a part of the old generation (it would put back pages that later
    transactions of that generation changed). The crash comes at each
    sync, where the most writes wait, with many fates for them. (From 06
    on, test_crash_at_syncs_with_many_fates.)"""
    rng = random.Random(t.seed + 3)
    w = new_workload(t)
    w.insert("users", [(1, ("one", "first@x.io"))])
    w.insert("users", [(1000000, ("last", "last@x.io"))])
    key = 2
    for cycle in range(6):
        w.checkpoint()
        # The old generation: a one-page transaction, then a larger one
        # that changes the same leaf (the keys go in after key - 1).
        w.update("users", key - 1, dict(enumerate(short_row(rng))))
        w.load("users", [(key + i, (word(rng, 1, 32), "e" * 200))
                         for i in range(20)])
        key += 20
        w.checkpoint()
        # The new generation's first commit, larger than the old first.
        w.load("users", [(key + i, (word(rng, 1, 32), "e" * 200))
                         for i in range(20)])
        key += 20
    w.exit()
    crash_everywhere(t, w, "r", t.seed + 3, 1000,
                     fates=6 if t.sanitized else 25, kind="sync")


@harness.milestones("04-05")
def test_crash_during_recovery(t):
    """A power cut in the middle of recovery, at each of its I/O points:
    while it redoes the log into the file, appends the checkpoint record
    of the header it is about to write, writes that header and syncs.
    The next open recovers all the same: the log is still there, and it
    either follows the file's checkpoint or ends with the checkpoint
    record that the file's header now names."""
    rng = random.Random(t.seed + 4)
    w = new_workload(t)
    churn(w, rng, 120, 60, checkpoint_at=60)
    w.exit()
    total = count_points(t, w, "c")
    firsts = sorted(random.Random(t.seed + 4).sample(
        range(1, total + 1), 3 if t.sanitized else 8))
    crashes = 0
    for first in firsts:
        db = "c%d.db" % first
        fault = "crash=%d,seed=%d" % (first, t.seed + first)
        result = t.strata(*w.dialect.args, db, input_lines=w.lines,
                          env={"STRATA_FAULT": fault})
        t.check(result.status == CRASH_STATUS, "crash at %d: exit status "
                "%d" % (first, result.status))
        files = {p: t.path(p).read_bytes() for p in (db, db + "-wal")
                 if t.path(p).exists()}
        counter = t.path(db + ".count")
        t.strata(*w.dialect.args, db, input_lines=w.read_back()[:1],
                 env={"STRATA_FAULT": "count=%s" % counter})
        for second in range(1, int(counter.read_text()) + 1):
            for p in (db, db + "-wal"):
                if t.path(p).exists():
                    t.path(p).unlink()
            for p, data in files.items():
                t.path(p).write_bytes(data)
            again = "crash=%d,seed=%d" % (second, t.seed + second)
            reopened = t.strata(*w.dialect.args, db,
                                input_lines=w.read_back()[:1],
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


@harness.milestones("06-")
def test_crash_in_transactions_larger_than_the_pool(t):
    """A 1 MiB value, an INSERT of 1.2 MiB in one statement, an UPDATE
    that frees a 1 MiB chain and writes another, the DROP of a table of
    megabytes: each transaction changes more pages than a pool of 8 (or
    of 256) frames holds, so the pager spills them to the log before the
    commit (06 on; before, a pool holds a transaction whole). A crash
    anywhere, spills and their recovery included, shows each statement
    whole or not at all."""
    rng = random.Random(t.seed + 1)
    big = Schema("big", [("id", "INTEGER PRIMARY KEY"), ("v", "TEXT")],
                 True)
    heap = Schema("heap", [("id", "INTEGER PRIMARY KEY"), ("v", "TEXT"),
                           ("n", "INTEGER")], True)
    w = Workload(t.dialect, [big, heap])
    w.create("big")
    w.create("heap")
    if t.dialect.offers(INDEXES):
        w.create_index("heap_n", "heap", "n, id")
    w.insert("heap", [(k, ("small %d" % k, k)) for k in range(1, 40)])
    w.insert("big", [(1, (big_text(rng, 1 << 20),))])
    w.insert("heap", [(100 + k, (big_text(rng, 200000), k))
                      for k in range(6)])
    w.update("big", 1, {0: big_text(rng, 1 << 20)})
    w.insert("big", [(2, ("after",))])
    w.drop("heap")
    w.update("big", 2, {0: big_text(rng, 300000)})
    w.exit()
    tried, total = crash_everywhere(t, w, "b", t.seed + 1, 80)
    t.check(total > 1000, "only %d I/O points: the values did not go "
            "through the log page by page" % total)


@harness.milestones("06-")
def test_crash_as_a_load_spills_pages_again(t):
    """A load of 5,000 rows in a random order, more than the pool holds
    (in 8 frames and in 256), spills its leaves again and again, each
    spill of a page over the page's record in the log. A crash at any
    sync, each with many fates for the writes waiting (kept, dropped,
    torn), shows the load whole or not at all: the commit record never
    reaches the disk before the records written over do."""
    rng = random.Random(t.seed + 5)
    keys = list(range(1, 5001))
    rng.shuffle(keys)
    w = new_workload(t, [USERS])
    if t.dialect.offers(TABLES):
        w.create("users")
    w.load("users", [(k, ("u%d" % k, "e%d@%s.io" % (k, "x" * 200)))
                     for k in keys])
    w.exit()
    crash_everywhere(t, w, "r", t.seed + 5, 40, fates=3 if t.sanitized
                     else 10, kind="sync")


@harness.milestones("06-")
def test_crash_at_syncs_with_many_fates(t):
    """At each sync the most writes wait, each kept, dropped or torn as a
    seed decides: at every sync of a smaller mixed workload, with many
    seeds, recovery still finds a whole state. (04-05:
    test_crash_as_the_log_is_reused.)"""
    w = mixed_workload(t, random.Random(t.seed + 2), "small")
    # With indexes a statement changes more pages than 8 frames hold, and
    # spills them: there are more syncs, each run four times as long. A
    # smaller sample there (40 syncs) keeps the suite's time near 07's.
    crash_everywhere(t, w, "s", t.seed + 2, 80 if t.dialect.offers(INDEXES)
                     else 200, fates=3 if t.sanitized else 8, kind="sync")


def test_kill_9_at_random_times(t):
    """kill -9 from outside, at random moments of a long mixed workload
    (see mixed_workload): every acknowledged statement survives, and
    .check (\\check) says ok."""
    rng = random.Random(t.seed + 3)
    w = mixed_workload(t, rng, "long")
    for file_name, text in w.files.items():
        t.path(file_name).write_text(text)
    data = "".join(line + "\n" for line in w.lines).encode()
    # The kills land between 5% and 60% (several tables: 90%) of the time
    # the whole workload takes, measured first, so that they cut it short
    # whatever its pace. A round whose workload ends first does not count,
    # and its length becomes the new measure: the pace of a loaded machine
    # changes.
    latest = 0.9 if t.dialect.offers(TABLES) else 0.6
    start = time.monotonic()
    t.session("timing.db", w.lines, args=w.dialect.args)
    span = time.monotonic() - start
    killed = 0
    for round_ in range(24):
        if killed == 8:
            break
        db = "kill%d.db" % round_
        proc = subprocess.Popen(["strata", *w.dialect.args, db], cwd=t.dir,
                                env=t.env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE,
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
            proc.wait(timeout=rng.uniform(0.05, latest) * span)
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
