"""Q1 measurements for the report: the answer's hand-designed networks, as q1 measured them.

Each value is answer-independent (claims/answer.yaml says what the answer states
of it); the interval beside a value is the measurement's own tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

from nnsvm.measurement import Measurement, around, measure
from nnsvm.q1.measure import FLOAT_TOL


@dataclass(frozen=True)
class StepNet:
    """``reports/q1/step_net.json``: Q1-C's two step neurons on the three clusters."""

    accuracy: float
    n_points: int
    normal: tuple[float, float]
    thresholds: tuple[float, float]
    per_class_accuracy: dict[str, float]

    @classmethod
    def of(cls, record: dict) -> StepNet:
        return cls(
            record["accuracy"],
            record["n_points"],
            tuple(record["normal"]),
            tuple(record["thresholds"]),
            record["per_class_accuracy"],
        )


@dataclass(frozen=True)
class SmallestNet:
    """The fewest hidden layers of a ReLU network equal to T, and each candidate tried (label -> max error)."""

    hidden_layers: int | None
    units: int | None
    tol: float
    candidates: dict[str, float]

    @classmethod
    def of(cls, record: dict) -> SmallestNet:
        errors = {label: c["max_abs_err"] for label, c in record["candidates"].items()}
        return cls(record["hidden_layers"], record.get("units"), record["tol"], errors)


@dataclass(frozen=True)
class ReluNet:
    """``reports/q1/relu_net.json``: Q1-D's five-ReLU network against T."""

    max_abs_err: float  # over the fine grid
    fine_points: int
    answer_grid_err: float  # over the answer's own 100-point grid
    smallest: SmallestNet

    @classmethod
    def of(cls, record: dict) -> ReluNet:
        fine = record["fine"]
        return cls(
            fine["max_abs_err"],
            fine["points"],
            record["answer_grid"]["max_abs_err"],
            SmallestNet.of(record["smallest"]),
        )


@dataclass(frozen=True)
class Pulses:
    """``reports/q1/pulses.json``: Q1-E's sum of square pulses against a continuous function."""

    formula: str
    pulses: list[int]
    sup_err: list[float]
    loglog_slope: float
    tail_pulses: list[int]
    tail_slope: float
    tail_decreasing: bool

    @classmethod
    def of(cls, record: dict) -> Pulses:
        keys = ("formula", "pulses", "sup_err", "loglog_slope", "tail_pulses", "tail_slope", "tail_decreasing")
        return cls(**{k: record[k] for k in keys})


def measurements(step_net: dict, relu_net: dict, pulses: dict, figs: dict[str, str]) -> dict[str, Measurement]:
    """From q1's ``step_net.json``, ``relu_net.json`` and ``pulses.json``; ``figs``: figure name -> path."""
    return (
        _step_net(StepNet.of(step_net), figs["step_net"])
        | _relu_net(ReluNet.of(relu_net), figs["relu_net"])
        | _pulses(Pulses.of(pulses), (figs["pulses"], figs["pulses_fit"]))
    )


def _step_net(c: StepNet, fig: str) -> dict[str, Measurement]:
    return {
        "q1c.accuracy": measure(
            c.accuracy,
            "pct",
            text=f"{c.accuracy:.2%} of {c.n_points} points",
            note=f"two step neurons on the lines n.x = t with n = [{c.normal[0]:.3f}, {c.normal[1]:.3f}] "
            f"from the class means, t = {c.thresholds[0]:.3f}, {c.thresholds[1]:.3f}; output = sum + 1; "
            f"per class {c.per_class_accuracy}",
            figures=(fig,),
        )
    }


def _relu_net(d: ReluNet, fig: str) -> dict[str, Measurement]:
    return {
        "q1d.max_abs_err": around(
            d.max_abs_err,
            FLOAT_TOL,
            "e",
            "float64 rounding",
            text=f"max |net - T| = {d.max_abs_err:.1e} over {d.fine_points} points",
            note="float64 torch module with the answer's weights; on the answer's own 100-point grid "
            f"{d.answer_grid_err:.1e}",
            figures=(fig,),
        ),
        "q1d.hidden_layers_needed": _smallest(d.smallest, fig),
    }


def _pulses(e: Pulses, figs: tuple[str, str]) -> dict[str, Measurement]:
    return {
        "q1e.tail_slope": measure(
            e.tail_slope,
            text=f"log-log slope {e.tail_slope:.2f} for n >= {e.tail_pulses[0]}; sup error "
            f"{e.sup_err[0]:.3g} (n={e.pulses[0]}) -> {e.sup_err[-1]:.3g} (n={e.pulses[-1]})",
            note=f"f = {e.formula}; a slope near -1 is the rate error ~ max|f'| / 2n; "
            f"{e.loglog_slope:.2f} over all n; strictly decreasing for n >= {e.tail_pulses[0]}: "
            f"{e.tail_decreasing}",
            figures=figs,
        )
    }


def _smallest(s: SmallestNet, fig: str) -> Measurement:
    """The fewest hidden layers of a ReLU network equal to T to float precision, from the candidates q1 measured."""
    rows = "; ".join(f"{label}: max error {err:.2g}" for label, err in s.candidates.items())
    if s.hidden_layers is None:
        return measure(None, missing=f"no candidate network equals T to {s.tol:g}: {rows}")
    return measure(
        s.hidden_layers,
        "int",
        text=f"{s.hidden_layers} hidden layer of {s.units} ReLUs: T(x) = 3 ReLU(x) - 4.5 ReLU(x - 1/3)",
        note=f"over the fine grid of [0, 1], {rows} (that one on a 1,001-point grid, whose point nearest 1/3 has "
        "T = 0.999). One ReLU is monotone and T rises to 1 and falls back to 0, so one unit cannot get below 1/2 on "
        "[0, 1]",
        figures=(fig,),
    )
