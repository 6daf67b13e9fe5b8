"""ResNet-50 forward + backward + SGD step in PyTorch: the reference that bench/resnet50-step.mjs compares with.

The step is the one the detlab bench times: the four stage outputs of ResNet-50 (no fc) for a batch of
2 x 3 x 256 x 256, loss = sum over stages of mean(out ** 2), backward, SGD with momentum 0.9; train mode (batch
norm on batch statistics). Uses torchvision's resnet50 when torchvision is installed; otherwise an identical
local definition (same modules, same 23,508,032 parameters), since Debian ships python3-torch without it.

Usage: python3 bench/torch_resnet50_step.py --threads 2 --warmup 1 --steps 5
Prints one JSON object: {"median_ms", "min_ms", "times_ms", "threads", "torch", "model", "parameters"}.
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


class _Bottleneck(nn.Module):
    """torchvision's Bottleneck (stride on the 3x3 conv), for when torchvision is missing."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class _ResNet50(nn.Module):
    """torchvision.models.resnet50 without avgpool and fc."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        inplanes = 64
        for i, (planes, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]):
            downsample = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride=stride, bias=False), nn.BatchNorm2d(planes * 4))
            layers = [_Bottleneck(inplanes, planes, stride, downsample)]
            inplanes = planes * 4
            layers += [_Bottleneck(inplanes, planes) for _ in range(1, blocks)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))


def build_model():
    try:
        import torchvision

        model = torchvision.models.resnet50()
        del model.fc, model.avgpool
        return model, f"torchvision {torchvision.__version__} resnet50"
    except ImportError:
        return _ResNet50(), "local copy of torchvision's resnet50 (torchvision is not installed)"


def stage_outputs(model, x):
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    outs = []
    for name in ("layer1", "layer2", "layer3", "layer4"):
        x = getattr(model, name)(x)
        outs.append(x)
    return outs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--batch", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model, source = build_model()
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(args.batch, 3, args.size, args.size)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = sum(o.pow(2).mean() for o in stage_outputs(model, x))
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "times_ms": times,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "model": source,
        "parameters": sum(p.numel() for p in model.parameters()),
    }))


if __name__ == "__main__":
    main()
