"""PyTorch CPU yardstick for scripts/bench-vs-torch.sh (one thread).

Runs the same work nmsweep-bench measures and prints one JSON object:
- pre-training: the study's CNN (conv 1->16 3x3 pad 1, ReLU, maxpool 2, conv 16->32, ReLU, maxpool 2,
  fc 1568->128, ReLU, head 128->10), SGD momentum 0.9, weight decay 5e-4, batch 128, cross-entropy,
  one epoch over the first N Fashion-MNIST training images (read from nmsweep's data folder);
- tuning: LP, MLP and NMTune (PAPER's recipe: residual MLP D->4D->D with BatchNorm, AdamW, batch 64,
  NMTune's consistency + top-k singular value + covariance terms) on seeded N x D features.
Timings are medians of --repeats runs, wall clock, after one warm-up.
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def fashion_mnist(data_dir, count):
    with gzip.open(os.path.join(data_dir, "fashion-mnist-train-images-idx3-ubyte.gz"), "rb") as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        n = min(n, count)
        images = torch.frombuffer(bytearray(f.read(n * rows * cols)), dtype=torch.uint8)
    with gzip.open(os.path.join(data_dir, "fashion-mnist-train-labels-idx1-ubyte.gz"), "rb") as f:
        f.read(8)
        labels = torch.frombuffer(bytearray(f.read(n)), dtype=torch.uint8).long()
    return images.view(n, 1, rows, cols).float() / 255.0, labels


def cnn(c1=16, c2=32, d=128, classes=10):
    return nn.Sequential(
        nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c2 * 7 * 7, d), nn.ReLU(), nn.Linear(d, classes))


def pretrain_images_per_second(x, y, batch):
    torch.manual_seed(1)
    model = cnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    order = torch.randperm(x.shape[0])
    start = time.perf_counter()
    for lo in range(0, x.shape[0], batch):
        idx = order[lo:lo + batch]
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    return x.shape[0] / (time.perf_counter() - start)


class Residual(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.g = nn.Sequential(nn.Linear(d, h * d), nn.BatchNorm1d(h * d), nn.ReLU(), nn.Linear(h * d, d))
        self.s = nn.Parameter(torch.ones(d))

    def forward(self, f):
        return self.s * self.g(f) + f


def nmtune_regularizer(z, f_normalized, top_k=5, wc=1.0, ws=0.001, wv=0.04):
    consistency = F.mse_loss(F.normalize(z, dim=1), f_normalized)
    sigma = torch.linalg.svdvals(z)
    k = min(top_k, sigma.shape[0])
    singular = (sigma[:k] / sigma.sum()).mean()
    zc = z - z.mean(dim=0, keepdim=True)
    c = zc.T @ zc / (z.shape[0] - 1)
    off = c - torch.diag(torch.diag(c))
    covariance = (off ** 2).sum() / z.shape[1]
    return wc * consistency - ws * singular + wv * covariance


def tune_seconds(method, x, y, classes, epochs, batch=64, hidden=4):
    torch.manual_seed(1)
    d = x.shape[1]
    residual = Residual(d, hidden) if method != "lp" else None
    head = nn.Linear(d, classes)
    params = list(head.parameters()) + (list(residual.parameters()) if residual else [])
    lr = 0.01 if method == "lp" else 1e-3
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    steps_per_epoch = (x.shape[0] + batch - 1) // batch
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
    xn = F.normalize(x, dim=1)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(x.shape[0])
        for lo in range(0, x.shape[0], batch):
            idx = order[lo:lo + batch]
            if method != "lp" and idx.shape[0] < 2:
                continue
            f = x[idx]
            z = residual(f) if residual else f
            loss = F.cross_entropy(head(z), y[idx])
            if method == "nmtune":
                loss = loss + nmtune_regularizer(z, xn[idx])
            opt.zero_grad(set_to_none=False)
            loss.backward()
            opt.step()
            sched.step()
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", required=True)
    p.add_argument("--pretrain-samples", type=int, default=6000)
    p.add_argument("--rows", type=int, default=4000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    x, y = fashion_mnist(a.data_dir, a.pretrain_samples)
    pretrain_images_per_second(x[:1024], y[:1024], 128)  # warm-up
    out["pretrain_images_per_second"] = statistics.median(
        pretrain_images_per_second(x, y, 128) for _ in range(a.repeats))
    g = torch.Generator().manual_seed(7)
    centres = torch.randn(a.classes, a.dim, generator=g) * 0.35
    labels = torch.randint(0, a.classes, (a.rows,), generator=g)
    feats = centres[labels] + torch.randn(a.rows, a.dim, generator=g)
    for method in ("lp", "mlp", "nmtune"):
        tune_seconds(method, feats[:512], labels[:512], a.classes, 1)  # warm-up
        out[f"{method}_seconds"] = statistics.median(
            tune_seconds(method, feats, labels, a.classes, a.epochs) for _ in range(a.repeats))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
