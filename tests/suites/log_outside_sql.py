"""log_outside.py from milestone 06 on, in SQL: what is done to a database
from outside while, or before, it is open. Its own file given to \\copy
(the lock must hold), its log removed or replaced under a running
session, a log made by hand.

The lock belongs to the open database file (flock), so nothing the
session opens and closes can drop it; a commit is not acknowledged once
the log it went to has no name; and recovery checks every rule of the
log before it writes a byte, so a log cannot make the file grow by more
pages than it holds.
"""
import os
import select
import struct
import subprocess
import time

import harness

MILESTONES = "06-"
PROMPT = b"strata=> "
CREATE = ("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, "
          "email TEXT);")


def insert(n):
    return "INSERT INTO users VALUES (%d, 'user%d', 'person%d@example.com');" \
        % (n, n, n)


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
        """Sends \\q; returns strata's exit status and its last words."""
        self.proc.stdin.write(b"\\q\n")
        self.proc.stdin.close()
        rest = self.proc.stdout.read()
        return self.proc.wait(), (self.buffer + rest).decode()


def select_all(t, db):
    result = t.strata(db, "--csv", "-c", "SELECT * FROM users;")
    return result.status, result.output


def test_the_lock_holds_after_the_database_file_is_opened_again(t):
    """The session gives \\copy its own database file, by two names, and
    its log: refused, and the files opened and closed for it drop no
    lock, so a second process is still refused."""
    made = t.strata("test.db", "-c", CREATE + insert(1))
    t.check_equal(made.status, 0, "making test.db")
    os.link(t.path("test.db"), t.path("hard.csv"))
    s = Session(t, "test.db")
    t.check_equal(s.send(insert(2)), "INSERT 0 1\n", "insert 2")
    names = ("test.db", "hard.csv", "test.db-wal")
    replies = [s.send("\\copy users FROM '%s'" % name) for name in names]
    second = t.strata("test.db", "-c", "SELECT 1;")
    t.check_equal((second.status, second.output),
                  (1, "strata: 'test.db' is open in another process.\n"),
                  "a second process opening test.db")
    for name, reply in zip(names, replies):
        t.check_equal(reply, "ERROR:  cannot copy from '%s': it is the "
                      "database itself, or its log\n" % name,
                      "\\copy from " + name)
    status, _ = s.close()
    t.check_equal(status, 0, "the first session's exit status")
    t.check_equal(select_all(t, "test.db"),
                  (0, "id,username,email\n1,user1,person1@example.com\n"
                   "2,user2,person2@example.com\n"), "select after both")


def test_a_commit_to_a_log_removed_under_the_session_fails(t):
    """The log is removed while the session runs: the next commit's
    records would go to a file no open can find, so it is not
    acknowledged, and the session takes no more changes."""
    s = Session(t, "test.db")
    t.check_equal(s.send(CREATE), "CREATE TABLE\n", "create")
    os.unlink(t.path("test.db-wal"))
    reply = s.send(insert(2))
    t.check_equal(reply, "ERROR:  the log test.db-wal was removed or "
                  "replaced while the database was open, so this commit, "
                  "and those since the last checkpoint, are not durable; "
                  "the database takes no more changes in this session "
                  "(restart strata to recover)\n", "insert 2")
    reply = s.send(insert(3))
    t.check(reply.startswith("ERROR:  the database takes no more changes"),
            "insert 3 replied %r" % reply)
    status, _ = s.close()
    t.check_equal(status, 1, "exit status")


def test_a_commit_to_a_log_replaced_under_the_session_fails(t):
    """Renamed away and replaced by another file, the log no longer has
    the name the next open looks for."""
    s = Session(t, "test.db")
    t.check_equal(s.send(CREATE), "CREATE TABLE\n", "create")
    os.rename(t.path("test.db-wal"), t.path("moved.wal"))
    t.path("test.db-wal").write_bytes(b"")
    reply = s.send(insert(2))
    t.check(reply.startswith("ERROR:  the log test.db-wal was removed or "
                             "replaced"), "insert 2 replied %r" % reply)
    status, _ = s.close()
    t.check_equal(status, 1, "exit status")


# --- a log made by hand --------------------------------------------------

def craft_log(t, db, records):
    """Writes DB's log by hand, in log format 3, as one transaction that
    follows the file's last checkpoint: RECORDS are (type, number,
    payload)."""
    head = t.path(db).read_bytes()[:64]
    checkpoint = struct.unpack_from("<Q", head, 32)[0]
    txn = checkpoint + 1
    salt = 0x5A17
    header = b"StrataWL" + struct.pack("<IIIQQ", 3, 4096, salt, checkpoint,
                                       struct.unpack_from("<Q", head, 48)[0])
    log = header + struct.pack("<I", harness.crc32c(header))
    for kind, number, payload in records:
        r = struct.pack("<B3xIQI", kind, number, txn, salt)
        log += r + struct.pack("<I", harness.crc32c(r + payload)) + payload
    t.path(db + "-wal").write_bytes(log)
    return log


def made(t):
    result = t.strata("test.db", "-c", CREATE + insert(1))
    t.check_equal(result.status, 0, "making test.db")
    return t.path("test.db").read_bytes()


def test_a_crafted_log_cannot_grow_the_file(t):
    """A log of one page image, page 1048576, and a commit that counts
    1048577 pages: redone, it would make a 4 GiB file of a log of 4 KiB.
    Recovery checks the rules first. Nothing is written, and the log
    stays."""
    before = made(t)
    log = craft_log(t, "test.db", [(1, 1 << 20, b"\x02" * 4096),
                                   (2, (1 << 20) + 1, b"")])
    status, output = select_all(t, "test.db")
    try:
        t.check_equal(t.path("test.db").stat().st_size, len(before),
                      "the file's size after the open")
        t.check(t.path("test.db").read_bytes() == before,
                "the file was written")
        t.check(status == 1 and "breaks the log's rules" in output,
                "the open said: %r" % output)
        t.check(t.path("test.db-wal").read_bytes() == log,
                "the log was changed")
    finally:
        t.path("test.db").unlink()   # sparse, but large to look at


def test_a_crafted_page_past_its_commit_is_refused(t):
    """A page image numbered past the count of the commit that carries
    it is refused before anything is written."""
    before = made(t)
    craft_log(t, "test.db", [(1, 5, b"\x02" * 4096), (2, 3, b"")])
    status, output = select_all(t, "test.db")
    t.check(status == 1 and "breaks the log's rules" in output,
            "the open said: %r" % output)
    t.check(t.path("test.db").read_bytes() == before, "the file was written")


def test_a_crafted_abort_without_pages_is_refused(t):
    """An abort record follows the pages a transaction spilled; one that
    follows none was never written by strata."""
    before = made(t)
    craft_log(t, "test.db", [(4, 0, b"")])
    status, output = select_all(t, "test.db")
    t.check(status == 1 and "an abort record out of place" in output,
            "the open said: %r" % output)
    t.check(t.path("test.db").read_bytes() == before, "the file was written")


def test_a_crafted_aborted_page_is_not_redone(t):
    """A page image followed by an abort record, then a commit of the same
    transaction: the aborted image is not redone, and the table is as
    the file has it."""
    before = made(t)
    pages = len(before) // 4096
    craft_log(t, "test.db", [(1, 1, b"\x02" * 4096), (4, 0, b""),
                             (2, pages, b"")])
    status, output = select_all(t, "test.db")
    t.check_equal((status, output), (0, "id,username,email\n"
                                        "1,user1,person1@example.com\n"),
                  "select after the recovery")
