"""The peak memory strata reports (.memory in 05, \\memory from 06 on) is
its own: on Linux getrusage's peak of a process starts from its parent's
(it is carried across fork and exec), so strata reads the VmHWM line of
/proc/self/status instead, which starts again at exec."""
import re

MILESTONES = "05-"
NOT_NEW = "05 is where .memory comes, with the buffer pool"


def test_memory_is_strata_s_own(t):
    """The parent here, the test itself, holds 200 MiB more."""
    command = ".memory" if t.milestone.number < 6 else "\\memory"
    ballast = bytearray(200 * 1024 * 1024)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    result = t.strata("test.db", input_lines=[command])
    del ballast
    t.check_equal(result.status, 0, "exit status")
    match = re.search(r"peak memory: (\d+) KiB", result.output)
    t.check(match is not None, "no peak memory line in %r" % result.output)
    t.check(int(match.group(1)) < 50 * 1024, "peak memory %s KiB: the "
            "parent's 200 MiB are counted" % match.group(1))
