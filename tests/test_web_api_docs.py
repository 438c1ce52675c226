"""The API's reference page, /api/v1/docs, built from the served OpenAPI document."""

from __future__ import annotations

import re

from conftest import BASE_URL

from trace.web.api.docs import commonmark, describe, operations, schema_fields


def test_the_page_shows_every_call_and_schema_of_the_document_without_a_token(client):
    """An ERP developer had only openapi.json to read: no page a person could."""
    document = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "接口文档（API）" in html
    for path, item in document["paths"].items():
        for method, op in item.items():
            heading = f'id="{op["operationId"]}"'
            assert heading in html, (method, path)
            section = html[html.index(heading):]
            assert f"{method.upper()} {path}" in section[:section.index("</h2>")]
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    # Every link inside the page lands on something on it.
    anchors = set(re.findall(r'id="([^"]+)"', html))
    assert set(re.findall(r'href="#([^"]+)"', html)) <= anchors
    assert f"{BASE_URL}/api/v1/products" in html  # the example names this server
    assert "需要令牌" in html and "不需要令牌" in html  # the batch page's JSON needs none


def test_a_calls_body_and_limits_are_shown_as_the_api_validates_them(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    issue = html[html.index('id="issueCodes"'):]
    issue = issue[:issue.index("</section>")]
    assert 'href="#schema-IssueIn"' in issue and "Idempotency-Key (header)" in issue
    count = issue[issue.index(">count <strong>"):]
    assert "integer, 1 to 100000" in count[:count.index("</tr>")]
    assert "409" in issue and 'href="#schema-Issuance"' in issue
    english = client.get("/api/v1/docs?lang=en").get_data(as_text=True)
    assert "API reference" in english and "Request body" in english


def test_descriptions_are_commonmark_with_raw_html_shown_as_text():
    assert commonmark("send `count`") == "<p>send <code>count</code></p>\n"
    assert "<script>" not in commonmark("<script>alert(1)</script>")


def test_a_schema_is_described_in_a_few_words_with_the_schemas_it_names():
    assert describe({"$ref": "#/components/schemas/Code"}) == ("Code", ("Code",))
    assert describe({"type": "array", "items": {"$ref": "#/components/schemas/Code"}}) == \
        ("array of Code", ("Code",))
    assert describe({"anyOf": [{"type": "string", "maxLength": 16}, {"type": "null"}]}) == \
        ("string, 0 to 16 characters or null", ())
    assert describe({"enum": ["void", "recall"]}) == ("one of void, recall", ())
    assert describe({"type": "boolean", "default": False}) == ("boolean, default false", ())
    fields = schema_fields({"properties": {"b": {"type": "string"}, "a": {"type": "integer"}},
                            "required": ["a"]})
    assert [(f.name, f.required) for f in fields] == [("a", True), ("b", False)]


def test_an_operation_without_security_needs_no_token():
    document = {"security": [{"bearer": []}], "paths": {
        "/x": {"get": {"operationId": "x", "security": [], "responses": {"200": {
            "description": "ok"}}}},
        "/y": {"post": {"operationId": "y", "responses": {}}}}}
    found = {op.anchor: op.needs_token for op in operations(document)}
    assert found == {"x": False, "y": True}
