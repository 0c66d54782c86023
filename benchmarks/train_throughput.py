"""Images/s of the project's Q3 training epoch and shift evaluation against bare PyTorch loops, side by side.

For each model (mlp, lenet, lenet_published: their specs in params.yaml give batch,
optimiser and schedule), on the same images:

- train: the project's epoch (``train.fit`` for one epoch, as stage q3_train runs it,
  with ``q3.threads``) against bare loops (shuffle, forward, loss, backward, step):
  fp32 on one thread, fp32 on every core, and for LeNet channels-last on each;
- shift: stage q3_shift's loop (``frame.grids`` over every shift up to
  ``q3.shift.max_shift``, batch ``q3.shift.batch_size``) against bare batched forward
  passes over as many images, in the same bare settings (MNIST's first training images
  stand in for the test images: they cost the same).

- ensemble: for each model trained over several seeds (mlp_published, lenet_published), one
  epoch of every seed as stage q3_train runs them, together (``ensemble.fit_seeds``),
  against each bare setting's loop run once per seed, one model after another; the
  ratio ensemble / best bare setting has the goal >= 1.5x for the LeNets.

Every contender runs with the allocation the stages use (``nnsvm.memory.reuse_freed_memory``; its own
effect: benchmarks/malloc.py). The contenders alternate round by round (the order rotates, so drift hits all). Prints
each one's median images/s with the slowest and fastest round, and the ratios
project / bare one thread (goal >= 1.8x) and project / best bare setting (goal >= 0.95x).

A default run takes about 5 minutes on a quiet 2-core machine (20,480 training images and
500 shift images per round, 5 rounds; it prints each round). Take numbers only on a
quiet machine: another busy process makes OpenMP's spin-waits cost several times over. Leave
OMP_NUM_THREADS unset: with q3.threads 0 the project runs on torch's default threads, which it sets.

    python benchmarks/train_throughput.py [--rounds 5] [--images 20480] [--shift-images 500] [--json PATH]
    python benchmarks/train_throughput.py --loops ensemble --images 8192 --seeds 5   # the ensemble alone, shorter
    python benchmarks/train_throughput.py --quick   # a smoke run of every path (seconds); not a measurement
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from benchlib import Rate, cores, goal_line, interleaved, machine, parser, write_json  # benchmarks/ is on sys.path
from q3loops import (
    Bare,
    bare_epoch,
    bare_epochs,
    bare_forward,
    bare_settings,
    ensemble_epoch,
    load_data,
    project_epoch,
    project_shift,
    project_threads,
    shift_passes,
)

from nnsvm import memory
from nnsvm.nets.params import ModelParams
from nnsvm.params import load_params

# the project's loop: >= 1.8x a bare loop on one thread, >= 0.95x the best bare loop
GOALS = {"one_thread": 1.8, "best": 0.95}
ENSEMBLE_GOAL = 1.5  # a LeNet's seeds together >= 1.5x the best bare loop once per seed
MODELS = ("mlp", "lenet", "lenet_published")
LOOPS = ("train", "shift", "ensemble")
Contenders = dict[str, Callable[[int], float]]


def train_contenders(spec: ModelParams, x: torch.Tensor, y: torch.Tensor, threads: int, bare: list[Bare]) -> Contenders:
    """``{name: f(round) -> seconds}``: the project's epoch, then each bare setting's."""
    found: Contenders = {"project": lambda r: project_epoch(spec, x, y, r, threads)}
    for b in bare:
        found[b.name] = lambda r, b=b: bare_epoch(spec, x, y, r, b)
    return found


def shift_contenders(
    spec: ModelParams, x: torch.Tensor, y: torch.Tensor, shift: tuple[int, int], threads: int, bare: list[Bare]
) -> Contenders:
    """``{name: f(round) -> seconds}``: q3_shift's loop, then bare forward passes; ``shift = (max_shift, batch)``."""
    max_shift, batch = shift
    found: Contenders = {"project": lambda r: project_shift(spec, x, y, max_shift, batch, threads)}
    for b in bare:
        found[b.name] = lambda r, b=b: bare_forward(spec, x, shift_passes(max_shift), batch, b)
    return found


def compare(title: str, contenders: Contenders, warm_up: Contenders, images: int, rounds: int) -> dict:
    """Warm every contender up (untimed), time them interleaved, print and return rates and ratios."""
    print(f"\n{title}: {images:,} images per round", flush=True)
    for run in warm_up.values():
        run(0)
    seconds = interleaved(contenders, rounds)
    rates = {name: Rate.of(images, s) for name, s in seconds.items()}
    bare = {name: r for name, r in rates.items() if name != "project"}
    best = max(bare, key=lambda name: bare[name].median)
    one = Bare(threads=1).name
    ratios = {
        "one_thread": rates["project"].median / bare[one].median,
        "best": rates["project"].median / bare[best].median,
    }
    for name, rate in rates.items():
        print(f"  {name:<24s} {rate}")
    print("  " + goal_line(f"project / {one}", ratios["one_thread"], GOALS["one_thread"]))
    print("  " + goal_line(f"project / {best}", ratios["best"], GOALS["best"]))
    return {
        "images_per_round": images,
        "seconds": seconds,
        "images_per_s": {name: vars(r) for name, r in rates.items()},
        "one_thread_bare": one,
        "best_bare": best,
        "ratios": ratios,
        "goals": GOALS,
        "met": {k: ratios[k] >= GOALS[k] for k in GOALS},
    }


def ensemble_contenders(
    spec: ModelParams, x: torch.Tensor, y: torch.Tensor, seeds: list[int], threads: int, bare: list[Bare]
) -> Contenders:
    """``{name: f(round) -> seconds}``: every seed's epoch together, then each bare setting once per seed."""
    found: Contenders = {"ensemble": lambda r: ensemble_epoch(spec, x, y, [s + r for s in seeds], threads)}
    if threads != 1:  # on a loaded machine one thread may beat the stage's threads: time the ensemble there too
        found["ensemble 1t"] = lambda r: ensemble_epoch(spec, x, y, [s + r for s in seeds], 1)
    for b in bare:
        found[b.name] = lambda r, b=b: bare_epochs(spec, x, y, [s + r for s in seeds], b)
    return found


def compare_ensemble(title: str, contenders: Contenders, warm_up: Contenders, images: int, rounds: int) -> dict:
    """As :func:`compare` for the ensemble: its images/s (every seed's images) against the best bare loop's."""
    print(f"\n{title}: {images:,} images per round (every seed's)", flush=True)
    for run in warm_up.values():
        run(0)
    seconds = interleaved(contenders, rounds)
    rates = {name: Rate.of(images, s) for name, s in seconds.items()}
    best = max((n for n in rates if n.startswith("bare")), key=lambda n: rates[n].median)
    ratios = {n: rates[n].median / rates[best].median for n in rates if n.startswith("ensemble")}
    for name, rate in rates.items():
        print(f"  {name:<24s} {rate}")
    for name, ratio in ratios.items():
        print("  " + goal_line(f"{name} / {best} x seeds", ratio, ENSEMBLE_GOAL))
    return {
        "images_per_round": images,
        "seconds": seconds,
        "images_per_s": {name: vars(r) for name, r in rates.items()},
        "best_bare": best,
        "ratio": ratios["ensemble"],
        "ratios": ratios,
        "goal": ENSEMBLE_GOAL,
    }


def ensemble_summary(per_model: dict[str, dict]) -> None:
    print(f"\n{'model':<17s}{'seeds':>6s}{'ensemble':>10s}{'best bare':>10s}  {'(best setting)':<24s}{'ratio':>7s}  1t")
    for name, r in per_model.items():
        rate = {k: f"{v['median']:,.0f}" for k, v in r["images_per_s"].items()}
        one = f"{r['ratios']['ensemble 1t']:.2f}x" if "ensemble 1t" in r["ratios"] else "-"
        print(
            f"{name:<17s}{r['seeds']:>6d}{rate['ensemble']:>10s}{rate[r['best_bare']]:>10s}  {r['best_bare']:<24s}"
            f"{r['ratio']:>6.2f}x  {one}"
        )
    print(
        "images/s of every seed, medians (ensemble: the stage's threads; 1t: the ensemble on one thread); "
        f"goal for the LeNets: ensemble / best bare x seeds >= {ENSEMBLE_GOAL}x"
    )


ROW = "{:<6s}{:<17s}{:>9s}{:>9s}{:>10s}  {:<24s}{:>8s}{:>8s}"


def summary_row(loop: str, name: str, r: dict) -> str:
    """Project, one-thread bare and best bare images/s, the best setting, the two ratios (! = goal missed)."""
    rate = {k: f"{v['median']:,.0f}" for k, v in r["images_per_s"].items()}
    ratio = {k: f"{v:.2f}x{'' if r['met'][k] else '!'}" for k, v in r["ratios"].items()}
    best = r["best_bare"]
    return ROW.format(
        loop, name, rate["project"], rate[r["one_thread_bare"]], rate[best], best, ratio["one_thread"], ratio["best"]
    )


def summary(results: dict[str, dict[str, dict]]) -> None:
    print("\n" + ROW.format("loop", "model", "project", "bare 1t", "best bare", "(best setting)", "/ 1t", "/ best"))
    for loop, per_model in results.items():
        for name, r in per_model.items():
            print(summary_row(loop, name, r))
    print(f"images/s, medians; goals: project / bare 1t >= {GOALS['one_thread']}x, project / best bare >= "
          f"{GOALS['best']}x; ! = missed")  # fmt: skip


def main() -> None:
    p = parser(__doc__, rounds=5, images=20_480)
    p.add_argument("--shift-images", type=int, default=500, help="test images per shift round (default 500)")
    p.add_argument("--models", nargs="+", default=list(MODELS), help="keys of q3.models (default: %(default)s)")
    p.add_argument("--loops", nargs="+", default=list(LOOPS), choices=LOOPS, help="what to time (default: all)")
    p.add_argument("--seeds", type=int, default=0, help="ensemble: at most this many seeds (default: the model's)")
    args = p.parse_args()
    q3 = load_params().q3
    if unknown := [m for m in args.models if m not in q3.models]:
        p.error(f"--models: {unknown} not in q3.models ({', '.join(q3.models)})")
    multi = [name for name, spec in q3.models.items() if spec.seeds > 1]
    if args.quick:
        args.rounds, args.images, args.shift_images = 2, 512, 64
    max_shift = 1 if args.quick else q3.shift.max_shift
    threads = project_threads(q3.threads)
    # Every contender gets the allocation the stages use (benchmarks/malloc.py times it apart).
    reused = memory.reuse_freed_memory()
    x, y, described = load_data(max(args.images, args.shift_images))
    print(
        f"{described}; {cores()} cores; torch {torch.__version__}; project threads {threads} "
        f"(q3.threads {q3.threads}); shifts up to {max_shift} px, batch {q3.shift.batch_size}; "
        f"freed memory reused: {'yes' if reused else 'no (not glibc)'}"
        + ("; QUICK: not a measurement" if args.quick else "")
    )
    results: dict[str, dict[str, dict]] = {"train": {}, "shift": {}}
    xt, yt, xs, ys = x[: args.images], y[: args.images], x[: args.shift_images], y[: args.shift_images]
    for name in args.models:
        spec = q3.models[name]
        bare = bare_settings(spec.arch, cores())
        if "train" in args.loops:
            results["train"][name] = compare(
                f"train {name} (batch {spec.batch_size})",
                train_contenders(spec, xt, yt, threads, bare),
                train_contenders(spec, xt[:256], yt[:256], threads, bare),
                len(xt),
                args.rounds,
            )
        if "shift" not in args.loops:
            continue
        shift = (max_shift, q3.shift.batch_size)
        results["shift"][name] = compare(
            f"shift {name} ({shift_passes(max_shift)} passes of {len(xs):,} images)",
            shift_contenders(spec, xs, ys, shift, threads, bare),
            shift_contenders(spec, xs[:32], ys[:32], (1, q3.shift.batch_size), threads, bare),
            len(xs) * shift_passes(max_shift),
            args.rounds,
        )
    together: dict[str, dict] = {}
    for name in multi if "ensemble" in args.loops else ():
        spec = q3.models[name]
        seeds = list(range(min(spec.seeds, args.seeds or spec.seeds)))
        together[name] = compare_ensemble(
            f"ensemble {name} ({len(seeds)} seeds, batch {spec.batch_size})",
            ensemble_contenders(spec, xt, yt, seeds, threads, bare_settings(spec.arch, cores())),
            ensemble_contenders(spec, xt[:256], yt[:256], seeds[:2], threads, bare_settings(spec.arch, cores())),
            len(xt) * len(seeds),
            args.rounds,
        ) | {"seeds": len(seeds)}
    if results["train"] or results["shift"]:
        summary(results)
    if together:
        ensemble_summary(together)
    if args.json:
        settings = {"rounds": args.rounds, "project_threads": threads, "max_shift": max_shift, "quick": args.quick}
        write_json(args.json, {"machine": machine(), "settings": settings, **results, "ensemble": together})


if __name__ == "__main__":
    main()
