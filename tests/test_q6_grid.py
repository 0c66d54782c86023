"""Q6 grid search: precomputed kernels give GridSearchCV's scores exactly."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.metrics.pairwise import polynomial_kernel, rbf_kernel

from nnsvm.q6.grid import Candidate, Scored, best, candidates, grid_search, kernel_matrix, plain_grid_search, refined
from nnsvm.q6.params import Q6KernelGrid


@pytest.fixture(scope="module")
def digits():
    x, y = load_digits(return_X_y=True)
    return x[:240] / 16.0, y[:240]


GRIDS = [
    Q6KernelGrid(kernel="linear", C=(0.01, 1.0)),
    Q6KernelGrid(kernel="poly", degree=2, C=(0.1, 10.0), gamma=(0.01, 1.0)),
    Q6KernelGrid(kernel="poly", degree=3, coef0=1.0, C=(1.0,), gamma=(0.1,)),
    Q6KernelGrid(kernel="rbf", C=(1.0, 100.0), gamma=(0.001, 0.1)),
]


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: f"{g.kernel}{g.degree}")
def test_precomputed_grid_equals_gridsearchcv(digits, grid):
    """It scores every candidate exactly as GridSearchCV(SVC) does on the same folds."""
    x, y = digits
    cands = candidates(grid)
    ours = [s.mean for s in grid_search(x, y, cands, 4, 1)]
    assert np.allclose(ours, plain_grid_search(x, y, cands, 4, 1), rtol=0, atol=1e-9)
    assert min(ours) > 0.1  # real classifiers, not a degenerate constant


def test_kernel_matrices_match_sklearn():
    """It builds the poly and RBF kernels as scikit-learn defines them."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 7)), rng.normal(size=(4, 7))
    poly = Candidate("poly", 1.0, 0.3, 2, 1.0)
    assert np.allclose(kernel_matrix(a, b, poly), polynomial_kernel(a, b, degree=2, gamma=0.3, coef0=1.0))
    assert np.allclose(kernel_matrix(a, b, Candidate("rbf", 1.0, 0.2, None, 0.0)), rbf_kernel(a, b, gamma=0.2))
    assert np.allclose(kernel_matrix(a, b, Candidate("linear", 1.0, None, None, 0.0)), a @ b.T)


def test_candidates_in_gridsearchcv_order():
    """It lists C outer, gamma inner, and no gamma for linear."""
    grid = Q6KernelGrid(kernel="rbf", C=(1.0, 10.0), gamma=(0.1, 0.2))
    assert [(c.C, c.gamma) for c in candidates(grid)] == [(1.0, 0.1), (1.0, 0.2), (10.0, 0.1), (10.0, 0.2)]
    assert [c.gamma for c in candidates(Q6KernelGrid(kernel="linear", C=(1.0,), gamma=(5.0,)))] == [None]


def test_refined_grid_surrounds_the_best_cell():
    """It adds the 8 neighbours at factor 2 in C and gamma, not the best itself."""
    grid = Q6KernelGrid(kernel="rbf", C=(10.0,), gamma=(0.01,))
    around = refined(grid, candidates(grid)[0], 2.0)
    assert len(around) == 8
    assert {(c.C, c.gamma) for c in around} == {(C, g) for C in (5.0, 10.0, 20.0) for g in (0.005, 0.01, 0.02)} - {
        (10.0, 0.01)
    }


def test_best_keeps_the_first_of_ties():
    """It picks the highest mean and, among equals, the first (as GridSearchCV's rank does)."""
    a, b, c = (Candidate("rbf", C, 0.1, None, 0.0) for C in (1.0, 2.0, 3.0))
    scored = [Scored(a, (0.5, 0.7), 0.0), Scored(b, (0.7, 0.7), 0.0), Scored(c, (0.6, 0.8), 0.0)]
    assert best(scored).candidate == b
