"""EIA-860M end to end at its edges: the converter on workbooks built here in the publisher's layout (title rows above
the header, a renamed column, a missing sheet), the shipped JSON copy, the quarantine rules, and the live connector
against a server on 127.0.0.1 (the newest month not published yet falls back to the month before; a truncated
workbook falls back too; nothing at all fails with the URLs tried). The mirror's copy is covered with every other
connector's in test_connectors.py.
The server runs in its own process group and is stopped by PID."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from orchestration.defs.connectors import fetch, publisher_kinds
from orchestration.defs.connectors.errors import FetchError
from tests.fixtures.make_sources import write_xlsx
from tests.servers import serve_folder, stop
from transforms.eia860m import planned_generators_csv, release_of_name, state_capacity_csv
from transforms.ingest import parse_source
from transforms.sources import EIA860M_PLANNED_GENERATORS

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "sources" / "eia860m" / "planned_generators_2026-04.json"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
HEADER = (
    "Entity ID", "Entity Name", "Plant ID", "Plant Name", "Plant State", "County", "Balancing Authority Code",
    "Sector", "Generator ID", "Unit Code", "Nameplate Capacity (MW)", "Net Summer Capacity (MW)",
    "Net Winter Capacity (MW)", "Technology", "Energy Source Code", "Prime Mover Code", "Planned Operation Month",
    "Planned Operation Year", "Status", "Latitude", "Longitude",
)  # fmt: skip


def _row(plant: str, gen: str, state: str, mw: str, tech: str, year: str, lat: str, lon: str, status: str = "(U) "
         "Under construction, less than or equal to 50 percent complete", summer: str | None = None, ba: str = "ERCO",
         month: str = "6") -> tuple[str | None, ...]:  # fmt: skip
    values = {"Plant ID": plant, "Plant Name": f"Plant {plant}", "Plant State": state, "County": "Dallas",
              "Balancing Authority Code": ba, "Generator ID": gen, "Nameplate Capacity (MW)": mw,
              "Net Summer Capacity (MW)": summer if summer is not None else mw, "Technology": tech,
              "Planned Operation Month": month, "Planned Operation Year": year, "Status": status,
              "Latitude": lat, "Longitude": lon}  # fmt: skip
    return tuple(values.get(h) for h in HEADER)


def workbook(path: Path, month: str = "May 2026", rename: bool = False, planned: bool = True) -> Path:
    """A workbook in the publisher's layout: two title rows, then the header, rows, and a footnote."""
    header = tuple("Nameplate Capacity(MW)" if rename and h == "Nameplate Capacity (MW)" else h for h in HEADER)
    title = [(f"Preliminary Monthly Electric Generator Inventory (based on Form EIA-860M as a supplement to Form "
              f"EIA-860), {month}",), ("Planned generators",)]  # fmt: skip
    rows = [
        _row(
            "101",
            "GT1",
            "TX",
            "1,200.5",
            "Natural Gas Fired Combined Cycle",
            "2028",
            "32.80",
            "-96.80",
            summer="1150.2",
        ),  # fmt: skip
        _row("102", "PV1", "TX", "250", "Solar Photovoltaic", "2027", "33.10", "-97.10"),
        _row(
            "103",
            "B1",
            "VA",
            "50",
            "Batteries",
            "2026",
            "38.90",
            "-77.50",
            ba="PJM",
            status="(P) Planned for installation but regulatory approvals not initiated",
        ),  # fmt: skip
        _row("104", "N1", "TX", "-5", "Onshore Wind Turbine", "2027", "32.5", "-99.7"),  # negative MW
        _row("105", "X1", "TX", "80", "Fusion Reactor", "2029", "32.5", "-99.7"),  # unknown technology
        _row("106", "S1", "TX", "80", "Solar Photovoltaic", "2071", "32.5", "-99.7"),  # year out of range
        _row("107", "S2", "TX", "80", "Solar Photovoltaic", "2028", "132.5", "-99.7"),  # bad latitude
    ]
    sheets = {
        "Operating": [*title, header, _row("1", "ST1", "TX", "900", "Conventional Steam Coal", "1980", "32", "-97")],
        "Retired": [*title, header],
        "Canceled or Postponed": [
            *title,
            header,
            _row("9", "C1", "TX", "300", "Solar Photovoltaic", "2025", "31", "-98"),
        ],  # fmt: skip
    }
    if planned:
        sheets["Planned"] = [*title, header, *rows, ("Note: preliminary data.",)]
    write_xlsx(path, sheets)
    return path


def _records(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def test_the_workbook_converts_at_full_precision_and_names_each_row(tmp_path: Path) -> None:
    rows = {r["generator_id"]: r for r in _records(planned_generators_csv(workbook(tmp_path / "x.xlsx")))}
    gas = rows["eia-101-GT1"]
    assert (gas["nameplate_mw"], gas["net_summer_mw"], gas["fuel"], gas["iso"]) == ("1,200.5", "1150.2", "gas", "ERCOT")
    assert (gas["planned_year"], gas["planned_month"], gas["county"], gas["status"]) == (
        "2028",
        "6",
        "Dallas",
        "active",
    )
    assert (gas["release"], gas["source_shape"], gas["sheet"], gas["sheet_row"]) == ("2026-05", "workbook", "Planned",
                                                                                     "4")  # fmt: skip
    assert rows["eia-103-B1"]["status"] == "under-study" and rows["eia-103-B1"]["iso"] == "PJM"
    assert "Note: preliminary data." not in str(rows)  # the footnote is not a generator


def test_a_renamed_column_is_mapped_and_a_missing_sheet_is_named(tmp_path: Path) -> None:
    rows = _records(planned_generators_csv(workbook(tmp_path / "r.xlsx", rename=True)))
    assert {r["generator_id"]: r["nameplate_mw"] for r in rows}["eia-102-PV1"] == "250"
    with pytest.raises(ValueError, match="Planned"):
        planned_generators_csv(workbook(tmp_path / "m.xlsx", planned=False))


def test_state_capacity_from_the_workbook_sums_each_sheet(tmp_path: Path) -> None:
    rows = {r["state"]: r for r in _records(state_capacity_csv(workbook(tmp_path / "s.xlsx")))}
    assert float(rows["TX"]["operating_mw"]) == 900 and float(rows["TX"]["canceled_mw"]) == 300
    assert int(rows["TX"]["planned_generators"]) == 6 and rows["VA"]["state_fips"] == "51"


def test_bad_rows_are_quarantined_with_their_reason_and_good_rows_flow(tmp_path: Path) -> None:
    path = tmp_path / "april_generator2026.csv"
    path.write_bytes(planned_generators_csv(workbook(tmp_path / "q.xlsx")))
    result = parse_source(path.read_bytes(), EIA860M_PLANNED_GENERATORS)
    assert sorted(result.rows["generator_id"].to_list()) == ["eia-101-GT1", "eia-102-PV1", "eia-103-B1"]
    reasons = {(r["field"], r["value"]) for r in result.issues.iter_rows(named=True)}
    for field, value in (("nameplate_mw", "-5"), ("fuel", "fusion reactor"), ("planned_year", "2071"),
                         ("latitude", "132.5")):  # fmt: skip
        assert (field, value) in reasons, (field, reasons)


def test_the_shipped_json_copy_converts_every_generator() -> None:
    rows = _records(planned_generators_csv(SHIPPED))
    assert len(rows) == 2065 and {r["release"] for r in rows} == {"2026-04"}
    assert round(sum(float(r["nameplate_mw"]) for r in rows) / 1000, 1) == 282.0  # PROVENANCE.md: 282.0 GW
    assert release_of_name("may_generator2026.xlsx") == "2026-05"


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in (*PROXY_VARS, "DCPULSE_MIRROR_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DCPULSE_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("DCPULSE_HTTP_ATTEMPTS", "1")
    monkeypatch.setenv("DCPULSE_EIA860M_TODAY", "2026-06-15")
    monkeypatch.setenv("DCPULSE_EIA860M_MONTHS_BACK", "3")
    root = tmp_path / "eia860m"
    (root / "xls").mkdir(parents=True)
    (root / "archive" / "xls").mkdir(parents=True)
    proc, url = serve_folder(root, probe="")
    monkeypatch.setenv("DCPULSE_EIA860M_URL", url + "/")
    try:
        yield root
    finally:
        stop(proc)


def test_the_newest_month_not_yet_published_falls_back_to_the_month_before(served: Path) -> None:
    # June 2026 is not there (404); May 2026 is in the current folder
    workbook(served / "xls" / "may_generator2026.xlsx")
    landed = fetch.fetch_source("eia860m_planned_generators")
    assert landed.ok and landed.path is not None and landed.path.name == "may_generator2026.xlsx"
    passed = landed.manifest["passed_over"]
    assert any("june_generator2026" in p["url"] and p["status"] == 404 for p in passed)
    rows = _records(planned_generators_csv(landed.path))
    assert {r["release"] for r in rows} == {"2026-05"}


def test_a_truncated_newest_workbook_falls_back_to_the_archive_month_before(served: Path) -> None:
    good = workbook(served / "archive" / "xls" / "april_generator2026.xlsx", month="April 2026")
    (served / "xls" / "may_generator2026.xlsx").write_bytes(good.read_bytes()[:400])
    landed = fetch.fetch_source("eia860m_state_capacity")
    assert landed.path is not None and landed.path.name == "april_generator2026.xlsx"
    assert any("may_generator2026" in p["url"] and "workbook" in p["error"] for p in landed.manifest["passed_over"])


def test_no_readable_month_fails_naming_the_urls(served: Path) -> None:
    with pytest.raises(FetchError, match="no EIA-860M workbook"):
        fetch.fetch_source("eia860m_planned_generators")


def test_candidates_run_newest_first_across_the_year_boundary() -> None:
    names = [n for n, _ in publisher_kinds.eia860m_candidates("https://x/", date(2026, 2, 3), 2)]
    assert names[::2] == ["february_generator2026.xlsx", "january_generator2026.xlsx", "december_generator2025.xlsx"]
