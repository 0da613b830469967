#!/usr/bin/python3
"""PyTorch side of scripts/bench_vs_torch.sh: the same measurement as `bin/dml4j bench train|infer`.

ResNet50 or ResNet18 (torchvision's, which strides in the 3x3 conv as ours) without its classifier,
and for training an ArcFace head (s = 80, m = 0.15, the original's formula; 1000 classes unless
--classes) or the eml loss (the original's formula, docs/ORIGINAL.md: blocks of 8 images per class,
log(1 + sum exp(d_pos - max)) terms), trained with SGD momentum 0.9 and weight decay 1e-4; synthetic
input; warm-up steps, then the median of measured steps; images/s and the process's peak resident
memory. One configuration per process.
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


def eml_loss(x, labels, samples_each_class=8, beta=1e5, threshold=20.0):
    """The original's eml loss on unnormalised features (docs/ORIGINAL.md section 5.6): per anchor the
    squared distances to its positives and negatives, A = mean exp(p - p_max), N = mean exp(-(n - n_min)),
    b = p_max - n_min, theta = A N, loss = f(min(b, T)) + g(max(b, T)) - f(T), averaged over anchors."""
    n = x.size(0)
    sq = (x * x).sum(1, keepdim=True)
    d = (sq + sq.t() - 2 * x @ x.t()).clamp(min=0)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(n, dtype=torch.bool)
    pos_mask, neg_mask = same & ~eye, ~same
    p_max = d.masked_fill(~pos_mask, float("-inf")).max(1, keepdim=True).values
    n_min = d.masked_fill(~neg_mask, float("inf")).min(1, keepdim=True).values
    a = (torch.exp(d - p_max) * pos_mask).sum(1, keepdim=True) / (samples_each_class - 1)
    q = (torch.exp(-(d - n_min)) * neg_mask).sum(1, keepdim=True) / (n - samples_each_class)
    b, theta, ln_b1 = p_max - n_min, a * q, math.log1p(beta)
    low, high = b.clamp(max=threshold), b.clamp(min=threshold)
    f_low = torch.log1p(theta * torch.exp(low) * beta) / ln_b1
    g_high = (torch.log(theta) + high + math.log(beta)) / ln_b1
    f_t = torch.log1p(theta * beta * math.exp(threshold)) / ln_b1
    return (f_low + g_high - f_t).mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "infer"])
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--arch", choices=["ResNet50", "ResNet18"], default="ResNet50")
    p.add_argument("--loss", choices=["arcmargin", "eml"], default="arcmargin")
    p.add_argument("--classes", type=int, default=1000)
    a = p.parse_args()
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    net = torchvision.models.resnet50() if a.arch == "ResNet50" else torchvision.models.resnet18()
    net.fc = torch.nn.Identity()
    width = 2048 if a.arch == "ResNet50" else 512
    x = torch.rand(a.batch, 3, a.size, a.size)
    if a.loss == "eml":
        labels = (torch.arange(a.batch) // 8) % a.classes
    else:
        labels = torch.arange(a.batch) % a.classes
    if a.mode == "train":
        head = ArcMargin(width, a.classes) if a.loss == "arcmargin" else (lambda f, y: eml_loss(f, y))
        params = list(net.parameters()) + (list(head.parameters()) if a.loss == "arcmargin" else [])
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
    print(f"torch {a.mode} {a.arch} 3x{a.size}x{a.size} batch {a.batch}, threads {torch.get_num_threads()}: "
          f"median step {median:.3f} s, {a.batch / median:.2f} images/s, peak RSS {rss} kB")


if __name__ == "__main__":
    main()
