"""House rules that keep the production package honest.

The simulator (tushare_sim) is a package of its own in the same distribution, for the
demo, the tests and the benchmarks: no module of twilight_assets imports it, so that
production code cannot reach it by accident, and loading the code location loads none of
it. The demo runs the production definitions, changing only how a run executes its steps.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "twilight_assets"
SIMULATOR = "tushare_sim"


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import statement in a file, wherever it is (a function
    body, a TYPE_CHECKING block, a try) and however it is spelled."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _is_simulator(module: str) -> bool:
    return module == SIMULATOR or module.startswith(SIMULATOR + ".")


def test_the_scan_sees_imports_however_they_are_written(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os, tushare_sim.server\n"
        "def f():\n    from tushare_sim import SimulatorServer\n"
        "try:\n    import tushare_sim as sim\nexcept ImportError:\n    pass\n"
        "from twilight_assets import config\n"
    )
    assert [m for _, m in _imported_modules(sample) if _is_simulator(m)] == [
        "tushare_sim.server", "tushare_sim", "tushare_sim"]


def test_no_module_of_the_production_package_imports_the_simulator():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 30  # the scan looks at the package, not an empty folder
    offenders = [
        f"{path.relative_to(PROJECT)}:{line} imports {module}"
        for path in modules
        for line, module in _imported_modules(path)
        if _is_simulator(module)
    ]
    assert not offenders, "production modules import the simulator:\n" + "\n".join(offenders)


def test_loading_the_code_location_loads_no_simulator_module():
    # A fresh interpreter: this test session has imported tushare_sim for its fixtures.
    probe = (
        "import sys\n"
        "import twilight_assets.definitions as d\n"
        "d.defs.get_repository_def()  # resolve every asset, check, job and resource\n"
        f"print(sorted(m for m in sys.modules if m == {SIMULATOR!r} or m.startswith({SIMULATOR + '.'!r})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_the_demo_asks_for_steps_in_process_by_run_config_alone():
    """The demo runs the production code location; only its run config differs, and the
    production executor accepts it (a pre-configured one would silently ignore it)."""
    import dagster as dg

    from twilight_assets.definitions import defs
    from twilight_assets.demo import IN_PROCESS

    for name in ("reference_job", "calendar_job", "daily_market_job", "stock_job", "index_job", "snapshot_job"):
        job = defs.resolve_job_def(name)
        assert job.executor_def.name == "multi_or_in_process_executor", name
    result = dg.validate_run_config(defs.resolve_job_def("snapshot_job"), IN_PROCESS)
    assert "in_process" in result["execution"]["multi_or_in_process_executor"]
