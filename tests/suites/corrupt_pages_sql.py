"""corrupt_pages.py from milestone 06 on, in SQL: damaged pages behind a
matching checksum. A page whose checksum matches and whose bytes still
break the rules of its kind is what a bug, or a file made by hand, would
leave: these tests damage a page, seal it again with a checksum that
matches, and show that the checks behind the checksum report the damage
in one line, read nothing outside the page, and leave the other pages
and tables to serve what they hold.

Each test builds the same file: the catalog in pages 1 and 2; users, 200
rows in leaves 4, 5 and 6 under its root, page 3; notes, one row of
10,000 bytes in leaf 7, whose chain runs through overflow pages 10, 9
and 8 (a chain is written from its end). In a leaf cell the key and the
payload's size come first, as varints; row 62, the first of page 5, is
7c 1e (key 62 zigzagged, 30 bytes), then its record: 03 (columns), 01
(the null bitmap: id is the key), 06 "user62", 14 "person62@..."."""
import harness

MILESTONES = "06-"
PAGE_SIZE = 4096


def build(t):
    lines = ["CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, "
             "email TEXT);"]
    # Row 200 first: then no insert lands after every key, which from 08
    # on fills a leaf before it starts the next, so the pages are the
    # same in every milestone.
    lines += ["INSERT INTO users VALUES (%d, 'user%d', "
              "'person%d@example.com');" % (i, i, i)
              for i in [200] + list(range(1, 200))]
    lines += ["CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);",
              "INSERT INTO notes VALUES (1, '%s');" % ("n" * 10000)]
    out = t.session("test.db", lines)
    t.check_equal(out.count("INSERT 0 1\n"), 201, "inserts")
    return bytearray(t.path("test.db").read_bytes())


def u16(data, at):
    return data[at] | data[at + 1] << 8


def first_cell(data, page_num):
    """Where the cell of slot 0 of page PAGE_NUM starts, in the page."""
    return u16(data, page_num * PAGE_SIZE + 12)


def damage(t, data, page_num, offset, new_bytes):
    """Writes NEW_BYTES at OFFSET of page PAGE_NUM, then seals the page
    with a checksum that matches its new bytes."""
    base = page_num * PAGE_SIZE
    data[base + offset:base + offset + len(new_bytes)] = new_bytes
    harness.seal_page(data, page_num)
    t.path("test.db").write_bytes(bytes(data))


def replies(t, lines):
    return t.session("test.db", lines).split("strata=> ")[1:]


def by_id(key):
    return "SELECT id, username FROM users WHERE id = %d;" % key


def row(key):
    """What by_id(KEY) prints when the row is there (key < 100)."""
    return " id | username\n----+----------\n %2d | user%d\n(1 row)\n\n" % (
        key, key)


def test_sealing_a_page_again_changes_nothing_a_reader_sees(t):
    """The checksum lies outside every cell: sealing page 5 again, with
    no damage, leaves every row as it was."""
    data = build(t)
    damage(t, data, 5, 0, data[5 * PAGE_SIZE:5 * PAGE_SIZE + 1])
    got = replies(t, [by_id(62), "\\check"])
    t.check_equal(got[0], row(62), "row 62")
    t.check_equal(got[1], "ok\n", "\\check")


def test_a_slot_that_points_outside_the_page(t):
    """Slot 0 of page 5 says 65520: select and insert refuse the page,
    \\check names the damage, and page 4 still reads."""
    data = build(t)
    damage(t, data, 5, 12, b"\xf0\xff")
    why = "page 5: slot 0 points to byte 65520, outside the cell area"
    got = replies(t, [by_id(1), by_id(100), "INSERT INTO users VALUES "
                      "(90, 'again', 'again@example.com');", "\\check"])
    t.check_equal(got[0], row(1), "row 1")
    t.check_equal(got[1], "ERROR:  %s\n" % why, "row 100")
    t.check_equal(got[2], "ERROR:  %s\n" % why, "insert 90")
    t.check_equal(got[3], 'ERROR:  table "users": %s\n' % why, "\\check")


def test_a_cell_whose_size_runs_past_the_end_of_the_page(t):
    """The payload size of page 5's first cell is 127: reading it would
    leave the page."""
    data = build(t)
    cell = first_cell(data, 5)
    damage(t, data, 5, cell + 1, b"\x7f")
    why = ("page 5: cell 0 (129 bytes at byte %d) runs past the end of the "
           "page" % cell)
    got = replies(t, [by_id(62), "\\check"])
    t.check_equal(got[0], "ERROR:  %s\n" % why, "row 62")
    t.check_equal(got[1], 'ERROR:  table "users": %s\n' % why, "\\check")


def test_two_slots_that_point_to_the_same_cell(t):
    """Slot 1 points to slot 0's cell: the byte count adds up, so reads
    stay inside the page, but its keys are out of order. In 06 and 07
    the page is refused when it is read, so no search or range walk can
    give row 62 twice or miss row 63. From 08 on a read checks the cells
    it reads, not the page's order: the search for row 63 misses it
    without an error, as SQLite's would; that of row 62 walks on to the
    next cell, to see that no other row has id 62, and reports the
    damage, as do a walk over the leaf, forward or back, and \\check."""
    data = build(t)
    damage(t, data, 5, 14, first_cell(data, 5).to_bytes(2, "little"))
    why = "page 5: key 62 in slot 1 does not come after key 62"
    got = replies(t, [by_id(62), by_id(63), by_id(1), "\\check",
                      "SELECT count(*) FROM users;",
                      "SELECT id FROM users ORDER BY id DESC;"])
    if t.milestone.number >= 8:
        t.check_equal(got[0], "ERROR:  %s\n" % why, "row 62")
        t.check_equal(got[1], " id | username\n----+----------\n(0 rows)"
                      "\n\n", "row 63, missed")
        t.check_equal(got[4], "ERROR:  %s\n" % why, "a scan")
        t.check_equal(got[5], "ERROR:  %s\n" % why, "a scan back")
    else:
        t.check_equal(got[0], "ERROR:  %s\n" % why, "row 62")
        t.check_equal(got[1], "ERROR:  %s\n" % why, "row 63")
    t.check_equal(got[2], row(1), "row 1, in another leaf")
    t.check(got[3].startswith("ERROR:  ") and why in got[3],
            "\\check: %r" % got[3])


def test_a_cell_count_too_large_for_the_page(t):
    """65535 slots cannot fit in front of the cell area."""
    data = build(t)
    start = u16(data, 5 * PAGE_SIZE + 4)
    damage(t, data, 5, 2, b"\xff\xff")
    got = replies(t, [by_id(100)])
    t.check_equal(got[0], "ERROR:  page 5: 65535 slots and a cell area "
                  "starting at %d do not fit in a page\n" % start, "row 100")


def test_a_record_whose_text_length_is_impossible(t):
    """The cell is sound, but the record inside it claims a 96-byte
    username; \\check reads every row and says so too."""
    data = build(t)
    damage(t, data, 5, first_cell(data, 5) + 4, b"\x60")
    why = ('table "users", row 62: a record is damaged: a text is longer '
           'than the record')
    got = replies(t, [by_id(62), by_id(63), "\\check"])
    t.check_equal(got[0], "ERROR:  %s\n" % why, "row 62")
    t.check_equal(got[1], row(63), "row 63")
    t.check_equal(got[2], 'ERROR:  table "users": page 5: %s\n' % why,
                  "\\check")


def test_an_overflow_page_of_another_type(t):
    """The last page of the chain, 8, says it is a leaf: the long value
    is refused, the other table still reads."""
    data = build(t)
    damage(t, data, 8, 0, b"\x02")
    why = "page 8 is in an overflow chain but is not an overflow page"
    got = replies(t, ["SELECT id FROM notes;", by_id(7), "\\check"])
    t.check_equal(got[0], "ERROR:  key 1: %s\n" % why, "the long value")
    t.check_equal(got[1], row(7), "row 7")
    t.check_equal(got[2], 'ERROR:  table "notes": page 7: %s\n' % why,
                  "\\check")


def test_an_overflow_chain_that_leads_into_a_tree(t):
    """Page 9's next page is 3, the root of users."""
    data = build(t)
    damage(t, data, 9, 4, (3).to_bytes(4, "little"))
    why = "page 3 is in an overflow chain but is not an overflow page"
    got = replies(t, ["SELECT id FROM notes;", "\\check"])
    t.check_equal(got[0], "ERROR:  key 1: %s\n" % why, "the long value")
    t.check_equal(got[1], 'ERROR:  table "notes": page 7: %s\n' % why,
                  "\\check")


def test_an_overflow_chain_longer_than_its_value(t):
    """The last page, 8, links to page 9 again: the chain would go round
    for ever, and is refused when its value has all its bytes."""
    data = build(t)
    damage(t, data, 8, 4, (9).to_bytes(4, "little"))
    why = "an overflow chain is longer than its payload needs"
    got = replies(t, ["SELECT id FROM notes;", "\\check"])
    t.check_equal(got[0], "ERROR:  key 1: %s\n" % why, "the long value")
    t.check_equal(got[1], 'ERROR:  table "notes": page 7: %s\n' % why,
                  "\\check")


def test_a_damaged_table_root_refuses_that_table(t):
    """The root of users, page 3, has its first slot outside it: users is
    refused, notes still reads."""
    data = build(t)
    damage(t, data, 3, 12, b"\xff\xff")
    why = "page 3: slot 0 points to byte 65535, outside the cell area"
    got = replies(t, [by_id(1), "SELECT id FROM notes;", "\\check"])
    t.check_equal(got[0], "ERROR:  %s\n" % why, "row 1")
    t.check_equal(got[1], " id\n----\n  1\n(1 row)\n\n", "notes")
    t.check_equal(got[2], 'ERROR:  table "users": %s\n' % why, "\\check")


def test_a_damaged_catalog_page_refuses_the_whole_file(t):
    """The catalog's pages describe every table: a damaged one refuses the
    file, in one line."""
    for page_num in (1, 2):
        data = build(t)
        damage(t, data, page_num, 12, b"\xff\xff")
        result = t.strata("test.db", "-c", "SELECT 1;")
        t.check_equal((result.status, result.output),
                      (1, "strata: 'test.db' is corrupt: page %d: slot 0 "
                       "points to byte 65535, outside the cell area.\n" %
                       page_num), "the refusal of page %d" % page_num)
        t.path("test.db").unlink()


def build_indexed(t):
    """build's file and an index on users.email: its root, page 11, an
    internal node of one cell (person24's key) over leaves 12 (117 keys,
    person100 to person24, in byte order) and 13. An index cell is the
    key's size, a varint, then the key: 20 (text), the email, 00, then
    the row id."""
    build(t)
    out = t.session("test.db", ["CREATE INDEX users_email ON users "
                                "(email);"])
    t.check("CREATE INDEX" in out, "the index: %r" % out)
    data = bytearray(t.path("test.db").read_bytes())
    t.check_equal([data[n * PAGE_SIZE] for n in (11, 12, 13)], [4, 5, 5],
                  "the index's pages")
    return data


def slot(data, page_num, i):
    """Where the cell of slot I of page PAGE_NUM starts, in the page."""
    return u16(data, page_num * PAGE_SIZE + 12 + 2 * i)


def by_email(key):
    return "SELECT id FROM users WHERE email = 'person%d@example.com';" % key


def one_id(key):
    """What by_email prints when the row is there."""
    width = max(2, len(str(key)))
    return " id\n%s\n %*d\n(1 row)\n\n" % ("-" * (width + 2), width, key)


@harness.milestones("08-")
def test_a_point_lookup_reads_a_damaged_index_cell(t):
    """From 08 on a read checks the cells it reads. Slot 0 of leaf 12,
    person100's cell, 33 bytes before the page's end, says its key has
    127 bytes: the lookup of person100 reads that cell and refuses it;
    that of person24, at the other end of the leaf, reads other cells and
    finds its row; \\check reads every cell."""
    data = build_indexed(t)
    cell = slot(data, 12, 0)
    damage(t, data, 12, cell, b"\x7f")
    why = ("page 12: cell 0 (128 bytes at byte %d) runs past the end of "
           "the page" % cell)
    got = replies(t, [by_email(100), by_email(24), "\\check"])
    t.check_equal(got[0], "ERROR:  %s\n" % why, "person100")
    t.check_equal(got[1], one_id(24), "person24")
    t.check_equal(got[2], 'ERROR:  index "users_email": %s\n' % why,
                  "\\check")


@harness.milestones("08-")
def test_a_range_scan_reads_a_damaged_index_cell(t):
    """Slot 115 of leaf 12 (person23's cell) says its key has 768 bytes,
    more than a key can: the search for the range's first key does not
    read that cell, but the walk along the leaf does, and refuses it, as
    does the walk back through the index of an ORDER BY email DESC
    LIMIT 100 (from leaf 13 into leaf 12), and an insert into the
    leaf, which checks every cell before it changes it. The lookup of
    person100 reads other cells and finds its row."""
    data = build_indexed(t)
    damage(t, data, 12, slot(data, 12, 115), b"\x80\x06")
    why = "page 12: cell 115 has a damaged header"
    got = replies(t, ["SELECT count(*) FROM users WHERE email BETWEEN "
                      "'person1' AND 'person3';",
                      "SELECT id FROM users ORDER BY email DESC LIMIT 100;",
                      by_email(100),
                      "INSERT INTO users VALUES (300, 'x', "
                      "'person100x@example.com');", "\\check"])
    t.check_equal(got[0], "ERROR:  %s\n" % why, "the range")
    t.check_equal(got[1], "ERROR:  %s\n" % why, "the walk back")
    t.check_equal(got[2], one_id(100), "person100")
    t.check_equal(got[3], "ERROR:  %s\n" % why, "the insert")
    t.check_equal(got[4], 'ERROR:  index "users_email": %s\n' % why,
                  "\\check")


@harness.milestones("08-")
def test_an_index_internal_cell_whose_key_runs_past_the_page(t):
    """The root's one cell, at byte 4056 (36 bytes: size, key, child),
    says its key has 127 bytes: every search through the index reads it
    and refuses it; a search by row id does not use the index."""
    data = build_indexed(t)
    cell = slot(data, 11, 0)
    damage(t, data, 11, cell, b"\x7f")
    why = ("page 11: cell 0 (132 bytes at byte %d) runs past the end of "
           "the page" % cell)
    got = replies(t, [by_email(24), by_email(150), by_id(24), "\\check"])
    t.check_equal(got[0], "ERROR:  %s\n" % why, "person24")
    t.check_equal(got[1], "ERROR:  %s\n" % why, "person150")
    t.check_equal(got[2], row(24), "row 24")
    t.check_equal(got[3], 'ERROR:  index "users_email": %s\n' % why,
                  "\\check")
