"""Q1 figures: decision regions of the step-neuron net, the five-ReLU net against T, square pulses."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnsvm.data.toy import ToySet
from nnsvm.plotting import curves, loglog, plt, scatter_points
from nnsvm.q1 import networks
from nnsvm.q1.params import Q1Params


def decision_regions(
    x: np.ndarray, y: np.ndarray, grid: tuple[np.ndarray, np.ndarray, np.ndarray], title: str
) -> Figure:
    """Predicted class over a grid (filled) with the data on top."""
    fig, ax = plt.subplots(figsize=(5, 5))
    gx, gy, classes = grid
    ax.contourf(gx, gy, classes, levels=[0.5, 1.5, 2.5, 3.5], colors=["#dbe9f6", "#e2f3df", "#eee0f3"], alpha=0.9)
    scatter_points(ax, x, y)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.legend(fontsize=7, loc="upper left")
    return fig


def figures(data: ToySet, net: networks.StepNet, c: dict, e: dict, p: Q1Params) -> dict[str, Figure]:
    lo, hi = data.x.min() - 0.5, data.x.max() + 0.5
    gx, gy = np.meshgrid(np.linspace(lo, hi, p.region_grid_points), np.linspace(lo, hi, p.region_grid_points))
    classes = networks.predict_classes(net, np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    grid = np.linspace(0, 1, 2001)
    f = networks.TARGETS[p.target]
    shown = [n for n in p.pulses if n in (4, 16, 64)] or list(p.pulses[:2])
    approx = {f"{n} pulses": networks.evaluate(networks.PulseNet(f, n, p.steepness), grid) for n in shown}
    return {
        "step_net": decision_regions(
            data.x, data.y, (gx, gy, classes), f"Q1-C: two step neurons, accuracy {c['accuracy']:.1%}"
        ),
        "relu_net": curves(
            grid,
            {
                "T(x)": networks.tent(grid),
                "answer's ReLU net N5(x)": networks.evaluate(networks.AnswerReluNet(), grid),
                "one hidden layer: 3 ReLU(x) - 4.5 ReLU(x - 1/3)": networks.evaluate(
                    networks.OneLayerReluNet.tent(), grid
                ),
            },
            "Q1-D: the answer's five-ReLU network, and one hidden layer of two ReLUs, vs T",
        ),
        "pulses": loglog(
            {f"sup |net - f|, f = {e['formula']}": (e["pulses"], e["sup_err"])},
            "Q1-E: square-pulse approximation error",
            "pulses n (2n hidden sigmoids)",
            "sup-norm error",
            -1.0,
        ),
        "pulses_fit": curves(grid, {"f(x)": f(grid)} | approx, f"Q1-E: f(x) = {e['formula']} by square pulses"),
    }
