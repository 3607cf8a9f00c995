# Veileder — the two commands a newcomer needs:
#   make demo   set up, build the index from the bundled documents, ask a real question
#   make test   set up and run the whole test suite (what CI runs)
# and for measuring:
#   make bench  speed and memory figures        make quality  the scorer on the question sets
#   make bench-burst  200 questions at once through Slack and Teams: median wait / drain time
#   make bench-index-sharing  a new index generation reaching another replica: shared volume vs PostgreSQL

PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test test-fast bench bench-burst bench-index-sharing quality quality-kfold setup system-packages readers dictionaries card-renderer previews clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned to the CPU wheel: an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP) readers dictionaries

# Nynorsk→bokmål and English→Norwegian word maps for matching (Debian's FreeDict dictionaries);
# without them the answer path works as before and a warning in the log says what is missing.
dictionaries:
	@[ -f /usr/share/dictd/freedict-nno-nob.index ] && [ -f /usr/share/dictd/freedict-eng-nor.index ] || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dict-freedict-nno-nob dict-freedict-eng-nor >/dev/null) ; } || \
	  echo "dict-freedict-nno-nob / dict-freedict-eng-nor not installed: nynorsk and English questions are matched without word maps"

demo: setup
	$(BIN)/veileder ask "Kan jeg uttale meg til pressen?" --municipality ostre-toten --role employee

# Debian packages some features and tests need. As root with apt-get they are installed when missing;
# otherwise each missing one is named and the tests that need it are skipped (listed at the end of the run).
#   chromium     the admin page's and the Teams cards' browser tests
#   postgresql   the question log on PostgreSQL (the tests start a throwaway server)
SYSTEM_PACKAGES = chromium:chromium postgresql:initdb

# Microsoft's Adaptive Cards renderer (npm `adaptivecards`, pinned in tests/docs/npm/package.json) for
# the card previews' browser test; without npm that test is skipped.
card-renderer:
	@[ -f tests/docs/npm/node_modules/adaptivecards/dist/adaptivecards.min.js ] || \
	  { command -v npm >/dev/null 2>&1 && npm install --silent --no-audit --no-fund --prefix tests/docs/npm >/dev/null ; } || \
	  echo "npm not available: the card preview test will be skipped"

# The README's card previews (docs/advisers/*.png), rendered as the tests render them.
previews: setup system-packages card-renderer
	$(BIN)/python -m tests.docs.previews

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

# Scanned PDFs are OCR'd with Tesseract's Norwegian model; .doc/.odt/.rtf are converted by LibreOffice
# (Debian's packages). Without them those files are skipped with the reason and the install command.
READER_PACKAGES = tesseract-ocr tesseract-ocr-nor libreoffice-writer-nogui
readers:
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx nor && command -v soffice >/dev/null 2>&1 ; } || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(READER_PACKAGES) >/dev/null) ; } || \
	  echo "OCR or LibreOffice not installed: scanned PDFs and .doc/.odt/.rtf files will be skipped; install with: sudo apt-get install $(READER_PACKAGES)"

test: setup system-packages card-renderer
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not model"

bench: setup
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.pdf_engines

bench-burst: setup
	$(BIN)/python -m bench.burst

# Needs PostgreSQL's server binaries (a throwaway server is started, as the tests do).
bench-index-sharing: setup system-packages
	$(BIN)/python -m bench.index_sharing

# Every shared question set scored by ../shared/eval/score.py (other-municipalities from its own index).
quality: setup
	$(BIN)/python -m bench.quality

# Weights and thresholds chosen on 4 folds, reported on the 5th (README "Quality").
quality-kfold: setup
	$(BIN)/python -m bench.quality --kfold 5

clean:
	rm -rf $(VENV) build *.egg-info
