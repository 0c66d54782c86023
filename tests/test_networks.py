"""Q1: the answer's step, ReLU and square-pulse networks do what it says."""

import numpy as np
import pytest

from nnsvm.data import toy
from nnsvm.q1 import networks
from nnsvm.stats import loglog_slope

# Q1-C's three clusters: class 1 bottom-left, 2 middle, 3 top-right.
CLUSTERS = toy.ClustersParams(centers=((1.0, 1.0), (3.0, 3.0), (5.0, 5.0)), std=0.35, n_per_class=60)


def test_step_net_classifies_the_clusters():
    """It gets every point of the three clusters right with lines from the class means."""
    data = toy.clusters(CLUSTERS, np.random.default_rng(0))
    normal, thresholds = networks.lines_from_clusters(data.x, data.y)
    pred = networks.predict_classes(networks.StepNet(normal, thresholds), data.x)
    assert (pred == data.y).all()


def test_step_net_by_hand():
    """It outputs 1, 2, 3 below, between and above two lines x1 = 1 and x1 = 2."""
    net = networks.StepNet(np.array([1.0, 0.0]), (1.0, 2.0))
    assert networks.predict_classes(net, np.array([[0.5, 9], [1.5, -9], [2.5, 0]])).tolist() == [1, 2, 3]


def test_answer_relu_net_equals_tent():
    """It matches T(x) on a 100,001-point grid to float rounding, including T(1/3) = 1."""
    grid = np.linspace(0, 1, 100_001)
    net = networks.AnswerReluNet()
    assert np.max(np.abs(networks.evaluate(net, grid) - networks.tent(grid))) < 1e-12
    assert networks.evaluate(net, np.array([1 / 3, 0.0, 1.0])) == pytest.approx([1.0, 0.0, 0.0])


def test_pulse_error_falls_like_one_over_n():
    """It halves the sup-norm error with each doubling of pulses once they resolve f."""
    sizes = (8, 16, 32, 64)
    errors = networks.pulse_errors(networks.TARGETS["sine"], sizes, 200.0, np.linspace(0, 1, 20_001))
    assert networks.is_decreasing(errors)
    assert loglog_slope(sizes, errors) == pytest.approx(-1.0, abs=0.15)


def test_pulse_net_is_a_one_hidden_layer_sigmoid_net():
    """It has 2n hidden sigmoids for n pulses and reproduces a constant exactly in the middle."""
    net = networks.PulseNet(lambda x: np.full_like(x, 2.0), 4, 200.0)
    assert net.hidden.out_features == 8
    assert networks.evaluate(net, np.array([0.5 + 1 / 8])) == pytest.approx([2.0], abs=1e-12)


def test_one_hidden_layer_of_two_relus_is_tent():
    """It gives T exactly with one hidden layer: 3 ReLU(x) - 4.5 ReLU(x - 1/3), T(1/3) = 1 included."""
    grid = np.append(np.linspace(0, 1, 10_001), 1 / 3)
    out = networks.evaluate(networks.OneLayerReluNet.tent(), grid)
    assert np.max(np.abs(out - networks.tent(grid))) < 1e-12
    assert out[-1] == pytest.approx(1.0, abs=1e-15)


def test_one_relu_cannot_make_tent():
    """It finds no single ReLU within 0.49 of T: one ReLU is monotone, T goes up and down by 1."""
    grid = np.linspace(0, 1, 1001)
    err, (a, w, b, c) = networks.best_single_relu(grid, starts=8)
    assert 0.49 < err < 0.51
    fitted = a * np.maximum(w * grid + b, 0) + c
    assert np.max(np.abs(fitted - networks.tent(grid))) == pytest.approx(err)


def test_relu_net_measures_the_smallest_exact_network():
    """q1's measurement of Q1-D names one hidden layer of two units as the smallest exact network."""
    from nnsvm.params import load_params
    from nnsvm.q1 import measure, measurements

    p = load_params().q1.model_copy(update={"relu_grid_points": 1001})
    found = measure.relu_net(p)["smallest"]
    assert (found["hidden_layers"], found["units"]) == (1, 2)
    m = measurements._smallest(measurements.SmallestNet.of(found), "q1/relu_net.png")
    assert m.value == 1 and "3 ReLU(x) - 4.5 ReLU(x - 1/3)" in m.text
