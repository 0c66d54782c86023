"""Loading what the Q6 stages share: pooled MNIST, the split, and scaled features."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnsvm.data import mnist
from nnsvm.q6.split import Scaler, Split, pool

SPLIT_FILE = Path("data/q6/split.npz")


@dataclass(frozen=True)
class Q6Data:
    """Pooled raw pixels ``(n, 784) uint8``, labels, the split, and where MNIST came from."""

    x: np.ndarray
    y: np.ndarray
    split: Split
    source: str
    digest: str

    def scaler(self, scaling: str) -> Scaler:
        """The pixel scaling of a protocol, fitted on the training part only (never the test set)."""
        return Scaler(scaling, self.x[self.split.train])

    def grid_set(self, protocol: str, scaling: str) -> tuple[np.ndarray, np.ndarray]:
        """The protocol's grid-search set: scaled features and labels."""
        idx = self.split.grid[protocol]
        return self.scaler(scaling)(self.x[idx]), self.y[idx]

    def final_sets(self, protocol: str, final_train: str, scaling: str) -> tuple[np.ndarray, ...]:
        """``(x_train, y_train, x_test, y_test)`` for the final fit: the whole training part (``all``) or
        the training part minus the protocol's grid-search set (``rest``); scaled features."""
        train = self.split.train if final_train == "all" else self.split.rest(protocol)
        scale = self.scaler(scaling)
        return scale(self.x[train]), self.y[train], scale(self.x[self.split.test]), self.y[self.split.test]


def load(mnist_dir: str | Path = "data/mnist", split_file: str | Path = SPLIT_FILE) -> Q6Data:
    data = mnist.load(mnist_dir)
    x, y = pool(data.x_train, data.y_train, data.x_test, data.y_test)
    return Q6Data(x, y, Split.load(split_file), data.source, data.digest)
