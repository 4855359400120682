"""One DTR/SDC Questionnaire per condition: the criteria as questions, the regimen as text.

- a criteria node with children is a ``group`` item, a leaf a ``boolean`` item; ``linkId`` from
  ``link_ids``, ``text`` the criterion's verbatim text;
- every group carries its logic as an SDC ``questionnaire-constraint`` (severity ``warning``:
  an unmet criterion does not stop the form being sent) whose FHIRPath is true when the node is
  met, false when it cannot be, empty while undetermined; the Questionnaire itself carries one
  per phase (``initial-met``, ``continuation-met``: the general criteria and the phase's own);
- doses and coverage periods are ``display`` items;
- every item's source span is in the ``source-span`` extension (page, line_start, line_end).

Built with ``fhir.resources`` (R4B models), so every resource is validated as it is made.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from ..blocks import Span
from ..model import ConditionCoverage, Dose, Period, Policy
from .expressions import all_of, node_expression
from .identity import SOURCE_SPAN_URL, policy_date
from .link_ids import LinkedNode, PhaseTrees

if TYPE_CHECKING:
    from fhir.resources.R4B.extension import Extension
    from fhir.resources.R4B.questionnaire import Questionnaire, QuestionnaireItem

__all__ = ["CONSTRAINT_URL", "build_questionnaire", "span_extension"]

CONSTRAINT_URL = "http://hl7.org/fhir/StructureDefinition/questionnaire-constraint"
_TREE_TITLES = {"initial": "Initial authorization", "continuation": "Continuation of therapy"}


def build_questionnaire(
    policy: Policy,
    condition: ConditionCoverage | None,
    phases: list[PhaseTrees],
    identity: tuple[str, str],
    prefix: str,
) -> Questionnaire:
    """The Questionnaire of one condition (``None``: a policy without conditions)."""
    from fhir.resources.R4B.questionnaire import Questionnaire

    resource_id, url = identity
    items = _criteria_items(phases)
    if condition is not None:
        items += _regimen_items(condition, prefix)
    if not items:
        items = [_no_criteria_item(policy, prefix)]
    name = condition.condition if condition is not None else "all indications"
    return Questionnaire(
        id=resource_id,
        url=url,
        version=policy.effective_date,
        title=f"{policy.title or 'Drug policy'}: {name}",
        status="active",
        subjectType=["Patient"],
        date=policy_date(policy),  # type: ignore[arg-type]  # a date is a valid dateTime
        publisher=policy.payer,
        extension=[_phase_constraint(phase) for phase in phases] or None,
        item=items,
    )


def _criteria_items(phases: list[PhaseTrees]) -> list[QuestionnaireItem]:
    """One top-level item per tree, each tree once (the general criteria serve every phase)."""
    seen: set[str] = set()
    items = []
    for phase in phases:
        for tree in phase.trees:
            if tree.link_id not in seen:
                seen.add(tree.link_id)
                items.append(_node_item(tree))
    return items


def _node_item(item: LinkedNode, ancestors: tuple[str, ...] = ()) -> QuestionnaireItem:
    from fhir.resources.R4B.questionnaire import QuestionnaireItem

    extensions = _span_extensions(item.node.span)
    if item.logic.kind == "leaf":
        return QuestionnaireItem(
            linkId=item.link_id, text=item.node.text or None, type="boolean", extension=extensions
        )
    return QuestionnaireItem(
        linkId=item.link_id,
        text=item.node.text or None,
        type="group",
        extension=[_node_constraint(item, ancestors), *(extensions or [])],
        item=[_node_item(child, (*ancestors, item.link_id)) for child in item.children],
    )


def _node_constraint(item: LinkedNode, ancestors: tuple[str, ...]) -> Extension:
    logic = item.logic
    human = {
        "all": "All of the following are met",
        "any": "At least one of the following is met",
        "at_least": f"At least {logic.min_count} of the following are met",
    }[logic.kind]
    if logic.assumed:
        human += " (the policy does not say how they combine: read as all of them)"
    digest = hashlib.sha256(item.link_id.encode("utf-8")).hexdigest()[:16]
    return _constraint(f"node-{digest}", human, node_expression(item, ancestors))


def _phase_constraint(phase: PhaseTrees) -> Extension:
    human = f"{_TREE_TITLES[phase.phase]}: every criterion group below is met"
    expression = all_of([node_expression(tree) for tree in phase.trees])
    return _constraint(f"{phase.phase}-met", human, expression)


def _constraint(key: str, human: str, expression: str) -> Extension:
    from fhir.resources.R4B.extension import Extension

    parts = [
        Extension(url="key", valueId=key),
        Extension(url="severity", valueCode="warning"),
        Extension(url="expression", valueString=expression),
        Extension(url="human", valueString=human),
    ]
    return Extension(url=CONSTRAINT_URL, extension=parts)


def _regimen_items(condition: ConditionCoverage, prefix: str) -> list[QuestionnaireItem]:
    entries: list[tuple[str, Dose | Period]] = [
        *((f"{prefix}/dose/{i}", dose) for i, dose in enumerate(condition.doses, start=1)),
        *(
            (f"{prefix}/period/{i}", period)
            for i, period in enumerate(condition.coverage_periods, start=1)
        ),
    ]
    return [_display_item(link_id, entry.text, entry.span) for link_id, entry in entries]


def _no_criteria_item(policy: Policy, prefix: str) -> QuestionnaireItem:
    text = "This policy states no coverage criteria that could be read as questions"
    if policy.title:
        text += f": {policy.title}"
    return _display_item(f"{prefix}/no-criteria", text, None)


def _display_item(link_id: str, text: str, span: Span | None) -> QuestionnaireItem:
    from fhir.resources.R4B.questionnaire import QuestionnaireItem

    return QuestionnaireItem(
        linkId=link_id, text=text or None, type="display", extension=_span_extensions(span)
    )


def _span_extensions(span: Span | None) -> list[Extension] | None:
    extension = span_extension(span)
    return [extension] if extension is not None else None


def span_extension(span: Span | None) -> Extension | None:
    """Where an item was read: page (PDF), first and last source line."""
    from fhir.resources.R4B.extension import Extension

    if span is None:
        return None
    values = (("page", span.page), ("line_start", span.line_start), ("line_end", span.line_end))
    parts = [Extension(url=name, valueInteger=value) for name, value in values if value is not None]
    return Extension(url=SOURCE_SPAN_URL, extension=parts) if parts else None
