"""The assignment's toy data sets (Q1-C, Q4-A, Q4-B), generated deterministically."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from nnsvm.core.config import Point, Section, Seed
from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import atomic_path

# --- params (section toy of params.yaml) ---------------------------------------


class ClustersParams(Section):
    centers: tuple[Point, Point, Point]
    std: float = Field(gt=0)
    n_per_class: int = Field(ge=2, le=100_000)


class FourPointsParams(Section):
    points: tuple[Point, ...] = Field(min_length=2)
    labels: tuple[Literal[-1, 1], ...]

    @model_validator(mode="after")
    def _same_length(self) -> FourPointsParams:
        if len(self.points) != len(self.labels):
            raise ValueError("points and labels must have the same length")
        return self


class LineParams(Section):
    pattern: str = Field(pattern=r"^[+-]+$", min_length=2)
    start: float
    spacing: float = Field(gt=0)


class RingsParams(Section):
    radii: tuple[float, ...] = Field(min_length=2)
    labels: tuple[Literal[-1, 1], ...]
    n_per_ring: int = Field(ge=3, le=100_000)
    noise: float = Field(ge=0)

    @field_validator("radii")
    @classmethod
    def _increasing(cls, radii: tuple[float, ...]) -> tuple[float, ...]:
        if radii[0] <= 0 or any(b <= a for a, b in zip(radii, radii[1:])):
            raise ValueError("radii must be positive and strictly increasing")
        return radii

    @model_validator(mode="after")
    def _rings_apart(self) -> RingsParams:
        if len(self.labels) != len(self.radii):
            raise ValueError("labels needs one entry per radius")
        # Radial noise must not let neighbouring rings touch, else the sets
        # stop being separable and Q4-B has nothing to show.
        gaps = [b - a for a, b in zip(self.radii, self.radii[1:])]
        if 2 * self.noise >= min(gaps):
            raise ValueError(f"noise must be below half the smallest gap between radii ({min(gaps) / 2:g})")
        return self


class ToyParams(Section):
    seed: Seed
    clusters: ClustersParams
    four_points: FourPointsParams
    db1: LineParams
    db2: RingsParams
    db3: RingsParams


@dataclass(frozen=True)
class ToySet:
    """Points ``x`` of shape ``(n, d)`` float64 with integer labels ``y`` of shape ``(n,)``."""

    x: np.ndarray
    y: np.ndarray

    def save(self, path: Path) -> None:
        """Write an ``.npz`` byte-for-byte reproducible (``np.savez`` stamps the time)."""
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w") as archive:
            for key, array in (("x", self.x), ("y", self.y)):
                with archive.open(zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0)), "w") as fh:
                    np.lib.format.write_array(fh, np.ascontiguousarray(array), allow_pickle=False)


def load(path: str | Path) -> ToySet:
    """Load a set written by stage ``toy``."""
    try:
        with np.load(path) as data:
            return ToySet(x=data["x"], y=data["y"])
    except (OSError, KeyError, ValueError) as exc:
        raise NnsvmError(f"{path}: toy data missing or damaged ({exc}); run `dvc repro toy`") from None


def clusters(p: ClustersParams, rng: np.random.Generator) -> ToySet:
    """Q1-C: three isotropic Gaussian clusters, labels 1, 2, 3 in the order of ``p.centers``."""
    centers = np.asarray(p.centers, dtype=np.float64)
    x = np.concatenate([c + p.std * rng.standard_normal((p.n_per_class, 2)) for c in centers])
    y = np.repeat(np.arange(1, 4), p.n_per_class)
    return ToySet(x=x, y=y)


def four_points(p: FourPointsParams) -> ToySet:
    """Q4-A: the assignment's labelled points, as given."""
    return ToySet(x=np.asarray(p.points, dtype=np.float64), y=np.asarray(p.labels, dtype=np.int64))


def line(p: LineParams) -> ToySet:
    """Q4-B DB1: 1-D points ``start, start + spacing, ...`` labelled by ``p.pattern`` ('+'/'-')."""
    x = p.start + p.spacing * np.arange(len(p.pattern), dtype=np.float64)
    y = np.array([1 if s == "+" else -1 for s in p.pattern], dtype=np.int64)
    return ToySet(x=x[:, None], y=y)


def rings(p: RingsParams, rng: np.random.Generator) -> ToySet:
    """Q4-B DB2/DB3: concentric rings round the origin, ring i labelled ``p.labels[i]``.

    Angles are evenly spaced with a random phase per ring; radii carry uniform
    noise in ``[-p.noise, p.noise]``.
    """
    xs, ys = [], []
    for radius, label in zip(p.radii, p.labels):
        angles = rng.uniform(0, 2 * np.pi) + np.linspace(0, 2 * np.pi, p.n_per_ring, endpoint=False)
        r = radius + rng.uniform(-p.noise, p.noise, p.n_per_ring)
        xs.append(np.column_stack([r * np.cos(angles), r * np.sin(angles)]))
        ys.append(np.full(p.n_per_ring, label, dtype=np.int64))
    return ToySet(x=np.concatenate(xs), y=np.concatenate(ys))


def digest(sets: dict[str, ToySet]) -> str:
    """A short hash of the sets' names, points and labels."""
    h = hashlib.sha256()
    for name in sorted(sets):
        h.update(name.encode())
        h.update(np.ascontiguousarray(sets[name].x).tobytes())
        h.update(np.ascontiguousarray(sets[name].y).tobytes())
    return h.hexdigest()[:16]


TITLES = {
    "clusters": "Q1-C: three clusters on the diagonal",
    "four_points": "Q4-A: the four labelled points",
    "db1": "Q4-B DB1: + + - - - + + on the $x_1$ axis",
    "db2": "Q4-B DB2: two concentric circles",
    "db3": "Q4-B DB3: three rings (- + -)",
}


def generate(p: ToyParams, rng: np.random.Generator) -> dict[str, ToySet]:
    """Every toy set of the assignment, in the order of ``TITLES``."""
    return {
        "clusters": clusters(p.clusters, rng),
        "four_points": four_points(p.four_points),
        "db1": line(p.db1),
        "db2": rings(p.db2, rng),
        "db3": rings(p.db3, rng),
    }
