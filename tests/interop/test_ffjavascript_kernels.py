"""Our MSM and NTT agree with ffjavascript (the wasm engine under snarkjs) on the same bytes."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from kernels.cpu import msm, ntt, points
from support.snarkjs import ROOT, requires_snarkjs

pytestmark = [pytest.mark.interop, requires_snarkjs]
SCRIPT = ROOT / "benchmarks" / "ffjs_baseline.mjs"


def _node(*args) -> dict:
    res = subprocess.run(["node", str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def _scalars(rng, m):
    s = rng.integers(0, np.iinfo(np.uint64).max, size=(m, 4), dtype=np.uint64, endpoint=True)
    s[:, 3] >>= np.uint64(2)
    return s


def test_g1_msm_matches_ffjavascript(tmp_path):
    rng = np.random.default_rng()
    bases = msm.fixed_base_g1(points.G1_GENERATOR, _scalars(rng, 300))
    scalars = _scalars(rng, 300)
    scalars[:5] = 0
    (tmp_path / "b.bin").write_bytes(bases.astype("<u8").tobytes())
    (tmp_path / "s.bin").write_bytes(scalars.astype("<u8").tobytes())
    theirs = _node("msm", tmp_path / "b.bin", tmp_path / "s.bin")
    ((x, y),) = points.g1_to_ints(msm.msm_g1(bases, scalars)[None])
    assert (str(x), str(y)) == (theirs["x"], theirs["y"])


def test_fr_ntt_matches_ffjavascript(tmp_path):
    values = _scalars(np.random.default_rng(), 1 << 9)
    (tmp_path / "v.bin").write_bytes(values.astype("<u8").tobytes())
    _node("fft", tmp_path / "v.bin", tmp_path / "o.bin")
    assert (tmp_path / "o.bin").read_bytes() == ntt.ntt(values).astype("<u8").tobytes()
