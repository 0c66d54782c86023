"""Small numeric summaries several questions share."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.stats


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(ys) against log(xs): the exponent of a power law ys ~ xs^k."""
    return float(np.polyfit(np.log(np.asarray(xs, float)), np.log(np.asarray(ys, float)), 1)[0])


def z_two_sided(level: float) -> float:
    """The standard normal quantile for a two-sided ``level`` interval (2.576 for 0.99)."""
    return float(scipy.stats.norm.ppf(0.5 + level / 2))


def prediction_interval(values: Sequence[float], level: float = 0.99) -> tuple[float, float]:
    """Where one more run of the same protocol falls with probability ``level``, from ``values`` of earlier runs.

    Student's t: mean ± t(level, n-1) sd sqrt(1 + 1/n); a single run gives just itself.
    """
    x = np.asarray(values, float)
    if len(x) < 2:
        return float(x.min()), float(x.max())
    half = float(scipy.stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) * np.sqrt(1 + 1 / len(x)))
    return float(x.mean() - half), float(x.mean() + half)


def two_sample_halfwidth(p: float, n: int, level: float = 0.99) -> float:
    """Half-width of the ``level`` interval of the difference of two accuracies ``p`` measured on ``n`` items each.

    Two runs of one protocol on different random samples (the answer's split and
    ours) differ by the binomial noise of both: z sqrt(2 p (1 - p) / n).
    """
    return z_two_sided(level) * float(np.sqrt(2 * p * (1 - p) / n))


def difference_halfwidth(p1: float, p2: float, n: int, level: float = 0.99) -> float:
    """Half-width of the ``level`` interval of ``p1 - p2``, two shares measured on ``n`` items each.

    z sqrt((p1 q1 + p2 q2) / n): the noise of both, as if independent samples. On the
    same images (a shifted or rotated test set) the two are positively correlated, so
    this overstates the noise: a conservative interval. For ``p1 = p2`` it is
    :func:`two_sample_halfwidth`.
    """
    return z_two_sided(level) * float(np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n))


def paired_interval(differences: Sequence[float], level: float = 0.99) -> tuple[float, float, float]:
    """Mean of paired ``differences`` (the same folds, seeds or images) and its ``level`` interval: paired t.

    mean ± t(level, n-1) sd / sqrt(n); differences that are all equal give that value, exactly.
    """
    d = np.asarray(differences, float)
    mean = float(d.mean())
    if len(d) < 2:
        return mean, mean, mean
    half = float(scipy.stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)))
    return mean, mean - half, mean + half


def paired_share_halfwidth(difference: float, discordant: float, n: int, level: float = 0.99) -> float:
    """Half-width of the ``level`` interval of a difference of two accuracies on the same ``n`` items.

    With p10 + p01 = ``discordant`` (the share of items right in one condition and wrong in the other)
    and p10 - p01 = ``difference``, the paired difference's variance is (discordant - difference^2) / n
    (McNemar's normal approximation). An upper bound on ``discordant`` gives a conservative interval.
    """
    return z_two_sided(level) * float(np.sqrt(max(discordant - difference**2, 0.0) / n))
