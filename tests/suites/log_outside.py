"""What is done to a database from outside while, or before, it is open,
from milestone 04 on: its own file imported (the lock must hold), its log
removed under a running session, a log made by hand.

The lock belongs to the open database file, not to the process (flock),
so nothing the session opens and closes can drop it; a commit is not
acknowledged once the log it went to has no name; and recovery checks
every rule of the log before it writes a byte, so a log cannot make the
file grow by more pages than it holds.
"""
import os
import re
import select
import struct
import subprocess
import time

import harness

MILESTONES = "04-05"
PROMPT = b"db > "


class Session:
    """A strata process kept open, fed one line at a time."""

    def __init__(self, t, db):
        self.t = t
        self.proc = subprocess.Popen(["strata", db], cwd=t.dir, env=t.env,
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buffer = b""
        self.read_reply()  # up to the first prompt

    def read_reply(self):
        """What strata printed up to its next prompt."""
        deadline = time.monotonic() + self.t.timeout
        while PROMPT not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [],
                                        max(left, 0))
            chunk = os.read(self.proc.stdout.fileno(), 65536) if ready \
                else b""
            if not chunk:
                raise harness.Failure("strata stopped answering; it "
                                      "printed %r" % self.buffer)
            self.buffer += chunk
        reply, self.buffer = self.buffer.split(PROMPT, 1)
        return reply.decode()

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        return self.read_reply()

    def close(self):
        """Sends .exit; returns strata's exit status and its last words."""
        self.proc.stdin.write(b".exit\n")
        self.proc.stdin.close()
        rest = self.proc.stdout.read()
        return self.proc.wait(), (self.buffer + rest).decode()


def test_the_lock_holds_after_the_database_file_is_opened_again(t):
    """The session .imports its own database file, by two names: refused,
    and the file opened and closed for it drops no lock, so a second
    process is still refused (a POSIX fcntl lock would be gone, and the
    second process would redo and remove the first one's live log)."""
    t.session("test.db", ["insert 1 user1 person1@example.com"])
    os.link(t.path("test.db"), t.path("hard.csv"))
    s = Session(t, "test.db")
    t.check_equal(s.send("insert 2 user2 person2@example.com"),
                  "Executed.\n", "insert 2")
    names = ("test.db", "hard.csv", "test.db-wal")
    replies = [s.send(".import " + name) for name in names]
    second = t.strata("test.db", input_lines=["select"])
    t.check_equal((second.status, second.output),
                  (1, "Error: 'test.db' is open in another process.\n"),
                  "a second process opening test.db")
    for name, reply in zip(names, replies):
        t.check_equal(reply, "Error: cannot import '%s': it is the "
                      "database itself, or its log\n" % name,
                      ".import " + name)
    status, _ = s.close()
    t.check_equal(status, 0, "the first session's exit status")
    after = t.strata("test.db", input_lines=["select"])
    t.check_equal(t.replies(after.output)[0],
                  "(1, user1, person1@example.com)\n"
                  "(2, user2, person2@example.com)\nExecuted.\n",
                  "select after both")


def test_a_commit_to_a_log_removed_under_the_session_fails(t):
    """The log is removed while the session runs: the next commit's
    records would go to a file no open can find, so it is not
    acknowledged, and the session takes no more changes."""
    s = Session(t, "test.db")
    t.check_equal(s.send("insert 1 user1 person1@example.com"),
                  "Executed.\n", "insert 1")
    os.unlink(t.path("test.db-wal"))
    reply = s.send("insert 2 user2 person2@example.com")
    t.check_equal(reply, "Error: the log test.db-wal was removed or "
                  "replaced while the database was open, so this commit, "
                  "and those since the last checkpoint, are not durable; "
                  "the database takes no more changes in this session "
                  "(restart strata to recover)\n", "insert 2")
    reply = s.send("insert 3 user3 person3@example.com")
    t.check(reply.startswith("Error: the database takes no more changes"),
            "insert 3 replied %r" % reply)
    status, _ = s.close()
    t.check_equal(status, 1, "exit status")


def test_a_commit_to_a_log_replaced_under_the_session_fails(t):
    """Renamed away and replaced by another file, the log no longer has
    the name the next open looks for."""
    s = Session(t, "test.db")
    t.check_equal(s.send("insert 1 user1 person1@example.com"),
                  "Executed.\n", "insert 1")
    os.rename(t.path("test.db-wal"), t.path("moved.wal"))
    t.path("test.db-wal").write_bytes(b"")
    reply = s.send("insert 2 user2 person2@example.com")
    t.check(reply.startswith("Error: the log test.db-wal was removed or "
                             "replaced"), "insert 2 replied %r" % reply)
    status, _ = s.close()
    t.check_equal(status, 1, "exit status")


# --- a log made by hand --------------------------------------------------

def log_version(milestone):
    source = (milestone.path / "src" / "wal.c").read_text()
    return int(re.search(r"#define WAL_VERSION (\d+)", source).group(1))


def craft_log(t, db, records):
    """Writes DB's log by hand, in the milestone's own log format, as one
    transaction that follows the file's last checkpoint: RECORDS are
    (type, number, payload)."""
    head = t.path(db).read_bytes()[:64]
    checkpoint = struct.unpack_from("<Q", head, 32)[0]
    txn = checkpoint + 1
    version = log_version(t.milestone)
    if version == 1:   # before the log knew its database
        salt = txn & 0xFFFFFFFF
        header = b"StrataWL" + struct.pack("<III8x", 1, 4096, salt)
    else:
        salt = 0x5A17
        header = b"StrataWL" + struct.pack("<IIIQQ", version, 4096, salt,
                                           checkpoint,
                                           struct.unpack_from("<Q", head,
                                                              48)[0])
    log = header + struct.pack("<I", harness.crc32c(header))
    for kind, number, payload in records:
        r = struct.pack("<B3xIQI", kind, number, txn, salt)
        log += r + struct.pack("<I", harness.crc32c(r + payload)) + payload
    t.path(db + "-wal").write_bytes(log)
    return log


def test_a_crafted_log_cannot_grow_the_file(t):
    """A log of one page image, page 1048576, and a commit that counts
    1048577 pages: redone, it would make a 4 GiB file of a log of 4 KiB.
    Recovery checks the rules first: a commit may count only the pages
    the file had and those its transaction wrote. Nothing is written,
    and the log stays."""
    t.session("test.db", ["insert 1 user1 person1@example.com"])
    before = t.path("test.db").read_bytes()
    log = craft_log(t, "test.db", [(1, 1 << 20, b"\x02" * 4096),
                                   (2, (1 << 20) + 1, b"")])
    result = t.strata("test.db", input_lines=["select"])
    try:
        t.check_equal(t.path("test.db").stat().st_size, len(before),
                      "the file's size after the open")
        t.check(t.path("test.db").read_bytes() == before,
                "the file was written")
        t.check(result.status == 1 and "breaks the log's rules" in
                result.output, "the open said: %r" % result.output)
        t.check(t.path("test.db-wal").read_bytes() == log,
                "the log was changed")
    finally:
        t.path("test.db").unlink()   # sparse, but large to look at


def test_a_crafted_page_past_its_commit_is_refused(t):
    """A page image numbered past the count of the commit that carries
    it is refused before anything is written."""
    t.session("test.db", ["insert 1 user1 person1@example.com"])
    before = t.path("test.db").read_bytes()
    craft_log(t, "test.db", [(1, 5, b"\x02" * 4096), (2, 3, b"")])
    result = t.strata("test.db", input_lines=["select"])
    t.check(result.status == 1 and "breaks the log's rules" in
            result.output, "the open said: %r" % result.output)
    t.check(t.path("test.db").read_bytes() == before, "the file was written")
