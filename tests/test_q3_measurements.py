"""Q3 measurements from hand-made training, shift and demo results, judged by the project's claims file."""

import pytest

from nnsvm.claims import judge, load_answer
from nnsvm.params import load_params
from nnsvm.q3 import measurements
from nnsvm.q3.results import summarise

CLAIMS = {c.id: c for c in load_answer("claims/answer.yaml").claims}
SPECS = load_params().q3.models


def trained(name: str, per_epoch: dict[int, list[float]]) -> dict:
    epochs = max(per_epoch)
    by_epoch = {
        str(e): {"seeds": {str(42 + i): a for i, a in enumerate(accs)}, "summary": summarise(dict(enumerate(accs)))}
        for e, accs in per_epoch.items()
    }
    last = by_epoch[str(epochs)]["seeds"]
    return {"test_accuracy": sum(last.values()) / len(last), "epochs": epochs, "seeds": last, "by_epoch": by_epoch}


def mlp(per_epoch):
    return measurements.accuracies({"mlp_published": trained("mlp_published", per_epoch)})


def test_a_number_the_seeds_rule_out_is_not_reproduced():
    """It says 'not reproduced' for 93.08% when 5 seeds at every epoch count sit near 96.5%."""
    found = mlp({e: [0.963, 0.965, 0.968, 0.965, 0.964] for e in (10, 20, 30, 40)})
    assert judge(CLAIMS["q3.mlp-accuracy"], found).verdict == "not reproduced"
    low, high = found["q3.mlp_published.epoch10"].interval()
    assert 0.95 < low < 0.9308 + 0.03 and high < 0.98


def test_any_epoch_count_the_notebook_may_have_run_counts():
    """It confirms 93.08% when one epoch count of 10-40 gives it, as the notebook's cell ran 1 to 4 times."""
    found = mlp({10: [0.929, 0.932, 0.931, 0.930, 0.933], 40: [0.963, 0.965, 0.968, 0.965, 0.964]})
    assert judge(CLAIMS["q3.mlp-accuracy"], found).verdict == "confirmed"
    assert found["q3.mlp_published.any_epoch"].interval()[0] < 0.93


def test_wide_seed_spread_widens_the_interval():
    """It takes the seeds' spread as it is: wildly different seeds give a wide prediction interval (clipped to 0-1),
    which cannot tell one number from another."""
    found = measurements.accuracies({"lenet_published": trained("x", {30: [0.36, 0.85, 0.98, 0.5, 0.7]})})
    low, high = found["q3.lenet_published.epoch30"].interval()
    assert low == 0.0 and high == 1.0
    assert judge(CLAIMS["q3.lenet-accuracy"], found).verdict == "not checkable"  # it agrees with any number


def inframe(acc0: float, acc: dict[int, float], discordant: float = 0.05) -> dict:
    """Ring means of a made-up shift grid: the same unshifted accuracy ``acc0`` for every ring's images."""
    return {
        "accuracy": {"0": acc0} | {str(d): a for d, a in acc.items()},
        "consistency": {"0": 1.0} | {str(d): a for d, a in acc.items()},
        "n": {"0": 10_000} | {str(d): 5_000 for d in acc},
        "base_accuracy": {"0": acc0} | {str(d): acc0 for d in acc},
        "discordant": {"0": 0.0} | {str(d): max(discordant, acc0 - a) for d, a in acc.items()},
    }


def test_invariance_is_judged_on_the_most_robust_plain_cnn():
    """It measures the accuracy drop of the best LeNet trained without shifts; a real drop corrects the claim,
    a drop within sampling noise confirms it, and a shift-trained model never counts."""
    tables = {
        "lenet": inframe(0.99, {1: 0.97, 2: 0.90}),
        "lenet_published": inframe(0.98, {1: 0.95, 2: 0.80}),
        "lenet_avgpool": inframe(0.99, {1: 0.96, 2: 0.85}),
        "lenet_stride": inframe(0.99, {1: 0.94, 2: 0.70}),
        "lenet_shiftaug": inframe(0.99, {1: 0.99, 2: 0.99}),
        "mlp": inframe(0.98, {1: 0.9, 2: 0.5}),
    }
    found = measurements.invariance(tables, SPECS, 2)
    drop = found["q3.invariance.cnn_accuracy_drop"]
    assert drop.value == pytest.approx(0.09) and "lenet (first seed):" in drop.text
    assert judge(CLAIMS["q3.invariance-position"], found).verdict == "corrected"
    tables["lenet"] = inframe(0.99, {1: 0.989, 2: 0.988})
    found = measurements.invariance(tables, SPECS, 2)
    assert judge(CLAIMS["q3.invariance-position"], found).verdict == "confirmed"
    # the same 0.2-point drop, paired: if only the images it lost changed (10 of 5,000, none won), it is real
    tables["lenet"] = inframe(0.99, {1: 0.989, 2: 0.988}, discordant=0.0)
    found = measurements.invariance(tables, SPECS, 2)
    assert found["q3.invariance.cnn_accuracy_drop"].low > 0
    assert judge(CLAIMS["q3.invariance-position"], found).verdict == "corrected"


def test_invariance_drop_compares_the_same_images():
    """It takes the drop against the unshifted accuracy of the images in frame at that distance, not of all."""
    block = inframe(0.99, {1: 0.95})
    block["base_accuracy"]["1"] = 0.97  # the images that stay in frame 1 px away are harder than average
    found = measurements.invariance({"lenet": block}, {"lenet": SPECS["lenet"]}, 1)
    assert found["q3.invariance.cnn_accuracy_drop"].value == pytest.approx(0.02)


def demo_record(counts_of_7: list[int]) -> dict:
    counts = {str(k): [0] * len(counts_of_7) for k in range(10)} | {"7": counts_of_7}
    image = {"index": 177, "ink_columns": [9, 20], "ink_kept": 1.0, "first_of_class": {"index": 61, "ink_kept": 0.88}}
    return {
        "label": 8,
        "dx": 7,
        "rule": "the first test image of the class whose ink stays inside the frame",
        "predictions": {"lenet_published": [8, 2], "mlp_published": [7, 7]},
        "image": image,
        "in_frame": {
            "seeds": {"lenet_published": [42, 43]},
            "accuracy": {"lenet_published": [0.1, 0.2], "mlp_published": [0.0, 0.05]},
            "predicted_as": {
                m: [[0.1] * 10, [0.0, 0.5, 0.5] + [0.0] * 7] for m in ("lenet_published", "mlp_published")
            },
            "paired": {"cnn": "lenet_published", "mlp": "mlp_published", "counts": counts, "n": 259},
        },
    }


def test_the_demo_outcome_is_counted_over_every_in_frame_image():
    """It reproduces the answer's outcome when one seed pair gives it on one in-frame 8, not when none does."""
    found = measurements.demo(demo_record([0, 3]))
    assert set(found) == {f"q3.demo.cnn_right_mlp_says_{k}" for k in range(10)}
    assert "test image 177" in found["q3.demo.cnn_right_mlp_says_7"].note
    assert "lenet_published says 8 for 10.00% to 20.00% of them" in found["q3.demo.cnn_right_mlp_says_7"].note
    assert judge(CLAIMS["q3.demo"], found).verdict == "confirmed"
    assert judge(CLAIMS["q3.demo"], measurements.demo(demo_record([0, 0]))).verdict == "not reproduced"


def test_the_demo_over_all_test_eights_is_evidence_beside_the_in_frame_reading():
    """It counts the outcome over every test 8 too (ink shifted out or not), shown but not the claim's check."""
    record = demo_record([0, 0])
    every = {"cnn": "lenet_published", "mlp": "mlp_published", "n": 974}
    record["all_of_class"] = {"paired": every | {"counts": {str(k): [0, 0] for k in range(10)} | {"7": [1, 4]}}}
    found = measurements.demo(record)
    assert (
        found["q3.demo.all.cnn_right_mlp_says_7"].value == 2.5
        and "974" in found["q3.demo.all.cnn_right_mlp_says_7"].text
    )
    assert judge(CLAIMS["q3.demo"], found).verdict == "not reproduced"  # the in-frame reading decides


def test_a_seed_on_a_plateau_is_named_with_why_its_number_can_move():
    """It names a seed whose accuracy barely rose over its last 10 epochs while far below the best seed (seed 45 of
    the original LeNet, 88.0% after 30 epochs, left its plateau at epoch 29 in another run), and no other."""
    rows = {
        "42": [[e, 0.5, 0.90 + 0.0028 * e] for e in range(1, 31)],  # climbing: 98.4% at 30
        "45": [[e, 1.6, 0.85 + 0.0010 * e] for e in range(1, 31)],  # 86% at 20, 88% at 30: up 1 point in 10 epochs
    }
    seeds = {s: r[-1][2] for s, r in rows.items()}
    text = measurements.plateaus(rows, seeds, 30)
    assert "seed 45 (88.00%, up 1.0 points in 10 epochs)" in text and "seed 42" not in text
    assert measurements.plateaus(rows, seeds, 10) == ""  # too few epochs to see one
    rows["45"] = [[e, 1.6, 0.70 + 0.0060 * e] for e in range(1, 31)]  # climbing still: 88% at 30, up 6 points
    assert measurements.plateaus(rows, {s: r[-1][2] for s, r in rows.items()}, 30) == ""
