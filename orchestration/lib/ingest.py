"""Load one source file into its raw table, its rejects into quarantine, its facts into meta.

Idempotent: the raw table is replaced by the rows of the current file, and the file's quarantine and
meta rows are replaced too, in one transaction, so re-ingesting the same file adds no rows and a
failure leaves the previous load intact. The file itself is only read.

Per-source isolation: a file that cannot be read at all (missing, empty, unreadable, a required
column renamed or gone) does not stop the other sources. The source keeps its last good rows (those
of the published warehouse, else of the previous build) and is marked stale in ``meta.source_files``
(``is_stale``, ``stale_since``, ``stale_reason``); the run goes on and says so.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import yaml

from orchestration.build_warehouse import attach_published, ensure_meta_tables
from orchestration.defs.connectors.landing_store import Landed, adopt_landing, landed_for_run, latest_landed
from orchestration.defs.connectors.registry import CONNECTORS
from transforms.ingest import PARSER_VERSION, LoadResult, load_source, parse_source, scan_file
from transforms.sources import REF_GPU_MODELS, SOURCE_FILES, SourceSpec
from transforms.storage.paths import PROJECT_ROOT, sources_dir


@dataclass
class LoadSummary:
    table: str
    source_file: str
    sha256: str | None
    rows_in_file: int
    rows_loaded: int
    rows_rejected: int
    fields_nulled: int
    issues: int
    file_rejected: bool
    reasons: dict[str, int]
    is_stale: bool = False
    stale_reason: str | None = None
    stale_since: datetime | None = None
    read_path: str = "none"
    unchanged: bool = False  # same file, parser and reference sets as the build's last load: not re-read
    choice: SourceChoice | None = None

    def metadata(self) -> dict[str, Any]:
        return {
            "source_file": self.source_file,
            "sha256": self.sha256 or "",
            "rows_in_file": self.rows_in_file,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "fields_nulled": self.fields_nulled,
            "issues": self.issues,
            "file_rejected": self.file_rejected,
            "is_stale": self.is_stale,
            "stale_reason": self.stale_reason or "",
            "read_path": self.read_path,
            "unchanged": self.unchanged,
            **(self.choice.metadata() if self.choice else {}),
        }


@dataclass(frozen=True)
class SourceChoice:
    """Which file a run reads for a source, and where it came from.

    ``origin``: shipped (the repository's data/sources snapshot), publisher or mirror (a connector's
    landing), inbox (a file an analyst dropped). ``fetch_status``: ok (this run fetched it), failed (this
    run's fetch failed: the source keeps its last good rows, stale), not_fetched (a run without fetching
    reads the newest good file it has: the latest landing or the shipped snapshot, whichever is newer)."""

    path: Path | None
    origin: str
    fetch_status: str
    url: str | None = None
    retrieved: str | None = None
    fetched_at: datetime | None = None
    fetch_error: str | None = None

    def metadata(self) -> dict[str, Any]:
        return {
            "read_from": relative(self.path) if self.path else "",
            "origin": self.origin,
            "fetch_status": self.fetch_status,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else "",
            "fetch_error": self.fetch_error or "",
        }


def relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def choose_source(
    table: str, run_id: str | None = None, inbox: str | None = None, root: Path | None = None
) -> SourceChoice:
    """The file ``table`` is read from in run ``run_id`` (see ``SourceChoice``); ``inbox``: the landing
    directory an inbox-triggered run names for this table (run tag ``dcpulse/inbox_landings``)."""
    root = root or sources_dir()
    rel = SOURCE_FILES[table][1]
    prov = provenance(root).get(table, {})
    shipped = SourceChoice(root / rel, "shipped", "not_fetched", prov.get("url"), _date(prov.get("retrieved")))
    if table not in CONNECTORS:
        return shipped
    if inbox:
        try:
            landed = adopt_landing(table, inbox, run_id or "")
        except (OSError, ValueError):
            landed = None
        if landed is not None and landed.ok and landed.path is not None:
            return _landed_choice(landed, "ok")
    this_run = landed_for_run(table, run_id) if run_id else None
    if this_run is not None and not this_run.ok:
        return SourceChoice(
            None,
            this_run.origin,
            "failed",
            this_run.url or None,
            None,
            this_run.fetched_at.replace(tzinfo=None),
            this_run.error or "fetch failed",
        )
    if this_run is not None and this_run.path is not None and this_run.path.is_file():
        return _landed_choice(this_run, "ok")
    latest = latest_landed(table)
    if latest is not None and (shipped.retrieved is None or latest.fetched_at.date().isoformat() >= shipped.retrieved):
        return _landed_choice(latest, "not_fetched")
    return shipped


def _landed_choice(landed: Landed, status: str) -> SourceChoice:
    return SourceChoice(
        landed.path,
        landed.origin,
        status,
        landed.url or None,
        landed.fetched_at.date().isoformat(),
        landed.fetched_at.replace(tzinfo=None),
    )


def _date(value: object) -> str | None:
    return str(value)[:10] if value else None


def provenance(root: Path | None = None) -> dict[str, dict[str, Any]]:
    path = (root or sources_dir()) / "SOURCES.yml"
    if not path.exists():
        return {}
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources", {})


@dataclass(frozen=True)
class DataAge:
    """How old a source's newest data is against its publisher's cadence (SOURCES.yml)."""

    newest: date | None = None
    cadence_days: int | None = None
    max_age_days: int | None = None
    reason: str | None = None
    stale_since: datetime | None = None


def data_age(
    con: duckdb.DuckDBPyConnection, table: str, prov: dict[str, Any], retrieved: str | None, loaded_at: datetime
) -> DataAge:
    """Date the source's newest data (SOURCES.yml ``newest_data``: 'retrieved', or 'sql: <expression>' over
    raw.<table>) and compare its age at load time with the publisher's cadence plus publication lag. A source
    without a cadence (a closed archive, a curated reference) is never stale by age."""
    cadence, rule = prov.get("cadence_days"), prov.get("newest_data")
    if cadence is None or rule is None:
        return DataAge()
    newest: date | None
    if rule == "retrieved":
        newest = date.fromisoformat(retrieved[:10]) if retrieved else None
    elif str(rule).startswith("sql:"):
        value = con.execute(f"select {str(rule)[4:].strip()} from raw.{table}").fetchone()[0]
        newest = value.date() if isinstance(value, datetime) else value
    else:
        raise ValueError(f"SOURCES.yml {table}: newest_data must be 'retrieved' or 'sql: <expression>', not {rule!r}")
    max_age = int(cadence) + int(prov.get("publication_lag_days") or 0)
    if newest is None:
        return DataAge(None, int(cadence), max_age)
    age_days = (loaded_at.date() - newest).days
    if age_days <= max_age:
        return DataAge(newest, int(cadence), max_age)
    lag = int(prov.get("publication_lag_days") or 0)
    allowed = f"every {cadence} days" + (f", {lag} days to publish" if lag else "")
    reason = (
        f"data out of date: newest data {newest.isoformat()} is {age_days} days old at load; "
        f"{prov.get('publisher', 'the publisher')} updates {allowed} (at most {max_age} days)"
    )
    since = datetime.combine(newest, datetime.min.time()) + timedelta(days=max_age)
    return DataAge(newest, int(cadence), max_age, reason, since)


def parse_context(root: Path | None = None) -> dict[str, object]:
    """Reference sets some sources are checked against (known GPU model names)."""
    root = root or sources_dir()
    path = root / SOURCE_FILES[REF_GPU_MODELS.table][1]
    if not path.exists():
        return {}
    models = parse_source(path.read_bytes(), REF_GPU_MODELS).rows
    return {"known_chips": set(models["chip_name"].to_list())} if models is not None else {}


def parent_context(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> dict[str, object]:
    """The parent keys a source's ParentChecks test against, read from the parents' raw tables."""
    out: dict[str, object] = {}
    for check in spec.parent_checks:
        try:
            values = con.execute(f'select distinct "{check.parent_field}" from raw.{check.parent}').fetchall()
        except duckdb.CatalogException:
            continue  # parent not loaded yet: nothing to test against (the dbt relationship test still runs)
        out[check.context_key] = {str(v) for (v,) in values if v is not None}
    return out


def _issue_reasons(issues: pl.DataFrame) -> dict[str, int]:
    if not issues.height:
        return {}
    grouped = issues.group_by("action", "field", "reason").len().sort("len", descending=True)
    return {f"{a} {f}: {r}"[:200]: n for a, f, r, n in grouped.iter_rows()}


def _exists(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> bool:
    return (
        con.execute(
            "select count(*) from information_schema.tables where table_catalog = ? and table_schema = ? "
            "and table_name = ?",
            [catalog, schema, table],
        ).fetchone()[0]
        > 0
    )


def _build_catalog(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchone()[0]


def ingest_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    root: Path | None = None,
    loaded_at: datetime | None = None,
    context: dict[str, object] | None = None,
    path: Path | None = None,
    run_id: str | None = None,
    choice: SourceChoice | None = None,
) -> LoadSummary:
    """Read ``table``'s file (under ``root``, or ``path``) and write raw, quarantine and meta rows.

    A file whose sha256, parser version and reference sets equal the build's last good load of it is
    not read again (``unchanged``): its raw table is already what reading it would give."""
    root = root or sources_dir()
    spec, rel = SOURCE_FILES[table]
    path = path or (choice.path if choice is not None else None) or root / rel
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    ensure_meta_tables(con)
    ctx = dict(context if context is not None else parse_context(root))
    ctx.update(parent_context(con, spec))
    staged = f"raw.{table}__incoming"
    sha: str | None = None
    key: str | None = None
    size = 0
    try:
        if choice is not None and choice.fetch_status == "failed":
            raise _FetchFailed(choice)
        scan = scan_file(path)
        sha, size = scan.sha256, scan.size
        key = _input_key(sha, ctx)
        done = _unchanged(con, table, key, choice, provenance(root).get(table, {}), loaded_at)
        if done is not None:
            return done
        lineage = {"_source_file": rel, "_source_sha256": sha, "_loaded_at": loaded_at}
        if spec.convert is not None and path.suffix.lower() != ".csv":
            result = _load_converted(con, path, spec, staged, ctx, lineage)
        else:
            result = load_source(con, path, spec, staged, ctx, lineage, scan)
    except _FetchFailed:
        where = f" [{choice.url}]" if choice is not None and choice.url else ""
        result = _file_failure(f"fetch failed: {choice.fetch_error if choice else ''}{where}")
    except FileNotFoundError:
        result = _file_failure(f"source file {relative(path)} not found")
    except OSError as error:
        result = _file_failure(f"source file {rel} could not be read: {error.strerror or error}")
    stale_reason = result.file_reason()
    issues = result.issues.select(
        pl.lit(table).alias("source_table"),
        pl.lit(rel).alias("source_file"),
        pl.lit(sha).cast(pl.String).alias("source_sha256"),
        pl.col("source_row").cast(pl.Int32),
        "field",
        "value",
        "reason",
        "action",
        "record_json",
        pl.lit(loaded_at).cast(pl.Datetime("us")).alias("rejected_at"),
    )
    prov = provenance(root).get(table, {})
    build = _build_catalog(con)
    if stale_reason is not None:
        attach_published(con)  # outside the transaction: ATTACH cannot run inside one
    con.execute("begin transaction")
    try:
        previous = con.execute(
            "select loaded_at, is_stale, stale_since from meta.source_files where source_table = ?", [table]
        ).fetchone()
        if stale_reason is None:
            con.execute(f"drop table if exists raw.{table}")
            con.execute(f"alter table {staged} rename to {table}")
            con.execute("delete from quarantine.rejected_rows where source_table = ?", [table])
            stale_since = None
            kept = result.rows_loaded
        else:
            kept, stale_since = _keep_last_good(con, build, spec, previous, loaded_at)
        con.register("_issues", issues.to_arrow())
        if stale_reason is not None:
            con.execute(
                "delete from quarantine.rejected_rows where source_table = ? and action = 'file_rejected'", [table]
            )
        retrieved = choice.retrieved if choice is not None else _date(prov.get("retrieved"))
        # stale: the file could not be read or fetched (its last good rows kept), or its data are older than
        # the publisher's cadence allows
        age = data_age(con, table, prov, retrieved, loaded_at)
        reasons = [r for r in (stale_reason, age.reason) if r is not None]
        is_stale = bool(reasons)
        stale_text = "; ".join(reasons) if reasons else None
        stale_since = stale_since or age.stale_since
        con.execute("insert into quarantine.rejected_rows by name select * from _issues")
        con.unregister("_issues")
        meta = {
            "source_table": table,
            "source_file": rel,
            "sha256": sha,
            "bytes": size,
            "rows_in_file": result.rows_in_file,
            "rows_loaded": kept,
            "rows_rejected": result.rows_rejected,
            "fields_nulled": result.fields_nulled,
            "issues": result.issues.height,
            "file_rejected": stale_reason is not None,
            "publisher": prov.get("publisher"),
            "licence": prov.get("licence"),
            "url": choice.url if choice is not None else prov.get("url"),
            "retrieved": retrieved,
            "loaded_at": loaded_at,
            "is_stale": is_stale,
            "stale_since": stale_since,
            "stale_reason": stale_text,
            "newest_data_date": age.newest,
            "cadence_days": age.cadence_days,
            "max_data_age_days": age.max_age_days,
            "parser_version": PARSER_VERSION,
            "read_path": result.path,
            "input_key": None if stale_reason is not None else key,
            "loaded_in_run": run_id,
            **_choice_columns(choice, path),
        }
        if stale_reason is not None and previous is not None:
            # the rows kept are those of the last good load: keep its file facts, mark it stale
            con.execute(
                "update meta.source_files set file_rejected = true, is_stale = true, stale_since = ?, "
                "stale_reason = ?, rows_loaded = ?, issues = ?, fetch_status = ?, fetch_error = ?, "
                "newest_data_date = ?, cadence_days = ?, max_data_age_days = ? "
                "where source_table = ?",
                [
                    stale_since,
                    stale_text,
                    kept,
                    result.issues.height,
                    choice.fetch_status if choice is not None else "not_fetched",
                    choice.fetch_error if choice is not None else None,
                    age.newest,
                    age.cadence_days,
                    age.max_age_days,
                    table,
                ],
            )
        else:
            con.execute("delete from meta.source_files where source_table = ?", [table])
            columns = ", ".join(meta)
            con.execute(
                f"insert into meta.source_files ({columns}) values ({', '.join('?' for _ in meta)})",
                list(meta.values()),
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.execute(f"drop table if exists {staged}")
    return LoadSummary(
        table,
        rel,
        sha,
        result.rows_in_file,
        kept,
        result.rows_rejected,
        result.fields_nulled,
        result.issues.height,
        stale_reason is not None,
        _issue_reasons(result.issues),
        is_stale=is_stale,
        stale_reason=stale_text,
        stale_since=stale_since,
        read_path=result.path,
        choice=choice,
    )


def _load_converted(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    spec: SourceSpec,
    staged: str,
    ctx: dict[str, object],
    lineage: dict[str, object],
) -> LoadResult:
    """A publisher's own format (e.g. the EIA-861M .xlsx) converted to the CSV its spec reads, then loaded;
    the lineage keeps the original file's sha256. A file the converter cannot open is rejected whole."""
    try:
        data = spec.convert(path)  # type: ignore[misc]
    except Exception as error:  # noqa: BLE001 - any failure to open the publisher's format rejects the file
        return _file_failure(f"{path.name} could not be read as its publisher's format: {error}".splitlines()[0])
    with tempfile.TemporaryDirectory() as tmp:
        converted = Path(tmp) / f"{path.stem}.csv"
        converted.write_bytes(data)
        return load_source(con, converted, spec, staged, ctx, lineage)


def _input_key(sha: str, context: dict[str, object]) -> str:
    """What a load of this file depends on: its bytes, the parser, the reference sets it is checked against."""
    digest = hashlib.sha256(f"{sha};{PARSER_VERSION}".encode())
    for name in sorted(context):
        values = context[name]
        items = sorted(map(str, values)) if isinstance(values, set | list | tuple | frozenset) else [str(values)]
        digest.update(f"{name}={len(items)}:".encode())
        for item in items:
            digest.update(item.encode() + b"\0")
    return digest.hexdigest()


class _FetchFailed(Exception):
    def __init__(self, choice: SourceChoice) -> None:
        super().__init__(choice.fetch_error)


def _choice_columns(choice: SourceChoice | None, path: Path) -> dict[str, object]:
    choice = choice or SourceChoice(path, "shipped", "not_fetched")
    return {
        "read_from": relative(choice.path or path),
        "origin": choice.origin,
        "fetched_at": choice.fetched_at,
        "fetch_status": choice.fetch_status,
        "fetch_error": choice.fetch_error,
    }


def _unchanged(
    con: duckdb.DuckDBPyConnection,
    table: str,
    key: str,
    choice: SourceChoice | None,
    prov: dict[str, Any],
    loaded_at: datetime,
) -> LoadSummary | None:
    """The summary of the build's last load if it read exactly these inputs and its raw table is there.
    Where the bytes came from may differ (a re-fetch of the same file): that is recorded. The data's age is
    judged again (it grows while the file stays the same)."""
    row = con.execute(
        "select source_file, sha256, rows_in_file, rows_loaded, rows_rejected, fields_nulled, issues, read_path, "
        "retrieved from meta.source_files "
        "where source_table = ? and input_key = ? and not coalesce(file_rejected, false)",
        [table, key],
    ).fetchone()
    if row is None or not _exists(con, _build_catalog(con), "raw", table):
        return None
    rel, sha, in_file, loaded, rejected, nulled, issues, read_path, retrieved = row
    columns: dict[str, Any] = {}
    if choice is not None and choice.path is not None:
        retrieved = choice.retrieved
        columns = {"url": choice.url, "retrieved": choice.retrieved, **_choice_columns(choice, choice.path)}
    age = data_age(con, table, prov, retrieved, loaded_at)
    columns |= {
        "is_stale": age.reason is not None,
        "stale_reason": age.reason,
        "stale_since": age.stale_since,
        "newest_data_date": age.newest,
        "cadence_days": age.cadence_days,
        "max_data_age_days": age.max_age_days,
    }
    con.execute(
        f"update meta.source_files set {', '.join(f'{c} = ?' for c in columns)} where source_table = ?",
        [*columns.values(), table],
    )
    return LoadSummary(
        table,
        rel,
        sha,
        in_file,
        loaded,
        rejected,
        nulled,
        issues,
        False,
        {},
        read_path=read_path,
        unchanged=True,
        choice=choice,
        is_stale=age.reason is not None,
        stale_reason=age.reason,
        stale_since=age.stale_since,
    )


def _file_failure(reason: str) -> LoadResult:
    issues = pl.DataFrame(
        [
            {
                "source_row": 0,
                "field": "*",
                "value": None,
                "reason": reason,
                "action": "file_rejected",
                "record_json": "{}",
            }
        ],
        schema={
            "source_row": pl.Int64,
            "field": pl.String,
            "value": pl.String,
            "reason": pl.String,
            "action": pl.String,
            "record_json": pl.String,
        },
    )
    return LoadResult(issues, 0, 0)


def _keep_last_good(
    con: duckdb.DuckDBPyConnection,
    build: str,
    spec: SourceSpec,
    previous: tuple[Any, ...] | None,
    loaded_at: datetime,
) -> tuple[int, datetime]:
    """Keep the source's last good rows: the published warehouse's, else the build's own, else an empty
    table of the right shape (so the rest of the run still builds). Returns (rows kept, stale since).
    The published copy wins: it is what passed every check."""
    table = spec.table
    attached = {r[0] for r in con.execute("select database_name from duckdb_databases()").fetchall()}
    published = "published" if "published" in attached else None
    stale_since = loaded_at
    if published and _exists(con, published, "raw", table):
        con.execute(f"create or replace table raw.{table} as select * from {published}.raw.{table}")
        row = None
        if _has_stale_columns(con, published):
            row = con.execute(
                f"select loaded_at, is_stale, stale_since from {published}.meta.source_files where source_table = ?",
                [table],
            ).fetchone()
        con.execute("delete from meta.source_files where source_table = ?", [table])
        columns = _shared_columns(con, published)
        con.execute(
            f"insert into meta.source_files ({columns}) select {columns} from {published}.meta.source_files "
            "where source_table = ?",
            [table],
        )
        con.execute("delete from quarantine.rejected_rows where source_table = ?", [table])
        con.execute(
            f"insert into quarantine.rejected_rows by name select * from {published}.quarantine.rejected_rows "
            "where source_table = ?",
            [table],
        )
        if row is not None and row[1] and row[2] is not None:
            stale_since = row[2]
    elif _exists(con, build, "raw", table):
        if previous is not None and previous[1] and previous[2] is not None:
            stale_since = previous[2]
    else:
        _create_empty(con, spec)
    return con.execute(f"select count(*) from raw.{table}").fetchone()[0], stale_since


def _create_empty(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """raw.<table> with the columns a load would write, and no rows."""
    sql_type = {
        "str": "VARCHAR",
        "float": "DOUBLE",
        "int": "BIGINT",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
        "bool": "BOOLEAN",
        "coord": "DOUBLE",
    }
    columns = [f'"{c.name}" {sql_type[c.kind]}' for c in spec.columns]
    columns += [f'"{d.name}" {sql_type[d.kind]}' for d in spec.derived]
    columns += ["_source_row INTEGER", "_source_file VARCHAR", "_source_sha256 VARCHAR", "_loaded_at TIMESTAMP"]
    con.execute(f"create table raw.{spec.table} ({', '.join(columns)})")


def _has_stale_columns(con: duckdb.DuckDBPyConnection, catalog: str) -> bool:
    return (
        con.execute(
            "select count(*) from information_schema.columns where table_catalog = ? and table_schema = 'meta' "
            "and table_name = 'source_files' and column_name = 'stale_since'",
            [catalog],
        ).fetchone()[0]
        > 0
    )


def _shared_columns(con: duckdb.DuckDBPyConnection, catalog: str) -> str:
    """Columns of meta.source_files that the published copy also has (it may predate new ones)."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_catalog = ? and table_schema = 'meta' "
        "and table_name = 'source_files' order by ordinal_position",
        [catalog],
    ).fetchall()
    ours = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = 'meta' and table_name = 'source_files'"
        ).fetchall()
    }
    return ", ".join(f'"{r[0]}"' for r in rows if r[0] in ours)
