"""experiments.research_value (2 seeds, 500 days): its report opens with the answer the
paired NPVs imply and the assumptions block."""

import re

from experiments.research_value import main


def test_report_opens_with_the_paired_answer(tmp_path, capsys):
    assert main(["seeds=2", "horizon_days=500", f"out={tmp_path}"]) == 0
    printed = capsys.readouterr().out
    diffs = [float(x.replace(",", "")) for x in re.findall(r"research - none = (-?[\d,]+)",
                                                           printed)]
    assert len(diffs) == 2
    best = "research" if sum(diffs) > 0 else "no_research"
    report = (tmp_path / "report.md").read_text()
    answer = report.split("## Answer", 1)[1].split("## Assumptions", 1)[0]
    assert f"**Recommendation: {best}**" in answer and "2 common seeds" in answer
    assert "**Money**: all amounts in USD" in report
