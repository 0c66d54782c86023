"""Stage q6_grid@<kernel>: CV grid search of one kernel on each protocol's grid-search set."""

import sys
from pathlib import Path

from nnsvm.core import inputs, nested, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import write_json
from nnsvm.memory import reuse_freed_memory
from nnsvm.plotting import save_figure
from nnsvm.q6 import data as q6data
from nnsvm.q6.figures import cv_heatmap
from nnsvm.q6.grid import search
from nnsvm.q6.params import PROTOCOLS, Q6Params
from nnsvm.q6.results import candidate_runs, grid_result

OUT = Path("reports/q6/grid")


def main(kernel: str) -> None:
    reuse_freed_memory()  # big kernel matrices: nnsvm.memory
    q6 = load_section("q6", Q6Params)
    if kernel not in q6.kernels:
        raise NnsvmError(f"kernel {kernel!r} unknown; run `python -m stages.q6_grid <one of {', '.join(q6.kernels)}>`")
    stage = f"q6_grid@{kernel}"
    with tracking.stage_run(
        stage, params=declared_params(stage), params_digest=digest(*(q6.protocol(n).kernels[kernel] for n in PROTOCOLS))
    ):
        data = q6data.load()
        inputs.use_data("mnist-q6-split", q6data.SPLIT_FILE, data.digest, data.source, "grid-search")
        results = {}
        for name in PROTOCOLS:
            proto = q6.protocol(name)
            x, y = data.grid_set(name, proto.scaling)
            scored = search(x, y, proto.kernels[kernel], q6.cv_folds, q6.n_jobs, proto.refine_factor)
            results[name] = grid_result(scored, len(y))
            figure = OUT / f"{kernel}_{name}.png"
            save_figure(
                cv_heatmap(
                    results[name]["candidates"], f"Q6 {kernel}, {name} protocol: {q6.cv_folds}-fold CV accuracy"
                ),
                figure,
            )
            nested.log_child_runs(candidate_runs(kernel, name, scored))
            tracking.log_metrics(
                {f"{name}.best_cv_accuracy": results[name]["best"]["cv_accuracy"], f"{name}.n_candidates": len(scored)}
            )
            tracking.log_artifact(figure, "figures")
        write_json(OUT / f"{kernel}.json", results)
        tracking.log_artifact(OUT / f"{kernel}.json")


if __name__ == "__main__":
    item = sys.argv[1] if len(sys.argv) == 2 else "?"
    run_stage(f"q6_grid@{item}", lambda: main(item))
