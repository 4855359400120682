"""What ``index`` reads: policy documents (converted through the batch engines) and our JSON.

Results come back in input order whatever the engine's completion order, so the library's
``indexed_order`` and the lines a user reads never depend on ``--jobs``. A document whose
source sha256 is already in the library is not converted again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..batch import SUFFIXES, Engine, Job, Options, collect_jobs
from ..errors import PolicyExtractError
from ..model import Policy
from .index import index_policy

__all__ = ["IndexResult", "Sources", "find_sources", "index_sources"]


@dataclass(frozen=True, slots=True)
class IndexResult:
    """One input's fate: ``added``, ``unchanged``, or ``error`` (a one-line reason)."""

    label: str
    outcome: str
    error: str | None = None


@dataclass(slots=True)
class Sources:
    """Documents to convert, JSON files to read, and SRCs that could not be used."""

    jobs: list[Job] = field(default_factory=list)
    json_files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def find_sources(sources: Sequence[Path], scratch: Path) -> Sources:
    """Split SRC files and folders into documents and our JSON (``scratch``: the nominal output
    folder the batch job finder wants; nothing is written there)."""
    found = Sources()
    to_convert: list[Path] = []
    for source in sources:
        if source.is_dir():
            json_files = sorted(p for p in source.rglob("*.json") if not _hidden(p, source))
            found.json_files += json_files
            if not json_files or any(_convertible(p, source) for p in source.rglob("*")):
                to_convert.append(source)
        elif source.suffix.lower() == ".json":
            found.json_files.append(source)
        else:
            to_convert.append(source)
    collected = collect_jobs(to_convert, scratch)
    found.jobs, found.problems = collected.jobs, collected.problems
    return found


def index_sources(
    db: sqlite3.Connection, found: Sources, engine: Engine, options: Options
) -> Iterator[IndexResult]:
    """Index every JSON file, then every document, one transaction each."""
    for path in found.json_files:
        yield _index_json_file(db, path)
    known = {row[0] for row in db.execute("SELECT sha256 FROM versions")}
    todo = [job for job in found.jobs if _file_sha256(job.source) not in known]
    fresh = set(todo)
    waiting: dict[Job, IndexResult] = {}
    order = iter(found.jobs)
    due = next(order, None)
    with closing(engine.results(todo, options)) as stream:
        for result in stream:
            waiting[result.job] = _index_conversion(db, result.job, result.outputs, result.error)
            while due is not None and (due in waiting or due not in fresh):
                yield waiting.pop(due, IndexResult(due.label, "unchanged"))
                due = next(order, None)
    while due is not None:
        yield waiting.pop(due, IndexResult(due.label, "unchanged"))
        due = next(order, None)


def _index_conversion(
    db: sqlite3.Connection, job: Job, outputs: dict[str, str], error: str | None
) -> IndexResult:
    if error is not None:
        return IndexResult(job.label, "error", error)
    text = outputs[".json"]
    policy = Policy.model_validate(json.loads(text))
    outcome = index_policy(db, policy, text, source_path=str(job.source))
    return IndexResult(job.label, outcome.outcome)


def _index_json_file(db: sqlite3.Connection, path: Path) -> IndexResult:
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        version = data.get("schema_version") if isinstance(data, dict) else None
        if isinstance(version, str) and not version.startswith("1."):
            reason = f"policy JSON schema_version {version!r}; this tool reads 1.x"
            return IndexResult(label, "error", f"{label}: {reason}")
        policy = Policy.model_validate(data)
    except OSError as exc:
        return IndexResult(label, "error", f"{label}: cannot read file: {exc.strerror or exc}")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        return IndexResult(label, "error", f"{label}: not a policy JSON ({where}: {first['msg']})")
    except (ValueError, RecursionError) as exc:
        return IndexResult(label, "error", f"{label}: not a policy JSON ({exc})")
    except PolicyExtractError as exc:
        return IndexResult(label, "error", f"{label}: {exc.reason}")
    outcome = index_policy(
        db, policy, text, source_path=policy.source.path if policy.source else ""
    )
    return IndexResult(label, outcome.outcome)


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _hidden(path: Path, top: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(top).parts)


def _convertible(path: Path, top: Path) -> bool:
    name = path.name.lower()
    own_output = name.endswith((".summary.md", ".summary.html"))
    return path.suffix.lower() in SUFFIXES and not own_output and not _hidden(path, top)
