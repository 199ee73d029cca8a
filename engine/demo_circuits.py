"""Demo circuits sized by constraint count: the workloads of the README demo, tests and benchmarks.

`range_sum` is the circom range-sum pattern: N private values, each proved < 2^bits with Num2Bits,
and their sum as the one public output. It has N * (bits + 1) + 1 constraints. `range_sum_for_power`
picks the largest N whose circuit still fits a snarkjs domain of 2^k (snarkjs needs
n_constraints + n_public + 1 <= 2^k), e.g. k = 16, bits = 32 gives N = 1985 and 65,506 constraints.
"""

from __future__ import annotations

from engine.circuit import Circuit, CircuitBuilder, lc_sum

RANGE_SUM_PUBLIC = 1  # the sum


def range_sum(n_values: int, bits: int = 32) -> Circuit:
    """Circuit with private input `values` (n_values ints < 2^bits) and public output `sum`."""
    if n_values < 1:
        raise ValueError(f"n_values must be positive, got {n_values}")
    b = CircuitBuilder(f"range_sum(n={n_values}, bits={bits})")
    values = b.private_inputs("values", n_values)
    with b.section("range"):
        for i, v in enumerate(values):
            b.range_check(v, bits, what=f"values[{i}]")
    with b.section("sum"):
        b.public_output("sum", lc_sum(values))
    return b.build()


def range_sum_size(n_values: int, bits: int = 32) -> int:
    """Constraint count of `range_sum(n_values, bits)`."""
    return n_values * (bits + 1) + 1


def range_sum_values_for_power(power: int, bits: int = 32) -> int:
    """Largest N with range_sum_size(N) + public signals + 1 <= 2^power."""
    n = ((1 << power) - 2 - RANGE_SUM_PUBLIC) // (bits + 1)
    if n < 1:
        raise ValueError(f"no range_sum with {bits}-bit values fits a domain of 2^{power}")
    return n


def range_sum_for_power(power: int, bits: int = 32) -> Circuit:
    """The largest range_sum circuit that fits a snarkjs domain of 2^power."""
    return range_sum(range_sum_values_for_power(power, bits), bits)
