"""Deterministic identifiers: image ids, 22-char sequence keys, creators.

Image ids embed their cell (`(cell + 1) << 20 | serial`), and sequence keys
embed (cell, serial) scrambled by a seed-dependent hash, so that looking an id
up needs only the one cell that owns it: no index of a huge world is kept.
"""

from __future__ import annotations

from etl.simulator.hashing import hash_ints

SERIAL_BITS = 20
SERIAL_MASK = (1 << SERIAL_BITS) - 1
_LOW_BITS = 50  # cell (30 bits) + serial (20 bits)
_LOW_MASK = (1 << _LOW_BITS) - 1
_CHECK_BITS = 63
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
SEQUENCE_KEY_LEN = 22


def image_id(cell: int, serial: int) -> int:
    return ((cell + 1) << SERIAL_BITS) | serial


def image_id_base(cell: int) -> int:
    return (cell + 1) << SERIAL_BITS


def split_image_id(value: int) -> tuple[int, int]:
    """(cell, serial) of an image id; cell is -1 for ids we never issue."""
    return (value >> SERIAL_BITS) - 1, value & SERIAL_MASK


def sequence_key(seed: int, cell: int, serial: int) -> str:
    """A 22-char lowercase alphanumeric key, like Mapillary's legacy keys."""
    check = hash_ints(seed, 0x5E9, cell, serial) >> (64 - _CHECK_BITS)
    low = ((cell << SERIAL_BITS) | serial) ^ (check & _LOW_MASK)
    value = (check << _LOW_BITS) | low
    chars = []
    for _ in range(SEQUENCE_KEY_LEN):
        value, digit = divmod(value, 36)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def parse_sequence_key(seed: int, key: str) -> tuple[int, int] | None:
    """(cell, serial) for a key this seed issued, else None."""
    if len(key) != SEQUENCE_KEY_LEN:
        return None
    try:
        value = int(key, 36)
    except ValueError:
        return None
    check = value >> _LOW_BITS
    plain = (value & _LOW_MASK) ^ (check & _LOW_MASK)
    cell, serial = plain >> SERIAL_BITS, plain & SERIAL_MASK
    if hash_ints(seed, 0x5E9, cell, serial) >> (64 - _CHECK_BITS) != check:
        return None
    return cell, serial


def creator(seed: int, index: int) -> tuple[str, str]:
    """(id, username) of the index-th creator of a world."""
    h = hash_ints(seed, 0xC4EA, index)
    user_id = str(100_000_000_000_000 + h % 900_000_000_000_000)
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "an", "el"]
    name = "".join(syllables[(h >> (8 * i)) % len(syllables)] for i in range(3))
    return user_id, f"{name}{index}"


def organization_id(seed: int, index: int) -> str:
    return str(200_000_000_000_000 + hash_ints(seed, 0x0E6, index) % 800_000_000_000_000)
