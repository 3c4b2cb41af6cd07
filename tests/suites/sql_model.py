"""SQL against a model: thousands of random statements over several
tables (CREATE and DROP, multi-row INSERTs, UPDATEs that may move a row
to a new key, DELETEs by key and of every row), with columns of every
type, NULLs, defaults, and texts from empty to hundreds of KiB. Python
works out what each statement must do and reply, failing ones included:
a statement that fails in its last row changes nothing. After every
change the table is read back, every few steps the whole database and
the catalog's own tables (strata_tables, strata_columns) are compared
with the model, and the process restarts often, each time after \\check.
"""
import random

import harness
from harness import csv_line, error_reply, parse_csv, sql_literal

# The model is 06's: a value has its column's type, TRUE is a boolean.
# 07 types values as SQLite does (TRUE is the integer 1, a value's type
# is its own), which the model does not know; 07's difftest compares it
# with sqlite3 instead.
MILESTONES = "06"
SQL = harness.SqlDialect()

INT64_MIN, INT64_MAX = -2 ** 63, 2 ** 63 - 1

# The catalog's rows about itself (catalog.c's CATALOG_TABLES).
SYSTEM_TABLES = [
    (1, "strata_tables", 1, "CREATE TABLE strata_tables (name TEXT NOT "
     "NULL, type TEXT NOT NULL, table_name TEXT NOT NULL, root_page "
     "INTEGER, sql TEXT)"),
    (2, "strata_columns", 2, "CREATE TABLE strata_columns (table_name "
     "TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, type "
     "TEXT NOT NULL, max_length INTEGER, not_null BOOLEAN NOT NULL, "
     "primary_key BOOLEAN NOT NULL, default_value TEXT)"),
]
SYSTEM_COLUMNS = [
    ("strata_tables", "name", "text", True), ("strata_tables", "type",
                                              "text", True),
    ("strata_tables", "table_name", "text", True),
    ("strata_tables", "root_page", "integer", False),
    ("strata_tables", "sql", "text", False),
    ("strata_columns", "table_name", "text", True),
    ("strata_columns", "position", "integer", True),
    ("strata_columns", "name", "text", True),
    ("strata_columns", "type", "text", True),
    ("strata_columns", "max_length", "integer", False),
    ("strata_columns", "not_null", "boolean", True),
    ("strata_columns", "primary_key", "boolean", True),
    ("strata_columns", "default_value", "text", False),
]

TABLE_NAMES = ["t1", "t2", "items", "notes", '"Big Table"', '"T"']
COLUMN_NAMES = ["a", "b", "c", "name", "n", "flag", "price", "note", "key",
                "text", "x_1", '"Mixed Case"', '"with space"', "é"]
TYPE_WORDS = {
    "integer": ["INTEGER", "INT", "BIGINT", "SMALLINT", "int8", "Int4"],
    "real": ["REAL", "FLOAT", "DOUBLE", "DOUBLE PRECISION", "float8"],
    "text": ["TEXT", "text"],
    "varchar": ["VARCHAR", "CHAR", "CHARACTER VARYING", "character",
                "varchar"],
    "boolean": ["BOOLEAN", "BOOL", "boolean"],
}
# Characters of texts: quotes, separators, a ';' and comment marks
# inside a string, line breaks, and multi-byte UTF-8.
ALPHABET = ("abcdefghijklmnopqrstuvwxyz" * 3 + "ABCXYZ0123456789    " +
            "',\";\n\t\\-/*()éü€😀")


def name_of(written):
    """The name an identifier stands for: as written if quoted, else in
    lower case."""
    if written.startswith('"'):
        return written[1:-1]
    return written.lower()


def random_case(rng, word):
    """An unquoted name or keyword in a random case (both mean the same);
    a quoted one as it is."""
    if word.startswith('"'):
        return word
    return "".join(c.upper() if "a" <= c <= "z" and rng.random() < 0.3
                   else c for c in word)   # ASCII only, as SQL folds


class Column:
    def __init__(self, written, kind, type_sql, max_length):
        self.written = written            # as in CREATE TABLE
        self.name = name_of(written)
        self.kind = kind                  # integer, real, text, boolean
        self.type_sql = type_sql
        self.max_length = max_length      # VARCHAR(n): n, else None
        self.not_null = False
        self.pk = False
        self.default = None               # a value, None: no default

    def type_name(self):
        """As errors and \\d name it."""
        if self.max_length is not None:
            return "character varying(%d)" % self.max_length
        return self.kind

    def default_text(self):
        """The default as strata_columns keeps it."""
        v = self.default
        if v is None:
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return "%.17g" % v
        return str(v)


class Table:
    def __init__(self, written, columns, sql):
        self.written = written
        self.name = name_of(written)
        self.columns = columns
        self.rowid = next((i for i, c in enumerate(columns) if c.pk), None)
        self.rows = {}      # key -> list of values (the row id column too)
        self.sql = sql      # the CREATE statement, as the catalog keeps it
        self.root = None    # learned from strata_tables, then fixed
        self.catalog_rowid = None

    def size(self):
        return sum(len(v) if isinstance(v, str) else 8
                   for row in self.rows.values() for v in row)

    def select_all(self, rng=None):
        """The statement that reads every row, with its row id."""
        cols = ", ".join(c.written for c in self.columns)
        name = random_case(rng, self.written) if rng else self.written
        if self.rowid is None:
            return "SELECT rowid, %s FROM %s;" % (cols, name)
        return "SELECT * FROM %s;" % name

    def header(self):
        names = [c.name for c in self.columns]
        return csv_line(names if self.rowid is not None
                        else ["rowid"] + names)

    def show(self, keys=None):
        """What select_all (or a select of KEYS) prints."""
        out = [self.header()]
        for k in sorted(self.rows if keys is None else keys):
            row = self.rows[k]
            out.append(csv_line(row if self.rowid is not None
                                else [k] + row))
        return "".join(out)


class Literal:
    """A value in a statement: its text and what it means."""

    def __init__(self, value, text=None, too_big=False):
        self.value = value
        self.text = sql_literal(value) if text is None else text
        self.too_big = too_big    # an integer beyond 64 bits


class Failed(Exception):
    """What a statement fails with: the message, the byte offset the
    caret points at (None: no LINE), and a DETAIL line."""

    def __init__(self, message, pos=None, detail=None):
        self.message, self.pos, self.detail = message, pos, detail


class Builder:
    """A statement built piece by piece, knowing where each piece is."""

    def __init__(self):
        self.parts, self.len = [], 0

    def add(self, text):
        at = self.len
        self.parts.append(text)
        self.len += len(text.encode())
        return at

    def text(self):
        return "".join(self.parts)

    def value(self, separator, lit):
        """Adds SEPARATOR and the literal LIT; returns LIT's offset. In a
        long statement each value starts a line of its own, so that the
        line an error shows is short: 06 cuts a long one in time
        quadratic in its length (test_an_error_far_into_a_long_line)."""
        if len(lit.text) > 1000 or self.len > 1000:
            separator = separator.rstrip() + "\n"
        self.add(separator)
        return self.add(lit.text)


def value_type(v):
    if v is None:
        return "unknown"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "real"
    return "text"


def coerce(table, c, v, pos):
    """V for column C of TABLE, as exec_coerce makes it, or Failed."""
    col = table.columns[c]
    if v is None:
        if col.not_null and c != table.rowid:
            raise Failed('null value in column "%s" violates not-null '
                         'constraint' % col.name, pos)
        return None
    if col.kind == "integer":
        if isinstance(v, float) and v == int(v) and \
                -9223372036854775808.0 <= v < 9223372036854775808.0:
            v = int(v)
        if isinstance(v, int) and not isinstance(v, bool):
            return v
    elif col.kind == "real":
        if isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if isinstance(v, float):
            return v
    elif col.kind == "text":
        if isinstance(v, str):
            if col.max_length is not None and len(v) > col.max_length:
                raise Failed("value too long for type %s" %
                             col.type_name(), pos)
            return v
    elif isinstance(v, bool):
        return v
    raise Failed('column "%s" is of type %s but expression is of type %s'
                 % (col.name, col.type_name(), value_type(v)), pos)


def constant(lit, pos):
    if lit.too_big:
        raise Failed("integer out of range", pos)
    return lit.value


def duplicate(table, key):
    column = table.columns[table.rowid].name if table.rowid is not None \
        else "rowid"
    return Failed('duplicate key value violates unique constraint '
                  '"%s_pkey"' % table.name,
                  detail="Key (%s)=(%d) already exists." % (column, key))


class Generator:
    """Random statements, each with the reply the model says it gets;
    the model changes as each statement (if it works) changes the
    database."""

    def __init__(self, rng, big_budget, large=False):
        self.rng = rng
        self.large = large
        self.tables = {}            # name -> Table
        self.catalog_tables = {r[0]: None for r in SYSTEM_TABLES}
        self.catalog_columns = {i + 1: None
                                for i in range(len(SYSTEM_COLUMNS))}
        self.big_budget = big_budget   # texts of 100 KiB or more, left
        self.steps = []             # (line, expected reply or matcher)

    # --- values ---------------------------------------------------------

    def text(self, longest=None):
        """A text: empty, short, over a page, or (while the budget lasts)
        of hundreds of KiB; more long ones when the generator is LARGE."""
        rng = self.rng
        r = rng.random()
        if self.large:
            r = r * 0.75 + 0.25
        if r < 0.06:
            n = 0
        elif r < 0.65:
            n = rng.randint(1, 20)
        elif r < 0.9:
            n = rng.randint(20, 300)
        elif r < 0.97:
            n = rng.randint(300, 5000)
        elif r < (0.99 if self.large else 0.997) or self.big_budget <= 0:
            n = rng.randint(5000, 25000)
        else:
            self.big_budget -= 1
            n = rng.randint(100000, 400000)
        if longest is not None:
            n = min(n, longest)
        if n > 1000:
            # A long text: a random piece repeated, quickly made; with no
            # line break, since 06's shell takes time quadratic in the
            # lines of a statement (sql_memory.py: test_a_text_of_many_
            # lines), which would only make this test slow.
            piece = "".join(rng.choice(ALPHABET.replace("\n", ""))
                            for _ in range(997))
            return (piece * (n // 997 + 1))[:n]
        return "".join(rng.choice(ALPHABET) for _ in range(n))

    def literal(self, col, nullable=True):
        """A good literal for COL."""
        rng = self.rng
        if nullable and not col.not_null and rng.random() < 0.12:
            return Literal(None)
        if col.kind == "integer":
            r = rng.random()
            if r < 0.05:
                return Literal(float(rng.randint(-50, 50)))  # 7.0 -> 7
            if r < 0.1:
                return Literal(rng.choice([INT64_MIN, INT64_MAX, 0, -1]))
            if r < 0.25:
                return Literal(rng.randint(-2 ** 62, 2 ** 62))
            return Literal(rng.randint(-100, 1000))
        if col.kind == "real":
            r = rng.random()
            if r < 0.15:
                return Literal(rng.randint(-1000, 1000))    # becomes real
            if r < 0.25:
                return Literal(rng.choice([0.0, -0.0, 0.1, 1e300, -2.5e-300,
                                           123456789.125, 1e16]))
            return Literal(round(rng.uniform(-1e6, 1e6),
                                 rng.randint(0, 6)))
        if col.kind == "text":
            return Literal(self.text(col.max_length))
        return Literal(rng.random() < 0.5)

    def bad_literal(self, table, c, kind):
        """A literal that COLUMN C must refuse, of KIND if it can."""
        col = table.columns[c]
        if kind == "null" and col.not_null and c != table.rowid:
            return Literal(None)
        if kind == "long" and col.max_length is not None and \
                col.max_length <= 300:
            return Literal("é" * (col.max_length + self.rng.randint(1, 3)))
        if kind == "range" and col.kind in ("integer", "real"):
            return Literal(None, text="9223372036854775808", too_big=True)
        wrong = {"integer": [Literal("12"), Literal(True), Literal(2.5)],
                 "real": [Literal("1.5"), Literal(False)],
                 "text": [Literal(5), Literal(1.5), Literal(True)],
                 "boolean": [Literal(1), Literal("t"), Literal(0.0)]}
        return self.rng.choice(wrong[col.kind])

    def new_key(self, table, fresh=True):
        """A key of a row of TABLE, or (FRESH) one that is most likely
        not: small, so that keys meet again, now and then far out."""
        rng = self.rng
        if not fresh and table.rows:
            return rng.choice(sorted(table.rows))
        for _ in range(3):
            r = rng.random()
            if r < 0.004:
                key = rng.choice([INT64_MIN, INT64_MAX - rng.randint(0, 1)])
            elif r < 0.06:
                key = rng.randint(-2 ** 40, 2 ** 40)
            else:
                key = rng.randint(-5, 200)
            if key not in table.rows:
                break
        return key

    # --- recording --------------------------------------------------------

    def emit(self, line, reply):
        self.steps.append((line, reply))

    def emit_statement(self, b, run):
        """Emits the statement of builder B, whose effect RUN applies to
        the model and returns the reply; a Failed raised by RUN is the
        statement's error, and the model stays as it was."""
        line = b.text()
        try:
            reply = run()
        except Failed as f:
            reply = error_reply(f.message, line, f.pos, f.detail)
        self.emit(line, reply)

    # --- DDL ----------------------------------------------------------------

    def create(self):
        rng = self.rng
        written = rng.choice(TABLE_NAMES)
        name = name_of(written)
        b = Builder()
        b.add(random_case(rng, "CREATE TABLE "))
        if_not = rng.random() < 0.2
        if if_not:
            b.add(random_case(rng, "IF NOT EXISTS "))
        table_pos = b.add(random_case(rng, written))
        b.add(" (")
        columns = []
        names = rng.sample(COLUMN_NAMES, rng.randint(1, 6))
        pk_at = rng.randrange(len(names)) if rng.random() < 0.6 else None
        mistake = None      # the Failed that CREATE must end in, if any
        for i, cw in enumerate(names):
            if i:
                b.add(", ")
            kind = rng.choice(["integer", "real", "text", "varchar",
                               "boolean"] + ["text"] * 3 * self.large)
            if i == pk_at:
                kind = "integer"
            word = rng.choice(TYPE_WORDS[kind])
            max_length = None
            type_sql = random_case(rng, word)
            if kind == "varchar":
                max_length = rng.choice([1, 3, 10, 40, 300, 50000])
                type_sql += "(%d)" % max_length
            col = Column(cw, "text" if kind == "varchar" else kind,
                         type_sql, max_length)
            b.add(random_case(rng, cw) + " " + type_sql)
            if i == pk_at:
                col.pk = col.not_null = True
                b.add(random_case(rng, " PRIMARY KEY"))
            elif rng.random() < 0.25:
                col.not_null = True
                b.add(random_case(rng, " NOT NULL"))
            if i != pk_at and rng.random() < 0.25:
                b.add(random_case(rng, " DEFAULT "))
                lit = self.literal(col, nullable=False)
                if col.kind == "text" and len(lit.value) > 30:
                    lit = Literal(lit.value[:col.max_length or 30])
                pos = b.add(lit.text)
                col.default = (lit, pos)
            columns.append(col)
        if rng.random() < 0.08:
            # One kind of mistake, which CREATE must refuse whole.
            kind = rng.choice(["dup_column", "text_pk", "unique"])
            b.add(", ")
            if kind == "dup_column":
                bad_pos = b.add(random_case(rng, names[0]))
                b.add(" INT")
                mistake = Failed('column "%s" specified more than once'
                                 % name_of(names[0]), bad_pos)
            elif kind == "text_pk" and pk_at is None:
                b.add("zz TEXT ")
                bad_pos = b.add("PRIMARY KEY")
                mistake = Failed("a PRIMARY KEY on a column of type text "
                                 "needs an index: indexes come in milestone "
                                 "08; only an INTEGER PRIMARY KEY, the row "
                                 "id, is here", bad_pos)
            else:
                b.add("zz INT ")
                bad_pos = b.add("UNIQUE")
                mistake = Failed("UNIQUE needs an index: indexes come in "
                                 "milestone 08", bad_pos)
        b.add(")")
        sql_text = b.text()
        b.add(";")

        def run():
            if name in self.tables:
                if if_not:
                    return ('NOTICE:  relation "%s" already exists, '
                            'skipping\n' % name) + "CREATE TABLE\n"
                raise Failed('relation "%s" already exists' % name,
                             table_pos)
            if mistake is not None:
                raise mistake
            table = Table(written, columns, sql_text)
            # Defaults, last, as define_table checks them.
            for c, col in enumerate(columns):
                if col.default is not None:
                    lit, pos = col.default
                    col.default = coerce(table, c, constant(lit, pos), pos)
            self.tables[name] = table
            table.catalog_rowid = max(self.catalog_tables) + 1
            self.catalog_tables[table.catalog_rowid] = table
            for c in range(len(columns)):
                self.catalog_columns[max(self.catalog_columns) + 1] = \
                    (table, c)
            return "CREATE TABLE\n"
        self.emit_statement(b, run)

    def drop(self):
        rng = self.rng
        if self.tables and rng.random() < 0.85:
            written = self.tables[rng.choice(sorted(self.tables))].written
        else:
            written = rng.choice(TABLE_NAMES)
        name = name_of(written)
        b = Builder()
        b.add(random_case(rng, "DROP TABLE "))
        if_exists = rng.random() < 0.3
        if if_exists:
            b.add(random_case(rng, "IF EXISTS "))
        pos = b.add(random_case(rng, written))
        b.add(";")

        def run():
            table = self.tables.get(name)
            if table is None:
                if if_exists:
                    return ('NOTICE:  table "%s" does not exist, skipping\n'
                            % name) + "DROP TABLE\n"
                raise Failed('table "%s" does not exist' % name, pos)
            del self.tables[name]
            del self.catalog_tables[table.catalog_rowid]
            for k, v in list(self.catalog_columns.items()):
                if v is not None and v[0] is table:
                    del self.catalog_columns[k]
            return "DROP TABLE\n"
        self.emit_statement(b, run)

    # --- DML ----------------------------------------------------------------

    def pick_table(self):
        return self.tables[self.rng.choice(sorted(self.tables))]

    def insert(self, table):
        rng = self.rng
        b = Builder()
        b.add(random_case(rng, "INSERT INTO "))
        table_pos = b.add(random_case(rng, table.written))
        n_cols = len(table.columns)
        target = None
        target_pos = []
        if rng.random() < 0.35:
            target = rng.sample(range(n_cols), rng.randint(1, n_cols))
            b.add(" (")
            for i, c in enumerate(target):
                if i:
                    b.add(", ")
                target_pos.append(b.add(random_case(
                    rng, table.columns[c].written)))
            b.add(")")
        b.add(random_case(rng, " VALUES "))
        n_rows = rng.choice([1, 1, 1, 2, 3, 5, 8])
        fail = rng.random() < 0.25
        cols = target if target is not None else list(range(n_cols))
        rows = []            # [(Literal, pos)] per row
        used = set()
        for r in range(n_rows):
            if r:
                b.add(",\n" if rng.random() < 0.2 else ", ")
            b.add("(")
            row = []
            n_values = len(cols)
            if target is None and rng.random() < 0.1:
                n_values = rng.randint(1, n_cols)   # the rest: defaults
            last = r == n_rows - 1
            bad_at = rng.randrange(n_values) if fail and last else None
            bad_kind = rng.choice(["dup", "null", "long", "type", "range",
                                   "extra"]) if last and fail else None
            for i in range(n_values):
                c = cols[i]
                col = table.columns[c]
                if c == table.rowid:
                    if bad_kind == "dup" and (table.rows or used):
                        key = rng.choice(sorted(set(table.rows) | used))
                        lit = Literal(key)
                    elif rng.random() < 0.1:
                        lit = Literal(None)     # a new row id, max + 1
                    else:
                        key = self.new_key(table)
                        lit = Literal(key)
                        used.add(key)
                elif i == bad_at and bad_kind not in ("dup", "extra"):
                    lit = self.bad_literal(table, c, bad_kind)
                else:
                    lit = self.literal(col)
                row.append((lit, b.value(", " if i else "", lit)))
            if bad_kind == "extra":
                lit = Literal(1)
                row.append((lit, b.value(", ", lit)))
            b.add(")")
            rows.append(row)
        b.add(";")

        def run():
            work = dict(table.rows)
            for row in rows:
                n_target = len(cols)
                if len(row) > n_target:
                    raise Failed("INSERT has more expressions than target "
                                 "columns", row[n_target][1])
                if target is not None and len(row) < n_target:
                    raise Failed("INSERT has more target columns than "
                                 "expressions", target_pos[len(row)])
                values = [col.default for col in table.columns]
                given = [False] * n_cols
                for i, (lit, pos) in enumerate(row):
                    c = cols[i]
                    given[c] = True
                    values[c] = coerce(table, c, constant(lit, pos), pos)
                for c in range(n_cols):
                    if not given[c]:
                        values[c] = coerce(table, c, values[c], table_pos)
                if table.rowid is not None and values[table.rowid] \
                        is not None:
                    key = values[table.rowid]
                else:
                    last_key = max(work) if work else None
                    if last_key == INT64_MAX:
                        raise Failed('table "%s" has no row id left after '
                                     '%d' % (table.name, last_key))
                    key = 1 if last_key is None else last_key + 1
                    if table.rowid is not None:
                        values[table.rowid] = key
                if key in work:
                    raise duplicate(table, key)
                work[key] = values
            table.rows = work
            return "INSERT 0 %d\n" % len(rows)
        self.emit_statement(b, run)

    def where(self, b, table, key):
        """Appends " WHERE <row id> = KEY" in one of its spellings."""
        rng = self.rng
        rowid = table.columns[table.rowid].written \
            if table.rowid is not None else "rowid"
        rowid = random_case(rng, rowid)
        literal = sql_literal(key)
        if key is not None and rng.random() < 0.1:
            literal = sql_literal(float(key)) if abs(key) < 2 ** 53 \
                else literal
        b.add(random_case(rng, " WHERE "))
        if rng.random() < 0.15:
            b.add("%s = %s" % (literal, rowid))
        else:
            b.add("%s = %s" % (rowid, literal))

    def chosen(self, table, key, everything):
        if everything:
            return sorted(table.rows)
        return [key] if key in table.rows else []

    def update(self, table):
        rng = self.rng
        b = Builder()
        stmt_pos = b.add(random_case(rng, "UPDATE "))
        b.add(random_case(rng, table.written))
        b.add(random_case(rng, " SET "))
        everything = rng.random() < 0.08
        key = self.new_key(table, fresh=rng.random() < 0.15)
        n_cols = len(table.columns)
        sets = rng.sample(range(n_cols), rng.randint(1, min(3, n_cols)))
        exists = key in table.rows or (everything and table.rows)
        bad = rng.random() < 0.15
        assigns = []
        for i, c in enumerate(sets):
            col = table.columns[c]
            if i:
                b.add(",\n" if b.len > 1000 else ", ")
            b.add(random_case(rng, col.written))
            if c == table.rowid:
                r = rng.random()
                if r < 0.4 and table.rows:
                    lit = Literal(rng.choice(sorted(table.rows)))
                elif r < 0.45:
                    lit = Literal(None)
                else:
                    lit = Literal(self.new_key(table))
            elif bad and i == len(sets) - 1:
                kinds = ["long", "type", "range"] + (["null"] if exists
                                                      else [])
                lit = self.bad_literal(table, c, rng.choice(kinds))
            else:
                lit = self.literal(col)
            assigns.append((c, lit, b.value(" = ", lit)))
        if not everything:
            self.where(b, table, key)
        b.add(";")

        def run():
            values = []
            for c, lit, pos in assigns:
                values.append(coerce(table, c, constant(lit, pos), pos))
            work = dict(table.rows)
            keys = self.chosen(table, key, everything)
            for k in keys:
                row = list(work[k])
                for (c, _, _), v in zip(assigns, values):
                    row[c] = v
                new = k
                if table.rowid is not None:
                    if row[table.rowid] is None:
                        raise Failed('null value in column "%s" violates '
                                     'not-null constraint' %
                                     table.columns[table.rowid].name,
                                     stmt_pos)
                    new = row[table.rowid]
                if new != k:
                    if new in work:
                        raise duplicate(table, new)
                    del work[k]
                work[new] = row
            table.rows = work
            return "UPDATE %d\n" % len(keys)
        self.emit_statement(b, run)

    def delete(self, table):
        rng = self.rng
        b = Builder()
        b.add(random_case(rng, "DELETE FROM "))
        b.add(random_case(rng, table.written))
        everything = rng.random() < 0.05
        key = self.new_key(table, fresh=rng.random() < 0.2)
        if not everything:
            self.where(b, table, key)
        b.add(";")

        def run():
            keys = self.chosen(table, key, everything)
            for k in keys:
                del table.rows[k]
            return "DELETE %d\n" % len(keys)
        self.emit_statement(b, run)

    def select_one(self, table):
        rng = self.rng
        key = self.new_key(table, fresh=rng.random() < 0.3)
        b = Builder()
        b.add(table.select_all(rng)[:-1])
        self.where(b, table, key)
        b.add(";")
        self.emit_statement(b, lambda: table.show(
            [key] if key in table.rows else []))

    def select_columns(self, table):
        """Some columns, in any order, the same one twice perhaps."""
        rng = self.rng
        picks = [rng.randrange(len(table.columns))
                 for _ in range(rng.randint(1, 4))]
        line = "SELECT %s FROM %s;" % (
            ", ".join(random_case(rng, table.columns[c].written)
                      for c in picks), random_case(rng, table.written))
        self.emit(line, csv_line([table.columns[c].name for c in picks]) +
                  "".join(csv_line([table.rows[k][c] for c in picks])
                          for k in sorted(table.rows)))

    # --- reading everything back ------------------------------------------

    def compare_table(self, table):
        self.emit(table.select_all(self.rng), table.show())

    def compare_all(self):
        for name in sorted(self.tables):
            self.compare_table(self.tables[name])
        self.emit("SELECT rowid, name, type, table_name, root_page, sql "
                  "FROM strata_tables;", self.tables_matcher())
        self.emit("SELECT rowid, table_name, position, name, type, "
                  "max_length, not_null, primary_key, default_value FROM "
                  "strata_columns;", self.columns_reply())

    def tables_matcher(self):
        """strata_tables as the model has it. A table's root page is not
        the model's to choose: the first read learns it, and from then on
        it must stay (a root never moves), differ from every other
        table's, and not be a catalog's."""
        expected = []
        for rowid in sorted(self.catalog_tables):
            table = self.catalog_tables[rowid]
            if table is None:
                _, name, root, sql = next(r for r in SYSTEM_TABLES
                                          if r[0] == rowid)
                expected.append((rowid, name, root, sql, None))
            else:
                expected.append((rowid, table.name, None, table.sql, table))

        def match(reply):
            try:
                rows = parse_csv(reply)
            except ValueError as e:
                return "not CSV (%s): %r" % (e, reply[:300])
            want_header = ["rowid", "name", "type", "table_name",
                           "root_page", "sql"]
            if not rows or rows[0] != want_header:
                return "header %r" % (rows[:1],)
            rows = rows[1:]
            if len(rows) != len(expected):
                return "%d rows, the model has %d: %r" % (
                    len(rows), len(expected), rows)
            roots = set()
            for got, (rowid, name, root, sql, table) in zip(rows, expected):
                want = [str(rowid), name, "table", name, got[4], sql]
                if got != want:
                    return "row %r, the model has %r" % (got, want)
                page = int(got[4])
                if table is not None:
                    if table.root is None:
                        table.root = page
                    if page != table.root:
                        return "table %s's root moved from page %d to %d" % (
                            name, table.root, page)
                elif page != root:
                    return "catalog %s has root %d" % (name, page)
                if page in roots:
                    return "root page %d is used twice" % page
                roots.add(page)
            return None
        return match

    def columns_reply(self):
        out = [csv_line(["rowid", "table_name", "position", "name", "type",
                         "max_length", "not_null", "primary_key",
                         "default_value"])]
        for rowid in sorted(self.catalog_columns):
            entry = self.catalog_columns[rowid]
            if entry is None:
                table, name, kind, not_null = SYSTEM_COLUMNS[rowid - 1]
                position = [c[0] for c in SYSTEM_COLUMNS[:rowid - 1]].count(
                    table)
                out.append(csv_line([rowid, table, position, name, kind,
                                     None, not_null, False, None]))
                continue
            table, c = entry
            col = table.columns[c]
            out.append(csv_line([rowid, table.name, c, col.name, col.kind,
                                 col.max_length, col.not_null, col.pk,
                                 col.default_text()]))
        return "".join(out)

    # --- a step -------------------------------------------------------------

    def step(self):
        """One random statement; the table it changed read back."""
        rng = self.rng
        if len(self.tables) < 2 or (len(self.tables) < 5 and
                                    rng.random() < 0.03):
            self.create()
            return
        r = rng.random()
        if r < 0.012:
            self.drop()
            return
        if r < 0.02:
            self.create()     # often of a name that exists
            return
        table = self.pick_table()
        if self.big_left(table):
            op = rng.choices(["delete", "update"], [1, 1])[0]
        else:
            op = rng.choices(["insert", "update", "delete", "select_one",
                              "select_columns"], [45, 22, 15, 10, 3])[0]
        getattr(self, op)(table)
        if op in ("insert", "update", "delete") and (
                table.size() < 30000 or rng.random() < 0.1):
            self.compare_table(table)

    def big_left(self, table):
        """A table holding more than 600 KiB sheds some first."""
        return table.size() > 600000 and table.rows


def run_rounds(t, rng, n_rounds, steps_per_round, big_budget,
               large=False, checkpoint_every=None):
    """N_ROUNDS sessions of STEPS_PER_ROUND random steps on one database;
    each session starts by comparing everything, compares it again every
    25 steps, and ends with \\check; each reply is checked as it comes."""
    g = Generator(rng, big_budget, large)
    total = 0
    for round_no in range(n_rounds):
        g.steps = []
        g.compare_all()
        for i in range(steps_per_round):
            g.step()
            if i % 25 == 24:
                g.compare_all()
            if checkpoint_every and i % checkpoint_every == 0:
                g.emit("\\checkpoint", None)
        g.compare_all()
        g.emit("\\check", "ok\n")
        lines = [line for line, _ in g.steps] + ["\\q"]
        result = t.strata(*SQL.args, "model.db", input_lines=lines)
        replies = SQL.replies_to(lines, result.output)
        for n, ((line, expected), reply) in enumerate(zip(g.steps,
                                                          replies)):
            where = "round %d, line %d: %r" % (round_no + 1, n + 1,
                                                line[:300])
            if expected is None:
                continue
            if callable(expected):
                problem = expected(reply)
                t.check(problem is None, "%s:\n  %s" % (where, problem))
            else:
                t.check(reply == expected, "%s\n  got:      %r\n  "
                        "expected: %r" % (where, clip(reply),
                                          clip(expected)))
        t.check(len(replies) == len(lines) + 1, "round %d: %d replies to "
                "%d lines; output ends %r" % (round_no + 1, len(replies),
                                              len(lines),
                                              result.output[-300:]))
        t.check(result.status == 0, "round %d: exit status %d; output "
                "ends %r" % (round_no + 1, result.status,
                             result.output[-300:]))
        total += len(g.steps)
    return total


def clip(text, n=600):
    if len(text) <= n:
        return text
    return text[:n // 2] + " ... (%d bytes) ... " % len(text) + \
        text[-n // 2:]


def test_random_statements_against_a_model(t):
    """Some 4,000 statements in 12 sessions: DDL and DML over up to five
    tables, failing statements among them, checked against the model."""
    rng = random.Random(t.seed)
    n = run_rounds(t, rng, 12, 160, big_budget=3)
    t.check(n > 3000, "only %d statements" % n)


def test_large_values_against_a_model(t):
    """Fewer, larger rows: texts over a page and of hundreds of KiB that
    are updated, moved to new keys and deleted, so overflow chains are
    made, freed and reused; a checkpoint now and then, and restarts."""
    rng = random.Random(t.seed + 1)
    run_rounds(t, rng, 6, 120, big_budget=12, large=True,
               checkpoint_every=40)
