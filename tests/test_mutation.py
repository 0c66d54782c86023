"""Every confirmation of the committed answer could have failed: each check's number, moved beyond what the
measurement tells, changes the verdict (the mutation test).

For a value (``equals``) the number moves by twice its resolution plus twice its written precision, the most a
confirmation range may span, in both directions; each must flip. A bound or an effect holds on one side by design
(a weaker claim stays true): the number moves past the finite end of its confirmation range, by its resolution,
on the side where it can fail. A check with no such side cannot fail, so its claim must be *not checkable*.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from nnsvm.claims import ClaimSpec, confirms, judge, load_answer, resolution
from nnsvm.measurement import read_measurements

REPO = Path(__file__).resolve().parents[1]
ANSWER = load_answer(REPO / "claims" / "answer.yaml")
MEASURED = read_measurements(REPO / "reports").values


def with_value(claim: ClaimSpec, i: int, value: float) -> ClaimSpec:
    checks = list(claim.checks)
    checks[i] = checks[i].model_copy(update={"value": value})
    return claim.model_copy(update={"checks": tuple(checks)})


def mutations(claim: ClaimSpec, i: int) -> list[tuple[str, float]]:
    """The numbers check ``i`` of ``claim`` is moved to, each with its direction; [] when it can fail nowhere."""
    check = claim.checks[i]
    m = MEASURED[check.measure]
    r, (low, high) = resolution(check, m), confirms(check, m.interval())
    eps = 1e-9 * max(1.0, abs(check.value))
    if check.compare == "equals":
        step = 2 * (r + check.tol) + eps
        return [("down", check.value - step), ("up", check.value + step)]
    out = []
    if math.isfinite(low):
        out.append(("down", low - r - eps))
    if math.isfinite(high):
        out.append(("up", high + r + eps))
    return out


def judged_checks() -> list[tuple[str, int]]:
    return [(c.id, i) for c in ANSWER.claims for i in range(len(c.checks))]


CLAIMS = {c.id: c for c in ANSWER.claims}


@pytest.mark.parametrize(("claim_id", "i"), judged_checks(), ids=lambda x: str(x))
def test_a_confirmed_check_flips_when_its_number_moves_beyond_what_it_tells(claim_id, i):
    """It changes a confirmed verdict for every move of a check's number beyond its resolution; a check whose
    number can move nowhere to fail belongs to a claim that is not checkable."""
    claim = CLAIMS[claim_id]
    before = judge(claim, MEASURED).verdict
    moves = mutations(claim, i)
    if not moves:
        assert before == "not checkable", f"{claim_id} check {i} cannot fail, yet is {before}"
        return
    if before != "confirmed":
        return
    for direction, value in moves:
        after = judge(with_value(claim, i, value), MEASURED).verdict
        assert after != "confirmed", f"{claim_id} check {i} moved {direction} to {value:g} is still confirmed"


def test_the_mutation_summary(capsys):
    """It counts the checks, the moves that flip a confirmed verdict and the checks that cannot flip, and prints
    them; every confirmed claim has at least one check that flips."""
    checks = flips = moves_total = unflippable = 0
    for claim in ANSWER.claims:
        confirmed = judge(claim, MEASURED).verdict == "confirmed"
        for i in range(len(claim.checks)):
            checks += 1
            moves = mutations(claim, i)
            unflippable += not moves
            if confirmed:
                moves_total += len(moves)
                flips += sum(judge(with_value(claim, i, v), MEASURED).verdict != "confirmed" for _, v in moves)
    with capsys.disabled():
        print(
            f"\nmutation test: {checks} checks in {len(ANSWER.claims)} claims; {flips} of {moves_total} moves of "
            f"confirmed checks flip the verdict; {unflippable} checks cannot flip"
        )
    assert flips == moves_total and moves_total > 0
