"""List trees from labels: 1. / a. / i. nesting, roman-or-letter ``i``, bullets by indentation."""

from __future__ import annotations

from policy_extract.blocks import Block, Span
from policy_extract.outline import Node, build_list_tree, build_sections


def item(marker: str, text: str = "x", indent: float = 1) -> Block:
    return Block("list_item", text, Span(line_start=1, line_end=1), marker=marker, indent=indent)


def shape(nodes: list[Node]) -> list[object]:
    return [(n.block.marker, shape(n.children)) if n.children else n.block.marker for n in nodes]


def test_three_levels_nest_by_label_style_even_at_equal_indentation() -> None:
    items = [item("1."), item("a."), item("i."), item("ii."), item("b."), item("2.")]
    assert shape(build_list_tree(items)) == [
        ("1.", [("a.", ["i.", "ii."]), "b."]),
        "2.",
    ]


def test_i_after_h_is_a_letter_not_a_roman_numeral() -> None:
    letters = [item(f"{c}.") for c in "abcdefghij"]
    tree = build_list_tree([item("1."), *letters])
    assert [n.block.marker for n in tree[0].children] == [f"{c}." for c in "abcdefghij"]


def test_i_under_a_letter_opens_roman_children() -> None:
    tree = build_list_tree([item("a."), item("i."), item("ii."), item("iii."), item("b.")])
    assert shape(tree) == [("a.", ["i.", "ii.", "iii."]), "b."]


def test_v_continues_a_roman_list_after_iv() -> None:
    romans = [item(m) for m in ("i.", "ii.", "iii.", "iv.", "v.")]
    tree = build_list_tree([item("a."), *romans])
    assert [n.block.marker for n in tree[0].children] == ["i.", "ii.", "iii.", "iv.", "v."]


def test_bullets_nest_by_indentation() -> None:
    items = [item("-", indent=0), item("-", indent=4), item("-", indent=4), item("-", indent=0)]
    assert shape(build_list_tree(items)) == [("-", ["-", "-"]), "-"]


def test_sections_split_at_headings_and_keep_list_trees() -> None:
    span = Span(line_start=1, line_end=1)
    blocks = [
        Block("heading", "Covered Doses:", span, bold=True),
        Block("paragraph", "15 mg/kg", span),
        Block("heading", "Criteria", span, bold=True),
        item("1."),
        item("a."),
    ]
    sections = build_sections(blocks)
    assert [s.heading.text for s in sections if s.heading] == ["Covered Doses:", "Criteria"]
    assert shape(sections[1].nodes) == [("1.", ["a."])]


def test_items_past_the_depth_limit_are_found_from_the_first_one_too_deep() -> None:
    from policy_extract.blocks import MAX_LIST_DEPTH
    from policy_extract.outline import too_deep_items

    def nested(count: int, start: int = 1) -> list[Block]:
        return [
            Block("list_item", f"level {n}", Span(line_start=start + n), marker="-", indent=n)
            for n in range(count)
        ]

    assert too_deep_items(nested(MAX_LIST_DEPTH)) == []  # at the limit: all kept in place
    deep = nested(MAX_LIST_DEPTH + 2)
    assert [b.text for b in too_deep_items(deep)] == [
        f"level {MAX_LIST_DEPTH}",
        f"level {MAX_LIST_DEPTH + 1}",
    ]
    paragraph = Block("paragraph", "A note", Span(line_start=100))
    split = [*nested(MAX_LIST_DEPTH), paragraph, *nested(MAX_LIST_DEPTH, start=200)]
    assert too_deep_items(split) == []  # two runs, each a tree of its own
