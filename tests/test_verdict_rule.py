"""A verdict is decided in one place: nnsvm.claims.judge. Nothing else may name or build one."""

from __future__ import annotations

import ast
from pathlib import Path

from nnsvm.claims import VERDICTS

REPO = Path(__file__).resolve().parents[1]
RULE_HOME = REPO / "src" / "nnsvm" / "claims.py"


def python_files() -> list[Path]:
    return sorted([*(REPO / "src").rglob("*.py"), *(REPO / "stages").rglob("*.py")])


def verdict_sites(path: Path) -> list[str]:
    """Where ``path`` spells a verdict as a string or builds a ``Judgement``: what only the rule may do."""
    sites = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in VERDICTS:
            sites.append(f"{path.name}:{node.lineno} {node.value!r}")
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "Judgement":
                sites.append(f"{path.name}:{node.lineno} Judgement(...)")
    return sites


def test_only_the_rule_decides_a_verdict():
    """It fails when any module but nnsvm/claims.py names a verdict or builds a judgement."""
    offenders = [site for path in python_files() if path != RULE_HOME for site in verdict_sites(path)]
    assert offenders == []


def test_the_check_sees_a_verdict_decided_elsewhere(tmp_path):
    """It catches a stage that writes its own verdict, and a hand-made Judgement."""
    rogue = tmp_path / "rogue.py"
    rogue.write_text('verdict = "confirmed" if x > 1 else "not reproduced"\nj = claims.Judgement(c, v, "w")\n')
    assert sorted(verdict_sites(rogue)) == [
        "rogue.py:1 'confirmed'",
        "rogue.py:1 'not reproduced'",
        "rogue.py:2 Judgement(...)",
    ]


def test_the_rule_itself_is_found():
    """It sees the verdicts where they belong, so the check above is not vacuous."""
    assert len(verdict_sites(RULE_HOME)) >= len(VERDICTS)
