"""``init-db``, ``seed-demo`` and ``run``: a database, demo data, and serving.

    python -m trace init-db && python -m trace keys new --if-missing
    python -m trace seed-demo --if-empty && python -m trace run --port 5000
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import ScriptInfo, run_command, with_appcontext

from .. import agencies, demo, demo_reports, keys
from ..codes import ItemCode, parse_link
from ..transparency import audit, log
from ..db import check_ready, create_db, open_db, schema_version
from .common import database, keys_args


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or migrate the database (idempotent).

    \b
    Example:
      TRACE_DATABASE=/tmp/t.db python -m trace init-db
    """
    path = current_app.config["DATABASE"]
    before = _schema_on_disk(path)
    db = create_db(path)  # a database from before the ledger logs its past events here
    logged = log.tree_size(db) if 0 < before < audit.LEDGER_SCHEMA else 0
    logged += audit.backfill_unpublished(db)
    click.echo(f"Database ready: {current_app.config['DATABASE']} "
               f"(schema version {schema_version(db)})"
               + (f"; {logged} earlier event(s) added to the ledger" if logged else ""))


def _schema_on_disk(path: str) -> int:
    """The schema version of the database file at ``path`` before migrating (0 for
    none yet)."""
    if not Path(path).is_file():
        return 0
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0
    except sqlite3.Error:
        return 0
    finally:
        connection.close()


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only seed a database with no products.")
def seed_demo(if_empty: bool):
    """Add demo suppliers, products, batches and 20 codes each, two testing agencies
with signed reports, a livestream room and a sign-in for each role; print URLs
to try.

    \b
    Example:
      python -m trace keys new --if-missing && python -m trace seed-demo
    """
    db = database()
    has_products = db.execute("SELECT count(*) FROM products").fetchone()[0] > 0
    if not (if_empty and has_products):
        added = demo.seed_demo(db, keys.load_signer(db, *keys_args()),
                               current_app.config["HASH_SECRET"])
        orgs = demo.seed_organisations(db, *keys_args())
        reports = demo_reports.seed_reports(
            db, demo.DEMO, agencies.get_agency(db, int(orgs["agency"] or 0)), *keys_args())
        demo.seed_selections(db, current_app.config["BASE_URL"])
        click.echo(f"Demo data: {added} batch(es) and {reports} lab report(s) added."
                   if added or reports else "Demo data already present.")
    tries = demo.try_urls(db, current_app.config["BASE_URL"])
    if tries:
        click.echo("Try these:")
    for label, url in tries:
        click.echo(f"  {label:<10} {url}")
        code = parse_link(url, current_app.config["BASE_URL"]) if label == "genuine" else None
        pin = demo.demo_pin(db, current_app.config["HASH_SECRET"], code) \
            if isinstance(code, ItemCode) else ""
        if pin:  # what its label's scratch-off panel hides: to try 这件是我买的
            click.echo(f"  {'':<10} its label's scratch-off PIN: {pin}")
    on_camera = demo.live_url(db, current_app.config["BASE_URL"])
    if on_camera:
        click.echo("On camera (the demo room's batch page, and its one address for OBS, "
                   "which 切到直播画面 in its workspace switches; ?overlay=1 for a lower "
                   f"third):\n  {'live':<10} {on_camera}\n"
                   f"  {'screen':<10} {demo.screen_url(db, current_app.config['BASE_URL'])}")
    if tries:
        _demo_logins(db)


def _demo_logins(db) -> None:
    """Print the demo sign-ins; their generated passwords are kept beside the
    database (demo_logins.json, mode 0600) so every make run can show them."""
    store = Path(current_app.config["DATABASE"]).parent / "demo_logins.json"
    logins = json.loads(store.read_text()) if store.exists() else {}
    base_url = current_app.config["BASE_URL"]
    created = demo.seed_accounts(db, *keys_args())
    if created:
        logins.update(created)
        logins["api"] = demo.api_example(db)
        store.parent.mkdir(parents=True, exist_ok=True)
        store.touch(mode=0o600)
        store.write_text(json.dumps(logins, indent=2))
    token, batch_url = logins.pop("api", (None, None))
    if logins:
        click.echo(f"Sign in at {base_url}/login (demo only):")
    for email, password in logins.items():
        click.echo(f"  {email:<32} {password}")
    if token:
        click.echo(f"API (the pearl supplier's demo token; the document: {base_url}"
                   "/api/v1/openapi.json):")
        batch_path = urlsplit(batch_url).path  # kept as a full URL before 2026-11
        click.echo(f"  curl -H 'Authorization: Bearer {token}' {base_url}{batch_path}")


@click.command("run", params=run_command.params, context_settings=run_command.context_settings)
@click.pass_context
def run(ctx: click.Context, **options):
    """Serve the app (Flask's development server), once the database is usable.

    \b
    Example:
      python -m trace run --host 127.0.0.1 --port 5000
    """
    config = ctx.ensure_object(ScriptInfo).load_app().config
    check_ready(config["DATABASE"])
    with closing(open_db(config["DATABASE"])) as db:
        for warning in keys.at_start(db, config["KEYS_DIR"], config["KEY_PASSPHRASE"]):
            click.echo(f"Warning: {warning}", err=True)
    ctx.invoke(run_command, **options)


COMMANDS = [init_db, seed_demo, run]
