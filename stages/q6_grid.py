"""Stage q6_grid@<kernel>: CV grid search of one kernel on each protocol's grid-search set."""

import sys
from pathlib import Path

from nnsvm import tracking
from nnsvm.cli import run_stage
from nnsvm.errors import NnsvmError
from nnsvm.io import write_json
from nnsvm.params import digest, load_params
from nnsvm.plotting import save_figure
from nnsvm.q6 import data as q6data
from nnsvm.q6.figures import cv_heatmap
from nnsvm.q6.grid import KERNELS, best, search

OUT = Path("reports/q6/grid")


def main(kernel: str) -> None:
    if kernel not in KERNELS:
        raise NnsvmError(f"kernel {kernel!r} unknown; run `python -m stages.q6_grid <one of {', '.join(KERNELS)}>`")
    q6 = load_params().q6
    protocols = {"published": q6.published, "improved": q6.improved}
    data = q6data.load()
    results = {}
    for name, proto in protocols.items():
        x = data.scaler(proto.scaling)(data.x[data.split.grid[name]])
        scored = search(x, data.y[data.split.grid[name]], proto.kernels[kernel], q6.cv_folds, q6.n_jobs, proto.refine_factor)
        results[name] = {"best": best(scored).to_dict(), "candidates": [s.to_dict() for s in scored], "grid_size": len(x)}
        save_figure(cv_heatmap(results[name]["candidates"], f"Q6 {kernel}, {name} protocol: {q6.cv_folds}-fold CV accuracy (%)"), OUT / f"{kernel}_{name}.png")
    write_json(OUT / f"{kernel}.json", results)

    params = {f"q6.{n}.kernels.{kernel}": p.kernels[kernel].model_dump(mode="json") for n, p in protocols.items()}
    params |= {f"q6.{n}.scaling": p.scaling for n, p in protocols.items()}
    with tracking.stage_run(
        f"q6_grid@{kernel}", params=params | {"q6.cv_folds": q6.cv_folds},
        params_digest=digest(*(p.kernels[kernel] for p in protocols.values())), data_digest=data.digest, data_source=data.source,
    ):
        for name, res in results.items():
            tracking.log_child_runs([
                (f"{kernel} {name} C={c['C']:g} gamma={c['gamma']}", {**{k: c[k] for k in ("kernel", "C", "gamma", "degree", "coef0")}, "protocol": name},
                 {"cv_accuracy": c["cv_accuracy"], "fit_seconds": c["fit_seconds"]} | {f"fold_{i}": s for i, s in enumerate(c["fold_scores"])})
                for c in res["candidates"]
            ])
            tracking.log_metrics({f"{name}.best_cv_accuracy": res["best"]["cv_accuracy"], f"{name}.n_candidates": len(res["candidates"])})
            tracking.log_artifact(OUT / f"{kernel}_{name}.png", "figures")
        tracking.log_artifact(OUT / f"{kernel}.json")


if __name__ == "__main__":
    item = sys.argv[1] if len(sys.argv) == 2 else ""
    run_stage(f"q6_grid@{item}", lambda: main(item))
