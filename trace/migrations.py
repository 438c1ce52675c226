"""Schema migrations, applied in order by :func:`trace.db.migrate`.

Append a new ``(version, [statements])`` entry; never edit one that has shipped.
"""


def _append_only(table: str) -> list[str]:
    """Triggers refusing any UPDATE or DELETE of ``table``'s rows."""
    return [f"""CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table}
              BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
            for verb in ("update", "delete")]


def _corrections_table(table: str, noun: str, subject: str, index: str) -> list[str]:
    """An append-only table of corrections to one ``subject`` (its column), indexed
    as ``{table}_{index}``, bumping the content version as every table pages show."""
    column = subject.split()[0]
    return [
        f"""CREATE TABLE {table} (
            id INTEGER PRIMARY KEY,
            {subject},
            changes TEXT NOT NULL,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        f"CREATE INDEX {table}_{index} ON {table}({column}, id)",
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
           BEGIN SELECT RAISE(ABORT, '{noun} changes are never edited'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
           BEGIN SELECT RAISE(ABORT, '{noun} changes are never deleted'); END""",
        *(f"""CREATE TRIGGER {table}_{verb}_bumps_version AFTER {verb.upper()}
              ON {table} BEGIN UPDATE content_version SET n = n + 1; END"""
          for verb in ("insert", "update", "delete")),
    ]


MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        """CREATE TABLE keys (
            kid TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'retired', 'revoked')),
            public_key TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            not_before TEXT NOT NULL,
            not_after TEXT,
            retired_at TEXT,
            revoked_at TEXT
        )""",
        """CREATE TABLE suppliers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            credit_code TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE products (
            gtin TEXT PRIMARY KEY,
            supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
            name TEXT NOT NULL,
            name_en TEXT,
            specification TEXT,
            category TEXT,
            origin TEXT,
            standard TEXT,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            gtin TEXT NOT NULL REFERENCES products(gtin),
            lot TEXT NOT NULL,
            produced_on TEXT,
            quantity_planned INTEGER,
            notes TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'recalled')),
            status_reason TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (gtin, lot)
        )""",
        """CREATE TABLE issuances (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            kid TEXT NOT NULL REFERENCES keys(kid),
            count INTEGER NOT NULL,
            issued_at TEXT NOT NULL
        )""",
        """CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            gtin TEXT NOT NULL,
            serial TEXT NOT NULL,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            issuance_id INTEGER NOT NULL REFERENCES issuances(id),
            kid TEXT NOT NULL,
            sig TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'void', 'recalled')),
            status_reason TEXT,
            issued_at TEXT NOT NULL,
            UNIQUE (gtin, serial)
        )""",
        "CREATE INDEX items_batch ON items(batch_id)",
    ]),
    (2, [
        # What a buyer reads on the label (GB 7718): shelf life, storage, licence.
        "ALTER TABLE products ADD COLUMN shelf_life_days INTEGER",
        "ALTER TABLE products ADD COLUMN storage TEXT",
        "ALTER TABLE products ADD COLUMN licence_no TEXT",
        "ALTER TABLE batches ADD COLUMN expires_on TEXT",
        "ALTER TABLE items ADD COLUMN pin_hash TEXT",
        "CREATE INDEX items_serial ON items(serial)",
        # One row per consumer scan; networks and devices only as keyed hashes.
        """CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items(id),
            at TEXT NOT NULL,
            network TEXT NOT NULL,
            device TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'scan' CHECK (kind IN ('scan', 'typed'))
        )""",
        "CREATE INDEX scans_item ON scans(item_id, at)",
        # What `scans prune` keeps of old scans: counts only, never lowered.
        """CREATE TABLE scan_totals (
            item_id INTEGER PRIMARY KEY REFERENCES items(id),
            pruned_count INTEGER NOT NULL DEFAULT 0,
            pruned_networks INTEGER NOT NULL DEFAULT 0,
            pruned_devices INTEGER NOT NULL DEFAULT 0,
            first_at TEXT
        )""",
        """CREATE TABLE claims (
            item_id INTEGER PRIMARY KEY REFERENCES items(id),
            claimed_at TEXT NOT NULL,
            device TEXT NOT NULL,
            network TEXT NOT NULL
        )""",
        # Recalls, un-recalls and voids: who, when, why; never updated or deleted.
        """CREATE TABLE status_events (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            item_id INTEGER REFERENCES items(id),
            action TEXT NOT NULL
                CHECK (action IN ('recall', 'unrecall', 'void', 'recall_item')),
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX status_events_batch ON status_events(batch_id)",
        """CREATE TRIGGER status_events_no_update BEFORE UPDATE ON status_events
           BEGIN SELECT RAISE(ABORT, 'status_events is append-only'); END""",
        """CREATE TRIGGER status_events_no_delete BEFORE DELETE ON status_events
           BEGIN SELECT RAISE(ABORT, 'status_events is append-only'); END""",
        """CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
           BEGIN SELECT RAISE(ABORT, 'claims are never deleted'); END""",
        """CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            gtin TEXT,
            lot TEXT,
            serial TEXT,
            verdict TEXT,
            what_seen TEXT NOT NULL,
            where_bought TEXT NOT NULL,
            contact TEXT,
            photo_sha256 TEXT,
            photo_type TEXT,
            network TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX reports_gtin ON reports(gtin)",
        """CREATE TABLE photos (
            sha256 TEXT PRIMARY KEY,
            content_type TEXT NOT NULL,
            data BLOB NOT NULL
        )""",
        # Failed attempts (wrong PINs, report posts) for throttling across workers.
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL,
            subject TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX attempts_subject ON attempts(scope, subject, at)",
    ]),
    (3, [
        # cookie_back is 1 when the browser sent back our cookie; visitor is a keyed
        # hash of network and User-Agent, which stands for a browser that never does.
        "ALTER TABLE scans ADD COLUMN cookie_back INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE scans ADD COLUMN visitor TEXT NOT NULL DEFAULT ''",
    ]),
    (4, [
        # Accounts: one role each, tied to an organisation (org_id in the table the
        # role names: suppliers for a supplier; none for an admin).
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role TEXT NOT NULL CHECK (role IN ('admin', 'supplier', 'agency', 'streamer')),
            org_id INTEGER,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            disabled_at TEXT
        )""",
        # API tokens: only a SHA-256 of the token is kept; it is shown once.
        """CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            name TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        )""",
    ]),
    (5, [
        # NULL: signed up on the web and waiting for an operator's approval; those
        # the operator adds at the command line are approved when added.
        "ALTER TABLE suppliers ADD COLUMN approved_at TEXT",
        "UPDATE suppliers SET approved_at = created_at",
        # Long work started from a page (issuing codes), so the page can show progress.
        """CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            owner_id INTEGER NOT NULL,
            subject TEXT NOT NULL,
            total INTEGER NOT NULL,
            done INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'running'
                CHECK (state IN ('running', 'finished', 'failed')),
            message TEXT,
            message_zh TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
    ]),
    (6, [
        # Testing agencies (检测机构): approved_at NULL while a web sign-up waits.
        """CREATE TABLE agencies (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            cma_no TEXT NOT NULL UNIQUE,
            cnas_no TEXT,
            address TEXT,
            created_at TEXT NOT NULL,
            approved_at TEXT
        )""",
        # A streamer's livestream room on one platform.
        """CREATE TABLE rooms (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            platform TEXT NOT NULL
                CHECK (platform IN ('douyin', 'taobao', 'kuaishou', 'channels', 'other')),
            room_id TEXT NOT NULL,
            green_cert TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (platform, room_id)
        )""",
    ]),
    (7, [
        # An operator turned a web sign-up down: its accounts are disabled and the
        # GTINs it entered (never issued, never public) are freed for their owner.
        "ALTER TABLE suppliers ADD COLUMN rejected_at TEXT",
        "ALTER TABLE agencies ADD COLUMN rejected_at TEXT",
    ]),
    (8, [
        # Which agency may sign for which batch: a supplier's commission (委托) or an
        # operator's assignment (监督抽检, 神秘抽检).
        """CREATE TABLE commissions (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            agency_id INTEGER NOT NULL REFERENCES agencies(id),
            kind TEXT NOT NULL CHECK (kind IN ('commission', 'assignment')),
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (batch_id, agency_id, kind)
        )""",
        # Signed reports exactly as signed (canonical JSON); corrections are new rows.
        """CREATE TABLE inspection_reports (
            id INTEGER PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES agencies(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            report_no TEXT NOT NULL,
            version TEXT NOT NULL,
            supersedes TEXT NOT NULL,
            record TEXT NOT NULL,
            kid TEXT NOT NULL,
            sig TEXT NOT NULL,
            pdf_sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (agency_id, report_no, version)
        )""",
        "CREATE INDEX inspection_reports_batch ON inspection_reports(batch_id)",
        """CREATE TRIGGER inspection_reports_no_update BEFORE UPDATE ON inspection_reports
           BEGIN SELECT RAISE(ABORT, 'reports are never edited: sign a correction'); END""",
        """CREATE TRIGGER inspection_reports_no_delete BEFORE DELETE ON inspection_reports
           BEGIN SELECT RAISE(ABORT, 'reports are never deleted'); END""",
        """CREATE TABLE report_pdfs (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            data BLOB NOT NULL
        )""",
    ]),
    (9, [
        # A room's 选品 decisions with the checklist as it stood (the 选品审核台账).
        """CREATE TABLE selections (
            id INTEGER PRIMARY KEY,
            room_id INTEGER NOT NULL REFERENCES rooms(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            serial TEXT,
            decision TEXT NOT NULL CHECK (decision IN ('选用', '不选用', '待复检')),
            checks TEXT NOT NULL,
            passed INTEGER NOT NULL,
            note TEXT,
            override_reason TEXT,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX selections_room ON selections(room_id, at)",
        """CREATE TRIGGER selections_no_update BEFORE UPDATE ON selections
           BEGIN SELECT RAISE(ABORT, 'selection records are never edited'); END""",
        """CREATE TRIGGER selections_no_delete BEFORE DELETE ON selections
           BEGIN SELECT RAISE(ABORT, 'selection records are never deleted'); END""",
    ]),
    (10, [
        # A room's on-camera page for a batch it selected: one a room and batch, so
        # the address set up in OBS stays the same; the id is random, never a count.
        """CREATE TABLE live_pages (
            id TEXT PRIMARY KEY,
            room_id INTEGER NOT NULL REFERENCES rooms(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            opened_by TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            UNIQUE (room_id, batch_id)
        )""",
    ]),
    (11, [
        # The Merkle log (DESIGN §10): one leaf an event, written with it; the hash
        # of every complete subtree; and the signed checkpoints. Append-only.
        """CREATE TABLE ledger_leaves (
            idx INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            source TEXT NOT NULL UNIQUE,
            gtin TEXT,
            lot TEXT,
            serial TEXT,
            data BLOB NOT NULL,
            hash BLOB NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX ledger_leaves_batch ON ledger_leaves(gtin, lot)",
        """CREATE TABLE ledger_nodes (
            level INTEGER NOT NULL,
            idx INTEGER NOT NULL,
            hash BLOB NOT NULL,
            PRIMARY KEY (level, idx)
        ) WITHOUT ROWID""",
        """CREATE TABLE ledger_checkpoints (
            size INTEGER PRIMARY KEY,
            root BLOB NOT NULL,
            kid TEXT NOT NULL REFERENCES keys(kid),
            note TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        *(f"""CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table}
              BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
          for table in ("ledger_leaves", "ledger_nodes", "ledger_checkpoints")
          for verb in ("update", "delete")),
    ]),
    (12, [
        # The version of everything a public page shows about a batch (DESIGN §12):
        # a per-process cache of batch facts and rendered cards is keyed by it. Every
        # table but the per-item and bookkeeping ones bumps it, whatever code writes;
        # the epoch is new for every database file, and restore gives it a new one.
        """CREATE TABLE content_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            epoch TEXT NOT NULL,
            n INTEGER NOT NULL
        )""",
        "INSERT INTO content_version VALUES (1, lower(hex(randomblob(8))), 0)",
        *(f"""CREATE TRIGGER {table}_{verb}_bumps_version AFTER {verb.upper()} ON {table}
              BEGIN UPDATE content_version SET n = n + 1; END"""
          for table in ("agencies", "batches", "commissions", "inspection_reports",
                        "issuances", "keys", "live_pages", "photos", "products",
                        "report_pdfs", "reports", "rooms", "selections", "status_events",
                        "suppliers")
          for verb in ("insert", "update", "delete")),
    ]),
    (13, [
        # An item's scan history as running counts (DESIGN §6, §12): the distinct
        # networks and browsers that scanned it, each with its first or latest
        # scan, so a page's cost stays the same however often a code is scanned (a
        # copied label scanned ten thousand times cost 25 ms a page, and grew with
        # every scan), and reads no row of scans. A browser is counted as its device
        # once that device has sent our cookie back for the item, before that by its
        # visitor hash; a trigger moves a device's earlier scans over when it first
        # does. Only inserts are counted: `scans prune` recounts the items it
        # reduces (trace/scans.py).
        """CREATE TABLE scan_networks (
            item_id INTEGER NOT NULL,
            network TEXT NOT NULL,
            last_at TEXT NOT NULL,
            first_at TEXT NOT NULL,
            PRIMARY KEY (item_id, network)
        ) WITHOUT ROWID""",
        """CREATE TABLE scan_browsers (
            item_id INTEGER NOT NULL,
            who TEXT NOT NULL,               -- 'd' || device, or 'n' || visitor
            scans INTEGER NOT NULL,
            last_at TEXT NOT NULL,
            PRIMARY KEY (item_id, who)
        ) WITHOUT ROWID""",
        # What the triggers look up: a device's scans, and a visitor's scans without
        # our cookie back, newest first. The index by (item_id, at) served only an
        # item's first scan and its count, which the counts now give: one index
        # fewer on every scan's insert (38 to 39 us a scan against 46 to 47).
        "CREATE INDEX scans_item_device ON scans(item_id, device, cookie_back)",
        "CREATE INDEX scans_item_visitor ON scans(item_id, visitor, cookie_back, at)",
        "DROP INDEX scans_item",
        """INSERT INTO scan_networks
           SELECT item_id, network, max(at), min(at) FROM scans GROUP BY item_id, network""",
        """INSERT INTO scan_browsers
           SELECT s.item_id, CASE WHEN r.device IS NULL THEN 'n' || s.visitor
                                  ELSE 'd' || s.device END AS who, count(*), max(s.at)
           FROM scans s LEFT JOIN (SELECT DISTINCT item_id, device FROM scans
                                   WHERE cookie_back = 1) r
                ON r.item_id = s.item_id AND r.device = s.device
           GROUP BY s.item_id, who""",
        # Two triggers, each right whichever fires first. Every scan: its network,
        # and the scan under its device (once the device has sent our cookie back)
        # or its visitor. A device's first scan with the cookie back: its earlier
        # scans leave their visitor rows (emptied rows go, the others find their
        # latest scan again, through the visitor index: visitor = substr(who, 2),
        # never 'n' || visitor, which no index serves) and its row is counted from
        # its scans. WHEN is tested once, so only that rare scan pays for the move.
        """CREATE TRIGGER scans_counted AFTER INSERT ON scans
        BEGIN
            INSERT INTO scan_networks (item_id, network, last_at, first_at)
                VALUES (NEW.item_id, NEW.network, NEW.at, NEW.at)
                ON CONFLICT DO UPDATE SET last_at = max(last_at, excluded.last_at),
                    first_at = min(first_at, excluded.first_at);
            UPDATE scan_browsers SET scans = scans + 1, last_at = max(last_at, NEW.at)
                WHERE item_id = NEW.item_id AND who = 'd' || NEW.device
                AND EXISTS (SELECT 1 FROM scans r WHERE r.item_id = NEW.item_id
                            AND r.device = NEW.device AND r.cookie_back = 1
                            AND r.id != NEW.id);
            INSERT INTO scan_browsers
                SELECT NEW.item_id, 'n' || NEW.visitor, 1, NEW.at
                WHERE NOT EXISTS (SELECT 1 FROM scans r WHERE r.item_id = NEW.item_id
                                  AND r.device = NEW.device AND r.cookie_back = 1)
                ON CONFLICT DO UPDATE SET scans = scans + 1,
                    last_at = max(last_at, excluded.last_at);
        END""",
        """CREATE TRIGGER scans_device_returns AFTER INSERT ON scans
        WHEN NEW.cookie_back = 1
            AND NOT EXISTS (SELECT 1 FROM scans r WHERE r.item_id = NEW.item_id
                            AND r.device = NEW.device AND r.cookie_back = 1
                            AND r.id != NEW.id)
        BEGIN
            UPDATE scan_browsers SET scans = scans - (
                    SELECT count(*) FROM scans s WHERE s.item_id = NEW.item_id
                    AND s.device = NEW.device AND s.id != NEW.id
                    AND s.visitor = substr(scan_browsers.who, 2))
                WHERE item_id = NEW.item_id
                AND who IN (SELECT 'n' || visitor FROM scans WHERE item_id = NEW.item_id
                            AND device = NEW.device AND id != NEW.id);
            DELETE FROM scan_browsers WHERE item_id = NEW.item_id AND scans <= 0
                AND who IN (SELECT 'n' || visitor FROM scans WHERE item_id = NEW.item_id
                            AND device = NEW.device AND id != NEW.id);
            UPDATE scan_browsers SET last_at = (
                    SELECT s.at FROM scans s WHERE s.item_id = NEW.item_id
                    AND s.visitor = substr(scan_browsers.who, 2) AND s.cookie_back = 0
                    AND NOT EXISTS (SELECT 1 FROM scans r WHERE r.item_id = NEW.item_id
                                    AND r.device = s.device AND r.cookie_back = 1)
                    ORDER BY s.at DESC LIMIT 1)
                WHERE item_id = NEW.item_id
                AND who IN (SELECT 'n' || visitor FROM scans WHERE item_id = NEW.item_id
                            AND device = NEW.device AND id != NEW.id);
            INSERT INTO scan_browsers
                SELECT NEW.item_id, 'd' || NEW.device, count(*), max(at) FROM scans
                WHERE item_id = NEW.item_id AND device = NEW.device
                ON CONFLICT DO UPDATE SET scans = excluded.scans, last_at = excluded.last_at;
        END""",
    ]),
    (14, [
        # An API client's Idempotency-Key on a top-up: a retry after a timeout gets
        # the issuance the first request made, never a second one. Unique per batch,
        # so two requests racing with one key cannot both issue.
        "ALTER TABLE issuances ADD COLUMN request_key TEXT",
        """CREATE UNIQUE INDEX issuances_request_key ON issuances(batch_id, request_key)
           WHERE request_key IS NOT NULL""",
    ]),
    (15, [
        # A staff sign-in, known to the server: signing out or disabling the account
        # ends it even in a copy of the session cookie. Only the id's hash is kept.
        """CREATE TABLE sign_ins (
            id_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            started_at TEXT NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX sign_ins_user ON sign_ins(user_id)",
        # The issue form's one-time key: a double click, or a resubmit after a slow
        # answer, finds the job the first submit started instead of issuing again.
        "ALTER TABLE jobs ADD COLUMN request_key TEXT",
        # More browsers of the buyer who claimed an item, each proven with the PIN:
        # the same person in WeChat and in the phone's own browser is not "someone
        # else" who scanned a claimed item.
        """CREATE TABLE claim_browsers (
            item_id INTEGER NOT NULL REFERENCES claims(item_id),
            device TEXT NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (item_id, device)
        ) WITHOUT ROWID""",
        """CREATE UNIQUE INDEX jobs_request_key ON jobs(owner_id, request_key)
           WHERE request_key IS NOT NULL""",
    ]),
    (16, [
        # A supplier's correction of a product's registered details: what changed
        # (JSON {field: [before, after]}), why, by whom. Appended, never edited, and
        # logged in the ledger, so a name on a printed label that no longer matches
        # the page is explained on the page, not silently rewritten.
        *_corrections_table("product_changes", "product",
                            "gtin TEXT NOT NULL REFERENCES products(gtin)", "gtin"),
    ]),
    (17, [
        # A supplier's correction of a batch (dates, planned quantity, notes): before
        # and after as JSON values, why, by whom. Appended and logged like product
        # changes; the batch's own ledger leaf is re-derived from the batch as it
        # was created, which these rows give back.
        *_corrections_table("batch_changes", "batch",
                            "batch_id INTEGER NOT NULL REFERENCES batches(id)", "batch"),
    ]),
    (18, [
        # Whom a buyer calls about a recall or a failed test (客服电话 and address,
        # shown on the pages) and whom the operator asks about a sign-up (private).
        "ALTER TABLE suppliers ADD COLUMN phone TEXT",
        "ALTER TABLE suppliers ADD COLUMN address TEXT",
        "ALTER TABLE suppliers ADD COLUMN contact_name TEXT",
    ]),
    (19, [
        # A supplier's photo of its product, for buyers to compare with what they
        # hold: named by the SHA-256 of its large JPEG (products.photo), with a
        # small square one for the page; written once, never changed.
        """CREATE TABLE product_photos (
            sha256 TEXT PRIMARY KEY,
            large BLOB NOT NULL,
            thumb BLOB NOT NULL,
            created_at TEXT NOT NULL
        ) WITHOUT ROWID""",
        "ALTER TABLE products ADD COLUMN photo TEXT REFERENCES product_photos(sha256)",
        *(f"""CREATE TRIGGER product_photos_{verb}_bumps_version AFTER {verb.upper()}
              ON product_photos BEGIN UPDATE content_version SET n = n + 1; END"""
          for verb in ("insert", "update", "delete")),
    ]),
    (20, [
        # Who holds a key's private half: "platform" (made here, its PEM in the keys
        # folder) or "owner" (an agency registered its public key and signs itself).
        # A lost PEM must not read as a key its owner keeps. Keys from before say
        # NULL and are read, as then, from whether the PEM is in the folder.
        "ALTER TABLE keys ADD COLUMN held_by TEXT CHECK (held_by IN ('platform', 'owner'))",
    ]),
    (21, [
        # A batch opened by mistake (a wrong lot) and cancelled before any code was
        # issued: its lot stays taken (its creation is in the ledger), nothing can be
        # issued or tested for it, and buyers are not told of a recall. Appended once.
        """CREATE TABLE batch_cancellations (
            batch_id INTEGER PRIMARY KEY REFERENCES batches(id),
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        """CREATE TRIGGER batch_cancellations_no_update BEFORE UPDATE ON batch_cancellations
           BEGIN SELECT RAISE(ABORT, 'batch_cancellations is append-only'); END""",
        """CREATE TRIGGER batch_cancellations_no_delete BEFORE DELETE ON batch_cancellations
           BEGIN SELECT RAISE(ABORT, 'batch_cancellations is append-only'); END""",
        *(f"""CREATE TRIGGER batch_cancellations_{verb}_bumps_version AFTER {verb.upper()}
              ON batch_cancellations BEGIN UPDATE content_version SET n = n + 1; END"""
          for verb in ("insert", "update", "delete")),
    ]),
    (22, [
        # A password the operator made (a reset, or an account opened without one) is
        # known to the operator: its holder sets their own at the next sign-in.
        "ALTER TABLE users ADD COLUMN password_temporary INTEGER NOT NULL DEFAULT 0",
    ]),
    (23, [
        # A buyer's report the operator has followed up, with what was done: the
        # queue shows what is still open. Written once; the report itself is kept
        # as the buyer sent it.
        """CREATE TABLE report_handlings (
            report_id INTEGER PRIMARY KEY REFERENCES reports(id),
            note TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        *_append_only("report_handlings"),
    ]),
    (24, [
        # What the follow-up found: a fake or defect confirmed, or not a fake at all
        # (the item genuine, the buyer mistaken). A report found unfounded no longer
        # counts against the supplier in a room's 选品 check. Those from before: handled.
        "ALTER TABLE report_handlings ADD COLUMN outcome TEXT NOT NULL DEFAULT 'handled' "
        "CHECK (outcome IN ('confirmed', 'unfounded', 'handled'))",
    ]),
    (25, [
        # What a lab tests (its accreditation's scope, as it states it): a supplier
        # choosing whom to commission sees the labs for its goods first (a pearl lab
        # was one click from a duvet). NULL for labs from before: not stated.
        "ALTER TABLE agencies ADD COLUMN scope TEXT",
    ]),
    (26, [
        # A shelf life printed in months (保质期18个月) counts calendar months: as
        # 540 days its expiry fell days before the date the label implies, and a
        # buyer holding a good box could read 已过期. Set instead of the days.
        "ALTER TABLE products ADD COLUMN shelf_life_months INTEGER",
    ]),
    (27, [
        # A follow-up's finding set wrong (属实 for 不属实, which counts against the
        # supplier in rooms' 选品 checks) is corrected, never overwritten: the
        # latest correction stands, and the handling and each correction stay.
        """CREATE TABLE report_outcome_corrections (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES report_handlings(report_id),
            outcome TEXT NOT NULL CHECK (outcome IN ('confirmed', 'unfounded', 'handled')),
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX report_outcome_corrections_report ON report_outcome_corrections"
        "(report_id, id)",
        *_append_only("report_outcome_corrections"),
    ]),
    (28, [
        # The check page's form is sent once: a retry (a slow network, a reload of the
        # POST) carries the same form id and records nothing more. Two identical rows
        # stood in a room's 台账, which can never be edited.
        "ALTER TABLE selections ADD COLUMN form_id TEXT",
        "CREATE UNIQUE INDEX selections_form ON selections(room_id, form_id) "
        "WHERE form_id IS NOT NULL",
    ]),
    (29, [
        # The operator suspends an approved supplier found selling fakes under our codes,
        # or whose licence lapsed: no new codes, labels, products or batches; buyers and
        # rooms are told. The standing suspension is on the row (read with every
        # batch's facts); each suspension and reinstatement, with why, stays.
        "ALTER TABLE suppliers ADD COLUMN suspended_at TEXT",
        "ALTER TABLE suppliers ADD COLUMN suspended_reason TEXT",
        """CREATE TABLE supplier_standing (
            id INTEGER PRIMARY KEY,
            supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
            action TEXT NOT NULL CHECK (action IN ('suspend', 'reinstate')),
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX supplier_standing_supplier ON supplier_standing(supplier_id, id)",
        *_append_only("supplier_standing"),
    ]),
    (30, [
        # Each full audit of the ledger an operator ran from the web, with what it
        # covered and found: its page shows it, and the next operator sees when the
        # log last held and who looked.
        """CREATE TABLE ledger_audits (
            job_id INTEGER PRIMARY KEY REFERENCES jobs(id),
            size INTEGER NOT NULL,
            checkpoints INTEGER NOT NULL,
            problems TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        *_append_only("ledger_audits"),
    ]),
    (31, [
        # Batches whose records a buyer's page found changed around the ledger, noted
        # when their facts are read: the operator's home says what buyers are already
        # being warned of, without waiting for someone to run a full audit.
        """CREATE TABLE altered_sightings (
            batch_id INTEGER PRIMARY KEY REFERENCES batches(id),
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            problems TEXT NOT NULL
        )""",
    ]),
    (32, [
        # How buyers reach a supplier is what a scam would swap (a recall's callers
        # ringing a fake customer service): each change after approval is kept, with
        # before and after, and logged, so the registration leaf can be re-derived as
        # it was approved and any change made around the platform shows.
        """CREATE TABLE supplier_changes (
            id INTEGER PRIMARY KEY,
            supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
            changes TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX supplier_changes_supplier ON supplier_changes(supplier_id, id)",
        *_append_only("supplier_changes"),
    ]),
    (33, [
        # Whether a supplier may issue codes is read from its logged suspensions on
        # every workspace request (a suspension lifted around the platform must not
        # let it): found by kind, not by reading the whole log.
        "CREATE INDEX ledger_leaves_kind ON ledger_leaves(kind, idx)",
    ]),
    (34, [
        # An organisation's accounts add and stop each other's (colleagues) without
        # the operator: who did is kept, and a stop by the operator (NULL) is the
        # operator's alone to lift.
        "ALTER TABLE users ADD COLUMN added_by INTEGER REFERENCES users(id)",
        "ALTER TABLE users ADD COLUMN disabled_by INTEGER REFERENCES users(id)",
    ]),
    (35, [
        # Each label file a supplier downloaded (positions, stock, who, when): an
        # office printing in several sittings sees what it printed, and a range
        # printed twice (one code on two tins, 可疑 to buyers) shows.
        """CREATE TABLE label_downloads (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            first INTEGER NOT NULL,
            last INTEGER NOT NULL,
            stock TEXT NOT NULL,
            format TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX label_downloads_batch ON label_downloads(batch_id, id)",
    ]),
    (36, [
        # Which account stored each report version (a lab's engineers share one
        # signing key): a lab answers for who uploaded what. Earlier rows stay NULL.
        "ALTER TABLE inspection_reports ADD COLUMN uploaded_by TEXT",
    ]),
    (37, [
        # Why the operator turned a sign-up down: told to its accounts at sign-in,
        # which otherwise read only "disabled, or not approved: contact us".
        "ALTER TABLE suppliers ADD COLUMN rejected_reason TEXT",
        "ALTER TABLE agencies ADD COLUMN rejected_reason TEXT",
    ]),
    (38, [
        # A lab's report PDF between its form and its signing: the form shows the
        # report as buyers will read it first, and the PDF is not chosen twice.
        """CREATE TABLE pending_report_pdfs (
            agency_id INTEGER NOT NULL REFERENCES agencies(id),
            sha256 TEXT NOT NULL,
            name TEXT NOT NULL,
            data BLOB NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (agency_id, sha256)
        )""",
    ]),
    (39, [
        # ISO/IEC 17025 7.8.1: a lab's reports are released by its authorised
        # signatories (授权签字人). Accounts so far keep signing; an engineer a
        # colleague adds prepares reports that a signatory checks and signs.
        "ALTER TABLE users ADD COLUMN signs_reports INTEGER NOT NULL DEFAULT 1",
        """CREATE TABLE report_drafts (
            id INTEGER PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES agencies(id),
            report_no TEXT NOT NULL,
            fields TEXT NOT NULL,
            prepared_by TEXT NOT NULL,
            at TEXT NOT NULL,
            closed_at TEXT,
            closed_by TEXT,
            outcome TEXT,
            note TEXT
        )""",
        "CREATE INDEX report_drafts_open ON report_drafts(agency_id, closed_at)",
        "ALTER TABLE inspection_reports ADD COLUMN prepared_by TEXT",
    ]),
    (40, [
        # A room's one on-camera address for OBS, showing the batch it puts on air.
        """CREATE TABLE room_screens (
            room_id INTEGER PRIMARY KEY REFERENCES rooms(id),
            id TEXT NOT NULL UNIQUE,
            showing TEXT REFERENCES live_pages(id),
            changed_by TEXT,
            changed_at TEXT
        )""",
        # Every room has its address from the start (OBS is set up before a show):
        # random, so no room walks another's.
        """INSERT INTO room_screens (room_id, id)
           SELECT id, lower(hex(randomblob(9))) FROM rooms""",
        """CREATE TRIGGER rooms_screen AFTER INSERT ON rooms
        BEGIN
            INSERT INTO room_screens (room_id, id) VALUES (NEW.id, lower(hex(randomblob(9))));
        END""",
    ]),
    (41, [
        # A lab's phone, which a supplier who commissions it needs to arrange the sample
        # (the platform sends none): a trial's grower had a lab's name and nothing else.
        "ALTER TABLE agencies ADD COLUMN phone TEXT",
    ]),
    (42, [
        # What GB/T 5296.4 has a textile's label say beside its 规格 and 执行标准: what
        # it is made of and how to wash it (a trial's duvet squeezed both into 规格).
        "ALTER TABLE products ADD COLUMN fibre_content TEXT",
        "ALTER TABLE products ADD COLUMN care TEXT",
    ]),
    (43, [
        # What the operator asks of the supplier a buyer's report names (void that
        # code, check where the batch went): its note stayed private and nothing
        # reached the supplier (a trial's copied label).
        "ALTER TABLE report_handlings ADD COLUMN to_supplier TEXT",
    ]),
    (44, [
        # The details a buyer reading in English needs besides the name: a tourist's
        # English page kept the tea's 规格, 产地 and 贮存条件 in Chinese.
        "ALTER TABLE products ADD COLUMN specification_en TEXT",
        "ALTER TABLE products ADD COLUMN origin_en TEXT",
        "ALTER TABLE products ADD COLUMN storage_en TEXT",
        "ALTER TABLE products ADD COLUMN care_en TEXT",
    ]),
    (45, [
        # A textile's fibre content in English: the key fact of a bedding set, still in
        # Chinese on an English page (a trial's buyer).
        "ALTER TABLE products ADD COLUMN fibre_content_en TEXT",
    ]),
    (46, [
        # A product's category in English: 茶叶 was the one word left in Chinese on an
        # English page that gives everything else in English.
        "ALTER TABLE products ADD COLUMN category_en TEXT",
    ]),
]
