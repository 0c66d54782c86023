"""Q4-B: the answer's feature maps that make DB1, DB2 and DB3 linearly separable.

Each map's parameter is derived from the data, never typed in:

* DB1 (points on the x1 axis, + + - - - + +): ``phi(x) = |x1 - Q1|``, Q1 the
  centre (mean) of the negative block.
* DB2 (negatives on a small circle, positives on a large one):
  ``phi(x) = x1^2 + x2^2``.
* DB3 (rings - + -): ``phi(x) = |x1^2 + x2^2 - R|``. The answer calls R "the
  radius of the positive samples", but ``x1^2 + x2^2`` is a *squared* radius, so
  R must be the squared radius of the positive ring; we compute both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnsvm.q4 import svm


@dataclass(frozen=True)
class MappedSet:
    """A data set's map: its formula, derived parameters, and the mapped points ``(n, k)``."""

    name: str
    formula: str
    params: dict[str, float]
    z: np.ndarray


def squared_radius(x: np.ndarray) -> np.ndarray:
    return np.sum(x**2, axis=1)


def db1_map(x: np.ndarray, y: np.ndarray) -> MappedSet:
    """``|x1 - Q1|`` with Q1 the mean of the negatives (the middle of the - block)."""
    q1 = float(np.mean(x[y == -1, 0]))
    return MappedSet("db1", "|x1 - Q1|", {"Q1": q1}, np.abs(x[:, :1] - q1))


def db2_map(x: np.ndarray, y: np.ndarray) -> MappedSet:
    """``x1^2 + x2^2``; no parameter."""
    return MappedSet("db2", "x1^2 + x2^2", {}, squared_radius(x)[:, None])


def db3_map(x: np.ndarray, y: np.ndarray) -> MappedSet:
    """``|x1^2 + x2^2 - R|`` with R the mean squared radius of the positive ring (corrected)."""
    r2 = float(np.mean(squared_radius(x[y == 1])))
    return MappedSet(
        "db3", "|x1^2 + x2^2 - R|, R = (radius of + ring)^2", {"R": r2}, np.abs(squared_radius(x) - r2)[:, None]
    )


def db3_map_as_written(x: np.ndarray, y: np.ndarray) -> MappedSet:
    """The answer's text taken literally: R the *radius* of the positive ring (not squared)."""
    r = float(np.mean(np.sqrt(squared_radius(x[y == 1]))))
    return MappedSet(
        "db3_as_written", "|x1^2 + x2^2 - R|, R = radius of + ring", {"R": r}, np.abs(squared_radius(x) - r)[:, None]
    )


MAPS: dict[str, Callable[[np.ndarray, np.ndarray], MappedSet]] = {
    "db1": db1_map,
    "db2": db2_map,
    "db3": db3_map,
    "db3_as_written": db3_map_as_written,
}


def separation(x: np.ndarray, y: np.ndarray, solver: str) -> dict:
    """The hard-margin primal on ``x``: separable or not, and if so w, b, margin.

    For a 1-D input the separating "line" is the threshold -b / w.
    """
    fit = svm.primal(x, y, solver)
    out: dict[str, Any] = {"separable": fit.separable, "status": fit.status}
    if fit.separable:
        w, b, margin = fit.solution()
        out |= {"w": w.tolist(), "b": b, "margin": margin}
        if len(w) == 1:
            out["threshold"] = -b / float(w[0])
    return out


# Noise-free - + - ring radii the answer's literal DB3 map is tried on besides the data's own: both outcomes.
RADIUS_SETS = ((1.0, 3.0, 5.0), (0.5, 1.5, 3.0), (0.3, 1.0, 2.0), (0.2, 1.2, 2.5), (1.0, 1.5, 2.0), (1.5, 2.0, 3.0))
RING_POINTS = 24


def literal_map_condition(r_in: float, r_pos: float, r_out: float) -> bool:
    """Whether ``|r^2 - R|`` with R = r_pos (the radius, as written) separates noise-free - + - rings.

    The + ring maps to ``|r_pos^2 - r_pos|``, each - ring to ``|r^2 - r_pos|``: one threshold separates
    them iff the + value lies strictly below both - values or strictly above both. For
    r_in < r_pos < r_out and r_pos >= 1 this is ``r_in^2 < r_pos (2 - r_pos)``, so it needs r_pos < 2.
    """
    pos, inner, outer = abs(r_pos**2 - r_pos), abs(r_in**2 - r_pos), abs(r_out**2 - r_pos)
    return pos < min(inner, outer) or pos > max(inner, outer)


def literal_map_sweep(solver: str) -> list[dict]:
    """The literal DB3 map on noise-free rings of each of :data:`RADIUS_SETS`: the condition and the solver."""
    out = []
    for radii in RADIUS_SETS:
        angles = np.linspace(0, 2 * np.pi, RING_POINTS, endpoint=False)
        x = np.vstack([np.column_stack([r * np.cos(angles), r * np.sin(angles)]) for r in radii])
        y = np.repeat([-1, 1, -1], RING_POINTS)
        z = np.abs(squared_radius(x) - radii[1])[:, None]
        found = separation(z, y, solver)
        out.append({"radii": list(radii), "condition": literal_map_condition(*radii), "separable": found["separable"]})
    return out
