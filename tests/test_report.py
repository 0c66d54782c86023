"""The report's content model and its two renderings."""

import re

import numpy as np
import pytest

from nnsvm import report
from nnsvm.plotting import save_figure, scatter_labelled

MANIFEST = {
    "source": "full",
    "warning": None,
    "train_count": 60000,
    "test_count": 10000,
    "files": {"train-images-idx3-ubyte": {"sha256": "ab" * 32, "count": 60000}},
}


def claims_file(run_id="r1", **claim):
    base = dict(
        question="Q4-A",
        claim="w and b",
        answer="b = 3.49",
        measured="b = 3.5000",
        verdict="corrected",
        evidence="exact",
        figures=[],
        metrics={"q4a.b": 3.5},
    )
    return {
        "stage": "svm",
        "run_id": run_id,
        "claims": [base | claim],
        "headline": [{"quantity": "SVM b", "answer": "3.49", "original_protocol": "3.49975", "improved": "3.5"}],
    }


RECORDS = [
    {
        "stage": "svm",
        "run_id": "r1",
        "wall_seconds": 2.5,
        "git_commit": "abc123",
        "host": {"cpu": "c", "gpu": "g", "python": "3"},
    },
    {"stage": "report", "run_id": "r0", "wall_seconds": 1.0, "git_commit": "abc123"},
]


ORIGIN = {"origin": "file:///m", "route": "mirror", "recorded_at": "2025-01-01T00:00:00+00:00"}


def content(files, manifest=MANIFEST):
    prov = report.provenance(manifest, ORIGIN, "torch==2.14.1\nnumpy==2.3.0\n", "nnsvm")
    return report.build(files, prov, RECORDS)


def test_claims_are_grouped_by_question_in_the_answers_order():
    """It puts Q1 before Q4 and keeps each claim's run ID."""
    c = content([claims_file(), claims_file("r2", question="Q1-D", claim="relu")])
    keys = [s.key for s in c.sections]
    assert keys == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    assert c.sections[0].claims[0]["run_id"] == "r2" and c.sections[3].run_ids == ["r1"]
    assert c.verdicts == {"confirmed": 0, "corrected": 2, "differs": 0}


def test_unknown_question_is_refused():
    """It refuses a claim that belongs to no question of the assignment."""
    with pytest.raises(ValueError, match="Q9"):
        report.sections([claims_file(question="Q9")])


def test_stage_table_comes_from_the_run_records():
    """It lists every stage's run record but the report's own, with its commit and time, and their total."""
    c = content([claims_file()])
    assert [(st.stage, st.run_id, st.seconds, st.git_commit) for st in c.stages] == [("svm", "r1", 2.5, "abc123")]
    assert c.provenance["total_seconds"] == 2.5 and c.provenance["machine"] == "c; GPU: g; Python 3"
    assert c.provenance["packages"] == {"torch": "2.14.1", "numpy": "2.3.0"}


def test_html_is_self_contained(tmp_path):
    """It inlines figures as data URIs and references nothing outside the page."""
    save_figure(scatter_labelled(np.zeros((2, 2)), np.array([1, -1]), "t"), tmp_path / "q4" / "f.png")
    html = report.render_html(content([claims_file(figures=["q4/f.png"])]), tmp_path)
    assert re.findall(r'<img [^>]*src="data:image/png;base64,', html)
    assert not re.search(r'(src|href)="(?!data:|#)', html)
    assert "3.5000" in html and "corrected" in html and "r1" in html


def test_markdown_links_figures_relative_to_reports():
    """It links each figure by its path under reports/."""
    md = report.render_markdown(content([claims_file(figures=["q4/f.png"])]))
    assert "![q4/f.png](q4/f.png)" in md
    assert "| SVM b | 3.49 | 3.49975 | 3.5 |" in md


def test_subset_data_shows_a_warning_banner(tmp_path):
    """It puts the fallback warning at the top of both renderings."""
    subset = MANIFEST | {"source": "subset", "warning": "using the 5,000-image subset"}
    c = content([claims_file()], subset)
    html = report.render_html(c, tmp_path)
    assert 'id="subset-warning"' in html and html.index("subset-warning") < html.index("Headline")
    assert "> **Warning: using the 5,000-image subset.**" in report.render_markdown(c)


def test_full_data_shows_no_banner(tmp_path):
    """It shows no warning for the full set."""
    assert "subset-warning" not in report.render_html(content([claims_file()]), tmp_path)


def test_readme_block_is_replaced_between_markers():
    """It swaps only the marked block of README and leaves a README without markers alone."""
    readme = f"intro\n{report.README_START}\nold table\n{report.README_END}\noutro\n"
    synced = report.sync_readme(readme, "| new |\n")
    assert synced == f"intro\n{report.README_START}\n| new |\n{report.README_END}\noutro\n"
    assert report.sync_readme("no markers", "| t |") == "no markers"


def test_committed_readme_shows_the_committed_headline_table():
    """It keeps README's headline table equal to reports/headline.md: the report writes it, `make readme` copies it."""
    from conftest import REPO

    table = (REPO / "reports" / "headline.md").read_text()
    readme = (REPO / "README.md").read_text()
    assert report.sync_readme(readme, table) == readme
    assert report.README_START in readme


def test_a_figure_cited_twice_is_shown_once(tmp_path):
    """It embeds a figure with the first claim citing it and links back to it from later ones."""
    save_figure(scatter_labelled(np.zeros((2, 2)), np.array([1, -1]), "t"), tmp_path / "q4" / "f.png")
    file = claims_file(figures=["q4/f.png"])
    file["claims"].append(file["claims"][0] | {"claim": "again"})
    html = report.render_html(content([file]), tmp_path)
    assert html.count("<img ") == 1
    assert '<a href="#fig-q4-f-png">q4/f.png</a>' in html
