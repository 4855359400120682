"""Scheduling that uses the cores: the longest documents are handed out first, on every engine."""

from __future__ import annotations

from pathlib import Path

from conftest import fixture_documents
from policy_extract.batch import Job, LocalPoolEngine, Options
from policy_extract.batch.scheduling import largest_first


def make_job(folder: Path, name: str, size: int) -> Job:
    path = folder / name
    path.write_bytes(b"x" * size)
    return Job(path, folder / "out" / path.stem)


def test_the_largest_document_goes_first_and_a_pdf_outweighs_text_of_its_size(
    tmp_path: Path,
) -> None:
    small, big_text, pdf = (
        make_job(tmp_path, "a.md", 1_000),
        make_job(tmp_path, "b.md", 20_000),
        make_job(tmp_path, "c.pdf", 10_000),
    )
    assert largest_first([small, big_text, pdf]) == [pdf, big_text, small]


def test_equal_sizes_keep_their_input_order_and_a_missing_file_goes_last(tmp_path: Path) -> None:
    first, second = make_job(tmp_path, "z.md", 500), make_job(tmp_path, "a.md", 500)
    missing = Job(tmp_path / "gone.md", tmp_path / "out" / "gone")
    assert largest_first([missing, first, second]) == [first, second, missing]


def test_the_local_pool_starts_the_largest_document_first_and_reports_every_one(
    tmp_path: Path,
) -> None:
    documents = fixture_documents()
    jobs = [Job(path, tmp_path / path.stem) for path in documents]
    started: list[Job] = []
    results = list(LocalPoolEngine(1).results(jobs, Options(), on_start=started.append))
    largest = max(documents, key=lambda path: path.stat().st_size)
    assert started[0].source == largest
    assert sorted(str(r.job.source) for r in results) == sorted(map(str, documents))
    assert all(r.error is None for r in results)
