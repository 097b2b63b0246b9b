"""Answer codes read straight from the bytes of an Arrow text column, when every cell is exactly
Yes, No, N/A or empty, as casescore's templates write them and most markings hold them.

Why by hand: the alternative is a hash of every cell (Arrow's dictionary encoding while parsing,
or `dictionary_encode` after), which made reading a 300,000-case CSV 1.6 times slower than
reading its cells as plain text. Here each cell's length and first three bytes are compared with
the three answers: a dozen numpy operations over a column, no Python per cell. No library offers
"these few exact strings to these codes" without hashing (pyarrow's `index_in` hashes, and measured
slower). A column holding anything else (`yes`, `Y`, `Yes `, a number) gets None, and goes the
general way: each distinct value spelled out once (answers.answer_code).
"""

from __future__ import annotations

import numpy as np

from casescore import answers

TOKENS = tuple(answers.NAMES.values())  # Yes, No, N/A
_LONGEST = max(len(t.encode()) for t in TOKENS)


class Scratch:
    """Work arrays for `codes`, kept from one column to the next of the same length. Fresh arrays
    for each of 78 columns meant fresh memory from the system each time (600 page faults per 2 MB
    array): with them, 185,000 page faults and 0.3 s of system time for 300,000 cases (measured)."""

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, int], np.ndarray] = {}

    def get(self, name: str, n: int, dtype) -> np.ndarray:
        key = (name, n)
        if key not in self._arrays or self._arrays[key].dtype != dtype:
            self._arrays[key] = np.empty(n, dtype)
        return self._arrays[key]


def codes(column, scratch: Scratch | None = None) -> np.ndarray | None:
    """Each cell's answer code (int8), or None unless every cell is exactly a token or empty."""
    import pyarrow as pa

    try:
        array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    except pa.ArrowInvalid:  # more text than one array's offsets can address: not a column of answers
        return None
    if not isinstance(array, pa.Array) or array.null_count or not (
            pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    n = len(array)
    out = np.full(n, answers.BLANK, np.int8)
    if n == 0:
        return out
    work = scratch or Scratch()
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(array.buffers()[1], width)[array.offset: array.offset + n + 1]
    length = np.subtract(offsets[1:], offsets[:-1], out=work.get("length", n, width))
    longest = length.max()
    if longest > _LONGEST:
        return None
    if longest == 0:
        return out  # every cell empty
    text = np.frombuffer(array.buffers()[2], np.uint8)
    at = work.get("at", n, np.intp)
    # The first bytes of each cell. 'clip' keeps a read past the end of the buffer (an empty last
    # cell, or a byte after a short cell's end) in bounds; such bytes are never compared, because
    # a cell is compared with a token only when its length is the token's.
    heads = []
    for k in range(_LONGEST):
        np.add(offsets[:-1], k, out=at)
        heads.append(text.take(at, mode="clip", out=work.get(f"head{k}", n, np.uint8)))
    matched = np.equal(length, 0, out=work.get("matched", n, bool))
    hit, same, step = work.get("hit", n, bool), work.get("same", n, bool), work.get("step", n, np.int8)
    for token in TOKENS:
        raw = token.encode()
        np.equal(length, len(raw), out=hit)
        for head, byte in zip(heads, raw, strict=False):
            np.logical_and(hit, np.equal(head, byte, out=same), out=hit)
        # Arithmetic, not out[hit] = code: a scattered mask made that 50 times slower (measured).
        # The tokens' cells are disjoint, and every other cell keeps the blank code out began with.
        out += np.multiply(hit.view(np.int8), answers.answer_code(token) - answers.BLANK, out=step)
        np.logical_or(matched, hit, out=matched)
    return out if matched.all() else None
