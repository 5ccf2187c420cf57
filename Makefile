# One entry point for people and CI.  Everything runs in .venv, created on
# first use from the project's own pyproject.toml.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: test shell install bench fuzz docs clean

# Run the whole test suite (what .ci/run calls).
test: $(STAMP)
	$(BIN)/python -m pytest

# Install and open the SmartOS root shell on the embedded default host.
shell: $(STAMP)
	$(BIN)/kdebug shell

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Benchmarks: ratios against baselines measured in the same run.
bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Longer fuzzing by hand: make fuzz COUNT=100000
COUNT ?= 10000
fuzz: $(STAMP)
	KDEBUG_FUZZ_EXAMPLES=$(COUNT) $(BIN)/python -m pytest tests -k fuzz -p no:cacheprovider

# Regenerate docs/tutorial.md (runs every command on a fresh host) and docs/reference.md.
docs: $(STAMP)
	$(BIN)/python scripts/make-tutorial.py
	$(BIN)/python scripts/make-reference.py

clean:
	rm -rf $(VENV) build dist *.egg-info
