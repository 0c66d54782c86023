"""Stage q3_shift: every trained Q3 model under every integer shift, and the answer's shifted-8 demonstration."""

from pathlib import Path

from nnsvm.core import tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import digest, load_section
from nnsvm.core.io import write_json
from nnsvm.core.seeding import seed_everything
from nnsvm.data import mnist
from nnsvm.plotting import save_figure
from nnsvm.q3 import checkpoint, demo, figures, results, shift, train
from nnsvm.q3.params import Q3Params

STAGE = "q3_shift"
REPORTS, FIGURES = Path("reports/q3"), Path("reports/q3/figures")


def main() -> None:
    p = load_section("q3", Q3Params)
    s = p.shift
    train.set_threads(p.threads)
    with tracking.stage_run(STAGE, params_digest=digest(s)):
        seed_everything(p.seed)
        device = train.resolve_device(p.device)
        data = mnist.load("data/mnist")
        tracking.tag_data(data.digest, data.source)
        n = s.max_test or len(data.y_test)
        x, y = train.to_tensors(data.x_test[:n], data.y_test[:n], device)
        nets = {name: checkpoint.load(f"models/q3/{name}.pt", device) for name in p.models}
        grids = {name: shift.shift_grid(seeds[0], x, y, s.max_shift, s.batch_size) for name, seeds in nets.items()}
        full, rings = results.shift_tables(grids)
        write_json(REPORTS / "shift.json", full)
        write_json(REPORTS / "shift_by_distance.json", rings)
        shown = demo.run(nets, x, y, s.demo_shift)
        write_json(REPORTS / "demo.json", shown.result(s.demo_class, s.demo_shift))
        figs = figures.shift_figures(grids, shown, s.demo_class, s.demo_shift, s.max_shift)
        for fig_name, fig in figs.items():
            save_figure(fig, FIGURES / f"{fig_name}.png")
            tracking.log_artifact(FIGURES / f"{fig_name}.png", "figures")
        for name, ring in rings.items():
            for r in ring["accuracy"]:
                tracking.log_metrics(
                    {f"{name}.shift_accuracy": ring["accuracy"][r], f"{name}.consistency": ring["consistency"][r]},
                    step=int(r),
                )


if __name__ == "__main__":
    run_stage(STAGE, main)
