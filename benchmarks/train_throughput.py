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

The contenders alternate round by round (the order rotates, so drift hits all). Prints
each one's median images/s with the slowest and fastest round, and the ratios
project / bare one thread (goal >= 1.8x) and project / best bare setting (goal >= 0.95x).

A default run takes about 5 minutes on a quiet 2-core machine (20,480 training images and
500 shift images per round, 5 rounds; it prints each round). Take numbers only on a
quiet machine: another busy process makes OpenMP's spin-waits cost several times over. Leave
OMP_NUM_THREADS unset: with q3.threads 0 the project runs on torch's default threads, which it sets.

    python benchmarks/train_throughput.py [--rounds 5] [--images 20480] [--shift-images 500] [--json PATH]
    python benchmarks/train_throughput.py --quick   # a smoke run of every path (seconds); not a measurement
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from benchlib import Rate, cores, goal_line, interleaved, machine, parser, write_json  # benchmarks/ is on sys.path
from q3loops import (
    Bare,
    bare_epoch,
    bare_forward,
    bare_settings,
    load_data,
    project_epoch,
    project_shift,
    project_threads,
    shift_passes,
)

from nnsvm.params import load_params
from nnsvm.q3.params import Q3ModelParams

GOALS = {"one_thread": 1.8, "best": 0.95}  # issue 15: project >= 1.8x bare one thread, >= 0.95x the best bare
MODELS = ("mlp", "lenet", "lenet_published")
Contenders = dict[str, Callable[[int], float]]


def train_contenders(
    spec: Q3ModelParams, x: torch.Tensor, y: torch.Tensor, threads: int, bare: list[Bare]
) -> Contenders:
    """``{name: f(round) -> seconds}``: the project's epoch, then each bare setting's."""
    found: Contenders = {"project": lambda r: project_epoch(spec, x, y, r, threads)}
    for b in bare:
        found[b.name] = lambda r, b=b: bare_epoch(spec, x, y, r, b)
    return found


def shift_contenders(
    spec: Q3ModelParams, x: torch.Tensor, y: torch.Tensor, shift: tuple[int, int], threads: int, bare: list[Bare]
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
    args = p.parse_args()
    q3 = load_params().q3
    if unknown := [m for m in args.models if m not in q3.models]:
        p.error(f"--models: {unknown} not in q3.models ({', '.join(q3.models)})")
    if args.quick:
        args.rounds, args.images, args.shift_images = 2, 512, 64
    max_shift = 1 if args.quick else q3.shift.max_shift
    threads = project_threads(q3.threads)
    x, y, described = load_data(max(args.images, args.shift_images))
    print(
        f"{described}; {cores()} cores; torch {torch.__version__}; project threads {threads} "
        f"(q3.threads {q3.threads}); shifts up to {max_shift} px, batch {q3.shift.batch_size}"
        + ("; QUICK: not a measurement" if args.quick else "")
    )
    results: dict[str, dict[str, dict]] = {"train": {}, "shift": {}}
    for name in args.models:
        spec = q3.models[name]
        bare = bare_settings(spec.arch, cores())
        xt, yt, xs, ys = x[: args.images], y[: args.images], x[: args.shift_images], y[: args.shift_images]
        results["train"][name] = compare(
            f"train {name} (batch {spec.batch_size})",
            train_contenders(spec, xt, yt, threads, bare),
            train_contenders(spec, xt[:256], yt[:256], threads, bare),
            len(xt),
            args.rounds,
        )
        shift = (max_shift, q3.shift.batch_size)
        results["shift"][name] = compare(
            f"shift {name} ({shift_passes(max_shift)} passes of {len(xs):,} images)",
            shift_contenders(spec, xs, ys, shift, threads, bare),
            shift_contenders(spec, xs[:32], ys[:32], (1, q3.shift.batch_size), threads, bare),
            len(xs) * shift_passes(max_shift),
            args.rounds,
        )
    summary(results)
    if args.json:
        settings = {"rounds": args.rounds, "project_threads": threads, "max_shift": max_shift, "quick": args.quick}
        write_json(args.json, {"machine": machine(), "settings": settings, **results})


if __name__ == "__main__":
    main()
