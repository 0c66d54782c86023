"""Q3 verdicts follow from the numbers: hand-made metrics, known verdicts."""

from nnsvm.q3 import claims


def metrics(corrected: float, published: list[float]) -> dict:
    mean = sum(published) / len(published)
    return {
        "mlp": {"test_accuracy": corrected, "epochs": 10},
        "mlp_published": {
            "epochs": 10,
            "seeds": {str(i): a for i, a in enumerate(published)},
            "summary": {"mean": mean, "sd": 0.01, "min": min(published), "max": max(published)},
        },
    }


def test_corrected_model_clearly_better_gives_corrected():
    """It says 'corrected' when our model beats the answer's 93.08% by half a point or more.

    It also says the answer's number lies inside the range of the published protocol's seeds.
    """
    claim = claims.accuracy_claim("mlp", metrics(0.982, [0.90, 0.95]))
    assert claim.verdict == "corrected"
    assert "lies inside that range" in claim.evidence
    assert claim.metrics["q3.mlp.answer_inside_published_range"] == 1.0


def test_reproduced_but_not_improved_gives_confirmed():
    """It says 'confirmed' when the protocol's range holds 93.08% and ours is not clearly better."""
    assert claims.accuracy_claim("mlp", metrics(0.932, [0.92, 0.94])).verdict == "confirmed"


def test_neither_reproduced_nor_improved_gives_differs():
    """It says 'differs' when the range misses the answer's number and ours is not clearly better."""
    claim = claims.accuracy_claim("mlp", metrics(0.90, [0.86, 0.87]))
    assert claim.verdict == "differs"
    assert "outside" in claim.evidence


def test_demo_verdict_takes_the_majority_of_seeds():
    """It confirms the demo when most original-protocol seeds give LeNet 8 and MLP 7."""
    demo = {"lenet_published": [8, 8, 3], "mlp_published": [7, 2, 7], "lenet": [8], "mlp": [7]}
    assert claims.demo_claim(demo, 8, 7).verdict == "confirmed"
    demo["mlp_published"] = [7, 2, 2]
    assert claims.demo_claim(demo, 8, 7).verdict == "differs"


def test_invariance_is_approximate_unless_consistency_is_perfect():
    """It corrects 'invariant' when LeNet's consistency drops below 99.9% anywhere."""
    rings = {
        m: {"accuracy": {0: 0.99, 1: 0.9}, "consistency": {0: 1.0, 1: c}} for m, c in (("lenet", 0.95), ("mlp", 0.6))
    }
    assert claims.invariance_claim(rings, 1).verdict == "corrected"
    rings["lenet"]["consistency"][1] = 1.0
    assert claims.invariance_claim(rings, 1).verdict == "confirmed"
