"""Stage q3_invariance: Q3-B part by part, what carries the shift invariance the trained models show.

The first convolution of the corrected LeNet under shifts and a 90 degree turn
(equivariance), the pooling layer alone under small shifts, and whole networks from
q3_shift's in-frame tables: max pooling against average pooling and stride, the MLP,
and the LeNet trained on shifted images (reports/q3/measurements_invariance.json).
"""

from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, load_section
from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import read_json, write_json
from nnsvm.data import mnist
from nnsvm.measurement import DataLabel, figures_of, measurement_metrics, write_measurements
from nnsvm.nets import checkpoint, train
from nnsvm.plotting import save_figure
from nnsvm.q3 import measurements, pooling, pooling_figures
from nnsvm.q3.params import Q3Params

STAGE = "q3_invariance"
OUT = Path("reports/q3/invariance")
MODEL = "lenet"  # the corrected LeNet: ReLU, max pooling, trained on centred digits
POOLED_SHIFTS = (1, 2, 3)  # pixels, along x and along y
GAINS = {  # measurement key -> (model, compared with): whole networks, in-frame shift consistency
    "pool_gain.max": ("lenet", "lenet_stride"),
    "pool_gain.avg": ("lenet_avgpool", "lenet_stride"),
    "conv_gain": ("lenet_stride", "mlp"),
    "data_gain": ("lenet_shiftaug", "lenet"),
}
SHOWN = ["mlp", "lenet_stride", "lenet_avgpool", "lenet", "lenet_shiftaug"]
FLOAT32_TOL = 1e-5  # relative: float32 sums of 25 products


def main() -> None:
    p = load_section("q3", Q3Params)
    s = p.shift
    if missing := sorted({m for pair in GAINS.values() for m in pair} - set(p.models)):
        raise NnsvmError(f"q3.models lacks {', '.join(missing)}, which the pooling ablation compares; add them back")
    train.set_threads(p.threads)
    with tracking.stage_run(STAGE, params=declared_params(STAGE)):
        device = train.resolve_device(p.device)
        data = mnist.load("data/mnist")
        label = DataLabel(source=data.source, train=len(data.y_train), test=len(data.y_test), digest=data.digest)
        inputs.use_data("mnist", "data/mnist", data.digest, data.source, "evaluation")
        n = s.max_test or len(data.y_test)
        x, _ = train.to_tensors(data.x_test[:n], data.y_test[:n], device)
        net = checkpoint.load(f"models/q3/{MODEL}.pt", device)[0]
        conv_found = pooling.conv_parts(net.conv1, x, s.max_shift, FLOAT32_TOL, MODEL)
        changed = pooling.pooled_changes(net.conv1, net.act, x, POOLED_SHIFTS, s.batch_size)
        rings = read_json("reports/q3/shift_inframe_by_distance.json")
        distances = list(range(1, s.max_shift + 1))
        gains = {key: pooling.consistency_gain(rings, a, b, distances) for key, (a, b) in GAINS.items()}
        write_json(OUT / "invariance.json", pooling.record(conv_found, changed, gains))
        save_figure(pooling_figures.equivariance(net.conv1, x[0], 3, 2, MODEL), OUT / "equivariance.png")
        save_figure(pooling_figures.pooling(changed, rings, SHOWN, MODEL), OUT / "pooling.png")
        found = measurements.invariance_parts(conv_found, changed, gains, rings)
        write_measurements(OUT / "measurements.json", stage=STAGE, measurements=found, data=label)
        tracking.log_claims(measurement_metrics(found), [OUT.parent.parent / f for f in figures_of(found)])


if __name__ == "__main__":
    run_stage(STAGE, main)
