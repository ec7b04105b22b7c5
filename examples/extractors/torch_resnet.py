#!/usr/bin/env python3
"""The paper's scale with nmsweep's command cells: pre-train a ResNet with symmetric label noise
on an ImageFolder, then write the penultimate-layer features of every downstream set in the
layout the evaluate cells read (docs/grid.md, "Command grids"). Needs PyTorch and torchvision and,
in practice, a GPU; it is documented, not run in the test suite.

    torch_resnet.py --noise 0.1 --seed 0 --source /data/imagenet/train \
        --downstream /data/downstream --tasks cifar10,flowers102 --out OUT

--source is an ImageFolder (one sub-folder per class) to pre-train on. Every task T named in
--tasks has /data/downstream/T/train and /data/downstream/T/test ImageFolders; an OOD task
`A-to-B` (a grid's `A->B`) reads A/train and B/test. Writes OUT/T/{train,test}_{features,labels}.npy.
"""
import argparse
import os

import numpy as np
import torch
import torchvision
from torch.utils.data import DataLoader
from torchvision import transforms


def symmetric_noise(targets, ratio, classes, generator):
    targets = torch.tensor(targets)
    flip = torch.randperm(len(targets), generator=generator)[: int(round(ratio * len(targets)))]
    shift = torch.randint(1, classes, (len(flip),), generator=generator)
    targets[flip] = (targets[flip] + shift) % classes
    return targets.tolist()


def features(model, folder, device, batch):
    data = torchvision.datasets.ImageFolder(folder, transforms.Compose([
        transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]))
    rows, labels = [], []
    with torch.no_grad():
        for images, targets in DataLoader(data, batch_size=batch, num_workers=8):
            rows.append(model(images.to(device)).float().cpu().numpy())
            labels.append(targets.numpy())
    return np.concatenate(rows).astype(np.float32), np.concatenate(labels).astype(np.int64)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--noise", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--downstream", required=True)
    parser.add_argument("--tasks", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--arch", default="resnet50")
    parser.add_argument("--epochs", type=int, default=90)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    train = torchvision.datasets.ImageFolder(args.source, transforms.Compose([
        transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(), transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]))
    train.targets = symmetric_noise(train.targets, args.noise, len(train.classes), generator)
    train.samples = [(path, target) for (path, _), target in zip(train.samples, train.targets)]
    model = getattr(torchvision.models, args.arch)(num_classes=len(train.classes)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs)
    loader = DataLoader(train, batch_size=args.batch, shuffle=True, num_workers=8, generator=generator)
    for epoch in range(args.epochs):
        model.train()
        for images, targets in loader:
            loss = torch.nn.functional.cross_entropy(model(images.to(device)), targets.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        schedule.step()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss.item():.4f}", flush=True)

    model.fc = torch.nn.Identity()
    model.eval()
    for task in args.tasks.split(","):
        source, _, target = task.partition("-to-")
        folder = os.path.join(args.out, task)
        os.makedirs(folder, exist_ok=True)
        for split, name in (("train", source), ("test", target or source)):
            x, y = features(model, os.path.join(args.downstream, name, split), device, args.batch)
            np.save(os.path.join(folder, f"{split}_features.npy"), x)
            np.save(os.path.join(folder, f"{split}_labels.npy"), y)
        print(f"{task}: features written", flush=True)


if __name__ == "__main__":
    main()
