"""The CUDA NTT without a GPU: kernels/cuda/ntt.py's plans and tables run through the per-thread
bodies of ntt.cuh compiled for the host (tests/cuda/ntt_host.cpp), against the CPU backend and a
Python-int DFT; the device launch itself is checked by the `gpu` test and benchmarks/gpu/run_all.py.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from kernels.constants import FR_LIMBS, R, fr_root_of_unity
from kernels.cpu import fr_vec
from kernels.cpu import ntt as cpu_ntt
from kernels.cuda import ntt
from kernels.limbs import limbs_to_ints
from support.cuda_host import call, host_library
from support.gpu import requires_gpu
from support.host_device import launcher, use_host_device

RR = (1 << 256) % R


@pytest.fixture(scope="module")
def lib():
    return host_library(["ntt_host.cpp"], "ntt")


def host_transform(lib, a: np.ndarray, kind: str, shift: int = 1,
                   block_log: int = ntt.BLOCK_LOG) -> np.ndarray:
    """transform_device's launch sequence with h_ntt_pass in place of the ntt_pass kernel."""
    log_n = ntt.log_size(a)
    spec = ntt.transform(kind, log_n, shift)
    table, h, m = ntt.twiddle_tables(log_n)
    tw = np.empty((m, FR_LIMBS), dtype=np.uint64)
    call(lib.h_ntt_powers, tw, table, h, m)
    src, dst = np.ascontiguousarray(a), np.empty_like(a)
    for k, (p, flags) in enumerate(ntt.launches(spec, block_log)):
        call(lib.h_ntt_pass, src if k == 0 else dst, dst, tw, log_n, p.s0, p.b, p.lanes, flags,
             spec.pre.table, spec.pre.h, spec.pre.mode, spec.post.table, spec.post.h,
             spec.post.mode)
    return dst


def random_mont(n: int, seed: int) -> np.ndarray:
    rng = random.Random(seed)
    return fr_vec.ints_to_mont([rng.randrange(1, R) for _ in range(n)])


def cpu(kind: str, a: np.ndarray, shift: int = 1) -> np.ndarray:
    if kind.startswith("coset"):
        return getattr(cpu_ntt, kind)(a, shift)
    return getattr(cpu_ntt, kind)(a)


def to_ints(a: np.ndarray) -> list[int]:
    return [x * pow(RR, -1, R) % R for x in limbs_to_ints(a)]


# ---- plan and tables (pure Python) --------------------------------------------------------------

@pytest.mark.parametrize("log_n", [0, 1, 5, 10, 11, 17, 18, 20, 24, 26, 32])
def test_plan_covers_every_stage_once_in_tasks_that_fit(log_n):
    passes = ntt.plan(log_n)
    stages = [s for p in passes for s in range(p.s0, p.s0 + p.b)]
    assert stages == list(range(log_n))
    for p in passes:
        assert (1 << p.b) * p.lanes <= 1 << ntt.BLOCK_LOG
        assert (1 << p.s0) % p.lanes == 0
        if p.s0 >= ntt.MIN_LANES_LOG:
            assert p.lanes >= 1 << ntt.MIN_LANES_LOG  # contiguous runs of 256 bytes or more
    assert len(passes) == {0: 1, 10: 1, 11: 2, 17: 2, 18: 3, 20: 3, 26: 4}.get(log_n, len(passes))


def test_launch_flags_mark_first_last_and_negation():
    spec = ntt.transform("intt", 20)
    flags = [f for _, f in ntt.launches(spec)]
    assert flags == [ntt.FIRST | ntt.NEGATE, ntt.NEGATE, ntt.LAST | ntt.NEGATE]
    assert [f for _, f in ntt.launches(ntt.transform("ntt", 3))] == [ntt.FIRST | ntt.LAST]


@pytest.mark.parametrize("log_count", [0, 1, 2, 7, 12])
def test_power_tables_encode_start_times_ratio_powers(log_count):
    rng = random.Random(log_count)
    start, ratio = rng.randrange(1, R), rng.randrange(2, R)
    table, h = ntt.power_tables(start, ratio, log_count)
    vals = to_ints(table)
    assert len(vals) == (1 << h) + (1 << (log_count - h))
    count = 1 << log_count
    for i in {0, count // 2, count - 1, *(rng.randrange(count) for _ in range(20))}:
        got = vals[i & ((1 << h) - 1)] * vals[(1 << h) + (i >> h)] % R
        assert got == start * pow(ratio, i, R) % R


def test_transform_scales_match_the_cpu_conventions():
    n_inv = pow(1 << 6, -1, R)
    assert ntt.transform("ntt", 6).pre.mode == ntt.SCALE_NONE
    intt = ntt.transform("intt", 6)
    assert intt.negate and intt.pre.mode == ntt.SCALE_CONST and to_ints(intt.pre.table) == [n_inv]
    assert ntt.transform("coset_ntt", 6, 1).pre.mode == ntt.SCALE_NONE  # shift 1 is the plain NTT
    assert ntt.transform("coset_ntt", 6, 7).pre.mode == ntt.SCALE_POWERS
    back = ntt.transform("coset_intt", 6, 7)
    assert back.negate and back.post.mode == ntt.SCALE_POWERS
    table = to_ints(back.post.table)
    assert table[1 << back.post.h] == n_inv  # c = 1/n, ratio = 1/7
    assert table[1] == pow(7, -1, R)
    with pytest.raises(ValueError, match="non-zero"):
        ntt.transform("coset_ntt", 6, R)


@pytest.mark.parametrize("bad, match", [
    (np.zeros((8, 3), np.uint64), "uint64 array"),
    (np.zeros((8, 4), np.int64), "uint64 array"),
    (np.zeros((6, 4), np.uint64), "power of two"),
    (np.zeros((0, 4), np.uint64), "power of two"),
])
def test_log_size_rejects_what_the_cpu_backend_rejects(bad, match):
    with pytest.raises(ValueError, match=match):
        ntt.log_size(bad)
    with pytest.raises(ValueError, match=match):
        cpu_ntt.ntt(bad)


# ---- the kernel bodies on the host --------------------------------------------------------------

def test_small_transform_equals_the_dft_definition(lib):
    n, log_n = 16, 4
    a = random_mont(n, 1)
    x = to_ints(a)
    w = fr_root_of_unity(log_n)
    want = [sum(x[j] * pow(w, i * j, R) for j in range(n)) % R for i in range(n)]
    assert to_ints(host_transform(lib, a, "ntt")) == want
    s = 5
    want_coset = [sum(x[j] * pow(s * pow(w, i, R), j, R) for j in range(n)) % R for i in range(n)]
    assert to_ints(host_transform(lib, a, "coset_ntt", s)) == want_coset


@pytest.mark.parametrize("log_n", [0, 1, 2, 3, 9, 10, 11, 14, 18])
@pytest.mark.parametrize("kind", ntt.KINDS)
def test_host_emulation_equals_the_cpu_backend(lib, log_n, kind):
    a = random_mont(1 << log_n, 100 * log_n + ntt.KINDS.index(kind))
    shift = fr_root_of_unity(log_n + 1) if kind.startswith("coset") else 1  # the prover's coset
    assert np.array_equal(host_transform(lib, a, kind, shift), cpu(kind, a, shift))


@pytest.mark.parametrize("block_log", [2, 3, 4, 6])
@pytest.mark.parametrize("kind", ntt.KINDS)
def test_many_small_passes_equal_the_cpu_backend(lib, block_log, kind):
    # tiny tasks force 3-10 passes with lanes > 1: the strided task indexing of every later pass
    log_n = 12
    a = random_mont(1 << log_n, block_log)
    shift = random.Random(block_log).randrange(2, R)
    got = host_transform(lib, a, kind, shift, block_log=block_log)
    assert len(ntt.plan(log_n, block_log)) >= 3
    assert np.array_equal(got, cpu(kind, a, shift))


def test_inverse_undoes_forward_on_the_host(lib):
    a = random_mont(1 << 12, 7)
    s = 0x1234567
    assert np.array_equal(host_transform(lib, host_transform(lib, a, "ntt"), "intt"), a)
    assert np.array_equal(host_transform(lib, host_transform(lib, a, "coset_ntt", s),
                                         "coset_intt", s), a)


# ---- the launcher (kernels/cuda/ntt.py) over the host kernels ------------------------------------

@pytest.fixture
def host_gpu(monkeypatch, lib):
    powers = []

    def count_powers(grid, block, args, shared_mem=0):
        powers.append(int(args[3]))
        launcher(lib.h_ntt_powers)(grid, block, args)

    ntt.clear_caches()
    use_host_device(monkeypatch, {"ntt_powers": count_powers, "ntt_pass": launcher(lib.h_ntt_pass)})
    yield powers
    ntt.clear_caches()


@pytest.mark.parametrize("log_n", [0, 3, 11, 14])
def test_launcher_equals_the_cpu_backend(host_gpu, log_n):
    a = random_mont(1 << log_n, 50 + log_n)
    shift = 0xABCDEF
    assert np.array_equal(ntt.ntt(a), cpu_ntt.ntt(a))
    assert np.array_equal(ntt.intt(a), cpu_ntt.intt(a))
    assert np.array_equal(ntt.coset_ntt(a, shift), cpu_ntt.coset_ntt(a, shift))
    assert np.array_equal(ntt.coset_intt(a, shift), cpu_ntt.coset_intt(a, shift))
    assert host_gpu == [max(1 << log_n >> 1, 1)]  # twiddles expanded once for all four


def test_launcher_realigns_an_input_that_is_not_16_byte_aligned(host_gpu):
    from kernels.cuda import module

    a = random_mont(1 << 5, 9)
    raw = np.zeros(a.size + 1, dtype=np.uint64)
    shifted = raw[1:].reshape(a.shape)  # 8 bytes past an aligned start
    shifted[:] = a
    d = module.cupy().ascontiguousarray(shifted)
    assert d.__cuda_array_interface__["data"][0] % 16 == 8
    assert np.array_equal(ntt.transform_device(d, "ntt").get(), cpu_ntt.ntt(a))


def test_launcher_leaves_its_input_alone_and_validates(host_gpu):
    a = random_mont(1 << 11, 3)
    before = a.copy()
    ntt.intt(a)
    assert np.array_equal(a, before)
    with pytest.raises(ValueError, match="power of two"):
        ntt.ntt(a[:100])
    with pytest.raises(ValueError, match="non-zero"):
        ntt.coset_ntt(a, 0)


# ---- on a device --------------------------------------------------------------------------------

@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("log_n", [0, 4, 10, 11, 16, 18])
@pytest.mark.parametrize("kind", ntt.KINDS)
def test_device_equals_the_cpu_backend(log_n, kind):
    a = random_mont(1 << log_n, log_n)
    shift = 7 if kind.startswith("coset") else 1
    got = ntt.coset_ntt(a, shift) if kind == "coset_ntt" else ntt.coset_intt(a, shift) \
        if kind == "coset_intt" else getattr(ntt, kind)(a)
    assert np.array_equal(got, cpu(kind, a, shift))
