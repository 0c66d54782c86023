"""The runs a few stages log besides their own: a child run per seed or per grid candidate, a mean curve
over seeds, a PyTorch model (``q3_train`` and ``q6_grid``; every stage's own run: :mod:`nnsvm.core.tracking`).

Children carry a ``parent_stage`` tag, not ``stage``: one run per stage stays one run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from nnsvm.core.tracking import log_metrics, one_line, process_tags


@contextmanager
def child_run(name: str, params: Mapping[str, Any], tags: Mapping[str, str] | None = None) -> Iterator[str]:
    """A child run of the active stage run, active inside the block (e.g. one seed of a model); yields its ID.

    Children carry a ``parent_stage`` tag, not ``stage``: one run per stage stays one run.
    """
    import mlflow

    parent = mlflow.active_run()
    if parent is None:
        raise RuntimeError("child_run needs an active run (inside tracking.stage_run)")
    stage = mlflow.MlflowClient().get_run(parent.info.run_id).data.tags.get("stage", "")
    child_tags = {"parent_stage": stage, **process_tags(), **(tags or {})}
    with mlflow.start_run(experiment_id=parent.info.experiment_id, run_name=name, nested=True, tags=child_tags) as run:
        mlflow.log_params({k: v for k, v in params.items() if v is not None})
        try:
            yield run.info.run_id
        except BaseException as exc:
            mlflow.set_tag("error", one_line(exc))
            raise


def log_mean_curve(curves: Sequence[Sequence[Any]], names: Sequence[str], step: str = "epoch") -> None:
    """Log, per step, the mean over ``curves`` (e.g. one per seed) of the attributes ``names`` of their points.

    The stage's run then draws one curve per model in the chart view; its seed children give the range.
    """
    for points in zip(*curves, strict=True):
        mean = {n: sum(float(getattr(p, n)) for p in points) / len(points) for n in names}
        log_metrics(mean, step=int(getattr(points[0], step)))


def log_torch_model(model: Any, name: str, input_example: Any) -> None:
    """Log a PyTorch model with a signature inferred from ``input_example`` (a NumPy array) and its output."""
    import copy

    import mlflow
    import torch
    from mlflow.models import infer_signature

    model = copy.deepcopy(model).cpu().eval()
    with torch.no_grad():
        output = model(torch.from_numpy(input_example)).numpy()
    mlflow.pytorch.log_model(
        model,
        name=name,
        signature=infer_signature(input_example, output),
        input_example=input_example,
        # Given, not inferred: inference imports the model in a subprocess (slow).
        pip_requirements=[f"torch=={torch.__version__.split('+')[0]}"],
    )


def log_child_runs(children: list[tuple[str, Mapping[str, Any], Mapping[str, float]]]) -> list[str]:
    """One finished child run of the active run per ``(name, params, metrics)``; returns their run IDs.

    Children carry a ``parent_stage`` tag, not ``stage``: one run per stage stays one run.
    """
    import mlflow
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    parent = mlflow.active_run()
    if parent is None:
        raise RuntimeError("log_child_runs needs an active run (inside tracking.stage_run)")
    client = MlflowClient()
    stage = client.get_run(parent.info.run_id).data.tags.get("stage", "")
    now = int(time.time() * 1000)
    ids = []
    for name, params, metrics in children:
        tags = {"mlflow.parentRunId": parent.info.run_id, "mlflow.runName": name, "parent_stage": stage}
        tags |= process_tags()
        run = client.create_run(parent.info.experiment_id, run_name=name, tags=tags)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric(k, float(v), now, 0) for k, v in metrics.items()],
            # None left out (a linear kernel's gamma): a numeric axis of the parallel-coordinates chart stays numeric.
            params=[Param(k, str(v)) for k, v in params.items() if v is not None],
        )
        client.set_terminated(run.info.run_id)
        ids.append(run.info.run_id)
    return ids
