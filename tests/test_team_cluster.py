"""Q6's grid on a Dask cluster: the same scores as on this machine's cores."""

import pytest
from sklearn.datasets import load_digits

from nnsvm.core.errors import NnsvmError
from nnsvm.q6.grid import SCHEDULER_ENV, candidates, grid_search, search
from nnsvm.q6.params import Q6KernelGrid

GRID = Q6KernelGrid(kernel="rbf", C=(1.0, 10.0), gamma=(0.01, 0.1))


@pytest.fixture(scope="module")
def digits():
    x, y = load_digits(return_X_y=True)
    return x[:300] / 16.0, y[:300]


@pytest.fixture(scope="module")
def cluster():
    """A two-worker LocalCluster (one thread each), as a real cluster would be reached: by address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local.scheduler_address


def test_dask_grid_equals_the_local_grid(digits, cluster, monkeypatch):
    """It gives bit-identical fold scores on two Dask workers and on local processes, the refined pass included."""
    x, y = digits
    local = search(x, y, GRID, 3, 1, refine_factor=2.0)
    monkeypatch.setenv(SCHEDULER_ENV, cluster)
    remote = search(x, y, GRID, 3, 2, refine_factor=2.0)
    assert [(s.candidate, s.fold_scores) for s in remote] == [(s.candidate, s.fold_scores) for s in local]
    assert len(local) == 4 + 8 and min(s.mean for s in local) > 0.1


def test_dask_grid_runs_on_the_workers(digits, cluster, monkeypatch):
    """It sends the (gamma, fold) tasks to the cluster's workers, not to this process."""
    from distributed import Client

    x, y = digits
    monkeypatch.setenv(SCHEDULER_ENV, cluster)
    with Client(cluster, set_as_default=False) as client:
        before = sum(client.run(lambda dask_worker: dask_worker.state.executed_count).values())
        grid_search(x, y, candidates(GRID), 3, 1)
        after = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert len(after) == 2 and sum(after.values()) - before >= 2 * 3  # 2 gammas x 3 folds


def test_unreachable_scheduler_names_the_cause_and_the_fix(digits, monkeypatch):
    """It stops with one line naming the address, the cause and both fixes, when no scheduler answers."""
    x, y = digits
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:9")
    with pytest.raises(NnsvmError, match=r"tcp://127.0.0.1:9 is unreachable .*dask scheduler.*unset NNSVM_DASK"):
        grid_search(x, y, candidates(GRID), 3, 1)
