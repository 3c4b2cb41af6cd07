"""SQL at the edges of 06's shell and row ids, on every SQL milestone:
row ids running out at the largest integer, sessions that end without
\\q, an error far into a very long line. Each was a bug of 06 (two
stopped by UBSan, one in quadratic time), found beside sql_model.py's
model, whose tests apply to 06 only.
"""
import harness
from harness import error_reply

MILESTONES = "06-"
SQL = harness.SqlDialect()


def test_row_ids_run_out(t):
    """When the largest row id is the largest integer, a row that needs a
    new one is refused with an error, whole, and the rows given one stay
    possible. (Found: 06 computes the largest + 1 even then, a signed
    overflow that UBSan stops the process for.)"""
    lines = [
        "CREATE TABLE k (id INTEGER PRIMARY KEY, v TEXT);",
        "CREATE TABLE h (v TEXT);",
        "INSERT INTO k VALUES (9223372036854775807, 'last');",
        "INSERT INTO k VALUES (1, 'one'), (NULL, 'needs a new id');",
        "INSERT INTO k (v) VALUES ('needs one too');",
        "INSERT INTO k VALUES (-9223372036854775808, 'first');",
        "SELECT * FROM k;", "\\check", "\\q"]
    replies = SQL.replies_to(lines, t.session("ids.db", lines,
                                              args=SQL.args))
    full = 'ERROR:  table "k" has no row id left after 9223372036854775807\n'
    t.check_equal(replies[:8], [
        "CREATE TABLE\n", "CREATE TABLE\n", "INSERT 0 1\n", full, full,
        "INSERT 0 1\n",
        "id,v\n-9223372036854775808,first\n9223372036854775807,last\n",
        "ok\n"], "the replies")


def test_sessions_that_end_without_quitting(t):
    """Input that ends without \\q: nothing at all, backslash commands
    only, a statement without its ';' (which runs, as in psql). Each
    session ends cleanly, with status 0. (Found: 06's shell passes a
    null buffer to memmove when no statement was ever typed, which
    UBSan stops the process for.)"""
    for lines, expected in [
            ([], [""]), (["\\check"], ["ok\n", ""]),
            (["\\echo hi", "\\check"], ["hi\n", "ok\n", ""]),
            # The unfinished statement gets the prompt strata-> and runs
            # when the input ends.
            (["CREATE TABLE t (a INT);", "INSERT INTO t VALUES (1)"],
             ["CREATE TABLE\n", "", "INSERT 0 1\n"]),
            (["SELECT * FROM t"], ["", "a\n1\n"])]:
        result = t.strata(*SQL.args, "end.db", input_lines=lines)
        t.check(result.status == 0 and SQL.replies(result.output) ==
                expected, "input %r: status %d, replies %r, expected %r" % (
                    lines, result.status, SQL.replies(result.output),
                    expected))


def test_an_error_far_into_a_long_line(t):
    """A statement of one 300 KB line whose error is at its end: the
    error shows the end of the line, cut as psql cuts it, at once.
    (Found: 06 cuts the line a byte at a time, measuring the rest anew
    each time, in time quadratic in its length: 235 KB took over two
    minutes.)"""
    text = "".join(chr(97 + i * 7 % 26) for i in range(300000))
    line = "INSERT INTO t (a) VALUES ('%s', 1);" % text
    lines = ["CREATE TABLE t (a TEXT);", line, "SELECT * FROM t;"]
    result = t.strata(*SQL.args, "long.db", input_lines=lines)
    replies = SQL.replies_to(lines, result.output)
    t.check_equal(replies[1], error_reply(
        "INSERT has more expressions than target columns", line,
        len(line) - 3), "the error")
    t.check_equal(replies[2], "a\n", "the table after it")
