"""Stage shift: every trained Q3 model under every integer shift, the seed's demo redone, the Q3 claims."""

from pathlib import Path

import torch

from nnsvm import tracking
from nnsvm.claims import claim_metrics, write_claims
from nnsvm.cli import run_stage
from nnsvm.data import mnist
from nnsvm.io import read_json, write_json
from nnsvm.params import Q3ModelParams, digest, load_params
from nnsvm.plotting import save_figure
from nnsvm.q3 import claims, figures, models, shift, train
from nnsvm.seeding import seed_everything

REPORTS, FIGURES = Path("reports/q3"), Path("reports/q3/figures")


def load_models(name: str, device: torch.device) -> list[torch.nn.Module]:
    """Every seed's model of ``name``, first seed first."""
    checkpoint = torch.load(f"models/q3/{name}.pt", map_location=device)
    spec = Q3ModelParams(**checkpoint["spec"])
    return [_loaded(spec, state, device) for state in checkpoint["states"].values()]


def _loaded(spec: Q3ModelParams, state: dict, device: torch.device) -> torch.nn.Module:
    model = models.build(spec).to(device)
    model.load_state_dict(state)
    return model.eval().requires_grad_(False)


def main() -> None:
    params = load_params()
    p, s = params.q3, params.q3.shift
    if p.threads:
        torch.set_num_threads(p.threads)
    seed_everything(params.seed)
    device = train.resolve_device(p.device)
    data = mnist.load("data/mnist")
    x, y = train.to_tensors(data.x_test, data.y_test, device)
    nets = {name: load_models(name, device) for name in p.models}
    trained = {name: read_json(REPORTS / "train" / f"{name}.json") for name in p.models}

    grids = {name: shift.shift_grid(seeds[0], x, y, s.max_shift, s.batch_size) for name, seeds in nets.items()}
    rings = {name: {w: g.by_distance(w) for w in ("accuracy", "consistency")} for name, g in grids.items()}
    write_json(REPORTS / "shift.json", {name: {"accuracy": g.accuracy, "consistency": g.consistency} for name, g in grids.items()})
    write_json(REPORTS / "shift_by_distance.json", {name: {w: {str(r): v for r, v in ring.items()} for w, ring in r2.items()} for name, r2 in rings.items()})
    metrics = {name: {k: t[k] for k in ("test_accuracy", "epochs", "train_seconds")} | ({"seeds": t["seeds"]} if len(t["seeds"]) > 1 else {}) for name, t in trained.items()}
    write_json(REPORTS / "metrics.json", metrics)

    # The seed's demonstration, and the same over the first image of every class.
    index = shift.first_of_each_class(y)
    moved = shift.shift(x[index], s.demo_shift, 0)
    with torch.inference_mode():
        probs = {name: [models.probabilities(m, moved).cpu() for m in seeds] for name, seeds in nets.items()}
    demo = {name: [int(p_[s.demo_class].argmax()) for p_ in ps] for name, ps in probs.items()}
    figs = {
        "demo": figures.demo(x[index[s.demo_class], 0].cpu().numpy(), moved[s.demo_class, 0].cpu().numpy(), {n: ps[0][s.demo_class].numpy() for n, ps in probs.items()}, s.demo_class, s.demo_shift),
        "demo_classes": figures.demo_per_class(moved[:, 0].cpu().numpy(), list(range(10)), {n: ps[0].argmax(1).tolist() for n, ps in probs.items()}, s.demo_shift),
        "invariance": figures.invariance_curves(grids),
        "training": figures.training_curves({n: t["history"][next(iter(t["history"]))] for n, t in trained.items()}),
    } | {f"heatmap_{name}": figures.heatmap(g, name, s.max_shift) for name, g in grids.items()}
    for fig_name, fig in figs.items():
        save_figure(fig, FIGURES / f"{fig_name}.png")

    found = claims.all_claims(trained, rings, demo, s.demo_class, s.demo_shift, s.max_shift)
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
