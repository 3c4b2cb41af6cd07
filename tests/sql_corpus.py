#!/usr/bin/env python3
"""sql_corpus.py - the SQL the tests type, as files: the fuzzer's seeds,
the statements of `make grammar-coverage`, and a libFuzzer dictionary.

Where the SQL comes from, for milestone NN (-m NN):
  tests/suites/*.t   each test that applies to NN: the lines typed after
                     the prompts "strata=> " and "strata-> " of one
                     command, joined, less the backslash commands; and
                     the SQL of each `strata FILE -c "SQL"`
  tests/slt/*.test   the SQL of each record (statement or query), in
                     files named for NN or an earlier milestone (or for
                     none), a few records a file

Usage: tests/sql_corpus.py -m NN --seeds DIR [--commands]
                           [--dict FILE --keywords tokenize.c]
  --seeds DIR   writes one file per session, -c or group of records into
                DIR (emptied first), named after where it comes from
  --commands    also a session's input with its backslash commands (as
                NAME-shell), for the fuzzer to run through the shell
  --dict FILE   writes a libFuzzer dictionary: the keywords of the
                tokenizer's table in tokenize.c (--keywords), its
                operators, the names of the fuzz target's tables, type
                names and literals
"""
import argparse
import re
import shlex
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run          # noqa: E402  (parse_suite: the runner's own reading)

SQL_PROMPTS = ("strata=> ", "strata-> ")
SLT_RECORD_BYTES = 1024   # a seed of slt records stays about this small
# Words the fuzzer can hardly guess byte by byte: the tables of
# fuzz_sql.c's SETUP and their columns, the catalog's tables, type names.
EXTRA_WORDS = ["kv", "notes", "k", "v", "r", "b", "s", "n", "body", "tag",
               "rowid", "strata_tables", "strata_columns", "integer", "int",
               "bigint", "smallint", "real", "float", "double precision",
               "text", "varchar", "char", "character varying", "boolean",
               "9223372036854775807", "-9223372036854775808", "1e308",
               "''", '""', "--", "/*", "*/"]
OPERATORS = ["(", ")", ",", ";", "*", "=", "+", "-", "'", '"']


def typed_sql(cmd, commands):
    """The SQL typed into one transcript command: its prompt lines. The
    backslash commands (a line that starts with \\) are left out, or
    with COMMANDS kept, but for \\q, which would end the input, and
    \\copy, which reads a file."""
    lines = []
    for line in cmd.expected:
        prompt = next((p for p in SQL_PROMPTS if line.startswith(p)), None)
        if prompt is None:
            continue
        text = line[len(prompt):]
        word = text.lstrip().split(" ")[0]
        if not word.startswith("\\") or \
                commands and word not in ("\\q", "\\copy"):
            lines.append(text)
    return "\n".join(lines)


def dash_c_sql(cmdline):
    """The SQL of each `-c SQL` in a command line, as the shell reads it."""
    try:
        words = shlex.split(cmdline)
    except ValueError:
        return []
    found, in_strata = [], False
    for i, w in enumerate(words):
        if w in ("|", "||", "&&", ";"):
            in_strata = False
        elif Path(w).name == "strata":
            in_strata = True
        elif w == "-c" and in_strata and i + 1 < len(words):
            found.append(words[i + 1])
    return found


def transcript_sources(number, commands):
    """(name, SQL) of every command of the suites that applies to
    milestone NUMBER and types or passes SQL; with COMMANDS, also its
    input with the backslash commands, where it has any."""
    for path in sorted((HERE / "suites").glob("*.t")):
        suite, error = run.parse_suite(path)
        if error:
            sys.exit("sql_corpus.py: %s" % error)
        for test in suite.tests:
            if not test.applies(number):
                continue
            for cmd in test.commands:
                sql = typed_sql(cmd, False)
                if sql.strip():
                    yield "%s-%d" % (path.stem, cmd.line_no), sql
                with_commands = typed_sql(cmd, commands)
                if with_commands != sql:
                    yield "%s-%d-shell" % (path.stem, cmd.line_no), \
                        with_commands
                for i, text in enumerate(dash_c_sql(cmd.cmdline)):
                    yield "%s-%d-c%d" % (path.stem, cmd.line_no, i), text


def slt_records(text):
    """The SQL of each record of a sqllogictest file."""
    records, current = [], None
    for line in text.split("\n") + [""]:
        if current is not None:
            if line.strip() == "" or line == "----":
                records.append("\n".join(current))
                current = None
            else:
                current.append(line)
        elif line.startswith(("statement ", "query ")) or \
                line.strip() == "statement":
            current = []
    return [r for r in records if r.strip()]


def slt_sources(number):
    for path in sorted((HERE / "slt").glob("*.test")):
        m = re.match(r"(\d+)-", path.name)
        if m and int(m.group(1)) > number:
            continue
        group, size, part = [], 0, 0
        for record in slt_records(path.read_text()):
            group.append(record + ";\n")
            size += len(record)
            if size >= SLT_RECORD_BYTES:
                yield "%s-%d" % (path.stem, part), "".join(group)
                group, size, part = [], 0, part + 1
        if group:
            yield "%s-%d" % (path.stem, part), "".join(group)


def keywords(tokenize_c):
    """The words of the tokenizer's keyword table: {"word", TK_...}."""
    words = re.findall(r'\{"([a-z_]+)",\s*TK_', tokenize_c.read_text())
    if not words:
        sys.exit("sql_corpus.py: no keyword table in %s" % tokenize_c)
    return words


def dict_entry(word):
    escaped = word.replace("\\", "\\\\").replace('"', '\\"')
    return '"%s"' % escaped


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-m", "--milestone", required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--dict", type=Path)
    parser.add_argument("--keywords", type=Path)
    parser.add_argument("--commands", action="store_true")
    args = parser.parse_args()
    m = re.match(r"(\d+)", Path(args.milestone).name)
    if not m:
        sys.exit("sql_corpus.py: -m takes a milestone, such as 06")
    number = int(m.group(1))

    args.seeds.mkdir(parents=True, exist_ok=True)
    for old in args.seeds.iterdir():
        old.unlink()
    seen = set()
    for name, sql in list(transcript_sources(number, args.commands)) + \
            list(slt_sources(number)):
        data = sql.encode()
        if data in seen:
            continue
        seen.add(data)
        (args.seeds / name).write_bytes(data)
    if not seen:
        sys.exit("sql_corpus.py: no SQL for milestone %02d in the suites"
                 % number)

    if args.dict:
        if not args.keywords:
            sys.exit("sql_corpus.py: --dict needs --keywords tokenize.c")
        words = keywords(args.keywords)
        words += [w.upper() for w in words] + EXTRA_WORDS + OPERATORS
        args.dict.parent.mkdir(parents=True, exist_ok=True)
        args.dict.write_text("".join(dict_entry(w) + "\n" for w in words))
    print("sql_corpus.py: %d files of SQL in %s" % (len(seen), args.seeds))


if __name__ == "__main__":
    main()
