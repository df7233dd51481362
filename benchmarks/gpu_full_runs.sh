#!/usr/bin/env bash
# The full-mode runs of benchmarks/full_runs.py on a GPU machine with Keras/JAX, most
# valuable first, each writing its own results file into $1 (so a run cut short still
# returns what finished).
#   Usage: bash benchmarks/gpu_full_runs.sh OUT_DIR [TAG [RUN ...]]
# The default runs are those no GPU has measured yet, shortest first (H100 estimates:
# ResNet-20 ~3.5 min, GoogLeNet-CIFAR ~4 min, DenseNet-BC 300 epochs and the four
# degradation nets take longer than one 15-minute session); the runs measured before
# (vgg_cifar10 alexnet_cifar10 lenet5 keras_io_mnist zfnet_stems relu_vs_tanh) can be
# named to measure them again.
set -uo pipefail
out=${1:?usage: gpu_full_runs.sh OUT_DIR [TAG [RUN ...]]}
tag=${2:-h100_jax}
shift $(( $# < 2 ? $# : 2 ))
runs=("$@")
if [ ${#runs[@]} -eq 0 ]; then
  runs=(resnet_cifar10 googlenet_cifar10 densenet_bc_cifar10 degradation)
fi
export KERAS_BACKEND=${KERAS_BACKEND:-jax} PYTHONUNBUFFERED=1
python3 -c "import jax, keras; print('jax', jax.__version__, jax.devices(), 'keras', keras.__version__)"
for run in "${runs[@]}"; do
  python3 benchmarks/full_runs.py "$run" --tag "$tag" --out "$out" || echo "FAILED: $run"
done
