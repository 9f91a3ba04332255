"""Load one source file into its raw table, its rejects into quarantine, its facts into meta.

Idempotent: the raw table is replaced by the rows of the current file, and the file's quarantine and
meta rows are replaced too, in one transaction, so re-ingesting the same file adds no rows and a
failure leaves the previous load intact. The file itself is only read.

Per-source isolation: a file that cannot be read at all (missing, empty, unreadable, a required
column renamed or gone) does not stop the other sources. The source keeps its last good rows (those
of the published warehouse, else of the previous build: ``last_good_rows.py``) and is marked stale in
``meta.source_files`` (``is_stale``, ``stale_since``, ``stale_reason``); the run goes on and says so. A source
whose data are older than its publisher's cadence allows is stale too (``data_age.py``).
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from orchestration.build_warehouse import attach_published, ensure_meta_tables, table_exists
from orchestration.defs.ingest.data_age import DataAge, data_age
from orchestration.defs.ingest.last_good_rows import keep_last_good
from orchestration.defs.ingest.source_choice import SourceChoice, provenance, relative, retrieved_date
from transforms.ingest import PARSER_VERSION, LoadResult, load_source, parse_source, scan_file
from transforms.sources import REF_GPU_MODELS, SOURCE_FILES, SourceSpec
from transforms.storage.paths import sources_dir


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
    read = _read_source(con, spec, rel, path, root, ctx, staged, choice, loaded_at)
    if isinstance(read, LoadSummary):
        return read
    result = read.result
    stale_reason = result.file_reason()
    issues = _issue_rows(result.issues, table, rel, read.sha, loaded_at)
    prov = provenance(root).get(table, {})
    build = _build_catalog(con)
    if stale_reason is not None:
        attach_published(con)  # outside the transaction: ATTACH cannot run inside one
    con.execute("begin transaction")
    try:
        previous = con.execute(
            "select loaded_at, is_stale, stale_since from meta.source_files where source_table = ?", [table]
        ).fetchone()
        kept, stale_since = _swap_in_rows(con, spec, staged, build, result, stale_reason, previous, loaded_at)
        _record_issues(con, table, issues, stale_reason)
        retrieved = choice.retrieved if choice is not None else retrieved_date(prov.get("retrieved"))
        # stale: the file could not be read or fetched (its last good rows kept), or its data are older than
        # the publisher's cadence allows
        age = data_age(con, table, prov, retrieved, loaded_at)
        reasons = [r for r in (stale_reason, age.reason) if r is not None]
        stale = _Staleness(bool(reasons), "; ".join(reasons) if reasons else None, stale_since or age.stale_since, age)
        if stale_reason is not None and previous is not None:
            _mark_last_good_stale(con, table, kept, result, stale, choice)
        else:
            meta = _source_files_row(
                table,
                rel,
                path,
                read,
                kept,
                stale,
                prov,
                retrieved,
                choice,
                loaded_at,
                run_id,
                stale_reason is not None,
            )
            _replace_source_files_row(con, table, meta)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.execute(f"drop table if exists {staged}")
    return LoadSummary(
        table,
        rel,
        read.sha,
        result.rows_in_file,
        kept,
        result.rows_rejected,
        result.fields_nulled,
        result.issues.height,
        stale_reason is not None,
        _issue_reasons(result.issues),
        is_stale=stale.is_stale,
        stale_reason=stale.reason,
        stale_since=stale.since,
        read_path=result.path,
        choice=choice,
    )


@dataclass
class _Read:
    """What reading the file gave: the load's result (rows staged, issues) and the file's facts."""

    result: LoadResult
    sha: str | None
    key: str | None
    size: int


@dataclass(frozen=True)
class _Staleness:
    is_stale: bool
    reason: str | None
    since: datetime | None
    age: DataAge


def _read_source(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    rel: str,
    path: Path,
    root: Path,
    ctx: dict[str, object],
    staged: str,
    choice: SourceChoice | None,
    loaded_at: datetime,
) -> _Read | LoadSummary:
    """Read the file into ``staged``, or a one-issue result saying why it cannot be read (fetch failed, missing,
    unreadable); the build's last load instead when it read exactly these inputs (``_unchanged``)."""
    table = spec.table
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
    return _Read(result, sha, key, size)


def _issue_rows(issues: pl.DataFrame, table: str, rel: str, sha: str | None, loaded_at: datetime) -> pl.DataFrame:
    """The load's issues as rows of quarantine.rejected_rows."""
    return issues.select(
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


def _swap_in_rows(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    staged: str,
    build: str,
    result: LoadResult,
    stale_reason: str | None,
    previous: tuple[Any, ...] | None,
    loaded_at: datetime,
) -> tuple[int, datetime | None]:
    """The staged rows become raw.<table> (and the source's old rejects go), or, when the file could not be read,
    the last good rows are kept. Returns (rows in raw.<table>, stale since)."""
    table = spec.table
    if stale_reason is not None:
        return keep_last_good(con, build, spec, previous, loaded_at)
    con.execute(f"drop table if exists raw.{table}")
    con.execute(f"alter table {staged} rename to {table}")
    con.execute("delete from quarantine.rejected_rows where source_table = ?", [table])
    return result.rows_loaded, None


def _record_issues(con: duckdb.DuckDBPyConnection, table: str, issues: pl.DataFrame, stale_reason: str | None) -> None:
    """Add this load's issues to quarantine (a rejected file replaces the source's earlier file rejection)."""
    con.register("_issues", issues.to_arrow())
    if stale_reason is not None:
        con.execute("delete from quarantine.rejected_rows where source_table = ? and action = 'file_rejected'", [table])
    con.execute("insert into quarantine.rejected_rows by name select * from _issues")
    con.unregister("_issues")


def _mark_last_good_stale(
    con: duckdb.DuckDBPyConnection,
    table: str,
    kept: int,
    result: LoadResult,
    stale: _Staleness,
    choice: SourceChoice | None,
) -> None:
    """The rows kept are those of the last good load: keep its file facts in meta.source_files, mark it stale."""
    con.execute(
        "update meta.source_files set file_rejected = true, is_stale = true, stale_since = ?, "
        "stale_reason = ?, rows_loaded = ?, issues = ?, fetch_status = ?, fetch_error = ?, "
        "newest_data_date = ?, cadence_days = ?, max_data_age_days = ? "
        "where source_table = ?",
        [
            stale.since,
            stale.reason,
            kept,
            result.issues.height,
            choice.fetch_status if choice is not None else "not_fetched",
            choice.fetch_error if choice is not None else None,
            stale.age.newest,
            stale.age.cadence_days,
            stale.age.max_age_days,
            table,
        ],
    )


def _source_files_row(
    table: str,
    rel: str,
    path: Path,
    read: _Read,
    kept: int,
    stale: _Staleness,
    prov: dict[str, Any],
    retrieved: str | None,
    choice: SourceChoice | None,
    loaded_at: datetime,
    run_id: str | None,
    file_rejected: bool,
) -> dict[str, Any]:
    """This load's row of meta.source_files: the file's facts, its provenance, what became of it."""
    result = read.result
    age = stale.age
    return {
        "source_table": table,
        "source_file": rel,
        "sha256": read.sha,
        "bytes": read.size,
        "rows_in_file": result.rows_in_file,
        "rows_loaded": kept,
        "rows_rejected": result.rows_rejected,
        "fields_nulled": result.fields_nulled,
        "issues": result.issues.height,
        "file_rejected": file_rejected,
        "publisher": prov.get("publisher"),
        "licence": prov.get("licence"),
        "url": choice.url if choice is not None else prov.get("url"),
        "retrieved": retrieved,
        "loaded_at": loaded_at,
        "is_stale": stale.is_stale,
        "stale_since": stale.since,
        "stale_reason": stale.reason,
        "newest_data_date": age.newest,
        "cadence_days": age.cadence_days,
        "max_data_age_days": age.max_age_days,
        "parser_version": PARSER_VERSION,
        "read_path": result.path,
        "input_key": None if file_rejected else read.key,
        "loaded_in_run": run_id,
        **_choice_columns(choice, path),
    }


def _replace_source_files_row(con: duckdb.DuckDBPyConnection, table: str, meta: dict[str, Any]) -> None:
    con.execute("delete from meta.source_files where source_table = ?", [table])
    columns = ", ".join(meta)
    con.execute(
        f"insert into meta.source_files ({columns}) values ({', '.join('?' for _ in meta)})",
        list(meta.values()),
    )


def _issue_reasons(issues: pl.DataFrame) -> dict[str, int]:
    if not issues.height:
        return {}
    grouped = issues.group_by("action", "field", "reason").len().sort("len", descending=True)
    return {f"{a} {f}: {r}"[:200]: n for a, f, r, n in grouped.iter_rows()}


def _build_catalog(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchone()[0]


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
    if row is None or not table_exists(con, _build_catalog(con), "raw", table):
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
