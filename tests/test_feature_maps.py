"""Q4-B: the answer's maps separate DB1, DB2, DB3 that no line separates as given."""

import numpy as np
import pytest
from conftest import toy_params

from nnsvm.data import toy
from nnsvm.q4 import feature_maps as fm

P = toy_params()


@pytest.fixture(scope="module")
def sets():
    rng = np.random.default_rng(3)
    return {"db1": toy.line(P.db1), "db2": toy.rings(P.db2, rng), "db3": toy.rings(P.db3, rng)}


@pytest.mark.parametrize("name", ["db1", "db2", "db3"])
def test_not_separable_as_given_separable_after_the_map(sets, name):
    """It finds the input-space primal infeasible and the mapped one feasible with a positive margin."""
    data = sets[name]
    mapped = fm.MAPS[name](data.x, data.y)
    assert not fm.separation(data.x, data.y, "CLARABEL")["separable"]
    after = fm.separation(mapped.z, data.y, "CLARABEL")
    assert after["separable"] and after["margin"] > 0


def test_db1_centre_is_the_middle_of_the_negative_block(sets):
    """It derives Q1 = 4 for negatives at 3, 4, 5 and maps to |x - 4|."""
    m = fm.db1_map(sets["db1"].x, sets["db1"].y)
    assert m.params == {"Q1": 4.0}
    assert m.z[:, 0].tolist() == [3, 2, 1, 0, 1, 2, 3]


def test_db3_needs_the_squared_radius(sets):
    """It separates DB3 with R = r^2 of the + ring (about 9) but not with R = r (about 3), as the text says."""
    data = sets["db3"]
    right, literal = fm.db3_map(data.x, data.y), fm.db3_map_as_written(data.x, data.y)
    assert right.params["R"] == pytest.approx(9.0, abs=0.3)
    assert literal.params["R"] == pytest.approx(3.0, abs=0.1)
    assert not fm.separation(literal.z, data.y, "CLARABEL")["separable"]


def test_the_literal_db3_map_works_exactly_when_the_radii_condition_holds():
    """It finds the answer's R = radius map separable on noise-free rings exactly where |r+^2 - r+| is below both
    |r-^2 - r+| (for r+ >= 1: r_in^2 < r+ (2 - r+)), on radius sets of both outcomes, DB3's own failing."""
    sweep = fm.literal_map_sweep("CLARABEL")
    assert [s["condition"] for s in sweep] == [s["separable"] for s in sweep]
    assert {s["separable"] for s in sweep} == {True, False}
    assert not fm.literal_map_condition(*P.db3.radii)
    for r_in, r_pos, r_out in fm.RADIUS_SETS:
        if r_pos >= 1:
            assert fm.literal_map_condition(r_in, r_pos, r_out) == (r_in**2 < r_pos * (2 - r_pos))
