"""Q6 split: sizes, the stratified grid-search set, and a scaler that never sees the test set."""

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from nnsvm.core.errors import NnsvmError
from nnsvm.q6.data import Q6Data
from nnsvm.q6.split import Scaler, Split, make_split, pool

LABELS = np.repeat(np.arange(10), 100)  # 1,000 images, 100 per class


def test_split_sizes_and_disjoint_sets():
    """It cuts 80/20, covers every image once, and draws each grid set from the training part."""
    split = make_split(LABELS, 0.2, {"published": 0.1, "improved": 0.25}, 5, np.random.default_rng(0))
    assert (len(split.train), len(split.test)) == (800, 200)
    assert sorted(np.concatenate([split.train, split.test]).tolist()) == list(range(1000))
    for grid in split.grid.values():
        assert np.isin(grid, split.train).all() and len(np.unique(grid)) == len(grid)
    assert len(split.rest("published")) == 800 - len(split.grid["published"])


def test_grid_set_is_stratified_with_minimum_per_class():
    """It takes round(fraction * count) of every class, so each has at least min_per_class."""
    split = make_split(LABELS, 0.2, {"published": 0.1, "improved": 0.25}, 5, np.random.default_rng(1))
    train_counts = np.bincount(LABELS[split.train], minlength=10)
    grid_counts = np.bincount(LABELS[split.grid["published"]], minlength=10)
    assert grid_counts.tolist() == np.round(0.1 * train_counts).astype(int).tolist()
    assert grid_counts.min() >= 5


def test_a_grid_fraction_too_small_for_the_data_takes_the_minimum_per_class(caplog):
    """It raises a class's share to min_per_class, with a warning, where the data is small (on
    the 5,000-image subset a class's share can come to 8 images, fewer than 10)."""
    split = make_split(LABELS, 0.2, {"published": 0.05, "improved": 0.5}, 10, np.random.default_rng(0))
    assert np.bincount(LABELS[split.grid["published"]], minlength=10).min() == 10
    assert "under the minimum of 10" in caplog.text


def test_the_subset_splits_with_the_default_params():
    """It splits the 5,000-image subset (500 per class) with the default q6.split params."""
    import yaml
    from conftest import REPO

    p = yaml.safe_load((REPO / "params.yaml").read_text())["q6"]["split"]
    labels = np.repeat(np.arange(10), 500)
    split = make_split(labels, p["test_fraction"], p["grid_fraction"], p["min_per_class"], np.random.default_rng(0))
    for grid in split.grid.values():
        assert np.bincount(labels[grid], minlength=10).min() >= p["min_per_class"]


def test_a_class_smaller_than_the_minimum_is_refused():
    """It raises a one-line error naming the key to lower when a class has fewer images than the minimum."""
    with pytest.raises(NnsvmError, match="fewer than the grid-search set's minimum of 90; lower q6.split"):
        make_split(LABELS, 0.2, {"published": 0.05, "improved": 0.5}, 90, np.random.default_rng(0))


def test_max_images_subsamples_before_splitting():
    """It keeps only max_images of the pool, then splits those."""
    split = make_split(LABELS, 0.2, {"published": 0.5, "improved": 0.5}, 1, np.random.default_rng(0), max_images=300)
    assert (len(split.train), len(split.test)) == (240, 60)


def test_split_round_trips_through_npz(tmp_path):
    """It saves and loads the same index sets."""
    split = make_split(LABELS, 0.2, {"published": 0.1, "improved": 0.2}, 5, np.random.default_rng(0))
    split.save(tmp_path / "s.npz")
    back = Split.load(tmp_path / "s.npz")
    assert np.array_equal(back.train, split.train) and np.array_equal(back.test, split.test)
    assert set(back.grid) == {"published", "improved"} and np.array_equal(back.grid["improved"], split.grid["improved"])


def test_standard_scaler_matches_sklearn():
    """It gives StandardScaler's numbers, constant pixels included."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (50, 784)).astype(np.uint8)
    x[:, :30] = 0
    ours = Scaler("standard", x)(x)
    assert np.allclose(ours, StandardScaler().fit_transform(x.astype(np.float64)), atol=1e-12)
    assert np.allclose(Scaler("unit", x)(x), x / 255.0)


def test_scaler_is_fitted_on_the_training_part_only():
    """It gives the same scaler whatever the test images hold: no test leakage."""
    rng = np.random.default_rng(0)
    x, y = pool(
        rng.integers(0, 100, (40, 28, 28), dtype=np.uint8),
        np.arange(40) % 10,
        rng.integers(0, 100, (10, 28, 28), dtype=np.uint8),
        np.arange(10) % 10,
    )
    split = Split(train=np.arange(30), test=np.arange(30, 50), grid={"published": np.arange(10)})
    leaky = x.copy()
    leaky[split.test] = 255
    a = Q6Data(x, y, split, "full", "d").scaler("standard")
    b = Q6Data(leaky, y, split, "full", "d").scaler("standard")
    assert np.array_equal(a(x[:5]), b(x[:5]))
    assert np.allclose(a(x[:30]).mean(axis=0), 0.0)
