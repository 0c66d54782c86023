"""Q6 measurements for the report: the grid search and final models of both protocols, as measured.

An accuracy of the original protocol carries the interval within which a second
run of that protocol on another random split would land (99%, the binomial
noise of both samples: ``stats.two_sample_halfwidth``); the answer's split is
not ours, so this is the tolerance its numbers are judged with.
"""

from __future__ import annotations

from nnsvm.measurement import Measurement, measure, pct
from nnsvm.q6 import diagnose
from nnsvm.q6.params import PROTOCOLS
from nnsvm.q6.results import describe
from nnsvm.stats import two_sample_halfwidth

LEVEL = 0.99


def _accuracy(value: float, n: int, what: str, **kw) -> Measurement:
    half = two_sample_halfwidth(value, n, LEVEL)
    return measure(
        value,
        "pct",
        spread=(value - half, value + half, f"99% interval of a rerun on another split ({what}, n = {n})"),
        **kw,
    )


def _find(grids: dict[str, dict], model: dict | None) -> dict | None:
    """The original protocol's grid candidate with the kernel, C, gamma (and degree) of ``model``, if searched."""
    keys = ("kernel", "C", "gamma") + (("degree",) if model and model.get("degree") is not None else ())
    for grid in grids.values():
        for c in grid["published"]["candidates"]:
            if model and all(c[k] == model[k] for k in keys):
                return c
    return None


def measurements(
    metrics: dict,
    grids: dict[str, dict],
    finals: dict[str, dict],
    answer_model: dict | None,
    figures: dict[str, str],
    diagnoses: dict[str, dict] | None = None,
) -> dict[str, Measurement]:
    """``grids``: kernel -> ``reports/q6/grid/<kernel>.json``; ``finals``: protocol -> ``final/<protocol>.json``;
    ``diagnoses``: protocol -> ``final/<protocol>_zero_as_six.json`` (the fitted SVMs predicted by libsvm's rule).

    Where the engine's predictions and libsvm's rule on the same coefficients differ, a test accuracy is
    libsvm's (the original's library), and the text gives the engine's beside it.
    """
    diagnoses = diagnoses or {}
    pub, imp, final = metrics["published"], metrics["improved"], finals["published"]
    grid_size = next(iter(grids.values()))["published"]["grid_size"]
    out: dict[str, Measurement] = {}
    for k, row in pub["per_kernel"].items():
        out[f"q6.published.cv.{k}"] = _accuracy(
            row["cv_accuracy"],
            grid_size,
            "5-fold CV on the grid set",
            text=f"{pct(row['cv_accuracy'])} at {describe(row)}",
            figures=(figures[f"grid_{k}"],),
        )
        out[f"q6.improved.cv.{k}"] = measure(
            imp["per_kernel"][k]["cv_accuracy"],
            "pct",
            text=f"{pct(imp['per_kernel'][k]['cv_accuracy'])} at {describe(imp['per_kernel'][k])}",
        )
    best = pub["best"]
    found = _find(grids, answer_model)
    if found is None:
        out["q6.published.best_gap"] = measure(
            None, missing="the answer's model is not in the original protocol's grid"
        )
    else:
        gap = best["cv_accuracy"] - found["cv_accuracy"]
        half = two_sample_halfwidth(best["cv_accuracy"], grid_size, LEVEL)
        out["q6.published.best_gap"] = measure(
            gap,
            "pct",
            spread=(gap - half, gap + half, f"99% interval of CV noise on the grid set (n = {grid_size})"),
            text=f"best {describe(best)} CV {pct(best['cv_accuracy'])}; the answer's {describe(found)} "
            f"CV {pct(found['cv_accuracy'])}: {100 * gap:.2f} points behind",
            figures=(figures["grid_rbf"],),
        )
    n_train, n_test = final["train_size"], final["test_size"]
    refit = final.get("answer_model")
    for split, n in (("train_accuracy", n_train), ("test_accuracy", n_test)):
        if refit is None:
            out[f"q6.answer_model.{split}"] = measure(None, missing="q6.published.answer_model is null in params.yaml")
        else:
            out[f"q6.answer_model.{split}"] = _accuracy(
                refit[split],
                n,
                "training set" if split == "train_accuracy" else "test set",
                text=f"{pct(refit[split])} (the answer's model on our split)",
                figures=(figures["confusion_published"],),
            )
        for proto in PROTOCOLS:
            block = metrics[proto]
            out[f"q6.{proto}.svm.{split}"] = _svm_accuracy(block, split, diagnoses.get(proto))
    for proto in PROTOCOLS:
        lr = metrics[proto]["logreg"]["test_accuracy"]
        out[f"q6.{proto}.logreg.test_accuracy"] = (
            _accuracy(lr, n_test, "test set", figures=(figures["confusion_published"],))
            if proto == "published"
            else measure(lr, "pct")
        )
    if "published" in diagnoses:
        zero = diagnoses["published"]
        b = zero["svms"]["svm"]
        out["q6.published.zero_as_six"] = measure(
            float(b["zero_as_six_engine"]),
            "int",
            text=f"{b['zero_as_six_engine']} of {zero['test_zeros']} test zeros predicted 6 by the engine "
            f"({zero['engine']}), {b['zero_as_six_reference']} by libsvm's rule on the same fitted model",
            note=diagnose.explain(zero),
            figures=("q6/final/published_zero_as_six.png", figures["confusion_published"]),
        )
    hits = final["lr_wrong_svm_right"]
    out["q6.published.lr_wrong_svm_right"] = measure(
        float(hits),
        "int",
        text=f"{hits} of {n_test} test digits",
        note="logistic regression wrong, the best SVM of the original protocol right",
        figures=(figures["digits_published"], figures["one_digit_published"]),
    )
    return out


def _svm_accuracy(block: dict, split: str, diagnosis: dict | None) -> Measurement:
    """The best SVM's accuracy (q6_final predicts by libsvm's rule); the engine's own beside it where they differ."""
    value, text = block["svm"][split], f"{pct(block['svm'][split])} ({describe(block['best'])}"
    checked = diagnosis["svms"]["svm"] if diagnosis and split == "test_accuracy" else None
    if checked is not None and checked["predictions_changed"]:
        text += (
            f"; by libsvm's rule: the engine's predict gives {pct(checked['test_accuracy_engine'])}, "
            f"{checked['predictions_changed']} predictions apart"
        )
    return measure(value, "pct", text=text + ")")


def figure_paths(kernels: tuple[str, ...]) -> dict[str, str]:
    """The figures the Q6 measurements cite, relative to ``reports/``."""
    figures = {f"grid_{k}": f"q6/grid/{k}_published.png" for k in kernels}
    return figures | {
        f"{n}_{p}": f"q6/final/{p}_{n}.png" for p in PROTOCOLS for n in ("confusion", "digits", "one_digit")
    }
