"""LocalRunLauncher's health check against real processes, on a real (SQLite) instance: a run
is STARTED with the pid of a process this test controls, and the check says whether that
process still runs its worker. The daemon-driven proof is test_killed_run.py."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import psutil
import pytest
import yaml
from dagster._core.events import DagsterEvent, DagsterEventType
from dagster._core.events.log import EventLogEntry
from dagster._core.launcher import WorkerStatus
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus

from twilight_assets.run_launcher import HOST_TAG, Host, LocalRunLauncher, run_worker


def make_instance(home: Path, **config) -> dg.DagsterInstance:
    home.mkdir(parents=True, exist_ok=True)
    launcher = {"module": "twilight_assets.run_launcher", "class": "LocalRunLauncher"}
    if config:
        launcher["config"] = config
    (home / "dagster.yaml").write_text(yaml.safe_dump({"run_launcher": launcher, "telemetry": {"enabled": False}}))
    return dg.DagsterInstance.from_config(str(home))


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    with make_instance(tmp_path_factory.mktemp("local"), untagged_runs_are_local=True) as instance:
        yield instance


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """An instance other hosts may use too (the PostgreSQL deployment's setting)."""
    with make_instance(tmp_path_factory.mktemp("shared")) as instance:
        yield instance


def started_run(instance, pid: int, *, tags: dict | None = None, reported_at: float | None = None) -> DagsterRun:
    run = instance.add_run(DagsterRun(job_name="probe", run_id=str(uuid.uuid4()), status=DagsterRunStatus.STARTING,
                                      tags=tags or {}))
    start = DagsterEvent(event_type_value=DagsterEventType.RUN_START.value, job_name="probe",
                         message="Started execution of run.", pid=pid)
    instance.handle_new_event(EventLogEntry(
        error_info=None, level=logging.DEBUG, user_message="", run_id=run.run_id,
        timestamp=time.time() if reported_at is None else reported_at, dagster_event=start, job_name="probe",
    ))
    run = instance.get_run_by_id(run.run_id)
    assert run.status is DagsterRunStatus.STARTED
    return run


@pytest.fixture
def alive():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc
    proc.kill()
    proc.wait()


def ended_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def check(instance, run):
    return instance.run_launcher.check_run_worker_health(run)


def test_the_instance_loads_the_launcher_with_its_health_check(local, shared):
    assert isinstance(local.run_launcher, LocalRunLauncher) and local.run_launcher.untagged_runs_are_local
    assert shared.run_launcher.supports_check_run_worker_health and not shared.run_launcher.untagged_runs_are_local


def test_a_live_worker_is_running_and_an_ended_one_failed(local, alive):
    assert check(local, started_run(local, alive.pid)).status is WorkerStatus.RUNNING
    pid = ended_pid()
    result = check(local, started_run(local, pid))
    assert result.status is WorkerStatus.FAILED and f"process {pid} is gone" in result.msg


def test_a_worker_that_exited_unreaped_has_ended(local):
    proc = subprocess.Popen(["true"])
    psutil.Process(proc.pid)  # exists until reaped
    deadline = time.monotonic() + 30
    while psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the child never exited"
        time.sleep(0.05)
    try:
        assert check(local, started_run(local, proc.pid)).status is WorkerStatus.FAILED
    finally:
        proc.wait()


def test_a_pid_given_to_a_later_process_is_not_the_worker(local, alive):
    started = psutil.Process(alive.pid).create_time()
    run = started_run(local, alive.pid, reported_at=started - 600)  # reported before that process existed
    result = check(local, run)
    assert result.status is WorkerStatus.FAILED and "started later" in result.msg


def test_runs_the_launcher_did_not_tag_are_left_alone_on_a_shared_instance(shared):
    assert check(shared, started_run(shared, ended_pid())).status is WorkerStatus.RUNNING


def test_a_tag_for_this_host_is_checked_on_a_shared_instance(shared, alive):
    tag = {HOST_TAG: Host.current().to_tag()}
    assert check(shared, started_run(shared, alive.pid, tags=tag)).status is WorkerStatus.RUNNING
    assert check(shared, started_run(shared, ended_pid(), tags=tag)).status is WorkerStatus.FAILED


def test_a_worker_on_another_host_or_in_another_container_is_not_judged_from_here(shared):
    here = Host.current()
    elsewhere = Host("some-other-host", here.boot_id, here.pid_namespace)
    container = Host(here.hostname, here.boot_id, "pid:[1]")
    for host in (elsewhere, container):
        result = check(shared, started_run(shared, ended_pid(), tags={HOST_TAG: host.to_tag()}))
        assert result.status is WorkerStatus.RUNNING, host


def test_a_worker_from_before_this_host_rebooted_has_ended(shared, alive):
    here = Host.current()
    before = Host(here.hostname, "00000000-0000-0000-0000-000000000000", here.pid_namespace)
    result = check(shared, started_run(shared, alive.pid, tags={HOST_TAG: before.to_tag()}))
    assert result.status is WorkerStatus.FAILED and "restarted" in result.msg


def test_the_worker_is_whoever_reported_the_run_start(local, alive):
    run = started_run(local, alive.pid)
    worker = run_worker(local, run.run_id)
    assert worker is not None and worker.pid == alive.pid
