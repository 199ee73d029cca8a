"""The committed generated field modules must equal the generator's output."""

from pathlib import Path

from kernels.cpu import montgomery


def test_generated_modules_are_current():
    here = Path(montgomery.__file__).parent
    for filename, (modulus, n, name) in montgomery.TARGETS.items():
        expected = montgomery.module_source(modulus, n, name)
        assert (here / filename).read_text() == expected, f"regenerate {filename}"
