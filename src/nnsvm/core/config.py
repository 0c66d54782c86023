"""Typed, strict loading of one section of ``params.yaml``.

Each question owns the pydantic models of its own section (``nnsvm.qN.params``),
so editing Q1's params code never invalidates Q3's trained models. Every model
derives from :class:`Section`: frozen, unknown keys forbidden, so a typo or an
out-of-range value stops a stage before any work, with one line that names the
key and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from nnsvm.core.errors import NnsvmError

PARAMS_FILE = Path("params.yaml")
# The top-level sections of params.yaml; any other key is a typo.
SECTIONS = ("data", "toy", "q1", "q2", "q3", "q4", "q5", "q6")

Point = tuple[float, float]
S = TypeVar("S", bound=BaseModel)


class Section(BaseModel):
    """Base of every params section: frozen, strict about unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read_params(path: str | Path = PARAMS_FILE) -> dict[str, Any]:
    """The raw YAML mapping of ``path``; raise NnsvmError for a missing, unreadable or unknown-keyed file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise NnsvmError(f"{path}: not found; run from the project root or pass the params file") from None
    except yaml.YAMLError as exc:
        raise NnsvmError(f"{path}: not valid YAML ({exc.__class__.__name__}); fix its syntax") from None
    if not isinstance(raw, dict):
        raise NnsvmError(f"{path}: must be a mapping of sections ({', '.join(SECTIONS)})")
    if unknown := sorted(set(raw) - set(SECTIONS)):
        raise NnsvmError(f"{path}: {unknown[0]}: unknown key (allowed here: {', '.join(SECTIONS)})")
    return raw


def load_section(dotted: str, model: type[S], path: str | Path = PARAMS_FILE) -> S:
    """Validate the section at ``dotted`` (e.g. ``"q4.svm"``) of ``path`` as ``model``."""
    raw: Any = read_params(path)
    for part in dotted.split("."):
        if not isinstance(raw, dict) or part not in raw:
            raise NnsvmError(f"{path}: {dotted}: missing; add it to params.yaml")
        raw = raw[part]
    return validate(model, raw, prefix=dotted, path=path)


def validate(model: type[S], raw: Any, *, prefix: str = "", path: str | Path = PARAMS_FILE) -> S:
    """``model.model_validate(raw)``, with a validation error turned into one NnsvmError line."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise NnsvmError(f"{path}: {describe_error(exc, model, prefix)}") from None


def describe_error(exc: ValidationError, model: type[BaseModel], prefix: str = "") -> str:
    """One line for the first error: the dotted key, what is wrong, what is allowed."""
    err = exc.errors()[0]
    key = ".".join([prefix] * bool(prefix) + [str(part) for part in err["loc"]]) or "(top level)"
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(model, err["loc"][:-1])) or "none"
        return f"{key}: unknown key (allowed here: {allowed})"
    if err["type"] == "missing":
        return f"{key}: missing; add it to params.yaml"
    got = json.dumps(err.get("input"), default=str)
    return f"{key}: {err['msg']} (got {got})"


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model at ``loc``; a dict (``models.<name>``) is looked through to its values."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = field.annotation if field else None
        elif getattr(current, "__origin__", None) is dict:
            current = current.__args__[1]
        else:
            return []
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def digest(*sections: BaseModel) -> str:
    """A short stable hash of the given sections, for tagging tracked runs."""
    blob = json.dumps([s.model_dump(mode="json") for s in sections], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
