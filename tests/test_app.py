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


@pytest.mark.parametrize("text, kept", [
    ("所检项目符合 GB/T 18781-2023 要求", "所检项目符合 GB/T\u00a018781\u20112023 要求"),
    ("GB 2763-2021 <b>", "GB\u00a02763\u20112021 <b>"),
    ("批次 CS-2611-01", "批次 CS\u20112611\u201101"),
    ("不含编号的文字", "不含编号的文字"), (None, "")])
def test_standard_and_lot_numbers_are_kept_on_one_line(text, kept):
    from trace.web import keep_codes
    assert keep_codes(text) == kept


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
