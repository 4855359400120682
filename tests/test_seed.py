"""The seed policy (Atgam), checked fact by fact against source_docs/atgam.md as read by a person.

Line numbers refer to source_docs/atgam.md.
"""

from __future__ import annotations

from policy_extract.model import CriteriaNode, Policy


def tree(node: CriteriaNode) -> tuple[object, ...]:
    """(label, operator, min_count, children...) — the shape and logic of a criteria tree."""
    return (node.label, node.operator, node.min_count, *[tree(c) for c in node.children])


def test_header_fields(seed_policy: Policy) -> None:
    p = seed_policy
    assert p.title == "anti-thymocyte globulin (Atgam)"
    assert p.drug.generic_name == "anti-thymocyte globulin"
    assert p.drug.brand_names == ["Atgam"]
    assert p.payer == "Blue Shield of California"
    assert p.policy_type == "Commercial Medical Benefit Drug Policy"
    assert p.places_of_service == [
        "Home Infusion Administration",
        "Infusion Center Administration",
        "Office Administration",
        "Outpatient Facility Administration",
    ]


def test_drug_details(seed_policy: Policy) -> None:
    d = seed_policy.drug_details
    assert d.usp_category == "IMMUNOLOGICAL AGENTS"
    assert d.mechanism_of_action == "Immunosuppressant Agent"
    assert [(h.code, h.description) for h in d.hcpcs] == [
        (
            "J7504",
            "Lymphocyte immune globulin, antithymocyte globulin, equine, parenteral, 250 mg",
        )
    ]
    assert d.how_supplied == ["250 mg/5 mL (50 mg/mL) 5 ampoules"]


def test_conditions_and_instructions(seed_policy: Policy) -> None:
    p = seed_policy
    names = [
        "Allograft Rejection in Renal Transplant",
        "Aplastic Anemia, moderate to severe",
        "Hematopoietic Cell Transplantation",
        "Management of Immunotherapy-Related Toxicities",
        "Myelodysplastic syndrome (MDS)",
    ]
    assert p.conditions_listed == names
    assert [c.condition for c in p.coverage] == names
    assert p.coverage[4].id == "myelodysplastic-syndrome-mds"
    assert all(c.prior_authorization_required is True for c in p.coverage)
    assert p.unlisted_condition_policy is not None
    assert p.unlisted_condition_policy.startswith("Any condition not listed in this policy")
    assert p.unlisted_condition_policy.endswith("section 1367.21 must be met.")
    assert len(p.special_instructions) == 3
    assert p.special_instructions[2].startswith("For billing purposes")


def test_all_five_criteria_trees(seed_policy: Policy) -> None:
    trees = [tree(c.criteria) for c in seed_policy.coverage if c.criteria]
    leaf = (None, None)
    assert trees == [
        (None, "all", None, ("1", *leaf), ("2", *leaf)),
        (None, "all", None, ("1", *leaf), ("2", *leaf)),
        (
            None, "all", None,
            ("1", "any", None, ("a", "all", None, ("i", *leaf), ("ii", *leaf)), ("b", *leaf)),
        ),
        (None, "all", None, ("1", "any", None, ("a", *leaf), ("b", *leaf))),
        (
            None, "all", None,
            ("1", *leaf), ("2", *leaf), ("3", "any", None, ("a", *leaf), ("b", *leaf)),
        ),
    ]  # fmt: skip


def test_criteria_text_is_verbatim_minus_label_and_colon(seed_policy: Policy) -> None:
    hct = seed_policy.coverage[2].criteria
    assert hct is not None
    assert hct.text == "Meets medical necessity if all the following are met"
    first = hct.children[0]
    assert first.text == "Meets either of the following"
    assert first.children[0].text == "For graft-versus-host disease and all the following"
    assert first.children[0].children[1].text == "Being used in combination with immunosuppressant"
    assert (first.children[0].span.line_start, first.children[0].span.line_end) == (98, 100)
    # Typos and repetitions stay as written.
    toxicities = seed_policy.coverage[3].criteria
    assert toxicities is not None
    assert (
        toxicities.children[0]
        .children[1]
        .text.endswith(
            "refractory to high-dose methylprednisolone: Refractory to high-dose methylprednisolone"
        )
    )


def test_doses(seed_policy: Policy) -> None:
    doses = [
        [(d.amount, d.unit, d.up_to, d.route, d.timing) for d in c.doses]
        for c in seed_policy.coverage
    ]
    daily = {"frequency": 1, "period": 1, "period_unit": "d"}
    twice = {"frequency": 2, "period": 1, "period_unit": "d"}
    as_dicts = [
        [(a, u, up, r, t.model_dump() if t else None) for a, u, up, r, t in c] for c in doses
    ]
    assert as_dicts == [
        [(15, "mg/kg", False, "intravenous", daily)],
        [(20, "mg/kg", False, "intravenous", daily)],
        [(15, "mg/kg", True, "intravenous", twice)],
        [(20, "mg/kg", False, "intravenous", daily)],
        [(40, "mg/kg", False, "intravenous", daily), (15, "mg/kg", False, "intravenous", daily)],
    ]


def test_periods(seed_policy: Policy) -> None:
    got = [
        [
            (p.max_doses, p.duration.model_dump() if p.duration else None, p.dose_index)
            for p in c.coverage_periods
        ]
        for c in seed_policy.coverage
    ]
    assert got == [
        [(21, None, None)],
        [(21, None, None)],
        [(None, {"value": 44, "unit": "d"}, None)],
        [(21, None, None)],
        [(None, {"value": 4, "unit": "d"}, 0), (None, {"value": 5, "unit": "d"}, 1)],
    ]


def test_icd10_lists(seed_policy: Policy) -> None:
    codes = [[i.code for i in c.icd10] for c in seed_policy.coverage]
    assert codes == [
        ["T86.11"],
        ["D61.9"],
        ["D89.810", "D89.812", "D89.813", "T86.09", "Z94.81", "Z94.89", "Z94.9"],
        [
            "D89.834",
            "D89.839",
            "I30.8",
            "I30.9",
            "I40.8",
            "I40.9",
            "T80.82XA",
            "T80.82XS",
            "T80.89XA",
        ],
        [
            "C93.10",
            "D46.0",
            "D46.1",
            "D46.20",
            "D46.21",
            "D46.4",
            "D46.9",
            "D46.A",
            "D46.B",
            "D46.Z",
        ],
    ]


def test_references_and_review_history(seed_policy: Policy) -> None:
    refs = seed_policy.references
    assert [r.number for r in refs] == [1, 2, 3, 4, 5, 6, 7]
    assert [r.url for r in refs] == [
        "http://www.lexi.com",
        None,
        "http://www.micromedexsolutions.com/home/dispatch",
        "https://www.nccn.org/",
        "https://www.nccn.org/",
        "https://www.nccn.org/",
        "https://www.nccn.org/",
    ]
    assert refs[1].text == (
        "Atgam (anti-thymocyte globulin) Prescribing information. "
        "Pfizer Inc.; New York, NY: 9/2023."
    )
    assert seed_policy.review_history.last_annual_review == "3Q2025"
    assert seed_policy.review_history.changes == ["No clinical change following annual review."]


def test_page_furniture_is_recorded_and_never_inside_a_field(seed_policy: Policy) -> None:
    assert seed_policy.source is not None
    assert "anti-thymocyte globulin (Atgam)" in seed_policy.source.furniture
    assert "Reviewed by P&T Committee" in seed_policy.source.furniture
    dumped = seed_policy.model_dump_json(exclude={"source", "title"})
    assert "Reviewed by P&T" not in dumped
    for condition in seed_policy.coverage:
        for dose in condition.doses:
            assert "Atgam" not in dose.text
    assert seed_policy.unparsed == []
    assert seed_policy.warnings == []


def test_every_structured_value_has_a_span(seed_policy: Policy) -> None:
    def walk(node: CriteriaNode) -> None:
        assert node.span is not None and node.span.line_start is not None
        for child in node.children:
            walk(child)

    for condition in seed_policy.coverage:
        assert condition.criteria is not None
        walk(condition.criteria)
        for item in [*condition.doses, *condition.coverage_periods, *condition.icd10]:
            assert item.span is not None and item.span.line_start is not None
    # The second MDS dose sits on line 149 of the source.
    assert seed_policy.coverage[4].doses[1].span.line_start == 149
