"""A run launcher whose run workers the daemon's run monitoring can see die.

Dagster's DefaultRunLauncher starts each run worker as a child of the code server and has no
worker health check. While the code server lives it notices a dead child and fails the run;
when both die together (the code server is killed with its run, the daemon's service is
restarted, the machine reboots), the run stays STARTED for good and keeps its run-queue slot
(and any pool slots), so the queue eventually stops. Only `max_runtime` would end it.

LocalRunLauncher launches exactly as DefaultRunLauncher does and adds the health check run
monitoring calls for every STARTED run (`run_monitoring: enabled: true` in dagster.yaml): the
process that reported the run's start (its RUN_START event carries that pid) must still be
running, and must be the same process (started before it reported, not a later one that was
given the pid again). When it is gone, run monitoring marks the run failed and its slot
returns within one `poll_interval_seconds`.

A pid means something only on the machine, in the PID namespace, and during the boot where
it was recorded. At launch the launcher tags the run with where that is (`HOST_TAG`), for code
locations whose servers the launching process starts itself (the run worker is then its
grandchild, so it shares all three). A run tagged elsewhere is left alone (reported running)
unless the same host has rebooted since, which no run worker survives. Runs that did not come
through a launcher (`dagster asset materialize`, `dagster job execute`) carry no tag: they are
checked only when `untagged_runs_are_local` says every process using this instance runs here,
which holds for the embedded SQLite instance under DAGSTER_HOME.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil
from dagster import DefaultRunLauncher, Field
from dagster._core.events import DagsterEventType
from dagster._core.launcher import CheckRunHealthResult, LaunchRunContext, WorkerStatus
from dagster._core.remote_origin import ManagedGrpcPythonEnvCodeLocationOrigin
from dagster._core.storage.dagster_run import DagsterRun
from dagster._serdes import ConfigurableClassData

HOST_TAG = "twilight/run_worker_host"
"""JSON of the `Host` where the run's worker runs, set at launch."""

START_SLACK_S = 2.0
"""How much later than the RUN_START event a process may seem to have started and still be
the one that reported it: the kernel's start time and the wall clock are read differently."""


@dataclass(frozen=True)
class Host:
    """Where a pid means something: a machine, one boot of it, one PID namespace."""

    hostname: str
    boot_id: str
    pid_namespace: str

    @classmethod
    def current(cls) -> "Host":
        return cls(socket.gethostname(), _read("/proc/sys/kernel/random/boot_id"), _pid_namespace())

    @classmethod
    def from_tag(cls, value: str) -> "Host | None":
        try:
            return cls(**json.loads(value))
        except (TypeError, ValueError):
            return None

    def to_tag(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


@dataclass(frozen=True)
class RunWorker:
    """The process that reported a run's start, and when it did."""

    pid: int
    reported_at: float


def run_worker(instance, run_id: str) -> RunWorker | None:
    """From the run's RUN_START event: the run worker of a launched run, the CLI process
    of a run started from the command line."""
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.RUN_START):
        event = entry.dagster_event
        if event is not None and event.pid is not None:
            return RunWorker(pid=event.pid, reported_at=entry.timestamp)
    return None


def worker_status(worker: RunWorker) -> CheckRunHealthResult:
    """RUNNING while that very process lives; FAILED once it has ended (a zombie has ended)
    or its pid belongs to a process started after the report."""
    try:
        proc = psutil.Process(worker.pid)
        started = proc.create_time()
        zombie = proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return CheckRunHealthResult(WorkerStatus.FAILED, f"run worker process {worker.pid} is gone")
    except psutil.AccessDenied:
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"run worker process {worker.pid} exists")
    if zombie:
        return CheckRunHealthResult(WorkerStatus.FAILED, f"run worker process {worker.pid} has exited")
    if started > worker.reported_at + START_SLACK_S:
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"run worker process {worker.pid} is gone (the pid now belongs to a process started later)",
        )
    return CheckRunHealthResult(WorkerStatus.RUNNING, f"run worker process {worker.pid} is running")


class LocalRunLauncher(DefaultRunLauncher):
    """DefaultRunLauncher plus a health check of run workers on this host (see the module)."""

    def __init__(self, inst_data: ConfigurableClassData | None = None, untagged_runs_are_local: bool = False):
        self.untagged_runs_are_local = untagged_runs_are_local
        super().__init__(inst_data=inst_data)

    @classmethod
    def config_type(cls) -> Mapping[str, Any]:
        return {
            "untagged_runs_are_local": Field(
                bool, is_required=False, default_value=False,
                description="Every process using this instance runs on this machine (an "
                "instance on SQLite under DAGSTER_HOME): also check runs that did not come "
                "through a launcher, such as `dagster asset materialize`.",
            ),
        }

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]):
        return cls(inst_data=inst_data, **config_value)

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        origin = run.remote_job_origin
        if origin is not None and isinstance(
            origin.repository_origin.code_location_origin, ManagedGrpcPythonEnvCodeLocationOrigin
        ):
            # Tagged before launching: the worker may report its start before launch returns.
            self._instance.add_run_tags(run.run_id, {HOST_TAG: Host.current().to_tag()})
        super().launch_run(context)

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        here = Host.current()
        tag = run.tags.get(HOST_TAG)
        if tag is None:
            if not self.untagged_runs_are_local:
                return CheckRunHealthResult(
                    WorkerStatus.RUNNING, "run was not launched by LocalRunLauncher: not checked"
                )
        else:
            there = Host.from_tag(tag)
            if there is None:
                return CheckRunHealthResult(WorkerStatus.RUNNING, f"unreadable {HOST_TAG} tag: not checked")
            if there.hostname != here.hostname:
                return CheckRunHealthResult(
                    WorkerStatus.RUNNING, f"run worker is on host {there.hostname}: not checked from {here.hostname}"
                )
            if there.boot_id and here.boot_id and there.boot_id != here.boot_id:
                return CheckRunHealthResult(
                    WorkerStatus.FAILED, f"host {here.hostname} has restarted since the run worker started"
                )
            if there.pid_namespace != here.pid_namespace:
                return CheckRunHealthResult(
                    WorkerStatus.RUNNING, "run worker is in another PID namespace (container): not checked"
                )
        worker = run_worker(self._instance, run.run_id)
        if worker is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "run worker has not reported its start yet")
        return worker_status(worker)

    def get_run_worker_debug_info(self, run: DagsterRun, include_container_logs: bool | None = True) -> str | None:
        worker = run_worker(self._instance, run.run_id)
        if worker is None:
            return None
        there = Host.from_tag(run.tags.get(HOST_TAG, "")) or Host.current()
        return f"Run worker: process {worker.pid} on {there.hostname}."
