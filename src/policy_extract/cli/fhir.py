"""`fhir` (policies to FHIR R4 Bundles) and `evaluate` (a policy's criteria on answers)."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import PolicyExtractError
from ._app import PDF_ENGINE_OPTION, TIMEOUT_OPTION, app, fail, pdf_engine_of, within

if TYPE_CHECKING:
    from ..model import Policy, Warning

_FHIR_SUFFIX = ".fhir.json"


@app.command()
def fhir(
    sources: Annotated[
        list[Path], typer.Argument(help="Policies (.pdf .md .txt), converted JSON, or folders.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the Bundles.")] = Path(
        "output"
    ),
    timeout: Annotated[float, TIMEOUT_OPTION] = 120.0,
    pdf_engine: Annotated[str | None, PDF_ENGINE_OPTION] = None,
) -> None:
    """Export each policy as a FHIR R4 Bundle: OUTPUT/<name>.fhir.json. Exit 1 if any failed."""
    from ..batch import prepare_output_folder, write_atomically
    from ..fhir.export import export_policy

    engine = pdf_engine_of(pdf_engine)
    try:
        prepare_output_folder(output)
    except PolicyExtractError as exc:
        fail(exc.one_line())
    targets, problems = _fhir_targets(sources, output)
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    for source, target in targets:
        try:
            policy = within(timeout, source, partial(_read_policy, source, engine))
            exported = within(timeout, source, partial(export_policy, policy))
            write_atomically(target, exported.text)
        except PolicyExtractError as exc:
            typer.echo(f"error: {exc.one_line()}", err=True)
            problems.append(exc.one_line())
            continue
        _echo_warnings(source, exported.warnings)
        typer.echo(f"wrote {target}")
    if problems:
        raise typer.Exit(1)


def _fhir_targets(sources: list[Path], output: Path) -> tuple[list[tuple[Path, Path]], list[str]]:
    """Each input with its Bundle path; a folder gives its policies (as ``convert`` finds them)
    and its converted ``.json`` files. Two inputs writing one name: the second is refused."""
    from ..batch import collect_jobs

    files: list[Path] = []
    problems: list[str] = []
    for source in sources:
        if source.is_dir():
            found = [job.source for job in collect_jobs([source], output).jobs]
            found += sorted(p for p in source.rglob("*.json") if not p.name.endswith(_FHIR_SUFFIX))
            if not found:
                problems.append(f"{source}: folder has no policies (.pdf .md .txt .json)")
            files += found
        elif source.exists():
            files.append(source)
        else:
            problems.append(f"{source}: no such file or folder")
    targets: list[tuple[Path, Path]] = []
    taken: dict[Path, Path] = {}
    for path in files:
        target = output / (path.name.rsplit(".", 1)[0] + _FHIR_SUFFIX)
        if target in taken:
            problems.append(f"{path}: output name collides with {taken[target]}; rename one")
            continue
        taken[target] = path
        targets.append((path, target))
    return targets, problems


def _read_policy(source: Path, pdf_engine: str) -> Policy:
    from ..diff import load_for_diff

    return load_for_diff(source, pdf_engine)


def _echo_warnings(source: Path, warnings: list[Warning]) -> None:
    for warning in warnings:
        typer.echo(f"warning: {source}: {warning.code}: {warning.message}", err=True)


@app.command()
def evaluate(
    policy_path: Annotated[
        Path, typer.Argument(metavar="POLICY", help="A converted policy JSON (or its source).")
    ],
    answers_path: Annotated[
        Path, typer.Option("--answers", "-a", help="JSON object of linkId: true/false/null.")
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    timeout: Annotated[float, TIMEOUT_OPTION] = 120.0,
    pdf_engine: Annotated[str | None, PDF_ENGINE_OPTION] = None,
) -> None:
    """Decide each condition from answers keyed by linkId: met, not met or undetermined.

    Exit 0 when some condition is met; 1 when none is; 2 when an input cannot be read, or the
    answers name linkIds the policy does not have (the evaluation is still printed).
    """
    from ..fhir.answers import evaluation_json, evaluation_text, load_answers
    from ..fhir.evaluate import evaluate as evaluate_policy

    if fmt not in ("text", "json"):
        fail(f"unknown --format {fmt!r}; choose from text, json", 2)
    engine = pdf_engine_of(pdf_engine)
    try:
        policy = within(timeout, policy_path, lambda: _read_policy(policy_path, engine))
        answers = load_answers(answers_path)
    except PolicyExtractError as exc:
        fail(exc.one_line(), 2)
    result = evaluate_policy(policy, answers)
    sys.stdout.write(evaluation_json(result) if fmt == "json" else evaluation_text(result))
    for link_id in result.unknown_link_ids:
        typer.echo(f"warning: {answers_path}: no item has linkId {link_id!r}", err=True)
    if result.unknown_link_ids:
        raise typer.Exit(2)
    raise typer.Exit(0 if result.any_met else 1)
