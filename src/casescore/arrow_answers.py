"""Answer codes read straight from the bytes of an Arrow text column, when every cell is exactly
Yes, No, N/A or empty (or missing, as a workbook's empty cells are), as casescore's templates
write them and most markings hold them.

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


BLOCK = 1 << 16  # cells worked on at a time: the work arrays (about 1 MB) stay in the CPU's cache


class Scratch:
    """Work arrays for `codes`, made once and used for every block of every column. Fresh arrays for
    each column meant fresh memory from the system each time: 185,000 page faults and 0.3 s of
    system time for 300,000 cases; whole-column arrays for the long form's 7.8 million answers ran
    5 times slower than blocks that fit the cache (both measured)."""

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, np.dtype], np.ndarray] = {}

    def get(self, name: str, n: int, dtype) -> np.ndarray:
        """An array of n <= BLOCK items of dtype (its contents are whatever was left in it)."""
        key = (name, np.dtype(dtype))
        if key not in self._arrays:
            self._arrays[key] = np.empty(BLOCK, dtype)
        return self._arrays[key][:n]


def codes(column, scratch: Scratch | None = None) -> np.ndarray | None:
    """Each cell's answer code (int8), or None unless every cell is exactly a token, empty or missing."""
    import pyarrow as pa

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    if not all(isinstance(c, pa.Array) and _plain_text(c) for c in chunks):
        return None
    n = sum(len(c) for c in chunks)
    if len(chunks) > 1 and n < len(chunks) * BLOCK // 4:
        # Many small chunks (a CSV's columns come in one per 1 MiB of file): one array costs a copy,
        # many cost the per-call overhead of numpy many times over.
        try:
            chunks = [pa.concat_arrays(chunks)]
        except pa.ArrowInvalid:  # more text than one array's offsets can address: not answers
            return None
    out = np.full(n, answers.BLANK, np.int8)
    work = scratch or Scratch()
    at = 0
    for chunk in chunks:
        if not _chunk(chunk, out[at: at + len(chunk)], work):
            return None
        at += len(chunk)
    return out


def _plain_text(array) -> bool:
    import pyarrow as pa

    return pa.types.is_string(array.type) or pa.types.is_large_string(array.type)


def _chunk(array, out: np.ndarray, work: Scratch) -> bool:
    import pyarrow as pa

    n = len(array)
    if n == 0:
        return True
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(array.buffers()[1], width)[array.offset: array.offset + n + 1]
    if offsets[-1] == offsets[0]:
        return True  # every cell empty or missing (and there may be no text buffer to read)
    text = np.frombuffer(array.buffers()[2], np.uint8)
    valid = None
    if array.null_count:  # a workbook's empty cells are missing values: blank (a slot holding over 3
        # bytes, which no writer makes, has the column declined: still right, only slower)
        bits = np.unpackbits(np.frombuffer(array.buffers()[0], np.uint8), bitorder="little")
        valid = bits[array.offset: array.offset + n].view(bool)
    return all(_block(text, offsets[lo:min(n, lo + BLOCK) + 1], out[lo:lo + BLOCK], work,
                      None if valid is None else valid[lo:lo + BLOCK]) for lo in range(0, n, BLOCK))


def _block(text: np.ndarray, offsets: np.ndarray, out: np.ndarray, work: Scratch, valid: np.ndarray | None) -> bool:
    """Codes for the cells between `offsets` into `out` (all blank to start); False if a cell is not
    exactly a token or empty. `valid`: False for a missing cell (None: none is)."""
    n = len(out)
    length = np.subtract(offsets[1:], offsets[:-1], out=work.get("length", n, offsets.dtype))
    if length.max() > _LONGEST:
        return False
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
    if valid is not None:
        missing = np.logical_not(valid, out=same)
        np.copyto(out, answers.BLANK, where=missing)
        np.logical_or(matched, missing, out=matched)
    return bool(matched.all())
