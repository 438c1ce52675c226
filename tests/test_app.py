"""The app factory: defaults, TRACE_* environment variables, test config."""

from trace import create_app
from trace.db import close_thread_connections


def test_environment_variables_configure_the_app(tmp_path, monkeypatch):
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
    assert (tmp_path / "env.db").exists()  # created and migrated at start
    close_thread_connections()


def test_test_config_wins_and_needs_nothing_else(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "t.db"), "SECRET_KEY": "x",
                      "BASE_URL": "http://127.0.0.1:5000"})
    assert app.config["DATABASE"] == str(tmp_path / "t.db")
    assert app.config["KEYS_DIR"].endswith("keys")
    client = app.test_client()
    assert client.get("/").status_code == 200
    close_thread_connections()
