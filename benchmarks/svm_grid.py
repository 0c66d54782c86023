"""Benchmark: the precomputed-kernel grid search against plain GridSearchCV(SVC) on the same grid.

Runs on the Q6 grid-search set of a protocol (needs `dvc repro q6_split`), one
kernel after another: same candidates, same folds, same n_jobs. Checks the CV
scores agree to 1e-9 and prints each time and the speed-up. Run it under the
shared lock:  flock /tmp/nnsvm-heavy.lock python benchmarks/svm_grid.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nnsvm.core.io import write_json
from nnsvm.params import load_params
from nnsvm.q6 import data as q6data
from nnsvm.q6.grid import candidates, grid_search, plain_grid_search
from nnsvm.q6.params import PROTOCOLS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", default="published", choices=PROTOCOLS)
    parser.add_argument("--kernels", nargs="+", default=None, help="keys of q6.kernels (default: all of them)")
    parser.add_argument("--out", default="reports/q6/benchmarks/svm_grid.json")
    args = parser.parse_args()
    q6 = load_params().q6
    proto = q6.protocol(args.protocol)
    data = q6data.load()
    x, y = data.grid_set(args.protocol, proto.scaling)
    for kernel in args.kernels or ():
        if kernel not in proto.kernels:
            parser.error(f"--kernels: {kernel!r} is not one of q6.kernels ({', '.join(q6.kernels)})")
    rows, total = {}, [0.0, 0.0]
    for kernel in args.kernels or q6.kernels:
        cands = candidates(proto.kernels[kernel])
        start = time.perf_counter()
        ours = np.array([s.mean for s in grid_search(x, y, cands, q6.cv_folds, q6.n_jobs)])
        mid = time.perf_counter()
        plain = np.array(plain_grid_search(x, y, cands, q6.cv_folds, q6.n_jobs))
        end = time.perf_counter()
        diff = float(np.max(np.abs(ours - plain)))
        assert diff <= 1e-9, f"{kernel}: CV scores differ by {diff}"
        rows[kernel] = {
            "candidates": len(cands),
            "precomputed_s": mid - start,
            "plain_s": end - mid,
            "speedup": (end - mid) / (mid - start),
            "max_score_diff": diff,
        }
        total[0] += mid - start
        total[1] += end - mid
        print(
            f"{kernel:7s} {len(cands):3d} candidates  precomputed {mid - start:7.1f} s  "
            f"plain GridSearchCV {end - mid:7.1f} s  speed-up {(end - mid) / (mid - start):5.1f}x  "
            f"max |score diff| {diff:.1e}",
            flush=True,
        )
    print(
        f"all     precomputed {total[0]:.1f} s  plain {total[1]:.1f} s  speed-up {total[1] / total[0]:.1f}x "
        f"({len(y)} images, {q6.cv_folds}-fold, n_jobs={q6.n_jobs})"
    )
    write_json(
        args.out,
        {
            "protocol": args.protocol,
            "images": len(y),
            "folds": q6.cv_folds,
            "n_jobs": q6.n_jobs,
            "kernels": rows,
            "precomputed_s": total[0],
            "plain_s": total[1],
            "speedup": total[1] / total[0],
        },
    )


if __name__ == "__main__":
    main()
