"""Foreign and damaged files, from milestone 06 on: a file of milestone 05
(and 06's file in 05), a catalog row whose root page is wrong, overflow
chains with a damaged page or link (outside the file, looping, cut
short), truncated files, and random bytes flipped. Whatever the damage,
strata never crashes, never trips a sanitizer, never hangs: each
statement answers with correct data or one clear line of error, and
\\check names the damage.
"""
import fcntl
import random
import shutil
import subprocess

import harness
import milestones
from harness import parse_csv

MILESTONES = "06-"
SQL = harness.SqlDialect()
PAGE = 4096
# What a sanitizer, an assert or the pool's pin check prints.
ALARMS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
          "Assertion", "left pinned", "Segmentation", "core dumped")


# --- building and damaging files -----------------------------------------

def build(t, db, statements):
    """Makes DB with STATEMENTS (a -f script); every one must work."""
    script = t.path(db + ".sql")
    script.write_text("".join(s + "\n" for s in statements))
    result = t.strata(db, "-q", "-f", script.name)
    t.check(result.status == 0 and result.output == "",
            "building %s: status %d, %r" % (db, result.status,
                                             result.output[-300:]))
    wal = t.path(db + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        # The close checkpointed: what the log holds is in the file too.
        wal.unlink()


def patch(t, db, offset, data):
    """Writes DATA at OFFSET of DB, and gives each page it touched the
    checksum of its new bytes (harness.seal_page): the damage gets past
    the pager's checksum, to the checks of the layers above it, which
    must find it themselves."""
    file_data = bytearray(t.path(db).read_bytes())
    file_data[offset:offset + len(data)] = bytes(data)
    for page_num in range(offset // PAGE,
                          (offset + len(data) - 1) // PAGE + 1):
        if page_num > 0:    # page 0, the file header, has no checksum
            harness.seal_page(file_data, page_num)
    t.path(db).write_bytes(bytes(file_data))


def u32(n):
    return n.to_bytes(4, "little")


def varint3(n):
    """N (below 2 ** 21) as a varint of 3 bytes (common/varint.h: 7 bits
    a byte, the lowest first, the top bit set on all but the last)."""
    assert 2 ** 14 <= n < 2 ** 21
    return bytes([n & 0x7f | 0x80, n >> 7 & 0x7f | 0x80, n >> 14])


def page(data, n):
    return data[n * PAGE:(n + 1) * PAGE]


def overflow_chains(data):
    """Every overflow chain of the file (page type 3), each a list of
    page numbers from its first page, longest first."""
    n_pages = len(data) // PAGE
    nexts = {n: int.from_bytes(page(data, n)[4:8], "little")
             for n in range(1, n_pages) if page(data, n)[0] == 3}
    pointed = set(nexts.values())
    chains = []
    for head in sorted(set(nexts) - pointed):
        chain = [head]
        while nexts.get(chain[-1], 0) and len(chain) <= n_pages:
            chain.append(nexts[chain[-1]])
        chains.append(chain)
    return sorted(chains, key=len, reverse=True)


def catalog_root_offset(data, table):
    """The byte of TABLE's root page in its strata_tables row (page 1):
    the row is name, 'table', table_name, root_page (a zigzag varint: one
    byte for pages below 64), sql."""
    name = table.encode()
    pattern = bytes([len(name)]) + name + b"\x05table" + \
        bytes([len(name)]) + name
    at = page(data, 1).find(pattern)
    assert at > 0 and page(data, 1).count(pattern) == 1, table
    return PAGE + at + len(pattern)


# --- what every answer must be -------------------------------------------

def check_sound(t, result, what):
    """RESULT never crashed, hung (t.strata fails on a timeout) or tripped
    an alarm; a failed open is one line; every error it printed is one
    line at the end of its reply, and says something."""
    out = result.output
    for alarm in ALARMS:
        t.check(alarm not in out, "%s: %r in the output:\n%s" % (
            what, alarm, out[-1500:]))
    t.check(result.status in (0, 1), "%s: exit status %d (a signal?); "
            "output ends %r" % (what, result.status, out[-600:]))
    replies = SQL.replies(out)
    if not replies:
        lines = out.splitlines()
        t.check(result.status == 1 and len(lines) == 1 and
                lines[0].startswith("strata: ") and len(lines[0]) > 20,
                "%s: no prompt, and not one line of error: %r" % (
                    what, out[-600:]))
        return replies
    for reply in replies:
        if "ERROR:" not in reply:
            continue
        error = reply[reply.index("ERROR:"):]
        t.check(error.startswith("ERROR:  ") and error.count("\n") == 1
                and error.endswith("\n") and len(error) > 20 and
                "(null)" not in error,
                "%s: an error that is not one clear line: %r" % (
                    what, reply[-600:]))
    return replies


def is_error(reply):
    return reply.startswith("ERROR:  ")


def failed_read(reply, header):
    """True if REPLY, to a SELECT whose CSV header is HEADER, is an error:
    at once, or after the header and before any row."""
    return is_error(reply) or reply.startswith(header) and \
        is_error(reply[len(header):])


# --- another milestone's files -------------------------------------------

def binary_of(t, number):
    """The strata (or strata-san) of milestone NUMBER, built if it is not
    (make -C is quick when it is; a lock keeps two tests from building it
    at once)."""
    m = milestones.find("%02d" % number)
    with open(m.path / "Makefile") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cmd = ["make", "-s", "-C", str(m.path)] + (
            ["SAN=1"] if t.sanitized else [])
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    t.check(proc.returncode == 0 and (m.path / t.binary).exists(),
            "building %s failed:\n%s" % (m.name, proc.stdout.decode(
                "utf-8", "replace")[-1000:]))
    return m


def each(t, cases, run):
    """Runs RUN(what, case) for every (what, case) of CASES, all of them
    even when some fail; then fails with every failure found."""
    failures = []
    for what, case in cases:
        try:
            run(what, case)
        except harness.Failure as e:
            failures.append(str(e))
    t.check(not failures, "%d of %d cases failed:\n%s" % (
        len(failures), len(cases), "\n".join(failures)))


def check_refused(t, result, db, before, what):
    """RESULT refused DB, a file of another milestone, with a format
    error in one line, and left it as it was."""
    lines = result.output.splitlines()
    t.check(result.status == 1 and len(lines) == 1 and
            "format" in lines[0] and "corrupt" not in lines[0],
            "%s: exit status %d, %r; expected one line saying the file is "
            "in another format" % (what, result.status, result.output))
    t.check(t.path(db).read_bytes() == before, "%s: the file changed" %
            what)


def test_a_file_of_milestone_05_is_refused(t):
    """05's file (one table of fixed rows, no catalog) is another format:
    06 says so in one line and changes nothing."""
    m05 = binary_of(t, 5)
    made = t.strata("05.db", input_lines=["insert 1 user1 a@example.com",
                                          ".exit"], milestone=m05)
    t.check_equal(made.status, 0, "05 making its file")
    before = t.path("05.db").read_bytes()
    for lines in (["SELECT * FROM strata_tables;"], ["\\dt"],
                  ["CREATE TABLE t (a INT);"]):
        result = t.strata("05.db", input_lines=lines)
        check_refused(t, result, "05.db", before, "06 opening 05's file "
                      "for %r" % lines[0])


def test_a_file_of_milestone_06_is_refused_by_05(t):
    """And 05 refuses 06's file: the format version in the header must
    say that 06's pages are not 05's."""
    m05 = binary_of(t, 5)
    build(t, "06.db", ["CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);",
                       "INSERT INTO t VALUES (1, 'one');"])
    before = t.path("06.db").read_bytes()
    result = t.strata("06.db", input_lines=["select", ".exit"],
                      milestone=m05)
    check_refused(t, result, "06.db", before, "05 opening 06's file")


# --- a wrong root page -----------------------------------------------------

def root_page_file(t):
    """t1 of 600 rows (a tree of more than one level), t2 with an
    overflow value, t3 small, and t4 dropped (its page is free): returns
    the file's bytes."""
    rows1 = [(i, "name %d" % i, i * 7) for i in range(1, 601)]
    build(t, "base.db", [
        "CREATE TABLE t1 (id INTEGER PRIMARY KEY, name TEXT, n INT);",
        "CREATE TABLE t2 (id INTEGER PRIMARY KEY, body TEXT);",
        "CREATE TABLE t3 (flag BOOLEAN, r REAL);",
        "CREATE TABLE t4 (x TEXT);"] + [
        "INSERT INTO t1 VALUES %s;" % ", ".join(
            "(%d, '%s', %d)" % r for r in rows1[i:i + 100])
        for i in range(0, 600, 100)] + [
        "INSERT INTO t2 VALUES (1, '%s'), (2, 'short');" % ("z" * 9000),
        "INSERT INTO t3 VALUES (TRUE, 1.5), (FALSE, NULL);",
        "INSERT INTO t4 VALUES ('gone');",
        "DROP TABLE t4;"])
    return t.path("base.db").read_bytes()


def test_a_catalog_row_with_a_wrong_root_page(t):
    """t3's row in strata_tables is made to point at the root of another
    table, at a leaf or an inner page of one, at an overflow page, a free
    page, the catalog's own root, page 0 and past the end of the file:
    reading t3 is an error, never another table's rows or none, writing
    it changes nothing it does not own, and \\check names the damage."""
    data = root_page_file(t)
    at = catalog_root_offset(data, "t3")
    n_pages = len(data) // PAGE
    t1_root = data[catalog_root_offset(data, "t1")] // 2
    inner = [n for n in range(3, n_pages) if page(data, n)[0] in (1, 2)
             and page(data, n)[1] == 0]
    free = [n for n in range(3, n_pages) if page(data, n)[0] == 0]
    chains = overflow_chains(data)
    t.check(inner and free and chains, "the file lacks a page to aim at: "
            "non-root nodes %r, free %r, chains %r" % (inner, free, chains))
    # The root of another tree is a tree: writing into it cannot be
    # told from writing into t3's own, until \check finds two trees on
    # one page.
    roots = {"t1's root": t1_root, "strata_tables' root": 1,
             "strata_columns' root": 2}
    targets = dict(roots, **{
        "a node of t1": inner[0], "an overflow page": chains[0][1],
        "a free page": free[0], "page 0": 0,
        "a page past the end": n_pages + 3})
    def run(what, target):
        db = "root%d.db" % target
        shutil.copy(t.path("base.db"), t.path(db))
        patch(t, db, at, [2 * target])      # zigzag: 2n
        result = t.strata(*SQL.args, db, input_lines=[
            "SELECT * FROM t3;", "INSERT INTO t3 VALUES (TRUE, 2.5);",
            "SELECT * FROM t1 WHERE id = 300;", "SELECT * FROM t2;",
            "\\check", "DROP TABLE t3;", "\\q"])
        a_root = what in roots
        what = "t3's root at %s (page %d)" % (what, target)
        replies = check_sound(t, result, what)
        if not replies:
            return      # refused at open, in one line
        t.check(len(replies) == 7, "%s: %d replies" % (what, len(replies)))
        t.check(failed_read(replies[0], "flag,r\n"), "%s: SELECT * FROM "
                "t3 answered %r, "
                "not an error" % (what, replies[0][:300]))
        t.check(a_root or is_error(replies[1]), "%s: INSERT INTO t3 "
                "answered %r" % (what, replies[1][:300]))
        t.check(replies[4] != "ok\n", "%s: \\check says ok" % what)
    each(t, list(targets.items()), run)


# --- damaged overflow chains -----------------------------------------------

def chain_file(t):
    """docs: row 1 with a 20,000-byte text (5 overflow pages), row 2 with
    300,000 bytes (74), row 3 short; other: two rows."""
    build(t, "base.db", [
        "CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT);",
        "CREATE TABLE other (id INTEGER PRIMARY KEY, v TEXT);",
        "INSERT INTO docs VALUES (1, '%s'), (2, '%s'), (3, 'short');" % (
            "".join(chr(97 + i % 26) for i in range(20000)),
            "".join(chr(65 + i % 26) for i in range(300000))),
        "INSERT INTO other VALUES (1, 'x'), (2, 'y');"])
    data = t.path("base.db").read_bytes()
    chains = overflow_chains(data)
    t.check([len(c) for c in chains] == [74, 5], "chains of %r pages" %
            [len(c) for c in chains])
    return data, chains[1]   # the chain of row 1


def damage_session(t, db, what):
    """Reads, changes and checks docs, whose row 1 has a damaged chain;
    returns the replies, each already checked to be sound."""
    result = t.strata(*SQL.args, db, input_lines=[
        "SELECT id FROM docs;", "SELECT id, body FROM docs WHERE id = 1;",
        "SELECT * FROM other;", "SELECT id FROM docs WHERE id = 3;",
        "\\check", "UPDATE docs SET body = 'new' WHERE id = 1;",
        "DELETE FROM docs WHERE id = 1;", "DROP TABLE docs;",
        "INSERT INTO other VALUES (3, 'z');", "SELECT * FROM other;",
        "\\q"])
    replies = check_sound(t, result, what)
    t.check(len(replies) == 11, "%s: %d replies, not 11" % (what,
                                                            len(replies)))
    return replies


def check_damage_found(t, replies, what):
    """Row 1 cannot be read: the scan and the lookup say so (rows 2 and 3
    may come before the error, never row 2 in place of row 1), the other
    table reads as before, \\check is not ok, and what cannot be done
    leaves the rest working."""
    t.check(failed_read(replies[0], "id\n"),
            "%s: SELECT id FROM docs answered %r: the damaged row 1 went "
            "unreported" % (what, replies[0][:300]))
    t.check(failed_read(replies[1], "id,body\n"),
            "%s: SELECT ... WHERE id = 1 answered %r, not an error" % (
                what, replies[1][:300]))
    t.check_equal(replies[2], "id,v\n1,x\n2,y\n", "%s: the other table" %
                  what)
    t.check_equal(replies[3], "id\n3\n", "%s: row 3 of docs" % what)
    t.check(replies[4] != "ok\n", "%s: \\check says ok" % what)
    t.check_equal(replies[8], "INSERT 0 1\n", "%s: an insert into the "
                  "other table" % what)
    t.check_equal(replies[9], "id,v\n1,x\n2,y\n3,z\n", "%s: the other "
                  "table at the end" % what)


def test_a_damaged_overflow_chain(t):
    """A link of row 1's chain points past the end of the file, at its
    own page (a loop), back to the chain's first page, at the leaf, at
    nothing (the chain cut short); a chain page is not an overflow page;
    the leaf cell points outside the file: every read of row 1 is an
    error, no loop hangs, and the rest of the file still works."""
    data, chain = chain_file(t)
    leaf = 3
    head_at = page(data, leaf).find(u32(chain[0]))
    t.check(head_at > 0 and page(data, leaf).count(u32(chain[0])) == 1,
            "cannot find the leaf cell's link to page %d" % chain[0])
    # Row 1's cell: key (a zigzag varint: 2), payload size (a 3-byte
    # varint: 20005), the payload's first bytes: the record's column
    # count (2), its null bitmap, the text's length (a 3-byte varint:
    # 20000), the text.
    cell = leaf * PAGE + int.from_bytes(page(data, leaf)[12:14], "little")
    t.check(data[cell:cell + 4] == bytes([2]) + varint3(20005)
            and data[cell + 4:cell + 9] == bytes([2, 1]) + varint3(20000),
            "row 1's cell is not where it was thought: %r" %
            data[cell:cell + 9])
    # A size that ends the chain where the old one ended, 250 pages on.
    big = 20005 + 250 * 4084
    damages = {
        "a link past the end": (chain[2] * PAGE + 4, u32(10 ** 6)),
        "a link far past the end": (chain[2] * PAGE + 4, u32(2 ** 32 - 1)),
        "a link to its own page": (chain[2] * PAGE + 4, u32(chain[2])),
        "a link back to the first page": (chain[3] * PAGE + 4,
                                          u32(chain[0])),
        "a link to the leaf": (chain[1] * PAGE + 4, u32(leaf)),
        "a link to nothing: the chain cut short": (chain[1] * PAGE + 4,
                                                   u32(0)),
        "a page that is not an overflow page": (chain[1] * PAGE, [2]),
        "a free-list page in the chain": (chain[1] * PAGE, [0]),
        "the leaf's link past the end": (leaf * PAGE + head_at,
                                         u32(2 ** 31)),
        "the leaf's link to page 0": (leaf * PAGE + head_at, u32(0)),
        # The cell says the payload goes on, the link says it does not,
        # and the record's text length agrees with the size: a reader
        # that believes the link reads the text out of the leaf, and
        # past its frame.
        "the leaf's link to page 0, size and length 1 MB": (
            cell + 1, varint3(big) + data[cell + 4:cell + 6] +
            varint3(big - 5) + data[cell + 9:leaf * PAGE + head_at] +
            u32(0)),
    }
    def run(what, damage):
        offset, data_ = damage
        db = "chain%d.db" % offset
        shutil.copy(t.path("base.db"), t.path(db))
        patch(t, db, offset, data_)
        replies = damage_session(t, db, what)
        # Whatever the session did, the file opens again and is sound.
        check_sound(t, t.strata(*SQL.args, db, input_lines=[
            "SELECT * FROM other;", "\\check"]), what + ", reopened")
        check_damage_found(t, replies, what)
    each(t, list(damages.items()), run)


def test_a_flipped_byte_inside_an_overflow_value(t):
    """A byte of the text in a chain page changes, and the page's
    checksum is made to match: the read follows the chain exactly: the
    value comes back whole, with that one byte different, or an error."""
    data, chain = chain_file(t)
    for n, page_num in enumerate(chain):
        db = "flip%d.db" % n
        shutil.copy(t.path("base.db"), t.path(db))
        offset = 8 + 97 * (n + 1)
        old = page(data, page_num)[offset]
        patch(t, db, page_num * PAGE + offset, [ord("#")])
        result = t.strata(*SQL.args, db, input_lines=[
            "SELECT body FROM docs WHERE id = 1;", "\\check"])
        replies = check_sound(t, result, "page %d" % page_num)
        if failed_read(replies[0], "body\n"):
            continue
        rows = parse_csv(replies[0])
        body = rows[1][0]
        expected = "".join(chr(97 + i % 26) for i in range(20000))
        diff = [i for i in range(min(len(body), 20000))
                if body[i] != expected[i]]
        t.check(len(body) == 20000 and len(diff) == 1 and
                body[diff[0]] == "#" and expected[diff[0]] == chr(old),
                "a flipped byte of chain page %d: the value read back is "
                "%d bytes and differs at %r" % (page_num, len(body),
                                                diff[:5]))


# --- truncated files ---------------------------------------------------------

def test_a_truncated_file(t):
    """The file loses its end (whole pages, a part of one, all but the
    header, or more): opening it is a clear error, or every statement is
    one, or reads what is left correctly; \\check is never ok."""
    data, _ = chain_file(t)
    size = len(data)
    for length in (1, 100, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, size // 2,
                   size - PAGE, size - 1):
        db = "cut%d.db" % length
        t.path(db).write_bytes(data[:length])
        result = t.strata(*SQL.args, db, input_lines=[
            "SELECT id FROM docs;", "SELECT * FROM other;", "\\check",
            "INSERT INTO other VALUES (9, 'new');", "\\q"])
        what = "the file cut to %d of %d bytes" % (length, size)
        replies = check_sound(t, result, what)
        if replies:
            t.check(replies[2] != "ok\n", "%s: \\check says ok" % what)
            t.check(replies[1] in ("id,v\n1,x\n2,y\n",) or
                    is_error(replies[1]),
                    "%s: SELECT * FROM other answered %r" % (
                        what, replies[1][:300]))


# --- random damage -----------------------------------------------------------

def random_file(t):
    """Several tables of every type, an overflow chain, a dropped table's
    pages on the free list."""
    statements = [
        "CREATE TABLE a (id INTEGER PRIMARY KEY, s TEXT, r REAL, b BOOL);",
        "CREATE TABLE b (note VARCHAR(50) NOT NULL, n BIGINT DEFAULT 7);",
        "CREATE TABLE gone (x TEXT);",
        "INSERT INTO gone VALUES ('%s');" % ("g" * 6000)]
    statements += ["INSERT INTO a VALUES %s;" % ", ".join(
        "(%d, 'text %d', %d.5, %s)" % (i, i, i, "TRUE" if i % 2 else "NULL")
        for i in range(k, k + 50)) for k in range(1, 300, 50)]
    statements += ["INSERT INTO b (note) VALUES ('n%d');" % i
                   for i in range(30)]
    statements += ["INSERT INTO a VALUES (1000, '%s', NULL, FALSE);" %
                   ("long " * 3000), "DROP TABLE gone;"]
    build(t, "base.db", statements)
    return t.path("base.db").read_bytes()


def test_random_bytes_flipped(t):
    """Bytes flipped at random anywhere in a file, a few at a time, in a
    bounded number of seeds: every statement after it is answered, with
    data or a clear error, by a process that does not crash or hang."""
    data = random_file(t)
    rng = random.Random(t.seed)
    n_seeds = 12 if t.sanitized else 40
    for trial in range(n_seeds):
        damaged = bytearray(data)
        # Half the time the bytes land in the header and the catalog's
        # pages, where most of the file's meaning is.
        end = 3 * PAGE if trial % 2 else len(data)
        spots = []
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(end)
            damaged[at] = rng.choice([0, 0xff, rng.randrange(256),
                                      damaged[at] ^ (1 << rng.randrange(8))])
            spots.append(at)
        db = "flip%d.db" % trial
        t.path(db).write_bytes(bytes(damaged))
        what = "seed %d, trial %d: bytes changed at %s" % (
            t.seed, trial, ", ".join(map(str, spots)))
        result = t.strata(*SQL.args, db, input_lines=[
            "SELECT * FROM a;", "SELECT * FROM b;", "\\dt",
            "SELECT * FROM strata_columns;", "\\check",
            "INSERT INTO a VALUES (5000, 'new', 1.0, TRUE);",
            "UPDATE a SET s = 'changed' WHERE id = 7;",
            "DELETE FROM a WHERE id = 8;", "INSERT INTO b VALUES ('x', 1);",
            "DROP TABLE b;", "\\check", "\\q"])
        check_sound(t, result, what)
        check_sound(t, t.strata(*SQL.args, db, input_lines=[
            "SELECT * FROM a;", "\\check"]), what + ", reopened")
        for path in (t.path(db), t.path(db + "-wal")):
            if path.exists():
                path.unlink()
