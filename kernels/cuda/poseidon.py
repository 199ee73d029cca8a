"""Poseidon permutation and commitment sponge on the GPU (kernels/cuda/poseidon.cu).

Same contract as kernels.cpu.poseidon.permute_batch / sponge_batch (standard-form (m, t, 4) states,
(m, n, 4) sponge inputs, canonical elements only, identical results); `_device` variants keep
CuPy arrays on the device. One thread per state or per sponge, as on the CPU: shard commitments
hash many independent inputs.

The constants are kernels.poseidon_params' (through kernels.poseidon_fast's rewritten rounds),
packed here into one Montgomery array per width (`packed_tables`) and uploaded once per device;
nothing is retyped. Kernels are templates on the width, compiled on first use of a width.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from kernels.constants import FR_LIMBS, R
from kernels.cuda import module
from kernels.cuda.field_ops import check_canonical
from kernels.limbs import ints_to_limbs
from kernels.poseidon_fast import fast_form
from kernels.poseidon_params import SPONGE_WIDTH, poseidon_params

SOURCE = "poseidon.cu"


@cache
def packed_tables(t: int) -> tuple[np.ndarray, int, int]:
    """(packed Montgomery constants, R_F, R_P) for width t, in poseidon.cuh's layout: full-round
    constants, partial constants, MDS, pre-partial MDS, sparse first rows, sparse columns."""
    params = poseidon_params(t)
    form = fast_form(params)
    values = [x for row in form.full_constants for x in row]
    values += list(form.partial_constants)
    for matrix in (params.mds, form.pre_partial_mds, form.sparse_first_rows, form.sparse_columns):
        values += [x for row in matrix for x in row]
    table = ints_to_limbs([v * (1 << 256) % R for v in values], FR_LIMBS)
    return table, params.r_f, params.r_p


def kernel_names(t: int) -> tuple[str, str]:
    return f"poseidon_permute<{t}>", f"poseidon_sponge<{t}>"


@cache
def _device_tables(t: int, device: int):
    cp = module.cupy()
    table = cp.asarray(packed_tables(t)[0])
    cp.cuda.get_current_stream().synchronize()  # cached: later users may be on other streams
    return table


def _kernel(t: int, which: int):
    names = kernel_names(t)
    return module.function(SOURCE, names[which], names)


def permute_device(states, t: int | None = None):
    """Permute each (t, 4) standard-form state of an (m, t, 4) CuPy array; a new CuPy array."""
    cp = module.cupy()
    t = states.shape[1] if t is None else t
    if states.ndim != 3 or states.shape[1:] != (t, FR_LIMBS) or states.dtype != np.uint64:
        raise ValueError(f"states must be (m, {t}, 4) uint64, got {states.dtype} {states.shape}")
    _, r_f, r_p = packed_tables(t)
    states = cp.ascontiguousarray(states)
    out = cp.empty_like(states)
    m = states.shape[0]
    if m:
        _kernel(t, 0)(module.grid(m), (module.BLOCK,),
                      (states, out, _device_tables(t, cp.cuda.Device().id), np.int32(r_f),
                       np.int32(r_p), np.int64(m)))
    return out


def sponge_device(inputs, t: int = SPONGE_WIDTH):
    """(m, 4) standard-form hashes of the rows of (m, n, 4) standard-form CuPy inputs, n >= 1."""
    cp = module.cupy()
    if inputs.ndim != 3 or inputs.shape[2] != FR_LIMBS or inputs.shape[1] < 1 \
            or inputs.dtype != np.uint64:
        raise ValueError(f"sponge inputs must be (m, n >= 1, 4) uint64, got {inputs.dtype} "
                         f"{inputs.shape}")
    _, r_f, r_p = packed_tables(t)
    inputs = cp.ascontiguousarray(inputs)
    m, n = inputs.shape[:2]
    out = cp.empty((m, FR_LIMBS), dtype=cp.uint64)
    if m:
        _kernel(t, 1)(module.grid(m), (module.BLOCK,),
                      (inputs, np.int64(n), out, _device_tables(t, cp.cuda.Device().id),
                       np.int32(r_f), np.int32(r_p), np.int64(m)))
    return out


def permute_batch(states: np.ndarray, t: int | None = None) -> np.ndarray:
    """Permute (m, t, 4) standard-form states; a new (m, t, 4) standard-form numpy array."""
    cp = module.cupy()
    states = np.ascontiguousarray(states)
    t = states.shape[1] if t is None and states.ndim == 3 else t
    if states.ndim != 3 or states.shape[1:] != (t, FR_LIMBS):
        raise ValueError(f"states must be (m, {t}, 4) uint64, got {states.shape}")
    check_canonical(states, "Poseidon states")
    return permute_device(cp.asarray(states), t).get()


def sponge_batch(inputs: np.ndarray, t: int | None = None) -> np.ndarray:
    """Hash each row of (m, n, 4) standard-form inputs (n >= 1): (m, 4) standard-form hashes."""
    cp = module.cupy()
    inputs = np.ascontiguousarray(inputs)
    if inputs.ndim != 3 or inputs.shape[2] != FR_LIMBS or inputs.shape[1] < 1:
        raise ValueError(f"sponge inputs must be (m, n >= 1, 4) uint64, got {inputs.shape}")
    check_canonical(inputs, "Poseidon sponge inputs")
    return sponge_device(cp.asarray(inputs), SPONGE_WIDTH if t is None else t).get()
