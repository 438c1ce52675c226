"""Scan history (DESIGN §6): who else has looked this code up, and does it look copied?

A scan is stored with the client's network and browser only as keyed hashes
(HMAC with a server secret): the network of a /24 (IPv4) or /48 (IPv6) prefix,
the browser of a random first-party cookie. A raw address is never written::

    seen = Observer(network=network_hash(secret, "203.0.113.7"),
                    device=device_hash(secret, cookie_token))
    history = record_and_read(db, item_id, seen, ScanPolicy())
    history.to_json()   # {"count": 1, "first_at": None, "networks": 1, ...}
    history.copied_reason(policy)   # None, "copied" or "claimed_elsewhere"
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlite_utils

from .db import unless_storage_fails, utc_now
from .errors import InvalidInput

MAX_RETENTION_DAYS = 36_500  # a century: past it the cutoff is before year 1


@dataclass(frozen=True)
class ScanPolicy:
    """When a history looks copied (settings ``TRACE_SUSPICIOUS_*``; README explains)."""

    networks: int = 5        # this many distinct networks within the window ...
    devices: int = 6         # ... or this many distinct browsers
    window_days: int = 30

    @classmethod
    def from_config(cls, config) -> "ScanPolicy":
        return cls(networks=config["SUSPICIOUS_NETWORKS"], devices=config["SUSPICIOUS_DEVICES"],
                   window_days=config["SUSPICIOUS_WINDOW_DAYS"])

    def looks_copied(self, window_networks: int, window_devices: int) -> bool:
        """Many networks, or many browsers across more than one network, in the window,
        as a label copied onto others. Browsers all on one network never are: a family
        passing a gift round one home's Wi-Fi is no copy (its fakes are scanned in many
        homes), and one address can pose as any number of browsers (a new User-Agent
        or cookie a request), so a script on one machine could turn any item 可疑."""
        return window_networks >= self.networks or (
            window_networks > 1 and window_devices >= self.devices)


@dataclass(frozen=True)
class Observer:
    """Who is scanning, as keyed hashes; ``kind`` is 'scan' or 'typed'.

    ``returning`` says the browser sent back the cookie we gave it. A client
    that never does (curl, a private window, a chat app's link preview) gets
    a new cookie every time; counting each as a new phone would let anyone
    make a genuine item look copied by reloading it. Such a browser is known
    by ``visitor`` instead: its network and User-Agent, hashed, so reloads are
    one browser while different phones in one shop's Wi-Fi stay apart.
    """

    network: str
    device: str
    kind: str = "scan"
    returning: bool = True
    visitor: str = ""

    @property
    def identity(self) -> str:
        """The browser as the counts below know it."""
        return f"d{self.device}" if self.returning else f"n{self.visitor}"


def _keyed(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()[:32]


@functools.lru_cache(maxsize=4096)  # a page hashes it twice; busy networks come back
def network_prefix(address: str | None) -> str:
    """The /24 or /48 a client address belongs to (IPv4-mapped IPv6 counts as IPv4).

    >>> network_prefix("203.0.113.77")
    '203.0.113.0/24'
    >>> network_prefix("2001:db8:1234:5678::1")
    '2001:db8:1234::/48'
    >>> network_prefix("not an address")
    'unknown'
    """
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


def network_hash(secret: str, address: str | None) -> str:
    return _keyed(secret, "network", network_prefix(address))


def device_hash(secret: str, cookie_token: str) -> str:
    return _keyed(secret, "device", cookie_token)


def visitor_hash(secret: str, address: str | None, user_agent: str | None) -> str:
    return _keyed(secret, "visitor", f"{network_prefix(address)}|{(user_agent or '')[:300]}")


@dataclass(frozen=True)
class ScanHistory:
    """An item's history as the page and JSON show it (this scan included)."""

    count: int
    first_at: str | None          # the first scan's time; None when this look is the first
    networks: int
    devices: int
    claimed_at: str | None
    claimed_by_viewer: bool
    other_device_scans: int       # scans from browsers other than the viewer's
    window_networks: int
    window_devices: int
    # Claimed from the network the viewer is on now (a home's Wi-Fi): most likely
    # family. Said beside the alarm, which stays: strangers can share an address.
    claimed_on_viewer_network: bool = False

    def to_json(self) -> dict:
        """Exactly the normative ``"scans"`` object of DESIGN §6."""
        return {"count": self.count, "first_at": self.first_at, "networks": self.networks,
                "devices": self.devices, "claimed_at": self.claimed_at}

    @property
    def case(self) -> str:
        """Which of the situations buyers know this is (the page words each one)."""
        if self.claimed_at:
            return "claimed_by_you" if self.claimed_by_viewer else "claimed_elsewhere"
        if self.count <= 1:
            return "first"
        return "elsewhere" if self.other_device_scans else "only_you"

    def copied_reason(self, policy: ScanPolicy, *, viewer_known: bool = True,
                      proven_owner: bool = False) -> str | None:
        """Why the history looks copied, or None: the ``suspicious`` trigger. A claim
        speaks only to a known viewer (a browser), not to the command line; a claim
        proven with the scratch-off PIN (``proven_owner``: the item has one) tells
        its claimant they hold this item, however many others scanned its code."""
        if viewer_known and self.case == "claimed_elsewhere":
            return "claimed_elsewhere"
        if proven_owner and viewer_known and self.case == "claimed_by_you":
            return None
        return "copied" if self.looks_copied(policy) else None

    def looks_copied(self, policy: ScanPolicy) -> bool:
        """The window's look-ups trip ``policy`` (``ScanPolicy.looks_copied``)."""
        return policy.looks_copied(self.window_networks, self.window_devices)


def record_scan(db: sqlite_utils.Database, item_id: int, seen: Observer,
                at: str | None = None) -> None:
    """One row, committed on its own (concurrent scans each keep theirs); the
    database's triggers add it to the item's running counts in the same statement."""
    db.execute("INSERT INTO scans (item_id, at, network, device, kind, cookie_back, visitor) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)",
               [item_id, at or utc_now(), seen.network, seen.device, seen.kind,
                int(seen.returning), seen.visitor])


def read_history(db: sqlite_utils.Database, item_id: int, seen: Observer | None,
                 policy: ScanPolicy, now: datetime | None = None, *,
                 looked_before: bool = False) -> ScanHistory:
    """The item's history as ``seen`` (or nobody in particular) would read it;
    ``looked_before``: the viewer is shown again the page of a look already counted
    (its language switched, a claim made), so at least one look is its own, as that
    page said, though its first look may be known by another name (no cookie yet).

    It reads the running counts the database keeps per item (migration 13), one row
    a distinct network or browser, never the scans themselves: a code scanned ten
    thousand times costs a page what a code scanned twice does."""
    since = ((now or datetime.now(timezone.utc)) - timedelta(days=policy.window_days))
    viewer = seen.identity if seen else ""
    (count, devices, window_devices, others, networks, window_networks, first_at,
     pruned_count, pruned_networks, pruned_devices, pruned_first, claimed_at,
     viewer_claimed, viewer_network_claimed) = db.execute(
        "WITH b AS (SELECT coalesce(sum(scans), 0), count(*), "
        "count(CASE WHEN last_at >= :since THEN 1 END), "
        "coalesce(sum(CASE WHEN who != :viewer THEN scans END), 0) "
        "FROM scan_browsers WHERE item_id = :item), "
        "n AS (SELECT count(*), count(CASE WHEN last_at >= :since THEN 1 END), "
        "min(first_at) FROM scan_networks WHERE item_id = :item) "
        "SELECT b.*, n.*, "
        "t.pruned_count, t.pruned_networks, t.pruned_devices, t.first_at, "
        "c.claimed_at, c.device = :device OR EXISTS (SELECT 1 FROM claim_browsers o "
        "WHERE o.item_id = :item AND o.device = :device), c.network = :network "
        "FROM b, n "                                                   # one row, whatever
        "LEFT JOIN scan_totals t ON t.item_id = :item "                # the joins find
        "LEFT JOIN claims c ON c.item_id = :item",
        {"item": item_id, "since": since.isoformat(), "viewer": viewer,
         "device": seen.device if seen else None,
         "network": seen.network if seen else None}).fetchone()
    if pruned_count is not None:
        count += pruned_count
        networks += pruned_networks
        devices += pruned_devices
        first_at = min(filter(None, [first_at, pruned_first]), default=None)
    # Null on the first scan (DESIGN §6): this one. A look-up that is no scan (the API,
    # a room's check) reads the first of the scans there are, even if only one.
    first_shown = count > (1 if seen else 0)
    return ScanHistory(
        count=count, first_at=first_at if first_shown else None, networks=networks,
        devices=devices, claimed_at=claimed_at,
        claimed_by_viewer=bool(claimed_at and seen and viewer_claimed),
        other_device_scans=min(_others(count, others + (pruned_count or 0), seen),
                               count - 1 if looked_before else count),
        window_networks=window_networks, window_devices=window_devices,
        claimed_on_viewer_network=bool(claimed_at and seen and viewer_network_claimed))


def _others(count: int, others: int, seen: Observer | None) -> int:
    """Look-ups not provably this viewer's. Pruned browsers are no longer known: they
    count as someone else's, so a pruned copied code never reads "only you". A
    browser that has not sent our cookie back is not yet known either, whatever
    its network and User-Agent share with earlier scans: everything before this
    scan counts as someone else's (a phone in the shop's Wi-Fi with the same
    WeChat is not told the earlier look-ups were its own)."""
    if seen is None:
        return count
    return others if seen.returning else count - 1


def record_and_read(db: sqlite_utils.Database, item_id: int, seen: Observer,
                    policy: ScanPolicy) -> ScanHistory:
    """Record the scan and read the history; a database that cannot take the write
    (disk full, read-only) costs the scan record, never the buyer's verdict."""
    with unless_storage_fails(db, f"scan of item {item_id}"):
        record_scan(db, item_id, seen)
    return read_history(db, item_id, seen, policy)


def batch_items(db: sqlite_utils.Database, batch_id: int, *, offset: int = 0,
                limit: int = 100, serial: str | None = None,
                policy: ScanPolicy = ScanPolicy(), now: datetime | None = None) -> list[dict]:
    """One page of a batch's items in issue order, each with its status, how often it
    was scanned (pruned scans included), whether a buyer claimed it, and ``copied``
    when its recent look-ups trip ``policy`` (buyers are told 可疑: its supplier is
    told too); only the item ``serial`` when one is named."""
    only = " AND i.serial = :serial" if serial else ""
    # Its place in issue order, as label files and reprints count (one item: cheap).
    position = ("(SELECT count(*) FROM items j WHERE j.batch_id = i.batch_id AND j.id <= i.id)"
                if serial else "NULL")
    since = ((now or datetime.now(timezone.utc)) - timedelta(days=policy.window_days))
    rows = db.query(
        f"SELECT i.serial, i.status, i.issued_at, {position} AS position, "
        "i.pin_hash IS NOT NULL AS with_pin, "
        "coalesce((SELECT sum(scans) FROM scan_browsers b WHERE b.item_id = i.id), 0) + "
        "coalesce((SELECT pruned_count FROM scan_totals t WHERE t.item_id = i.id), 0) AS scans, "
        "(SELECT claimed_at FROM claims c WHERE c.item_id = i.id) AS claimed_at, "
        "(SELECT count(*) FROM scan_networks n WHERE n.item_id = i.id AND n.last_at >= :since) "
        "AS networks, (SELECT count(*) FROM scan_browsers w WHERE w.item_id = i.id "
        "AND w.last_at >= :since) AS devices "
        f"FROM items i WHERE i.batch_id = :batch{only} ORDER BY i.id LIMIT :limit OFFSET :offset",
        {"since": since.isoformat(), "batch": batch_id, "serial": serial, "limit": limit,
         "offset": offset})
    # The buyer's rule itself, not a copy of it in SQL: the two had drifted apart once.
    return [dict(row, copied=policy.looks_copied(row.pop("networks"), row.pop("devices")))
            for row in rows]


def prune(db: sqlite_utils.Database, older_than_days: int, now: datetime | None = None, *,
          window_days: int = ScanPolicy.window_days) -> tuple[int, int]:
    """Reduce scans older than the cutoff to per-item counts; (items, scans) reduced.

    No figure a page shows moves: what is deleted is added to ``scan_totals`` in
    the same transaction. The cutoff may not fall inside the suspicious window.
    """
    if not 1 <= older_than_days <= MAX_RETENTION_DAYS:
        raise InvalidInput(f"keep scan details between 1 and {MAX_RETENTION_DAYS} days, "
                           f"not {older_than_days}",
                           message_zh=f"扫码明细的保留天数应在 1 到 {MAX_RETENTION_DAYS} 天之间")
    if older_than_days < window_days:  # pruned scans count, but not inside the window
        raise InvalidInput(
            f"keep at least the {window_days} days in which scans can make a code suspicious "
            f"(TRACE_SUSPICIOUS_WINDOW_DAYS), not {older_than_days}: pruning inside them "
            "would turn a copied code genuine again",
            message_zh=f"扫码明细至少保留 {window_days} 天（判定疑似仿冒的时间窗口），否则被复制的码会重新显示为正品")
    cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=older_than_days)).isoformat()
    with db.atomic():
        items = db.execute("SELECT count(DISTINCT item_id) FROM scans WHERE at < ?",
                           [cutoff]).fetchone()[0]
        # A network or browser not seen since the cutoff leaves its row for the
        # item's totals; one seen since keeps its row, old scans counted in it. So
        # each is counted once, before and after: no figure moves up or down, and
        # a browser that still scans keeps its own look-ups as its own.
        db.execute(
            "INSERT INTO scan_totals (item_id, pruned_count, pruned_networks, pruned_devices, "
            "first_at) SELECT item_id, sum(scans), 0, count(*), NULL FROM scan_browsers "
            "WHERE last_at < :cutoff GROUP BY item_id "
            "ON CONFLICT (item_id) DO UPDATE SET "
            "pruned_count = pruned_count + excluded.pruned_count, "
            "pruned_devices = pruned_devices + excluded.pruned_devices", {"cutoff": cutoff})
        db.execute(
            "INSERT INTO scan_totals (item_id, pruned_count, pruned_networks, pruned_devices, "
            "first_at) SELECT item_id, 0, count(*), 0, min(first_at) FROM scan_networks "
            "WHERE last_at < :cutoff GROUP BY item_id "
            "ON CONFLICT (item_id) DO UPDATE SET "
            "pruned_networks = pruned_networks + excluded.pruned_networks, "
            "first_at = min(coalesce(first_at, excluded.first_at), excluded.first_at)",
            {"cutoff": cutoff})
        for table in ("scan_browsers", "scan_networks"):
            db.execute(f"DELETE FROM {table} WHERE last_at < ?", [cutoff])
        deleted = db.execute("DELETE FROM scans WHERE at < ?", [cutoff]).rowcount
        db.execute("DELETE FROM attempts WHERE at < ?", [cutoff])
    return items, deleted
