"""How a stage's process allocates memory: glibc keeps freed big blocks for reuse instead of unmapping them."""

from __future__ import annotations

import ctypes
import platform

M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4  # glibc's mallopt parameters (malloc.h)
NEVER_TRIM = -1  # mallopt(3): -1 disables trimming; a large value would not do (a C int: 1 << 36 wraps to 0)


def reuse_freed_memory() -> bool:
    """Have glibc keep the memory of freed arrays in the process for the next ones; False if not glibc.

    glibc serves each allocation above 32 MB with its own ``mmap`` and unmaps it when freed, so the
    big arrays of every step (LeNet-5's activations at batch 4096: 77 MB per feature map; Q6's kernel
    matrices) come back as fresh pages that the kernel zeroes on first touch: a third of a LeNet
    epoch's CPU time went to those page faults (``benchmarks/malloc.py`` times an epoch both ways).
    With ``mmap`` off and the heap never trimmed, a freed block is reused as it is. A finite trim
    threshold is not enough: five LeNet-5 seeds trained together free over 1 GiB at the end of a step,
    and trimming it made every step fault 1.4 GB in again. Threads' own arenas still map what does not
    fit them. Only where memory comes from changes: every result is bitwise the same
    (tests/test_memory.py).
    """
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    mallopt = ctypes.CDLL(None).mallopt
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, NEVER_TRIM))
