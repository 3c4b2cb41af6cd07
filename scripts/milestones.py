"""milestones.py - what the project's milestones are, and how two differ.

Shared by the test runner (tests/run.py), the book (book/tools/render.py)
and scripts/diff-milestones, so all three agree on names and diffs.

A milestone is a directory milestones/NN-slug holding a Makefile. It is
named by its number ("01"), or by its full name ("01-fixed-rows").
"""
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MILESTONES_DIR = ROOT / "milestones"

# What belongs to a milestone, and so to its diffs and to a copy made by
# scripts/new-milestone: these names at its top, and everything below
# them. The rest (./strata, build/, the files a reader's sessions make,
# such as test.db) is not part of it.
SOURCES = ("Makefile", "README.md", "src", "tests")


class Milestone:
    def __init__(self, path):
        self.path = Path(path)
        self.name = self.path.name                 # "01-fixed-rows"
        self.number = int(self.name.split("-")[0])  # 1

    @property
    def tag(self):
        return "%02d" % self.number

    def __repr__(self):
        return self.name


def all_milestones():
    found = [Milestone(p.parent) for p in MILESTONES_DIR.glob("*/Makefile")
             if re.match(r"^\d\d-[a-z0-9-]+$", p.parent.name)]
    return sorted(found, key=lambda m: m.number)


def find(name):
    """The milestone called NAME ("01" or "01-fixed-rows"), or ValueError."""
    for m in all_milestones():
        if name in (m.name, m.tag, str(m.number)):
            return m
    raise ValueError("no milestone %r (have: %s)" % (
        name, ", ".join(m.name for m in all_milestones())))


def parse_range(text):
    """Parses a milestone range: "01-05", "02", "03-" (03 on), or a comma
    list of those. Returns a predicate on milestone numbers; ValueError on
    anything else."""
    parts = [p.strip() for p in text.split(",")]
    spans = []
    for part in parts:
        m = re.fullmatch(r"(\d\d)(?:(-)(\d\d)?)?", part)
        if not m:
            raise ValueError("bad milestone range %r (want e.g. 01-05, "
                             "02, 03-)" % text)
        low = int(m.group(1))
        high = low if not m.group(2) else (
            int(m.group(3)) if m.group(3) else 99)
        if high < low:
            raise ValueError("empty milestone range %r" % text)
        spans.append((low, high))
    return lambda n: any(lo <= n <= hi for lo, hi in spans)


def source_files(milestone):
    """The files of a milestone that belong in a diff, relative paths."""
    out = []
    for top in SOURCES:
        path = milestone.path / top
        if path.is_file():
            out.append(top)
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            rel = Path(dirpath).relative_to(milestone.path)
            out.extend(str(rel / f) for f in filenames)
    return sorted(out)


def file_diff(a, b, rel):
    """Unified diff of one file between milestones A and B, as text: what
    `diff -u` prints (a minimal diff), with the paths from the project's
    top, or /dev/null for a file that one of them does not have."""
    old, new = a.path / rel, b.path / rel
    labels = ["milestones/%s/%s" % (m.name, rel) if p.exists()
              else "/dev/null" for m, p in ((a, old), (b, new))]
    proc = subprocess.run(
        ["diff", "-u", "--label", labels[0], "--label", labels[1],
         str(old) if old.exists() else "/dev/null",
         str(new) if new.exists() else "/dev/null"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode > 1:
        raise OSError("diff failed: %s" % proc.stderr.decode().strip())
    return proc.stdout.decode("utf-8", "replace")


def tree_diff(a, b, only=None):
    """Unified diff between milestones A and B: every file, or ONLY."""
    files = [only] if only else sorted(
        set(source_files(a)) | set(source_files(b)))
    return "".join(file_diff(a, b, rel) for rel in files)


def count_changes(diff_text):
    """(lines added, lines removed) in a unified diff."""
    added = removed = 0
    for line in diff_text.splitlines():
        if line.startswith(("+++ ", "--- ")):
            continue
        if line.startswith("+"):
            added += 1
        elif line.startswith("-"):
            removed += 1
    return added, removed


def scale(n, width, max_change):
    """git's scale_linear: N of MAX_CHANGE drawn in WIDTH columns, at
    least one column for any change."""
    return 0 if n == 0 else 1 + n * (width - 1) // max_change


def diff_stat(a, b, width=80):
    """One line per changed file with lines added and removed, then a
    total, drawn as `git diff --stat` draws it in WIDTH columns: the
    bars of every file on one scale, so that the longest fits."""
    rows = []
    for rel in sorted(set(source_files(a)) | set(source_files(b))):
        added, removed = count_changes(file_diff(a, b, rel))
        if added or removed:
            rows.append((rel, added, removed))
    if not rows:
        return "no differences\n"
    max_change = max(add + rem for _, add, rem in rows)
    number_width = len(str(max_change))
    name_width = max(len(rel) for rel, _, _ in rows)
    graph_width = max_change
    # As git sizes the columns: " name | count bars", one column spare.
    if name_width + number_width + 6 + graph_width > width:
        graph_width = max(min(graph_width, width * 3 // 8 - number_width
                              - 6), 6)
        if name_width > width - number_width - 6 - graph_width:
            name_width = width - number_width - 6 - graph_width
        else:
            graph_width = width - number_width - 6 - name_width
    text = []
    for rel, add, rem in rows:
        count = add + rem
        if graph_width < max_change:
            total = scale(add + rem, graph_width, max_change)
            if total < 2 and add and rem:
                total = 2
            if add < rem:
                add = scale(add, graph_width, max_change)
                rem = total - add
            else:
                rem = scale(rem, graph_width, max_change)
                add = total - rem
        name = rel if len(rel) <= name_width else \
            "..." + rel[len(rel) - name_width + 3:]
        text.append(" %-*s | %*d %s%s\n" % (
            name_width, name, number_width, count, "+" * add, "-" * rem))
    total_add = sum(r[1] for r in rows)
    total_rem = sum(r[2] for r in rows)
    summary = " %d file%s changed" % (len(rows), "s" * (len(rows) != 1))
    if total_add:
        summary += ", %d insertion%s(+)" % (total_add, "s" * (total_add != 1))
    if total_rem:
        summary += ", %d deletion%s(-)" % (total_rem, "s" * (total_rem != 1))
    return "".join(text) + summary + "\n"


def functions(milestone):
    """Every C function defined in the milestone's src/ and tests/, as
    {(relative path, name): its lines from the signature to the closing
    brace}. A definition is what the style makes it: a signature at the
    start of a line, the body between a "{" and a "}" that open lines."""
    found = {}
    for rel in source_files(milestone):
        if not rel.endswith((".c", ".h")):
            continue
        lines = (milestone.path / rel).read_text(errors="replace").split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            name = re.match(r"[A-Za-z_][\w\s\*]*?\b(\w+)\s*\(", line)
            if not name or line[0] in " \t#/*{}" or \
                    line.startswith(("typedef", "struct", "enum", "union")):
                i += 1
                continue
            j = i
            while j < len(lines) and lines[j] != "{" and \
                    not lines[j].rstrip().endswith((";", "}")):
                j += 1
            if j == len(lines) or lines[j] != "{":
                i += 1
                continue
            k = j
            while k < len(lines) and lines[k] != "}":
                k += 1
            found[(rel, name.group(1))] = "\n".join(lines[i:k + 1])
            i = k + 1
    return found


def drift(chosen):
    """Functions that are the same in milestones N-1 and N+1 but differ
    in N, for each three neighbours among CHOSEN: a fix carried past one
    milestone, or an edit that skipped one. Returns [(path, name, (N-1,
    N, N+1))], a path relative to each milestone."""
    by_number = {m.number: m for m in chosen}
    out = []
    for m in chosen:
        before, after = by_number.get(m.number - 1), \
            by_number.get(m.number + 1)
        if before is None or after is None:
            continue
        f_before, f_m, f_after = (functions(x) for x in (before, m, after))
        for key in sorted(f_before):
            if key in f_after and \
                    f_before[key] == f_after[key] != f_m.get(key):
                out.append((key[0], key[1], (before, m, after)))
    return out
