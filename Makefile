# Set-up and everyday commands. Each target creates its virtualenv and installs what it needs.
#   make lab        JupyterLab on lessons/ (TensorFlow backend)
#   make test       lint + unit tests + every lesson executed by nbval, smoke mode, TensorFlow
#   make test-jax   the same tests and lessons on Keras/JAX, in a virtualenv without TensorFlow
#   make lint       ruff check + ruff format --check on the library, tests, tools and lessons
#   make lessons    execute every lesson headless into $(OUT) (MODE=smoke or full)
#   make data       download and verify MNIST and CIFAR-10 into $(DATA_DIR)
#   make test-full  on a GPU runtime: full recipes, lessons in full mode, results in band
#                   (TAG=name of the results files, BACKEND=tensorflow or jax)
#   make bench      course builders vs keras.applications (training images/s, ratio
#                   >= 0.98) and input pipeline vs model, on both backends

PYTHON ?= python3
VENV ?= .venv
VENV_JAX ?= .venv-jax
PY := $(VENV)/bin/python
PY_JAX := $(VENV_JAX)/bin/python
STAMP := $(VENV)/.installed
STAMP_JAX := $(VENV_JAX)/.installed
MODE ?= full
OUT ?= build/lessons
DATA_DIR ?= data
CELL_TIMEOUT ?= 300
# Extra JupyterLab options, e.g. LAB_ARGS="--no-browser --port 8899". As root (containers)
# --allow-root is always added, whatever LAB_ARGS holds.
LAB_ARGS ?=
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root,)
# JupyterLab's default settings for this venv: no "get notified about official Jupyter
# news?" pop-up and no update check over the first lesson.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=$(CELL_TIMEOUT) -p no:cacheprovider
# Two test processes, one test file (one lesson's kernel) each at a time: XLA compiles on
# one core, so two processes keep both busy (measured: JAX leg 10.2 -> 6.9 minutes).
PARALLEL ?= -n 2 --dist loadfile
CHECK_PYTHON := import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
	"Python 3.11+ is needed (the pinned NumPy has no older builds); found " + sys.version)

# make test-full: the full recipes whose headline results have bands
# (course_lib/training/bands.py), the backend, the results files' tag, a cell time
# limit that fits a full training run, and the lessons to execute in full mode (all by
# default; e.g. LESSONS="05 09" on a GPU session too short for all of them). The
# lessons' run is recorded in course_lib/results/lesson_runs_full_$(TAG).json.
FULL_RUNS ?= lenet5 keras_io_mnist alexnet_cifar10 vgg_cifar10 resnet_cifar10 densenet_bc_cifar10
BACKEND ?= tensorflow
TAG ?= full_$(BACKEND)
FULL_CELL_TIMEOUT ?= 7200
LESSONS ?=
FULL_PY := $(if $(filter jax,$(BACKEND)),$(PY_JAX),$(PY))
FULL_SETUP := $(if $(filter jax,$(BACKEND)),setup-jax,setup)

export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: setup setup-jax lab test test-jax test-full bench unit lint lessons data clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c '$(CHECK_PYTHON)'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup-jax: $(STAMP_JAX)

$(STAMP_JAX): requirements-jax.txt pyproject.toml
	@$(PYTHON) -c '$(CHECK_PYTHON)'
	test -x $(PY_JAX) || $(PYTHON) -m venv $(VENV_JAX)
	$(PY_JAX) -m pip install --quiet --upgrade pip
	$(PY_JAX) -m pip install --quiet -r requirements-jax.txt
	$(PY_JAX) -m pip install --quiet --no-deps -e .
	@# The point of this leg: the course must not need TensorFlow.
	@! $(PY_JAX) -c 'import tensorflow' 2>/dev/null || (echo "tensorflow must not be installed in $(VENV_JAX)"; exit 1)
	touch $(STAMP_JAX)

lab: setup
	mkdir -p $(dir $(LAB_OVERRIDES)) && cp tools/jupyterlab_overrides.json $(LAB_OVERRIDES)
	$(VENV)/bin/jupyter lab --notebook-dir=lessons $(ROOT_ARGS) $(LAB_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	COURSE_MODE=smoke KERAS_BACKEND=tensorflow $(PY) -m pytest tests lessons $(NBVAL) $(PARALLEL)

# JAX compiles a model's random initialisers once per weight shape, in every process;
# a compilation cache on disk lets the lessons reuse what the unit tests compiled.
JAX_CACHE := JAX_COMPILATION_CACHE_DIR=$(CURDIR)/build/jax_cache \
	JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES=0

test-jax: setup-jax
	COURSE_MODE=smoke KERAS_BACKEND=jax $(JAX_CACHE) $(PY_JAX) -m pytest tests lessons \
		$(NBVAL) $(PARALLEL)

test-full: $(FULL_SETUP)
	KERAS_BACKEND=$(BACKEND) $(FULL_PY) benchmarks/full_runs.py $(FULL_RUNS) --tag $(TAG)
	COURSE_MODE=full KERAS_BACKEND=$(BACKEND) $(FULL_PY) tools/run_lessons.py \
		--out build/lessons_full --timeout $(FULL_CELL_TIMEOUT) --record --tag $(TAG) \
		$(if $(LESSONS),--only $(LESSONS),)
	$(FULL_PY) tools/check_bands.py --tag $(TAG) $(FULL_RUNS)

# make bench: BENCH_ARGS go to bench_applications.py (e.g. BENCH_ARGS="--models vgg16").
BENCH_ARGS ?=
bench: setup setup-jax
	KERAS_BACKEND=tensorflow $(PY) benchmarks/bench_applications.py $(BENCH_ARGS)
	KERAS_BACKEND=jax $(JAX_CACHE) $(PY_JAX) benchmarks/bench_applications.py $(BENCH_ARGS)
	KERAS_BACKEND=tensorflow $(PY) benchmarks/pipeline_throughput.py
	KERAS_BACKEND=jax $(JAX_CACHE) $(PY_JAX) benchmarks/pipeline_throughput.py

unit: setup
	COURSE_MODE=smoke $(PY) -m pytest tests -p no:cacheprovider

lessons: setup
	COURSE_MODE=$(MODE) $(PY) tools/run_lessons.py --out $(OUT) --timeout $(CELL_TIMEOUT)

data: setup
	$(PY) data_scripts/download.py mnist cifar10 --dir $(DATA_DIR)

clean:
	rm -rf build .pytest_cache
