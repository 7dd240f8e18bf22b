"""`./bin/demo` installs the package without its test dependencies and seeds the demo: the
seeding must never reach a test-only library (it once did, through the cases' test helpers and
factory-boy, and the README's first command failed on a fresh machine while every test passed)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# The top-level modules of the dev dependency group (pyproject.toml), and what they pull in.
TEST_ONLY = ("factory", "faker", "pytest", "pytest_django", "hypothesis", "playwright", "axe_playwright_python",
             "polib", "duckdb", "mypy", "opendp")
# Runs a management command with the test-only modules made unimportable, as on a demo install.
RUN = """
import sys
class TestOnly:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (a test dependency)", name=name)
sys.meta_path.insert(0, TestOnly())
from corett.__main__ import main
sys.argv = ["corett", *sys.argv[1:]]
main()
"""


def _corett(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CORETT_TESTING", "DJANGO_SETTINGS_MODULE")}
    env.update(CORETT_DEMO="1", CORETT_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT))
    return subprocess.run(  # noqa: S603 (this interpreter, with the test's own code and arguments)
        [sys.executable, "-c", RUN.format(blocked=set(TEST_ONLY)), *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=600, check=False,
    )


def test_the_demo_seeds_without_the_test_dependencies_and_keeps_its_data(tmp_path):
    blocked = _corett(tmp_path, "shell", "-c", "import factory")
    assert blocked.returncode != 0 and "a test dependency" in blocked.stderr  # the block works
    migrated = _corett(tmp_path, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    first = _corett(tmp_path, "seed-demo")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Accounts: admin, secretariat, presidency" in first.stdout
    database = sqlite3.connect(tmp_path / "corett.sqlite3")
    counts = [database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
              for table in ("accounts_user", "cases_case", "statistics_value")]
    assert all(counts), counts  # people, cases and statistics were seeded
    again = _corett(tmp_path, "seed-demo")  # "Run it again: it keeps your data"
    assert again.returncode == 0, again.stderr[-3000:]
    assert [database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("accounts_user", "cases_case", "statistics_value")] == counts
    database.close()
