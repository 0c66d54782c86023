"""Reusing freed memory (nnsvm.memory): where memory comes from changes, no result does."""

import subprocess
import sys

# Two LeNet steps at batch 2048, whose first feature maps (38 MB) are above glibc's 32 MB mmap threshold,
# and an RBF kernel matrix of 3,000 points (72 MB), as Q6's stages compute them.
_STEPS = """
import hashlib, sys, numpy as np, torch
from nnsvm import memory
from nnsvm.kernels import Kernel, gram
from nnsvm.nets import models, train
from nnsvm.nets.params import ModelParams
applied = memory.reuse_freed_memory() if sys.argv[1] == "reuse" else None
spec = ModelParams(arch="lenet", epochs=1, batch_size=2048, lr=0.003, schedule="constant")
g = torch.Generator().manual_seed(3)
model = models.place(models.build(spec, g), torch.device("cpu"))
x, y = torch.rand(2048, 1, 28, 28, generator=g), torch.randint(0, 10, (2048,), generator=g)
optimizer, _ = train.make_optimizer(model, spec, 2)
losses = [train.train_step(model, optimizer, x, y) for _ in range(2)]
weights = b"".join(p.detach().numpy().tobytes() for p in model.parameters())
k = gram(Kernel("rbf", 0.01, 0.0, 3), np.random.default_rng(0).random((3000, 784)))
print(applied, losses, hashlib.sha256(weights).hexdigest(), hashlib.sha256(k.tobytes()).hexdigest())
"""


def test_reusing_freed_memory_changes_no_result():
    """It trains bitwise the same model and computes bitwise the same kernel matrix with glibc's default
    allocation and with freed memory reused, and applies the setting on this (glibc) machine."""
    out = {
        mode: subprocess.run(
            [sys.executable, "-c", _STEPS, mode], capture_output=True, text=True, check=True
        ).stdout.split(" ", 1)
        for mode in ("default", "reuse")
    }
    assert out["default"][0] == "None" and out["reuse"][0] == "True"
    assert out["default"][1] == out["reuse"][1]


# A block bigger than any finite threshold the project ever set (1 GiB), allocated and freed: glibc's
# mallinfo2 tells how many bytes its heap still holds (``arena``, the first field). Page-fault counts
# would not do: transparent huge pages fault 2 MB at a time, so a trimmed heap faults few pages back in.
_HELD_AFTER_FREE = """
import ctypes, numpy as np
from nnsvm import memory
assert memory.reuse_freed_memory()
class Mallinfo2(ctypes.Structure):  # malloc.h: ten size_t fields, arena first
    _fields_ = [("arena", ctypes.c_size_t), ("rest", ctypes.c_size_t * 9)]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2
block = np.empty(1_200_000_000, dtype=np.uint8)
block.fill(1)
del block
print(libc.mallinfo2().arena)
"""


def test_a_freed_block_over_a_gibibyte_stays_in_the_heap():
    """After 1.2 GB is freed, glibc's heap still holds it for the next step: the heap is never trimmed
    (a trim threshold of 1 GiB, or a value mallopt's C int wraps to 0, hands it back to the kernel)."""
    held = subprocess.run([sys.executable, "-c", _HELD_AFTER_FREE], capture_output=True, text=True, check=True).stdout
    assert int(held) >= 1_200_000_000
