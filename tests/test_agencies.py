"""Testing agencies: CMA and CNAS numbers, approval, and a signing key of their own."""

from __future__ import annotations

import pytest

from trace import agencies, keys
from trace.errors import Conflict, InvalidInput, NotFound

LAB = dict(name="浙江省珍珠及制品质量检验中心", cma="231012341234", cnas="CNAS L1234")


def test_an_agency_the_operator_adds_is_approved_with_its_own_key(app, db):
    agency, key = agencies.add_agency(db, **LAB, keys_dir=app.config["KEYS_DIR"])
    assert agency.approved and agency.cnas_no == "L1234"
    assert key is not None and key.role == f"agency:{agency.id}"
    assert keys.active_key(db, agency.key_role).kid == key.kid
    assert agencies.find_agency(db, "231012341234") == agency == agencies.find_agency(db, "1")


def test_a_signed_up_agency_waits_and_gets_its_key_on_approval(app, db):
    agency, key = agencies.add_agency(db, **LAB)
    assert not agency.approved and key is None and keys.active_key(db, agency.key_role) is None
    approved, key = agencies.approve_agency(db, agency.id, app.config["KEYS_DIR"])
    assert approved.approved and key is not None
    again, second = agencies.approve_agency(db, agency.id, app.config["KEYS_DIR"])
    assert second is None and again.approved_at == approved.approved_at


@pytest.mark.parametrize("fields, error, message", [
    ({"cma": "23101234123"}, InvalidInput, "12 digits"),
    ({"cma": "23101234123X"}, InvalidInput, "12 digits"),
    ({"cnas": "1234"}, InvalidInput, "L followed by"),
    ({"name": "  "}, InvalidInput, "must not be empty"),
])
def test_bad_agencies_are_refused(db, fields, error, message):
    with pytest.raises(error, match=message):
        agencies.add_agency(db, **{**LAB, **fields})
    assert agencies.list_agencies(db) == []


def test_one_agency_per_cma_number(db):
    agencies.add_agency(db, **LAB)
    with pytest.raises(Conflict, match="already exists"):
        agencies.add_agency(db, **{**LAB, "name": "另一家"})


@pytest.mark.parametrize("key", ["999", "999999999999", "abc"])
def test_an_unknown_agency_is_not_found(db, key):
    with pytest.raises(NotFound):
        agencies.find_agency(db, key)


def test_agency_commands(run_cli, db):
    out = run_cli("agency", "add", "--name", LAB["name"], "--cma", LAB["cma"], "--cnas", "L1234")
    assert out.exit_code == 0 and out.output.startswith(f"Agency 1: {LAB['name']}\n")
    assert "Signing key" in out.output and "agency:1" in out.output
    listing = run_cli("agency", "list").output
    assert "231012341234" in listing and "L1234" in listing
    bad = run_cli("agency", "add", "--name", "x", "--cma", "12")
    assert bad.exit_code == 1 and "12 digits" in bad.output
    stated = run_cli("agency", "scope", LAB["cma"], "珍珠、珍珠饰品")
    assert stated.output == f"Agency 1 ({LAB['name']}) tests: 珍珠、珍珠饰品\n"
    assert "      tests: 珍珠、珍珠饰品" in run_cli("agency", "list").output
    second = run_cli("agency", "add", "--name", "浙江省食品检验院", "--cma", "231012345678",
                     "--scope", "食品、茶叶")
    assert second.exit_code == 0
    assert agencies.find_agency(db, "231012345678").scope == "食品、茶叶"


def test_a_cma_number_typed_full_width_is_read_and_other_digits_are_refused():
    assert agencies.normalise_cma("２３１０ １２３４ ０２２２") == "231012340222"
    for typed in ("٢٣١٠١٢٣٤٠٢٢٢", "23101234022²"):
        with pytest.raises(InvalidInput, match="12 digits"):
            agencies.normalise_cma(typed)


def test_a_supplier_sees_the_labs_whose_scope_fits_its_goods_first(db, app, make_batch):
    """A pearl lab was one click from a duvet: nothing said what each lab tests."""
    from trace import catalog
    pearls, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234",
                                    scope="珍珠、珍珠饰品")
    food, _ = agencies.add_agency(db, "浙江省食品检验院", "231012345678",
                                  scope="食品，茶叶 / 水果")
    unstated, _ = agencies.add_agency(db, "某检测公司", "231012340001")
    make_batch()
    necklace = catalog.get_product(db, "09521234000013")  # 诸暨淡水珍珠项链
    labs = [pearls, food, unstated]
    assert agencies.fit_for(labs, necklace) == ([pearls], [food, unstated])
    tea = catalog.described_product(1, "09521234000020", "狮峰龙井", category="绿茶",
                                    shelf_life_days=540)
    assert agencies.fit_for(labs, tea) == ([food], [pearls, unstated])  # 食品 takes tea
    huyou = catalog.described_product(1, "09521234000037", "常山胡柚", category="新鲜水果",
                                      shelf_life_days=30)
    assert agencies.fit_for(labs, huyou)[0] == [food]
    assert agencies.set_scope(db, unstated.id, " 纺织品 ").scope == "纺织品"
    # A home-textile lab for a 四件套 whose name never says 家纺 (a trial met pearls first).
    textiles, _ = agencies.add_agency(db, "浙江省纺织品检测中心", "231012340002",
                                      scope="纺织品、家纺")
    bedding = catalog.described_product(1, "06927845130621", "全棉60支长绒棉贡缎四件套",
                                        category="床上用品", fibre_content="100%棉")
    assert agencies.fit_for([pearls, textiles], bedding) == ([textiles], [pearls])
    with pytest.raises(InvalidInput) as too_long:
        agencies.set_scope(db, unstated.id, "x" * 201)
    assert too_long.value.message_zh == "检测范围不能超过 200 个字"
