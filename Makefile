# Plenary: `make demo` runs the platform with demo data, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: install demo test test-sqlite test-postgres test-postgres-beside services chromium lint \
	bench clean translations

$(STAMP): pyproject.toml
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (never `playwright install`).
chromium:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium chromium-driver; }

# PostgreSQL and Redis are started if they are not running (see docs/development.md).
services:
	@bash .ci/services.sh

demo: $(STAMP)
	$(VENV)/bin/plenary demo

# The two passes run side by side (one a core each; most tests are one Python process), each
# printed whole when it ends; `make test-sqlite` or `make test-postgres` runs one alone.
test: $(STAMP) chromium services
	@echo "== test suites on SQLite and on PostgreSQL, side by side: each is printed when it ends =="
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres-beside

test-sqlite: $(STAMP)
	@echo "== test suite on SQLite =="
	$(PY) -m pytest $(PYTEST_ARGS)

# tests/engines/ never opens a database (its conftest refuses one that does): run once, above.
test-postgres: $(STAMP)
	@echo "== test suite on PostgreSQL (tests/engines/ ran in the SQLite pass) =="
	PLENARY_TEST_DATABASE_URL=$(PG_URL) $(PY) -m pytest --ignore=tests/engines $(PYTEST_ARGS)

# The PostgreSQL pass beside the SQLite one: Redis databases of its own (the tests that use
# Redis clear theirs), so that neither pass clears the other's.
test-postgres-beside: $(STAMP)
	@PLENARY_TEST_REDIS_URL=redis://127.0.0.1:6379/12 \
	PLENARY_TEST_FANOUT_REDIS_URL=redis://127.0.0.1:6379/8 \
	PLENARY_TEST_DURABILITY_REDIS_URL=redis://127.0.0.1:6379/11 \
	PLENARY_LOAD_REDIS_URL=redis://127.0.0.1:6379/10 \
	$(MAKE) --no-print-directory test-postgres

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/mypy app/drafting/parser.py app/drafting/frontmatter.py app/drafting/alignment.py \
		app/drafting/similarity.py \
		app/drafting/splits.py app/drafting/markdown.py \
		app/diffing/engine.py app/diffing/render.py app/feedback/anchoring.py \
		app/embedding/engine.py app/synthesis/clustering.py app/synthesis/labels.py \
		app/synthesis/duplicates.py app/synthesis/codebook.py app/record/merkle.py \
		app/record/canonical.py app/drafting/nodes.py app/drafting/textmatch.py \
		app/drafting/evidence.py app/drafting/lookalike.py app/drafting/meaning.py \
		app/drafting/rewrites.py app/drafting/coverage.py app/drafting/sentences.py \
		app/drafting/structure.py app/drafting/confidence.py app/synthesis/themes.py \
		app/synthesis/noise.py app/synthesis/titles.py app/synthesis/seeding.py \
		app/synthesis/phrases.py app/synthesis/lexicon.py app/synthesis/voices.py \
	app/synthesis/lexical.py

# Every benchmark, then the kill -9 durability script and the production-shape load (gunicorn
# -w 4 on PostgreSQL + Redis); stops at the first script that fails.
BENCH_SCRIPTS = $(sort $(wildcard bench/bench_*.py)) bench/durability.py bench/load_gunicorn.py
bench: $(STAMP) services
	@for b in $(BENCH_SCRIPTS); do echo "== $$b =="; $(PY) -m bench.$$(basename $$b .py) || exit 1; done

# Extract every marked string, merge it into the catalogues, compile them (docs/i18n.md).
translations: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k NP_:1,2 -o app/translations/messages.pot --omit-header --sort-output .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-pot-creation-date
	$(VENV)/bin/pybabel compile -d app/translations

clean:
	rm -rf $(VENV) instance .pytest_cache
