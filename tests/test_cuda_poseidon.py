"""The CUDA Poseidon kernels without a GPU: poseidon.cuh's per-thread bodies compiled for the host
(tests/cuda/poseidon_host.cpp) with the packed constants kernels/cuda/poseidon.py uploads, against
the plain-int reference (kernels.poseidon_ref), its published t=3 vector and the CPU kernels.
"""

from __future__ import annotations

import ctypes
import random

import numpy as np
import pytest

from kernels.constants import FR_LIMBS, R
from kernels.cpu import poseidon as cpu_poseidon
from kernels.cuda import poseidon
from kernels.cuda.field_ops import check_canonical
from kernels.limbs import ints_to_limbs, limbs_to_ints
from kernels.poseidon_params import SPONGE_WIDTH, poseidon_params
from kernels.poseidon_ref import permute, sponge
from support.cuda_host import host_library
from support.gpu import requires_gpu
from support.host_device import launcher, use_host_device

WIDTHS = (2, 3, 5, 9, 17)  # the widths tests/cuda/poseidon_host.cpp instantiates


@pytest.fixture(scope="module")
def lib():
    return host_library(["poseidon_host.cpp"], "poseidon")


def _ptr(a: np.ndarray) -> ctypes.c_void_p:
    return ctypes.c_void_p(a.ctypes.data)


def host_permute(lib, states: np.ndarray) -> np.ndarray:
    t = states.shape[1]
    table, r_f, r_p = poseidon.packed_tables(t)
    out = np.zeros_like(states)
    sz = ctypes.c_size_t
    lib.h_poseidon_permute.restype = ctypes.c_int  # shared CDLL: another caller may have reset it
    rc = lib.h_poseidon_permute(sz(t), _ptr(states), _ptr(out), _ptr(table), sz(r_f), sz(r_p),
                                sz(states.shape[0]))
    assert rc == 0, f"width {t} not built into the host library"
    return out


def host_sponge(lib, inputs: np.ndarray, t: int = SPONGE_WIDTH) -> np.ndarray:
    table, r_f, r_p = poseidon.packed_tables(t)
    out = np.zeros((inputs.shape[0], FR_LIMBS), dtype=np.uint64)
    sz = ctypes.c_size_t
    lib.h_poseidon_sponge.restype = ctypes.c_int
    rc = lib.h_poseidon_sponge(sz(t), _ptr(inputs), sz(inputs.shape[1]), _ptr(out), _ptr(table),
                               sz(r_f), sz(r_p), sz(inputs.shape[0]))
    assert rc == 0, f"width {t} not built into the host library"
    return out


def random_elements(shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = random.Random(seed)
    count = int(np.prod(shape))
    return ints_to_limbs([rng.randrange(1, R) for _ in range(count)], FR_LIMBS).reshape(*shape, 4)


def test_packed_tables_hold_the_parameters_in_the_documented_layout():
    t = 3
    params = poseidon_params(t)
    table, r_f, r_p = poseidon.packed_tables(t)
    assert (r_f, r_p) == (params.r_f, params.r_p) == (8, 57)
    vals = [v * pow(1 << 256, -1, R) % R for v in limbs_to_ints(table)]
    assert len(vals) == r_f * t + r_p + 2 * t * t + r_p * t + r_p * (t - 1)
    mds_at = r_f * t + r_p
    assert vals[mds_at:mds_at + t * t] == [x for row in params.mds for x in row]
    assert vals[:t] == list(params.round_constants[0])  # the first full round is not rewritten


def test_reference_vector_t3(lib):
    # poseidonperm_x5_255_3 of the Poseidon reference implementation: permute([0, 1, 2])
    out = limbs_to_ints(host_permute(lib, ints_to_limbs([0, 1, 2], FR_LIMBS).reshape(1, 3, 4)))
    assert out == permute(poseidon_params(3), [0, 1, 2])
    assert out[0] == 0x28CE19420FC246A05553AD1E8C98F5C9D67166BE2C18E9E4CB4B4E317DD2A78A


@pytest.mark.parametrize("t", WIDTHS)
def test_permutation_equals_the_reference_and_the_cpu_kernel(lib, t):
    states = random_elements((6, t), t)
    got = host_permute(lib, states)
    params = poseidon_params(t)
    want = [permute(params, limbs_to_ints(s)) for s in states]
    assert [limbs_to_ints(s) for s in got] == want
    assert np.array_equal(got, cpu_poseidon.permute_batch(states))


def test_permutation_edge_values(lib):
    t = 5
    edge = [0, 1, R - 1, R - 2, 1 << 64, (1 << 255) % R]
    states = ints_to_limbs([edge[(i + j) % len(edge)] for i in range(6) for j in range(t)],
                           FR_LIMBS).reshape(6, t, 4)
    assert np.array_equal(host_permute(lib, states), cpu_poseidon.permute_batch(states))


@pytest.mark.parametrize("n", [1, 2, 15, 16, 17, 33, 100])
def test_sponge_equals_the_reference_and_the_cpu_kernel(lib, n):
    inputs = random_elements((3, n), n)
    got = host_sponge(lib, inputs)
    params = poseidon_params(SPONGE_WIDTH)
    assert limbs_to_ints(got) == [sponge(params, limbs_to_ints(row)) for row in inputs]
    assert np.array_equal(got, cpu_poseidon.sponge_batch(inputs))


def test_sponge_at_another_width(lib):
    inputs = random_elements((4, 7), 11)
    params = poseidon_params(3)
    assert limbs_to_ints(host_sponge(lib, inputs, 3)) == [sponge(params, limbs_to_ints(r))
                                                         for r in inputs]


def test_canonical_guard_rejects_r_and_above():
    ok = ints_to_limbs([0, 1, R - 1], FR_LIMBS)
    check_canonical(ok, "x")
    for bad in (R, R + 1, (1 << 256) - 1, R + (1 << 192)):
        with pytest.raises(ValueError, match="canonical"):
            check_canonical(ints_to_limbs([1, bad], FR_LIMBS), "x")


# ---- the launchers (kernels/cuda/poseidon.py) over the host kernels -----------------------------

@pytest.fixture
def host_gpu(monkeypatch, lib):
    kernels = {}
    for t in WIDTHS:
        permute_name, sponge_name = poseidon.kernel_names(t)
        kernels[permute_name] = launcher(lib.h_poseidon_permute, t)
        kernels[sponge_name] = launcher(lib.h_poseidon_sponge, t)
    poseidon._device_tables.cache_clear()
    use_host_device(monkeypatch, kernels)
    yield
    poseidon._device_tables.cache_clear()


def test_launchers_equal_the_cpu_kernels(host_gpu):
    for t in (3, 9):
        states = random_elements((20, t), 30 + t)
        assert np.array_equal(poseidon.permute_batch(states), cpu_poseidon.permute_batch(states))
    inputs = random_elements((5, 21), 40)
    assert np.array_equal(poseidon.sponge_batch(inputs), cpu_poseidon.sponge_batch(inputs))
    assert np.array_equal(poseidon.sponge_batch(inputs, 3), cpu_poseidon.sponge_batch(inputs, 3))
    assert poseidon.permute_batch(np.zeros((0, 3, 4), np.uint64)).shape == (0, 3, 4)


def test_launchers_reject_what_the_cpu_kernels_reject(host_gpu):
    bad = ints_to_limbs([1, 2, R], FR_LIMBS).reshape(1, 3, 4)
    for fn in (poseidon.permute_batch, cpu_poseidon.permute_batch):
        with pytest.raises(ValueError, match="canonical"):
            fn(bad)
    for fn in (poseidon.sponge_batch, cpu_poseidon.sponge_batch):
        with pytest.raises(ValueError, match="canonical"):
            fn(bad)
        with pytest.raises(ValueError, match="n >= 1"):
            fn(np.zeros((2, 0, 4), np.uint64))
    with pytest.raises(ValueError, match="states must be"):
        poseidon.permute_batch(np.zeros((2, 3, 3), np.uint64))


@pytest.mark.gpu
@requires_gpu
def test_device_equals_the_cpu_kernels():
    states = random_elements((300, 3), 1)
    assert np.array_equal(poseidon.permute_batch(states), cpu_poseidon.permute_batch(states))
    inputs = random_elements((50, 40), 2)
    assert np.array_equal(poseidon.sponge_batch(inputs), cpu_poseidon.sponge_batch(inputs))
