"""Typing and checking the records in one pass (``_validate``): the target table written once with every row
typed, the derived columns and a flag per rule; then the few rows with issues named, duplicates looked for
(``duplicates.py``), rejected rows deleted and the issues returned with their raw records."""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa

from transforms.ingest.duplicates import _find_duplicates
from transforms.ingest.result import _issue
from transforms.ingest.spec import SourceSpec
from transforms.ingest.sql import _lit, _q
from transforms.ingest.values import _nulled, _typed_layer

# A row rule or reference set as the SQL sees it: (flag column, field, value sql, reason sql, action).
Rule = tuple[str, str, str, str, str]


def _sql_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if hasattr(value, "isoformat"):
        return f"TIMESTAMP {_lit(value.isoformat(sep=' '))}"  # type: ignore[union-attr]
    return _lit(str(value))


_WINDOW = re.compile(r"\bover\s*\(", re.I)


def _validate(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    position: dict[str, int | None],
    header: list[str],
    row_expr: str,
    target: str,
    context: dict[str, object],
    lineage: dict[str, object],
) -> list[dict[str, object]]:
    """Type and check ``_rec`` into ``target``; return the issues the checks found.

    One pass over the records writes ``target``: every row typed, with the derived columns, a flag per row
    rule and whether the row has any issue or is rejected. A large clean file thus costs one read and one
    write. Then the few rows with issues are typed again to name each issue, duplicates are looked for
    only among rows whose unique key (or whole record) repeats, rejected rows are deleted and the flag
    columns dropped."""
    columns = ", ".join(f"c{i}" for i in range(len(header)))
    base = f"select {row_expr} as _source_row, {columns} from _rec"
    rules, exprs, ordered = _row_rules(spec)
    reference_rules, reference_exprs, lookup_tables = _reference_rules(con, spec, context)
    rules += reference_rules
    exprs += reference_exprs
    ordered = ordered or bool(lookup_tables)  # a join does not keep file order
    flags = _write_typed(con, spec, position, base, target, rules, exprs, ordered, lineage)
    _name_issues(con, spec, position, base, target, rules)
    dup_k = len(spec.columns) + len(rules) + 1  # after every column's and rule's issue
    _find_duplicates(con, spec, header, base, target, dup_k)
    return _finish(con, target, header, base, flags, lookup_tables)


def _row_rules(spec: SourceSpec) -> tuple[list[Rule], list[str], bool]:
    """The row rules as one boolean column each (true where the row breaks the rule), their expressions,
    and whether one holds a window (e.g. a median over a group), which does not keep file order."""
    by_name = {c.name: c for c in spec.columns}
    rules: list[Rule] = []
    exprs: list[str] = []
    ordered = False
    for i, check in enumerate(spec.row_checks):
        value = f"cast({_q(check.field)} as VARCHAR)" if check.field in by_name else "cast(null as VARCHAR)"
        exprs.append(f"not coalesce(({check.sql}), true) as _rule_{i}")
        action = "row_rejected" if check.action == "reject" else "flagged"
        rules.append((f"_rule_{i}", check.field, value, _lit(check.reason), action))
        ordered = ordered or bool(_WINDOW.search(check.sql))
    return rules, exprs, ordered


def _reference_rules(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, context: dict[str, object]
) -> tuple[list[Rule], list[str], list[str]]:
    """The reference sets and parent tables handed in through ``context``, each as a temporary lookup table and
    one boolean column (true where the value is not in it); returns the rules, their expressions and the
    lookup tables. A check whose values are not in ``context`` is skipped."""
    references: list[tuple[str, str, str, str]] = [
        (look.field, look.context_key, look.reason, look.action) for look in spec.lookup_checks
    ]
    references += [
        (
            par.field,
            par.context_key,
            f"orphan: {{value!r}} is not in {par.parent} (its parent record is missing)",
            par.action,
        )
        for par in spec.parent_checks
    ]
    rules: list[Rule] = []
    exprs: list[str] = []
    lookup_tables: list[str] = []
    for i, (fld, key, reason, how) in enumerate(references):
        known = context.get(key)
        if known is None:
            continue
        name = f"_lookup_{i}"
        lookup_tables.append(name)
        # from an Arrow table: executemany inserts row by row (a second for Epoch's 7,400 names at SCALE=100)
        con.register("_lookup_values", pa.table({"value": pa.array([str(v) for v in known], pa.string())}))
        con.execute(f"create or replace temp table {name} as select value from _lookup_values")
        con.unregister("_lookup_values")
        column = f"cast({_q(fld)} as VARCHAR)"
        head, _, tail = reason.partition("{value!r}")
        message = f"{_lit(head + chr(39))} || {column} || {_lit(chr(39) + tail)}" if _ else _lit(reason)
        exprs.append(
            f"coalesce({_q(fld)} is not null and {column} not in (select value from {name}), false) as _ref_{i}"
        )
        rules.append((f"_ref_{i}", fld, column, message, "row_rejected" if how == "reject" else "flagged"))
    return rules, exprs, lookup_tables


def _write_typed(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    position: dict[str, int | None],
    base: str,
    target: str,
    rules: list[Rule],
    exprs: list[str],
    ordered: bool,
    lineage: dict[str, object],
) -> list[str]:
    """The one pass: ``target`` written with every row typed, the derived and lineage columns, the rules' flag
    columns, ``_rejected`` and ``_has_issue``; returns the flag columns (dropped at the end)."""
    nulled = _nulled(spec)
    layer = _typed_layer(spec, position, base)
    if exprs:
        layer = f"select *, {', '.join(exprs)} from ({layer})"
    rejected = [f"{_q('_why_' + c.name)} is not null" for c in spec.columns if c.name not in nulled]
    rejected += [col for col, *_, action in rules if action == "row_rejected"]
    any_issue = [f"{_q('_why_' + c.name)} is not null" for c in spec.columns]
    any_issue += [col for col, *_ in rules]
    flags = [col for col, *_ in rules] + ["_rejected", "_has_issue"]
    data_cols = [_q(c.name) for c in spec.columns] + [_q(d.name) for d in spec.derived]
    extra = "".join(f", {_sql_value(v)} as {_q(k)}" for k, v in lineage.items())
    con.execute(
        f"""
        create or replace table {target} as
        select {", ".join(data_cols)}, cast(_source_row as INTEGER) as _source_row{extra},
               {"".join(f"{col}, " for col, *_ in rules)}
               ({" or ".join(rejected) or "false"}) as _rejected, ({" or ".join(any_issue)}) as _has_issue
        from ({layer})
        {"order by _source_row" if ordered else ""}
        """
    )
    return flags


def _name_issues(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    position: dict[str, int | None],
    base: str,
    target: str,
    rules: list[Rule],
) -> None:
    """The temporary table ``_issues``: the rows with any issue are typed again (only they) to name each
    column's reason, then each broken rule's."""
    nulled = _nulled(spec)
    found = [
        "select null::BIGINT as _source_row, null::VARCHAR as field, null::VARCHAR as value, "
        "null::VARCHAR as reason, null::VARCHAR as action, 0 as _k where false"
    ]  # _k: the order of a row's issues (columns, then rules, then duplicates), as the checks are listed
    if con.execute(f"select count(*) from {target} where _has_issue").fetchone()[0]:
        flagged = f"select * from ({base}) where _source_row in (select _source_row from {target} where _has_issue)"
        con.execute(f"create or replace temp table _flagged as {_typed_layer(spec, position, flagged)}")
        for k, col in enumerate(spec.columns, start=1):
            rawq, why = _q("_raw_" + col.name), _q("_why_" + col.name)
            action = "field_nulled" if col.name in nulled else "row_rejected"
            found.append(
                f"select _source_row, {_lit(col.name)}, {rawq}, {why}, {_lit(action)}, {k} "
                f"from _flagged where {why} is not null"
            )
        for k, (col, fld, value, message, action) in enumerate(rules, start=len(spec.columns) + 1):
            found.append(
                f"select _source_row, {_lit(fld)}, {value}, {message}, {_lit(action)}, {k} from {target} where {col}"
            )
    con.execute(f"create or replace temp table _issues as {' union all '.join(found)}")


def _finish(
    con: duckdb.DuckDBPyConnection,
    target: str,
    header: list[str],
    base: str,
    flags: list[str],
    lookup_tables: list[str],
) -> list[dict[str, object]]:
    """Rejected rows deleted from ``target``, the issues read with each row's raw record (in file order, a
    row's issues in the order of its checks), the flag columns and temporary tables dropped."""
    rows: list[tuple] = []
    if con.execute("select count(*) from _issues").fetchone()[0]:
        con.execute(
            f"delete from {target} where _rejected or _source_row in "
            "(select _source_row from _issues where action = 'row_rejected')"
        )
        record_json = "json_object(" + ", ".join(f"{_lit(h)}, c{i}" for i, h in enumerate(header)) + ")"
        rows = con.execute(
            f"""
            select i._source_row, i.field, i.value, i.reason, i.action, cast({record_json} as VARCHAR)
            from _issues i join ({base}) r on r._source_row = i._source_row
            order by i._source_row, i._k
            """
        ).fetchall()
    for flag in flags:
        con.execute(f"alter table {target} drop column {flag}")
    for name in ("_flagged", "_issues", "_cand", *lookup_tables):
        con.execute(f"drop table if exists {name}")
    return [_issue(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows]
