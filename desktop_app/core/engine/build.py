"""What the installed llama.cpp build can do: its backends (CPU, CUDA, Metal, …), the devices
they can open, and where offloaded layers really run. Runs in the engine worker or a throw-away
process (a broken build can crash on import). No Qt here.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

DEVICE_TYPES = ("cpu", "gpu", "igpu", "accel", "meta")  # enum ggml_backend_dev_type


@functools.cache  # declares the signatures and loads DL backends once per process
def libggml() -> Any:
    """ggml's functions as libllama sees them. On Linux the wheel carries libggml twice (libggml.so
    and libggml.so.0, files, not links), and opening the first by path would load a second copy
    with a registry of its own; looking the symbols up through libllama's handle finds the copy
    it linked. Windows has one ggml.dll, and GetProcAddress searches only the DLL it is given."""
    import ctypes

    import llama_cpp.llama_cpp

    if sys.platform == "win32":
        from llama_cpp._ggml import libggml as lib
    else:
        lib = llama_cpp.llama_cpp._lib
    vp, size = ctypes.c_void_p, ctypes.c_size_t
    for name, restype, argtypes in (
        ("ggml_backend_load_all_from_path", None, [ctypes.c_char_p]),
        ("ggml_backend_reg_count", size, []),
        ("ggml_backend_reg_get", vp, [size]),
        ("ggml_backend_reg_name", ctypes.c_char_p, [vp]),
        ("ggml_backend_dev_count", size, []),
        ("ggml_backend_dev_get", vp, [size]),
        ("ggml_backend_dev_name", ctypes.c_char_p, [vp]),
        ("ggml_backend_dev_description", ctypes.c_char_p, [vp]),
        ("ggml_backend_dev_type", ctypes.c_int, [vp]),
        ("ggml_backend_dev_memory", None, [vp, ctypes.POINTER(size), ctypes.POINTER(size)]),
    ):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    if lib.ggml_backend_reg_count() == 0:
        # A build with loadable backends (GGML_BACKEND_DL: the GPU variants) registers none
        # until asked. A module that cannot load here (the CUDA one without the NVIDIA driver)
        # is skipped, and the CPU one still runs.
        lib.ggml_backend_load_all_from_path(
            os.path.dirname(llama_cpp.llama_cpp._lib._name).encode()
        )
    return lib


def ggml_backends() -> list[str]:
    """The backends compiled into this llama.cpp build: ["CPU"], ["CUDA", "CPU"], ["Metal", …],
    whether or not a device for them is present. How the app finds out which build it got."""
    lib = libggml()
    count = lib.ggml_backend_reg_count()
    return [lib.ggml_backend_reg_name(lib.ggml_backend_reg_get(i)).decode() for i in range(count)]


def ggml_devices() -> list[dict[str, Any]]:
    """The devices those backends could open: "CPU" always; "CUDA0", "Metal", "Vulkan0", …
    where the build has the backend and the machine has the GPU and its driver."""
    import ctypes

    lib, size = libggml(), ctypes.c_size_t
    devices = []
    for i in range(lib.ggml_backend_dev_count()):
        dev = lib.ggml_backend_dev_get(i)
        free, total = size(0), size(0)
        lib.ggml_backend_dev_memory(dev, ctypes.byref(free), ctypes.byref(total))
        kind = lib.ggml_backend_dev_type(dev)
        devices.append(
            {
                "name": lib.ggml_backend_dev_name(dev).decode(),
                "description": (lib.ggml_backend_dev_description(dev) or b"").decode().strip(),
                "type": DEVICE_TYPES[kind] if 0 <= kind < len(DEVICE_TYPES) else str(kind),
                "memory_free_bytes": free.value,
                "memory_total_bytes": total.value,
            }
        )
    return devices


CPU_BACKENDS = {"CPU", "BLAS", "AMX", "RPC"}  # run on the CPU, or (RPC) not a local GPU


def build_label(backends: list[str]) -> str:
    """The GPU backends of the build ("CUDA", "Metal", "Vulkan", …), or "CPU" if it has none."""
    return ", ".join(b for b in backends if b not in CPU_BACKENDS) or "CPU"


def offload_device(n_gpu_layers: int) -> str:
    """Where layers asked for the GPU really go: the first GPU device, else the CPU."""
    if not n_gpu_layers:
        return "CPU"
    try:
        gpus = [d for d in ggml_devices() if d["type"] in ("gpu", "igpu")]
    except (AttributeError, OSError):  # an older build without the device registry
        return "CPU"
    return f"{gpus[0]['name']} ({gpus[0]['description']})" if gpus else "CPU"


def probe() -> dict[str, Any]:
    """What the installed llama.cpp build offers; run in a throw-away process (a broken build
    can crash on import)."""
    import llama_cpp

    backends = ggml_backends()
    return {
        "llama_cpp_python": llama_cpp.__version__,
        "build": build_label(backends),
        "backends": backends,
        "devices": ggml_devices(),
        "system_info": llama_cpp.llama_print_system_info().decode().strip(),
        "gpu_offload": bool(llama_cpp.llama_supports_gpu_offload()),
    }


# -- asked once ----------------------------------------------------------------------------------
CACHE_FILE = "llama-build.json"


def probe_in_process(timeout: float = 60.0) -> dict[str, Any]:
    """probe() in a throw-away process: {"error": …} when the build cannot even load."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    try:
        with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
            return pool.submit(probe).result(timeout=timeout)
    except Exception as exc:  # a build that cannot load is exactly what must be reported
        return {"error": f"llama.cpp could not be loaded: {exc!r}"}


def fingerprint() -> str:
    """What identifies the installed llama.cpp build without loading it: its libraries' names,
    sizes and times (or, frozen, the program's)."""
    import hashlib
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("llama_cpp")
    origin = spec.origin if spec is not None else None
    folder = Path(origin).parent / "lib" if origin else None
    files = sorted(folder.iterdir()) if folder is not None and folder.is_dir() else []
    files = files or [Path(sys.executable)]
    stamp = "|".join(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)
    return hashlib.sha256(stamp.encode()).hexdigest()[:16]


def known(cache_dir: Any) -> dict[str, Any]:
    """What this build can do, probed once per installed build and remembered in `cache_dir`
    (the profile's data folder): start-up and `smallwise plan` learn it without loading
    llama.cpp each time."""
    import json
    from pathlib import Path

    cache, key = Path(cache_dir) / CACHE_FILE, fingerprint()
    try:
        saved = json.loads(cache.read_text())
        if saved.get("fingerprint") == key and isinstance(saved.get("probe"), dict):
            return saved["probe"]
    except (OSError, ValueError):
        pass
    found = probe_in_process()
    if "error" not in found:
        try:
            cache.write_text(json.dumps({"fingerprint": key, "probe": found}))
        except OSError:
            pass  # only a cache
    return found
