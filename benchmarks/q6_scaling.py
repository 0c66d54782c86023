"""How cost grows: SVM fit, predict and grid-search time, and Q3 epoch time against data size, with power-law exponents.

- final: the protocol's final SVM (its best model, from reports/q6/final/<protocol>.json) fitted
  by ``q6.engine`` on the first n images of the protocol's final training set, then the
  14,000 test images predicted as q6_final predicts them (``diagnose.rule_predictions``:
  libsvm's one-vs-one rule on the fitted coefficients);
- grid: ``grid.grid_search`` (``q6.cv_folds`` folds, ``q6.n_jobs`` jobs) over the protocol's
  rbf candidates on a stratified grid-search set of a fraction of the 56,000 training
  images (the share ``q6.split.grid_fraction`` sets; ``split.stratified_subset``);
- q3: one training epoch (``train.fit``, as q3_train runs it, ``q3.threads``) of lenet and
  mlp on the first n MNIST training images, rounds interleaved.

Each curve's exponent k is the least-squares slope of log seconds on log size
(seconds ~ c * size^k). Writes q6_scaling.json, q6_scaling.png, q3_scaling.json and
q3_scaling.png under reports/benchmarks/ (``--out``; ``--quick`` writes to a temp folder).
Needs data/mnist and data/q6/split.npz (``dvc checkout`` or ``dvc repro q6_split``).

A default run takes about 5 minutes on a quiet 2-core machine (final ~1.5 min, grid
~1.5 min, q3 ~1 min; the largest sizes dominate) and prints each step. Take numbers on a quiet
machine only, with OMP_NUM_THREADS unset (it caps BLAS in the kernel matrices and torch's threads):

    python benchmarks/q6_scaling.py [--parts final grid q3] [--final-sizes 5000 10000 20000 40000 56000]
        [--grid-fractions 0.01 0.02 0.05 0.1] [--q3-sizes 7500 15000 30000 60000] [--rounds 3] [--out DIR]
    python benchmarks/q6_scaling.py --quick   # a smoke run of every path (about a minute); not a measurement
"""

from __future__ import annotations

import statistics
import time
from argparse import ArgumentParser, Namespace
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from benchlib import interleaved, machine, output_dir, parser, power_law, write_json  # benchmarks/ is on sys.path
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from nnsvm.core.io import read_json
from nnsvm.params import load_params
from nnsvm.plotting import plt, save_figure
from nnsvm.q3.params import Q3Params
from nnsvm.q6 import data as q6data
from nnsvm.q6 import diagnose, final, grid, split
from nnsvm.q6.params import PROTOCOLS, Q6Params
from nnsvm.q6.results import candidate, describe

PARTS = ("final", "grid", "q3")
QUICK = {"final_sizes": [300, 600, 1200], "grid_fractions": [0.005, 0.01], "q3_sizes": [256, 512, 1024], "n_test": 500}


@dataclass(frozen=True)
class SvmTiming:
    fit_s: float
    predict_s: float
    n_support: int
    test_accuracy: float


def time_final(c: grid.Candidate, engine: str, train: tuple[np.ndarray, np.ndarray], test: tuple) -> SvmTiming:
    """Fit ``c`` with ``engine`` on ``train``; predict ``test`` by libsvm's rule (q6_final's prediction path)."""
    start = time.perf_counter()
    model = final.svc_class(engine)(**c.svc_params()).fit(*train)
    fitted = time.perf_counter()
    pred = diagnose.rule_predictions(model, test[0])
    done = time.perf_counter()
    return SvmTiming(fitted - start, done - fitted, int(np.sum(model.n_support_)), final.accuracy(test[1], pred))


def final_curve(args: Namespace, q6: Q6Params, data: q6data.Q6Data) -> dict:
    """The final SVM's fit and predict seconds at each training-set size."""
    proto = q6.protocol(args.protocol)
    best = read_json(f"reports/q6/final/{args.protocol}.json")["best"]
    x, y, x_test, y_test = data.final_sets(args.protocol, proto.final_train, proto.scaling)
    if too_big := [n for n in args.final_sizes if n > len(y)]:
        raise SystemExit(f"--final-sizes {too_big}: the {args.protocol} final training set holds {len(y):,} images")
    test = (x_test[: args.n_test], y_test[: args.n_test])
    print(f"\nfinal SVM {describe(best)} ({q6.engine}), predicting {len(test[1]):,} test images by libsvm's rule")
    runs = {
        f"n={n}": (lambda r, n=n: time_final(candidate(best), q6.engine, (x[:n], y[:n]), test))
        for n in args.final_sizes
    }
    time_final(candidate(best), q6.engine, (x[:300], y[:300]), (x_test[:10], y_test[:10]))  # warm-up: imports, threads
    found = interleaved(runs, args.svm_rounds, lambda t: f"fit {t.fit_s:.1f} s + predict {t.predict_s:.1f} s")
    rows = [_svm_row(n, found[f"n={n}"]) for n in args.final_sizes]
    sizes = [r["n_train"] for r in rows]
    exponents = {k: power_law(sizes, [r[k if k == "n_support" else f"{k}_s_median"] for r in rows])[0]
                 for k in ("fit", "predict", "n_support")}  # fmt: skip
    return {"protocol": args.protocol, "model": describe(best), "engine": q6.engine, "n_test": len(test[1]),
            "predicted_by": "diagnose.rule_predictions", "rounds": args.svm_rounds, "rows": rows,
            "exponents": exponents}  # fmt: skip


def _svm_row(n: int, timings: list[SvmTiming]) -> dict:
    return {
        "n_train": n,
        "fit_s": [t.fit_s for t in timings],
        "predict_s": [t.predict_s for t in timings],
        "fit_s_median": statistics.median(t.fit_s for t in timings),
        "predict_s_median": statistics.median(t.predict_s for t in timings),
        "n_support": timings[0].n_support,
        "test_accuracy": timings[0].test_accuracy,
    }


def grid_curve(args: Namespace, q6: Q6Params, data: q6data.Q6Data) -> dict:
    """Grid-search seconds over the protocol's rbf candidates at each grid-set fraction of the training part."""
    proto = q6.protocol(args.protocol)
    cands = grid.candidates(proto.kernels["rbf"])
    scale = data.scaler(proto.scaling)
    sets = {}
    for f in args.grid_fractions:
        rng = np.random.default_rng(q6.split.seed)
        idx = split.stratified_subset(data.split.train, data.y, f, q6.split.min_per_class, rng)
        sets[f] = (scale(data.x[idx]), data.y[idx])
    print(f"\ngrid search: {len(cands)} rbf candidates ({args.protocol}), {q6.cv_folds}-fold, n_jobs={q6.n_jobs}")
    runs = {f"{f:g} ({len(xy[1]):,} images)": (lambda r, xy=xy: _time_grid(xy, cands, q6)) for f, xy in sets.items()}
    _time_grid(next(iter(sets.values())), cands[:1], q6)  # warm-up: starts joblib's worker processes
    found = interleaved(runs, args.svm_rounds)
    rows = [
        {"fraction": f, "images": len(xy[1]), "seconds": t, "seconds_median": statistics.median(t)}
        for (f, xy), t in zip(sets.items(), found.values())
    ]
    k = power_law([r["images"] for r in rows], [r["seconds_median"] for r in rows])[0]
    return {"protocol": args.protocol, "kernel": "rbf", "candidates": len(cands), "folds": q6.cv_folds,
            "n_jobs": q6.n_jobs, "fraction_of": "the training part", "rounds": args.svm_rounds, "rows": rows,
            "exponent": k}  # fmt: skip


def _time_grid(xy: tuple[np.ndarray, np.ndarray], cands: list[grid.Candidate], q6: Q6Params) -> float:
    start = time.perf_counter()
    grid.grid_search(*xy, cands, q6.cv_folds, q6.n_jobs)
    return time.perf_counter() - start


def q3_curve(args: Namespace, q3: Q3Params) -> dict:
    """Seconds of one training epoch of each model at each training-set size, interleaved rounds."""
    from q3loops import load_data, project_epoch, project_threads  # torch only when this part runs

    threads = project_threads(q3.threads)
    x, y, described = load_data(max(args.q3_sizes))
    print(f"\nQ3 epochs: {described}, {threads} torch thread(s)")
    for name in args.q3_models:
        project_epoch(q3.models[name], x[:256], y[:256], 0, threads)  # warm-up
    runs = {
        f"{name} n={n}": (lambda r, s=q3.models[name], n=n: project_epoch(s, x[:n], y[:n], r, threads))
        for name in args.q3_models
        for n in args.q3_sizes
    }
    found = interleaved(runs, args.rounds)
    models = {}
    for name in args.q3_models:
        rows = [_epoch_row(n, found[f"{name} n={n}"]) for n in args.q3_sizes]
        k = power_law(args.q3_sizes, [r["seconds_median"] for r in rows])[0]
        models[name] = {"batch_size": q3.models[name].batch_size, "rows": rows, "exponent": k}
    return {"threads": threads, "rounds": args.rounds, "data": described, "models": models}


def _epoch_row(n: int, seconds: list[float]) -> dict:
    median = statistics.median(seconds)
    return {"n_train": n, "seconds": seconds, "seconds_median": median, "images_per_s": n / median}


def _curve(ax: Axes, xs: list, ys: list, label: str, style: str) -> None:
    """Measured points and the fitted power law through them; the exponent in the legend."""
    k, c = power_law(xs, ys)
    (line,) = ax.loglog(xs, ys, style, label=f"{label}: k = {k:.2f}")
    span = np.geomspace(min(xs), max(xs), 50)
    ax.loglog(span, c * span**k, ":", color=line.get_color(), lw=1)


def _finish(ax: Axes, xlabel: str, ylabel: str) -> None:
    """Plain numbers on both log axes (no 3x10^2), a grid, and the legend titled with the fitted law."""
    for axis, fmt in ((ax.xaxis, "{:,.0f}"), (ax.yaxis, "{:g}")):
        axis.set_major_formatter(FuncFormatter(lambda v, _, fmt=fmt: fmt.format(v)))
        axis.set_minor_formatter(FuncFormatter(lambda v, _, fmt=fmt: fmt.format(v) if f"{v:.0e}"[0] in "25" else ""))
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, title="seconds $\\propto$ size$^k$ (dotted: fit)", title_fontsize=8)


def q6_figure(result: dict) -> Figure:
    """One log-log panel per part run: final fit/predict against training images, grid against grid images."""
    parts = [p for p in ("final", "grid") if p in result]
    fig, axes = plt.subplots(1, len(parts), figsize=(6 * len(parts), 4.4), squeeze=False)
    for ax, part in zip(axes[0], parts):
        r = result[part]
        if part == "final":
            xs = [row["n_train"] for row in r["rows"]]
            _curve(ax, xs, [row["fit_s_median"] for row in r["rows"]], f"fit ({r['engine']})", "o-")
            _curve(ax, xs, [row["predict_s_median"] for row in r["rows"]], f"predict {r['n_test']:,} test", "s-")
            ax.set_title(f"final SVM, {r['model']} ({r['protocol']})")
            _finish(ax, "training images", "seconds (wall clock)")
        else:
            xs = [row["images"] for row in r["rows"]]
            label = f"{r['candidates']} candidates x {r['folds']} folds"
            _curve(ax, xs, [row["seconds_median"] for row in r["rows"]], label, "o-")
            ax.set_title(f"grid search, rbf ({r['protocol']}), n_jobs={r['n_jobs']}")
            _finish(ax, "grid-search images", "seconds (wall clock)")
    fig.tight_layout()
    return fig


def q3_figure(result: dict) -> Figure:
    """Epoch seconds against training images, one line per model, log-log."""
    fig, ax = plt.subplots(figsize=(6, 4.4))
    for (name, m), style in zip(result["models"].items(), ("o-", "s-", "^-", "v-")):
        xs = [row["n_train"] for row in m["rows"]]
        _curve(ax, xs, [row["seconds_median"] for row in m["rows"]], f"{name} (batch {m['batch_size']})", style)
    ax.set_title(f"Q3 training epoch, {result['threads']} torch thread(s), median of {result['rounds']}")
    _finish(ax, "training images", "seconds per epoch (wall clock)")
    return fig


def arguments() -> tuple[ArgumentParser, Namespace]:
    p = parser(__doc__, rounds=3)
    p.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS), help="what to time (default: all)")
    p.add_argument("--protocol", choices=PROTOCOLS, default="improved", help="Q6 protocol (default improved)")
    p.add_argument("--final-sizes", nargs="+", type=int, default=[5_000, 10_000, 20_000, 40_000, 56_000])
    p.add_argument("--grid-fractions", nargs="+", type=float, default=[0.01, 0.02, 0.05, 0.1])
    p.add_argument("--q3-sizes", nargs="+", type=int, default=[7_500, 15_000, 30_000, 60_000])
    p.add_argument("--q3-models", nargs="+", default=["lenet", "mlp"], help="keys of q3.models")
    p.add_argument("--svm-rounds", type=int, default=1, help="rounds of each SVM size (default 1: seconds to minutes)")
    p.add_argument("--n-test", type=int, default=None, help="test images the final SVM predicts (default all)")
    p.add_argument("--out", type=Path, default=None, help="folder (default reports/benchmarks; --quick: a temp one)")
    args = p.parse_args()
    if args.quick:
        args.rounds, args.svm_rounds = 2, 1
        args.final_sizes, args.grid_fractions, args.q3_sizes = (
            QUICK["final_sizes"],
            QUICK["grid_fractions"],
            QUICK["q3_sizes"],
        )
        args.n_test = QUICK["n_test"]
    return p, args


def main() -> None:
    p, args = arguments()
    params, out = load_params(), output_dir(args.out, args.quick)
    if unknown := [m for m in args.q3_models if m not in params.q3.models]:
        p.error(f"--q3-models: {unknown} not in q3.models ({', '.join(params.q3.models)})")
    print(f"writing to {out}" + (" (QUICK: not a measurement)" if args.quick else ""))
    head, results = {"machine": machine(), "quick": args.quick}, {}
    if {"final", "grid"} & set(args.parts):
        data, q6 = q6data.load(), params.q6
        curves = {"final": final_curve, "grid": grid_curve}
        results["q6"] = head | {part: f(args, q6, data) for part, f in curves.items() if part in args.parts}
    if "q3" in args.parts:
        results["q3"] = head | q3_curve(args, params.q3)
    figures = {"q6": q6_figure, "q3": q3_figure}
    for name, result in results.items():
        write_json(out / f"{name}_scaling.json", result)
        print(f"wrote {save_figure(figures[name](result), out / f'{name}_scaling.png')}")
    print_exponents(results)


def print_exponents(results: dict[str, dict]) -> None:
    """The fitted exponent of every curve measured, one line each."""
    print("\nfitted power laws, y ~ size^k:")
    q6, q3 = results.get("q6", {}), results.get("q3", {})
    if "final" in q6:
        span = _span(q6["final"]["rows"], "n_train")
        for k, what in (("fit", "fit seconds"), ("predict", "predict seconds"), ("n_support", "support vectors")):
            print(f"  final SVM {what:<16s} k = {q6['final']['exponents'][k]:.2f}  (training images {span})")
    if "grid" in q6:
        span = _span(q6["grid"]["rows"], "images")
        print(f"  grid-search seconds        k = {q6['grid']['exponent']:.2f}  (grid images {span})")
    for m, v in q3.get("models", {}).items():
        print(f"  Q3 {m:<9s} epoch seconds k = {v['exponent']:.2f}  (training images {_span(v['rows'], 'n_train')})")


def _span(rows: list[dict], key: str) -> str:
    return f"{rows[0][key]:,}-{rows[-1][key]:,}"


if __name__ == "__main__":
    main()
