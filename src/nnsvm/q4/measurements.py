"""Q4 measurements for the report: the hard-margin SVM (Q4-A) and the feature maps (Q4-B), as measured.

A Q4-A quantity is measured by several methods (primal and dual QPs with each
solver, scikit-learn): its interval spans what they found, each widened by the
accuracy that method proves for itself (``svm.Accuracy``: from its KKT residuals
and duality gap, how far w, b and the margin can be from the exact optimum), not by
a chosen tolerance; the alphas likewise (``alpha_radius``: the exact alphas are
unique on the answer's set, so w's accuracy bounds theirs). A method whose solver
did not finish, or did not meet its KKT tolerance, measured nothing and is named,
not counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nnsvm.measurement import Format, Measurement, measure, show
from nnsvm.q4 import svm
from nnsvm.q4.params import Q4SvmParams


def _fmt_w(w: Sequence[float]) -> str:
    return f"[{w[0]:.5g}, {w[1]:.5g}]"


def across(
    methods: dict,
    names: Sequence[str],
    get: Callable[[dict], float],
    tol: float | str,
    fmt: Format = "g",
    figure: str = "",
) -> Measurement:
    """One quantity as every finished method of ``names`` found it: the mean, and min..max widened by each method's
    proven accuracy ``method["accuracy"][tol]`` (``tol`` a key of ``svm.Accuracy``) or by ``tol`` itself (a number)."""
    done = [n for n in names if methods[n]["w"] is not None]
    skipped = [n for n in names if methods[n]["w"] is None]
    if not done:
        return measure(None, missing=f"no solver of {', '.join(names)} finished")
    values = [get(methods[n]) for n in done]
    radii = [methods[n]["accuracy"][tol] if isinstance(tol, str) else tol for n in done]
    lo, hi = min(v - r for v, r in zip(values, radii)), max(v + r for v, r in zip(values, radii))
    per = ", ".join(f"{n} {show(v, fmt)}" + (f" ± {r:.1e}" if r else "") for n, v, r in zip(done, values, radii))
    widened = (
        f"each ± the accuracy it proves (KKT residuals and duality gap), at most {max(radii):.1e}"
        if isinstance(tol, str)
        else f"± {tol:g}"
    )
    how = f"{len(done)} method{'s' if len(done) > 1 else ''}, {widened}" + (
        f"; {', '.join(skipped)} did not finish" if skipped else ""
    )
    shown = [min(values), max(values)]
    return measure(
        sum(values) / len(values),
        fmt,
        spread=(lo, hi, how),
        text=show(values[0], fmt) if shown[0] == shown[1] else f"{show(shown[0], fmt)} to {show(shown[1], fmt)}",
        note=per,
        figures=(figure,) if figure else (),
    )


def _item(key: str, i: int) -> Callable[[dict], float]:
    """``method -> method[key][i]``."""
    return lambda m: m[key][i]


def hard_margin(methods: dict, checks: dict, p: Q4SvmParams, fig: str) -> dict[str, Measurement]:
    everyone = list(methods)
    dual = [n for n in everyone if n.startswith("dual-")]
    answer_c = [svm.sklearn_name(p.answer_c)]
    with_alphas = [n for n in everyone if methods[n].get("alphas") is not None]
    out: dict[str, Measurement] = {}
    for prefix, names in (("q4a", everyone), ("q4a.dual", dual), ("q4a.sklearn_c1", answer_c)):
        for i in (0, 1):
            out[f"{prefix}.w{i + 1}"] = across(methods, names, _item("w", i), "w_radius", figure=fig)
        out[f"{prefix}.b"] = across(methods, names, lambda m: m["b"], "b_radius", figure=fig)
    for i in range(4):
        out[f"q4a.alpha{i + 1}"] = across(methods, with_alphas, _item("alphas", i), "alpha_radius")
    out["q4a.margin"] = across(methods, everyone, lambda m: m["margin"], "margin_radius", figure=fig)
    out["q4a.n_support"] = across(methods, everyone, lambda m: len(m["support_vectors"]), 0.0, "int")
    sv_sets = sorted({str(sorted(map(tuple, m["support_vectors"]))) for m in methods.values() if m["w"] is not None})
    nonsep = checks["nonseparable"]
    flagged = sum(s == svm.NOT_SEPARABLE for s in nonsep["results"].values())
    out["q4a.nonseparable_detected"] = measure(
        flagged / len(nonsep["results"]),
        "pct",
        text=f"{flagged} of {len(nonsep['results'])} methods report '{svm.NOT_SEPARABLE}'",
        note=f"labels flipped to {nonsep['labels']}; the largest exact alpha is 0.25 < C = {p.answer_c:g}, so "
        "the box constraint of SVC(C=1) never binds on the separable points",
    )
    out["q4a.support_vectors"] = measure(
        float(len(sv_sets) == 1),
        "bool",
        text=f"support-vector sets found: {'; '.join(sv_sets)}",
        note="one set means every finished method found the same support vectors",
    )
    return out


def _flag(separable: bool | None, status: str) -> Measurement:
    """1 or 0; not measured when the solver did not finish (never 'not separable')."""
    if separable is None:
        return measure(None, missing=f"the hard-margin solver did not finish ({status})")
    return measure(float(separable), "bool", text=status)


def maps(report: dict, figs: dict[str, str]) -> dict[str, Measurement]:
    out: dict[str, Measurement] = {}
    for name in ("db1", "db2", "db3", "db3_as_written"):
        r = report[name]
        params = ", ".join(f"{k} = {v:.4g}" for k, v in r["params"].items()) or "no parameter"
        mapped = _flag(r["mapped"]["separable"], r["mapped"]["status"])
        detail = (
            f", margin {r['mapped']['margin']:.3g}, threshold {r['mapped']['threshold']:.4g}"
            if r["mapped"]["separable"]
            else ""
        )
        out[f"q4b.{name}.mapped_separable"] = mapped.model_copy(
            update={
                "note": f"hard-margin primal on {r['n_points']} points after {r['map']} ({params}, from the "
                f"data): {r['mapped']['status']}{detail}",
                "figures": (figs[name],),
            }
        )
        if name != "db3_as_written":
            out[f"q4b.{name}.input_separable"] = _flag(r["input_space"]["separable"], r["input_space"]["status"])
    if "radius_sweep" in report["db3_as_written"]:
        out["q4b.db3_as_written.condition_matches"] = _radius_sweep(report["db3_as_written"]["radius_sweep"])
    return out


def _radius_sweep(sweep: list[dict]) -> Measurement:
    """Whether the closed-form condition on the radii predicts the solver's verdict on every radius set tried."""
    decided = [s for s in sweep if s["separable"] is not None]
    if not decided:
        return measure(None, missing="the hard-margin solver finished on no radius set")
    agree = sum(s["condition"] == s["separable"] for s in decided)
    works = [s["radii"] for s in decided if s["separable"]]
    return measure(
        agree / len(decided),
        "pct",
        text=f"the condition predicts the solver on {agree} of {len(decided)} radius sets; the literal map works on "
        f"{len(works)}: " + ", ".join("(" + ", ".join(f"{r:g}" for r in radii) + ")" for radii in works),
        note="R = the + ring's radius (as written) separates noise-free - + - rings (r_in, r_+, r_out) iff "
        "|r_+^2 - r_+| lies below both |r_-^2 - r_+| or above both; for r_+ >= 1 that is r_in^2 < r_+ (2 - r_+), "
        "so only a + ring of radius below 2 with a small enough inner ring. Sets tried (r_in, r_+, r_out): "
        + "; ".join(
            f"({', '.join(f'{r:g}' for r in s['radii'])}) {'separable' if s['separable'] else 'not separable'}"
            for s in decided
        ),
    )
