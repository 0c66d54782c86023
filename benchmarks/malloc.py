"""A Q3 training epoch with glibc's default allocation against freed memory reused, side by side.

``nnsvm.memory.reuse_freed_memory`` (which every torch stage sets through ``train.set_threads``) turns off
glibc's ``mmap`` for big blocks, so the activations of one step reuse the pages the last step freed
instead of arriving as fresh ones the kernel zeroes. A setting of the process, it cannot be undone
inside one: each round runs one child process per mode, alternating (the order rotates), and each
child times the project's epoch (``q3loops.project_epoch``: ``train.fit`` for one epoch, as q3_train runs it) after one
untimed warm-up epoch. Prints images/s and the CPU seconds spent in the kernel (page faults) and in
user code, per mode, and the ratio reuse / default.

    python benchmarks/malloc.py [--rounds 3] [--images 20480] [--model lenet_published] [--json PATH]
    python benchmarks/malloc.py --quick   # a smoke run (seconds); not a measurement
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
from pathlib import Path

from benchlib import Rate, interleaved, machine, parser, write_json  # benchmarks/ is on sys.path

MODES = ("default", "reuse")


def child(mode: str, model: str, images: int) -> None:
    """In a fresh process: set the mode, warm up one epoch, time one; print seconds and CPU times as JSON."""
    from q3loops import load_data, project_epoch, project_threads

    from nnsvm import memory
    from nnsvm.params import load_params

    applied = memory.reuse_freed_memory() if mode == "reuse" else False
    q3 = load_params().q3
    spec, threads = q3.models[model], project_threads(q3.threads)
    x, y, _ = load_data(images)
    project_epoch(spec, x, y, 0, threads)
    before = resource.getrusage(resource.RUSAGE_SELF)
    wall = project_epoch(spec, x, y, 1, threads)
    after = resource.getrusage(resource.RUSAGE_SELF)
    used = {"user": after.ru_utime - before.ru_utime, "sys": after.ru_stime - before.ru_stime}
    print(json.dumps({"seconds": wall, "applied": applied, **used}))


def run_child(mode: str, model: str, images: int) -> dict:
    here = Path(__file__).resolve()
    out = subprocess.run(
        [sys.executable, str(here), "--child", mode, "--model", model, "--images", str(images)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = parser(__doc__, rounds=3, images=20480)
    p.add_argument("--model", default="lenet_published", help="a key of q3.models (default %(default)s)")
    p.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child, args.model, args.images)
        return
    rounds, images = (2, 1024) if args.quick else (args.rounds, args.images)
    print(f"{args.model}: one epoch of {images} images per child process, {rounds} rounds")
    found = interleaved(
        {m: (lambda r, m=m: run_child(m, args.model, images)) for m in MODES},
        rounds,
        show=lambda r: f"{r['seconds']:.2f} s (sys {r['sys']:.1f} s)",
    )
    rates = {m: Rate.of(images, [r["seconds"] for r in found[m]]) for m in MODES}
    cpu = {m: {k: statistics.median(r[k] for r in found[m]) for k in ("user", "sys")} for m in MODES}
    for m in MODES:
        print(f"  {m:<8s} {rates[m]}   CPU s per epoch: user {cpu[m]['user']:.1f}, kernel {cpu[m]['sys']:.1f}")
    ratio = rates["reuse"].median / rates["default"].median
    applied = all(r["applied"] for r in found["reuse"])
    print(f"  reuse / default  {ratio:.2f}x{'' if applied else '  (not applied: this is not glibc)'}")
    if args.json:
        record = {"machine": machine(), "model": args.model, "images": images, "rounds": rounds, "ratio": ratio}
        write_json(args.json, record | {"rates": {m: vars(rates[m]) for m in MODES}, "cpu_seconds": cpu})


if __name__ == "__main__":
    main()
