"""Step therapy: the drugs a criterion requires tried first, each with its phrase and span."""

from __future__ import annotations

import functools

import pytest

from conftest import REAL_CORPUS
from policy_extract.blocks import Span
from policy_extract.library.drug_classes import drug_classes
from policy_extract.library.normalize import policy_drug_aliases
from policy_extract.library.step_therapy import (
    step_therapy_drugs,
    step_therapy_phrase,
    step_therapy_requirements,
)
from policy_extract.model import CriteriaNode, Drug, Policy, Product
from policy_extract.pipeline import extract

PHRASES: list[tuple[str, str | None]] = [
    ("Patient has tried and failed methotrexate", "has tried and failed"),
    ("Inadequate response to adalimumab", "Inadequate response"),
    ("Intolerance to etanercept", "Intolerance to"),
    ("Contraindication to methotrexate", "Contraindication to"),
    ("Individual has had a 3 month trial of cyclosporine", "trial of"),
    ("History of failure, contraindication, or intolerance to Botox", "History of failure"),
    ("Unable to tolerate azathioprine", "Unable to tolerate"),
    ("After failure of two TNF inhibitors", "After failure of"),
    ("Patient was intolerant to mesalamine", "intolerant to"),
    ("Disease refractory to corticosteroids", "refractory to"),
    ("Patient has previously tried sulfasalazine", "has previously tried"),
    ("Prior treatment with rituximab", "Prior treatment with"),
    # negated: these exclude drugs, they do not require them
    ("NO prior therapy with any other gene therapy (e.g., Kymriah)", None),
    ("Patient has not tried Humira", None),
    ("Approved without a trial of methotrexate", None),
    # not step therapy at all
    ("Patient is currently receiving infliximab", None),
    ("Used in combination with methotrexate", None),
    ("Patient is ≥ 18 years of age", None),
]


@pytest.mark.parametrize(("text", "phrase"), PHRASES)
def test_step_therapy_phrase(text: str, phrase: str | None) -> None:
    assert step_therapy_phrase(text) == phrase


def _span(line: int) -> Span:
    return Span(line_start=line, line_end=line)


def test_a_criterion_names_its_drugs_with_phrase_text_and_span() -> None:
    node = CriteriaNode(
        text="Patient has tried and failed methotrexate or Humira; AND", span=_span(7)
    )
    found = step_therapy_drugs(node)
    assert [(d.name, d.drug_key, d.phrase) for d in found] == [
        ("methotrexate", "methotrexate", "has tried and failed"),
        ("Humira", "adalimumab", "has tried and failed"),
    ]
    assert all(d.text == node.text and d.span == _span(7) for d in found)


def test_a_lead_in_hands_its_phrase_to_its_children() -> None:
    tree = CriteriaNode(
        text="Patient meets ALL of the following:",
        operator="all",
        children=[
            CriteriaNode(text="Patient is ≥ 18 years of age; AND", span=_span(2)),
            CriteriaNode(
                text="Patient has tried at least two of the following:",
                operator="at_least",
                min_count=2,
                span=_span(3),
                children=[
                    CriteriaNode(text="Eucrisa; OR", span=_span(4)),
                    CriteriaNode(text="a TNF inhibitor such as Remicade; OR", span=_span(5)),
                    CriteriaNode(text="conventional systemic therapy", span=_span(6)),
                ],
            ),
            CriteriaNode(text="Not used with methotrexate", span=_span(7)),
        ],
    )
    found = step_therapy_drugs(tree)
    assert [(d.name, d.drug_key, d.phrase, d.span) for d in found] == [
        ("Eucrisa", "crisaborole", "has tried", _span(4)),
        ("Remicade", "infliximab", "has tried", _span(5)),
    ]
    assert found[1].classes == ["TNF inhibitor"]
    # the structural "ALL of the following" root has no phrase to hand down
    assert step_therapy_drugs(tree.children[2]) == []


def test_a_drug_named_twice_in_one_criterion_counts_once() -> None:
    node = CriteriaNode(text="Trial of methotrexate (oral or injectable methotrexate)")
    assert [d.name for d in step_therapy_drugs(node)] == ["methotrexate"]


CLASSES: list[tuple[str, list[str]]] = [
    ("Patient has tried a TNF inhibitor", ["TNF inhibitor"]),
    (
        "tried one other conventional systemic therapy for Crohn's disease",
        ["conventional systemic therapy"],
    ),
    (
        "tried one conventional synthetic disease-modifying antirheumatic drug (DMARD)",
        ["conventional synthetic disease-modifying antirheumatic drug", "DMARD"],
    ),
    (
        "Non-corticosteroid systemic immunosuppressants (such as cyclosporine)",
        ["Non-corticosteroid systemic immunosuppressants"],
    ),
    ("has already tried a biologic other than the requested medication", ["biologic"]),
    ("Patient has tried one systemic corticosteroid; AND", ["systemic corticosteroid"]),
    ("Patient is ≥ 18 years of age", []),
    ("the requested therapy", []),
]


@pytest.mark.parametrize(("text", "classes"), CLASSES)
def test_drug_classes(text: str, classes: list[str]) -> None:
    assert drug_classes(text) == classes


def test_a_class_alone_names_no_drug() -> None:
    node = CriteriaNode(text="Patient has tried a bisphosphonate or a TNF inhibitor")
    assert step_therapy_drugs(node) == []


def test_class_only_criteria_are_requirements_without_drugs() -> None:
    tree = CriteriaNode(
        text="Patient meets ONE of the following:",
        operator="any",
        children=[
            CriteriaNode(text="Patient has tried a TNF inhibitor; OR", span=_span(2)),
            CriteriaNode(text="Patient has a contraindication to methotrexate", span=_span(3)),
        ],
    )
    found = step_therapy_requirements(tree)
    assert [(r.phrase, r.classes, [d.drug_key for d in r.drugs], r.span) for r in found] == [
        ("has tried", ["TNF inhibitor"], [], _span(2)),
        ("contraindication to", [], ["methotrexate"], _span(3)),
    ]


def test_the_policys_own_brands_are_found_where_the_dictionary_lacks_them() -> None:
    policy = Policy(
        drug=Drug(generic_name="denosumab", brand_names=["Prolia"]),
        products=[
            Product(
                name="Jubbonti & Wyost",
                generic_name="denosumab-bbdz",
                brand_names=["Jubbonti", "Wyost"],
            )
        ],
    )
    node = CriteriaNode(text="Patient must have failed Jubbonti or Wyost; AND")
    assert step_therapy_drugs(node) == []
    found = step_therapy_drugs(node, policy_drug_aliases(policy))
    assert [(d.name, d.drug_key) for d in found] == [
        ("Jubbonti", "denosumab"),
        ("Wyost", "denosumab"),
    ]


# --- the real corpus ---------------------------------------------------------------------

CIGNA = "cigna_infliximab_iv_IP0660_eff2026-01-01.pdf"
ANTHEM = "anthem_dupixent_CC-0029_2025-09.pdf"


@functools.cache
def _real(name: str) -> Policy:
    return extract(REAL_CORPUS / name)


def _real_or_skip(name: str) -> Policy:
    if not (REAL_CORPUS / name).exists():
        pytest.skip(f"real payer PDF {name} not found under {REAL_CORPUS}")
    return _real(name)


def _condition_drugs(policy: Policy, condition_id: str) -> dict[str, list[str]]:
    condition = next(c for c in policy.coverage if c.id == condition_id)
    assert condition.criteria is not None
    by_node: dict[str, list[str]] = {}
    for drug in step_therapy_drugs(condition.criteria):
        assert drug.span is not None and drug.span.page is not None
        assert drug.name in drug.text
        by_node.setdefault(drug.text, []).append(drug.drug_key)
    return by_node


def test_cigna_infliximab_step_therapy() -> None:
    policy = _real_or_skip(CIGNA)
    psoriasis = _condition_drugs(policy, "plaque-psoriasis")
    contraindication = next(t for t in psoriasis if "contraindication to methotrexate" in t)
    assert psoriasis[contraindication] == ["methotrexate"]
    tried = next(t for t in psoriasis if "traditional systemic agent" in t)
    assert psoriasis[tried][:3] == ["methotrexate", "cyclosporine", "acitretin"]
    colitis = _condition_drugs(policy, "indeterminate-colitis")
    either = next(t for t in colitis if "either azathioprine" in t)
    assert colitis[either] == ["azathioprine", "mercaptopurine"]


def test_anthem_dupilumab_list_items_under_a_lead_in() -> None:
    policy = _real_or_skip(ANTHEM)
    dermatitis = _condition_drugs(policy, "atopic-dermatitis")
    assert dermatitis["Eucrisa; OR"] == ["crisaborole"]
    assert dermatitis["Opzelura; OR"] == ["ruxolitinib"]
    immunosuppressants = next(t for t in dermatitis if t.startswith("Non-corticosteroid"))
    assert dermatitis[immunosuppressants] == [
        "cyclosporine",
        "azathioprine",
        "methotrexate",
        "mycophenolate-mofetil",
    ]
