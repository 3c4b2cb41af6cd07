#!/usr/bin/env python3
"""slt_fake_strata.py - a test double of strata's SQL shell, on sqlite3.

Not Strata: it runs SQL on Python's sqlite3 (so on SQLite's semantics,
not Strata's stricter types) behind the shell protocol that tests/slt.py's
strata engine speaks, so that the runner's strata path is exercised for
real before milestone 06 exists:

    slt_fake_strata.py DB --csv -q

- Before reading each line of stdin it prints "strata=> ", or "strata-> "
  inside an unfinished statement.
- Statements end with ";" (several per line, or one over several lines).
  "\\echo TEXT" prints TEXT; "\\q" quits.
- A query prints a header of column names and its rows in RFC 4180 CSV:
  NULL an empty field, the empty string "", reals in the shortest form
  that reads back the same (1.5, 1e+20, 100).
- An error goes to stderr, after stdout is flushed, as
  "ERROR:  message"; a syntax error also gets psql's LINE and caret
  lines. At the end of input an unfinished statement is run.
"""
import re
import sqlite3
import sys

PROMPT = b"strata=> "
PROMPT_MORE = b"strata-> "


def split_statements(text):
    """TEXT's complete statements (without ";") and the rest."""
    done, start, quote = [], 0, None
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == ";":
            done.append(text[start:i])
            start = i + 1
    return done, text[start:]


def csv_field(value):
    if value is None:
        return b""
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        text = repr(value)
        if text.endswith(".0"):
            text = text[:-2]
        return {"inf": b"Infinity", "-inf": b"-Infinity"}.get(
            text, text.encode())
    if value == b"" or re.search(rb'[,"\r\n]', value):
        return b'"' + value.replace(b'"', b'""') + b'"'
    return value


def error(message, sql=None):
    sys.stdout.flush()
    lines = ["ERROR:  " + message]
    near = re.match(r'near "(.*)": syntax error', message)
    if near and sql is not None:
        at = sql.find(near.group(1))
        lines[0] = 'ERROR:  syntax error at or near "%s"' % near.group(1)
        lines += ["LINE 1: " + sql, " " * (8 + max(at, 0)) + "^"]
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()


def execute(conn, sql):
    out = sys.stdout.buffer
    if not sql.strip():
        return
    try:
        cursor = conn.execute(sql)
        rows = cursor.fetchall()
    except (sqlite3.Error, sqlite3.Warning, UnicodeError) as e:
        error(str(e), sql.strip())
        return
    if cursor.description:
        out.write(b",".join(csv_field(d[0].encode())
                            for d in cursor.description) + b"\n")
        for row in rows:
            out.write(b",".join(csv_field(v) for v in row) + b"\n")


def main():
    args = sys.argv[1:]
    if len(args) != 3 or sorted(args[1:]) != ["--csv", "-q"]:
        sys.exit("usage: slt_fake_strata.py DB --csv -q")
    conn = sqlite3.connect(args[0], isolation_level=None)
    conn.text_factory = bytes
    out = sys.stdout.buffer
    buffer = ""
    while True:
        out.write(PROMPT if not buffer.strip() else PROMPT_MORE)
        out.flush()
        line = sys.stdin.buffer.readline()
        if not line:
            break
        line = line.decode("utf-8", "surrogateescape").rstrip("\n")
        if not buffer.strip() and line.lstrip().startswith("\\"):
            command, _, text = line.lstrip().partition(" ")
            if command == "\\echo":
                out.write(text.encode("utf-8", "surrogateescape") + b"\n")
            elif command == "\\q":
                break
            else:
                error("invalid command %s" % command)
            continue
        done, buffer = split_statements(buffer + line + "\n")
        for sql in done:
            execute(conn, sql)
        out.flush()
    execute(conn, buffer)
    out.flush()
    conn.close()


if __name__ == "__main__":
    main()
