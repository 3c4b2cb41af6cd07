"""milestones.py - what the project's milestones are, and how two differ.

Shared by the test runner (tests/run.py), the book (book/tools/render.py)
and scripts/diff-milestones, so all three agree on names and diffs.

A milestone is a directory milestones/NN-slug holding a Makefile. It is
named by its number ("01"), or by its full name ("01-fixed-rows").
"""
import difflib
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MILESTONES_DIR = ROOT / "milestones"

# What a build leaves in a milestone: never part of a diff.
BUILD_LEFTOVERS = {"build", "strata", "strata-san"}


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
    for dirpath, dirnames, filenames in os.walk(milestone.path):
        rel = Path(dirpath).relative_to(milestone.path)
        if rel == Path("."):
            dirnames[:] = [d for d in dirnames if d not in BUILD_LEFTOVERS]
            filenames = [f for f in filenames if f not in BUILD_LEFTOVERS]
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        out.extend(str(rel / f) if rel != Path(".") else f
                   for f in filenames)
    return sorted(out)


def _lines(path):
    if not path.exists():
        return []
    return path.read_text(errors="replace").splitlines(keepends=True)


def file_diff(a, b, rel):
    """Unified diff of one file between milestones A and B, as text."""
    old, new = _lines(a.path / rel), _lines(b.path / rel)
    out = difflib.unified_diff(
        old, new,
        "milestones/%s/%s" % (a.name, rel) if old else "/dev/null",
        "milestones/%s/%s" % (b.name, rel) if new else "/dev/null")
    return "".join(line if line.endswith("\n") else line + "\n"
                   for line in out)


def tree_diff(a, b, only=None):
    """Unified diff between milestones A and B: every file, or ONLY."""
    files = [only] if only else sorted(
        set(source_files(a)) | set(source_files(b)))
    return "".join(file_diff(a, b, rel) for rel in files)


def diff_stat(a, b):
    """One line per changed file with lines added and removed, then a
    total, as `git diff --stat` prints it."""
    rows = []
    for rel in sorted(set(source_files(a)) | set(source_files(b))):
        added = removed = 0
        for line in file_diff(a, b, rel).splitlines():
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
        if added or removed:
            rows.append((rel, added, removed))
    if not rows:
        return "no differences\n"
    width = max(len(r[0]) for r in rows)
    text = "".join(" %-*s | %5d %s\n" % (width, rel, add + rem,
                                         "+" * min(add, 40) + "-" * min(rem, 40))
                   for rel, add, rem in rows)
    total_add = sum(r[1] for r in rows)
    total_rem = sum(r[2] for r in rows)
    return text + " %d files changed, %d insertions(+), %d deletions(-)\n" % (
        len(rows), total_add, total_rem)
