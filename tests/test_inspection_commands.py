"""The inspection commands: commission, offline signing on the lab's machine,
import (all or nothing, errors naming file and field) and verify."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trace import agencies, keys

from conftest import GTIN, LOT
from test_inspections_store import PDF, pearl_report


def lab_with_own_key(db, tmp_path):
    """An agency that keeps its private key itself: only the public half is registered."""
    agency, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234")
    agencies.approve_agency(db, agency.id, str(tmp_path / "server-keys"))  # a server key too
    private = Ed25519PrivateKey.generate()
    pem = tmp_path / "lab.pem"
    pem.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public = private.public_key().public_bytes(serialization.Encoding.Raw,
                                               serialization.PublicFormat.Raw)
    kid = keys.derive_kid(public)
    db.execute("INSERT INTO keys (kid, role, status, public_key, created_at, not_before) "
               "VALUES (?, ?, 'active', ?, '2026-11-01T00:00:00+00:00', "
               "'2026-11-01T00:00:00+00:00')",
               [kid, agency.key_role, keys.encode_signature(public)])
    return agencies.get_agency(db, agency.id), pem, kid


def test_sign_offline_then_import_against_the_registered_key(run_cli, db, make_batch,
                                                             tmp_path):
    make_batch()
    agency, pem, kid = lab_with_own_key(db, tmp_path)
    report = tmp_path / "report.json"
    report.write_text(json.dumps(pearl_report(agency), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "signed.json"
    signed = run_cli("inspection", "sign", str(report), "--key", str(pem), "--agency",
                     str(agency.id), "--out", str(out))
    assert signed.exit_code == 0 and f"with key {kid}" in signed.output
    (tmp_path / "r.pdf").write_bytes(PDF)
    refused = run_cli("inspection", "import", str(out), "--agency", str(agency.id),
                      "--pdf", str(tmp_path / "r.pdf"))
    assert refused.exit_code == 1 and "commissioned" in refused.output
    assert run_cli("batch", "commission", "--gtin", GTIN, "--lot", LOT, "--agency",
                   str(agency.id)).exit_code == 0
    stored = run_cli("inspection", "import", str(out), "--agency", str(agency.id),
                     "--pdf", str(tmp_path / "r.pdf"))
    assert stored.exit_code == 0 and "Stored report ZJPQ-2026-0815 version 1" in stored.output
    verified = run_cli("inspection", "verify", "--gtin", GTIN, "--lot", LOT)
    assert verified.exit_code == 0 and "current  ok" in verified.output


def test_a_list_is_imported_all_or_nothing_and_errors_name_file_and_field(
        run_cli, app, db, make_batch, tmp_path):
    make_batch()
    agency, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234",
                                    keys_dir=app.config["KEYS_DIR"])
    run_cli("batch", "commission", "--gtin", GTIN, "--lot", LOT, "--agency", str(agency.id))
    good = pearl_report(agency, pdf_sha256="")
    bad = pearl_report(agency, report_no="ZJPQ-2", pdf_sha256="")
    del bad["items"][1]["verdict"]
    path = tmp_path / "many.json"
    path.write_text(json.dumps([good, bad], ensure_ascii=False), encoding="utf-8")
    result = run_cli("inspection", "import", str(path), "--agency", str(agency.id))
    assert result.exit_code == 1
    assert f"{path}[1]: report field items[1].verdict: is missing" in result.output
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0
    path.write_text("[{", encoding="utf-8")
    broken = run_cli("inspection", "import", str(path), "--agency", str(agency.id))
    assert broken.exit_code == 1 and "not valid JSON (line 1" in broken.output


def test_verify_names_a_tampered_report_and_exits_1(run_cli, app, db, make_batch, tmp_path):
    make_batch()
    agency, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234",
                                    keys_dir=app.config["KEYS_DIR"])
    run_cli("batch", "commission", "--gtin", GTIN, "--lot", LOT, "--agency", str(agency.id))
    path = tmp_path / "r.json"
    path.write_text(json.dumps(pearl_report(agency, pdf_sha256=""), ensure_ascii=False),
                    encoding="utf-8")
    assert run_cli("inspection", "import", str(path), "--agency", str(agency.id)).exit_code == 0
    db.execute("DROP TRIGGER inspection_reports_no_update")
    db.execute("UPDATE inspection_reports SET record = replace(record, '0.42', '0.62')")
    result = run_cli("inspection", "verify", "--gtin", GTIN, "--lot", LOT)
    assert result.exit_code == 1 and "ZJPQ-2026-0815 v1" in result.output
    assert "SIGNATURE FAILS" in result.output
