# reglab — the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= runs/quickstart

.PHONY: setup run test lint browser bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,ray]'
	touch $(STAMP)

setup: $(STAMP)

## run: set everything up, fetch MNIST (checksum-verified), run the classic comparison on the CPU
run: setup
	$(BIN)/reglab data fetch mnist
	$(BIN)/reglab compare --device cpu --out $(OUT)

## lint: style and types
lint: setup
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/mypy

## browser: headless Chromium for the report's browser test. Installed with apt-get only when
## missing and we are root; otherwise nothing fails and that test is skipped, saying why.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "browser: installing chromium and chromium-driver (apt-get)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq chromium chromium-driver >/dev/null; } \
	  || echo "browser: apt-get could not install chromium; the browser test will be skipped"; \
	else \
	  echo "browser: no /usr/bin/chromium and no root apt-get to install it; the browser test will be skipped"; \
	fi

## test: lint, type-check, then the whole suite
test: lint browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## bench: the CPU benchmarks (ratios against a conventional PyTorch loop), see docs/performance.md
bench: setup
	$(BIN)/python benchmarks/bench_speed.py --device cpu

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
