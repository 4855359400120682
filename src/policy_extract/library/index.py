"""Indexing one Policy into the library: one transaction per document, keyed by source sha256.

The same payer + policy number (without a number: payer + normalised title) is one policy; a
document of it with another sha256 is a new version. Every row derives from the version's JSON,
so ``rebuild_library`` recreates the whole database from the stored JSON alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..model import Policy
from .normalize import policy_drug_aliases
from .rows import insert_version_rows, remembered_drug_key
from .store import LibraryError, open_library

__all__ = ["IndexOutcome", "index_policy", "policy_identity", "rebuild_library"]

Outcome = Literal["added", "unchanged"]


@dataclass(frozen=True, slots=True)
class IndexOutcome:
    """What indexing one document did: ``added`` a version, or found it ``unchanged``."""

    outcome: Outcome
    version_id: int
    policy_id: int


def policy_identity(policy: Policy) -> str:
    """The key shared by every version of one policy: payer + number, else payer + title."""
    payer = _normalised(policy.payer or "")
    if policy.policy_number:
        return f"{payer}|number:{_normalised(policy.policy_number)}"
    return f"{payer}|title:{_normalised(policy.title or '')}"


def index_policy(
    connection: sqlite3.Connection, policy: Policy, json_text: str, *, source_path: str = ""
) -> IndexOutcome:
    """Add ``policy`` (whose JSON is ``json_text``) as a version, in one transaction; a no-op
    when a version of the same source sha256 is already there."""
    sha256 = _sha256(policy, json_text)
    connection.execute("BEGIN IMMEDIATE")
    try:
        found = connection.execute(
            "SELECT id, policy_id FROM versions WHERE sha256 = ?", (sha256,)
        ).fetchone()
        if found is not None:
            connection.execute("COMMIT")
            return IndexOutcome("unchanged", found[0], found[1])
        policy_id = _upsert_policy(connection, policy)
        version_id = _insert_version(connection, policy, json_text, policy_id, sha256, source_path)
        insert_version_rows(connection, version_id, policy, policy_drug_aliases(policy))
        _mark_current(connection, policy_id)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return IndexOutcome("added", version_id, policy_id)


def rebuild_library(path: Path) -> int:
    """Recreate the library at ``path`` from its stored JSON (any schema version of ours);
    returns the number of versions. The old file is replaced only once the new one is whole."""
    stored = list(_stored_versions(path))
    fresh = path.with_name(path.name + ".rebuild")
    for leftover in _database_files(fresh):
        leftover.unlink(missing_ok=True)
    connection = open_library(fresh)
    try:
        for source_path, json_text in stored:
            policy = Policy.model_validate(json.loads(json_text))
            index_policy(connection, policy, json_text, source_path=source_path)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for old in _database_files(path)[1:]:
        old.unlink(missing_ok=True)
    os.replace(fresh, path)
    return len(stored)


def _stored_versions(path: Path) -> Iterator[tuple[str, str]]:
    if not path.exists():
        raise LibraryError(path, "no such library database")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT source_path, json FROM versions ORDER BY indexed_order"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise LibraryError(path, f"cannot read stored versions ({exc})") from None
    for source_path, json_text in rows:
        yield str(source_path), str(json_text)


def _database_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _upsert_policy(connection: sqlite3.Connection, policy: Policy) -> int:
    identity = policy_identity(policy)
    generic = policy.drug.generic_name
    key = remembered_drug_key(generic, policy_drug_aliases(policy)) if generic else None
    values = (policy.payer, policy.policy_number, policy.title, generic, key)
    row = connection.execute("SELECT id FROM policies WHERE identity = ?", (identity,)).fetchone()
    if row is None:
        cursor = connection.execute(
            "INSERT INTO policies (identity, payer, policy_number, title, drug_generic_name,"
            " drug_key) VALUES (?, ?, ?, ?, ?, ?)",
            (identity, *values),
        )
        return int(cursor.lastrowid or 0)
    policy_id = int(row[0])
    latest = connection.execute(
        "SELECT MAX(effective_date) FROM versions WHERE policy_id = ?", (policy_id,)
    ).fetchone()[0]
    if latest is None or (policy.effective_date or "") >= latest:
        connection.execute(
            "UPDATE policies SET payer = ?, policy_number = ?, title = ?, drug_generic_name = ?,"
            " drug_key = ? WHERE id = ?",
            (*values, policy_id),
        )
    return policy_id


def _insert_version(
    connection: sqlite3.Connection,
    policy: Policy,
    json_text: str,
    policy_id: int,
    sha256: str,
    source_path: str,
) -> int:
    source = policy.source
    order = connection.execute("SELECT COALESCE(MAX(indexed_order), 0) + 1 FROM versions")
    cursor = connection.execute(
        "INSERT INTO versions (policy_id, effective_date, title, source_path, sha256, format,"
        " profile, json, indexed_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            policy_id,
            policy.effective_date,
            policy.title,
            source_path or (source.path if source else ""),
            sha256,
            source.format if source else None,
            source.profile if source else None,
            json_text,
            order.fetchone()[0],
        ),
    )
    return int(cursor.lastrowid or 0)


def _mark_current(connection: sqlite3.Connection, policy_id: int) -> None:
    """versions.is_current: 1 on the policy's latest version only."""
    connection.execute(
        "UPDATE versions SET is_current = (id = (SELECT id FROM versions WHERE policy_id = :p"
        " ORDER BY effective_date IS NULL, effective_date DESC, indexed_order DESC LIMIT 1))"
        " WHERE policy_id = :p",
        {"p": policy_id},
    )


def _sha256(policy: Policy, json_text: str) -> str:
    """The source file's sha256; a JSON without a source is keyed by its own text."""
    if policy.source is not None and policy.source.sha256:
        return policy.source.sha256
    return hashlib.sha256(json_text.encode("utf-8")).hexdigest()


def _normalised(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))
