# medaudit — the two commands of the README (`make demo`, `make test`) set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# torch==2.13.0 (CPU) lies on these machines' disk; any other torch spec pulls a CUDA build.
EXTRAS_TEST := dev,llama,pg,privacy,hf
PYTEST_ARGS ?=

.PHONY: help venv install-demo install-dev demo test test-fast lint typecheck format bench clean

help:
	@echo "make demo   - install with the embedded model and evaluate it on the CMES sample"
	@echo "make test   - install dev dependencies and run the whole test suite"
	@echo "make lint   - ruff + mypy"
	@echo "make bench  - performance benchmarks (see docs/performance.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip wheel

venv: $(BIN)/python

$(VENV)/.demo-installed: pyproject.toml | venv
	$(PIP) install -q -e '.[llama]'
	touch $@

$(VENV)/.dev-installed: pyproject.toml | venv
	$(PIP) install -q -e '.[$(EXTRAS_TEST)]'
	touch $@ $(VENV)/.demo-installed

install-demo: $(VENV)/.demo-installed
install-dev: $(VENV)/.dev-installed

demo: install-demo
	$(BIN)/medaudit models pull gemma3-270m
	$(BIN)/medaudit eval --model llamacpp/gemma3-270m --benchmark cmes-sample --output-dir runs/demo

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install-dev
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix src tests benchmarks scripts

bench: install-dev
	$(PIP) install -q -e '.[$(EXTRAS_TEST),bench]'
	$(BIN)/python benchmarks/harness_overhead.py
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/local_scoring.py
	$(BIN)/python benchmarks/privacy_compare.py
	$(BIN)/python benchmarks/privacy_perf.py

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
