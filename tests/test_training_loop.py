"""Training loop: the loss falls on generated data, resume equals an uninterrupted run, and 2-process DDP (gloo,
launched with torchrun) with averaged gradients equals one process on the same global batch.

All runs use the tiny stand-in network (``model = "tiny"``) so they take seconds; the machinery (pairs, targets,
loss, schedule, optimiser, checkpoints, DDP) is the production code.
"""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from tracker.training.config import TrainConfig, load_config
from tracker.training.loop import make_pair_dataset, train

REPO = Path(__file__).resolve().parents[1]

TINY_TOML = """
model = "tiny"
steps = {steps}
batch_size = 4
seed = 7
workers = 0
checkpoint_every = 2
[[data]]
kind = "synthetic"
num_videos = 20
num_frames = 40
[[data]]
kind = "stills"
weight = 0.5
[augment]
neg_prob = 0.2
flip_prob = 0.2
[optim]
lr_start = 0.01
lr_end = 0.0001
"""


def _cfg(tmp_path: Path, steps: int) -> TrainConfig:
    p = tmp_path / "tiny.toml"
    p.write_text(TINY_TOML.format(steps=steps))
    return load_config(p)


class _Repeat(torch.utils.data.Dataset):
    """The first ``n`` pairs of a dataset, repeated (so a loss decrease means the model fitted them)."""

    def __init__(self, base, n):
        self.items = [base[i] for i in range(n)]

    def __len__(self):
        return 10**9

    def __getitem__(self, i):
        return self.items[i % len(self.items)]


def test_loss_decreases_on_generated_pairs(tmp_path):
    torch.set_num_threads(1)
    cfg = dataclasses.replace(_cfg(tmp_path, 60), optim=dataclasses.replace(_cfg(tmp_path, 60).optim, lr_start=0.3, lr_end=0.03))
    ds = _Repeat(make_pair_dataset(cfg, length=8), 8)
    res = train(cfg, tmp_path / "run", dataset=ds, progress=False)
    losses = np.array(res["losses"])
    assert len(losses) == 60
    assert losses[-10:].mean() < 0.8 * losses[:10].mean(), losses
    log = (tmp_path / "run" / "log.csv").read_text().splitlines()
    assert log[0].startswith("step,lr,loss") and len(log) == 61
    assert (tmp_path / "run" / "loss.png").stat().st_size > 1000


def _params(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, map_location="cpu", weights_only=False)["model"]


def test_resume_equals_uninterrupted(tmp_path):
    torch.set_num_threads(1)
    cfg = _cfg(tmp_path, 6)
    full = train(cfg, tmp_path / "full", progress=False)
    part = train(cfg, tmp_path / "part", stop_after=3, progress=False)
    assert part["steps_done"] == 3
    rest = train(cfg, tmp_path / "part", resume=True, progress=False)
    assert rest["steps_done"] == 6
    a, b = _params(tmp_path / "full" / "checkpoint.pth"), _params(tmp_path / "part" / "checkpoint.pth")
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0, msg=k)
    assert full["losses"][3:] == rest["losses"]
    log = (tmp_path / "part" / "log.csv").read_text().splitlines()
    assert [int(r.split(",")[0]) for r in log[1:]] == list(range(6))


def test_resume_refuses_other_config(tmp_path):
    cfg = _cfg(tmp_path, 4)
    train(cfg, tmp_path / "r", stop_after=2, progress=False)
    with pytest.raises(ValueError, match="different config"):
        train(dataclasses.replace(cfg, seed=8), tmp_path / "r", resume=True, progress=False)


def test_ddp_two_processes_equals_single(tmp_path):
    """torchrun, 2 CPU processes on gloo, global batch 4 (2 per process) vs one process with batch 4."""
    cfg_path = tmp_path / "tiny.toml"
    cfg_path.write_text(TINY_TOML.format(steps=4))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "integration.cli.train", "--config", str(cfg_path), "--out", str(tmp_path / "ddp"),
           "--device", "cpu", "--threads", "1", "--no-progress"]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    torch.set_num_threads(1)
    single = train(load_config(cfg_path), tmp_path / "single", progress=False)
    a, b = _params(tmp_path / "ddp" / "checkpoint.pth"), _params(tmp_path / "single" / "checkpoint.pth")
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=1e-5, atol=1e-6, msg=k)
    # the runs really trained, and the DDP run used both halves of each global batch (not just its own 2 pairs)
    from tracker.training.loop import default_model

    init = default_model(load_config(cfg_path), torch.device("cpu"), None).state_dict()
    assert sum(float((a[k].float() - init[k].float()).abs().sum()) for k in a) > 1e-3
    half_cfg = dataclasses.replace(load_config(cfg_path), batch_size=2)
    train(half_cfg, tmp_path / "half", progress=False)
    c = _params(tmp_path / "half" / "checkpoint.pth")
    assert sum(float((a[k].float() - c[k].float()).abs().sum()) for k in a) > 1e-4
    ddp_log = (tmp_path / "ddp" / "log.csv").read_text().splitlines()
    assert len(ddp_log) == 5
    np.testing.assert_allclose([float(r.split(",")[2]) for r in ddp_log[1:]], single["losses"], rtol=1e-5)
