"""Does this machine's SVM engine disagree with libsvm's rule (and with plain scikit-learn) on Q6's data?

Fits the original protocol's best SVM (reports/q6/final/published.json; --answer-model
for the answer's RBF C=10 gamma=1e-4) on the protocol's final training set with the
configured engine (scikit-learn-intelex) and with plain scikit-learn, then compares on
the test images: the engine's predict, the vote of its own one-vs-one decision values,
libsvm's rule on its exported coefficients, and plain scikit-learn's predict. Prints
the machine's CPU and SIMD flags beside the counts and writes them as JSON.

The committed run's engine check lives in reports/machine/q6_engine_published.json.
Needs the pipeline's data (data/mnist, data/q6/split.npz: `dvc repro q6_split`).
The full set takes minutes; --n-train/--n-test take the first N images for a quick
look (a fault that depends on the support vectors may not show on a subset). Run it
under the shared lock:  flock /tmp/nnsvm-heavy.lock python benchmarks/q6_engine_check.py
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchlib import output_dir  # benchmarks/ is on sys.path

from nnsvm.core.io import read_json, write_json
from nnsvm.params import load_params
from nnsvm.q6 import data as q6data
from nnsvm.q6 import diagnose
from nnsvm.q6.final import svc_class
from nnsvm.q6.results import candidate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answer-model", action="store_true", help="the answer's model instead of the best")
    parser.add_argument("--n-train", type=int, default=None, help="first N of the final training set (default: all)")
    parser.add_argument("--n-test", type=int, default=None, help="first N of the test set (default: all)")
    parser.add_argument("--out", type=Path, default=None, help="folder (default: reports/benchmarks; a subset: temp)")
    args = parser.parse_args()
    q6 = load_params().q6
    proto = q6.published
    if args.answer_model:
        if proto.answer_model is None:
            parser.error("--answer-model: q6.published.answer_model is null in params.yaml")
        c = candidate(proto.answer_model.model_dump())
    else:
        c = candidate(read_json("reports/q6/final/published.json")["best"])
    x_train, y_train, x_test, y_test = q6data.load().final_sets("published", proto.final_train, proto.scaling)
    x_train, y_train = x_train[: args.n_train], y_train[: args.n_train]
    x_test, y_test = x_test[: args.n_test], y_test[: args.n_test]
    engine = svc_class(q6.engine)(**c.svc_params()).fit(x_train, y_train)
    plain = svc_class("sklearn")(**c.svc_params()).fit(x_train, y_train)
    result = {
        "model": c.svc_params(),
        "n_train": len(y_train),
        "cpu": diagnose.cpu(),
        "engine": diagnose.engine_version(q6.engine),
        "plain": diagnose.engine_version("sklearn"),
    } | diagnose.engine_check(engine, plain, x_test, y_test)
    print(json.dumps(result, indent=1))
    subset = args.n_train is not None or args.n_test is not None
    write_json(output_dir(args.out, quick=subset) / "q6_engine_check.json", result)


if __name__ == "__main__":
    main()
