"""CPU backend: Numba njit kernels over numpy limb arrays (64-bit limbs, Montgomery form).

Numba's OpenMP threading layer spin-waits at every barrier by default. On shared cores (CI
runners, two-core VMs, a laptop doing other work) the spinning thread steals the time slice
its partner needs: six 2^16 NTTs took 230-270 ms with two threads on a loaded two-core machine
against 127 ms with passive waiting (the same as one thread). Passive waiting costs a wake-up per
parallel region (microseconds). Set before the OpenMP runtime loads; the environment can override.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
