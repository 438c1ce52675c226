"""``users`` and ``tokens``: accounts and API tokens.

    python -m trace users add --role supplier --email qc@pearl.example --org 91330681MA2D7XKQ0T
    python -m trace tokens new --email qc@pearl.example --name ERP
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from .. import accounts, colleagues
from ..clock import beijing_time
from .common import database, echo_list


@click.group(cls=AppGroup, name="users")
def users_group():
    """Accounts: one role each (admin, supplier, agency, streamer).

    \b
    Example:
      python -m trace users add --role admin --email ops@trace.example.cn
    """


@users_group.command("add")
@click.option("--role", required=True, type=click.Choice(accounts.ROLES))
@click.option("--email", required=True)
@click.option("--org", help="The organisation: a supplier's id or 统一社会信用代码.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of generating one.")
def users_add(role: str, email: str, org: str | None, password_stdin: bool):
    """Create an account; a generated password is printed once.

    \b
    Example:
      python -m trace users add --role supplier --email qc@pearl.example \\
          --org 91330681MA2D7XKQ0T
      echo 'a long passphrase' | python -m trace users add --role admin \\
          --email ops@trace.example.cn --password-stdin
    """
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    user, password = accounts.add_user(database(), role, email, org=org, password=password,
                                       by_operator=True)
    click.echo(f"Account for {user.email} ({user.role}) created.")
    if not password_stdin:  # the password stays the last line, for scripts
        click.echo("A first password: the workspace asks for their own at the first sign-in.")
        click.echo(f"Password (shown once): {password}")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def users_list(as_json: bool):
    """List the accounts.

    \b
    Example:
      python -m trace users list
    """
    db = database()

    def line(user: accounts.User) -> str:
        # Beijing's date, as the web pages give it; the organisation by name, since
        # supplier 1, lab 1 and room 1 are three different ones.
        state = (f"disabled {beijing_time(user.disabled_at, '%Y-%m-%d')}" if user.disabled_at
                 else "active")
        org = f"{user.org_id} {colleagues.organisation_name(db, user)}" if user.org_id else "-"
        return f"{user.email:<32} {user.role:<9} {org:<24} {state}"
    echo_list(accounts.list_users(db), as_json, "No accounts yet.", line,
              accounts.User.to_json)


@users_group.command("disable")
@click.argument("email")
def users_disable(email: str):
    """Disable an account (its API tokens are revoked with it).

    \b
    Example:
      python -m trace users disable qc@pearl.example
    """
    user = accounts.disable_user(database(), email)
    click.echo(f"Account for {user.email} disabled; its tokens are revoked.")


@users_group.command("enable")
@click.argument("email")
def users_enable(email: str):
    """Let a disabled account sign in again (its revoked API tokens stay revoked).

    \b
    Example:
      python -m trace users enable qc@pearl.example
    """
    user = accounts.enable_user(database(), email)
    click.echo(f"Account for {user.email} enabled; it signs in with its password again. "
               "Its old API tokens stay revoked: it makes new ones.")


@users_group.command("reset-password")
@click.argument("email")
def users_reset_password(email: str):
    """Give an account that forgot its password a new one, printed once; its
    sign-ins end, its API tokens keep working.

    \b
    Example:
      python -m trace users reset-password qc@pearl.example
    """
    user, password = accounts.reset_password(database(), email)
    click.echo(f"New password for {user.email} (shown once): {password}")
    click.echo("Its browsers are signed out and a hold after failed sign-ins is lifted; the "
               "workspace asks for a password of its own at the next sign-in.")


@click.group(cls=AppGroup, name="tokens")
def tokens_group():
    """API tokens (Authorization: Bearer TOKEN), shown once and stored hashed.

    \b
    Example:
      python -m trace tokens new --email qc@pearl.example --name ERP
    """


@tokens_group.command("new")
@click.option("--email", required=True)
@click.option("--name", default="api", show_default=True, help="What uses it (e.g. ERP).")
def tokens_new(email: str, name: str):
    """Create an API token; it is printed once, on the last line.

    \b
    Example:
      TOKEN=$(python -m trace tokens new --email qc@pearl.example --name ERP | tail -1)
    """
    token_id, token = accounts.new_token(database(), email, name)
    click.echo(f"Token {token_id} for {email} ({name}). Keep it now; it is not shown again:")
    click.echo(token)


@tokens_group.command("list")
@click.option("--email", help="Only this account's tokens.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def tokens_list(email: str | None, as_json: bool):
    """List tokens (never the tokens themselves).

    \b
    Example:
      python -m trace tokens list --email qc@pearl.example
    """
    def line(row: dict) -> str:
        state = f"revoked {row['revoked_at'][:10]}" if row["revoked_at"] else "active"
        return f"{row['id']:>4}  {row['email']:<32} {row['name']:<12} {state}"
    echo_list(accounts.list_tokens(database(), email), as_json, "No tokens.", line)


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int):
    """Revoke a token by its id (from tokens list).

    \b
    Example:
      python -m trace tokens revoke 3
    """
    accounts.revoke_token(database(), token_id)
    click.echo(f"Token {token_id} revoked.")


COMMANDS = [users_group, tokens_group]
