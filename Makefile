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

.PHONY: demo test test-fast bench bench-burst quality setup browser clean

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

# The admin page is tested in a real headless Chromium (Debian's package); without it that test is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "chromium not installed: the admin page browser test will be skipped"

test: setup browser
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
