"""Images per second of nnsvm's training epoch vs a minimal plain PyTorch loop.

Same model (a q3 model spec from params.yaml), batch size, optimiser, schedule
and data (MNIST from data/mnist if present, else random images of its shape),
measured side by side: the two loops alternate for several rounds and the
median of each is compared. Run under the shared lock:

    flock /tmp/nnsvm-heavy.lock python benchmarks/train_throughput.py [--model lenet] [--rounds 5] [--images 15000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch.nn import functional as F

from nnsvm.params import load_params
from nnsvm.q3 import models, train


def load_data(n: int) -> tuple[torch.Tensor, torch.Tensor, str]:
    try:
        from nnsvm.data import mnist

        data = mnist.load("data/mnist")
        x, y = train.to_tensors(data.x_train[:n], data.y_train[:n], torch.device("cpu"))
        return x, y, f"MNIST ({data.source}), first {len(x)} training images"
    except Exception:  # noqa: BLE001 - no data here: random images of the same shape cost the same
        g = torch.Generator().manual_seed(0)
        return (
            torch.rand(n, 1, 28, 28, generator=g),
            torch.randint(0, 10, (n,), generator=g),
            f"{n} random 28x28 images",
        )


def ours(spec, x, y, seed: int) -> float:
    """One epoch through nnsvm.q3.train.train_epoch; returns seconds."""
    g = torch.Generator().manual_seed(seed)
    model = models.build(spec, g)
    optimizer, scheduler = train.make_optimizer(model, spec, -(-len(x) // spec.batch_size))
    start = time.perf_counter()
    train.train_epoch(model, optimizer, scheduler, x, y, spec, g)
    return time.perf_counter() - start


def bare(spec, x, y, seed: int) -> float:
    """The minimal loop a PyTorch user would write: shuffle, forward, loss, backward, step."""
    g = torch.Generator().manual_seed(seed)
    model = models.build(spec, g)
    optimizer, scheduler = train.make_optimizer(model, spec, -(-len(x) // spec.batch_size))
    start = time.perf_counter()
    model.train()
    order = torch.randperm(len(x), generator=g)
    for i in range(0, len(x), spec.batch_size):
        idx = order[i : i + spec.batch_size]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="lenet", help="a key of q3.models in params.yaml")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--images", type=int, default=15_000)
    args = parser.parse_args()
    q3 = load_params().q3
    if args.model not in q3.models:
        parser.error(f"--model: {args.model!r} is not one of q3.models ({', '.join(q3.models)})")
    spec = q3.models[args.model]
    train.set_threads(q3.threads)
    x, y, described = load_data(args.images)
    print(
        f"model {args.model} ({spec.arch}), batch {spec.batch_size}, {described}, {torch.get_num_threads()} thread(s)"
    )
    ours(spec, x[:1024], y[:1024], 0), bare(spec, x[:1024], y[:1024], 0)  # warm-up
    times = {"nnsvm": [], "bare": []}
    for r in range(args.rounds):
        first, second = (ours, bare) if r % 2 == 0 else (bare, ours)  # alternate so drift hits both
        for fn in (first, second):
            times["nnsvm" if fn is ours else "bare"].append(fn(spec, x, y, r))
    rate = {k: len(x) / statistics.median(v) for k, v in times.items()}
    for k, v in rate.items():
        rounds = ", ".join(f"{len(x) / t:.0f}" for t in times[k])
        print(f"{k:>6}: {v:9.0f} images/s (median of {args.rounds}; per round: {rounds})")
    print(f"ratio nnsvm / bare = {rate['nnsvm'] / rate['bare']:.3f}")


if __name__ == "__main__":
    main()
