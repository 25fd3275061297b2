#!/usr/bin/env bash
# GPU offload checked on a lent GPU machine (the workplace's device tool; CI never has one).
#
#   benchmarks/gpu_device.sh --prepare   here: llama-cpp-python's source, slimmed to what a
#                                        CUDA build needs (5 MB), and the wheels of the few
#                                        packages the GPU machine's Python lacks, into .gpu/
#   benchmarks/gpu_device.sh             there (carry .gpu): builds llama-cpp-python with CUDA
#                                        for Hopper (sm_90), then benchmarks/gpu_offload.py
#
# The GPU machine has nvcc, CMake, ninja, scikit-build-core and Python 3.12 but reaches no
# network, so everything comes with the working tree. Flash-attention kernels are left out
# of this build (GGML_CUDA_FA=OFF) to keep it within minutes; llama.cpp then runs attention
# without them, as it does on any GPU they do not support.
set -u
VERSION=0.3.36
HERE=$(cd "$(dirname "$0")/.." && pwd)
CARRY=$HERE/.gpu

if [ "${1:-}" = --prepare ]; then
    set -e
    grep -qx '/.gpu/' "$HERE/.git/info/exclude" || echo /.gpu/ >>"$HERE/.git/info/exclude"
    rm -rf "$CARRY" && mkdir -p "$CARRY"
    work=$(mktemp -d)
    python3 -m pip download -q --no-deps --no-binary=:all: "llama-cpp-python==$VERSION" -d "$work"
    tar xzf "$work/llama_cpp_python-$VERSION.tar.gz" -C "$work"
    src=$work/llama_cpp_python-$VERSION
    v=$src/vendor/llama.cpp
    rm -rf "$src"/{.git,.github,docker,examples} "$v"/{models,docs,benches,tests,examples}
    rm -rf "$v"/{conversion,scripts} "$v"/tools/{ui,server}
    for backend in et metal hexagon sycl vulkan opencl; do rm -rf "$v/ggml/src/ggml-$backend"; done
    tar cJf "$CARRY/llama-cpp-python.tar.xz" -C "$work" "llama_cpp_python-$VERSION"
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        -d "$CARRY" platformdirs sqlite-utils sqlite-fts4 diskcache gguf jsonschema \
        jsonschema-specifications referencing rpds-py
    rm -rf "$work"
    du -sh "$CARRY"
    exit 0
fi

OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
export PATH=$PATH:/usr/local/cuda/bin PYTHONUNBUFFERED=1 HF_HUB_DISABLE_TELEMETRY=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
nvcc --version | tail -1
python3 -m pip install -q --upgrade --no-index --no-deps --no-compile --target /tmp/site "$CARRY"/*.whl
mkdir -p /tmp/src && tar xJf "$CARRY/llama-cpp-python.tar.xz" -C /tmp/src
flags="-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=90-real -DGGML_CUDA_FA=OFF -DGGML_CUDA_NCCL=OFF"
flags="$flags -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF"
# cuBLAS from the toolkit, or else from the nvidia-cublas wheel beside PyTorch
toolkit=$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")
if ! find "$toolkit"/ -name 'libcublas.so*' 2>/dev/null | grep -q .; then
    lib=$(find / -xdev -name 'libcublas.so.*' -not -path '/proc/*' 2>/dev/null | head -1)
    lt=$(find / -xdev -name 'libcublasLt.so.*' -not -path '/proc/*' 2>/dev/null | head -1)
    inc=$(dirname "$(find / -xdev -name cublas_v2.h -not -path '/proc/*' 2>/dev/null | head -1)")
    echo "cuBLAS not in $toolkit: using $lib, $lt, $inc"
    flags="$flags -DCUDA_cublas_LIBRARY=$lib -DCUDA_cublasLt_LIBRARY=$lt"
    flags="$flags -DCMAKE_CUDA_FLAGS=-I$inc -DCMAKE_CXX_FLAGS=-I$inc"
    export LD_LIBRARY_PATH=$(dirname "$lib"):${LD_LIBRARY_PATH:-}
fi
if ! find "$toolkit"/ -name 'libcuda.so' 2>/dev/null | grep -q .; then  # the driver's, no stub
    driver=$(find / -xdev -name 'libcuda.so*' -not -path '/proc/*' 2>/dev/null | head -1)
    echo "no libcuda stub in $toolkit: using $driver"
    flags="$flags -DCUDA_cuda_driver_LIBRARY=$driver"
fi
started=$(date +%s)
[ -d /tmp/llama/llama_cpp ] && echo "built before (a warm machine)" || CMAKE_ARGS="$flags" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) \
    timeout "${BUILD_LIMIT_S:-420}" python3 -m pip install -v --no-build-isolation --no-deps \
    --no-index --target /tmp/llama "/tmp/src/llama_cpp_python-$VERSION" >"$OUT/build.log" 2>&1
status=$?
echo "llama-cpp-python CUDA build: exit $status in $(($(date +%s) - started)) s"
[ $status -eq 0 ] || { tail -30 "$OUT/build.log"; exit $status; }
# Smallwise from this tree, its resources/ where an install puts them (desktop_app.resources)
[ -e "$HERE/desktop_app/resources" ] || ln -s ../resources "$HERE/desktop_app/resources"
export PYTHONPATH=/tmp/llama:/tmp/site:$HERE
python3 "$HERE/benchmarks/gpu_offload.py" "$@" 2>&1 | tee "$OUT/gpu_offload.txt"
