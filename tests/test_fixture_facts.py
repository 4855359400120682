"""The three hand-written fixture policies, checked against tests/fixture_facts.md.

Every expected value below comes from tests/fixture_facts.md (written by a person reading the
fixtures) or, where that file leaves something open, from the fixture text itself. None of it was
copied from the program's output. Line numbers are 1-based lines of the fixture file.

Choices the facts file leaves to the program (documented in the program):
- dose and period ``text`` is the line verbatim without a trailing ``, or``, which goes to
  ``joined_by``; the rows below put it back (``, or``) to compare with the line as written;
- ``"Crohn's Disease"`` slugs to ``crohns-disease`` (an apostrophe inside a word is dropped);
- ``"at least 8 hours apart"`` goes to ``Period.min_interval`` {8, "h"};
- ``escalation_to`` is not in the facts file; it is read from the fixture ("may increase to").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import pytest

from conftest import FIXTURES
from policy_extract.model import CriteriaNode, Policy
from policy_extract.pipeline import extract

# --- helpers -------------------------------------------------------------------------------------

ROOT_TEXT = "Meets medical necessity if all the following are met"


def shape(node: CriteriaNode) -> tuple[object, ...]:
    """(label, operator, min_count, *children): the shape and logic of a criteria tree."""
    return (node.label, node.operator, node.min_count, *[shape(c) for c in node.children])


def texts(node: CriteriaNode, path: str = "root") -> list[tuple[str, str]]:
    """(path, text) for every node, e.g. ("root.3.a.i", "...")."""
    out = [(path, node.text)]
    for child in node.children:
        out += texts(child, f"{path}.{child.label}")
    return out


def outline(src: str) -> CriteriaNode:
    """The facts file's notation: one criterion per line, two spaces of indent per level,
    ``label. text`` then `` → any`` / `` → all`` / `` → at_least(N)``; no arrow is a leaf.
    Sibling leaves may share a line, separated by `` | ``."""
    root = CriteriaNode(text=ROOT_TEXT, operator="all")
    stack: list[tuple[int, CriteriaNode]] = [(-1, root)]
    for line in src.strip("\n").splitlines():
        depth = len(line) - len(line.lstrip())
        for part in line.strip().split(" | "):
            label, _, rest = part.partition(". ")
            text, _, op = rest.partition(" → ")
            at_least = re.fullmatch(r"at_least\((\d+)\)", op)
            item = CriteriaNode(
                label=label,
                text=text,
                operator="at_least" if at_least else (op or None),  # type: ignore[arg-type]
                min_count=int(at_least[1]) if at_least else None,
            )
            while stack[-1][0] >= depth:
                stack.pop()
            stack[-1][1].children.append(item)
            stack.append((depth, item))
    return root


IV, IM = "intravenous", "intramuscular"
Q = tuple[float, str] | None


def dose(text: str, amount: float | None, unit: str | None, route: str | None,
         timing: tuple[float, float, str] | None, *, up_to: bool = False, cap: Q = None,
         when: str | None = None, esc: Q = None) -> tuple[object, ...]:  # fmt: skip
    """(text, amount, unit, up_to, route, timing, max_per_administration, applies_when,
    escalation_to); timing is (frequency, period, period_unit)."""
    return (text, amount, unit, up_to, route, timing, cap, when, esc)


def period(text: str, max_doses: int | None = None, duration: Q = None,
           phase: str | None = None, dose_index: int | None = None,
           min_interval: Q = None) -> tuple[object, ...]:  # fmt: skip
    return (text, max_doses, duration, phase, dose_index, min_interval)


def rng(start: str, end: str) -> tuple[str, str | None, str | None]:
    return (f"{start}-{end}", start, end)


def one(code: str) -> tuple[str, str | None, str | None]:
    return (code, None, None)


def _q(q: object) -> Q:
    return None if q is None else (q.value, q.unit)  # type: ignore[attr-defined]


INITIAL_6MO = period("Initial: 6 months", duration=(6, "mo"), phase="initial")
YEARLY = period("Continuation: Yearly, based upon documented positive clinical response",
                duration=(1, "a"), phase="continuation")  # fmt: skip
RA_ICD = [rng("M05.00", "M05.9"), rng("M06.00", "M06.9")]
LEXI, NCCN = "http://www.lexi.com", "https://www.nccn.org/"
ACR = "https://doi.org/10.1002/acr.24596"
DRUGDEX = "http://www.micromedexsolutions.com/home/dispatch"
PLACES = ["Home Infusion Administration", "Infusion Center Administration",
          "Office Administration", "Outpatient Facility Administration"]  # fmt: skip


@dataclass
class Condition:
    id: str
    name: str
    pa: bool
    criteria: CriteriaNode
    doses: list[tuple[object, ...]]
    periods: list[tuple[object, ...]]
    icd10: list[tuple[str, str | None, str | None]]
    dose_lines: list[int] | None = None  # checked where a running header sits between doses


@dataclass
class Facts:
    file: str
    title: str  # in these fixtures also the running-header text (page furniture)
    generic: str
    brands: list[str]
    places: list[str]
    usp: str
    moa: str
    hcpcs: list[tuple[str, str]]
    how_supplied: list[str]
    special_count: int
    last_special_starts: str
    coverage: list[Condition]
    urls: list[str | None]
    review: str
    change_count: int
    change_mentions: dict[int, str] = field(default_factory=dict)  # bullet index -> substring
    criteria_naming_header: list[str] = field(default_factory=list)  # legitimate mentions


# --- 1. infliximab.md ----------------------------------------------------------------------------

INFLIX_AS = outline("""
1. Patient is 18 years of age or older
2. Prescribed by or in consultation with a rheumatologist
3. Inadequate response, intolerance, or contraindication to at least two of the following NSAIDs → at_least(2)
  a. celecoxib | b. diclofenac | c. ibuprofen | d. meloxicam | e. naproxen
4. Not being used in combination with another biologic agent or targeted synthetic drug
""")  # noqa: E501
INFLIX_CD = outline("""
1. Patient is 6 years of age or older
2. Prescribed by or in consultation with a gastroenterologist
3. Either of the following → any
  a. Moderately to severely active disease and all of the following → all
    i. Inadequate response, intolerance, or contraindication to a corticosteroid or an immunomodulator (e.g., azathioprine, 6-mercaptopurine, methotrexate)
    ii. Not being used in combination with another biologic agent or targeted synthetic drug
  b. Fistulizing disease (e.g., perianal or enterocutaneous fistulas)
""")  # noqa: E501
INFLIX_RA = outline("""
1. Patient is 18 years of age or older
2. Prescribed by or in consultation with a rheumatologist
3. Moderately to severely active disease
4. Being used in combination with methotrexate, unless methotrexate is contraindicated or not tolerated
5. Either of the following → any
  a. Inadequate response, intolerance, or contraindication to at least one conventional DMARD (e.g., methotrexate, leflunomide, sulfasalazine, hydroxychloroquine)
  b. Currently established on infliximab therapy with documented positive clinical response
""")  # noqa: E501
INFLIX_UC = outline("""
1. Patient is 6 years of age or older
2. Prescribed by or in consultation with a gastroenterologist
3. Moderately to severely active disease
4. Inadequate response, intolerance, or contraindication to one of the following conventional therapies → any
  a. 6-mercaptopurine | b. azathioprine | c. balsalazide | d. budesonide | e. cyclosporine
  f. hydrocortisone | g. mesalamine | h. methylprednisolone | i. prednisone | j. sulfasalazine
5. Not being used in combination with another biologic agent or targeted synthetic drug
""")  # noqa: E501
INFLIX_TOX = outline("""
1. Either of the following → any
  a. For severe immunotherapy-related colitis or diarrhea secondary to immune checkpoint inhibitor use: refractory to high-dose corticosteroids
  b. For immunotherapy-related pneumonitis secondary to immune checkpoint inhibitor use: no improvement after 48 hours of high-dose corticosteroids
2. Prescribed by or in consultation with an oncologist
""")  # noqa: E501
INFLIX_DOSE = "5 mg/kg given as an IV infusion at weeks 0, 2, and 6, then every"
CD_ICD = ["K50.00", "K50.011", "K50.012", "K50.013", "K50.014", "K50.018", "K50.019", "K50.10",
          "K50.111", "K50.112", "K50.113", "K50.114", "K50.118", "K50.119"]  # fmt: skip
INFLIXIMAB = Facts(
    file="infliximab.md",
    title="infliximab (Remicade, Inflectra, Renflexis, Avsola)",
    generic="infliximab", brands=["Remicade", "Inflectra", "Renflexis", "Avsola"],
    places=PLACES,
    usp="IMMUNOLOGICAL AGENTS", moa="Tumor Necrosis Factor (TNF) Blocker",
    hcpcs=[
        ("J1745", "Injection, infliximab, excludes biosimilar, 10 mg"),
        ("Q5103", "Injection, infliximab-dyyb, biosimilar, (inflectra), 10 mg"),
        ("Q5104", "Injection, infliximab-abda, biosimilar, (renflexis), 10 mg"),
        ("Q5121", "Injection, infliximab-axxq, biosimilar, (avsola), 10 mg"),
    ],
    how_supplied=[f"{b}: 100 mg lyophilized powder in a 20 mL single-dose vial"
                  for b in ("Remicade", "Inflectra", "Renflexis", "Avsola")],
    special_count=4, last_special_starts="Screening for latent tuberculosis infection",
    coverage=[
        Condition("ankylosing-spondylitis", "Ankylosing Spondylitis", True, INFLIX_AS,  # fused l.67
            [dose(f"{INFLIX_DOSE} 6 weeks", 5, "mg/kg", IV, (1, 6, "wk"))],
            [INITIAL_6MO, YEARLY],
            [rng("M45.0", "M45.9")]),
        Condition("crohns-disease", "Crohn's Disease", True, INFLIX_CD,  # header l.100 in criteria
            [dose(f"{INFLIX_DOSE} 8 weeks; may increase to 10 mg/kg, or", 5, "mg/kg", IV,
                  (1, 8, "wk"), esc=(10, "mg/kg")),
             dose("Up to 10 mg/kg given as an IV infusion every 4 weeks", 10, "mg/kg", IV,
                  (1, 4, "wk"), up_to=True)],
            [INITIAL_6MO, YEARLY],
            [*map(one, CD_ICD), rng("K50.80", "K50.819"), rng("K50.90", "K50.919")],
            dose_lines=[110, 114]),  # running header on l.112 between them
        Condition("rheumatoid-arthritis", "Rheumatoid Arthritis", True, INFLIX_RA,  # fused, l.127
            [dose("3 mg/kg given as an IV infusion at weeks 0, 2, and 6, then every 8 weeks; may"
                  " increase to 10 mg/kg or dosing every 4 weeks", 3, "mg/kg", IV, (1, 8, "wk"),
                  esc=(10, "mg/kg"))],
            [INITIAL_6MO, YEARLY],  # the running header on l.141 is not a period
            RA_ICD),
        Condition("ulcerative-colitis", "Ulcerative Colitis", True, INFLIX_UC,
            [dose(f"{INFLIX_DOSE} 8 weeks", 5, "mg/kg", IV, (1, 8, "wk"))],
            [period("Initial: 14 weeks", duration=(14, "wk"), phase="initial"), YEARLY],
            [rng("K51.00", "K51.919")]),
        Condition("management-of-immunotherapy-related-toxicities",
            "Management of Immunotherapy-Related Toxicities", False, INFLIX_TOX,
            [dose("5 mg/kg given as an IV infusion once", 5, "mg/kg", IV, None)],
            [period("To allow for up to 2 doses", max_doses=2)],
            [rng("J70.2", "J70.4"), one("K52.1"), one("T45.1X5A")]),
    ],
    urls=[LEXI, None, DRUGDEX, "https://doi.org/10.1053/j.gastro.2021.04.022",
          "https://doi.org/10.1053/j.gastro.2020.01.006", ACR, None, NCCN, None,
          "https://doi.org/10.1002/art.41042"],
    review="3Q2025", change_count=4,
    change_mentions={1: "10 mg/kg every 4 weeks", 2: "6 months to 14 weeks"},
)  # fmt: skip

# --- 2. tocilizumab.md ---------------------------------------------------------------------------

TOCI_GCA = outline("""
1. Patient is 50 years of age or older
2. Prescribed by or in consultation with a rheumatologist
3. Diagnosis confirmed by either of the following → any
  a. Temporal artery biopsy showing vasculitis
  b. Imaging (e.g., ultrasound, magnetic resonance angiography, PET) consistent with large-vessel vasculitis
4. Either of the following → any
  a. New-onset disease and being used in combination with a tapering course of glucocorticoids
  b. Relapsing or refractory disease and one of the following → any
    i. Disease flare during glucocorticoid taper
    ii. Unable to taper prednisone below 7.5 mg per day without disease flare
""")  # noqa: E501
TOCI_PJIA = outline("""
1. Patient is 2 years of age or older
2. Prescribed by or in consultation with a rheumatologist
3. Either of the following → any
  a. Inadequate response, intolerance, or contraindication to methotrexate
  b. All of the following → all
    i. High disease activity
    ii. Presence of poor prognostic features (e.g., positive rheumatoid factor, positive anti-cyclic citrullinated peptide antibodies, joint damage on imaging)
""")  # noqa: E501
TOCI_RA = outline("""
1. Patient is 18 years of age or older
2. Prescribed by or in consultation with a rheumatologist
3. Moderately to severely active disease
4. Inadequate response, intolerance, or contraindication to methotrexate or another conventional DMARD (e.g., leflunomide, sulfasalazine, hydroxychloroquine)
5. Inadequate response, intolerance, or contraindication to at least two of the following → at_least(2)
  a. Cimzia (certolizumab pegol) | b. Enbrel (etanercept)
  c. Humira (adalimumab) or an adalimumab biosimilar | d. Kevzara (sarilumab)
  e. Olumiant (baricitinib) | f. Orencia (abatacept) | g. an infliximab product
  h. Rinvoq (upadacitinib) | i. Simponi Aria (golimumab) | j. Xeljanz (tofacitinib)
6. Not being used in combination with another biologic agent or targeted synthetic drug
""")  # noqa: E501
TOCI_SJIA = outline("""
1. Patient is 2 years of age or older
2. Prescribed by or in consultation with a rheumatologist
3. One of the following → any
  a. Inadequate response to glucocorticoids or nonsteroidal anti-inflammatory drugs (NSAIDs)
  b. Inadequate response, intolerance, or contraindication to Kineret (anakinra) or Ilaris (canakinumab)
""")  # noqa: E501
TOCI_COVID = outline("""
1. Patient is 18 years of age or older
2. Patient is hospitalized
3. Currently receiving systemic corticosteroids
4. Requires supplemental oxygen, non-invasive or invasive mechanical ventilation, or extracorporeal membrane oxygenation (ECMO)
""")  # noqa: E501
TOCI_CRS = outline("""
1. Patient is 2 years of age or older
2. Either of the following → any
  a. Severe or life-threatening CRS secondary to chimeric antigen receptor (CAR) T-cell therapy
  b. Severe or life-threatening CRS secondary to bispecific T-cell engager therapy (e.g., blinatumomab, teclistamab, epcoritamab)
""")  # noqa: E501
TOCI_4WK = "given as an IV infusion every 4 weeks"
TOCI_2WK = "given as an IV infusion every 2 weeks"
UNDER30, OVER30 = "Weight less than 30 kg", "Weight 30 kg or greater"
TOCILIZUMAB = Facts(
    file="tocilizumab.md",
    title="tocilizumab (Actemra, Tofidence, Tyenne)",
    generic="tocilizumab", brands=["Actemra", "Tofidence", "Tyenne"],
    places=PLACES,
    usp="IMMUNOLOGICAL AGENTS", moa="Interleukin-6 (IL-6) Receptor Antagonist",
    hcpcs=[
        ("J3262", "Injection, tocilizumab, 1 mg"),
        ("Q5133", "Injection, tocilizumab-bavi (tofidence), biosimilar, 1 mg"),
        ("Q5135", "Injection, tocilizumab-aazg (tyenne), biosimilar, 1 mg"),
    ],
    how_supplied=["80 mg/4 mL (20 mg/mL) single-dose vial",
                  "200 mg/10 mL (20 mg/mL) single-dose vial",
                  "400 mg/20 mL (20 mg/mL) single-dose vial"],
    special_count=3, last_special_starts="For billing purposes",
    coverage=[
        Condition("giant-cell-arteritis", "Giant Cell Arteritis", True, TOCI_GCA,
            [dose(f"6 mg/kg {TOCI_4WK} (maximum 600 mg per infusion)", 6, "mg/kg", IV,
                  (1, 4, "wk"), cap=(600, "mg"))],
            [INITIAL_6MO, YEARLY],
            [one("M31.5"), one("M31.6")]),
        Condition("polyarticular-juvenile-idiopathic-arthritis-pjia",
            "Polyarticular Juvenile Idiopathic Arthritis (PJIA)", True, TOCI_PJIA,  # fused, l.89
            [dose(f"{UNDER30}: 10 mg/kg {TOCI_4WK}", 10, "mg/kg", IV, (1, 4, "wk"), when=UNDER30),
             dose(f"{OVER30}: 8 mg/kg {TOCI_4WK}", 8, "mg/kg", IV, (1, 4, "wk"), when=OVER30)],
            [INITIAL_6MO, YEARLY],
            [rng("M08.00", "M08.09"), one("M08.3"), rng("M08.80", "M08.99")],
            dose_lines=[101, 105]),  # running header on l.103 between them
        Condition("rheumatoid-arthritis", "Rheumatoid Arthritis", True, TOCI_RA,  # header l.132
            [dose(f"4 mg/kg {TOCI_4WK}; may increase to 8 mg/kg (maximum 800 mg per infusion)",
                  4, "mg/kg", IV, (1, 4, "wk"), cap=(800, "mg"), esc=(8, "mg/kg"))],
            [INITIAL_6MO, YEARLY],
            RA_ICD),
        Condition("systemic-juvenile-idiopathic-arthritis-sjia",
            "Systemic Juvenile Idiopathic Arthritis (SJIA)", True, TOCI_SJIA,
            [dose(f"{UNDER30}: 12 mg/kg {TOCI_2WK}", 12, "mg/kg", IV, (1, 2, "wk"), when=UNDER30),
             dose(f"{OVER30}: 8 mg/kg {TOCI_2WK}", 8, "mg/kg", IV, (1, 2, "wk"), when=OVER30)],
            [INITIAL_6MO, YEARLY],
            [rng("M08.20", "M08.29")]),
        Condition("coronavirus-disease-2019-covid-19-hospitalized",
            "Coronavirus Disease 2019 (COVID-19), hospitalized", False, TOCI_COVID,  # fused, l.183
            [dose("8 mg/kg given as an IV infusion once (maximum 800 mg per infusion)", 8,
                  "mg/kg", IV, None, cap=(800, "mg"))],
            [period("To allow for up to 2 doses, at least 8 hours apart", max_doses=2,
                    min_interval=(8, "h"))],
            [one("J12.82"), one("U07.1")]),
        Condition("cytokine-release-syndrome-crs", "Cytokine Release Syndrome (CRS)", False,
            TOCI_CRS,
            [dose(f"{UNDER30}: 12 mg/kg given as an IV infusion once", 12, "mg/kg", IV, None,
                  when=UNDER30),
             dose(f"{OVER30}: 8 mg/kg given as an IV infusion once (maximum 800 mg per infusion)",
                  8, "mg/kg", IV, None, cap=(800, "mg"), when=OVER30)],
            [period("To allow for up to 4 doses, at least 8 hours apart", max_doses=4,
                    min_interval=(8, "h"))],
            [rng("D89.831", "D89.835"), one("D89.839")]),
    ],
    urls=[None, LEXI, DRUGDEX, ACR, "https://doi.org/10.1002/art.41774",
          "https://www.covid19treatmentguidelines.nih.gov/", "https://doi.org/10.1002/art.42037",
          None, None],
    review="2Q2025", change_count=3,
    change_mentions={1: "does not require Prior Authorization/Preservice"},
)  # fmt: skip

# --- 3. methotrexate_inj.txt ---------------------------------------------------------------------

MTX_ECTOPIC = outline("""
1. Unruptured ectopic pregnancy confirmed by transvaginal ultrasound or serial serum hCG measurements
2. Patient is hemodynamically stable
3. All of the following → all
  a. Pretreatment serum hCG level less than 5,000 mIU/mL
  b. No fetal cardiac activity on transvaginal ultrasound
  c. Normal baseline complete blood count, liver function, and renal function
  d. No coexisting viable intrauterine pregnancy
""")  # noqa: E501
MTX_GTN = outline("""
1. Prescribed by or in consultation with a gynecologic oncologist
2. Low-risk disease (FIGO/WHO prognostic risk score of 0 to 6)
3. Either of the following → any
  a. Postmolar gestational trophoblastic neoplasia diagnosed by a plateau or rise in serum hCG levels
  b. Histologically confirmed choriocarcinoma
""")  # noqa: E501
MTX_LEPTO = outline("""
1. Prescribed by or in consultation with an oncologist
2. Diagnosis confirmed by one of the following → any
  a. Positive cerebrospinal fluid (CSF) cytology
  b. Magnetic resonance imaging (MRI) of the brain or spine consistent with leptomeningeal disease
  c. Clinical signs and symptoms of leptomeningeal disease with supportive CSF findings
3. Administered by lumbar puncture or via an intraventricular reservoir
""")
MTX_ORAL_A = "Inadequate response to oral methotrexate at a dose of at least 15 mg per week"
MTX_ORAL_B = "Intolerance to oral methotrexate due to one of the following"
MTX_RA = outline(f"""
1. Patient is 18 years of age or older
2. Prescribed by or in consultation with a rheumatologist
3. Either of the following → any
  a. {MTX_ORAL_A}
  b. {MTX_ORAL_B} → any
    i. Gastrointestinal adverse effects (e.g., nausea, vomiting, diarrhea)
    ii. Malabsorption or inability to swallow tablets
""")
IM_INJ = "given as an intramuscular injection"
ECTOPIC_ICD = ["O00.00", "O00.101", "O00.102", "O00.109", "O00.201", "O00.202", "O00.209",
               "O00.80", "O00.90"]  # fmt: skip
METHOTREXATE = Facts(
    file="methotrexate_inj.txt",
    title="methotrexate",
    generic="methotrexate", brands=[],
    places=PLACES[1:],
    usp="ANTINEOPLASTICS", moa="Antimetabolite (Folate Antagonist)",
    hcpcs=[("J9250", "Methotrexate sodium, 5 mg"), ("J9260", "Methotrexate sodium, 50 mg")],
    how_supplied=[
        "25 mg/mL preservative-free solution in 2 mL, 10 mL, and 40 mL single-dose vials",
        "1 g preservative-free lyophilized powder in a single-dose vial",
    ],
    special_count=4, last_special_starts="Only preservative-free formulations",
    coverage=[
        Condition("ectopic-pregnancy", "Ectopic Pregnancy", False, MTX_ECTOPIC,  # DO NOT comes 1st
            [dose(f"50 mg/m2 {IM_INJ} once, or", 50, "mg/m2", IM, None),
             dose(f"1 mg/kg {IM_INJ} every other day", 1, "mg/kg", IM, (1, 2, "d"))],
            [period("50 mg/m2 dose to allow for up to 2 doses, or", max_doses=2, dose_index=0),
             period("1 mg/kg dose for 8 days", duration=(8, "d"), dose_index=1)],
            [*map(one, ECTOPIC_ICD)]),
        Condition("gestational-trophoblastic-neoplasia", "Gestational Trophoblastic Neoplasia",
            True, MTX_GTN,
            [dose(f"0.4 mg/kg {IM_INJ} once daily (maximum 25 mg per dose), or", 0.4, "mg/kg", IM,
                  (1, 1, "d"), cap=(25, "mg")),
             dose(f"1 mg/kg {IM_INJ} every other day, or", 1, "mg/kg", IM, (1, 2, "d")),
             dose(f"30 mg/m2 {IM_INJ} once weekly", 30, "mg/m2", IM, (1, 1, "wk"))],
            [period("Up to 6 months", duration=(6, "mo"))],
            [one("C58"), one("D39.2"), rng("O01.0", "O01.9")],
            dose_lines=[97, 101, 103]),  # running header on l.99 after the ", or" line
        Condition("leptomeningeal-metastases", "Leptomeningeal Metastases", True, MTX_LEPTO,
            [dose("Up to 12 mg given intrathecally twice per week", 12, "mg", "intrathecal",
                  (2, 1, "wk"), up_to=True)],
            [period("Initial: 3 months", duration=(3, "mo"), phase="initial"),
             period("Continuation: 6 months, based upon documented positive clinical response",
                    duration=(6, "mo"), phase="continuation")],
            [one("C79.32"), one("C79.49")]),
        Condition("rheumatoid-arthritis", "Rheumatoid Arthritis", True, MTX_RA,  # header l.145
            [dose("Up to 25 mg given as a subcutaneous injection once weekly", 25, "mg",
                  "subcutaneous", (1, 1, "wk"), up_to=True)],
            [INITIAL_6MO, YEARLY],
            RA_ICD),
    ],
    urls=[LEXI, "https://doi.org/10.1097/AOG.0000000000002560", DRUGDEX, ACR, None, NCCN, NCCN],
    review="1Q2025", change_count=3,
    change_mentions={1: "Prior Authorization/Preservice"},
    # The running header is the bare drug name, which these criteria legitimately contain.
    criteria_naming_header=[MTX_ORAL_A, MTX_ORAL_B],
)  # fmt: skip

# --- the tests -----------------------------------------------------------------------------------

ALL = [INFLIXIMAB, TOCILIZUMAB, METHOTREXATE]
CONDITIONS = [(f, i, c) for f in ALL for i, c in enumerate(f.coverage)]
per_fixture = pytest.mark.parametrize("facts", ALL, ids=[f.file for f in ALL])
per_condition = pytest.mark.parametrize(
    ("facts", "index", "cond"), CONDITIONS, ids=[f"{f.file}-{c.id}" for f, _, c in CONDITIONS]
)


@functools.cache
def load(file: str) -> Policy:
    return extract(FIXTURES / file)


@per_fixture
def test_header_fields(facts: Facts) -> None:
    p = load(facts.file)
    assert p.title == facts.title
    assert p.drug.generic_name == facts.generic
    assert p.drug.brand_names == facts.brands
    assert p.payer == "Blue Shield of California"
    assert p.policy_type == "Commercial Medical Benefit Drug Policy"
    assert p.places_of_service == facts.places


@per_fixture
def test_drug_details(facts: Facts) -> None:
    d = load(facts.file).drug_details
    assert d.usp_category == facts.usp
    assert d.mechanism_of_action == facts.moa
    assert [(h.code, h.description) for h in d.hcpcs] == facts.hcpcs
    assert d.how_supplied == facts.how_supplied


@per_fixture
def test_conditions_listed_and_instructions(facts: Facts) -> None:
    p = load(facts.file)
    # The "Condition(s) listed" bullets are alphabetical in all three fixtures.
    assert p.conditions_listed == sorted(c.name for c in facts.coverage)
    got = [(c.id, c.condition, c.prior_authorization_required) for c in p.coverage]
    assert got == [(c.id, c.name, c.pa) for c in facts.coverage]
    assert p.unlisted_condition_policy is not None
    assert p.unlisted_condition_policy.startswith("Any condition not listed in this policy")
    assert p.unlisted_condition_policy.endswith("section 1367.21 must be met.")
    assert len(p.special_instructions) == facts.special_count
    assert p.special_instructions[-1].startswith(facts.last_special_starts)


@per_fixture
def test_references_and_review_history(facts: Facts) -> None:
    p = load(facts.file)
    assert [r.number for r in p.references] == list(range(1, len(facts.urls) + 1))
    assert [r.url for r in p.references] == facts.urls
    assert p.review_history.last_annual_review == facts.review
    changes = p.review_history.changes
    assert len(changes) == facts.change_count
    for index, words in facts.change_mentions.items():
        assert words in changes[index]


@per_fixture
def test_furniture_is_recorded_and_never_inside_a_field(facts: Facts) -> None:
    p = load(facts.file)
    assert p.source is not None
    assert facts.title in p.source.furniture
    assert "Reviewed by P&T Committee" in p.source.furniture
    for cond in p.coverage:
        for item in [*cond.doses, *cond.coverage_periods]:
            assert facts.title not in item.text
    criteria = [t for c in p.coverage if c.criteria for _, t in texts(c.criteria)]
    assert [t for t in criteria if facts.title in t] == facts.criteria_naming_header


@per_fixture
def test_nothing_unparsed(facts: Facts) -> None:
    assert load(facts.file).unparsed == []


@per_condition
def test_criteria(facts: Facts, index: int, cond: Condition) -> None:
    got = load(facts.file).coverage[index].criteria
    assert got is not None
    assert shape(got) == shape(cond.criteria)  # labels, operators, min_counts, nesting
    assert texts(got) == texts(cond.criteria)  # verbatim minus label and trailing colon


def as_written(text: str, joined_by: str | None) -> str:
    """The line with its connector to the next line, as these fixtures write it (``", or"``)."""
    return f"{text}, {joined_by}" if joined_by else text


@per_condition
def test_doses(facts: Facts, index: int, cond: Condition) -> None:
    got = load(facts.file).coverage[index].doses
    rows = [
        dose(as_written(d.text, d.joined_by), d.amount, d.unit, d.route,
             (d.timing.frequency, d.timing.period, d.timing.period_unit) if d.timing else None,
             up_to=d.up_to, cap=_q(d.max_per_administration), when=d.applies_when,
             esc=_q(d.escalation_to))
        for d in got
    ]  # fmt: skip
    assert rows == cond.doses
    if cond.dose_lines is not None:
        assert [d.span.line_start if d.span else None for d in got] == cond.dose_lines


@per_condition
def test_periods(facts: Facts, index: int, cond: Condition) -> None:
    got = load(facts.file).coverage[index].coverage_periods
    rows = [
        period(
            as_written(p.text, p.joined_by),
            p.max_doses,
            _q(p.duration),
            p.phase,
            p.dose_index,
            _q(p.min_interval),
        )
        for p in got
    ]
    assert rows == cond.periods


@per_condition
def test_icd10(facts: Facts, index: int, cond: Condition) -> None:
    got = load(facts.file).coverage[index].icd10
    assert [(i.code, i.start, i.end) for i in got] == cond.icd10
