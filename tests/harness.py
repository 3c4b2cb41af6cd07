"""harness.py - what a Python test suite (tests/suites/*.py) is given.

A Python suite is for what a transcript cannot say briefly: thousands of
rows, a model checked after every step, a crash at every write. It
declares the milestones it applies to and defines test functions, each
taking a Test and failing by raising Failure (t.check... do that):

    MILESTONES = "01"

    def test_table_full_at_row_1301(t):
        '''The 1301st insert is refused and the table keeps 1300 rows.'''
        lines = [insert(i) for i in range(1, 1302)]
        replies = t.replies(t.session("test.db", lines))
        t.check_equal(replies[1300], "Error: Table full.\\n", "reply 1301")

A randomized test draws from random.Random(t.seed); the runner prints the
seed of a failing test, and `make test SEED=N` replays it exactly.
"""
import functools
import subprocess

PROMPT = "db > "
PAGE_SIZE = 4096


def crc32c(data):
    """CRC-32C (the reflected polynomial 0x82F63B78), as common/crc32c.c
    computes it: the checksum of log records and, from 04 on, pages."""
    def byte(crc, b):
        crc ^= b
        for _ in range(8):
            crc = crc >> 1 ^ (0x82F63B78 if crc & 1 else 0)
        return crc
    return functools.reduce(byte, data, 0xFFFFFFFF) ^ 0xFFFFFFFF


def seal_page(data, page_num):
    """Gives page PAGE_NUM of DATA (a bytearray of a 04-on database file)
    the checksum of its bytes, as the pager writes it in the page's last
    4 bytes: damage made this way gets past the checksum, to the checks
    behind it."""
    base = page_num * PAGE_SIZE
    crc = crc32c(data[base:base + PAGE_SIZE - 4])
    data[base + PAGE_SIZE - 4:base + PAGE_SIZE] = crc.to_bytes(4, "little")


class Failure(Exception):
    pass


class Result:
    def __init__(self, output, status):
        self.output = output    # stdout and stderr, merged, as text
        self.status = status    # exit status


class Test:
    def __init__(self, milestone, workdir, env, timeout, seed, binary):
        self.milestone = milestone  # scripts/milestones.py Milestone
        self.dir = workdir          # a fresh directory for this test
        self.env = env
        self.timeout = timeout
        self.seed = seed
        self.binary = binary        # "strata" or "strata-san"
        self.sanitized = binary.endswith("-san")
        # The buffer pool's size when a variant sets it (05 on), else None.
        pool = env.get("STRATA_POOL_PAGES")
        self.pool_pages = int(pool) if pool else None

    def path(self, name):
        return self.dir / name

    def strata(self, *args, input_lines=(), stdin_bytes=None, timeout=None,
               milestone=None, env=None):
        """Runs the milestone's strata (or that of MILESTONE, another
        Milestone) with ARGS in the test directory, feeding INPUT_LINES
        (or raw STDIN_BYTES), with ENV added to its environment (for
        STRATA_FAULT, say). Returns a Result."""
        data = stdin_bytes if stdin_bytes is not None else \
            "".join(line + "\n" for line in input_lines).encode()
        exe = "strata" if milestone is None else \
            str(milestone.path / self.binary)
        try:
            proc = subprocess.run([exe, *args], cwd=self.dir,
                                  env={**self.env, **(env or {})},
                                  input=data,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  timeout=timeout or self.timeout)
        except subprocess.TimeoutExpired:
            raise Failure("strata %s timed out" % " ".join(args))
        return Result(proc.stdout.decode("utf-8", "backslashreplace"),
                      proc.returncode)

    def session(self, db, lines, expect_status=0):
        """Runs strata on DB with LINES as input; checks the exit status
        and returns the output."""
        result = self.strata(db, input_lines=lines)
        if result.status != expect_status:
            tail = "\n".join(result.output.splitlines()[-5:])
            raise Failure("strata exited with %d, expected %d; output "
                          "ends:\n%s" % (result.status, expect_status, tail))
        return result.output

    @staticmethod
    def replies(output):
        """Splits a session's output at its prompts: reply I is what strata
        printed for input line I (the last is what followed the final
        prompt, usually nothing)."""
        return output.split(PROMPT)[1:]

    def check(self, condition, message):
        if not condition:
            raise Failure(message)

    def check_equal(self, actual, expected, what):
        if actual != expected:
            raise Failure("%s: got %r, expected %r" % (what, actual,
                                                      expected))
