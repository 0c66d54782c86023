"""The q1, q2, q4 and q5 params sections are strict too."""

import copy

import pytest
from test_params import write_params

from nnsvm.core.config import load_section
from nnsvm.core.errors import NnsvmError
from nnsvm.q1.params import Q1Params
from nnsvm.q2.params import Q2Params
from nnsvm.q4.params import Q4Params
from nnsvm.q5.params import Q5Params

# One valid example of each section, small; each test breaks one key of a copy.
SECTIONS = {
    "q1": (
        Q1Params,
        {
            "relu_grid_points": 101,
            "region_grid_points": 20,
            "pulses": [1, 2, 4],
            "target": "sine",
            "steepness": 200.0,
            "eval_points": 1001,
            "linear": {
                "seed": 1,
                "depth": 2,
                "width": 8,
                "batch_size": 32,
                "collapse": {"layers": 3, "width": 8},
                "rings": {"n_points": 100, "noise": 0.1, "test_fraction": 0.3, "epochs": 2, "lr": 0.01},
                "mnist": {"epochs": 1, "lr": 0.001},
            },
            "sparsity": {"models": ["mlp"], "batch_size": 100, "repeats": 2},
            "gradients": {
                "seed": 0,
                "seeds": 2,
                "depth": 3,
                "width": 8,
                "epochs": 1,
                "lr": 0.1,
                "batch_size": 32,
                "init_batches": 1,
                "probe_size": 32,
                "lenet_epochs": 1,
            },
        },
    ),
    "q2": (
        Q2Params,
        {
            "seed": 7,
            "init_std": 1.0,
            "x": [0.5, -1.5],
            "y": [0, 1],
            "fd_step": 1.0e-6,
            "tol": 1.0e-8,
            "optim": {"l2": 0.1, "iterations": 5, "sgd_lr": 0.005, "newton_iterations": 5},
        },
    ),
    "q4": (
        Q4Params,
        {
            "svm": {
                "primal_solvers": ["CLARABEL", "OSQP"],
                "dual_solvers": ["CLARABEL", "OSQP"],
                "hard_c": 1.0e6,
                "answer_c": 1.0,
                "sv_tol": 1.0e-3,
                "margin_tol": 1.0e-3,
                "nonseparable_labels": [1, -1, 1, -1],
            },
            "maps": {"solver": "CLARABEL"},
        },
    ),
    "q5": (
        Q5Params,
        {
            "seed": 5,
            "n_points": 20,
            "dim": 3,
            "poly_degrees": [2, 3],
            "poly_coef0": 1.0,
            "gamma": 0.5,
            "rff_features": [10, 100],
            "rff_repeats": 2,
            "tol": 1.0e-12,
        },
    ),
}


def load_edited(tmp_path, name: str, edit):
    """Load section ``name`` from a file holding only it, after ``edit`` changed a copy of its example."""
    model, example = SECTIONS[name]
    raw = copy.deepcopy(example)
    edit(raw)
    return load_section(name, model, write_params(tmp_path, {name: raw}))


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_the_examples_are_valid(tmp_path, name):
    """It loads each example section as written (so each failure below is the one edit's)."""
    model, _ = SECTIONS[name]
    assert isinstance(load_edited(tmp_path, name, lambda raw: None), model)


def test_unknown_solver_names_the_key(tmp_path):
    """It rejects a solver cvxpy does not ship, naming q4.svm.primal_solvers."""
    with pytest.raises(NnsvmError, match=r"q4\.svm\.primal_solvers\.1"):
        load_edited(tmp_path, "q4", lambda q4: q4["svm"].update(primal_solvers=["CLARABEL", "GUROBI"]))


def test_one_solver_is_not_enough(tmp_path):
    """It asks for at least two solvers per QP."""
    with pytest.raises(NnsvmError, match=r"q4\.svm\.dual_solvers"):
        load_edited(tmp_path, "q4", lambda q4: q4["svm"].update(dual_solvers=["OSQP"]))


def test_pulses_must_increase(tmp_path):
    """It rejects a pulse list that is not strictly increasing."""
    with pytest.raises(NnsvmError, match=r"q1\.pulses: .*strictly increasing"):
        load_edited(tmp_path, "q1", lambda q1: q1.update(pulses=[4, 2]))


def test_label_must_be_one_hot(tmp_path):
    """It rejects a Q2 label that is not one-hot."""
    with pytest.raises(NnsvmError, match=r"q2\.y: .*one-hot"):
        load_edited(tmp_path, "q2", lambda q2: q2.update(y=[1, 1]))


def test_typo_in_q5_names_the_allowed_keys(tmp_path):
    """It names the misspelt q5 key and the keys allowed there."""
    with pytest.raises(NnsvmError, match=r"q5\.gama: unknown key \(allowed here: seed, n_points"):
        load_edited(tmp_path, "q5", lambda q5: q5.update(gama=0.5))


def test_one_timing_round_is_refused(tmp_path):
    """It asks for at least two timing rounds (a t interval needs two), naming q1.sparsity.repeats."""
    with pytest.raises(NnsvmError, match=r"q1\.sparsity\.repeats: .*greater than or equal to 2"):
        load_edited(tmp_path, "q1", lambda q1: q1["sparsity"].update(repeats=1))


def test_ring_radii_must_increase(tmp_path):
    """It rejects rings whose inner radius is not below the outer one."""
    with pytest.raises(NnsvmError, match=r"q1\.linear\.rings\.radii: .*inner < outer"):
        load_edited(tmp_path, "q1", lambda q1: q1["linear"]["rings"].update(radii=[2.0, 1.0]))


def test_typo_in_q1_gradients_names_the_allowed_keys(tmp_path):
    """It names a misspelt q1.gradients key and the keys allowed there."""
    with pytest.raises(NnsvmError, match=r"q1\.gradients\.depht: unknown key \(allowed here: seed, seeds, depth"):
        load_edited(tmp_path, "q1", lambda q1: q1["gradients"].update(depht=10))
