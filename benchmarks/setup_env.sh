#!/usr/bin/env bash
# Create benchmarks/.venv: gan_infer (editable, with its TensorFlow dependencies)
# plus the peer libraries of benchmarks/requirements.txt (PyTorch, JAX, optax),
# so that one interpreter can run every row of the benchmark.
#
#   bash benchmarks/setup_env.sh            # then: benchmarks/.venv/bin/python benchmarks/run_all.py
#   PYTHON=python3.11 bash benchmarks/setup_env.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e "$root"
# Where pip finds a CPU-only torch wheel (a local wheel folder or pip's
# find-links configuration does), torch==2.13.0 matches 2.13.0+cpu. Elsewhere
# PyPI's Linux torch wheel pulls the CUDA libraries (gigabytes): point
# TORCH_INDEX_URL at a CPU-only wheel index to avoid them.
extra=()
if [ -n "${TORCH_INDEX_URL:-}" ]; then
    extra=(--extra-index-url "$TORCH_INDEX_URL")
fi
"$venv/bin/python" -m pip install --quiet -r "$here/requirements.txt" "${extra[@]}"
"$venv/bin/python" - <<'PY'
import importlib
for name in ("gan_infer", "tensorflow", "torch", "jax", "optax"):
    try:
        module = importlib.import_module(name)
        print(f"{name:12s} {getattr(module, '__version__', 'installed')}")
    except Exception as error:  # report, do not fail: the harness skips missing peers
        print(f"{name:12s} NOT AVAILABLE ({type(error).__name__}: {error})")
PY
echo "Benchmark environment ready: $venv/bin/python $here/run_all.py"
