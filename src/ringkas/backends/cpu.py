"""What this x86 CPU offers CTranslate2's int8 kernels, in one place.

CTranslate2 runs int8 GEMMs with Intel MKL on Intel CPUs and with oneDNN elsewhere (or as
``CT2_USE_MKL`` says). Without VNNI (``avx512_vnni``/``avx_vnni``), oneDNN's u8s8 kernel adds
pairs of byte products in 16-bit integers that saturate, which gives wrong outputs (measured on
an AMD EPYC: "the olddddge" for "the old bridge"). MKL is exact there but slow on AMD, so without
VNNI on a non-Intel CPU the default CPU engine is CTranslate2 float32 (see docs/performance.md).
"""

from __future__ import annotations

import functools
import os
import platform
from pathlib import Path

__all__ = ["cpu_vendor", "has_vnni", "int8_exact", "int8_library"]

_VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni"})


@functools.lru_cache(maxsize=1)
def _cpuinfo() -> tuple[str, frozenset[str]]:
    """``(vendor_id, flags)`` of the first CPU; empty when /proc/cpuinfo is unreadable."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "", frozenset()
    vendor, flags = "", frozenset[str]()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "vendor_id" and not vendor:
            vendor = value.strip()
        elif key == "flags" and not flags:
            flags = frozenset(value.split())
        if vendor and flags:
            break
    return vendor, flags


def cpu_vendor() -> str:
    """``"intel"``, ``"amd"``, or ``"other"`` (ARM, unknown, no /proc/cpuinfo)."""
    vendor = _cpuinfo()[0]
    if vendor == "GenuineIntel":
        return "intel"
    if vendor == "AuthenticAMD":
        return "amd"
    return "other"


def has_vnni() -> bool:
    """Whether the CPU has VNNI, with which oneDNN accumulates int8 products in 32 bits."""
    return bool(_cpuinfo()[1] & _VNNI_FLAGS)


def int8_library() -> str:
    """The int8 kernel library CTranslate2 uses on this CPU: ``"mkl"``, ``"onednn"`` or
    ``"ruy"`` (ARM); ``CT2_USE_MKL=0/1`` overrides CTranslate2's vendor choice."""
    if platform.machine().lower() in ("arm64", "aarch64"):
        return "ruy"
    env = os.environ.get("CT2_USE_MKL")
    if env is not None and env.strip() != "":
        return "onednn" if env.strip() in ("0", "false", "False") else "mkl"
    return "mkl" if cpu_vendor() == "intel" else "onednn"


def int8_exact() -> bool:
    """Whether CTranslate2 int8 is trustworthy here: MKL or ruy, or oneDNN with VNNI."""
    return int8_library() != "onednn" or has_vnni()
