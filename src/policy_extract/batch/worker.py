"""Converting one document under limits: time (``--timeout``), memory (``--max-memory``), size.

``convert_one`` never raises for a bad document: every failure becomes a one-line ``error``.
The limits are context managers so the single-file commands (verify, lint, diff) use them too.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from ..errors import PolicyExtractError
from ..loaders import DEFAULT_MAX_INPUT_BYTES, input_size_limit
from ..model import Policy, Warning
from .jobs import Job

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "ConversionResult",
    "DocumentTimeout",
    "Options",
    "convert_one",
    "failed_to_read",
    "memory_limit",
    "time_limit",
]

DEFAULT_MAX_MEMORY = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Options:
    """What to produce for each source, and the limits each conversion runs under."""

    formats: tuple[str, ...] = ("json",)
    icd10_descriptions: bool = False
    expand_icd_ranges: bool = False
    timeout: float | None = None
    max_memory: int | None = DEFAULT_MAX_MEMORY
    max_size: int | None = DEFAULT_MAX_INPUT_BYTES
    strict: bool = False  # a document with warnings fails (and writes nothing)
    pdf_engine: str | None = None  # a PDF's character source (None: the environment's choice)


@dataclass(slots=True)
class ConversionResult:
    """What converting one source gave: outputs keyed by suffix and warning lines, or an error.

    ``error`` is the whole line a user reads (``file: reason``).
    """

    job: Job
    outputs: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    written: bool = False  # outputs already on disk (written where they were converted)


class DocumentTimeout(BaseException):
    """The time limit ran out. A BaseException, so no loader's broad ``except Exception``
    can mistake it for damage in the document."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    def reason(self) -> str:
        return f"timed out after {self.seconds:g} s"


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``DocumentTimeout`` in the block after ``seconds`` (main thread, POSIX only)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not seconds or not usable:
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise DocumentTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def memory_limit(max_bytes: int | None) -> Iterator[None]:
    """Cap this process's address space in the block, so a bomb raises MemoryError.

    Only the soft limit is lowered, and it is put back afterwards.
    """
    if not max_bytes or resource is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        yield  # already at least as tight
        return
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def convert_one(job: Job, options: Options) -> ConversionResult:
    """Convert one source into its rendered outputs, never raising for a bad document."""
    try:
        with (
            memory_limit(options.max_memory),
            input_size_limit(options.max_size),
            time_limit(options.timeout),
        ):
            return _convert(job, options)
    except PolicyExtractError as exc:
        return failed_to_read(job, exc)
    except DocumentTimeout as exc:
        return ConversionResult(job, error=f"{job.label}: {exc.reason()}")
    except MemoryError:
        limit = f" of {options.max_memory // (1024 * 1024)} MB" if options.max_memory else ""
        return ConversionResult(job, error=f"{job.label}: ran out of memory (limit{limit})")
    except RecursionError:
        return ConversionResult(job, error=f"{job.label}: document nests too deeply to read")
    except Exception as exc:  # a bug of ours must not cost the rest of the batch
        reason = f"internal error ({type(exc).__name__}: {exc}); please report this file"
        return ConversionResult(job, error=f"{job.label}: {reason}")


def failed_to_read(job: Job, exc: PolicyExtractError) -> ConversionResult:
    """The result of a source that could not be read or parsed: one line naming it."""
    where = job.label if exc.line is None else f"{job.label}:{exc.line}"
    return ConversionResult(job, error=f"{where}: {exc.reason}")


def _convert(job: Job, options: Options) -> ConversionResult:
    from ..pipeline import extract
    from ..render.json import policy_to_json

    policy = _enrich(extract(job.source, options.pdf_engine), options)
    outputs = {".json": policy_to_json(policy)}
    for fmt in ("md", "html"):
        if fmt in options.formats:
            from ..render.jinja import render_template

            outputs[f".summary.{fmt}"] = render_template(policy, f"summary.{fmt}")
    warnings = [_warning_line(w) for w in policy.warnings]
    if "fhir" in options.formats:
        from ..fhir.export import export_policy

        exported = export_policy(policy)
        outputs[".fhir.json"] = exported.text
        warnings += [_warning_line(w) for w in exported.warnings]
    if options.strict and warnings:
        more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
        error = f"{job.label}: --strict fails it on warning {warnings[0]}{more}"
        return ConversionResult(job, warnings=warnings, error=error)
    return ConversionResult(job, outputs, warnings=warnings)


def _warning_line(warning: Warning) -> str:
    span = warning.span
    where = ""
    if span is not None and span.line_start is not None:
        where = f" (line {span.line_start}" + (f", page {span.page})" if span.page else ")")
    return f"{warning.code}: {warning.message}{where}"


def _enrich(policy: Policy, options: Options) -> Policy:
    """ICD-10 descriptions and range expansion from the offline code set, when asked for."""
    if not (options.icd10_descriptions or options.expand_icd_ranges):
        return policy
    from ..lint.codes import annotate_icd10, expand_icd10_ranges, icd10_release

    if options.icd10_descriptions:
        policy = annotate_icd10(policy)
    if options.expand_icd_ranges:
        policy, problems = expand_icd10_ranges(policy)
        policy.warnings.extend(Warning(code="icd10-range-invalid", message=m) for m in problems)
    if policy.source is not None:
        policy.source.code_sets["icd10"] = icd10_release()
    return policy
