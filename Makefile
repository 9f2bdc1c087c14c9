# The Makefile is the contract: `make chat` and `make test` set everything up on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)
RASA   := $(PY) -m bot.rasa_ext.main
MODEL  := models/assistant.tar.gz

# Python 3.10: Rasa 3.6 refuses 3.11. `python3.10` on PATH if it works, else pyenv's.
PYTHON310 ?= $(shell (python3.10 -c 'import sys' >/dev/null 2>&1 && command -v python3.10) || \
              ls -d $$HOME/.pyenv/versions/3.10*/bin/python3.10 2>/dev/null | tail -n 1)

export BOT_TRUST ?= lpt
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export SANIC_HOST := 127.0.0.1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup build train chat run serve test lint bench nlu-report check-packs coverage teams-app clean conversations nlu-compare served-score

help:
	@echo "make chat        set up, train if needed, and talk to the assistant in this terminal"
	@echo "make test        set up, train if needed, and run the whole test suite"
	@echo "make run         local server on 127.0.0.1:5005 (REST, Teams) with actions on :5055"
	@echo "make serve       production: only the Teams webhook and health on 127.0.0.1:5005 (docs/deploy.md)"
	@echo "make train       train the model if its inputs changed"
	@echo "make lint        ruff"
	@echo "make bench       speed and memory benchmarks"
	@echo "make nlu-report  held-out NLU scores, then every cold batch in aggregate"
	@echo "make conversations  the newest independent conversation suite, pass rate per Trust"
	@echo "make nlu-compare  NLU configurations in bench/nlu/ side by side on the cold batches"
	@echo "make served-score the outside batch (../shared/cold) on the served assistant's /model/parse"
	@echo "make teams-app   Teams app package for MICROSOFT_APP_ID, TEAMS_ENDPOINT and TEAMS_PRIVACY_URL"

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: install it (pyenv install 3.10) or set PYTHON310=/path/to/python3.10"; exit 1; }
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<24" wheel
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)

build: setup
	$(PY) -m bot build-nlu

train: setup
	$(PY) -m bot train

check-packs: setup
	$(PY) -m bot check-packs

coverage: setup
	$(PY) -m bot coverage --write

# The action server runs in the background for chat, run and serve, under a supervisor that
# restarts it if it dies or stops answering /health, and stops with them. Everything binds
# 127.0.0.1 (bot.rasa_ext.main enforces it) and files are created owner-only.
SUPERVISED_ACTIONS = $(PY) -m bot.rasa_ext.supervise --health http://127.0.0.1:5055/health -- \
                     $(RASA) run actions --actions actions --port 5055

chat: train
	@umask 077; mkdir -p var
	@umask 077; $(SUPERVISED_ACTIONS) > var/actions.log 2>&1 & echo $$! > var/actions.pid; \
	trap 'kill $$(cat var/actions.pid) 2>/dev/null; rm -f var/actions.pid' EXIT; \
	$(RASA) shell -m $(MODEL) --endpoints endpoints.yml --credentials credentials.local.yml -p 5005 --quiet

# Local server for trying it: REST and Teams on 127.0.0.1:5005. Rasa's HTTP API (/model/parse,
# trackers) is on only when BOT_API_JWT_SECRET is set, and then needs a JWT (docs/deploy.md).
run: train
	@umask 077; mkdir -p var
	@$(SUPERVISED_ACTIONS) & echo $$! > var/actions.pid; \
	trap 'kill $$(cat var/actions.pid) 2>/dev/null; rm -f var/actions.pid' EXIT INT TERM; \
	$(RASA) run -m $(MODEL) -p 5005 --endpoints endpoints.yml --credentials credentials.local.yml

# Production entry (docs/deploy.md): only the Teams webhook and its health check
# (GET /webhooks/teams/), no REST channel, no HTTP API, no debug logging. Put an HTTPS ingress
# in front that forwards only POST /webhooks/teams/webhook.
serve: train
	@umask 077; mkdir -p var
	@$(SUPERVISED_ACTIONS) & echo $$! > var/actions.pid; \
	trap 'kill $$(cat var/actions.pid) 2>/dev/null; rm -f var/actions.pid' EXIT INT TERM; \
	BOT_PRODUCTION=1 BOT_API_JWT_SECRET= $(RASA) run -m $(MODEL) -p 5005 --endpoints endpoints.yml --credentials credentials.yml

test: train
	$(PY) -m pytest

conversations: train
	$(PY) -m bot.rasa_ext.conversation_suite

nlu-compare: build
	$(PY) -m bot.rasa_ext.nlu_compare bench/nlu/*.yml

lint: setup
	$(PY) -m ruff check bot actions tests bench

bench: train
	$(PY) -m bench
	$(PY) -m bench.side_by_side
	$(PY) bench/teams_latency.py
	$(PY) bench/teams_latency.py --assistant --show-reply

teams-app: setup
	$(PY) -m bot teams-app --app-id "$$MICROSOFT_APP_ID" --endpoint "$$TEAMS_ENDPOINT" --privacy-url "$$TEAMS_PRIVACY_URL" --out build/teams-app.zip

served-score: train
	$(PY) bench/served_parse.py

nlu-report: build
	$(PY) -m bot nlu-report

clean:
	rm -rf build models var .rasa results
