"""The gaps the healing sensor asks for, found in a real warehouse after real faults
(gaps.py), and its decisions tick by tick (plan.py)."""

from __future__ import annotations

import datetime as dt

from twilight_assets.healing.gaps import Gap, find_gaps
from twilight_assets.healing.plan import Asked, Evidence, HealPolicy, HealState, decide
from twilight_assets.specs import REGISTRY, EntityType, Grain
from twilight_assets.warehouse.writer import WarehouseWriter

from .conftest import LOADED_DAYS, SPARE_DAYS, faulty, insert_past_the_writer

PER_DATE = sorted(a for a, s in REGISTRY.items() if s.grain is Grain.PER_DATE)


def test_failed_partitions_open_days_and_listed_stocks_are_gaps(loader, warehouse_copy):
    failing, never = SPARE_DAYS[0].isoformat(), SPARE_DAYS[1].isoformat()
    with WarehouseWriter(warehouse_copy) as writer:
        assert find_gaps(writer, LOADED_DAYS[-1]) == []  # the clean warehouse has none
        with faulty(loader.server, "missing_field", api_name="daily", field="close"):
            loader.load(writer, "daily", [failing])
        newcomer = writer.query("SELECT * FROM normalized_stock_basic LIMIT 1").assign(ts_code="688999.SH")
        insert_past_the_writer(writer, "stock_basic", newcomer[list(REGISTRY["stock_basic"].field_names)])
        gaps = find_gaps(writer, SPARE_DAYS[1])
    by_kind = {(g.api_name, g.partition_key): g.kind for g in gaps}
    assert by_kind[("daily", failing)] == "failed"
    assert "close" in next(g.reason for g in gaps if g.partition_key == failing and g.api_name == "daily")
    for api in PER_DATE:
        assert by_kind[(api, never)] == "missing"
        if api != "daily":
            assert by_kind[(api, failing)] == "missing"
    stock_datasets = {a for a, s in REGISTRY.items() if s.grain is Grain.PER_ENTITY and s.entity_type is EntityType.STOCK}
    assert {a for (a, k), kind in by_kind.items() if k == "688999.SH" and kind == "unlisted"} == stock_datasets
    assert not [g for g in gaps if g.partition_key == SPARE_DAYS[2].isoformat()]  # not due yet


def test_datasets_never_begun_are_not_gaps(loader, tmp_path):
    with WarehouseWriter(tmp_path / "warehouse.duckdb") as writer:
        loader.load(writer, "trade_cal", ["2024"])
        loader.load(writer, "stock_basic", [None])
        assert find_gaps(writer, LOADED_DAYS[-1]) == []


# --- deciding, tick by tick -----------------------------------------------------------------

T0 = dt.datetime(2024, 7, 1, 12, tzinfo=dt.timezone.utc)
SNAPSHOT = T0 - dt.timedelta(hours=1)
GAP = Gap("daily", "2024-06-27", "failed: HTTP 500")
POLICY = HealPolicy(attempts=2, backoff_s=600, max_per_tick=10)


def tick(state: HealState, now: dt.datetime, *, materialized=None, running=(), gaps=(GAP,), snapshot=SNAPSHOT):
    evidence = Evidence(snapshot, dict(materialized or {}), frozenset(running))
    return decide(list(gaps), state, evidence, now, POLICY)


def asked(state: HealState, now: dt.datetime, attempts: int, batch: str = "b1") -> HealState:
    state.asked[GAP.key] = Asked(attempts, now, batch)
    return state


def test_a_gap_is_asked_for_then_in_flight_then_healed():
    decision, state = tick(HealState(), T0)
    assert decision.request == [(GAP, 1)]
    state = asked(state, T0, 1)
    decision, state = tick(state, T0 + dt.timedelta(minutes=1), running={"b1"})
    assert decision.in_flight == [GAP] and not decision.request
    decision, state = tick(state, T0 + dt.timedelta(minutes=5), materialized={GAP.key: T0 + dt.timedelta(minutes=3)})
    assert decision.healed == [GAP] and not decision.request


def test_a_failed_attempt_waits_a_doubling_backoff_then_is_exhausted_once():
    state = asked(HealState(), T0, 1)
    decision, state = tick(state, T0 + dt.timedelta(minutes=5))
    assert decision.backing_off == [GAP]
    decision, state = tick(state, T0 + dt.timedelta(minutes=11))
    assert decision.request == [(GAP, 2)]
    state = asked(state, T0 + dt.timedelta(minutes=11), 2)
    decision, state = tick(state, T0 + dt.timedelta(minutes=12))
    assert decision.exhausted == [GAP] and decision.newly_exhausted == [GAP] and not decision.request
    decision, state = tick(HealState.loads(state.dumps()), T0 + dt.timedelta(days=3))
    assert decision.exhausted == [GAP] and decision.newly_exhausted == [] and not decision.request


def test_a_materialization_before_the_request_does_not_count():
    state = asked(HealState(), T0, 1)
    decision, _ = tick(state, T0 + dt.timedelta(hours=1), materialized={GAP.key: T0 - dt.timedelta(minutes=1)})
    assert decision.request == [(GAP, 2)]


def test_a_gap_gone_from_the_snapshot_is_forgotten_and_may_come_back_fresh():
    state = asked(HealState(), T0, 2)
    _, state = tick(state, T0 + dt.timedelta(hours=1), gaps=())
    assert state.asked == {}
    decision, _ = tick(state, T0 + dt.timedelta(hours=2))
    assert decision.request == [(GAP, 1)]


def test_a_tick_asks_for_at_most_its_cap():
    gaps = [Gap("daily", f"2024-06-{d:02d}", "missing: an open day never ingested") for d in range(1, 25)]
    decision, _ = tick(HealState(), T0, gaps=gaps)
    assert len(decision.request) == POLICY.max_per_tick and len(decision.deferred) == len(gaps) - POLICY.max_per_tick


def test_the_cursor_round_trips():
    state = asked(HealState(reported=["daily:2024-06-26"]), T0, 2, "heal:daily:x")
    again = HealState.loads(state.dumps())
    assert again.asked == state.asked and again.reported == state.reported
    assert HealState.loads(None).asked == {}
