#!/usr/bin/env python3
"""A small real extractor for nmsweep's command cells, numpy only (runs on any CPU).

It pre-trains a one-hidden-layer MLP on Fashion-MNIST whose training labels carry symmetric
label noise (each noisy label is another class, uniformly), then writes the hidden layer's
activations as the features of every downstream task asked for, in the layout the evaluate cells
read (docs/grid.md, "Command cells"):

    OUT/<task>/train_features.npy   float32, (N, D)
    OUT/<task>/train_labels.npy     int64,   (N,)
    OUT/<task>/test_features.npy    float32, (M, D)
    OUT/<task>/test_labels.npy      int64,   (M,)

Tasks (the grid's labels, `->` written `-to-`): fmnist (Fashion-MNIST test images, split 80/20),
mnist5k (MNIST-5k, split 80/20), digits (scikit-learn's 8x8 digits in MNIST's 20x20 box, split
80/20), mnist5k-to-digits (train on MNIST-5k, test on digits: out of domain).

Deterministic: the same --noise and --seed give the same bytes. Usage:
    mlp_features.py --noise 0.2 --seed 0 --data-dir ~/.cache/nmsweep/data --tasks mnist5k,digits --out OUT
"""
import argparse
import gzip
import os
import sys

import numpy as np


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def read_csv(path):
    with gzip.open(path, "rt") as f:
        return np.loadtxt(f, delimiter=",", dtype=np.float32)


def fashion(data_dir, split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(data_dir, f"fashion-mnist-{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"fashion-mnist-{prefix}-labels-idx1-ubyte.gz"))
    return images.reshape(len(images), -1).astype(np.float32) / 255.0, labels.astype(np.int64)


def mnist5k(data_dir):
    table = read_csv(os.path.join(data_dir, "mnist_5k.csv.gz"))
    return table[:, :-1] / 255.0, table[:, -1].astype(np.int64)


def digits(data_dir):
    """8x8 digits (0-16) resized into the 20x20 box of a 28x28 frame (nearest neighbour)."""
    table = read_csv(os.path.join(data_dir, "digits.csv.gz"))
    small = table[:, :64].reshape(-1, 8, 8) / 16.0
    index = (np.arange(20) * 8 // 20)
    box = small[:, index][:, :, index]
    frame = np.zeros((len(table), 28, 28), dtype=np.float32)
    frame[:, 4:24, 4:24] = box
    return frame.reshape(len(table), -1), table[:, 64].astype(np.int64)


def split(x, y, seed, train_fraction=0.8):
    order = np.random.default_rng(1_000 + seed).permutation(len(y))
    cut = int(round(train_fraction * len(y)))
    return (x[order[:cut]], y[order[:cut]]), (x[order[cut:]], y[order[cut:]])


def noisy(labels, ratio, rng, classes=10):
    labels = labels.copy()
    flip = rng.permutation(len(labels))[: int(round(ratio * len(labels)))]
    shift = rng.integers(1, classes, size=len(flip))
    labels[flip] = (labels[flip] + shift) % classes
    return labels


def pretrain(x, y, hidden, epochs, rng, batch=128, lr=0.1):
    w1 = rng.normal(0, np.sqrt(2.0 / x.shape[1]), (x.shape[1], hidden)).astype(np.float32)
    b1 = np.zeros(hidden, np.float32)
    w2 = rng.normal(0, np.sqrt(1.0 / hidden), (hidden, 10)).astype(np.float32)
    b2 = np.zeros(10, np.float32)
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch):
            idx = order[start:start + batch]
            h = np.maximum(x[idx] @ w1 + b1, 0)
            logits = h @ w2 + b2
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(idx)), y[idx]] -= 1
            p /= len(idx)
            gh = (p @ w2.T) * (h > 0)
            w2 -= lr * (h.T @ p)
            b2 -= lr * p.sum(axis=0)
            w1 -= lr * (x[idx].T @ gh)
            b1 -= lr * gh.sum(axis=0)
    return lambda images: np.maximum(images @ w1 + b1, 0).astype(np.float32)


def write(out, task, train, test, features):
    folder = os.path.join(out, task)
    os.makedirs(folder, exist_ok=True)
    for name, (x, y) in (("train", train), ("test", test)):
        np.save(os.path.join(folder, f"{name}_features.npy"), features(x))
        np.save(os.path.join(folder, f"{name}_labels.npy"), y.astype(np.int64))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--noise", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--tasks", required=True, help="comma-separated task labels")
    parser.add_argument("--out", required=True)
    parser.add_argument("--samples", type=int, default=6000, help="Fashion-MNIST images to pre-train on")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    x, y = fashion(args.data_dir, "train")
    pick = rng.permutation(len(y))[: args.samples]
    x, y = x[pick], y[pick]
    y_noisy = noisy(y, args.noise, rng)
    print(f"pre-training on {len(y)} images, {np.mean(y_noisy != y):.3f} of the labels noisy", flush=True)
    features = pretrain(x, y_noisy, args.hidden, args.epochs, rng)

    sets = {}
    for task in args.tasks.split(","):
        if task == "fmnist":
            train, test = split(*fashion(args.data_dir, "test"), args.seed)
        elif task in ("mnist5k", "digits"):
            if task not in sets:
                sets[task] = mnist5k(args.data_dir) if task == "mnist5k" else digits(args.data_dir)
            train, test = split(*sets[task], args.seed)
        elif task == "mnist5k-to-digits":
            train, _ = split(*mnist5k(args.data_dir), args.seed)
            _, test = split(*digits(args.data_dir), args.seed)
        else:
            print(f"unknown task '{task}' (known: fmnist, mnist5k, digits, mnist5k-to-digits)", file=sys.stderr)
            return 2
        write(args.out, task, train, test, features)
        print(f"{task}: {len(train[1])} train, {len(test[1])} test, {args.hidden} features", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
