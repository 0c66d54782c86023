"""The `nnsvm` command: answer files checked (every problem at once), judged offline, a class table made."""

from __future__ import annotations

import csv
import json
import re

import pytest
import yaml
from conftest import REPO

from nnsvm import answers, cli
from nnsvm.measurement import DataLabel, around, measure, read_measurements, write_measurements

CLASS = sorted((REPO / "claims" / "answers").glob("*.yaml"))
ALL_ANSWERS = [REPO / "claims" / "answer.yaml", *CLASS]


@pytest.fixture()
def reports(tmp_path):
    """A reports folder with two measurements: a share (q6.cv) and a number (q4a.b), from full MNIST."""
    out = tmp_path / "reports"
    write_measurements(
        out / "q6" / "measurements.json",
        stage="q6_report",
        measurements={"q6.cv": around(0.88, 0.02, "pct", "over folds"), "q4a.b": measure(3.5)},
        data=DataLabel(source="full", train=60000, test=10000, digest="ab12"),
    )
    return out


CLAIM = """  - id: {id}
    question: Q6
    claim: the best CV accuracy
    says: the number
    source: [text]
    kind: experiment
    checks:
      - {{measure: {measure}, value: {value}}}
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    got = capsys.readouterr()
    return code, got.out, got.err


def test_every_malformed_claim_is_reported_with_its_line_and_id(reports, tmp_path, capsys):
    """It reports an unknown measure (with the closest name), a share written in percent and a missing field,
    all at once, each with file, line and claim id; exits 2 and writes nothing."""
    text = (
        'answer: "a student"\nclaims:\n'
        + CLAIM.format(id="typo", measure="q6.vc", value=0.88)
        + CLAIM.format(id="percent", measure="q6.cv", value=88.0)
        + CLAIM.format(id="no-kind", measure="q6.cv", value=0.88).replace("    kind: experiment\n", "")
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    code, out, err = run(capsys, "--reports", reports, "judge", bad, "-o", tmp_path / "out")
    lines = text.splitlines()
    problems = [line.strip() for line in err.splitlines() if line.startswith("  ")]
    assert code == 2 and not (tmp_path / "out").exists() and len(problems) == 3
    for problem, (claim, needle) in zip(problems, [("typo", "q6.vc"), ("percent", "88.0"), ("no-kind", "id: no-kind")]):
        where, line = re.match(rf"({re.escape(str(bad))}):(\d+): claim {claim}: ", problem).groups()
        assert needle in lines[int(line) - 1], problem
    assert "closest: q6.cv" in problems[0] and "outside 0 to 1" in problems[1] and "kind: missing field" in problems[2]


def test_bad_yaml_is_reported_with_line_and_column(reports, tmp_path, capsys):
    """It names PyYAML's line and column of a syntax error and exits 2."""
    bad = tmp_path / "bad.yaml"
    bad.write_text('answer: "a student"\nclaims:\n  - id: x\n    checks: [{measure: q6.cv, value: 0.88}\n')
    code, _, err = run(capsys, "--reports", reports, "check", bad)
    assert code == 2 and re.search(
        rf"{re.escape(str(bad))}:5: claim \(file\): not valid YAML at line 5, column \d+", err
    )


def test_a_filled_template_is_judged_offline_with_the_measurements_data_label(reports, tmp_path, capsys, monkeypatch):
    """It writes a template listing the measures with their units, judges it once a value is filled (the blank
    claims left out) and names the data the measurements record, with no MNIST anywhere."""
    assignment = tmp_path / "assignment.yaml"
    assignment.write_text(
        'answer: "x"\nclaims:\n'
        + CLAIM.format(id="cv", measure="q6.cv", value=0.9)
        + CLAIM.format(id="b", measure="q4a.b", value=3.5).replace(
            "kind: experiment", "kind: fact\n    correction: b = 3.5"
        )
    )
    code, template, _ = run(capsys, "--reports", reports, "template", "--assignment", assignment)
    assert code == 0 and "measure: q6.cv  # a share from 0 to 1" in template and template.count("value:  # fill") == 2
    mine = tmp_path / "mine.yaml"
    mine.write_text(template.replace("value:  # fill in", "value: 0.87", 1))
    code, out, err = run(capsys, "--reports", reports, "judge", mine, "-o", tmp_path / "out")
    verdicts = json.loads((tmp_path / "out" / "mine" / "verdicts.json").read_text())
    assert code == 0 and list(verdicts["claims"]) == ["cv"] and verdicts["claims"]["cv"]["verdict"] == "confirmed"
    assert verdicts["data"] == "full MNIST (60000 train / 10000 test, digest ab12), as recorded by stage q6_report"
    assert "1 left blank" in out


def test_measures_lists_value_interval_unit_and_stage(reports, capsys):
    """It prints each measurement matching the pattern with its value, interval, unit and stage."""
    code, out, _ = run(capsys, "--reports", reports, "measures", "q6.*")
    assert code == 0 and "q6.cv  = 88.00%  [86.00% to 90.00%]  unit: a share from 0 to 1" in out
    assert "(stage q6_report)" in out and "q4a.b" not in out


def test_every_command_has_help(capsys):
    """It answers --help on the tool and on each command."""
    for args in ([], ["judge"], ["check"], ["measures"], ["template"]):
        with pytest.raises(SystemExit) as done:
            cli.main([*args, "--help"])
        assert done.value.code == 0 and "usage: nnsvm" in capsys.readouterr().out


def test_the_class_is_judged_against_the_committed_measurements(tmp_path, capsys):
    """It judges the committed answer and the three made-up ones in a temp folder: one report per answer, and
    a class table whose cells are each answer's verdicts, with per-claim counts."""
    out = tmp_path / "class"
    code, stdout, _ = run(capsys, "--reports", REPO / "reports", "judge", *ALL_ANSWERS, "-o", out)
    assert code == 0 and len(CLASS) == 3
    rows = list(csv.reader((out / "class.csv").open()))
    claims = rows[0][2:]
    for row in rows[1 : 1 + len(ALL_ANSWERS)]:
        verdicts = json.loads((out / row[0] / "verdicts.json").read_text())["claims"]
        assert {c: v for c, v in zip(claims, row[2:]) if v} == {c: v["verdict"] for c, v in verdicts.items()}
    counts = {r[0]: r[2:] for r in rows[1 + len(ALL_ANSWERS) :]}
    dz = claims.index("q2a.dz")
    assert (
        sum(int(counts[f"count: {v}"][dz]) for v in ("confirmed", "corrected", "not reproduced", "not checkable")) == 3
    )
    md = (out / "class.md").read_text()
    assert re.search(r"\d of 4 answers got q\S+ \(Q\d(-[A-E])?\) wrong", md)
    assert (out / "class.png").read_bytes()[:4] == b"\x89PNG" and "class.png" in (out / "class.html").read_text()


def test_one_answers_reports_are_small(tmp_path, capsys):
    """It keeps each answer's files small: figures are linked from reports/, never copied or inlined."""
    run(capsys, "--reports", REPO / "reports", "judge", REPO / "claims" / "answer.yaml", "-o", tmp_path)
    sizes = {p.name: p.stat().st_size for p in (tmp_path / "answer").iterdir()}
    assert sizes["report.html"] < 300_000 and "base64" not in (tmp_path / "answer" / "report.html").read_text()


NUMBER = re.compile(r"(?<![\w.^])(-?\d+(?:\.\d+)?%|-?\d+\.\d+)(?![\w.]*\w)")


def stated_numbers(text: str) -> list[str]:
    """The result numbers a claim's words state: decimals and percentages (not equation numbers or sizes)."""
    return NUMBER.findall(text)


def matches(stated: str, values: list[float]) -> bool:
    """Whether a number as written (``93.08%``, ``0.25``) is one of the checks' values at its written precision; a
    percentage may be a share or its complement (4% error for 96% accuracy)."""
    pct = stated.endswith("%")
    x = float(stated.rstrip("%"))
    digits = len(stated.rstrip("%").split(".")[1]) if "." in stated else 0
    candidates = [100 * v for v in values] + [100 * (1 - v) for v in values] if pct else values
    return any(abs(x - v) <= 0.5 * 10**-digits + 1e-9 for v in candidates)


def names_cell(stated: str, measures: list[str]) -> bool:
    """Whether a number names which cell a check measures (``C = 0.1`` in ``q6.published.cell_gap.linear.C0.1``): a
    setting the check's measure name holds, not a result."""
    return any(re.search(rf"(?:C|gamma){re.escape(stated)}(?![\d])", m) for m in measures)


def test_stated_numbers_match_helper_catches_a_changed_number():
    """It finds 93.08% in words whose check says 0.7308, and accepts it when the check says 0.9308."""
    assert stated_numbers("The MLP 784-300-50-10 reaches 93.08% on MNIST") == ["93.08%"]
    assert matches("93.08%", [0.9308]) and not matches("93.08%", [0.7308]) and matches("4%", [0.96])
    assert names_cell("0.1", ["q6.published.cell_gap.poly3.C0.1.gamma0.1"])
    assert not names_cell("0.1", ["q6.published.cell_gap.poly3.C0.01.gamma1"])


@pytest.mark.parametrize("path", ALL_ANSWERS, ids=lambda p: p.name)
def test_a_claims_words_state_only_numbers_its_checks_hold(path):
    """It fails when a claim's words (claim, says) state a result number that none of its checks holds: the report
    prints the checks' numbers, so words and checks must say the same."""
    loaded = answers.load(path, read_measurements(REPO / "reports").values)
    wrong = [
        f"{c.id}: {n!r} in {field}"
        for c in loaded.answer.claims
        for field in ("claim", "says")
        for n in stated_numbers(getattr(c, field))
        if not matches(n, [ch.value for ch in c.checks]) and not names_cell(n, [ch.measure for ch in c.checks])
    ]
    assert not wrong, wrong


def test_the_made_up_answers_are_valid_yaml_answers():
    """It keeps the three made-up answers loadable by PyYAML and naming their claims by id."""
    for path in CLASS:
        data = yaml.safe_load(path.read_text())
        assert data["answer"].startswith("Student") and all("id" in c for c in data["claims"])


def test_the_pipeline_accepts_a_measure_its_profile_did_not_write(reports, tmp_path):
    """It lets the pipeline's own run leave a claim on an unwritten measure not checkable (names=False), where
    `nnsvm check` refuses the name."""
    text = 'answer: "a student"\nclaims:\n' + CLAIM.format(id="later", measure="q6.cv.epoch40", value=0.88)
    path = tmp_path / "a.yaml"
    path.write_text(text)
    measured = read_measurements(reports).values
    assert answers.validate(path, measured)[1] and not answers.validate(path, measured, names=False)[1]
