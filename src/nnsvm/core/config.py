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
import types
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nnsvm.core.errors import NnsvmError

PARAMS_FILE = Path("params.yaml")
# The top-level sections of params.yaml; any other key is a typo.
SECTIONS = ("data", "toy", "q1", "q2", "q3", "q4", "q5", "q6")

Point = tuple[float, float]
# seed_everything hands a seed to NumPy's legacy seeding, which takes [0, 2**32).
MAX_SEED = 2**32 - 1
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]
S = TypeVar("S", bound=BaseModel)


class Section(BaseModel):
    """Base of every params section: frozen, strict about unknown keys, every float finite.

    No knob here means anything at NaN or infinity (an infinite RBF gamma makes
    the Gram diagonal inf * 0 = NaN), so ``.nan`` and ``.inf`` are refused.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def read_params(path: str | Path = PARAMS_FILE) -> dict[str, Any]:
    """The raw YAML mapping of ``path``; raise NnsvmError for a missing, unreadable or unknown-keyed file."""
    path = Path(path)
    raw = _parse(_read_text(path), path)
    if not isinstance(raw, dict):
        raise NnsvmError(f"{path}: must be a mapping of sections ({', '.join(SECTIONS)})")
    if unknown := sorted(set(raw) - set(SECTIONS), key=str):
        raise NnsvmError(f"{path}: {_key(unknown[0])}: unknown key (allowed here: {', '.join(SECTIONS)})")
    return raw


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise NnsvmError(f"{path}: not found; run from the project root or pass the params file") from None
    except IsADirectoryError:
        raise NnsvmError(f"{path}: is a folder, not a file; pass the params file itself") from None
    except OSError as exc:
        raise NnsvmError(f"{path}: cannot be read ({exc.strerror or 'OS error'}); check its permissions") from None
    except UnicodeDecodeError as exc:
        raise NnsvmError(f"{path}: not UTF-8 (bad byte at offset {exc.start}); save it as UTF-8") from None


def _parse(text: str, path: Path) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise NnsvmError(f"{path}: not valid YAML ({exc.__class__.__name__}); fix its syntax") from None
    except RecursionError:
        raise NnsvmError(f"{path}: nested too deeply to read; fix its structure") from None
    except (ValueError, OverflowError) as exc:
        # PyYAML's own constructors: a date like 2001-13-01, "!!int x", an int of over 4,300 digits.
        raise NnsvmError(f"{path}: a value YAML cannot build ({_shown(str(exc))}); fix it") from None


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
    key = ".".join([prefix] * bool(prefix) + [_key(part) for part in err["loc"]]) or "(top level)"
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(model, err["loc"][:-1])) or "none"
        return f"{key}: unknown key (allowed here: {allowed})"
    if err["type"] == "missing":
        return f"{key}: missing; add it to params.yaml"
    return f"{key}: {' '.join(str(err['msg']).split())} (got {_shown(err.get('input'))})"


def _key(part: Any) -> str:
    """A key as written, quoted if it holds a line break or another unprintable character."""
    text = str(part)
    return text if text.isprintable() else json.dumps(text)


def _shown(value: Any, limit: int = 80) -> str:
    """A value as JSON on one line, cut to ``limit`` characters (YAML aliases can make it cyclic)."""
    try:
        text = json.dumps(value, default=str)
    except (ValueError, RecursionError):  # a cycle, or an int too long to print
        text = f"a {type(value).__name__} too deep or too long to show"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model at ``loc``, looking through ``dict[str, X]`` values and ``X | None``."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
    return next((list(option.model_fields) for option in _options(current) if _is_model(option)), [])


def _step(annotation: Any, part: Any) -> Any:
    """The annotation one key down from ``annotation``: a model's field or a dict's value type."""
    for option in _options(annotation):
        if _is_model(option) and str(part) in option.model_fields:
            return option.model_fields[str(part)].annotation
        if get_origin(option) is dict:
            return get_args(option)[1]
    return None


def _options(annotation: Any) -> tuple[Any, ...]:
    """The members of a union (``X | None``), or the annotation alone."""
    return get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else (annotation,)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def digest(*sections: BaseModel) -> str:
    """A short stable hash of the given sections, for tagging tracked runs."""
    blob = json.dumps([s.model_dump(mode="json") for s in sections], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def declared_params(stage: str) -> dict[str, Any]:
    """The params ``dvc.yaml`` declares for ``stage``, with their values: what its MLflow run logs.

    Plain and ``foreach`` stages are read here as DVC reads them, in milliseconds; anything else
    (``matrix``, ``vars``, another params file, a missing key) goes to ``dvc.api.params_show``, which
    costs most of a second and words the error. tests/test_tracking.py checks both agree on every stage.
    """
    try:
        return _declared_params(stage)
    except Exception:  # noqa: BLE001 - whatever this reader does not know, DVC reads
        return _dvc_params(stage)


def _declared_params(stage: str) -> dict[str, Any]:
    import re

    from ruamel.yaml import YAML  # DVC's own loader (YAML 1.2): PyYAML would read 1.0e6 as a string

    yaml = YAML(typ="safe")
    name, _, key = stage.partition("@")
    entry, values = yaml.load(Path("dvc.yaml").read_text())["stages"][name], yaml.load(Path("params.yaml").read_text())
    context: dict[str, Any] = {}
    if "matrix" in entry or "vars" in entry or (key and "foreach" not in entry):
        raise LookupError(stage)
    if "foreach" in entry:
        items = entry["foreach"]
        if isinstance(items, str):
            items = _get(values, re.fullmatch(r"\$\{([\w.]+)\}", items)[1])  # type: ignore[index]
        if isinstance(items, dict):
            context = {"key": key, "item": items[key]}
        elif key in items:  # a list of names (a list of numbers or mappings: DVC reads it)
            context = {"item": key}
        else:
            raise LookupError(stage)
        entry = entry["do"]
    found: dict[str, Any] = {}
    for declared in entry.get("params") or []:
        dotted = re.sub(r"\$\{(\w+)\}", lambda m: _scalar(context[m.group(1)]), declared)
        *parents, last = dotted.split(".")
        node = found
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = _get(values, dotted)
    return found


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list):
        raise TypeError(value)
    return str(value)


def _get(values: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        values = values[part]
    return values


def _dvc_params(stage: str) -> dict[str, Any]:
    """The params of ``stage`` through DVC itself."""
    import dvc.api

    try:
        return dvc.api.params_show(stages=stage)
    except Exception as exc:  # noqa: BLE001 - DVC raises many types; all mean the same to a user
        raise NnsvmError(
            f"cannot read the params of stage {stage} from dvc.yaml ({exc}); run it from the project root"
        ) from None
