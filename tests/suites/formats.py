"""A file written by one milestone is never silently misread by another:
neighbouring milestones with different format versions refuse each
other's files and leave them untouched; those that share a format (its
bytes did not change) read each other's files correctly. Up to 05 a
file is written with insert, from 06 on with SQL."""
import re

import milestones

MILESTONES = "02-"
# Not a suite of 02's idea: it compares each milestone with the one
# before, and 01 has none.
NOT_NEW = "each milestone is compared with the one before it"


def neighbour(t):
    return next(m for m in milestones.all_milestones()
                if m.number == t.milestone.number - 1)


def format_version(milestone):
    header = (milestone.path / "src" / "pager.h").read_text()
    return int(re.search(r"#define PAGER_FORMAT_VERSION (\d+)",
                         header).group(1))


def speaks_sql(milestone):
    return milestone.number >= 6


def write_one_row(t, writer, db):
    """Makes DB with WRITER: one row, in the language WRITER speaks."""
    if speaks_sql(writer):
        return t.strata(db, "-c", "CREATE TABLE users (id INTEGER PRIMARY "
                        "KEY, username TEXT, email TEXT); INSERT INTO users "
                        "VALUES (1, 'user1', 'person1@example.com');",
                        milestone=writer)
    return t.strata(db, input_lines=["insert 1 user1 person1@example.com"],
                    milestone=writer)


def check_read_or_refused(t, writer, reader):
    if format_version(writer) != format_version(reader):
        check_refused(t, writer, reader)
        return
    db = "%s.db" % writer.name
    write_one_row(t, writer, db)
    if speaks_sql(reader):
        result = t.strata(db, "--csv", "-c", "SELECT * FROM users; \\check",
                          milestone=reader)
        t.check_equal(result.output, "id,username,email\n"
                      "1,user1,person1@example.com\nok\n",
                      "%s reading a file of %s (same format)" % (
                          reader.name, writer.name))
        return
    result = t.strata(db, input_lines=["select", ".check"], milestone=reader)
    t.check_equal(t.replies(result.output)[:2],
                  ["(1, user1, person1@example.com)\nExecuted.\n", "ok\n"],
                  "%s reading a file of %s (same format)" % (reader.name,
                                                            writer.name))


def check_refused(t, writer, reader):
    db = "%s.db" % writer.name
    made = write_one_row(t, writer, db)
    t.check_equal(made.status, 0, "%s writing %s" % (writer.name, db))
    before = t.path(db).read_bytes()
    result = t.strata(db, input_lines=["select"], milestone=reader)
    t.check_equal(result.status, 1, "%s opening a file of %s: exit status"
                  % (reader.name, writer.name))
    t.check("is a Strata database in format %d" % format_version(writer)
            in result.output and "this milestone (%s) reads format %d" % (
                reader.name, format_version(reader)) in result.output and
            result.output.count("\n") == 1,
            "%s opening a file of %s says: %r" % (reader.name, writer.name,
                                                 result.output))
    t.check(t.path(db).read_bytes() == before,
            "the refused file was changed")


def test_previous_milestones_file(t):
    """This milestone refuses a file written by the one before it, or
    reads it correctly if their formats are the same."""
    check_read_or_refused(t, neighbour(t), t.milestone)


def test_this_milestones_file_in_the_previous(t):
    """The milestone before this one refuses this one's file, or reads it
    correctly if their formats are the same."""
    check_read_or_refused(t, t.milestone, neighbour(t))
