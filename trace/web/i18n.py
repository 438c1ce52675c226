"""Interface strings, Chinese first, English on ``?lang=en``.

Templates call ``t("verdict.genuine")``; data (product names) is shown as stored::

    translate("field.lot", "en")   # 'Lot'
"""

STRINGS: dict[str, tuple[str, str]] = {
    "site.title": ("一物一码 · 扫码验真", "One item, one code · Verify"),
    "site.official": ("官方验证平台", "Official verification site"),
    "site.check_domain": ("请核对地址栏域名是否为", "Check that the address bar shows"),
    "site.lookalike": ("域名不同的“验证网站”可能是仿冒的，请勿轻信。",
                       "A look-alike verification site with another domain may be fake."),
    "site.times": ("时间均为北京时间（UTC+8）。", "Times are Beijing time (UTC+8)."),
    "site.switch": ("English", "中文"),
    "verdict.genuine": ("正品 · 验证通过", "Genuine"),
    "verdict.suspicious": ("可疑 · 谨防假冒", "Suspicious: beware of copies"),
    "verdict.recalled": ("已召回 · 请勿使用", "Recalled: do not use"),
    "verdict.void": ("已作废", "Voided"),
    "verdict.forged": ("伪造码 · 谨防假冒", "Forged code: beware of fakes"),
    "verdict.invalid": ("无法识别的码", "Not a Trace code"),
    "advice.bad": ("请勿购买或使用，可向平台或 12315 举报。",
                   "Do not buy or use it; you can report it to the seller's platform or 12315."),
    "section.product": ("商品信息", "Product"),
    "section.supplier": ("供货商", "Supplier"),
    "section.batch": ("批次与追溯码", "Batch and code"),
    "section.lab": ("检测报告", "Lab results"),
    "lab.none": ("本批次暂无检测机构上传的检测报告。",
                 "No accredited lab has attached results to this batch yet."),
    "field.name": ("产品名称", "Product name"),
    "field.specification": ("规格", "Specification"),
    "field.category": ("类别", "Category"),
    "field.origin": ("产地", "Origin"),
    "field.standard": ("执行标准", "Standard"),
    "field.gtin": ("商品条码 GTIN", "GTIN"),
    "field.supplier": ("企业名称", "Company"),
    "field.credit_code": ("统一社会信用代码", "Unified social credit code"),
    "field.lot": ("批次号", "Lot"),
    "field.produced_on": ("生产日期", "Production date"),
    "field.serial": ("追溯码", "Serial"),
    "field.issued_at": ("发码时间", "Issued at"),
    "field.kid": ("签名密钥", "Signing key"),
    "field.verified_at": ("本次查询时间", "Checked at"),
    "field.issued": ("已发码数量", "Codes issued"),
    "field.planned": ("计划数量", "Planned quantity"),
    "field.status": ("批次状态", "Batch status"),
    "batch.title": ("批次信息", "Batch information"),
    "batch.note": ("这是批次页面。单件商品验真，请扫描商品标签上的二维码。",
                   "This is the batch page. To verify one item, scan the QR code on its label."),
    "status.open": ("正常", "Active"),
    "status.recalled": ("已召回", "Recalled"),
    "home.lead": ("扫描商品标签上的二维码，即可验证真伪、查看生产商与检测报告。",
                  "Scan the QR code on an item's label to check that it is genuine and "
                  "see its maker and lab results."),
    "home.paste": ("或粘贴追溯码网址：", "Or paste a code URL:"),
    "home.verify": ("验证", "Verify"),
    "home.keys": ("公开签名密钥", "Public signing keys"),
    "error.title": ("出错了", "Something went wrong"),
    "error.home": ("返回首页", "Back to the home page"),
}


def translate(key: str, lang: str = "zh") -> str:
    zh, en = STRINGS.get(key, (key, key))
    return en if lang == "en" else zh
