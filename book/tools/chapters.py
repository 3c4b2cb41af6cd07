"""chapters.py - reads the book's chapters: excerpts, diffs and sessions.

A chapter is book/NN-slug.md, about milestone NN-slug. Besides Markdown it
may hold these directives, each alone on a line, which render.py replaces
with code pulled from the milestones when the book is built:

  {{code src/table.c row_slot}}       a function, struct, enum, macro or
                                      declaration, by name, with the
                                      comment right above it
  {{code 02:src/btree.c leaf_split}}  the same, from another milestone
  {{region src/row.h row-layout}}     the lines between the markers
                                      "book: begin row-layout" and
                                      "book: end row-layout"
  {{header src/plan.c}}               the comment a file opens with, where
                                      it states what it owns and its
                                      design (STYLE.md)
  {{file Makefile}}                   a whole file
  {{diff 01 02 src/table.c}}          a generated diff of one file
  {{diffstat 01 02}}                  the files two milestones differ in
  {{fulldiff 01 02}}                  the whole diff, folded: the last
                                      directive of every chapter after
                                      01, from the milestone before
  {{chapters}}                        (index only) the list of chapters
  {{picture 02 pictures/x.txt tree}}  a picture: milestone 02 runs the
                                      script book/pictures/x.txt, and the
                                      drawing "tree" draws what it printed
                                      (pictures.py; drawings in drawings.py)
  {{plot 05 hit-ratio}}               the hit ratio against the pool's
                                      size, measured on milestone 05

A fenced block whose info string is "session" is a transcript (see
tests/transcript.py): the tests run it against the chapter's milestone, in
one directory per chapter, in order, so a chapter can go on where its last
session stopped.

A directive that names something missing is an error: the book does not
build and `make test` fails. So is a picture whose script fails or whose
drawing cannot read what the milestone printed.
"""
import os
import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
BOOK = HERE.parent
ROOT = BOOK.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

import milestones  # noqa: E402
import transcript  # noqa: E402
import pictures    # noqa: E402

DIRECTIVE = re.compile(r"^\{\{(\w+)(?:\s+(.*?))?\}\}\s*$")
FENCE = re.compile(r"^(```+|~~~+)\s*(\S*)")


class DirectiveError(Exception):
    pass


class Excerpt:
    def __init__(self, caption, language, text, summary=None):
        self.caption = caption
        self.language = language
        self.text = text
        self.summary = summary      # if set: folded, under this line


class Chapter:
    def __init__(self, path):
        self.path = path
        self.file_name = path.name
        self.slug = path.stem                      # "01-fixed-rows"
        self.lines = path.read_text().split("\n")
        self.title = next((l[2:].strip() for l in self.lines
                           if l.startswith("# ")), self.slug)

    def milestone(self):
        try:
            return milestones.find(self.slug)
        except ValueError:
            return None

    def blocks(self):
        """Yields (kind, line_no, payload): ("text", n, line),
        ("directive", n, (name, args)), ("session", n, lines)."""
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            fence = FENCE.match(line)
            if fence:
                end = i + 1
                while end < len(self.lines) and \
                        not self.lines[end].startswith(fence.group(1)):
                    end += 1
                if fence.group(2) == "session":
                    yield "session", i + 1, self.lines[i + 1:end]
                else:
                    for j in range(i, min(end + 1, len(self.lines))):
                        yield "text", j + 1, self.lines[j]
                i = end + 1
                continue
            d = DIRECTIVE.match(line)
            if d:
                yield "directive", i + 1, (d.group(1),
                                           (d.group(2) or "").split())
            else:
                yield "text", i + 1, line
            i += 1

    def sessions(self):
        """Each session block as (line_no, [transcript.Command])."""
        out = []
        for kind, line_no, payload in self.blocks():
            if kind == "session":
                commands, error = transcript.parse_commands(payload,
                                                            line_no + 1)
                if error:
                    raise DirectiveError("%s: %s" % (self.file_name, error))
                out.append((line_no, commands))
        return out

    def excerpt_errors(self):
        """Every directive that does not resolve, as messages, and a
        chapter that does not end as it must (ending_error)."""
        errors = []
        for kind, line_no, payload in self.blocks():
            if kind == "directive":
                try:
                    resolve(self, *payload)
                except DirectiveError as e:
                    errors.append("%s:%d: %s" % (self.path.relative_to(ROOT),
                                                 line_no, e))
        ending = self.ending_error()
        return errors + ([ending] if ending else [])

    def ending_error(self):
        """A chapter after the first milestone's ends with the whole diff
        from the milestone before ({{fulldiff NN-1 NN}}); the first
        chapter has none. Returns what is wrong, or None."""
        m = self.milestone()
        if m is None:
            return None
        before = [x for x in milestones.all_milestones()
                  if x.number < m.number]
        last = None
        for kind, line_no, payload in self.blocks():
            if kind == "directive" or (kind != "text" or payload.strip()):
                last = (kind, line_no, payload)
        want = ("fulldiff", [before[-1].tag, m.tag]) if before else None
        got = last[2] if last and last[0] == "directive" else None
        if got and got[0] == "fulldiff" and want is None:
            return "%s: the first chapter has no {{fulldiff}}" % self.file_name
        if want and (got is None or got[0] != "fulldiff" or
                     got[1] != want[1]):
            return ("%s: must end with {{fulldiff %s %s}}, the whole diff "
                    "from the milestone before" % (self.file_name, *want[1]))
        return None


def load():
    """Every chapter, in order."""
    return [Chapter(p) for p in sorted(BOOK.glob("[0-9][0-9]-*.md"))]


def language_of(rel):
    if rel.endswith((".c", ".h")):
        return "c"
    if rel.endswith(".py"):
        return "python"
    if rel.endswith(".mk") or Path(rel).name == "Makefile":
        return "make"
    return "text"


def source(chapter, spec):
    """Splits "02:src/x.c" or "src/x.c" into (milestone, relative path)
    and checks the file exists."""
    if ":" in spec:
        name, rel = spec.split(":", 1)
    else:
        name, rel = chapter.slug, spec
    try:
        m = milestones.find(name)
    except ValueError as e:
        raise DirectiveError(str(e))
    if not (m.path / rel).is_file():
        raise DirectiveError("%s has no file %s" % (m.name, rel))
    return m, rel


def shown_path(m, rel):
    """The path a reader sees in a caption: from the project's top, so
    that common/os.c reads as itself from any milestone."""
    return os.path.normpath("milestones/%s/%s" % (m.name, rel))


def resolve_code(chapter, spec, name):
    m, rel = source(chapter, spec)
    lines = (m.path / rel).read_text().split("\n")
    found = find_c_entity(lines, name)
    if found is None:
        raise DirectiveError("no function, struct, enum, macro or "
                             "declaration named %r in %s/%s" % (
                                 name, m.name, rel))
    return Excerpt("%s: %s" % (shown_path(m, rel), name), language_of(rel),
                   "\n".join(found))


def resolve_region(chapter, spec, name):
    m, rel = source(chapter, spec)
    lines = (m.path / rel).read_text().split("\n")
    found = find_region(lines, name)
    if found is None:
        raise DirectiveError("no region %r (\"book: begin %s\" ... "
                             "\"book: end %s\") in %s/%s" % (
                                 name, name, name, m.name, rel))
    return Excerpt(shown_path(m, rel), language_of(rel),
                   textwrap.dedent("\n".join(found)))


def resolve_header(chapter, spec):
    m, rel = source(chapter, spec)
    lines = (m.path / rel).read_text().split("\n")
    if not lines or not lines[0].startswith("/*"):
        raise DirectiveError("%s/%s does not open with a comment" % (
            m.name, rel))
    end = next((i for i, line in enumerate(lines) if "*/" in line), None)
    if end is None:
        raise DirectiveError("the opening comment of %s/%s does not end" %
                             (m.name, rel))
    return Excerpt("%s: its opening comment" % shown_path(m, rel),
                   language_of(rel), "\n".join(lines[:end + 1]))


def resolve_file(chapter, spec):
    m, rel = source(chapter, spec)
    return Excerpt(shown_path(m, rel), language_of(rel),
                   (m.path / rel).read_text().rstrip("\n"))


def two_milestones(a, b):
    try:
        return milestones.find(a), milestones.find(b)
    except ValueError as e:
        raise DirectiveError(str(e))


def resolve_diff(chapter, a, b, only=None):
    a, b = two_milestones(a, b)
    if only and not (a.path / only).is_file() and \
            not (b.path / only).is_file():
        raise DirectiveError("neither %s nor %s has %s" % (a.name, b.name,
                                                            only))
    text = milestones.tree_diff(a, b, only).rstrip("\n")
    return Excerpt("diff %s %s%s" % (a.name, b.name,
                                     " " + only if only else ""),
                   "diff", text or "(no differences)")


def resolve_diffstat(chapter, a, b):
    a, b = two_milestones(a, b)
    return Excerpt("files changed from %s to %s" % (a.name, b.name),
                   "text", milestones.diff_stat(a, b).rstrip("\n"))


def resolve_fulldiff(chapter, a, b):
    a, b = two_milestones(a, b)
    stat = milestones.diff_stat(a, b).rstrip("\n")
    return Excerpt("milestones/%s to milestones/%s" % (a.name, b.name),
                   "diff", stat + "\n\n" + milestones.tree_diff(a, b).rstrip(
                       "\n"),
                   summary="Every change from %s to %s:%s" % (
                       a.name, b.name, stat.split("\n")[-1]))


# Each directive: the function that resolves it, and how many arguments
# it takes (a range). A function returns an Excerpt or raises
# DirectiveError; one more directive is one more function and line here.
DIRECTIVES = {
    "code": (resolve_code, 2, 2),
    "region": (resolve_region, 2, 2),
    "header": (resolve_header, 1, 1),
    "file": (resolve_file, 1, 1),
    "diff": (resolve_diff, 2, 3),
    "diffstat": (resolve_diffstat, 2, 2),
    "fulldiff": (resolve_fulldiff, 2, 2),
    "chapters": (lambda chapter: None, 0, 0),
}


def resolve_figure(name):
    """A picture directive: checked here, drawn by render.py."""
    def resolve_it(chapter, *args):
        try:
            return pictures.Figure(chapter.slug, name, list(args))
        except pictures.PictureError as e:
            raise DirectiveError(str(e))
    return resolve_it


for _name in pictures.DIRECTIVES:
    DIRECTIVES[_name] = (resolve_figure(_name), 0, 99)


def resolve(chapter, name, args):
    """Returns an Excerpt for a directive (a pictures.Figure for a
    picture, None for {{chapters}}, which render.py expands itself), or
    raises DirectiveError."""
    if name in DIRECTIVES:
        func, low, high = DIRECTIVES[name]
        if low <= len(args) <= high:
            return func(chapter, *args)
    raise DirectiveError("unknown directive {{%s %s}}" % (name,
                                                         " ".join(args)))


def with_comment_above(lines, first, last):
    """Lines FIRST..LAST, preceded by the comment that ends right above."""
    start = first
    above = lines[start - 1].strip() if start > 0 else ""
    # A comment of its own lines, not one that trails a line of code.
    if above.endswith("*/") and above.startswith(("/*", "*")):
        k = start - 1
        while k >= 0 and "/*" not in lines[k]:
            k -= 1
        if k >= 0:
            start = k
    return lines[start:last + 1]


def find_c_entity(lines, name):
    """The lines of the C macro, function, struct/enum/union or declaration
    called NAME, with its comment; None if there is none."""
    word = re.compile(r"\b%s\b" % re.escape(name))
    call = re.compile(r"\b%s\s*\(" % re.escape(name))
    for i, line in enumerate(lines):
        if re.match(r"\s*#\s*define\s+%s\b" % re.escape(name), line):
            j = i
            while lines[j].rstrip().endswith("\\") and j + 1 < len(lines):
                j += 1
            return with_comment_above(lines, i, j)

    def top_level(line):
        return line and line[0] not in " \t#/*{}"

    for i, line in enumerate(lines):
        if not top_level(line) or not word.search(line):
            continue
        if call.search(line):                      # a function definition?
            j = i
            while j < len(lines) and not lines[j].startswith("{") and \
                    not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and lines[j].startswith("{"):
                k = j
                while k < len(lines) and not lines[k].startswith("}"):
                    k += 1
                return with_comment_above(lines, i, k)
        tag = re.match(r"(typedef\s+)?(struct|enum|union)\s+(\w+)\s*\{?\s*$",
                       line)
        if tag and tag.group(3) == name:
            k = i
            while k < len(lines) and not lines[k].startswith("}"):
                k += 1
            return with_comment_above(lines, i, k)

    for i, line in enumerate(lines):                 # a declaration
        if top_level(line) and word.search(line) and \
                not line.startswith("typedef struct"):
            j = i
            while j < len(lines) and not lines[j].rstrip().endswith(";"):
                j += 1
            return with_comment_above(lines, i, min(j, len(lines) - 1))
    return None


def find_region(lines, name):
    begin = end = None
    for i, line in enumerate(lines):
        if re.search(r"book: begin %s\b" % re.escape(name), line):
            begin = i
        elif re.search(r"book: end %s\b" % re.escape(name), line) and \
                begin is not None:
            end = i
            break
    if begin is None or end is None:
        return None
    return lines[begin + 1:end]
