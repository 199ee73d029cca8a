"""The CUDA implementation of kernels.backend.Backend: thin wiring of the GPU launchers.

Host numpy arrays in and out, the CPU backend's layouts, bit-identical results. On the GPU: the
Fr element-wise ops and the CSR product (field_ops.py), the NTTs (ntt.py), the MSMs (msm.py);
beyond the protocol, Poseidon batches (poseidon.py), BLAKE3 rows and Merkle levels (blake3.py)
and coset_intt. Delegated to the CPU backend, because they run a handful of times per proof or
per key and a device round trip would cost more than the work: csr_row_ptr (a NumPy bincount),
fixed_base_g1/g2 (key generation only), the generators, g1/g2_add_many and g1/g2_mul.

Each launcher also has a `_device` form on CuPy arrays for callers that keep data resident
(the GPU prover); see docs/cuda-kernels.md.
"""

from __future__ import annotations

from kernels.cpu import points
from kernels.cpu.backend import CpuBackend
from kernels.cpu import sparse
from kernels.cuda import blake3, field_ops, module, msm, poseidon
from kernels.cuda import ntt as ntt_mod
from kernels.poseidon_params import SPONGE_WIDTH

# The modules every backend call may need, compiled by compile_kernels (Poseidon at the sponge's
# width; other widths compile on first use).
CORE_SOURCES = (
    (field_ops.SOURCE, ()),
    (field_ops.SPARSE_SOURCE, ()),
    (ntt_mod.SOURCE, ()),
    (blake3.SOURCE, ()),
    (poseidon.SOURCE, poseidon.kernel_names(SPONGE_WIDTH)),
    (msm.SOURCE, ()),
)


def compile_kernels() -> None:
    """Compile (or load from CuPy's cache) every core module on the current device; raises the
    compiler's error when one does not build."""
    for source, expressions in CORE_SOURCES:
        module.load(source, expressions)


_CPU = CpuBackend()


class CudaBackend:
    name = "cuda"

    fr_to_mont = staticmethod(field_ops.fr_to_mont)
    fr_from_mont = staticmethod(field_ops.fr_from_mont)
    fr_mul = staticmethod(field_ops.fr_mul)
    fr_add = staticmethod(field_ops.fr_add)
    fr_sub = staticmethod(field_ops.fr_sub)
    ntt = staticmethod(ntt_mod.ntt)
    intt = staticmethod(ntt_mod.intt)
    coset_ntt = staticmethod(ntt_mod.coset_ntt)
    coset_intt = staticmethod(ntt_mod.coset_intt)
    csr_row_ptr = staticmethod(sparse.csr_row_ptr)
    sparse_matvec = staticmethod(field_ops.sparse_matvec)
    msm_g1 = staticmethod(msm.msm_g1)
    msm_g2 = staticmethod(msm.msm_g2)
    msm_g1_batch = staticmethod(msm.msm_g1_batch)
    msm_g2_batch = staticmethod(msm.msm_g2_batch)
    poseidon_permute_batch = staticmethod(poseidon.permute_batch)
    poseidon_sponge_batch = staticmethod(poseidon.sponge_batch)
    blake3_hash_rows = staticmethod(blake3.hash_rows)
    blake3_parents = staticmethod(blake3.parents)

    # CPU delegation (see the module docstring)
    fixed_base_g1 = staticmethod(_CPU.fixed_base_g1)
    fixed_base_g2 = staticmethod(_CPU.fixed_base_g2)
    g1_generator = staticmethod(_CPU.g1_generator)
    g2_generator = staticmethod(_CPU.g2_generator)
    g1_add_many = staticmethod(_CPU.g1_add_many)
    g2_add_many = staticmethod(_CPU.g2_add_many)
    g1_mul = staticmethod(points.g1_mul)
    g2_mul = staticmethod(points.g2_mul)

    @staticmethod
    def device() -> str:
        """The device in words, e.g. "NVIDIA H100 80GB HBM3 (sm_90)"."""
        return f"{module.device_name()} ({module.device_arch()})"
