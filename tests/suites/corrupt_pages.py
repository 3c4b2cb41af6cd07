"""Damaged slotted pages behind a matching checksum, from milestone 04 on.

From 04 on every page ends with a CRC-32C of the rest, so a damaged page
is refused before anything reads inside it (checksums.t). A page whose
checksum matches and whose bytes still break the slotted-page rules is
what a bug, or a file made by hand, would leave: these tests damage a
page as corrupt-pages.t does for 03, then seal it again with a checksum
that matches, and show that the checks behind the checksum still report
the damage in one line and read nothing outside the page.

Each test builds the same file: 200 rows, leaves 1, 2 and 4 under the
internal root, page 3. Offsets inside a page are read from the page
itself (its cells end 4 bytes before the page does, where the checksum
is).
"""
import harness

MILESTONES = "04-05"
PAGE_SIZE = 4096


def build(t):
    lines = ["insert %d user%d person%d@example.com" % (i, i, i)
             for i in range(1, 201)]
    t.session("test.db", lines)
    return bytearray(t.path("test.db").read_bytes())


def u16(data, at):
    return data[at] | data[at + 1] << 8


def damage(t, data, page_num, offset, new_bytes):
    """Writes NEW_BYTES at OFFSET of page PAGE_NUM, then seals the page
    with a checksum that matches its new bytes."""
    base = page_num * PAGE_SIZE
    data[base + offset:base + offset + len(new_bytes)] = new_bytes
    harness.seal_page(data, page_num)
    t.path("test.db").write_bytes(bytes(data))


def page(data, page_num):
    return data[page_num * PAGE_SIZE:(page_num + 1) * PAGE_SIZE]


def replies(t, lines, status=0):
    return t.replies(t.session("test.db", lines, expect_status=status))


def test_sealing_a_page_again_changes_nothing_a_reader_sees(t):
    """The checksum lies outside every cell: sealing page 2 again, with
    no damage, leaves every row as it was (in 03, the page's last bytes
    are a row's)."""
    data = build(t)
    damage(t, data, 2, 0, page(data, 2)[:1])
    got = replies(t, ["select 59", ".check"])
    t.check_equal(got[0], "(59, user59, person59@example.com)\n"
                  "Executed.\n", "select 59")
    t.check_equal(got[1], "ok\n", ".check")


def test_a_slot_that_points_outside_the_page(t):
    """Slot 0 of page 2 says 65520: select and insert refuse the page,
    .pages and .check name the damage, and page 1 still reads."""
    data = build(t)
    damage(t, data, 2, 12, b"\xf0\xff")
    why = "page 2: slot 0 points to byte 65520, outside the cell area"
    got = replies(t, ["select 1", "select 60",
                      "insert 70 again again@example.com", ".check"])
    t.check_equal(got[0], "(1, user1, person1@example.com)\nExecuted.\n",
                  "select 1")
    t.check_equal(got[1], "Error: %s\n" % why, "select 60")
    t.check_equal(got[2], "Error: %s\n" % why, "insert 70")
    t.check_equal(got[3], why + "\n", ".check")


def test_a_cell_whose_length_runs_past_the_end_of_the_page(t):
    """The value size of page 2's first cell is 32767: reading it would
    leave the page."""
    data = build(t)
    cell = u16(page(data, 2), 12)
    damage(t, data, 2, cell + 4, b"\xff\x7f")
    why = ("page 2: cell 0 (32773 bytes at byte %d) runs past the end of "
           "the page" % cell)
    got = replies(t, ["select 59", ".check"])
    t.check_equal(got[0], "Error: %s\n" % why, "select 59")
    t.check_equal(got[1], why + "\n", ".check")


def test_two_slots_that_point_to_the_same_cell(t):
    """Slot 1 points to slot 0's cell: the byte count adds up, so reads
    stay inside the page, but row 60 cannot be found, and .check sees the
    keys out of order."""
    data = build(t)
    cell = u16(page(data, 2), 12)
    damage(t, data, 2, 14, cell.to_bytes(2, "little"))
    got = replies(t, ["select 60", "select 61", ".check"])
    t.check_equal(got[0], "Error: Key not found.\n", "select 60")
    t.check_equal(got[1], "(61, user61, person61@example.com)\n"
                  "Executed.\n", "select 61")
    t.check_equal(got[2], "page 2: key 59 in slot 1 does not come after "
                  "key 59\n", ".check")


def test_a_cell_count_too_large_for_the_page(t):
    """65535 slots cannot fit in front of the cell area."""
    data = build(t)
    start = u16(page(data, 2), 4)
    damage(t, data, 2, 2, b"\xff\xff")
    got = replies(t, ["select 100"])
    t.check_equal(got[0], "Error: page 2: 65535 slots and a cell area "
                  "starting at %d do not fit in a page\n" % start,
                  "select 100")


def test_a_record_whose_username_length_is_impossible(t):
    """The cell is sound, but the row inside it claims a 200-byte
    username; .check reads every row and says so too."""
    data = build(t)
    cell = u16(page(data, 2), 12)
    damage(t, data, 2, cell + 6, b"\xc8")
    why = "the row with id 59 is corrupt: its username length is impossible"
    got = replies(t, ["select 59", "select 60", ".check"])
    t.check_equal(got[0], "Error: %s.\n" % why, "select 59")
    t.check_equal(got[1], "(60, user60, person60@example.com)\n"
                  "Executed.\n", "select 60")
    t.check_equal(got[2], "page 2: %s\n" % why, ".check")


def test_an_email_length_that_is_impossible(t):
    """48 instead of 20 for row 59's email no longer adds up to the
    record's size."""
    data = build(t)
    cell = u16(page(data, 2), 12)
    damage(t, data, 2, cell + 6 + 1 + len("user59"), b"\x30")
    why = "the row with id 59 is corrupt: its email length is impossible"
    got = replies(t, [".check", "select 59"])
    t.check_equal(got[0], "page 2: %s\n" % why, ".check")
    t.check_equal(got[1], "Error: %s.\n" % why, "select 59")


def test_a_damaged_root_page_refuses_the_whole_file(t):
    """The root's first slot points outside it: the file is refused."""
    data = build(t)
    damage(t, data, 3, 12, b"\xff\xff")
    result = t.strata("test.db", input_lines=["select"])
    t.check_equal(result.status, 1, "exit status")
    t.check_equal(result.output, "Error: 'test.db' is corrupt: page 3: "
                  "slot 0 points to byte 65535, outside the cell area.\n",
                  "the refusal")
