"""What a page shows of a lab report's results and limits."""

from trace.inspections import display


def test_a_result_shows_its_unit_only_beside_a_number():
    assert [display.shown_result({"result": r, "unit": "mg/kg"}) for r in
            ("0.62", "<0.01", "未检出", "强 B")] == ["0.62 mg/kg", "<0.01 mg/kg", "未检出", "强 B"]
    assert [display.shown_result({"result": r, "unit": u}) for r, u in
            (("0,05", "mg/kg"), ("5×10²", "CFU/g"), ("-10", "℃"), ("45±0.5", "cm"),
             ("4-5", "级"), ("0.5mg/kg", "mg/kg"))] == \
        ["0,05 mg/kg", "5×10² CFU/g", "-10 ℃", "45±0.5 cm", "4-5 级", "0.5mg/kg"]


def test_not_detected_reads_as_the_one_word_buyers_know_with_the_figure_it_was_under():
    """A sheet's ND reached buyers as "ND"; 未检出(<0.01) lost its unit."""
    shown = [display.shown_result({"result": r, "unit": "mg/kg"}) for r in
             ("ND", "N.D.", "<LOQ", "未检出(<0.01)", "ND(LOD 0.005)", "未检出（≤0.02mg/kg）")]
    assert shown == ["未检出", "未检出", "未检出", "未检出（<0.01 mg/kg）", "未检出（<0.005 mg/kg）",
                     "未检出（≤0.02 mg/kg）"]
    assert display.shown_result({"result": "未检出(<0.01)"}) == "未检出（<0.01）"


def test_a_limit_shows_the_unit_it_does_not_write_itself():
    """Beside 未检出 the limit is the only place the unit can be read."""
    shown = [display.shown_limit({"limit": limit, "unit": "mg/kg"}) for limit in
             ("≤0.1", "≤100 μg/kg", "不得检出", "0.1–0.5", "GB 2762", "", "45±1")]
    assert shown == ["≤0.1 mg/kg", "≤100 μg/kg", "不得检出", "0.1–0.5 mg/kg", "GB 2762", "—",
                     "45±1 mg/kg"]
    assert display.shown_limit({"limit": "≤0.1"}) == "≤0.1"


def test_a_bound_typed_in_ascii_is_shown_as_its_sign():
    """A sheet pasted from Excel gave buyers <=5 mg/kg beside ≤1 mg/kg."""
    shown = [display.shown_limit({"limit": limit, "unit": "mg/kg"}) for limit in
             ("<=5", "=< 5", ">=3", "≦0.5", "<5", "不大于 5")]
    assert shown == ["≤5 mg/kg", "≤5 mg/kg", "≥3 mg/kg", "≤0.5 mg/kg", "<5 mg/kg",
                     "不大于 5 mg/kg"]


def test_a_nominal_limit_gets_its_unit():
    assert display.shown_limit({"limit": "标称 8–9", "unit": "mm"}) == "标称 8–9 mm"
    assert display.shown_limit({"limit": "标称 45", "unit": "cm"}) == "标称 45 cm"
    assert display.shown_limit({"limit": "标称 8–9 mm", "unit": "mm"}) == "标称 8–9 mm"


def test_a_correction_says_what_it_changed_item_by_item():
    before = {"items": [{"name": "镉", "result": "0.05", "unit": "mg/kg", "limit": "≤0.1",
                         "verdict": "合格"},
                        {"name": "光泽", "result": "A", "verdict": "—"},
                        {"name": "铅", "result": "未检出", "verdict": "合格"}]}
    after = {"items": [{"name": "镉", "result": "0.06", "unit": "mg/kg", "limit": "≤0.1",
                        "verdict": "合格"},
                       {"name": "光泽", "result": "A", "verdict": "—"},
                       {"name": "珠层厚度", "result": "0.42", "unit": "mm", "verdict": "合格"}]}
    assert display.version_changes(before, after) == [
        {"name": "镉", "before": {"result": "0.05 mg/kg", "limit": "≤0.1 mg/kg", "verdict": "合格"},
         "after": {"result": "0.06 mg/kg", "limit": "≤0.1 mg/kg", "verdict": "合格"}},
        {"name": "铅", "before": {"result": "未检出", "limit": "", "verdict": "合格"}, "after": None},
        {"name": "珠层厚度", "before": None,
         "after": {"result": "0.42 mm", "limit": "", "verdict": "合格"}}]
    assert display.version_changes(before, before) == []


def test_a_correction_that_kept_the_document_says_so():
    def entry(version: str, supersedes: str, pdf: str) -> dict:
        return {"signature_ok": True, "withdrawn": False, "current": bool(supersedes),
                "report": {"report_no": "R-1", "version": version, "supersedes": supersedes,
                           "issued_on": "2026-11-20", "pdf_sha256": pdf, "items": []}}
    kept = display.for_display([entry("2", "1", "a" * 64), entry("1", "", "a" * 64)], 365)
    renewed = display.for_display([entry("2", "1", "b" * 64), entry("1", "", "a" * 64)], 365)
    assert [e["pdf_kept"] for e in kept] == [True, False]
    assert [e["pdf_kept"] for e in renewed] == [False, False]
