"""terminal.py from milestone 06 on, in SQL: strata at a terminal, as a
person at a keyboard meets it: through a pseudo-terminal (Python's pty
module), keys are typed, and the answers read back from the screen.

Built with libedit, strata edits the line (arrow keys, Backspace, Ctrl-A
and Ctrl-E), Up recalls earlier lines, and the history is kept in
~/.strata_history (here HOME is the test's directory). Built without it
(make LIBEDIT=0, or no libedit-dev), lines are read as the terminal
sends them, and these tests check that instead. Either way Ctrl-C
cancels the statement being typed, also one of several lines, and
Ctrl-D at the prompt checkpoints and exits.
`strata --version` says which way the build reads lines.
"""
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import termios
import time

from harness import Failure

MILESTONES = "06-"

LEFT, RIGHT, UP = "\x1b[D", "\x1b[C", "\x1b[A"
CTRL_A, CTRL_C, CTRL_D, CTRL_E = "\x01", "\x03", "\x04", "\x05"
BACKSPACE = "\x7f"   # what a terminal sends for the Backspace key
ENTER = "\r"
PROMPT = "strata=> "
MORE = "strata-> "


class Terminal:
    """strata ARGS running in a pseudo-terminal of 24 lines of 80. With
    EDITING, keys are typed only once libedit has switched the terminal
    out of line mode: typed earlier, the terminal itself would take
    Backspace and echo the keys."""

    def __init__(self, t, *args, editing=False):
        self.t = t
        self.editing = editing
        exe = shutil.which("strata", path=t.env["PATH"])
        env = {**t.env, "TERM": "xterm", "HOME": str(t.dir),
               "LC_ALL": "C.UTF-8"}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.chdir(t.dir)
                os.execve(exe, [exe, *args], env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ,
                    struct.pack("HHHH", 24, 80, 0, 0))
        self.screen = b""   # everything strata has written
        self.seen = 0       # how far expect() has read
        self.status = None

    def read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:   # EIO: strata has exited and closed the terminal
            data = b""
        self.screen += data
        return data != b""

    def expect(self, text, what):
        """Waits until TEXT appears after what was expected last."""
        want = text.encode()
        deadline = time.monotonic() + self.t.timeout
        while want not in self.screen[self.seen:]:
            left = deadline - time.monotonic()
            if left <= 0 or not self.read(left):
                raise Failure("%s: %r never appeared; the screen ends %r"
                              % (what, text, self.screen[-300:]))
        self.seen = self.screen.index(want, self.seen) + len(want)

    def after(self):
        """What the screen shows after what was expected last, up to the
        next prompt, PROMPT or MORE (waited for)."""
        start = self.seen
        deadline = time.monotonic() + self.t.timeout
        while not any(p.encode() in self.screen[start:]
                      for p in (PROMPT, MORE)):
            left = deadline - time.monotonic()
            if left <= 0 or not self.read(left):
                raise Failure("no prompt came; the screen ends %r" %
                              self.screen[-300:])
        end = min(self.screen.find(p.encode(), start) for p in (PROMPT, MORE)
                  if p.encode() in self.screen[start:])
        self.seen = end + len(PROMPT)
        return self.screen[start:end].decode("utf-8", "replace")

    def type(self, keys):
        deadline = time.monotonic() + self.t.timeout
        while self.editing and termios.tcgetattr(self.fd)[3] & \
                termios.ICANON:
            if time.monotonic() > deadline:
                raise Failure("the terminal never left line mode")
            time.sleep(0.01)
        os.write(self.fd, keys.encode())

    def line(self, keys):
        """Types KEYS and Enter at the prompt; returns the answer."""
        self.type(keys + ENTER)
        return self.after()

    def wait(self):
        """Waits for strata to exit; returns its exit status."""
        deadline = time.monotonic() + self.t.timeout
        while time.monotonic() < deadline and self.read(0.1):
            pass
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid != 0:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            self.read(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        raise Failure("strata did not exit")


def start(t, db="test.db"):
    term = Terminal(t, db, editing=edits_lines(t))
    term.expect("strata %s. Type \\? for help, \\q to quit.\r\n" %
                t.milestone.name, "the banner")
    term.expect(PROMPT, "the first prompt")
    return term


def edits_lines(t):
    """Whether this build edits lines (libedit), as --version says."""
    out = t.strata("--version").output.splitlines()
    t.check(len(out) == 2 and out[1] in ("line editing: libedit",
                                         "line editing: plain"),
            "--version: %r" % out)
    return out[1] == "line editing: libedit"


CREATE = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);"


def rows(t, db="test.db"):
    """The rows of t, read through a pipe, as CSV."""
    result = t.strata(db, "--csv", "-t", "-c", "SELECT * FROM t;")
    t.check_equal(result.status, 0, "select's exit status")
    return result.output


def test_version_names_the_milestone_and_format(t):
    """--version prints the milestone and the format version of the files
    it writes (bytes 16 to 19 of the header), then how it reads lines."""
    t.strata("v.db", "-c", CREATE)
    version = int.from_bytes(t.path("v.db").read_bytes()[16:20], "little")
    result = t.strata("--version")
    t.check_equal(result.status, 0, "exit status")
    t.check_equal(result.output.splitlines()[0], "strata %s, file format "
                  "%d" % (t.milestone.name, version), "the first line")
    edits_lines(t)


def test_typing_at_the_terminal(t):
    """The banner, a prompt, statements typed and their answers, \\q."""
    term = start(t)
    t.check_equal(term.line(CREATE).splitlines()[-1], "CREATE TABLE",
                  "the answer")
    t.check_equal(term.line("INSERT INTO t VALUES (1, 'ann');")
                  .splitlines()[-1], "INSERT 0 1", "the answer")
    term.type("\\q" + ENTER)
    t.check_equal(term.wait(), 0, "exit status")
    t.check_equal(rows(t), "1,ann\n", "select")


def test_arrow_and_control_keys_edit_the_line(t):
    """Ctrl-A goes to the start of the line, Right one character on,
    Ctrl-E to the end, Left back, Backspace deletes before the cursor
    (a whole character, even one of two bytes): a typo is fixed before
    Enter. Without line editing, the keys arrive in the line as typed."""
    editing = edits_lines(t)
    t.strata("test.db", "-c", CREATE)
    term = start(t)
    # "ISERT" gains its N; each line's ';' comes last, so that in plain
    # reading the keys' bytes end up inside a statement, not after it.
    answer = term.line("ISERT INTO t VALUES (2, 'bob')" + CTRL_A + RIGHT +
                       "N" + CTRL_E + ";")
    # "'zoëx'": the x goes, then the ë, and back in.
    answer += term.line("INSERT INTO t VALUES (3, 'zoëx" + BACKSPACE +
                        BACKSPACE + "ë');")
    answer += term.line("SELET * FROM t" + CTRL_A + RIGHT * 4 + "C" +
                        CTRL_E + LEFT + RIGHT + ";")
    term.type("\\q" + ENTER)
    t.check_equal(term.wait(), 0, "exit status")
    if editing:
        t.check("ERROR" not in answer, "a line was garbled:\n" + answer)
        t.check_equal(rows(t), "2,bob\n3,zoë\n", "select")
    else:
        t.check(answer.count("syntax error") == 2,
                "plain reading took the keys for editing:\n" + answer)


def test_up_recalls_the_previous_line(t):
    """Up brings back the line typed before, to be run again or edited:
    here its last eight characters are erased and new ones typed."""
    editing = edits_lines(t)
    t.strata("test.db", "-c", CREATE)
    term = start(t)
    term.line("INSERT INTO t VALUES (1, 'a');")
    answer = term.line(UP + BACKSPACE * 8 + "2, 'b');")
    term.type("\\q" + ENTER)
    t.check_equal(term.wait(), 0, "exit status")
    if editing:
        t.check_equal(answer.splitlines()[-1], "INSERT 0 1", "the answer")
        t.check_equal(rows(t), "1,a\n2,b\n", "select")
    else:
        t.check_equal(rows(t), "1,a\n", "select")


def test_history_is_kept_across_sessions(t):
    """The lines of a session are saved in ~/.strata_history, which only
    its owner may read, and the next session recalls them with Up."""
    editing = edits_lines(t)
    term = start(t)
    term.line(CREATE)
    term.line("INSERT INTO t VALUES (7, 'gus');")
    term.line("SELECT * FROM t;")
    term.type("\\q" + ENTER)
    t.check_equal(term.wait(), 0, "first session's exit status")
    history = t.path(".strata_history")
    if not editing:
        t.check(not history.exists(), "plain reading wrote a history")
        return
    t.check(history.exists(), "no ~/.strata_history")
    t.check_equal(oct(os.stat(history).st_mode & 0o777), oct(0o600),
                  "the history file's permissions")
    term = start(t)
    answer = term.line(UP + UP)   # \\q, then the select
    term.type("\\q" + ENTER)
    t.check_equal(term.wait(), 0, "second session's exit status")
    t.check("  7 | gus\r\n(1 row)" in answer,
            "Up Up did not run the select of the last session:\n" + answer)


def test_ctrl_c_cancels_the_statement(t):
    """Ctrl-C drops what was typed and gives a new prompt; strata goes on,
    and the cancelled insert never happened, also when it went on over
    several lines. At an empty prompt it does no harm either."""
    t.strata("test.db", "-c", CREATE)
    term = start(t)
    term.type("INSERT INTO t VALUES (9, 'ivy');")
    term.expect("'ivy');", "the typed line")
    term.type(CTRL_C)
    term.expect("^C\r\n" + PROMPT, "a new prompt after ^C")
    term.line("INSERT INTO t")
    t.check_equal(term.screen[term.seen - len(MORE):term.seen].decode(),
                  MORE, "the prompt after an unfinished statement")
    term.type("VALUES (8, 'hal')")
    term.expect("'hal')", "the second line")
    term.type(CTRL_C)
    term.expect("^C\r\n" + PROMPT, "a new prompt, not " + MORE)
    term.type(CTRL_C)
    term.expect("^C\r\n" + PROMPT, "a new prompt after ^C at the prompt")
    answer = term.line("SELECT * FROM t;")
    t.check("(0 rows)" in answer, "the cancelled inserts ran:\n" + answer)
    term.type("\\q" + ENTER)
    t.check_equal(term.wait(), 0, "exit status")
    t.check_equal(rows(t), "", "select after the session")


def test_ctrl_d_at_the_prompt_checkpoints_and_exits(t):
    """Ctrl-D on an empty line ends the session as \\q does: the rows
    are in the file and the exit status is 0."""
    term = start(t)
    term.line(CREATE)
    term.line("INSERT INTO t VALUES (3, 'cat');")
    term.type(CTRL_D)
    t.check_equal(term.wait(), 0, "exit status")
    t.check(not t.path("test.db-wal").exists(), "the log is still there")
    t.check_equal(rows(t), "3,cat\n", "select")


def test_piped_input_is_read_plain(t):
    """When the input is not a terminal, nothing is edited: the bytes of
    an arrow key are part of the line, and no history is written."""
    result = t.strata("test.db", stdin_bytes=b"\x1b[A;\nSELECT 1;\n",
                      env={"HOME": str(t.dir)})
    t.check(result.output.startswith("strata=> ERROR:  syntax error"),
            "the arrow key's bytes: %r" % result.output)
    t.check(not t.path(".strata_history").exists(), "a history was "
            "written")
