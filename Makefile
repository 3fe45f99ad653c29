# The commands the README names. `make run` starts the platform; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint services install bench-sfu bench-lms bench-live clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the platform on the embedded defaults (SQLite, one node), demo school seeded.
run: $(STAMP)
	$(BIN)/newssem serve

## Lint, then the whole test suite (unit, SQLite, PostgreSQL, Redis, browser).
test: $(STAMP) services
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

## Start the local PostgreSQL and Redis the integration tests talk to, if they are down.
services:
	@bash .ci/services.sh

## Forwarding vs. transcoding benchmark for the SFU.
bench-sfu: $(STAMP)
	$(BIN)/python -m loadtest.sfu_forwarding --subscribers 40 --seconds 20 --json

## LMS at full size (146 schools, 100,000 students) on its own PostgreSQL database, via HTTP.
NEWSSEM_SCALE_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/newssem_scale
bench-lms: $(STAMP)
	NEWSSEM_DATABASE_URL=$(NEWSSEM_SCALE_DATABASE_URL) $(BIN)/python -m loadtest.lms_scale --json

## Every school's live class at once (146 classes of 5 students) against 2 local nodes on their
## own database (newssem_live_load) and Redis; exits non-zero on any error or lost message.
bench-live: $(STAMP)
	$(BIN)/python -m loadtest.live_classes --schools 146 --students 5 --nodes 2 --seconds 45 \
		--ramp 60 --chat-interval 30 --json

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
