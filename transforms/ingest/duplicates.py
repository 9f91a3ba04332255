"""Duplicates among the rows still standing: exact duplicate records, then repeats of the spec's unique key,
each rejected after the first (or flagged, where the publisher lists identical rows on purpose)."""

from __future__ import annotations

import duckdb

from transforms.ingest.spec import SourceSpec
from transforms.ingest.sql import _lit, _q


def _find_duplicates(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, header: list[str], base: str, target: str, dup_k: int
) -> None:
    """Add the duplicates to ``_issues`` (``dup_k``: their place in a row's issue order).

    The whole record, then the unique key. Only rows whose key (or, without a key, whole record) repeats can
    be either: an exact duplicate repeats its key too."""
    columns = ", ".join(f"c{i}" for i in range(len(header)))
    whole_action = "flagged" if spec.exact_duplicates == "flag" else "row_rejected"
    kept = " (kept: the publisher lists identical rows as separate entries)" if whole_action == "flagged" else ""
    if spec.unique_key:
        keys = [_q(k) for k in spec.unique_key]
        match = " and ".join(f"t.{k} is not distinct from d.{k}" for k in keys)
        con.execute(
            f"""
            create or replace temp table _cand as
            select t._source_row, {", ".join(f"t.{k}" for k in keys)} from {target} t
            semi join (select {", ".join(keys)} from {target} group by all having count(*) > 1) d on {match}
            """
        )
    else:
        match = " and ".join(f"r.c{i} is not distinct from d.c{i}" for i in range(len(header)))
        con.execute(
            f"""
            create or replace temp table _cand as
            select r._source_row from ({base}) r
            semi join (select {columns} from _rec group by all having count(*) > 1) d on {match}
            """
        )
    standing = "_source_row not in (select _source_row from _issues where action = 'row_rejected')"
    if con.execute("select count(*) from _cand").fetchone()[0]:
        con.execute(
            f"""
            insert into _issues
            select _source_row, '*', null, 'exact duplicate of the record at line ' || _first || {_lit(kept)},
                   {_lit(whole_action)}, {dup_k}
            from (
                select _source_row, min(_source_row) over (partition by {columns}) as _first
                from ({base}) where _source_row in (select _source_row from _cand)
            )
            where _source_row <> _first and {standing}
            """
        )
        if spec.unique_key:
            keys_sql = ", ".join(_q(k) for k in spec.unique_key)
            key_text = " || ', ' || ".join(
                f"{_lit(k + '=')} || coalesce(cast({_q(k)} as VARCHAR), 'NULL')" for k in spec.unique_key
            )
            con.execute(
                f"""
                insert into _issues
                select _source_row, {_lit(",".join(spec.unique_key))}, null,
                       'duplicate key (' || {key_text} || ') first seen at line ' || _first, 'row_rejected', {dup_k + 1}
                from (select *, min(_source_row) over (partition by {keys_sql}) as _first from _cand where {standing})
                where _source_row <> _first
                """
            )
