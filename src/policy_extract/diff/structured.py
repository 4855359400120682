"""Which source lines a Policy read into structured fields (anything but the outline)."""

from __future__ import annotations

from pydantic import BaseModel

from ..blocks import Span
from ..model import Policy

__all__ = ["structured_lines"]

_NOT_STRUCTURED = frozenset({"outline", "source", "warnings", "unparsed", "spans"})


def structured_lines(policy: Policy) -> set[int]:
    """Line numbers covered by the span of any structured value of ``policy``."""
    lines: set[int] = set()
    stack: list[object] = [
        getattr(policy, name) for name in type(policy).model_fields if name not in _NOT_STRUCTURED
    ]
    while stack:
        value = stack.pop()
        if isinstance(value, Span):
            if value.line_start is not None:
                lines.update(range(value.line_start, (value.line_end or value.line_start) + 1))
        elif isinstance(value, BaseModel):
            stack.extend(getattr(value, name) for name in type(value).model_fields)
        elif isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return lines
