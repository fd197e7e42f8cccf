# Build and test the book "Initializing Neural Networks" (Jupyter Book 1.x).
#
#   make book   set up .venv, then build the HTML book into _build/html
#   make test   set up .venv, then: initlib tests, nbval on every notebook,
#               and the book build with warnings as errors
#   make clean  remove build output and caches (keeps .venv; `make distclean` too)
#
# Every target does its own set-up on a fresh machine: the only things needed
# are Python 3.11 (or some python3) and access to PyPI.

SHELL := /bin/bash
# Every recipe line runs with `set -euo pipefail`: the first failing command
# fails the target.
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

VENV     := .venv
PY       := $(VENV)/bin/python
PIP      := $(PY) -m pip
PYTEST   := $(PY) -m pytest
JB       := $(VENV)/bin/jupyter-book
STAMP    := $(VENV)/.installed

# Sphinx flags: -W warnings are errors, -n nitpicky (broken references warn),
# --keep-going report every warning before failing, --all re-read every page
# (an incremental build would silently skip the warnings of unchanged pages;
# executed notebooks still come from the jupyter-cache in _build/).
JB_FLAGS    := -W -n --keep-going --all
BUILD_DIR   := _build
HTML_DIR    := $(BUILD_DIR)/html
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with .nbval_sanitize.cfg

.PHONY: help venv book test test-lib test-notebooks test-book clean distclean

help:
	@echo "make book       build the HTML book into $(HTML_DIR) (sets up $(VENV) first)"
	@echo "make test       initlib tests + nbval on chapters/ + book build with -W"
	@echo "make venv       only create $(VENV) and install requirements.txt"
	@echo "make clean      remove $(BUILD_DIR)/ and caches"
	@echo "make distclean  clean, and remove $(VENV)/ too"

# ---------------------------------------------------------------- set-up ----
venv: $(STAMP)

# The stamp is newer than requirements.txt and pyproject.toml once pip has
# installed them; editing either re-runs pip (not the venv creation).
$(STAMP): requirements.txt pyproject.toml
	@if [ ! -x "$(PY)" ] || ! "$(PY)" -c 'import sys' >/dev/null 2>&1; then \
	  if python3.11 -c 'import sys' >/dev/null 2>&1; then base=python3.11; else base=python3; fi; \
	  echo "Creating $(VENV) with $$base ($$($$base --version 2>&1))"; \
	  rm -rf "$(VENV)"; \
	  "$$base" -m venv "$(VENV)"; \
	fi
	$(PIP) install --disable-pip-version-check -r requirements.txt
	@touch "$@"

# ------------------------------------------------------------------ book ----
# Build the book; on failure print the execution reports that myst-nb writes
# for notebooks that raised, so the traceback shows up in the CI log.
define build_book
rm -rf "$(HTML_DIR)/reports"; \
status=0; \
$(JB) build . $(JB_FLAGS) || status=$$?; \
if [ "$$status" -ne 0 ]; then \
  echo "" >&2; \
  echo "*** jupyter-book build failed (exit $$status) ***" >&2; \
  if [ -d "$(HTML_DIR)/reports" ]; then \
    find "$(HTML_DIR)/reports" -type f | sort | while read -r report; do \
      echo "===== $$report =====" >&2; cat "$$report" >&2; echo "" >&2; \
    done; \
  fi; \
  exit "$$status"; \
fi; \
echo "Book built: $(HTML_DIR)/index.html (view with: python3 -m http.server -d $(HTML_DIR))"
endef

book: $(STAMP)
	@$(build_book)

# ----------------------------------------------------------------- tests ----
# pytest exits 5 when it collects no test, which fails the target too.
test: $(STAMP)
	$(MAKE) --no-print-directory test-lib
	$(MAKE) --no-print-directory test-notebooks
	$(MAKE) --no-print-directory test-book

test-lib: $(STAMP)
	$(PYTEST) tests --doctest-modules initlib

test-notebooks: $(STAMP)
	$(PYTEST) $(NBVAL_FLAGS) chapters/

test-book: $(STAMP)
	@$(build_book)

# ----------------------------------------------------------------- clean ----
clean:
	rm -rf "$(BUILD_DIR)" .jupyter_cache jupyter_execute .pytest_cache
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 \
	  | xargs -0 rm -rf

distclean: clean
	rm -rf "$(VENV)" *.egg-info
