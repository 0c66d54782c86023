"""Q1-C/D/E measurements: read from q1's records through named types, keyed by identifiers."""

import pytest

from nnsvm.q1 import measurements

STEP = {"accuracy": 1.0, "n_points": 180, "normal": [0.7, 0.7], "thresholds": [2.8, 5.7], "per_class_accuracy": {}}
PULSES = {
    "formula": "sin(2 pi x) + x",
    "pulses": [1, 2, 4],
    "sup_err": [0.8, 0.4, 0.2],
    "loglog_slope": -1.0,
    "tail_pulses": [2, 4],
    "tail_slope": -1.0,
    "tail_decreasing": True,
}
FIGS = {k: f"q1/{k}.png" for k in ("step_net", "relu_net", "pulses", "pulses_fit")}


def relu(hidden_layers):
    candidates = {"one hidden layer, 2 ReLUs": {"hidden_layers": 1, "max_abs_err": 1e-16}}
    smallest = {"hidden_layers": hidden_layers, "units": 2, "tol": 1e-9, "candidates": candidates}
    return {
        "fine": {"max_abs_err": 2e-16, "points": 100_001},
        "answer_grid": {"max_abs_err": 1e-16},
        "smallest": smallest,
    }


def test_every_q1_measurement_is_read_from_its_record():
    """It measures the step net's accuracy, the ReLU net's error and depth, and the pulses' slope."""
    found = measurements.measurements(STEP, relu(1), PULSES, FIGS)
    assert set(found) == {"q1c.accuracy", "q1d.max_abs_err", "q1d.hidden_layers_needed", "q1e.tail_slope"}
    assert found["q1c.accuracy"].value == 1.0 and found["q1d.hidden_layers_needed"].value == 1
    assert found["q1d.max_abs_err"].interval()[1] == pytest.approx(2e-16 + measurements.FLOAT_TOL)
    assert found["q1e.tail_slope"].figures == ("q1/pulses.png", "q1/pulses_fit.png")


def test_no_candidate_equal_to_t_is_not_measured():
    """It gives no depth, and names each candidate's error, when no network equals T."""
    m = measurements.measurements(STEP, relu(None), PULSES, FIGS)["q1d.hidden_layers_needed"]
    assert m.value is None and "one hidden layer, 2 ReLUs: max error 1e-16" in m.missing
