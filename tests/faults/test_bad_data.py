"""Bad data from the source: a typed error naming dataset, partition and field, or the
stated dedupe, and nothing half-written.

The fault strikes the second page of a three-page day only, so the first page has
arrived in good order when the bad one does: a writer that kept going page by page
would leave half a day behind. Each case runs on a day that holds earlier data (which
must survive untouched, with its ledger row saying failed and why) and on a day never
written (which must stay empty).
"""

from __future__ import annotations


import pytest

from tests.faults.checks import ledger, ledger_problems, partition_fingerprints
from tests.faults.children import make_source, open_writer
from tests.faults.conftest import BASELINE_DAYS, read_only
from twilight_assets import config
from twilight_assets.ingest import ingest_partitions
from twilight_assets.warehouse.archive import Archive, ArchiveRef
from twilight_assets.errors import DataValidationError, SchemaMismatchError
from tushare_sim.faults import EXTRA_FIELD, WRONG_TYPE_VALUE
from twilight_assets.specs import REGISTRY

API = "daily"
SPEC = REGISTRY[API]
WRITTEN = BASELINE_DAYS[0]  # in the template
NEW = "2024-06-14"
SECOND_PAGE = {"offset": 100}

# kind -> (the field it spoils, the error a fetch raises, what its message must say).
REJECTED = {
    "missing_field": ("vol", SchemaMismatchError, "documented field(s) vol missing from the response (page 2"),
    "null_key": (None, DataValidationError, "key field ts_code is null in 1 row(s): row 100"),
    "wrong_type": ("close", DataValidationError, "field close: 1 value(s) cannot be read as float: row 100"),
}


def fault_on_second_page(sim, kind: str, day: str, field: str | None = None) -> None:
    sim.add_fault(kind, api_name=API, field=field, match={"trade_date": day.replace("-", ""), **SECOND_PAGE})


def ingest_day(path, sim, day):
    report = ingest_partitions(
        SPEC, [day], source=make_source(sim.url, sim.token), open_writer=lambda: open_writer(path)
    )
    (outcome,) = report.outcomes
    return outcome


def state(path, day):
    with read_only(path) as conn:
        raw = conn.execute(
            "SELECT count(*) FROM raw_responses WHERE api_name = ? AND partition_key = ?", [API, day]
        ).fetchall()[0][0]
        return partition_fingerprints(conn, API).get(day), ledger(conn, API).get(day), raw, ledger_problems(conn, API)


@pytest.mark.parametrize("day", [WRITTEN, NEW], ids=["over_earlier_data", "new_day"])
@pytest.mark.parametrize("kind", sorted(REJECTED))
def test_bad_data_is_a_typed_error_and_nothing_is_half_written(kind, day, warehouse, fault_sim):
    field, error_type, says = REJECTED[kind]
    rows_before, mark_before, raw_before, _ = state(warehouse, day)
    fault_on_second_page(fault_sim, kind, day, field)

    with pytest.raises(error_type) as caught:
        make_source(fault_sim.url, fault_sim.token).fetch(SPEC, day)
    message = str(caught.value)
    assert message.startswith(f"dataset {API}, partition {day}: ") and says in message
    if kind == "wrong_type":
        assert repr(WRONG_TYPE_VALUE) in message

    outcome = ingest_day(warehouse, fault_sim, day)
    assert outcome.status == "failed" and says in outcome.error
    rows_after, mark_after, raw_after, problems = state(warehouse, day)
    assert problems == []
    assert rows_after == rows_before  # earlier rows untouched; a new day stays empty
    assert raw_after == raw_before
    status, rows, raw_id, last_error, attempts = mark_after
    assert status == "failed" and says in last_error and day in last_error
    if mark_before is None:
        assert (rows, raw_id, attempts) == (None, None, 1)
    else:  # the last success still describes the rows that are there
        assert (rows, raw_id, attempts) == (mark_before[1], mark_before[2], mark_before[4] + 1)


@pytest.mark.parametrize("day", [WRITTEN, NEW], ids=["over_earlier_data", "new_day"])
def test_an_undocumented_field_is_kept_raw_and_reported_not_written(day, warehouse, template, fault_sim):
    fault_on_second_page(fault_sim, "extra_field", day)
    outcome = ingest_day(warehouse, fault_sim, day)

    assert outcome.status == "done" and outcome.extra_fields == (EXTRA_FIELD,)
    fingerprint, mark, _, problems = state(warehouse, day)
    assert problems == []
    assert mark[:3] == ("done", fingerprint[0], outcome.raw_id)
    if day == WRITTEN:  # the same values as before: the undocumented column changed nothing
        with read_only(template) as conn:
            assert fingerprint == partition_fingerprints(conn, API)[day]
    with read_only(warehouse) as conn:
        path, size, sha = conn.execute(
            "SELECT archive_path, archive_bytes, archive_sha256 FROM raw_responses WHERE raw_id = ?",
            [outcome.raw_id],
        ).fetchall()[0]
        pages = Archive(config.archive_root()).load(ArchiveRef(path, size, sha))
        columns = {c for (c,) in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [SPEC.table]
        ).fetchall()}
    assert [i for i, p in enumerate(pages) if EXTRA_FIELD in p["fields"]] == [1]  # the second page
    assert EXTRA_FIELD not in columns


@pytest.mark.parametrize("day", [WRITTEN, NEW], ids=["over_earlier_data", "new_day"])
def test_duplicate_rows_collapse_by_the_stated_rule_and_are_counted(day, warehouse, template, fault_sim):
    fault_on_second_page(fault_sim, "duplicate_rows", day)
    outcome = ingest_day(warehouse, fault_sim, day)

    (applied,) = [f for f in fault_sim.fault_log if f["kind"] == "duplicate_rows"]
    doubled = applied["rows"]
    assert doubled == 3
    assert outcome.status == "done" and outcome.duplicates_dropped == doubled
    assert outcome.rows_received == outcome.rows_written + doubled
    fingerprint, mark, _, problems = state(warehouse, day)
    assert problems == []  # the raw response keeps every row as received
    assert fingerprint[0] == outcome.rows_written and mark[:2] == ("done", outcome.rows_written)
    with read_only(warehouse) as conn:
        assert conn.execute(
            "SELECT duplicates_dropped FROM ingest_progress WHERE progress_key = ?", [f"{API}:{day}"]
        ).fetchall() == [(doubled,)]
    if day == WRITTEN:
        with read_only(template) as conn:
            assert fingerprint == partition_fingerprints(conn, API)[day]


def test_duplicates_on_a_first_page_collapse_to_exactly_the_clean_rows(warehouse, fault_sim):
    """Finding F3 (fixed): the dedupe rule on a page that has pages after it. What is
    written must still be every row of the day, once."""
    clean = make_source(fault_sim.url, fault_sim.token).fetch(SPEC, NEW).frame
    fault_sim.add_fault("duplicate_rows", api_name=API, match={"trade_date": NEW.replace("-", ""), "offset": 0})
    outcome = ingest_day(warehouse, fault_sim, NEW)

    assert outcome.status == "done" and outcome.duplicates_dropped == 3
    with read_only(warehouse) as conn:
        assert ledger_problems(conn, API) == []
        codes = {c for (c,) in conn.execute(
            f"SELECT ts_code FROM {SPEC.table} WHERE trade_date = ?", [NEW]
        ).fetchall()}
    assert codes == set(clean["ts_code"])


def test_a_day_the_source_now_serves_with_a_row_fewer_is_replaced_not_merged(warehouse, fault_sim):
    """The source drops a row from a day already written (a correction): afterwards the
    day holds what the source serves, and its done mark counts those rows."""
    api, day = "adj_factor", "2024-06-14"
    source = make_source(fault_sim.url, fault_sim.token)
    last_page = source.fetch(REGISTRY[api], day).request_params[-1]["offset"]
    write = lambda: ingest_partitions(  # noqa: E731 - the same ingest, twice
        REGISTRY[api], [day], source=source, open_writer=lambda: open_writer(warehouse)
    )
    assert not write().failures
    # On the last page, so the gap shifts no later page's offset.
    fault_sim.add_fault("adj_factor_gap", api_name=api, match={"trade_date": day.replace("-", ""), "offset": last_page})
    (outcome,) = write().outcomes
    (gap,) = [f for f in fault_sim.fault_log if f["kind"] == "adj_factor_gap"]
    assert outcome.status == "done"

    with read_only(warehouse) as conn:
        assert ledger_problems(conn, api) == []
        still_there = conn.execute(
            f"SELECT count(*) FROM {REGISTRY[api].table} WHERE ts_code = ? AND trade_date = ?",
            [gap["rows"][0]["ts_code"], day],
        ).fetchall()[0][0]
    assert still_there == 0


def test_rows_for_another_day_are_a_typed_error_naming_trade_date(warehouse, fault_sim):
    """Finding F5 (fixed): a per-date partition's rows all carry its date. The source
    slips rows dated a closed day into the last page of a trading day's answer."""
    source = make_source(fault_sim.url, fault_sim.token)
    last_page = source.fetch(SPEC, NEW).request_params[-1]["offset"]
    fault_sim.add_fault("rows_on_closed_day", api_name=API,
                        match={"trade_date": NEW.replace("-", ""), "offset": last_page})
    outcome = ingest_day(warehouse, fault_sim, NEW)
    (applied,) = [f for f in fault_sim.fault_log if f["kind"] == "rows_on_closed_day"]

    with read_only(warehouse) as conn:
        problems = ledger_problems(conn, API)
        stray = conn.execute(
            f"SELECT count(*) FROM {SPEC.table} WHERE trade_date = strptime(?, '%Y%m%d')::DATE",
            [applied["closed_day"]],
        ).fetchall()[0][0]
    assert (stray, problems) == (0, [])
    assert outcome.status == "failed" and "trade_date" in outcome.error and NEW in outcome.error
