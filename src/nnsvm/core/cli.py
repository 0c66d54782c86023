"""What every stage entry point shares: logging set-up and one-line errors."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from nnsvm.core.errors import NnsvmError

log = logging.getLogger("nnsvm")


def run_stage(name: str, main: Callable[[], None]) -> None:
    """Run a stage's ``main``; a user mistake prints one line and exits 2."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    start = time.perf_counter()
    try:
        main()
    except NnsvmError as exc:
        print(f"nnsvm {name}: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"nnsvm {name}: interrupted", file=sys.stderr)
        sys.exit(130)
    log.info("stage %s done in %.1f s", name, time.perf_counter() - start)
