"""The app factory: defaults, TRACE_* environment variables, test config."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from trace import create_app
from trace.db import close_thread_connections, create_db

ROOT = Path(__file__).resolve().parent.parent


def test_environment_variables_configure_the_app(tmp_path, monkeypatch):
    create_db(tmp_path / "env.db").close()
    monkeypatch.setenv("TRACE_DATABASE", str(tmp_path / "env.db"))
    monkeypatch.setenv("TRACE_KEYS_DIR", str(tmp_path / "k"))
    monkeypatch.setenv("TRACE_BASE_URL", "https://id.example.cn/")
    monkeypatch.setenv("TRACE_SECRET_KEY", "s")
    monkeypatch.setenv("TRACE_KEY_PASSPHRASE", "1234")
    app = create_app()
    assert app.config["DATABASE"] == str(tmp_path / "env.db")
    assert app.config["KEYS_DIR"] == str(tmp_path / "k")
    assert app.config["BASE_URL"] == "https://id.example.cn"
    assert app.config["OFFICIAL_DOMAIN"] == "id.example.cn"
    assert app.config["KEY_PASSPHRASE"] == "1234"  # a string, never parsed as a number
    close_thread_connections()


def test_a_public_server_with_the_demos_hotline_says_so_at_start(tmp_path, caplog):
    """Buyers would read, and ring, the demo's 400-000-0000."""
    create_db(tmp_path / "t.db").close()
    with caplog.at_level(logging.WARNING, logger="trace"):
        create_app({"DATABASE": str(tmp_path / "t.db"), "SECRET_KEY": "x",
                    "BASE_URL": "https://id.example.cn"})
    said = [r.getMessage() for r in caplog.records if "demo's" in r.getMessage()]
    assert said == ["TRACE_OPERATOR_NAME is not set: every page shows the demo's "
                    "'Trace 一物一码溯源验真平台（演示）'; set it (docs/deploy.md)",
                    "TRACE_OPERATOR_CONTACT is not set: every page shows the demo's "
                    "'400-000-0000'; set it (docs/deploy.md)"]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="trace"):
        create_app({"DATABASE": str(tmp_path / "t.db"), "SECRET_KEY": "x",
                    "BASE_URL": "https://id.example.cn", "OPERATOR_NAME": "浙江省电商协会",
                    "OPERATOR_CONTACT": "0571-8888 0000"})
        create_app({"DATABASE": str(tmp_path / "t.db"), "SECRET_KEY": "x",
                    "BASE_URL": "http://127.0.0.1:5000"})  # a demo on this machine
    assert not [r for r in caplog.records if "demo's" in r.getMessage()]
    close_thread_connections()


def test_test_config_wins_and_needs_nothing_else(tmp_path):
    create_db(tmp_path / "t.db").close()
    app = create_app({"DATABASE": str(tmp_path / "t.db"), "SECRET_KEY": "x",
                      "BASE_URL": "http://127.0.0.1:5000"})
    assert app.config["DATABASE"] == str(tmp_path / "t.db")
    assert app.config["KEYS_DIR"].endswith("keys")
    client = app.test_client()
    assert client.get("/", base_url="http://127.0.0.1:5000").status_code == 200
    close_thread_connections()


def test_a_missing_database_stops_the_app_with_one_line(tmp_path, caplog):
    caplog.set_level(logging.CRITICAL, logger="trace")
    with pytest.raises(SystemExit) as stop:
        create_app({"DATABASE": str(tmp_path / "typo.db"), "SECRET_KEY": "x"})
    assert stop.value.code == 1
    assert [r.getMessage() for r in caplog.records] == [
        f"Trace cannot start: no database at {tmp_path / 'typo.db'}: check TRACE_DATABASE, "
        "or create it with 'python -m trace init-db'"]
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "trace", "run", "--port", "0"],
    [sys.executable, "-m", "flask", "--app", "trace", "run", "--port", "0"],
])
@pytest.mark.parametrize("problem", ["missing", "not a database"])
def test_a_server_without_its_database_says_so_and_exits(tmp_path, command, problem):
    path = tmp_path / "trace.db"
    if problem == "not a database":
        path.write_bytes(b"these are not the bytes of an SQLite file" * 100)
    env = {**os.environ, "TRACE_DATABASE": str(path), "TRACE_KEYS_DIR": str(tmp_path / "k"),
           "TRACE_SECRET_KEY": "x"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    assert ("no database at" if problem == "missing" else "cannot open the database") in lines[0]
    assert path.exists() == (problem == "not a database")


@pytest.mark.parametrize("preload", [[], ["--preload"]])
def test_gunicorn_stops_on_an_unusable_database_instead_of_respawning(tmp_path, preload):
    env = {**os.environ, "TRACE_DATABASE": str(tmp_path / "typo.db"),
           "TRACE_KEYS_DIR": str(tmp_path / "k"), "TRACE_SECRET_KEY": "x"}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", "127.0.0.1:0",
         "--no-control-socket", *preload, "trace:create_app()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    said = result.stderr.count("Trace cannot start: no database at")
    assert 1 <= said <= 2, result.stderr[-2000:]  # said once a worker at most, no loop
    # gunicorn reports its own halt; nothing of ours shows as a traceback.
    assert not re.search(rf'File "{re.escape(str(ROOT))}/trace/', result.stderr)


def test_an_unexpected_error_answers_a_stable_name_and_logs_where(app, caplog):
    """Whatever breaks inside, a client reads InternalServerError (not the class of
    what broke), and the log keeps the traceback for the operator."""
    def broken():
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    app.add_url_rule("/api/v1/broken-on-purpose", "broken", broken)
    with caplog.at_level(logging.ERROR, logger="trace"):
        response = app.test_client().get("/api/v1/broken-on-purpose")
    assert response.status_code == 500
    assert response.get_json()["error"] == "InternalServerError"
    assert "UnicodeEncodeError" not in response.get_data(as_text=True)
    assert any(record.exc_info for record in caplog.records)


def test_the_command_line_shows_an_errors_traceback(capsys):
    """Under `python -m trace run` the log goes through WarningEcho: an unexpected
    error on a page shows where it happened, not only its one line."""
    from trace.cli.common import show_warnings
    show_warnings()
    try:
        raise ValueError("kaputt")
    except ValueError:
        logging.getLogger("trace.web").exception("unexpected error on %s", "/api/v1/products")
    shown = capsys.readouterr().err
    assert "Error: unexpected error on /api/v1/products" in shown
    assert "Traceback" in shown and "ValueError: kaputt" in shown


@pytest.fixture
def locked_key(tmp_path):
    """A database whose issuer key is encrypted with the passphrase "right"."""
    from trace.keys import create_key
    db = create_db(tmp_path / "trace.db")
    create_key(db, tmp_path / "keys", passphrase="right")
    db.close()
    return {"TRACE_DATABASE": str(tmp_path / "trace.db"), "TRACE_KEYS_DIR": str(tmp_path / "keys"),
            "TRACE_SECRET_KEY": "x"}


@pytest.mark.parametrize("passphrase", ["wrong", None])
def test_a_server_whose_key_will_not_open_refuses_to_start(locked_key, caplog, passphrase):
    """Not a healthy /healthz and a 409 at the first issuing: the start is refused
    with what to fix."""
    caplog.set_level(logging.CRITICAL, logger="trace")
    config = {name[len("TRACE_"):]: value for name, value in locked_key.items()}
    with pytest.raises(SystemExit) as stop:
        create_app({**config, "KEY_PASSPHRASE": passphrase})
    assert stop.value.code == 1
    [said] = [record.getMessage() for record in caplog.records]
    assert said.startswith("Trace cannot start: ") and "TRACE_KEY_PASSPHRASE" in said
    create_app({**config, "KEY_PASSPHRASE": "right"})  # the right one starts


def test_a_verify_only_server_without_key_files_starts_and_says_so(
        locked_key, tmp_path, caplog):
    for pem in (tmp_path / "keys").glob("*.pem"):
        pem.unlink()
    config = {name[len("TRACE_"):]: value for name, value in locked_key.items()}
    with caplog.at_level(logging.WARNING, logger="trace"):
        assert create_app(config).config["KEY_PASSPHRASE"] is None
    assert "verifies codes but cannot issue them" in caplog.text


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "trace", "run", "--port", "0"],
    [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", "127.0.0.1:0",
     "--no-control-socket", "--preload", "trace:create_app()"],
])
def test_a_wrong_passphrase_stops_the_server_with_one_line(locked_key, command):
    env = {**os.environ, **locked_key, "TRACE_KEY_PASSPHRASE": "wrong"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "TRACE_KEY_PASSPHRASE is wrong" in result.stderr
    assert not re.search(rf'File "{re.escape(str(ROOT))}/trace/', result.stderr)
