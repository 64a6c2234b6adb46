#!/usr/bin/env python3
"""Writes layer-fixtures.st: inputs, weights, outputs and gradients of PyTorch's Conv2d, ConvTranspose2d,
BatchNorm2d and a class-conditional batch norm on small fixed inputs, for NNTests/PyTorchFixtureTests. Needs torch (../shared/bench/README.md).
Run from the repository root: /tmp/torchenv/bin/python Tests/Fixtures/make_layer_fixtures.py"""
import json, os, struct
import torch

torch.manual_seed(20261201)
out = {}

def record(prefix, layer, x, train=True):
    layer.train(train)
    x = x.clone().requires_grad_(True)
    y = layer(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    out[prefix + ".x"] = x.detach()
    out[prefix + ".y"] = y.detach()
    out[prefix + ".r"] = r
    out[prefix + ".dx"] = x.grad
    for name, p in layer.named_parameters():
        out[prefix + "." + name] = p.detach()
        out[prefix + ".d" + name] = p.grad
    for name, b in layer.named_buffers():
        if b.dtype == torch.float32:
            out[prefix + "." + name] = b.detach()   # after the forward: updated running statistics

record("conv", torch.nn.Conv2d(3, 4, 4, 2, 1), torch.randn(2, 3, 8, 8))
record("convT", torch.nn.ConvTranspose2d(4, 3, 4, 2, 1), torch.randn(2, 4, 4, 4))
bn = torch.nn.BatchNorm2d(3)
with torch.no_grad():
    bn.weight.uniform_(0.5, 1.5); bn.bias.uniform_(-0.5, 0.5)
record("bn", bn, torch.randn(2, 3, 5, 5) * 2 + 1)


class ClassConditionalBatchNorm(torch.nn.Module):
    """BatchNorm2d without its own affine, then a scale and shift per class (de Vries et al., 2017)."""
    def __init__(self, channels, labels, classes):
        super().__init__()
        self.bn = torch.nn.BatchNorm2d(channels, affine=False)
        self.scale = torch.nn.Parameter(torch.empty(classes, channels).uniform_(0.5, 1.5))
        self.shift = torch.nn.Parameter(torch.empty(classes, channels).uniform_(-0.5, 0.5))
        self.register_buffer("labels", labels)   # int64: record() skips it

    def forward(self, x):
        plane = (slice(None), slice(None), None, None)
        return self.bn(x) * self.scale[self.labels][plane] + self.shift[self.labels][plane]


labels = torch.tensor([2, 0, 2])
record("cbn", ClassConditionalBatchNorm(3, labels, classes=4), torch.randn(3, 3, 4, 5) * 2 - 1)
out["cbn.labels"] = torch.nn.functional.one_hot(labels, 4).float()

header, body, offset = {"__metadata__": {"torch": torch.__version__}}, b"", 0
for name, t in sorted(out.items()):
    data = t.contiguous().float().numpy().tobytes()
    header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
    body += data
    offset += len(data)
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layer-fixtures.st")
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + body)
print("wrote", path, len(body), "bytes of tensors")
