"""The toy data sets have the shapes, labels and geometry the assignment describes."""

import numpy as np
from conftest import toy_params

from nnsvm.data import toy

P = toy_params()


def test_clusters_have_three_classes_in_order():
    """It gives n points per class, labels 1, 2, 3, each centred on its centre."""
    data = toy.clusters(P.clusters, np.random.default_rng(0))
    n = P.clusters.n_per_class
    assert data.x.shape == (3 * n, 2)
    assert np.bincount(data.y).tolist() == [0, n, n, n]
    for label, centre in zip((1, 2, 3), P.clusters.centers):
        assert np.allclose(data.x[data.y == label].mean(axis=0), centre, atol=4 * P.clusters.std / np.sqrt(n))


def test_four_points_are_the_assignments():
    """It returns (1,4), (2,3) as +1 and (4,5), (5,6) as -1."""
    data = toy.four_points(P.four_points)
    assert data.x.tolist() == [[1, 4], [2, 3], [4, 5], [5, 6]]
    assert data.y.tolist() == [1, 1, -1, -1]


def test_db1_follows_the_pattern_on_the_x1_axis():
    """It lays out + + - - - + + from the origin outwards, one dimension."""
    data = toy.line(P.db1)
    assert data.x.shape == (7, 1)
    assert data.x[:, 0].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert data.y.tolist() == [1, 1, -1, -1, -1, 1, 1]


def test_rings_lie_within_noise_of_their_radius():
    """It puts ring i at radius r_i +- noise with label labels[i]."""
    for p in (P.db2, P.db3):
        data = toy.rings(p, np.random.default_rng(1))
        radius = np.hypot(data.x[:, 0], data.x[:, 1])
        assert data.x.shape == (len(p.radii) * p.n_per_ring, 2)
        for i, (r, label) in enumerate(zip(p.radii, p.labels)):
            ring = slice(i * p.n_per_ring, (i + 1) * p.n_per_ring)
            assert np.all(np.abs(radius[ring] - r) <= p.noise + 1e-12)
            assert np.all(data.y[ring] == label)


def test_db3_is_negative_positive_negative():
    """It labels the inner and outer rings -1 and the middle ring +1, innermost first."""
    data = toy.rings(P.db3, np.random.default_rng(2))
    radius = np.hypot(data.x[:, 0], data.x[:, 1])
    for r, label in ((1.0, -1), (3.0, 1), (5.0, -1)):
        assert set(data.y[np.abs(radius - r) < 0.5].tolist()) == {label}


def test_same_seed_same_bytes(tmp_path):
    """It writes byte-identical files for the same seed, and different ones for another."""
    paths = []
    for i, seed in enumerate((5, 5, 6)):
        path = tmp_path / f"{i}.npz"
        toy.rings(P.db2, np.random.default_rng(seed)).save(path)
        paths.append(path.read_bytes())
    assert paths[0] == paths[1] != paths[2]
    back = toy.load(tmp_path / "0.npz")
    assert back.x.shape == (2 * P.db2.n_per_ring, 2)
