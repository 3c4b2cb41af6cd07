"""Milestone 05's memory does not grow with the file: scanning and
searching a database twenty times the size of the buffer pool takes no
more memory than one twice its size."""
import random
import re

MILESTONES = "05"
POOL = 64   # frames: 256 KiB of pages


def build(t, name, n_rows):
    email = "e" * 250
    t.path(name + ".csv").write_text("".join(
        "%d,user%d,%s\n" % (i, i, email) for i in range(1, n_rows + 1)))
    # Built with a pool large enough for 1000-row batches: quicker.
    out = t.strata(name + ".db", input_lines=[".import %s.csv" % name],
                   env={"STRATA_POOL_PAGES": "1024"}).output
    t.check("Imported %d rows" % n_rows in out, "import: %r" % out[-200:])
    return t.path(name + ".db").stat().st_size


def peak_kib(t, name, n_rows):
    """Strata's peak memory over a full scan and 2,000 point selects."""
    rng = random.Random(t.seed)
    script = ["select"] + ["select %d" % rng.randint(1, n_rows)
                           for _ in range(2000)] + [".memory"]
    result = t.strata("--pool-pages", str(POOL), name + ".db",
                      input_lines=script)
    t.check_equal(result.status, 0, "exit status of the %s run" % name)
    match = re.search(r"peak memory: (\d+) KiB", result.output)
    t.check(match is not None, "no .memory line in %r" %
            result.output[-300:])
    return int(match.group(1))


def test_memory_stays_flat_as_the_file_grows(t):
    """A file 2x the pool and one 20x the pool: the larger costs under
    half the difference in file size, which a cache of every page read
    (milestone 04) could not manage."""
    small_bytes = build(t, "small", 1100)
    large_bytes = build(t, "large", 11000)
    t.check(large_bytes >= 20 * POOL * 4096,
            "the large file is only %d bytes" % large_bytes)
    small = peak_kib(t, "small", 1100)
    large = peak_kib(t, "large", 11000)
    growth = (large - small) * 1024
    t.check(growth < (large_bytes - small_bytes) / 2,
            "peak memory grew by %d KiB (from %d to %d) for a file %d KiB "
            "larger" % (large - small, small, large,
                        (large_bytes - small_bytes) // 1024))
