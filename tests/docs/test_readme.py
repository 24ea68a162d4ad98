"""The README tells the truth: in a checkout of its own (the project's files, the project's
venv), `make demo` runs with nothing configured, then every command block of the README runs
as written on that demo instance, its Python examples run, and its SQL runs on the snapshot.
A block is skipped only where a comment right above it says why (it needs a token, a
PostgreSQL of yours, or it is `make test` itself)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FILES = ("README.md", "Makefile", "pyproject.toml", "workspace.yaml", "dagster_home/dagster.yaml")
SKIP = "<!-- not run by the README test"
BLOCK = re.compile(r"(?P<before>[^\n]*)\n```(?P<lang>\w+)\n(?P<body>.*?)\n```", re.DOTALL)
DEMO_PORT = "8765"


def blocks(lang: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return [m["body"] for m in BLOCK.finditer(text) if m["lang"] == lang and not m["before"].startswith(SKIP)]


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A user's clone after `make demo`: the project's files, its venv, nothing configured."""
    here = tmp_path_factory.mktemp("clone")
    for name in FILES:
        (here / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, here / name)  # keeps pyproject older than the venv's stamp
    (here / ".venv").symlink_to(ROOT / ".venv")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TWILIGHT_", "TUSHARE_", "DAGSTER_", "PYTEST_"))}
    # -o: the venv is the project's own; this test must never reinstall into it.
    demo = subprocess.run(["make", "-o", ".venv/.installed", "demo"], cwd=here, env=env, capture_output=True, text=True, timeout=900)
    assert demo.returncode == 0, demo.stdout[-6000:] + demo.stderr[-3000:]
    assert "No TUSHARE_TOKEN: serving the simulator" in demo.stdout and "Snapshot " in demo.stdout
    return here, env


def test_every_command_block_runs_on_the_demo_instance(checkout):
    here, env = checkout
    shell = blocks("bash")
    assert len(shell) >= 2 and "make demo" not in "\n".join(shell)
    script = "\n".join(["set -euo pipefail", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT", *shell])
    script = script.replace(DEMO_PORT, _free_port())
    done = subprocess.run(["bash", "-c", script], cwd=here, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-6000:]
    assert (here / "report.html").stat().st_size and (here / "report.png").stat().st_size


def test_the_python_examples_run(checkout):
    here, env = checkout
    examples = blocks("python")
    assert any("WarehouseReader" in e for e in examples)
    for example in examples:
        done = subprocess.run([sys.executable, "-c", example], cwd=here, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, example + "\n" + done.stderr[-4000:]


def test_the_sql_examples_run_on_the_snapshot(checkout):
    here, _ = checkout
    current = (here / "data" / "snapshots" / "CURRENT").read_text().strip()
    conn = duckdb.connect(str(here / "data" / "snapshots" / f"{current}.duckdb"), read_only=True)
    try:
        statements = [s for block in blocks("sql") for s in block.split(";") if s.strip()]
        assert len(statements) >= 4
        for statement in statements:
            conn.execute(statement).fetchall()
    finally:
        conn.close()
