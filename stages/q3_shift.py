"""Stage q3_shift: every trained Q3 model under every integer shift, and the answer's shifted-8 demonstration.

Each measure is taken over all test images and over those whose ink stays in the frame
(shift_inframe*.json); the demonstration shows the first in-frame test image of each class
and measures every in-frame image of the demo class (demo.json).
"""

from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.io import write_json
from nnsvm.core.seeding import seed_everything
from nnsvm.data import mnist
from nnsvm.nets import checkpoint, train
from nnsvm.plotting import save_figure
from nnsvm.q3 import demo, figures, frame, results
from nnsvm.q3.params import Q3Params

STAGE = "q3_shift"
REPORTS, FIGURES = Path("reports/q3"), Path("reports/q3/figures")


def main() -> None:
    p = load_section("q3", Q3Params)
    s = p.shift
    train.set_threads(p.threads)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(s)):
        seed_everything(p.seed)
        device = train.resolve_device(p.device)
        data = mnist.load("data/mnist")
        inputs.use_data("mnist", "data/mnist", data.digest, data.source, "evaluation")
        n = s.max_test or len(data.y_test)
        x, y = train.to_tensors(data.x_test[:n], data.y_test[:n], device)
        nets = {name: checkpoint.load(f"models/q3/{name}.pt", device) for name in p.models}
        seeds = {name: p.seeds_of(name) for name in p.models}
        both = {name: frame.grids(nets[name][0], x, y, s.max_shift, s.batch_size) for name in nets}
        grids, inframe = {k: g[0] for k, g in both.items()}, {k: g[1] for k, g in both.items()}
        full, rings = results.shift_tables(grids)
        write_json(REPORTS / "shift.json", full)
        write_json(REPORTS / "shift_by_distance.json", rings)
        in_full, in_rings = frame.tables(inframe)
        write_json(REPORTS / "shift_inframe.json", in_full)
        write_json(REPORTS / "shift_inframe_by_distance.json", in_rings)
        shown, found, record = demo.demonstrate(nets, x, y, s.demo_class, s.demo_shift, s.batch_size, seeds)
        write_json(REPORTS / "demo.json", record)
        figs = figures.shift_figures(
            grids, shown, s.demo_class, s.demo_shift, s.max_shift, inframe=inframe, found=found, seeds=seeds
        )
        for fig_name, fig in figs.items():
            save_figure(fig, FIGURES / f"{fig_name}.png")
            tracking.log_artifact(FIGURES / f"{fig_name}.png", "figures")
        for name, ring in rings.items():
            for r in ring["accuracy"]:
                step = {f"{name}.shift_accuracy": ring["accuracy"][r], f"{name}.consistency": ring["consistency"][r]}
                if (kept := in_rings[name]["consistency"].get(r)) is not None:
                    step[f"{name}.inframe_consistency"] = kept
                tracking.log_metrics(step, step=int(r))


if __name__ == "__main__":
    run_stage(STAGE, main)
