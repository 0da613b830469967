#!/usr/bin/python3
"""Where PyTorch spends a ResNet50 training step on this CPU, for docs/PERFORMANCE.md's comparison
with `bin/dml4j bench train --profile`: convolution and BatchNorm time, forward and backward, over
one profiled step (torch.autograd.profiler; the outermost op of each kind, so nested ops are not
counted twice). Usage: scripts/profile_torch.py SIZE BATCH   (Debian: python3-torch, python3-torchvision)
"""
import torch, torchvision, torch.nn.functional as F, sys
torch.set_num_threads(2)
size, batch = int(sys.argv[1]), int(sys.argv[2])
net = torchvision.models.resnet50(); net.fc = torch.nn.Identity(); net.train()
x = torch.rand(batch, 3, size, size)
opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
def step():
    opt.zero_grad(); net(x).sum().backward(); opt.step()
step(); step()
with torch.autograd.profiler.profile() as prof:
    step()
tot = {}
for e in prof.key_averages():
    n = e.key
    k = ('batchnorm' if 'batch_norm' in n else 'conv' if 'convolution' in n else None)
    if k is None: continue
    k += ' backward' if 'backward' in n else ' forward'
    tot[k] = max(tot.get(k, 0), e.cpu_time_total)   # nested ops: keep the outermost
s = sum(tot.values())
total = max(e.cpu_time_total for e in prof.key_averages())
for k, v in sorted(tot.items(), key=lambda kv: -kv[1]):
    print(f"{k:22s} {v/1e6:7.3f} s")
print(f"step (profiled) {total/1e6:.3f} s")
