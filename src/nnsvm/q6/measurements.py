"""Q6 measurements for the report: the grid search and final models of both protocols, as measured.

An accuracy of the original protocol carries the interval within which a second
run of that protocol on another random split would land (99%, the binomial
noise of both samples: ``stats.two_sample_halfwidth``); the answer's split is
not ours, so this is the tolerance its numbers are judged with. Two grid cells
were scored on the same 5 folds, so the gap between them is a paired difference
(``stats.paired_interval`` over the folds), not two independent accuracies.
"""

from __future__ import annotations

from typing import Any

from nnsvm.measurement import Measurement, measure, pct
from nnsvm.q6.params import PROTOCOLS
from nnsvm.q6.results import best_over_kernels, describe
from nnsvm.stats import paired_interval, two_sample_halfwidth

LEVEL = 0.99
ON_WHICH_MACHINE = (
    "The engine's decision values were checked on the machine that ran q6_final: its CPU model and SIMD flags are "
    "in reports/machine/q6_engine_published.json (no DVC output: another CPU may dispatch other kernels and agree "
    "with the rule). benchmarks/q6_engine_check.py tells whether a machine's engine disagrees with libsvm's rule "
    "and with plain scikit-learn on these data."
)


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
    published = {k: g["published"] for k, g in grids.items()}
    for k, grid in published.items():
        out |= _cell_gaps(k, grid, figures[f"grid_{k}"])
    _, best = best_over_kernels(published)
    found = _find(grids, answer_model)
    if found is None:
        missing = "the answer's model is not in the original protocol's grid"
        out["q6.published.best_gap"] = measure(None, missing=missing)
        out["q6.published.answer_model.cv"] = measure(None, missing=missing)
    else:
        out["q6.published.best_gap"] = _paired_gap(best, found, figures["grid_rbf"], "best")
        out["q6.published.answer_model.cv"] = _accuracy(
            found["cv_accuracy"],
            grid_size,
            "5-fold CV on the grid set",
            text=f"{pct(found['cv_accuracy'])} at the answer's own cell, {describe(found)} (our best: "
            f"{pct(best['cv_accuracy'])} at {describe(best)})",
            figures=(figures["grid_rbf"],),
        )
    n_classes = 10
    out["q6.published.grid_set_per_label"] = measure(
        grid_size / n_classes,
        "g",
        text=f"{grid_size} grid-search images, {grid_size / n_classes:.1f} per digit on average (stratified)",
        note="the original protocol's grid-search (validation) set: a stratified share of the training part",
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
            note=explain(zero) + " " + ON_WHICH_MACHINE,
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
    answer_hits = final.get("lr_wrong_answer_model_right")
    out["q6.published.lr_wrong_answer_model_right"] = (
        measure(
            float(answer_hits),
            "int",
            text=f"{answer_hits} of {n_test} test digits",
            note="logistic regression wrong, the answer's model (fitted on our split, predicted by libsvm's rule) "
            f"right; with our best SVM instead: {hits}",
            figures=(figures["digits_published"],),
        )
        if answer_hits is not None
        else measure(
            None,
            missing="reports/q6/final/published.json has no lr_wrong_answer_model_right (no answer's model: "
            "set q6.published.answer_model, or rerun q6_final@published)",
        )
    )
    return out


def cell_id(row: dict) -> str:
    """A grid cell as a measurement key part: ``C10.gamma0.0001``, ``C0.1`` (linear)."""
    return f"C{row['C']:g}" + ("" if row["gamma"] is None else f".gamma{row['gamma']:g}")


def _paired_gap(best: dict, cell: dict, figure: str, best_name: str = "the grid's best") -> Measurement:
    """``best``'s CV accuracy minus ``cell``'s: the mean of their per-fold differences, with its paired 99% interval."""
    diffs = [b - c for b, c in zip(best["fold_scores"], cell["fold_scores"], strict=True)]
    gap, low, high = paired_interval(diffs, LEVEL)
    ahead = sum(d > 0 for d in diffs)
    behind = sum(d < 0 for d in diffs)
    return measure(
        gap,
        "pct",
        spread=(low, high, f"99% paired t interval over the {len(diffs)} CV folds both were scored on"),
        text=f"{best_name} {describe(best)} CV {pct(best['cv_accuracy'])}; {describe(cell)} CV "
        f"{pct(cell['cv_accuracy'])}: {100 * gap:.2f} points behind",
        note=f"per-fold differences (points): {', '.join(f'{100 * d:+.2f}' for d in diffs)}; {best_name} ahead on "
        f"{ahead} folds, behind on {behind} (sign test, one-sided p = {_sign_p(ahead, behind):.3g})",
        figures=(figure,),
    )


def _sign_p(ahead: int, behind: int) -> float:
    """One-sided sign-test p-value of ``ahead`` wins in ``ahead + behind`` untied folds."""
    from math import comb

    n = ahead + behind
    return sum(comb(n, k) for k in range(ahead, n + 1)) / 2**n if n else 1.0


def _cell_gaps(kernel: str, grid: dict[str, Any], figure: str) -> dict[str, Measurement]:
    """Every cell's paired gap to the kernel's best, and how many cells the 5 folds cannot tell from the best."""
    best = grid["best"]
    out = {f"q6.published.cell_gap.{kernel}.{cell_id(c)}": _paired_gap(best, c, figure) for c in grid["candidates"]}
    tied = [c for c in grid["candidates"] if out[f"q6.published.cell_gap.{kernel}.{cell_id(c)}"].interval()[0] <= 0]
    out[f"q6.published.ties.{kernel}"] = measure(
        float(len(tied)),
        "int",
        text=f"{len(tied)} of {len(grid['candidates'])} {kernel} cells tie with the best ({describe(best)}, "
        f"{pct(best['cv_accuracy'])}): the 5 folds cannot tell them from it (their paired gap's 99% interval "
        "reaches 0)",
        note="tied cells: " + "; ".join(f"{cell_id(c)} {100 * c['cv_accuracy']:.4f}%" for c in tied),
        figures=(figure,),
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


def _share(part: int | None, whole: int) -> str:
    return pct((part or 0) / max(whole, 1))


def _engine_sentence(name: str, b: dict[str, Any], zeros: int, tol: float) -> str:
    if not b["pairs_disagreeing"]:
        return (
            f"For the {name} ({b['model']}) the engine's decision values equal those of libsvm's rule on every "
            f"pair within {tol:g}, so its {b['zero_as_six_engine']} zeros predicted 6 are the model's own."
        )
    gaps = ", ".join(f"{p} by up to {g:.2f}" for p, g in b["max_decision_gap"].items())
    return (
        f"Evaluated by libsvm's one-vs-one rule from its own support vectors, dual coefficients and intercepts, "
        f"the same fitted {name} predicts {b['zero_as_six_reference']} zeros as 6 "
        f"({_share(b['zero_as_six_reference'], zeros)}) and reaches {pct(b['test_accuracy_reference'])} test "
        f"accuracy ({pct(b['test_accuracy_engine'])} by the engine): the engine's decision values differ from "
        f"those of the coefficients on {len(b['pairs_disagreeing'])} pair classifier(s), {gaps} (every other pair "
        f"agrees within {b['largest_gap_elsewhere']:.1g}), which changes {b['predictions_changed']} test predictions."
    )


def _scaling_sentence(result: dict[str, Any], b: dict[str, Any]) -> str:
    med_z, share = b["max_abs_feature_median"], b["near_constant_share_median"]
    if med_z["as_six"] is None or med_z["as_zero"] is None:
        return "No test zero is predicted 6, so there is no scaling effect to look for."
    bigger = "larger" if med_z["as_six"] > med_z["as_zero"] else "smaller"
    text = (
        f"The zeros the engine calls 6 have {bigger} extreme features than those it gets right (median largest "
        f"|feature| {med_z['as_six']:.1f} vs {med_z['as_zero']:.1f}), and the {result['near_constant_pixels']} "
        f"pixels whose training std is below {result['std_floor']:g} grey levels carry a median "
        f"{100 * share['as_six']:.2g}% vs {100 * share['as_zero']:.2g}% of their squared norm."
    )
    if b["zero_as_six_floored_engine"] is None:
        return text
    return text + (
        f" Standardizing the test zeros with every std floored at {result['std_floor']:g} grey levels leaves "
        f"{b['zero_as_six_floored_engine']} predicted 6 by the engine and {b['zero_as_six_floored_reference']} by "
        f"libsvm's rule."
    )


def _which_explains(b: dict[str, Any]) -> str:
    """Which of the two explanations accounts for more of the zeros predicted 6."""
    if b["zero_as_six_floored_engine"] is None or b["zero_as_six_engine"] == 0:
        return ""
    engine = b["zero_as_six_engine"] - b["zero_as_six_reference"]
    scaling = b["zero_as_six_engine"] - b["zero_as_six_floored_engine"]
    scaling_rule = b["zero_as_six_reference"] - b["zero_as_six_floored_reference"]
    floor = (
        f"flooring the near-constant pixels' std removes {scaling} by the engine and {scaling_rule} by libsvm's rule"
    )
    if engine > max(scaling, scaling_rule):
        return f"So {engine} of the {b['zero_as_six_engine']} are the engine's doing, not the model's; {floor}."
    return f"So the scaling matters more: {floor}, while the engine accounts for {engine}."


def explain(result: dict[str, Any]) -> str:
    """One paragraph for the report: what sends test zeros to 6, every number read from ``result``."""
    zeros, svms = result["test_zeros"], result["svms"]
    b = svms["svm"]
    opening = (
        f"On the {result['protocol']} protocol the SVM ({b['model']}, {result['engine']}) predicts "
        f"{b['zero_as_six_engine']} of the {zeros} test zeros as 6 ({_share(b['zero_as_six_engine'], zeros)}); "
        f"logistic regression {result['logreg']['zero_as_six']}."
    )
    parts = [opening, _engine_sentence("SVM", b, zeros, result["gap_tolerance"]), _scaling_sentence(result, b)]
    parts += [_which_explains(b)]
    if "answer_model" in svms:
        a = svms["answer_model"]
        parts.append(
            f"The answer's model ({a['model']}) on the same features: {a['zero_as_six_engine']} zeros predicted 6 by "
            f"the engine, {a['zero_as_six_reference']} by libsvm's rule."
        )
    return " ".join(p for p in parts if p)
