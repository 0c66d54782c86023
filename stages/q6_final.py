"""Stage q6_final@<protocol>: the best SVM over all kernels and logistic regression on the training part."""

import sys
from pathlib import Path

from nnsvm.core import inputs, tracking
from nnsvm.core.cli import run_stage
from nnsvm.core.config import declared_params, digest, load_section
from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import read_json, write_json
from nnsvm.memory import reuse_freed_memory
from nnsvm.plotting import save_figure
from nnsvm.q6 import data as q6data
from nnsvm.q6 import diagnose, figures, final, results
from nnsvm.q6.params import PROTOCOLS, Q6Params

OUT = Path("reports/q6/final")
MACHINE = Path("reports/machine")  # what the engine check showed on which CPU: committed to git, no DVC output


def main(protocol: str) -> None:
    reuse_freed_memory()  # big kernel matrices: nnsvm.memory
    q6 = load_section("q6", Q6Params)
    if protocol not in PROTOCOLS:
        raise NnsvmError(
            f"protocol {protocol!r} unknown; run `python -m stages.q6_final <one of {', '.join(PROTOCOLS)}>`"
        )
    proto = q6.protocol(protocol)
    stage = f"q6_final@{protocol}"
    with tracking.stage_run(stage, params=declared_params(stage), params_digest=digest(proto)):
        data = q6data.load()
        inputs.use_data("mnist-q6-split", q6data.SPLIT_FILE, data.digest, data.source)
        grids = {k: read_json(f"reports/q6/grid/{k}.json")[protocol] for k in q6.kernels}
        kernel, best = results.best_over_kernels(grids)
        x_train, y_train, x_test, y_test = data.final_sets(protocol, proto.final_train, proto.scaling)
        models = {
            "svm": final.fit_svm(x_train, y_train, x_test, results.candidate(best), q6.engine),
            "logreg": final.fit_logreg(x_train, y_train, x_test, proto.logreg_max_iter),
        }
        if proto.answer_model is not None:
            models["answer_model"] = final.fit_svm(
                x_train, y_train, x_test, results.candidate(proto.answer_model.model_dump()), q6.engine
            )
        raw_test, raw_train = data.x[data.split.test], data.x[data.split.train]
        # The engine fits; libsvm's rule on the fitted coefficients predicts (the engine's predict is not
        # repeatable and wrong on some pairs: the diagnosis measures how much).
        diag = diagnose.diagnose(
            protocol, proto.scaling, q6.engine, models, (x_test, raw_test, y_test), raw_train, q6.diagnose.std_floor
        )
        models = diagnose.by_rule(models, diag, x_train)
        found = final.lr_wrong_svm_right(y_test, models["logreg"].test_pred, models["svm"].test_pred)
        result = results.final_result(kernel, best, y_train, y_test, models, len(found), q6.engine)
        result["svm_predicted_by"] = "libsvm's one-vs-one rule on the fitted coefficients"
        write_json(OUT / f"{protocol}.json", result)
        write_json(OUT / f"{protocol}_zero_as_six.json", zero := diag.to_dict())
        # Which machine showed it: not a DVC output (the CPU differs between machines), committed with the run.
        write_json(MACHINE / f"q6_engine_{protocol}.json", diagnose.machine_record(zero))
        tracking.log_artifact(MACHINE / f"q6_engine_{protocol}.json", "diagnosis")
        figs = figures.final_figures(protocol, raw_test, y_test, models, found, results.describe(best))
        figs["zero_as_six"] = figures.zero_as_six_figure(diag, zero, diagnose.zeros_as_six(diag, raw_test))
        for name, fig in figs.items():
            save_figure(fig, OUT / f"{protocol}_{name}.png")
            tracking.log_artifact(OUT / f"{protocol}_{name}.png", "figures")
        tracking.log_artifact(OUT / f"{protocol}_zero_as_six.json", "diagnosis")
        tracking.log_metrics(results.final_metrics(result) | results.timings(models) | diagnose.metrics(zero))


if __name__ == "__main__":
    item = sys.argv[1] if len(sys.argv) == 2 else "?"
    run_stage(f"q6_final@{item}", lambda: main(item))
