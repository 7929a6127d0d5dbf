"""Counter-based pseudo randomness: the same inputs always give the same numbers.

Everything the simulator invents (world content, which request fails) comes
from these hashes or from generators seeded by them, so that a run can be
replayed exactly from its seed without storing anything.
"""

from __future__ import annotations

import numpy as np

_MASK64 = (1 << 64) - 1


def mix64(value: int) -> int:
    """splitmix64 finaliser on a Python int."""
    z = (value + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def hash_ints(*values: int) -> int:
    """A 64-bit hash of a tuple of ints (order matters)."""
    h = 0x6A09E667F3BCC909
    for v in values:
        h = mix64(h ^ (v & _MASK64))
    return h


def uniform(*values: int) -> float:
    """A float in [0, 1) from a tuple of ints."""
    return (hash_ints(*values) >> 11) * (1.0 / (1 << 53))


def mix64_array(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser over a uint64 array (wrap-around arithmetic)."""
    z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def uniform_array(seed: int, salt: int, values: np.ndarray) -> np.ndarray:
    """Floats in [0, 1), one per value, for a given (seed, salt) stream."""
    key = np.uint64(hash_ints(seed, salt))
    h = mix64_array(values.astype(np.uint64) ^ key)
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def rng_for(*values: int) -> np.random.Generator:
    """A numpy generator dedicated to one tuple of ints (e.g. seed, cell)."""
    return np.random.Generator(np.random.PCG64(hash_ints(*values)))
