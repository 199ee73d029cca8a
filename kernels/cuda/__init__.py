"""CUDA C sources of the GPU backend (headers `*.cuh`, kernels `*.cu`), compiled at run time.

The field and curve headers are `__host__ __device__`: CuPy compiles them with NVRTC on a GPU
machine, and tests/support/cuda_host.py compiles the same sources with g++ for the CPU tests.
Importing this package never imports CuPy; launchers import it lazily. See docs/cuda.md.
"""

from pathlib import Path

SOURCE_DIR = Path(__file__).parent
