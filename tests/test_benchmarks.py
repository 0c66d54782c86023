"""The pure pieces of benchmarks/ (benchlib): power-law fits, rates, goal lines, interleaving, output folders."""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
benchlib = importlib.import_module("benchlib")  # a script folder, not a package: imported as the scripts do


def test_power_law_recovers_a_known_exponent():
    """It finds k = 1.7 and c = 3 from exact points of 3 n^1.7."""
    sizes = [500, 1_000, 5_000, 56_000]
    k, c = benchlib.power_law(sizes, [3 * n**1.7 for n in sizes])
    assert k == pytest.approx(1.7, abs=1e-12)
    assert c == pytest.approx(3, rel=1e-9)


def test_power_law_of_a_line_through_two_points():
    """It gives the log-log slope of two points: 1 s at 1,000 and 8 s at 2,000 is k = 3."""
    k, _ = benchlib.power_law([1_000, 2_000], [1.0, 8.0])
    assert k == pytest.approx(3.0, abs=1e-12)


def test_power_law_needs_two_sizes():
    """It refuses one size, repeated or not: no slope to fit."""
    with pytest.raises(ValueError, match="two different sizes"):
        benchlib.power_law([1_000, 1_000], [1.0, 2.0])


def test_rate_is_the_median_and_range_of_images_per_second():
    """It turns 1,000 images in 1, 2 and 0.5 s into 1,000 img/s (500-2,000), a spread of 150%."""
    rate = benchlib.Rate.of(1_000, [1.0, 2.0, 0.5])
    assert (rate.median, rate.low, rate.high) == (1_000, 500, 2_000)
    assert rate.spread == 1.5
    assert str(rate) == "    1,000 img/s  (500-2,000, spread 150.0%)"


@pytest.mark.parametrize(("ratio", "goal", "verdict"), [(1.92, 1.8, "met"), (1.8, 1.8, "met"), (0.94, 0.95, "MISSED")])
def test_goal_line_says_met_or_missed(ratio, goal, verdict):
    """It marks a ratio at or above its goal met, below it MISSED."""
    line = benchlib.goal_line("project / bare fp32 1t", ratio, goal)
    assert line == f"project / bare fp32 1t       {ratio:5.2f}x  (goal >= {goal:.2f}x: {verdict})"


def test_interleaved_rotates_the_order_every_round():
    """It runs A B C, then B C A, then C A B, and keeps each contender's seconds in round order."""
    calls = []
    contenders = {name: (lambda r, name=name: calls.append((r, name)) or 10 * r + ord(name)) for name in "ABC"}
    times = benchlib.interleaved(contenders, rounds=3)
    assert [n for _, n in calls] == list("ABCBCACAB")
    assert times == {n: [ord(n), 10 + ord(n), 20 + ord(n)] for n in "ABC"}


def test_quick_runs_never_write_into_reports_benchmarks(tmp_path, monkeypatch):
    """It sends a full run to reports/benchmarks, a quick one to a temp folder, and refuses quick + that folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    assert benchlib.output_dir(None, quick=False) == benchlib.REPORTS
    assert benchlib.output_dir(None, quick=True).resolve() != benchlib.REPORTS.resolve()
    with pytest.raises(SystemExit, match="--quick"):
        benchlib.output_dir(Path("reports/benchmarks"), quick=True)


def test_stage_overhead_ratio_line_compares_the_medians():
    """It divides the old median (3 s) by the new (1.5 s) and says whether the new one meets the 2 s goal."""
    stage_overhead = importlib.import_module("stage_overhead")
    line = stage_overhead.ratio_line([2.0, 3.0, 9.0], [1.5, 1.0, 4.0])
    assert line == "old 3.00 s, new 1.50 s: 2.00x faster (goal new <= 2.00 s: met)"
    assert stage_overhead.ratio_line([3.0], [2.5]).endswith("MISSED)")
