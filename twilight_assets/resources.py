"""Dagster resources: where the warehouse is, and where Tushare (or the simulator) is."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import dagster as dg

from twilight_assets import config
from twilight_assets.leases import file_lease

if TYPE_CHECKING:
    from twilight_assets.warehouse.archive import Archive
    from twilight_assets.warehouse.backend import Backend
    from twilight_assets.warehouse.reader import WarehouseReader
    from twilight_assets.sources.tushare import TushareSource
    from twilight_assets.warehouse.writer import WarehouseWriter


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse (a DuckDB file or a DuckLake), its raw archive and its snapshots.

    Steps never keep the warehouse open between writes: `writer()` takes the writer lease
    where the backend needs one (a DuckDB file), opens the warehouse and closes it again,
    so runs of different datasets fetch in parallel and only queue to write.
    """

    # None: TWILIGHT_WAREHOUSE / TWILIGHT_LAKE_DATA / TWILIGHT_ARCHIVE /
    # TWILIGHT_SNAPSHOT_DIR as they are when a step runs.
    warehouse: str | None = None
    lake_data: str | None = None
    archive_dir: str | None = None
    snapshot_dir: str | None = None
    lease_timeout_s: float = 3600.0

    def backend(self) -> "Backend":
        from twilight_assets.warehouse.backend import open_backend

        return open_backend(self.warehouse, data_path=self.lake_data, lease_timeout_s=self.lease_timeout_s)

    @property
    def snapshots(self) -> Path:
        return Path(self.snapshot_dir) if self.snapshot_dir else config.snapshot_dir()

    def archive(self) -> "Archive":
        from twilight_assets.warehouse.archive import Archive

        return Archive(self.archive_dir or config.archive_root())

    @contextmanager
    def writer(self) -> Iterator["WarehouseWriter"]:
        with self.backend().writer() as writer:
            yield writer

    def reader(self, snapshot_id: str | None = None) -> "WarehouseReader":
        """The published snapshot (the current one, or the one named), read-only."""
        from twilight_assets.warehouse.reader import WarehouseReader

        return WarehouseReader(self.snapshots, snapshot_id, backend=self.backend())


class TushareResource(dg.ConfigurableResource):
    """Tushare Pro with TUSHARE_TOKEN; the simulator only when TWILIGHT_SOURCE=simulator
    names it (at TUSHARE_HTTP_URL). The rules, and their errors, are
    `config.source_settings`; they apply when a step asks for `source()`, so a code
    location with nothing configured still loads and its dataset steps say what to set.

    The token has no field here on purpose. An `EnvVar` given to a resource field is
    resolved by Dagster when it processes the run's config, before any step: unset, every
    run using the resource fails with Dagster's "environment variable ... is not set"
    config error, simulator runs (which have no token) included. So `source()` resolves
    `EnvVar("TUSHARE_TOKEN")` itself when a step runs: the value never enters run config
    or the instance, and an unset or blank one gets this project's typed error.
    """

    workers: int = 4
    calls_per_minute: dict[str, int] = {}
    timeout_s: float = 30.0
    max_retries: int = 5
    throttle_wait_s: float = 60.0
    max_throttle_waits: int = 5
    lease_dir: str | None = None
    """Where the per-API fetch leases live (default: beside the warehouse)."""
    lease_timeout_s: float = 6 * 3600.0

    @contextmanager
    def fetch_lease(self, api_name: str, on_wait=None, *,
                    warehouse: WarehouseResource | None = None) -> Iterator[float]:
        """One process at a time fetches an API: quotas are per API and account, so two
        runs fetching it at once would only throttle each other.

        The lease lives with the warehouse the run writes, `warehouse` (the run's
        configured resource; TWILIGHT_WAREHOUSE's when none is given): beside a warehouse
        file a kernel lease, for a DuckLake on PostgreSQL an advisory lock in its catalog,
        since its runs may fetch from several hosts. `lease_dir` overrides both."""
        if self.lease_dir:
            lease = file_lease(Path(self.lease_dir) / f"fetch-{api_name}.lock",
                               what=f"the {api_name} fetch lease", timeout_s=self.lease_timeout_s,
                               on_wait=on_wait)
        else:
            if warehouse is not None:
                backend = warehouse.backend()
            else:
                from twilight_assets.warehouse.backend import open_backend

                backend = open_backend()
            lease = backend.fetch_lease(api_name, timeout_s=self.lease_timeout_s, on_wait=on_wait)
        with lease as waited:
            yield waited

    def source(self) -> "TushareSource":
        """The chosen source; `SourceConfigError` when the environment chooses none."""
        from twilight_assets.sources.tushare import RateLimiter, TushareSource

        settings = config.source_settings(token=dg.EnvVar(config.TOKEN_VARIABLE).get_value())
        return TushareSource(
            settings.token,
            settings.http_url,
            source_name=settings.name,
            # Documented per-API defaults; override for your account's tier.
            rate_limiter=RateLimiter.from_registry(self.calls_per_minute),
            timeout_s=self.timeout_s,
            max_retries=self.max_retries,
            throttle_wait_s=self.throttle_wait_s,
            max_throttle_waits=self.max_throttle_waits,
        )
