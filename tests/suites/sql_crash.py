"""Crash safety of SQL, from milestone 06 on: whatever instant the power
goes out, every statement whose command tag was printed is in the
database afterwards, and a statement that was not acknowledged is either
all there or not there at all (a \\copy: a whole number of its batches).
The workloads use several tables, values over a page and of hundreds of
KiB (overflow chains), updates that move rows and free chains, deletes,
a DROP TABLE, a \\checkpoint, a \\copy and the checkpoint of the close;
one writes transactions far larger than the buffer pool (a 1 MiB value,
the DROP of a table of megabytes), whose pages the pager spills to the
log before they commit.

From milestone 08 on the workloads keep indexes too: a CREATE INDEX
made before the rows that every later statement maintains, a CREATE
UNIQUE INDEX built from rows already there and a duplicate it refuses,
an index on a table that is dropped, a DROP INDEX, and an index the
\\copy fills; \\check after each crash then also verifies every index
against its table (every row has its entry, no entry lacks a row).

The fault layer (common/os.c, STRATA_FAULT) cuts the power at a chosen I/O
point, as in crash.py: after it, the database is reopened, every table
read back with SELECT and compared with the states the model allows, and
\\check must say ok.
"""
import concurrent.futures
import random
import signal
import string
import subprocess
import threading
import time

import harness
from harness import csv_line, error_reply, missing_relation, sql_literal

MILESTONES = "06-"
SQL = harness.SqlDialect()
CRASH_STATUS = 99   # OS_CRASH_STATUS in common/os.h
COPY_BATCH = 1000   # COPY_BATCH_ROWS in copy.h


class Schema:
    """A table of the workload: its columns, and whether the first is
    the INTEGER PRIMARY KEY (else the row id is hidden)."""

    def __init__(self, name, columns, keyed):
        self.name = name
        self.columns = columns      # [(name, SQL type)]
        self.keyed = keyed

    def create(self):
        cols = ", ".join("%s %s" % c for c in self.columns)
        return "CREATE TABLE %s (%s);" % (self.name, cols)

    def select(self):
        if self.keyed:
            return "SELECT * FROM %s;" % self.name
        return "SELECT rowid, %s FROM %s;" % (
            ", ".join(c for c, _ in self.columns), self.name)

    def show(self, rows):
        """What select() prints when the table holds ROWS (key -> the
        values after the key), or None: the table does not exist."""
        if rows is None:
            return missing_relation(self.select(), self.name)
        names = [c for c, _ in self.columns]
        return csv_line(names if self.keyed else ["rowid"] + names) + \
            "".join(csv_line((k, *rows[k])) for k in sorted(rows))


class Workload:
    """Lines for strata, with what each does to the database.

    The state is a dict: table name -> {key: values}; a table that does
    not exist has no entry. Each line has a list of steps, each a
    function that changes a state: a statement is one step (none if it
    fails), a \\copy one per batch, a backslash command none. If the power
    goes out while a line runs, the database may be in the state after
    any whole number of its steps, and in no other."""

    def __init__(self, schemas, copy_batch=COPY_BATCH):
        self.schemas = {s.name: s for s in schemas}
        self.copy_batch = copy_batch    # rows a \copy commits at most at once
        self.lines, self.replies, self.effects = [], [], []
        self.state = {}
        self.files = {}    # the CSV files \copy reads, by name

    def add(self, line, reply=None, steps=()):
        self.lines.append(line)
        self.replies.append(reply)
        self.effects.append(list(steps))
        for step in steps:
            step(self.state)

    def create(self, name):
        def step(state):
            state[name] = {}
        self.add(self.schemas[name].create(), "CREATE TABLE\n", [step])

    def drop(self, name):
        def step(state):
            del state[name]
        self.add("DROP TABLE %s;" % name, "DROP TABLE\n", [step])

    def next_key(self, name):
        rows = self.state[name]
        return max(rows) + 1 if rows else 1

    def insert(self, name, rows):
        """ROWS: [(key, values)]; a key of None is the next row id."""
        schema = self.schemas[name]
        keyed, given = [], []
        work = dict(self.state[name])
        for key, values in rows:
            if key is None:
                key = max(work) + 1 if work else 1
            work[key] = tuple(values)
            keyed.append((key, tuple(values)))
            given.append(values if not schema.keyed else (key, *values))
        line = "INSERT INTO %s VALUES %s;" % (name, ", ".join(
            "(%s)" % ", ".join(map(sql_literal, v)) for v in given))

        def step(state):
            state[name] = dict(state[name])
            state[name].update(keyed)
        self.add(line, "INSERT 0 %d\n" % len(rows), [step])

    def insert_failing(self, name, rows, bad_key):
        """An INSERT of ROWS and then a row with the key BAD_KEY, which is
        taken: it fails whole, and changes nothing."""
        schema = self.schemas[name]
        assert schema.keyed and bad_key in self.state[name]
        values = [(k, *v) for k, v in rows] + [(bad_key, *rows[0][1])]
        line = "INSERT INTO %s VALUES %s;" % (name, ", ".join(
            "(%s)" % ", ".join(map(sql_literal, v)) for v in values))
        reply = error_reply('duplicate key value violates unique '
                            'constraint "%s_pkey"' % name,
                            detail="Key (%s)=(%d) already exists." % (
                                schema.columns[0][0], bad_key))
        self.add(line, reply, [])

    def update(self, name, key, changes, new_key=None):
        """UPDATE of the columns CHANGES ({position: value}, positions
        after the key) of row KEY, moving it to NEW_KEY if given."""
        schema = self.schemas[name]
        sets = []
        if new_key is not None:
            sets.append("%s = %d" % (schema.columns[0][0], new_key))
        offset = 1 if schema.keyed else 0
        for pos, value in sorted(changes.items()):
            sets.append("%s = %s" % (schema.columns[pos + offset][0],
                                     sql_literal(value)))
        where = schema.columns[0][0] if schema.keyed else "rowid"
        line = "UPDATE %s SET %s WHERE %s = %d;" % (name, ", ".join(sets),
                                                    where, key)
        found = key in self.state[name]

        def step(state):
            rows = state[name] = dict(state[name])
            values = list(rows.pop(key))
            for pos, value in changes.items():
                values[pos] = value
            rows[key if new_key is None else new_key] = tuple(values)
        self.add(line, "UPDATE %d\n" % found, [step] if found else [])

    def delete(self, name, key=None):
        """DELETE of row KEY, or of every row."""
        schema = self.schemas[name]
        where = schema.columns[0][0] if schema.keyed else "rowid"
        if key is None:
            line = "DELETE FROM %s;" % name
            n = len(self.state[name])
        else:
            line = "DELETE FROM %s WHERE %s = %d;" % (name, where, key)
            n = int(key in self.state[name])

        def step(state):
            rows = state[name] = dict(state[name])
            if key is None:
                rows.clear()
            else:
                rows.pop(key, None)
        self.add(line, "DELETE %d\n" % n, [step] if n else [])

    def copy(self, name, rows):
        """\\copy of ROWS ([(key, values)], keyed tables only) from a CSV
        file, committed copy_batch rows at a time (at most: see
        copy_batch())."""
        schema = self.schemas[name]
        file_name = "%s%d.csv" % (name, len(self.files))
        self.files[file_name] = csv_line(c for c, _ in schema.columns) + \
            "".join(csv_line((k, *v)) for k, v in rows)
        steps = []
        for i in range(0, len(rows), self.copy_batch):
            batch = [(k, tuple(v))
                     for k, v in rows[i:i + self.copy_batch]]

            def step(state, batch=batch):
                state[name] = dict(state[name])
                state[name].update(batch)
            steps.append(step)
        self.add("\\copy %s FROM '%s' CSV HEADER" % (name, file_name),
                 "COPY %d\n" % len(rows), steps)

    def show(self, state):
        """The replies of the read-back session (read_back()) when the
        database is in STATE."""
        return [self.schemas[n].show(state.get(n))
                for n in sorted(self.schemas)] + ["ok\n"]

    def read_back(self):
        return [self.schemas[n].select() for n in sorted(self.schemas)] + \
            ["\\check"]

    def states_while(self, i, acknowledged=False):
        """The states allowed if the power goes out while line I runs
        (-1: before the first prompt), one at a time, the state before
        line I first. ACKNOWLEDGED: line I printed its whole reply, so it
        is durable and must be there whole. (A step replaces the table it
        changes, so that a shallow copy of a state stays as it was.)"""
        state = {}
        for steps in self.effects[:max(i, 0)]:
            for step in steps:
                step(state)
        if not (0 <= i < len(self.lines)):
            yield state
            return
        if not acknowledged or not self.effects[i]:
            yield dict(state)
        for n, step in enumerate(self.effects[i]):
            step(state)
            if not acknowledged or n == len(self.effects[i]) - 1:
                yield dict(state)

    def allows(self, got, i, acknowledged=False):
        """Whether GOT, the replies of read_back(), shows a state allowed
        while line I runs (states_while), and how many states are. Only a
        state with as many rows in each table as GOT is shown and
        compared: a \\copy in a small pool has a state per row, and
        showing each would take time quadratic in the rows."""
        counts = [g.count("\n") for g in got]
        n_states = 0
        for state in self.states_while(i, acknowledged):
            n_states += 1
            if counts == self.line_counts(state) and got == self.show(state):
                return True, n_states
        return False, n_states

    def line_counts(self, state):
        """The lines of each reply of read_back() in STATE."""
        return [self.schemas[n].show(None).count("\n") if n not in state
                else len(state[n]) + 1 for n in sorted(self.schemas)] + [1]


def word(rng, shortest, longest):
    return "".join(rng.choice(string.ascii_letters + " ,'\"")
                   for _ in range(rng.randint(shortest, longest)))


def big_text(rng, size):
    """SIZE bytes of text (no line break, so that a statement is a line),
    not one byte repeated: a chain page misplaced would show."""
    piece = "".join(rng.choice(string.ascii_letters + string.digits + " '")
                    for _ in range(1021))
    return "".join("%07d:%s" % (i, piece[i % 997:] + piece[:i % 997])
                   for i in range(size // 1029 + 1))[:size]


USERS = Schema("users", [("id", "INTEGER PRIMARY KEY"),
                         ("name", "VARCHAR(40) NOT NULL"),
                         ("email", "TEXT")], True)
DOCS = Schema("docs", [("id", "INTEGER PRIMARY KEY"), ("title", "TEXT"),
                       ("body", "TEXT"), ("score", "REAL"),
                       ("ok", "BOOLEAN")], True)
NOTES = Schema("notes", [("body", "TEXT"), ("n", "INTEGER")], False)
SCRATCH = Schema("scratch", [("id", "INTEGER PRIMARY KEY"),
                             ("v", "TEXT")], True)


def user(rng):
    return (word(rng, 1, 40), word(rng, 0, 60) if rng.random() < 0.9
            else None)


def copy_batch(t):
    """The rows per commit of a \\copy in T's variant: COPY_BATCH, but
    copy.c ends a batch early whenever the pool cannot take the next
    row's pages beside the batch's, which in an 8-frame pool can be after
    any row."""
    return t.dialect.import_batch(t.pool_pages)


def indexed(t):
    """Whether T's milestone has indexes (08 on)."""
    return t.milestone.number >= 8


def mixed_workload(rng, n_statements, big_sizes, copy_rows,
                   copy_batch=COPY_BATCH, indexes=False):
    """Several tables; random inserts, updates and deletes between
    landmarks: overflow values of BIG_SIZES, a failing INSERT, a table
    filled and dropped, a \\checkpoint, a \\copy of COPY_ROWS rows, a
    DELETE of every row, and the close. INDEXES (08 on): indexes made
    before and after rows, UNIQUE with a refused duplicate, one dropped
    with its table, one dropped alone; they change no table, so the
    states the model allows stay the same."""
    w = Workload([USERS, DOCS, NOTES, SCRATCH], copy_batch)
    for s in (USERS, DOCS, NOTES):
        w.create(s.name)
    if indexes:
        w.add("CREATE INDEX users_name ON users (name);", "CREATE INDEX\n")
    user_key = [0]
    note_numbers = set()

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
            rows.append((user_key[0], user(rng)))
        w.insert("users", rows)

    def random_statement():
        op = rng.choices(["users", "update", "delete", "doc", "note",
                          "move"], [30, 20, 15, 15, 15, 5])[0]
        users = sorted(w.state["users"])
        if op == "users" or not users:
            insert_users(rng.randint(1, 4))
        elif op == "update":
            w.update("users", rng.choice(users), {0: user(rng)[0]})
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
                w.insert("docs", [(key, (word(rng, 0, 20),
                                         big_text(rng, size),
                                         rng.uniform(-1e3, 1e3),
                                         rng.random() < 0.5))])
        else:
            w.insert("notes", [(None, (word(rng, 0, 30), note_number()))
                               for _ in range(rng.randint(1, 3))])

    insert_users(5)
    for size in big_sizes:
        w.insert("docs", [(w.next_key("docs"),
                           ("big", big_text(rng, size), 1.5, True)),
                          (w.next_key("docs") + 1, (None, None, None,
                                                    None))])
    for _ in range(n_statements // 3):
        random_statement()
    w.insert_failing("users", [(user_key[0] + 1, user(rng))],
                     sorted(w.state["users"])[0])
    if indexes:
        # Built from the rows there, then refusing a repeat of one.
        n = 424242424242
        note_numbers.add(n)
        w.insert("notes", [(None, ("taken", n))])
        w.add("CREATE UNIQUE INDEX notes_n ON notes (n DESC);",
              "CREATE INDEX\n")
        w.add("CREATE INDEX docs_title ON docs (title, score);",
              "CREATE INDEX\n")
        w.add("INSERT INTO notes VALUES ('again', %d);" % n,
              error_reply('duplicate key value violates unique constraint '
                          '"notes_n"', detail="Key (n)=(%d) already exists."
                          % n))
    w.create("scratch")
    if indexes:
        w.add("CREATE INDEX scratch_id ON scratch (id DESC);",
              "CREATE INDEX\n")
    w.insert("scratch", [(k, (big_text(rng, 12000),)) for k in range(1, 4)])
    w.insert("scratch", [(9, (big_text(rng, big_sizes[0]),))])
    for _ in range(n_statements // 3):
        random_statement()
    w.add("\\checkpoint")
    if indexes:
        w.add("DROP INDEX docs_title;", "DROP INDEX\n")
        w.add("CREATE INDEX users_email ON users (email, id);",
              "CREATE INDEX\n")
    # The big values shrink and grow again: their chains are freed and
    # the pages reused.
    for key in sorted(w.state["docs"])[:2]:
        w.update("docs", key, {1: "short now"})
    w.drop("scratch")
    w.copy("users", [(100000 + i, user(rng)) for i in range(copy_rows)])
    for _ in range(n_statements // 3):
        random_statement()
    w.insert("docs", [(w.next_key("docs"),
                       ("again", big_text(rng, big_sizes[-1]), -0.5,
                        False))])
    w.delete("notes")
    w.add("\\q", "")
    return w


def count_points(t, workload, name, kind):
    counter = t.path(name + ".count")
    result = t.strata(*SQL.args, name + ".db",
                      input_lines=workload.lines,
                      env={"STRATA_FAULT": "count=%s,kind=%s" % (counter,
                                                                 kind)})
    t.check_equal(result.status, 0, "the counting run's exit status")
    replies = SQL.replies(result.output)
    for i, expected in enumerate(workload.replies):
        t.check(expected is None or (i < len(replies) and
                                     replies[i] == expected),
                "the counting run: line %d (%r) replied %r, not %r" % (
                    i + 1, workload.lines[i][:60],
                    replies[i][:300] if i < len(replies) else None,
                    (expected or "")[:300]))
    return int(counter.read_text())


def check_after_crash(t, workload, db, output, what):
    """Checks the replies printed before the crash, then reopens DB and
    checks that it holds an allowed state and passes \\check."""
    replies = SQL.replies(output)
    in_flight = len(replies) - 1   # -1: it crashed before the first prompt
    for i in range(in_flight):
        expected = workload.replies[i]
        t.check(expected is None or replies[i] == expected,
                "%s: line %d (%r) replied %r" % (
                    what, i + 1, workload.lines[i][:60], replies[i][:300]))
    # A line whose whole reply is out is durable: it must be there.
    acknowledged = 0 <= in_flight < len(workload.lines) and \
        bool(workload.replies[in_flight]) and \
        replies[in_flight] == workload.replies[in_flight]
    after = t.strata(*SQL.args, db, input_lines=workload.read_back())
    got = SQL.replies(after.output)[:len(workload.schemas) + 1]
    t.check(after.status == 0 and len(got) == len(workload.schemas) + 1,
            "%s: reopening failed:\n%s" % (what, after.output[-600:]))
    allowed, n_allowed = workload.allows(got, in_flight, acknowledged)
    if not allowed:
        line = workload.lines[in_flight][:60] \
            if 0 <= in_flight < len(workload.lines) else ""
        before = next(workload.states_while(in_flight, acknowledged))
        raise harness.Failure(
            "%s: with line %d (%r) in flight%s, the tables read back are "
            "none of the %d allowed states:\n%s" % (
                what, in_flight + 1, line,
                " and acknowledged" if acknowledged else "", n_allowed,
                describe(got, workload.show(before), workload)))


def describe(got, allowed, workload):
    """Where GOT differs from ALLOWED (the state before the in-flight
    line), table by table."""
    out = []
    names = sorted(workload.schemas) + ["\\check"]
    for name, g, a in zip(names, got, allowed):
        if g != a:
            out.append("  %s: %d lines read back, %d before the line in "
                       "flight; read back begins %r" % (
                           name, g.count("\n"), a.count("\n"), g[:200]))
    return "\n".join(out)


def crash_everywhere(t, workload, name, seed, limit, fates=1, kind="any"):
    """Crashes WORKLOAD at every I/O point (a seeded sample of LIMIT of
    them if there are more; a fifth as many under the sanitizers, half in
    an 8-frame pool) and checks each outcome; with FATES > 1, as many
    times at each point, each time with another seed for the fate of the
    waiting writes; with KIND "sync", at the syncs only. Returns (points
    tried, points in all)."""
    if t.sanitized:
        limit //= 5
    if t.pool_pages == 8:
        limit //= 2
    for file_name, text in workload.files.items():
        t.path(file_name).write_text(text)
    total = count_points(t, workload, name, kind)
    points = list(range(1, total + 1))
    if total > limit:
        points = sorted(random.Random(seed).sample(points, limit))

    def one(point, fate):
        db = "%s%d-%d.db" % (name, point, fate)
        fault = "crash=%d,seed=%d,kind=%s" % (point, seed * 7919 + point +
                                               fate * 104729, kind)
        result = t.strata(*SQL.args, db, input_lines=workload.lines,
                          env={"STRATA_FAULT": fault})
        what = "crash at I/O point %d of %d (STRATA_FAULT=%s)" % (
            point, total, fault)
        t.check(result.status == CRASH_STATUS, "%s: exit status %d, not the "
                "crash's %d; output ends %r" % (what, result.status,
                                                CRASH_STATUS,
                                                result.output[-300:]))
        check_after_crash(t, workload, db, result.output, what)
        for path in (t.path(db), t.path(db + "-wal")):
            if path.exists():
                path.unlink()

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(one, p, f) for p in points
                       for f in range(fates)]:
            future.result()
    return len(points), total


def test_crash_at_every_io_point(t):
    """Three tables and a fourth made, filled and dropped; values of 20
    and 300 KiB, updated to short ones and back; a failing INSERT; a
    \\checkpoint, a \\copy of two batches, a DELETE of every row, the
    close: a power cut at any I/O point loses nothing acknowledged and
    leaves no statement half done."""
    rng = random.Random(t.seed)
    w = mixed_workload(rng, 60, [20000, 300000], 1500,
                       copy_batch(t), indexed(t))
    tried, total = crash_everywhere(t, w, "a", t.seed, 200)
    t.check(total >= 300, "only %d I/O points in the workload" % total)


def test_crash_in_transactions_larger_than_the_pool(t):
    """A 1 MiB value, an INSERT of 1.2 MiB in one statement, an UPDATE
    that frees a 1 MiB chain and writes another, the DROP of a table of
    megabytes: each transaction changes more pages than a pool of 8 (or
    of 256) frames holds, so the pager spills them to the log before the
    commit. A crash anywhere, spills and their recovery included, shows
    each statement whole or not at all."""
    rng = random.Random(t.seed + 1)
    big = Schema("big", [("id", "INTEGER PRIMARY KEY"), ("v", "TEXT")],
                 True)
    heap = Schema("heap", [("id", "INTEGER PRIMARY KEY"), ("v", "TEXT"),
                           ("n", "INTEGER")], True)
    w = Workload([big, heap])
    w.create("big")
    w.create("heap")
    if indexed(t):
        w.add("CREATE INDEX heap_n ON heap (n, id);", "CREATE INDEX\n")
    w.insert("heap", [(k, ("small %d" % k, k)) for k in range(1, 40)])
    w.insert("big", [(1, (big_text(rng, 1 << 20),))])
    w.insert("heap", [(100 + k, (big_text(rng, 200000), k))
                      for k in range(6)])
    w.update("big", 1, {0: big_text(rng, 1 << 20)})
    w.insert("big", [(2, ("after",))])
    w.drop("heap")
    w.update("big", 2, {0: big_text(rng, 300000)})
    w.add("\\q", "")
    tried, total = crash_everywhere(t, w, "b", t.seed + 1, 80)
    t.check(total > 1000, "only %d I/O points: the values did not go "
            "through the log page by page" % total)


def test_crash_at_syncs_with_many_fates(t):
    """At each sync the most writes wait, each kept, dropped or torn as a
    seed decides: at every sync of a smaller mixed workload, with many
    seeds, recovery still finds a whole state."""
    rng = random.Random(t.seed + 2)
    w = mixed_workload(rng, 24, [9000, 40000], 1200, copy_batch(t),
                       indexed(t))
    # With indexes a statement changes more pages than 8 frames hold: the
    # \copy commits more often and spills, and there are twice the syncs
    # (121 against 54), each run four times as long. A smaller sample
    # there (40 syncs) keeps the suite's time near 07's; the default pool
    # still has every sync (56).
    crash_everywhere(t, w, "s", t.seed + 2, 80 if indexed(t) else 200,
                     fates=3 if t.sanitized else 8, kind="sync")


def test_kill_9_at_random_times(t):
    """kill -9 from outside, at random moments of a long workload over
    several tables: every acknowledged statement survives, and \\check
    says ok."""
    rng = random.Random(t.seed + 3)
    w = mixed_workload(rng, 900, [20000, 300000], 2500,
                       copy_batch(t), indexed(t))
    for file_name, text in w.files.items():
        t.path(file_name).write_text(text)
    data = "".join(line + "\n" for line in w.lines).encode()
    # The kills land between 5% and 90% of the time the whole workload
    # takes, measured first, so that they cut it short whatever its pace.
    # A round whose workload ends first does not count, and its length
    # becomes the new measure: the pace of a loaded machine changes.
    start = time.monotonic()
    t.session("timing.db", w.lines, args=SQL.args)
    span = time.monotonic() - start
    killed = 0
    for round_ in range(24):
        if killed == 8:
            break
        db = "kill%d.db" % round_
        proc = subprocess.Popen(["strata", *SQL.args, db], cwd=t.dir,
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
            proc.wait(timeout=rng.uniform(0.05, 0.9) * span)
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
