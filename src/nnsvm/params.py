"""The whole of ``params.yaml`` as one typed model.

Stages load only their own section (``nnsvm.core.config.load_section``), so
that editing one question's params code reruns only that question. This
module composes every section, for tests, benchmarks and a whole-file check:
``python -m nnsvm.params``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nnsvm.core.config import PARAMS_FILE, Section, read_params, validate
from nnsvm.core.errors import NnsvmError
from nnsvm.data.mnist import MnistParams
from nnsvm.data.toy import ToyParams
from nnsvm.q1.params import Q1Params
from nnsvm.q2.params import Q2Params
from nnsvm.q3.params import Q3Params
from nnsvm.q4.params import Q4Params
from nnsvm.q5.params import Q5Params
from nnsvm.q6.params import Q6Params


class DataParams(Section):
    mnist: MnistParams


class Params(Section):
    """The whole of ``params.yaml``."""

    data: DataParams
    toy: ToyParams
    q1: Q1Params
    q2: Q2Params
    q3: Q3Params
    q4: Q4Params
    q5: Q5Params
    q6: Q6Params


def load_params(path: str | Path = PARAMS_FILE) -> Params:
    """Read and validate the whole of ``path``; raise NnsvmError naming the first bad key."""
    return validate(Params, read_params(path), path=path)


if __name__ == "__main__":
    try:
        load_params(sys.argv[1] if len(sys.argv) > 1 else PARAMS_FILE)
    except NnsvmError as exc:
        print(f"nnsvm params: error: {exc}", file=sys.stderr)
        sys.exit(2)
    print("params.yaml: valid")
