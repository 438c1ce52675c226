"""Schema migrations, applied in order by :func:`trace.db.migrate`.

Append a new ``(version, [statements])`` entry; never edit one that has shipped.
"""

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
]
