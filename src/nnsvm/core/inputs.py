"""The data a stage's MLflow run reads: tags and dataset inputs (the stages that read data import this)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def tag_data(digest: str, source: str) -> None:
    """Tag the active run with the digest and source (``full``, ``subset``, ``generated``) of the data it read."""
    import mlflow

    mlflow.set_tags({"data_digest": digest, "data_source": source})


def use_data(name: str, path: str | Path, digest: str, source: str, context: str = "training") -> None:
    """The data a stage reads: :func:`tag_data` and a dataset input (:func:`log_dataset`) of the active run."""
    tag_data(digest, source)
    log_dataset(name, source=Path(path).resolve().as_uri(), digest=digest, context=context)


def log_dataset(name: str, *, source: str, digest: str, context: str, schema: Mapping[str, str] | None = None) -> None:
    """Record a data set as an MLflow dataset input of the active run."""
    import mlflow
    from mlflow.data.http_dataset_source import HTTPDatasetSource
    from mlflow.data.meta_dataset import MetaDataset
    from mlflow.types import ColSpec, Schema

    columns = Schema([ColSpec(type=t, name=n) for n, t in (schema or {}).items()]) if schema else None
    # MetaDataset is concrete at run time; its stub leaves `profile` abstract.
    dataset = MetaDataset(source=HTTPDatasetSource(url=source), name=name, digest=digest, schema=columns)  # type: ignore[abstract]
    mlflow.log_input(dataset, context=context)
