#!/usr/bin/env bash
# The full-mode runs of benchmarks/full_runs.py on a GPU machine with Keras/JAX, most
# valuable first, each writing its own results file into $1 (so a run cut short still
# returns what finished). Usage: bash benchmarks/gpu_full_runs.sh OUT_DIR [TAG]
set -uo pipefail
out=${1:?usage: gpu_full_runs.sh OUT_DIR [TAG]}
tag=${2:-h100_jax}
export KERAS_BACKEND=${KERAS_BACKEND:-jax} PYTHONUNBUFFERED=1
python3 -c "import jax, keras; print('jax', jax.__version__, jax.devices(), 'keras', keras.__version__)"
for run in vgg_cifar10 alexnet_cifar10 lenet5 keras_io_mnist zfnet_stems relu_vs_tanh; do
  python3 benchmarks/full_runs.py "$run" --tag "$tag" --out "$out" || echo "FAILED: $run"
done
