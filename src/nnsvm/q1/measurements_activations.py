"""Q1-A measurements for the report (stage q1_activations): linear collapse, ReLU's zeros and their speed.

Each value is answer-independent (claims/answer.yaml says what the answer states
of it); the interval beside a value is the measurement's own tolerance.
"""

from __future__ import annotations

from nnsvm.measurement import Measurement, around, measure, pct
from nnsvm.stats import difference_halfwidth

LEVEL = 0.99
DATA_SETS = {"rings": "two concentric rings", "mnist": "MNIST"}


def measurements(linear: dict, sparsity: dict, speed: dict, figs: dict[str, str]) -> dict[str, Measurement]:
    """``sparsity``: the zeros (``reports/q1/sparsity.json``); ``speed``: this run's timings
    (``reports/timing/q1_speed.json``, not a DVC output), read only for whether the zeros made the pass faster."""
    found = {"q1a.linear.product_err": product_err(linear, figs["linear"])}
    for data in DATA_SETS:
        found[f"q1a.linear.depth_gain.{data}"] = gain(linear, data, "deep_identity", figs["linear"])
        found[f"q1a.relu.gain.{data}"] = gain(linear, data, "deep_relu", figs["linear"])
    for name, zeros in sparsity["zeros"].items():
        found[f"q1a.relu.zero_share.{name}"] = zero_share(name, zeros, figs["sparsity"])
    found["q1a.relu.zeros_faster"] = zeros_faster(sparsity, speed)
    return found


def product_err(linear: dict, fig: str) -> Measurement:
    """The larger relative error of the two collapse checks, with the larger float64 rounding bound."""
    random, trained = linear["collapse"]["random"], linear["collapse"]["mnist_deep_identity"]
    value = max(random["relative_err"], trained["relative_err"])
    tol = max(random["rounding_bound"], trained["rounding_bound"])
    return around(
        value,
        tol,
        "e",
        f"± float64 rounding: u x the sum of the fan-ins ({tol:.1e})",
        text=f"max |deep(x) - (W x + b)| = {value:.1e} of the output scale",
        note=f"W = W_L ... W_1 and b carried through, in float64, on {random['points']} MNIST test images: a random "
        f"{random['layers']}-layer net of identity activations {random['relative_err']:.1e}; the "
        f"{trained['layers']}-layer identity net trained on MNIST {trained['relative_err']:.1e} (its float32 "
        f"predictions and the one map's agree on {pct(trained['agreement'])} of the images)",
        figures=(fig,),
    )


def gain(linear: dict, data: str, deep: str, fig: str) -> Measurement:
    """Test accuracy of ``deep`` minus that of the one linear layer on ``data``, 99% two-sample binomial."""
    r = linear[data]
    a, b = r["accuracy"][deep], r["accuracy"]["linear"]
    half = difference_halfwidth(a, b, r["test_points"], LEVEL)
    kind = "identity" if deep == "deep_identity" else "ReLU"
    same = (
        "; both are one affine map (q1a.linear.product_err), so a difference is where training left one decision "
        "boundary, not capacity"
        if deep == "deep_identity"
        else ""
    )
    acc = ", ".join(f"{name} {pct(v)}" for name, v in r["accuracy"].items())
    return around(
        a - b,
        half,
        "pct",
        f"99% interval of a difference of two accuracies, {r['test_points']} test points each",
        text=f"{100 * (a - b):+.2f} points ({pct(a)} vs {pct(b)})",
        note=f"{DATA_SETS[data]}, {linear['depth']} hidden layers of {linear['width']} ({kind}) vs one linear layer; "
        f"same init seed, Adam lr {r['lr']}, batch {linear['batch_size']}, {r['epochs']} epochs each; test accuracy "
        f"{acc}; parameters {r['parameters']}{same}",
        figures=(fig,),
    )


def zero_share(name: str, zeros: dict, fig: str) -> Measurement:
    layers = "; ".join(
        f"{layer} {pct(s['zero_share'])} zero, {s['dead']} of {s['units']} units dead"
        + (f" ({s['dead_channels']} of {s['channels']} channels)" if "channels" in s else "")
        for layer, s in zeros["layers"].items()
    )
    return measure(
        zeros["zero_share"],
        "pct",
        text=f"{pct(zeros['zero_share'])} of hidden ReLU outputs are exactly 0",
        note=f"models/q3/{name}.pt (first seed) on {zeros['images']} test images, all {zeros['units']} hidden ReLU "
        f"units pooled; per image {pct(zeros['active_share_per_image'])} active "
        f"({zeros['active_units_per_image']:.0f} units); {layers}; dead = zero on every test image",
        figures=(fig,),
    )


def zeros_faster(sparsity: dict, speed: dict) -> Measurement:
    """Whether the dense kernels ran faster on the real activations than on their zero-free copies, beyond the
    timing noise: yes (1) when the 99% interval of ``t_dense / t_sparse`` lies wholly above 1, no (0) when it lies
    wholly below, and [0, 1] (cannot tell) when it holds 1.

    A yes or no, not the ratio: a wall time differs on every run, and the report is a DVC output that an
    identical rerun must reproduce byte for byte. The ratios, seconds and the sparse-kernel comparison are in
    ``reports/timing/q1_speed.json`` (and the stage's MLflow metrics), which are not hashed. Under no effect
    the answer comes out yes on 0.5% of runs (one side of a 99% interval). No figure: the report's HTML
    inlines its figures, and the timing figure (``reports/timing/q1_speed.png``) is new on every run.
    """
    s = speed["speed"]["all"]
    faster, slower = s["low"] > 1, s["high"] < 1
    # three outcomes: faster (yes), slower (no), or an interval that holds 1: yes or no, it cannot tell
    verdict = "yes" if faster else "no" if slower else "cannot tell"
    how = "clears 1" if faster else "lies below 1" if slower else "holds 1"
    return measure(
        float(faster),
        "bool",
        spread=None if faster or slower else (0.0, 1.0, "the timing interval holds 1: faster or not, it cannot tell"),
        text=f"{verdict}: t_dense / t_sparse's 99% interval over {len(s['ratios'])} interleaved rounds {how}",
        note=f"the layers after each hidden ReLU of {', '.join(speed['speed']['models'])} on "
        f"{sparsity['test_images']} test images (batch {sparsity['batch_size']}), fed the real activations vs the "
        f"same with every 0 replaced by {speed['dense_fill']:g} (each round's times summed over the models); "
        "also a sparse kernel (CSR, torch.sparse.mm) on the real activations of the Linear layers that read them. "
        "This run's ratios and seconds: reports/timing/q1_speed.json and .png (timings differ on every run, "
        "so they are kept out of DVC's hashed outputs; the stage's MLflow run has them too)",
    )
