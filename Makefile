# Set-up and everyday commands. Each target creates .venv and installs what it needs.
#   make lab       JupyterLab on lessons/
#   make test      unit tests + every lesson executed by nbval in smoke mode
#   make lessons   execute every lesson headless into $(OUT) (MODE=smoke or full)
#   make data      download and verify MNIST and CIFAR-10 into $(DATA_DIR)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MODE ?= full
OUT ?= build/lessons
DATA_DIR ?= data
CELL_TIMEOUT ?= 300
# Extra JupyterLab options, e.g. LAB_ARGS="--no-browser --port 8899"; root (containers)
# needs --allow-root, which is added automatically.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: setup lab test unit lessons data clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10+ is needed; found " + sys.version)'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=lessons $(LAB_ARGS)

test: setup
	COURSE_MODE=smoke $(PY) -m pytest tests lessons --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=$(CELL_TIMEOUT) -p no:cacheprovider

unit: setup
	COURSE_MODE=smoke $(PY) -m pytest tests -p no:cacheprovider

lessons: setup
	COURSE_MODE=$(MODE) $(PY) tools/run_lessons.py --out $(OUT) --timeout $(CELL_TIMEOUT)

data: setup
	$(PY) data_scripts/download.py mnist cifar10 --dir $(DATA_DIR)

clean:
	rm -rf build .pytest_cache
