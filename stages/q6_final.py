"""Stage q6_final@<protocol>: the best SVM over all kernels and logistic regression on the training part."""

import sys
from pathlib import Path

from nnsvm import tracking
from nnsvm.cli import run_stage
from nnsvm.errors import NnsvmError
from nnsvm.io import read_json, write_json
from nnsvm.params import digest, load_params
from nnsvm.plotting import save_figure
from nnsvm.q6 import data as q6data
from nnsvm.q6.figures import confusion_figure, digit_grid, show_digit
from nnsvm.q6.final import accuracy, confusion, fit_logreg, fit_svm, lr_wrong_svm_right
from nnsvm.q6.report import KERNELS, SEED_MODEL, best_over_kernels, candidate

OUT = Path("reports/q6/final")
N_SHOWN = 24
PROTOCOLS = ("published", "improved")


def main(protocol: str) -> None:
    if protocol not in PROTOCOLS:
        raise NnsvmError(f"protocol {protocol!r} unknown; run `python -m stages.q6_final <one of {', '.join(PROTOCOLS)}>`")
    q6 = load_params().q6
    proto = getattr(q6, protocol)
    data = q6data.load()
    grids = {k: read_json(f"reports/q6/grid/{k}.json")[protocol] for k in KERNELS}
    kernel, best = best_over_kernels(grids)
    train = data.split.train if proto.final_train == "all" else data.split.rest(protocol)
    scale = data.scaler(proto.scaling)
    x_train, y_train, x_test, y_test = scale(data.x[train]), data.y[train], scale(data.x[data.split.test]), data.y[data.split.test]
    svm = fit_svm(x_train, y_train, x_test, candidate(best), q6.engine)
    lr = fit_logreg(x_train, y_train, x_test, proto.logreg_max_iter)

    found = lr_wrong_svm_right(y_test, lr.test_pred, svm.test_pred)
    raw = data.x[data.split.test]
    captions = [f"true {y_test[i]}  LR {lr.test_pred[i]}\nSVM {svm.test_pred[i]}" for i in found[:N_SHOWN]]
    figs = {
        "confusion": confusion_figure({"SVM": confusion(y_test, svm.test_pred), "logistic regression": confusion(y_test, lr.test_pred)}, f"Q6 {protocol}: test confusion matrices"),
        "digits": digit_grid(raw[found[:N_SHOWN]], captions, f"Q6 {protocol}: test digits logistic regression gets wrong and the SVM right ({len(found)} in all)"),
        "one_digit": show_digit(raw[found[0]] if len(found) else raw[0], captions[0] if len(found) else "none found"),
    }
    for name, fig in figs.items():
        save_figure(fig, OUT / f"{protocol}_{name}.png")
    result = {
        "kernel_key": kernel, "best": best, "train_size": len(train), "test_size": len(y_test), "lr_wrong_svm_right": len(found),
        "svm": {"train_accuracy": accuracy(y_train, svm.train_pred), "test_accuracy": accuracy(y_test, svm.test_pred),
                "fit_seconds": svm.fit_seconds, "predict_seconds": svm.predict_seconds, "engine": q6.engine},
        "logreg": {"train_accuracy": accuracy(y_train, lr.train_pred), "test_accuracy": accuracy(y_test, lr.test_pred), "fit_seconds": lr.fit_seconds},
    }
    if proto.fit_seed_model:
        seed = fit_svm(x_train, y_train, x_test, SEED_MODEL, q6.engine)
        result["seed_model"] = {"train_accuracy": accuracy(y_train, seed.train_pred), "test_accuracy": accuracy(y_test, seed.test_pred), "fit_seconds": seed.fit_seconds}
    write_json(OUT / f"{protocol}.json", result)

    with tracking.stage_run(
        f"q6_final@{protocol}", params={f"q6.{protocol}": proto.model_dump(mode="json"), "q6.engine": q6.engine},
        params_digest=digest(proto), data_digest=data.digest, data_source=data.source,
    ):
        tracking.log_metrics({f"svm.{k}": v for k, v in result["svm"].items() if k != "engine"} | {f"logreg.{k}": v for k, v in result["logreg"].items()}
                             | {"lr_wrong_svm_right": len(found), "best.cv_accuracy": best["cv_accuracy"]}
                             | {f"seed_model.{k}": v for k, v in result.get("seed_model", {}).items()})
        for name in figs:
            tracking.log_artifact(OUT / f"{protocol}_{name}.png", "figures")


if __name__ == "__main__":
    item = sys.argv[1] if len(sys.argv) == 2 else ""
    run_stage(f"q6_final@{item}", lambda: main(item))
