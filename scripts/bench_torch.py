#!/usr/bin/python3
"""PyTorch side of scripts/bench_vs_torch.sh: the same measurement as `bin/dml4j bench train|infer`.

ResNet50 (torchvision's, which strides in the 3x3 conv as ours) without its classifier, and for
training an ArcFace head (1000 classes, s = 80, m = 0.15, the original's formula) trained with SGD
momentum 0.9 and weight decay 1e-4; synthetic input; warm-up steps, then the median of measured
steps; images/s and the process's peak resident memory. One configuration per process.
Debian: apt-get install python3-torch python3-torchvision.
"""
import argparse
import math
import os
import resource
import statistics
import time

import torch
import torch.nn.functional as F
import torchvision


class ArcMargin(torch.nn.Module):
    def __init__(self, dim, classes, s=80.0, m=0.15):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(classes, dim).uniform_(-1 / math.sqrt(dim), 1 / math.sqrt(dim)))
        self.s, self.cos_m, self.sin_m = s, math.cos(m), math.sin(m)
        self.th, self.mm = math.cos(math.pi - m), math.sin(math.pi - m) * m

    def forward(self, x, labels):
        cos = F.normalize(x) @ F.normalize(self.weight).t()
        sin = torch.sqrt((1 - cos * cos).clamp(min=0))
        phi = cos * self.cos_m - sin * self.sin_m
        phi = torch.where(cos > self.th, phi, cos - self.mm)
        one_hot = F.one_hot(labels, cos.size(1)).to(cos.dtype)
        return F.cross_entropy(self.s * (one_hot * phi + (1 - one_hot) * cos), labels)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "infer"])
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    net = torchvision.models.resnet50()
    net.fc = torch.nn.Identity()
    x = torch.rand(a.batch, 3, a.size, a.size)
    labels = torch.arange(a.batch) % 1000
    if a.mode == "train":
        head = ArcMargin(2048, 1000)
        params = list(net.parameters()) + list(head.parameters())
        opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=1e-4)
        net.train()

        def step():
            opt.zero_grad()
            head(net(x), labels).backward()
            opt.step()
    else:
        net.eval()

        def step():
            with torch.no_grad():
                net(x)
    seconds = []
    for i in range(a.warmup + a.steps):
        start = time.perf_counter()
        step()
        if i >= a.warmup:
            seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"torch {a.mode} ResNet50 3x{a.size}x{a.size} batch {a.batch}, threads {torch.get_num_threads()}: "
          f"median step {median:.3f} s, {a.batch / median:.2f} images/s, peak RSS {rss} kB")


if __name__ == "__main__":
    main()
