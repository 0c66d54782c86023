"""The kernel function (nnsvm.kernels, shared by Q5 and Q6) equals scikit-learn's.

Q5: kernel matrices are valid, obey Cauchy-Schwarz, and give ||mu_phi|| as the answer's formula says.
"""

import numpy as np
import pytest

from nnsvm import kernels as K
from nnsvm.q5 import identities as Q5
from nnsvm.stats import loglog_slope

X = np.random.default_rng(0).normal(size=(60, 3))
KERNELS = [K.Kernel("linear"), K.Kernel("poly", 0.5, 1.0, 2), K.Kernel("poly", 0.5, 1.0, 3), K.Kernel("rbf", gamma=0.5)]


@pytest.mark.parametrize("k", KERNELS, ids=lambda k: k.label)
def test_gram_is_symmetric_psd_and_matches_sklearn(k):
    """It equals pairwise_kernels, is exactly symmetric and has no eigenvalue below -1e-12 of the largest."""
    kmat = K.gram(k, X)
    assert Q5.sklearn_error(k, X, kmat) < 1e-10
    check = Q5.psd_check(kmat)
    assert check["asymmetry"] == 0 and check["min_eig_rel"] > -1e-12


@pytest.mark.parametrize("k", KERNELS, ids=lambda k: k.label)
def test_cauchy_schwarz_ratio_at_most_one(k):
    """It never finds K(x,y)^2 / (K(x,x) K(y,y)) above 1 + 1e-12."""
    assert Q5.cauchy_schwarz_ratio(K.gram(k, X)) <= 1 + 1e-12


def test_cauchy_schwarz_ratio_by_hand():
    """It gives (x.y)^2 / (|x|^2 |y|^2) = 1/2 for x = (1, 0), y = (1, 1)."""
    assert Q5.cauchy_schwarz_ratio(K.gram(K.Kernel("linear"), np.array([[1.0, 0.0], [1.0, 1.0]]))) == pytest.approx(0.5)


@pytest.mark.parametrize("k", KERNELS[:3], ids=lambda k: k.label)
def test_explicit_map_reproduces_kernel_and_mean_norm(k):
    """It builds phi with phi(x).phi(y) = K(x, y), and ||mean phi|| equals (1/Q) sqrt(sum K)."""
    phi = Q5.feature_map(k, X)
    assert np.allclose(phi @ phi.T, K.gram(k, X), atol=1e-10)
    assert Q5.mean_norm_from_features(phi) == pytest.approx(Q5.mean_norm_from_kernel(K.gram(k, X)), abs=1e-12)


def test_rbf_has_no_finite_map():
    """It refuses an explicit map for the RBF kernel."""
    with pytest.raises(ValueError, match="random_fourier_features"):
        Q5.feature_map(K.Kernel("rbf"), X)


def test_random_fourier_error_shrinks_like_one_over_root_d():
    """It approaches the RBF ||mu_phi|| as features grow, at a Monte Carlo rate near D^-1/2."""
    sizes = (10, 100, 1000, 10000)
    errors = Q5.rff_errors(X, 0.5, sizes, 4, np.random.default_rng(1))
    assert errors[-1] < errors[0] / 10
    assert -0.8 < loglog_slope(sizes, errors) < -0.3


def test_unknown_kernel_name_is_refused():
    """It refuses a kernel name it has no formula for, rather than computing an RBF."""
    with pytest.raises(ValueError, match="unknown kernel 'sigmoid'; use one of linear, poly, rbf"):
        K.gram(K.Kernel("sigmoid"), X)


SKLEARN_CASES = [
    K.Kernel("linear"),
    K.Kernel("poly", 0.5, 1.0, 2),
    K.Kernel("poly", 0.05, 0.0, 2),
    K.Kernel("poly", 0.2, 2.5, 3),
    K.Kernel("poly", 1.0, 0.0, 3),
    K.Kernel("rbf", gamma=0.5),
    K.Kernel("rbf", gamma=0.01),
]


@pytest.mark.parametrize("k", SKLEARN_CASES, ids=lambda k: f"{k.label}-g{k.gamma}-c{k.coef0}")
def test_gram_equals_sklearn_pairwise_kernels(k):
    """It gives pairwise_kernels' matrix (x against z, and x against itself) to 1e-10 relative."""
    from sklearn.metrics.pairwise import pairwise_kernels

    rng = np.random.default_rng(3)
    x, z = rng.normal(size=(40, 9)), rng.uniform(-2, 2, size=(25, 9))
    for a, b in ((x, z), (x, None)):
        ours = K.gram(k, a, b)
        theirs = pairwise_kernels(a, b, metric=k.name, **k.sklearn_kwargs())
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10 * np.abs(theirs).max())
