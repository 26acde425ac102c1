"""Exports the default model to ONNX, for the onnxruntime-node comparison in benches/.

    npm run build:test && python3 scripts/export_onnx.py [out]     # out: benches/default.onnx

The weights and which heads read each feature come from the test build (its `defaultModelJson`
and `schemaJson`, read through node). Any Python 3.9+ runs it: on its first run the script makes
target/onnx-venv, installs the pinned packages of scripts/requirements-onnx.txt (onnx from PyPI)
into it, and re-runs itself there; it reinstalls when that file changes. On Debian, `python3 -m
venv` needs `apt-get install python3-venv`.

The graph is the addon's forward pass (crates/refiner-core/src/model/mod.rs): input `features`
(float32, N × inputs: the model inputs as `featureValues` computes them), clamped to the training
range [lo, hi], standardized ((x − mean) · inv_std); then per head the features the schema gives
it (Gather), its own block of hidden units (MatMul, Add, Relu), their output weights plus the
linear skip from the same features and the head's bias, and its Platt calibration σ(a·logit + b);
output `probabilities` (float32, N × heads). The model's version and schema hash are in the
metadata: benches/bench.mjs refuses a file made from another model. Before writing, the graph is
run with onnx's reference evaluator against a dense forward pass of the same weights.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "onnx-venv"
REQUIREMENTS = ROOT / "scripts" / "requirements-onnx.txt"

READ_MODEL = """
const dir = require('path').join(process.cwd(), 'target', 'test-build')
const file = require('fs').existsSync(dir) && require('fs').readdirSync(dir).find((f) => f.endsWith('.node'))
if (!file) { console.error('no test build: run npm run build:test'); process.exit(1) }
const build = require(require('path').join(dir, file))
process.stdout.write(JSON.stringify({ model: JSON.parse(build.defaultModelJson()), schema: JSON.parse(build.schemaJson()) }))
"""


def in_venv() -> None:
    """Re-runs this script in target/onnx-venv, made or refreshed from the pinned requirements."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    installed = VENV / REQUIREMENTS.name
    if not python.exists() or not installed.exists() or installed.read_text() != REQUIREMENTS.read_text():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True)
        shutil.copyfile(REQUIREMENTS, installed)
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


def export(out: Path) -> None:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator

    read = subprocess.run(["node", "-e", READ_MODEL], cwd=ROOT, capture_output=True, text=True)
    if read.returncode != 0:
        sys.exit(read.stderr.strip())
    data = json.loads(read.stdout)
    m, schema = data["model"], data["schema"]
    threats = schema["threats"]
    n, hidden, heads = m["inputs"], m["hidden"], len(threats)
    if n != len(schema["features"]) or hidden % heads:
        sys.exit(f"model {m['version']} ({n} inputs, {hidden} hidden) does not fit the schema's {len(schema['features'])} features and {heads} heads")
    f32 = lambda a: np.asarray(a, dtype=np.float32)
    w1, w2, v = f32(m["w1"]).reshape(hidden, n), f32(m["w2"]).reshape(heads, hidden), f32(m["v"]).reshape(heads, n)
    cal = f32(m["calibration"])
    units = hidden // heads

    init = [numpy_helper.from_array(f32(m[k]), k) for k in ("lo", "hi", "mean")]
    init += [numpy_helper.from_array(f32(m["invStd"]), "inv_std"), numpy_helper.from_array(cal[:, 0], "cal_a"), numpy_helper.from_array(cal[:, 1], "cal_b")]
    nodes = [
        helper.make_node("Max", ["features", "lo"], ["above_lo"]),
        helper.make_node("Min", ["above_lo", "hi"], ["clamped"]),
        helper.make_node("Sub", ["clamped", "mean"], ["centered"]),
        helper.make_node("Mul", ["centered", "inv_std"], ["z"]),
    ]
    for k, threat in enumerate(threats):
        # Hidden units k·units… belong to head k and read only its features (structure.rs checks
        # the same at load): the block keeps those columns, and every other weight must be 0.
        reads = np.array([threat in f["heads"] for f in schema["features"]])
        block = slice(k * units, (k + 1) * units)
        others = np.ones(hidden, dtype=bool)
        others[block] = False
        if w1[block][:, ~reads].any() or v[k, ~reads].any() or w2[k, others].any():
            sys.exit(f"model {m['version']}: the {threat} head has weights outside its block")
        idx = np.flatnonzero(reads).astype(np.int64)
        p = f"{threat}_"
        init += [
            numpy_helper.from_array(idx, p + "features"),
            numpy_helper.from_array(w1[block][:, idx].T.copy(), p + "w1"),
            numpy_helper.from_array(f32(m["b1"])[block], p + "b1"),
            numpy_helper.from_array(w2[k, block].reshape(units, 1), p + "w2"),
            numpy_helper.from_array(v[k, idx].reshape(-1, 1), p + "skip"),
            numpy_helper.from_array(f32(m["b2"])[k : k + 1], p + "b2"),
        ]
        nodes += [
            helper.make_node("Gather", ["z", p + "features"], [p + "z"], axis=1),
            helper.make_node("MatMul", [p + "z", p + "w1"], [p + "pre0"]),
            helper.make_node("Add", [p + "pre0", p + "b1"], [p + "pre"]),
            helper.make_node("Relu", [p + "pre"], [p + "hidden"]),
            helper.make_node("MatMul", [p + "hidden", p + "w2"], [p + "out"]),
            helper.make_node("MatMul", [p + "z", p + "skip"], [p + "linear"]),
            helper.make_node("Add", [p + "out", p + "linear"], [p + "sum"]),
            helper.make_node("Add", [p + "sum", p + "b2"], [p + "logit"]),
        ]
    nodes += [
        helper.make_node("Concat", [f"{t}_logit" for t in threats], ["logits"], axis=1),
        helper.make_node("Mul", ["logits", "cal_a"], ["scaled"]),
        helper.make_node("Add", ["scaled", "cal_b"], ["calibrated"]),
        helper.make_node("Sigmoid", ["calibrated"], ["probabilities"]),
    ]
    graph = helper.make_graph(
        nodes, "request_refiner",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", n])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", heads])],
        init,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="request-refiner")
    model.ir_version = 8
    helper.set_model_props(model, {"model_version": m["version"], "schema_hash": schema["schemaHash"]})
    onnx.checker.check_model(model)

    # The graph against a dense pass of the same weights, on inputs across and past the range.
    lo, hi = f32(m["lo"]), f32(m["hi"])
    x = np.random.default_rng(0).uniform(lo - 1, hi + 1, size=(256, n)).astype(np.float32)
    x[::2] *= np.random.default_rng(1).random((128, n)) < 0.2
    z = (np.clip(x, lo, hi) - f32(m["mean"])) * f32(m["invStd"])
    logits = np.maximum(z @ w1.T + f32(m["b1"]), 0) @ w2.T + z @ v.T + f32(m["b2"])
    want = 1 / (1 + np.exp(-(logits * cal[:, 0] + cal[:, 1])))
    got = ReferenceEvaluator(model).run(None, {"features": x})[0]
    if not np.allclose(got, want, atol=1e-5):
        sys.exit(f"the graph differs from the dense pass by {np.abs(got - want).max()}")

    onnx.save(model, out)
    print(f"{m['version']}: {n} inputs, {heads} heads × {units} hidden units, written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        sys.exit(__doc__)
    in_venv()
    export(Path(sys.argv[1]).resolve() if len(sys.argv) == 2 else ROOT / "benches" / "default.onnx")
