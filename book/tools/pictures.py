"""pictures.py - the book's pictures, drawn from what the code prints.

  pictures.py NN pictures/NAME.txt DRAWING > NAME.svg

draws one picture by itself, for trying a script out; the book draws
them all (render.py), and `make test` checks them (tests/run.py).

Two directives of chapters.py are handled here:

  {{picture 02 pictures/leaf-split.txt tree}}
      runs milestone 02 on the script book/pictures/leaf-split.txt and
      draws what it printed with the drawing "tree" (drawings.py)
  {{plot 05 hit-ratio}}
      the hit ratio against the pool's size, measured on milestone 05 by
      scripts/hit_ratio.py (kept in build/hit-ratio/ until the binary
      changes)

Either becomes an inline SVG in a <figure>, with a caption. Nothing in a
picture is drawn by hand: if the program's output changes, the picture
changes, and if a drawing cannot read the output, `make test` fails.

A picture script is a terminal session without the output:

    # The caption: the comment lines that open the script.
    $ seq 1 13 | awk '{ print "insert", $1, "u" $1, "e" }' | ./strata a.db
    $ ./strata a.db
    = Before: a full leaf
    .btree
    insert 14 u14 e
    = After the split
    .btree
    .exit

- "$ COMMAND" runs COMMAND with /bin/sh in the picture's own directory,
  where ./strata (and strata, on the PATH) is the milestone's binary.
  The lines after it, up to the next "$ " line, are typed at its
  prompts, one line a prompt ("db > "), waiting for each answer.
- "= TITLE" starts a panel of the picture: what the commands after it
  print, up to the next "= " line, is what the drawing draws in that
  panel (each drawing says which commands it reads). Output before the
  first panel is not drawn.
- "! COMMAND" runs COMMAND with /bin/sh while the session waits at its
  prompt, so a panel can show the files as they are mid-session (an
  `od` of the log, say).
- "[exit N]" as a block's last line expects exit status N (a crash, for
  instance); any other status than the one expected fails the picture,
  as does a "!" command that fails.
- Other lines that start with "#" are comments.
"""
import html
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BOOK = HERE.parent
ROOT = BOOK.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

import milestones  # noqa: E402
import transcript  # noqa: E402
import drawings    # noqa: E402
import svg         # noqa: E402

DIRECTIVES = ("picture", "plot")
PROMPTS = [p.encode() for p in transcript.PROMPTS]
EXIT_RE = re.compile(r"^\[exit (\d+)\]$")


class PictureError(Exception):
    pass


class Command:
    """A "$ " line and the lines of its block."""

    def __init__(self, line_no, cmdline):
        self.line_no = line_no
        self.cmdline = cmdline
        self.body = []          # (kind, line_no, text): input, panel, shell
        self.exit_status = 0


class Script:
    def __init__(self, path):
        self.path = path
        self.caption = ""
        self.prelude = []       # panels started before the first command
        self.commands = []
        self.parse(path.read_text().split("\n"))

    def where(self, line_no):
        return "%s:%d" % (rel(self.path), line_no)

    def parse(self, lines):
        caption = []
        i = 0
        while i < len(lines) and lines[i].startswith("#"):
            caption.append(lines[i].lstrip("#").strip())
            i += 1
        self.caption = " ".join(c for c in caption if c)
        if not self.caption:
            raise PictureError("%s: a picture script opens with its "
                               "caption, in comment lines" % rel(self.path))
        body = self.prelude
        ended = False
        for n, line in enumerate(lines[i:], i + 1):
            stripped = line.strip()
            if not stripped or line.startswith("#"):
                continue
            if line.startswith("$ "):
                self.commands.append(Command(n, line[2:].strip()))
                body = self.commands[-1].body
                ended = False
                continue
            if ended and not line.startswith("= "):
                raise PictureError("%s: a line after [exit N]" %
                                   self.where(n))
            if line.startswith("= "):
                body.append(("panel", n, line[2:].strip()))
            elif not self.commands:
                raise PictureError("%s: only a panel (\"= TITLE\") may "
                                   "come before the first \"$ \" command"
                                   % self.where(n))
            elif EXIT_RE.match(stripped):
                self.commands[-1].exit_status = int(
                    EXIT_RE.match(stripped).group(1))
                ended = True
            elif line.startswith("! "):
                body.append(("shell", n, line[2:].strip()))
            else:
                body.append(("input", n, line))
        if not self.commands:
            raise PictureError("%s: no \"$ \" command" % rel(self.path))


class Step:
    """One thing that printed: a typed line or a shell command."""

    def __init__(self, command, output, shell):
        self.command = command  # ".btree", or "od -A d -t x1 log.db"
        self.output = output
        self.shell = shell      # a "$ " or "! " command, not a typed line

    def name(self):
        """The command's first word, in lower case: ".btree", "od"."""
        words = self.command.split()
        return words[0].lower() if words else ""


class Panel:
    def __init__(self, title, line_no):
        self.title = title
        self.line_no = line_no
        self.steps = []


class Session:
    """Runs one command, feeding its block line by line."""

    def __init__(self, script, cmd, cwd, env, timeout):
        self.script, self.cmd, self.timeout = script, cmd, timeout
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", cmd.cmdline], cwd=cwd, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        self.buffer = b""
        self.seen = b""         # everything it printed, for the errors
        self.eof = False

    def fail(self, line_no, why):
        self.proc.kill()
        self.proc.wait()
        tail = (self.seen + self.buffer).decode("utf-8", "replace")
        tail = "\n  ".join(tail.splitlines()[-5:])
        raise PictureError("%s: %s%s" % (
            self.script.where(line_no), why,
            "; its output ends:\n  " + tail if tail else ""))

    def read(self, line_no, until_prompt):
        """The output up to the next prompt (which is dropped), or up to
        the end when UNTIL_PROMPT is false or the program has ended."""
        deadline = time.monotonic() + self.timeout
        fd = self.proc.stdout.fileno()
        while not self.eof:
            if until_prompt:
                for p in PROMPTS:
                    if self.buffer.endswith(p):
                        out = self.buffer[:-len(p)]
                        self.seen += self.buffer
                        self.buffer = b""
                        return out.decode("utf-8", "backslashreplace")
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0]
            if not ready:
                self.fail(line_no, "no %s within %s s" % (
                    "prompt" if until_prompt else "end", self.timeout))
            chunk = os.read(fd, 65536)
            if chunk:
                self.buffer += chunk
            else:
                self.eof = True
        out, self.buffer = self.buffer, b""
        self.seen += out
        return out.decode("utf-8", "backslashreplace")

    def type(self, line_no, text):
        if self.eof:
            self.fail(line_no, "the program ended before this line")
        try:
            self.proc.stdin.write(text.encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.fail(line_no, "the program ended before this line")

    def finish(self):
        """The rest of the output, after the input ends."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        rest = self.read(self.cmd.line_no, False)
        status = self.proc.wait()
        if status != self.cmd.exit_status:
            tail = "\n  ".join(rest.splitlines()[-5:])
            raise PictureError("%s: `%s` exited with %d, expected %d%s" % (
                self.script.where(self.cmd.line_no), self.cmd.cmdline,
                status, self.cmd.exit_status,
                "; its output ends:\n  " + tail if tail else ""))
        return rest


def run(script, milestone, cwd, binary="strata", env=None, timeout=30):
    """Runs SCRIPT with MILESTONE's BINARY in the directory CWD. Returns
    the panels, in order, or raises PictureError."""
    exe = milestone.path / binary
    if not exe.exists():
        raise PictureError("%s is not built: no %s (run make)" % (
            milestone.name, exe))
    link = Path(cwd) / "strata"
    if not link.exists():
        link.symlink_to(exe)
    env = dict(env if env is not None else os.environ)
    env["PATH"] = "%s:%s" % (cwd, env.get("PATH", ""))
    env["LC_ALL"] = "C"
    env.pop("STRATA_POOL_PAGES", None)
    env.pop("STRATA_FAULT", None)

    panels = []
    current = [None]

    def panel(title, line_no):
        current[0] = Panel(title, line_no)
        panels.append(current[0])

    for kind, line_no, text in script.prelude:
        panel(text, line_no)
    for cmd in script.commands:
        session = Session(script, cmd, cwd, env, timeout)
        # A block with lines to type or "!" commands is a session at a
        # prompt; a command without one gets no input at all.
        interactive = any(kind != "panel" for kind, _, _ in cmd.body)
        if not interactive:
            session.proc.stdin.close()
        steps = [(current[0], Step(cmd.cmdline, session.read(
            cmd.line_no, interactive), True))]
        for kind, line_no, text in cmd.body:
            if kind == "panel":
                panel(text, line_no)
            elif kind == "shell":
                steps.append((current[0], Step(text, shell(
                    script, line_no, text, cwd, env, timeout), True)))
            else:
                session.type(line_no, text)
                steps.append((current[0], Step(text, session.read(
                    line_no, True), False)))
        rest = session.finish()
        steps[-1][1].output += rest
        for where, step in steps:
            if where is not None:
                where.steps.append(step)
    empty = [p for p in panels if not p.steps]
    if empty:
        raise PictureError("%s: panel %r shows nothing" % (
            script.where(empty[0].line_no), empty[0].title))
    return panels


def shell(script, line_no, text, cwd, env, timeout):
    try:
        proc = subprocess.run(["/bin/sh", "-c", text], cwd=cwd, env=env,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PictureError("%s: `%s` timed out" % (script.where(line_no),
                                                   text))
    out = proc.stdout.decode("utf-8", "backslashreplace")
    if proc.returncode != 0:
        raise PictureError("%s: `%s` exited with %d:\n  %s" % (
            script.where(line_no), text, proc.returncode,
            "\n  ".join(out.splitlines()[-5:])))
    return out


class Figure:
    """A picture or plot directive, checked but not yet drawn."""

    def __init__(self, chapter_slug, name, args):
        self.name = name
        if name == "picture" and len(args) == 3:
            self.milestone = find(args[0])
            self.script_path = BOOK / args[1]
            if not self.script_path.is_file():
                raise PictureError("no picture script %s" %
                                   rel(self.script_path))
            if args[2] not in drawings.DRAWINGS:
                raise PictureError("no drawing %r (have: %s)" % (
                    args[2], ", ".join(sorted(drawings.DRAWINGS))))
            self.drawing = args[2]
            self.anchor = "picture-" + self.script_path.stem
            self.label = "%s %s" % (args[1], args[2])
        elif name == "plot" and len(args) == 2 and args[1] == "hit-ratio":
            self.milestone = find(args[0])
            self.anchor = "plot-" + args[1]
            self.label = args[1]
        else:
            raise PictureError(
                "bad directive {{%s %s}}: want {{picture NN "
                "pictures/NAME.txt DRAWING}} or {{plot NN hit-ratio}}" % (
                    name, " ".join(args)))

    def draw(self, binary="strata", env=None, timeout=30, cwd=None,
             phone=True):
        """Runs the script (or the measurement) and returns (svg text,
        caption text): with PHONE, also the picture laid out narrow when
        that differs. Raises PictureError if anything fails."""
        if self.name == "plot":
            import hit_ratio
            curves, pages = hit_ratio.measure(self.milestone)
            return hit_ratio.svg_plot(curves, pages), hit_ratio.caption(
                pages)
        script = Script(self.script_path)
        own = cwd is None
        cwd = cwd or tempfile.mkdtemp(prefix="picture-")
        draw = drawings.DRAWINGS[self.drawing]
        try:
            panels = run(script, self.milestone, cwd, binary, env, timeout)
            try:
                wide, narrow = draw(panels), draw(panels, svg.NARROW)
            except drawings.Unreadable as e:
                raise PictureError("%s: the drawing %r cannot read what "
                                   "%s printed: %s" % (
                                       rel(self.script_path), self.drawing,
                                       self.milestone.name, e))
        finally:
            if own:
                shutil.rmtree(cwd, ignore_errors=True)
        if not phone or narrow.width > 0.8 * wide.width:
            return wide.svg(script.caption), script.caption
        return "%s\n%s" % (wide.svg(script.caption, cls="wide"),
                           narrow.svg(script.caption, cls="narrow")), \
            script.caption

    def html(self):
        """The figure as one block of HTML, without blank lines."""
        picture, caption = self.draw()
        if self.name == "plot":
            source = "Measured by scripts/hit_ratio.py on %s." % (
                self.milestone.name)
        else:
            source = "Drawn from %s, run on %s." % (
                rel(self.script_path), self.milestone.name)
        return ('<figure class="picture" id="%s">\n%s\n<figcaption>%s '
                '<span class="source">%s</span></figcaption>\n</figure>' % (
                    self.anchor, picture, inline(caption),
                    html.escape(source)))


def inline(text):
    """Caption text as HTML: `code` becomes <code>code</code>."""
    parts = html.escape(text).split("`")
    return "".join("<code>%s</code>" % p if i % 2 else p
                   for i, p in enumerate(parts))


def find(name):
    try:
        return milestones.find(name)
    except ValueError as e:
        raise PictureError(str(e))


def rel(path):
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return str(path)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: pictures.py NN pictures/NAME.txt DRAWING > NAME.svg")
    try:
        picture, _ = Figure("", "picture", sys.argv[1:]).draw(phone=False)
    except PictureError as e:
        sys.exit("pictures.py: %s" % e)
    print(picture)


if __name__ == "__main__":
    main()
