"""Small numeric summaries several questions share."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(ys) against log(xs): the exponent of a power law ys ~ xs^k."""
    return float(np.polyfit(np.log(np.asarray(xs, float)), np.log(np.asarray(ys, float)), 1)[0])
