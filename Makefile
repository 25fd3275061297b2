# Two commands for a new user: `make run` (set up + start the app) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup run test lint bench bench-start screenshot package clean translations

setup:
	bash scripts/setup.sh

run: setup
	$(VENV)/bin/smallwise

test: setup
	$(VENV)/bin/ruff check desktop_app tests benchmarks packaging eval
	$(VENV)/bin/mypy
	$(PY) -m pytest -ra

lint: setup
	$(VENV)/bin/ruff check desktop_app tests benchmarks packaging eval
	$(VENV)/bin/mypy

# The window's strings: extracted into resources/i18n/*.ts (translate them there, e.g. with
# .venv/bin/pyside6-linguist), then built into the .qm files the app loads. `make setup` builds
# the .qm files only.
translations: setup
	$(PY) scripts/translations.py update
	$(PY) scripts/translations.py release

bench: setup
	$(PY) benchmarks/engine_overhead.py

# Cold start to the first window, the frozen build next to the virtualenv (after make package).
bench-start: setup
	$(PY) benchmarks/frozen_start.py

screenshot: setup
	SMALLWISE_SCREENSHOT_TO=docs/screenshot.png SMALLWISE_SCREENSHOT_DIR=docs \
		$(PY) -m pytest -ra tests/test_xvfb_window.py tests/test_xvfb_screens.py

# The Linux .deb (PyInstaller one-folder under /opt/smallwise), its smoke test, and the checks of
# every installer recipe. BUNDLE_STARTER=1 builds the variant that carries the starter model.
BUNDLE_STARTER ?= 0
package:
	SMALLWISE_PACKAGING=1 bash scripts/setup.sh
	deb=$$(BUNDLE_STARTER=$(BUNDLE_STARTER) bash packaging/build_deb.sh | tail -n 1) && \
		bash packaging/smoke_test.sh "$$deb" && bash packaging/check_installers.sh "$$deb"

clean:
	rm -rf $(VENV) build dist *.egg-info
