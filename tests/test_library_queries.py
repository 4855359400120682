"""`coverage` and `compare`: what a user reads when asking the library about a drug."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS, run_cli
from library_fixture import build_library, invoke


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_library(tmp_path_factory.mktemp("lib") / "library.sqlite")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("infliximab", "Crohn's Disease"),  # generic name
        ("Remicade", "Crohn's Disease"),  # a brand resolves to its generic
        ("J1745", "Crohn's Disease"),  # an HCPCS code
        ("tocilizumab", "Giant Cell Arteritis"),
    ],
)
def test_coverage_lists_the_plan_and_its_indications(
    library: Path, query: str, expected: str
) -> None:
    result = invoke("coverage", query, "--db", str(library), "--format", "json")
    assert result.returncode == 0, result.stderr
    plans = json.loads(result.stdout)["plans"]
    indications = [i for plan in plans for i in plan["indications"]]
    assert expected in [i["name"] for i in indications]
    assert all(
        i["source"].startswith(str(FIXTURES)) or "source_docs" in i["source"] for i in indications
    )
    assert all(" l. " in i["source"] for i in indications)  # a line to open


def test_coverage_formats_are_deterministic(library: Path, tmp_path: Path) -> None:
    for fmt in ("md", "html", "csv", "json"):
        first = invoke("coverage", "infliximab", "--db", str(library), "-f", fmt)
        out = tmp_path / f"coverage.{fmt}"
        second = invoke("coverage", "infliximab", "--db", str(library), "-f", fmt, "-o", str(out))
        assert first.returncode == second.returncode == 0, first.stderr + second.stderr
        assert first.stdout == out.read_text(encoding="utf-8")
    page = (tmp_path / "coverage.html").read_text(encoding="utf-8")
    assert "<script" not in page and "Crohn&#39;s Disease" in page  # autoescaped


def test_compare_shows_durations_step_therapy_and_criteria(library: Path) -> None:
    table = invoke("compare", "infliximab", "--db", str(library))
    assert table.returncode == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if line.startswith("| Crohn's"))
    for fact in (
        "Prior authorization: required",
        "Initial: 6 months",
        "Continuation: 1 year",
        "azathioprine",
    ):
        assert fact in row
    one = invoke("compare", "infliximab", "--db", str(library), "--indication", "crohn's disease")
    assert one.returncode == 0, one.stderr
    assert "[initial]" in one.stdout and "gastroenterologist" in one.stdout
    assert "Rheumatoid" not in one.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("coverage", "no-such-drug-anywhere"), "no current policy covers 'no-such-drug-anywhere'"),
        (("compare", "infliximab", "--indication", "gout"), "no current policy covers"),
    ],
)
def test_nothing_found_is_one_line_and_exit_1(
    library: Path, args: tuple[str, ...], message: str
) -> None:
    result = invoke(*args, "--db", str(library))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
    assert message in result.stderr


def test_missing_or_foreign_database_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite"
    foreign = tmp_path / "notes.sqlite"
    foreign.write_text("not a database", encoding="utf-8")
    for db, reason in ((missing, "no such library database"), (foreign, "not an SQLite database")):
        result = run_cli("coverage", "infliximab", "--db", str(db))
        assert (result.returncode, result.stderr) == (1, f"error: {db}: {reason}\n")
    assert not missing.exists()


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="real corpus not available")
def test_compare_infliximab_shows_cigna_with_durations(tmp_path: Path) -> None:
    cigna = sorted(REAL_CORPUS.glob("cigna_infliximab*.pdf"))
    if not cigna:
        pytest.skip("no Cigna infliximab policy in the real corpus")
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(cigna[-1], folder)
    db = build_library(tmp_path / "real.sqlite", [folder / cigna[-1].name])
    result = invoke("compare", "infliximab", "--db", str(db), "-f", "json")
    assert result.returncode == 0, result.stderr
    cells = json.loads(result.stdout)["cells"]
    assert cells and all(cell["plan"].startswith("Cigna") for cell in cells)
    assert any(cell["Initial"] != "-" for cell in cells)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


_FITS = (
    "<script>document.body.setAttribute('data-fits', String("
    "document.documentElement.scrollWidth <= window.innerWidth));</script></body>"
)


def rendered_dom(page: Path, tmp_path: Path) -> str:
    """The DOM of ``page`` after headless Chromium at 1280 px laid it out, with a ``data-fits``
    mark on the body saying whether anything runs wider than the window (a test copy only)."""
    import subprocess

    probe = tmp_path / f"probe-{page.name}"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _FITS), encoding="utf-8")
    browser = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
            "--window-size=1280,900",
            f"--user-data-dir={tmp_path / 'profile'}",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert browser.returncode == 0, browser.stderr[-500:]
    return browser.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_compare_html_renders_in_a_headless_browser(library: Path, tmp_path: Path) -> None:
    page = tmp_path / "compare.html"
    result = invoke("compare", "infliximab", "--db", str(library), "-f", "html", "-o", str(page))
    assert result.returncode == 0, result.stderr
    dom = rendered_dom(page, tmp_path)
    assert "<table>" in dom and "Blue Shield of California" in dom
    assert "Crohn's Disease" in dom and "Initial</b>: 6 months" in dom
    assert 'data-fits="true"' in dom  # nothing wider than 1280 px
    assert "<script" not in page.read_text(encoding="utf-8")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_changes_html_has_a_row_per_policy_and_fits_1280_px(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    text = (FIXTURES / "infliximab.md").read_text(encoding="utf-8")
    (old / "infliximab.md").write_text(text, encoding="utf-8")
    (new / "infliximab.md").write_text(text.replace("6 months", "3 months"), encoding="utf-8")
    shutil.copy(FIXTURES / "tocilizumab.md", new)
    page = tmp_path / "changes.html"
    result = invoke("changes", str(old), str(new), "-f", "html", "-o", str(page))
    assert result.returncode == 0, result.stderr
    dom = rendered_dom(page, tmp_path)
    assert dom.count("<tr>") == 3  # the header, the revised policy, the new one
    assert "revised" in dom and "new" in dom and 'data-fits="true"' in dom


def test_compare_shows_each_listing_of_an_indication_a_plan_lists_twice(tmp_path: Path) -> None:
    """A plan listing Crohn's disease twice (adults, then children, as payers do) has a row for
    each; the second listing was dropped."""
    from policy_extract.diff import load_for_diff
    from policy_extract.render.json import policy_to_json

    policy = load_for_diff(FIXTURES / "infliximab.md")
    crohns = next(c for c in policy.coverage if c.condition.casefold().startswith("crohn"))
    again = crohns.model_copy(update={"condition": crohns.condition.upper(), "id": "again"})
    policy.coverage.append(again)
    twice = tmp_path / "twice.json"
    twice.write_text(policy_to_json(policy), encoding="utf-8")
    db = build_library(tmp_path / "twice.sqlite", [twice])
    result = invoke("compare", "infliximab", "--db", str(db), "-f", "json")
    assert result.returncode == 0, result.stderr
    names = [cell["indication"] for cell in json.loads(result.stdout)["cells"]]
    assert crohns.condition in names and crohns.condition.upper() in names
    one = invoke("compare", "infliximab", "--db", str(db), "--indication", "crohn's disease")
    assert one.returncode == 0, one.stderr
    assert crohns.condition in one.stdout and crohns.condition.upper() in one.stdout


def _markdown_drug_list(path: Path) -> Path:
    rows = [f"| J{1000 + n} | BRAND{n} | Injection, drug{n}, 1 mg | Covered | |" for n in range(45)]
    rows.append("| J1745 | REMICADE | Injection, infliximab, 10 mg | Not Covered | PA required |")
    path.write_text(
        "# Acme Health Medical Drug List\n\nUPPERCASE = Brand drug. This list of covered "
        "drugs is part of the medical policy for plan coverage.\n\n"
        "| HCPCS Code | Drug Name | Description | Coverage Level | Notes |\n"
        "| --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    return path


def test_coverage_of_a_drug_on_a_drug_list_gives_its_row_and_columns(tmp_path: Path) -> None:
    """A drug list has no indications: what a user asks of it is the drug's row, with the
    list's columns (coverage level, notes), linked to its line."""
    drug_list = _markdown_drug_list(tmp_path / "acme_list.md")
    db = build_library(tmp_path / "library.sqlite", [drug_list, FIXTURES / "infliximab.md"])
    for query in ("infliximab", "J1745"):
        result = invoke("coverage", query, "--db", str(db), "--format", "json")
        assert result.returncode == 0, result.stderr
        plans = {plan["source"]: plan for plan in json.loads(result.stdout)["plans"]}
        listed = plans[str(drug_list)]["listed"]
        assert [(p["name"], p["hcpcs"], p["flags"]) for p in listed] == [
            ("REMICADE", ["J1745"], {"coverage_level": "Not Covered", "notes": "PA required"})
        ]
        assert listed[0]["source"] == f"{drug_list} l. 52"
        assert plans[str(FIXTURES / "infliximab.md")]["listed"] == []  # a policy: indications
    table = invoke("coverage", "J1745", "--db", str(db)).stdout
    assert "REMICADE J1745: coverage level Not Covered; notes PA required" in table
    rows = invoke("coverage", "J1745", "--db", str(db), "-f", "csv").stdout.splitlines()
    assert rows[0].endswith(",indication,source,listed_as")
    assert any(
        r.endswith("REMICADE J1745: coverage level Not Covered; notes PA required") for r in rows
    )
