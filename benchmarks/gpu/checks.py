"""Correctness of every CUDA kernel on fresh random inputs, for run_all.

Each check compares the subject with the CPU backend on the whole input where the CPU backend
imports, and with a plain-Python definition on a sample (or, for the MSMs, on the whole input
through points of known discrete log), so a machine whose Numba is broken still gets an
independent answer. A check returns records {name, ok, detail, seconds}; ok None means skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np

from benchmarks.gpu import inputs
from kernels.constants import FR_LIMBS, R, fr_root_of_unity
from kernels.limbs import ints_to_limbs, limbs_to_ints
from kernels.poseidon_params import SPONGE_WIDTH

RR = (1 << 256) % R
RR_INV = pow(RR, -1, R)


class Cpu:
    """The CPU backend's modules as references, or the reason they are unavailable."""

    def __init__(self) -> None:
        try:
            from kernels.cpu import blake3, blake3_merkle, fr_vec, msm, ntt, poseidon

            self.fr_vec, self.ntt, self.poseidon = fr_vec, ntt, poseidon
            self.blake3, self.merkle, self.msm = blake3, blake3_merkle, msm
            self.error = None
        except Exception as exc:  # e.g. a Numba that does not import with this NumPy
            self.error = f"{type(exc).__name__}: {exc}"

    @property
    def ok(self) -> bool:
        return self.error is None


def _record(name: str, ok: bool | None, detail: str, t0: float) -> dict:
    return {"name": name, "ok": ok, "detail": detail, "seconds": round(time.perf_counter() - t0, 3)}


def _compare(name: str, got: np.ndarray, want: np.ndarray, t0: float, against: str) -> dict:
    """Item-wise equality of two arrays (items along the first axis)."""
    if got.shape != want.shape:
        return _record(name, False, f"shape {got.shape} != {want.shape} ({against})", t0)
    differ = np.any(got.reshape(len(got), -1) != want.reshape(len(want), -1), axis=1)
    if differ.any():
        return _record(name, False, f"{int(differ.sum())} of {len(got)} differ from {against}, "
                                    f"first at {int(np.argmax(differ))}", t0)
    return _record(name, True, f"equal to {against} ({len(got)} items)", t0)


def _sample(n: int, rng: np.random.Generator, k: int = 32) -> list[int]:
    return sorted({0, n - 1, *(int(i) for i in rng.integers(0, n, size=k))})


# ---- Fr element-wise --------------------------------------------------------------------------

_PY_FR = {
    "to_mont": lambda a: a * RR % R,
    "from_mont": lambda a: a * RR_INV % R,
    "mul": lambda a, b: a * b * RR_INV % R,
    "add": lambda a, b: (a + b) % R,
    "sub": lambda a, b: (a - b) % R,
}


def check_fr(subject, cpu: Cpu, rng, n: int) -> Iterator[dict]:
    a, b = inputs.fr_array(rng, n), inputs.fr_array(rng, n)
    for op, fn in _PY_FR.items():
        t0 = time.perf_counter()
        args = (a,) if op in ("to_mont", "from_mont") else (a, b)
        got = subject.fr(op, *args)
        if cpu.ok:
            yield _compare(f"fr_{op}", got, getattr(cpu.fr_vec, op)(*args), t0, "CPU backend")
        idx = _sample(n, rng)
        want = ints_to_limbs([fn(*(limbs_to_ints(x[i:i + 1])[0] for x in args)) for i in idx], FR_LIMBS)
        yield _compare(f"fr_{op} (ints)", got[idx], want, t0, "Python ints")


# ---- NTT --------------------------------------------------------------------------------------

def _dft(x: list[int], log_n: int, shift: int) -> list[int]:
    w, n = fr_root_of_unity(log_n), len(x)
    return [sum(xj * pow(shift * pow(w, i, R), j, R) for j, xj in enumerate(x)) % R for i in range(n)]


def check_ntt(subject, cpu: Cpu, rng, log_sizes: list[int]) -> Iterator[dict]:
    for log_n in log_sizes:
        a = inputs.fr_array(rng, 1 << log_n)
        shifts = {"prover coset": fr_root_of_unity(log_n + 1), "random coset": int(rng.integers(2, 2**62))}
        for kind in ("ntt", "intt", "coset_ntt", "coset_intt"):
            for label, shift in shifts.items() if kind.startswith("coset") else [("", 1)]:
                t0 = time.perf_counter()
                got = subject.ntt(kind, a, shift)
                name = f"{kind} 2^{log_n}" + (f" ({label})" if label else "")
                if cpu.ok:
                    want = cpu.ntt.coset_ntt(a, shift) if kind == "coset_ntt" else \
                        cpu.ntt.coset_intt(a, shift) if kind == "coset_intt" else getattr(cpu.ntt, kind)(a)
                    yield _compare(name, got, want, t0, "CPU backend")
                back = {"ntt": "intt", "intt": "ntt", "coset_ntt": "coset_intt", "coset_intt": "coset_ntt"}
                t0 = time.perf_counter()
                yield _compare(f"{name} round trip", subject.ntt(back[kind], got, shift), a, t0, "the input")
    t0 = time.perf_counter()
    log_n, s = 6, int(rng.integers(2, 2**62))
    a = inputs.fr_array(rng, 1 << log_n)
    x = [v * RR_INV % R for v in limbs_to_ints(a)]  # the elements the Montgomery limbs stand for
    for kind, shift in (("ntt", 1), ("coset_ntt", s)):
        got = [v * RR_INV % R for v in limbs_to_ints(subject.ntt(kind, a, shift))]
        yield _record(f"{kind} 2^{log_n} (definition)", got == _dft(x, log_n, shift),
                      "sum_j a_j (s w^i)^j with Python ints", t0)


# ---- Poseidon ---------------------------------------------------------------------------------

def check_poseidon(subject, cpu: Cpu, rng, m: int, sponge_shape: tuple[int, int]) -> Iterator[dict]:
    from kernels.poseidon_params import poseidon_params
    from kernels.poseidon_ref import permute, sponge

    for t in (3, 5, SPONGE_WIDTH):
        t0 = time.perf_counter()
        states = inputs.fr_states(rng, m, t)
        got = subject.permute(states)
        if cpu.ok:
            yield _compare(f"poseidon permute t={t}", got, cpu.poseidon.permute_batch(states), t0, "CPU backend")
        idx = _sample(m, rng, 8)
        params = poseidon_params(t)
        want = np.stack([ints_to_limbs(permute(params, limbs_to_ints(states[i])), FR_LIMBS) for i in idx])
        yield _compare(f"poseidon permute t={t} (reference)", got[idx], want, t0, "kernels.poseidon_ref")
    rows, n = sponge_shape
    t0 = time.perf_counter()
    values = inputs.fr_states(rng, rows, n)
    got = subject.sponge(values, SPONGE_WIDTH)
    if cpu.ok:
        yield _compare(f"poseidon sponge {rows}x{n}", got, cpu.poseidon.sponge_batch(values, SPONGE_WIDTH),
                       t0, "CPU backend")
    idx = _sample(rows, rng, 4)
    params = poseidon_params(SPONGE_WIDTH)
    want = ints_to_limbs([sponge(params, limbs_to_ints(values[i])) for i in idx], FR_LIMBS)
    yield _compare(f"poseidon sponge {rows}x{n} (reference)", got[idx], want, t0, "kernels.poseidon_ref")


# ---- BLAKE3 -----------------------------------------------------------------------------------

def check_blake3(subject, cpu: Cpu, rng, n_rows: int) -> Iterator[dict]:
    try:
        import blake3 as blake3_pkg
    except ImportError:
        blake3_pkg = None
    buf, offsets = inputs.rows(rng, n_rows, 2100, start=3)
    for prefix in (None, 0):
        t0 = time.perf_counter()
        got = subject.rows(buf, offsets, prefix)
        name = f"blake3 rows {n_rows} prefix={prefix}"
        if cpu.ok:
            yield _compare(name, got, cpu.blake3.hash_rows(buf, offsets, prefix), t0, "CPU backend")
        if blake3_pkg is not None:
            idx = _sample(n_rows, rng)
            head = b"" if prefix is None else bytes([prefix])
            want = np.stack([np.frombuffer(blake3_pkg.blake3(head + buf[offsets[i]:offsets[i + 1]].tobytes())
                                           .digest(), np.uint8) for i in idx])
            yield _compare(f"{name} (blake3 package)", got[idx], want, t0, "the blake3 package")
        elif not cpu.ok:
            yield _record(name, None, "no reference: neither the CPU backend nor the blake3 package", t0)
    t0 = time.perf_counter()
    level = subject.rows(buf, offsets, 0)
    levels_ok, count = True, 0
    while len(level) > 1:
        up = subject.parents(level)
        if cpu.ok:
            levels_ok &= bool(np.array_equal(up, cpu.merkle.parents(level)))
        elif blake3_pkg is not None:
            i = len(level) // 2 - 1
            want = blake3_pkg.blake3(b"\x01" + level[2 * i].tobytes() + level[2 * i + 1].tobytes()).digest()
            levels_ok &= up[i].tobytes() == want
        level, count = up, count + 1
    against = "CPU backend" if cpu.ok else "the blake3 package" if blake3_pkg else None
    yield _record(f"blake3 merkle levels ({count} up to the root)", levels_ok if against else None,
                  f"every level equal to {against}" if against else "no reference", t0)


# ---- MSM --------------------------------------------------------------------------------------

def _msm_edges(rng, group: str) -> tuple[np.ndarray, np.ndarray, inputs.MsmPoints]:
    """Zero scalars, r - 1, an infinity point, P next to -P, repeated points; answer by ints."""
    from benchmarks.gpu import ec_ref

    mp = inputs.msm_points(rng, group, 64, 16)
    gen, field = ec_ref.G1 if group == "g1" else ec_ref.G2
    pts = [ec_ref.from_limbs(p, field) for p in mp.points]
    mults = [i % 16 + 1 for i in range(64)]
    pts[5], mults[5] = None, 0
    pts[9], mults[9] = ec_ref.neg(pts[8], field), -mults[8]
    ks = limbs_to_ints(inputs.fr_array(rng, 64))
    ks[0] = ks[1] = 0
    ks[2] = R - 1
    scalars = ints_to_limbs(ks, FR_LIMBS)
    total = sum(k * m for k, m in zip(ks, mults)) % R
    want = ec_ref.to_limbs([ec_ref.mul(gen, total * mp.base, field)], field)[0]
    return ec_ref.to_limbs(pts, field), scalars, want


def check_msm(subject, cpu: Cpu, rng, sizes: dict[str, list[int]], batch: int) -> Iterator[dict]:
    if subject.msm is None:
        t0 = time.perf_counter()
        yield _record("msm", None, f"kernels.cuda.msm unavailable: {subject.msm_error}", t0)
        return
    for group, counts in sizes.items():
        fn = getattr(subject.msm, f"msm_{group}")
        for m in counts:
            t0 = time.perf_counter()
            mp = inputs.msm_points(rng, group, m, 4096 if group == "g1" else 1024)
            scalars = inputs.fr_array(rng, m)
            got = fn(mp.points, scalars)
            yield _compare(f"msm {group} {m}", got[None], mp.answer(scalars)[None], t0,
                           "(sum k_i m_i) B with Python ints")
            if cpu.ok and m <= 1 << 12:
                yield _compare(f"msm {group} {m} (CPU)", got[None], getattr(cpu.msm, f"msm_{group}")(
                    mp.points, scalars)[None], t0, "CPU backend")
        t0 = time.perf_counter()
        pts, scalars, want = _msm_edges(rng, group)
        yield _compare(f"msm {group} edge cases", fn(pts, scalars)[None], want[None], t0, "Python ints")
    t0 = time.perf_counter()
    m = sizes["g1"][0]
    mp = inputs.msm_points(rng, "g1", m, 4096)
    scalars = np.stack([inputs.fr_array(rng, m) for _ in range(batch)])
    got = subject.msm.msm_g1_batch(mp.points, scalars)
    want = np.stack([mp.answer(s) for s in scalars])
    yield _compare(f"msm g1 batch {batch}x{m}", got, want, t0, "Python ints")


# ---- Groth16 ----------------------------------------------------------------------------------

def check_prover(subject, cpu: Cpu, rng, n_values: int) -> Iterator[dict]:
    t0 = time.perf_counter()
    if not cpu.ok:
        yield _record("groth16 prove", None, f"needs the CPU backend for the key: {cpu.error}", t0)
        return
    if subject.msm is None:
        yield _record("groth16 prove", None, "needs kernels.cuda.msm", t0)
        return
    from engine.demo_circuits import range_sum
    from engine.formats.zcash import encode_proof
    from engine.groth16.prover import ProverContext
    from engine.groth16.setup import dev_setup
    from kernels.cpu.backend import CpuBackend

    circuit = range_sum(n_values, bits=8)
    pk = dev_setup(circuit.r1cs, CpuBackend())
    w = circuit.witness({"values": [int(v) for v in rng.integers(0, 256, size=n_values)]})
    r, s = (int(x) for x in rng.integers(1, 2**62, size=2))
    want = encode_proof(ProverContext.build(pk, CpuBackend()).prove(w, r=r, s=s))
    name = f"groth16 prove ({pk.domain_size}-point domain)"
    got = encode_proof(ProverContext.build(pk, subject.backend).prove(w, r=r, s=s))
    yield _record(f"{name}, ProverContext on {subject.name}", got == want,
                  "proof bytes equal to the CPU backend's (same r, s)", t0)
    t0 = time.perf_counter()
    gpu = subject.gpu_prover(pk)
    if gpu is None:
        yield _record(f"{name}, resident-key GPU prover", None,
                      "engine.groth16.prover_gpu not present (or not for this subject)", t0)
        return
    got = encode_proof(gpu.prove(w, r=r, s=s))
    yield _record(f"{name}, resident-key GPU prover", got == want,
                  "proof bytes equal to the CPU backend's (same r, s)", t0)


CHECKS: dict[str, Callable[..., Iterator[dict]]] = {
    "fr": check_fr, "ntt": check_ntt, "poseidon": check_poseidon, "blake3": check_blake3,
    "msm": check_msm, "prover": check_prover,
}
