"""The settings module read from the environment: production mode, loud failures, safe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "PRODUCTION": "true",
    "SECRET_KEY": "x7Qe-3bN9vLk2mTz8RpW4yHc6JdF1sGa0UoIeZq5XnBvCtY9-wq8Lp2Mn",
    "ALLOWED_HOSTS": "kinerja.sukamaju.go.id",
}


def _manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "PRODUCTION", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env)
    clean["KINERJA_VAR_DIR"] = str(tmp_path)
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_mode_passes_check_deploy_with_no_warning(tmp_path: Path) -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_mode_never_loads_the_demo(tmp_path: Path) -> None:
    result = _manage("load_demo", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "never loaded" in result.stderr


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("LOGIN_FAILURE_LIMIT", "five")])
def test_malformed_setting_stops_the_program(tmp_path: Path, name: str, value: str) -> None:
    result = _manage("check", env={name: value}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert name in result.stderr


def test_development_defaults_are_safe(tmp_path: Path) -> None:
    code = "from django.conf import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS, len(s.SECRET_KEY) >= 50)"
    result = _manage("shell", "-c", code, env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("False ['127.0.0.1', 'localhost', '[::1]'] True")
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_static_files_collect_into_the_manifest_that_make_run_serves(tmp_path: Path) -> None:
    result = _manage("collectstatic", "--no-input", "-v0", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
