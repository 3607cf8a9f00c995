# Veileder — the two commands a newcomer needs:
#   make demo   set up, build the index from the bundled documents, ask a real question
#   make test   set up and run the whole test suite (what CI runs)
# and for measuring:
#   make bench  speed and memory figures        make quality  the scorer on the question sets

PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test test-fast bench quality quality-kfold setup dictionaries browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned to the CPU wheel: an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP) dictionaries

# Nynorsk→bokmål and English→Norwegian word maps for matching (Debian's FreeDict dictionaries);
# without them the answer path works as before and a warning in the log says what is missing.
dictionaries:
	@[ -f /usr/share/dictd/freedict-nno-nob.index ] && [ -f /usr/share/dictd/freedict-eng-nor.index ] || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dict-freedict-nno-nob dict-freedict-eng-nor >/dev/null) ; } || \
	  echo "dict-freedict-nno-nob / dict-freedict-eng-nor not installed: nynorsk and English questions are matched without word maps"

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

# Every shared question set scored by ../shared/eval/score.py (other-municipalities from its own index).
quality: setup
	$(BIN)/python -m bench.quality

# Weights and thresholds chosen on 4 folds, reported on the 5th (README "Quality").
quality-kfold: setup
	$(BIN)/python -m bench.quality --kfold 5

clean:
	rm -rf $(VENV) build *.egg-info
