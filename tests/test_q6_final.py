"""Q6 final models and results: the misclassified-digit search, best kernel, and the claims' verdicts."""

import numpy as np

from nnsvm.q6.claims import claims, headline
from nnsvm.q6.final import accuracy, confusion, lr_wrong_svm_right
from nnsvm.q6.results import best_over_kernels, protocol_metrics


def test_lr_wrong_svm_right_on_a_hand_made_case():
    """It finds exactly the positions where LR errs and the SVM does not."""
    y = np.array([0, 1, 2, 3, 4, 5])
    lr = np.array([0, 7, 2, 9, 9, 1])
    svm = np.array([0, 1, 8, 9, 4, 5])
    assert lr_wrong_svm_right(y, lr, svm).tolist() == [1, 4, 5]
    assert lr_wrong_svm_right(y, svm, lr).tolist() == [2]


def test_confusion_and_accuracy_by_hand():
    """It counts true digit by row, predicted by column."""
    m = confusion(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), n_classes=3)
    assert m.tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]
    assert accuracy(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1])) == 0.5


def row(kernel, cv, C=1.0, gamma=None, degree=None):
    return {"kernel": kernel, "C": C, "gamma": gamma, "degree": degree, "coef0": 0.0, "cv_accuracy": cv}


def grids(cvs):
    keys = {
        "linear": ("linear", None, None),
        "poly2": ("poly", 0.1, 2),
        "poly3": ("poly", 0.1, 3),
        "rbf": ("rbf", 1e-4, None),
    }
    return {
        k: {"best": row(keys[k][0], cv, 10.0 if k == "rbf" else 0.1, keys[k][1], keys[k][2])} for k, cv in cvs.items()
    }


def test_best_over_kernels_takes_the_highest_cv():
    """It picks the kernel with the best CV accuracy, the earlier kernel on a tie."""
    assert best_over_kernels(grids({"linear": 0.8, "poly2": 0.9, "poly3": 0.7, "rbf": 0.85}))[0] == "poly2"
    assert best_over_kernels(grids({"linear": 0.9, "poly2": 0.9, "poly3": 0.7, "rbf": 0.85}))[0] == "linear"


def test_answer_numbers_confirm_and_far_numbers_differ():
    """It confirms a reproduction within tolerance, and says 'differs' beyond it."""
    g = grids({"linear": 0.867, "poly2": 0.80, "poly3": 0.857, "rbf": 0.886})
    final = {
        "best": g["rbf"]["best"],
        "svm": {"train_accuracy": 0.964, "test_accuracy": 0.9474},
        "logreg": {"test_accuracy": 0.9131},
    }
    far = {
        "best": g["rbf"]["best"],
        "svm": {"train_accuracy": 0.999, "test_accuracy": 0.985},
        "logreg": {"test_accuracy": 0.92},
    }
    metrics = {"published": protocol_metrics(g, final), "improved": protocol_metrics(g, far)}
    figures = {f"grid_{k}": "x.png" for k in g} | {
        "confusion_published": "c.png",
        "digits_published": "d.png",
        "one_digit_published": "o.png",
    }
    verdicts = {c.claim: c.verdict for c in claims(metrics, {"lr_wrong_svm_right": 3, "test_size": 100}, 50, figures)}
    assert set(verdicts.values()) == {"confirmed", "corrected"}
    assert verdicts["the polynomial kernel searched is the asked degree 2"] == "corrected"
    metrics["published"] = protocol_metrics(g, far)
    verdicts = {c.claim: c.verdict for c in claims(metrics, {"lr_wrong_svm_right": 0, "test_size": 100}, 50, figures)}
    assert verdicts["RBF C=10 gamma=1e-4 trained on the rest has test accuracy 94.74%"] == "differs"
    answer_refit = {
        "lr_wrong_svm_right": 0,
        "test_size": 100,
        "answer_model": {"train_accuracy": 0.963, "test_accuracy": 0.951},
    }
    verdicts = {c.claim: c.verdict for c in claims(metrics, answer_refit, 50, figures)}
    assert verdicts["RBF C=10 gamma=1e-4 trained on the rest has test accuracy 94.74%"] == "confirmed"
    assert verdicts["a test digit logistic regression gets wrong is classified right by the SVM"] == "differs"
    assert [h.improved for h in headline(metrics)][-2:] == ["98.50%", "92.00%"]
