"""The final models: the best SVM trained on the training part, logistic regression beside it."""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix

from nnsvm.q6.grid import Candidate

log = logging.getLogger(__name__)
logging.getLogger("sklearnex").setLevel(logging.WARNING)  # one INFO line per call otherwise


def svc_class(engine: str):
    """``SVC`` of plain scikit-learn or of scikit-learn-intelex (same API, oneDAL solver)."""
    if engine == "sklearnex":
        from sklearnex.svm import SVC
    else:
        from sklearn.svm import SVC
    return SVC


@dataclass(frozen=True)
class Fitted:
    """Predictions of one fitted model, how long fitting and predicting took (s), and the model itself.

    An SVM's ``train_pred`` is None until ``diagnose.by_rule`` gives it (the engine's predict is not used
    for results, and on the training set it cost more than half of a stage's predicting)."""

    train_pred: np.ndarray | None
    test_pred: np.ndarray
    fit_seconds: float
    predict_seconds: float
    model: Any = None


def _fit_predict(model, x_train, y_train, x_test, predict_train: bool = True) -> Fitted:
    start = time.perf_counter()
    model.fit(x_train, y_train)
    fitted = time.perf_counter()
    train_pred = np.asarray(model.predict(x_train)) if predict_train else None
    test_pred = model.predict(x_test)
    done = time.perf_counter()
    return Fitted(train_pred, np.asarray(test_pred), fitted - start, done - fitted, model)


def fit_svm(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, c: Candidate, engine: str) -> Fitted:
    """Train ``SVC(**c.svc_params())`` on ``(n, 784) float64`` features; the engine predicts the test set
    (the diagnosis compares it with libsvm's rule, which then predicts both sets: ``diagnose.by_rule``)."""
    fitted = _fit_predict(svc_class(engine)(**c.svc_params()), x_train, y_train, x_test, predict_train=False)
    log.info("SVM %s (%s): fit %.1f s, test predict %.1f s", c, engine, fitted.fit_seconds, fitted.predict_seconds)
    return fitted


def fit_logreg(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, max_iter: int) -> Fitted:
    """Multinomial logistic regression (lbfgs), as the original with ``max_iter``."""
    with warnings.catch_warnings():
        # The original's max_iter=1000 stops before lbfgs converges on MNIST; that is the protocol.
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = _fit_predict(LogisticRegression(max_iter=max_iter), x_train, y_train, x_test)
    log.info("logistic regression: fit %.1f s", fitted.fit_seconds)
    return fitted


def accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(np.asarray(y) == np.asarray(pred)))


def lr_wrong_svm_right(y: np.ndarray, lr_pred: np.ndarray, svm_pred: np.ndarray) -> np.ndarray:
    """Positions where logistic regression is wrong and the SVM right, in order."""
    return np.flatnonzero((lr_pred != y) & (svm_pred == y))


def confusion(y: np.ndarray, pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """``(n_classes, n_classes)`` counts; row = true digit, column = predicted."""
    return confusion_matrix(y, pred, labels=np.arange(n_classes))
