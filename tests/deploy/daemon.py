"""A Dagster deployment as an operator runs it: a DAGSTER_HOME holding one of the project's
dagster.yaml files, `dagster-daemon run` on a workspace, runs submitted to the queue with
`dagster job launch`, and the shared simulator as the source. No webserver: the daemon is
what dequeues, launches and monitors runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import dagster as dg
import yaml
from dagster._core.events import DagsterEventType
from dagster._core.storage.dagster_run import DagsterRunStatus

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TIMEOUT_S = 300
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}


def warehouse_env(data: Path) -> dict[str, str]:
    """Where the deployment's runs write: the one setting to change for another backend."""
    return {
        "TWILIGHT_WAREHOUSE": str(data / "warehouse.duckdb"),
        "TWILIGHT_SNAPSHOT_DIR": str(data / "snapshots"),
    }


def instance_yaml(source: Path, **overrides: dict) -> str:
    """`source` with top-level sections merged key by key with `overrides`."""
    config = yaml.safe_load(source.read_text())
    for section, values in overrides.items():
        config[section] = _merge(config.get(section) or {}, values)
    return yaml.safe_dump(config, sort_keys=False)


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out.get(key) or {}, value) if isinstance(value, dict) else value
    return out


@dataclass(frozen=True)
class Submission:
    """A `dagster job launch` under way, and the id of the run it submits."""

    run_id: str
    proc: subprocess.Popen


@dataclass
class Deployment:
    home: Path
    workspace: Path
    env: dict[str, str]
    daemon: subprocess.Popen | None = None
    log: Path | None = None

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))

    def start_daemon(self) -> None:
        self.log = self.home / "daemon.log"
        self.daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", str(self.workspace)],
            cwd=self.home, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its code servers and run workers join its group
        )

    def stop_daemon(self) -> None:
        if self.daemon is None or self.daemon.poll() is not None:
            return
        os.killpg(self.daemon.pid, signal.SIGTERM)
        try:
            self.daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.daemon.pid, signal.SIGKILL)
            self.daemon.wait(timeout=60)

    def daemon_log(self) -> str:
        return self.log.read_text()[-6000:] if self.log and self.log.exists() else ""

    def launch(self, job: str, tags: dict[str, str]) -> Submission:
        """Start submitting a run to the queue; `submitted` waits for it."""
        run_id = str(uuid.uuid4())
        proc = subprocess.Popen(
            [str(BIN / "dagster"), "job", "launch", "-w", str(self.workspace), "-j", job,
             "--run-id", run_id, "--tags", json.dumps(tags)],
            cwd=self.home, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        return Submission(run_id, proc)

    def submitted(self, submission: Submission) -> str:
        out, _ = submission.proc.communicate(timeout=TIMEOUT_S)
        assert submission.proc.returncode == 0, f"dagster job launch failed:\n{out[-4000:]}"
        return submission.run_id

    def wait_for(self, run_id: str, statuses: Iterable[DagsterRunStatus], timeout: float = TIMEOUT_S):
        wanted = set(statuses)
        deadline = time.monotonic() + timeout
        with self.instance() as instance:
            while True:
                run = instance.get_run_by_id(run_id)
                if run is not None and run.status in wanted:
                    return run
                if run is not None and run.status in FINISHED:
                    raise AssertionError(f"run {run_id} ended {run.status.value}, not {wanted}:\n"
                                         f"{events_text(instance, run_id)}")
                if self.daemon is not None and self.daemon.poll() is not None:
                    raise AssertionError(f"the daemon exited ({self.daemon.returncode}):\n{self.daemon_log()}")
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"run {run_id} still {run.status.value if run else 'absent'} after {timeout}s:\n"
                        f"{events_text(instance, run_id)}\n--- daemon log ---\n{self.daemon_log()}"
                    )
                time.sleep(0.5)

    def wait_for_event(self, run_id: str, event_type: DagsterEventType, timeout: float = TIMEOUT_S):
        deadline = time.monotonic() + timeout
        with self.instance() as instance:
            while True:
                found = instance.all_logs(run_id, of_type=event_type)
                if found:
                    return found[0]
                if time.monotonic() > deadline:
                    raise AssertionError(f"run {run_id} logged no {event_type.value} in {timeout}s:\n"
                                         f"{events_text(instance, run_id)}")
                time.sleep(0.5)


def events_text(instance: dg.DagsterInstance, run_id: str, last: int = 25) -> str:
    lines = []
    for entry in instance.all_logs(run_id)[-last:]:
        kind = entry.dagster_event.event_type_value if entry.dagster_event else "LOG"
        lines.append(f"  {kind}: {(entry.message or entry.user_message or '')[:300]}")
        if entry.dagster_event and entry.dagster_event.event_type_value == "STEP_FAILURE":
            lines.append(str(entry.dagster_event.step_failure_data.error)[:3000])
    return "\n".join(lines)
