"""Seconds per training epoch of a Q3 model with one torch thread vs every core, side by side.

The same model spec (a key of q3.models), data (MNIST's first training images
from data/mnist, else random images) and seed, timed in alternating
rounds so drift hits both; prints the medians and their ratio. Run it on a quiet
machine (another busy process makes OpenMP's spin-waits cost several times over):

    python benchmarks/threads.py [--model lenet_published] [--rounds 3] [--images 20000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch
from train_throughput import load_data  # benchmarks/ is the script's folder: MNIST if present, else random

from nnsvm.params import load_params
from nnsvm.q3 import models, train


def epoch_seconds(spec, x: torch.Tensor, y: torch.Tensor, threads: int) -> float:
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(0)
    model = models.build(spec, g)
    optimizer, scheduler = train.make_optimizer(model, spec, -(-len(x) // spec.batch_size))
    start = time.perf_counter()
    train.train_epoch(model, optimizer, scheduler, x, y, spec, g)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="lenet_published", help="a key of q3.models in params.yaml")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", type=int, default=20_000)
    args = parser.parse_args()
    q3 = load_params().q3
    if args.model not in q3.models:
        parser.error(f"--model: {args.model!r} is not one of q3.models ({', '.join(q3.models)})")
    spec = q3.models[args.model]
    x, y, described = load_data(args.images)
    cores = len(os.sched_getaffinity(0))
    print(f"model {args.model}, batch {spec.batch_size}, {described}, {cores} cores")
    times: dict[int, list[float]] = {1: [], cores: []}
    for r in range(args.rounds):
        for threads in (1, cores) if r % 2 == 0 else (cores, 1):
            times[threads].append(epoch_seconds(spec, x, y, threads))
    median = {t: statistics.median(v) for t, v in times.items()}
    for t, s in median.items():
        print(f"{t} thread(s): {s:.2f} s per epoch (median of {args.rounds})")
    print(f"ratio 1 thread / {cores} threads: {median[1] / median[cores]:.2f}x")


if __name__ == "__main__":
    main()
