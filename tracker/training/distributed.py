"""torch.distributed helpers for training launched with ``torchrun`` (or ``torch.multiprocessing`` in tests).

Gradients are AVERAGED over processes (DDP's all-reduce divides by the world size), and each process takes an
equal slice of the global batch, so a run gives the same update for any number of processes at a fixed global
batch (pysot summed gradients, which made results depend on the GPU count). BatchNorm statistics stay frozen during
training (see ``loop``), so no cross-process BN synchronisation is needed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistInfo:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_from_env(device: torch.device) -> DistInfo:
    """Join the process group described by torchrun's environment (``WORLD_SIZE`` > 1), else single process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo", rank=rank, world_size=world)
    return DistInfo(rank, world, local)


def average_gradients(params, world: int) -> None:
    """All-reduce and average ``.grad`` of ``params`` (what DDP does; for models not wrapped in DDP)."""
    if world <= 1:
        return
    for p in params:
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad.div_(world)


def all_mean(value: float, device: torch.device, world: int) -> float:
    """Mean of a scalar over processes (for logging)."""
    if world <= 1:
        return float(value)
    t = torch.tensor([float(value)], device=device, dtype=torch.float64)
    dist.all_reduce(t)
    return float(t.item() / world)


def cleanup() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
