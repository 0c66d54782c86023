"""Q3-A's rotation measurements: how much accuracy CNNs lose when the test digits are rotated, and whether
they hold up better than MLPs.

Each model is its first seed, measured on the same ``n`` test images at every angle. Intervals are
99% binomial sampling intervals over ``n`` images. A model's drop from 0 degrees to an angle is a
paired difference on the same images (``stats.paired_share_halfwidth``): only images whose prediction
the rotation changed can change from right to wrong or back, so the discordant share is at most
1 - consistency. A difference between two models ``p1 - p2`` gets ``z sqrt((p1 q1 + p2 q2) / n)``:
the noise of both, taken as independent samples (conservative).
"""

from __future__ import annotations

import math

from nnsvm.measurement import Measurement, measure, pct
from nnsvm.nets.params import ModelParams
from nnsvm.q3.rotate import RotationSweep
from nnsvm.stats import difference_halfwidth, paired_share_halfwidth, z_two_sided

LEVEL = 0.99
FIGURES = ("q3/rotate/rotation.png", "q3/rotate/rotation_examples.png")
TABLE_ANGLES = (15, 30, 45, 60)


def plain(specs: dict[str, ModelParams], arch: str) -> list[str]:
    """The models of ``arch`` trained without shifted images (the original protocols included)."""
    return [n for n, s in specs.items() if s.arch == arch and s.shift_augment == 0]


def _deg(angle: int) -> str:
    return f"{angle:+d}°" if angle else "0°"


def _table(found: RotationSweep) -> str:
    """Every model's accuracy at ±15, ±30, ±45, ±60 degrees (those swept)."""
    shown = [a for b in TABLE_ANGLES for a in (-b, b) if a in found.angles]
    return "; ".join(
        f"{name}: 0° {pct(acc[0])}, " + ", ".join(f"{_deg(a)} {pct(acc[a])}" for a in shown)
        for name, acc in found.accuracy.items()
    )


def cnn_accuracy_drop(found: RotationSweep, specs: dict[str, ModelParams]) -> Measurement:
    """The accuracy the most rotation-robust plain CNN loses from 0 degrees to its worst swept angle."""
    drops = {}
    for name in plain(specs, "lenet"):
        acc = found.accuracy[name]
        worst = max((a for a in acc if a != 0), key=lambda a: acc[0] - acc[a])
        drops[name] = (acc[0] - acc[worst], worst)
    best = min(drops, key=lambda n: drops[n][0])
    drop, angle = drops[best]
    acc = found.accuracy[best]
    changed = 1.0 - found.consistency[best][angle]  # bounds the share of images right at one angle only
    half = paired_share_halfwidth(drop, changed, found.n, LEVEL)
    return measure(
        drop,
        "pct",
        spread=(
            drop - half,
            drop + half,
            f"99% paired interval on the same {found.n:,} test images turned and not (discordant share at most "
            f"{pct(changed)}, the predictions the rotation changed)",
        ),
        text=f"{pct(drop)}: {best} (first seed) {pct(acc[0])} unrotated, {pct(acc[angle])} rotated {_deg(angle)} "
        f"(its worst angle); the most rotation-robust of {', '.join(drops)}",
        note=f"accuracy by angle (degrees, + = counter-clockwise; first seed of each model): {_table(found)}. "
        "Each CNN's drop to its worst angle: " + ", ".join(f"{n} {pct(d)} at {_deg(a)}" for n, (d, a) in drops.items()),
        figures=FIGURES,
    )


def _best(found: RotationSweep, names: list[str], angle: int) -> str:
    return max(names, key=lambda n: found.both_ways("accuracy", n, angle))


def cnn_minus_mlp(found: RotationSweep, specs: dict[str, ModelParams]) -> dict[str, Measurement]:
    """``q3.rotation.cnn_minus_mlp.<max>``: the best plain CNN's accuracy minus the best plain MLP's at ±max."""
    top = max(found.angles)
    cnn, mlp = _best(found, plain(specs, "lenet"), top), _best(found, plain(specs, "mlp"), top)
    a, b = found.both_ways("accuracy", cnn, top), found.both_ways("accuracy", mlp, top)
    half = difference_halfwidth(a, b, found.n)
    both = f"mean of {_deg(top)} and {_deg(-top)}"
    return {
        f"q3.rotation.cnn_minus_mlp.{top}": measure(
            a - b,
            "pct",
            spread=(
                a - b - half,
                a - b + half,
                f"99% interval of a difference of two accuracies, {found.n:,} test images each",
            ),
            text=f"{100 * (a - b):+.2f} points: {cnn} {pct(a)} minus {mlp} {pct(b)} rotated ±{top}° ({both}); "
            "the best plain CNN and MLP there (first seeds)",
            note=f"unrotated: {cnn} {pct(found.accuracy[cnn][0])}, {mlp} {pct(found.accuracy[mlp][0])}; "
            f"consistency at ±{top}° ({both}): {cnn} {pct(found.both_ways('consistency', cnn, top))}, "
            f"{mlp} {pct(found.both_ways('consistency', mlp, top))}",
            figures=FIGURES,
        )
    }


def accuracy_at_max(found: RotationSweep) -> dict[str, Measurement]:
    """``q3.rotation.accuracy.<model>``: each model's accuracy at ±max degrees (mean of both directions)."""
    top, z, out = max(found.angles), z_two_sided(LEVEL), {}
    for name, acc in found.accuracy.items():
        value = found.both_ways("accuracy", name, top)
        half = z * math.sqrt(value * (1 - value) / found.n)
        right = ", ".join(f"within ±{k}° {pct(v)}" for k, v in found.within[name].items())
        out[f"q3.rotation.accuracy.{name}"] = measure(
            value,
            "pct",
            spread=(max(value - half, 0.0), min(value + half, 1.0), f"99% binomial interval, {found.n:,} test images"),
            text=f"{pct(value)} rotated ±{top}° ({_deg(top)} {pct(acc[top])}, {_deg(-top)} {pct(acc[-top])}; "
            f"unrotated {pct(acc[0])}; first seed)",
            note=f"consistency at ±{top}°: {pct(found.both_ways('consistency', name, top))}; share of test images "
            f"classified correctly at every swept angle {right}",
            figures=FIGURES[:1],
        )
    return out


def rotation(found: RotationSweep, specs: dict[str, ModelParams]) -> dict[str, Measurement]:
    """Every measurement of stage q3_rotate."""
    return (
        {"q3.rotation.cnn_accuracy_drop": cnn_accuracy_drop(found, specs)}
        | cnn_minus_mlp(found, specs)
        | (accuracy_at_max(found))
    )
