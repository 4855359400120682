"""verify: every body line of the source is accounted for, or the command says what and where."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, SEED, fixture_documents, run_cli
from policy_extract.loaders import load_document
from policy_extract.pipeline import run_pipeline
from policy_extract.verify import verify_extraction


@pytest.mark.parametrize("source", fixture_documents(), ids=lambda p: p.name)
def test_every_fixture_line_is_claimed(source: Path) -> None:
    report = verify_extraction(run_pipeline(load_document(source)))
    assert report.ok, [(c.line, c.claim, c.text) for c in report.problems]


def test_seed_lines_are_claimed_by_the_right_fields() -> None:
    report = verify_extraction(run_pipeline(load_document(SEED)))
    claims = {c.line: c.claim for c in report.lines}
    assert claims[25] == "drug_details.hcpcs[0]"
    assert claims[64] == "furniture"  # the title repeated as a running header
    assert claims[99] == "coverage[2].criteria.children[0].children[0].children[0]"
    assert claims[149] == "coverage[4].doses[1]"
    assert claims[155] == "coverage[4].coverage_periods[1]"
    assert claims[173] == "review_history.last_annual_review"
    assert claims[60] == "structure (section heading)"
    assert 1 not in claims and 2 not in claims, "blank lines are not body lines"


def _injected(tmp_path: Path) -> Path:
    text = SEED.read_text(encoding="utf-8").replace(
        "**Covered Doses:**\n\n20 mg/kg given as an IV infusion per day",
        "Note to reviewers: see appendix Q.\n\n**Covered Doses:**\n\n"
        "20 mg/kg given as an IV infusion per day",
    )
    path = tmp_path / "injected.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_injected_unknown_block_is_kept_warned_and_fails_verify(tmp_path: Path) -> None:
    extraction = run_pipeline(load_document(_injected(tmp_path)))
    policy = extraction.policy
    assert [u.text for u in policy.unparsed] == ["Note to reviewers: see appendix Q."]
    assert any(w.code == "unparsed-content" and "line 81" in w.message for w in policy.warnings)
    report = verify_extraction(extraction)
    assert not report.ok
    assert [(c.line, c.claim) for c in report.problems] == [(81, "unparsed")]


def run_verify(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("verify", *args)


def test_verify_command_exit_codes_and_report(tmp_path: Path) -> None:
    good = run_verify(str(SEED))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "every body line is accounted for" in good.stdout
    bad = run_verify(str(_injected(tmp_path)))
    assert bad.returncode == 1
    assert "UNPARSED line 81: Note to reviewers: see appendix Q." in bad.stdout
    machine = run_verify("--json", str(_injected(tmp_path)))
    (report,) = json.loads(machine.stdout)
    assert report["ok"] is False
    assert report["problems"] == [
        {
            "line": 81,
            "page": None,
            "claim": "unparsed",
            "text": "Note to reviewers: see appendix Q.",
        }
    ]


def test_verify_separates_structured_lines_from_outline_only_lines() -> None:
    """An unknown template must not pass as 'every line structured'."""
    seed = run_cli("verify", str(SEED), "--json")
    fep = run_cli("verify", str(FIXTURES / "fep_velmarex.md"), "--json")
    seed_report, fep_report = json.loads(seed.stdout)[0], json.loads(fep.stdout)[0]
    assert seed_report["outline_only_lines"] == 0 and seed_report["structured_lines"] > 50
    assert fep_report["structured_lines"] > 0 and fep_report["outline_only_lines"] > 0
