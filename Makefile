# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.spark-installed

.PHONY: demo test lint setup spark clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# The Spark extra (pyspark, dbt-spark) in the same venv, for `--target spark`.
spark: $(SPARK_STAMP)

$(SPARK_STAMP): $(STAMP) requirements-spark.txt
	bash scripts/ensure_java.sh
	$(BIN)/pip install --quiet -r requirements-spark.txt -c requirements.txt
	touch $(SPARK_STAMP)

demo: $(STAMP)
	$(BIN)/graphlets demo

# SQL style: .sqlfluff (dbt templater on an in-memory target: no data directory needed).
# It lints models and singular tests; macros (and generic tests, .sqlfluffignore) it cannot.
lint: $(STAMP)
	$(BIN)/ruff check python benchmarks
	$(BIN)/ruff format --check python benchmarks
	$(BIN)/sqlfluff lint models tests --disable-progress-bar

test: $(STAMP) lint spark
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_db_servers.sh
	$(BIN)/pytest

clean:
	rm -rf $(VENV) data target logs
