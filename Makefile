# scratchnlp: build the companion site and run every check.
#
#   make book   build the site into _build/html, executing every page (strict: warnings are errors)
#   make book-ko  build the Korean edition into _build/html/ko (the pages executed again in Korean)
#   make test   everything CI checks: lint, unit + integration tests, the strict builds of both editions, the
#               translations' catalogs against the English pages, the site in Chromium
#   make bench  run benchmarks/ (a few minutes), write benchmarks/results/*.json, print one table of ratios
#
# Both create .venv and install what they need on first use (system packages included), so on a fresh
# Debian machine with python3 they are the whole set-up. A stamp file makes later runs skip the install.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.scratchnlp-installed
CHROMIUM ?= /usr/bin/chromium
BUILD_DIR := _build
HTML_DIR := $(BUILD_DIR)/html
NB_CACHE := $(BUILD_DIR)/.jupyter_cache
# The execution cache only looks at cell source; this records which library sources the cache was made with.
NB_CACHE_KEY := $(BUILD_DIR)/.jupyter_cache.src-hash
# The Korean edition (book/_ext/translations.py): its own configuration, execution cache and build folder.
KO_DIR := $(BUILD_DIR)/ko
NB_CACHE_KO := $(BUILD_DIR)/.jupyter_cache_ko
MESSAGES_DIR := $(BUILD_DIR)/messages
PYTEST_ARGS ?=

# Run the virtual environment's tools first on PATH (the notebook kernel is the venv's python3).
export PATH := $(abspath $(BIN)):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

# apt-get as root, or through sudo otherwise.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL = $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

.PHONY: help install system-deps chromium fonts lint unit integration pytest book gettext catalogs book-ko site-test test bench clean distclean

help:
	@echo "make book         build the site into $(HTML_DIR) (executes every page, strict)"
	@echo "make test         lint + unit/integration tests + strict book build + site tests in Chromium"
	@echo "make lint         ruff check"
	@echo "make unit         unit tests only;  make integration: integration tests only"
	@echo "make book-ko      build the Korean edition into $(HTML_DIR)/ko (after make book)"
	@echo "make gettext      extract the English pages' messages; make catalogs: check the translations against them"
	@echo "make site-test    browser tests of an already built site"
	@echo "make bench        run benchmarks/ (a few minutes), write benchmarks/results/*.json, print the ratios"
	@echo "make clean        remove $(BUILD_DIR);  make distclean: also remove $(VENV)"

# --- set-up -----------------------------------------------------------------------------------------

# python3 -m venv needs Debian's python3-venv (ensurepip); install it when the first try fails.
$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or later" >&2; exit 1; }
	@if ! $(PYTHON) -m venv $(VENV) 2>/dev/null; then \
	  echo "python3 -m venv failed; installing python3-venv"; \
	  rm -rf $(VENV); \
	  $(APT_INSTALL) python3-venv python3-pip; \
	  $(PYTHON) -m venv $(VENV); \
	fi

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[book,test]"
	@touch $@

install: $(STAMP)

# Debian's Chromium drives the site tests (never `playwright install`: it downloads a browser).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "$(CHROMIUM) not found; installing Debian's chromium"; \
	  $(APT_INSTALL) chromium; \
	fi

# The Korean edition's figures draw Hangul with Debian's Nanum fonts.
fonts:
	@if ! fc-list 2>/dev/null | grep -qi NanumGothic; then \
	  echo "the NanumGothic font was not found; installing Debian's fonts-nanum"; \
	  $(APT_INSTALL) fonts-nanum fontconfig; \
	fi

system-deps: chromium fonts

# --- checks -----------------------------------------------------------------------------------------

lint: $(STAMP)
	ruff check src tests benchmarks book

# pytest exits with 5 when a folder holds no tests yet; that is not a failure here.
unit: $(STAMP)
	pytest tests/unit -m "not site" $(PYTEST_ARGS) || [ $$? -eq 5 ]

integration: $(STAMP)
	pytest tests/integration -m "not site" $(PYTEST_ARGS) || [ $$? -eq 5 ]

pytest: $(STAMP)
	pytest tests/unit tests/integration -m "not site" $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Empty the execution cache when the library sources changed since it was filled: the cache keys on cell
# source only, so it would otherwise serve outputs computed with old library code.
book: $(STAMP)
	@key="$$(find src -name '*.py' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)"; \
	if [ -d $(NB_CACHE) ] && [ "$$(cat $(NB_CACHE_KEY) 2>/dev/null)" != "$$key" ]; then \
	  echo "library sources changed: emptying the execution cache $(NB_CACHE)"; rm -rf $(NB_CACHE); \
	fi; \
	mkdir -p $(BUILD_DIR); echo "$$key" > $(NB_CACHE_KEY)
	@# A fresh Sphinx environment every time (executed outputs stay cached): incremental builds can keep
	@# stale pages, e.g. viewcode's highlighted sources.
	rm -rf $(HTML_DIR) $(BUILD_DIR)/.doctrees
	@# MPLBACKEND=Agg on purpose: many CI systems export it, and the pages must render their figures anyway
	@# (scratchnlp._pages.setup selects the inline backend), so the build proves they do.
	MPLBACKEND=Agg jupyter-book build . --all -W -n --keep-going

# The messages of every page (Sphinx's gettext builder over the English sources, with the outputs of the English
# execution cache, so after `make book` nothing runs again) into $(MESSAGES_DIR)/_build/gettext/*.pot.
gettext: $(STAMP)
	python book/_ext/edition_config.py en $(MESSAGES_DIR)/_config.yml
	rm -rf $(MESSAGES_DIR)/_build
	MPLBACKEND=Agg jupyter-book build . --config $(MESSAGES_DIR)/_config.yml --path-output $(MESSAGES_DIR) \
	  --builder custom --custom-builder gettext --all -W -n --keep-going

# Every translated page's catalog is complete and in step with its English page (book/_ext/catalogs.py).
catalogs: gettext
	python book/_ext/catalogs.py check ko

# The Korean edition: the same pages executed again with SCRATCHNLP_LANG=ko (sentences a page computes come
# out in Korean) and translated by locales/ko; published under the English site as ko/.
book-ko: $(STAMP) fonts
	@key="$$(cat $(NB_CACHE_KEY) 2>/dev/null)"; \
	if [ -d $(NB_CACHE_KO) ] && [ "$$(cat $(NB_CACHE_KO).src-hash 2>/dev/null)" != "$$key" ]; then \
	  echo "library sources changed: emptying the execution cache $(NB_CACHE_KO)"; rm -rf $(NB_CACHE_KO); \
	fi; \
	mkdir -p $(BUILD_DIR); echo "$$key" > $(NB_CACHE_KO).src-hash
	python book/_ext/edition_config.py ko $(KO_DIR)/_config.yml
	rm -rf $(KO_DIR)/_build/html $(KO_DIR)/_build/.doctrees
	SCRATCHNLP_LANG=ko MPLBACKEND=Agg jupyter-book build . --config $(KO_DIR)/_config.yml --path-output $(KO_DIR) \
	  --all -W -n --keep-going
	rm -rf $(HTML_DIR)/ko
	cp -r $(KO_DIR)/_build/html $(HTML_DIR)/ko

site-test: $(STAMP) chromium
	pytest tests/site -m site $(PYTEST_ARGS)

test: $(STAMP) chromium
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory pytest
	$(MAKE) --no-print-directory book
	$(MAKE) --no-print-directory catalogs
	$(MAKE) --no-print-directory book-ko
	$(MAKE) --no-print-directory site-test

# The benchmarks print ratios against references measured in the same run; run_all.py writes each script's
# numbers with the machine and date to benchmarks/results/ and prints one table (benchmarks/summary.py).
bench: $(STAMP)
	python benchmarks/run_all.py

clean:
	rm -rf $(BUILD_DIR) .pytest_cache .ruff_cache

distclean: clean
	rm -rf $(VENV)
