"""Q4-B: DB1, DB2, DB3 are not linearly separable as given, and are after the seed's maps."""

from __future__ import annotations

from nnsvm import feature_maps, qplots
from nnsvm.claims import Claim
from nnsvm.data.toy import ToySet

# Which data set each map applies to.
DATA_OF = {"db1": "db1", "db2": "db2", "db3": "db3", "db3_as_written": "db3"}
SEED_TEXT = {
    "db1": "phi(X) = |X - Q1| makes DB1 linearly separable",
    "db2": "phi(X1, X2) = X1^2 + X2^2 makes DB2 linearly separable",
    "db3": "|X1^2 + X2^2 - R|, R the radius of the positive samples, makes DB3 linearly separable",
}


def run(sets: dict[str, ToySet], solver: str) -> tuple[dict, dict]:
    """``(feature_maps.json, mapped sets)``: input-space and mapped-space separability of each map."""
    report, mapped = {}, {}
    for name, data_name in DATA_OF.items():
        data = sets[data_name]
        m = feature_maps.MAPS[name](data.x, data.y)
        mapped[name] = m
        report[name] = {
            "data": data_name, "map": m.formula, "params": m.params, "n_points": len(data.y),
            "input_space": feature_maps.separation(data.x, data.y, solver),
            "mapped": feature_maps.separation(m.z, data.y, solver),
        }
    return report, mapped


def figure(name: str, data: ToySet, m: feature_maps.MappedSet, result: dict):
    sep = result["mapped"]
    verdict = f"margin {sep['margin']:.3g}" if sep["separable"] else "still NOT separable"
    params = ", ".join(f"{k} = {v:.4g}" for k, v in m.params.items())
    title = f"{name}: {m.formula}" + (f" ({params})" if params else "") + f"\n{verdict}"
    return qplots.feature_map(data.x, data.y, m.z, sep.get("threshold"), title, "phi(x)")


def claims(report: dict, figs: dict[str, str]) -> list[Claim]:
    out = []
    for name in ("db1", "db2", "db3"):
        r = report[name]
        ok = (not r["input_space"]["separable"]) and r["mapped"]["separable"]
        params = ", ".join(f"{k} = {v:.4g}" for k, v in r["params"].items()) or "no parameter"
        metrics = {f"q4b.{name}.input_separable": float(r["input_space"]["separable"]),
                   f"q4b.{name}.mapped_separable": float(r["mapped"]["separable"])}
        if r["mapped"]["separable"]:
            metrics[f"q4b.{name}.mapped_margin"] = r["mapped"]["margin"]
        verdict, evidence = ("confirmed" if ok else "differs"), (
            f"hard-margin primal on {r['n_points']} points: input space {r['input_space']['status']}; "
            f"after {r['map']} ({params}, from the data): {r['mapped']['status']}"
            + (f", margin {r['mapped']['margin']:.3g}, threshold {r['mapped']['threshold']:.4g}" if r["mapped"]["separable"] else ""))
        if name == "db3":
            lit = report["db3_as_written"]
            metrics["q4b.db3_as_written.mapped_separable"] = float(lit["mapped"]["separable"])
            if not lit["mapped"]["separable"] and ok:
                verdict = "corrected"
                evidence += (f"; with R the radius itself (R = {lit['params']['R']:.4g}, as the text says) the mapped data is "
                             f"{lit['mapped']['status']}: R must be the squared radius, since x1^2 + x2^2 is one")
        measured = f"input: {r['input_space']['status']}; mapped: {r['mapped']['status']}"
        out.append(Claim("Q4-B", SEED_TEXT[name], "separable after the map", measured, verdict, evidence,
                         (figs[name],) + ((figs["db3_as_written"],) if name == "db3" else ()), metrics))
    return out
