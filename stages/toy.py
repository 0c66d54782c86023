"""Stage toy: the assignment's toy data sets (Q1-C, Q4-A, Q4-B) and a figure of each."""

from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.seeding import seed_everything
from nnsvm.data import toy
from nnsvm.plotting import save_figure, scatter_labelled

STAGE = "toy"
DATA = Path("data/toy")
FIGURES = Path("reports/toy")


def main() -> None:
    p = load_section("toy", toy.ToyParams)
    with tracking.stage_run(STAGE, params=declared_params(STAGE), params_digest=digest(p)):
        sets = toy.generate(p, seed_everything(p.seed))
        inputs.tag_data(toy.digest(sets), "generated")
        for name, data in sets.items():
            data.save(DATA / f"{name}.npz")
            save_figure(scatter_labelled(data.x, data.y, toy.TITLES[name]), FIGURES / f"{name}.png")
            inputs.log_dataset(
                name,
                source=(DATA / f"{name}.npz").resolve().as_uri(),
                digest=toy.digest({name: data}),
                context="generated",
            )
            tracking.log_metrics({f"{name}.n_points": len(data.y)})
            tracking.log_artifact(FIGURES / f"{name}.png", "figures")


if __name__ == "__main__":
    run_stage(STAGE, main)
