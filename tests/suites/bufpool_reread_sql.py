"""bufpool_reread.py from milestone 06 on, in SQL: a page is checked when
it comes into the buffer pool, not each time it is pinned. So a page
damaged on the disk after it was first read, and then evicted, must be
checked again when it is read back: the pool may not trust a page
because it trusted the bytes it once held."""
import re
import subprocess

import harness

MILESTONES = "06-"
PROMPT = b"strata=> "
PAGE = 50


def build(t):
    """1,500 rows of 250-byte emails in a table of their own: far more
    leaves than 8 frames hold. Returns the keys of leaf PAGE."""
    email = "e" * 250
    t.path("rows.csv").write_text("".join(
        "%d,user%d,%s\n" % (i, i, email) for i in range(1, 1501)))
    out = t.session("test.db", [
        "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, "
        "email TEXT);", "\\copy users FROM 'rows.csv' CSV"])
    t.check("COPY 1500\n" in out, "copy: %r" % out[-200:])
    out = t.session("test.db", ["\\page %d" % PAGE])
    t.check("Page %d: leaf" % PAGE in out, "\\page: %r" % out[:200])
    keys = [int(m.group(1)) for m in
            re.finditer(r"^ *\d+ +\d+ +\d+ +(\d+) +\d+$", out, re.M)]
    t.check(len(keys) > 1, "\\page %d shows no keys: %r" % (PAGE, out))
    return keys


class Session:
    """Strata driven one line at a time: each answer is read before the
    next line is sent (the shell flushes its prompt)."""

    def __init__(self, t, db):
        self.proc = subprocess.Popen(["strata", "--pool-pages", "8", db],
                                     cwd=t.dir, env=t.env,
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


def select(key):
    return "SELECT id, username FROM users WHERE id = %d;" % key


def test_a_page_damaged_after_it_was_read_is_caught_when_read_back(t):
    """Leaf PAGE is read, then its first slot is damaged on the disk while
    strata runs. Evicted by other lookups and read again, it is refused
    with the same one-line error as a page damaged before the session."""
    keys = build(t)
    s = Session(t, "test.db")
    error = ("ERROR:  page %d: slot 0 points to byte 65520, outside the "
             "cell area\n" % PAGE)
    try:
        answer = s.send(select(keys[0]))
        t.check("\n %d | user%d\n" % (keys[0], keys[0]) in answer,
                "before the damage: %r" % answer)
        # Sealed again, so that the checksum lets the damage through to
        # the tree's check of the page's layout.
        data = bytearray(t.path("test.db").read_bytes())
        data[PAGE * 4096 + 12:PAGE * 4096 + 14] = b"\xf0\xff"
        harness.seal_page(data, PAGE)
        with open(t.path("test.db"), "r+b") as f:
            f.seek(PAGE * 4096)
            f.write(data[PAGE * 4096:(PAGE + 1) * 4096])
        # One key from each of 60 other leaves pushes the page out.
        for key in range(1, 1501, 25):
            if key not in keys:
                answer = s.send(select(key))
                t.check(answer.endswith("(1 row)\n\n"),
                        "select %d: %r" % (key, answer))
        t.check_equal(s.send(select(keys[-1])), error, "read back")
        t.check_equal(s.send(select(keys[0])), error, "read again")
        t.check_equal(s.send("\\check"), error.replace(
            "ERROR:  ", 'ERROR:  table "users": '), "\\check")
    finally:
        s.close()
