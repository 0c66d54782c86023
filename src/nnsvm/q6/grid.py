"""Grid search over (C, kernel parameters) with precomputed kernels.

libsvm recomputes kernel rows for every fit; here each kernel matrix is built
once per (kernel, gamma) and CV fold with BLAS and reused for every C, and the
(gamma, fold) tasks run in parallel. Same folds, same solver, same scores as
``GridSearchCV(SVC(kernel=...))`` (checked in tests and benchmarks/svm_grid.py).

The tasks run on this machine's cores (joblib's default backend) or, when
``NNSVM_DASK_SCHEDULER`` names a Dask scheduler, on that cluster through joblib's
Dask backend (benchmarks/q6_cluster.py). Where they run changes no score, so the
address is an environment variable, not a param DVC would rerun the grid for.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np
from joblib import Parallel, delayed, parallel_config
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.svm import SVC

from nnsvm.core.errors import NnsvmError
from nnsvm.kernels import Kernel, gram
from nnsvm.q6.params import Q6KernelGrid

log = logging.getLogger(__name__)

SCHEDULER_ENV = "NNSVM_DASK_SCHEDULER"  # e.g. tcp://10.0.0.5:8786; unset or empty: this machine's cores


def scheduler_address() -> str | None:
    """The Dask scheduler the grid's tasks go to (``NNSVM_DASK_SCHEDULER``), or None to run them locally."""
    return os.environ.get(SCHEDULER_ENV) or None


@contextmanager
def dask_backend(address: str, timeout_s: float = 10.0) -> Iterator[int]:
    """joblib's Dask backend on the cluster at ``address``; yields its worker thread count."""
    from distributed import Client

    try:
        client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise NnsvmError(
            f"Dask scheduler {address} is unreachable ({type(exc).__name__}: {exc}); start it "
            f"(`dask scheduler`, then `dask worker {address}` on each machine) or unset {SCHEDULER_ENV}"
        ) from None
    with client, parallel_config(backend="dask", client=client):
        yield sum(client.nthreads().values())


@dataclass(frozen=True)
class Candidate:
    kernel: str
    C: float
    gamma: float | None  # None for linear, which has none
    degree: int | None  # None unless poly
    coef0: float

    def svc_params(self) -> dict:
        """Keyword arguments of an equivalent ``sklearn.svm.SVC``."""
        extra = {"gamma": self.gamma} if self.gamma is not None else {}
        if self.degree is not None:
            extra |= {"degree": self.degree, "coef0": self.coef0}
        return {"kernel": self.kernel, "C": self.C, **extra}


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    fold_scores: tuple[float, ...]
    fit_seconds: float

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_scores))

    def to_dict(self) -> dict:
        """The candidate and its scores; the time is MLflow's only, so a rerun writes the same bytes."""
        return {
            **asdict(self.candidate),
            "fold_scores": list(self.fold_scores),
            "cv_accuracy": self.mean,
        }


def candidates(
    grid: Q6KernelGrid, C: tuple[float, ...] | None = None, gamma: tuple[float, ...] | None = None
) -> list[Candidate]:
    """All candidates of ``grid`` in GridSearchCV's order (C outer, gamma inner)."""
    gammas = (None,) if grid.kernel == "linear" else (gamma or grid.gamma)
    degree = grid.degree if grid.kernel == "poly" else None
    coef0 = grid.coef0 if grid.kernel == "poly" else 0.0
    return [Candidate(grid.kernel, float(c), g, degree, coef0) for c, g in itertools.product(C or grid.C, gammas)]


def refined(grid: Q6KernelGrid, best: Candidate, factor: float) -> list[Candidate]:
    """Candidates at ``best``'s C and gamma times ``factor ** {-1, 0, 1}``, without ``best`` itself."""
    cs = tuple(best.C * factor**k for k in (-1, 0, 1))
    gs = None if best.gamma is None else tuple(best.gamma * factor**k for k in (-1, 0, 1))
    return [c for c in candidates(grid, cs, gs) if c != best]


def kernel_matrix(a: np.ndarray, b: np.ndarray, c: Candidate) -> np.ndarray:
    """``K[i, j] = k(a_i, b_j)`` for ``c``'s kernel, as libsvm defines it: :func:`nnsvm.kernels.gram`."""
    assert c.kernel == "linear" or c.gamma is not None, "poly and rbf candidates carry a gamma"
    gamma = 1.0 if c.gamma is None else c.gamma  # linear has none, and gram ignores it there
    return gram(Kernel(c.kernel, gamma, c.coef0, 1 if c.degree is None else c.degree), a, b)


def folds(y: np.ndarray, n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """GridSearchCV's default folds for a classifier: StratifiedKFold, no shuffle."""
    return list(StratifiedKFold(n_splits=n_folds).split(np.zeros(len(y)), y))


def _score_fold(x, y, train, val, group: list[Candidate]) -> list[tuple[float, float]]:
    """Accuracy and fit time of each candidate of ``group`` (same kernel matrix, different C) on one fold."""
    k_train = kernel_matrix(x[train], x[train], group[0])
    k_val = kernel_matrix(x[val], x[train], group[0])
    out = []
    for c in group:
        start = time.perf_counter()
        model = SVC(kernel="precomputed", C=c.C).fit(k_train, y[train])
        out.append((float(np.mean(model.predict(k_val) == y[val])), time.perf_counter() - start))
    return out


def grid_search(x: np.ndarray, y: np.ndarray, cands: list[Candidate], n_folds: int, n_jobs: int) -> list[Scored]:
    """n-fold CV accuracy of every candidate, in the order given; ``x`` is ``(n, d) float64``."""
    splits = folds(y, n_folds)
    groups: dict[tuple, list[Candidate]] = {}
    for c in cands:
        groups.setdefault((c.kernel, c.gamma, c.degree, c.coef0), []).append(c)
    tasks = [(key, f) for key in groups for f in range(n_folds)]
    results = _run(
        [delayed(_score_fold)(x, y, *splits[f], groups[key]) for key, f in tasks], n_jobs, scheduler_address()
    )
    per = {c: ([0.0] * n_folds, [0.0]) for c in cands}
    for (key, f), scores in zip(tasks, results):
        for c, (acc, secs) in zip(groups[key], scores):
            per[c][0][f] = acc
            per[c][1][0] += secs
    return [Scored(c, tuple(per[c][0]), per[c][1][0]) for c in cands]


def _run(calls: list, n_jobs: int, address: str | None) -> list:
    """The delayed ``calls``, in order: ``n_jobs`` local processes, or every thread of the Dask cluster."""
    if address is None:
        return Parallel(n_jobs=n_jobs)(calls)
    with dask_backend(address) as threads:
        log.info("grid: %d tasks on the Dask cluster at %s (%d worker threads)", len(calls), address, threads)
        return Parallel(n_jobs=-1)(calls)


def best(scored: list[Scored]) -> Scored:
    """The highest mean CV accuracy; the first in order among ties (as GridSearchCV)."""
    return max(scored, key=lambda s: s.mean)  # max keeps the first of equal keys


def search(
    x: np.ndarray, y: np.ndarray, grid: Q6KernelGrid, n_folds: int, n_jobs: int, refine_factor: float
) -> list[Scored]:
    """The grid, then (if ``refine_factor``) a second pass around its best cell; all scored candidates."""
    scored = grid_search(x, y, candidates(grid), n_folds, n_jobs)
    if refine_factor:
        scored += grid_search(x, y, refined(grid, best(scored).candidate, refine_factor), n_folds, n_jobs)
    log.info("%s: %d candidates, best %.4f at %s", grid.kernel, len(scored), best(scored).mean, best(scored).candidate)
    return scored


def plain_grid_search(x: np.ndarray, y: np.ndarray, cands: list[Candidate], n_folds: int, n_jobs: int) -> list[float]:
    """The reference: ``GridSearchCV(SVC(...))`` over the same candidates; their mean CV accuracies, in order."""
    grid = [{k: [v] for k, v in c.svc_params().items()} for c in cands]
    search = GridSearchCV(SVC(), grid, cv=folds(y, n_folds), n_jobs=n_jobs, scoring="accuracy").fit(x, y)
    return [float(s) for s in search.cv_results_["mean_test_score"]]
