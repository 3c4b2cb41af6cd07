"""Milestone 01's table holds exactly 1300 rows: 100 pages of 13."""

MILESTONES = "01"


def insert(i):
    return "insert %d user%d person%d@example.com" % (i, i, i)


def row(i):
    return "(%d, user%d, person%d@example.com)\n" % (i, i, i)


def test_table_full_at_row_1301(t):
    """Rows 1 to 1300 are accepted; 1301 gets "Error: Table full." and
    changes nothing; select still shows 1300 rows, also after a restart,
    where the table is still full."""
    lines = [insert(i) for i in range(1, 1302)] + ["select"]
    replies = t.replies(t.session("test.db", lines))
    for i in range(1300):
        t.check_equal(replies[i], "Executed.\n", "reply to insert %d" % (i + 1))
    t.check_equal(replies[1300], "Error: Table full.\n", "reply to insert 1301")
    t.check_equal(replies[1301], "".join(row(i) for i in range(1, 1301)) +
                  "Executed.\n", "select after the table filled up")

    replies = t.replies(t.session("test.db", [insert(5000), "select"]))
    t.check_equal(replies[0], "Error: Table full.\n", "insert after restart")
    t.check_equal(replies[1].count("\n"), 1301, "lines of select")


def test_file_grows_one_page_per_13_rows(t):
    """The file is the header page plus one page per started group of 13
    rows: 13 rows fill page 1, the 14th starts page 2."""
    for n_rows, pages in ((0, 1), (13, 2), (14, 3), (1300, 101)):
        db = "rows%d.db" % n_rows
        t.session(db, [insert(i) for i in range(1, n_rows + 1)])
        size = t.path(db).stat().st_size
        t.check_equal(size, pages * 4096, "size of a file of %d rows" % n_rows)


def test_many_pages_survive_a_restart(t):
    """Rows spread over many pages read back in order after restarts."""
    t.session("test.db", [insert(i) for i in range(1, 601)])
    t.session("test.db", [insert(i) for i in range(601, 1001)])
    replies = t.replies(t.session("test.db", ["select"]))
    t.check_equal(replies[0], "".join(row(i) for i in range(1, 1001)) +
                  "Executed.\n", "select after two restarts")
