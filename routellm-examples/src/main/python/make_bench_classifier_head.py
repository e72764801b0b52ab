#!/usr/bin/python3
"""Writes the classification head that the classifier benchmark appends to all-MiniLM-L6-v2 (quantized).

Regenerate (from the repository root, after `apt-get install -y python3-onnx python3-numpy`):

    /usr/bin/python3 routellm-examples/src/main/python/make_bench_classifier_head.py

Output: routellm-examples/src/main/resources/bench/minilm-classifier-head.onnxpart, a serialized ModelProto that
holds only graph additions: nodes that mean-pool MiniLM's `last_hidden_state` over `attention_mask` and project it
to 3 logits (seeded random weights), the weights, and the `logits` output. Protobuf merges a message that appears
twice, so the bytes of the MiniLM model followed by these bytes parse as one model with an extra `logits` output: a
BERT-sized sequence classifier (6 layers, 384 hidden, int8) for timing, built without copying the 23 MB model into
the repository. The scores mean nothing; only the cost does.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "bench",
                   "minilm-classifier-head.onnxpart")


def main():
    rng = np.random.RandomState(7)
    w = (rng.normal(0, 1, size=(384, 3)) * 0.5).astype(np.float32)
    b = np.zeros(3, dtype=np.float32)
    # MiniLM's export uses opset 11: axes are attributes.
    nodes = [
        helper.make_node("Cast", ["attention_mask"], ["rl_mask_f"], to=TensorProto.FLOAT, name="rl_cast"),
        helper.make_node("Unsqueeze", ["rl_mask_f"], ["rl_mask3"], axes=[2], name="rl_unsqueeze"),
        helper.make_node("Mul", ["last_hidden_state", "rl_mask3"], ["rl_masked"], name="rl_mul"),
        helper.make_node("ReduceSum", ["rl_masked"], ["rl_sum"], axes=[1], keepdims=0, name="rl_sum"),
        helper.make_node("ReduceSum", ["rl_mask3"], ["rl_count"], axes=[1], keepdims=0, name="rl_count"),
        helper.make_node("Div", ["rl_sum", "rl_count"], ["rl_pooled"], name="rl_div"),
        helper.make_node("MatMul", ["rl_pooled", "rl_w"], ["rl_proj"], name="rl_matmul"),
        helper.make_node("Add", ["rl_proj", "rl_b"], ["logits"], name="rl_add"),
    ]
    graph = onnx.GraphProto()
    graph.node.extend(nodes)
    graph.initializer.extend([numpy_helper.from_array(w, "rl_w"), numpy_helper.from_array(b, "rl_b")])
    graph.output.extend([helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", 3])])
    suffix = onnx.ModelProto()
    suffix.graph.CopyFrom(graph)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(suffix.SerializeToString())
    print(os.path.getsize(OUT), os.path.normpath(OUT))


if __name__ == "__main__":
    main()
