"""Seconds a stage costs when it does no work: the old start-up (commit 31f4a75), this checkout's without
the warm server (``NNSVM_WARM=0``) and with it (nnsvm.warm), side by side.

A no-work stage is what every stage of the pipeline does besides its work: start
Python, import nnsvm.core, read the stage's params (those dvc.yaml declares for
``toy``), open the SQLite MLflow store, look up the experiment, end orphaned runs,
create the run, log the params, end it, write reports/runs/toy.json and exit. It is
started as DVC starts a stage, ``python -m stages.no_work``. Each side runs in its
own project copy in a temp folder (the old one from ``git archive``), each with a
store made by a warm-up run (so MLflow's schema migrations, paid once per store, are
not counted; the warm-up also starts the warm server, whose start is timed apart);
the rounds are interleaved so drift hits all. Prints the medians and their ratios.
``--repro`` also times a tiny-profile ``dvc repro`` of the old copy and of this
checkout's without and with the warm server (minutes each: run it on a quiet machine).

    python benchmarks/stage_overhead.py [--rounds 7] [--old 31f4a75] [--repro] [--json PATH]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import interleaved, machine, parser, write_json  # benchmarks/ is on sys.path

REPO = Path(__file__).resolve().parents[1]
OLD = "31f4a75"  # before the start-up was cut
PROJECT = ("dvc.yaml", "params.yaml", "stages", "src", "claims", "requirements.lock")
NO_WORK = '''"""A stage that does no work: only what every stage does around its work."""

from nnsvm.core import config, tracking
from nnsvm.core.cli import run_stage

# Since the params reader moved to config, a stage passes its params (before, stage_run read them).
DECLARED = {"params": config.declared_params("toy")} if hasattr(config, "declared_params") else {}


def main():
    with tracking.stage_run("toy", **DECLARED):
        pass


if __name__ == "__main__":
    run_stage("toy", main)
'''
GOAL_S = 2.0


def ratio_line(
    old: list[float], new: list[float], goal: float = GOAL_S, names: tuple[str, str] = ("old", "new")
) -> str:
    """``old 3.10 s, new 1.80 s: 1.72x faster (goal new <= 2.00 s: met)`` from the medians."""
    o, n = statistics.median(old), statistics.median(new)
    met = "met" if n <= goal else "MISSED"
    return f"{names[0]} {o:.2f} s, {names[1]} {n:.2f} s: {o / n:.2f}x faster (goal {names[1]} <= {goal:.2f} s: {met})"


def project(dest: Path, commit: str | None, tiny: bool = False) -> Path:
    """A git + DVC project at ``dest`` with the pipeline's files at ``commit`` (None: this checkout's)."""
    dest.mkdir(parents=True)
    if commit is None:
        for name in PROJECT:
            src = REPO / name
            if src.is_dir():
                shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            else:
                shutil.copy2(src, dest / name)
    else:
        archive = subprocess.run(["git", "archive", commit, *PROJECT], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    if tiny:
        import yaml

        sys.path.insert(0, str(REPO / "tests"))
        from conftest import deep_merge

        params = yaml.safe_load((dest / "params.yaml").read_text())
        overrides = yaml.safe_load((REPO / "tests" / "tiny_params.yaml").read_text())
        (dest / "params.yaml").write_text(yaml.safe_dump(deep_merge(params, overrides), sort_keys=False))
    (dest / "stages" / "no_work.py").write_text(NO_WORK)
    for cmd in (["git", "init", "-q"], ["dvc", "init", "-q"], ["dvc", "config", "core.analytics", "false"]):
        subprocess.run(cmd, cwd=dest, env=env(dest), check=True, capture_output=True)
    return dest


def env(work: Path, warm: bool = True) -> dict[str, str]:
    """The environment `make repro` gives a stage: the venv first, this copy's library, telemetry off;
    ``warm=False``: no warm server (``NNSVM_WARM=0``)."""
    keep = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME")}
    path = f"{Path(sys.executable).parent}{os.pathsep}{keep.get('PATH', '')}"
    keep |= {"PATH": path, "PYTHONPATH": str(work / "src"), "MLFLOW_DISABLE_TELEMETRY": "true"}
    return keep | {"NNSVM_WARM": "1" if warm else "0"}


def timed(work: Path, *cmd: str, warm: bool = True) -> float:
    """Wall seconds of one command in ``work``, from its start to its exit."""
    start = time.perf_counter()
    subprocess.run(list(cmd), cwd=work, env=env(work, warm), check=True, capture_output=True)
    return time.perf_counter() - start


NO_WORK_CMD = ("python", "-m", "stages.no_work")


def main() -> None:
    p = parser(__doc__, rounds=7)
    p.add_argument("--old", default=OLD, help=f"the commit to compare with (default {OLD})")
    p.add_argument("--repro", action="store_true", help="also time a tiny-profile `dvc repro` of each (minutes)")
    args = p.parse_args()
    if args.quick:
        args.rounds = 2
    with tempfile.TemporaryDirectory(prefix="nnsvm-overhead-") as tmp:
        old, new = project(Path(tmp) / "old", args.old), project(Path(tmp) / "new", None)
        # (copy, warm server): the old commit has none, so the switch does nothing there
        sides = {"old": (old, False), "cold": (new, False), "warm": (new, True)}
        first = {name: timed(w, *NO_WORK_CMD, warm=warm) for name, (w, warm) in sides.items()}  # the warm-up
        print(
            f"first run (makes the store; warm: also starts the server): old {first['old']:.2f} s, "
            f"cold {first['cold']:.2f} s, warm {first['warm']:.2f} s"
        )
        print(f"no-work stage, {args.rounds} interleaved rounds (old = {args.old}; cold, warm = this checkout):")
        stages = {
            name: lambda r, w=w, warm=warm: timed(w, *NO_WORK_CMD, warm=warm) for name, (w, warm) in sides.items()
        }
        times = interleaved(stages, args.rounds)
        print(ratio_line(times["old"], times["warm"], names=("old", "warm")))
        print(ratio_line(times["cold"], times["warm"], names=("cold", "warm")))
        record = {
            "machine": machine(),
            "old_commit": args.old,
            "first_run_seconds": first,
            "no_work_stage_seconds": times,
        }
        if args.repro:
            tiny_old, tiny_new = (
                project(Path(tmp) / "tiny-old", args.old, True),
                project(Path(tmp) / "tiny-new", None, True),
            )
            repro = {}
            for name, work, warm in (("old", tiny_old, False), ("cold", tiny_new, False), ("warm", tiny_new, True)):
                repro[name] = timed(work, "dvc", "repro", "--force", warm=warm)
                print(f"tiny-profile dvc repro --force, {name}: {repro[name]:.0f} s", flush=True)
            record["tiny_repro_seconds"] = repro
    if args.json:
        write_json(args.json, record)


if __name__ == "__main__":
    main()
