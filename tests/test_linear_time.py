"""Every phrase grammar and furniture rule is linear: 100 KB of adversarial input costs per
character what 1 KB does (a ratio, not a time: machines differ; quadratic gives about 100)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import pytest

from conftest import FIXTURES, SEED
from hostile import adversarial_lines
from policy_extract.blocks import PAGE_NUMBER
from policy_extract.errors import PolicyExtractError
from policy_extract.loaders._pdf_furniture import find_page_furniture
from policy_extract.loaders._pdf_lines import Line, Page
from policy_extract.loaders.markdown import parse_markdown
from policy_extract.loaders.text import parse_text
from policy_extract.phrases import criteria_operator, parse_dose, parse_icd10_line, parse_period
from policy_extract.pipeline import run_pipeline

SMALL, LARGE = 1_000, 100_000
# Linear code gives about 1 (a little more for cache effects on a busy machine).
MAX_RATIO = 8.0


def _cost_per_unit(work: Callable[[int], object], size: int, total: int) -> float:
    """Best of two: CPU seconds per unit of ``size``, repeated to about ``total`` units
    (CPU time, so other processes on a shared machine do not count)."""
    repeats = max(1, total // size)
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        for _ in range(repeats):
            work(size)
        best = min(best, time.process_time() - start)
    return best / (repeats * size)


def _ratio(work: Callable[[int], object], small: int = SMALL, large: int = LARGE) -> float:
    """Cost per unit at ``large`` over cost per unit at ``small``; the small size is repeated
    (to ``large`` units in all, at most 20 times) so timer resolution does not count."""
    total = min(large, 20 * small)
    return _cost_per_unit(work, large, large) / _cost_per_unit(work, small, total)


def _pipeline(loader: Callable[[str], object], base: str) -> Callable[[int], object]:
    def run(size: int) -> object:
        lines = adversarial_lines(size // len(adversarial_lines(0)))
        middle = base.count("\n") // 2
        head, tail = base.split("\n")[:middle], base.split("\n")[middle:]
        try:
            return run_pipeline(loader("\n".join([*head, *lines, *tail])))  # type: ignore[arg-type]
        except PolicyExtractError:
            return None

    return run


PHRASES: dict[str, Callable[[int], object]] = {
    "dose amount 1,000,000,...": lambda n: parse_dose("1" + ",000" * (n // 4) + " mg"),
    "dose timing every every ...": lambda n: parse_dose("every " * (n // 6) + "2 weeks"),
    "period 1,000,000,...": lambda n: parse_period("Up to 1" + ",000" * (n // 4) + " doses"),
    "period for 1-----": lambda n: parse_period("for 1" + "-" * n + "x"),
    "ICD-10 code then , , ,": lambda n: parse_icd10_line("D89.810" + ", " * (n // 2) + "x"),
    "ICD-10 code then spaces": lambda n: parse_icd10_line("M05.00" + " " * n + "x"),
    "criteria at least    ": lambda n: criteria_operator("at least" + " " * n + "x"),
    "page number Page    ": lambda n: PAGE_NUMBER.match("Page" + " " * n + "x"),
}


@pytest.mark.parametrize("name", sorted(PHRASES))
def test_phrase_grammars_are_linear(name: str) -> None:
    assert _ratio(PHRASES[name]) < MAX_RATIO


@pytest.mark.parametrize(
    ("loader", "base"),
    [(parse_text, FIXTURES / "methotrexate_inj.txt"), (parse_markdown, SEED)],
    ids=["text", "markdown"],
)
def test_heading_footer_and_title_patterns_are_linear(
    loader: Callable[[str], object], base: object
) -> None:
    """Adversarial lines inside a real policy, through every profile's patterns."""
    text = base.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    work = _pipeline(loader, text)
    ratio = _cost_per_unit(work, LARGE, LARGE) / _cost_per_unit(work, 10_000, 10_000)
    assert ratio < MAX_RATIO


def _line(page: int, number: int, text: str, top: float) -> Line:
    """A PDF line; fields furniture does not read are left None."""
    fields = {field.name: None for field in dataclasses.fields(Line)}
    fields |= {"page": page, "number": number, "text": text, "x0": 72, "x1": 200}
    return Line(**fields | {"top": top, "bottom": top + 10})


def _pages_of_one_line(count: int, per_page: int = 40) -> list[Page]:
    """``count`` pages, each the same line written ``per_page`` times down the page."""
    return [
        Page(
            number=n,
            top=0,
            bottom=792,
            lines=[
                _line(n, n * per_page + i, "The same line", 20 + 18 * i) for i in range(per_page)
            ],
        )
        for n in range(1, count + 1)
    ]


def test_pdf_furniture_is_linear_in_pages() -> None:
    small, large = _pages_of_one_line(10), _pages_of_one_line(500)
    assert find_page_furniture(large)  # the lines at the edges are running headers and footers
    ratio = _ratio(lambda n: find_page_furniture(small if n == 10 else large), 10, 500)
    assert ratio < MAX_RATIO
