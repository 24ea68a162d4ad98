"""The generic progress key, and how the seed's ledger rows map onto it."""

from __future__ import annotations

import datetime as dt

import pytest

from twilight_assets.warehouse.ledger import (
    PartitionKeyError,
    legacy_progress_key,
    progress_key,
)


@pytest.mark.parametrize(
    "api, partition, key",
    [
        ("daily", "2024-01-02", "daily:2024-01-02"),
        ("daily", "20240102", "daily:2024-01-02"),
        ("income", "000001.sz", "income:000001.SZ"),
        ("index_daily", "H30269.CSI", "index_daily:H30269.CSI"),
        ("index_weight", "399300.SZ", "index_weight:399300.SZ"),
        ("trade_cal", "2024", "trade_cal:2024"),
        ("stock_basic", None, "stock_basic:once"),
        ("stock_basic", "once", "stock_basic:once"),
        ("some_new_api", "20240102", "some_new_api:2024-01-02"),
        ("some_new_api", None, "some_new_api:once"),
    ],
)
def test_every_grain_has_one_spelling(api, partition, key):
    assert progress_key(api, partition) == key


@pytest.mark.parametrize(
    "api, partition, why",
    [
        ("daily", "000001.SZ", "trade date"),
        ("daily", "2024-02-30", "trade date"),
        ("daily", None, "needs a partition key"),
        ("income", "2024-01-02", "ts_code"),
        ("trade_cal", "20240101", "year"),
        ("stock_basic", "000001.SZ", "fetched once"),
    ],
)
def test_keys_that_do_not_fit_the_grain_are_refused(api, partition, why):
    with pytest.raises(PartitionKeyError, match=f"dataset {api}, partition") as err:
        progress_key(api, partition)
    assert why in str(err.value)


D = dt.date


@pytest.mark.parametrize(
    "api_name, trade_date, key",
    [
        ("daily", D(2024, 1, 2), "daily:2024-01-02"),
        ("adj_factor", D(2024, 1, 2), "adj_factor:2024-01-02"),
        ("t3:income:000001.SZ", None, "income:000001.SZ"),
        ("t3:income:000001.SZ", D(1970, 1, 1), "income:000001.SZ"),
        ("t3:index_daily:000300.SH", D(1970, 1, 1), "index_daily:000300.SH"),
        ("t3:stock_basic", None, "stock_basic:once"),
        ("t3:trade_cal:2023", None, "trade_cal:2023"),
        ("income:000002.SZ", None, "income:000002.SZ"),  # already generic
        # No partition named, or one that does not fit: kept, under a legacy key.
        ("daily", D(1970, 1, 1), "legacy:daily"),
        ("daily", None, "legacy:daily"),
        ("income", D(2024, 1, 2), "legacy:income@2024-01-02"),
        ("trade_cal", D(2024, 1, 2), "legacy:trade_cal@2024-01-02"),
        ("t3:income:not-a-code", None, "legacy:t3:income:not-a-code"),
        ("t3:daily:000001.SZ", None, "legacy:t3:daily:000001.SZ"),
        ("t3:done", D(1970, 1, 1), "legacy:t3:done"),
        ("mystery_api", D(2024, 1, 2), "legacy:mystery_api@2024-01-02"),
        (None, None, "legacy:"),
    ],
)
def test_legacy_rows_map_to_a_partition_or_keep_a_legacy_key(api_name, trade_date, key):
    assert legacy_progress_key(api_name, trade_date) == key
