"""Typing one column's values, in SQL: nulls normalised, each value cast by its column's kind, and the
first reason a value is not acceptable; then the typed layer of a whole table (``_typed_layer``)."""

from __future__ import annotations

from transforms.coordinates import DMS_FIELD
from transforms.ingest.spec import Column, SourceSpec
from transforms.ingest.sql import _list, _lit, _q

NULL_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None")
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m", "%Y")
TIMESTAMP_FORMATS: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
# Dates outside this window are typos (FracTracker has one 3036), not history or plans.
MIN_YEAR, MAX_YEAR = 1950, 2100
TRUE_TOKENS = ("true", "yes", "y", "1", "t")
FALSE_TOKENS = ("false", "no", "n", "0", "f")

_SQL_TYPE = {
    "str": "VARCHAR",
    "float": "DOUBLE",
    "int": "BIGINT",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "bool": "BOOLEAN",
    "coord": "DOUBLE",
}


# ---------------------------------------------------------------------------------------------
# SQL for one column: normalise nulls, cast by kind, the reason a value is not acceptable


_TOKEN_CHARS = max(len(t) for t in NULL_TOKENS)


def _null_sql(raw: str) -> str:
    # A value longer than every token can be one only if trim() would shorten it: it starts or ends with
    # something other than printable ASCII (DuckDB's trim() strips Unicode spaces too, e.g. U+00A0).
    edge = f"ascii({raw}[1]) not between 33 and 126 or ascii({raw}[-1]) not between 33 and 126"
    guard = f"(length({raw}) <= {_TOKEN_CHARS} or {edge})"
    return f"case when {guard} and list_contains({_list(NULL_TOKENS)}, trim({raw})) then null else {raw} end"


def _cast_sql(col: Column, v: str) -> str:
    """Typed value of the normalised text ``v`` (null where it does not parse)."""
    s = f"trim({v})"
    if col.kind == "str":
        return s
    if col.kind in ("float", "int", "coord"):
        num = f"replace({s}, ',', '')" if col.thousands else s
        # DuckDB's casts are lenient ('12.75' -> 13 as an integer, '1_000', '0x10', 'inf'): only plain
        # decimal numbers are numbers here, so nothing is silently coerced.
        if col.kind == "int":
            return f"case when regexp_full_match({num}, '[+-]?[0-9]+') then try_cast({num} as BIGINT) end"
        if col.kind == "float":
            pattern = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
            return f"case when regexp_full_match({num}, {_lit(pattern)}) then try_cast({num} as DOUBLE) end"
        dms = f"regexp_extract({s}, {_lit(DMS_FIELD)}, ['d', 'm', 's', 'h'])"
        value = (
            f"(try_cast(nullif({dms}.d, '') as DOUBLE) + coalesce(try_cast(nullif({dms}.m, '') as DOUBLE), 0) / 60"
            f" + coalesce(try_cast(nullif({dms}.s, '') as DOUBLE), 0) / 3600)"
        )
        return f"coalesce(try_cast({s} as DOUBLE), case when {dms}.h in ('S', 'W') then -{value} else {value} end)"
    if col.kind == "bool":
        low = f"lower({s})"
        return (
            f"case when list_contains({_list(TRUE_TOKENS)}, {low}) then true "
            f"when list_contains({_list(FALSE_TOKENS)}, {low}) then false end"
        )
    formats = DATE_FORMATS if col.kind == "date" else TIMESTAMP_FORMATS + DATE_FORMATS
    parsed = "coalesce(" + ", ".join(f"try_strptime({s}, {_lit(f)})" for f in formats) + ")"
    sql_type = "DATE" if col.kind == "date" else "TIMESTAMP"
    return f"case when year({parsed}) between {MIN_YEAR} and {MAX_YEAR} then cast({parsed} as {sql_type}) end"


def _reason_sql(col: Column, raw: str, typed: str) -> str:
    """The first reason the value is not acceptable, or null."""
    parts = [f"when {raw} is not null and {typed} is null then {_lit('not a valid ' + col.kind)}"]
    if col.min is not None:
        parts.append(f"when {typed} < {col.min!r} then {_lit(f'below minimum {col.min:g}')}")
    if col.max is not None:
        parts.append(f"when {typed} > {col.max!r} then {_lit(f'above maximum {col.max:g}')}")
    if col.allowed is not None:
        allowed = _list(col.allowed)
        reason = _lit("not one of " + ", ".join(col.allowed))
        parts.append(f"when not list_contains({allowed}, cast({typed} as VARCHAR)) then {reason}")
    if col.required:
        parts.append(f"when {raw} is null then 'required value missing'")
    return "case " + " ".join(parts) + " end"


def _nulled(spec: SourceSpec) -> set[str]:
    """Columns whose invalid values are nulled and flagged instead of rejecting the row."""
    return {c.name for c in spec.columns if c.on_invalid == "null" and not c.required}


def _typed_layer(spec: SourceSpec, position: dict[str, int | None], base: str) -> str:
    """SQL over ``base`` (``_source_row`` and the text columns ``c<i>``): the raw text of every column
    (``_raw_<col>``, nulls normalised), its typed value, its reason (``_why_<col>``, null when good), invalid
    ``on_invalid="null"`` values nulled, then the derived columns."""
    nulled_set = _nulled(spec)
    nulled = [c.name for c in spec.columns if c.name in nulled_set]
    raw = ", ".join(
        f"{_null_sql(f'c{position[c.name]}') if position[c.name] is not None else 'cast(null as VARCHAR)'} "
        f"as {_q('_raw_' + c.name)}"
        for c in spec.columns
    )
    layer = f"select _source_row, {raw} from ({base})"
    typed = ", ".join(f"{_cast_sql(c, _q('_raw_' + c.name))} as {_q(c.name)}" for c in spec.columns)
    layer = f"select *, {typed} from ({layer})"
    whys = ", ".join(
        f"{_reason_sql(c, _q('_raw_' + c.name), _q(c.name))} as {_q('_why_' + c.name)}" for c in spec.columns
    )
    layer = f"select *, {whys} from ({layer})"
    if nulled:
        blanked = ", ".join(f"case when {_q('_why_' + n)} is null then {_q(n)} end as {_q(n)}" for n in nulled)
        layer = f"select * replace ({blanked}) from ({layer})"
    for d in spec.derived:  # in order: a derived column may use the ones before it
        layer = f"select *, cast(({d.sql}) as {_SQL_TYPE[d.kind]}) as {_q(d.name)} from ({layer})"
    return layer
