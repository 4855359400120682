"""Finding the work: which files to convert and where each one's outputs go.

Folders are searched recursively, skipping hidden folders and files (``.git``, ``.venv``), our
own summaries (``*.summary.md``) and whatever ``--exclude`` names. Symbolic links inside a folder
are followed only when asked (``follow_symlinks``), and then a folder reached twice is read once.
Every output path is checked to resolve inside the output folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

__all__ = [
    "FORMAT_SUFFIXES",
    "SUFFIXES",
    "Collected",
    "Job",
    "Selection",
    "collect_jobs",
    "output_paths",
]

SUFFIXES = (".pdf", ".md", ".markdown", ".txt")
FORMAT_SUFFIXES = {
    "json": ".json",
    "md": ".summary.md",
    "html": ".summary.html",
    "fhir": ".fhir.json",
}
_OWN_OUTPUTS = (".summary.md", ".summary.html")


@dataclass(frozen=True, slots=True)
class Job:
    """One source and the output path (without suffix) it writes to.

    ``shown_as`` fixes the label where the working folder differs (on a cluster worker).
    """

    source: Path
    target: Path
    shown_as: str | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """The source as a user reads it: relative to the working folder when inside it."""
        return self.shown_as if self.shown_as is not None else _short(self.source)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which files a folder walk takes."""

    exclude: tuple[str, ...] = ()
    follow_symlinks: bool = False


@dataclass(slots=True)
class Collected:
    """The jobs found, one problem line per unusable SRC, and one note per file left out."""

    jobs: list[Job] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def collect_jobs(
    sources: Sequence[Path], output: Path, selection: Selection | None = None
) -> Collected:
    """Files to convert, found in ``sources`` (files or folders), with their output paths.

    Files found in a folder keep their sub-folder under ``output``. Two sources that would write
    the same output name: the second is refused rather than overwriting the first.
    """
    selection = selection or Selection()
    found = Collected()
    taken: dict[Path, Path] = {}
    for source in sources:
        for job in _jobs_for(source, output, selection, found):
            if job.target in taken:
                found.problems.append(
                    f"{job.label}: output name collides with {_short(taken[job.target])}; "
                    "rename one"
                )
                continue
            if not _inside(job.target, output):
                found.problems.append(f"{job.label}: output would be written outside {output}")
                continue
            taken[job.target] = job.source
            found.jobs.append(job)
    return found


def output_paths(job: Job, formats: Sequence[str]) -> list[Path]:
    """The files converting ``job`` writes for the requested ``formats``."""
    return [job.target.with_name(job.target.name + FORMAT_SUFFIXES[f]) for f in formats]


def _jobs_for(source: Path, output: Path, selection: Selection, found: Collected) -> Iterator[Job]:
    if source.is_dir():
        paths = sorted(_walk(source, selection, found))
        if not paths:
            found.problems.append(f"{_short(source)}: folder has no .pdf, .md or .txt files")
        for path in paths:
            relative = path.relative_to(source)
            yield Job(path, output / relative.parent / _output_stem(relative.name))
    elif source.exists():
        yield Job(source, output / _output_stem(source.name))
    elif source.is_symlink():
        found.problems.append(f"{_short(source)}: broken symbolic link")
    else:
        found.problems.append(f"{_short(source)}: no such file or folder")


def _output_stem(name: str) -> str:
    """The file name without its suffix; never empty, ``.`` or ``..`` (``..md`` -> ``__md``)."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return stem if stem.strip(".") else name.replace(".", "_")


def _walk(folder: Path, selection: Selection, found: Collected) -> list[Path]:
    files: list[Path] = []
    visited: set[tuple[int, int]] = set()

    def on_error(error: OSError) -> None:
        found.problems.append(
            f"{_short(Path(error.filename))}: cannot read folder: {error.strerror}"
        )

    walk = os.walk(folder, onerror=on_error, followlinks=selection.follow_symlinks)
    for root, folders, names in walk:
        here = Path(root)
        if selection.follow_symlinks and _seen_before(here, visited):
            folders[:] = []
            continue
        folders[:] = sorted(
            name for name in folders if _wanted(here / name, folder, selection, found)
        )
        files.extend(
            here / name
            for name in names
            if Path(name).suffix.lower() in SUFFIXES
            and not name.lower().endswith(_OWN_OUTPUTS)
            and _wanted(here / name, folder, selection, found)
        )
    return files


def _wanted(path: Path, top: Path, selection: Selection, found: Collected) -> bool:
    if path.name.startswith("."):
        return False
    relative = path.relative_to(top).as_posix()
    if any(fnmatch(relative, glob) or fnmatch(path.name, glob) for glob in selection.exclude):
        return False
    if path.is_symlink() and not selection.follow_symlinks:
        found.notes.append(f"{_short(path)}: symbolic link skipped (--follow-symlinks reads it)")
        return False
    return True


def _seen_before(folder: Path, visited: set[tuple[int, int]]) -> bool:
    """True for a folder already walked (a symlink loop or a second link to the same folder)."""
    try:
        status = folder.stat()
    except OSError:
        return True
    key = (status.st_dev, status.st_ino)
    if key in visited:
        return True
    visited.add(key)
    return False


def _inside(target: Path, output: Path) -> bool:
    root = os.path.realpath(output)
    return os.path.commonpath([root, os.path.realpath(target)]) == root and (
        os.path.realpath(target) != root
    )


def _short(path: Path) -> str:
    """``path`` relative to the working folder when it lies inside it, else as given."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)
