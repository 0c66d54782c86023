"""What the benchmarks share and nothing of nnsvm's: command lines, interleaved rounds, summaries, power laws.

Pure Python and NumPy (no torch), so tests/test_benchmarks.py imports it in milliseconds.
The scripts beside it import it by name: ``python benchmarks/<script>.py`` puts this folder on ``sys.path``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
REPORTS = Path("reports/benchmarks")  # where full runs write; quick runs never do


def parser(doc: str | None, rounds: int, images: int | None = None) -> argparse.ArgumentParser:
    """The options every timing benchmark takes: ``--rounds``, ``--quick``, ``--json`` (and ``--images``)."""
    p = argparse.ArgumentParser(description=(doc or "").splitlines()[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rounds", type=int, default=rounds, help=f"timed rounds, interleaved (default {rounds})")
    if images is not None:
        p.add_argument("--images", type=int, default=images, help=f"training images per timed epoch (default {images})")
    p.add_argument("--quick", action="store_true", help="tiny sizes and 2 rounds: a smoke run, not a measurement")
    p.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the results here as JSON")
    return p


def cores() -> int:
    """CPU cores this process may run on."""
    return len(os.sched_getaffinity(0))


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def interleaved(
    contenders: Mapping[str, Callable[[int], T]], rounds: int, show: Callable[[Any], str] = seconds
) -> dict[str, list[T]]:
    """What each contender measured, per round; the order rotates every round (A B C, B C A, ...) so drift hits all.

    Each contender is called with the round number; each result is printed as it comes (``show``).
    """
    names = list(contenders)
    times: dict[str, list[T]] = {name: [] for name in names}
    for r in range(rounds):
        print(f"  round {r + 1}/{rounds}:", end="", flush=True)
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times[name].append(contenders[name](r))
            print(f" {name} {show(times[name][-1])};", end="", flush=True)
        print(flush=True)
    return times


@dataclass(frozen=True)
class Rate:
    """Images/s over the rounds: the median and the slowest and fastest round."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, images: int, seconds: Sequence[float]) -> Rate:
        rates = [images / s for s in seconds]
        return cls(statistics.median(rates), min(rates), max(rates))

    @property
    def spread(self) -> float:
        """(fastest - slowest) / median: 0.1 means the rounds span 10% of the median."""
        return (self.high - self.low) / self.median

    def __str__(self) -> str:
        return f"{self.median:9,.0f} img/s  ({self.low:,.0f}-{self.high:,.0f}, spread {100 * self.spread:4.1f}%)"


def goal_line(label: str, ratio: float, goal: float) -> str:
    """``project / bare 1 thread   1.92x  (goal >= 1.80x: met)``."""
    return f"{label:<28s} {ratio:5.2f}x  (goal >= {goal:.2f}x: {'met' if ratio >= goal else 'MISSED'})"


def power_law(sizes: Sequence[float], seconds: Sequence[float]) -> tuple[float, float]:
    """``(k, c)`` of ``seconds ~= c * size ** k`` by least squares on ``log seconds = log c + k log size``."""
    if len(sizes) < 2 or len(set(sizes)) < 2:
        raise ValueError("a power law needs two different sizes or more")
    k, log_c = np.polyfit(np.log(np.asarray(sizes, float)), np.log(np.asarray(seconds, float)), 1)
    return float(k), float(np.exp(log_c))


def output_dir(out: Path | None, quick: bool) -> Path:
    """Where a run writes: ``--out``, else reports/benchmarks (full) or a fresh temp folder (quick).

    Quick numbers are not measurements, so a quick run may not write into reports/benchmarks.
    """
    if out is None:
        if not quick:
            return REPORTS
        import tempfile

        return Path(tempfile.mkdtemp(prefix="nnsvm-bench-"))
    if quick and out.resolve() == REPORTS.resolve():
        raise SystemExit(f"--quick writes smoke-run numbers: pick another --out than {REPORTS}")
    return out


def machine() -> dict:
    """What the numbers were measured on and when."""
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True).stdout
    return {
        "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git_commit": commit.strip() or None,
        "cpu": _cpu_name(),
        "cores": cores(),
        "python": platform.python_version(),
        "load_average_1min_at_start": os.getloadavg()[0],
    }


def _cpu_name() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    return next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")), platform.processor())


def write_json(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path}")
