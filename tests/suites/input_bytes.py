"""Odd bytes on standard input: NUL bytes, Windows line ends, a missing
final newline, very long lines. Each gets an answer; none crashes or
corrupts the table."""
import subprocess

MILESTONES = "01-05"


def test_nul_byte_in_a_line_is_refused(t):
    """A NUL inside a line would silently cut it short in C; the line is
    refused as a whole."""
    out = t.strata("test.db", stdin_bytes=b"insert 1 ab\x00cd e@x.com\n"
                   b"select\n").output
    t.check_equal(t.replies(out), [
        "Error: the line contains a NUL byte; it was ignored.\n",
        "Executed.\n", ""], "replies")


def test_crlf_line_ends(t):
    """Input saved on Windows ends lines with CR LF; the CR is not part of
    the email."""
    out = t.strata("test.db", stdin_bytes=b"insert 1 user1 a@b.com\r\n"
                   b"select\r\n.exit\r\n").output
    t.check_equal(t.replies(out), [
        "Executed.\n", "(1, user1, a@b.com)\nExecuted.\n", ""], "replies")


def test_every_white_space_byte_is_a_blank(t):
    """Vertical tab and form feed separate words in a statement, so they
    are blanks at the ends of a line too: a line of them is empty, and
    one after .exit is no part of the command."""
    out = t.strata("test.db", stdin_bytes=b"\v\f\n\vinsert 1 a b\f\n"
                   b"select\n.exit\v\n").output
    t.check_equal(t.replies(out), [
        "", "Executed.\n", "(1, a, b)\nExecuted.\n", ""], "replies")


def test_last_line_without_newline(t):
    """The final line counts even without its newline."""
    out = t.strata("test.db", stdin_bytes=b"insert 1 a b\nselect").output
    t.check_equal(t.replies(out), ["Executed.\n", "(1, a, b)\nExecuted.\n",
                                   ""], "replies")


def test_a_megabyte_line(t):
    """A 1 MiB line is read whole and answered: too long for a username."""
    line = b"insert 1 " + b"u" * (1 << 20) + b" e@x.com\n"
    out = t.strata("test.db", stdin_bytes=line + b"select\n").output
    t.check_equal(t.replies(out), ["String is too long.\n", "Executed.\n",
                                   ""], "replies")


def test_a_long_unknown_line_is_quoted_short(t):
    """A 10 MB line that is no statement, and one that is no meta command,
    each get one short line back: the error quotes their first 40 bytes,
    not all ten million."""
    word = "x" * (10 << 20)
    out = t.strata("test.db", input_lines=[word, "." + word]).output
    t.check_equal(t.replies(out), [
        "Unrecognized keyword at start of '%s...'.\n" % ("x" * 40),
        "Unrecognized command '.%s...'\n" % ("x" * 39), ""], "replies")


def test_second_process_is_refused(t):
    """While one strata has the file open, a second one is refused with
    status 1, and the first one's rows are not lost."""
    first = subprocess.Popen(["strata", "test.db"], cwd=t.dir, env=t.env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    try:
        first.stdin.write(b"insert 1 user1 person1@example.com\n")
        first.stdin.flush()
        # The first process holds the lock once it has printed a prompt.
        first.stdout.read(len("db > "))
        second = t.strata("test.db", input_lines=["select"])
        t.check_equal(second.output, "Error: 'test.db' is open in another "
                      "process.\n", "second process")
        t.check_equal(second.status, 1, "second process exit status")
    finally:
        first.stdin.close()
        first.wait(timeout=t.timeout)
    t.check_equal(first.returncode, 0, "first process exit status")
    out = t.session("test.db", ["select"])
    t.check_equal(t.replies(out)[0], "(1, user1, person1@example.com)\n"
                  "Executed.\n", "rows after both")
