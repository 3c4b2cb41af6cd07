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

A test that means the same on every milestone (insert a row, read the
table back, crash, check) says it through t.dialect, the milestone's
language: 01-05 speak the fixed-schema commands ("insert 1 a b",
".check"), 06 on speak SQL to a table of the same three columns that the
dialect's set-up lines create. A dialect renders each action as a
Command (the line to type and the reply it must get) and knows what the
table looks like when read back:

    d = t.dialect
    lines = [c.line for c in d.setup] + [d.insert(1, ("ann", "a@x")).line,
                                         d.select_all, d.check.line]
    replies = d.replies(t.session("test.db", lines, args=d.args))
    t.check_equal(replies[-2], d.show({1: ("ann", "a@x")}), "the table")

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


class Dialect:
    """What a test says to a milestone about the users table, id ->
    (username, email), rendered in the milestone's language.

      setup          Commands that make the table (none for 01-05)
      args           options for every strata run (--csv for SQL)
      insert(key, row), update(key, row), delete(key)
                     a Command for one statement, acknowledged by reply
      select_all     the line that prints the whole table
      show(model)    what select_all prints when the table holds MODEL
                     (a dict id -> row); show(None): before setup is done
      check          the Command that checks the file: reply "ok\n"
      checkpoint, exit
      import_rows(file_name, rows)
                     (the CSV file's text, the Command that loads it) for
                     ROWS, [(id, row)]; the load commits import_batch()
                     rows at a time
      replies(output), replies_to(lines, output)
                     a session's output split into one reply per line

    A statement is one transaction: after a crash in its middle the table
    shows it whole or not at all; a load, a whole number of its batches."""

    prompts = ()
    args = ()
    setup = ()

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


class FixedDialect(Dialect):
    """Milestones 01-05: one table of fixed schema, meta commands with a
    dot. Usernames and emails hold no blanks."""

    prompts = (PROMPT,)
    select_all = "select"
    check = Command(".check", "ok\n")
    checkpoint = Command(".checkpoint", None)
    exit = Command(".exit", "")

    def __init__(self, number):
        self.number = number

    def insert(self, key, row):
        return Command("insert %d %s %s" % (key, *row), "Executed.\n")

    def update(self, key, row):
        return Command("update %d %s %s" % (key, *row), "Executed.\n")

    def delete(self, key):
        return Command("delete %d" % key, "Executed.\n")

    def show(self, model):
        return "".join("(%d, %s, %s)\n" % (k, *model[k])
                       for k in sorted(model or {})) + "Executed.\n"

    def import_rows(self, file_name, rows):
        text = "id,username,email\n" + "".join(
            "%d,%s,%s\n" % (k, *row) for k, row in rows)
        return text, Command(".import " + file_name, None)

    def import_batch(self, pool_pages):
        """The rows per commit of a load: 1000 (IMPORT_BATCH_ROWS), but
        05's ends a batch early whenever its pool may not hold another
        row, which in an 8-frame pool can be after any row."""
        return 1 if self.number == 5 and pool_pages == 8 else 1000


class SqlDialect(Dialect):
    """Milestones 06 on: SQL to a table with the columns of 01-05's, in
    a session whose results are CSV (--csv), so that a value reads back
    exactly: NULL is an empty field, the empty string is "".

    Also the pieces every SQL suite needs: a value as a literal, as a CSV
    field, and CSV output parsed back into rows of fields."""

    prompts = ("strata=> ", "strata-> ")
    args = ("--csv",)
    table = "users"
    columns = ("id", "username", "email")
    setup = (Command("CREATE TABLE users (id INTEGER PRIMARY KEY, "
                     "username VARCHAR(32) NOT NULL, "
                     "email VARCHAR(255) NOT NULL);", "CREATE TABLE\n"),)
    select_all = "SELECT * FROM users;"
    check = Command("\\check", "ok\n")
    checkpoint = Command("\\checkpoint", None)
    exit = Command("\\q", "")

    def __init__(self, number=6):
        self.number = number

    def insert(self, key, row):
        return Command("INSERT INTO users VALUES (%d, %s, %s);" % (
            key, *map(sql_literal, row)), "INSERT 0 1\n")

    def update(self, key, row):
        return Command("UPDATE users SET username = %s, email = %s "
                       "WHERE id = %d;" % (*map(sql_literal, row), key),
                       "UPDATE 1\n")

    def delete(self, key):
        return Command("DELETE FROM users WHERE id = %d;" % key,
                       "DELETE 1\n")

    def show(self, model):
        if model is None:
            return missing_relation(self.select_all, self.table)
        return csv_line(self.columns) + "".join(
            csv_line((k, *model[k])) for k in sorted(model))

    def import_rows(self, file_name, rows):
        text = csv_line(self.columns) + "".join(
            csv_line((k, *row)) for k, row in rows)
        return text, Command("\\copy users FROM '%s' CSV HEADER" %
                             file_name, "COPY %d\n" % len(rows))

    def import_batch(self, pool_pages):
        """\\copy commits every 1000 rows (COPY_BATCH_ROWS), but ends a
        batch early whenever the pool cannot take the next row's pages
        beside the batch's (copy.c), which in an 8-frame pool can be after
        any row."""
        return 1 if pool_pages == 8 else 1000


def dialect_for(milestone):
    """The language of MILESTONE (a Milestone, or None: the latest)."""
    number = milestone.number if milestone is not None else 99
    return FixedDialect(number) if number < 6 else SqlDialect(number)


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
