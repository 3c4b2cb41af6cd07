#!/usr/bin/env python3
"""difftest.py - a differential tester: strata's SQL against sqlite3.

From a seed (random.Random(seed)) it makes a database: 2-4 tables of
INTEGER, REAL and TEXT columns (some with an INTEGER PRIMARY KEY), a few
to a few hundred rows each (NULLs, duplicates, negative and extreme
numbers, '' and texts in several cases), and views over them. It loads
the same statements into strata (one `strata DB --csv -q` process) and
into sqlite3 (Python's sqlite3 module), then runs generated queries and
checks each with one of these oracles:

  diff    the query on both engines: the same rows, in the same order
          when the query orders its rows totally (its ORDER BY covers
          every output column), else as multisets
  tlp     ternary logic partitioning, on strata alone: the rows of
          WHERE p, WHERE NOT p and WHERE p IS NULL together are the rows
          without the WHERE (also for DISTINCT, for HAVING, and for
          min/max/count/sum combined over the three parts)
  norec   on strata alone: SELECT count(*) ... WHERE p equals the sum of
          CASE WHEN p THEN 1 ELSE 0 END (or of (p) IS TRUE) over the
          rows without the filter
  dml     an UPDATE, DELETE or INSERT ... SELECT on both engines, then
          every table compared (a failing statement must leave nothing)

From milestone 08 on (--milestone, or the binary's directory) the
schemas have indexes too, from a generator of their own so that a seed
makes the same tables, data and other cases with them as without:
CREATE [UNIQUE] INDEX on random column lists, each ASC or DESC, made
before the rows (each INSERT maintains it) or after them (built from
them), and now and then a UNIQUE table constraint; a UNIQUE index that
meets a duplicate must be refused by both engines. A share of the
cases (IndexQueries) is then aimed at them: equalities (= and IS) on a
prefix of an index's columns, ranges, IN lists, IS NULL, ORDER BY its
columns with a LIMIT, min() and max(), joins on an indexed column (and
anti-joins); and every DML case ends with \\check, which verifies each
index against its table.

A value from strata comes as CSV text, which does not say its type; a
value compares equal when sqlite3's value prints as it: an integer
exactly, a real within a relative 1e-9 (0.0 and -0.0 equal), a text
byte for byte. Types are checked by the typeof() the queries contain.

A failure is reduced (clauses dropped, expressions simplified, rows
removed, while the failure stays), and printed with its seed as a
script: the schema, the data, the query, and both answers.

Usage: tests/difftest.py [--strata PATH] [--milestone NN]
                         [--seed N | --seeds A-B]
                         [--queries N] [--minutes M] [--oracle NAME]
                         [--no-reduce] [--log FILE] [-v]
  --strata PATH  the strata binary (default milestones/07-queries/strata)
  --milestone NN what the binary speaks (default: the NN of the milestone
                 directory it is in, else 07); from 08 on the schemas have
                 indexes (CREATE [UNIQUE] INDEX on random columns, ASC or
                 DESC, before or after the rows), a share of the cases
                 aims at them, and a DML case ends with \\check
  --seeds A-B    seeds A to B (default: 1-1000000, until --minutes)
  --queries N    queries per seed (default 400)
  --minutes M    stop starting new seeds after M minutes (default none)
  --oracle NAME  only this oracle (diff, tlp, norec, dml; repeatable)
  --no-reduce    print failures as found, unreduced
  --log FILE     append every reduced failure to FILE
  --off FEATURE  generate no FEATURE (istrue, truefalse, notnum, usingref,
                 limit0, leftsub, abstext, negzero, sumtext, subquery, ...:
                 see Gen.on), to look past a bug already found
  --big, --work-mem KB   a 2,000-row table, a work_mem, in every seed

Allowed differences (the deliberate ones, each with its reason) are in
ALLOWED below; every other disagreement is a finding. tests/suites/
difftest.py runs this on fixed seeds in `make test`, and replays the
reductions of the bugs it found.
"""
import argparse
import copy
import math
import os
import random
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INT64_MIN, INT64_MAX = -2 ** 63, 2 ** 63 - 1
REL_TOLERANCE = 1e-9
MAX_ROWS = 10000            # a query with more rows (in sqlite3) is skipped
SQLITE_STEPS = 20000        # progress callbacks (x1000 VM steps) per query
SUBQUERY_OUTER_ROWS = 5000  # a subquery only where it runs that many times
SUBQUERY_WORK = 100000      # ... over at most this many rows in all


# --- engines ------------------------------------------------------------

class Outcome:
    """What an engine did with a statement: ERROR (its message) or None;
    COLUMNS, the number of result columns; ROWS, a list of tuples. From
    sqlite3 the values are None, int, float or bytes; from strata None,
    Text (a quoted CSV field) or Field (an unquoted one). FATAL: strata
    died, hung or broke the protocol (ERROR says how). SKIP: sqlite3
    gave up (too slow); the query is not compared."""

    def __init__(self, error=None, columns=0, rows=(), fatal=False,
                 skip=False):
        self.error = error
        self.columns = columns
        self.rows = list(rows)
        self.fatal = fatal
        self.skip = skip

    def show(self):
        if self.error is not None:
            return ("FATAL: " if self.fatal else "ERROR: ") + self.error
        return "\n".join(show_row(r) for r in self.rows) + \
            ("\n" if self.rows else "") + "(%d rows)" % len(self.rows)


class Text(bytes):
    """A quoted CSV field: certainly a text."""


class Field(bytes):
    """An unquoted, non-empty CSV field: an integer, a real or a text."""


def show_value(v):
    if v is None:
        return "NULL"
    if isinstance(v, Text):
        return "'%s'" % v.decode("utf-8", "backslashreplace")
    if isinstance(v, Field):
        return v.decode("utf-8", "backslashreplace")
    if isinstance(v, bytes):
        return "'%s'" % v.decode("utf-8", "backslashreplace")
    if isinstance(v, float):
        return repr(v)
    return str(v)


def show_row(row):
    return "|".join(show_value(v) for v in row)


class Sqlite:
    """Python's sqlite3 on an in-memory database, texts as bytes; a query
    running longer than SQLITE_STEPS progress callbacks is given up."""

    def __init__(self):
        self.conn = sqlite3.connect(":memory:", isolation_level=None)
        self.conn.text_factory = bytes
        self.steps = 0
        self.conn.set_progress_handler(self.progress, 1000)

    def progress(self):
        self.steps += 1
        return 1 if self.steps > SQLITE_STEPS else 0

    def run(self, sql):
        self.steps = 0
        try:
            cur = self.conn.execute(sql)
            rows = cur.fetchmany(MAX_ROWS + 1)
            columns = len(cur.description or ())
        except sqlite3.OperationalError as e:
            if str(e) == "interrupted":
                return Outcome(error="interrupted", skip=True)
            return Outcome(error=str(e))
        except (sqlite3.Error, sqlite3.Warning, OverflowError) as e:
            return Outcome(error=str(e))
        if len(rows) > MAX_ROWS:
            return Outcome(error="more than %d rows" % MAX_ROWS, skip=True)
        return Outcome(columns=columns, rows=rows)

    def close(self):
        self.conn.close()


class Strata:
    """One `strata DB --csv -q` process fed through a pipe, stderr merged
    into stdout. The protocol is tests/slt.py's StrataEngine's (the
    approach is copied, not the class): each statement goes as one line,
    followed by "\\echo SENTINEL"; the reply is what comes between the
    prompt ("strata=> ", printed before every line read, also from a
    pipe) and the prompt that precedes the sentinel's echo. An error is
    a line starting "ERROR:  ". A process that dies, hangs or is left
    inside an unfinished statement is killed; the next run starts a new
    one on the same file."""

    PROMPT = b"strata=> "
    MORE = b"strata-> "

    def __init__(self, argv, db_path, env=None, timeout=30.0):
        self.argv = list(argv) + [str(db_path), "--csv", "-q"]
        self.cwd = str(Path(db_path).parent)
        self.env = env
        self.timeout = timeout
        self.proc = None
        self.pending = b""
        self.n = 0

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     cwd=self.cwd, env=self.env)
        self.pending = b""

    def run(self, sql):
        out = self.send(sql.rstrip().rstrip(";") + ";")
        return out if isinstance(out, Outcome) else parse_reply(out)

    def command(self, line):
        """A backslash command LINE: what it printed (bytes), or a fatal
        Outcome."""
        return self.send(line)

    def send(self, line):
        """LINE and its sentinel: the reply (bytes), or a fatal Outcome."""
        if self.proc is None:
            try:
                self.start()
            except OSError as e:
                return Outcome(error="cannot run %s: %s" % (self.argv[0], e),
                               fatal=True)
        self.n += 1
        sentinel = b"difftest-sentinel-%d" % self.n
        try:
            self.proc.stdin.write(line.encode() + b"\n\\echo " +
                                  sentinel + b"\n")
            self.proc.stdin.flush()
        except OSError:
            pass                    # it died: the read says how
        reply, problem = self.read_until(sentinel)
        if problem:
            self.kill()
            return Outcome(error="%s%s" % (problem, (
                "; it printed:\n" + show_bytes(reply)) if reply else ""),
                fatal=True)
        return reply

    def read_until(self, sentinel):
        end = self.PROMPT + sentinel + b"\n"
        more = self.MORE + sentinel + b"\n"
        deadline = time.monotonic() + self.timeout
        fd = self.proc.stdout.fileno()
        buf = self.pending
        while True:
            at = buf.find(end)
            if at >= 0:
                self.pending = buf[at + len(end):]
                reply = buf[:at]
                if not reply.startswith(self.PROMPT):
                    return reply, "no prompt before the statement"
                return reply[len(self.PROMPT):], None
            if more in buf or buf.endswith(self.MORE + self.MORE):
                return buf, "the statement did not end (strata-> )"
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return buf, "no reply within %g s" % self.timeout
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return buf, "strata exited with status %d" % self.proc.wait()
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
                pass
        self.proc = None

    def close(self):
        """Ends the process by closing its input; returns a problem (an
        exit status, a sanitizer's report) or None."""
        if self.proc is None:
            return None
        try:
            out = self.proc.communicate(timeout=self.timeout)[0]
        except subprocess.TimeoutExpired:
            self.kill()
            return "strata did not exit after its input ended"
        status = self.proc.returncode
        rest = (self.pending + (out or b"")).replace(self.PROMPT, b"")
        self.proc = None
        if status != 0 or rest.strip():
            return "at the end strata exited with status %d%s" % (
                status, ", printing:\n" + show_bytes(rest)
                if rest.strip() else "")
        return None


def show_bytes(data, limit=3000):
    text = data.decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else text[:limit] + "..."


def parse_reply(reply):
    lines = reply.split(b"\n")
    first = next((i for i, line in enumerate(lines)
                  if line.startswith(b"ERROR:")), None)
    if first is not None:
        return Outcome(error=show_bytes(lines[first][6:].strip()))
    if not reply:
        return Outcome()
    try:
        table = parse_csv(reply)
    except ValueError as e:
        return Outcome(error="unreadable CSV (%s):\n%s" % (
            e, show_bytes(reply)), fatal=True)
    for n, row in enumerate(table[1:], 1):
        if len(row) != len(table[0]):
            return Outcome(error="row %d has %d fields, the header %d" % (
                n, len(row), len(table[0])), fatal=True)
    return Outcome(columns=len(table[0]), rows=[tuple(r) for r in table[1:]])


FIELD_RE = re.compile(rb'"((?:[^"]|"")*)"|([^,\r\n"]*)')


def parse_csv(data):
    """RFC 4180 CSV as rows of None (an empty unquoted field), Text (a
    quoted one) or Field. As tests/slt.py's parse_csv, with a regular
    expression for speed."""
    rows, row = [], []
    i, n = 0, len(data)
    while i < n:
        m = FIELD_RE.match(data, i)
        if m.group(1) is not None:
            row.append(Text(m.group(1).replace(b'""', b'"')))
        else:
            row.append(Field(m.group(2)) if m.group(2) else None)
        i = m.end()
        c = data[i:i + 1]
        if c == b",":
            i += 1
            if i == n:
                row.append(None)
            continue
        if c == b"\r" and data[i + 1:i + 2] == b"\n":
            i += 2
        elif c == b"\n":
            i += 1
        elif i < n:
            raise ValueError("a stray byte after a field")
        rows.append(row)
        row = []
    if row:
        rows.append(row)
    return rows


# --- comparing values ---------------------------------------------------

INT_RE = re.compile(rb"-?\d+")
REAL_RE = re.compile(rb"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|-?Inf|NaN")


def field_number(f):
    """An unquoted field as the int or float it reads as, else None."""
    if INT_RE.fullmatch(f):
        n = int(f)
        return n if INT64_MIN <= n <= INT64_MAX else float(n)
    if REAL_RE.fullmatch(f):
        return float(f)
    return None


def reals_equal(a, b):
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return a == b or (math.isnan(a) and math.isnan(b))
    if a == b:                      # also 0.0 and -0.0
        return True
    return abs(a - b) <= REL_TOLERANCE * max(abs(a), abs(b))


def value_equal(lite, mine):
    """Whether strata's field MINE is sqlite3's value LITE."""
    if lite is None or mine is None:
        return lite is None and mine is None
    if isinstance(lite, bytes):
        return bytes(mine) == lite
    if isinstance(mine, Text):
        return False                # a number never prints quoted
    n = field_number(mine)
    if n is None:
        return False
    if isinstance(lite, int):
        return isinstance(n, int) and n == lite
    return reals_equal(float(n), lite)


def sort_key(v):
    """A key that sorts sqlite3's values and strata's fields alike (a
    text that prints as a number sorts as that number; of equal numbers
    the integer first, so that 0 pairs with 0 and 0.0 with 0.0)."""
    if v is None:
        return (0, 0.0, 0, b"")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (1, float(v), isinstance(v, float), b"")
    if not isinstance(v, Text):
        n = field_number(bytes(v)) if len(v) else None
        if n is not None and not (isinstance(v, bytes) and
                                  not isinstance(v, Field) and
                                  not printable_as_number(v)):
            return (1, float(n), isinstance(n, float), b"")
    return (2, 0.0, 0, bytes(v))


def printable_as_number(b):
    """Whether strata would print the text B unquoted, as a number."""
    return b != b"" and not re.search(rb'[,"\r\n]', b) and \
        field_number(b) is not None


def rows_equal(lite, mine):
    return len(lite) == len(mine) and all(
        value_equal(a, b) for a, b in zip(lite, mine))


def results_equal(lite_rows, mine_rows, ordered):
    """Whether two row lists agree: in order when ORDERED, else as
    multisets (paired after sorting; matched one by one if that fails,
    for reals that differ in the last digits)."""
    if len(lite_rows) != len(mine_rows):
        return False
    if ordered:
        return all(rows_equal(a, b) for a, b in zip(lite_rows, mine_rows))
    a = sorted(lite_rows, key=lambda r: [sort_key(v) for v in r])
    b = sorted(mine_rows, key=lambda r: [sort_key(v) for v in r])
    if all(rows_equal(x, y) for x, y in zip(a, b)):
        return True
    left = list(b)
    for x in a:
        for i, y in enumerate(left):
            if rows_equal(x, y):
                del left[i]
                break
        else:
            return False
    return True


# --- the SQL tree ---------------------------------------------------------

class N:
    """A node of a generated statement: KIND, KIDS (nodes or None), and
    attributes A. Kinds and their kids:

    expressions  col, lit (a.sql); bin [l, r] (a.op); not, neg [x];
                 isnull [x] (a.form); between [x, lo, hi]; inlist [x,
                 items...]; insel [x, query]; exists [query];
                 scalar [query]; like [x, pattern]; func [args...]
                 (a.name, a.distinct, a.star); case [operand?, when,
                 then, ..., else?] (a.operand, a.els); cast [x] (a.type);
                 a.neg on the negatable ones, a.bare: no parentheses
    query        [body, orderby?, limit?, offset?]; orderby: list
    compound     [select, select, ...] (a.ops)
    select       [items, from?, where?, groupby?, having?] (a.distinct)
    list         [...]
    item         [expr] (a.alias); star (a.table)
    order        [expr] (a.desc)
    from         [source, join, ...]; join [source, on?] (a.op, a.using)
    table        (a.name, a.alias); subq [query] (a.alias)
    """

    __slots__ = ("kind", "kids", "a")

    def __init__(self, kind, kids=(), **a):
        self.kind = kind
        self.kids = list(kids)
        self.a = a

    def sql(self):
        return render(self)

    def __repr__(self):
        return "N(%s)" % render(self)


EXPR_KINDS = {"col", "lit", "bin", "not", "neg", "isnull", "between",
              "inlist", "insel", "exists", "scalar", "like", "func",
              "case", "cast"}


def lit(sql, type_="any"):
    return N("lit", sql=sql, type=type_)


def paren(node):
    s = render(node)
    if node.kind in ("col", "func", "cast", "scalar", "case") or \
            node.kind == "exists" and not node.a.get("neg") or \
            node.kind == "lit" and not s.startswith("-") or \
            node.a.get("bare"):
        return s
    return "(" + s + ")"


def render(n):
    k = n.kind
    a = n.a
    kids = n.kids
    if k == "col" or k == "lit":
        return a.get("name") or a.get("sql")
    if k == "bin":
        return "%s %s %s" % (paren(kids[0]), a["op"], paren(kids[1]))
    if k == "not":
        return "NOT " + paren(kids[0])
    if k == "neg":
        x = kids[0]
        if x.kind == "lit" and x.a["sql"].startswith("-"):
            return "-(" + x.a["sql"] + ")"   # not "--", a comment
        return "-" + paren(x)
    if k == "isnull":
        return "%s %s" % (paren(kids[0]), a["form"])
    if k == "between":
        return "%s %sBETWEEN %s AND %s" % (
            paren(kids[0]), "NOT " if a.get("neg") else "",
            paren(kids[1]), paren(kids[2]))
    if k == "inlist":
        return "%s %sIN (%s)" % (paren(kids[0]), "NOT " if a.get("neg")
                                 else "", ", ".join(render(x)
                                                    for x in kids[1:]))
    if k == "insel":
        return "%s %sIN (%s)" % (paren(kids[0]), "NOT " if a.get("neg")
                                 else "", render(kids[1]))
    if k == "exists":
        return "%sEXISTS (%s)" % ("NOT " if a.get("neg") else "",
                                  render(kids[0]))
    if k == "scalar":
        return "(%s)" % render(kids[0])
    if k == "like":
        s = "%s %sLIKE %s" % (paren(kids[0]), "NOT " if a.get("neg") else
                              "", paren(kids[1]))
        if len(kids) > 2:
            s += " ESCAPE " + paren(kids[2])
        return s
    if k == "func":
        if a.get("star"):
            return "%s(*)" % a["name"]
        return "%s(%s%s)" % (a["name"], "DISTINCT " if a.get("distinct")
                             else "", ", ".join(render(x) for x in kids))
    if k == "case":
        parts = ["CASE"]
        rest = kids
        if a.get("operand"):
            parts.append(render(rest[0]))
            rest = rest[1:]
        els = None
        if a.get("els"):
            els, rest = rest[-1], rest[:-1]
        for i in range(0, len(rest), 2):
            parts.append("WHEN %s THEN %s" % (render(rest[i]),
                                              render(rest[i + 1])))
        if els is not None:
            parts.append("ELSE " + render(els))
        parts.append("END")
        return " ".join(parts)
    if k == "cast":
        return "CAST(%s AS %s)" % (render(kids[0]), a["type"])
    if k == "query":
        s = render(kids[0])
        if kids[1] is not None and kids[1].kids:
            s += " ORDER BY " + ", ".join(render(o) for o in kids[1].kids)
        if kids[2] is not None:
            s += " LIMIT " + render(kids[2])
            if kids[3] is not None:
                s += " OFFSET " + render(kids[3])
        return s
    if k == "compound":
        s = render(kids[0])
        for op, sel in zip(a["ops"], kids[1:]):
            s += " %s %s" % (op, render(sel))
        return s
    if k == "select":
        items, frm, where, group, having = kids
        s = "SELECT " + ("DISTINCT " if a.get("distinct") else "") + \
            ", ".join(render(i) for i in items.kids)
        if frm is not None:
            s += " FROM " + render(frm)
        if where is not None:
            s += " WHERE " + render(where)
        if group is not None and group.kids:
            s += " GROUP BY " + ", ".join(render(g) for g in group.kids)
        if having is not None:
            s += " HAVING " + render(having)
        return s
    if k == "item":
        s = render(kids[0])
        return s + (" AS " + a["alias"] if a.get("alias") else "")
    if k == "star":
        return (a["table"] + ".*") if a.get("table") else "*"
    if k == "order":
        return render(kids[0]) + (" DESC" if a.get("desc") else
                                  a.get("asc", ""))
    if k == "from":
        s = render(kids[0])
        for j in kids[1:]:
            s += render(j)
        return s
    if k == "join":
        s = (", " if j_is_comma(n) else " %s " % a["op"]) + render(kids[0])
        if kids[1] is not None:
            s += " ON " + render(kids[1])
        elif a.get("using"):
            s += " USING (%s)" % ", ".join(a["using"])
        return s
    if k == "table":
        return a["name"] + (" AS " + a["alias"] if a.get("alias") else "")
    if k == "subq":
        return "(%s) AS %s" % (render(kids[0]), a["alias"])
    if k == "list":
        return ", ".join(render(x) for x in kids)
    raise ValueError("cannot render a %s" % k)


def j_is_comma(n):
    return n.a["op"] == ","


def walk(n):
    """Every node under N (N included), parents first."""
    if n is None:
        return
    yield n
    for k in n.kids:
        if isinstance(k, N):
            yield from walk(k)


# --- what makes a query deterministic -----------------------------------

def out_items(body):
    """The items of a query body's (first) select."""
    sel = body if body.kind == "select" else body.kids[0]
    return sel.kids[0].kids


def n_outputs(body):
    """The number of output columns, when the items hold no star."""
    items = out_items(body)
    if any(i.kind == "star" for i in items):
        return None
    return len(items)


def total_order(q):
    """Whether query Q's ORDER BY fixes the order of its rows: every
    output column is a sort key (by position, or as the same expression
    as its item)."""
    body, orderby = q.kids[0], q.kids[1]
    if orderby is None or not orderby.kids:
        return False
    n = n_outputs(body)
    if n is None:
        return False
    covered = set()
    items = out_items(body)
    for o in orderby.kids:
        e = o.kids[0]
        if e.kind == "lit" and re.fullmatch(r"\d+", e.a["sql"]):
            covered.add(int(e.a["sql"]) - 1)
        elif body.kind == "select":
            text = render(e)
            for i, it in enumerate(items):
                if render(it.kids[0]) == text or it.a.get("alias") == text:
                    covered.add(i)
    return all(i in covered for i in range(n))


AGGREGATES = {"count", "sum", "total", "avg", "min", "max"}


def is_aggregate_select(sel):
    group = sel.kids[3]
    if group is not None and group.kids:
        return True
    for part in [sel.kids[0], sel.kids[4]]:
        if part is not None and has_aggregate(part):
            return True
    return False


def has_aggregate(n):
    """Whether N holds an aggregate call of its own (not one inside a
    subquery)."""
    if n is None:
        return False
    if n.kind == "func" and n.a["name"] in AGGREGATES:
        return True
    if n.kind in ("query", "insel", "exists", "scalar"):
        return any(has_aggregate(k) for k in n.kids
                   if isinstance(k, N) and k.kind != "query")
    return any(has_aggregate(k) for k in n.kids if isinstance(k, N))


def aliases_of(frm):
    out = set()
    for n in walk(frm):
        if n.kind in ("table", "subq") and n.a.get("alias"):
            out.add(n.a["alias"])
        elif n.kind == "table":
            out.add(n.a["name"])
    return out


def grouped_ok(e, keys, local):
    """Whether E, in the items or HAVING of an aggregate select, takes the
    same value whatever row of a group sqlite3 picks: every column of the
    select's own sources (LOCAL, their aliases) is inside an aggregate or
    inside a whole GROUP BY key."""
    if e is None:
        return True
    if render(e) in keys:
        return True
    if e.kind == "func" and e.a["name"] in AGGREGATES:
        return True
    if e.kind == "col":
        return e.a["name"].split(".")[0] not in local
    if e.kind in ("insel", "exists", "scalar"):
        # A subquery must not see the group's rows.
        text = render(e)
        if any(re.search(r"\b%s\." % re.escape(al), text) for al in local):
            return False
        return all(grouped_ok(k, keys, local) for k in e.kids
                   if isinstance(k, N) and k.kind != "query")
    return all(grouped_ok(k, keys, local) for k in e.kids
               if isinstance(k, N))


def deterministic(q):
    """Whether every part of query Q has one answer in sqlite3: a LIMIT
    only after a total order, a scalar subquery of at most one row, no
    column of a group outside its aggregates and keys."""
    for n in walk(q):
        if n.kind == "query" and n.kids[2] is not None and \
                not total_order(n):
            return False
        if n.kind == "scalar" and not one_row(n.kids[0]):
            return False
        if n.kind == "select" and is_aggregate_select(n):
            group = n.kids[3]
            keys = {render(g) for g in group.kids} if group else set()
            local = aliases_of(n.kids[1]) if n.kids[1] is not None \
                else set()
            for part in n.kids[0].kids:
                if part.kind == "star" or not grouped_ok(part.kids[0], keys,
                                                          local):
                    return False
            if not grouped_ok(n.kids[4], keys, local):
                return False
            orderby = None
            for m in walk(q):
                if m.kind == "query" and m.kids[0] is n:
                    orderby = m.kids[1]
            if orderby is not None:
                for o in orderby.kids:
                    if not grouped_ok(o.kids[0], keys, local):
                        return False
        if n.kind == "func" and n.a["name"] in AGGREGATES:
            for k in n.kids:
                if has_aggregate(k):
                    return False
    return True


def one_row(q):
    """Whether query Q returns at most one row whatever the data."""
    body = q.kids[0]
    if q.kids[2] is not None and q.kids[2].kind == "lit" and \
            q.kids[2].a["sql"] in ("0", "1"):
        return total_order(q)
    if body.kind != "select":
        return False
    group = body.kids[3]
    if body.kids[1] is None and (group is None or not group.kids):
        return True
    return (group is None or not group.kids) and is_aggregate_select(body)


# --- values ----------------------------------------------------------------

WORDS = ["", "a", "A", "b", "B", "ab", "Ab", "AB", "aB", "abc", "ABC",
         "x y", " a", "a ", "%", "_", "a%b", "a_c", "10", "2", "-3", "1.5",
         "1e3", "007", "null", "NULL", "it's", "\u00e9", "\u00c9t\u00e9",
         "stra\u00dfe", "z", "zz", "Zebra", "apple", "Apple", "APPLE",
         "banana", "m\tn", "0", "0.0", "-0", "9223372036854775807", "x,y",
         'q"q', "hello world", "Hello"]


def sql_text(s):
    return "'" + s.replace("'", "''") + "'"


def sql_value(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        r = repr(v)
        return r if ("." in r or "e" in r) else r + ".0"
    return sql_text(v)


class ValueGen:
    def __init__(self, rng, negzero=True):
        self.rng = rng
        self.negzero = negzero

    def int(self):
        r = self.rng.random()
        if r < 0.45:
            return self.rng.randint(-5, 5)
        if r < 0.7:
            return self.rng.randint(-100, 100)
        if r < 0.8:
            return self.rng.randint(-100000, 100000)
        if r < 0.88:
            return self.rng.choice([2 ** 31 - 1, -2 ** 31, 2 ** 31, 2 ** 32,
                                    -2 ** 32 - 1, 10 ** 12])
        if r < 0.96:
            return self.rng.choice([-1, 1]) * self.rng.randint(
                2 ** 55, 2 ** 62)
        return self.rng.choice([INT64_MAX, INT64_MIN, INT64_MAX - 1,
                                INT64_MIN + 1])

    def real(self):
        r = self.rng.random()
        if r < 0.4:
            return self.rng.randint(-80, 80) / 8
        if r < 0.6:
            return float(self.rng.randint(-10, 10))
        if r < 0.75:
            return self.rng.randint(-10 ** 6, 10 ** 6) / 4
        if r < 0.85:
            return self.rng.choice([0.0, -0.0 if self.negzero else 0.0,
                                    0.5, -0.5, 1e15, -1e15,
                                    2.0 ** 53, 2.0 ** 40 + 0.5, 2.0 ** -20,
                                    9.5e18, -9.3e18])
        if r < 0.95:
            return self.rng.choice([0.1, 0.2, 1.1, 2.675, -3.3, 1e-5,
                                    123.456, 3.14159])
        return self.rng.choice([1e100, -1e100, 1.5e300, 1e-300])

    def text(self):
        r = self.rng.random()
        if r < 0.6:
            return self.rng.choice(WORDS)
        word = "".join(self.rng.choice("abcABC xyz%_")
                       for _ in range(self.rng.randint(1, 6)))
        return word

    def of(self, type_):
        return {"INTEGER": self.int, "REAL": self.real,
                "TEXT": self.text}[type_]()


# --- the schema and its data ----------------------------------------------

class Table:
    def __init__(self, name, cols, pk=None):
        self.name = name
        self.cols = cols            # [(name, type)]
        self.pk = pk                # index of the INTEGER PRIMARY KEY
        self.rows = []
        self.indexes = []           # Index, from milestone 08 on

    def create_sql(self):
        return "CREATE TABLE %s (%s)" % (self.name, ", ".join(
            ["%s %s%s" % (c, t, " PRIMARY KEY" if i == self.pk else "")
             for i, (c, t) in enumerate(self.cols)] +
            ["UNIQUE (%s)" % ", ".join(c for c, _ in x.columns)
             for x in self.indexes if x.constraint]))

    def insert_sqls(self, rows=None, chunk=40):
        rows = self.rows if rows is None else rows
        for i in range(0, len(rows), chunk):
            yield "INSERT INTO %s VALUES %s" % (self.name, ", ".join(
                "(%s)" % ", ".join(sql_value(v) for v in r)
                for r in rows[i:i + chunk]))


class View:
    def __init__(self, name, query, cols):
        self.name = name
        self.query = query          # a query node
        self.cols = cols            # [(name, type)]

    def create_sql(self):
        return "CREATE VIEW %s AS %s" % (self.name, render(self.query))


class Schema:
    def __init__(self, tables, views=(), work_mem=None):
        self.tables = tables
        self.views = list(views)
        self.work_mem = work_mem    # kB, or None for strata's default
        self.analyze = False        # ANALYZE after the tables (08 on)

    def table(self, name):
        return next(t for t in self.tables if t.name == name)

    def statements(self):
        """The setup, each (sql, for_sqlite)."""
        out = []
        if self.work_mem:
            out.append(("SET work_mem = %d" % self.work_mem, False))
        for t in self.tables:
            out.append((t.create_sql(), True))
            out.extend((i.create_sql(), True) for i in t.indexes
                       if not i.after_rows and not i.constraint)
            out.extend((s, True) for s in t.insert_sqls())
            out.extend((i.create_sql(), True) for i in t.indexes
                       if i.after_rows and not i.constraint)
        if self.analyze:
            out.append(("ANALYZE", True))
        out.extend((v.create_sql(), True) for v in self.views)
        return out

    def script(self):
        return [s for s, _ in self.statements()]


def gen_schema(rng, cfg):
    vals = ValueGen(rng, cfg.get("features", {}).get("negzero", True))
    tables = []
    big = rng.random() < cfg.get("big", 0.05)
    for ti in range(rng.randint(2, 4)):
        ncols = rng.randint(1, 4)
        cols = []
        for ci in range(ncols):
            cols.append(("c%d" % ci, rng.choice(["INTEGER", "INTEGER",
                                                 "REAL", "TEXT", "TEXT"])))
        pk = None
        ints = [i for i, (_, t) in enumerate(cols) if t == "INTEGER"]
        if ints and rng.random() < 0.35:
            pk = rng.choice(ints)
        t = Table("t%d" % ti, cols, pk)
        size = rng.choice([0, 1, 2, 3, 5, 8, 10, 15, 20, 30, 50, 80, 120,
                           200, 300]) if not big or ti else 2000
        # Values come from a small pool, for duplicates and joins.
        pools = {}
        for name, type_ in cols:
            pools[name] = [vals.of(type_) for _ in range(
                rng.choice([2, 4, 8, 20, 100]))]
        null_rate = rng.choice([0.0, 0.05, 0.15, 0.4])
        used = set()
        for _ in range(size):
            row = []
            for i, (name, type_) in enumerate(cols):
                if i == pk:
                    v = rng.choice([rng.randint(-50, 400), vals.int()])
                    while v in used:
                        v = rng.randint(-10 ** 6, 10 ** 6)
                    used.add(v)
                elif rng.random() < null_rate:
                    v = None
                elif rng.random() < 0.8:
                    v = rng.choice(pools[name])
                else:
                    v = vals.of(type_)
                row.append(v)
            t.rows.append(tuple(row))
        tables.append(t)
    work_mem = rng.choice([None, None, None, 64, 64, 128, 1024])
    return Schema(tables, work_mem=cfg.get("work_mem", work_mem))


class Index:
    """CREATE [UNIQUE] INDEX NAME ON TABLE (COLUMNS), each column (name,
    desc); AFTER_ROWS: made after the table's rows go in (so it is built
    from them), else before them (so every INSERT maintains it).
    CONSTRAINT: instead a UNIQUE (COLUMNS) of the CREATE TABLE, whose
    index the table gets (ascending, before the rows)."""

    def __init__(self, name, table, columns, unique, after_rows,
                 constraint=False):
        self.name = name
        self.table = table
        self.columns = columns
        self.unique = unique
        self.after_rows = after_rows
        self.constraint = constraint

    def create_sql(self):
        return "CREATE %sINDEX %s ON %s (%s)" % (
            "UNIQUE " if self.unique else "", self.name, self.table,
            ", ".join(c + (" DESC" if desc else "")
                      for c, desc in self.columns))


def distinct_on(rows, positions):
    """Whether no two ROWS agree on the columns at POSITIONS, as a UNIQUE
    index sees them: NULLs are distinct, 1 equals 1.0 and -0.0 equals 0.0
    (Python's equality and hash of numbers are SQL's here: a column holds
    one type, so a text never meets a number)."""
    seen = set()
    for r in rows:
        key = tuple(r[p] for p in positions)
        if any(v is None for v in key):
            continue
        if key in seen:
            return False
        seen.add(key)
    return True


def gen_indexes(rng, schema):
    """Indexes for SCHEMA's tables, from their own RNG (so that a seed
    makes the same tables, data and main queries with indexes or
    without): none to two per table on one to three random columns, each
    ASC or DESC; a fifth UNIQUE, mostly on columns whose values are
    distinct already (else the CREATE, or an INSERT after it, fails on
    both engines, which must agree). Half are made before the rows. A
    table in eight has a UNIQUE constraint too, on one or two columns.
    Half the schemas are then ANALYZEd, so that the planner plans with
    statistics (and sqlite3's with its own)."""
    schema.analyze = rng.random() < 0.5
    for t in schema.tables:
        if rng.random() < 0.125:
            n = rng.randint(1, min(2, len(t.cols)))
            t.indexes.append(Index(
                "%s_key" % t.name, t.name,
                [(t.cols[p][0], False)
                 for p in rng.sample(range(len(t.cols)), n)],
                True, False, constraint=True))
        for k in range(rng.choice([0, 1, 1, 2])):
            n = rng.randint(1, min(3, len(t.cols)))
            positions = rng.sample(range(len(t.cols)), n)
            unique = rng.random() < 0.2
            if unique and not distinct_on(t.rows, positions) and \
                    rng.random() < 0.7:
                unique = False
            t.indexes.append(Index(
                "%s_i%d" % (t.name, k), t.name,
                [(t.cols[p][0], rng.random() < 0.3) for p in positions],
                unique, rng.random() < 0.5))


# --- the query generator --------------------------------------------------

class Source:
    """A FROM item: its alias, its columns [(name, type)], about how many
    rows it has; USING_RIGHT: the right side of a USING join."""

    def __init__(self, alias, cols, rows=1, using_right=False):
        self.alias = alias
        self.cols = cols
        self.rows = rows
        self.using_right = using_right


class Scope:
    """What an expression may name: LOCAL sources (the select's own) and
    OUTER ones (for correlated subqueries); AGG: None (no aggregates
    here), or the GROUP BY keys [(expr, type)] of an aggregate select's
    items and HAVING, whose columns must be inside aggregates or keys."""

    def __init__(self, local, outer=(), agg=None):
        self.local = list(local)
        self.outer = list(outer)
        self.agg = agg

    def columns(self, outer=True):
        out = [(s.alias + "." + c, t) for s in self.local for c, t in s.cols]
        if outer:
            out += [(s.alias + "." + c, t) for s in self.outer
                    for c, t in s.cols]
        return out

    def rows(self):
        """About how many times an expression here is evaluated."""
        n = 1
        for s in self.local + self.outer:
            n *= max(1, s.rows)
        return n

    def plain(self):
        """The scope of an aggregate's argument: the select's own rows."""
        return Scope(self.local, (), None)

    def inner(self):
        """The scope a subquery sees from here (nothing of a group)."""
        if self.agg is not None:
            return list(self.outer)
        return self.local + self.outer


TYPES = {"INTEGER": "int", "REAL": "real", "TEXT": "text"}
NUM = ("int", "real")


class Gen:
    def __init__(self, rng, schema, cfg):
        self.rng = rng
        self.schema = schema
        self.cfg = cfg
        self.n_alias = 0
        self.nest = cfg.get("nest", 0)    # subqueries in FROM around
        self.feat = cfg.get("features", {})
        self.vals = ValueGen(rng, self.feat.get("negzero", True))

    def on(self, name, p=1.0):
        """Whether to use feature NAME (true unless turned off), with
        probability P."""
        return self.feat.get(name, True) and self.rng.random() < p

    def alias(self):
        self.n_alias += 1
        return "a%d" % self.n_alias

    # --- leaves ---

    def literal(self, want):
        rng = self.rng
        t = want if want in ("int", "real", "text") else rng.choice(
            ["int", "int", "real", "text", "null"])
        if rng.random() < 0.06:
            t = "null"
        if t == "bool":
            t = "int"
        if t == "null":
            return lit("NULL", "null")
        if t == "int":
            if rng.random() < 0.08 and self.on("truefalse"):
                return lit(rng.choice(["TRUE", "FALSE"]), "int")
            v = self.vals.int() if rng.random() < 0.5 else \
                rng.randint(-3, 10)
            return lit(str(v), "int")
        if t == "real":
            return lit(sql_value(self.vals.real()), "real")
        return lit(sql_text(self.vals.text()), "text")

    def column(self, scope, want):
        cols = scope.columns(outer=scope.agg is None)
        if not cols:
            return None
        if want in ("int", "real", "text"):
            typed = [c for c in cols if TYPES.get(c[1], c[1]) == want]
            if typed and self.rng.random() < 0.8:
                cols = typed
        elif want == "num":
            typed = [c for c in cols if TYPES.get(c[1], c[1]) in NUM]
            if typed and self.rng.random() < 0.8:
                cols = typed
        name, type_ = self.rng.choice(cols)
        return N("col", name=name, type=TYPES.get(type_, type_))

    def leaf(self, scope, want):
        if scope.agg is not None:
            keys = scope.agg
            r = self.rng.random()
            if keys and r < 0.45:
                e, _ = self.rng.choice(keys)
                return copy.deepcopy(e)
            if r < 0.85:
                return self.aggregate(scope, want)
            return self.literal(want)
        if self.rng.random() < 0.7:
            c = self.column(scope, want)
            if c is not None:
                return c
        return self.literal(want)

    # --- expressions ---

    def expr(self, scope, want="any", depth=0):
        rng = self.rng
        if depth >= self.cfg.get("depth", 4) or rng.random() < 0.3 + \
                0.15 * depth:
            if want == "bool" and not self.feat.get("notnum", True):
                # Only true booleans: a comparison of leaves.
                a = self.leaf(scope, "any")
                return N("bin", [a, self.leaf(scope, self.type_of(a))],
                         op=rng.choice(["=", "<>", "<", ">="]))
            return self.leaf(scope, want)
        if want == "any":
            want = rng.choice(["int", "int", "real", "text", "bool"])
        if want == "num":
            want = rng.choice(["int", "real"])
        maker = {"int": self.num_expr, "real": self.num_expr,
                 "text": self.text_expr, "bool": self.bool_expr}[want]
        e = maker(scope, want, depth + 1)
        if rng.random() < 0.1 and self.on("bare") and e.kind == "bin":
            e.a["bare"] = True      # no parentheses: precedence counts
        return e

    def num_expr(self, scope, want, d):
        rng = self.rng
        r = rng.random()
        x = lambda w="num": self.expr(scope, w, d)  # noqa: E731
        if r < 0.35:
            op = rng.choice(["+", "-", "*", "/", "%", "+", "-", "*"])
            a, b = x(), x()
            if op == "%" and not self.feat.get("modtext", True) and \
                    "text" in (self.type_of(a), self.type_of(b)):
                op = "+"
            return N("bin", [a, b], op=op)
        if r < 0.42:
            if not self.feat.get("negzero", True):
                return N("bin", [lit("0", "int"), x()], op="-")
            return N("neg", [x()])
        if r < 0.5:
            arg = x()
            if not self.feat.get("abstext", True) and \
                    self.type_of(arg) == "text":
                arg = self.literal("int")
            return N("func", [arg], name="abs")
        if r < 0.55:
            return N("func", [x("text")], name="length")
        if r < 0.62 and self.on("cast"):
            return N("cast", [x("any")], type=rng.choice(
                ["INTEGER", "REAL", "INTEGER", "TEXT"]
                if want == "int" else ["REAL", "INTEGER"]))
        if r < 0.67:
            args = [x()] + ([lit(str(rng.randint(-2, 4)), "int")]
                            if rng.random() < 0.6 else [])
            return N("func", args, name="round")
        if r < 0.77 and self.on("case"):
            return self.case(scope, want, d)
        if r < 0.85:
            name = rng.choice(["coalesce", "ifnull", "nullif"])
            n_args = rng.randint(2, 4) if name == "coalesce" else 2
            return N("func", [x(want) for _ in range(n_args)], name=name)
        if r < 0.9 and self.can_subquery(scope, d):
            return self.scalar_subquery(scope, want)
        if r < 0.95:
            return self.bool_expr(scope, "bool", d)
        return self.leaf(scope, want)

    def text_expr(self, scope, want, d):
        rng = self.rng
        r = rng.random()
        x = lambda w="text": self.expr(scope, w, d)  # noqa: E731
        if r < 0.3:
            return N("bin", [x("any"), x("any")], op="||")
        if r < 0.45:
            return N("func", [x()], name=rng.choice(["lower", "upper"]))
        if r < 0.58:
            # A start from an expression, kept small: sqlite3's substr()
            # gets a start near 2^63 wrong (it overflows inside).
            args = [x(), N("bin", [self.expr(scope, "int", d),
                                   lit("10", "int")], op="%")
                    if rng.random() < 0.3
                    else lit(str(rng.randint(-3, 5)), "int")]
            if rng.random() < 0.6:
                args.append(lit(str(rng.randint(-2, 5)), "int"))
            return N("func", args, name="substr")
        if r < 0.65 and self.on("cast"):
            return N("cast", [x("any")], type="TEXT")
        if r < 0.72 and self.on("typeof"):
            return N("func", [x("any")], name="typeof")
        if r < 0.82 and self.on("case"):
            return self.case(scope, want, d)
        if r < 0.9:
            name = rng.choice(["coalesce", "ifnull", "nullif"])
            n_args = rng.randint(2, 3) if name == "coalesce" else 2
            return N("func", [x() for _ in range(n_args)], name=name)
        if r < 0.94 and self.can_subquery(scope, d):
            return self.scalar_subquery(scope, want)
        return self.leaf(scope, want)

    def bool_expr(self, scope, want, d):
        rng = self.rng
        r = rng.random()
        x = lambda w="any": self.expr(scope, w, d)  # noqa: E731
        if r < 0.25:
            op = rng.choice(["=", "<>", "!=", "<", "<=", ">", ">=", "=="])
            a = x()
            # Mostly like with like; sometimes across types (affinity).
            b = self.expr(scope, self.type_of(a) if rng.random() < 0.7 or
                          not self.feat.get("affinity", True) else "any", d)
            return N("bin", [a, b], op=op)
        if r < 0.37:
            return N("bin", [x("bool"), x("bool")],
                     op=rng.choice(["AND", "OR"]))
        if r < 0.44:
            return N("not", [x("bool")])
        if r < 0.5:
            return N("isnull", [x()], form=rng.choice(
                ["IS NULL", "IS NOT NULL", "ISNULL", "NOTNULL",
                 "NOT NULL"]))
        if r < 0.55:
            a = x()
            return N("bin", [a, x(self.type_of(a)) if rng.random() < 0.6
                             else self.literal(rng.choice(
                                 ["null", "bool"]))],
                     op=rng.choice(["IS", "IS NOT"]))
        if r < 0.62:
            a = x("num" if rng.random() < 0.7 else "any")
            t = self.type_of(a)
            return N("between", [a, x(t), x(t)], neg=rng.random() < 0.3)
        if r < 0.7:
            a = x()
            t = self.type_of(a)
            items = [x(t) if rng.random() < 0.5 else self.literal(t)
                     for _ in range(rng.randint(1, 4))]
            return N("inlist", [a] + items, neg=rng.random() < 0.3)
        if r < 0.77 and self.on("like"):
            return self.like(scope, d)
        if r < 0.82 and self.can_subquery(scope, d):
            return self.exists(scope)
        if r < 0.87 and self.can_subquery(scope, d):
            return self.in_select(scope, d)
        if r < 0.9 and self.on("istrue"):
            return N("bin", [x("any"), lit(rng.choice(["TRUE", "FALSE"]),
                                           "int")],
                     op=rng.choice(["IS", "IS NOT"]))
        if not self.feat.get("notnum", True):
            return self.expr(scope, "bool", 99)
        return self.leaf(scope, rng.choice(["int", "any"]))

    def type_of(self, e):
        t = e.a.get("type")
        if t in ("int", "real", "text"):
            return t
        if e.kind in ("bin", "neg") and e.a.get("op") not in ("||",):
            if e.kind == "bin" and e.a["op"] in ("+", "-", "*", "/", "%"):
                return "num"
            if e.kind == "neg":
                return "num"
            return "int"
        if e.kind == "func":
            name = e.a["name"]
            if name in ("lower", "upper", "substr", "typeof"):
                return "text"
            if name in ("length", "count", "abs", "sum", "total", "avg",
                        "round"):
                return "num"
            if e.kids:
                return self.type_of(e.kids[0])
        if e.kind == "cast":
            return {"INTEGER": "int", "REAL": "real",
                    "TEXT": "text"}[e.a["type"]]
        if e.kind == "bin" and e.a["op"] == "||":
            return "text"
        return "any"

    def case(self, scope, want, d):
        rng = self.rng
        operand = rng.random() < 0.4
        kids = []
        if operand:
            kids.append(self.expr(scope, "any", d))
            t = self.type_of(kids[0])
        for _ in range(rng.randint(1, 3)):
            kids.append(self.expr(scope, t if operand else "bool", d)
                        if not operand or rng.random() < 0.5
                        else self.literal(t))
            kids.append(self.expr(scope, want, d))
        els = rng.random() < 0.7
        if els:
            kids.append(self.expr(scope, want, d))
        return N("case", kids, operand=operand, els=els)

    def like(self, scope, d):
        rng = self.rng
        x = self.expr(scope, "text", d)
        w = rng.choice(WORDS[:20] + ["apple", "Apple"])
        pat = "".join(c if rng.random() < 0.7 else rng.choice("%_")
                      for c in w)
        if rng.random() < 0.5:
            pat = rng.choice(["%", ""]) + pat + rng.choice(["%", "", "_"])
        if rng.random() < 0.15:
            pat = pat.upper() if rng.random() < 0.5 else pat.lower()
        p = lit(sql_text(pat), "text") if rng.random() < 0.85 else \
            self.expr(scope, "text", d)
        kids = [x, p]
        if rng.random() < 0.05:
            kids.append(lit("'\\'", "text"))
        return N("like", kids, neg=rng.random() < 0.25)

    def aggregate(self, scope, want):
        rng = self.rng
        plain = scope.plain()
        if not plain.local:
            return self.literal(want)
        if rng.random() < 0.2:
            return N("func", [], name="count", star=True)
        name = rng.choice(["count", "sum", "total", "avg", "min", "max",
                           "min", "max", "sum"])
        arg_want = "any" if name in ("count", "min", "max") else "num"
        if want == "text" and name in ("min", "max"):
            arg_want = "text"
        arg = self.expr(plain, arg_want, 2) if rng.random() < 0.4 else \
            self.column(plain, arg_want) or self.literal(arg_want)
        if arg_want == "num" and self.type_of(arg) not in NUM and \
                not self.feat.get("sumtext", True):
            arg = self.column(plain, "int") or self.literal("int")
        return N("func", [arg], name=name,
                 distinct=rng.random() < 0.2 and self.on("aggdistinct"))

    # --- subqueries ---

    def can_subquery(self, scope, depth):
        """Whether a subquery may go here: a correlated subquery runs once
        for each row around it, so only where those are few."""
        return self.on("subquery") and depth < 3 and \
            Scope(scope.inner()).rows() <= SUBQUERY_OUTER_ROWS

    def sub_sources(self, scope, n_max=2):
        """A subquery's FROM and its scope (seeing SCOPE's columns)."""
        outer = Scope(scope.inner())
        frm, sources = self.from_clause(Scope([], scope.inner()), n_max,
                                        cap=max(2, min(3000, SUBQUERY_WORK //
                                                       outer.rows())))
        return frm, Scope(sources, scope.inner())

    def scalar_subquery(self, scope, want):
        rng = self.rng
        frm, inner = self.sub_sources(scope, 1 if rng.random() < 0.7 else 2)
        where = self.expr(inner, "bool", 1) if rng.random() < 0.7 else None
        if rng.random() < 0.6:
            # An aggregate: one row.
            item = self.aggregate(Scope(inner.local, inner.outer, []), want)
            sel = N("select", [N("list", [N("item", [item])]), frm, where,
                               None, None])
            return N("scalar", [N("query", [sel, None, None, None])])
        e = self.expr(Scope(inner.local, inner.outer), want, 2)
        sel = N("select", [N("list", [N("item", [e])]), frm, where, None,
                           None])
        q = N("query", [sel, N("list", [N("order", [lit("1", "int")],
                                          desc=rng.random() < 0.5)]),
                        lit("1", "int"), None])
        return N("scalar", [q])

    def exists(self, scope):
        frm, inner = self.sub_sources(scope)
        where = self.expr(inner, "bool", 1) if self.rng.random() < 0.85 \
            else None
        items = [N("item", [self.expr(inner, "any", 2)])]
        sel = N("select", [N("list", items), frm, where, None, None])
        return N("exists", [N("query", [sel, None, None, None])],
                 neg=self.rng.random() < 0.3)

    def in_select(self, scope, d):
        a = self.expr(scope, "any", d)
        t = self.type_of(a)
        frm, inner = self.sub_sources(scope)
        where = self.expr(inner, "bool", 1) if self.rng.random() < 0.6 \
            else None
        e = self.expr(inner, t, 2)
        sel = N("select", [N("list", [N("item", [e])]), frm, where, None,
                           None], distinct=self.rng.random() < 0.2)
        return N("insel", [a, N("query", [sel, None, None, None])],
                 neg=self.rng.random() < 0.3)

    # --- FROM ---

    def source(self, scope, cap):
        """A table, a view or a subquery in FROM: (node, Source, rows)."""
        rng = self.rng
        tables = [(t.name, t.cols, len(t.rows)) for t in self.schema.tables]
        views = [(v.name, v.cols, v.rows) for v in self.schema.views]
        r = rng.random()
        al = self.alias()
        if r < 0.12 and self.on("fromsub") and cap >= 10 and \
                self.nest < 2:
            self.nest += 1
            q, cols, est = self.query_with_cols((), cap=cap)
            self.nest -= 1
            return N("subq", [q], alias=al), Source(al, cols, est), est
        if r < 0.3 and views and self.on("views"):
            choices = views
        else:
            choices = tables
        small = [c for c in choices if c[2] <= cap] or \
            [min(tables, key=lambda c: c[2])]
        name, cols, est = rng.choice(small)
        return N("table", name=name, alias=al), Source(al, cols, est), est

    def from_clause(self, scope, n_max=3, cap=30000):
        """A FROM of 1 to N_MAX sources whose product stays under CAP
        rows: (node, [Source])."""
        rng = self.rng
        node, src, est = self.source(scope, cap)
        kids = [node]
        sources = [src]
        size = max(est, 1)
        want = rng.randint(1, n_max)
        for _ in range(want - 1):
            node, src, est = self.source(scope, cap // size)
            if size * max(est, 1) > cap:
                break
            size *= max(est, 1)
            op = rng.choice([",", "CROSS JOIN", "JOIN", "INNER JOIN",
                             "LEFT JOIN", "LEFT OUTER JOIN", "JOIN",
                             "LEFT JOIN"])
            on = None
            using = None
            if op not in (",", "CROSS JOIN"):
                common = [c for c, _ in src.cols
                          if sum(1 for s in sources
                                 if any(c == d for d, _ in s.cols)) == 1]
                if common and rng.random() < 0.25 and self.on("using"):
                    using = [rng.choice(common)]
                    if not self.feat.get("usingref", True):
                        # Name the column through the left side only.
                        src = Source(src.alias, [c for c in src.cols
                                                 if c[0] != using[0]],
                                     src.rows, True)
                else:
                    on_scope = Scope(sources + [src], scope.outer)
                    keep = self.feat.get("subquery", True)
                    if op.startswith("LEFT") and \
                            not self.feat.get("leftsub", True):
                        self.feat["subquery"] = False
                    on = self.join_condition(on_scope, sources, src)
                    self.feat["subquery"] = keep
            kids.append(N("join", [node, on], op=op, using=using))
            sources.append(src)
        return N("from", kids), sources

    def join_condition(self, scope, left, right):
        rng = self.rng
        if rng.random() < 0.6:
            lc = [(s.alias + "." + c, t) for s in left for c, t in s.cols]
            rc = [(right.alias + "." + c, t) for c, t in right.cols]
            a, ta = rng.choice(lc)
            same = [c for c in rc if c[1] == ta]
            b, tb = rng.choice(same if same and (
                rng.random() < 0.8 or not self.feat.get("affinity", True))
                else rc)
            e = N("bin", [N("col", name=a, type=TYPES.get(ta, ta)),
                          N("col", name=b, type=TYPES.get(tb, tb))],
                  op=rng.choice(["=", "=", "=", "<", ">="]))
            if rng.random() < 0.3:
                e = N("bin", [e, self.expr(scope, "bool", 2)],
                      op=rng.choice(["AND", "OR"]))
            return e
        return self.expr(scope, "bool", 1)

    # --- SELECT ---

    def select_items(self, scope, n):
        return [self.expr(scope, "any", 0) for _ in range(n)]

    def plain_select(self, scope_outer, cap=30000, n_items=None,
                     frm=None, allow_star=True):
        """SELECT [DISTINCT] items FROM ... [WHERE]: (select node, scope,
        item types, estimated rows)."""
        rng = self.rng
        if frm is None:
            frm, sources = self.from_clause(Scope([], scope_outer), 3, cap)
        else:
            frm, sources = frm
        scope = Scope(sources, scope_outer)
        n = n_items or rng.randint(1, 4)
        items = []
        types = []
        starred = [s for s in sources if not s.using_right]
        if allow_star and n_items is None and rng.random() < 0.1:
            if rng.random() < 0.5 or not starred:
                items.append(N("star"))
                for s in sources:
                    types += [TYPES.get(t, t) for c, t in s.cols]
            else:
                s = rng.choice(starred)
                items.append(N("star", table=s.alias))
                types += [TYPES.get(t, t) for c, t in s.cols]
        else:
            for e in self.select_items(scope, n):
                items.append(N("item", [e]))
                types.append(self.type_of(e))
        where = self.expr(scope, "bool", 0) if rng.random() < 0.7 else None
        sel = N("select", [N("list", items), frm, where, None, None],
                distinct=rng.random() < 0.15 and self.on("distinct"))
        return sel, scope, types

    def agg_select(self, scope_outer, cap=30000, n_items=None):
        """An aggregate SELECT: with GROUP BY keys (maybe) and HAVING."""
        rng = self.rng
        frm, sources = self.from_clause(Scope([], scope_outer), 2, cap)
        scope = Scope(sources, scope_outer)
        where = self.expr(scope, "bool", 0) if rng.random() < 0.5 else None
        keys = []
        if rng.random() < 0.75:
            for _ in range(rng.randint(1, 2)):
                if rng.random() < 0.7:
                    k = self.column(Scope(sources), "any")
                else:
                    k = self.expr(Scope(sources), "any", 2)
                if not any(n.kind == "col" for n in walk(k)):
                    continue    # a constant; an integer would be a position
                if render(k) not in [render(x) for x, _ in keys]:
                    keys.append((k, self.type_of(k)))
        agg_scope = Scope(sources, scope_outer, keys)
        n = n_items or rng.randint(1, 4)
        items = []
        types = []
        for i in range(n):
            if keys and i < len(keys) and rng.random() < 0.6:
                e = copy.deepcopy(keys[i][0])
            elif rng.random() < 0.6:
                e = self.aggregate(agg_scope, "any")
            else:
                e = self.expr(agg_scope, "any", 1)
            items.append(N("item", [e]))
            types.append(self.type_of(e))
        having = None
        if keys and rng.random() < 0.5:
            having = self.expr(agg_scope, "bool", 1)
        group = N("list", [copy.deepcopy(k) for k, _ in keys]) if keys \
            else None
        sel = N("select", [N("list", items), frm, where, group, having],
                distinct=rng.random() < 0.1 and self.on("distinct"))
        return sel, agg_scope, types

    def no_from_select(self, n_items=None):
        scope = Scope([], ())
        n = n_items or self.rng.randint(1, 4)
        items = [N("item", [self.expr(scope, "any", 0)]) for _ in range(n)]
        return N("select", [N("list", items), None, None, None, None]), \
            scope, [self.type_of(i.kids[0]) for i in items]

    def any_select(self, scope_outer, cap, n_items=None):
        r = self.rng.random()
        if r < 0.05:
            return self.no_from_select(n_items)
        if r < 0.35 and self.on("aggregate"):
            return self.agg_select(scope_outer, cap, n_items)
        return self.plain_select(scope_outer, cap, n_items,
                                 allow_star=n_items is None)

    def order_by(self, sel, n_out, scope, total):
        """An ORDER BY for SEL: TOTAL covers every output column."""
        rng = self.rng
        positions = list(range(1, n_out + 1))
        rng.shuffle(positions)
        if not total:
            positions = positions[:rng.randint(1, max(1, n_out - 1))]
        keys = []
        items = out_items(sel) if sel.kind == "select" else []
        for p in positions:
            desc = rng.random() < 0.4
            if sel.kind == "select" and not sel.a.get("distinct") and \
                    rng.random() < 0.4 and items[p - 1].kind == "item" and \
                    items[p - 1].kids[0].kind != "lit":
                e = copy.deepcopy(items[p - 1].kids[0])
            else:
                e = lit(str(p), "int")
            o = N("order", [e], desc=desc)
            if not desc and rng.random() < 0.2:
                o.a["asc"] = " ASC"
            keys.append(o)
        if not total and sel.kind == "select" and scope is not None and \
                not sel.a.get("distinct") and rng.random() < 0.3 and \
                scope.agg is None and scope.local:
            e = self.expr(scope, "any", 2)
            if any(n.kind == "col" for n in walk(e)):
                keys.append(N("order", [e], desc=rng.random() < 0.5))
        return N("list", keys)

    def query_with_cols(self, scope_outer, cap=30000):
        """A query for FROM or a view: every item named x0, x1, ...:
        (query node, [(name, type)], estimated rows)."""
        sel, scope, types = self.any_select(scope_outer, cap,
                                            n_items=self.rng.randint(1, 3))
        for i, it in enumerate(sel.kids[0].kids):
            it.a["alias"] = "x%d" % i
        q = N("query", [sel, None, None, None])
        if self.rng.random() < 0.2:
            q.kids[1] = self.order_by(sel, len(types), scope, True)
            q.kids[2] = lit(str(self.rng.randint(0, 20)), "int")
        cols = [("x%d" % i, t if t in NUM + ("text",) else "any")
                for i, t in enumerate(types)]
        # What it costs to run: the product of its sources (its rows are
        # fewer, but a correlated subquery pays this for each outer row).
        return q, cols, Scope(scope.local).rows()

    def query(self):
        """A top-level query for the diff oracle."""
        rng = self.rng
        cap = self.cfg.get("cap", 5000)
        r = rng.random()
        if r < 0.15 and self.on("setops"):
            n = rng.randint(1, 3)
            arms = []
            scope = None
            for _ in range(rng.randint(2, 3)):
                sel, scope, types = self.any_select((), cap // 4, n)
                arms.append(sel)
            ops = [rng.choice(["UNION", "UNION ALL", "INTERSECT", "EXCEPT"])
                   for _ in arms[1:]]
            body = N("compound", arms, ops=ops)
            q = N("query", [body, None, None, None])
            if rng.random() < 0.5:
                total = rng.random() < 0.7
                q.kids[1] = self.order_by(body, n, None, total)
                if total and rng.random() < 0.5:
                    self.limit(q)
            return q
        sel, scope, types = self.any_select((), cap)
        q = N("query", [sel, None, None, None])
        n_out = n_outputs(sel)
        if n_out is not None and rng.random() < 0.5:
            total = rng.random() < 0.6
            q.kids[1] = self.order_by(sel, n_out, scope, total)
            if total and rng.random() < 0.5:
                self.limit(q)
        return q

    def limit(self, q):
        rng = self.rng
        q.kids[2] = lit(str(rng.choice([0, 1, 2, 3, 5, 10, 100])
                            if rng.random() < 0.95 else -1), "int")
        if rng.random() < 0.5:
            q.kids[3] = lit(str(rng.choice([0, 1, 2, 5])), "int")
            if not self.feat.get("limit0", True) and \
                    q.kids[2].a["sql"] == "0":
                q.kids[3] = None

    def views(self, n):
        out = []
        for i in range(n):
            sub = Gen(self.rng, Schema(self.schema.tables, out),
                      dict(self.cfg, nest=1))
            sub.n_alias = 5000 + 100 * i
            q, cols, work = sub.query_with_cols((), cap=3000)
            v = View("v%d" % i, q, cols)
            v.rows = work
            out.append(v)
        return out


# --- queries aimed at indexes (08 on) -------------------------------------

class IndexQueries:
    """Cases whose conditions and orders fall on a schema's indexes, for
    the diff and TLP oracles: a prefix of an index's columns compared
    with =, a range (<, <=, >, >=, BETWEEN) on the next one, IN lists,
    IS [NOT] NULL, ORDER BY the index's columns (its order, the reverse,
    or a mix) with a LIMIT, min() and max(), and joins on an indexed
    column. Values come mostly from the column itself, so that the
    lookups find rows; some are of another type (a text against an
    INTEGER column), which SQLite's affinity converts before the index
    is searched."""

    SHAPES = ["eq", "eq", "eq", "range", "range", "in", "null", "order",
              "order", "order_all", "minmax", "join", "join", "tlp", "tlp"]

    def __init__(self, gen):
        self.gen = gen
        self.rng = gen.rng
        self.schema = gen.schema

    def col(self, name, t, c):
        return N("col", name="%s.%s" % (name, c), type=TYPES[dict(t.cols)[c]])

    def value(self, t, c):
        """A literal for a comparison with column C of table T."""
        rng = self.rng
        i = [x for x, _ in t.cols].index(c)
        seen = [r[i] for r in t.rows]
        r = rng.random()
        if seen and r < 0.7:
            v = rng.choice(seen)
            return lit("NULL", "null") if v is None else \
                lit(sql_value(v), TYPES[dict(t.cols)[c]])
        if r < 0.82:
            return self.gen.literal(rng.choice(["int", "real", "text"]))
        return self.gen.literal(TYPES[dict(t.cols)[c]])

    def compare(self, x, op, v):
        if op == "=" and self.rng.random() < 0.15:
            op = "IS"                    # an equality in which NULL is NULL
        if self.rng.random() < 0.2:      # 5 > c is c < 5
            flip = {"=": "=", "IS": "IS", "<": ">", "<=": ">=", ">": "<",
                    ">=": "<="}
            return N("bin", [v, x], op=flip[op])
        return N("bin", [x, v], op=op)

    def predicate(self, name, t, ix):
        """A condition on a prefix of IX's columns, as a list of parts
        to AND."""
        rng = self.rng
        cols = [c for c, _ in ix.columns]
        k = rng.randint(0, len(cols) - 1) if rng.random() < 0.6 else 0
        parts = [self.compare(self.col(name, t, c), "=", self.value(t, c))
                 for c in cols[:k]]
        c = cols[k]
        x = self.col(name, t, c)
        r = rng.random()
        if r < 0.3:
            parts.append(self.compare(x, "=", self.value(t, c)))
        elif r < 0.55:
            parts.append(self.compare(x, rng.choice(["<", "<=", ">", ">="]),
                                      self.value(t, c)))
            if rng.random() < 0.4:
                parts.append(self.compare(copy.deepcopy(x), rng.choice(
                    ["<", "<=", ">", ">="]), self.value(t, c)))
        elif r < 0.7:
            parts.append(N("between", [x, self.value(t, c),
                                       self.value(t, c)],
                           neg=rng.random() < 0.1))
        elif r < 0.88:
            parts.append(N("inlist", [x] + [self.value(t, c) for _ in range(
                rng.randint(1, 4))], neg=rng.random() < 0.1))
        else:
            parts.append(N("isnull", [x], form=rng.choice(
                ["IS NULL", "IS NOT NULL"])))
        rng.shuffle(parts)
        return parts

    def conj(self, parts):
        e = parts[0]
        for p in parts[1:]:
            e = N("bin", [e, p], op="AND")
        return e

    def case(self, oracles=("diff", "tlp")):
        """A Case for one of ORACLES (diff, tlp), or None when no table
        has an index."""
        rng = self.rng
        tables = [t for t in self.schema.tables if t.indexes]
        if not tables:
            return None
        t = rng.choice(tables)
        ix = rng.choice(t.indexes)
        name = t.name if rng.random() < 0.6 else "a1"
        table = N("table", name=t.name, alias=None if name == t.name
                  else name)
        frm = N("from", [table])
        shape = rng.choice([s for s in self.SHAPES
                            if ("tlp" if s == "tlp" else "diff") in oracles])
        names = [c for c, _ in t.cols]
        where = None
        orderby = limit = offset = None
        if shape in ("eq", "range", "in", "null", "tlp"):
            parts = self.predicate(name, t, ix)
            if shape == "tlp":
                items = [N("star")] if rng.random() < 0.5 else [
                    N("item", [self.col(name, t, c)]) for c in names]
                sel = N("select", [N("list", items), frm, None, None, None])
                return Case("tlp", self.schema, [sel, self.conj(parts)],
                            {"variant": "where"})
            where = self.conj(parts)
            items = [N("star")] if rng.random() < 0.5 else [
                N("item", [self.col(name, t, c)])
                for c in rng.sample(names, rng.randint(1, len(names)))]
        elif shape in ("order", "order_all"):
            cols = ix.columns[:rng.randint(1, len(ix.columns))]
            r = rng.random()
            keys = [(c, d if r < 0.4 else (not d if r < 0.7 else
                                           rng.random() < 0.5))
                    for c, d in cols]
            if shape == "order_all":
                keys += [(c, rng.random() < 0.3) for c in names
                         if c not in [k for k, _ in keys]]
            items = [N("item", [self.col(name, t, c)]) for c, _ in keys]
            orderby = N("list", [N("order", [self.col(name, t, c)], desc=d)
                                 for c, d in keys])
            if rng.random() < 0.4:
                where = self.conj(self.predicate(name, t, ix)[:1])
            limit = lit(str(rng.choice([1, 2, 3, 5, 10, 50])), "int")
            if rng.random() < 0.3:
                offset = lit(str(rng.choice([1, 2, 5])), "int")
        elif shape == "minmax":
            c = ix.columns[0][0]
            items = [N("item", [N("func", [self.col(name, t, c)], name=f)])
                     for f in ("min", "max")] + [
                N("item", [N("func", [], name="count", star=True)])]
            if rng.random() < 0.5:
                where = self.conj(self.predicate(name, t, ix))
        else:
            return self.join(t, ix)
        sel = N("select", [N("list", items), frm, where, None, None])
        return Case("diff", self.schema, [N("query", [sel, orderby, limit,
                                                       offset])])

    def join(self, t, ix):
        """Another table (or T itself) joined to T on T's first indexed
        column, maybe with more conditions on T's index."""
        rng = self.rng
        c, _ = ix.columns[0]
        type_ = dict(t.cols)[c]
        outer = rng.choice(self.schema.tables)
        same = [x for x, y in outer.cols if y == type_]
        oc = rng.choice(same if same and rng.random() < 0.85 else
                        [x for x, _ in outer.cols])
        a, b = "a1", "a2"
        on = self.compare(self.col(b, t, c), "=", self.col(a, outer, oc))
        if len(ix.columns) > 1 and rng.random() < 0.4:
            on = self.conj([on] + self.predicate(b, t, ix)[:1])
        op = rng.choice(["JOIN", "JOIN", "LEFT JOIN", ","])
        items = [N("item", [self.col(a, outer, oc)])] + [
            N("item", [self.col(b, t, x)]) for x in rng.sample(
                [x for x, _ in t.cols], rng.randint(1, len(t.cols)))]
        if len(outer.rows) * len(t.rows) > 3000 or rng.random() < 0.2:
            items = [N("item", [N("func", [], name="count", star=True)]),
                     N("item", [N("func", [self.col(b, t, c)],
                                  name="count")])]
        where = None
        if op == ",":
            where, on = on, None
        elif op == "LEFT JOIN" and rng.random() < 0.4:
            # The rows of the left that match nothing (an anti-join): the
            # inner side's IS NULL must not narrow its index.
            where = N("isnull", [self.col(b, t, c)], form="IS NULL")
        frm = N("from", [N("table", name=outer.name, alias=a),
                         N("join", [N("table", name=t.name, alias=b), on],
                           op=op)])
        sel = N("select", [N("list", items), frm, where, None, None])
        return Case("diff", self.schema, [N("query", [sel, None, None,
                                                       None])])


# --- allowed differences --------------------------------------------------

# Each entry: a name, why the engines may disagree there, and a test of an
# (sql, strata outcome, sqlite3 outcome) that says the disagreement is that
# one. Nothing else is forgiven.
ALLOWED = []


def allowed(name, why):
    def wrap(test):
        ALLOWED.append((name, why, test))
        return test
    return wrap


BIG_LITERAL = re.compile(r"(?<![\w.])(\d{19,})(?![\w.])")


@allowed("integer literal out of range",
         "strata refuses an integer literal of 2^63 or more (\"integer out "
         "of range\"); sqlite3 reads it as a real. A deliberate choice of "
         "07 (PostgreSQL's).")
def _big_literal(sql, mine, lite):
    return mine.error is not None and "integer out of range" in \
        mine.error and any(int(m) > INT64_MAX
                           for m in BIG_LITERAL.findall(strip_strings(sql)))


@allowed("strict column types",
         "strata's columns are strict: a value of another type into an "
         "INTEGER, REAL or TEXT column is an error, where sqlite3 stores it "
         "or converts it (checked: in sqlite3 the expression for the column "
         "the error names has a value of another type in a row the "
         "statement writes; an integer into a REAL column does not count, "
         "strata converts it too).")
def _strict(sql, mine, lite):
    m = re.search(r"column \"(\w+)\" is of type \w+ but expression is of "
                  r"type \w+", mine.error or "")
    return m is not None and lite.error is None and \
        m.group(1) in getattr(lite, "other_type", ())


@allowed("integer overflow in sum() or abs()",
         "\"integer overflow\" comes from sum() and abs(); whether a query "
         "meets it depends on what the engine evaluates and in what order, "
         "which SQL leaves open: sqlite3's sum() overflows when the "
         "integers it has added so far, before any real, overflow (2^62, "
         "2^62, -2^62 does in that order, not in another), and sqlite3 "
         "skips what it need not compute (a view's column no one reads, "
         "the rest of an INTERSECT, a subquery after its first row), where "
         "strata computes it, or the other way round. Forgiven only for "
         "that error, only on one side, in a query (or a view) that has "
         "sum() or abs(); the suite's fixed cases check an overflow every "
         "order meets.")
def _overflow(sql, mine, lite):
    return "integer overflow" in (mine.error or lite.error or "") and \
        (mine.error is None or lite.error is None) and \
        re.search(r"\b(sum|abs)\(", sql) is not None


@allowed("no row id after 2^63-1",
         "when a table's largest row id is 9223372036854775807, strata "
         "refuses a row that needs a new one (\"has no row id left\"), "
         "where sqlite3 tries random unused row ids: a choice of 07, and "
         "sqlite3's row id there is random anyway.")
def _no_row_id(sql, mine, lite):
    return lite.error is None and "has no row id left after " \
        "9223372036854775807" in (mine.error or "")


@allowed("a view's ORDER BY position out of range",
         "strata checks a view's query when the view is made, as "
         "PostgreSQL does, and refuses an ORDER BY position outside the "
         "select list (ORDER BY -5) there; sqlite3 makes the view and "
         "refuses each query that reads it. Every later query on the view "
         "then fails on both.")
def _view_order_position(sql, mine, lite):
    return lite.error is None and sql.startswith("CREATE VIEW") and \
        re.match(r"ORDER BY position -?\d+ is not in select list",
                 mine.error or "") is not None


def strip_strings(sql):
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def allowance(sql, mine, lite):
    for name, why, test in ALLOWED:
        if test(sql, mine, lite):
            return name
    return None


# --- cases and their checks -----------------------------------------------

class Case:
    """Something to check: an oracle, the schema (with its data) and the
    roots the oracle builds its statements from. check() returns None, or
    a Failure."""

    def __init__(self, oracle, schema, roots, extra=None):
        self.oracle = oracle
        self.schema = schema
        self.roots = roots          # nodes (a query, a predicate, ...)
        self.extra = extra or {}

    def statements(self):
        return ORACLES[self.oracle].statements(self)


class Failure:
    def __init__(self, kind, message, sqls=(), answers=()):
        self.kind = kind            # what kind of failure: stays in reduce
        self.message = message
        self.sqls = list(sqls)
        self.answers = list(answers)  # (label, Outcome)

    def same(self, other):
        return other is not None and other.kind == self.kind


def outcome_kind(mine, lite):
    if mine.fatal:
        return "strata failed"
    if mine.error is not None and lite.error is None:
        return "error only in strata: " + re.sub(r"\s+", " ",
                                                 mine.error.split("\n")[0])
    if lite.error is not None and mine.error is None:
        return "error only in sqlite3"
    return None


def check_diff(case, eng):
    q = case.roots[0]
    sql = render(q)
    lite = eng.lite.run(sql)
    if lite.skip:
        return None
    mine = eng.mine.run(sql)
    kind = outcome_kind(mine, lite)
    if kind is None and mine.error is None:
        if mine.columns != lite.columns:
            kind = "column count"
        elif not results_equal(lite.rows, mine.rows, total_order(q)):
            if not eng.other_order_agrees(sql, mine, total_order(q)) and \
                    not set_operation_reals(q, lite, mine) and \
                    not (total_order(q) and
                         numbers_tied(lite.rows, mine.rows)):
                kind = "different rows"
    elif kind is not None and not mine.fatal:
        # The views' text too: a view is expanded where it is named.
        context = " ".join([sql] + [v.create_sql()
                                    for v in case.schema.views])
        if allowance(context, mine, lite) or (
                "overflow" in (mine.error or lite.error or "") and
                eng.other_order_agrees(sql, mine, total_order(q))):
            kind = None
    if kind is None:
        return None
    return Failure(kind, kind, [sql], [("strata", mine), ("sqlite3", lite)])


def numbers_tied(lite_rows, mine_rows):
    """Whether rows in an order agree as multisets, and in order once an
    integer and a real of the same value count as one: ORDER BY holds
    them equal (-1 and -1.0), so rows whose keys differ only so may come
    in either order, and the engines need not choose alike."""
    if not results_equal(lite_rows, mine_rows, False):
        return False

    def loose(a, b):
        n = field_number(bytes(b)) if isinstance(b, Field) else None
        if isinstance(a, (int, float)) and n is not None:
            return reals_equal(float(a), float(n))
        return value_equal(a, b)
    return all(len(a) == len(b) and all(loose(x, y) for x, y in zip(a, b))
               for a, b in zip(lite_rows, mine_rows))


def set_operation_reals(q, lite, mine):
    """Whether the rows agree once every real of strata's with no fraction
    counts as the integer, in a query with UNION, INTERSECT or EXCEPT.
    sqlite3 keeps such rows in a temporary table that stores a real
    with no fraction as an integer and reads it back so (a REAL column's
    -2.0 UNION an integer comes back -2), and gives a compound the first
    arm's affinity in some places and not in others (a REAL column
    UNION 5: 5, but real in a subquery); strata keeps each value's type.
    The numbers are equal either way; only their type differs."""
    if not any(n.kind == "compound" for n in walk(q)):
        return False

    def whole(v):
        n = field_number(bytes(v)) if isinstance(v, Field) else None
        if isinstance(n, float) and n.is_integer() and \
                INT64_MIN <= n < 2.0 ** 63:
            return Field(b"%d" % int(n))
        return v
    rows = [tuple(whole(v) for v in r) for r in mine.rows]
    return results_equal(lite.rows, rows, total_order(q))


def unbare(e):
    """E, parenthesized where an oracle puts it inside an expression."""
    e = copy.deepcopy(e)
    e.a.pop("bare", None)
    return e


def tlp_parts(case):
    """The queries of a TLP case: the whole, then the three parts."""
    sel, p = case.roots
    p = unbare(p)
    variant = case.extra["variant"]
    w = sel.kids[2]

    def with_where(cond):
        s = copy.deepcopy(sel)
        if variant == "having":
            s.kids[4] = cond
        else:
            s.kids[2] = cond if w is None else N("bin", [unbare(w), cond],
                                                 op="AND")
        return s
    parts = [N("not", [copy.deepcopy(p)]),
             N("isnull", [copy.deepcopy(p)], form="IS NULL")]
    whole = copy.deepcopy(sel)
    if variant == "having":
        whole.kids[4] = None
    sels = [whole, with_where(copy.deepcopy(p))] + \
        [with_where(c) for c in parts]
    if variant == "aggregate":
        return [render(s) for s in sels[:1]] + [tlp_combine(case, sels[1:])]
    return [render(s) for s in sels]


def tlp_combine(case, parts):
    """One query that combines the aggregate over the three parts."""
    fn = case.extra["agg"]
    outer = {"count": "sum", "sum": "sum", "min": "min", "max": "max"}[fn]
    arms = []
    for s in parts:
        s = copy.deepcopy(s)
        s.kids[0].kids[0].a["alias"] = "x0"
        arms.append(render(s))
    return "SELECT %s(x0) FROM (%s) AS u" % (outer, " UNION ALL ".join(arms))


def check_tlp(case, eng):
    sqls = tlp_parts(case)
    outs = [eng.mine.run(s) for s in sqls]
    for s, o in zip(sqls, outs):
        if o.fatal:
            return Failure("strata failed", "strata failed", [s],
                           [("strata", o)])
    errors = [o.error is not None for o in outs]
    if any(errors):
        if all(errors):
            return None
        # The whole runs and a part fails, or the other way: an error
        # that depends on which rows a filter keeps is legitimate (an
        # overflow, say) only in the rows the filter drops.
        return None
    variant = case.extra["variant"]
    key = lambda r: tuple((v is None, bytes(v or b""), isinstance(v, Text))
                          for v in r)  # noqa: E731
    whole = sorted(outs[0].rows, key=key)
    if variant == "aggregate":
        union = sorted(outs[1].rows, key=key)
        ok = [tuple(r) for r in whole] == [tuple(r) for r in union]
        if not ok and case.extra["agg"] == "sum":
            ok = len(whole) == len(union) == 1 and all(
                value_equal_fields(a, b) for a, b in zip(whole[0],
                                                         union[0]))
    elif variant == "distinct":
        # DISTINCT keeps one of 0 and 0.0 (equal values), whichever it
        # meets first, and each part may meet another first: compare the
        # numbers by value.
        def as_value(r):
            return tuple(field_number(bytes(v)) if isinstance(v, Field) and
                         field_number(bytes(v)) is not None else v
                         for v in r)
        ok = set(map(as_value, whole)) == set(
            as_value(r) for o in outs[1:] for r in o.rows)
    else:
        union = sorted([r for o in outs[1:] for r in o.rows], key=key)
        ok = [tuple(r) for r in whole] == [tuple(r) for r in union]
    if ok:
        return None
    return Failure("tlp " + variant, "TLP (%s): the whole is not the three "
                   "parts together" % variant, sqls,
                   [("strata, query %d" % (i + 1), o)
                    for i, o in enumerate(outs)])


def value_equal_fields(a, b):
    """Two strata fields, equal as numbers within the tolerance."""
    if a is None or b is None or isinstance(a, Text) or isinstance(b, Text):
        return a == b
    x, y = field_number(bytes(a)), field_number(bytes(b))
    if x is None or y is None:
        return a == b
    return reals_equal(float(x), float(y))


def norec_parts(case):
    sel, p = case.roots
    frm = render(sel.kids[1])
    w = render(p)
    if case.extra.get("form") == "istrue":
        counted = "SELECT coalesce(sum(x0), 0) FROM (SELECT (%s) IS TRUE " \
            "AS x0 FROM %s) AS u" % (w, frm)
    else:
        counted = "SELECT coalesce(sum(CASE WHEN %s THEN 1 ELSE 0 END), 0) " \
            "FROM %s" % (w, frm)
    return ["SELECT count(*) FROM %s WHERE %s" % (frm, w), counted]


def check_norec(case, eng):
    sqls = norec_parts(case)
    outs = [eng.mine.run(s) for s in sqls]
    for s, o in zip(sqls, outs):
        if o.fatal:
            return Failure("strata failed", "strata failed", [s],
                           [("strata", o)])
    if any(o.error is not None for o in outs):
        # An overflow comes from the rows a form evaluates, and the
        # forms evaluate different expressions on different rows (the
        # filtered form may never reach a view's overflowing sum).
        if all(o.error is not None for o in outs) or any(
                "overflow" in (o.error or "") for o in outs):
            return None
        return Failure("norec error", "NoREC: one form errs", sqls,
                       [("strata, query %d" % (i + 1), o)
                        for i, o in enumerate(outs)])
    if outs[0].rows == outs[1].rows:
        return None
    return Failure("norec", "NoREC: count(*) with the filter is not the "
                   "count of rows where it holds", sqls,
                   [("strata, query %d" % (i + 1), o)
                    for i, o in enumerate(outs)])


def check_dml(case, eng):
    stmt = case.roots[0]
    sql = stmt_sql(stmt)
    mine = eng.mine.run(sql)
    if mine.fatal:
        return Failure("strata failed", "strata failed", [sql],
                       [("strata", mine)])
    lite = eng.lite_dml(stmt, case.schema, mine)
    if lite.skip:
        # sqlite3 gave up (too slow) and undid it; strata did it: no
        # verdict, and the engines restart from sqlite3's tables.
        case.extra["resync"] = True
        return None
    kind = outcome_kind(mine, lite)
    # The views' text too: a view is expanded where it is named.
    context = " ".join([sql] + [v.create_sql() for v in case.schema.views])
    if kind is not None and allowance(context, mine, lite):
        kind = None
        if mine.error is not None and lite.error is None and \
                not lite.other_type:
            # A refusal forgiven (no row id left, say) where sqlite3 made
            # the change: the tables differ by it, so no verdict on them,
            # and the engines restart from sqlite3's.
            case.extra["resync"] = True
            return None
    answers = [("strata", mine), ("sqlite3", lite)]
    sqls = [sql]
    if kind is None:
        for t in case.schema.tables:
            q = "SELECT * FROM %s" % t.name
            a, b = eng.lite.run(q), eng.mine.run(q)
            if b.fatal or a.error or b.error or not results_equal(
                    a.rows, b.rows, False):
                kind = "tables differ after the statement"
                sqls.append(q)
                answers += [("strata: " + q, b), ("sqlite3: " + q, a)]
                break
    if kind is None and any(t.indexes for t in case.schema.tables):
        # Every index still matches its table (\check verifies them).
        out = eng.mine.command("\\check")
        if isinstance(out, Outcome) or out != b"ok\n":
            kind = "\\check fails after the statement"
            sqls.append("\\check")
            answers.append(("strata: \\check", out if isinstance(
                out, Outcome) else Outcome(error=show_bytes(out))))
    if kind is None:
        return None
    return Failure(kind, kind, sqls, answers)


def stmt_sql(stmt):
    """A DML statement node: kind 'update' [set exprs..., where]
    (a.table, a.cols), 'delete' [where] (a.table), 'insert' [query]
    (a.table)."""
    a = stmt.a
    if stmt.kind == "update":
        sets = ", ".join("%s = %s" % (c, render(e))
                         for c, e in zip(a["cols"], stmt.kids[:-1]))
        s = "UPDATE %s SET %s" % (a["table"], sets)
        if stmt.kids[-1] is not None:
            s += " WHERE " + render(stmt.kids[-1])
        return s
    if stmt.kind == "delete":
        s = "DELETE FROM " + a["table"]
        if stmt.kids[0] is not None:
            s += " WHERE " + render(stmt.kids[0])
        return s
    return "INSERT INTO %s %s" % (a["table"], render(stmt.kids[0]))


def dml_assignments(stmt, schema):
    """(column, expression, FROM, WHERE) for each value a DML statement
    writes, as SQL texts."""
    a = stmt.a
    if stmt.kind == "update":
        where = stmt.kids[-1]
        return [(c, render(e), a["table"], where and render(where))
                for c, e in zip(a["cols"], stmt.kids[:-1])]
    if stmt.kind == "insert":
        sel = stmt.kids[0].kids[0]
        if sel.kind != "select" or sel.kids[1] is None:
            return []
        cols = [c for c, _ in schema.table(a["table"]).cols]
        where = sel.kids[2]
        return [(c, render(it.kids[0]), render(sel.kids[1]),
                 where and render(where))
                for c, it in zip(cols, sel.kids[0].kids)
                if it.kind == "item"]
    return []


class Oracle:
    def __init__(self, check, statements):
        self.check = check
        self.statements = statements


ORACLES = {
    "diff": Oracle(check_diff, lambda c: [render(c.roots[0])]),
    "tlp": Oracle(check_tlp, tlp_parts),
    "norec": Oracle(check_norec, norec_parts),
    "dml": Oracle(check_dml, lambda c: [stmt_sql(c.roots[0])]),
}


# --- making cases ---------------------------------------------------------

def gen_case(gen, oracle):
    """A case for ORACLE, or None when the draw does not fit it."""
    rng = gen.rng
    schema = gen.schema
    if oracle == "diff":
        return Case("diff", schema, [gen.query()])
    if oracle == "tlp":
        variant = rng.choice(["where", "where", "where", "distinct",
                              "having", "aggregate", "groupkeys"])
        if variant == "having":
            sel, scope, _ = gen.agg_select((), 5000)
            if not sel.kids[3] or not sel.kids[3].kids:
                return None
            sel.a["distinct"] = False
            p = gen.expr(scope, "bool", 0)
            return Case("tlp", schema, [sel, p], {"variant": "having"})
        if variant == "groupkeys":
            sel, scope, _ = gen.agg_select((), 5000)
            group = sel.kids[3]
            if not group or not group.kids:
                return None
            sel.kids[0] = N("list", [N("item", [copy.deepcopy(k)])
                                     for k in group.kids])
            sel.kids[4] = None
            p = gen.expr(Scope(scope.local), "bool", 0)
            return Case("tlp", schema, [sel, p], {"variant": "distinct"})
        sel, scope, _ = gen.plain_select((), 5000)
        sel.a["distinct"] = variant == "distinct"
        p = gen.expr(Scope(scope.local), "bool", 0)
        if variant == "aggregate":
            fn = rng.choice(["count", "sum", "min", "max"])
            cols = [c for c in scope.columns(outer=False)
                    if fn != "sum" or c[1] == "INTEGER"]
            if not cols:
                return None
            name, type_ = rng.choice(cols)
            arg = N("col", name=name, type=TYPES.get(type_, type_)) if \
                rng.random() < 0.8 or fn != "count" else None
            agg = N("func", [arg] if arg else [], name=fn, star=arg is None)
            sel.kids[0] = N("list", [N("item", [agg])])
            return Case("tlp", schema, [sel, p], {"variant": "aggregate",
                                                  "agg": fn})
        return Case("tlp", schema, [sel, p], {"variant": variant})
    if oracle == "norec":
        frm, sources = gen.from_clause(Scope([], ()), 3, 5000)
        p = gen.expr(Scope(sources), "bool", 0)
        sel = N("select", [N("list", [N("item", [lit("1")])]), frm, None,
                           None, None])
        form = "istrue" if rng.random() < 0.3 and gen.on("istrue") \
            else "case"
        return Case("norec", schema, [sel, p], {"form": form})
    if oracle == "dml":
        return gen_dml(gen)
    raise ValueError(oracle)


def gen_dml(gen):
    rng = gen.rng
    t = rng.choice(gen.schema.tables)
    scope = Scope([Source(t.name, t.cols)])
    r = rng.random()
    where = gen.expr(scope, "bool", 1) if rng.random() < 0.8 else None
    if r < 0.5:
        n = rng.randint(1, len(t.cols))
        cols = rng.sample([c for c, _ in t.cols], n)
        types = dict(t.cols)
        exprs = []
        for c in cols:
            want = TYPES[types[c]]
            if rng.random() < 0.5:
                e = gen.expr(scope, want, 1)
            else:
                e = gen.literal(want)
            exprs.append(e)
        return Case("dml", gen.schema, [N("update", exprs + [where],
                                          table=t.name, cols=cols)])
    if r < 0.75:
        return Case("dml", gen.schema, [N("delete", [where],
                                          table=t.name)])
    src = rng.choice(gen.schema.tables)
    if len(t.rows) > 300 or gen.schema.views and len(src.rows) > 30:
        # The views' costs were reckoned with the tables' first sizes.
        return None
    al = gen.alias()
    sscope = Scope([Source(al, src.cols)])
    items = []
    for i, (c, type_) in enumerate(t.cols):
        want = TYPES[type_]
        same = [x for x, y in src.cols if y == type_]
        if i == t.pk:
            e = N("bin", [gen.column(sscope, "int") or lit("1"),
                          lit(str(rng.randint(1000, 10 ** 6)), "int")],
                  op="+")
        elif same and rng.random() < 0.7:
            e = N("col", name=al + "." + rng.choice(same), type=want)
        else:
            e = gen.expr(sscope, want, 2)
        items.append(N("item", [e]))
    w = gen.expr(sscope, "bool", 1) if rng.random() < 0.7 else None
    sel = N("select", [N("list", items), N("from", [
        N("table", name=src.name, alias=al)]), w, None, None])
    return Case("dml", gen.schema, [N("insert", [N("query", [
        sel, None, None, None])], table=t.name)])


# --- running: engines on a schema -----------------------------------------

class Engines:
    """Strata and sqlite3 loaded with one schema and its data."""

    def __init__(self, strata_argv, workdir, schema, env=None, timeout=30.0):
        self.strata_argv = strata_argv
        self.workdir = Path(tempfile.mkdtemp(prefix="db-", dir=workdir))
        self.schema = schema
        self.env = env
        self.timeout = timeout
        self.lite = Sqlite()
        self.mine = Strata(strata_argv, self.workdir / "test.db", env,
                           timeout)
        self.reversed = None
        self.refused = False        # a setup statement failed on both

    def load(self):
        """Runs the schema's statements; a Failure if they do not agree.
        Both may refuse one (an INSERT of a duplicate into a UNIQUE
        index, a UNIQUE index over duplicates): then REFUSED is set, and
        the tables no longer hold the schema's rows (snapshot() reads
        them back)."""
        unmade = set()      # views strata refused, forgiven
        for sql, both in self.schema.statements():
            mine = self.mine.run(sql)
            lite = self.lite.run(sql) if both else Outcome()
            if mine.error is not None and lite.error is not None:
                self.refused = True
            kind = outcome_kind(mine, lite)
            if kind is None:
                continue
            missing = re.match(r'relation "(\w+)" does not exist',
                               mine.error or "")
            if not allowance(sql, mine, lite) and not (
                    sql.startswith("CREATE VIEW") and missing and
                    missing.group(1) in unmade):
                return Failure("setup: " + kind, "the setup does not agree",
                               [sql], [("strata", mine), ("sqlite3", lite)])
            view = re.match(r"CREATE VIEW (\w+)", sql)
            if view and mine.error is not None:
                unmade.add(view.group(1))   # a view on it fails there too
        return None

    def other_order_agrees(self, sql, mine, ordered):
        """Whether strata's answer is sqlite3's on the same data inserted
        in the opposite order: for what depends on the order rows come
        in (a sum that overflows on the way, the last digits of a sum of
        reals, which of equal values stands for its group)."""
        if re.search(r"\browid\b", sql):
            return False
        if self.reversed is None:
            self.reversed = Sqlite()
            # And each table scanned backwards (sqlite3's own switch for
            # finding what depends on an unspecified order).
            self.reversed.run("PRAGMA reverse_unordered_selects = ON")
            for t in self.schema.tables:
                self.reversed.run(t.create_sql())
                for s in t.insert_sqls(list(reversed(t.rows))):
                    self.reversed.run(s)
            for v in self.schema.views:
                self.reversed.run(v.create_sql())
        lite = self.reversed.run(sql)
        if lite.skip:
            return False
        if (lite.error is None) != (mine.error is None):
            return False
        return mine.error is not None or (
            lite.columns == mine.columns and
            results_equal(lite.rows, mine.rows, ordered))

    def lite_dml(self, stmt, schema, mine):
        """The DML statement STMT on sqlite3. Its outcome's OTHER_TYPE: the
        columns that get a value of another type than theirs in some row
        (strata's columns are strict); if there are any and strata refused
        the statement (MINE), it is undone here too."""
        other = set()
        for col, expr, frm, where in dml_assignments(stmt, schema):
            type_ = dict(schema.table(stmt.a["table"]).cols).get(col)
            if type_ is None:
                continue    # the reducer dropped it: both engines refuse
            kinds = {"INTEGER": "'integer'", "REAL": "'integer', 'real'",
                     "TEXT": "'text'"}[type_]
            check = self.lite.run("SELECT count(*) FROM %s WHERE %s(typeof("
                                  "%s) NOT IN ('null', %s))" % (
                                      frm, "(%s) AND " % where if where
                                      else "", expr, kinds))
            if check.rows and check.rows[0][0]:
                other.add(col)
        self.lite.run("SAVEPOINT dml")
        out = self.lite.run(stmt_sql(stmt))
        out.other_type = other
        if mine.error is not None and other or out.error is not None:
            self.lite.run("ROLLBACK TO dml")
        self.lite.run("RELEASE dml")
        return out

    def snapshot(self, written=None):
        """The tables' rows as sqlite3 holds them now, each value as strata
        stores it. Returns whether the engines may hold different data
        (both should then restart from the snapshot): a 0.0, which sqlite3
        may have stored from a -0.0 that strata keeps (in the table
        WRITTEN by an UPDATE or INSERT), or a real that strata stores as
        an integer."""
        lossy = False
        for t in self.schema.tables:
            out = self.lite.run("SELECT * FROM %s" % t.name)
            rows = []
            for r in out.rows:
                row = []
                for v, (_, type_) in zip(r, t.cols):
                    if isinstance(v, bytes):
                        v = v.decode("utf-8", "surrogateescape")
                    elif isinstance(v, float) and type_ == "INTEGER" and \
                            v.is_integer() and INT64_MIN <= v < 2.0 ** 63:
                        # sqlite3 keeps -2^63 as a real in an INTEGER
                        # column; strata stores the integer.
                        v = int(v)
                        lossy = True
                    elif isinstance(v, float) and v == 0.0 and \
                            t.name == written:
                        lossy = True
                    row.append(v)
                rows.append(tuple(row))
            t.rows = rows
        self.reversed = None
        return lossy

    def close(self):
        problem = self.mine.close()
        self.lite.close()
        if self.reversed is not None:
            self.reversed.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return problem


def run_case(case, strata_argv, workdir, env=None, timeout=30.0):
    """CASE on fresh engines: its Failure, or None."""
    eng = Engines(strata_argv, workdir, case.schema, env, timeout)
    try:
        failure = eng.load()
        if failure is None:
            failure = ORACLES[case.oracle].check(case, eng)
    finally:
        problem = eng.close()
    if failure is None and problem:
        failure = Failure("strata failed at exit", problem)
    return failure


def run_script(setup, checks, strata_argv, workdir, env=None, timeout=30.0):
    """A fixed script: the SETUP statements, then each of CHECKS, a
    statement whose outcome must agree on both engines (its rows in order
    when it orders them totally: the caller says so with a trailing
    "-- ordered"; with "-- strata only", only that strata neither dies
    nor has a sanitizer complain: any answer will do). Returns a report
    of what disagrees, or None."""
    workdir = Path(tempfile.mkdtemp(prefix="db-", dir=workdir))
    lite = Sqlite()
    mine = Strata(strata_argv, workdir / "test.db", env, timeout)
    lines = []
    bad = False
    try:
        for sql in list(setup) + list(checks):
            ordered = sql.endswith("-- ordered")
            alone = sql.endswith("-- strata only")
            sql = re.sub(r"-- (ordered|strata only)$", "", sql).strip()
            a, b = lite.run(sql), mine.run(sql)
            if alone and not b.fatal:
                lines.append(sql + ";")
                continue
            kind = outcome_kind(b, a)
            if kind is not None and allowance(sql, b, a):
                kind = None
            if kind is None and b.error is None and a.error is None and (
                    a.columns != b.columns and sql in checks or
                    not results_equal(a.rows, b.rows, ordered)):
                kind = "different rows"
            lines.append(sql + ";")
            if kind is not None:
                bad = True
                lines += ["-- %s; strata:" % kind] + [
                    "   " + x for x in b.show().split("\n")] + \
                    ["-- sqlite3:"] + ["   " + x for x in
                                      a.show().split("\n")]
                break
    finally:
        problem = mine.close()
        lite.close()
        shutil.rmtree(workdir, ignore_errors=True)
    if problem:
        bad = True
        lines.append("-- " + problem)
    return "\n".join(lines) if bad else None


# --- reducing -----------------------------------------------------------

LITERALS = ["NULL", "0", "1", "-1", "''", "'a'", "0.5"]


def candidates(n):
    """Simpler replacements for node N (each a new node, or None for an
    optional slot's removal)."""
    k = n.kind
    out = []
    if k in EXPR_KINDS:
        for kid in n.kids:
            if isinstance(kid, N) and kid.kind in EXPR_KINDS:
                out.append(copy.deepcopy(kid))
        if k != "lit":
            out += [lit(s) for s in LITERALS]
        elif n.a["sql"] not in LITERALS[:3]:
            out += [lit(s) for s in LITERALS[:3]]
        if n.a.get("neg"):
            m = copy.deepcopy(n)
            m.a["neg"] = False
            out.append(m)
        if n.a.get("distinct"):
            m = copy.deepcopy(n)
            m.a["distinct"] = False
            out.append(m)
        if k == "func" and len(n.kids) > 1:
            for i in range(len(n.kids)):
                m = copy.deepcopy(n)
                del m.kids[i]
                out.append(m)
        if k == "case":
            body = n.kids[1 if n.a["operand"] else 0:
                          len(n.kids) - (1 if n.a["els"] else 0)]
            if n.a["els"]:
                m = copy.deepcopy(n)
                m.kids.pop()
                m.a["els"] = False
                out.append(m)
            if len(body) > 2:
                start = 1 if n.a["operand"] else 0
                for i in range(0, len(body), 2):
                    m = copy.deepcopy(n)
                    del m.kids[start + i:start + i + 2]
                    out.append(m)
        if k == "inlist" and len(n.kids) > 2:
            for i in range(1, len(n.kids)):
                m = copy.deepcopy(n)
                del m.kids[i]
                out.append(m)
        if n.a.get("bare"):
            m = copy.deepcopy(n)
            m.a["bare"] = False
            out.append(m)
    if k == "query":
        body = n.kids[0]
        if body.kind == "compound":
            for sel in body.kids:
                out.append(N("query", [copy.deepcopy(sel)] +
                             copy.deepcopy(n.kids[1:])))
        for i in (1, 2, 3):
            if n.kids[i] is not None:
                m = copy.deepcopy(n)
                m.kids[i] = None
                if i == 2:
                    m.kids[3] = None
                out.append(m)
    if k == "compound" and len(n.kids) > 2:
        for i in range(len(n.kids)):
            m = copy.deepcopy(n)
            del m.kids[i]
            del m.a["ops"][max(i - 1, 0)]
            out.append(m)
    if k == "compound":
        for i, op in enumerate(n.a["ops"]):
            if op != "UNION ALL":
                m = copy.deepcopy(n)
                m.a["ops"][i] = "UNION ALL"
                out.append(m)
    if k == "select":
        if n.a.get("distinct"):
            m = copy.deepcopy(n)
            m.a["distinct"] = False
            out.append(m)
        for i in (2, 3, 4):
            if n.kids[i] is not None:
                m = copy.deepcopy(n)
                m.kids[i] = None
                out.append(m)
    if k == "list" and len(n.kids) > 1:
        for i in range(len(n.kids)):
            m = copy.deepcopy(n)
            del m.kids[i]
            out.append(m)
    if k == "from" and len(n.kids) > 1:
        for i in range(1, len(n.kids)):
            m = copy.deepcopy(n)
            del m.kids[i]
            out.append(m)
    if k == "join":
        if n.a["op"] not in (",", "JOIN"):
            m = copy.deepcopy(n)
            m.a["op"] = "JOIN"
            out.append(m)
        if n.kids[1] is not None:
            m = copy.deepcopy(n)
            m.kids[1] = None
            m.a["op"] = ","
            out.append(m)
    if k == "subq":
        q = n.kids[0]
        if q.kids[0].kind == "select" and q.kids[0].kids[1] is not None \
                and len(q.kids[0].kids[1].kids) == 1:
            src = q.kids[0].kids[1].kids[0]
            if src.kind == "table":
                m = copy.deepcopy(src)
                m.a["alias"] = n.a["alias"]
                out.append(m)
    return out


def paths(n, path=()):
    """(path, node) for every node under N, N first."""
    yield path, n
    for i, kid in enumerate(n.kids):
        if isinstance(kid, N):
            yield from paths(kid, path + (i,))


def replace_at(root, path, new):
    if not path:
        return new
    root = copy.deepcopy(root)
    node = root
    for i in path[:-1]:
        node = node.kids[i]
    node.kids[path[-1]] = new
    return root


class Reducer:
    """Makes a failing case smaller while it fails the same way."""

    def __init__(self, strata_argv, workdir, env=None, timeout=30.0,
                 budget_s=120.0, log=None):
        self.argv = strata_argv
        self.workdir = workdir
        self.env = env
        self.timeout = timeout
        self.budget_s = budget_s
        self.log = log
        self.runs = 0

    def fails(self, case, failure):
        if time.monotonic() > self.deadline:
            return False
        if case.oracle == "diff" and not deterministic(case.roots[0]):
            return False
        if case.oracle in ("tlp", "norec") and not all(
                deterministic(N("query", [r, None, None, None]))
                if r.kind == "select" else True for r in case.roots):
            return False
        self.runs += 1
        got = run_case(case, self.argv, self.workdir, self.env,
                       self.timeout)
        if got is not None and got.same(failure):
            self.last = got
            return True
        return False

    def reduce(self, case, failure):
        self.deadline = time.monotonic() + self.budget_s
        self.last = failure
        case = copy.deepcopy(case)
        if not self.fails(case, failure):
            return case, failure, False     # not reproducible afresh
        progress = True
        while progress and time.monotonic() < self.deadline:
            progress = False
            case, changed = self.reduce_tree(case, failure)
            progress |= changed
            case, changed = self.reduce_rows(case, failure)
            progress |= changed
            case, changed = self.reduce_schema(case, failure)
            progress |= changed
        return case, self.last, True

    def reduce_tree(self, case, failure):
        changed = False
        for r in range(len(case.roots)):
            i = 0
            while time.monotonic() < self.deadline:
                ps = list(paths(case.roots[r]))
                if i >= len(ps):
                    break
                path, node = ps[i]
                done = False
                for new in candidates(node):
                    trial = copy.copy(case)
                    trial.roots = list(case.roots)
                    trial.roots[r] = replace_at(case.roots[r], path, new)
                    if self.fails(trial, failure):
                        case = trial
                        changed = done = True
                        break
                if not done:
                    i += 1
        return case, changed

    def reduce_rows(self, case, failure):
        changed = False
        for ti in range(len(case.schema.tables)):
            chunk = max(1, len(case.schema.tables[ti].rows) // 2)
            while chunk >= 1 and time.monotonic() < self.deadline:
                rows = case.schema.tables[ti].rows
                i = 0
                removed = False
                while i < len(rows):
                    trial = self.with_rows(case, ti, rows[:i] +
                                           rows[i + chunk:])
                    if self.fails(trial, failure):
                        case = trial
                        rows = case.schema.tables[ti].rows
                        changed = removed = True
                    else:
                        i += chunk
                if not removed or chunk > 1:
                    chunk //= 2
        return case, changed

    def with_rows(self, case, ti, rows):
        schema = copy.deepcopy(case.schema)
        schema.tables[ti].rows = rows
        trial = copy.copy(case)
        trial.schema = schema
        return trial

    def reduce_schema(self, case, failure):
        changed = False
        text = " ".join(case.statements())
        for attr in ("views", "tables"):
            items = getattr(case.schema, attr)
            for i in range(len(items) - 1, -1, -1):
                name = items[i].name
                used = re.search(r"\b%s\b" % name, text) or any(
                    re.search(r"\b%s\b" % name, v.create_sql())
                    for v in case.schema.views if v.name != name)
                if used:
                    continue
                schema = copy.deepcopy(case.schema)
                del getattr(schema, attr)[i]
                trial = copy.copy(case)
                trial.schema = schema
                if self.fails(trial, failure):
                    case = trial
                    changed = True
        # Indexes: drop each one the failure does not need.
        for ti, t in enumerate(case.schema.tables):
            for xi in range(len(t.indexes) - 1, -1, -1):
                schema = copy.deepcopy(case.schema)
                del schema.tables[ti].indexes[xi]
                trial = copy.copy(case)
                trial.schema = schema
                if self.fails(trial, failure):
                    case = trial
                    changed = True
        # Columns: drop one where nothing needs it; simplify a value.
        for ti, t in enumerate(case.schema.tables):
            for ci in range(len(t.cols) - 1, -1, -1):
                if len(case.schema.tables[ti].cols) == 1:
                    break
                schema = copy.deepcopy(case.schema)
                tt = schema.tables[ti]
                gone = tt.cols[ci][0]
                tt.indexes = [x for x in tt.indexes
                              if gone not in [c for c, _ in x.columns]]
                del tt.cols[ci]
                tt.rows = [r[:ci] + r[ci + 1:] for r in tt.rows]
                if tt.pk is not None:
                    tt.pk = None if tt.pk == ci else tt.pk - (tt.pk > ci)
                trial = copy.copy(case)
                trial.schema = schema
                if self.fails(trial, failure):
                    case = trial
                    changed = True
            if case.schema.tables[ti].pk is not None:
                schema = copy.deepcopy(case.schema)
                schema.tables[ti].pk = None
                trial = copy.copy(case)
                trial.schema = schema
                if self.fails(trial, failure):
                    case = trial
                    changed = True
        if case.schema.analyze:
            schema = copy.deepcopy(case.schema)
            schema.analyze = False
            trial = copy.copy(case)
            trial.schema = schema
            if self.fails(trial, failure):
                case = trial
                changed = True
        if case.schema.work_mem:
            schema = copy.deepcopy(case.schema)
            schema.work_mem = None
            trial = copy.copy(case)
            trial.schema = schema
            if self.fails(trial, failure):
                case = trial
                changed = True
        return case, changed


def report(seed, case, failure, reduced=True):
    """The failure as a reproducing script and both answers."""
    lines = ["difftest: seed %s, oracle %s: %s%s" % (
        seed, case.oracle, failure.message,
        "" if reduced else " (not reduced)")]
    lines.append("-- the script (strata and sqlite3):")
    lines += [s + ";" for s in case.schema.script()]
    lines.append("-- the statements checked:")
    lines += [s + ";" for s in (failure.sqls or case.statements())]
    for label, out in failure.answers:
        lines.append("-- %s:" % label)
        lines += ["   " + x for x in out.show().split("\n")]
    return "\n".join(lines)


# --- a seed's run ---------------------------------------------------------

ORACLE_WEIGHTS = [("diff", 0.6), ("tlp", 0.18), ("norec", 0.12),
                  ("dml", 0.1)]
INDEX_SHARE = 0.3       # of the cases, aimed at indexes when there are any


def pick_oracle(rng, oracles):
    choices = [(o, w) for o, w in ORACLE_WEIGHTS if o in oracles]
    total = sum(w for _, w in choices)
    r = rng.random() * total
    for o, w in choices:
        r -= w
        if r <= 0:
            return o
    return choices[-1][0]


def run_seed(seed, strata_argv, workdir, n_queries=400, cfg=None, env=None,
             timeout=30.0, oracles=None, stop_at_first=False,
             deadline=None, max_failures=3):
    """Runs N_QUERIES cases from SEED: a list of (case, failure), and the
    number of cases checked."""
    cfg = dict(cfg or {})
    oracles = oracles or [o for o, _ in ORACLE_WEIGHTS]
    rng = random.Random(seed)
    schema = gen_schema(rng, cfg)
    gen = Gen(rng, schema, cfg)
    schema.views = gen.views(rng.randint(0, 2)) if gen.on("views") else []
    # Indexes (08 on) come from a generator of their own, so that the
    # seed's tables, data and other cases stay what they are without
    # them; a share of the cases is then aimed at the indexes.
    index_cases = None
    if cfg.get("indexes"):
        irng = random.Random("%d/indexes" % seed)
        gen_indexes(irng, schema)
        if {"diff", "tlp"} & set(oracles):
            index_cases = IndexQueries(Gen(irng, schema, cfg))
    found = []
    eng = Engines(strata_argv, workdir, schema, env, timeout)
    checked = 0
    try:
        failure = eng.load()
        if failure is None and eng.refused and eng.snapshot():
            eng.close()
            eng = Engines(strata_argv, workdir, schema, env, timeout)
            failure = eng.load()
        for v in schema.views:
            out = eng.lite.run("SELECT count(*) FROM %s" % v.name)
            v.rows = max(v.rows, out.rows[0][0] if out.rows else 0)
        if failure is not None:
            return [(Case("diff", copy.deepcopy(schema),
                          [N("query", [N("select", [N("list", [N(
                              "item", [lit("1")])]), None, None, None,
                              None]), None, None, None])]), failure)], 0
        for _ in range(n_queries):
            if deadline is not None and time.monotonic() > deadline:
                break
            if index_cases is not None and \
                    irng.random() < cfg.get("index_share", INDEX_SHARE):
                case = index_cases.case(oracles)
                oracle = case and case.oracle
            else:
                oracle = pick_oracle(rng, oracles)
                gen.n_alias = 0
                case = gen_case(gen, oracle)
            if case is None:
                continue
            snap = copy.deepcopy(schema)
            case.schema = snap
            checked += 1
            failure = ORACLES[oracle].check(case, eng)
            lossy = False
            if oracle == "dml":
                stmt = case.roots[0]
                lossy = eng.snapshot(stmt.a["table"] if stmt.kind !=
                                     "delete" else None) or \
                    case.extra.get("resync", False)
            if failure is None and not lossy:
                continue
            if failure is not None:
                found.append((case, failure))
                if stop_at_first or len(found) >= max_failures:
                    break
            if failure is not None and failure.kind == "strata failed" or \
                    oracle == "dml":
                # Start over on a fresh strata from sqlite3's state.
                eng.close()
                eng = Engines(strata_argv, workdir, schema, env, timeout)
                if eng.load() is not None:
                    break
    finally:
        problem = eng.close()
    if problem and not found:
        found.append((Case("diff", copy.deepcopy(schema), [N("query", [
            N("select", [N("list", [N("item", [lit("1")])]), None, None,
                         None, None]), None, None, None])]),
            Failure("strata failed at exit", problem)))
    return found, checked


def signature(case, failure):
    """What tells two reduced failures apart: the kind and the shape of
    the statements without their literals."""
    text = " ".join(failure.sqls or case.statements())
    text = re.sub(r"'(?:[^']|'')*'", "S", text)
    text = re.sub(r"\b\d+(\.\d+)?(e[-+]?\d+)?\b", "9", text)
    text = re.sub(r"\ba\d+\b", "A", text)
    return failure.kind + ": " + text


def parse_seeds(text):
    if "-" in text:
        a, b = text.split("-")
        return range(int(a), int(b) + 1)
    return [int(text)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--strata", default=str(ROOT / "milestones" /
                                            "07-queries" / "strata"))
    ap.add_argument("--milestone", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--seeds", default="1-1000000")
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--minutes", type=float)
    ap.add_argument("--oracle", action="append")
    ap.add_argument("--no-reduce", action="store_true")
    ap.add_argument("--log")
    ap.add_argument("--timeout", type=float, default=10.0,
                    help="seconds strata may take over a statement")
    ap.add_argument("--off", action="append", default=[],
                    help="turn a generator feature off (istrue, bare, ...)")
    ap.add_argument("--big", action="store_true",
                    help="a table of 2,000 rows in every seed")
    ap.add_argument("--work-mem", type=int, metavar="KB",
                    help="SET work_mem to KB in every seed")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    seeds = [args.seed] if args.seed is not None else parse_seeds(args.seeds)
    cfg = {"features": {f: False for f in args.off}}
    milestone = args.milestone
    if milestone is None:
        m = re.match(r"(\d\d)-", Path(args.strata).resolve().parent.name)
        milestone = int(m.group(1)) if m else 7
    if milestone >= 8:
        cfg["indexes"] = True
    if args.big:
        cfg["big"] = 1.0
    if args.work_mem:
        cfg["work_mem"] = args.work_mem
    strata = [str(Path(args.strata).resolve())]
    work = Path(tempfile.mkdtemp(prefix="difftest-"))
    start = time.monotonic()
    deadline = start + 60 * args.minutes if args.minutes else None
    seen = set()
    n_checked = n_found = 0
    reducer = Reducer(strata, work, timeout=args.timeout)
    try:
        for seed in seeds:
            if deadline and time.monotonic() > deadline:
                break
            found, checked = run_seed(seed, strata, work, args.queries, cfg,
                                      timeout=args.timeout,
                                      oracles=args.oracle)
            n_checked += checked
            if args.verbose:
                print("seed %d: %d cases, %d failures" % (seed, checked,
                                                          len(found)),
                      flush=True)
            for case, failure in found:
                n_found += 1
                if not args.no_reduce:
                    case, failure, ok = reducer.reduce(case, failure)
                else:
                    ok = False
                sig = signature(case, failure)
                if sig in seen:
                    continue
                seen.add(sig)
                text = report(seed, case, failure, ok)
                print(text + "\n", flush=True)
                if args.log:
                    with open(args.log, "a") as f:
                        f.write(text + "\n\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("difftest: %d cases checked in %.0f s, %d failures (%d distinct)"
          % (n_checked, time.monotonic() - start, n_found, len(seen)))
    return 1 if n_found else 0


if __name__ == "__main__":
    sys.exit(main())
