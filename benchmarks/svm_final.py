"""Benchmark: the final SVM fit + predict with plain scikit-learn and with scikit-learn-intelex, side by side.

Trains the chosen protocol's best model (from reports/q6/final/<protocol>.json,
or --answer-model for the answer's RBF C=10 gamma=1e-4) on that protocol's final
training set and predicts the 14,000 test images, once per engine. Prints the
times, the test accuracies and their agreement, and the ratio. Run it under
the shared lock:  flock /tmp/nnsvm-heavy.lock python benchmarks/svm_final.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nnsvm.core.io import read_json, write_json
from nnsvm.params import load_params
from nnsvm.q6 import data as q6data
from nnsvm.q6.final import accuracy, svc_class
from nnsvm.q6.params import PROTOCOLS, Q6Model
from nnsvm.q6.results import candidate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", default="improved", choices=PROTOCOLS)
    parser.add_argument(
        "--answer-model",
        action="store_true",
        help="the answer's model (q6.published.answer_model) instead of the protocol's best",
    )
    parser.add_argument("--n-train", type=int, default=None, help="first N of the final training set (default: all)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    proto = load_params().q6.protocol(args.protocol)
    data = q6data.load()
    if args.answer_model:
        answer_model = load_params().q6.published.answer_model
        if answer_model is None:
            parser.error("--answer-model: q6.published.answer_model is null in params.yaml")
        c = candidate(Q6Model.model_validate(answer_model.model_dump()).model_dump())
    else:
        c = candidate(read_json(f"reports/q6/final/{args.protocol}.json")["best"])
    x_train, y_train, x_test, y_test = data.final_sets(args.protocol, proto.final_train, proto.scaling)
    x_train, y_train = x_train[: args.n_train], y_train[: args.n_train]
    rows = {}
    for engine in ("sklearnex", "sklearn"):
        start = time.perf_counter()
        model = svc_class(engine)(**c.svc_params()).fit(x_train, y_train)
        fitted = time.perf_counter()
        pred = np.asarray(model.predict(x_test))
        done = time.perf_counter()
        rows[engine] = {
            "fit_s": fitted - start,
            "predict_s": done - fitted,
            "total_s": done - start,
            "test_accuracy": accuracy(y_test, pred),
            "pred": pred,
        }
        print(
            f"{engine:9s} fit {fitted - start:7.1f} s  predict {done - fitted:6.1f} s  "
            f"test accuracy {100 * rows[engine]['test_accuracy']:.2f}%",
            flush=True,
        )
    agree = float(np.mean(rows["sklearn"].pop("pred") == rows["sklearnex"].pop("pred")))
    ratio = rows["sklearn"]["total_s"] / rows["sklearnex"]["total_s"]
    print(
        f"{c.svc_params()} on {len(y_train)} train / {len(y_test)} test: sklearn / sklearnex time ratio {ratio:.1f}x, "
        f"predictions agree on {100 * agree:.2f}% of test images"
    )
    out = args.out or f"reports/q6/benchmarks/svm_final_{'answer_model' if args.answer_model else args.protocol}.json"
    write_json(
        out,
        {
            "model": c.svc_params(),
            "n_train": len(y_train),
            "n_test": len(y_test),
            "engines": rows,
            "ratio": ratio,
            "agreement": agree,
        },
    )


if __name__ == "__main__":
    main()
