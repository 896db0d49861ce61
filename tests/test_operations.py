"""What an operator relies on: health endpoints, metrics, request ids in logs, one-line config errors."""

import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from sciport import config

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_liveness_and_readiness(client):
    assert client.get("/healthz").content == b"ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"database": "ok", "storage": "ok", "queue": "ok"}


@pytest.mark.django_db
def test_readiness_names_an_unreachable_storage(client, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage folder should be")
    storages = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "nowhere", "endpoint_url": "http://127.0.0.1:9", "access_key": "x", "secret_key": "y"},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["storage"].startswith("error:")


@pytest.mark.django_db
def test_metrics_count_requests(client):
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert "sciport_http_requests_total" in text
    assert 'method="GET"' in text


@pytest.mark.django_db
def test_log_lines_carry_the_request_id(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/api/v1/organisations/org_missing", headers={"X-Request-ID": "trace-12345678"})
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    assert records[-1].request_id == "trace-12345678"


def _sciport(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "sciport", *args], capture_output=True, text=True, env=environment, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SCIPORT_DATABASE_URL", "mysql://db/sciport", "SCIPORT_DATABASE_URL must start with"),
        ("SCIPORT_STORAGE_URL", "ftp://files", "SCIPORT_STORAGE_URL must start with"),
        ("SCIPORT_SECRET_KEY", "short", "at least 32 characters"),
        ("SCIPORT_PORT", "eighty", "SCIPORT_PORT must be a whole number"),
        ("SCIPORT_DEBUG", "perhaps", "SCIPORT_DEBUG must be true or false"),
        ("SCIPORT_OIDC_PROVIDERS", "half|done", "SCIPORT_OIDC_PROVIDERS entries"),
    ],
)
def test_a_bad_setting_is_one_clear_line(variable, value, message, tmp_path):
    result = _sciport("check", **{variable: value, "SCIPORT_VAR_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0]


def test_a_good_configuration_passes_check(tmp_path):
    result = _sciport("check", SCIPORT_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [setting.name for setting in config.SETTINGS if f"`{setting.name}`" not in readme]
    assert not missing, f"add these to the README configuration table: {missing}"


def test_every_environment_variable_read_is_declared():
    source = "\n".join(p.read_text() for p in (ROOT / "src" / "sciport").rglob("*.py"))
    import re

    used = set(re.findall(r"\"(SCIPORT_[A-Z_]+)\"", source))
    declared = {setting.name for setting in config.SETTINGS}
    test_only = {"SCIPORT_TEST_REQUIRE"}
    assert used - declared - test_only == set()


def test_json_log_lines_are_json_with_the_request_id():
    import json

    from django.conf import settings as django_settings

    from sciport.core.observability import RequestIdFilter, current_request_id

    formatter = logging.config.DictConfigurator({"version": 1}).configure_formatter(
        dict(django_settings.LOGGING["formatters"]["json"])
    )
    record = logging.LogRecord("sciport.test", logging.INFO, __file__, 1, "stored %s files", ("3",), None)
    current_request_id.set("trace-abcdef12")
    RequestIdFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert line["message"] == "stored 3 files"
    assert line["request_id"] == "trace-abcdef12"
    assert line["level"] == "INFO"
