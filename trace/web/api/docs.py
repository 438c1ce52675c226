"""/api/v1/docs: the OpenAPI document as a page a developer reads, served from our
own host like every page (no documentation viewer from a CDN, DESIGN §12).

The page is built from the very document /api/v1/openapi.json serves, so it cannot
say other than what the API validates. Descriptions are CommonMark, as OpenAPI
defines them; markdown-it-py renders them with raw HTML off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import render_template
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import bp, openapi_document

_COMMONMARK = MarkdownIt("commonmark", {"html": False})
METHODS = ("get", "post", "put", "patch", "delete")


def commonmark(text: str | None) -> Markup:
    """A description, rendered (raw HTML in it is shown as text, never run)."""
    return Markup(_COMMONMARK.render(text or ""))


@dataclass(frozen=True)
class Field:
    name: str
    kind: str            # what to send: "string", "integer, 1 to 100000", "array of Code"
    refs: tuple[str, ...]  # the schemas it names, each linked to its own section
    required: bool
    about: str


@dataclass(frozen=True)
class Answer:
    status: str
    about: str
    schema: str | None
    media: tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    about: str
    needs_token: bool
    parameters: tuple[Field, ...]
    body: str | None
    answers: tuple[Answer, ...]


def _ref_name(schema: dict) -> str | None:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else None


def describe(schema: dict) -> tuple[str, tuple[str, ...]]:
    """What a schema accepts, in a few words, and the named schemas it refers to."""
    named = _ref_name(schema)
    if named:
        return named, (named,)
    if "anyOf" in schema or "oneOf" in schema:
        options = [option for option in schema.get("anyOf") or schema["oneOf"]
                   if option.get("type") != "null"]
        words, refs = zip(*(describe(option) for option in options)) if options else ((), ())
        nullable = len(options) < len(schema.get("anyOf") or schema["oneOf"])
        return (" or ".join(words) + (" or null" if nullable else ""),
                tuple(ref for each in refs for ref in each))
    if schema.get("type") == "array":
        inner, refs = describe(schema.get("items", {}))
        return f"array of {inner}", refs
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"])), ()
    if "const" in schema:
        return json.dumps(schema["const"], ensure_ascii=False), ()
    return _with_limits(str(schema.get("type", "any")), schema), ()


def _with_limits(kind: str, schema: dict) -> str:
    said = [kind + (f" ({schema['format']})" if "format" in schema else "")]
    if "minimum" in schema or "maximum" in schema:
        said.append(f"{schema.get('minimum', '…')} to {schema.get('maximum', '…')}")
    if "minLength" in schema or "maxLength" in schema:
        said.append(f"{schema.get('minLength', 0)} to {schema.get('maxLength', '…')} characters")
    if "pattern" in schema:
        said.append(f"matching {schema['pattern']}")
    if "default" in schema and schema["default"] is not None:
        said.append(f"default {json.dumps(schema['default'], ensure_ascii=False)}")
    return ", ".join(said)


def _field(name: str, schema: dict, required: bool, about: str = "") -> Field:
    kind, refs = describe(schema)
    return Field(name, kind, refs, required, about or schema.get("description", ""))


def schema_fields(schema: dict) -> list[Field]:
    """An object schema's properties, required ones first, each described."""
    required = set(schema.get("required", ()))
    fields = [_field(name, value, name in required)
              for name, value in schema.get("properties", {}).items()]
    return sorted(fields, key=lambda field: not field.required)


def _answer(status: str, answer: dict) -> Answer:
    content = answer.get("content", {})
    schemas = [_ref_name(media.get("schema", {})) for media in content.values()]
    return Answer(status, answer.get("description", ""), next(filter(None, schemas), None),
                  tuple(content))


def operations(document: dict) -> list[Operation]:
    """Every operation, in the document's order of paths."""
    found = []
    for path, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            found.append(Operation(
                method.upper(), path, op.get("operationId") or f"{method}-{path}",
                op.get("summary", ""), op.get("description", ""),
                needs_token=op.get("security", document.get("security")) != [],
                parameters=tuple(_field(f"{p['name']} ({p['in']})", p.get("schema", {}),
                                        p.get("required", False), p.get("description", ""))
                                 for p in op.get("parameters", ())),
                body=_ref_name(body.get("schema", {})),
                answers=tuple(_answer(status, answer)
                              for status, answer in op.get("responses", {}).items())))
    return found


@bp.get("/docs")
def docs():
    """The API's reference, readable in a browser, from the served document."""
    document: dict[str, Any] = openapi_document()
    return render_template(
        "api_docs.html", document=document, operations=operations(document),
        schemas={name: schema_fields(schema)
                 for name, schema in sorted(document["components"]["schemas"].items())},
        commonmark=commonmark)
