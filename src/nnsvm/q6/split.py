"""The Q6 split: pool all MNIST images, shuffle, 80/20, a stratified grid-search set, and scaling.

Indices always point into the pooled array (train images first, then test),
so one small file of indices names every set exactly.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.preprocessing import StandardScaler

from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import atomic_path

log = logging.getLogger(__name__)


def save_npz(path: str | Path, **arrays: np.ndarray) -> None:
    """Write ``arrays`` as an ``.npz``, atomically and byte-for-byte reproducible (``np.savez`` stamps the time)."""
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w") as archive:
        for key, array in arrays.items():
            with archive.open(zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0)), "w") as fh:
                np.lib.format.write_array(fh, np.ascontiguousarray(array), allow_pickle=False)


@dataclass(frozen=True)
class Split:
    """Index sets into the pooled images; ``grid[p]`` is a subset of ``train`` for protocol ``p``."""

    train: np.ndarray
    test: np.ndarray
    grid: dict[str, np.ndarray]

    def rest(self, protocol: str) -> np.ndarray:
        """The training part minus protocol's grid-search set, in training order."""
        return self.train[~np.isin(self.train, self.grid[protocol])]

    def save(self, path: str | Path) -> None:
        """Write the split atomically and byte-for-byte reproducible (a kill leaves no half file)."""
        grids = {f"grid_{name}": idx for name, idx in self.grid.items()}
        save_npz(path, train=self.train, test=self.test, **grids)

    @classmethod
    def load(cls, path: str | Path) -> Split:
        with np.load(path) as f:
            grid = {key.removeprefix("grid_"): f[key] for key in f.files if key.startswith("grid_")}
            return cls(train=f["train"], test=f["test"], grid=grid)


def pool(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All images as ``(n, 784) uint8`` and labels ``(n,) int64``, train first then test."""
    x = np.concatenate([x_train, x_test]).reshape(-1, 28 * 28)
    return x, np.concatenate([y_train, y_test]).astype(np.int64)


def shuffle_split(
    n: int, test_fraction: float, rng: np.random.Generator, keep: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle ``range(n)`` (first ``keep`` of it if given) and cut into ``(train, test)``.

    The test part holds ``round(m * test_fraction)`` of the ``m`` shuffled indices.
    """
    order = rng.permutation(n)[:keep]
    n_test = int(round(len(order) * test_fraction))
    return order[n_test:], order[:n_test]


def stratified_subset(
    indices: np.ndarray, labels: np.ndarray, fraction: float, min_per_class: int, rng: np.random.Generator
) -> np.ndarray:
    """``round(fraction * count)`` of each class of ``indices`` (labels indexed by them), at least ``min_per_class``.

    On little data (the 5,000-image subset) ``fraction`` of a class can fall below
    ``min_per_class``; the class then gives ``min_per_class`` images, with a warning
    naming the change. A class with fewer than ``min_per_class``
    images in all is an error.
    """
    chosen = []
    for digit in np.unique(labels[indices]):
        members = indices[labels[indices] == digit]
        take = int(round(fraction * len(members)))
        if len(members) < min_per_class:
            raise NnsvmError(
                f"the training part holds {len(members)} images of digit {digit}, fewer than the "
                f"grid-search set's minimum of {min_per_class}; lower q6.split.min_per_class or use more images"
            )
        if take < min_per_class:
            log.warning(
                "grid-search set: %d of %d images of digit %d (fraction %g) is under the minimum of %d; "
                "taking %d (the data set is small: the 5,000-image subset?)",
                take,
                len(members),
                digit,
                fraction,
                min_per_class,
                min_per_class,
            )
            take = min_per_class
        chosen.append(rng.choice(members, size=take, replace=False))
    return np.sort(np.concatenate(chosen))


def make_split(
    labels: np.ndarray,
    test_fraction: float,
    grid_fractions: dict[str, float],
    min_per_class: int,
    rng: np.random.Generator,
    max_images: int | None = None,
) -> Split:
    """The whole Q6 split of ``labels`` (pooled), one grid-search set per protocol."""
    train, test = shuffle_split(len(labels), test_fraction, rng, max_images)
    grid = {name: stratified_subset(train, labels, f, min_per_class, rng) for name, f in sorted(grid_fractions.items())}
    log.info("split: %d train, %d test, grid sets %s", len(train), len(test), {k: len(v) for k, v in grid.items()})
    return Split(train=train, test=test, grid=grid)


class Scaler:
    """Pixel scaling fitted on training rows only: ``standard`` (scikit-learn's StandardScaler) or ``unit`` (/ 255)."""

    def __init__(self, kind: str, x_train: np.ndarray) -> None:
        self.kind = kind
        if kind == "standard":
            # Constant pixels (scale 0) stay 0: StandardScaler divides them by 1.
            self.transform = StandardScaler().fit(x_train.astype(np.float64)).transform
        elif kind == "unit":
            self.transform = lambda x: x / 255.0
        else:
            raise NnsvmError(f"unknown scaling {kind!r}; use standard or unit")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``(n, 784) float64`` features of raw ``(n, 784)`` pixels."""
        return self.transform(x.astype(np.float64))


def split_sizes(split: Split, labels: np.ndarray) -> dict[str, int]:
    """Sizes of every set, and the rarest digit's count in each grid-search set (for tracking)."""
    sizes = {"train_count": len(split.train), "test_count": len(split.test)}
    for name, idx in split.grid.items():
        sizes[f"grid_{name}_count"] = len(idx)
        sizes[f"grid_{name}_min_per_class"] = int(np.bincount(labels[idx], minlength=10).min())
    return sizes
