"""Q4-B measured: DB1, DB2, DB3 are not linearly separable as given, and are after the answer's maps."""

from __future__ import annotations

from nnsvm.data.toy import ToySet
from nnsvm.q4 import feature_maps

# Which data set each map applies to.
DATA_OF = {"db1": "db1", "db2": "db2", "db3": "db3", "db3_as_written": "db3"}
DATA_SETS = ("db1", "db2", "db3")


def run(sets: dict[str, ToySet], solver: str) -> tuple[dict, dict]:
    """``(feature_maps.json, mapped sets)``: input-space and mapped-space separability of each map."""
    report, mapped = {}, {}
    for name, data_name in DATA_OF.items():
        data = sets[data_name]
        m = feature_maps.MAPS[name](data.x, data.y)
        mapped[name] = m
        report[name] = {
            "data": data_name,
            "map": m.formula,
            "params": m.params,
            "n_points": len(data.y),
            "input_space": feature_maps.separation(data.x, data.y, solver),
            "mapped": feature_maps.separation(m.z, data.y, solver),
        }
    report["db3_as_written"]["radius_sweep"] = feature_maps.literal_map_sweep(solver)
    return report, mapped
