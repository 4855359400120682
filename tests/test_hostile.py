"""Hostile input: no traceback, no hang, nothing dropped silently, nothing slower than linear.

The generator lives in ``tests/hostile.py``; ``benchmarks/hostile.py`` runs a bigger sample.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED
from hostile import hostile_inputs, write_hostile_corpus
from policy_extract.blocks import MAX_LIST_DEPTH
from policy_extract.diff import diff_policies, render_diff
from policy_extract.lint import lint_policy
from policy_extract.loaders.markdown import parse_markdown
from policy_extract.loaders.text import parse_text
from policy_extract.model import OutlineBlock, Policy
from policy_extract.pipeline import run_pipeline
from policy_extract.render.jinja import render_template
from policy_extract.render.json import load_policy, policy_to_json
from policy_extract.verify import verify_extraction

HEAD = "# Drug policy\n\nCoverage criteria for the drug; prior authorization is required.\n\n"
LAST = "A last paragraph about coverage after the nesting."


def _run(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """The command line as a user runs it; a hang fails the test instead of blocking it."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "policy_extract", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"policy-extract {args[0]} hung on hostile input (> {timeout:.0f} s)")


def _outline_texts(policy: Policy) -> list[str]:
    texts: list[str] = []
    pending: list[OutlineBlock] = [b for s in reversed(policy.outline) for b in reversed(s.blocks)]
    while pending:
        block = pending.pop()
        texts.append(block.text)
        pending.extend(reversed(block.children))
    return texts


def _depth(blocks: list[OutlineBlock]) -> int:
    deepest, pending = 0, [(block, 1) for block in blocks]
    while pending:
        block, level = pending.pop()
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in block.children)
    return deepest


class TestGenerator:
    def test_same_seed_same_bytes_and_every_kind_and_format(self) -> None:
        first = list(hostile_inputs(seed=3, count=15))
        assert first == list(hostile_inputs(seed=3, count=15))
        assert first != list(hostile_inputs(seed=4, count=15))
        names = [name for name, _ in first]
        for kind in ("truncated", "bitflip", "bomb", "nested", "regex"):
            assert {Path(n).suffix for n in names if kind in n} == {".md", ".txt", ".pdf"}


def test_hostile_sample_gives_no_traceback_and_no_hang(tmp_path: Path) -> None:
    """Every command over every hostile file: a result or a one-line error, in bounded time."""
    sources = write_hostile_corpus(tmp_path / "in", seed=11, count=15)
    out = tmp_path / "out"
    convert = _run("convert", str(tmp_path / "in"), "-o", str(out), "--jobs", "1", timeout=240)
    verify = _run("verify", *map(str, sources), timeout=240)
    lint = _run("lint", str(tmp_path / "in"), timeout=240)
    for result in (convert, verify, lint):
        assert "Traceback" not in result.stderr, result.stderr[-2000:]
        assert result.returncode in (0, 1), result.stderr[-2000:]
    for source in sources:  # each input either converted or named in an error line
        converted = (out / source.name).with_suffix(".json").exists()
        assert converted or f"{source}:" in convert.stderr, source.name


class TestDeepNesting:
    def test_markdown_nested_past_markdown_it_default_keeps_everything(self) -> None:
        items = "".join("  " * level + f"- level {level}\n" for level in range(12))
        document = parse_markdown(HEAD + items + "\n" + LAST + "\n")
        extraction = run_pipeline(document)
        assert LAST in _outline_texts(extraction.policy)
        assert "level 11" in _outline_texts(extraction.policy)
        assert verify_extraction(extraction).ok

    @pytest.mark.parametrize("nesting", ["list", "quote"])
    def test_markdown_deeper_than_the_parser_reads_is_read_as_text_with_a_warning(
        self, nesting: str
    ) -> None:
        if nesting == "list":
            body = "".join("  " * level + f"- level {level}\n" for level in range(120))
        else:
            body = "> " * 300 + "a quotation\n"
        extraction = run_pipeline(parse_markdown(HEAD + body + "\n" + LAST + "\n"))
        policy = extraction.policy
        assert "markdown-too-deep" in [w.code for w in policy.warnings]
        assert LAST in _outline_texts(policy)
        assert not [c for c in verify_extraction(extraction).lines if c.claim == "lost"]

    def test_text_list_500_deep_works_in_every_command(self, tmp_path: Path) -> None:
        items = "".join("  " * level + f"- criterion {level}\n" for level in range(500))
        extraction = run_pipeline(parse_text(HEAD.lstrip("# ") + items + LAST + "\n"))
        policy = extraction.policy
        too_deep = [w for w in policy.warnings if w.code == "list-too-deep"]
        assert too_deep and str(500 - MAX_LIST_DEPTH) in too_deep[0].message
        assert "criterion 499" in _outline_texts(policy)  # kept, not dropped
        assert max(_depth(s.blocks) for s in policy.outline) <= MAX_LIST_DEPTH
        assert verify_extraction(extraction).ok
        lint_policy(policy)
        saved = tmp_path / "deep.json"
        saved.write_text(policy_to_json(policy), encoding="utf-8")
        again = load_policy(saved)
        assert policy_to_json(again) == policy_to_json(policy)  # read back unchanged
        assert "criterion 499" in render_template(again, "summary.md")
        assert render_diff(diff_policies(again, policy), "md")

    def test_json_nested_deeper_than_convert_writes_is_read_with_a_warning(
        self, tmp_path: Path
    ) -> None:
        leaf = OutlineBlock(kind="list_item", text="level 149")
        for level in range(148, -1, -1):
            leaf = OutlineBlock(kind="list_item", text=f"level {level}", children=[leaf])
        policy = run_pipeline(parse_markdown(HEAD + "- one item\n")).policy
        policy.outline[0].blocks = [leaf]
        saved = tmp_path / "deep.json"
        saved.write_text(policy_to_json(policy), encoding="utf-8")
        loaded = load_policy(saved)
        assert "tree-too-deep" in [w.code for w in loaded.warnings]
        assert "level 149" in _outline_texts(loaded)
        assert _depth(loaded.outline[0].blocks) == MAX_LIST_DEPTH + 1
        for template in ("summary.md", "summary.html", "policy.md"):
            assert "level 149" in render_template(loaded, template)
        assert diff_policies(loaded, loaded).changes == []


class TestSummaryKeepsLogicWords:
    SOURCE = (
        "# Examplumab policy\n\n**Policy Number:** RX-123\n\n**Note:** Applies to adults only.\n\n"
        "Prior authorization is required for coverage of the drug.\n\n"
        "**AND ALL** of the following:\n\n1. Diagnosis of the disease\n2. Age 18 or older\n"
    )

    @pytest.mark.parametrize("template", ["summary.md", "summary.html"])
    def test_labelled_paragraphs_keep_their_label(self, template: str) -> None:
        policy = run_pipeline(parse_markdown(self.SOURCE)).policy
        text = render_template(policy, template)
        for label in ("Policy Number:", "Note:", "AND ALL"):
            assert label in text, label


class TestDiffOfDifferentDrugs:
    def test_says_so_first_in_every_format(self, tmp_path: Path) -> None:
        other = tmp_path / "other.md"
        other.write_text(
            SEED.read_text(encoding="utf-8").replace("Atgam", "Otherex"), encoding="utf-8"
        )
        old = run_pipeline(parse_markdown(SEED.read_text(encoding="utf-8"))).policy
        new = run_pipeline(parse_markdown(other.read_text(encoding="utf-8"))).policy
        new.drug.generic_name = "rituximab"
        result = diff_policies(old, new)
        assert result.different_documents is not None
        assert "rituximab" in result.different_documents
        markdown = render_diff(result, "md").splitlines()
        assert markdown[2].startswith("**Different drugs:")
        assert '"Different drugs:' in render_diff(result, "json").split('"summary": ', 1)[1][:20]
        assert render_diff(result, "changelog").startswith("- Different drugs:")

    def test_versions_of_one_drug_are_not_flagged(self) -> None:
        policy = run_pipeline(parse_markdown(SEED.read_text(encoding="utf-8"))).policy
        twin = policy.model_copy(deep=True)
        twin.drug.generic_name = f"{policy.drug.generic_name} (equine)"
        assert diff_policies(policy, twin).different_documents is None
