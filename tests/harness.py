"""harness.py - what a Python test suite (tests/suites/*.py) is given.

A Python suite is for what a transcript cannot say briefly: thousands of
rows, a model checked after every step, a crash at every write. It
declares the milestones it applies to and defines test functions, each
taking a Test and failing by raising Failure (t.check... do that):

    MILESTONES = "01"

    def test_table_full_at_row_1301(t):
        '''The 1301st insert is refused and the table keeps 1300 rows.'''
        lines = [insert(i) for i in range(1, 1302)]
        replies = t.replies(t.session("test.db", lines))
        t.check_equal(replies[1300], "Error: Table full.\\n", "reply 1301")

A randomized test draws from random.Random(t.seed); the runner prints the
seed of a failing test, and `make test SEED=N` replays it exactly.

A test that means the same on every milestone (insert rows, read the
tables back, crash, check) says it as operations on a Workload, and
t.dialect, the milestone's language, types them: 01-05 speak the
fixed-schema commands ("insert 1 a b", ".check") to their one table,
users; 06 on speak SQL. What a dialect can say beyond one table changed
a row at a time (several tables, NULLs, overflow values, indexes) it
offers by name, and a test uses only what it offers. The Workload keeps
the model: the line and reply of each operation, and the states the
tables may be in if the power goes out while a line runs:

    users = Schema("users", [("id", "INTEGER PRIMARY KEY"),
                             ("username", "TEXT"), ("email", "TEXT")], True)
    sql = t.dialect.offers(TABLES)   # else users is there from the start
    w = Workload(t.dialect, [users] if sql else [])
    if sql:
        w.create("users")
    w.insert("users", [(1, ("ann", "a@x"))])
    w.checkpoint()
    out = t.session("test.db", w.lines + w.read_back(), args=w.dialect.args)
    got = t.replies(out)[len(w.lines):-1]
    t.check(got == w.show(w.state), "the tables read back")

SQL suites (06 on) write SQL of their own and use SqlDialect's helpers
for values: sql_literal, csv_field, parse_csv.
"""
import functools
import re
import subprocess

PROMPT = "db > "    # the prompt of milestones 01-05
PAGE_SIZE = 4096


def crc32c(data):
    """CRC-32C (the reflected polynomial 0x82F63B78), as common/crc32c.c
    computes it: the checksum of log records and, from 04 on, pages."""
    def byte(crc, b):
        crc ^= b
        for _ in range(8):
            crc = crc >> 1 ^ (0x82F63B78 if crc & 1 else 0)
        return crc
    return functools.reduce(byte, data, 0xFFFFFFFF) ^ 0xFFFFFFFF


def seal_page(data, page_num):
    """Gives page PAGE_NUM of DATA (a bytearray of a 04-on database file)
    the checksum of its bytes, as the pager writes it in the page's last
    4 bytes: damage made this way gets past the checksum, to the checks
    behind it."""
    base = page_num * PAGE_SIZE
    crc = crc32c(data[base:base + PAGE_SIZE - 4])
    data[base + PAGE_SIZE - 4:base + PAGE_SIZE] = crc.to_bytes(4, "little")


class Failure(Exception):
    pass


def milestones(spec):
    """Marks a test of a Python suite as applying to the milestones SPEC
    ("06-"), of those its suite's MILESTONES names, only:

        @harness.milestones("06-")
        def test_spills(t): ...
    """
    def mark(func):
        func.milestones = spec
        return func
    return mark


class Result:
    def __init__(self, output, status):
        self.output = output    # stdout and stderr, merged, as text
        self.status = status    # exit status


class Test:
    def __init__(self, milestone, workdir, env, timeout, seed, binary):
        self.milestone = milestone  # scripts/milestones.py Milestone
        self.dir = workdir          # a fresh directory for this test
        self.env = env
        self.timeout = timeout
        self.seed = seed
        self.binary = binary        # "strata" or "strata-san"
        self.sanitized = binary.endswith("-san")
        # The buffer pool's size when a variant sets it (05 on), else None.
        pool = env.get("STRATA_POOL_PAGES")
        self.pool_pages = int(pool) if pool else None
        # The milestone's language (see Dialect below).
        self.dialect = dialect_for(milestone)

    def path(self, name):
        return self.dir / name

    def strata(self, *args, input_lines=(), stdin_bytes=None, timeout=None,
               milestone=None, env=None):
        """Runs the milestone's strata (or that of MILESTONE, another
        Milestone) with ARGS in the test directory, feeding INPUT_LINES
        (or raw STDIN_BYTES), with ENV added to its environment (for
        STRATA_FAULT, say). Returns a Result."""
        data = stdin_bytes if stdin_bytes is not None else \
            "".join(line + "\n" for line in input_lines).encode()
        exe = "strata" if milestone is None else \
            str(milestone.path / self.binary)
        try:
            proc = subprocess.run([exe, *args], cwd=self.dir,
                                  env={**self.env, **(env or {})},
                                  input=data,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  timeout=timeout or self.timeout)
        except subprocess.TimeoutExpired:
            raise Failure("strata %s timed out" % " ".join(args))
        return Result(proc.stdout.decode("utf-8", "backslashreplace"),
                      proc.returncode)

    def session(self, db, lines, expect_status=0, args=(), env=None):
        """Runs strata on DB with LINES as input (and the options ARGS,
        the environment ENV); checks the exit status and returns the
        output."""
        result = self.strata(*args, db, input_lines=lines, env=env)
        if result.status != expect_status:
            tail = "\n".join(result.output.splitlines()[-5:])
            raise Failure("strata exited with %d, expected %d; output "
                          "ends:\n%s" % (result.status, expect_status, tail))
        return result.output

    def replies(self, output):
        """Splits a session's output at its prompts: reply I is what strata
        printed for input line I (the last is what followed the final
        prompt, usually nothing)."""
        return self.dialect.replies(output)

    def check(self, condition, message):
        if not condition:
            raise Failure(message)

    def check_equal(self, actual, expected, what):
        if actual != expected:
            raise Failure("%s: got %r, expected %r" % (what, actual,
                                                      expected))


# --- dialects ----------------------------------------------------------------

class Command:
    """A line to type, and the reply strata must print for it (None: any
    reply will do, as for a checkpoint, whose words say whether the log
    held anything)."""

    def __init__(self, line, reply):
        self.line = line
        self.reply = reply

    def __repr__(self):
        return "Command(%r, %r)" % (self.line[:60], self.reply)


class Schema:
    """A table: its name, its columns [(name, SQL type)], and whether the
    first is the INTEGER PRIMARY KEY (else the row id is hidden). Its
    rows are {key: the values after the key}."""

    def __init__(self, name, columns, keyed):
        self.name = name
        self.columns = columns
        self.keyed = keyed

    def key_column(self):
        return self.columns[0][0] if self.keyed else "rowid"

    def value_columns(self):
        return self.columns[1:] if self.keyed else self.columns


# What a dialect may say beyond one keyed table of short texts changed a
# row per statement (Dialect.offers); a workload uses only what it offers.
TABLES = "CREATE TABLE and DROP TABLE, several tables, row ids"
MULTI_ROW = "an INSERT of several rows"
VALUES = "NULL, numbers, booleans, any text (blanks, quotes, empty)"
OVERFLOW = "values larger than a page"
MOVES = "an UPDATE that changes a row's key"
DELETE_ALL = "a DELETE of every row"
INDEXES = "CREATE [UNIQUE] INDEX and DROP INDEX"


class Dialect:
    """A milestone's language: how a test's operations on tables are
    typed, what strata replies, and what a table looks like read back.

      tables         the tables there before any statement (01-05: one)
      offers(what)   whether it can say WHAT (TABLES, INDEXES, ...)
      args           options for every strata run (--csv for SQL)
      create_table(schema), drop_table(schema)
      insert(schema, rows)
                     one statement of ROWS, each the values of a row (the
                     key first in a keyed table), acknowledged by reply
      insert_duplicate(schema, rows, column, value, constraint)
                     the same, refused whole: VALUE of COLUMN is taken
                     (CONSTRAINT: the unique index, None: the key)
      update(schema, key, values, changed, new_key, found)
                     row KEY gets VALUES (the columns after the key; those
                     at the positions CHANGED are new), moved to NEW_KEY
                     if not None; FOUND: whether the row is there
      delete(schema, key, n)
                     of row KEY (None: of every row), deleting N rows
      load(schema, file_name, rows)
                     (the CSV file's text, the Command that loads it) for
                     ROWS, [(key, values)]; it commits import_batch() rows
                     at a time (None: all at once)
      create_index(name, table, columns, unique), drop_index(name)
      checkpoint, check, exit
                     Commands; check's reply is "ok\n"
      select(schema) the line that prints the table's rows, with the key
      show(schema, rows)
                     what select prints when the table holds ROWS; None:
                     the table does not exist
      replies(output), replies_to(lines, output)
                     a session's output split into one reply per line

    A statement is one transaction: after a crash in its middle the table
    shows it whole or not at all; a load, a whole number of its batches.
    Asked for what it cannot say, a dialect raises ValueError."""

    prompts = ()
    args = ()
    tables = ()
    capabilities = frozenset()

    def offers(self, *what):
        return all(w in self.capabilities for w in what)

    def replies(self, output):
        """OUTPUT split at its prompts: reply I is what followed prompt I,
        the one for input line I (so the last is what strata printed after
        the last line, usually nothing)."""
        return re.split("|".join(re.escape(p) for p in self.prompts),
                        output)[1:]

    def replies_to(self, lines, output):
        """One reply per line of LINES, though a line may hold line breaks
        (a text in SQL): strata prompts again at each, and the reply of
        such a line is all it printed after its prompts. The reply after
        the last line is the last item, as in replies()."""
        split = self.replies(output)
        out, at = [], 0
        for line in lines:
            n = line.count("\n") + 1
            out.append("".join(split[at:at + n]))
            at += n
        out.append("".join(split[at:]))
        return out

    def show_lines(self, schema, n_rows):
        """How many lines show() prints for a table of N_ROWS rows (None:
        none, it does not exist), without printing them."""
        if n_rows is None:
            return self.show(schema, None).count("\n")
        return n_rows + 1

    def cannot(self, what):
        raise ValueError("%s cannot say %s" % (type(self).__name__, what))


class FixedDialect(Dialect):
    """Milestones 01-05: one table of fixed schema, users (id, username
    of at most 32 bytes, email of at most 255), typed as "insert 1 a b";
    meta commands with a dot. A text is one word, never empty."""

    prompts = (PROMPT,)
    tables = (Schema("users", [("id", "INTEGER PRIMARY KEY"),
                               ("username", "VARCHAR(32) NOT NULL"),
                               ("email", "VARCHAR(255) NOT NULL")], True),)
    checkpoint = Command(".checkpoint", None)
    check = Command(".check", "ok\n")
    exit = Command(".exit", "")

    def __init__(self, number):
        self.number = number

    def row_text(self, schema, key, values):
        if schema is not self.tables[0]:
            self.cannot("a table other than users")
        for text in values:
            if not isinstance(text, str) or not text or \
                    re.search(r"\s", text):
                self.cannot("the value %r" % (text,))
        return "%d %s %s" % (key, *values)

    def insert(self, schema, rows):
        if len(rows) != 1:
            self.cannot(MULTI_ROW)
        return Command("insert " + self.row_text(schema, rows[0][0],
                                                 rows[0][1:]), "Executed.\n")

    def insert_duplicate(self, schema, rows, column, value, constraint):
        if constraint is not None:
            self.cannot(INDEXES)
        return Command(self.insert(schema, rows).line,
                       "Error: Duplicate key.\n")

    def update(self, schema, key, values, changed, new_key, found):
        if new_key is not None:
            self.cannot(MOVES)
        return Command("update " + self.row_text(schema, key, values),
                       "Executed.\n" if found else "Error: Key not found.\n")

    def delete(self, schema, key, n):
        if key is None:
            self.cannot(DELETE_ALL)
        return Command("delete %d" % key,
                       "Executed.\n" if n else "Error: Key not found.\n")

    def load(self, schema, file_name, rows):
        text = "id,username,email\n" + "".join(
            self.row_text(schema, k, v).replace(" ", ",") + "\n"
            for k, v in rows)
        return text, Command(".import " + file_name, None)

    def import_batch(self, pool_pages):
        """The rows per commit of a load: 04's 1000 (IMPORT_BATCH_ROWS);
        05 commits once a batch has changed 16384 pages
        (IMPORT_BATCH_PAGES), spilling to the log what its pool cannot
        keep, whatever the pool's size. No load of the tests changes a
        hundredth of that, so in 05 a load is one batch."""
        return None if self.number == 5 else 1000

    def select(self, schema):
        return "select"

    def show(self, schema, rows):
        return "".join("(%d, %s, %s)\n" % (k, *rows[k])
                       for k in sorted(rows)) + "Executed.\n"

    def create_table(self, schema):
        self.cannot(TABLES)

    drop_table = create_table

    def create_index(self, name, table, columns, unique):
        self.cannot(INDEXES)

    drop_index = create_index


class SqlDialect(Dialect):
    """Milestones 06 on: SQL, in a session whose results are CSV (--csv),
    so that a value reads back exactly: NULL is an empty field, the empty
    string is "". Indexes from 08 on.

    Also the pieces every SQL suite needs: a value as a literal, as a CSV
    field, and CSV output parsed back into rows of fields."""

    prompts = ("strata=> ", "strata-> ")
    args = ("--csv",)
    checkpoint = Command("\\checkpoint", None)
    check = Command("\\check", "ok\n")
    exit = Command("\\q", "")

    def __init__(self, number=6):
        self.number = number
        self.capabilities = frozenset(
            [TABLES, MULTI_ROW, VALUES, OVERFLOW, MOVES, DELETE_ALL] +
            [INDEXES] * (number >= 8))

    def create_table(self, schema):
        return Command("CREATE TABLE %s (%s);" % (schema.name, ", ".join(
            "%s %s" % c for c in schema.columns)), "CREATE TABLE\n")

    def drop_table(self, schema):
        return Command("DROP TABLE %s;" % schema.name, "DROP TABLE\n")

    def insert_line(self, schema, rows):
        return "INSERT INTO %s VALUES %s;" % (schema.name, ", ".join(
            "(%s)" % ", ".join(map(sql_literal, v)) for v in rows))

    def insert(self, schema, rows):
        return Command(self.insert_line(schema, rows),
                       "INSERT 0 %d\n" % len(rows))

    def insert_duplicate(self, schema, rows, column, value, constraint):
        if constraint is not None and not self.offers(INDEXES):
            self.cannot(INDEXES)
        return Command(self.insert_line(schema, rows), error_reply(
            'duplicate key value violates unique constraint "%s"' % (
                constraint or schema.name + "_pkey"),
            detail="Key (%s)=(%s) already exists." % (column, value)))

    def update(self, schema, key, values, changed, new_key, found):
        sets = []
        if new_key is not None:
            sets.append("%s = %d" % (schema.columns[0][0], new_key))
        names = schema.value_columns()
        for pos in sorted(changed):
            sets.append("%s = %s" % (names[pos][0], sql_literal(values[pos])))
        return Command("UPDATE %s SET %s WHERE %s = %d;" % (
            schema.name, ", ".join(sets), schema.key_column(), key),
            "UPDATE %d\n" % found)

    def delete(self, schema, key, n):
        where = "" if key is None else " WHERE %s = %d" % (
            schema.key_column(), key)
        return Command("DELETE FROM %s%s;" % (schema.name, where),
                       "DELETE %d\n" % n)

    def load(self, schema, file_name, rows):
        if not schema.keyed:
            self.cannot("a \\copy into a table of hidden row ids")
        text = csv_line(c for c, _ in schema.columns) + "".join(
            csv_line((k, *v)) for k, v in rows)
        return text, Command("\\copy %s FROM '%s' CSV HEADER" % (
            schema.name, file_name), "COPY %d\n" % len(rows))

    def import_batch(self, pool_pages):
        """The whole load (None): \\copy commits when a batch has changed
        COPY_BATCH_PAGES (16384) pages, in any pool (the pool spills what
        it cannot keep), and no load of the tests changes that many."""
        return None

    def create_index(self, name, table, columns, unique):
        if not self.offers(INDEXES):
            self.cannot(INDEXES)
        return Command("CREATE %sINDEX %s ON %s (%s);" % (
            "UNIQUE " * unique, name, table, columns), "CREATE INDEX\n")

    def drop_index(self, name):
        if not self.offers(INDEXES):
            self.cannot(INDEXES)
        return Command("DROP INDEX %s;" % name, "DROP INDEX\n")

    def select(self, schema):
        if schema.keyed:
            return "SELECT * FROM %s;" % schema.name
        return "SELECT rowid, %s FROM %s;" % (
            ", ".join(c for c, _ in schema.columns), schema.name)

    def show(self, schema, rows):
        if rows is None:
            return missing_relation(self.select(schema), schema.name)
        names = [c for c, _ in schema.columns]
        return csv_line(names if schema.keyed else ["rowid"] + names) + \
            "".join(csv_line((k, *rows[k])) for k in sorted(rows))


def dialect_for(milestone):
    """The language of MILESTONE (a Milestone, or None: the latest)."""
    number = milestone.number if milestone is not None else 99
    return FixedDialect(number) if number < 6 else SqlDialect(number)


# --- workloads: operations, their lines, and the states they allow ---------

class Workload:
    """Operations on tables, typed in a dialect, with what each does.

    The state is a dict: table name -> {key: values}; a table that does
    not exist has no entry. Each line has a list of steps, each a
    function that changes a state: a statement is one step (none if it
    fails), a load one per batch, a meta command none. If the power goes
    out while a line runs, the database may be in the state after any
    whole number of its steps, and in no other. A test says what to do
    (w.insert("users", [(1, ("ann", "a@x"))])) and the dialect, not the
    test, knows how a milestone says it."""

    def __init__(self, dialect, schemas=(), batch=1000):
        self.dialect = dialect
        self.schemas = {s.name: s for s in (*dialect.tables, *schemas)}
        self.batch = batch          # rows a load commits at most at once
                                    # (None: the whole load at once)
        self.lines, self.replies, self.effects = [], [], []
        self.state = {s.name: {} for s in dialect.tables}
        self.files = {}             # the CSV files loads read, by name

    def add(self, command, steps=()):
        self.lines.append(command.line)
        self.replies.append(command.reply)
        self.effects.append(list(steps))
        for step in steps:
            step(self.state)

    def create(self, name):
        def step(state):
            state[name] = {}
        self.add(self.dialect.create_table(self.schemas[name]), [step])

    def drop(self, name):
        def step(state):
            del state[name]
        self.add(self.dialect.drop_table(self.schemas[name]), [step])

    def next_key(self, name):
        rows = self.state[name]
        return max(rows) + 1 if rows else 1

    def insert(self, name, rows):
        """One statement of ROWS, [(key, values)]; a key of None is the
        next row id."""
        schema = self.schemas[name]
        keyed, given = [], []
        work = dict(self.state[name])
        for key, values in rows:
            if key is None:
                key = max(work) + 1 if work else 1
            work[key] = tuple(values)
            keyed.append((key, tuple(values)))
            given.append(tuple(values) if not schema.keyed
                         else (key, *values))

        def step(state):
            state[name] = dict(state[name])
            state[name].update(keyed)
        self.add(self.dialect.insert(schema, given), [step])

    def insert_failing(self, name, rows, bad_key):
        """An INSERT of ROWS ([(key, values)]) and then a row with the key
        BAD_KEY, which is taken: it fails whole, and changes nothing."""
        schema = self.schemas[name]
        assert schema.keyed and bad_key in self.state[name]
        given = [(k, *v) for k, v in rows] + [(bad_key, *rows[0][1])]
        self.add(self.dialect.insert_duplicate(
            schema, given, schema.columns[0][0], bad_key, None))

    def insert_refused(self, name, values, index, column, value):
        """An INSERT of a row (VALUES, with no key: a row id table) that
        the UNIQUE index INDEX refuses: VALUE of COLUMN is taken."""
        self.add(self.dialect.insert_duplicate(
            self.schemas[name], [values], column, value, index))

    def update(self, name, key, changes, new_key=None):
        """An UPDATE of the columns CHANGES ({position: value}, positions
        after the key) of row KEY, moving it to NEW_KEY if given."""
        schema = self.schemas[name]
        found = key in self.state[name]
        values = list(self.state[name].get(key, ()))
        for pos, value in changes.items():
            if found:
                values[pos] = value

        def step(state):
            rows = state[name] = dict(state[name])
            if new_key is not None:
                del rows[key]
            rows[key if new_key is None else new_key] = tuple(values)
        self.add(self.dialect.update(schema, key, values, changes, new_key,
                                     found), [step] if found else [])

    def delete(self, name, key=None):
        """A DELETE of row KEY, or of every row."""
        n = len(self.state[name]) if key is None else \
            int(key in self.state[name])

        def step(state):
            rows = state[name] = dict(state[name])
            if key is None:
                rows.clear()
            else:
                rows.pop(key, None)
        self.add(self.dialect.delete(self.schemas[name], key, n),
                 [step] if n else [])

    def load(self, name, rows):
        """A load of ROWS ([(key, values)]) from a CSV file (.import,
        \\copy), committed self.batch rows at a time at most (all at once
        if None)."""
        file_name = "%s%d.csv" % (name, len(self.files))
        text, command = self.dialect.load(self.schemas[name], file_name,
                                          rows)
        self.files[file_name] = text
        steps = []
        size = self.batch or max(len(rows), 1)
        for i in range(0, len(rows), size):
            batch = [(k, tuple(v)) for k, v in rows[i:i + size]]

            def step(state, batch=batch):
                state[name] = dict(state[name])
                state[name].update(batch)
            steps.append(step)
        self.add(command, steps)

    def create_index(self, name, table, columns, unique=False):
        """An index changes no table: the states allowed stay the same."""
        self.add(self.dialect.create_index(name, table, columns, unique))

    def drop_index(self, name):
        self.add(self.dialect.drop_index(name))

    def checkpoint(self):
        self.add(self.dialect.checkpoint)

    def exit(self):
        self.add(self.dialect.exit)

    def read_back(self):
        """The lines that print every table, then check the file."""
        return [self.dialect.select(self.schemas[n])
                for n in sorted(self.schemas)] + [self.dialect.check.line]

    def show(self, state):
        """The replies to read_back() when the database is in STATE."""
        return [self.dialect.show(self.schemas[n], state.get(n))
                for n in sorted(self.schemas)] + [self.dialect.check.reply]

    def line_counts(self, state):
        """The lines of each reply to read_back() in STATE."""
        return [self.dialect.show_lines(self.schemas[n], None
                                        if n not in state else len(state[n]))
                for n in sorted(self.schemas)] + [1]

    def states_while(self, i, acknowledged=False):
        """The states allowed if the power goes out while line I runs
        (-1: before the first prompt), one at a time, the state before
        line I first. ACKNOWLEDGED: line I printed its whole reply, so it
        is durable and must be there whole. (A step replaces the table it
        changes, so that a shallow copy of a state stays as it was.)"""
        state = {s.name: {} for s in self.dialect.tables}
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
        """Whether GOT, the replies to read_back(), shows a state allowed
        while line I runs (states_while), and how many states are. Only a
        state with as many lines in each reply as GOT is shown and
        compared: a load in a small pool has a state per row, and showing
        each would take time quadratic in the rows."""
        counts = [g.count("\n") for g in got]
        n_states = 0
        for state in self.states_while(i, acknowledged):
            n_states += 1
            if counts == self.line_counts(state) and got == self.show(state):
                return True, n_states
        return False, n_states

    def describe(self, got, state):
        """Where GOT, the replies to read_back(), differ from what STATE
        shows, reply by reply."""
        out = []
        names = sorted(self.schemas) + [self.dialect.check.line]
        for name, g, a in zip(names, got, self.show(state)):
            if g != a:
                out.append("  %s: %d lines read back, %d expected; read "
                           "back begins %r" % (name, g.count("\n"),
                                               a.count("\n"), g[:200]))
        return "\n".join(out)


# --- SQL values, as milestone 06 writes and prints them ---------------------

def sql_literal(value):
    """VALUE (None, bool, int, float or str) as a SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)   # the shortest text that reads back the same
        return text if any(c in text for c in ".e") else text + ".0"
    return "'" + value.replace("'", "''") + "'"


def real_text(value):
    """A REAL as strata prints it (06's output.c, 07's value.c), as SQLite
    does: 15 significant digits, and a point even in a whole number
    ("40.0", "1.0e+20"), so that a real never reads as an integer; -0.0
    prints as 0.0, the infinities as Inf and -Inf."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Inf" if value > 0 else "-Inf"
    text = "%.15g" % (value + 0.0 if value != 0 else 0.0)
    if "." in text:
        return text
    if "e" in text:
        return text.replace("e", ".0e", 1)
    return text + ".0"


def value_text(value):
    """VALUE as a result shows it (None: NULL, which has no text)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return real_text(value)
    return str(value)


def csv_field(value):
    """VALUE as a field of --csv output (RFC 4180): NULL is empty, the
    empty string "", a text with a comma, quote or line break quoted."""
    text = value_text(value)
    if text is None:
        return ""
    if text == "" or any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values):
    return ",".join(map(csv_field, values)) + "\n"


FIELD_END = re.compile(r'[,\n"]')


def parse_csv(text):
    """--csv output back into rows, each a list of fields: a str, or None
    for an empty field that was not quoted (NULL). Raises ValueError on
    text that is not such CSV."""
    rows, row, i, n = [], [], 0, len(text)
    if n == 0:
        return rows
    while True:
        if i < n and text[i] == '"':
            j, parts = i + 1, []
            while True:
                k = text.find('"', j)
                if k < 0:
                    raise ValueError("an unterminated quoted field at %d"
                                     % i)
                parts.append(text[j:k])
                if text.startswith('"', k + 1):
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            row.append("".join(parts))
        else:
            stop = FIELD_END.search(text, i)
            j, i = i, stop.start() if stop else n
            if i < n and text[i] == '"':
                raise ValueError("a quote inside a field at %d" % i)
            row.append(text[j:i] or None)
        if i == n:
            raise ValueError("the last line does not end with a newline")
        if text[i] == ",":
            i += 1
            continue
        if text[i] != "\n":
            raise ValueError("%r after a field at %d" % (text[i], i))
        rows.append(row)
        row = []
        i += 1
        if i == n:
            return rows


def missing_relation(statement, table):
    """The reply to STATEMENT (one line) when TABLE does not exist."""
    at = re.search(r"\b%s\b" % re.escape(table), statement).start()
    return error_reply('relation "%s" does not exist' % table, statement,
                       at)


def error_reply(message, statement=None, pos=None, detail=None):
    """An error as psql (and strata) prints it: the message; with POS, a
    byte offset into STATEMENT, the line it is on with a caret under it
    (a line wider than 60 columns cut around it, as psql does); DETAIL."""
    out = "ERROR:  %s\n" % message
    if pos is not None:
        data = statement.encode()
        line_no = data[:pos].count(b"\n") + 1
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end

        def width(a, b):
            return sum((c & 0xc0) != 0x80 for c in data[a:b])
        front = back = ""
        if width(start, end) > 60:
            # As print_error cuts, a byte at a time (in linear time).
            w = width(start, pos)
            while w > 50:
                w -= (data[start] & 0xc0) != 0x80
                start += 1
                front = "..."
            w = width(start, end)
            while w > 60:
                end -= 1
                w -= (data[end] & 0xc0) != 0x80
                back = "..."
            while start < pos and (data[start] & 0xc0) == 0x80:
                start += 1
            while end > pos and end < len(data) and \
                    (data[end] & 0xc0) == 0x80:
                end -= 1
        prefix = "LINE %d: %s" % (line_no, front)
        out += prefix + data[start:end].decode("utf-8", "replace") + \
            back + "\n"
        out += " " * (len(prefix) + width(start, pos)) + "^\n"
    if detail is not None:
        out += "DETAIL:  %s\n" % detail
    return out
