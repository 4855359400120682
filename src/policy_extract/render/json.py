"""JSON out and back in: pretty, stable key order (the model's field order), UTF-8."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..blocks import MAX_LIST_DEPTH
from ..errors import LoadError
from ..model import CriteriaNode, OutlineBlock, Policy, Warning

__all__ = ["load_policy", "policy_json_schema", "policy_to_json"]


def policy_to_json(policy: Policy) -> str:
    """The contract's JSON text for ``policy``, ending with a newline."""
    return policy.model_dump_json(indent=2) + "\n"


def load_policy(path: str | Path) -> Policy:
    """Read a Policy back from JSON written by ``convert``; LoadError if it is not one.

    Criteria and outline trees nested deeper than ``convert`` builds them are kept, their deepest
    items as siblings at the last level (with a warning), so every later walk stays bounded.
    """
    path = Path(path)
    try:
        # json.loads, not pydantic's own JSON parser: that one refuses nesting a converted
        # outline can reach (each list level is two JSON levels).
        data = json.loads(path.read_bytes())
        policy = Policy.model_validate(data)
    except OSError as exc:
        raise LoadError(path, f"cannot read file: {exc.strerror or exc}") from None
    except RecursionError:
        raise LoadError(path, "not a policy JSON (nested too deeply to read)") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        raise LoadError(path, f"not a policy JSON ({where}: {first['msg']})") from None
    except ValueError as exc:  # not JSON, or not UTF-8
        raise LoadError(path, f"not a policy JSON (document: invalid JSON: {exc})") from None
    policy.warnings.extend(_bound_tree_depth(policy))
    return policy


_TREE_LEVELS = MAX_LIST_DEPTH + 1  # a criteria root above MAX_LIST_DEPTH list levels
_Tree = CriteriaNode | OutlineBlock


def _bound_tree_depth(policy: Policy) -> list[Warning]:
    """Flatten every tree below ``_TREE_LEVELS`` levels, without recursion; one warning each."""
    roots: list[tuple[str, _Tree]] = [
        (f"outline[{i}].blocks[{j}]", block)
        for i, section in enumerate(policy.outline)
        for j, block in enumerate(section.blocks)
    ]
    for name, node in (("general_criteria", policy.general_criteria),):
        if node is not None:
            roots.append((name, node))
    for i, condition in enumerate(policy.coverage):
        for name in ("criteria", "continuation_criteria"):
            node = getattr(condition, name)
            if node is not None:
                roots.append((f"coverage[{i}].{name}", node))
    warnings = []
    for where, root in roots:
        moved = _flatten_below(root, _TREE_LEVELS)
        if moved:
            message = (
                f"{where}: {moved} item(s) nested deeper than {_TREE_LEVELS} levels, "
                f"kept as siblings at level {_TREE_LEVELS}"
            )
            warnings.append(Warning(code="tree-too-deep", message=message, span=root.span))
    return warnings


def _flatten_below(root: _Tree, levels: int) -> int:
    """Give each node at level ``levels - 1`` its whole subtree, in reading order, as children;
    return how many nodes moved up."""
    moved = 0
    pending: list[tuple[_Tree, int]] = [(root, 1)]
    while pending:
        node, level = pending.pop()
        if level < levels - 1:
            pending.extend((child, level + 1) for child in node.children)
            continue
        flat = _preorder(node.children)
        moved += len(flat) - len(node.children)
        for child in flat:
            child.children = []
        node.children = flat  # type: ignore[assignment]  # one kind of node per tree
    return moved


def _preorder(nodes: Sequence[_Tree]) -> list[_Tree]:
    found: list[_Tree] = []
    pending = list(reversed(nodes))
    while pending:
        node = pending.pop()
        found.append(node)
        pending.extend(reversed(node.children))
    return found


def policy_json_schema() -> str:
    """The JSON Schema of the contract, as pretty JSON text."""
    schema: dict[str, Any] = Policy.model_json_schema()
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
