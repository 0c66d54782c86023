"""Benchmark: Q6's grid search on a Dask cluster of 1 and of 2 local workers; speed-up and parallel efficiency.

The improved protocol's grids (no second pass) on a stratified grid-search set larger
than the pipeline's (default 10% of the 56,000 training images, twice the protocol's
5%), 5-fold CV, every (gamma, fold) task sent through joblib's Dask backend
(NNSVM_DASK_SCHEDULER, as the pipeline would). Needs data/mnist and data/q6/split.npz
(`dvc repro q6_split`). Each worker is one process with one BLAS thread, so the
ideal speed-up of 2 workers is 2. Run it on a quiet machine:
    flock /tmp/nnsvm-heavy.lock python benchmarks/q6_cluster.py
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from distributed import LocalCluster

from nnsvm.core.io import write_json
from nnsvm.params import load_params
from nnsvm.q6 import data as q6data
from nnsvm.q6.grid import SCHEDULER_ENV, candidates, grid_search
from nnsvm.q6.split import stratified_subset


def grid_set(fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A stratified ``fraction`` of the Q6 training part, pixels in [0, 1] (the improved protocol's scaling)."""
    data = q6data.load()
    idx = stratified_subset(data.split.train, data.y, fraction, 10, np.random.default_rng(seed))
    return data.scaler("unit")(data.x[idx]), data.y[idx]


def timed_on_cluster(n_workers: int, x: np.ndarray, y: np.ndarray, cands: list, folds: int) -> tuple[float, list]:
    """Seconds the grid takes on a fresh LocalCluster of ``n_workers`` one-thread processes; the fold scores."""
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        os.environ[SCHEDULER_ENV] = cluster.scheduler_address
        try:
            start = time.perf_counter()
            scores = [s.fold_scores for s in grid_search(x, y, cands, folds, 1)]
            return time.perf_counter() - start, scores
        finally:
            del os.environ[SCHEDULER_ENV]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=0.10, help="grid-search set, share of the training part")
    parser.add_argument("--kernels", nargs="+", default=["rbf", "poly2"], help="keys of q6.improved.kernels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="reports/q6/benchmarks/q6_cluster.json")
    args = parser.parse_args()
    q6 = load_params().q6
    x, y = grid_set(args.fraction, args.seed)
    cands = [c for k in args.kernels for c in candidates(q6.improved.kernels[k])]
    tasks = len({(c.kernel, c.gamma, c.degree) for c in cands}) * q6.cv_folds
    print(f"{len(y)} images, {len(cands)} candidates ({', '.join(args.kernels)}), {tasks} (gamma, fold) tasks")
    one, scores_one = timed_on_cluster(1, x, y, cands, q6.cv_folds)
    two, scores_two = timed_on_cluster(2, x, y, cands, q6.cv_folds)
    assert scores_one == scores_two, "the fold scores differ between 1 and 2 workers"
    speedup = one / two
    print(f"{'workers':>7} {'seconds':>9} {'speed-up':>9} {'efficiency':>10}")
    print(f"{1:>7} {one:>9.1f} {1.0:>8.2f}x {1.0:>10.0%}")
    print(f"{2:>7} {two:>9.1f} {speedup:>8.2f}x {speedup / 2:>10.0%}")
    print(f"(scores identical on 1 and 2 workers; {os.cpu_count()} cores on this machine)")
    write_json(
        args.out,
        {
            "images": len(y),
            "kernels": args.kernels,
            "candidates": len(cands),
            "tasks": tasks,
            "seconds": {"1": one, "2": two},
            "speedup": speedup,
            "efficiency": speedup / 2,
        },
    )


if __name__ == "__main__":
    main()
