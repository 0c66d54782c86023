"""The Q3 figures build from small hand-made results, and say what they show."""

import numpy as np
import pytest

from nnsvm.plotting import plt
from nnsvm.q3 import demo, figures, frame, shift

SEEDS = {"lenet": [42], "mlp_published": [42, 43, 44]}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def grids() -> tuple[dict[str, shift.ShiftGrid], dict[str, frame.InFrameGrid]]:
    keys = [f"{dx},{dy}" for dx, dy in shift.offsets(1)]
    values = {k: 1.0 if k == "0,0" else 0.5 for k in keys}
    inside = {k: None if k == "1,1" else v for k, v in values.items()}
    n = {k: 0 if k == "1,1" else 7 for k in keys}
    return (
        {name: shift.ShiftGrid(values, values) for name in SEEDS},
        {name: frame.InFrameGrid(inside, inside, n, inside, inside) for name in SEEDS},
    )


def texts(fig) -> str:
    """Every title, axis label and suptitle of ``fig``, joined."""
    found = [fig._suptitle.get_text() if fig._suptitle else ""]
    for ax in fig.axes:
        found += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    return " | ".join(found)


def test_heatmap_labels_its_colour_bars_and_names_the_seed():
    """It labels each colour bar with the measure and its unit, and says which seed a multi-seed model shows."""
    full, inside = grids()
    fig = figures.heatmap(full["mlp_published"], "mlp_published", 1, inside["mlp_published"], SEEDS["mlp_published"])
    assert len(fig.axes) == 8  # 2 x 2 panels and their colour bars
    bars = [ax.get_ylabel() for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert bars[-2:] == [
        "accuracy: fraction of in-frame test images (0-1)",
        "consistency: fraction of in-frame test images (0-1)",
    ]
    assert "first seed (seed 42) of 3" in texts(fig)


def test_invariance_shows_all_images_and_in_frame_rows_for_every_model():
    """It draws one curve per model in each of the four panels, with the legend inside the plot area."""
    full, inside = grids()
    fig = figures.invariance_curves(full, inside, SEEDS)
    assert len(fig.axes) == 4 and all(len(ax.lines) == 2 for ax in fig.axes)
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == list(SEEDS)
    assert "in-frame images only" in texts(fig) and "first seed (seed 42)" in texts(fig)


def test_training_curves_draw_every_seed_with_one_legend_entry_per_model():
    """It draws three thin accuracy lines for a three-seed model and names the seed count once."""
    history = {str(s): [[1, 0.5, 0.9], [2, 0.3, 0.95]] for s in (42, 43, 44)}
    trained = {"lenet": {"history": {"42": [[1, 0.4, 0.97], [2, 0.2, 0.98]]}}, "mlp_published": {"history": history}}
    fig = figures.training_curves(trained)
    accuracy = fig.axes[1]
    assert len(accuracy.lines) == 4
    assert [t.get_text() for t in accuracy.get_legend().get_texts()] == ["lenet", "mlp_published (3 seeds)"]


def test_demo_figures_label_their_axes_and_name_the_seed():
    """It labels the probability bars (class, probability) and says the multi-seed answers are the first seed's."""
    probs = {name: [np.full((10, 10), 0.1) for _ in seeds] for name, seeds in SEEDS.items()}
    shown = demo.Demo(list(range(10)), np.zeros((10, 28, 28)), np.zeros((10, 28, 28)), probs)
    found = demo.Outcomes(8, 7, [3, 4], 5, {name: [np.array([8, 7])] * len(s) for name, s in SEEDS.items()})
    full, inside = grids()
    figs = figures.shift_figures(full, shown, 8, 7, 1, inframe=inside, found=found, seeds=SEEDS)
    assert set(figs) == {
        "demo",
        "demo_classes",
        "demo_in_frame",
        "invariance",
        "heatmap_lenet",
        "heatmap_mlp_published",
    }
    bars = figs["demo"].axes[2]
    assert (bars.get_xlabel(), bars.get_ylabel()) == ("class", "probability") and bars.get_legend() is not None
    assert "first seed (seed 42) of 3" in texts(figs["demo"])
    assert "first seed (seed 42)" in texts(figs["demo_classes"])
    assert "mlp_published (3 seeds)" in [t.get_text() for t in figs["demo_in_frame"].axes[0].get_legend().get_texts()]
