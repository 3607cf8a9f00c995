# Veileder — the two commands a newcomer needs:
#   make demo   set up, build the index from the bundled documents, ask a real question
#   make test   set up and run the whole test suite (what CI runs)
# and for measuring:
#   make bench  speed and memory figures        make quality  the scorer on the question sets
#   make bench-burst  200 questions at once through Slack and Teams: median wait / drain time

PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test test-fast bench bench-burst quality setup system-packages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned to the CPU wheel: an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/veileder ask "Kan jeg uttale meg til pressen?" --municipality ostre-toten --role employee

# Debian packages some features and tests need. As root with apt-get they are installed when missing;
# otherwise each missing one is named and the tests that need it are skipped (listed at the end of the run).
#   chromium     the admin page's and the Teams cards' browser tests
#   postgresql   the question log on PostgreSQL (the tests start a throwaway server)
SYSTEM_PACKAGES = chromium:chromium postgresql:initdb

system-packages:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do pkg=$${pair%%:*}; cmd=$${pair#*:}; \
	  command -v $$cmd >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/$$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
	      || echo "could not install$$missing: the tests that need them will be skipped"; \
	  else echo "not installed:$$missing (sudo apt-get install$$missing): the tests that need them will be skipped"; fi; \
	fi

test: setup system-packages
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not model"

bench: setup
	$(BIN)/python -m bench.run

bench-burst: setup
	$(BIN)/python -m bench.burst

quality: setup
	$(BIN)/python ../shared/eval/score.py ../shared/eval/dev_questions.jsonl --cmd "$(BIN)/veileder ask --batch {questions} --json"
	$(BIN)/python ../shared/eval/score.py bench/heldout_questions.jsonl --cmd "$(BIN)/veileder ask --batch {questions} --json"

clean:
	rm -rf $(VENV) build *.egg-info
