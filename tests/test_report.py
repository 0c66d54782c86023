"""The report's content model and its two renderings."""

import re

import pytest

from nnsvm import report, timings
from nnsvm.claims import AnswerFile
from nnsvm.measurement import DataLabel, Measured, around, measure

FULL = DataLabel(source="full", train=60000, test=10000, digest="ab12")
SUBSET = DataLabel(source="subset", train=4000, test=1000, digest="cd34")


def answer(*claims, headline=()):
    return AnswerFile.model_validate({"answer": "test answer", "claims": list(claims), "headline": list(headline)})


def spec(id="q4a.b", question="Q4-A", value=3.49, kind="fact", **kw):
    base = {
        "id": id,
        "question": question,
        "claim": "w and b",
        "says": "b = 3.49",
        "source": ["text"],
        "kind": kind,
        "checks": [{"measure": "q4a.b", "value": value}],
        "correction": "b = 3.5",
    }
    return base | kw


def measured(figures=(), stage="svm", data=FULL, **extra):
    values = {"q4a.b": around(3.5, 1e-3, "g", "solver tolerance", figures=figures)} | extra
    return Measured(values, dict.fromkeys(values, stage), {stage: data} if data else {})


RECORDS = [
    {
        "stage": "svm",
        "run_id": "r1",
        "wall_seconds": 2.5,
        "git_commit": "abc123",
        "host": {"cpu": "c", "gpu": "g", "python": "3"},
    },
    {"stage": "report", "run_id": "r0", "wall_seconds": 1.0, "git_commit": "abc123", "git_dirty": True},
]


def content(ans=None, found=None, data=FULL):
    found = found or measured(data=data)
    prov = report.provenance(found, "torch==2.14.1\nnumpy==2.3.0\n", "nnsvm")
    return report.build(ans or answer(spec()), found, prov)


def test_claims_are_grouped_by_question_in_the_answers_order():
    """It puts Q1 before Q4, names the stages behind each section and counts the verdicts the rule gave."""
    c = content(answer(spec(), spec("q1d", "Q1-D", value=3.5)))
    assert [s.key for s in c.sections] == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    assert c.sections[0].claims[0]["verdict"] == "confirmed" and c.sections[3].stages == ["svm"]
    assert c.verdicts == {"confirmed": 1, "corrected": 1, "not reproduced": 0, "not checkable": 0}
    assert c.sections[3].claims[0]["correction"] == "b = 3.5" and not c.sections[0].claims[0]["correction"]


def test_unknown_question_is_refused():
    """It refuses a claim that belongs to no question of the assignment."""
    with pytest.raises(ValueError, match="question"):
        answer(spec(question="Q9"))


def test_report_opens_with_the_counts_then_every_claim():
    """It opens with the verdict counts, a table of contents and a table of every claim, before the headline and
    the sections, and defines the four verdicts, in both renderings."""
    c = content(answer(spec(), spec("q1d", "Q1-D", value=3.5)))
    md, html = report.render_markdown(c), report.render_html(c)
    assert "**1 confirmed, 1 corrected, 0 not reproduced, 0 not checkable** of the answer's 2 claims" in md
    assert "| [q1d](#claim-q1d) | Q1-D | = 3.5 | 3.5 | confirmed |" in md
    assert '<a href="#claim-q4a-b">q4a.b</a>' in html and 'id="claim-q4a-b"' in html and 'id="toc"' in html
    for text in (md, html):
        assert text.index("Every claim") < text.index("Headline numbers") < text.index("Q1. Multilayer")
        assert text.index("How a verdict is reached") and all(v in text for v in report.RULE)


def test_each_check_shows_source_tolerance_and_outcome():
    """It shows the source, the written precision, the measured interval and the confirmation range of each check."""
    c = content(answer(spec(checks=[{"measure": "q4a.b", "value": 3.49, "tol": 0.005, "written": "truncated"}])))
    md = report.render_markdown(c)
    assert "The answer (the answer's text)" in md
    row = "| `q4a.b` | = 3.49 (truncated: 3.49 to 3.5) | 3.5 | 3.5 ± 0.001 (solver tolerance) | yes |"
    assert row + " would confirm any value from 3.489 to 3.501 |" in md


def test_timings_page_comes_from_the_run_records():
    """It lists every run record, the report's own too, with its MLflow run, Duration and commit, and their total."""
    md = timings.timings_markdown(RECORDS)
    assert "| svm | `r1` |  | 2.5 s | `abc123` |" in md and "| report | `r0` |  | 1.0 s | `abc123` (dirty) |" in md
    assert "| all stages | | | 3.5 s | |" in md and "Machine: c; GPU: g; Python 3" in md


def test_report_files_hold_no_run_id_or_time(tmp_path):
    """It keeps run IDs and times out of the report's DVC-hashed files and links the timings page instead."""
    c = content(found=measured(stage="q4_svm"))
    assert c.provenance["packages"] == {"torch": "2.14.1", "numpy": "2.3.0"}
    files = report.render_all(c)
    assert not [name for name, text in files.items() if re.search(r"\b[0-9a-f]{32}\b", text) or "wall" in text]
    assert (
        "[timings.md](timings.md)" in files["report.md"] and "<code>reports/timings.md</code>" in files["report.html"]
    )


def test_html_links_shared_figures_and_escapes_text():
    """It links each figure by its relative path (one copy for every answer), links nothing off the machine, and
    escapes text such as '<='."""
    html = report.render_html(content(answer(spec(claim="K(x,y)^2 <= K(x,x)"))))
    assert "K(x,y)^2 &lt;= K(x,x)" in html and "<= K(x,x)" not in html
    c = content(found=measured(figures=("q4/f.png",)))
    assert re.findall(r'<img [^>]*src="q4/f.png"', report.render_html(c))
    assert re.findall(r'<img [^>]*src="../../q4/f.png"', report.render_html(report.with_figure_root(c, "../..")))
    assert not re.search(r'(src|href)="(https?:|//)', report.render_html(c)) and "base64" not in report.render_html(c)


def test_markdown_links_figures_relative_to_reports_or_to_another_folder():
    """It links each figure by its path under reports/, or back to it from another answer's folder."""
    c = content(
        answer(spec(improved="q4a.exact"), headline=[{"quantity": "SVM b", "claim": "q4a.b", "improved": "q4a.exact"}]),
        measured(figures=("q4/f.png",), **{"q4a.exact": measure(3.5, text="3.5 exactly")}),
    )
    md = report.render_markdown(c)
    assert 'src="q4/f.png"' in md
    row = "| SVM b | = 3.49 (text) | 3.5 | corrected | would confirm any value from 3.499 to 3.501 | 3.5 exactly |"
    assert row in md
    assert 'src="../../q4/f.png"' in report.render_markdown(report.with_figure_root(c, "../.."))


def test_subset_data_shows_a_warning_banner(tmp_path):
    """It puts the fallback warning at the top of both renderings."""
    c = content(data=SUBSET)
    html = report.render_html(c)
    assert 'id="subset-warning"' in html and html.index("subset-warning") < html.index("Headline")
    assert f"> **Warning: {report.SUBSET_WARNING}.**" in report.render_markdown(c)


def test_full_data_shows_no_banner(tmp_path):
    """It shows no warning for the full set."""
    assert "subset-warning" not in report.render_html(content())


def test_subset_data_marks_every_section_and_headline_row(tmp_path):
    """It says "5,000-image subset" in every section heading, every headline row (README's block) and verdicts.json."""
    ans = answer(spec(), headline=[{"quantity": "b", "claim": "q4a.b"}])
    c = content(ans, data=SUBSET)
    markdown = report.render_markdown(c)
    for title in report.QUESTIONS.values():
        assert f"## {title}{report.SUBSET_MARK}\n" in markdown
        assert f">{title}{report.SUBSET_MARK}</h2>" in report.render_html(c)
    rows = [line for line in report.headline_markdown(c).splitlines()[2:] if line]
    assert rows and all("5,000-image subset" in row for row in rows)
    assert report.verdict_table(c)["data"] == SUBSET.name() + ", as recorded by stage svm"


def test_full_data_report_carries_no_subset_mark(tmp_path):
    """It marks nothing in a full-data report and names the measurements' data: full MNIST."""
    c = content(answer(spec(), headline=[{"quantity": "b", "claim": "q4a.b"}]))
    for text in (*report.render_all(c).values(), report.headline_markdown(c)):
        assert "subset" not in text
    assert (
        report.verdict_table(c)["data"]
        == "full MNIST (60000 train / 10000 test, digest ab12), as recorded by stage svm"
    )


def test_readme_block_is_replaced_between_markers():
    """It swaps only the marked block of README and leaves a README without markers alone."""
    readme = f"intro\n{timings.README_START}\nold table\n{timings.README_END}\noutro\n"
    synced = timings.sync_readme(readme, "| new |\n")
    assert synced == f"intro\n{timings.README_START}\n| new |\n{timings.README_END}\noutro\n"
    assert timings.sync_readme("no markers", "| t |") == "no markers"


def test_committed_readme_shows_the_committed_headline_table():
    """It keeps README's headline table equal to reports/headline.md: the report writes it, `make readme` copies it."""
    from conftest import REPO

    table = (REPO / "reports" / "headline.md").read_text()
    readme = (REPO / "README.md").read_text()
    assert timings.sync_readme(readme, table) == readme
    assert timings.README_START in readme


def test_a_figure_cited_twice_is_shown_once():
    """It shows a figure with the first claim citing it and links back to it from later ones."""
    html = report.render_html(content(answer(spec(), spec("again")), measured(figures=("q4/f.png",))))
    assert html.count("<img ") == 1
    assert '<a href="#fig-q4-f-png">q4/f.png</a>' in html


def test_verdict_table_lists_every_claim_with_its_checks():
    """It writes each claim's verdict, source and checks as JSON, with the counts."""
    import json

    table = json.loads(report.render_all(content(answer(spec(), spec("q1d", "Q1-D", value=3.5))))["verdicts.json"])
    assert table["counts"]["corrected"] == 1 and table["claims"]["q1d"]["verdict"] == "confirmed"
    assert (
        table["claims"]["q4a.b"]["source"] == "the answer's text"
        and table["claims"]["q4a.b"]["checks"][0]["holds"] is False
    )


def test_the_assignments_numbers_are_reported_but_not_counted():
    """It leaves a claim whose numbers come from the assignment out of the tally, and says so in both renderings."""
    own = spec(source=["assignment"], counts=False, id="q4a.exact", value=3.5)
    c = content(answer(spec(), own))
    assert sum(c.verdicts.values()) == 1 and c.not_counted == ("q4a.exact",)
    md = report.render_all(c)["report.md"]
    assert "of the answer's 1 claims, and 1 reported but not counted" in md and "q4a.exact" in md
    assert report.verdict_table(c)["not_counted"] == ["q4a.exact"]
