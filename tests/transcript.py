"""transcript.py - the transcript format: terminal sessions that run.

A transcript is what a learner would see in a terminal: a shell command,
then the program's output, with what was typed after each prompt.

    $ strata test.db
    db > insert 1 user1 person1@example.com
    Executed.
    db > select
    (1, user1, person1@example.com)
    Executed.
    db > .exit
    $ strata
    Must supply a database filename.
    [exit 1]

Rules, all of them:
- A line "$ COMMAND" runs COMMAND with bash in the test's own directory,
  where `strata` is the binary of the milestone under test (a book
  session types `./strata`, as a reader does in the milestone's
  directory). A pipeline fails if any command in it fails (pipefail).
- The lines up to the next "$ " line are the expected output (stdout and
  stderr together). A line that starts with a prompt ("db > " in 01-05;
  "strata=> " from 06 on, and "strata-> " inside a statement that goes on
  over several lines) is the program's prompt followed by one line of
  input: the text after the prompt is fed to the command's standard
  input, in order. A prompt alone on the block's last line is where the
  input ends.
- "[exit N]" as a block's last line expects exit status N; without it the
  status must be 0.
- Lines are compared exactly, except that trailing blanks are ignored (so
  an editor cannot break a test) and a missing final newline is forgiven.
- Several commands in one test share the directory, so a test can write
  a database, restart strata on it, and look again.
- A command that reads its own input (strata db < file) must not print
  prompts into the transcript: count or filter its output instead
  (| grep -c Executed), since a prompt line means typed input. Throwing
  its output away (> /dev/null) is refused, since that hides the errors
  of a test's set-up, unless the block expects a non-zero exit status
  (a simulated crash, [exit 99], is what that command checks).
"""
import difflib
import re
import subprocess

PROMPTS = ("db > ", "strata=> ", "strata-> ")
EXIT_RE = re.compile(r"^\[exit (\d+)\]$")
# A pipeline fails when any of its commands fails, not only the last: a
# strata that crashes in `strata db < rows.txt | grep -c Executed` fails
# the test although grep succeeds.
SHELL = ["bash", "-o", "pipefail", "-c"]
# strata's output thrown away: `strata ... > /dev/null` (or 2>).
DISCARDED = re.compile(r"\bstrata\b[^|;&]*>\s*/dev/null")


def prompt_of(line):
    """The prompt LINE starts with, or None."""
    for prompt in PROMPTS:
        if line.startswith(prompt) or line == prompt.rstrip():
            return prompt
    return None


class Command:
    """One "$ COMMAND" with its expected output."""

    def __init__(self, line_no, cmdline, lines):
        self.line_no = line_no          # of the "$ " line, 1-based
        self.cmdline = cmdline
        self.exit_status = 0
        while lines and lines[-1].strip() == "":
            lines.pop()
        # As written, "[exit N]" included: what --update replaces.
        self.n_block_lines = len(lines)
        if lines and EXIT_RE.match(lines[-1].strip()):
            self.exit_status = int(EXIT_RE.match(lines[-1].strip()).group(1))
            lines.pop()
        self.expected = [line.rstrip() for line in lines]

    def inputs(self):
        """The lines typed at the prompts, in order."""
        typed = []
        for i, line in enumerate(self.expected):
            prompt = prompt_of(line)
            if prompt is None:
                continue
            text = line[len(prompt):] if line.startswith(prompt) else ""
            if i == len(self.expected) - 1 and text == "":
                break  # a bare prompt last: the input ends here
            typed.append(text)
        return typed


def parse_commands(lines, first_line_no):
    """Splits LINES (a test body) into Commands. Lines before the first
    "$ " must be empty; returns (commands, error or None)."""
    commands = []
    current = None
    for offset, line in enumerate(lines):
        line_no = first_line_no + offset
        if line.startswith("$ "):
            if current:
                commands.append(Command(*current))
            current = (line_no, line[2:].strip(), [])
        elif current:
            current[2].append(line)
        elif line.strip():
            return [], "line %d: output before any \"$ \" command" % line_no
    if current:
        commands.append(Command(*current))
    for cmd in commands:
        if DISCARDED.search(cmd.cmdline) and cmd.exit_status == 0:
            return [], ("line %d: strata's output goes to /dev/null, which "
                        "hides any error it reports: count its replies "
                        "instead (| grep -c Executed)" % cmd.line_no)
    return commands, None


def interleave(output, inputs):
    """Rebuilds the terminal view: the input lines typed after each prompt
    in the program's OUTPUT, as a terminal would echo them."""
    view = []
    pos = 0
    for typed in inputs:
        found = [(output.find(p, pos), p) for p in PROMPTS]
        found = [(i, p) for i, p in found if i >= 0]
        if not found:
            break
        at, prompt = min(found)
        end = at + len(prompt)
        view.append(output[pos:end] + typed + "\n")
        pos = end
    view.append(output[pos:])
    return "".join(view)


def normalize(text):
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


class Outcome:
    def __init__(self, ok, actual_lines, exit_status, message="",
                 timed_out=False):
        self.ok = ok
        self.actual = actual_lines
        self.exit_status = exit_status
        self.message = message
        self.timed_out = timed_out


def run_command(cmd, cwd, env, timeout):
    """Runs one Command and compares; returns an Outcome."""
    stdin = "".join(line + "\n" for line in cmd.inputs()).encode()
    try:
        proc = subprocess.run(SHELL + [cmd.cmdline], cwd=cwd,
                              env=env, input=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.output or b"").decode("utf-8", "backslashreplace")
        return Outcome(False, normalize(interleave(out, cmd.inputs())), None,
                       "timed out after %s s" % timeout, timed_out=True)
    out = proc.stdout.decode("utf-8", "backslashreplace")
    actual = normalize(interleave(out, cmd.inputs()))
    ok = actual == normalize("\n".join(cmd.expected)) and \
        proc.returncode == cmd.exit_status
    message = ""
    if proc.returncode != cmd.exit_status:
        message = "exit status %d, expected %d" % (proc.returncode,
                                                   cmd.exit_status)
    return Outcome(ok, actual, proc.returncode, message)


def describe_failure(cmd, outcome):
    """A readable report: the command, then a diff of expected and actual."""
    out = ["  $ " + cmd.cmdline]
    if outcome.message:
        out.append("  " + outcome.message)
    expected = normalize("\n".join(cmd.expected))
    if outcome.actual != expected:
        diff = difflib.unified_diff(expected, outcome.actual, "expected",
                                    "actual", lineterm="", n=3)
        out.extend("  " + line for line in diff)
    return "\n".join(out)


def updated_block(outcome):
    """The lines that replace a command's block when expectations are
    regenerated (--update)."""
    lines = list(outcome.actual)
    if outcome.exit_status:
        lines.append("[exit %d]" % outcome.exit_status)
    return lines
