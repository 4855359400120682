"""Opening the library database: created from ``schema.sql`` when new, WAL mode, version checked.

A file that is not SQLite, a corrupt database, a database of something else or of another
schema version is a one-line ``LibraryError`` naming the file; nothing is written to it.
"""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

from ..errors import PolicyExtractError

__all__ = ["LIBRARY_SCHEMA_VERSION", "LibraryError", "open_library", "schema_sql"]

# The version of schema.sql; a database of another version must be rebuilt (index --rebuild).
LIBRARY_SCHEMA_VERSION = "3"  # 3: products.flags
_SQLITE_HEADER = b"SQLite format 3\x00"


class LibraryError(PolicyExtractError):
    """The library database cannot be used: not SQLite, corrupt, or of another schema."""


def schema_sql() -> str:
    """The text of ``schema.sql`` (every table and column documented there)."""
    return resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")


def open_library(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """A connection to the library at ``path`` (created when missing and ``create``)."""
    _check_header(path)
    if not path.exists() and not create:
        raise LibraryError(path, "no such library database")
    try:
        connection = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise LibraryError(path, f"cannot open database: {exc}") from None
    try:
        _prepare(connection, path)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise LibraryError(path, f"not a usable policy library ({exc})") from None
    except LibraryError:
        connection.close()
        raise
    return connection


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise LibraryError(path, f"cannot read database: {exc.strerror or exc}") from None
    if header and header != _SQLITE_HEADER:
        raise LibraryError(path, "not an SQLite database")


def _prepare(connection: sqlite3.Connection, path: Path) -> None:
    connection.execute("PRAGMA foreign_keys = ON")
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if not tables:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.executescript("BEGIN IMMEDIATE;\n" + schema_sql() + "\nCOMMIT;")
        connection.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
            (LIBRARY_SCHEMA_VERSION,),
        )
        return
    if "meta" not in tables:
        raise LibraryError(path, "not a policy library (no meta table)")
    row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    found = row[0] if row else None
    if found != LIBRARY_SCHEMA_VERSION:
        raise LibraryError(
            path,
            f"library schema version {found!r}, this tool uses {LIBRARY_SCHEMA_VERSION!r}; "
            "rebuild it with 'policy-extract index --rebuild --db FILE'",
        )
    connection.execute("PRAGMA journal_mode = WAL")
