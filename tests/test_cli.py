"""The command line: help with examples, the whole chain, errors without tracebacks."""

import csv
import json
import re
import os
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from trace import create_app
from trace.cli import cli

from conftest import BASE_URL, CREDIT_CODE, GTIN

ROOT = Path(__file__).resolve().parent.parent


def all_commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        if name in ("shell", "routes"):  # Flask's own
            continue
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", list(all_commands(cli)))
def test_every_command_has_help_with_an_example(run_cli, path):
    result = run_cli(*path, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and "python -m trace" in result.output


def run_module(env, *args):
    return subprocess.run([sys.executable, "-m", "trace", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_whole_chain_through_environment_variables(tmp_path):
    env = {**os.environ, "TRACE_DATABASE": str(tmp_path / "db" / "t.db"),
           "TRACE_KEYS_DIR": str(tmp_path / "keys"), "TRACE_BASE_URL": BASE_URL + "/"}
    env.pop("TRACE_KEY_PASSPHRASE", None)
    steps = [
        ("init-db",),
        ("keys", "new"),
        ("supplier", "add", "--name", "诸暨市山下湖明珠珍珠有限公司", "--credit-code", CREDIT_CODE),
        ("product", "add", "--supplier", CREDIT_CODE, "--gtin", GTIN, "--name", "淡水珍珠项链",
         "--spec", "珠径 8–9 mm", "--category", "珍珠饰品", "--standard", "GB/T 18781-2023",
         "--spec-en", "8–9 mm pearls"),
        ("batch", "new", "--gtin", GTIN, "--lot", "ZJ-2611-A", "--produced", "2026-11-10",
         "--quantity", "10"),
        ("batch", "issue", "--gtin", GTIN, "--lot", "ZJ-2611-A", "--count", "8"),
        ("batch", "issue", "--gtin", GTIN, "--lot", "ZJ-2611-A", "--count", "4", "--over-plan"),
        ("codes", "export", "--gtin", GTIN, "--lot", "ZJ-2611-A", "--out",
         str(tmp_path / "codes.csv")),
    ]
    for step in steps:
        result = run_module(env, *step)
        assert result.returncode == 0, (step, result.stdout, result.stderr)
    assert (tmp_path / "db" / "t.db").exists() and any((tmp_path / "keys").glob("*.pem"))
    kept = sqlite3.connect(tmp_path / "db" / "t.db")
    assert kept.execute("SELECT specification_en FROM products").fetchone() == ("8–9 mm pearls",)
    kept.close()
    rows = list(csv.DictReader(open(tmp_path / "codes.csv", encoding="utf-8")))
    assert len(rows) == 12 and {"serial", "url"} <= set(rows[0])
    assert rows[0]["url"].startswith(BASE_URL + "/01/" + GTIN + "/10/ZJ-2611-A/21/")

    result = run_module(env, "verify", rows[3]["url"], "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["verdict"], data["product"], data["serial"]) == (
        "genuine", "淡水珍珠项链", rows[3]["serial"])

    forged = rows[3]["url"].replace(rows[3]["serial"], rows[4]["serial"])
    result = run_module(env, "verify", forged)
    assert result.returncode == 1 and result.stdout.startswith("forged")

    keys = json.loads(run_module(env, "keys", "list", "--json").stdout)
    result = run_module(env, "keys", "revoke", keys[0]["kid"], "--at", "2020-01-01T00:00:00Z")
    assert result.returncode == 1 and "is before key" in result.stderr  # a typo, refused
    result = run_module(env, "keys", "revoke", keys[0]["kid"], "--at", keys[0]["not_before"])
    assert result.returncode == 0
    assert "12 code(s) it signed from then on now verify as forged" in result.stderr
    assert run_module(env, "verify", rows[3]["url"]).returncode == 1


def readme_session() -> list[tuple[str, list[str]]]:
    """The README's short session: each ``$`` command (continuation lines joined)
    with the lines the README shows it printing."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = ("    $ export" + text.split("    $ export", 1)[1]).splitlines()
    steps: list[tuple[str, list[str]]] = []
    for line in lines:
        if line and not line.startswith("    "):
            break
        line = line.strip()
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps and steps[-1][0].endswith("\\"):
            steps[-1] = (steps[-1][0][:-1] + " " + line, steps[-1][1])
        elif line:
            steps[-1][1].append(line)
    return steps


def without_ids(lines: list[str]) -> list[str]:
    """Key ids (8 characters) and serials (12) differ from run to run."""
    return [re.sub(r"\b[0-9A-Z]{12}\b", "SERIAL", re.sub(r"\b[0-9A-Z]{8}\b", "KID", line))
            for line in lines]


def test_the_readme_session_prints_what_the_readme_shows(tmp_path):
    steps = readme_session()
    assert len(steps) >= 8 and steps[0][0].startswith("export ")
    env = {name: value for name, value in os.environ.items() if not name.startswith("TRACE_")}
    env["PYTHONPATH"] = str(ROOT)
    for pair in steps[0][0].split()[1:]:
        name, value = pair.split("=", 1)
        env[name] = value.replace("/tmp/demo", str(tmp_path / "demo"))
    for command, shown in steps[1:]:
        command = command.replace(".venv/bin/python", sys.executable)
        result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        printed = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        printed = [line.replace(str(tmp_path / "demo"), "/tmp/demo") for line in printed]
        assert without_ids(printed) == without_ids(shown), command


def test_top_up_beyond_plan_needs_saying_so(run_cli, db, issuer, make_batch):
    make_batch()  # planned quantity 100
    typo = run_cli("batch", "issue", "--gtin", GTIN, "--lot", "ZJ-2611-A", "--count", "1001")
    assert typo.exit_code == 1 and "Nothing was issued: check the count" in typo.output
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    meant = run_cli("batch", "issue", "--gtin", GTIN, "--lot", "ZJ-2611-A", "--count", "101",
                    "--over-plan")
    assert meant.exit_code == 0
    assert "more than the 100 planned" in meant.output


@pytest.mark.parametrize("args, message", [
    (("supplier", "add", "--name", "X", "--credit-code", "91330681MA2D7XKQ0A"), "does not add up"),
    (("product", "add", "--supplier", "9", "--gtin", GTIN, "--name", "P"), "no supplier"),
    (("batch", "new", "--gtin", GTIN, "--lot", "L"), "no product"),
    (("batch", "issue", "--gtin", GTIN, "--lot", "L", "--count", "5"), "no active issuer key"),
    (("keys", "retire", "NOPE"), "no key"),
    (("keys", "revoke", "NOPE", "--at", "soon"), "no key"),
    (("codes", "export", "--gtin", GTIN, "--lot", "L", "--out", "/nonexistent/x.csv"), "no batch"),
])
def test_errors_are_one_line_and_exit_1(run_cli, args, message):
    result = run_cli(*args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(run_cli):
    assert run_cli("verify").exit_code == 2
    assert run_cli("batch", "issue", "--gtin", GTIN, "--lot", "L", "--count", "0").exit_code == 2


def test_verify_exit_status(run_cli, issued_urls):
    assert run_cli("verify", issued_urls[0]).exit_code == 0
    result = run_cli("verify", "not a code")
    assert result.exit_code == 1 and result.output.startswith("invalid:")


def test_a_wrong_key_role_is_said_before_any_passphrase_warning(run_cli, monkeypatch):
    monkeypatch.delenv("TRACE_KEY_PASSPHRASE", raising=False)
    result = run_cli("keys", "new", "--role", "wizard")
    assert result.exit_code == 1 and "role must be issuer, ledger or agency" in result.output
    assert "Warning" not in result.output


def test_seed_demo_prints_urls_that_verify_as_labelled(run_cli, app, client):
    assert run_cli("keys", "new", "--if-missing").exit_code == 0
    assert "already active" in run_cli("keys", "new", "--if-missing").output
    output = run_cli("seed-demo").output
    lines = [line.split() for line in output.splitlines()
             if line.startswith("  ") and "://" in line and "curl" not in line]
    assert [label for label, _ in lines] == [  # a sample of each product; the tea failed
        "genuine", "failed", "genuine", "genuine",
        "forged", "suspicious", "claimed", "recalled", "typed", "live", "screen"]
    for _label, url in (lines.pop(), lines.pop()):  # the room's one address shows the pearl
        live_page = client.get(url[len(BASE_URL):]).get_data(as_text=True)
        assert "正品 · 检测合格" in live_page and "山下湖珍珠源头直播间" in live_page
    # What a buyer's browser is told; a claim by someone else makes it suspicious.
    expected = {"claimed": "suspicious", "typed": "registered", "failed": "genuine"}
    for label, url in lines:
        data = client.get(url[len(BASE_URL):], headers={"Accept": "application/json"}).get_json()
        assert data["verdict"] == expected.get(label, label), (label, data)
        assert label != "failed" or data["caution"] == "failed", data  # said as it is
    for label, url in lines[:6] + lines[7:8]:
        assert json.loads(run_cli("verify", url, "--json").output)["verdict"] == \
            expected.get(label, label)
    # The pearl's label hides a PIN: printed, so 这件是我买的 can be tried at once.
    pin = re.search(r"scratch-off PIN: (\d{6})", output).group(1)
    pearl = lines[0][1][len(BASE_URL):]
    buyer = app.test_client()
    page = buyer.get(pearl).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.split('id="claim"')[1]).group(1)
    claimed = buyer.post(pearl, data={"csrf_token": token, "pin": pin},
                         headers={"Referer": BASE_URL + pearl}).get_data(as_text=True)
    assert "认领成功" in claimed, claimed[claimed.find("notice"):][:300]
    signed, api = output.split("(demo only):")[1].split("API (")
    logins = dict(line.split() for line in signed.strip().splitlines())
    token, batch_url = re.search(r"Bearer (trc_\S+)' (\S+)", api).groups()
    answer = client.get(batch_url[len(BASE_URL):], headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.get_json()["issued"] == 20
    from trace import accounts, agencies
    from trace.db import open_db
    db = open_db(app.config["DATABASE"])
    roles = {email: accounts.authenticate(db, email, password).role
             for email, password in logins.items()}
    assert sorted(roles.values()) == ["admin", "agency", "agency", "streamer", "supplier"]
    food_lab = accounts.find_user(db, "foodlab@demo.trace.example.cn")  # tea, huyou, duvets
    assert agencies.get_agency(db, food_lab.org_id).name == "浙江省食品与纺织品检验研究院（演示）"
    again = run_cli("seed-demo").output
    assert "already present" in again and all(p in again for p in logins.values())
    assert token in again
    assert "Demo data" not in run_cli("seed-demo", "--if-empty").output


def test_the_demo_api_example_names_the_address_served_now(run_cli, app):
    """make run PORT=5001 on a database seeded at :5000 must not print a curl to :5000."""
    assert run_cli("keys", "new", "--if-missing").exit_code == 0
    run_cli("seed-demo")
    moved = create_app({**app.config, "BASE_URL": "http://127.0.0.1:5001"})
    again = CliRunner().invoke(cli, ["seed-demo"], obj=ScriptInfo(create_app=lambda: moved),
                               catch_exceptions=False).output
    curl = next(line for line in again.splitlines() if "curl" in line)
    assert curl.endswith("' http://127.0.0.1:5001/api/v1/batches/09521234000013/ZJ-2611-A"), curl


def test_labels_print_and_list(run_cli, issued_urls, tmp_path, app):
    listing = run_cli("labels", "list").output
    assert "a4-3x8" in listing and "tag-30x20" in listing
    out = tmp_path / "l.pdf"
    result = run_cli("labels", "print", "--gtin", GTIN, "--lot", "ZJ-2611-A", "--stock",
                     "thermal-50x30", "--out", str(out), "--serials", "2-4")
    assert result.exit_code == 0, result.output
    assert "Wrote 3 labels (thermal-50x30)" in result.output
    import pypdfium2
    assert len(pypdfium2.PdfDocument(str(out))) == 3
    from trace.downloads import label_downloads
    from trace.db import open_db
    db = open_db(app.config["DATABASE"])
    (kept,), runs = label_downloads(db, 1)  # the supplier's page shows what was printed
    assert (kept.first, kept.last, kept.stock, kept.actor[:4]) == (2, 4, "thermal-50x30", "cli:")
    assert runs == [(2, 4)]
    db.close()


@pytest.mark.parametrize("args, message", [
    (("--stock", "nope"), "no label stock 'nope'"),
    (("--stock", "a4-3x8", "--start-at", "30"), "0-23"),
    (("--stock", "a4-3x8", "--serials", "9-1"), "FROM <= TO"),
    (("--stock", "tag-30x20"), "too small"),  # https://trace.example.cn needs version 9
])
def test_labels_print_errors(run_cli, issued_urls, tmp_path, args, message):
    result = run_cli("labels", "print", "--gtin", GTIN, "--lot", "ZJ-2611-A",
                     "--out", str(tmp_path / "x.pdf"), *args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert not (tmp_path / "x.pdf").exists() and "Printing" not in result.output


def test_codes_qr_writes_svg_and_png_that_decode(run_cli, issued_urls, tmp_path):
    import zxingcpp
    from PIL import Image
    png = tmp_path / "c.png"
    assert run_cli("codes", "qr", issued_urls[0], "--out", str(png)).exit_code == 0
    # QR only: a random signature's modules once read as a stray 1D code too ("B.$B")
    assert [r.text for r in zxingcpp.read_barcodes(
        Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)] == [issued_urls[0]]
    svg = tmp_path / "c.svg"
    assert run_cli("codes", "qr", issued_urls[0], "--out", str(svg)).exit_code == 0
    assert svg.read_text().startswith("<svg")
    bad = run_cli("codes", "qr", "https://evil.example/01/1", "--out", str(svg))
    assert bad.exit_code == 1 and "not a code of this site" in bad.output
    assert run_cli("codes", "qr", issued_urls[0], "--out", str(tmp_path / "c.gif")).exit_code == 2


def test_a_name_with_terminal_escapes_is_refused_not_printed(run_cli, db):
    result = run_cli("supplier", "add", "--name", "\x1b[2J\x1b[31m诸暨珍珠", "--credit-code",
                     CREDIT_CODE)
    assert result.exit_code == 1
    assert "contains control characters (U+001B)" in result.output
    assert "\x1b" not in result.output
    assert db.execute("SELECT count(*) FROM suppliers").fetchone()[0] == 0


@pytest.mark.parametrize("command", [
    ("verify", BASE_URL + "/01/09521234000013/10/L/21/S?k=K&s=" + "A" * 86),
    ("keys", "list"), ("keys", "new"), ("seed-demo",), ("codes", "export", "--gtin", GTIN,
                                                        "--lot", "L", "--out", "-"),
    ("batch", "issue", "--gtin", GTIN, "--lot", "L", "--count", "1"),
])
def test_a_mistyped_database_is_named_and_never_created(tmp_path, command):
    typo = tmp_path / "instance" / "trcae.db"
    env = {**os.environ, "TRACE_DATABASE": str(typo), "TRACE_KEYS_DIR": str(tmp_path / "keys"),
           "TRACE_BASE_URL": BASE_URL}
    result = run_module(env, *command)
    assert result.returncode == 1, result.stdout
    assert result.stderr == (f"Error: no database at {typo}: check TRACE_DATABASE, or create "
                             "it with 'python -m trace init-db'\n")
    assert not typo.exists() and not typo.parent.exists()
    assert not (tmp_path / "keys").exists()


def cli_env(tmp_path, **extra):
    env = {**os.environ, "TRACE_DATABASE": str(tmp_path / "t.db"),
           "TRACE_KEYS_DIR": str(tmp_path / "keys"), "TRACE_BASE_URL": BASE_URL, **extra}
    if "TRACE_KEY_PASSPHRASE" not in extra:
        env.pop("TRACE_KEY_PASSPHRASE", None)
    return env


def ready_batch(env):
    for step in (("init-db",), ("keys", "new"),
                 ("supplier", "add", "--name", "诸暨珍珠", "--credit-code", CREDIT_CODE),
                 ("product", "add", "--supplier", CREDIT_CODE, "--gtin", GTIN, "--name", "项链"),
                 ("batch", "new", "--gtin", GTIN, "--lot", "L1")):
        result = run_module(env, *step)
        assert result.returncode == 0, (step, result.stderr)


def count_items(tmp_path) -> int:
    with sqlite3.connect(tmp_path / "t.db") as conn:
        return conn.execute("SELECT count(*) FROM items").fetchone()[0]


def test_a_swapped_private_key_issues_nothing(tmp_path):
    env = cli_env(tmp_path)
    ready_batch(env)
    (pem,) = (tmp_path / "keys").glob("*.pem")
    other = subprocess.run([sys.executable, "-c", (
        "import sys; from cryptography.hazmat.primitives import serialization as s; "
        "from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey as K; "
        "sys.stdout.buffer.write(K.generate().private_bytes(s.Encoding.PEM, "
        "s.PrivateFormat.PKCS8, s.NoEncryption()))")], capture_output=True, check=True).stdout
    pem.write_bytes(other)
    result = run_module(env, "batch", "issue", "--gtin", GTIN, "--lot", "L1", "--count", "5")
    assert result.returncode == 1
    assert f"does not hold the private half of key {pem.stem}" in result.stderr
    assert count_items(tmp_path) == 0


def test_a_wrong_passphrase_never_makes_a_second_issuer_key(tmp_path):
    right = cli_env(tmp_path, TRACE_KEY_PASSPHRASE="正确的口令")
    wrong = cli_env(tmp_path, TRACE_KEY_PASSPHRASE="wrong")
    ready_batch(right)
    result = run_module(wrong, "keys", "new", "--if-missing")  # as `make setup` runs it
    assert result.returncode == 1
    assert "cannot be opened" in result.stderr and "TRACE_KEY_PASSPHRASE is wrong" in result.stderr
    assert "Nothing was created" in result.stderr
    listed = json.loads(run_module(right, "keys", "list", "--json").stdout)
    assert [k["status"] for k in listed] == ["active"]
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 1
    again = run_module(right, "keys", "new", "--if-missing")
    assert again.returncode == 0 and "already active; nothing to do" in again.stdout
    issued = run_module(right, "batch", "issue", "--gtin", GTIN, "--lot", "L1", "--count", "3")
    assert issued.returncode == 0, issued.stderr
    assert count_items(tmp_path) == 3


def test_if_missing_creates_a_key_only_when_the_database_has_none(tmp_path):
    env = cli_env(tmp_path)
    assert run_module(env, "init-db").returncode == 0
    first = run_module(env, "keys", "new", "--if-missing")
    assert first.returncode == 0 and first.stdout.startswith("Created key")
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    (pem,) = (tmp_path / "keys").glob("*.pem")
    pem.write_bytes(pem.read_bytes()[:60])
    result = run_module(env, "keys", "new", "--if-missing")
    assert result.returncode == 1 and "is truncated" in result.stderr
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 1


def test_a_key_file_others_can_read_is_warned_about(tmp_path):
    env = cli_env(tmp_path)
    ready_batch(env)
    (pem,) = (tmp_path / "keys").glob("*.pem")
    pem.chmod(0o644)
    result = run_module(env, "batch", "issue", "--gtin", GTIN, "--lot", "L1", "--count", "2")
    assert result.returncode == 0, result.stderr
    assert f"Warning: the private key file {pem} can be read by other users" in result.stderr


def test_an_empty_database_file_is_refused_not_filled(tmp_path):
    (tmp_path / "t.db").write_bytes(b"")
    env = cli_env(tmp_path)
    result = run_module(env, "verify", BASE_URL + "/01/09521234000013/10/L/21/S?k=K&s=" + "A" * 86)
    assert result.returncode == 1
    assert result.stderr == (f"Error: {tmp_path / 't.db'} is empty, not a Trace database: check "
                             "TRACE_DATABASE, or create the database with "
                             "'python -m trace init-db'\n")
    assert (tmp_path / "t.db").read_bytes() == b""


def test_one_code_is_one_code(tmp_path):
    env = cli_env(tmp_path)
    ready_batch(env)
    result = run_module(env, "batch", "issue", "--gtin", GTIN[1:], "--lot", "l1", "--count", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Issued 1 code for batch L1 with key ")


def test_verify_takes_a_typed_code_and_a_typed_link(run_cli, issued_urls):
    serial = issued_urls[0].split("/21/")[1].split("?")[0]
    grouped = "-".join(serial[i:i + 4] for i in range(0, 12, 4)).lower()
    for typed in (grouped, f"{BASE_URL}/verify?q={grouped}"):
        data = json.loads(run_cli("verify", typed, "--json").output)
        assert (data["verdict"], data["serial"]) == ("registered", serial)
    result = run_cli("verify", grouped)
    assert result.exit_code == 1 and result.output.startswith("registered:")


def test_lists_for_people_and_for_scripts(run_cli, issued_urls):
    assert "91330681MA2D7XKQ0T  诸暨市山下湖明珠珍珠有限公司" in run_cli("supplier", "list").output
    products = json.loads(run_cli("product", "list", "--json").output)
    assert products[0]["gtin"] == GTIN and products[0]["supplier"] == "诸暨市山下湖明珠珍珠有限公司"
    batches = json.loads(run_cli("batch", "list", "--gtin", GTIN, "--json").output)
    assert [(b["lot"], b["issued"], b["status"]) for b in batches] == [("ZJ-2611-A", 5, "open")]
    assert "ZJ-2611-A" in run_cli("batch", "list").output
    wrong = run_cli("batch", "list", "--gtin", "09521234000014")
    assert wrong.exit_code == 1 and "does not add up" in wrong.output


def test_a_mistyped_lot_suggests_the_lots_there_are(run_cli, issued_urls):
    result = run_cli("batch", "issue", "--gtin", GTIN, "--lot", "ZJ-2611", "--count", "1")
    assert result.exit_code == 1
    assert "lots of this product: ZJ-2611-A" in result.output and "batch new" not in result.output


def test_top_level_help_shows_the_products_commands_only(run_cli):
    text = run_cli("--help").output
    assert "batch" in text and "labels" in text
    for flask_own in ("routes", "shell", "--env-file", "--app", "--debug"):
        assert flask_own not in text, flask_own
    assert run_cli("routes").exit_code == 0  # still there for developers


def test_a_product_is_corrected_and_a_mistaken_one_deleted(run_cli, db, make_batch):
    make_batch()
    refused = run_cli("product", "edit", "--gtin", GTIN, "--spec", "珠径 7–8 mm")
    assert refused.exit_code != 0 and "say why" in refused.output
    done = run_cli("product", "edit", "--gtin", GTIN, "--spec", "珠径 7–8 mm",
                   "--reason", "规格录入错误", "--by", "qc")
    assert done.exit_code == 0 and "1 field(s) changed" in done.output
    row = db.execute("SELECT p.specification, p.name, c.reason, c.actor FROM products p "
                     "JOIN product_changes c ON c.gtin = p.gtin").fetchone()
    assert row == ("珠径 7–8 mm", "诸暨淡水珍珠项链", "规格录入错误", "qc")
    assert "has batches" in run_cli("product", "delete", "--gtin", GTIN).output
    run_cli("product", "add", "--supplier", CREDIT_CODE, "--gtin", "09521234000020",
            "--name", "龙井")
    gone = run_cli("product", "delete", "--gtin", "09521234000020")
    assert gone.exit_code == 0 and "Deleted product 09521234000020" in gone.output
    assert db.execute("SELECT count(*) FROM products").fetchone()[0] == 1


def test_a_batch_is_corrected_from_the_command_line(run_cli, db, make_batch):
    make_batch()
    done = run_cli("batch", "edit", "--gtin", GTIN, "--lot", "zj-2611-a", "--quantity", "300",
                   "--reason", "计划数量录错", "--by", "qc")
    assert done.exit_code == 0 and "1 field(s) changed" in done.output
    assert db.execute("SELECT quantity_planned FROM batches").fetchone()[0] == 300
    assert db.execute("SELECT reason, actor FROM batch_changes").fetchone() == ("计划数量录错", "qc")
    assert "nothing changed" in run_cli("batch", "edit", "--gtin", GTIN, "--lot", "ZJ-2611-A",
                                        "--quantity", "300", "--reason", "x").output


def test_the_operator_suspends_and_reinstates_a_supplier(run_cli, db):
    run_cli("supplier", "add", "--name", "诸暨珍珠", "--credit-code", CREDIT_CODE)
    no_reason = run_cli("supplier", "suspend", "1", "--reason", " ")
    assert no_reason.exit_code == 1 and "say why" in no_reason.output
    done = run_cli("supplier", "suspend", CREDIT_CODE, "--reason", "营业执照已被吊销")
    assert done.exit_code == 0 and "suspended (营业执照已被吊销)" in done.output
    assert "SUSPENDED: 营业执照已被吊销" in run_cli("supplier", "list").output
    back = run_cli("supplier", "suspend", "1", "--reason", "换发新证", "--reinstate")
    assert back.exit_code == 0 and "reinstated" in back.output
    assert "SUSPENDED" not in run_cli("supplier", "list").output
    assert db.execute("SELECT count(*) FROM supplier_standing").fetchone()[0] == 2


def test_a_supplier_gets_a_phone_buyers_can_call(run_cli, db):
    added = run_cli("supplier", "add", "--name", "诸暨珍珠", "--credit-code", CREDIT_CODE)
    assert added.exit_code == 0 and "supplier contact 1 --phone" in added.output  # what's missing
    refused = run_cli("supplier", "contact", CREDIT_CODE, "--phone", "0575-871234")
    assert refused.exit_code == 1 and "not a telephone number" in refused.output
    assert run_cli("supplier", "contact", "1", "--phone", "0575-87123456").exit_code == 0
    both = run_cli("supplier", "contact", "1", "--address", "浙江省诸暨市山下湖镇")
    assert "phone: 0575 8712 3456" in both.output and "address: 浙江省诸暨市山下湖镇" in both.output
    assert "0575 8712 3456" in run_cli("supplier", "list").output
    [listed] = json.loads(run_cli("supplier", "list", "--json").output)
    assert (listed["phone"], listed["address"]) == ("0575 8712 3456", "浙江省诸暨市山下湖镇")


@pytest.mark.parametrize("written", ["127.0.0.1:5172", "trace.example.cn",
                                     "https://trace.example.cn/verify", "ftp://trace.example.cn"])
def test_a_base_url_that_cannot_start_a_code_is_refused_by_name(tmp_path, written):
    """Taken without http://, it made every genuine code read as another site's."""
    env = cli_env(tmp_path) | {"TRACE_BASE_URL": written}
    result = run_module(env, "init-db")
    assert result.returncode == 1 and "TRACE_BASE_URL must be the site's address with " \
        f"http:// or https:// and no path, e.g. https://trace.example.cn, not '{written}'" \
        in result.stderr
    assert not (tmp_path / "t.db").exists()
    fine = run_module(env | {"TRACE_BASE_URL": "https://trace.example.cn/"}, "init-db")
    assert fine.returncode == 0, fine.stderr


def test_make_run_on_a_busy_port_says_so_before_the_demo(tmp_path):
    """It printed the demo's URLs and passwords, then 'Address already in use'."""
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    env = {key: value for key, value in cli_env(tmp_path).items() if key != "TRACE_BASE_URL"}
    try:
        result = subprocess.run(["make", "-s", "run", f"PORT={port}"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
    finally:
        busy.close()
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is in use: stop what serves there, or choose another" \
        in result.stderr
    assert "Sign in at" not in result.stdout and "Try these" not in result.stdout
