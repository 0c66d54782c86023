"""End to end: the Q6 stages inside `dvc repro` on the tiny profile."""

import json

from conftest import REPO, run_in

KERNELS = ("linear", "poly2", "poly3", "rbf")


def test_q6_stages_are_in_the_pipeline(pipeline):
    """It declares one grid stage per kernel of q6.kernels and one final stage per protocol."""
    names = set(run_in(pipeline, "dvc", "stage", "list", "--name-only").stdout.split())
    q6 = {name for name in names if name.startswith("q6_")}
    assert q6 == {f"q6_grid@{k}" for k in KERNELS} | {
        "q6_split",
        "q6_final@published",
        "q6_final@improved",
        "q6_report",
    }


def test_q6_metrics_follow_the_schema(pipeline):
    """It writes reports/q6/metrics.json with both protocols in the issue's schema."""
    metrics = json.loads((pipeline / "reports" / "q6" / "metrics.json").read_text())
    assert set(metrics) == {"published", "improved"}
    for block in metrics.values():
        assert set(block) == {"best", "per_kernel", "svm", "logreg"}
        assert set(block["best"]) == {"kernel", "C", "gamma", "degree", "cv_accuracy"}
        assert set(block["per_kernel"]) == set(KERNELS)
        assert 0.1 < block["svm"]["test_accuracy"] <= 1 and 0.1 < block["logreg"]["test_accuracy"] <= 1
        assert block["best"]["cv_accuracy"] == max(k["cv_accuracy"] for k in block["per_kernel"].values())


def test_q6_every_candidate_is_a_child_run(pipeline):
    """It logs each grid candidate as a child run of its kernel's stage run."""
    code = (
        "import json; from nnsvm import tracking_query; "
        "print(json.dumps({r['tags.stage']: len(tracking_query.child_runs(r['run_id'])) "
        "for r in tracking_query.runs() if r['tags.stage'].startswith('q6_grid@')}))"
    )
    counts = json.loads(run_in(pipeline, "python", "-c", code).stdout)
    for kernel in KERNELS:
        grid = json.loads((pipeline / "reports" / "q6" / "grid" / f"{kernel}.json").read_text())
        assert counts[f"q6_grid@{kernel}"] == sum(len(g["candidates"]) for g in grid.values())


def test_q6_measurements_and_figures(pipeline):
    """It writes the Q6 measurements (the answer's model refitted, both protocols) and every figure they cite."""
    data = json.loads((pipeline / "reports" / "q6" / "measurements.json").read_text())
    found = data["measurements"]
    assert data["stage"] == "q6_report"
    assert {"q6.answer_model.test_accuracy", "q6.published.best_gap", "q6.improved.svm.test_accuracy"} <= set(found)
    for m in found.values():
        for figure in m.get("figures", ()):
            assert (pipeline / "reports" / figure).read_bytes()[:4] == b"\x89PNG"


def test_q6_engine_check_on_a_subset(pipeline, tmp_path):
    """It runs benchmarks/q6_engine_check.py on 100 training and 50 test images of the pipeline's split: the rule
    and plain scikit-learn agree, and the record names this machine's CPU; q6_final left its engine record."""
    out = run_in(
        pipeline,
        "python",
        str(REPO / "benchmarks" / "q6_engine_check.py"),
        "--n-train",
        "100",
        "--n-test",
        "50",
        "--out",
        str(tmp_path),
    )
    found = json.loads((tmp_path / "q6_engine_check.json").read_text())
    assert found["n_train"] == 100 and found["n_test"] == 50 and found["cpu"]["model"] in out.stdout
    assert found["predictions_apart"]["rule_vs_plain_sklearn"] <= 2  # two libsvm fits, same data: float noise
    record = json.loads((pipeline / "reports" / "machine" / "q6_engine_published.json").read_text())
    assert record["cpu"] == found["cpu"] and "svm" in record["engine_vs_rule"]
