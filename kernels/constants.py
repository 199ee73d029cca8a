"""BLS12-381 constants: the single source of truth for moduli, generators and Montgomery data.

Everything else imports from here. Values are Python ints; limb forms are derived once.
Montgomery radices match snarkjs/ffjavascript (R = 2^384 for Fp, 2^256 for Fr), so the
Montgomery-form bytes of a snarkjs `.zkey` load directly into our arrays.
"""

P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001

FP_LIMBS = 6  # 64-bit limbs
FR_LIMBS = 4
FP_BYTES = 48
FR_BYTES = 32

# Curve equations: y^2 = x^3 + 4 over Fp, y^2 = x^3 + 4(1 + u) over Fp2 = Fp[u]/(u^2 + 1).
B_G1 = 4
B_G2 = (4, 4)

G1_X = 0x17F1D3A73197D7942695638C4FA9AC0FC3688C4F9774B905A14E3A3F171BAC586C55E83FF97A1AEFFB3AF00ADB22C6BB
G1_Y = 0x08B3F481E3AAA0F1A09E30ED741D8AE4FCF5E095D5D00AF600DB18CB2C04B3EDD03CC744A2888AE40CAA232946C5E7E1
G2_X = (
    0x024AA2B2F08F0A91260805272DC51051C6E47AD4FA403B02B4510B647AE3D1770BAC0326A805BBEFD48056C8C121BDB8,
    0x13E02B6052719F607DACD3A088274F65596BD0D09920B61AB5DA61BBDC7F5049334CF11213945D57E5AC7D055D042B7E,
)
G2_Y = (
    0x0CE5D527727D6E118CC9CDC6DA2E351AADFD9BAA8CBDD3A76D429A695160D12C923AC9CC3BACA289E193548608B82801,
    0x0606C4A02EA734CC32ACD2B02BC28B99CB3E287E85A763AF267492AB572E99AB3F370D275CEC1DA1AAA9075FF05F79BE,
)

# Fr: 2-adicity 32. Roots of unity come from 5, the smallest quadratic non-residue: ffjavascript
# (snarkjs) sets Fr.nqr = 5 and Fr.w[32] = 5^((r-1)/2^32), and every FFT and coset shift in a
# snarkjs prover or .zkey uses powers of that root (checked in node: Fr.w[10] and Fr.fft agree).
# 5 is not a generator of all of Fr* (7 is, as arkworks uses), but any non-residue yields a
# primitive 2^32-th root; we need snarkjs's particular one, so 7 would give a different domain.
FR_TWO_ADICITY = 32
FR_GENERATOR = 5
FR_ROOT_OF_UNITY = pow(FR_GENERATOR, (R - 1) >> FR_TWO_ADICITY, R)  # primitive 2^32-th root

# GLV: [FR_CUBE_ROOT] P = (FP_CUBE_ROOT * x, y) for P = (x, y) in G1 (checked on the generator
# against py_ecc in tests/kernels/test_constants.py). lambda^2 + lambda + 1 = 0 mod r, beta^3 = 1 mod p.
FR_CUBE_ROOT = 0xAC45A4010001A40200000000FFFFFFFF
FP_CUBE_ROOT = 0x1A0111EA397FE699EC02408663D4DE85AA0D857D89759AD4897D29650FB85F9B409427EB4F49FFFD8BFD00000000AAAC


def limbs(value: int, n: int) -> tuple[int, ...]:
    """Little-endian 64-bit limbs of a non-negative int."""
    return tuple((value >> (64 * i)) & 0xFFFFFFFFFFFFFFFF for i in range(n))


def fr_root_of_unity(k: int) -> int:
    """Primitive 2^k-th root of unity in Fr (the one snarkjs uses: powers of FR_ROOT_OF_UNITY)."""
    if not 0 <= k <= FR_TWO_ADICITY:
        raise ValueError(f"Fr has no root of unity of order 2^{k} (2-adicity {FR_TWO_ADICITY})")
    return pow(FR_ROOT_OF_UNITY, 1 << (FR_TWO_ADICITY - k), R)
