# Build and test the book "Initializing Neural Networks" (Jupyter Book 1.x).
#
#   make book   set up .venv, then build the HTML book into _build/html
#   make test   set up .venv, then: initlib tests, nbval on every notebook,
#               the book builds with warnings as errors (from the outputs nbval
#               checked), the built book in headless Chromium (test-browser)
#               and the explorers in JupyterLab (test-lab)
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

# One BLAS thread: the networks here are small, where OpenBLAS's threads cost
# more than they save (and far more on a busy machine), and a fixed thread
# count keeps every notebook's output bit-for-bit reproducible.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

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
# pytest-xdist: one worker per core (JOBS=1 runs in one process). --dist loadfile
# keeps a file's tests in one worker, in order: a notebook's cells share one
# kernel, and a module's fixtures (the nbgrader courses, the built books) are
# made once.
JOBS        ?= auto
XDIST_FLAGS := $(if $(filter 1,$(JOBS)),,-n $(JOBS) --dist loadfile)

.PHONY: help venv book test test-deps test-lib test-notebooks test-book test-pages test-browser clean distclean
.PHONY: student student-book exercises-table book-offline lab lab-venv test-lab

help:
	@echo "make book       build the HTML book into $(HTML_DIR) (sets up $(VENV) first)"
	@echo "make test       initlib tests + nbval on chapters/ + book builds with -W + browser tests"
	@echo "make book-offline  the book serving its own MathJax: no request leaves its host"
	@echo "make test-browser  the offline book in headless Chromium (after make book-offline)"
	@echo "make lab        open the chapters in JupyterLab (installs requirements-lab.txt into $(VENV) first)"
	@echo "make test-lab   the explorers live in JupyterLab, in headless Chromium"
	@echo "make test-deps  install everything make test needs (venv, JupyterLab, npm packages)"
	@echo "make venv       only create $(VENV) and install requirements.txt"
	@echo "make student    write the student notebooks (solutions stubbed) into student/"
	@echo "make student-book  build the book without solutions into $(STUDENT_BOOK)/_build/html"
	@echo "make exercises-table  rewrite the exercise table of instructors.md from the notebooks"
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

# JupyterLab for readers who run the chapters, and for its test: a
# requirements file of its own, so the book build and Binder do not carry it.
LAB_STAMP := $(VENV)/.lab-installed

$(LAB_STAMP): requirements-lab.txt $(STAMP)
	$(PIP) install --disable-pip-version-check -r requirements-lab.txt
	@touch "$@"

lab-venv: $(LAB_STAMP)

# ------------------------------------------------------------------- lab ----
# Open JupyterLab on the chapters (LAB_ARGS passes more options, e.g.
# LAB_ARGS=--no-browser). The kernels get the same single BLAS thread as the
# book build (exported above), so a re-run reproduces the committed outputs.
LAB_ARGS ?=

lab: $(LAB_STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=chapters $(LAB_ARGS)

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

# The execution cache re-runs a notebook when its code changes, not when the
# library it imports does: a change to any file of initlib empties the cache,
# so the next build executes every chapter with the new library.
INITLIB_FILES := $(shell find initlib -name '*.py' 2>/dev/null)
CACHE_STAMP   := $(BUILD_DIR)/.initlib-stamp

$(CACHE_STAMP): $(INITLIB_FILES)
	@if [ -d "$(BUILD_DIR)/.jupyter_cache" ]; then \
	  echo "initlib changed: emptying the execution cache $(BUILD_DIR)/.jupyter_cache"; \
	  rm -rf "$(BUILD_DIR)/.jupyter_cache"; \
	fi
	@mkdir -p "$(BUILD_DIR)" && touch "$@"

book: $(STAMP) $(CACHE_STAMP)
	@$(build_book)

# ---------------------------------------------------------- offline book ----
# The same book serving its own MathJax (installed from the npm registry into
# offline/node_modules, never committed) instead of loading it from a CDN: a
# page opened from this build makes no request outside the host serving it.
# Built from the committed outputs (tools/offline_config.py --committed-outputs):
# `make test` re-executes every chapter in nbval and compares its outputs with
# the committed ones, so executing them again here would check nothing more.
OFFLINE_DIR  := $(BUILD_DIR)/offline
OFFLINE_HTML := $(OFFLINE_DIR)/_build/html
MATHJAX      := offline/node_modules/mathjax/es5/tex-mml-chtml.js
# axe-core, the accessibility engine the browser test injects into each page
# (tests/browser/package.json; node_modules is never committed)
AXE          := tests/browser/node_modules/axe-core/axe.min.js

$(MATHJAX): offline/package.json
	npm install --prefix offline --no-audit --no-fund --no-package-lock
	@touch "$@"

book-offline: $(STAMP) $(MATHJAX)
	$(PY) tools/offline_config.py --committed-outputs offline/node_modules $(OFFLINE_DIR)/_config.yml
	$(JB) build . --config $(OFFLINE_DIR)/_config.yml --path-output $(OFFLINE_DIR) $(JB_FLAGS)
	@echo "Offline book built: $(OFFLINE_HTML)/index.html"

# ------------------------------------------------------ student editions ----
# The notebooks without solutions (tools/student.py), and the book built from
# them: not executed (the stubs raise), hide_solutions on (tools/student_book.py).
STUDENT_BOOK := $(BUILD_DIR)/student-book

student: $(STAMP)
	$(PY) tools/student.py --out student

student-book: $(STAMP)
	$(PY) tools/student_book.py $(STUDENT_BOOK)
	$(JB) build $(STUDENT_BOOK) $(JB_FLAGS)
	@echo "Student book built: $(STUDENT_BOOK)/_build/html/index.html"

exercises-table: $(STAMP)
	$(PY) tools/exercises.py --update

# ----------------------------------------------------------------- tests ----
# pytest exits 5 when it collects no test, which fails the target too.
# The initlib tests (both cores; they build the book of _config.yml and its
# student edition); then nbval, which executes every chapter (both cores),
# beside the offline build of the book's pages (warnings as errors; it shows
# the committed outputs that nbval compares with the fresh ones); then the two
# browser tests side by side, the built book in Chromium and the explorers in
# JupyterLab: each keeps about one core busy (one browser, one kernel at a
# time), so together they take little more than the longer alone, where
# beside nbval they slowed it down. --output-sync prints each job's log whole
# when it ends; the first failure fails the target. Measured orders:
# benchmarks/README.md ("sixth session").
test: test-deps
	$(MAKE) --no-print-directory test-lib
	$(MAKE) --no-print-directory -j2 --output-sync=target test-notebooks book-offline
	$(MAKE) --no-print-directory -j2 --output-sync=target test-browser test-lab

# Everything `make test` installs (the environment, JupyterLab, MathJax for
# the offline book, axe-core for the browser test): `.ci/run` runs it first,
# so that the time of `make test` it reports is the time of the tests.
test-deps: $(STAMP) $(LAB_STAMP) $(MATHJAX) $(AXE)

# the book's pages: built from the committed outputs, then read in Chromium.
# The book of _config.yml itself (MathJax from its CDN, `make test-book`) is
# not built by `make test` a second time: tests/test_student_book.py builds it
# already (the "full" book, the same config with execution off, beside the
# student edition), and the offline build differs from it only in where
# MathJax comes from.
test-pages: $(STAMP)
	$(MAKE) --no-print-directory book-offline
	$(MAKE) --no-print-directory test-browser

test-lib: $(STAMP)
	$(PYTEST) $(XDIST_FLAGS) tests --ignore=tests/browser --doctest-modules initlib

# The explorers carry every static frame, as in the committed notebooks (a
# reader's kernel shows only the first; see initlib.widgets.FRAMES_VARIABLE).
# nbval runs the chapters in a reader's environment, not make's: MPLBACKEND=Agg
# (as CI and Docker images set it) and no BLAS thread count (as a reader's
# Jupyter has none); `import initlib` must still give the committed outputs
# (initlib/_kernel.py), while the book build runs with make's settings.
# The longest chapters first (pytest collects the files in the order given, and
# each worker takes the next file when it is free): no long chapter is left to
# run alone at the end. Any other notebook follows, in name order.
NOTEBOOKS_FIRST := chapters/02_saturation.ipynb chapters/03_he_scaling.ipynb chapters/01_symmetry.ipynb \
                   chapters/90_explorers.ipynb chapters/06_normalization.ipynb
NOTEBOOKS := $(NOTEBOOKS_FIRST) $(filter-out $(NOTEBOOKS_FIRST),$(sort $(wildcard chapters/*.ipynb)))

test-notebooks: export INITLIB_EXPLORER_FRAMES = all
test-notebooks: $(STAMP)
	env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS MPLBACKEND=Agg $(PYTEST) $(XDIST_FLAGS) $(NBVAL_FLAGS) $(NOTEBOOKS)

# The book of _config.yml (MathJax from its CDN) with warnings as errors,
# from the committed outputs, into $(TEST_BOOK) (`make book` executes). Not a
# step of `make test`, which builds this book in tests/test_student_book.py.
TEST_BOOK := $(BUILD_DIR)/test-book

test-book: $(STAMP)
	$(PY) tools/offline_config.py --committed-outputs --cdn $(TEST_BOOK)/_config.yml
	$(JB) build . --config $(TEST_BOOK)/_config.yml --path-output $(TEST_BOOK) $(JB_FLAGS)

# The built book in headless Chromium (Debian's chromium + chromium-driver,
# driven by Selenium): the explorers' sliders change the figure with no kernel
# and no request leaves 127.0.0.1. Needs the offline book (make book-offline);
# skipped with an install hint where Chromium is missing, except with CI set.
# axe-core (AXE, defined with MATHJAX above: test-deps needs it) comes from npm.
$(AXE): tests/browser/package.json
	npm install --prefix tests/browser --no-audit --no-fund --no-package-lock
	@touch "$@"

test-browser: $(STAMP) $(AXE)
	BOOK_HTML="$(OFFLINE_HTML)" $(PYTEST) tests/browser --ignore=tests/browser/test_jupyterlab.py

# The explorers of every chapter in a real JupyterLab (started on 127.0.0.1
# over scratch copies of the explorer cells), in headless Chromium: live
# widget, each control moved by keyboard changes the figure, no error, no
# request leaving 127.0.0.1. Needs no built book.
test-lab: $(LAB_STAMP)
	$(PYTEST) tests/browser/test_jupyterlab.py

# ----------------------------------------------------------------- clean ----
clean:
	rm -rf "$(BUILD_DIR)" .jupyter_cache jupyter_execute .pytest_cache student
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 \
	  | xargs -0 rm -rf

distclean: clean
	rm -rf "$(VENV)" *.egg-info
