"""Stage toy: the assignment's toy data sets (Q1-C, Q4-A, Q4-B) and a figure of each."""

from pathlib import Path

from nnsvm import tracking
from nnsvm.cli import run_stage
from nnsvm.data import toy
from nnsvm.params import digest, load_params
from nnsvm.plotting import save_figure, scatter_labelled
from nnsvm.seeding import seed_everything

DATA = Path("data/toy")
FIGURES = Path("reports/toy")
TITLES = {
    "clusters": "Q1-C: three clusters on the diagonal",
    "four_points": "Q4-A: the four labelled points",
    "db1": "Q4-B DB1: + + - - - + + on the $x_1$ axis",
    "db2": "Q4-B DB2: two concentric circles",
    "db3": "Q4-B DB3: three rings (- + -)",
}


def main() -> None:
    params = load_params()
    p = params.toy
    rng = seed_everything(p.seed)
    sets = {
        "clusters": toy.clusters(p.clusters, rng),
        "four_points": toy.four_points(p.four_points),
        "db1": toy.line(p.db1),
        "db2": toy.rings(p.db2, rng),
        "db3": toy.rings(p.db3, rng),
    }
    DATA.mkdir(parents=True, exist_ok=True)
    for name, data in sets.items():
        data.save(DATA / f"{name}.npz")
        save_figure(scatter_labelled(data.x, data.y, TITLES[name]), FIGURES / f"{name}.png")

    with tracking.stage_run(
        "toy", params={"toy": p.model_dump(mode="json")},
        params_digest=digest(p), data_digest=toy.digest(sets), data_source="generated",
    ):
        for name, data in sets.items():
            tracking.log_dataset(name, source=(DATA / f"{name}.npz").resolve().as_uri(), digest=toy.digest({name: data}), context="generated")
            tracking.log_metrics({f"{name}.n_points": len(data.y)})
            tracking.log_artifact(FIGURES / f"{name}.png", "figures")


if __name__ == "__main__":
    run_stage("toy", main)
