"""`requires_gpu`: skip a device test, with the reason, where the cuda backend cannot run.

Use together with the `gpu` marker (`@pytest.mark.gpu @requires_gpu`), so `-m gpu` selects the
device tests and a machine without CuPy or a CUDA device reports why each one was skipped.
"""

from __future__ import annotations

from functools import cache

import pytest

from kernels.backend import cuda_available


@cache
def gpu_reason() -> str | None:
    """None when the cuda backend is usable here, else why not."""
    ok, reason = cuda_available()
    return None if ok else reason


def _skip_reason() -> str:
    return f"needs a CUDA device with CuPy: {gpu_reason()}"


requires_gpu = pytest.mark.skipif(gpu_reason() is not None, reason=_skip_reason())
