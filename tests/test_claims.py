"""Claims files: the contract between question stages and the report."""

import json

import pytest

from nnsvm.claims import Claim, HeadlineRow, claim_metrics, write_claims


def claim(**kw):
    base = dict(question="Q4-A", claim="c", answer="s", measured="m", verdict="confirmed", evidence="e")
    return Claim(**(base | kw))


def test_unknown_verdict_is_refused():
    """It accepts only confirmed, corrected or differs."""
    with pytest.raises(ValueError, match="verdict"):
        claim(verdict="maybe")


def test_metrics_are_merged_and_conflicts_refused():
    """It merges the numbers of all claims and refuses one key with two values."""
    assert claim_metrics([claim(metrics={"a": 1}), claim(metrics={"b": 2.5})]) == {"a": 1.0, "b": 2.5}
    with pytest.raises(ValueError, match="two different values"):
        claim_metrics([claim(metrics={"a": 1}), claim(metrics={"a": 2})])


def test_written_file_round_trips(tmp_path):
    """It writes stage, run ID, claims and headline rows as JSON."""
    path = tmp_path / "q" / "claims.json"
    write_claims(
        path,
        stage="svm",
        run_id="r1",
        claims=[claim(figures=("q4/a.png",))],
        headline=[HeadlineRow("b", "3.49", "3.4999", "3.5")],
    )
    data = json.loads(path.read_text())
    assert data["stage"] == "svm" and data["run_id"] == "r1"
    assert data["claims"][0]["figures"] == ["q4/a.png"]
    assert data["headline"][0] == {"quantity": "b", "answer": "3.49", "original_protocol": "3.4999", "improved": "3.5"}
