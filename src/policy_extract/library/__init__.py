"""The policy library: many payers' policies indexed and compared like for like.

- ``schema.sql``: the SQLite schema, every table and column documented;
- ``store``: opening the database (WAL mode, schema version checked, ``LibraryError``);
- ``index``: one Policy into the database, one transaction per document, keyed by sha256;
  ``rebuild_library`` recreates the database from its stored JSON alone;
- ``normalize``, ``indications``, ``step_therapy``: keys that match drugs and indications across
  payers, and the drugs a criterion requires tried first.
"""

from __future__ import annotations

from .index import IndexOutcome, index_policy, policy_identity, rebuild_library
from .store import LIBRARY_SCHEMA_VERSION, LibraryError, open_library, schema_sql

__all__ = [
    "LIBRARY_SCHEMA_VERSION",
    "IndexOutcome",
    "LibraryError",
    "index_policy",
    "open_library",
    "policy_identity",
    "rebuild_library",
    "schema_sql",
]
