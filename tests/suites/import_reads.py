""".import when reading the CSV file fails. A read error is an error that
names the line being read; the batches committed before it stay, and
nothing from that line on is in the table or claimed by the message.
The faults come from STRATA_FAULT=eio=N,kind=input, which fails the Nth
read of the file .import reads (common/os.h)."""
import re

MILESTONES = "04-05"
N_ROWS = 5500   # the last batch is not full


def row(i):
    return "%d,user%d,person%d@example.com" % (i, i, i)


def write_rows(t):
    t.path("rows.csv").write_text("".join(row(i) + "\n"
                                          for i in range(1, N_ROWS + 1)))


def rows_in(t, db):
    """The rows a select shows, as CSV lines."""
    out = t.session(db, ["select"])
    return [m.group(1) + "," + m.group(2) + "," + m.group(3)
            for m in re.finditer(r"^(?:db > )?\((\d+), (\S+), (\S+)\)$", out,
                                 re.M)]


def test_a_read_error_anywhere_keeps_only_what_came_before(t):
    """A read error at each read of the file in turn: the import fails
    naming a line, never says "Imported", and the table holds exactly the
    rows it says stay, each whole, all from before that line."""
    write_rows(t)
    t.strata("count.db", input_lines=[".import rows.csv"],
             env={"STRATA_FAULT": "count=reads.txt,kind=input"})
    n_reads = int(t.path("reads.txt").read_text())
    t.check(n_reads >= 3, "the file took only %d reads" % n_reads)
    last_line = 0
    for n in range(1, n_reads + 1):
        db = "fail%d.db" % n
        out = t.strata(db, input_lines=[".import rows.csv"],
                       env={"STRATA_FAULT": "eio=%d,kind=input" % n}).output
        reply = t.replies(out)[0]
        t.check("Imported" not in reply, "read %d: %r" % (n, reply))
        m = re.match(r"Error: rows\.csv line (\d+): reading 'rows\.csv' "
                     r"failed: Input/output error\. (.*)\n$", reply)
        t.check(m is not None, "read %d: %r" % (n, reply))
        line = int(m.group(1))
        t.check(line > last_line, "read %d fails at line %d, read %d at %d"
                % (n, line, n - 1, last_line))
        last_line = line
        rest = m.group(2)
        if rest == "Nothing was imported.":
            kept = 0
        else:
            k = re.match(r"The (\d+) rows? before line (\d+) stays?; ", rest)
            t.check(k is not None, "read %d: %r" % (n, rest))
            kept = int(k.group(1))
            t.check_equal(int(k.group(2)), kept + 1, "read %d: first line "
                          "not kept" % n)
        t.check(kept < line, "read %d: %d rows kept, line %d failed"
                % (n, kept, line))
        t.check_equal(rows_in(t, db), [row(i) for i in range(1, kept + 1)],
                      "rows after a failed read %d" % n)
    t.check_equal(last_line, N_ROWS + 1, "the last read, at the end")

    out = t.strata("whole.db", input_lines=[".import rows.csv"],
                   env={"STRATA_FAULT": "eio=%d,kind=input" % (n_reads + 1)}
                   ).output
    t.check("Imported %d rows" % N_ROWS in out, "no fault: %r" % out)
    t.check_equal(len(rows_in(t, "whole.db")), N_ROWS, "rows imported")
