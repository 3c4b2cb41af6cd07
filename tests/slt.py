#!/usr/bin/env python3
"""slt.py - the project's sqllogictest runner.

Runs sqllogictest files (the format is SQLite's, described in
../shared/sqllogictest/README.md) against an engine, and reports per
file: records run, passed, failed, and skipped, each skip with its
reason. A skipped record never counts as passed.

    python3 tests/slt.py [--engine sqlite|strata] [--strata PATH]
                         [--milestone NN] [--skip-pattern REGEX=REASON]
                         [--limit N] [--corpus] [FILES or DIRS ...]

The format, as this runner reads it:
- Records are separated by blank lines; a line starting with "#" is a
  comment. A record opens with any number of "skipif ENGINE" and
  "onlyif ENGINE" lines (text after a "#" on them is a comment).
- "statement ok" / "statement error", then the SQL (any number of lines).
- "query TYPES [nosort|rowsort|valuesort] [LABEL]", the SQL, "----",
  then the expected values one per line, or "N values hashing to MD5".
  TYPES has a letter per column: I, R or T. The query must return that
  many columns.
- "hash-threshold N": from here on, a result of more than N values is
  written as its hash (0: never). "halt": the rest of the file is not
  run (counted as skipped).
- A LABEL ("label-8"): every query with that label in the file must give
  the same result (its values after sorting) as the first one that ran.

Rendering a value, as SQLite's own sqllogictest driver does (it uses
sqlite3_column_int, sqlite3_column_double and sqlite3_snprintf):
- NULL is "NULL" whatever the type letter.
- I: a 32-bit integer: an integer keeps its low 32 bits, a real is
  truncated toward zero (clamped to 64 bits first), a text is read for a
  leading integer (after white space and a sign), else 0.
- R: "%.3f" as SQLite's printf formats it (sqlite3's own printf, which
  rounds the decimal digits: 1.0005 is "1.001", where C's is "1.000"); a
  text is read for a leading real, else 0.
- T: the text, every byte outside space..'~' replaced by "@"; the empty
  string is "(empty)". An integer is its digits, a real SQLite's text
  for it ("100.0", "1.0e+20"): the strata engine cannot tell a real
  from a text in CSV, so the project's files use T only for text.

Engines. Every engine matches skipif/onlyif under a set of names:
- sqlite: Python's sqlite3 module (the same engine as the yardstick), a
  fresh in-memory database per file. Names: sqlite.
- strata: one `strata DB --csv -q` per file, fed through a pipe, on a new
  database in a scratch directory. Names: strata and sqlite (Strata's
  expressions follow SQLite's, so the corpus's "onlyif sqlite" records
  are its own). The protocol is below, at StrataEngine.

Skip rules say what an engine cannot do yet: a record whose SQL matches a
rule is skipped with the rule's reason ("needs CREATE INDEX (milestone
08)"). --milestone NN uses the rules for Strata milestone NN (RULES
below). A skipped "statement ok" could have changed what later records
see, so every record after it is skipped too ("follows a skipped
statement"), unless the rule says that statement changes no result (an
index).

Python API (tests/run.py): run_files(paths, ...) returns a FileResult per
file; see run_files and FileResult. corpus_dir() finds the shared corpus,
project_files(NN) the project's own files for a milestone.

--complete rewrites the expected results of every query in the FILES
from what sqlite3 returns (the only way results get into tests/slt/*.test:
never typed by hand); review the change with git diff.

Exit status: 0 when no record failed, 1 when one did, 2 on a usage error.
"""
import argparse
import collections
import hashlib
import math
import os
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROJECT_DIR = HERE / "slt"

SORT_MODES = ("nosort", "rowsort", "valuesort")
HASH_RE = re.compile(r"^(\d+) values hashing to ([0-9a-f]{32})$")
INT64_MAX = 2 ** 63 - 1
INT64_MIN = -2 ** 63


# --- records ------------------------------------------------------------

class Record:
    """One record of a file. KIND is "statement", "query", "halt",
    "hash-threshold", or "bad" (a record the runner cannot read; it
    counts as failed, with MESSAGE)."""

    def __init__(self, kind, line_no):
        self.kind = kind
        self.line_no = line_no      # of the record's command line, 1-based
        self.conditions = []        # ("skipif" | "onlyif", engine name)
        self.sql_lines = []
        self.expect_ok = True       # statement ok / statement error
        self.types = ""             # query: one letter per column
        self.sort = "nosort"
        self.label = None
        self.expected = None        # query: list of values, or None
        self.hashed = None          # query: (n_values, md5) instead
        self.result_span = None     # query: (first, end) line indexes of
        #                             the lines after "----", for --complete
        self.threshold = 0          # hash-threshold
        self.message = ""           # bad

    @property
    def sql(self):
        return "\n".join(self.sql_lines)

    @property
    def title(self):
        """The record's command line, as the file has it."""
        if self.kind == "statement":
            return "statement " + ("ok" if self.expect_ok else "error")
        if self.kind == "query":
            return " ".join(["query", self.types, self.sort] +
                            ([self.label] if self.label else []))
        return self.kind


def strip_comment(line):
    """A control line without its trailing "# comment"."""
    return line.split("#", 1)[0].strip()


def parse(text):
    """Reads a whole file's TEXT into a list of Records. Lines may end
    in CRLF (most of the corpus does)."""
    lines = [line[:-1] if line.endswith("\r") else line
             for line in text.split("\n")]
    records = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "" or lines[i].startswith("#"):
            i += 1
            continue
        end = i
        while end < len(lines) and lines[end].strip() != "":
            end += 1
        records.append(parse_record(lines, i, end))
        i = end
    return records


def parse_record(lines, begin, end):
    """The record in LINES[BEGIN:END] (no blank line inside)."""
    conditions = []
    i = begin
    while i < end:
        words = strip_comment(lines[i]).split()
        if lines[i].startswith("#"):
            i += 1
        elif len(words) == 2 and words[0] in ("skipif", "onlyif"):
            conditions.append((words[0], words[1]))
            i += 1
        else:
            break
    if i == end:
        return bad(begin + 1, "skipif/onlyif lines without a record after "
                   "them")
    words = strip_comment(lines[i]).split()
    line_no = i + 1
    body = lines[i + 1:end]
    if words[:1] == ["statement"]:
        if words[1:] not in (["ok"], ["error"]) or not body:
            return bad(line_no, "want \"statement ok\" or \"statement "
                       "error\" and then the SQL")
        rec = Record("statement", line_no)
        rec.expect_ok = words[1] == "ok"
        rec.sql_lines = body
    elif words[:1] == ["query"]:
        rec = parse_query(words, line_no, body)
    elif words == ["halt"] or words[:1] == ["hash-threshold"]:
        if body:
            return bad(line_no, "%s takes a line of its own" % words[0])
        rec = Record(words[0], line_no)
        if words[0] == "hash-threshold":
            if len(words) != 2 or not words[1].isdigit():
                return bad(line_no, "want \"hash-threshold N\"")
            rec.threshold = int(words[1])
    else:
        return bad(line_no, "unknown record %r" % lines[i])
    if rec.kind != "bad":
        rec.conditions = conditions
    return rec


def parse_query(words, line_no, body):
    if len(words) < 2 or not re.fullmatch(r"[IRT]+", words[1]):
        return bad(line_no, "want \"query TYPES [SORT] [LABEL]\", TYPES "
                   "of I, R and T")
    rec = Record("query", line_no)
    rec.types = words[1]
    rest = words[2:]
    if rest and rest[0] in SORT_MODES:
        rec.sort = rest.pop(0)
    if len(rest) > 1 or (rest and rest[0] in SORT_MODES):
        return bad(line_no, "unexpected %r after the sort mode" % rest)
    rec.label = rest[0] if rest else None
    if "----" in body:
        split = body.index("----")
        rec.sql_lines = body[:split]
        values = body[split + 1:]
        first = line_no + split + 1     # index of the line after "----"
        rec.result_span = (first, first + len(values))
        match = HASH_RE.match(values[0]) if len(values) == 1 else None
        if match:
            rec.hashed = (int(match.group(1)), match.group(2))
        else:
            rec.expected = values
    else:
        rec.sql_lines = body
    if not rec.sql_lines:
        return bad(line_no, "a query without SQL")
    return rec


def bad(line_no, message):
    rec = Record("bad", line_no)
    rec.message = message
    return rec


# --- rendering ----------------------------------------------------------

class CsvText(bytes):
    """A field that strata printed in CSV without quotes: an integer, a
    real or a text, which CSV cannot tell apart. Rendered as a number
    when it reads as one, else as text."""


INT_RE = re.compile(rb"[-+]?\d+")
REAL_RE = re.compile(rb"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
LEADING_INT_RE = re.compile(rb"[ \t\n\v\f\r]*([-+]?)0*(\d*)")


def wrap32(n):
    """N's low 32 bits as a signed integer: C's (int) of an int64."""
    return (n + 2 ** 31) % 2 ** 32 - 2 ** 31


def real_to_int64(r):
    """SQLite's doubleToInt64: toward zero, clamped."""
    if math.isnan(r):
        return 0
    if r <= INT64_MIN:
        return INT64_MIN
    if r >= INT64_MAX:
        return INT64_MAX
    return int(r)


def text_to_int64(b):
    """SQLite's sqlite3Atoi64, as sqlite3_column_int reads a text: the
    leading integer, clamped to 64 bits; 0 when there is none."""
    m = LEADING_INT_RE.match(b)
    digits = m.group(2)
    if not digits:
        return 0
    n = int(digits) if len(digits) <= 20 else INT64_MAX + 1
    if m.group(1) == b"-":
        return max(-n, INT64_MIN)
    return min(n, INT64_MAX)


_local = threading.local()


def sqlite_format(sql, value):
    """VALUE through a one-value SELECT in SQLite itself: for what must
    be exactly the yardstick's (its printf, its text of a real). One
    connection per thread, since tests/run.py runs jobs in threads."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = sqlite3.connect(":memory:")
    return conn.execute(sql, (value,)).fetchone()[0]


def as_number(value):
    """An unquoted CSV field as the integer or real it reads as, else
    the field itself."""
    if INT_RE.fullmatch(value) and len(value) <= 20:
        n = int(value)
        if INT64_MIN <= n <= INT64_MAX:
            return n
    if REAL_RE.fullmatch(value):
        return float(value)
    return bytes(value)


def render(value, letter):
    """VALUE (None, int, float, bytes as a text, or CsvText) as the
    sqllogictest line for type LETTER (I, R or T)."""
    if value is None:
        return "NULL"
    if isinstance(value, CsvText) and letter != "T":
        value = as_number(value)
    if letter == "I":
        if isinstance(value, int):
            return str(wrap32(value))
        if isinstance(value, float):
            return str(wrap32(real_to_int64(value)))
        return str(wrap32(text_to_int64(value)))
    if letter == "R":
        if isinstance(value, (int, float)):
            return sqlite_format("SELECT printf('%.3f', ?)", float(value))
        # Text: SQLite reads its leading real, as sqlite3_column_double.
        return sqlite_format("SELECT printf('%.3f', CAST(? AS REAL))",
                             bytes(value).decode("latin-1"))
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = sqlite_format("SELECT CAST(? AS TEXT)", value)
    else:
        text = "".join(chr(b) if 32 <= b <= 126 else "@" for b in value)
    return text if text else "(empty)"


def md5_of(values):
    digest = hashlib.md5()
    for v in values:
        digest.update(v.encode("latin-1") + b"\n")
    return digest.hexdigest()


def arrange(rows, sort):
    """Rendered ROWS (lists of strings) as the list of values a file
    holds, after the record's SORT mode."""
    if sort == "rowsort":
        rows = sorted(rows)
    values = [v for row in rows for v in row]
    return sorted(values) if sort == "valuesort" else values


def result_lines(values, threshold):
    """What a file holds after "----" for VALUES."""
    if threshold and len(values) > threshold:
        return ["%d values hashing to %s" % (len(values), md5_of(values))]
    return list(values)


# --- engines ------------------------------------------------------------

class Outcome:
    """What an engine did with one statement: ERROR (its message) or
    None; COLUMNS, the number of result columns (0 for none); ROWS, a
    list of tuples of values (None, int, float, bytes, CsvText).

    An engine has NAME, NAMES (what skipif/onlyif match), run(SQL, QUERY)
    returning an Outcome (with QUERY false only ERROR counts), and
    close(), returning a problem found at the end, or None."""

    def __init__(self, error=None, columns=0, rows=()):
        self.error = error
        self.columns = columns
        self.rows = list(rows)


class SqliteEngine:
    """Python's sqlite3 on a fresh in-memory database."""

    name = "sqlite"
    names = frozenset({"sqlite"})

    def __init__(self):
        self.conn = sqlite3.connect(":memory:", isolation_level=None)
        self.conn.text_factory = bytes

    def run(self, sql, query=True):
        try:
            cursor = self.conn.execute(sql)
            rows = cursor.fetchall()
            columns = len(cursor.description or ())
        except (sqlite3.Error, sqlite3.Warning, OverflowError) as e:
            return Outcome(error=str(e))
        return Outcome(columns=columns, rows=rows)

    def close(self):
        self.conn.close()
        return None


class StrataEngine:
    """One `strata DB --csv -q` process, fed through a pipe, stderr merged
    into stdout. The shell's protocol, which this class relies on:

    - Before reading each input line it prints a prompt: "strata=> ", or
      "strata-> " inside a statement not yet ended (also when stdin is
      not a terminal), exactly once per line.
    - A statement ends with ";". "\\echo TEXT" prints TEXT and a newline.
    - With --csv a query prints a header line of column names and one line
      per row in RFC 4180 CSV: a NULL is an empty unquoted field, an empty
      string is "", text is quoted when it holds a comma, a quote or a
      line break. -q drops the command tags (INSERT 0 1, ...).
    - An error is a line starting "ERROR:  " (maybe followed by LINE, a
      caret line, DETAIL) on stderr, written after stdout is flushed.

    Each statement goes as one line (the record's lines joined with
    spaces, its trailing ";" dropped, one added; so a "--" comment or a
    line break inside a string would not survive, and no file has one),
    followed by a line
    "\\echo SENTINEL". The reply is everything up to the prompt and the
    sentinel's line. A process that dies, hangs for TIMEOUT seconds or is
    left inside an unfinished statement (it asks "strata-> " for the
    sentinel's line, or after it) is killed, that record fails, and a new
    process opens the same database for the records after it."""

    name = "strata"
    names = frozenset({"strata", "sqlite"})
    PROMPT = b"strata=> "
    PROMPT_MORE = b"strata-> "

    def __init__(self, command, db_path, env=None, timeout=60.0):
        self.argv = list(command) + [str(db_path), "--csv", "-q"]
        self.cwd = str(Path(db_path).parent)
        self.env = env
        self.timeout = timeout
        self.proc = None
        self.pending = b""
        self.n_sent = 0
        self.tag = b"slt-sentinel-%d-" % os.getpid()

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     cwd=self.cwd, env=self.env)
        self.pending = b""

    def run(self, sql, query=True):
        if self.proc is None:
            try:
                self.start()
            except OSError as e:
                return Outcome(error="cannot run %s: %s" % (self.argv[0], e))
        self.n_sent += 1
        sentinel = self.tag + str(self.n_sent).encode()
        line = " ".join(part.strip() for part in sql.split("\n"))
        line = line.strip().rstrip(";").rstrip()
        try:
            self.proc.stdin.write(line.encode() + b";\n\\echo " + sentinel +
                                  b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass                    # it died: the read below says how
        reply, problem = self.read_until(sentinel)
        if problem:
            self.kill()
            return Outcome(error="%s%s" % (problem, (
                "; it printed:\n" + show_bytes(reply)) if reply else ""))
        return parse_reply(reply, query)

    def read_until(self, sentinel):
        """The output up to the sentinel's line, without the prompts
        around it; (reply, None), or (what came, what went wrong)."""
        ends = [p + sentinel + b"\n" for p in (self.PROMPT, self.PROMPT_MORE)]
        # The sentinel's line taken into an unfinished statement (a quote
        # left open): a prompt for more after it, and no sentinel.
        stuck = self.PROMPT_MORE + self.PROMPT_MORE
        deadline = time.monotonic() + self.timeout
        fd = self.proc.stdout.fileno()
        buf = self.pending
        scan_from = 0
        while True:
            for end in ends:
                at = buf.find(end, scan_from)
                if at >= 0:
                    self.pending = buf[at + len(end):]
                    reply = buf[:at]
                    if end.startswith(self.PROMPT_MORE):
                        return reply, ("the statement did not end: the "
                                       "shell asked for more (strata-> )")
                    if not reply.startswith(self.PROMPT):
                        return reply, "no prompt before the statement"
                    return reply[len(self.PROMPT):], None
            if buf.endswith(stuck):
                self.pending = b""
                return buf, ("the statement did not end: the shell asked "
                             "for more (strata-> )")
            scan_from = max(0, len(buf) - len(ends[0]))
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0] \
                if left > 0 else []
            if not ready:
                return buf, "no reply within %g s" % self.timeout
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                status = self.proc.wait()
                return buf, "strata exited with status %d" % status
            buf += chunk

    def kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass                # unflushed input to a dead process
        self.proc = None

    def close(self):
        """Ends the process by closing its input. Returns a problem (a
        non-zero exit status, with what it printed, a sanitizer report
        say), or None."""
        if self.proc is None:
            return None
        try:
            out = self.proc.communicate(timeout=self.timeout)[0]
        except subprocess.TimeoutExpired:
            self.kill()
            return "strata did not exit within %g s of its input's end" % \
                self.timeout
        except OSError:
            out = b""
        status = self.proc.wait()
        rest = self.pending + (out or b"")
        self.proc = None
        rest = rest.replace(self.PROMPT, b"").replace(self.PROMPT_MORE, b"")
        if status != 0 or rest.strip():
            return "at the end of its input strata exited with status %d%s" \
                % (status, ", printing:\n" + show_bytes(rest)
                   if rest.strip() else "")
        return None


def show_bytes(data, limit=2000):
    text = data.decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else text[:limit] + "..."


def parse_reply(reply, query):
    """An Outcome from what strata printed for one statement; the rows
    only for a QUERY (a statement may print a NOTICE, say)."""
    lines = reply.split(b"\n")
    first = next((i for i, line in enumerate(lines)
                  if line.startswith(b"ERROR:")), None)
    if first is not None:           # with its LINE, caret, DETAIL lines
        return Outcome(error=show_bytes(b"\n".join(lines[first:]).rstrip()))
    if not reply or not query:
        return Outcome()
    try:
        table = parse_csv(reply)
    except ValueError as e:
        return Outcome(error="cannot read the reply as CSV (%s):\n%s" % (
            e, show_bytes(reply)))
    columns = len(table[0])
    for n, row in enumerate(table[1:], 1):
        if len(row) != columns:
            return Outcome(error="row %d has %d fields, the header %d:\n%s"
                           % (n, len(row), columns, show_bytes(reply)))
    return Outcome(columns=columns, rows=[tuple(r) for r in table[1:]])


def parse_csv(data):
    """RFC 4180 CSV (DATA, bytes) as a list of rows, each a list of values:
    None for an empty unquoted field, bytes for a quoted one (a text),
    CsvText for any other. Rows end with LF or CRLF."""
    rows, row = [], []
    i, n = 0, len(data)
    while i < n:
        if data[i:i + 1] == b'"':
            out = bytearray()
            i += 1
            while True:
                close = data.find(b'"', i)
                if close < 0:
                    raise ValueError("a quoted field does not end")
                out += data[i:close]
                if data[close + 1:close + 2] == b'"':
                    out += b'"'
                    i = close + 2
                else:
                    i = close + 1
                    break
            row.append(bytes(out))
        else:
            j = i
            while j < n and data[j] not in b',\r\n':
                j += 1
            field = data[i:j]
            if b'"' in field:
                raise ValueError("a quote inside an unquoted field")
            row.append(CsvText(field) if field else None)
            i = j
        if data[i:i + 1] == b",":
            i += 1
            if i == n:
                row.append(None)
            continue
        if data[i:i + 2] == b"\r\n":
            i += 2
        elif data[i:i + 1] == b"\n":
            i += 1
        elif i < n:
            raise ValueError("a stray byte after a field")
        rows.append(row)
        row = []
    if row:
        rows.append(row)
    return rows


# --- skip rules ---------------------------------------------------------

class Rule:
    """Records whose SQL matches PATTERN (a regular expression, searched,
    case-insensitive), or, with OUTSIDE, does not match it whole, are
    skipped with REASON. HARMLESS: skipping such a statement changes no
    later result, so the records after it still run."""

    def __init__(self, reason, pattern, outside=False, harmless=False):
        self.reason = reason
        self.regex = re.compile(pattern, re.IGNORECASE | re.DOTALL)
        self.outside = outside
        self.harmless = harmless

    def applies(self, sql):
        if self.outside:
            return not self.regex.fullmatch(sql.strip().rstrip(";").strip())
        return bool(self.regex.search(sql))


_ID = r'(?:[A-Za-z_][A-Za-z_0-9]*|"(?:[^"]|"")*")'
_LIT = (r"(?:[-+]?\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
        r"|'(?:[^']|'')*'|NULL|TRUE|FALSE)")
_IDS = r"%s(?:\s*,\s*%s)*" % (_ID, _ID)
_ROW = r"\(\s*%s(?:\s*,\s*%s)*\s*\)" % (_LIT, _LIT)
_KEY = r"\s+WHERE\s+%s\s*=\s*%s" % (_ID, _LIT)
_SET = r"%s\s*=\s*%s" % (_ID, _LIT)
# Milestone 06's statements, whole: no expression beyond a literal.
SQL_06 = "|".join([
    r"CREATE\s+TABLE\s.*",
    r"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?%s" % _ID,
    r"INSERT\s+INTO\s+%s\s*(?:\(\s*%s\s*\))?\s*VALUES\s*%s(?:\s*,\s*%s)*"
    % (_ID, _IDS, _ROW, _ROW),
    r"SELECT\s+(?:\*|%s)\s+FROM\s+%s(?:%s)?" % (_IDS, _ID, _KEY),
    r"UPDATE\s+%s\s+SET\s+%s(?:\s*,\s*%s)*%s" % (_ID, _SET, _SET, _KEY),
    r"DELETE\s+FROM\s+%s(?:%s)?" % (_ID, _KEY),
])

# Before 08 the index/* files run without their indexes: the same queries
# over the same tables, which must give the same answers (an index changes
# no result, so the records after a skipped CREATE INDEX still run).
INDEX_RULE = Rule("needs CREATE INDEX (milestone 08)",
                  r"^\s*(CREATE\s+(UNIQUE\s+)?|DROP\s+)INDEX\b",
                  harmless=True)
# What each milestone cannot do yet; milestones not named here, none: from
# 08 on every record of the corpus runs, index/* and DROP INDEX included.
RULES = {
    6: [INDEX_RULE,
        Rule("needs views (milestone 07)",
             r"^\s*(CREATE|DROP)\s+(TEMP\s+|TEMPORARY\s+)?VIEW\b"),
        Rule("needs query processing (milestone 07)", SQL_06,
             outside=True)],
    7: [INDEX_RULE],
}


def rules_for(milestone):
    """The skip rules for Strata milestone MILESTONE (a number)."""
    return list(RULES.get(int(milestone), []))


# --- running ------------------------------------------------------------

class Failure:
    """A record that failed: where, its SQL, and what went wrong."""

    def __init__(self, path, record, message):
        self.path = path
        self.line_no = record.line_no if record else 0
        self.title = record.title if record else ""
        self.sql = record.sql if record else ""
        self.message = message

    def __str__(self):
        where = "%s:%d" % (self.path, self.line_no) if self.line_no \
            else str(self.path)
        head = "FAIL %s: %s" % (where, self.title) if self.title else \
            "FAIL %s" % where
        parts = [head]
        if self.sql:
            parts.append(indent(self.sql, "    "))
        parts.append(indent(self.message, "  "))
        return "\n".join(parts)


class FileResult:
    """What running one file gave.

    records  statement and query records in the file (bad ones included)
    run      records run: passed + failed
    passed, failed
    skipped  records not run: skipped_total; by reason, a Counter
    failures a list of Failure, in file order (also problems of the file
             as a whole, such as strata's exit status at the end)
    seconds  wall time
    kept     the strata engine's scratch directory, left for a look when
             the file failed; else None
    """

    def __init__(self, path, name=None):
        self.path = Path(path)
        self.name = name or str(path)
        self.records = 0
        self.passed = 0
        self.failed = 0
        self.skipped = collections.Counter()
        self.failures = []
        self.seconds = 0.0
        self.kept = None

    @property
    def run(self):
        return self.passed + self.failed

    @property
    def skipped_total(self):
        return sum(self.skipped.values())

    @property
    def ok(self):
        return not self.failures

    def summary(self):
        """One line of counts, then a line per skip reason."""
        lines = ["%s: %d records, %d run: %d passed, %d failed; %d "
                 "skipped (%.1f s)" % (self.name, self.records, self.run,
                                       self.passed, self.failed,
                                       self.skipped_total, self.seconds)]
        for reason, n in sorted(self.skipped.items(),
                                key=lambda item: (-item[1], item[0])):
            lines.append("  skipped %d: %s" % (n, reason))
        return "\n".join(lines)

    def report(self, max_failures=None):
        """Every failure (the first MAX_FAILURES of them), then the
        summary."""
        shown = self.failures if max_failures is None else \
            self.failures[:max_failures]
        parts = [str(f) for f in shown]
        if len(shown) < len(self.failures):
            parts.append("  (%d more failures in %s not shown)" % (
                len(self.failures) - len(shown), self.name))
        if self.kept:
            parts.append("  (files left in %s)" % self.kept)
        parts.append(self.summary())
        return "\n".join(parts)


def condition_skip(record, names):
    """Why RECORD's skipif/onlyif lines keep it from an engine that
    answers to NAMES, or None."""
    for kind, engine in record.conditions:
        if (kind == "skipif") == (engine in names):
            return "%s %s" % (kind, engine)
    return None


def run_file(path, engine, rules=(), limit=None, names=None, name=None,
             on_query=None):
    """Runs the file at PATH on ENGINE (an engine object, closed here).
    RULES: skip rules; LIMIT: run only the first N records, skip the
    rest; NAMES: the engine names skipif/onlyif match (default: the
    engine's). ON_QUERY(record, values, threshold), when given, takes the
    rendered values of every query that ran, instead of comparing them
    (--complete writes them). Returns a FileResult."""
    names = frozenset(names) if names is not None else engine.names
    result = FileResult(path, name)
    start = time.monotonic()
    try:
        text = Path(path).read_bytes().decode("utf-8", "replace")
    except OSError as e:
        result.failures.append(Failure(result.name, None,
                                       "cannot read: %s" % e))
        engine.close()
        return result
    threshold = 0
    labels = {}                 # label -> (values, line of the first)
    stop = None                 # why every later record is skipped
    for rec in parse(text):
        if rec.kind in ("halt", "hash-threshold"):
            if stop or condition_skip(rec, names):
                continue
            if rec.kind == "halt":
                stop = "after halt at line %d" % rec.line_no
            else:
                threshold = rec.threshold
            continue
        result.records += 1
        if stop:
            result.skipped[stop] += 1
            continue
        if limit is not None and result.records > limit:
            result.skipped["beyond --limit %d" % limit] += 1
            continue
        if rec.kind == "bad":
            result.failed += 1
            result.failures.append(Failure(result.name, rec, rec.message))
            continue
        reason = condition_skip(rec, names)
        rule = None if reason else next(
            (r for r in rules if r.applies(rec.sql)), None)
        if reason or rule:
            result.skipped[reason or rule.reason] += 1
            if rule and rec.kind == "statement" and rec.expect_ok and \
                    not rule.harmless:
                stop = "follows a statement skipped at line %d (%s)" % (
                    rec.line_no, rule.reason)
            continue
        problem = run_record(rec, engine, threshold, labels, on_query)
        if problem:
            result.failed += 1
            result.failures.append(Failure(result.name, rec, problem))
        else:
            result.passed += 1
    problem = engine.close()
    if problem:
        result.failures.append(Failure(result.name, None, problem))
    result.seconds = time.monotonic() - start
    return result


def run_record(rec, engine, threshold, labels, on_query):
    """Runs one statement or query; returns what went wrong, or ""."""
    outcome = engine.run(rec.sql, rec.kind == "query")
    if rec.kind == "statement":
        if rec.expect_ok and outcome.error is not None:
            return "statement ok failed:\n" + indent(outcome.error, "  ")
        if not rec.expect_ok and outcome.error is None:
            return "statement error succeeded"
        return ""
    if outcome.error is not None:
        return "query failed:\n" + indent(outcome.error, "  ")
    if outcome.columns != len(rec.types):
        return "query returned %d columns, its types %s say %d" % (
            outcome.columns, rec.types, len(rec.types))
    rows = [[render(v, t) for v, t in zip(row, rec.types)]
            for row in outcome.rows]
    values = arrange(rows, rec.sort)
    if on_query:
        on_query(rec, values, threshold)
        return ""
    problems = []
    if rec.hashed:
        got = (len(values), md5_of(values))
        if got != rec.hashed:
            problems.append(
                "expected %d values hashing to %s\n"
                "got      %d values hashing to %s%s" % (
                    rec.hashed + got + (first_values(values),)))
    elif rec.expected is None:
        problems.append("no expected result (no \"----\"; --complete "
                        "writes one)")
    elif values != rec.expected:
        problems.append(compare_values(rec.expected, values))
    if rec.label:
        if rec.label in labels:
            first, line_no = labels[rec.label]
            if values != first:
                problems.append(
                    "%s differs from the query with the same label at "
                    "line %d: %d values hashing to %s there, %d hashing "
                    "to %s here" % (rec.label, line_no, len(first),
                                    md5_of(first), len(values),
                                    md5_of(values)))
        else:
            labels[rec.label] = (values, rec.line_no)
    return "\n".join(problems)


def first_values(values, n=20):
    if not values:
        return ""
    shown = values[:n]
    more = "\n  ..." if len(values) > n else ""
    return "\n  first values:\n" + indent("\n".join(shown), "    ") + more


def compare_values(expected, actual, n=20):
    """Expected against actual, from a little before the first
    difference."""
    at = next((i for i, (e, a) in enumerate(zip(expected, actual))
               if e != a), min(len(expected), len(actual)))
    begin = max(0, at - 3)

    def column(values):
        shown = values[begin:begin + n]
        text = "\n".join(shown) if shown else "(nothing)"
        if begin:
            text = "...\n" + text
        if begin + n < len(values):
            text += "\n..."
        return indent(text, "    ")
    return ("values differ at value %d:\n  expected (%d values):\n%s\n"
            "  actual (%d values):\n%s" % (at + 1, len(expected),
                                           column(expected), len(actual),
                                           column(actual)))


def indent(text, prefix):
    return "\n".join(prefix + line for line in text.split("\n"))


# --- files and engines for a run ------------------------------------------

def corpus_place():
    """Where the shared corpus should be: $SLT_DIR when set, else
    ../shared/sqllogictest beside the project."""
    return Path(os.environ.get("SLT_DIR") or
                ROOT.parent / "shared" / "sqllogictest")


def corpus_dir():
    """The shared corpus's folder, or None when it is not there."""
    return corpus_place() if corpus_place().is_dir() else None


def corpus_missing():
    """The one line that says the corpus is not there."""
    return "no sqllogictest corpus in %s (set SLT_DIR): its files not run" \
        % corpus_place()


def test_files(path):
    """PATH if it is a file, else every *.test below it, sorted."""
    path = Path(path)
    if path.is_dir():
        return sorted(path.rglob("*.test"))
    return [path]


def project_files(milestone):
    """The project's own files that apply to MILESTONE (a number): those
    of tests/slt/ named NN-*.test with NN at most MILESTONE."""
    return [p for p in sorted(PROJECT_DIR.glob("[0-9][0-9]-*.test"))
            if int(p.name[:2]) <= int(milestone)]


def display_name(path):
    """PATH relative to the corpus or the project, for reports."""
    path = Path(path).resolve()
    for base in filter(None, (corpus_dir(), ROOT)):
        try:
            return str(path.relative_to(Path(base).resolve()))
        except ValueError:
            pass
    return str(path)


def run_files(paths, engine="sqlite", strata=None, env=None, workdir=None,
              rules=(), limit=None, names=None, timeout=60.0):
    """Runs each file of PATHS (files or folders) on a fresh engine:
    ENGINE "sqlite" (Python's sqlite3), or "strata": the command STRATA
    (a path, or a list of words) on a new database in a scratch
    directory under WORKDIR (default: the system's), with environment
    ENV (default: ours). A strata file's scratch directory is removed
    when the file passes, and kept (FileResult.kept) when it does not.
    RULES, LIMIT, NAMES: as run_file. TIMEOUT: seconds strata may take
    for one statement. Returns a list of FileResult, one per file."""
    results = []
    for path in [f for p in paths for f in test_files(p)]:
        scratch = None
        if engine == "sqlite":
            eng = SqliteEngine()
        elif engine == "strata":
            if strata is None:
                raise ValueError("the strata engine needs a strata command")
            command = [str(strata)] if isinstance(strata, (str, Path)) \
                else [str(w) for w in strata]
            if os.sep in command[0]:    # strata runs in its scratch dir
                command[0] = str(Path(command[0]).resolve())
            scratch = Path(tempfile.mkdtemp(prefix="slt-", dir=workdir))
            eng = StrataEngine(command, scratch / "slt.db", env, timeout)
        else:
            raise ValueError("no engine %r (sqlite, strata)" % engine)
        result = run_file(path, eng, rules, limit, names,
                          display_name(path))
        if scratch is not None:
            if result.ok:
                shutil.rmtree(scratch, ignore_errors=True)
            else:
                result.kept = scratch
        results.append(result)
    return results


def totals(results):
    """One line adding up RESULTS."""
    n = lambda attr: sum(getattr(r, attr) for r in results)  # noqa: E731
    return ("%d files: %d records, %d run: %d passed, %d failed; %d "
            "skipped (%.1f s)" % (len(results), n("records"), n("run"),
                                  n("passed"), n("failed"),
                                  n("skipped_total"), n("seconds")))


# --- --complete -----------------------------------------------------------

def complete(path, rules=()):
    """Rewrites the expected results of every query in the file at PATH
    with what sqlite3 returns. Returns (FileResult, number of queries
    written); when a record fails (a statement, a query that does not
    run), the file is left as it was."""
    original = Path(path).read_bytes().decode("utf-8")
    edits = []
    result = run_file(path, SqliteEngine(), rules, name=display_name(path),
                      on_query=lambda rec, values, threshold: edits.append(
                          (rec, result_lines(values, threshold))))
    if result.failures:
        return result, 0
    lines = original.split("\n")
    eol = "\r" if "\r\n" in original else ""
    for rec, new in sorted(edits, key=lambda e: -e[0].line_no):
        new = [line + eol for line in new]
        if rec.result_span is None:     # no "----" yet: after the SQL
            at = rec.line_no + len(rec.sql_lines)
            lines[at:at] = ["----" + eol] + new
        else:
            first, end = rec.result_span
            lines[first:end] = new
    text = "\n".join(lines)
    if text != original:
        Path(path).write_bytes(text.encode("utf-8"))
    return result, len(edits)


# --- the command line -----------------------------------------------------

def skip_rule(text):
    pattern, sep, reason = text.partition("=")
    if not sep or not pattern or not reason:
        raise argparse.ArgumentTypeError("want REGEX=REASON, e.g. "
                                         "'\\bJOIN\\b=needs joins'")
    try:
        return Rule(reason, pattern)
    except re.error as e:
        raise argparse.ArgumentTypeError("bad regular expression: %s" % e)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Runs sqllogictest files; ends with a line of totals.")
    parser.add_argument("files", nargs="*", metavar="FILES",
                        help=".test files, or folders of them")
    parser.add_argument("--engine", choices=("sqlite", "strata"),
                        default="sqlite")
    parser.add_argument("--strata", metavar="PATH", help="the strata "
                        "binary (or a test double) for --engine strata")
    parser.add_argument("--as", dest="names", metavar="NAME,...",
                        help="the engine names skipif/onlyif match "
                        "(default: sqlite; strata,sqlite for strata)")
    parser.add_argument("--milestone", metavar="NN", type=int,
                        help="skip what Strata milestone NN cannot do yet")
    parser.add_argument("--skip-pattern", metavar="REGEX=REASON",
                        type=skip_rule, action="append", default=[],
                        help="skip records whose SQL matches REGEX")
    parser.add_argument("--limit", metavar="N", type=int,
                        help="run only the first N records of each file")
    parser.add_argument("--corpus", action="store_true",
                        help="also run the shared corpus")
    parser.add_argument("--workdir", metavar="DIR", help="where strata's "
                        "scratch databases go (default: the system's temp "
                        "folder; a tmpfs spares the disk's syncs)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds strata may take for one statement")
    parser.add_argument("--max-failures", type=int, default=20, metavar="N",
                        help="failures shown per file (0: all)")
    parser.add_argument("--complete", action="store_true",
                        help="rewrite the FILES' query results from "
                        "sqlite3")
    args = parser.parse_args(argv)

    rules = (rules_for(args.milestone) if args.milestone else []) + \
        args.skip_pattern
    if args.complete:
        if args.engine != "sqlite" or args.corpus or not args.files:
            parser.error("--complete takes FILES and the sqlite engine")
        status = 0
        for path in [f for p in args.files for f in test_files(p)]:
            result, n = complete(path, rules)
            if result.failures:
                status = 1
                print(result.report())
                print("%s: not rewritten" % result.name)
            else:
                print("%s: %d query results written" % (result.name, n))
        return status

    paths = list(args.files)
    if args.corpus:
        found = corpus_dir()
        if found is None:
            print(corpus_missing())
        else:
            paths.append(found)
    if not paths:
        if args.corpus:
            return 0
        parser.error("no FILES (and no --corpus)")
    if args.engine == "strata" and not args.strata:
        parser.error("--engine strata needs --strata PATH")
    names = frozenset(args.names.split(",")) if args.names else None
    try:
        results = []
        for path in [f for p in paths for f in test_files(p)]:
            result = run_files([path], args.engine, args.strata,
                               workdir=args.workdir, rules=rules,
                               limit=args.limit, names=names,
                               timeout=args.timeout)[0]
            print(result.report(args.max_failures or None), flush=True)
            results.append(result)
    except KeyboardInterrupt:
        return 130
    print(totals(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
