"""Interface strings, Chinese first, English on ``?lang=en``.

Templates call ``t("verdict.genuine")``; data (product names) is shown as stored::

    translate("field.lot", "en")   # 'Lot'
"""

STRINGS: dict[str, tuple[str, str]] = {
    "site.title": ("一物一码 · 扫码验真", "One item, one code · Verify"),
    "site.official": ("官方验证平台", "Official verification site"),
    "site.check_domain": ("请核对网址是否为 {domain}。域名不同的“验证网站”可能是仿冒的，请勿轻信。",
                          "Check that the address is {domain}. A look-alike "
                          "verification site with another domain may be fake."),
    "site.in_apps": ("在微信里没有地址栏：把页面往下拉，顶部会显示“此网页由 {domain} 提供”。"
                     "在支付宝里：点右上角“…”即可看到网址。",
                     "WeChat has no address bar: pull the page down and the top shows "
                     "'provided by {domain}'. In Alipay, tap '…' at the "
                     "top right to see the address."),
    "site.times": ("时间均为北京时间（UTC+8）。", "Times are Beijing time (UTC+8)."),
    "site.switch": ("English", "中文"),
    "verdict.genuine": ("正品 · 验证通过", "Genuine"),
    "verdict.suspicious": ("可疑 · 谨防假冒", "Suspicious: beware of copies"),
    "verdict.recalled": ("已召回 · 请勿使用", "Recalled: do not use"),
    "verdict.void": ("已作废 · 谨防假冒", "Cancelled code: beware of fakes"),
    "verdict.forged": ("伪造码 · 谨防假冒", "Forged code: beware of fakes"),
    "verdict.invalid": ("无法识别", "Not recognised"),
    "verdict.registered": ("已登记的追溯码", "Registered code"),
    "verdict.retype": ("请核对追溯码", "Check the code"),
    "advice.genuine": ("请核对手中商品的名称、规格与下面的信息是否一致。",
                       "Check that the item in your hand matches the name and "
                       "specification below."),
    "advice.suspicious": ("如果您刚收到商品，请先联系卖家核实；也可以在下方举报。",
                          "If you have just received the item, ask the seller first; "
                          "you can also report it below."),
    "advice.bad": ("请勿购买或使用。可以在下方举报，或拨打 12315 投诉。",
                   "Do not buy or use it. You can report it below or call 12315."),
    "advice.retype": ("请核对标签上印的追溯码，在下面重新输入；仍然查不到的，请谨防假冒。",
                      "Check the trace code printed on the label and type it again below; "
                      "if it still is not found, beware of fakes."),
    "advice.rescan": ("如果重新扫描仍然无法识别，请谨防假冒，可以在下方举报。",
                      "If scanning again still does not work, beware of fakes; you can "
                      "report it below."),
    "advice.registered": ("扫描标签上的二维码，可以核对防伪签名。",
                          "Scan the QR code on the label to check its anti-forgery signature."),
    "section.product": ("商品信息", "Product"),
    "section.supplier": ("供货商", "Supplier"),
    "section.batch": ("批次与追溯码", "Batch and code"),
    "section.lab": ("检测报告", "Lab results"),
    "section.scans": ("查询记录", "Look-up history"),
    "section.claim": ("认领这件商品", "Claim this item"),
    "section.history": ("召回与作废记录", "Recalls and cancellations"),
    "section.help": ("投诉与举报", "Complaints and reports"),
    "section.tech": ("技术详情", "Technical details"),
    "lab.none": ("本批次暂无检测机构上传的检测报告。",
                 "No accredited lab has attached results to this batch yet."),
    "field.name": ("产品名称", "Product name"),
    "field.specification": ("规格", "Specification"),
    "field.category": ("类别", "Category"),
    "field.origin": ("产地", "Origin"),
    "field.standard": ("执行标准", "Standard"),
    "field.storage": ("贮存条件", "Storage"),
    "field.licence_no": ("生产许可证编号", "Production licence no."),
    "field.gtin": ("商品条码", "Barcode (GTIN)"),
    "field.supplier": ("企业名称", "Company"),
    "field.credit_code": ("统一社会信用代码", "Unified social credit code"),
    "field.lot": ("批次号", "Lot"),
    "field.produced_on": ("生产日期", "Production date"),
    "field.shelf_life": ("保质期", "Shelf life"),
    "field.expires_on": ("到期日", "Use by"),
    "field.serial": ("追溯码", "Trace code"),
    "field.issued_at": ("发码时间", "Issued at"),
    "field.kid": ("签名密钥编号", "Signing key id"),
    "field.detail": ("判定依据", "Finding"),
    "field.verdict": ("判定结果", "Verdict"),
    "field.verified_at": ("本次查询时间", "Checked at"),
    "field.issued": ("已发码数量", "Codes issued"),
    "field.status": ("批次状态", "Batch status"),
    "field.reason": ("原因", "Reason"),
    "shelf.days": ("{n} 天", "{n} days"),
    "shelf.months": ("{n} 个月", "{n} months"),
    "shelf.years": ("{n} 年", "{n} years"),
    "shelf.about": ("（约 {span}）", " (about {span})"),
    "expired.warning": ("本批次已过保质期（到期日 {date}），请勿食用或使用。",
                        "This batch is past its use-by date ({date}): do not eat or use it."),
    "scans.first": ("这是此码第 1 次被查询。", "This is the first time this code has been "
                    "looked up."),
    "scans.only_you": ("此码已被查询 {count} 次，都来自您现在用的这个浏览器。首次查询时间：{first}。",
                       "This code has been looked up {count} times, all from the browser "
                       "you are using now. First look-up: {first}."),
    "scans.elsewhere": ("此码已被查询 {count} 次，首次查询时间：{first}；其中 {others} 次来自别的手机或浏览器。"
                        "如果您从没扫过这个码，请谨防假冒。",
                        "This code has been looked up {count} times, first at {first}; "
                        "{others} of them from other phones or browsers. If you have never "
                        "scanned it before, beware of copies."),
    "scans.claimed_elsewhere": ("这件商品已于 {claimed} 在另一个手机或浏览器上被认领。"
                                "此码共被查询 {count} 次，首次查询时间：{first}。",
                                "This item was claimed on {claimed} on another phone or "
                                "browser. The code has been looked up {count} times, first "
                                "at {first}."),
    "scans.claimed_by_you": ("您已于 {claimed} 认领这件商品。此码共被查询 {count} 次。",
                             "You claimed this item on {claimed}. The code has been looked "
                             "up {count} times."),
    "scans.spread": ("查询来自 {networks} 个网络、{devices} 个浏览器。",
                     "Distinct networks: {networks}; distinct browsers: {devices}."),
    "claim.lead": ("收到商品后，在您常用的手机上点“这件是我买的”。认领以后，其他手机或浏览器再扫这个码会看到“已被认领”的提醒，复制的标签就藏不住了。",
                   "Once the item is in your hands, tap 'I bought this' on the phone you "
                   "usually use. Any other phone or browser that scans this code later "
                   "is told it has been claimed, so a copied label cannot hide."),
    "claim.pin": ("刮开标签上的涂层，输入下面的 6 位验证码：",
                  "Scratch the label's coating and type the 6 digits under it:"),
    "claim.received": ("这件商品已经在我手里", "I have this item in my hands"),
    "claim.button": ("这件是我买的", "I bought this"),
    "claim.done": ("认领成功。", "Claimed: this item is now yours on record."),
    "claim.failed": ("没有认领成功。", "Not claimed. "),
    "report.link": ("举报疑似假货", "Report a suspected fake"),
    "report.title": ("举报疑似假货", "Report a suspected fake"),
    "report.lead": ("告诉我们您看到了什么。我们会核查，必要时通知供货商和市场监管部门。",
                    "Tell us what you saw. We check every report and, where needed, "
                    "tell the supplier and the market regulator."),
    "report.about": ("举报的商品", "Item reported"),
    "report.what_seen": ("您发现了什么问题？（必填）", "What did you notice? (required)"),
    "report.where_bought": ("在哪里买的？店铺、直播间或平台（必填）",
                            "Where did you buy it? Shop, livestream room or platform "
                            "(required)"),
    "report.contact": ("联系方式（选填，方便我们回访）",
                       "Contact (optional, so we can get back to you)"),
    "report.photo": ("照片（选填，JPEG 或 PNG，不超过 5 MB；位置等信息会被删除）",
                     "Photo (optional, JPEG or PNG, up to 5 MB; location and other "
                     "metadata are removed)"),
    "report.send": ("提交举报", "Send report"),
    "report.sent": ("举报已收到", "Report received"),
    "report.thanks": ("谢谢您！举报编号 {id}。我们会尽快核查。",
                      "Thank you. Report number {id}. We will look into it soon."),
    "help.operator": ("本平台：{name}，客服电话", "This site: {name}, phone"),
    "help.12315": ("市场监管投诉举报电话", "Market regulation complaints hotline"),
    "help.back": ("返回查询结果", "Back to the result"),
    "batch.title": ("批次信息", "Batch information"),
    "batch.note": ("这是批次页面。单件商品验真，请扫描商品标签上的二维码。",
                   "This is the batch page. To verify one item, scan the QR code on its label."),
    "batch.recalled": ("本批次已召回，请停止使用并联系卖家退货。",
                       "This batch has been recalled. Stop using it and contact the seller "
                       "for a return."),
    "status.open": ("正常", "Active"),
    "status.recalled": ("已召回", "Recalled"),
    "event.recall": ("批次召回", "Batch recalled"),
    "event.unrecall": ("撤销召回", "Recall withdrawn"),
    "event.void": ("追溯码作废", "Code cancelled"),
    "event.recall_item": ("单品召回", "Item recalled"),
    "home.lead": ("扫描商品标签上的二维码，即可验证真伪、查看生产商与检测报告。",
                  "Scan the QR code on an item's label to check that it is genuine and "
                  "see its maker and lab results."),
    "home.enter": ("输入标签上印的追溯码（如 RZJ4-WDFF-XA07），也可以粘贴网址：",
                   "Type the trace code printed on the label (such as RZJ4-WDFF-XA07), "
                   "or paste the code's address:"),
    "home.verify": ("查询", "Look up"),
    "home.keys": ("公开签名密钥", "Public signing keys"),
    "error.title": ("出错了", "Something went wrong"),
    "error.home": ("返回首页", "Back to the home page"),
}


def translate(key: str, lang: str = "zh") -> str:
    zh, en = STRINGS.get(key, (key, key))
    return en if lang == "en" else zh
