"""``agency`` and ``rooms``: the testing agencies and livestream rooms accounts belong to.

    python -m trace agency add --name 浙江省珍珠质量检测中心 --cma 231012341234 --cnas L1234
    python -m trace rooms add --name 山下湖珍珠直播间 --platform douyin --room-id 7712345678
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .. import agencies, keys, rooms
from ..streamers import screens
from .common import database, echo_list, keys_args


@click.group(cls=AppGroup, name="agency")
def agency_group():
    """Testing agencies (检测机构), each with its own signing key.

    \b
    Example:
      python -m trace agency add --name 浙江省珍珠质量检测中心 --cma 231012341234 --cnas L1234
    """


@agency_group.command("add")
@click.option("--name", required=True, help="The agency's registered name.")
@click.option("--cma", required=True, help="CMA certificate number (资质认定证书编号, 12 digits).")
@click.option("--cnas", help="CNAS accreditation number, e.g. L1234.")
@click.option("--address", help="The agency's address.")
@click.option("--scope", help="What it tests, as its accreditation states it (珍珠饰品、纺织品): "
                              "suppliers see the labs for their goods first.")
def agency_add(name: str, cma: str, cnas: str | None, address: str | None,
               scope: str | None):
    """Register an agency (approved) and create its signing key (role agency:<id>).

    \b
    Example:
      python -m trace agency add --name 浙江省珍珠质量检测中心 --cma 231012341234 --cnas L1234
    """
    keys_dir, passphrase = keys_args()
    agency, key = agencies.add_agency(database(), name, cma, cnas, address=address,
                                      scope=scope, keys_dir=keys_dir, passphrase=passphrase)
    click.echo(f"Agency {agency.id}: {agency.name}")
    if key:
        click.echo(f"Signing key {key.kid} ({key.role}) in {keys_dir}")


@agency_group.group("key", cls=AppGroup)
def agency_key_group():
    """An agency's signing keys.

    \b
    Example:
      python -m trace agency key add --agency 1 --public-key lab-public.pem
    """


@agency_key_group.command("add")
@click.option("--agency", required=True, help="Agency id or CMA number.")
@click.option("--public-key", "public_key", required=True,
              type=click.Path(exists=True, dir_okay=False),
              help="The agency's Ed25519 public key (PEM); its private key stays with it.")
def agency_key_add(agency: str, public_key: str):
    """Register the public key of an agency that keeps its private key itself (it signs
    with 'inspection sign' on its own machine).

    \b
    Example:
      openssl pkey -in lab.pem -pubout -out lab-public.pem
      python -m trace agency key add --agency 1 --public-key lab-public.pem
    """
    db = database()
    lab = agencies.find_agency(db, agency)
    with open(public_key, "rb") as handle:
        record = keys.register_public_key(db, lab.key_role, handle.read())
    click.echo(f"Registered key {record.kid} ({record.role}) for {lab.name}")
    # The platform's key for the agency signs nothing from now on: retired, what it
    # signed keeps verifying, and no list shows two keys for one signer.
    for other in keys.list_keys(db):
        if other.role == lab.key_role and other.status == "active" and other.kid != record.kid:
            keys.retire_key(db, other.kid)
            click.echo(f"Retired the platform-held key {other.kid}: reports it signed stay "
                       "valid; new ones must be signed by the agency ('inspection sign')")


@agency_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def agency_list(as_json: bool):
    """List the agencies with their CMA and CNAS numbers.

    \b
    Example:
      python -m trace agency list
    """
    def line(agency: agencies.Agency) -> str:
        state = ("" if agency.approved else "  (turned down)" if agency.rejected_at
                 else "  (awaiting approval)")
        return f"{agency.id:>4}  CMA {agency.cma_no}  {agency.cnas_no or '-':<7} {agency.name}" \
            + state + (f"\n      tests: {agency.scope}" if agency.scope else "")
    echo_list(agencies.list_agencies(database()), as_json, "No agencies yet.", line,
              lambda agency: agency.__dict__)


@agency_group.command("scope")
@click.argument("agency")
@click.argument("scope")
def agency_scope(agency: str, scope: str):
    """State what an agency tests (from its CMA certificate's scope); "" clears it.

    \b
    Example:
      python -m trace agency scope 231012341234 "珍珠饰品、贵金属"
    """
    db = database()
    found = agencies.set_scope(db, agencies.find_agency(db, agency).id, scope)
    click.echo(f"Agency {found.id} ({found.name}) tests: {found.scope or '(not stated)'}")


@click.group(cls=AppGroup, name="rooms")
def rooms_group():
    """Livestream rooms that streamer accounts belong to.

    \b
    Example:
      python -m trace rooms add --name 山下湖珍珠直播间 --platform douyin --room-id 7712345678
    """


@rooms_group.command("add")
@click.option("--name", required=True, help="The room's name as viewers see it.")
@click.option("--platform", required=True, type=click.Choice(list(rooms.PLATFORMS)))
@click.option("--room-id", required=True, help="The room's id on the platform.")
@click.option("--green-cert", help="绿色直播间 certificate number, if the room has one.")
def rooms_add(name: str, platform: str, room_id: str, green_cert: str | None):
    """Register a livestream room.

    \b
    Example:
      python -m trace rooms add --name 山下湖珍珠直播间 --platform douyin --room-id 7712345678
    """
    db = database()
    room = rooms.add_room(db, name, platform, room_id, green_cert=green_cert)
    click.echo(f"Room {room.id}: {room.name}")
    click.echo("On-camera screen (set up once in OBS as a browser source): "
               + screens.screen_of(db, room).url(current_app.config["BASE_URL"]))


@rooms_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def rooms_list(as_json: bool):
    """List the rooms.

    \b
    Example:
      python -m trace rooms list --json
    """
    db, base_url = database(), current_app.config["BASE_URL"]
    listed = rooms.list_rooms(db)
    screen = {room.id: screens.screen_of(db, room).url(base_url) for room in listed}
    echo_list(listed, as_json, "No rooms yet.",
              lambda room: f"{room.id:>4}  {room.platform:<9} {room.room_id:<14} {room.name}\n"
                           f"      screen: {screen[room.id]}",
              lambda room: room.to_json() | {"screen_url": screen[room.id]})


COMMANDS = [agency_group, rooms_group]
