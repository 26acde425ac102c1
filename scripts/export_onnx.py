"""Exports the default model's MLP to ONNX, for the onnxruntime-node comparison in benches/.

    pip install onnx==1.23.2
    node -e "process.stdout.write(require('./native.js').defaultModelJson())" > target/model.json
    python3 scripts/export_onnx.py target/model.json benches/default.onnx

Input `features` (float32, N x inputs: the model inputs, as `featureValues` computes them);
output `probabilities` (float32, N x 3: bot, attack, abuse, Platt-calibrated). The model's
version is stored in the metadata; benches/bench.mjs refuses a file from another model.
"""

import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(model_json: str, out: str) -> None:
    m = json.load(open(model_json))
    n, h = m["inputs"], m["hidden"]
    f32 = lambda name, a: numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)
    w1 = np.asarray(m["w1"], dtype=np.float32).reshape(h, n)
    w2 = np.asarray(m["w2"], dtype=np.float32).reshape(3, h)
    cal = np.asarray(m["calibration"], dtype=np.float32)
    init = [
        f32("mean", m["mean"]), f32("inv_std", m["invStd"]), f32("w1t", w1.T), f32("b1", m["b1"]),
        f32("w2t", w2.T), f32("b2", m["b2"]), f32("cal_a", cal[:, 0]), f32("cal_b", cal[:, 1]),
    ]
    nodes = [
        helper.make_node("Sub", ["features", "mean"], ["centered"]),
        helper.make_node("Mul", ["centered", "inv_std"], ["z"]),
        helper.make_node("MatMul", ["z", "w1t"], ["pre0"]),
        helper.make_node("Add", ["pre0", "b1"], ["pre"]),
        helper.make_node("Relu", ["pre"], ["hidden"]),
        helper.make_node("MatMul", ["hidden", "w2t"], ["logits0"]),
        helper.make_node("Add", ["logits0", "b2"], ["logits"]),
        helper.make_node("Mul", ["logits", "cal_a"], ["scaled"]),
        helper.make_node("Add", ["scaled", "cal_b"], ["calibrated"]),
        helper.make_node("Sigmoid", ["calibrated"], ["probabilities"]),
    ]
    graph = helper.make_graph(
        nodes, "request_refiner_mlp",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", n])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 3])],
        init,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="request-refiner")
    model.ir_version = 8
    helper.set_model_props(model, {"model_version": m["version"]})
    onnx.checker.check_model(model)
    onnx.save(model, out)
    print(f"{m['version']}: {n} -> {h} -> 3 written to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
