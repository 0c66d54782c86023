"""The verdict rule, driven through every branch with hand-made numbers, and the files around it."""

import math

import pytest

from nnsvm.claims import RULE, VERDICTS, AnswerFile, Check, ClaimSpec, agrees, judge, load_answer
from nnsvm.core.errors import NnsvmError
from nnsvm.measurement import Measurement, around, measure, measurement_metrics, read_measurements, write_measurements


def claim(kind="experiment", checks=({"measure": "m", "value": 0.93},), **kw) -> ClaimSpec:
    base = {"id": "c1", "question": "Q3", "claim": "c", "says": "s", "source": ["text"], "kind": kind}
    if kind != "untestable":
        base["checks"] = list(checks)
    if kind == "fact":
        base["correction"] = "the right one"
    if kind == "untestable":
        base["reason"] = "why not"
    return ClaimSpec.model_validate(base | kw)


SEEDS = {"m": measure(0.965, "pct", spread=(0.956, 0.974, "99% prediction interval, 5 seeds"))}


def test_every_verdict_has_its_written_definition():
    """It defines each of the four verdicts in words, for the report's top."""
    assert set(RULE) == set(VERDICTS) == {"confirmed", "corrected", "not reproduced", "not checkable"}


def test_a_number_inside_the_protocols_interval_is_confirmed():
    """It confirms an experiment whose number lies inside the measured interval."""
    j = judge(claim(checks=[{"measure": "m", "value": 0.96}]), SEEDS)
    assert j.verdict == "confirmed" and j.checks[0].holds


@pytest.mark.parametrize("value", [0.9308, 0.99])
def test_an_experiment_outside_the_interval_is_not_reproduced_above_or_below(value):
    """It says 'not reproduced', never 'corrected', when a faithful rerun misses the number, higher or lower."""
    j = judge(claim(checks=[{"measure": "m", "value": value}]), SEEDS)
    assert j.verdict == "not reproduced" and "m" in j.why


def test_a_wrong_fact_is_corrected_and_a_right_one_confirmed():
    """It says 'corrected' for a fact whose number misses the interval, 'confirmed' when it meets it."""
    exact = {"err": around(1.9, 1e-8, "e", "float64")}
    assert judge(claim("fact", [{"measure": "err", "value": 0.0}]), exact).verdict == "corrected"
    assert judge(claim("fact", [{"measure": "err", "value": 1.9}]), exact).verdict == "confirmed"


def test_one_failing_check_of_several_decides():
    """It needs every check of a claim to agree."""
    found = {"a": measure(1.0), "b": measure(2.0)}
    checks = [{"measure": "a", "value": 1.0}, {"measure": "b", "value": 3.0}]
    j = judge(claim("fact", checks), found)
    assert j.verdict == "corrected" and [r.holds for r in j.checks] == [True, False]


def test_untestable_missing_and_unfinished_are_not_checkable():
    """It gives 'not checkable' with the reason: untestable, never measured, or a measurement that did not finish."""
    assert judge(claim("untestable"), {}).why == "why not"
    assert "no stage measured m" in judge(claim(), {}).why
    stalled = {"m": measure(None, missing="the solver did not finish")}
    j = judge(claim(), stalled)
    assert j.verdict == "not checkable" and "did not finish" in j.why


@pytest.mark.parametrize("kind", ["experiment", "fact"])
@pytest.mark.parametrize("compare", ["equals", "above"])
def test_an_interval_spanning_every_share_cannot_tell(kind, compare):
    """It gives 'not checkable', not 'confirmed' or 'corrected', when the measured interval of a share covers 0 to
    100%: 5 seeds at 41% +- 12 on the 5,000-image subset agree with any number the answer could state."""
    wide = {"m": measure(0.41, "pct", spread=(0.0, 1.0, "99% prediction interval, 5 seeds"))}
    j = judge(claim(kind, [{"measure": "m", "value": 0.985, "compare": compare}]), wide)
    assert j.verdict == "not checkable" and "cannot tell" in j.why and "[0.00%, 100.00%]" in j.why
    nearly = {"m": measure(0.41, "pct", spread=(0.001, 1.0, "99% prediction interval, 5 seeds"))}
    j = judge(claim(kind, [{"measure": "m", "value": 0.985}]), nearly)
    assert j.verdict == "not checkable" and "wide" in j.why  # leaves out 0, but is far too wide to tell
    unbounded = {"m": measure(0.41, "g", spread=(0.0, 1.0, "a ratio"))}  # not a share: the width rule alone
    assert "not a share" and judge(claim(kind, [{"measure": "m", "value": 0.985}]), unbounded).verdict == (
        "not checkable"
    )


def test_at_most_and_at_least_compare_one_side():
    """It reads 'at most' and 'at least' against the side of the interval that can satisfy them."""
    found = {"m": measure(0.5, spread=(0.4, 0.6, "x"))}
    assert agrees(Check(measure="m", value=0.45, compare="at_most"), found["m"].interval())
    assert not agrees(Check(measure="m", value=0.3, compare="at_most"), found["m"].interval())
    assert agrees(Check(measure="m", value=0.55, compare="at_least"), found["m"].interval())
    assert not agrees(Check(measure="m", value=0.7, compare="at_least"), found["m"].interval())


def test_an_effect_is_confirmed_only_when_the_whole_interval_shows_it():
    """'Faster', 'larger': above/below hold only when no measured value is at or across the number."""
    noisy = measure(1.02, spread=(0.97, 1.07, "timing repeats")).interval()  # a speed-up that may be none
    clear = measure(1.5, spread=(1.3, 1.7, "timing repeats")).interval()
    assert agrees(Check(measure="m", value=1.0, compare="at_least"), noisy)  # a bound: shares a value
    assert not agrees(Check(measure="m", value=1.0, compare="above"), noisy)  # an effect: not shown
    assert agrees(Check(measure="m", value=1.0, compare="above"), clear)
    assert not agrees(Check(measure="m", value=1.0, compare="below"), clear)
    assert agrees(Check(measure="m", value=2.0, compare="below"), clear)
    # the number's written precision widens what it stands for: 1.2 written to 0.5 stands for up to 1.7
    assert not agrees(Check(measure="m", value=1.2, tol=0.5, compare="above"), clear)
    exact = {"m": measure(0.0)}
    assert (
        judge(claim("fact", checks=[{"measure": "m", "value": 0.0, "compare": "above"}]), exact).verdict == "corrected"
    )


@pytest.mark.parametrize("kind", ["experiment", "fact"])
def test_an_effect_the_interval_neither_shows_nor_excludes_cannot_tell(kind):
    """It gives 'not checkable' for 'faster' when the measured speed-up's interval holds 1 (no effect) and more,
    'corrected'/'not reproduced' only when the whole interval lies at or below 1."""
    straddles = {"m": measure(0.93, spread=(0.77, 1.08, "99% interval of t_dense / t_sparse"))}
    j = judge(claim(kind, [{"measure": "m", "value": 1.0, "compare": "above"}]), straddles)
    assert j.verdict == "not checkable" and "holds both an effect" in j.why
    slower = {"m": measure(0.8, spread=(0.7, 0.9, "99% interval of t_dense / t_sparse"))}
    wrong = "corrected" if kind == "fact" else "not reproduced"
    assert judge(claim(kind, [{"measure": "m", "value": 1.0, "compare": "above"}]), slower).verdict == wrong
    assert judge(claim(kind, [{"measure": "m", "value": 1.0, "compare": "below"}]), slower).verdict == "confirmed"


def test_a_confirmation_wider_than_twice_the_resolution_cannot_tell():
    """It confirms an accuracy only from an interval at most 5 points wide (2 x 2.5): the LeNet seeds' 73.9-100%
    (seed 45 on a plateau) would confirm 80% as well as 98.5%, so it cannot tell; 96.3-98.9% can."""
    wide = {"m": measure(0.957, "pct", spread=(0.739, 1.0, "99% prediction interval, 5 seeds"))}
    j = judge(claim(checks=[{"measure": "m", "value": 0.985, "tol": 0.0005}]), wide)
    assert j.verdict == "not checkable" and "26.1 points wide" in j.why and "from 73.85% to 100.05%" in j.why
    assert j.checks[0].holds and not j.checks[0].tells and j.checks[0].resolution == 0.025
    narrow = {"m": measure(0.976, "pct", spread=(0.963, 0.989, "99% prediction interval, 10 seeds"))}
    assert judge(claim(checks=[{"measure": "m", "value": 0.985, "tol": 0.0005}]), narrow).verdict == "confirmed"
    # a wide interval that excludes the number still refutes it: width only weakens a confirmation
    assert judge(claim(checks=[{"measure": "m", "value": 0.5}]), wide).verdict == "not reproduced"


def test_a_bound_every_measured_value_meets_tells_at_any_width():
    """It confirms 'at most 0' from [-21.9%, -9.9%] (12 points wide, every value meets it) but cannot tell from
    [-2.2%, +4.9%] (7 points wide, across the bound)."""
    below = {"m": measure(-0.15, "pct", spread=(-0.219, -0.099, "99% interval"))}
    assert judge(claim("fact", [{"measure": "m", "value": 0.0, "compare": "at_most"}]), below).verdict == "confirmed"
    across = {"m": measure(0.013, "pct", spread=(-0.022, 0.049, "99% interval"))}
    j = judge(claim("fact", [{"measure": "m", "value": 0.0, "compare": "at_most"}]), across)
    assert j.verdict == "not checkable" and "from -2.20% up" in j.why


def test_real_numbers_are_told_apart_at_one_percent_and_identities_at_1e_4():
    """It uses 1% of a real number's size, and 1e-4 for a number given as 0; a check may set its own with a
    reason, and a resolution without one is refused."""
    solver = {"w": measure(-0.5, spread=(-0.501, -0.499, "solver tolerance"))}
    assert judge(claim("fact", [{"measure": "w", "value": -0.5}]), solver).checks[0].resolution == 0.005
    zero = {"e": measure(0.0, "e", spread=(-1e-3, 1e-3, "solver tolerance"))}
    j = judge(claim("fact", [{"measure": "e", "value": 0.0}]), zero)
    assert j.verdict == "not checkable" and j.checks[0].resolution == 1e-4
    own = {"measure": "e", "value": 0.0, "resolution": 1e-3, "resolution_note": "the solver's proven accuracy"}
    assert judge(claim("fact", [own]), zero).verdict == "confirmed"
    with pytest.raises(ValueError, match="resolution_note"):
        Check(measure="e", value=0.0, resolution=1e-3)


def test_a_claim_whose_numbers_come_from_the_assignment_is_not_counted():
    """It reports a claim sourced only from the assignment but leaves it out of the answer's tally."""
    found = {"m": measure(0.96, "pct")}
    assert not judge(
        claim(checks=[{"measure": "m", "value": 0.96}], source=["assignment"], counts=False), found
    ).counted
    assert judge(claim(checks=[{"measure": "m", "value": 0.96}], source=["text", "assignment"]), found).counted
    with pytest.raises(ValueError, match="counts: false"):
        claim(checks=[{"measure": "m", "value": 0.96}], source=["assignment"], counts=True)


def test_written_precision_rounded_and_truncated():
    """It reads 94% as 93.5-94.5% when rounded and as 94-95% when truncated."""
    found = {"m": measure(0.9474, "pct")}
    rounded = {"measure": "m", "value": 0.94, "tol": 0.005}
    assert judge(claim(checks=[rounded]), found).verdict == "not reproduced"
    assert judge(claim(checks=[rounded | {"written": "truncated"}]), found).verdict == "confirmed"
    assert Check(measure="m", value=3.49, tol=0.005, written="truncated").stands_for() == pytest.approx((3.49, 3.5))


def test_the_improved_model_never_decides():
    """It judges only a claim's checks: an improved measurement that beats the answer changes nothing."""
    found = SEEDS | {"better": measure(0.99, "pct")}
    with_improved = claim(checks=[{"measure": "m", "value": 0.96}], improved="better")
    assert judge(with_improved, found).verdict == judge(claim(checks=[{"measure": "m", "value": 0.96}]), SEEDS).verdict
    assert judge(claim(checks=[{"measure": "m", "value": 0.9308}], improved="better"), found).verdict == (
        "not reproduced"
    )


def test_measurements_refuse_inconsistent_numbers():
    """It refuses a value outside its own interval, NaN, or no value without a reason."""
    with pytest.raises(ValueError, match="outside its interval"):
        measure(1.0, spread=(0.0, 0.5, "x"))
    with pytest.raises(ValueError, match="NaN"):
        measure(math.nan)
    with pytest.raises(ValueError, match="missing"):
        Measurement(value=None)


def test_claims_file_is_validated(tmp_path):
    """It refuses repeated ids, a fact without its correction, an untestable claim with checks, unknown headline
    claims, and says which file in one line."""
    good = {"answer": "a", "claims": [claim().model_dump()]}
    AnswerFile.model_validate(good)
    with pytest.raises(ValueError, match="unique"):
        AnswerFile.model_validate(good | {"claims": [claim().model_dump(), claim().model_dump()]})
    with pytest.raises(ValueError, match="correction"):
        ClaimSpec.model_validate(claim().model_dump() | {"kind": "fact"})
    with pytest.raises(ValueError, match="untestable"):
        ClaimSpec.model_validate(claim().model_dump() | {"kind": "untestable", "reason": "r"})
    with pytest.raises(ValueError, match="unknown claims"):
        AnswerFile.model_validate(good | {"headline": [{"quantity": "q", "claim": "nope"}]})
    bad = tmp_path / "bad.yaml"
    bad.write_text("answer: a\nclaims:\n  - id: X Y\n")
    with pytest.raises(NnsvmError, match=r"bad\.yaml: claims\.0"):
        load_answer(bad)
    with pytest.raises(NnsvmError, match="not found"):
        load_answer(tmp_path / "none.yaml")


def test_the_projects_claims_file_loads():
    """It reads claims/answer.yaml: every claim with a source and, unless untestable, a check."""
    answer = load_answer("claims/answer.yaml")
    assert len(answer.claims) >= 30
    assert all(c.source and (c.checks or c.kind == "untestable") for c in answer.claims)


def test_a_claim_from_the_assignment_must_say_it_does_not_count():
    """It refuses a claim whose only source is the assignment unless it says counts: false, and marks q4a.exact so."""
    with pytest.raises(ValueError, match="counts: false"):
        ClaimSpec.model_validate(claim().model_dump() | {"source": ("assignment",)})
    assert not ClaimSpec.model_validate(claim().model_dump() | {"source": ("assignment",), "counts": False}).counts
    answer = {c.id: c for c in load_answer("claims/answer.yaml").claims}
    assert not answer["q4a.exact"].counts and answer["q3.mlp-accuracy"].counts


def test_measurements_round_trip_and_refuse_a_key_twice(tmp_path):
    """It writes and reads measurement files with their stage (no run ID), and refuses one key from two stages."""
    m = {"q.x": around(1.0, 0.1, "g", "tol", note="n", figures=("q/a.png",)), "q.y": measure(math.inf, "e")}
    write_measurements(tmp_path / "q" / "measurements.json", stage="s", measurements=m)
    found = read_measurements(tmp_path)
    assert found.values == m and found.made_by["q.x"] == "s"
    assert "run_id" not in (tmp_path / "q" / "measurements.json").read_text()
    assert measurement_metrics(m) == {"q.x": 1.0, "q.x.low": 0.9, "q.x.high": 1.1}
    write_measurements(tmp_path / "p" / "measurements.json", stage="t", measurements={"q.x": m["q.x"]})
    with pytest.raises(NnsvmError, match="both"):
        read_measurements(tmp_path)


@pytest.mark.parametrize("compare", ["equals", "at_most", "at_least", "above", "below"])
@pytest.mark.parametrize("written", ["rounded", "truncated"])
def test_the_confirmation_range_is_exactly_where_agrees_holds(compare, written):
    """It gives the values the answer could have written that agree with the interval, and no others."""
    from nnsvm.claims import confirms

    measured = (0.40, 0.60)
    low, high = confirms(Check(measure="m", value=0.5, compare=compare, tol=0.01, written=written), measured)
    for v in [x / 1000 for x in range(200, 801)]:
        inside = low <= v <= high if compare in ("equals", "at_most", "at_least") else low < v < high
        assert agrees(Check(measure="m", value=v, compare=compare, tol=0.01, written=written), measured) == inside, v
