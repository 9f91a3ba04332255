"""The CSV parser on bad input: every problem is named (line, field, reason) and good rows still load."""

import polars as pl
import pytest

from transforms.ingest import Column, RowCheck, SourceSpec, parse_coordinate, parse_source
from transforms.sources import (
    EPOCH_GPU_CLUSTERS,
    FRACTRACKER_FACILITIES,
    SKYPILOT_GPU_PRICES,
    parse_mw_text,
)

SPEC = SourceSpec(
    table="sites",
    columns=(
        Column("name", ("Name",), "str", required=True),
        Column("mw", ("MW", "Power (MW)"), "float", min=0, max=20_000),
        Column("racks", ("Racks",), "int"),
        Column("opened", ("Opened",), "date", on_invalid="null"),
        Column("note", ("Note",), "str", optional=True),
    ),
    unique_key=("name",),
)


def csv_for(spec: SourceSpec, rows: list[dict[str, str]]) -> str:
    """A CSV with every non-optional column of ``spec`` (by its current header name) and ``rows``."""
    cols = [c for c in spec.columns if not c.optional]
    lines = [",".join(c.source[0] for c in cols)]
    lines += [",".join(r.get(c.name, "") for c in cols) for r in rows]
    return "\n".join(lines) + "\n"


def issue_reasons(result, action: str) -> list[str]:
    return result.issues.filter(pl.col("action") == action)["reason"].to_list()


def parse(text: str | bytes, spec: SourceSpec = SPEC, context=None):
    return parse_source(text.encode() if isinstance(text, str) else text, spec, context)


def reasons(result) -> list[tuple[int, str, str, str]]:
    return [(r["source_row"], r["field"], r["action"], r["reason"]) for r in result.issues.iter_rows(named=True)]


def test_clean_file_loads_typed_rows_with_line_numbers():
    r = parse("Name,MW,Racks,Opened,Note\na,10.5,3,2024-01-31,x\nb,1,,5/15/2022,\n")
    assert r.issues.height == 0
    assert r.rows["mw"].to_list() == [10.5, 1.0]
    assert r.rows["racks"].to_list() == [3, None]
    assert r.rows["opened"].dt.year().to_list() == [2024, 2022]
    assert r.rows["_source_row"].to_list() == [2, 3]
    assert r.rows.schema["racks"] == pl.Int64


def test_wrong_field_count_rejects_that_record_only():
    r = parse("Name,MW,Racks,Opened,Note\na,1,1,2024,\nb,2,2\nc,3,3,2024,\n")
    assert r.rows["name"].to_list() == ["a", "c"]
    ((row, field, action, reason),) = reasons(r)
    assert (row, field, action) == (3, "*", "row_rejected")
    assert "expected 5 fields, found 3" in reason


MULTILINE = SourceSpec(table="notes", columns=SPEC.columns, unique_key=("name",), multiline=True)


def test_quoted_newlines_keep_line_numbers_of_later_records_in_a_multiline_source():
    r = parse('Name,MW,Racks,Opened,Note\n"a\nsecond line",1,1,2024,\nb,x,1,2024,\n', MULTILINE)
    assert r.rows["name"].to_list() == ["a\nsecond line"]
    assert reasons(r) == [(4, "mw", "row_rejected", "not a valid float")]


def test_a_quote_running_past_its_line_costs_only_that_line():
    r = parse('Name,MW,Racks,Opened,Note\na,1,1,2024,\n"b,2,2,2024,\nc,3,3,2024,\nd,4,4,2024,\n')
    assert r.rows["name"].to_list() == ["a", "c", "d"]
    assert r.rows_rejected == 1
    ((row, field, action, reason),) = reasons(r)
    assert (row, field, action) == (3, "*", "row_rejected") and "unbalanced quote" in reason
    assert '"b,2,2,2024,' in r.issues["record_json"][0]  # the bad line is kept in quarantine, not lost


def test_a_quote_that_closes_on_a_later_line_does_not_swallow_the_lines_between():
    r = parse('Name,MW,Racks,Opened,Note\n"a,1,1,2024,\nb,2,2,2024,\nc,3,3,2024,"\nd,4,4,2024,\n')
    assert r.rows["name"].to_list() == ["b", "d"]
    assert sorted(row for row, *_ in reasons(r)) == [2, 4]


def test_in_a_multiline_source_an_unclosed_quote_gives_up_after_its_limit_and_resynchronises():
    lines = ["Name,MW,Racks,Opened,Note", '"broken,1,1,2024,'] + [f"n{i},1,1,2024," for i in range(30)]
    r = parse("\n".join(lines) + "\n", MULTILINE)
    assert r.rows.height == 30  # every line after the broken one loads
    assert [row for row, *_ in reasons(r)] == [2]


def _both_paths(text: str, spec: SourceSpec, monkeypatch):
    """The file read by the DuckDB fast path (when it takes it) and by the exact path alone."""
    import transforms.ingest.load as ingest_load  # load_source looks _read_fast up there

    fast = parse(text, spec)
    with monkeypatch.context() as patched:
        patched.setattr(ingest_load, "_read_fast", lambda *a, **k: None)
        exact = parse(text, spec)
    return fast, exact


@pytest.mark.parametrize(
    "body",
    [
        '"a\nsecond line",1,1,2024,"say ""hi""\nthen, go"\nb,2,2,2024,plain\n"c, quoted",3,3,2024,\n',
        'a"b,1,1,2024,c"d\ne,2,2,2024,"x""y"\n',  # stray quotes in pairs on a line: the exact path keeps them as text
        '"a\nb",1,1,2024,\n"c,2,2,2024,\nd,3,3,2024,\n',  # an unclosed quote: the exact path resynchronises
        '"a\r\nb",1,1,2024,\nc,2,2,2024,\n',  # a carriage return inside a value
        'a,1,1,2024,"' + "\n".join(["x"] * 25) + '"\nb,2,2,2024,\n',  # past max_record_lines
        'a,1,1,2024,\n\n"b\nc",2,2,2024,\n',  # a blank line between records
        ' "a""b",1,1,2024,\nc,2,2,2024,\n',  # a space before an opening quote
        '"a""b" ,1,1,2024,\nc,2,2,2024,\n',  # a space after a closing quote
        '"a\nb" ,1,1,2024,\nc,2,2,2024,\n',
        '"a" "b",1,1,2024,\nc,2,2,2024,\n',  # two quoted pieces in one field
        'a,1,1,2024,"said ""yes"" to it"\n',  # a space beside a doubled quote inside quoted text: fine
    ],
)
def test_fast_path_reads_quoted_and_multiline_records_exactly_as_the_exact_path(body, monkeypatch):
    text = "Name,MW,Racks,Opened,Note\n" + body
    fast, exact = _both_paths(text, MULTILINE, monkeypatch)
    assert exact.path == "exact"
    assert fast.rows.equals(exact.rows)
    assert fast.issues.equals(exact.issues)
    assert (fast.rows_in_file, fast.rows_loaded) == (exact.rows_in_file, exact.rows_loaded)


def test_fast_path_is_taken_for_clean_multiline_and_quoted_records(monkeypatch):
    text = 'Name,MW,Racks,Opened,Note\n"a\nb\nc",1,1,2024,"q ""x"""\nd,2,2,2024,\n"e,f",3,3,2024,"g\nh"\n'
    fast, exact = _both_paths(text, MULTILINE, monkeypatch)
    assert fast.path == "fast" and exact.path == "exact"
    assert fast.rows["_source_row"].to_list() == [2, 5, 6]
    assert fast.rows.equals(exact.rows)


def test_a_stray_quote_is_read_the_exact_way():
    r = parse('Name,MW,Racks,Opened,Note\na"b,1,1,2024,\nc,2,2,2024,\n', MULTILINE)
    assert r.path == "exact"
    assert r.rows["name"].to_list() == ["c"]
    assert [row for row, *_ in reasons(r)] == [2]


def test_wrong_type_is_rejected_not_coerced():
    # DuckDB's sniffer would read 12.75 as 13 in an integer column past its sample; we reject it.
    r = parse("Name,MW,Racks,Opened,Note\na,1,12.75,2024,\nb,abc,1,2024,\n")
    assert r.rows.height == 0
    assert reasons(r) == [
        (2, "racks", "row_rejected", "not a valid int"),
        (3, "mw", "row_rejected", "not a valid float"),
    ]


@pytest.mark.parametrize(("value", "why"), [("-5", "below minimum 0"), ("250000", "above maximum 20000")])
def test_impossible_values_are_rejected_with_the_bound(value, why):
    r = parse(f"Name,MW,Racks,Opened,Note\na,{value},1,2024,\nb,5,1,2024,\n")
    assert r.rows["name"].to_list() == ["b"]
    assert reasons(r) == [(2, "mw", "row_rejected", why)]
    assert r.issues["value"].to_list() == [value]


def test_bad_optional_date_nulls_the_field_and_keeps_the_row():
    r = parse("Name,MW,Racks,Opened,Note\na,1,1,03/23/3036,\n")
    assert r.rows["opened"].to_list() == [None]
    assert reasons(r) == [(2, "opened", "field_nulled", "not a valid date")]
    assert r.fields_nulled == 1 and r.rows_rejected == 0


def test_missing_required_value():
    r = parse("Name,MW,Racks,Opened,Note\n,1,1,2024,\n")
    assert reasons(r) == [(2, "name", "row_rejected", "required value missing")]


def test_exact_duplicates_and_key_duplicates_are_rejected_after_the_first():
    r = parse("Name,MW,Racks,Opened,Note\na,1,1,2024,\na,1,1,2024,\na,2,1,2024,\nb,1,1,2024,\n")
    assert r.rows["_source_row"].to_list() == [2, 5]
    got = reasons(r)
    assert got[0][:3] == (3, "*", "row_rejected") and "line 2" in got[0][3]
    assert got[1][:3] == (4, "name", "row_rejected") and "duplicate key" in got[1][3]


def test_missing_required_column_rejects_the_file():
    r = parse("Name,Racks,Opened\na,1,2024\n")
    assert r.file_rejected
    assert r.rows.height == 0
    assert "missing from header" in r.issues["reason"][0]


def test_missing_optional_column_loads_null_and_extra_column_is_flagged():
    r = parse("Name,MW,Racks,Opened,Surprise\na,1,1,2024,zzz\n")
    assert r.rows["note"].to_list() == [None]
    flagged = {(f, a) for _, f, a, _ in reasons(r)}
    assert flagged == {("note", "flagged"), ("Surprise", "flagged")}
    assert r.rows_rejected == 0


def test_renamed_column_maps_by_its_older_name():
    r = parse("Name,Power (MW),Racks,Opened,Note\na,7,1,2024,\n")
    assert r.rows["mw"].to_list() == [7.0]


def test_non_utf8_bytes_reject_only_their_record():
    data = b"Name,MW,Racks,Opened,Note\na,1,1,2024,\nb\xff\xfe,2,1,2024,\nc,3,1,2024,\n"
    r = parse(data)
    assert r.rows["name"].to_list() == ["a", "c"]
    assert reasons(r) == [(3, "name", "row_rejected", "bytes that are not valid UTF-8")]


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_file_is_rejected_whole(text):
    r = parse(text)
    assert r.file_rejected and r.rows.height == 0 and r.rows_in_file == 0


def test_header_only_file_loads_nothing_and_reports_nothing():
    r = parse("Name,MW,Racks,Opened,Note\n")
    assert r.rows.height == 0 and r.issues.height == 0


def test_unknown_gpu_model_is_rejected_from_prices_and_flagged_in_clusters():
    price = {
        "provider": "p",
        "underlying_provider": "p",
        "accelerator_count": "1",
        "region": "r",
        "source_path": "x",
        "source_commit": "y",
    }
    prices = csv_for(
        SKYPILOT_GPU_PRICES,
        [
            {
                **price,
                "instance_type": "i1",
                "accelerator_name": "H100",
                "price_usd_per_hour": "2.5",
                "price_usd_per_gpu_hour": "2.5",
            },
            {
                **price,
                "instance_type": "i2",
                "accelerator_name": "WarpDrive9000",
                "price_usd_per_hour": "2.0",
                "price_usd_per_gpu_hour": "2.0",
            },
        ],
    )
    r = parse(prices, SKYPILOT_GPU_PRICES, {"known_chips": {"H100"}})
    assert r.rows["accelerator_name"].to_list() == ["H100"]
    assert issue_reasons(r, "row_rejected") == ["unknown GPU model 'WarpDrive9000': not in reference/gpu_models.csv"]

    clusters = csv_for(EPOCH_GPU_CLUSTERS, [CLUSTER | {"chip_type_primary": "WarpDrive9000"}])
    r = parse(clusters, EPOCH_GPU_CLUSTERS, {"known_chips": {"NVIDIA H100 SXM5 80GB"}})
    assert r.rows.height == 1
    assert any(why.startswith("unknown GPU model 'WarpDrive9000'") for why in issue_reasons(r, "flagged"))


CLUSTER = {
    "name": "c1",
    "status": "Existing",
    "chip_quantity_primary": "100",
    "country": "France",
    "owner": "o",
    "sector": "Private",
    "power_capacity_mw": "1",
    "location": "Paris",
}


def test_negative_cluster_power_is_quarantined():
    clusters = csv_for(
        EPOCH_GPU_CLUSTERS, [CLUSTER | {"name": "good"}, CLUSTER | {"name": "bad", "power_capacity_mw": "-3"}]
    )
    r = parse(clusters, EPOCH_GPU_CLUSTERS)
    assert r.rows["name"].to_list() == ["good"]
    assert ("power_capacity_mw", "row_rejected", "below minimum 0") in {(f, a, w) for _, f, a, w in reasons(r)}


def test_unknown_status_is_rejected():
    r = parse(csv_for(EPOCH_GPU_CLUSTERS, [CLUSTER | {"status": "Rumoured"}]), EPOCH_GPU_CLUSTERS)
    assert r.rows.height == 0
    assert issue_reasons(r, "row_rejected") == ["not one of Existing, Planned, Decommissioned"]


def test_identical_epoch_rows_are_kept_and_flagged():
    # Epoch lists anonymized systems as separate identical rows: each is a deployment.
    r = parse(csv_for(EPOCH_GPU_CLUSTERS, [CLUSTER, CLUSTER]), EPOCH_GPU_CLUSTERS)
    assert r.rows.height == 2
    assert any("exact duplicate" in why for why in issue_reasons(r, "flagged"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100", (100.0, 100.0, True)),
        ("100-200", (100.0, 200.0, True)),
        ("12–20", (12.0, 20.0, True)),
        ("1,000", (1000.0, 1000.0, True)),
        (">3,000", (3000.0, None, True)),
        ("50+", (50.0, None, True)),
        ("176?", (176.0, 176.0, True)),
        ("168-240+", (168.0, 240.0, True)),
        (None, (None, None, True)),
        ("lots", (None, None, False)),
    ],
)
def test_fractracker_mw_text(text, expected):
    assert parse_mw_text(text) == expected


def test_fractracker_unparseable_mw_and_inverted_range_are_rejected():
    site = {"state": "TX", "latitude": "30", "longitude": "-97", "status": "Operating"}
    r = parse(
        csv_for(
            FRACTRACKER_FACILITIES,
            [
                site | {"facility_name": "a", "mw_text": "100-200"},
                site | {"facility_name": "b", "mw_text": "lots"},
                site | {"facility_name": "c", "mw_text": "300-200"},
            ],
        ),
        FRACTRACKER_FACILITIES,
    )
    assert r.rows["facility_name"].to_list() == ["a"]
    assert r.rows["mw_low"].to_list() == [100.0] and r.rows["mw_high"].to_list() == [200.0]
    assert {row for row, _, a, _ in reasons(r) if a == "row_rejected"} == {3, 4}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("-90.09", -90.09),
        ("32°35'25\"N", 32 + 35 / 60 + 25 / 3600),
        (" 101°18'43\"W", -(101 + 18 / 60 + 43 / 3600)),
        ("north", None),
    ],
)
def test_coordinates_decimal_and_dms(text, value):
    got = parse_coordinate(text.strip())
    assert got == pytest.approx(value) if value is not None else got is None


@pytest.mark.parametrize("padded", ["\u00a0NULL", "N/A\u00a0\u00a0", "  None  ", "\u3000NaN"])
def test_null_tokens_padded_with_any_space_trim_reads_as_null(padded):
    r = parse(f"Name,MW,Racks,Opened,Note\na,{padded},1,2024,{padded}\n")
    assert r.issues.height == 0
    assert r.rows["mw"].to_list() == [None] and r.rows["note"].to_list() == [None]


def test_ember_loads_its_monthly_and_its_hourly_release():
    from transforms.sources import EMBER_WHOLESALE_PRICES

    monthly = parse("Country,ISO3 Code,Date,Price (EUR/MWhe)\nAustria,AUT,2024-01-01,61.5\n", EMBER_WHOLESALE_PRICES)
    hourly = parse(
        "Country,ISO3 Code,Datetime (UTC),Datetime (Local),Price (EUR/MWhe)\n"
        "Austria,AUT,2024-01-31 23:00:00,2024-02-01 00:00:00,55.1\n"
        "Austria,AUT,2024-02-01 00:00:00,2024-02-01 01:00:00,-3.2\n"
        "Austria,AUT,2024-02-01 00:00:00,2024-02-01 01:00:00,-3.2\n",
        EMBER_WHOLESALE_PRICES,
    )
    assert monthly.issues.height == 0 and monthly.rows["month"].cast(pl.String).to_list() == ["2024-01-01"]
    hours = hourly.rows["period_start"].dt.strftime("%Y-%m-%d %H:%M").to_list()
    assert hours == ["2024-01-31 23:00", "2024-02-01 00:00"]
    assert hourly.rows["month"].cast(pl.String).to_list() == ["2024-01-01", "2024-02-01"]  # by the UTC hour
    assert hourly.rows["price_eur_mwh"].to_list() == [55.1, -3.2]
    # the local-time copy is known (not schema drift); a repeated hour is a duplicate, named with its line
    assert reasons(hourly) == [(4, "*", "row_rejected", "exact duplicate of the record at line 3")]


def test_a_rows_issues_come_in_the_order_of_its_checks_on_a_large_file():
    """Columns first, then row rules, then duplicates, whatever DuckDB's parallel sort does (here a window
    rule reorders the rows and 40,000 of them are sorted)."""
    spec = SourceSpec(
        table="big",
        columns=SPEC.columns,
        row_checks=(RowCheck("mw", "far above the median", "mw < 100 * median(mw) over ()", action="flag"),),
    )
    lines = ["Name,MW,Racks,Opened,Note"]
    for i in range(40_000):
        lines.append(f"n{i},{100_000 if i % 5000 == 0 else 1},1,2024-01-01," if i % 1000 else f"n{i},1,1,bad,")
        if i % 1000 == 0:
            lines.append(lines[-1])  # an exact duplicate, with the same bad date
    r = parse("\n".join(lines) + "\n", spec)
    by_row: dict[int, list[str]] = {}
    for row, field, action, _ in reasons(r):
        by_row.setdefault(row, []).append(f"{action}:{field}")
    duplicated = [fields for fields in by_row.values() if "row_rejected:*" in fields]
    assert len(duplicated) == 40
    assert all(fields == ["field_nulled:opened", "row_rejected:*"] for fields in duplicated)
    assert sorted(r.issues["source_row"].to_list()) == r.issues["source_row"].to_list()
