# `make demo` trains the MNIST GAN tutorial (15,000 iterations); `make test` runs the lint
# step (`make lint`, ruff) and then the tests. All create .venv with everything the project
# needs on first use (Ray included, for the test of `gan-infer sweep`).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The MNIST files shipped beside this checkout, when present; otherwise the
# loader uses $GAN_INFER_DATA_DIR or its per-user cache and downloads.
SHARED_MNIST := $(wildcard ../shared/datasets/mnist/train-images-idx3-ubyte.gz)
DATA_DIR ?= $(if $(SHARED_MNIST),../shared/datasets/mnist,)
OUT_DIR ?= out/gan_mnist
N_ITER ?= 15000

.PHONY: demo test lint bench venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,sweep]'
	touch $@

# Quiet: gan_infer keeps TensorFlow's start-up logs off the console (GAN_INFER_VERBOSE=1 shows them).
demo: venv
	$(PY) examples/gan_mnist.py --n-iter $(N_ITER) --out-dir $(OUT_DIR) $(if $(DATA_DIR),--data-dir $(DATA_DIR),)

# The lint step runs first, so CI (.ci/run calls `make test`) fails on a violation.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Two pytest workers (pytest-xdist): most of the suite's time is examples and
# resume tests in subprocesses, which overlap well on a 2-core machine
# (measured here: 11 min 18 s; one worker took about 15 min).
test: lint
	$(PY) -m pytest -q -n 2 tests

# Speed and memory tables (issue 5): gan_infer beside raw TF, tf.function, XLA,
# JAX and PyTorch, in a separate environment (benchmarks/.venv) so that the
# peers never become dependencies of the package.
bench:
	bash benchmarks/setup_env.sh
	TF_CPP_MIN_LOG_LEVEL=2 benchmarks/.venv/bin/python benchmarks/run_all.py --threads 1 --output docs/benchmarks.md
	# The same tables with every usable core per library (as TensorFlow uses by default).
	TF_CPP_MIN_LOG_LEVEL=2 benchmarks/.venv/bin/python benchmarks/run_all.py --skip-dcgan --output docs/benchmarks_all_cores.md

clean:
	rm -rf $(VENV) out .pytest_cache
