"""The tamper-evident ledger (DESIGN §10): leaves written with each event (leaves),
the Merkle log in SQLite (log), signed checkpoints (checkpoints), proof bundles
(bundle) and the full re-derivation behind ``ledger verify`` (audit). The RFC 6962
arithmetic itself is the pure ``trace.ledger``."""
