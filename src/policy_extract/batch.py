"""Batch conversion: many sources, worker processes, a time limit per document.

Each document is converted in a worker (or in-process for ``jobs=1``); results come back in input
order and the caller writes them, so output bytes never depend on ``jobs`` or on timing.
Nothing here prints: progress is reported through a callback.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from .errors import PolicyExtractError
from .model import Policy, Warning

__all__ = [
    "ConversionResult",
    "Job",
    "Options",
    "collect_jobs",
    "convert_many",
    "convert_one",
    "write_atomically",
]

SUFFIXES = (".pdf", ".md", ".markdown", ".txt")
FORMATS = ("json", "md", "html")


@dataclass(frozen=True, slots=True)
class Job:
    """One source and the output path (without suffix) it writes to."""

    source: Path
    target: Path


@dataclass(frozen=True, slots=True)
class Options:
    """What to produce for each source: output formats and optional ICD-10 enrichment."""

    formats: tuple[str, ...] = ("json",)
    icd10_descriptions: bool = False
    expand_icd_ranges: bool = False
    timeout: float | None = None


@dataclass(slots=True)
class ConversionResult:
    """What converting one source gave: rendered outputs keyed by suffix, or an error line."""

    job: Job
    outputs: dict[str, str] = field(default_factory=dict)
    warnings: int = 0
    error: str | None = None


def collect_jobs(sources: Sequence[Path], output: Path) -> tuple[list[Job], list[str]]:
    """Files to convert and one problem line per unusable SRC.

    Folders are searched recursively (symlinked folders are not followed, so loops cannot
    trap the walk); files found keep their sub-folder under ``output``. Two sources that would
    write the same output name: the second is refused rather than overwriting the first.
    """
    jobs: list[Job] = []
    problems: list[str] = []
    taken: dict[Path, Path] = {}
    for source in sources:
        for job in _jobs_for(source, output, problems):
            if job.target in taken:
                problems.append(
                    f"{job.source}: output name collides with {taken[job.target]}; rename one"
                )
                continue
            taken[job.target] = job.source
            jobs.append(job)
    return jobs, problems


def _jobs_for(source: Path, output: Path, problems: list[str]) -> Iterator[Job]:
    if source.is_dir():
        found = sorted(p for p in _walk(source, problems) if p.suffix.lower() in SUFFIXES)
        if not found:
            problems.append(f"{source}: folder has no .pdf, .md or .txt files")
        for path in found:
            yield Job(path, output / path.relative_to(source).with_suffix(""))
    elif source.exists():
        yield Job(source, output / source.stem)
    elif source.is_symlink():
        problems.append(f"{source}: broken symbolic link")
    else:
        problems.append(f"{source}: no such file or folder")


def _walk(folder: Path, problems: list[str]) -> list[Path]:
    files: list[Path] = []

    def on_error(error: OSError) -> None:
        problems.append(f"{error.filename}: cannot read folder: {error.strerror}")

    for root, _dirs, names in os.walk(folder, onerror=on_error, followlinks=False):
        files.extend(Path(root) / name for name in names)
    return files


class _Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout


def convert_one(job: Job, options: Options) -> ConversionResult:
    """Convert one source into its rendered outputs, never raising for a bad document."""
    from .pipeline import extract
    from .render.json import policy_to_json

    timeout = options.timeout
    use_alarm = bool(timeout) and hasattr(signal, "setitimer")
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(timeout or 0))
    try:
        policy = _enrich(extract(job.source), options)
        outputs = {".json": policy_to_json(policy)}
        for fmt in ("md", "html"):
            if fmt in options.formats:
                from .render.jinja import render_template

                outputs[f".summary.{fmt}"] = render_template(policy, f"summary.{fmt}")
        return ConversionResult(job, outputs, warnings=len(policy.warnings))
    except PolicyExtractError as exc:
        return ConversionResult(job, error=exc.one_line())
    except _Timeout:
        return ConversionResult(job, error=f"{job.source}: took longer than {timeout:g} s; skipped")
    except RecursionError:
        return ConversionResult(job, error=f"{job.source}: document nests too deeply to read")
    except Exception as exc:  # a bug of ours must not cost the rest of the batch
        reason = f"internal error ({type(exc).__name__}: {exc}); please report this file"
        return ConversionResult(job, error=f"{job.source}: {reason}")
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _enrich(policy: Policy, options: Options) -> Policy:
    """ICD-10 descriptions and range expansion from the offline code set, when asked for."""
    if not (options.icd10_descriptions or options.expand_icd_ranges):
        return policy
    from .lint.codes import annotate_icd10, expand_icd10_ranges, icd10_release

    if options.icd10_descriptions:
        policy = annotate_icd10(policy)
    if options.expand_icd_ranges:
        policy, problems = expand_icd10_ranges(policy)
        policy.warnings.extend(Warning(code="icd10-range-invalid", message=m) for m in problems)
    if policy.source is not None:
        policy.source.code_sets["icd10"] = icd10_release()
    return policy


def convert_many(
    jobs: Sequence[Job],
    options: Options,
    *,
    workers: int = 1,
    on_done: Callable[[ConversionResult], None] | None = None,
) -> list[ConversionResult]:
    """Convert every job; results in input order whatever ``workers`` is."""
    if workers <= 1 or len(jobs) <= 1:
        results = []
        for job in jobs:
            results.append(convert_one(job, options))
            if on_done:
                on_done(results[-1])
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), max_tasks_per_child=25) as pool:
        futures: list[Future[ConversionResult]] = [
            pool.submit(convert_one, job, options) for job in jobs
        ]
        if on_done:
            for future in futures:
                future.add_done_callback(lambda f: on_done(f.result()))
        return [future.result() for future in futures]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename: never a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
