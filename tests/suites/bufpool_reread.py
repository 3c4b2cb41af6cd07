"""A page is checked when it comes into the buffer pool, not each time it
is pinned. So a page damaged on the disk after it was first read, and
then evicted, must be checked again when it is read back: the pool may
not trust a page because it trusted the bytes it once held."""
import re
import subprocess

import harness

MILESTONES = "05"
PROMPT = b"db > "


def build(t):
    """1,500 rows of 250-byte emails: 187 leaves, far more than 8
    frames hold. Returns a leaf that is not the first, and its keys."""
    email = "e" * 250
    t.path("rows.csv").write_text("".join(
        "%d,user%d,%s\n" % (i, i, email) for i in range(1, 1501)))
    out = t.session("test.db", [".import rows.csv"])
    t.check("Imported 1500 rows" in out, "import: %r" % out[-200:])
    out = t.session("test.db", [".page 50"])
    t.check("Page 50: leaf" in out, ".page 50: %r" % out[:200])
    keys = [int(m.group(1)) for m in
            re.finditer(r"^ *\d+ +\d+ +\d+ +(\d+)$", out, re.M)]
    t.check(len(keys) > 1, ".page 50 shows no keys: %r" % out)
    return 50, keys


class Session:
    """Strata driven one line at a time: each answer is read before the
    next line is sent (the REPL flushes its prompt)."""

    def __init__(self, t, db, env):
        self.proc = subprocess.Popen(["strata", db], cwd=t.dir,
                                     env={**t.env, **env},
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.read_answer()

    def read_answer(self):
        out = b""
        while not out.endswith(PROMPT):
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                break
            out += chunk
        return out[:-len(PROMPT)].decode() if out.endswith(PROMPT) \
            else out.decode()

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        return self.read_answer()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.proc.stdout.close()


def test_a_page_damaged_after_it_was_read_is_caught_when_read_back(t):
    """Page 50 is read, then its first slot is damaged on the disk while
    strata runs. Evicted by other lookups and read again, it is refused
    with the same one-line error as a page damaged before the session."""
    page, keys = build(t)
    s = Session(t, "test.db", {"STRATA_POOL_PAGES": "8"})
    try:
        answer = s.send("select %d" % keys[0])
        t.check(answer.startswith("(%d, user%d," % (keys[0], keys[0])),
                "before the damage: %r" % answer)
        # Sealed again, so that the checksum lets the damage through to
        # the tree's check of the page's layout.
        data = bytearray(t.path("test.db").read_bytes())
        data[page * 4096 + 12:page * 4096 + 14] = b"\xf0\xff"
        harness.seal_page(data, page)
        with open(t.path("test.db"), "r+b") as f:
            f.seek(page * 4096)
            f.write(data[page * 4096:(page + 1) * 4096])
        # One key from each of 60 other leaves pushes page 50 out.
        for key in range(1, 1501, 25):
            if key not in keys:
                answer = s.send("select %d" % key)
                t.check(answer.endswith("Executed.\n"),
                        "select %d: %r" % (key, answer))
        answer = s.send("select %d" % keys[-1])
        t.check_equal(answer, "Error: page %d: slot 0 points to byte 65520, "
                      "outside the cell area\n" % page, "read back")
        answer = s.send("select %d" % keys[0])
        t.check_equal(answer, "Error: page %d: slot 0 points to byte 65520, "
                      "outside the cell area\n" % page, "read again")
        answer = s.send(".check")
        t.check_equal(answer, "page %d: slot 0 points to byte 65520, "
                      "outside the cell area\n" % page, ".check")
    finally:
        s.close()
