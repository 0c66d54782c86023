"""Q6: the answer's grid-search and final-model numbers, judged against what the Q6 stages measured."""

from __future__ import annotations

from nnsvm.claims import Claim, HeadlineRow, Verdict, pct
from nnsvm.q6.params import PROTOCOLS
from nnsvm.q6.results import describe

# The answer's / original notebook's numbers (references, not results).
ANSWER_CV = {"poly3": 0.857, "linear": 0.867, "rbf": 0.886}
ANSWER_BEST = {"kernel": "rbf", "C": 10.0, "gamma": 1e-4}
ANSWER_SVM = {"train_accuracy": 0.9640, "test_accuracy": 0.9474}
ANSWER_LOGREG = 0.9131
# How far a reproduction may fall from the answer and still confirm it: a CV
# accuracy on ~1,120 images has a standard error near 1 point; a test accuracy
# on 14,000 images near 0.2 points.
CV_TOLERANCE = 0.02
TEST_TOLERANCE = 0.005


def _within(measured: float, answer: float, tol: float) -> Verdict:
    return "confirmed" if abs(measured - answer) <= tol else "differs"


def claims(metrics: dict, final: dict, grid_size: int, figures: dict[str, str]) -> list[Claim]:
    """The answer's Q6 claims against the original protocol's numbers (improved in the evidence).

    ``final`` is the original protocol's final-stage result; its ``answer_model``
    (the answer's RBF C=10 gamma=1e-4 trained on our split) checks the answer's accuracies.
    """
    pub, imp = metrics["published"], metrics["improved"]
    found, test_size = final["lr_wrong_svm_right"], final["test_size"]
    out = []
    for key, answer in ANSWER_CV.items():
        got = pub["per_kernel"][key]["cv_accuracy"]
        out.append(
            Claim(
                "Q6",
                f"best 5-fold CV accuracy of the {key} kernel is {100 * answer:.1f}%",
                pct(answer),
                pct(got),
                _within(got, answer, CV_TOLERANCE),
                f"original protocol, grid set of {grid_size} images: {pct(got)} at "
                f"{describe(pub['per_kernel'][key])}; tolerance {100 * CV_TOLERANCE:.0f} points; improved protocol "
                f"{pct(imp['per_kernel'][key]['cv_accuracy'])}",
                (figures[f"grid_{key}"],),
                {f"q6.published.cv.{key}": got, f"q6.answer.cv.{key}": answer},
            )
        )
    b = pub["best"]
    same = b["kernel"] == ANSWER_BEST["kernel"] and b["C"] == ANSWER_BEST["C"] and b["gamma"] == ANSWER_BEST["gamma"]
    out.append(
        Claim(
            "Q6",
            "the best model is RBF with C=10, gamma=1e-4",
            "rbf C=10 gamma=1e-4",
            describe(b),
            "confirmed" if same else "differs",
            f"best of all kernels on the original protocol at CV {pct(b['cv_accuracy'])}; improved protocol picks "
            f"{describe(imp['best'])} (CV {pct(imp['best']['cv_accuracy'])})",
            (figures["grid_rbf"],),
            {"q6.published.best.C": b["C"], "q6.published.best.gamma": b["gamma"] or 0.0},
        )
    )
    answer_model = final.get("answer_model")
    for split, label in (("train_accuracy", "training"), ("test_accuracy", "test")):
        ours = pub["svm"][split]
        # The claim is about the answer's model; without its refit, our protocol's best stands in.
        got = answer_model[split] if answer_model else ours
        out.append(
            Claim(
                "Q6",
                f"RBF C=10 gamma=1e-4 trained on the rest has {label} accuracy {pct(ANSWER_SVM[split])}",
                pct(ANSWER_SVM[split]),
                pct(got),
                _within(got, ANSWER_SVM[split], TEST_TOLERANCE),
                (f"the answer's model on our split: {pct(got)}; " if answer_model else "")
                + f"our original-protocol best ({describe(pub['best'])}): {pct(ours)}; improved protocol "
                f"({describe(imp['best'])}): "
                f"{pct(imp['svm'][split])}; tolerance {100 * TEST_TOLERANCE:.1f} points",
                (figures["confusion_published"],),
                {
                    f"q6.answer_model.{split}": got,
                    f"q6.published.svm.{split}": ours,
                    f"q6.improved.svm.{split}": imp["svm"][split],
                },
            )
        )
    got = pub["logreg"]["test_accuracy"]
    out.append(
        Claim(
            "Q6",
            f"logistic regression's test accuracy is {pct(ANSWER_LOGREG)}",
            pct(ANSWER_LOGREG),
            pct(got),
            _within(got, ANSWER_LOGREG, TEST_TOLERANCE),
            f"original protocol (standardized pixels, max_iter=1000) {pct(got)}; on [0, 1] pixels "
            f"{pct(imp['logreg']['test_accuracy'])}",
            (figures["confusion_published"],),
            {
                "q6.published.logreg.test_accuracy": got,
                "q6.improved.logreg.test_accuracy": imp["logreg"]["test_accuracy"],
            },
        )
    )
    p2, p3 = pub["per_kernel"]["poly2"]["cv_accuracy"], pub["per_kernel"]["poly3"]["cv_accuracy"]
    out.append(
        Claim(
            "Q6",
            "the polynomial kernel searched is the asked degree 2",
            "'polynomial' 85.7% (sklearn default degree 3)",
            f"degree 2: {pct(p2)}, degree 3: {pct(p3)}",
            "corrected" if abs(p3 - ANSWER_CV["poly3"]) <= abs(p2 - ANSWER_CV["poly3"]) else "differs",
            f"the answer's 85.7% sits nearer our degree-3 score ({pct(p3)}) than degree 2 ({pct(p2)}); the assignment "
            "asks degree 2, so both are searched",
            (figures["grid_poly2"], figures["grid_poly3"]),
            {"q6.published.cv.poly2": p2},
        )
    )
    out.append(
        Claim(
            "Q6",
            "a test digit logistic regression gets wrong is classified right by the SVM",
            "one digit shown",
            f"{found} such test digits",
            "confirmed" if found > 0 else "differs",
            f"{found} of {test_size} test digits: logistic regression wrong, best SVM right (original protocol)",
            (figures["digits_published"], figures["one_digit_published"]),
            {"q6.published.lr_wrong_svm_right": found},
        )
    )
    return out


def headline(metrics: dict) -> list[HeadlineRow]:
    """Seed | original protocol | improved, per kernel CV and the final accuracies."""
    pub, imp = metrics["published"], metrics["improved"]
    rows = [
        HeadlineRow(
            f"Q6 {k} best CV accuracy",
            pct(ANSWER_CV[k]) if k in ANSWER_CV else "not run",
            pct(pub["per_kernel"][k]["cv_accuracy"]),
            pct(imp["per_kernel"][k]["cv_accuracy"]),
        )
        for k in pub["per_kernel"]
    ]
    rows.append(
        HeadlineRow(
            "Q6 SVM training accuracy",
            pct(ANSWER_SVM["train_accuracy"]),
            pct(pub["svm"]["train_accuracy"]),
            pct(imp["svm"]["train_accuracy"]),
        )
    )
    rows.append(
        HeadlineRow(
            "Q6 SVM test accuracy",
            pct(ANSWER_SVM["test_accuracy"]),
            pct(pub["svm"]["test_accuracy"]),
            pct(imp["svm"]["test_accuracy"]),
        )
    )
    rows.append(
        HeadlineRow(
            "Q6 logistic regression test accuracy",
            pct(ANSWER_LOGREG),
            pct(pub["logreg"]["test_accuracy"]),
            pct(imp["logreg"]["test_accuracy"]),
        )
    )
    return rows


def figure_paths(kernels: tuple[str, ...]) -> dict[str, str]:
    """The figures the Q6 claims cite, relative to ``reports/``."""
    figures = {f"grid_{k}": f"q6/grid/{k}_published.png" for k in kernels}
    return figures | {
        f"{n}_{p}": f"q6/final/{p}_{n}.png" for p in PROTOCOLS for n in ("confusion", "digits", "one_digit")
    }
