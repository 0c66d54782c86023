"""What every stage entry point shares: logging set-up, one-line errors and a quick exit."""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import NoReturn

from nnsvm.core.errors import NnsvmError

log = logging.getLogger("nnsvm")


def run_stage(name: str, main: Callable[[], None]) -> NoReturn:
    """Run a stage's ``main`` and end the process; a user mistake prints one line and exits 2."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    start = time.perf_counter()
    try:
        main()
    except NnsvmError as exc:
        print(f"nnsvm {name}: error: {exc}", file=sys.stderr)
        _exit(2)
    except KeyboardInterrupt:
        print(f"nnsvm {name}: interrupted", file=sys.stderr)
        _exit(130)
    log.info("stage %s done in %.1f s", name, time.perf_counter() - start)
    _exit(0)


def _exit(code: int) -> NoReturn:
    """Exit without tearing down every imported module (MLflow, torch: over half a second). What comes
    before that clean-up still happens, in order: threads joined, exit handlers run (MLflow ends its run,
    logging flushes, temporary files go), streams flushed; only freeing objects, which writes nothing, is
    skipped. Any other error propagates as usual (a traceback and exit 1)."""
    getattr(threading, "_shutdown", lambda: None)()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)
