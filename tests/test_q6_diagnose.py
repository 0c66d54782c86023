"""Q6 diagnosis of the test zeros predicted 6: libsvm's rule, the scaling variant, the JSON, the figures."""

import json

import numpy as np
import pytest
from sklearn.svm import SVC

from nnsvm.core.errors import NnsvmError
from nnsvm.plotting import plt
from nnsvm.q6 import diagnose, figures
from nnsvm.q6 import measurements as q6_measurements
from nnsvm.q6.final import Fitted

CENTRES = {0: (40.0, 40.0), 3: (160.0, 40.0), 6: (100.0, 160.0)}
COPIES = 10  # each of the two informative "pixels" repeated, so one odd pixel weighs like one in many


def blobs(step: float = 2.5) -> tuple[np.ndarray, np.ndarray]:
    """Digits 0, 3, 6 as square grids of raw pixel values; ``2 * COPIES`` informative pixels and one blank one."""
    grid = np.array([(a, b) for a in np.arange(0, 50, step) for b in np.arange(0, 50, step)])
    base = np.vstack([grid + c for c in CENTRES.values()])
    x = np.c_[np.repeat(base, COPIES, axis=1), np.zeros(len(base))]
    return x, np.repeat(list(CENTRES), len(grid))


def zero_with(ink: float) -> np.ndarray:
    """A test zero inside the 0 blob, with ``ink`` on the blank pixel."""
    return np.r_[np.repeat([[60.0, 60.0]], COPIES, axis=1).ravel(), ink][None]


class FaultyEngine:
    """An SVC whose decision values of some pairs are off (``shifts``: pair index -> offset), as the engine on MNIST."""

    def __init__(self, model: SVC, shifts: dict[int, float]) -> None:
        self.model, self.shifts = model, shifts

    def __getattr__(self, name):
        return getattr(self.model, name)

    def decision_function(self, x):
        out = diagnose.engine_decisions(self.model, x)
        for pair, shift in self.shifts.items():
            out[:, pair] += shift
        return out

    def predict(self, x):
        return self.model.classes_[diagnose.vote(self.decision_function(x), len(self.model.classes_))]


def test_vote_follows_libsvm_by_hand():
    """It gives each pair's vote to its first class when the decision is > 0, and ties to the lower class."""
    decisions = np.array([[1.0, -1.0, -1.0], [1.0, -1.0, 1.0], [0.0, 0.0, 0.0]])  # pairs (0,1), (0,2), (1,2)
    assert diagnose.vote(decisions, 3).tolist() == [2, 0, 2]
    assert diagnose.ovo_pairs(3) == [(0, 1), (0, 2), (1, 2)]


@pytest.mark.parametrize(
    "params",
    [
        {"kernel": "rbf", "C": 10.0, "gamma": 0.01},
        {"kernel": "poly", "C": 1.0, "gamma": 0.001, "degree": 2, "coef0": 1.0},
        {"kernel": "linear", "C": 0.01},
    ],
)
def test_reference_rule_equals_scikit_learn(params):
    """It recomputes scikit-learn's one-vs-one decision values and predictions from the fitted coefficients."""
    x, y = blobs(step=10.0)
    x = (x - x.mean(0)) / np.maximum(x.std(0), 1.0)
    model = SVC(**params).fit(x, y)
    ref = diagnose.reference_decisions(x, diagnose.Coefficients.of(model), diagnose.candidate_of(model), chunk=7)
    np.testing.assert_allclose(ref, diagnose.engine_decisions(model, x), atol=1e-8)
    assert (model.classes_[diagnose.vote(ref, 3)] == model.predict(x)).all()
    assert model.decision_function_shape == "ovr"  # left as it was


def test_coefficients_refuse_a_binary_svc():
    """It refuses a two-class SVC, whose signs scikit-learn flips."""
    x, y = blobs(step=10.0)
    with pytest.raises(NnsvmError, match="3 classes"):
        diagnose.Coefficients.of(SVC().fit(x[y != 3], y[y != 3]))


def test_floored_standardize_and_near_constant_share_by_hand():
    """It divides by max(std, floor), and measures the share of the squared norm on masked pixels."""
    out = diagnose.floored_standardize(np.array([[10.0, 4.0]]), np.array([0.0, 2.0]), np.array([5.0, 0.5]), 2.0)
    assert out.tolist() == [[2.0, 1.0]]
    share = diagnose.near_constant_share(np.array([[3.0, 4.0], [0.0, 0.0]]), np.array([False, True]))
    assert share.tolist() == [16 / 25, 0.0]
    mean, std = diagnose.pixel_stats(np.array([[0, 2], [0, 4]], dtype=np.uint8))
    assert mean.tolist() == [0.0, 3.0] and std.tolist() == [0.0, 1.0]


def rare_pixel_case():
    """The 0/3/6 blobs, one training 6 with ink on the blank pixel, and a test zero with ink there too."""
    x, y = blobs()
    x[np.flatnonzero(y == 6)[0], -1] = 255.0  # blank pixel std 255 * sqrt(1/1200 * 1199/1200) = 7.36
    mean, std = diagnose.pixel_stats(x)
    scale = np.where(std > 0, std, 1.0)
    model = SVC(kernel="rbf", C=10.0, gamma=0.005).fit((x - mean) / scale, y)
    x_test, y_test = np.vstack([zero_with(255.0), zero_with(0.0)]), np.array([0, 0])
    return model, x, (x_test - mean) / scale, x_test, y_test


def test_a_rare_pixel_flips_a_zero_and_the_std_floor_restores_it():
    """It counts a zero sent to 6 by its huge z-score on a near-constant pixel, and not once that std is floored."""
    model, x, features, raw, y = rare_pixel_case()
    pred = model.predict(features)
    assert pred.tolist() == [6, 0]
    mean, std = diagnose.pixel_stats(x)
    floored = diagnose.floored_standardize(raw, mean, std, 20.0)
    d = diagnose.diagnose_svm(model, features, y, pred, std < 20.0, floored).to_dict(y)
    assert (d["zero_as_six_engine"], d["zero_as_six_reference"]) == (1, 1)
    assert (d["zero_as_six_floored_engine"], d["zero_as_six_floored_reference"]) == (0, 0)
    assert d["pairs_disagreeing"] == [] and d["predictions_changed"] == 0
    assert d["max_abs_feature_median"]["as_six"] == pytest.approx((255 - 255 / 1200) / std[-1])
    # the other zero has no ink there: its blank-pixel z-score is -mean / std
    assert d["near_constant_share_median"]["as_zero"] == pytest.approx(
        (mean[-1] / std[-1]) ** 2 / (features[1] ** 2).sum()
    )


def test_a_faulty_engine_pair_is_found_and_libsvm_rule_corrects_it():
    """It names the pairs whose engine decision values differ, by how much, and counts both predictions."""
    x, y = blobs(step=10.0)
    x = (x[:, :-1] - x[:, :-1].mean(0)) / x[:, :-1].std(0)  # no blank pixel here
    good = SVC(kernel="rbf", C=10.0, gamma=0.01).fit(x, y)
    faulty = FaultyEngine(good, {1: -10.0, 2: -5.0})  # pairs (0, 6) and (3, 6): 6 now beats 0 and 3
    pred = faulty.predict(x)
    d = diagnose.diagnose_svm(faulty, x, y, pred, np.zeros(x.shape[1], bool)).to_dict(y)
    assert d["pairs_disagreeing"] == ["0-6", "3-6"]
    assert d["max_decision_gap"] == pytest.approx({"0-6": 10.0, "3-6": 5.0})
    assert d["largest_gap_elsewhere"] < 1e-9
    assert d["zero_as_six_engine"] == diagnose.count(y, pred) == 25  # all 5 x 5 zeros
    assert d["zero_as_six_reference"] == diagnose.count(y, good.predict(x)) == 0
    assert d["predictions_changed"] == int(np.sum(pred != good.predict(x)))
    assert d["zero_as_six_floored_engine"] is None
    models = {"svm": Fitted(np.array([]), pred, 0.0, 0.0, faulty), "logreg": Fitted(np.array([]), y, 0.0, 0.0)}
    result = diagnose.diagnose("improved", "unit", "faulty", models, (x, x, y), x, 1.0).to_dict()
    text = q6_measurements.explain(result)
    assert "the same fitted SVM predicts 0 zeros as 6 (0.00%)" in text and "0-6 by up to 10.00" in text
    assert f"which changes {d['predictions_changed']} test predictions" in text


def hand_diagnosis():
    model, x, features, raw, y = rare_pixel_case()
    models = {
        "svm": Fitted(np.array([]), model.predict(features), 0.0, 0.0, model),
        "logreg": Fitted(np.array([]), np.array([0, 3]), 0.0, 0.0),
    }
    return diagnose.diagnose("published", "standard", "sklearn", models, (features, raw, y), x, 20.0), raw


def test_diagnosis_json_schema_metrics_and_explanation():
    """It writes the keys the claims read, as plain JSON, flat float metrics, and a paragraph of its numbers."""
    diag, _ = hand_diagnosis()
    result = json.loads(json.dumps(diag.to_dict()))
    assert set(result) == {
        "protocol", "scaling", "engine", "true_digit", "predicted_digit", "test_zeros", "test_size", "std_floor",
        "near_constant_pixels", "constant_pixels", "gap_tolerance", "svms", "logreg",
    }  # fmt: skip
    assert (result["test_zeros"], result["near_constant_pixels"], result["logreg"]) == (2, 1, {"zero_as_six": 0})
    assert set(result["svms"]["svm"]) == {
        "model", "zero_as_six_engine", "zero_as_six_reference", "zero_as_six_floored_engine",
        "zero_as_six_floored_reference", "test_accuracy_engine", "test_accuracy_reference", "predictions_changed",
        "pairs_disagreeing", "max_decision_gap", "largest_gap_elsewhere", "near_constant_share_median",
        "max_abs_feature_median",
    }  # fmt: skip
    metrics = diagnose.metrics(result)
    assert metrics["zero_as_six.svm.zero_as_six_engine"] == 1.0 and metrics["zero_as_six.svm.pairs_disagreeing"] == 0
    assert all(isinstance(v, float) for v in metrics.values())
    text = q6_measurements.explain(result)
    assert "predicts 1 of the 2 test zeros as 6 (50.00%)" in text and "equal those of libsvm's rule" in text
    assert "leaves 0 predicted 6 by the engine and 0 by libsvm's rule" in text
    assert "So the scaling matters more: flooring the near-constant pixels' std removes 1 by the engine and 1" in text


def colourbar_labels(fig) -> list[str]:
    return [ax.get_ylabel() for ax in fig.axes if ax.get_label() == "<colorbar>"]


def test_zero_as_six_figure_labels_every_plot():
    """It draws the counts, the pair gaps, the std map and the histogram, each with labelled axes and colour bars."""
    diag, raw = hand_diagnosis()
    images = np.zeros((len(diagnose.zeros_as_six(diag, raw)), 784))  # the hand-made images are no 28 x 28 digits
    fig = figures.zero_as_six_figure(diag, diag.to_dict(), images)
    plots = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_xticks().size]
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in plots[:4])
    assert any("grey levels" in label for label in colourbar_labels(fig))
    assert "one split" in fig.get_suptitle() and "published" in fig.get_suptitle()
    plt.close(fig)


def test_cv_heatmap_and_confusion_colour_bars_say_their_units():
    """It labels the CV colour bar in % and the confusion colour bars in counts."""
    rows = [{"C": c, "gamma": g, "cv_accuracy": 0.5 + c / 100 + g} for c in (1.0, 10.0) for g in (0.01, 0.1)]
    fig = figures.cv_heatmap(rows, "Q6 rbf, published protocol")
    assert colourbar_labels(fig) == ["mean CV accuracy (%)"]
    assert fig.axes[-1].yaxis.get_major_formatter()(0.9, 0) == "90.0%"
    plt.close(fig)
    fig = figures.confusion_figure({"SVM": np.eye(10, dtype=int) * 5, "LR": np.ones((10, 10), int)}, "Q6")
    assert colourbar_labels(fig) == ["test images (count, log scale)"] * 2
    plots = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert [(ax.get_xlabel(), ax.get_ylabel()) for ax in plots] == [("predicted digit", "true digit")] * 2
    plt.close(fig)


def test_results_are_predicted_by_libsvms_rule_not_the_faulty_engine():
    """It replaces every SVM's train and test predictions by libsvm's rule (equal to scikit-learn's predict, and
    the same on a second call), and leaves logistic regression's as they were."""
    x, y = blobs(step=10.0)
    x = (x[:, :-1] - x[:, :-1].mean(0)) / x[:, :-1].std(0)
    good = SVC(kernel="rbf", C=10.0, gamma=0.01).fit(x, y)
    faulty = FaultyEngine(good, {1: -10.0, 2: -5.0})
    lr = Fitted(y, y, 0.0, 0.0)
    models = {"svm": Fitted(faulty.predict(x), faulty.predict(x), 1.0, 0.5, faulty), "logreg": lr}
    diag = diagnose.diagnose("improved", "unit", "faulty", models, (x, x, y), x, 1.0)
    fixed = diagnose.by_rule(models, diag, x)
    assert (fixed["svm"].test_pred == good.predict(x)).all() and (fixed["svm"].train_pred == good.predict(x)).all()
    assert not (models["svm"].test_pred == good.predict(x)).all()
    assert fixed["logreg"] is lr and fixed["svm"].fit_seconds == 1.0 and fixed["svm"].predict_seconds >= 0.5
    again = diagnose.by_rule(models, diag, x)
    assert (again["svm"].train_pred == fixed["svm"].train_pred).all()


def digits_subset():
    """A tiny 10-class image set (scikit-learn's 8x8 digits, bundled): 300 to fit, 200 to test, standardized."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = (x - x[:300].mean(0)) / np.where(x[:300].std(0) > 0, x[:300].std(0), 1.0)
    return x[:300], y[:300], x[300:500], y[300:500]


def test_the_engine_check_finds_no_disagreement_in_a_faithful_engine():
    """It gives 0 predictions apart and no disagreeing pair when the engine is plain scikit-learn itself."""
    x, y, x_test, y_test = digits_subset()
    model = SVC(kernel="rbf", C=10.0, gamma=0.01).fit(x, y)
    found = diagnose.engine_check(model, model, x_test, y_test)
    assert set(found["predictions_apart"].values()) == {0} and found["pairs_disagreeing"] == []
    assert found["largest_pair_gap"] < 1e-9 and found["n_test"] == 200
    assert found["accuracy"]["rule"] == found["accuracy"]["plain_sklearn"] > 0.9


def test_the_engine_check_names_the_pairs_a_faulty_engine_gets_wrong():
    """It names the shifted pairs (0 against 6 and 8) and counts the engine's predictions apart from the rule."""
    x, y, x_test, y_test = digits_subset()
    good = SVC(kernel="rbf", C=10.0, gamma=0.01).fit(x, y)
    pairs = diagnose.ovo_pairs(10)
    faulty = FaultyEngine(good, {pairs.index((0, 6)): -10.0, pairs.index((0, 8)): -5.0})
    found = diagnose.engine_check(faulty, good, x_test, y_test)
    assert found["pairs_disagreeing"] == ["0-6", "0-8"] and found["largest_pair_gap"] == pytest.approx(10.0)
    apart = int(np.sum(faulty.predict(x_test) != good.predict(x_test)))
    assert found["predictions_apart"]["engine_predict_vs_rule"] == apart
    assert found["predictions_apart"]["engine_predict_vs_plain_sklearn"] == apart
    assert (
        found["predictions_apart"]["rule_vs_plain_sklearn"]
        == found["predictions_apart"]["engine_vote_vs_rule"] - apart
        == 0
    )


def test_the_engine_check_runs_on_this_machines_engine():
    """It runs scikit-learn-intelex (where installed) against libsvm's rule on a tiny subset and reports the CPU."""
    svc = pytest.importorskip("sklearnex.svm").SVC
    x, y, x_test, y_test = digits_subset()
    engine = svc(kernel="rbf", C=10.0, gamma=0.01).fit(x, y)
    found = diagnose.engine_check(engine, SVC(kernel="rbf", C=10.0, gamma=0.01).fit(x, y), x_test, y_test)
    assert found["predictions_apart"]["engine_vote_vs_rule"] == 0  # its own decision values vote as the rule
    assert found["accuracy"]["rule"] > 0.9
    cpu = diagnose.cpu()
    assert cpu["model"] and set(cpu["simd_flags"]) <= set(diagnose.SIMD_FLAGS)


def test_the_machine_record_puts_the_cpu_beside_the_diagnosis():
    """It records the CPU, the engine's version and each SVM's counts, none of which a DVC output holds."""
    diag, _ = hand_diagnosis()
    record = diagnose.machine_record(json.loads(json.dumps(diag.to_dict())))
    assert record["cpu"] == diagnose.cpu() and record["engine"].startswith("scikit-learn")
    assert record["engine_vs_rule"]["svm"]["zero_as_six_engine"] == 1
    assert "cpu" not in diag.to_dict()
