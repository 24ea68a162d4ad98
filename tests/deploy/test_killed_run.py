"""A run killed -9 does not block the queue (issue 9 item 6).

The instance is the embedded default's dagster.yaml (LocalRunLauncher, run monitoring) with the
run queue narrowed to one slot, so a slot kept by a dead run would stall the next run for good.
A run is launched through the queue by `dagster-daemon run`; while its step runs, its run worker
is killed -9 together with the code server it is a child of (as when that server is killed, or
the service holding both is restarted): the code server can then no longer report the death,
and before LocalRunLauncher the run stayed STARTED forever. Now the daemon's run monitoring
finds the worker gone, marks the run failed, and the run queued behind it starts and finishes.
"""

from __future__ import annotations

import os

import psutil
import pytest
from dagster._core.events import DagsterEventType
from dagster._core.storage.dagster_run import DagsterRunStatus

from tests.deploy.daemon import ROOT, Deployment, instance_yaml, warehouse_env
from twilight_assets.run_launcher import HOST_TAG, run_worker


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, simulator):
    home = tmp_path_factory.mktemp("killed-run-home")
    (home / "dagster.yaml").write_text(
        instance_yaml(ROOT / "dagster_home" / "dagster.yaml", concurrency={"runs": {"max_concurrent_runs": 1}})
    )
    data = tmp_path_factory.mktemp("killed-run-data")
    settings = {
        "DAGSTER_HOME": str(home),
        **warehouse_env(data),
        "TWILIGHT_SOURCE": "simulator",
        "TUSHARE_HTTP_URL": simulator.url,
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TUSHARE_TOKEN", raising=False)
        for key, value in settings.items():
            mp.setenv(key, value)
        deploy = Deployment(home=home, workspace=ROOT / "workspace.yaml", env=dict(os.environ))
        with deploy.instance():  # creates the storage once, before the daemon and the CLI race for it
            pass
        deploy.start_daemon()
        try:
            yield deploy
        finally:
            deploy.stop_daemon()


def kill_worker_and_its_code_server(pid: int) -> list[int]:
    """SIGKILL the run worker, everything it started (its step process), and its parent, the
    code server that would otherwise report the death. Returns the pids killed."""
    worker = psutil.Process(pid)
    server = worker.parent()
    assert server is not None and "grpc" in server.cmdline(), f"run worker {pid}'s parent is not a code server"
    victims = [*worker.children(recursive=True), worker, server]
    for proc in victims:
        proc.kill()
    psutil.wait_procs(victims, timeout=30)
    return [p.pid for p in victims]


# Four process start-ups per run, and the code server's restart: minutes on a loaded machine.
@pytest.mark.timeout(1200)
def test_a_run_killed_9_is_marked_failed_and_the_run_queued_behind_it_finishes(deployment, simulator):
    # Every trade_cal call hangs, so the doomed run surely holds the only slot when it dies.
    simulator.add_fault("timeout", api_name="trade_cal", delay=120)
    doomed = deployment.submitted(deployment.launch("calendar_job", {"dagster/partition": "2023"}))
    deployment.wait_for_event(doomed, DagsterEventType.STEP_START)
    queued = deployment.submitted(deployment.launch("calendar_job", {"dagster/partition": "2024"}))
    with deployment.instance() as instance:
        assert instance.get_run_by_id(queued).status is DagsterRunStatus.QUEUED
        assert HOST_TAG in instance.get_run_by_id(doomed).tags
        worker = run_worker(instance, doomed)
    assert worker is not None

    kill_worker_and_its_code_server(worker.pid)
    simulator.clear_faults()

    failed = deployment.wait_for(doomed, [DagsterRunStatus.FAILURE])
    # Dequeued at once, it may find the code server still dead and go back to the queue
    # (run_coordinator's retries) until the daemon has restarted it.
    finished = deployment.wait_for(queued, [DagsterRunStatus.SUCCESS], timeout=600)
    with deployment.instance() as instance:
        failure = instance.all_logs(failed.run_id, of_type=DagsterEventType.RUN_FAILURE)[0]
        messages = [e.message for e in instance.all_logs(failed.run_id)]
        starting = instance.all_logs(finished.run_id, of_type=DagsterEventType.RUN_STARTING)[0]
    # Run monitoring failed it, from LocalRunLauncher's health check: the worker is gone, or
    # a zombie not yet reaped (its parent, the code server, died with it).
    verdicts = (f"run worker process {worker.pid} is gone", f"run worker process {worker.pid} has exited")
    assert any(v in m for m in messages for v in verdicts), messages[-5:]
    # The queued run got the slot only once the dead run had been marked failed.
    assert starting.timestamp >= failure.timestamp
