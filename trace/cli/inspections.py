"""``inspection``: signed lab results. ``sign`` runs on the lab's own machine with no
database; ``import`` stores reports (all of a file or none); ``verify`` re-checks::

    python -m trace inspection sign report.json --key lab.pem --agency 1 --out signed.json
    python -m trace inspection import signed.json --agency 1 --pdf report.pdf
    python -m trace inspection verify --gtin 09521234000013 --lot ZJ-2611-A
    python -m trace inspection withdraw --agency 1 --report-no ZJSP-0417 --reason "..."
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import click
from flask.cli import AppGroup

from .. import agencies, catalog, keys
from ..errors import InvalidInput, TraceError
from ..inspections import report as reports
from ..inspections import signing, store, tables
from .common import database, keys_args


@click.group(cls=AppGroup, name="inspection")
def inspection_group():
    """Inspection reports signed by testing agencies.

    \b
    Example:
      python -m trace inspection import report.json --agency 1 --pdf report.pdf
    """


def _read_json(path: str):
    """The JSON in ``path``: UTF-8 (with or without the BOM Windows writes), UTF-16
    or UTF-32, as json detects from the bytes."""
    try:
        return json.loads(Path(path).read_bytes())
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not JSON text (is it the PDF? The report's JSON goes "
                           "here, its PDF with --pdf)") from None
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{path}: not valid JSON (line {error.lineno}, column "
                           f"{error.colno}: {error.msg})") from None


def _entries(data) -> list:
    return data if isinstance(data, list) else [data]


def _read_entries(db, path: str, agency: str) -> list:
    """The reports in FILE.json (one, a list, or signed envelopes) or FILE.csv or
    FILE.xlsx (one row per tested item)."""
    if path.lower().endswith((".csv", ".tsv", ".txt", ".xlsx")):  # .txt: 'Unicode text'
        text = tables.sheet_text(Path(path).read_bytes(), path)
        return tables.records_from_csv(text, agencies.find_agency(db, agency), path)
    return _entries(_read_json(path))


@inspection_group.command("sign")
@click.argument("report", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "pem", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The agency's private key (PEM); TRACE_KEY_PASSPHRASE opens an encrypted one.")
@click.option("--agency", required=True, help="The agency's id on the platform.")
@click.option("--pdf", type=click.Path(exists=True, dir_okay=False),
              help="The report's PDF: its SHA-256 goes into pdf_sha256 before signing.")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def inspection_sign(report: str, pem: str, agency: str, pdf: str | None, out: str):
    """Sign a report (or a JSON list of them) offline with the agency's own key; no
    database is needed, so it runs on the lab's machine.

    \b
    Example:
      python -m trace inspection sign report.json --key lab.pem --agency 1 \\
          --pdf report.pdf --out signed.json
    """
    private = keys.load_pem_file(Path(pem), os.environ.get("TRACE_KEY_PASSPHRASE"))
    kid = keys.kid_of(private)
    signed = []
    entries = _entries(_read_json(report))
    if pdf and len(entries) != 1:
        raise InvalidInput(f"--pdf goes with a file of one report; {report} has {len(entries)}")
    for index, record in enumerate(entries):
        if pdf and isinstance(record, dict):
            record["pdf_sha256"] = hashlib.sha256(Path(pdf).read_bytes()).hexdigest()
        try:
            record = reports.check_record(record)
        except TraceError as error:
            raise InvalidInput(f"{report}[{index}]: {error.message}") from None
        if record["agency"]["id"] != agency:
            raise InvalidInput(f"{report}[{index}]: agency.id is {record['agency']['id']!r}, "
                               f"not --agency {agency}")
        signed.append({"report": record, "kid": kid,
                       "sig": reports.sign_record(private, kid, record)})
    Path(out).write_text(json.dumps(signed if len(signed) > 1 else signed[0],
                                    ensure_ascii=False, indent=2), encoding="utf-8")
    click.echo(f"Signed {len(signed)} report(s) with key {kid}; wrote {out}")


@inspection_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--agency", required=True, help="The agency's id (its reports only).")
@click.option("--pdf", type=click.Path(exists=True, dir_okay=False),
              help="The report's PDF (one report per import).")
@click.option("--pdf-dir", type=click.Path(exists=True, file_okay=False),
              help="A folder of PDFs, each named after its report number "
                   "(ZJSP-2026-0417.pdf), for a file of many reports.")
@click.option("--by", default=lambda: f"cli:{os.environ.get('USER', 'agency')}",
              show_default="cli:$USER", help="Who uploaded it, for the lab's record.")
def inspection_import(path: str, agency: str, pdf: str | None, pdf_dir: str | None, by: str):
    """Store reports from FILE.json, FILE.csv or FILE.xlsx: signed ones ({"report",
    "kid", "sig"}, from 'inspection sign') are checked against the agency's
    registered key; unsigned ones are signed with its server-held key. All of the
    file or nothing.

    A sheet has one row per tested item, the report's header repeated on each row:
    report_no, version, supersedes, type, gtin, lot, issued_on, conclusion, item,
    result, unit, limit, method, verdict.

    \b
    Example:
      python -m trace inspection import signed.json --agency 1 --pdf report.pdf
      python -m trace inspection import results.csv --agency 2 --pdf-dir pdfs/
    """
    db = database()
    agency = str(agencies.find_agency(db, agency).id)  # an id or a CMA number
    entries = _read_entries(db, path, agency)
    if pdf and pdf_dir:
        raise InvalidInput("give --pdf (one report) or --pdf-dir (many), not both")
    if pdf and len(entries) != 1:
        raise InvalidInput(f"--pdf goes with a file of one report; {path} has "
                           f"{len(entries)} (name each PDF after its report number and "
                           "give their folder with --pdf-dir)")
    pdfs = _pdfs_by_report(pdf_dir) if pdf_dir else {}
    keys_dir, passphrase = keys_args()
    stored, without = [], []
    with db.atomic():
        for index, entry in enumerate(entries):
            where = f"{path}[{index}]" if len(entries) > 1 else path
            pdf_bytes = Path(pdf).read_bytes() if pdf else _pdf_of(entry, pdfs)
            try:
                record, kid, sig = _signed(db, entry, agency, keys_dir, passphrase, pdf_bytes)
                if pdf_dir and not record["pdf_sha256"]:  # a file forgotten, or misnamed
                    raise InvalidInput(f"no PDF for report {record['report_no']} in {pdf_dir} "
                                       f"(name it {record['report_no']}.pdf)")
                stored.append(store.store_report(db, record, kid, sig, pdf=pdf_bytes, by=by))
                if not record["pdf_sha256"]:
                    without.append(record["report_no"])
            except TraceError as error:
                raise type(error)(f"{where}: {error.message} (nothing was stored)",
                                  message_zh=error.message_zh) from None
    for report in stored:  # said once all of the file is in: a later refusal stores none
        click.echo(f"Stored report {report.report_no} version {report.version} "
                   f"(key {report.kid})")
    if without:  # the signature is made: a PDF cannot be added to these records later
        click.echo(f"Warning: no PDF for {', '.join(without)}. Buyers are told the report "
                   "was stored without its PDF and to ask the lab for it; to give them "
                   "one, import a corrected version with --pdf or --pdf-dir.", err=True)


def _pdfs_by_report(folder: str) -> dict[str, Path]:
    """The PDFs in ``folder`` by the report number their names give, written as the
    platform compares numbers (case, width and dashes aside)."""
    return {store.report_key(path.stem): path for path in Path(folder).iterdir()
            if path.suffix.lower() == ".pdf" and path.is_file()}


def _pdf_of(entry, pdfs: dict[str, Path]) -> bytes | None:
    report = entry.get("report", entry) if isinstance(entry, dict) else None
    number = report.get("report_no") if isinstance(report, dict) else None
    path = pdfs.get(store.report_key(number)) if isinstance(number, str) else None
    return path.read_bytes() if path else None


def _signed(db, entry, agency: str, keys_dir: str, passphrase: str | None,
            pdf: bytes | None):
    if isinstance(entry, dict) and set(entry) == {"report", "kid", "sig"}:
        record = entry["report"]
        if not isinstance(record, dict) or record.get("agency", {}).get("id") != agency:
            raise InvalidInput(f"the report is not agency {agency}'s (--agency)")
        return record, entry["kid"], entry["sig"]
    if not isinstance(entry, dict) or entry.get("agency", {}).get("id", agency) != agency:
        raise InvalidInput(f"the report's agency.id is not {agency} (--agency)")
    kept = "" if pdf else store.previous_pdf(db, int(agency), entry.get("report_no"),
                                             entry.get("supersedes"))
    record = signing.complete_unsigned(entry, agencies.get_agency(db, int(agency)), pdf, kept)
    kid, sig = signing.sign_with_agency_key(db, keys_dir, int(agency), record, passphrase)
    return record, kid, sig


@inspection_group.command("withdraw")
@click.option("--agency", required=True, help="The agency's id on the platform.")
@click.option("--report-no", required=True, help="The report to withdraw (its current version).")
@click.option("--reason", required=True,
              help="Why, shown to buyers and streamers beside the report.")
@click.option("--by", default=lambda: f"cli:{os.environ.get('USER', 'agency')}",
              show_default="cli:$USER", help="Who uploaded it, for the lab's record.")
def inspection_withdraw(agency: str, report_no: str, reason: str, by: str):
    """Withdraw a report signed in error: a new version, signed with the agency's
    server-held key, that holds the reason and no findings. Earlier versions stay.

    \b
    Example:
      python -m trace inspection withdraw --agency 1 --report-no ZJSP-2026-0417 \\
          --reason "样品并非取自本批次"
    """
    db = database()
    found = agencies.find_agency(db, agency)
    record = store.withdrawal(db, found.id, report_no, reason)
    keys_dir, passphrase = keys_args()
    kid, sig = signing.sign_with_agency_key(db, keys_dir, found.id, record, passphrase)
    store.store_report(db, record, kid, sig, by=by)
    click.echo(f"Withdrew report {record['report_no']}: version {record['version']} "
               f"(signed with {kid}) supersedes version {record['supersedes']}.")


@inspection_group.command("verify")
@click.option("--gtin", required=True)
@click.option("--lot", required=True)
def inspection_verify(gtin: str, lot: str):
    """Re-check every stored report of a batch (signature, key, PDF); exit 1 naming any
    that fail.

    \b
    Example:
      python -m trace inspection verify --gtin 09521234000013 --lot ZJ-2611-A
    """
    db = database()
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    served = store.served_reports(db, batch.id)
    bad = [shown for shown in served if not shown["signature_ok"]]
    for shown in served:
        state = "ok" if shown["signature_ok"] else (
            "KEY NOT VALID WHEN STORED" if shown["problem"] == "key" else "SIGNATURE FAILS")
        agency = _agency_named(shown)
        click.echo(f"{_name(shown)}  {agency}  "
                   f"{_standing(shown)}  {state}")
    if not served:
        click.echo(f"No reports for batch {batch.lot}.")
    if bad:
        names = ", ".join(_name(shown) for shown in bad)
        raise click.ClickException(f"{len(bad)} report(s) fail their signature: {names}")


def _standing(shown: dict) -> str:
    if not shown["current"]:
        return "superseded"
    withdrawn = shown["signature_ok"] and reports.is_withdrawn(shown["report"])
    return "withdrawn" if withdrawn else "current"


def _agency_named(shown: dict) -> str:
    """The agency's name; for a report that fails, what it claims, marked unproven."""
    report = shown["report"]
    named = report.get("agency", {}).get("name") if isinstance(report, dict) else None
    if not isinstance(named, str):
        return "(agency unreadable)"
    return named if shown["signature_ok"] else f"(claims to be {named}, unproven)"


def _name(shown: dict) -> str:
    """'REPORT_NO vVERSION', or what can be said of a record too damaged to read."""
    report = shown["report"]
    if isinstance(report, dict) and isinstance(report.get("report_no"), str):
        return f"{report['report_no']} v{report.get('version', '?')}"
    return f"an unreadable record signed with key {shown['kid']}"


COMMANDS = [inspection_group]
