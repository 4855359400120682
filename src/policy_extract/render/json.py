"""JSON out and back in: pretty, stable key order (the model's field order), UTF-8."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import LoadError
from ..model import Policy

__all__ = ["load_policy", "policy_json_schema", "policy_to_json"]


def policy_to_json(policy: Policy) -> str:
    """The contract's JSON text for ``policy``, ending with a newline."""
    return policy.model_dump_json(indent=2) + "\n"


def load_policy(path: str | Path) -> Policy:
    """Read a Policy back from JSON written by ``convert``; LoadError if it is not one."""
    path = Path(path)
    try:
        return Policy.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise LoadError(path, f"cannot read file: {exc.strerror or exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        raise LoadError(path, f"not a policy JSON ({where}: {first['msg']})") from None


def policy_json_schema() -> str:
    """The JSON Schema of the contract, as pretty JSON text."""
    schema: dict[str, Any] = Policy.model_json_schema()
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
