"""Batch conversion: many sources, worker processes, limits per document, atomic writes.

- ``jobs``: which files a folder walk takes and where each one's outputs go;
- ``worker``: converting one document under time, memory and size limits;
- ``engines``: where conversions run (in this process, or a local pool of worker processes),
  behind one small interface (``Engine.results``); ``dask_engine``: on a Dask cluster (extra);
- ``scheduling``: the order work is handed out (largest documents first);
- ``writing``: atomic output files, with one-line errors;
- ``report``: the lines a user reads, in input order whatever the completion order;
- ``interrupts``: Ctrl-C during a batch, handled so that no finished document is lost.

Nothing here prints: progress is reported through callbacks and returned results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .dask_engine import ClusterError, DaskEngine
from .engines import Engine, InProcessEngine, LocalPoolEngine
from .interrupts import consume_results
from .jobs import (
    FORMAT_SUFFIXES,
    SUFFIXES,
    Collected,
    Job,
    Selection,
    collect_jobs,
    output_paths,
)
from .report import BatchReport, Line
from .worker import (
    DEFAULT_MAX_MEMORY,
    ConversionResult,
    DocumentTimeout,
    Options,
    convert_one,
    memory_limit,
    time_limit,
)
from .writing import prepare_output_folder, write_atomically, write_outputs

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "FORMAT_SUFFIXES",
    "SUFFIXES",
    "BatchReport",
    "ClusterError",
    "Collected",
    "ConversionResult",
    "DaskEngine",
    "DocumentTimeout",
    "Engine",
    "InProcessEngine",
    "Job",
    "Line",
    "LocalPoolEngine",
    "Options",
    "Selection",
    "choose_engine",
    "collect_jobs",
    "consume_results",
    "convert_many",
    "convert_one",
    "memory_limit",
    "output_paths",
    "prepare_output_folder",
    "time_limit",
    "write_atomically",
    "write_outputs",
]


def choose_engine(
    jobs: int,
    workers: int,
    cluster: str | None = None,
    *,
    write_on_workers: bool = False,
    caller_reads_outputs: bool = False,
) -> Engine:
    """The engine for ``jobs`` documents: a Dask cluster when named, else local processes.

    Local workers write their own outputs (the same disk): the writing runs on every core, and
    the parent only reports. A caller that reads each result's outputs itself (``index``, which
    stores them in its database) has them returned instead.
    """
    if cluster:
        return DaskEngine(cluster, workers, write_on_workers=write_on_workers)
    if jobs <= 1:
        return InProcessEngine()
    return LocalPoolEngine(workers, write_on_workers=not caller_reads_outputs)


def convert_many(
    jobs: Sequence[Job],
    options: Options,
    *,
    workers: int = 1,
    on_done: Callable[[ConversionResult], None] | None = None,
) -> list[ConversionResult]:
    """Convert every job; results in input order whatever ``workers`` is.

    ``workers`` <= 1 converts in this process; more runs a local pool of worker processes.
    """
    engine: Engine = LocalPoolEngine(workers) if workers > 1 else InProcessEngine()
    order = {job: index for index, job in enumerate(jobs)}
    results: list[ConversionResult] = []
    for result in engine.results(jobs, options):
        results.append(result)
        if on_done:
            on_done(result)
    return sorted(results, key=lambda result: order[result.job])
