"""Vectorised string columns: UUIDs, hex digests, joins and lookups, built in Arrow."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex(raw: np.ndarray) -> np.ndarray:
    """(n, b) uint8 -> (n, 2b) ASCII hex digits."""
    out = np.empty((raw.shape[0], raw.shape[1] * 2), dtype=np.uint8)
    out[:, 0::2] = _HEX[raw >> 4]
    out[:, 1::2] = _HEX[raw & 15]
    return out


def _from_fixed(chars: np.ndarray) -> pa.Array:
    width = chars.shape[1]
    flat = np.ascontiguousarray(chars).view(f"S{width}").ravel()
    return pa.array(flat, type=pa.binary(width)).cast(pa.string())


def uuid4(rng: np.random.Generator, n: int) -> pa.Array:
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hx = _hex(raw)
    dash = np.full((n, 1), ord("-"), dtype=np.uint8)
    chars = np.hstack(
        [hx[:, :8], dash, hx[:, 8:12], dash, hx[:, 12:16], dash, hx[:, 16:20], dash, hx[:, 20:]]
    )
    return _from_fixed(chars)


def hex_digest(rng: np.random.Generator, n: int, nbytes: int = 32) -> pa.Array:
    return _from_fixed(_hex(rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)))


def lookup(values: list[str], codes: np.ndarray) -> pa.Array:
    """values[codes] as a plain string array (codes < 0 become NULL)."""
    codes = np.asarray(codes)
    mask = codes < 0
    idx = pa.array(np.where(mask, 0, codes).astype(np.int32), mask=mask if mask.any() else None)
    return pa.DictionaryArray.from_arrays(idx, pa.array(values, pa.string())).cast(pa.string())


def join(*parts: pa.Array | str | np.ndarray, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string arrays, scalars and integer arrays."""
    cols: list[pa.Array | pa.Scalar] = []
    for part in parts:
        if isinstance(part, str):
            cols.append(pa.scalar(part, pa.string()))
        elif isinstance(part, np.ndarray):
            cols.append(pc.cast(pa.array(part), pa.string()))
        else:
            cols.append(part)
    return pc.binary_join_element_wise(*cols, sep)


def iso_micro(us: np.ndarray) -> pa.Array:
    """Epoch microseconds -> `2024-01-08T06:00:00.192646` (LocalDagRunner run ids)."""
    text = np.datetime_as_string(us.astype("datetime64[us]"), unit="us")
    return (
        pa.array(text.astype(object), type=pa.string()) if text.size else pa.array([], pa.string())
    )
