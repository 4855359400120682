"""Renderers: the Policy as JSON (the public contract) and, through Jinja templates, as text."""

from __future__ import annotations

from .json import load_policy, policy_json_schema, policy_to_json

__all__ = ["load_policy", "policy_json_schema", "policy_to_json"]
