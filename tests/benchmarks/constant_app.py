"""The ceiling for bench_serve.py: a Flask endpoint that answers a constant page,
under the same gunicorn settings as the real app."""

from flask import Flask

app = Flask(__name__)
PAGE = "<!doctype html><title>ok</title><p>正品</p>" * 20


@app.get("/<path:_anything>")
def constant(_anything: str):
    return PAGE
