"""The command line as a user meets it: outputs, exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SEED, run_cli

run = run_cli


def test_convert_writes_json_named_after_the_source(tmp_path: Path) -> None:
    result = run("convert", str(SEED), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "atgam.json").read_text(encoding="utf-8"))
    assert data["schema_version"].startswith("1.")
    assert len(data["coverage"]) == 5
    assert "1 converted" in result.stderr


def test_bad_inputs_fail_with_one_line_each_and_write_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "empty.md").write_bytes(b"")
    (bad / "latin1.txt").write_bytes("Politique de couverture caf\xe9".encode("latin-1"))
    (bad / "novel.md").write_text("It was a dark and stormy night.\n\nThe end.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("convert", str(bad), str(SEED), "-o", str(out))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("empty.md: file is empty" in line for line in errors)
    assert any("latin1.txt: file is not valid UTF-8" in line for line in errors)
    assert any("novel.md: not a drug policy" in line for line in errors)
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["atgam.json"]


def test_missing_source_is_named(tmp_path: Path) -> None:
    result = run("convert", str(tmp_path / "nope.md"), "-o", str(tmp_path))
    assert result.returncode == 1
    assert "nope.md: no such file or folder" in result.stderr


def test_same_stem_in_two_folders_does_not_overwrite(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / "in" / folder).mkdir(parents=True)
        (tmp_path / "in" / folder / "atgam.md").write_bytes(SEED.read_bytes())
    result = run("convert", str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "a" / "atgam.json").exists()
    assert (tmp_path / "out" / "b" / "atgam.json").exists()


def test_schema_command_prints_json_schema() -> None:
    result = run("schema")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "Policy"


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "convert" in result.stdout and "schema" in result.stdout


def test_convert_with_summaries_and_render_command(tmp_path: Path) -> None:
    result = run("convert", str(SEED), "-o", str(tmp_path), "--format", "json,md,html")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "atgam.summary.md").read_text(encoding="utf-8").startswith("# ")
    assert "<style>" in (tmp_path / "atgam.summary.html").read_text(encoding="utf-8")
    rendered = run("render", str(tmp_path / "atgam.json"), "--template", "policy.md")
    assert rendered.returncode == 0
    assert rendered.stdout.startswith("**anti-thymocyte globulin (Atgam)**")
    written = run("render", str(tmp_path / "atgam.json"), "-o", str(tmp_path / "s.md"))
    assert written.returncode == 0
    assert "Myelodysplastic syndrome (MDS)" in (tmp_path / "s.md").read_text(encoding="utf-8")


def test_render_refuses_unknown_template_and_non_policy_json(tmp_path: Path) -> None:
    unknown = run("render", str(tmp_path / "x.json"), "--template", "nope")
    assert unknown.returncode == 2
    assert "unknown --template 'nope'" in unknown.stderr
    (tmp_path / "other.json").write_text('{"schema_version": "9.0"}', encoding="utf-8")
    wrong = run("render", str(tmp_path / "other.json"))
    assert wrong.returncode == 1
    assert "other.json: not a policy JSON" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    result = run("convert", str(SEED), "-o", str(tmp_path), "--format", "json,pdf")
    assert result.returncode == 2
    assert "unknown --format pdf" in result.stderr


def test_diff_command_exit_codes_and_formats(tmp_path: Path) -> None:
    new = tmp_path / "new.md"
    new.write_text(
        SEED.read_text(encoding="utf-8").replace("D61.9", "D61.9, D61.89"), encoding="utf-8"
    )
    same = run("diff", str(SEED), str(SEED))
    assert same.returncode == 0, same.stderr
    changed = run("diff", str(SEED), str(new), "--format", "changelog")
    assert changed.returncode == 1
    assert changed.stdout.strip() == (
        "- Aplastic Anemia, moderate to severe: Added ICD-10 code D61.89"
    )
    as_json = run("diff", str(SEED), str(new), "--format", "json")
    (change,) = json.loads(as_json.stdout)["changes"]
    assert (change["kind"], change["impact"]) == ("added", "broadens")
    missing = run("diff", str(SEED), str(tmp_path / "absent.md"))
    assert missing.returncode == 2
    assert "absent.md" in missing.stderr and "Traceback" not in missing.stderr


def test_lint_command_reports_errors_with_location_and_exit_code(tmp_path: Path) -> None:
    clean = run("lint", str(SEED))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "0 errors, 1 warning" in clean.stdout
    bad = tmp_path / "bad.md"
    bad.write_text(SEED.read_text(encoding="utf-8").replace("T86.11", "T86.99X"), encoding="utf-8")
    result = run("lint", str(bad), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    (error,) = [f for f in report["files"][0]["findings"] if f["severity"] == "error"]
    assert (error["code"], error["location"]) == ("icd10-invalid", "line 72")
    assert report["code_sets"]["icd10"].startswith("ICD-10-CM")


def test_convert_can_add_icd10_descriptions_and_expand_ranges(tmp_path: Path) -> None:
    fixture = SEED.parent.parent / "tests" / "fixtures" / "infliximab.md"
    result = run(
        "convert", str(fixture), "-o", str(tmp_path), "--icd10-descriptions", "--expand-icd-ranges"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "infliximab.json").read_text(encoding="utf-8"))
    assert data["source"]["code_sets"]["icd10"].startswith("ICD-10-CM")
    spondylitis = data["coverage"][0]["icd10"][0]
    assert spondylitis["code"] == "M45.0-M45.9"
    assert spondylitis["expanded"][0] == "M45.0" and spondylitis["expanded"][-1] == "M45.9"
    crohns_first = data["coverage"][1]["icd10"][0]
    assert crohns_first["description"] == "Crohn's disease of small intestine without complications"


def test_outputs_are_ordinary_readable_files(tmp_path: Path) -> None:
    import os
    import stat

    run("convert", str(SEED), "-o", str(tmp_path))
    mode = stat.S_IMODE((tmp_path / "atgam.json").stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("policy-extract ")
