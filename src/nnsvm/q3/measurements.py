"""Q3 measurements for the report: MNIST accuracy per protocol, the shifted-digit demonstration, shift invariance.

A model trained with several seeds (the original protocols) carries the 99%
prediction interval of one more run of its protocol (``stats.prediction_interval``):
the answer's single run is judged against that, at each epoch count it may have had.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnsvm.measurement import Measurement, around, measure, pct
from nnsvm.nets.params import ModelParams
from nnsvm.q3.pooling import Gain
from nnsvm.stats import paired_share_halfwidth, prediction_interval, z_two_sided

LEVEL = 0.99


def _seeds_text(seeds: dict[str, float]) -> str:
    return ", ".join(f"seed {s} {pct(a)}" for s, a in seeds.items())


PLATEAU_WINDOW = 10  # epochs
PLATEAU_GAIN = 0.02  # a seed that gained less than this over the window ...
PLATEAU_GAP = 0.05  # ... while the best seed is this much higher is on a plateau


def stuck_seeds(history: dict[str, list[list[float]]], seeds: dict[str, float], epochs: int) -> dict[str, float]:
    """The seeds that sit on a plateau after ``epochs`` epochs: seed -> how much accuracy it gained over the last
    :data:`PLATEAU_WINDOW` epochs.

    ``history``: each seed's ``[epoch, train_loss, test_accuracy]`` rows. A seed is on a plateau when its
    accuracy rose less than :data:`PLATEAU_GAIN` over the window while the best seed is :data:`PLATEAU_GAP` or
    more above it.
    """
    if epochs <= PLATEAU_WINDOW:
        return {}
    best, stuck = max(seeds.values()), {}
    for seed, acc in seeds.items():
        gain = acc - history[seed][epochs - 1 - PLATEAU_WINDOW][2]
        if gain < PLATEAU_GAIN and best - acc >= PLATEAU_GAP:
            stuck[seed] = gain
    return stuck


def plateaus(history: dict[str, list[list[float]]], seeds: dict[str, float], epochs: int) -> str:
    """Which seeds sit on a plateau after ``epochs`` epochs (:func:`stuck_seeds`), in words ("" if none).

    Where a run leaves a plateau depends on rounding (the thread count, the memory format), so such a seed's
    number can move by many points between two faithful runs.
    """
    stuck = stuck_seeds(history, seeds, epochs)
    if not stuck:
        return ""
    named = ", ".join(
        f"seed {s} ({pct(seeds[s])}, up {100 * gain:.1f} points in {PLATEAU_WINDOW} epochs)"
        for s, gain in stuck.items()
    )
    return (
        f"On a plateau after {epochs} epochs: {named}, {100 * PLATEAU_GAP:.0f} or more points below the best seed. "
        "Where a run leaves a plateau depends on rounding (thread count, memory format), so one more run of the "
        "protocol may land far from this one: the interval's width is the protocol's, not noise to average away."
    )


def _seed_summary(values: Sequence[float]) -> str:
    x = np.asarray(values, float)
    return f"median {pct(float(np.median(x)))} of {len(x)} seeds, {pct(float(x.min()))} to {pct(float(x.max()))}"


def _over_seeds(block: dict, epochs: str, history: dict | None = None) -> dict[str, Measurement]:
    """One ``by_epoch`` block of ``train/<model>.json`` (each seed's accuracy) as two measurements.

    ``""``: one more run of the protocol. Its outcome has two modes when some seeds sit on a plateau
    (:func:`stuck_seeds`): a t interval over all seeds is then the wrong model, so the interval is the hull of
    the stuck seeds and the 99% prediction interval of the others. ``".off_plateau"``: one more run that leaves
    the plateau, the 99% prediction interval of the seeds that did (all seeds when none is stuck). The value is
    the median, which a stuck seed does not drag; ``samples`` keeps every seed's value.
    """
    seeds = block["seeds"]
    stuck = stuck_seeds(history, seeds, int(epochs)) if history else {}
    moving = [a for s, a in seeds.items() if s not in stuck]
    lo, hi = (max(v, 0.0) for v in prediction_interval(moving, LEVEL))
    hi = min(hi, 1.0)
    n, k = len(seeds), len(stuck)
    note = _seeds_text(seeds) + (f". {plateaus(history, seeds, int(epochs))}" if stuck and history else "")
    figures = ("q3/training.png",)
    off = measure(
        float(np.median(moving)),
        "pct",
        spread=(lo, hi, f"99% prediction interval of one more run that leaves the plateau, {len(moving)} seeds"),
        text=f"{_seed_summary(moving)} after {epochs} epochs"
        + (f" (the {len(moving)} of {n} seeds off the plateau)" if k else " (no seed on a plateau)"),
        samples=moving,
        note=note,
        figures=figures,
    )
    if not k:
        whole = off.model_copy(update={"spread": f"99% prediction interval of one more run, {n} seeds"})
        return {"": whole, ".off_plateau": off}
    stuck_values = [seeds[s] for s in stuck]
    whole = measure(
        float(np.median(list(seeds.values()))),
        "pct",
        spread=(
            min(min(stuck_values), lo),
            max(max(stuck_values), hi),
            f"two modes: {k} of {n} seeds on a plateau ({', '.join(pct(a) for a in stuck_values)}); the 99% "
            f"prediction interval of one more run that leaves it, from the other {n - k}: [{pct(lo)}, {pct(hi)}]",
        ),
        text=f"{_seed_summary(list(seeds.values()))} after {epochs} epochs, {k} of them on a plateau",
        samples=list(seeds.values()),
        note=note,
        figures=figures,
    )
    return {"": whole, ".off_plateau": off}


def accuracies(trained: dict[str, dict]) -> dict[str, Measurement]:
    """``q3.<model>.test_accuracy`` for every model; for several seeds ``q3.<model>.epoch<N>`` (and
    ``.off_plateau``, :func:`_over_seeds`) and ``q3.<model>.any_epoch``: the union of the intervals at its report
    epochs, each a part, for a number that may come from any of those epoch counts."""
    out: dict[str, Measurement] = {}
    for name, t in trained.items():
        if len(t["seeds"]) == 1:
            out[f"q3.{name}.test_accuracy"] = measure(
                t["test_accuracy"],
                "pct",
                text=f"{pct(t['test_accuracy'])} after {t['epochs']} epochs (one seed)",
                figures=("q3/training.png",),
            )
            continue
        at = {e: _over_seeds(block, e, t.get("history")) for e, block in t["by_epoch"].items()}
        for e, pair in at.items():
            for suffix, m in pair.items():
                out[f"q3.{name}.epoch{e}{suffix}"] = m
        final = at[str(t["epochs"])][""]
        out[f"q3.{name}.test_accuracy"] = final
        parts = [pair[""].interval() for pair in at.values()]
        out[f"q3.{name}.any_epoch"] = measure(
            final.value,
            "pct",
            spread=(
                min(p[0] for p in parts),
                max(p[1] for p in parts),
                f"union of the 99% prediction intervals after {', '.join(at)} epochs",
            ),
            text="; ".join(f"{e} epochs {pct(pair[''].value or 0.0)}" for e, pair in at.items())
            + f" (median of {len(t['seeds'])} seeds)",
            parts=parts,
            figures=("q3/training.png",),
        )
    return out


def _plain_cnns(specs: dict[str, ModelParams]) -> list[str]:
    """The convolutional models trained without shifted images: what the answer's architecture claim is about."""
    return [n for n, s in specs.items() if s.arch == "lenet" and s.shift_augment == 0]


def invariance(inframe: dict[str, dict], specs: dict[str, ModelParams], max_shift: int) -> dict[str, Measurement]:
    """How much accuracy the most shift-robust plain CNN loses on in-frame shifted test images.

    ``inframe``: model -> {"accuracy", "consistency", "n", "base_accuracy", "discordant": {d: v}} per shift
    distance d (ring means): the drop at d is the unshifted minus the shifted accuracy of the same in-frame
    images, a paired difference (``stats.paired_share_halfwidth``, with the ring's mean discordant share and
    mean image count).
    """
    drops = {}
    for name in _plain_cnns(specs):
        block = inframe[name]
        drop = {int(d): block["base_accuracy"][d] - block["accuracy"][d] for d in block["accuracy"] if int(d) > 0}
        worst = max(drop, key=lambda d: drop[d])
        drops[name] = (drop[worst], worst)
    best = min(drops, key=lambda n: drops[n][0])
    drop, d = drops[best]
    block = inframe[best]
    n, share = block["n"][str(d)], block["discordant"][str(d)]
    half = paired_share_halfwidth(drop, share, n, LEVEL)
    shown = [r for r in (1, 2, 4, max_shift) if str(r) in block["consistency"]]
    table = "; ".join(
        f"{name}: " + ", ".join(f"{r} px {pct(b['consistency'][str(r)])}" for r in shown) for name, b in inframe.items()
    )
    return {
        "q3.invariance.cnn_accuracy_drop": measure(
            drop,
            "pct",
            spread=(
                drop - half,
                drop + half,
                f"99% paired interval on the same in-frame test images shifted and not (about {n:,.0f} per shift "
                f"at {d} px, {pct(share)} of them right in one of the two only); one training seed",
            ),
            text=f"{best} (first seed): {pct(block['base_accuracy'][str(d)])} unshifted, "
            f"{pct(block['accuracy'][str(d)])} shifted {d} px, on the same images (those whose ink stays in the "
            f"frame; mean over the shifts at that distance); the most shift-robust of {', '.join(drops)}",
            note="each CNN's drop at its worst distance: "
            + ", ".join(f"{m} {pct(v)} at {r} px" for m, (v, r) in drops.items())
            + "; consistency (share of in-frame test images whose predicted class the shift leaves unchanged) "
            f"by shift distance max(|dx|, |dy|): {table}",
            figures=("q3/figures/invariance.png", *(f"q3/figures/heatmap_{m}.png" for m in drops)),
        )
    }


def _range(shares: list[float]) -> str:
    low, high = min(shares), max(shares)
    return pct(low) if low == high else f"{pct(low)} to {pct(high)}"


def _top(per_seed: list[list[float]], n: int = 2) -> list[int]:
    """The ``n`` classes predicted most often, over the seeds."""
    mean = np.mean(np.asarray(per_seed), axis=0)
    return [int(k) for k in np.argsort(-mean)[:n]]


def demo(shown: dict) -> dict[str, Measurement]:
    """The shifted-digit demonstration over every in-frame test image of the class, seed pair by seed pair:
    ``q3.demo.cnn_right_mlp_says_<k>`` counts the images where the original CNN is right while the original MLP
    says ``k`` (the answer's outcome is k = 7)."""
    found = shown["in_frame"]
    paired, image = found["paired"], shown["image"]
    seeds = found["seeds"][paired["cnn"]]
    predictions = ", ".join(f"{m} {'/'.join(map(str, p))}" for m, p in shown["predictions"].items())
    said = "; ".join(
        f"{m} says {shown['label']} for {_range(found['accuracy'][m])} of them, most often "
        + ", ".join(f"{k} ({_range([s[k] for s in found['predicted_as'][m]])})" for k in _top(found["predicted_as"][m]))
        for m in (paired["cnn"], paired["mlp"])
    )
    out = {}
    for k, counts in paired["counts"].items():
        # the claim is that the outcome happens: the most images any seed pair shows it on, an exact count
        out[f"q3.demo.cnn_right_mlp_says_{k}"] = measure(
            float(max(counts)),
            "int",
            samples=[float(c) for c in counts],
            text=f"at most {max(counts)}, by seed pair {', '.join(str(c) for c in counts)} of {paired['n']} in-frame "
            f"test {shown['label']}s shifted {shown['dx']} px right (seeds {', '.join(map(str, seeds))}): "
            f"{paired['cnn']} says {shown['label']}, {paired['mlp']} says {k}",
            note=f"over the seeds, {said}. The demonstration image: test image {image['index']} ({shown['rule']}; "
            f"ink columns {image['ink_columns'][0]}-{image['ink_columns'][1]}; the first test {shown['label']}, image "
            f"{image['first_of_class']['index']}, keeps {pct(image['first_of_class']['ink_kept'])} of its ink); "
            f"predictions on it {predictions}",
            figures=("q3/figures/demo.png", "q3/figures/demo_in_frame.png", "q3/figures/demo_classes.png"),
        )
    every = shown.get("all_of_class", {}).get("paired")
    if every is not None:
        counts = every["counts"]["7"]
        out["q3.demo.all.cnn_right_mlp_says_7"] = measure(
            float(np.mean(counts)),
            "g",
            spread=(float(min(counts)), float(max(counts)), f"{len(counts)} seed pairs of the original protocols"),
            text=f"{', '.join(str(c) for c in counts)} of all {every['n']} test {shown['label']}s shifted "
            f"{shown['dx']} px right, ink leaving the frame or not: {every['cnn']} says {shown['label']}, "
            f"{every['mlp']} says 7",
            note=f"the in-frame reading keeps only the {paired['n']} test {shown['label']}s whose ink stays inside "
            "the frame (the shifted image is still the whole digit)",
            figures=("q3/figures/demo.png",),
        )
    return out


def _ring_text(rings: dict[str, dict], names: Sequence[str], distances: Sequence[int]) -> str:
    return "; ".join(
        f"{m}: " + ", ".join(f"{r} px {pct(rings[m]['consistency'][str(r)])}" for r in distances)
        for m in names
        if m in rings
    )


def invariance_parts(
    conv: dict, pooled: dict[int, dict[str, np.ndarray]], gains: dict[str, Gain], rings: dict[str, dict]
) -> dict[str, Measurement]:
    """Q3-B part by part (nnsvm.q3.pooling): the convolution's equivariance, the pooling layer, whole networks.

    ``conv``: {"model", "shift_err", "shifts", "rotation_err", "asymmetry", "tol"}; ``pooled``: distance -> pooling ->
    per-image relative change of the first layer's pooled output; ``gains``: key -> consistency gain.
    """
    figs = ("q3/invariance/equivariance.png", "q3/invariance/pooling.png")
    out = {
        "q3b.conv1.shift_err": around(
            conv["shift_err"],
            conv["tol"],
            "e",
            "float32 rounding",
            text=f"{conv['shift_err']:.1e} of the largest response, worst of {conv['shifts']} shifts",
            note=f"{conv['model']}'s first convolution on {conv['n']} test images: the map of a shifted image against "
            "the shifted map, away from the zeros the shift brings in and the padded border",
            figures=figs[:1],
        ),
        "q3b.conv1.rotation_err": around(
            conv["rotation_err"],
            conv["tol"],
            "e",
            "float32 rounding",
            text=f"{pct(conv['rotation_err'])} of the maps' norm (image rotated 90 degrees)",
            note=f"a 90 degree turn of the grid is exact, so the whole difference is the filters': they are not "
            f"rotation-symmetric (||w - rot90(w)|| / ||w|| = {pct(conv['asymmetry'])})",
            figures=figs[:1],
        ),
    }
    for d, changes in pooled.items():
        diff = changes["max"] - changes["stride"]
        half = z_two_sided(LEVEL) * float(diff.std(ddof=1) / np.sqrt(len(diff)))
        mean = float(diff.mean())
        out[f"q3b.pool.max_minus_stride.{d}px"] = measure(
            mean,
            "pct",
            spread=(mean - half, mean + half, f"99% interval of the mean over {len(diff)} test images"),
            text=f"a {d}-px shift changes the first layer's output by {pct(float(changes['max'].mean()))} after max "
            f"pooling, {pct(float(changes['avg'].mean()))} after average pooling, "
            f"{pct(float(changes['stride'].mean()))} after stride-2 subsampling (mean relative change)",
            note="the same trained feature maps, pooled three ways: what the pooling layer alone does to a small shift",
            figures=figs[1:],
        )
    parts = "; ".join(
        f"{g.better} over {g.than} {pct(g.value)}" for g in sorted(gains.values(), key=lambda g: -g.value)
    )
    for key, g in gains.items():
        distances = sorted(g.by_distance)
        out[f"q3b.ablation.{key}"] = measure(
            g.value,
            "pct",
            spread=(
                g.value - g.half_width,
                g.value + g.half_width,
                f"99% interval of a difference of two shares, {g.n} in-frame images per shift; one training seed per "
                "model (the seed-to-seed spread is not in it)",
            ),
            text=f"{g.better} minus {g.than}: {pct(g.value)} of in-frame test images keep their class, mean over "
            f"shifts of {distances[0]}-{distances[-1]} px",
            note="consistency by shift distance: "
            + _ring_text(rings, [g.better, g.than], distances)
            + f". Every part, largest first (points of consistency, mean over 1-{distances[-1]} px): {parts}",
            figures=figs[1:],
        )
    return out
