"""The DuckLake lake, read side: its settings and secrets, the extension files, ATTACH, snapshots and counts.

Both sides use it: publish writes the marts there (``orchestration/defs/publish/lake_publish.py``), the dashboard
reads them (``dashboards/data/lake_reader.py``). The lake is described in the README, "Beyond one machine".

Turned on by two environment variables, read when called:

- ``DCPULSE_LAKE_CATALOG=postgres:<libpq conninfo>``: the DuckLake catalog in PostgreSQL, e.g.
  ``postgres:dbname=dcpulse host=127.0.0.1 port=54329 user=dcpulse``. The password comes from the
  environment (``PGPASSWORD``, or ``password=`` in the conninfo, which is taken out of the conninfo
  and handed to DuckDB as a temporary secret); it is never logged: every message goes through
  :func:`mask`.
- ``DCPULSE_LAKE_DATA``: where the Parquet data files go: a folder (relative paths are relative
  to the repository) or an object-store URL (needs the httpfs extension wheel, see the README's "Beyond one machine").

DuckDB extensions are never downloaded: ``ducklake`` and ``postgres_scanner`` come from the PyPI
wheels ``duckdb-extension-ducklake`` / ``duckdb-extension-postgres-scanner`` (pinned to the duckdb
version) and are LOADed by the path of the file inside the installed package.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from transforms.storage.paths import PROJECT_ROOT

ENV_CATALOG = "DCPULSE_LAKE_CATALOG"
ENV_DATA = "DCPULSE_LAKE_DATA"
LAKE_SCHEMAS = ("marts", "meta")
DEFAULT_ALIAS = "lake"
SECRET_NAME = "__default_postgres"  # the name the postgres extension looks up when ATTACH names no SECRET

# package (as installed from PyPI) -> extension name
EXTENSION_PACKAGES = {
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "ducklake": "duckdb_extension_ducklake",
    "httpfs": "duckdb_extension_httpfs",
}
REQUIRED_EXTENSIONS = ("postgres_scanner", "ducklake")

NO_NETWORK_CONFIG: dict[str, Any] = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
}


class LakeError(RuntimeError):
    """Anything that went wrong with the lake; the message is already masked."""


# ---------------------------------------------------------------------------------------------
# Settings and secrets


_PASSWORD_KV = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_URI_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)([^@\s]*)(@)", re.IGNORECASE)


def _split_password(conninfo: str) -> tuple[str, str | None]:
    """Take ``password=...`` out of a key=value conninfo; return (conninfo without it, password)."""
    found = _PASSWORD_KV.search(conninfo)
    if not found:
        return conninfo.strip(), None
    value = found.group(2)
    if value.startswith("'") and value.endswith("'"):
        value = re.sub(r"\\(.)", r"\1", value[1:-1])
    rest = (conninfo[: found.start()] + conninfo[found.end() :]).strip()
    return re.sub(r"\s{2,}", " ", rest), value


@dataclass(frozen=True)
class LakeSettings:
    """Where the lake is. ``catalog`` never holds the password; ``password`` never shows in repr."""

    catalog: str  # e.g. "postgres:dbname=dcpulse host=127.0.0.1 port=54329 user=dcpulse"
    data_path: str | None  # absolute folder with a trailing slash, or an URL; None: the catalog's own
    password: str | None = field(default=None, repr=False, compare=False)

    @property
    def conninfo(self) -> str:
        """The libpq conninfo (without password)."""
        return self.catalog.split(":", 1)[1]

    @property
    def display(self) -> str:
        """What messages call the catalog: the conninfo, password-free."""
        return mask(self.catalog, self)

    @property
    def is_local_data(self) -> bool:
        return self.data_path is not None and "://" not in self.data_path


def _resolve_data_path(value: str) -> str:
    if "://" in value:
        return value if value.endswith("/") else value + "/"
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    return str(path.resolve()) + "/"


def lake_settings_from_env(environ: dict[str, str] | None = None) -> LakeSettings | None:
    """The lake settings from ``DCPULSE_LAKE_CATALOG`` / ``DCPULSE_LAKE_DATA``; None when the lake is off."""
    env = os.environ if environ is None else environ
    raw = (env.get(ENV_CATALOG) or "").strip()
    if not raw:
        return None
    if raw.startswith("ducklake:"):
        raw = raw[len("ducklake:") :]
    if not raw.startswith("postgres:"):
        raise LakeError(
            f"{ENV_CATALOG} must be 'postgres:<libpq conninfo>' (e.g. postgres:dbname=dcpulse host=127.0.0.1 "
            f"port=5432 user=dcpulse); got {mask(raw)!r}"
        )
    conninfo = raw.split(":", 1)[1]
    if _URI_PASSWORD.search(conninfo):
        raise LakeError(
            f"{ENV_CATALOG}: give the conninfo as key=value pairs and the password in PGPASSWORD, "
            f"not inside a URI (got {mask(raw)!r})"
        )
    conninfo, password = _split_password(conninfo)
    data = (env.get(ENV_DATA) or "").strip()
    return LakeSettings(
        catalog=f"postgres:{conninfo}",
        data_path=_resolve_data_path(data) if data else None,
        password=password,
    )


def mask(text: str, settings: LakeSettings | None = None) -> str:
    """``text`` with every password (conninfo ``password=``, URI ``:pw@``, PGPASSWORD, the settings') hidden."""
    out = _PASSWORD_KV.sub(r"\1***", str(text))
    out = _URI_PASSWORD.sub(r"\1***\3", out)
    for secret in (settings.password if settings else None, os.environ.get("PGPASSWORD")):
        if secret and len(secret) >= 3:
            out = out.replace(secret, "***")
    return out


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# Extensions (from the PyPI wheels, loaded by path)


def extension_file(name: str) -> Path:
    """Path of ``<name>.duckdb_extension`` inside its installed wheel, for the running duckdb version."""
    package = EXTENSION_PACKAGES.get(name, f"duckdb_extension_{name}")
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LakeError(
            f"the DuckDB extension {name!r} is not installed: pip install "
            f"{package.replace('_', '-')}=={duckdb.__version__} (make setup installs it)"
        )
    roots = [Path(p) for p in spec.submodule_search_locations]
    wanted = f"{name}.duckdb_extension"
    for root in roots:
        exact = root / "extensions" / f"v{duckdb.__version__}" / wanted
        if exact.is_file():
            return exact
    found = sorted(p for root in roots for p in root.rglob(wanted))
    if not found:
        raise LakeError(f"{wanted} not found in the installed package {package} ({roots[0]})")
    if len(found) > 1:
        raise LakeError(f"several {wanted} in {package} and none for duckdb v{duckdb.__version__}: {found}")
    return found[0]


def load_extensions(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] = REQUIRED_EXTENSIONS) -> None:
    """LOAD each extension from its wheel's file (call before any hardening setting)."""
    for name in names:
        con.execute(f"LOAD {sql_literal(str(extension_file(name)))}")


# ---------------------------------------------------------------------------------------------
# Attaching


def prepare_connection(con: duckdb.DuckDBPyConnection, settings: LakeSettings) -> None:
    """LOAD the extensions by path; hand a conninfo password to the postgres extension as a secret."""
    load_extensions(con)
    if settings.data_path and not settings.is_local_data:
        load_extensions(con, ("httpfs",))
    if settings.password:
        con.execute(
            f"CREATE OR REPLACE TEMPORARY SECRET {SECRET_NAME} (TYPE postgres, PASSWORD "
            f"{sql_literal(settings.password)})"
        )


def attach_lake(
    con: duckdb.DuckDBPyConnection,
    settings: LakeSettings,
    read_only: bool = False,
    *,
    alias: str = DEFAULT_ALIAS,
    snapshot_version: int | None = None,
) -> None:
    """LOAD the extensions and ``ATTACH 'ducklake:postgres:...' AS <alias>``; a failure raises a masked LakeError.

    ``snapshot_version`` pins the attached lake to one snapshot (read-only by nature).
    """
    try:
        prepare_connection(con, settings)
        options = []
        if settings.data_path:
            if settings.is_local_data and not read_only:
                Path(settings.data_path).mkdir(parents=True, exist_ok=True)
            options.append(f"DATA_PATH {sql_literal(settings.data_path)}")
        if read_only:
            options.append("READ_ONLY")
        if snapshot_version is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot_version)}")
        opts = f" ({', '.join(options)})" if options else ""
        con.execute(f"ATTACH {sql_literal('ducklake:' + settings.catalog)} AS {alias}{opts}")
    except LakeError:
        raise
    except duckdb.Error as error:
        raise LakeError(
            f"cannot attach the lake catalog {settings.display}: {mask(str(error), settings).strip()}"
        ) from None


def lake_data_path(con: duckdb.DuckDBPyConnection, alias: str = DEFAULT_ALIAS) -> str | None:
    """The DATA_PATH the attached lake reads its files from: the one given at ATTACH, else the catalog's own."""
    row = con.execute("select options['data_path'] from duckdb_databases() where database_name = ?", [alias]).fetchone()
    if row and row[0]:
        return row[0]
    for schema in ("public.", ""):
        try:
            row = con.execute(
                f"select value from __ducklake_metadata_{alias}.{schema}ducklake_metadata "
                "where key = 'data_path' and scope is null"
            ).fetchone()
        except duckdb.CatalogException:
            continue
        return row[0] if row else None
    return None


def current_snapshot(con: duckdb.DuckDBPyConnection, alias: str = DEFAULT_ALIAS) -> int:
    return int(con.execute(f"select id from {alias}.current_snapshot()").fetchone()[0])


def snapshots(con: duckdb.DuckDBPyConnection, alias: str = DEFAULT_ALIAS) -> list[dict[str, Any]]:
    cursor = con.execute(
        f"select snapshot_id, snapshot_time, author, commit_message from {alias}.snapshots() order by snapshot_id"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def list_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    return con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = ? "
        "and table_schema in (select unnest(?)) and table_type = 'BASE TABLE' order by 1, 2",
        [catalog, list(LAKE_SCHEMAS)],
    ).fetchall()


def count_rows(con: duckdb.DuckDBPyConnection, catalog: str, at: str = "") -> dict[str, int]:
    return {
        f"{s}.{t}": con.execute(f'select count(*) from {catalog}."{s}"."{t}"{at}').fetchone()[0]
        for s, t in list_tables(con, catalog)
    }


def connect(settings: LakeSettings, read_only: bool = True, **kwargs: Any) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB (no extension downloads) with the lake attached as ``lake`` and in use."""
    con = duckdb.connect(":memory:", config=dict(NO_NETWORK_CONFIG))
    try:
        attach_lake(con, settings, read_only=read_only, **kwargs)
        con.execute(f"USE {kwargs.get('alias', DEFAULT_ALIAS)}")
    except BaseException:
        con.close()
        raise
    return con


def read_lake_counts(settings: LakeSettings, snapshot_version: int | None = None) -> dict[str, int]:
    """Rows per ``schema.table`` of marts and meta in the lake (latest snapshot, or ``snapshot_version``)."""
    con = connect(settings, read_only=True)
    try:
        at = f" AT (VERSION => {int(snapshot_version)})" if snapshot_version is not None else ""
        if snapshot_version is None:
            return count_rows(con, DEFAULT_ALIAS)
        # tables as they were then: attach pinned to that snapshot to list them, count with AT
        pinned = connect(settings, read_only=True, alias="lake_at", snapshot_version=snapshot_version)
        try:
            return {
                name: con.execute(f"select count(*) from {DEFAULT_ALIAS}.{_quote(name)}{at}").fetchone()[0]
                for name in (f"{s}.{t}" for s, t in list_tables(pinned, "lake_at"))
            }
        finally:
            pinned.close()
    except duckdb.Error as error:
        raise LakeError(f"cannot read the lake {settings.display}: {mask(str(error), settings)}") from None
    finally:
        con.close()


def _quote(name: str) -> str:
    schema, table = name.split(".", 1)
    return f'"{schema}"."{table}"'
