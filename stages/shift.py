"""Stage shift: every trained Q3 model under every integer shift, the seed's demo redone, the Q3 claims."""

from pathlib import Path

import torch

from nnsvm import tracking
from nnsvm.claims import claim_metrics, write_claims
from nnsvm.cli import run_stage
from nnsvm.data import mnist
from nnsvm.io import read_json, write_json
from nnsvm.params import digest, load_params
from nnsvm.plotting import save_figure
from nnsvm.q3 import checkpoint, claims, demo, figures, shift, train
from nnsvm.seeding import seed_everything

REPORTS, FIGURES = Path("reports/q3"), Path("reports/q3/figures")


def main() -> None:
    params = load_params()
    p, s = params.q3, params.q3.shift
    if p.threads:
        torch.set_num_threads(p.threads)
    seed_everything(params.seed)
    device = train.resolve_device(p.device)
    data = mnist.load("data/mnist")
    n = s.max_test or len(data.y_test)
    x, y = train.to_tensors(data.x_test[:n], data.y_test[:n], device)
    nets = {name: checkpoint.load(f"models/q3/{name}.pt", device) for name in p.models}
    trained = {name: read_json(REPORTS / "train" / f"{name}.json") for name in p.models}

    grids = {name: shift.shift_grid(seeds[0], x, y, s.max_shift, s.batch_size) for name, seeds in nets.items()}
    rings = {name: {w: g.by_distance(w) for w in ("accuracy", "consistency")} for name, g in grids.items()}
    write_json(REPORTS / "shift.json", {name: {"accuracy": g.accuracy, "consistency": g.consistency} for name, g in grids.items()})
    write_json(REPORTS / "shift_by_distance.json", {name: {w: {str(r): v for r, v in ring.items()} for w, ring in r2.items()} for name, r2 in rings.items()})
    metrics = {name: {k: t[k] for k in ("test_accuracy", "epochs", "train_seconds")} | ({"seeds": t["seeds"]} if len(t["seeds"]) > 1 else {}) for name, t in trained.items()}
    write_json(REPORTS / "metrics.json", metrics)

    # The seed's demonstration, and the same over the first image of every class.
    shown = demo.run(nets, x, y, s.demo_shift)
    c = s.demo_class
    figs = {
        "demo": figures.demo(shown.originals[c], shown.shifted[c], {n: ps[0][c] for n, ps in shown.probs.items()}, c, s.demo_shift),
        "demo_classes": figures.demo_per_class(shown.shifted, list(range(10)), shown.first_seed_predictions(), s.demo_shift),
        "invariance": figures.invariance_curves(grids),
        "training": figures.training_curves({n: t["history"][next(iter(t["history"]))] for n, t in trained.items()}),
    } | {f"heatmap_{name}": figures.heatmap(g, name, s.max_shift) for name, g in grids.items()}
    for fig_name, fig in figs.items():
        save_figure(fig, FIGURES / f"{fig_name}.png")

    found = claims.all_claims(trained, rings, shown.predictions(c), c, s.demo_shift, s.max_shift)
    keys = {"seed": params.seed, "q3.device": p.device, "q3.threads": p.threads, "q3.shift": s.model_dump(mode="json"), "q3.models": list(p.models)}
    with tracking.stage_run("shift", params=keys, params_digest=digest(s), data_digest=data.digest, data_source=data.source) as run_id:
        tracking.log_metrics(claim_metrics(found))
        for name, ring in rings.items():
            for r in ring["accuracy"]:
                tracking.log_metrics({f"{name}.shift_accuracy": ring["accuracy"][r], f"{name}.consistency": ring["consistency"][r]}, step=r)
        for fig_name in figs:
            tracking.log_artifact(FIGURES / f"{fig_name}.png", "figures")
        write_claims(REPORTS / "claims.json", stage="shift", run_id=run_id, claims=found, headline=claims.headline(trained))


if __name__ == "__main__":
    run_stage("shift", main)
