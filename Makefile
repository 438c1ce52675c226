# Trace: `make run` to try it, `make test` to check it. Everything runs from the
# checkout (python -m trace ...) because the standard library owns `import trace`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
# The address printed in every code and shown on every page: follows HOST and PORT
# unless set (make run PORT=5001 must not print codes that point at :5000).
TRACE_BASE_URL ?= http://$(HOST):$(PORT)
export TRACE_BASE_URL

# make serve: one sync worker a core (each keeps one SQLite connection, DESIGN §12).
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run serve setup install test lint bench mutate clean

SERVE_STAMP := $(VENV)/.serve-stamp

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# A server's virtualenv: the app and gunicorn, none of the test tools (docs/deploy.md).
install:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(SERVE_STAMP)

# make serve on a box without a virtualenv installs as make install does; a checkout
# that already has the full one (make run, make test) keeps it up to date instead.
$(SERVE_STAMP): setup.cfg pyproject.toml
	@if [ -f $(STAMP) ]; then $(MAKE) --no-print-directory $(STAMP); else $(MAKE) --no-print-directory install; fi
	touch $(SERVE_STAMP)

# The database and the keys, on whichever virtualenv is there.
define prepare
	$(PY) -m trace init-db
	$(PY) -m trace keys new --if-missing
	$(PY) -m trace keys new --role ledger --if-missing
endef

setup: $(STAMP)
	$(prepare)

# A busy port is said before the demo's URLs and passwords, not after them.
run: setup
	@$(PY) -c "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('$(HOST)', $(PORT)))" 2>/dev/null \
		|| { echo "Port $(PORT) on $(HOST) is in use: stop what serves there, or choose another, e.g. make run PORT=5055" >&2; exit 1; }
	$(PY) -m trace seed-demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/ for $(TRACE_BASE_URL)  (Ctrl-C to stop)"
	$(PY) -m trace run --host $(HOST) --port $(PORT)

serve: $(SERVE_STAMP)
	$(prepare)
	@echo "Serving $(TRACE_BASE_URL) with gunicorn, $(WORKERS) workers, on $(HOST):$(PORT) (Ctrl-C to stop)"
	$(PY) -m gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - \
		--access-logformat '%(t)s "%(r)s" %(s)s %(b)s %(M)sms' \
		--preload --no-control-socket --forwarded-allow-ips 127.0.0.1 --graceful-timeout 20 \
		'trace:create_app()'

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m flake8 trace tests
	$(PY) -m mypy trace

bench: $(STAMP)
	PYTHONPATH=.:tests/benchmarks $(PY) tests/benchmarks/bench_issuing.py
	PYTHONPATH=.:tests/benchmarks $(PY) tests/benchmarks/bench_labels.py
	PYTHONPATH=.:tests/benchmarks $(PY) tests/benchmarks/bench_ledger.py
	PYTHONPATH=.:tests/benchmarks $(PY) tests/benchmarks/bench_printers.py
	PYTHONPATH=.:tests/benchmarks $(PY) tests/benchmarks/bench_scan_history.py
	PYTHONPATH=.:tests/benchmarks $(PY) tests/benchmarks/bench_serve.py

# Each of codes, gs1, keys, verification mutated against its own test file (mutmut);
# reports in build/mutation/. MODULES="codes keys" for a subset.
mutate: $(STAMP)
	bash tests/mutation/run.sh . $(MODULES)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
