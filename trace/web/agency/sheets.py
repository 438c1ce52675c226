"""The report form filled in from the lab's own sheet::

    POST  /agency/reports/from-sheet   .xlsx or CSV, one report; nothing is signed here
"""

from __future__ import annotations

from flask import g, request

from ... import catalog
from ...errors import InvalidInput, NotFound, Problems, TraceError, each_problem
from ...inspections import report as reports
from ...inspections import lines, lists, signing, tables
from .. import each_told, fields_at_fault, get_db
from ..i18n import t
from . import _chosen_pdf, _form, _typed, bp


@bp.post("/reports/from-sheet")
def from_sheet():
    """The report form filled in from the lab's own sheet (.xlsx or CSV, one report),
    to check, attach the PDF to and sign: nothing is signed or stored here."""
    db = get_db()
    batches = lists.batches_for(db, g.agency.id)
    upload = request.files.get("sheet")
    held: dict = {}
    try:
        _chosen_pdf(db, held)  # a PDF chosen before the sheet stays chosen
        if not (upload and upload.filename):
            raise InvalidInput("choose the sheet to fill the form from",
                               message_zh="请选择要填入的表格文件（Excel 或 CSV）")
        name = upload.filename
        records = tables.records_from_csv(tables.sheet_text(upload.read(), name), g.agency,
                                          name, _typed_header(batches))
        form, problem = _filled_from(records, batches, name)
        form |= held
    except TraceError as error:  # what the clerk chose and typed stays
        return _form(batches, _typed() | held, each_told(error), error.status)
    notice = t("agency.filled").format(name=name)
    typed = _typed_header(batches)
    replaced = [key for key in ("report_no", "type", "issued_on", "conclusion")
                if typed[key] and typed[key] != form[key]]
    if replaced:  # the sheet's own value stands, and the clerk is told what changed
        notice += t("agency.filled_replaced").format(fields=("、" if g.lang != "en" else ", ").join(
            t(f"agency.field.{key}") for key in replaced))
    if form["batch"] and request.form.get("batch") not in (None, "", form["batch"]):
        # the sheet names another batch than the one chosen: never switched silently
        chosen = next(b for b in batches if str(b["id"]) == form["batch"])
        notice += t("agency.filled_other_batch").format(lot=chosen["lot"])
    if problem and (empty := _left_empty(problem, form)):  # to type now, not an error
        return _form(batches, form, notice=notice, bad=set(empty), left=_to_fill(empty))
    if problem:  # in the form to put right there, not a file to upload again
        return _form(batches, form, each_told(problem), problem.status, notice=notice,
                     bad=fields_at_fault(problem))
    return _form(batches, form, notice=notice)


# What a sheet of the tested items alone leaves for the form: the report's own lines.
_HEADER_FIELDS = ("batch", "report_no", "type", "issued_on", "conclusion")


def _left_empty(problem: InvalidInput, form: dict) -> list[str]:
    """The form's fields the sheet left empty, in the form's order, when they are all
    that signing would refuse (nothing at all otherwise: a real fault is said as one)."""
    fields = {p.field for p in each_problem(problem)}
    if not fields <= {key for key in _HEADER_FIELDS if not form.get(key)}:
        return []
    return [key for key in _HEADER_FIELDS if key in fields]


def _to_fill(empty: list[str]) -> str:
    """What the clerk is to choose and type, in the page's language."""
    said = [t("agency.left_batch")] if "batch" in empty else []
    if typed := [t(f"agency.field.{key}") for key in empty if key != "batch"]:
        said.append(t("agency.filled_left").format(
            fields=("、" if g.lang != "en" else ", ").join(typed)))
    return ("" if g.lang != "en" else " ").join(said)


def _typed_header(batches: list[dict]) -> dict:
    """What the form holds of the report itself (the batch chosen, the number, type,
    date and conclusion typed), so a sheet of the tested items alone fills the rest."""
    form = request.form
    chosen = next((b for b in batches if str(b["id"]) == form.get("batch")), None)
    return {"gtin": chosen["gtin"] if chosen else "", "lot": chosen["lot"] if chosen else "",
            **{key: (form.get(key) or "").strip()
               for key in ("report_no", "type", "issued_on", "conclusion")}}


def _filled_from(records: list[dict], batches: list[dict],
                 name: str) -> tuple[dict, InvalidInput | None]:
    """The form as the sheet fills it, and what signing would refuse in it (a verdict
    of NG, a failed item under a passing conclusion), said now, before the clerk has
    chosen the PDF, beside the items read rather than instead of them."""
    if len(records) != 1:
        raise InvalidInput(f"{name} holds {len(records)} reports; the form signs one at a "
                           "time (one report a file, or the command line's inspection "
                           "import for many)",
                           message_zh=f"{name} 里有 {len(records)} 份报告；网页一次签发一份，"
                                      "请每份报告单独存一个文件")
    record = signing.complete_unsigned(records[0], g.agency, None)
    try:
        reports.check_record(record)
        problem = None
    except InvalidInput as refused:
        problem = refused
    gtin, lot = record["batch"]["gtin"], record["batch"]["lot"]
    chosen = next((b for b in batches if (b["gtin"], b["lot"]) == (gtin, lot)), None)
    if not (gtin and lot):  # neither the form nor the sheet names it: chosen in the form
        unnamed = InvalidInput(
            "choose the batch in the form: the sheet does not name it by both its 商品条码 "
            "and its 批次号", message_zh="请在表单里选择批次（表格里没有同时写明商品条码和批次号）",
            field="batch")
        rest = [p for p in (each_problem(problem) if problem else [])
                if not p.field.startswith("batch")]  # said once, in the form's words
        problem = Problems([unnamed, *rest]) if rest else unnamed
    elif chosen is None:
        try:
            catalog.get_batch(get_db(), gtin, lot)
        except NotFound:
            raise InvalidInput(f"{name}: no batch {lot} of GTIN {gtin} is registered",
                               message_zh=f"{name}：没有登记批次 {lot}（商品条码 {gtin}），"
                                          "请核对表格里的商品条码和批次号") from None
        raise InvalidInput(f"{name}: batch {lot} of GTIN {gtin} is not one your agency was "
                           "commissioned or assigned for",
                           message_zh=f"{name}：批次 {lot}（商品条码 {gtin}）不是委托或指派"
                                      "贵机构检测的批次")
    return {"batch": str(chosen["id"]) if chosen else "", "report_no": record["report_no"],
            "supersedes": record["supersedes"], "type": record["type"],
            "issued_on": record["issued_on"], "conclusion": record["conclusion"],
            "items": lines.item_lines(record["items"]),
            "reason": record.get("reason", "")}, problem
