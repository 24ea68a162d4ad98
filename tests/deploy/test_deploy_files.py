"""What deploy/ promises without a cluster to run it on: secrets only by reference, the
warehouse settings the code location needs, and limits that agree with the code."""

from __future__ import annotations

from pathlib import Path

import yaml

from twilight_assets.run_limits import MAX_RUNTIME_S

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SECRET_NAMES = {"TUSHARE_TOKEN", "PGPASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "DAGSTER_PG_PASSWORD"}


def helm_values() -> dict:
    return yaml.safe_load((DEPLOY / "helm-values.yaml").read_text())


def test_the_helm_values_give_secrets_by_reference_only():
    values = helm_values()
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    env = {e["name"]: e.get("value") for e in deployment["env"]}
    assert not SECRET_NAMES & set(env), "a secret given as a plain value"
    assert [s["name"] for s in deployment["envSecrets"]] == ["twilight-secrets"]
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    assert values["generatePostgresqlPasswordSecret"] is False and values["global"]["postgresqlSecretName"]
    assert "postgresqlPassword" not in values["postgresql"]


def test_the_helm_values_point_the_code_location_at_ducklake():
    (deployment,) = helm_values()["dagster-user-deployments"]["deployments"]
    env = {e["name"]: e.get("value") for e in deployment["env"]}
    assert env["TWILIGHT_WAREHOUSE"].startswith("ducklake:postgres:") and "password" not in env["TWILIGHT_WAREHOUSE"]
    assert env["TWILIGHT_LAKE_DATA"].startswith("s3://") and env["TWILIGHT_ARCHIVE"].startswith("s3://")
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", "twilight_assets.definitions"]


def test_run_monitoring_matches_on_both_deployments():
    daemon = helm_values()["dagsterDaemon"]
    one_host = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    assert daemon["runMonitoring"]["enabled"] and one_host["run_monitoring"]["enabled"]
    assert daemon["runMonitoring"]["maxRuntimeSeconds"] == one_host["run_monitoring"]["max_runtime_seconds"]
    assert max(MAX_RUNTIME_S.values()) < daemon["runMonitoring"]["maxRuntimeSeconds"]
    assert daemon["runCoordinator"]["config"]["queuedRunCoordinator"]["maxConcurrentRuns"] == (
        one_host["concurrency"]["runs"]["max_concurrent_runs"]
    )


def test_the_one_host_instance_reads_every_credential_from_the_environment():
    db = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())["storage"]["postgres"]["postgres_db"]
    for key in ("hostname", "port", "username", "password", "db_name"):
        assert set(db[key]) == {"env"}, key
