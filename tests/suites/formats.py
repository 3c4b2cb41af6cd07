"""A file written by one milestone is never silently misread by another:
the neighbouring milestones refuse each other's files by format version,
and leave them untouched."""
import milestones

MILESTONES = "02-05"


def neighbour(t):
    return next(m for m in milestones.all_milestones()
                if m.number == t.milestone.number - 1)


def check_refused(t, writer, reader):
    db = "%s.db" % writer.name
    made = t.strata(db, input_lines=["insert 1 user1 person1@example.com"],
                    milestone=writer)
    t.check_equal(made.status, 0, "%s writing %s" % (writer.name, db))
    before = t.path(db).read_bytes()
    result = t.strata(db, input_lines=["select"], milestone=reader)
    t.check_equal(result.status, 1, "%s opening a file of %s: exit status"
                  % (reader.name, writer.name))
    t.check("is a Strata database in format" in result.output and
            "this milestone (%s) reads format" % reader.name in result.output,
            "%s opening a file of %s says: %r" % (reader.name, writer.name,
                                                 result.output))
    t.check(t.path(db).read_bytes() == before,
            "the refused file was changed")


def test_previous_milestones_file_is_refused(t):
    """This milestone refuses a file written by the one before it."""
    check_refused(t, neighbour(t), t.milestone)


def test_this_milestones_file_is_refused_by_the_previous(t):
    """The milestone before this one refuses this one's file."""
    check_refused(t, t.milestone, neighbour(t))
