"""Seconds per training epoch of a Q3 model with one torch thread vs every core, side by side.

The same model spec (a key of q3.models), data (MNIST's first training images
from data/mnist, else random images) and seed, through the project's epoch
(``train.fit`` for one epoch, as q3_train runs it), timed in interleaved rounds so
drift hits both; prints the medians and their ratio. A default run takes about a
minute for lenet_published on a quiet 2-core machine. Run it on a quiet machine
(another busy process makes OpenMP's spin-waits cost several times over):

    python benchmarks/threads.py [--model lenet_published] [--rounds 3] [--images 20000] [--json PATH]
"""

from __future__ import annotations

import statistics

from benchlib import Rate, cores, interleaved, machine, parser, write_json  # benchmarks/ is on sys.path
from q3loops import load_data, project_epoch

from nnsvm.params import load_params


def main() -> None:
    p = parser(__doc__, rounds=3, images=20_000)
    p.add_argument("--model", default="lenet_published", help="a key of q3.models in params.yaml")
    args = p.parse_args()
    q3 = load_params().q3
    if args.model not in q3.models:
        p.error(f"--model: {args.model!r} is not one of q3.models ({', '.join(q3.models)})")
    if args.quick:
        args.rounds, args.images = 2, 512
    spec, n = q3.models[args.model], cores()
    x, y, described = load_data(args.images)
    print(f"model {args.model}, batch {spec.batch_size}, {described}, {n} cores")
    project_epoch(spec, x[:256], y[:256], 0, 1)  # warm-up
    times = interleaved({f"{t}t": lambda r, t=t: project_epoch(spec, x, y, r, t) for t in sorted({1, n})}, args.rounds)
    median = {name: statistics.median(s) for name, s in times.items()}
    for name, s in median.items():
        print(f"{name}: {s:.2f} s per epoch (median of {args.rounds}), {Rate.of(len(x), times[name])}")
    print(f"ratio 1 thread / {n} threads: {median['1t'] / median[f'{n}t']:.2f}x")
    if args.json:
        write_json(args.json, {"machine": machine(), "model": args.model, "images": len(x), "seconds": times})


if __name__ == "__main__":
    main()
