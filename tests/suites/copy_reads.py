"""import_reads.py from milestone 06 on: \\copy when reading the CSV file
fails. A read error is an error that names the line being read; the
batches committed before it stay, and nothing from that line on is in
the table or claimed by the message. The faults come from
STRATA_FAULT=eio=N,kind=input, which fails the Nth read of the file that
\\copy reads (common/os.h)."""
import random
import re

MILESTONES = "06-"
N_ROWS = 5500
CREATE = ("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, "
          "email TEXT);")
COPY = "\\copy users FROM 'rows.csv' CSV"


def row(i):
    return "%d,user%d,person%d@example.com" % (i, i, i)


def rows_in(t, db):
    """The rows a select shows, as CSV lines."""
    result = t.strata(db, "--csv", "-t", "-c", "SELECT * FROM users;")
    t.check_equal(result.status, 0, "select's exit status")
    return result.output.splitlines()


def copy(t, db, fault):
    """The \\copy, in batches of 8 pages (18 of them) so that a read error
    can come after some have committed."""
    t.check_equal(t.strata(db, "-c", CREATE).status, 0, "create")
    return t.strata("--batch-pages", "8", db, "-c", COPY,
                    env={"STRATA_FAULT": fault})


def test_a_read_error_anywhere_keeps_only_what_came_before(t):
    """A read error at each read of the file in turn: \\copy fails naming
    a line, never says COPY, and the table holds exactly the rows it says
    stay, each whole, all from before that line."""
    t.path("rows.csv").write_text("".join(row(i) + "\n"
                                          for i in range(1, N_ROWS + 1)))
    copy(t, "count.db", "count=reads.txt,kind=input")
    n_reads = int(t.path("reads.txt").read_text())
    t.check(n_reads >= 3, "the file took only %d reads" % n_reads)
    last_line = max_kept = 0
    for n in range(1, n_reads + 1):
        db = "fail%d.db" % n
        result = copy(t, db, "eio=%d,kind=input" % n)
        t.check_equal(result.status, 1, "read %d: exit status" % n)
        m = re.match(r"ERROR:  COPY users, line (\d+): reading the file "
                     r"failed: Input/output error; (.*)\n$", result.output)
        t.check(m is not None, "read %d: %r" % (n, result.output))
        line = int(m.group(1))
        t.check(line > last_line, "read %d fails at line %d, read %d at %d"
                % (n, line, n - 1, last_line))
        last_line = line
        rest = m.group(2)
        if rest == "nothing was copied":
            kept = 0
        else:
            k = re.match(r"the (\d+) rows before line (\d+) stay, the lines "
                         r"from there were rolled back$", rest)
            t.check(k is not None, "read %d: %r" % (n, rest))
            kept = int(k.group(1))
            t.check_equal(int(k.group(2)), kept + 1, "read %d: first line "
                          "not kept" % n)
        t.check(kept < line, "read %d: %d rows kept, line %d failed"
                % (n, kept, line))
        max_kept = max(max_kept, kept)
        t.check_equal(rows_in(t, db), [row(i) for i in range(1, kept + 1)],
                      "rows after a failed read %d" % n)
    t.check_equal(last_line, N_ROWS + 1, "the last read, at the end")
    t.check(max_kept > 0, "no read error came after a commit")

    result = copy(t, "whole.db", "eio=%d,kind=input" % (n_reads + 1))
    t.check_equal(result.output, "COPY %d\n" % N_ROWS, "no fault")
    t.check_equal(len(rows_in(t, "whole.db")), N_ROWS, "rows copied")


def test_a_batch_larger_than_the_pool_spills_each_page_once(t):
    """In an 8-frame pool a \\copy of 2,000 rows in a random order is one
    batch: the pool spills the pages it cannot keep, again and again, and
    each spill of a page the batch spilled before goes over its record, so
    the log holds far fewer page images than there were spills."""
    ids = list(range(1, 2001))
    random.Random(t.seed).shuffle(ids)
    t.path("rows.csv").write_text("".join(
        "%d,user%d,%s\n" % (i, i, "e" * 200) for i in ids))
    t.check_equal(t.strata("p.db", "-c", CREATE).status, 0, "create")
    result = t.strata("--pool-pages", "8", "p.db",
                      input_lines=[COPY, "\\stats", "\\wal"])
    t.check("COPY 2000\n" in result.output, "copy: %r" % result.output[:200])
    spills = re.search(r"pages spilled to the log: (\d+)\n", result.output)
    images = re.search(r"\((\d+) page images, 1 commit\)", result.output)
    t.check(spills is not None and images is not None,
            "\\stats, \\wal: %r" % result.output)
    t.check(int(spills.group(1)) > 1000, "only %s spills" % spills.group(1))
    t.check(int(images.group(1)) * 5 < int(spills.group(1)),
            "%s page images for %s spills" % (images.group(1),
                                               spills.group(1)))
    t.check_equal(sorted(int(line.split(",")[0])
                         for line in rows_in(t, "p.db")), list(range(1, 2001)),
                  "rows copied")
