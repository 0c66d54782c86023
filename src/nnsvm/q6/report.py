"""Q6 results: the best kernel, the metrics.json schema, and the seed's claims checked."""

from __future__ import annotations

from nnsvm.claims import Claim, HeadlineRow
from nnsvm.q6.grid import KERNELS, Candidate

# The seed's / original notebook's numbers (references, not results).
SEED_CV = {"poly3": 0.857, "linear": 0.867, "rbf": 0.886}
SEED_BEST = {"kernel": "rbf", "C": 10.0, "gamma": 1e-4}
SEED_MODEL = Candidate("rbf", 10.0, 1e-4, None, 0.0)
SEED_SVM = {"train_accuracy": 0.9640, "test_accuracy": 0.9474}
SEED_LOGREG = 0.9131
# How far a reproduction may fall from the seed and still confirm it: a CV
# accuracy on ~1,120 images has a standard error near 1 point; a test accuracy
# on 14,000 images near 0.2 points.
CV_TOLERANCE = 0.02
TEST_TOLERANCE = 0.005


def best_over_kernels(grids: dict[str, dict]) -> tuple[str, dict]:
    """The kernel key and best candidate dict with the highest CV accuracy (first kernel in KERNELS on ties)."""
    key = max((k for k in KERNELS if k in grids), key=lambda k: grids[k]["best"]["cv_accuracy"])
    return key, grids[key]["best"]


def candidate(row: dict) -> Candidate:
    return Candidate(row["kernel"], row["C"], row["gamma"], row["degree"], row["coef0"])


def summary(row: dict) -> dict:
    return {k: row[k] for k in ("kernel", "C", "gamma", "degree", "cv_accuracy")}


def protocol_metrics(grids: dict[str, dict], final: dict) -> dict:
    """One protocol's block of reports/q6/metrics.json."""
    return {
        "best": summary(final["best"]),
        "per_kernel": {k: summary(grids[k]["best"]) for k in KERNELS if k in grids},
        "svm": {"train_accuracy": final["svm"]["train_accuracy"], "test_accuracy": final["svm"]["test_accuracy"]},
        "logreg": {"test_accuracy": final["logreg"]["test_accuracy"]},
    }


def _pct(v: float) -> str:
    return f"{100 * v:.2f}%"


def describe(row: dict) -> str:
    """``rbf C=10 gamma=0.0001``, ``poly degree 2 C=1 gamma=0.1``, ``linear C=0.1``."""
    degree = "" if row["degree"] is None else f" degree {row['degree']}"
    gamma = "" if row["gamma"] is None else f" gamma={row['gamma']:.4g}"
    return f"{row['kernel']}{degree} C={row['C']:g}{gamma}"


def _within(measured: float, seed: float, tol: float) -> str:
    return "confirmed" if abs(measured - seed) <= tol else "differs"


def claims(metrics: dict, final: dict, grid_size: int, figures: dict[str, str]) -> list[Claim]:
    """The seed's Q6 claims against the original protocol's numbers (improved in the evidence).

    ``final`` is the original protocol's final-stage result; its ``seed_model``
    (the seed's RBF C=10 gamma=1e-4 trained on our split) checks the seed's accuracies.
    """
    pub, imp = metrics["published"], metrics["improved"]
    found, test_size = final["lr_wrong_svm_right"], final["test_size"]
    out = []
    for key, seed in SEED_CV.items():
        got = pub["per_kernel"][key]["cv_accuracy"]
        out.append(Claim(
            "Q6", f"best 5-fold CV accuracy of the {key} kernel is {100 * seed:.1f}%", _pct(seed), _pct(got), _within(got, seed, CV_TOLERANCE),
            f"original protocol, grid set of {grid_size} images: {_pct(got)} at {describe(pub['per_kernel'][key])}; tolerance {100 * CV_TOLERANCE:.0f} points; improved protocol {_pct(imp['per_kernel'][key]['cv_accuracy'])}",
            (figures[f"grid_{key}"],), {f"q6.published.cv.{key}": got, f"q6.seed.cv.{key}": seed},
        ))
    b = pub["best"]
    same = b["kernel"] == SEED_BEST["kernel"] and b["C"] == SEED_BEST["C"] and b["gamma"] == SEED_BEST["gamma"]
    out.append(Claim(
        "Q6", "the best model is RBF with C=10, gamma=1e-4", "rbf C=10 gamma=1e-4",
        describe(b),
        "confirmed" if same else "differs",
        f"best of all kernels on the original protocol at CV {_pct(b['cv_accuracy'])}; improved protocol picks "
        f"{describe(imp['best'])} (CV {_pct(imp['best']['cv_accuracy'])})",
        (figures["grid_rbf"],), {"q6.published.best.C": b["C"], "q6.published.best.gamma": b["gamma"] or 0.0},
    ))
    seed_model = final.get("seed_model")
    for split, label in (("train_accuracy", "training"), ("test_accuracy", "test")):
        ours = pub["svm"][split]
        # The claim is about the seed's model; without its refit, our protocol's best stands in.
        got = seed_model[split] if seed_model else ours
        out.append(Claim(
            "Q6", f"RBF C=10 gamma=1e-4 trained on the rest has {label} accuracy {_pct(SEED_SVM[split])}", _pct(SEED_SVM[split]), _pct(got),
            _within(got, SEED_SVM[split], TEST_TOLERANCE),
            (f"the seed's model on our split: {_pct(got)}; " if seed_model else "")
            + f"our original-protocol best ({describe(pub['best'])}): {_pct(ours)}; improved protocol ({describe(imp['best'])}): "
            f"{_pct(imp['svm'][split])}; tolerance {100 * TEST_TOLERANCE:.1f} points",
            (figures["confusion_published"],),
            {f"q6.seed_model.{split}": got, f"q6.published.svm.{split}": ours, f"q6.improved.svm.{split}": imp["svm"][split]},
        ))
    got = pub["logreg"]["test_accuracy"]
    out.append(Claim(
        "Q6", f"logistic regression's test accuracy is {_pct(SEED_LOGREG)}", _pct(SEED_LOGREG), _pct(got), _within(got, SEED_LOGREG, TEST_TOLERANCE),
        f"original protocol (standardized pixels, max_iter=1000) {_pct(got)}; on [0, 1] pixels {_pct(imp['logreg']['test_accuracy'])}",
        (figures["confusion_published"],), {"q6.published.logreg.test_accuracy": got, "q6.improved.logreg.test_accuracy": imp["logreg"]["test_accuracy"]},
    ))
    p2, p3 = pub["per_kernel"]["poly2"]["cv_accuracy"], pub["per_kernel"]["poly3"]["cv_accuracy"]
    out.append(Claim(
        "Q6", "the polynomial kernel searched is the asked degree 2", "'polynomial' 85.7% (sklearn default degree 3)",
        f"degree 2: {_pct(p2)}, degree 3: {_pct(p3)}",
        "corrected" if abs(p3 - SEED_CV["poly3"]) <= abs(p2 - SEED_CV["poly3"]) else "differs",
        f"the seed's 85.7% sits nearer our degree-3 score ({_pct(p3)}) than degree 2 ({_pct(p2)}); the assignment asks degree 2, so both are searched",
        (figures["grid_poly2"], figures["grid_poly3"]), {"q6.published.cv.poly2": p2},
    ))
    out.append(Claim(
        "Q6", "a test digit logistic regression gets wrong is classified right by the SVM", "one digit shown", f"{found} such test digits",
        "confirmed" if found > 0 else "differs", f"{found} of {test_size} test digits: logistic regression wrong, best SVM right (original protocol)",
        (figures["digits_published"], figures["one_digit_published"]), {"q6.published.lr_wrong_svm_right": found},
    ))
    return out


def headline(metrics: dict) -> list[HeadlineRow]:
    """Seed | original protocol | improved, per kernel CV and the final accuracies."""
    pub, imp = metrics["published"], metrics["improved"]
    rows = [
        HeadlineRow(f"Q6 {k} best CV accuracy", _pct(SEED_CV[k]) if k in SEED_CV else "not run",
                    _pct(pub["per_kernel"][k]["cv_accuracy"]), _pct(imp["per_kernel"][k]["cv_accuracy"]))
        for k in KERNELS
    ]
    rows.append(HeadlineRow("Q6 SVM training accuracy", _pct(SEED_SVM["train_accuracy"]), _pct(pub["svm"]["train_accuracy"]), _pct(imp["svm"]["train_accuracy"])))
    rows.append(HeadlineRow("Q6 SVM test accuracy", _pct(SEED_SVM["test_accuracy"]), _pct(pub["svm"]["test_accuracy"]), _pct(imp["svm"]["test_accuracy"])))
    rows.append(HeadlineRow("Q6 logistic regression test accuracy", _pct(SEED_LOGREG), _pct(pub["logreg"]["test_accuracy"]), _pct(imp["logreg"]["test_accuracy"])))
    return rows


def best_table(metrics: dict) -> str:
    """The best per kernel of both protocols as CSV (a DVC table plot)."""
    lines = ["protocol,kernel,cv_accuracy,C,gamma,degree"]
    for proto in ("published", "improved"):
        for k, row in metrics[proto]["per_kernel"].items():
            gamma = "" if row["gamma"] is None else f"{row['gamma']:.6g}"
            degree = "" if row["degree"] is None else row["degree"]
            lines.append(f"{proto},{k},{row['cv_accuracy']:.6f},{row['C']:g},{gamma},{degree}")
    return "\n".join(lines) + "\n"
