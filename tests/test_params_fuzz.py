"""Fuzzing params.yaml: any edit either loads or stops with the project's one-line NnsvmError.

Hypothesis mutates the committed params.yaml (renamed and deleted keys, values of
the wrong type, out-of-range and boundary numbers, NaN and infinity, stray text,
other encodings, cut files) and drives both ways params are read: the whole file
(``load_params``) and each stage's own section (``load_section``, with the
section and model every ``stages/*.py`` passes). Any other exception fails.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any, get_args

import numpy as np
import yaml
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from nnsvm.core.config import load_section
from nnsvm.core.errors import NnsvmError
from nnsvm.params import Params, load_params

EXAMPLES = 300
BASE = yaml.safe_load((REPO / "params.yaml").read_text())
WEIRD_NUMBERS = [0, -1, 1, 2**31 - 1, 2**32 - 1, 2**32, 2**63, -(2**63), 10**30, 1e-320, 1e308, -0.0]
NON_FINITE = [math.nan, math.inf, -math.inf]


def _models(annotation: Any, found: dict[str, type[BaseModel]]) -> dict[str, type[BaseModel]]:
    """Every params model reachable from ``annotation``, by class name."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found[annotation.__name__] = annotation
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
    for arg in get_args(annotation):
        _models(arg, found)
    return found


def stage_sections() -> list[tuple[str, type[BaseModel]]]:
    """``(section, model)`` of every ``load_section`` call in ``stages/*.py``."""
    models = _models(Params, {})
    calls = {
        (dotted, models[name])
        for script in sorted((REPO / "stages").glob("*.py"))
        for dotted, name in re.findall(r'load_section\("([\w.]+)",\s*(?:\w+\.)?(\w+)\)', script.read_text())
    }
    return sorted(calls, key=lambda call: call[0])


STAGES = stage_sections()


def _spots(node: Any, at: tuple = ()) -> list[tuple]:
    """The path of every key and list item under ``node``."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    return [spot for key, child in items for spot in [(*at, key), *_spots(child, (*at, key))]]


def _near(value: Any, draw) -> Any:
    """A boundary neighbour of a number: one step off, zero, negated, a power of ten away."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return draw(st.sampled_from(WEIRD_NUMBERS))
    return draw(st.sampled_from([value - 1, value + 1, 0, -value, value * 10**9, value / 10**9, value / 2]))


weird_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(WEIRD_NUMBERS + NON_FINITE),
    st.floats(),
    st.text(max_size=12),
    st.lists(st.one_of(st.integers(-3, 3), st.floats(), st.text(max_size=3)), max_size=4),
    st.dictionaries(st.text(max_size=6), st.integers(-3, 3), max_size=3),
)


def _mutate(raw: dict, draw) -> str:
    """Apply one drawn edit to ``raw`` in place; return its kind."""
    *parent_path, key = draw(st.sampled_from(_spots(raw)))
    parent = raw
    for part in parent_path:
        parent = parent[part]
    kind = draw(st.sampled_from(["rename", "delete", "type", "bound", "non-finite"]))
    if kind == "delete":
        parent.pop(key)
    elif kind == "rename" and isinstance(parent, dict):
        name = str(key)
        new = draw(st.one_of(st.text(max_size=12), st.sampled_from([name + "s", name[:-1], name.upper(), f" {name}"])))
        parent[new] = parent.pop(key)
    elif kind == "bound":
        parent[key] = _near(parent[key], draw)
    elif kind == "non-finite":
        parent[key] = draw(st.sampled_from(NON_FINITE))
    else:
        parent[key] = draw(weird_values)
    return kind


def _encode(text: str, draw) -> tuple[bytes, str]:
    """The file's bytes: UTF-8 as usual, or another encoding, a cut, stray bytes or stray text."""
    how = draw(st.one_of(st.just("utf-8"), st.sampled_from(["latin-1", "utf-16", "utf-8-sig", "cut", "bytes", "text"])))
    at = draw(st.integers(0, len(text)))
    if how == "latin-1":  # a non-ASCII character, so that the bytes are not also UTF-8
        return (text + "# caf\xe9\n").encode("latin-1", errors="replace"), how
    if how == "cut":
        return text.encode()[:at], how
    if how == "bytes":
        return text[:at].encode() + draw(st.binary(min_size=1, max_size=8)) + text[at:].encode(), how
    if how == "text":
        return (text[:at] + draw(st.text(min_size=1, max_size=12)) + text[at:]).encode(), how
    return text.encode(how), how


@st.composite
def mutated_files(draw) -> tuple[bytes, tuple[str, ...]]:
    """The bytes of a mutated params.yaml and the edits made."""
    raw = copy.deepcopy(BASE)
    edits = [_mutate(raw, draw) for _ in range(draw(st.integers(0, 3))) if _spots(raw)]
    data, how = _encode(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), draw)
    return data, (*edits, how)


def _outcome(load) -> tuple[str, Any]:
    """``("valid", value)`` or ``("error", message)``; any exception but NnsvmError propagates."""
    try:
        return "valid", load()
    except NnsvmError as exc:
        message = str(exc)
        assert message and len(message.splitlines()) == 1, f"not one line: {message!r}"
        return "error", message


def _check_usable(params: Params) -> None:
    """What validated must not crash later: every float finite, every seed one NumPy takes."""
    stack: list[Any] = [params.model_dump()]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif isinstance(node, float):
            assert math.isfinite(node), "a non-finite number validated"
    seeds = [params.toy.seed, params.q2.seed, params.q5.seed, params.q6.split.seed]
    seeds += [s for name in params.q3.models for s in params.q3.seeds_of(name)]
    for seed in seeds:
        np.random.RandomState(seed)  # what seed_everything's np.random.seed needs


def test_stage_sections_are_found():
    """It finds every stage's load_section call, so the fuzz drives what the stages read."""
    assert {dotted for dotted, _ in STAGES} >= {"toy", "data.mnist", "q1", "q2", "q3", "q4.svm", "q4.maps", "q5"}


def test_mutated_params_load_or_fail_with_one_line(tmp_path_factory):
    """It either loads a mutated params.yaml or raises NnsvmError with a one-line message, never anything else."""
    seen: Counter[str] = Counter()
    folder = tmp_path_factory.mktemp("fuzz")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    # One stage's section per case: parsing the YAML dominates, and 300 cases spread over the stages.
    @given(mutated_files(), st.sampled_from(STAGES))
    def check(case: tuple[bytes, tuple[str, ...]], stage: tuple[str, type[BaseModel]]) -> None:
        data, edits = case
        path = Path(folder) / "params.yaml"
        path.write_bytes(data)
        whole, params = _outcome(lambda: load_params(path))
        if whole == "valid":
            _check_usable(params)
        section, _ = _outcome(lambda: load_section(*stage, path))
        # A file that loads whole loads section by section too.
        assert whole == "error" or section == "valid", f"{stage[0]} refused what load_params took"
        seen[whole] += 1
        seen[f"stage {stage[0]}: {section}"] += 1
        seen.update(f"edit: {edit}" for edit in edits)

    check()
    print("params fuzz outcomes:", dict(sorted(seen.items())))
    assert seen["valid"] > 0 and seen["error"] > 0
