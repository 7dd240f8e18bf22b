"""`corett check --deploy` passes, with no warning, under a production-like environment."""

import os
import secrets
import subprocess
import sys

import pytest

from corett.lib.crypto import new_key, new_key_entry


def production_env(data_dir, **overrides) -> dict[str, str]:
    # Built from nothing: no CORETT_DEMO, DEBUG, CORETT_TESTING, nor pytest's PYTEST_VERSION
    # (which settings.py reads to recognise the test suite), nor anything from the developer's shell.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_dir),
        "LANG": "C.UTF-8",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEYS": new_key_entry(),
        "FIELD_BLIND_INDEX_KEY": new_key(),
        "ALLOWED_HOSTS": "hub.example.org",
        "CORETT_DATA_DIR": str(data_dir),
        **overrides,
    }
    assert "PYTEST_VERSION" not in env and "CORETT_TESTING" not in env
    return env


def run_deploy_check(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "corett", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_deploy_check_passes_with_no_warning(tmp_path):
    result = run_deploy_check(production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr.upper()


def test_the_deploy_check_fails_when_transport_security_is_off(tmp_path):
    result = run_deploy_check(production_env(tmp_path, CORETT_SECURE="0"))
    assert result.returncode == 1
    assert "security.W004" in result.stderr  # no HSTS


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_BLIND_INDEX_KEY"])
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing):
    env = production_env(tmp_path)
    del env[missing]
    result = run_deploy_check(env)
    assert result.returncode != 0
    assert f"{missing} (or {missing}_FILE) must be set" in result.stderr


def test_production_refuses_a_malformed_key_ring(tmp_path):
    result = run_deploy_check(production_env(tmp_path, FIELD_ENCRYPTION_KEYS="2026:short"))
    assert result.returncode == 1
    assert "corett.E001" in result.stderr
