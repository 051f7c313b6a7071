# The two commands: `make build` and `make test`. Each installs what it needs where missing:
# Debian packages through apt-get, Python packages into .venv/, the npm checkers into
# checkers/node_modules/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Fonts (Noto CJK; the Fandol 仿宋/楷体/黑体 of the gongwen theme come with texlive-lang-chinese,
# the only Debian package carrying a 仿宋 with all 6,763 GB2312 hanzi), poppler
# (pdffonts/pdftotext/pdftoppm), HarfBuzz subsetting for fast WeasyPrint.
BUILD_DEBS := fonts-noto-cjk texlive-lang-chinese poppler-utils libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
# What the tests read outputs back with; pandoc is the peer in bench/.
TEST_DEBS := $(BUILD_DEBS) epubcheck default-jre-headless libreoffice-writer-nogui python3-uno chromium pandoc
# Node.js for the npm checkers (DAISY Ace, the Nu HTML Checker), where the machine has none.
NODE_DEBS := nodejs npm
CHECKERS := checkers/node_modules/.installed

.PHONY: build test lint bench clean system-build system-test

build: system-build $(VENV)/.installed
	@$(BIN)/python -m compileall -q src
	$(BIN)/report-export build

test: system-test $(VENV)/.installed $(CHECKERS)
	$(BIN)/ruff check setup.py src tests bench
	$(BIN)/ruff format --check setup.py src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

# Bytecode of our own sources is compiled ahead, as pip does for installed packages (this
# machine sets PYTHONDONTWRITEBYTECODE, so imports would compile it on every run).
bench: system-test $(VENV)/.installed
	@$(BIN)/python -m compileall -q src
	$(BIN)/python bench/run.py
	$(BIN)/python bench/scaling.py

system-build:
	@scripts/ensure-system-packages $(BUILD_DEBS)
	@scripts/link-tex-fonts

system-test:
	@scripts/ensure-system-packages $(TEST_DEBS)
	@scripts/link-tex-fonts

# The versions are pinned in checkers/package-lock.json. No install scripts: Puppeteer's would
# download a browser of its own (Ace drives Debian's Chromium) and vnu-jar's a Java runtime.
$(CHECKERS): checkers/package.json checkers/package-lock.json
	@command -v npm >/dev/null || scripts/ensure-system-packages $(NODE_DEBS)
	cd checkers && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

clean:
	rm -rf out checkers/node_modules
