"""The q1, q2, q4 and q5 params sections are strict too."""

import pytest
from test_params import write_params

from nnsvm.core.errors import NnsvmError
from nnsvm.params import load_params


def test_unknown_solver_names_the_key(tmp_path):
    """It rejects a solver cvxpy does not ship, naming q4.svm.primal_solvers."""
    path = write_params(tmp_path, lambda p: p["q4"]["svm"].update(primal_solvers=["CLARABEL", "GUROBI"]))
    with pytest.raises(NnsvmError, match=r"q4\.svm\.primal_solvers\.1"):
        load_params(path)


def test_one_solver_is_not_enough(tmp_path):
    """It asks for at least two solvers per QP."""
    path = write_params(tmp_path, lambda p: p["q4"]["svm"].update(dual_solvers=["OSQP"]))
    with pytest.raises(NnsvmError, match=r"q4\.svm\.dual_solvers"):
        load_params(path)


def test_pulses_must_increase(tmp_path):
    """It rejects a pulse list that is not strictly increasing."""
    path = write_params(tmp_path, lambda p: p["q1"].update(pulses=[4, 2]))
    with pytest.raises(NnsvmError, match=r"q1\.pulses: .*strictly increasing"):
        load_params(path)


def test_label_must_be_one_hot(tmp_path):
    """It rejects a Q2 label that is not one-hot."""
    path = write_params(tmp_path, lambda p: p["q2"].update(y=[1, 1]))
    with pytest.raises(NnsvmError, match=r"q2\.y: .*one-hot"):
        load_params(path)


def test_typo_in_q5_names_the_allowed_keys(tmp_path):
    """It names the misspelt q5 key and the keys allowed there."""
    path = write_params(tmp_path, lambda p: p["q5"].update(gama=0.5))
    with pytest.raises(NnsvmError, match=r"q5\.gama: unknown key \(allowed here: seed, n_points"):
        load_params(path)
