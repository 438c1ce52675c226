"""The floor for bench_serve.py: the real app with one more route that does only
what every verify page must (parse the code, look the item up, check its
signature, record the scan and read the item's scan history) and answers the
verdict as plain text: no page and nothing to compress. Under the same gunicorn
settings it shows the most any verify page of this app could reach, whatever its
template and compression cost."""

from flask import current_app

from trace import create_app, verification
from trace.codes import ItemCode, parse_link
from trace.web import get_db, raw_request_target
from trace.web.public import counted_observer, policy

PREFIX = "/floor"


def floor(_rest: str):
    base_url = current_app.config["BASE_URL"]
    code = parse_link(base_url + raw_request_target()[len(PREFIX):], base_url)
    assert isinstance(code, ItemCode), "the benchmark asks for item pages only"
    verdict = verification.verify_code(get_db(), code, counted_observer(), policy())
    answer = "正品" if verdict.verdict == "genuine" else verdict.verdict
    return answer, 200, {"Content-Type": "text/plain; charset=utf-8"}


def make_app():
    app = create_app()
    app.add_url_rule(f"{PREFIX}/01/<path:_rest>", "floor", floor)
    return app
