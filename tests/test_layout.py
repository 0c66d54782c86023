"""The layout the README promises, enforced: stage names say their question, each
stage has one entry point of the same shape, and every module a stage imports is
covered by that stage's ``deps`` in dvc.yaml (else DVC could keep a stale result).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
SHARED_STAGES = {"mnist", "toy", "report"}  # not one question's: the data and the report


def dvc_stages() -> dict[str, dict]:
    """Every stage of dvc.yaml, ``foreach`` expanded with the keys of params.yaml it names."""
    spec = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    out = {}
    for name, stage in spec.items():
        if "foreach" not in stage:
            out[name] = stage
            continue
        items = stage["foreach"]
        if isinstance(items, str):  # ${a.b}
            for part in items.strip("${}").split("."):
                params = params[part] if isinstance(params, dict) else params
            items, params = params, yaml.safe_load((REPO / "params.yaml").read_text())
        for item in items:
            text = yaml.safe_dump(stage["do"]).replace("${key}", str(item)).replace("${item}", str(item))
            out[f"{name}@{item}"] = yaml.safe_load(text)
    return out


def module_file(module: str) -> Path | None:
    """The source file of an ``nnsvm`` module, or None for anything else."""
    if module != "nnsvm" and not module.startswith("nnsvm."):
        return None
    base = SRC / Path(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code (function-level imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from nnsvm.q3 import train` imports the module nnsvm.q3.train
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def nnsvm_closure(script: Path) -> set[Path]:
    """The nnsvm source files ``script`` needs, transitively (package ``__init__`` files left out: see below)."""
    seen: set[Path] = set()
    pending = [script]
    while pending:
        for module in imported_modules(pending.pop()):
            file = module_file(module)
            if file is None or not file.exists() or file in seen:
                continue
            seen.add(file)
            pending.append(file)
    return {f for f in seen if f.name != "__init__.py"}


def covered(file: Path, deps: list[str]) -> bool:
    rel = file.relative_to(REPO)
    return any(rel == Path(d) or Path(d) in rel.parents for d in deps)


STAGES = dvc_stages()


def stage_script(stage: dict) -> Path:
    match = re.match(r"python -m stages\.(\w+)", stage["cmd"])
    assert match, f"cmd {stage['cmd']!r} is not `python -m stages.<name>`"
    return REPO / "stages" / f"{match.group(1)}.py"


@pytest.mark.parametrize("name", sorted(STAGES))
def test_stage_name_says_its_question(name):
    """It names every stage qN_<what> (or one of the shared data and report stages), matching its script."""
    base = name.split("@")[0]
    assert base in SHARED_STAGES or re.fullmatch(r"q[1-6](_[a-z0-9]+)*", base), name
    assert stage_script(STAGES[name]).stem == base


@pytest.mark.parametrize("name", sorted(STAGES))
def test_deps_cover_every_imported_module(name):
    """It lists, for each stage, its script and every nnsvm module the script imports (directly or not)."""
    stage = STAGES[name]
    deps = [d if isinstance(d, str) else next(iter(d)) for d in stage.get("deps", [])]
    script = stage_script(stage)
    missing = [str(f.relative_to(REPO)) for f in sorted(nnsvm_closure(script) | {script}) if not covered(f, deps)]
    assert not missing, f"stage {name}: add to its deps in dvc.yaml: {missing}"


@pytest.mark.parametrize("name", sorted(STAGES))
def test_run_records_are_not_dvc_outputs(name):
    """It keeps reports/runs/<stage>.json (a run ID and a time, new on every run) out of DVC's outputs and deps."""
    files = [next(iter(o)) if isinstance(o, dict) else o for k in ("outs", "deps") for o in STAGES[name].get(k, [])]
    assert not [f for f in files if f.startswith("reports/runs") or f == "reports/report_run.json"], name


@pytest.mark.parametrize("name", sorted(STAGES))
def test_what_differs_between_runs_is_no_dvc_output_or_dep(name):
    """It keeps wall times (reports/timing/), where this MNIST copy came from (reports/data/mnist_origin.json) and
    which CPU ran Q6's engine check (reports/machine/) out of every stage's outputs, deps, metrics and plots, and
    out of any folder a stage lists: DVC would hash them."""
    kinds = ("outs", "deps", "metrics", "plots")
    files = [next(iter(o)) if isinstance(o, dict) else o for k in kinds for o in STAGES[name].get(k, [])]
    varying = (
        "reports/timing/q1_speed.json",
        "reports/timing/q1_speed.png",
        "reports/data/mnist_origin.json",
        "reports/machine/q6_engine_published.json",
        "reports/machine/q6_engine_improved.json",
    )
    assert not [f for f in files for v in varying if v == f or v.startswith(f.rstrip("/") + "/")], name


def test_package_inits_hold_no_code():
    """It keeps every package ``__init__`` to a docstring, so the dependency walk may leave them out."""
    for init in SRC.rglob("__init__.py"):
        body = ast.parse(init.read_text()).body
        code = [n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        code = [n for n in code if not (isinstance(n, ast.Assign) and [t.id for t in n.targets] == ["__version__"])]
        assert not code, f"{init.relative_to(REPO)} holds code; move it into a module"


def test_every_stage_script_has_a_stage():
    """It leaves no stage script without a dvc.yaml stage, and each script has the same thin shape."""
    scripts = {p.stem for p in (REPO / "stages").glob("*.py")} - {"__init__"}
    assert scripts == {stage_script(s).stem for s in STAGES.values()}
    for stem in scripts:
        text = (REPO / "stages" / f"{stem}.py").read_text()
        assert "import mlflow" not in text and "load_section(" in text or stem == "report", stem
        assert "tracking.stage_run(" in text and "run_stage(" in text, stem
        assert len(text.splitlines()) <= 70, f"stages/{stem}.py is no longer thin ({len(text.splitlines())} lines)"


def dep_paths(stage: dict) -> list[str]:
    return [d if isinstance(d, str) else next(iter(d)) for d in stage.get("deps", [])]


SOURCES = sorted(p for p in (SRC / "nnsvm").rglob("*.py") if p.name != "__init__.py")


def depended_sources(stage: dict) -> set[Path]:
    """The nnsvm source files a stage's deps cover (a folder covers every .py under it; ``__init__`` files,
    which hold no code, and non-Python files such as templates left out)."""
    deps = dep_paths(stage)
    return {f for f in SOURCES if covered(f, deps)}


CLOSURES = {name: nnsvm_closure(stage_script(stage)) for name, stage in STAGES.items()}
DEPENDED = {name: depended_sources(stage) for name, stage in STAGES.items()}


@pytest.mark.parametrize("name", sorted(STAGES))
def test_deps_name_only_imported_modules(name):
    """It lists in each stage's deps no source file the stage does not import (directly or not): an edit to
    such a file would rerun the stage for nothing."""
    excess = [str(f.relative_to(REPO)) for f in sorted(DEPENDED[name] - CLOSURES[name])]
    assert not excess, (
        f"stage {name} depends on files it does not import: {excess} — name files instead of the folder in dvc.yaml"
    )


def rerun_table() -> list[tuple[str, int, int]]:
    """For each nnsvm source file: how many stages an edit to it reruns (their deps cover it), and how many
    stages import it."""
    return [
        (
            str(f.relative_to(SRC)),
            sum(f in DEPENDED[n] for n in STAGES),
            sum(f in CLOSURES[n] for n in STAGES),
        )
        for f in SOURCES
    ]


def test_an_edit_reruns_only_the_stages_that_import_it(capsys):
    """It prints, for each source file, the stages an edit to it reruns and the stages that import it, and
    finds no file outside the shared core (the files every stage imports) that reruns more stages than
    import it."""
    table = rerun_table()
    width = max(len(f) for f, _, _ in table)
    with capsys.disabled():
        print(f"\n{'source file':<{width}}  reruns  imported by  (of {len(STAGES)} stages)")
        for file, reruns, imports in table:
            flag = "  <- reruns more" if reruns > imports else ""
            print(f"{file:<{width}}  {reruns:>6}  {imports:>11}{flag}")
    core = set.intersection(*CLOSURES.values())
    over = [
        f"{file} (reruns {reruns}, imported by {imports})"
        for file, reruns, imports in table
        if reruns > imports and SRC / file not in core
    ]
    assert not over, f"edits to these files rerun stages that do not import them: {over}"


# The shared core's size, as a ratchet: it may shrink, never grow past 400 lines. What is left
# (tracking.py's store, experiments, orphaned runs and run record; cli.py; io.py) every stage's run needs.
CORE_LINES = 400


def test_shared_core_is_small(capsys):
    """It keeps the shared core (the source files every stage depends on, so an edit to any of them reruns
    the whole pipeline) from growing past CORE_LINES lines in all."""
    core = sorted(set.intersection(*DEPENDED.values()))
    lines = {str(f.relative_to(SRC)): len(f.read_text().splitlines()) for f in core}
    with capsys.disabled():
        print(f"\nshared core: {sum(lines.values())} lines (at most {CORE_LINES}): {lines}")
    assert sum(lines.values()) <= CORE_LINES, (
        f"the shared core is {sum(lines.values())} lines (at most {CORE_LINES}): {lines}"
    )
