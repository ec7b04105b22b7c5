#!/usr/bin/env python3
"""The glyph study's pilot (docs/results.md, "Glyph study: pilot"), cell by cell with `nmsweep cell`.

Pre-trains the CNN on the glyph source at the given (noise, seed, epochs) points, reads each model
file's metadata (clean source accuracy, memorisation), evaluates the given methods on the tasks,
and prints the CPU seconds of every cell (getrusage of the child) and the tables of the results
section. Cells already run (their output files exist in --out) are not run again.

    scripts/glyph_pilot.py --nmsweep .build/release/nmsweep --out /tmp/glyph-pilot \\
        --models 0:0:10 0.3:0:10 0:1:10 0.3:1:10 0.3:0:3 0.3:0:20 0.3:0:30 0:0:20 0.3:1:20 0:1:20
"""
import argparse, json, os, resource, struct, subprocess, sys

TASKS = ["latin-print", "latin-print->latin-hand", "mnist5k", "digits", "mnist5k->digits", "fmnist"]


def pretrain_spec(a, noise, seed, epochs):
    return {"noiseRatio": noise, "seed": seed, "epochs": epochs, "batchSize": 128, "optimizer": "sgd",
            "learningRate": 0.05, "momentum": 0.9, "weightDecay": 0.0005, "conv1Channels": 16, "conv2Channels": 32,
            "featureDimension": 128, "noiseModel": "exclusive",
            "glyphs": {"classCount": a.classes, "trainPerClass": a.train_per_class, "testPerClass": a.test_per_class,
                       "sha256": a.sha256}}


def hyperparameters(method):  # the authors' recipe (TuningHyperparameters.defaults)
    return {"epochs": 30, "batchSize": 64, "learningRate": 0.01 if method == "lp" else 0.001, "weightDecay": 1e-4,
            "warmupSteps": 0, "hiddenMultiplier": 4, "consistencyWeight": 1.0, "singularWeight": 0.001,
            "covarianceWeight": 0.04, "topK": 5}


def run_cell(a, spec, name, extra):
    """Runs one cell unless its result exists; returns (result JSON, CPU seconds or None)."""
    result_path = os.path.join(a.out, name + ".json")
    if os.path.exists(result_path):
        return json.load(open(result_path)), None
    spec_path = os.path.join(a.out, name + ".spec.json")
    json.dump(spec, open(spec_path, "w"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([a.nmsweep, "cell", "--spec", spec_path, "--json"] + extra, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{name}: {done.stderr.strip()}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    open(result_path, "w").write(done.stdout)
    with open(os.path.join(a.out, "cpu.txt"), "a") as log:
        log.write(f"{name} {cpu:.2f}\n")
    return json.loads(done.stdout), cpu


def metadata(path):
    data = open(path, "rb").read()
    length = struct.unpack("<I", data[12:16])[0]
    return json.loads(data[16:16 + length])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nmsweep", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--classes", type=int, default=500)
    p.add_argument("--train-per-class", type=int, default=40)
    p.add_argument("--test-per-class", type=int, default=10)
    p.add_argument("--sha256", default="bde3647e93e62beed22cc7f565b44934cd877be871f19f28e1c560d5d25b2ab5")
    p.add_argument("--models", nargs="+", required=True, help="NOISE:SEED:EPOCHS of each pre-training")
    p.add_argument("--methods", nargs="+", default=["lp"])
    p.add_argument("--tasks", nargs="+", default=TASKS)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    accuracy = {}
    print("model (noise seed epochs) | clean source acc | loss on noisy labels | memorisation | clean acc of relabelled | CPU-s")
    for point in a.models:
        noise, seed, epochs = point.split(":")
        noise, seed, epochs = float(noise), int(seed), int(epochs)
        spec = pretrain_spec(a, noise, seed, epochs)
        name = f"pretrain-n{noise}-s{seed}-e{epochs}"
        model = os.path.join(a.out, name + ".model")
        _, cpu = run_cell(a, {"pretrain": {"_0": spec}}, name, ["--out-model", model])
        m = metadata(model)
        memo = m.get("memorisation")
        clean = m.get("corruptedCleanAccuracy")
        print(f"{noise} {seed} {epochs} | {m['sourceTestAccuracy']:.4f} | {m['trainLoss']:.3f} | "
              f"{'-' if memo is None else f'{memo:.4f}'} | {'-' if clean is None else f'{clean:.4f}'} | {cpu or 0:.1f}")
        for task in a.tasks:
            for method in a.methods:
                evaluate = {"noiseRatio": noise, "task": task, "method": method, "seed": seed, "probeSeed": seed,
                            "hyperparameters": hyperparameters(method), "features": {"pretrained": {"_0": spec}}}
                label = f"evaluate-n{noise}-s{seed}-e{epochs}-{method}-{task.replace('->', '_to_')}"
                result, cpu = run_cell(a, {"evaluate": {"_0": evaluate}}, label, ["--model", model])
                accuracy[(noise, seed, epochs, method, task)] = result["accuracy"]
    print("\nnoise seed epochs method | " + " | ".join(a.tasks))
    for (noise, seed, epochs, method) in sorted({k[:4] for k in accuracy}):
        cells = [accuracy.get((noise, seed, epochs, method, t)) for t in a.tasks]
        print(f"{noise} {seed} {epochs} {method} | " + " | ".join("-" if c is None else f"{100 * c:.1f}" for c in cells))


if __name__ == "__main__":
    main()
