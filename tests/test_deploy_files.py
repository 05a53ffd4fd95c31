"""The production deployment shipped in deploy/ (issue 17, point 4) agrees with the app: every
setting is listed in the example environment file, nginx accepts the largest upload the app
accepts and hands it the real client address, the units start commands that exist, and
gunicorn's configuration loads."""

import ast
import os
import re
import runpy
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
MB = 1024 * 1024


def settings_variables():
    """Every environment variable manyi/settings.py reads (env_str("X"), env_int("X"), ...)."""
    tree = ast.parse((ROOT / "manyi" / "settings.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("env_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
        if isinstance(node, ast.Dict):  # the AWS_* names read for the bucket
            names |= {
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and str(v.value).startswith("AWS_")
            }
    return names


def listed_variables():
    text = (DEPLOY / "manyi.env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.M))


def test_every_setting_is_listed_in_the_example_environment_file():
    variables = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "CACHE_URL", "STORAGE_URL", "AWS_S3_ENDPOINT_URL"} <= variables
    missing = variables - listed_variables()
    assert not missing, f"not in deploy/manyi.env.example: {sorted(missing)}"


def test_the_units_read_the_environment_file_and_run_commands_that_exist():
    commands = get_commands()
    units = {path.name: path.read_text() for path in (DEPLOY / "systemd").glob("*.service")}
    assert set(units) == {"manyi-web.service", "manyi-worker@.service", "manyi-periodic.service"}
    for name, text in units.items():
        assert "EnvironmentFile=/etc/manyi/manyi.env" in text, name
        assert "User=manyi" in text, name
        for command in re.findall(r"manage\.py (\w+)", text):
            assert command in commands, f"{name}: manage.py {command}"
    assert "--config /opt/manyi/deploy/gunicorn.conf.py manyi.wsgi:application" in units["manyi-web.service"]
    timer = (DEPLOY / "systemd" / "manyi-periodic.timer").read_text()
    assert "OnUnitInactiveSec=" in timer


def test_gunicorn_takes_its_workers_from_the_cpu_count_unless_told(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["workers"] == os.cpu_count() * 2 + 1
    assert config["timeout"] >= 60 and config["graceful_timeout"] > 0
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["workers"] == 3


def _nginx():
    return (DEPLOY / "nginx" / "manyi.conf").read_text()


def test_nginx_accepts_the_largest_upload_the_app_accepts_and_not_much_more():
    size = re.search(r"client_max_body_size (\d+)m;", _nginx())
    assert size, "client_max_body_size in megabytes"
    accepted = int(size.group(1)) * MB
    largest = max(
        settings.IMPORT_MAX_BYTES, settings.TICKET_ATTACHMENT_MAX_FILES * settings.TICKET_ATTACHMENT_MAX_BYTES
    )
    assert largest < accepted <= largest + 10 * MB


def test_nginx_writes_the_client_address_instead_of_passing_the_clients_own_header_on():
    text = _nginx()
    assert "$proxy_add_x_forwarded_for" not in text  # would keep what the client wrote
    assert text.count("proxy_set_header X-Forwarded-For $remote_addr;") == 3  # /, /healthz on 443 and 80
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "alias /var/lib/manyi/static/;" in text and settings.STATIC_URL == "/static/"
    assert re.search(r"location /media/ \{\s*return 404;", text)  # private files never from disk


def test_with_https_on_the_probe_is_answered_over_plain_http_and_the_rest_redirected(
    settings, monkeypatch, db
):
    import importlib

    from django.test import Client

    import manyi.settings as project_settings

    monkeypatch.setenv("HTTPS", "true")
    try:
        production = importlib.reload(project_settings)
        settings.SECURE_SSL_REDIRECT = production.SECURE_SSL_REDIRECT
        settings.SECURE_REDIRECT_EXEMPT = production.SECURE_REDIRECT_EXEMPT
    finally:
        monkeypatch.delenv("HTTPS")
        importlib.reload(project_settings)
    client = Client()
    assert client.get("/healthz").status_code == 200
    login = client.get("/accounts/login/")
    assert login.status_code == 301 and login["Location"].startswith("https://")
