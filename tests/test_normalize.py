"""Normalisation across payers: one key per drug and per indication, whatever the spelling."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS, ROOT
from policy_extract.library import drug_names
from policy_extract.library.drug_names import (
    DrugLibraryMissingError,
    drug_dictionary_release,
    find_drug_mentions,
)
from policy_extract.library.normalize import (
    ABBREVIATIONS,
    document_abbreviations,
    drug_key,
    indication_key,
    indication_keys_with_codes,
    policy_drug_aliases,
    policy_drug_keys,
)
from policy_extract.model import ConditionCoverage, Drug, Icd10Code, Policy, Product
from policy_extract.pipeline import extract

CIGNA_OLD = "cigna_infliximab_iv_IP0660_eff2026-01-01.pdf"
CIGNA_NEW = "cigna_infliximab_iv_IP0660_eff2026-03-15.pdf"

DRUG_NAMES: list[tuple[str, str]] = [
    # brands the dictionary knows, one generic each
    ("Remicade", "infliximab"),
    ("Inflectra", "infliximab"),
    ("Avsola", "infliximab"),
    ("Renflexis", "infliximab"),
    ("Ocrevus", "ocrelizumab"),
    ("Dupixent", "dupilumab"),
    ("Spinraza", "nusinersen"),
    ("Prolia", "denosumab"),
    ("Xgeva", "denosumab"),
    ("Botox", "onabotulinumtoxina"),
    ("Breyanzi", "lisocabtagene-maraleucel"),
    # biosimilar suffixes: a hyphen and four lowercase letters, by grammar
    ("infliximab-dyyb", "infliximab"),
    ("infliximab-axxq", "infliximab"),
    ("adalimumab-zzzz", "adalimumab"),
    ("Denosumab-bmwo", "denosumab"),
    ("daxibotulinumtoxinA-lanm", "daxibotulinumtoxina"),
    # a canonical name carrying its own suffix (the dictionary's "Risankizumab-rzaa")
    ("Skyrizi", "risankizumab"),
    # brand with its generic in parentheses, trademark signs, odd spacing
    ("Inflectra (infliximab-dyyb)", "infliximab"),
    ("Ixifi (infliximab-qbtx)", "infliximab"),
    ("Remicade®", "infliximab"),
    ("  INFLIXIMAB  ", "infliximab"),
    ("Lisocabtagene maraleucel", "lisocabtagene-maraleucel"),
    ("Prolia & Xgeva", "denosumab"),
    # names the dictionary does not know keep their own normalised form, never a guess
    ("Zymfentra", "zymfentra"),
    ("Zorvexa™", "zorvexa"),
    ("Tezurel (tezulimab-abcd)", "tezurel"),
]


@pytest.mark.parametrize(("name", "key"), DRUG_NAMES)
def test_drug_key(name: str, key: str) -> None:
    assert drug_key(name) == key


def test_policy_aliases_resolve_brands_the_dictionary_does_not_know() -> None:
    """The policy's own product table says which generic a new biosimilar brand stands for."""
    policy = Policy(
        drug=Drug(generic_name="denosumab", brand_names=["Prolia", "Enoby"]),
        products=[
            Product(
                name="Jubbonti & Wyost",
                generic_name="denosumab-bbdz",
                brand_names=["Jubbonti", "Wyost"],
            ),
            Product(name="Zymfentra", generic_name="infliximab-dyyb"),
            Product(name="Enoby & Xtrenbo", brand_names=["Enoby", "Xtrenbo"]),
        ],
    )
    aliases = policy_drug_aliases(policy)
    assert aliases["jubbonti"] == aliases["wyost"] == "denosumab"
    assert aliases["zymfentra"] == "infliximab"
    assert drug_key("Jubbonti") == "jubbonti"  # unknown to the dictionary alone
    assert drug_key("Jubbonti", aliases) == "denosumab"
    assert drug_key("Enoby & Xtrenbo", aliases) == "denosumab"  # one listed name is known
    assert policy_drug_keys(policy) == ["denosumab", "infliximab", "xtrenbo"]


def test_policy_drug_keys_of_the_fixtures() -> None:
    keys = {path.name: policy_drug_keys(extract(path)) for path in sorted(FIXTURES.glob("*.md"))}
    assert keys["infliximab.md"] == ["infliximab"]
    assert keys["rituximab_iv.md"] == ["rituximab"]  # Truxima, Ruxience, Riabni in its title
    assert keys["ustekinumab_sc.md"] == ["ustekinumab"]  # Wezlana: unknown, from the title
    assert keys["cigna_zorvimab.md"] == ["zorvimab"]  # invented drug: its own name


def test_find_drug_mentions_tells_drugs_from_classes() -> None:
    text = "Trial of methotrexate, Humira or a bisphosphonate; generics are fine."
    mentions = [(m.name, m.drug_key, m.kind) for m in find_drug_mentions(text)]
    assert mentions == [
        ("methotrexate", "methotrexate", "drug"),
        ("Humira", "adalimumab", "drug"),
        ("bisphosphonate", "diphosphonates", "class"),
    ]
    first = find_drug_mentions(text)[0]
    assert text[first.start : first.end] == "methotrexate"


def test_the_dictionary_release_is_named() -> None:
    assert drug_dictionary_release().startswith("drug-named-entity-recognition 2.")


def test_missing_drug_library_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str) -> object:
        raise ImportError(name)

    drug_names._find_drugs.cache_clear()
    drug_names._canonical_for_words.cache_clear()
    monkeypatch.setattr(drug_names.importlib, "import_module", refuse)
    try:
        with pytest.raises(DrugLibraryMissingError, match=r"policy-extract\[library\]"):
            drug_key("Some Brand")
    finally:
        monkeypatch.undo()
        drug_names._find_drugs.cache_clear()
    assert drug_key("Remicade") == "infliximab"


INDICATIONS: list[tuple[str, str]] = [
    ("Crohn’s Disease", "crohns-disease"),
    ("Crohn's disease (CD)", "crohns-disease"),
    ("CROHN'S DISEASE", "crohns-disease"),
    ("Crohn disease", "crohns-disease"),  # the possessive dropped, as ICD-10-CM prints it
    ("CD", "crohns-disease"),
    ("Treatment of Crohn's disease", "crohns-disease"),
    ("Ulcerative Colitis (UC)", "ulcerative-colitis"),
    ("UC", "ulcerative-colitis"),
    ("RA", "rheumatoid-arthritis"),
    ("Rheumatoid arthritis.", "rheumatoid-arthritis"),
    ("MS", "multiple-sclerosis"),
    ("PsA", "psoriatic-arthritis"),
    ("Psoriatic Arthritis (PsA)", "psoriatic-arthritis"),
    ("AS", "ankylosing-spondylitis"),
    ("Behcet’s Disease", "behcets-disease"),
    ("Behçet disease", "behcets-disease"),
    ("Still’s Disease", "stills-disease"),
    ("Graft-Versus-Host Disease", "graft-versus-host-disease"),
    ("graft versus host disease (GVHD)", "graft-versus-host-disease"),
    ("Inflammatory bowel diseases", "inflammatory-bowel-disease"),
    ("Periodic fever syndromes", "periodic-fever-syndrome"),
    ("Juvenile Idiopathic Arthritis (JIA)", "juvenile-idiopathic-arthritis"),
    ("Management of Immunotherapy-Related Toxicities", "immunotherapy-related-toxicities"),
    # what is not an abbreviation or a possessive stays as printed
    ("Plaque psoriasis (moderate to severe)", "plaque-psoriasis-moderate-to-severe"),
    ("Spondyloarthritis, Other Subtypes", "spondyloarthritis-other-subtypes"),
    ("Graves' disease", "graves-disease"),
    ("asthma", "asthma"),
    ("ms", "ms"),  # lowercase letters alone are not read as an abbreviation
]


@pytest.mark.parametrize(("name", "key"), INDICATIONS)
def test_indication_key(name: str, key: str) -> None:
    assert indication_key(name) == key


def test_every_table_abbreviation_spells_its_expansion() -> None:
    """The documented table is checked by the same grammar a document's definition meets."""
    for abbreviation, expansion in ABBREVIATIONS.items():
        policy = Policy(conditions_listed=[f"{expansion} ({abbreviation})"])
        assert abbreviation in document_abbreviations(policy), abbreviation
        assert indication_key(abbreviation) == indication_key(expansion)


DEFINITIONS: list[tuple[str, dict[str, str]]] = [
    ("Ulcerative Colitis (UC)", {"UC": "Ulcerative Colitis"}),
    (
        "patients with chronic rhinosinusitis with nasal polyps (CRSwNP)",
        {"CRSWNP": "chronic rhinosinusitis with nasal polyps"},
    ),
    ("after proton pump inhibitors (PPIs) failed", {"PPI": "proton pump inhibitors"}),
    (
        "non-radiographic axial spondyloarthritis (nr-axSpA)",
        {"NR-AXSPA": "non radiographic axial spondyloarthritis"},
    ),
    ("Hidradenitis Suppurativa (HS)", {"HS": "Hidradenitis Suppurativa"}),
    ("a note (see below)", {}),  # not letters of the words before it
    ("Crohn's disease (UC)", {}),
]


@pytest.mark.parametrize(("text", "expected"), DEFINITIONS)
def test_document_abbreviations(text: str, expected: dict[str, str]) -> None:
    assert document_abbreviations(Policy(conditions_listed=[text])) == expected


def test_a_document_definition_wins_over_the_table() -> None:
    policy = Policy(conditions_listed=["Cluster Disease (CD)"])
    abbreviations = document_abbreviations(policy)
    assert indication_key("CD", abbreviations) == "cluster-disease"
    assert indication_key("CD") == "crohns-disease"


def test_indication_keys_with_codes() -> None:
    condition = ConditionCoverage(
        id="cd",
        condition="Crohn's disease (CD)",
        icd10=[
            Icd10Code(code="K50.011"),
            Icd10Code(code="K50.00-K51.919", start="K50.00", end="K51.919"),
            Icd10Code(code="M05.00-M05.9", start="M05.00", end="M05.9"),
        ],
    )
    keys = indication_keys_with_codes(condition)
    assert keys.key == "crohns-disease"
    assert keys.icd10_categories == ["K50", "K51", "M05"]


def test_fixture_infliximab_codes_give_categories() -> None:
    policy = extract(FIXTURES / "infliximab.md")
    by_key = {k.key: k for k in (indication_keys_with_codes(c) for c in policy.coverage)}
    assert by_key["crohns-disease"].icd10_categories == ["K50"]
    assert by_key["ulcerative-colitis"].icd10_categories == ["K51"]


# --- the real corpus ---------------------------------------------------------------------


@functools.cache
def _real(name: str) -> Policy:
    return extract(REAL_CORPUS / name)


def _real_or_skip(name: str) -> Policy:
    path: Path = REAL_CORPUS / name
    if not path.exists():
        pytest.skip(f"real payer PDF {name} not found under {REAL_CORPUS}")
    return _real(name)


def test_two_cigna_versions_share_their_indication_keys() -> None:
    old, new = _real_or_skip(CIGNA_OLD), _real_or_skip(CIGNA_NEW)
    old_keys = {indication_key(c.condition) for c in old.coverage}
    new_keys = {indication_key(c.condition) for c in new.coverage}
    # the March revision removed Still's disease and changed nothing else in the list
    assert old_keys - new_keys == {"stills-disease"}
    assert new_keys <= old_keys
    assert {"crohns-disease", "ulcerative-colitis", "rheumatoid-arthritis"} <= new_keys
    assert policy_drug_keys(old) == policy_drug_keys(new) == ["infliximab"]


def test_cigna_and_the_fixture_meet_where_names_differ_only_in_form() -> None:
    cigna = _real_or_skip(CIGNA_OLD)
    fixture = extract(FIXTURES / "infliximab.md")
    cigna_names = {indication_key(c.condition): c.condition for c in cigna.coverage}
    fixture_names = {indication_key(c.condition): c.condition for c in fixture.coverage}
    shared = set(cigna_names) & set(fixture_names)
    assert {"crohns-disease", "ulcerative-colitis", "ankylosing-spondylitis"} <= shared
    # printed differently (curly vs straight apostrophe), one key
    assert cigna_names["crohns-disease"] != fixture_names["crohns-disease"]
    assert policy_drug_keys(cigna) == policy_drug_keys(fixture)


def _imports_of(path: Path) -> set[str]:
    """Absolute names of the modules a library module imports (relative imports resolved)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            anchor = ["policy_extract", "library"][: 3 - node.level] if node.level else []
            found.add(".".join([*anchor, *([node.module] if node.module else [])]))
    return found


def test_normalisation_sits_above_the_model_and_below_the_pipeline_stages() -> None:
    """The normalisation modules use model, blocks, phrases and errors; never cli, batch, diff
    or lint (the index and the query commands above them may convert and diff)."""
    forbidden = tuple(f"policy_extract.{name}" for name in ("cli", "batch", "diff", "lint"))
    for name in _NORMALISATION:
        imports = _imports_of(ROOT / "src" / "policy_extract" / "library" / name)
        assert "policy_extract.model" in imports or name in _WITHOUT_MODEL, name
        assert not [module for module in imports if module.startswith(forbidden)], name


def test_the_library_never_imports_the_command_line() -> None:
    for path in sorted((ROOT / "src" / "policy_extract" / "library").glob("*.py")):
        imports = _imports_of(path)
        assert not [name for name in imports if name.startswith("policy_extract.cli")], path.name


_NORMALISATION = (
    "drug_classes.py",
    "drug_names.py",
    "eponyms.py",
    "indications.py",
    "normalize.py",
    "step_therapy.py",
)
_WITHOUT_MODEL = {"drug_classes.py", "drug_names.py", "eponyms.py"}


def test_library_modules_export_what_they_name() -> None:
    import importlib

    for path in sorted((ROOT / "src" / "policy_extract" / "library").glob("*.py")):
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(f"policy_extract.library.{path.stem}")
        assert module.__all__ == sorted(module.__all__), path.name
        assert all(hasattr(module, name) for name in module.__all__), path.name
