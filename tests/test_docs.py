"""README and docs/*.md name only what exists: make targets, ``python -m`` modules, repo
paths, dvc stages, params keys and links between the docs; and README's "Where a change
goes" table states the rerun counts and times that dvc.yaml and reports/timings.md give.

``python tests/test_docs.py`` prints that table's counts and times from dvc.yaml.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
import itertools
import json
import re
import subprocess
import tomllib
from pathlib import Path

import yaml

REPO = next(p for p in Path(__file__).resolve().parents if (p / "dvc.yaml").exists())  # wherever tests/ nests it
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
README_MAX_LINES = 152

# Named by the docs, made by running something, never committed.
MADE_BY_A_RUN = {
    "mlflow.db": "the default MLflow store, made by the first stage that runs",
    "mlartifacts/": "the default store's artifacts, beside mlflow.db",
    ".server/": "`make server`'s PostgreSQL cluster, artifacts and credentials",
    ".dvc/cache": "DVC's cache, filled by the first `dvc repro`",
    ".dvc/tmp/exps/": "the copies `dvc exp run --queue` runs in",
    ".venv/": "made by `make setup` (every make target)",
    "reports/answers/other": "where the example judge command writes",
}
# Named as examples of what a reader would add.
EXAMPLES = {
    "q5_extra": "the stage in the docs' example of adding a stage",
    "stages/q5_extra.py": "that stage's script",
    "reports/runs/q5_extra.json": "that stage's run record",
    "tests/test_x.py": "any one test file, in docs/testing.md's example",
    "q6.published.cv.linaer": "the misspelt measure in docs/answers.md's example of `nnsvm check`'s output",
}
# Made by work on other branches, not merged yet: each fails test_pending_names_are_still_pending
# once it exists, so the list shrinks as that work lands.
PENDING: dict[str, str] = {}
FILE_NAME = re.compile(r"\.(py|json|yaml|md|png|csv|npz|pt|lock|db)$")  # `data.py` names a file, not a key
ALLOWED = MADE_BY_A_RUN | EXAMPLES | PENDING
# data/mnist holds the canonical MNIST bytes, checked by SHA-256: no edit to code changes them, so the
# stages after `mnist` rerun only when their own deps change.
SAME_BYTES = {"mnist"}


def under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def allowed(path: str) -> bool:
    """Whether ``path`` (or ``src/nnsvm/<path>``, as the docs name modules) is, or lies under, a listed name."""
    return any(under(p, a.rstrip("/")) for a in ALLOWED for p in (path, f"src/nnsvm/{path}"))


# ---- reading the docs


def text_of(doc: Path) -> str:
    """The doc without its HTML comments (the lead's placeholders)."""
    return re.sub(r"<!--.*?-->", "", doc.read_text(), flags=re.S)


def code_blocks(text: str) -> list[str]:
    """Every line of the fenced and indented code blocks."""
    lines: list[str] = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M):
        lines += block.splitlines()
    lines += [line[4:] for line in text.splitlines() if line.startswith("    ") and not line.strip().startswith("-")]
    return [line.split(" # ")[0].split("  #")[0].strip() for line in lines]


def code_spans(text: str) -> list[str]:
    """Every inline code span outside the fenced blocks."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.findall(r"`([^`\n]+)`", prose)


def commands(text: str) -> list[str]:
    """Code-block lines, and inline spans with a space in them: what a reader would type."""
    return code_blocks(text) + [span for span in code_spans(text) if " " in span]


def tokens(text: str) -> list[str]:
    """Single words a reader would copy: spans without spaces and the words of every command."""
    words = [span for span in code_spans(text) if " " not in span]
    for line in commands(text):
        words += line.split()
    return [w.strip(".,;:()'\"") for w in words]


def expand(pattern: str) -> list[str]:
    """``a/{b,c}.png`` as ``a/b.png``, ``a/c.png``; ``<name>`` as a glob ``*``."""
    pattern = re.sub(r"<[^>]+>", "*", pattern).replace("qN", "q[1-6]")
    parts = re.split(r"\{([^}]*)\}", pattern)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(c) for c in itertools.product(*choices)]


# ---- what the repo holds


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z0-9_.-]+):(?!=)", (REPO / "Makefile").read_text(), flags=re.M))


def dvc_stages() -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Every stage, ``foreach`` expanded by DVC itself: (file deps, param keys, outs), repo-relative."""
    from dvc.dependency.param import ParamsDependency
    from dvc.repo import Repo

    out = {}
    with Repo(str(REPO)) as repo:
        for stage in repo.index.stages:
            files, keys = [], []
            for dep in stage.deps:
                if isinstance(dep, ParamsDependency):
                    keys += list(dep.params or [])
                else:
                    files.append(Path(dep.fs_path).relative_to(REPO).as_posix())
            outs = [Path(o.fs_path).relative_to(REPO).as_posix() for o in stage.outs]
            out[stage.addressing] = (files, keys, outs)
    return out


STAGES = dvc_stages()
TRACKED = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
ROOTS = {p.split("/")[0] for p in TRACKED} | {"data", "models", "docs", ".server", ".venv"}
PARAMS = yaml.safe_load((REPO / "params.yaml").read_text())


def dvc_output(path: str) -> bool:
    """Whether ``path`` (a glob allowed) is, or lies under, a DVC output of some stage."""
    outs = [o for _, _, os_ in STAGES.values() for o in os_]
    return any(fnmatch.fnmatch(o, path) or under(path, o) or fnmatch.fnmatch(path, o + "/*") for o in outs)


def path_exists(path: str) -> bool:
    """A repo path, or a path inside ``src/nnsvm`` as the docs name modules (``data/mnist.py``)."""
    for base in (REPO, REPO / "src" / "nnsvm"):
        if any(base.glob(path.rstrip("/"))) if re.search(r"[*\[]", path) else (base / path).exists():
            return True
    return dvc_output(path.rstrip("/"))


def looks_like_path(token: str) -> bool:
    if "://" in token or token.startswith(("/", "..", "~")) or "=" in token:
        return False
    first = token.split("/")[0]
    return "/" in token and (first in ROOTS or token.endswith(".py"))


def module_file(module: str) -> Path | None:
    """The file of a ``stages`` or ``nnsvm`` module in this checkout, or None for any other module."""
    parts = module.split(".")
    if parts[0] == "stages":
        base = REPO / Path(*parts)
    elif parts[0] == "nnsvm":
        base = REPO / "src" / Path(*parts)
    else:
        return None
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def module_exists(module: str) -> bool:
    file = module_file(module)
    return file.exists() if file is not None else importlib.util.find_spec(module) is not None


def defines(file: Path, name: str) -> bool:
    """Whether ``file`` defines ``name`` at its top level."""
    for node in ast.parse(file.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
            return True
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def dotted_name_exists(name: str) -> bool:
    """``nnsvm.q6.diagnose`` (a module) or ``nnsvm.claims.judge`` (a name a module defines)."""
    if module_exists(name):
        return True
    module, _, attr = name.rpartition(".")
    file = module_file(module)
    return file is not None and file.exists() and defines(file, attr)


def stage_exists(name: str) -> bool:
    """A stage, a ``foreach`` group (``q6_grid``), or a pattern of them (``q6_final@*``, ``q4_*``)."""
    groups = {s.split("@")[0] for s in STAGES}
    return any(fnmatch.fnmatch(s, p) for p in expand(name) for s in [*STAGES, *groups])


def param_exists(key: str, node: object = PARAMS) -> bool:
    """Whether params.yaml holds ``key`` (``<m>`` matches any key at its level)."""
    head, _, rest = key.partition(".")
    if not isinstance(node, dict):
        return False
    children = list(node.values()) if head.startswith("<") else [node[head]] if head in node else []
    return any(not rest or param_exists(rest, child) for child in children)


def measurement_names() -> set[str]:
    names: set[str] = set()
    for file in (REPO / "reports").glob("**/measurements*.json"):
        names |= set(json.loads(file.read_text()).get("measurements", {}))
    return names


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", text))


def anchors(doc: Path) -> set[str]:
    prose = re.sub(r"^```.*?^```", "", doc.read_text(), flags=re.S | re.M)
    return {slug(h) for h in re.findall(r"^#+ (.+)$", prose, flags=re.M)}


def relative(doc: Path) -> str:
    return doc.relative_to(REPO).as_posix()


# ---- the tests


def test_readme_fits_a_few_screens():
    """It keeps README within 152 lines: the rest lives in docs/."""
    assert len((REPO / "README.md").read_text().splitlines()) <= README_MAX_LINES


def test_every_make_target_named_exists():
    """It finds every `make X` the docs name among the Makefile's targets."""
    targets = makefile_targets()
    missing = [
        (relative(doc), target)
        for doc in DOCS
        for line in commands(text_of(doc))
        for target in re.findall(r"(?:^|\s)make\s+([a-z][\w-]*)", line)
        if target not in targets
    ]
    assert not missing, missing


def test_every_python_module_named_exists():
    """It finds every `python -m X` module and every `python script.py` the docs name."""
    missing = []
    for doc in DOCS:
        for line in commands(text_of(doc)):
            missing += [
                (relative(doc), m) for m in re.findall(r"python\S* -m ([\w.]*\w)", line) if not module_exists(m)
            ]
            missing += [
                (relative(doc), s) for s in re.findall(r"python\S* (\S+\.py)\b", line) if not (REPO / s).exists()
            ]
    assert not missing, missing


def test_every_nnsvm_name_exists():
    """It finds every dotted `nnsvm.X` module or function the docs name."""
    missing = [
        (relative(doc), t)
        for doc in DOCS
        for t in tokens(text_of(doc))
        if re.fullmatch(r"nnsvm(\.\w+)+", t) and not allowed("src/" + t.replace(".", "/")) and not dotted_name_exists(t)
    ]
    assert not missing, missing


def test_every_console_script_named_exists():
    """It finds every `nnsvm <command>` the docs name in pyproject's console scripts (or the pending list)."""
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text()).get("project", {}).get("scripts", {})
    missing = [
        (relative(doc), "nnsvm")
        for doc in DOCS
        for line in commands(text_of(doc))
        if re.match(r"nnsvm\s", line) and "nnsvm" not in scripts and not allowed("nnsvm")
    ]
    assert not missing, missing


def test_every_path_named_exists():
    """It finds every repo path the docs name, as a file, a DVC output, or on one of the lists above."""
    missing = [
        (relative(doc), t)
        for doc in DOCS
        for t in tokens(text_of(doc))
        if looks_like_path(t) and not allowed(t) and not all(path_exists(p) for p in expand(t))
    ]
    assert not missing, missing


def test_every_stage_named_exists():
    """It finds every stage name the docs give (`q3_train@<model>`, `q6_final@*`) in dvc.yaml."""
    missing = []
    for doc in DOCS:
        text = text_of(doc)
        names = [t for t in tokens(text) if re.fullmatch(r"(mnist|toy|q\d_[\w*<>{},]*)(@\S+)?", t)]
        names += [n for line in commands(text) for n in re.findall(r"dvc repro ([\w@]+)", line)]
        missing += [(relative(doc), n) for n in names if n not in ALLOWED and not stage_exists(n)]
    assert not missing, missing


def test_every_params_key_named_exists():
    """It finds every params key the docs name (`q6.split.min_per_class`, `-S q5.seed=11`) in params.yaml."""
    known = measurement_names()
    missing = []
    for doc in DOCS:
        text = text_of(doc)
        keys = [
            t for t in tokens(text) if re.fullmatch(r"(data|toy|q[1-6])(\.[\w<>]+)+", t) and not FILE_NAME.search(t)
        ]
        keys += [k for line in commands(text) for k in re.findall(r"-S ([\w.]+)=", line)]
        missing += [(relative(doc), k) for k in keys if not param_exists(k) and k not in known and k not in EXAMPLES]
    assert not missing, missing


def test_every_link_resolves():
    """It resolves every relative link and image of the docs, and each `#anchor` to a heading of its target."""
    broken = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)\s]+)\)", text_of(doc)):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            rel = file.relative_to(REPO).as_posix() if file.is_relative_to(REPO) else str(file)
            if allowed(rel):
                continue
            if not file.exists() or (anchor and anchor not in anchors(file)):
                broken.append((relative(doc), target))
    assert not broken, broken


def test_pending_names_are_still_pending():
    """It fails once a pending path exists, so the pending list is trimmed as the work that makes it lands."""
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text()).get("project", {}).get("scripts", {})
    landed = [p for p in PENDING if (REPO / p).exists() if "/" in p] + [s for s in scripts if s in PENDING]
    assert not landed, landed


def test_readme_links_every_doc():
    """It finds a link from README to every page under docs/."""
    readme = text_of(REPO / "README.md")
    unlinked = [relative(doc) for doc in DOCS[1:] if f"]({relative(doc)}" not in readme]
    assert not unlinked, unlinked


# An issue or a past submission cited by number (built from pieces, so this file does not match itself).
CITATION = re.compile(r"\b(?:" + "iss" + "ue|st" + "op" + r")[ #-]*\d+", re.I)
CODE = [
    *sorted(
        f
        for d in ("src", "stages", "tests", "benchmarks")
        for ext in ("py", "html")
        for f in (REPO / d).rglob(f"*.{ext}")
    ),
    REPO / "Makefile",
]


def test_no_doc_cites_an_issue_or_a_past_submission():
    """It finds no issue or past submission cited by number in the docs: a reader cannot look those up."""
    cited = [(relative(doc), m) for doc in DOCS for m in CITATION.findall(doc.read_text())]
    assert not cited, cited


def test_sections_the_code_names_exist():
    """It finds each section a comment names (`(docs/team.md, "Working as a team")`, `(README, "Results")`) as a
    heading of that page (or a paragraph's bold lead): a section moved to another page leaves no comment
    pointing at the old one."""
    named = re.compile(r"\((README|docs/[\w.-]+\.md), \"([^\"]+)\"\)")
    wrong = []
    for f in CODE:
        for page, section in named.findall(f.read_text()):
            doc = REPO / ("README.md" if page == "README" else page)
            text = doc.read_text() if doc.exists() else ""
            headings = re.findall(r"^#+ (.+)$", text, flags=re.M) + re.findall(r"^\*\*([^*]+?)\*\*", text, flags=re.M)
            if section not in headings:
                wrong.append((relative(f), page, section))
    assert not wrong, wrong


def test_no_code_cites_an_issue_or_a_past_submission():
    """It finds none in the code, the tests, the benchmarks or the Makefile either: say what the code does."""
    cited = [(relative(f), m) for f in CODE for m in CITATION.findall(f.read_text())]
    assert not cited, cited


# ---- README's "Where a change goes"


def reruns(edits: list[str], keys: list[str]) -> set[str]:
    """The stages ``dvc repro`` reruns after editing ``edits`` and params ``keys``: those that list one as a
    dep, then every stage reading an output of a rerun stage (outputs taken to change, except SAME_BYTES')."""
    hit = {
        name
        for name, (files, params, _) in STAGES.items()
        if any(under(e, f) or under(f, e) for e in edits for f in files)
        or any(k == p or k.startswith(p + ".") or p.startswith(k + ".") for k in keys for p in params)
    }
    while True:
        outs = [o for name in hit - SAME_BYTES for o in STAGES[name][2]]
        more = {
            n for n, (files, _, _) in STAGES.items() if any(under(f, o) or under(o, f) for f in files for o in outs)
        }
        if more <= hit:
            return hit
        hit |= more


def stage_seconds() -> dict[str, float]:
    rows = re.findall(r"^\| (\S+) \| `\w+` \| \S+ \| ([\d.]+) s \|", (REPO / "reports/timings.md").read_text(), re.M)
    return {stage: float(seconds) for stage, seconds in rows}


def change_table() -> list[tuple[str, list[str], list[str], str]]:
    """README's rows: (change, file edits, params keys, what-reruns cell)."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Where a change goes")[1].split("\n## ")[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("change", "---"):
            continue
        words = [w for w in re.findall(r"`([^`]+)`", cells[1]) if " " not in w and w != "params.yaml"]
        edits = [w for w in words if "/" in w]
        rows.append((cells[0], edits, [w for w in words if w not in edits], cells[2]))
    return rows


def stated(cell: str) -> tuple[int, float | None] | None:
    """The stage count and seconds a what-reruns cell states, or None when it states no count."""
    if cell.startswith("no stage"):
        return 0, None
    m = re.match(r"(?:all )?(\d+) stages?, ([\d.]+) (s|min)", cell)
    if m is None:
        return None
    return int(m[1]), float(m[2]) * (60 if m[3] == "min" else 1)


def checked_rows() -> list[tuple[str, list[str], list[str], str]]:
    """The rows naming no pending path (their counts are for the layout after that work lands)."""
    return [row for row in change_table() if stated(row[3]) and not any(allowed(e) for e in row[1])]


def test_rerun_counts_are_dvc_yamls():
    """It finds in each row of README's change table the number of stages dvc.yaml reruns for that edit."""
    wrong = [
        (change, stated(cell)[0], len(reruns(edits, keys)))  # type: ignore[index]
        for change, edits, keys, cell in checked_rows()
        if stated(cell)[0] != len(reruns(edits, keys))  # type: ignore[index]
    ]
    assert not wrong, wrong


def test_rerun_times_are_the_committed_runs():
    """It finds in each row of README's change table the stage time reports/timings.md gives, to 10%."""
    seconds = stage_seconds()
    wrong = []
    for change, edits, keys, cell in checked_rows():
        _, said = stated(cell)  # type: ignore[misc]
        total = sum(seconds[s] for s in reruns(edits, keys))
        if said is not None and abs(said - total) > max(0.1 * total, 1.0):
            wrong.append((change, said, round(total, 1)))
    assert not wrong, wrong


if __name__ == "__main__":
    times = stage_seconds()
    for change, edits, keys, _ in change_table():
        stages = reruns(edits, keys)
        total = sum(times.get(s, 0.0) for s in stages)
        print(f"| {change} | {len(stages)} stages, {total:.0f} s = {total / 60:.1f} min | {', '.join(sorted(stages))}")
