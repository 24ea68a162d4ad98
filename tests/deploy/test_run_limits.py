"""Every job of the code location has a max-runtime backstop, tighter than the instances'."""

from __future__ import annotations

from pathlib import Path

import yaml

from twilight_assets.definitions import defs
from twilight_assets.run_limits import MAX_RUNTIME_S, max_runtime_tags

ROOT = Path(__file__).resolve().parents[2]


def test_every_job_has_a_limit_and_no_limit_names_a_missing_job():
    jobs = {job.name: job for job in defs.resolve_all_job_defs() if not job.name.startswith("__")}
    assert set(MAX_RUNTIME_S) == set(jobs)
    for name, job in jobs.items():  # and its runs carry it
        assert job.tags.get("dagster/max_runtime") == str(MAX_RUNTIME_S[name]), name


def test_each_limit_is_below_the_instances_own_backstop():
    for config in (ROOT / "dagster_home" / "dagster.yaml", ROOT / "deploy" / "dagster.yaml"):
        instance_limit = yaml.safe_load(config.read_text())["run_monitoring"]["max_runtime_seconds"]
        assert all(0 < limit < instance_limit for limit in MAX_RUNTIME_S.values()), config


def test_the_tag_is_the_one_run_monitoring_reads():
    assert max_runtime_tags("snapshot_job") == {"dagster/max_runtime": "3600"}
