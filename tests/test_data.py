"""Tests of course_lib.data: real downloads from a local server, verification, parsing,
subsets, the synthetic stand-in, packs, manifests and the data faults fixed in them.
The input pipelines are tested in test_data_pipelines.py."""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import Drop

from course_lib import data
from course_lib.data import catalog, formats, loaders, remote

RNG = np.random.default_rng(1)


# --------------------------------------------------------------------------------------
# Fixture files in the canonical formats
# --------------------------------------------------------------------------------------
def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


def sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """Each test: an empty cache, no data dir, no memoised arrays, mirror-only
    downloads."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    monkeypatch.setenv("COURSE_DATA_MIRROR_ONLY", "1")
    monkeypatch.setattr(loaders, "_memo", {})
    monkeypatch.setattr(loaders, "_sources", {})


@pytest.fixture
def fake_mnist(monkeypatch):
    """Small MNIST-format files; the spec's digests are patched to theirs."""
    arrays = {
        "train_images": RNG.integers(0, 256, (40, 28, 28)),
        "train_labels": np.arange(40) % 10,
        "test_images": RNG.integers(0, 256, (20, 28, 28)),
        "test_labels": np.arange(20) % 10,
    }
    files, specs = {}, {}
    for key, spec in catalog.MNIST_FILES.items():
        payload = idx_bytes(arrays[key])
        files[spec.name] = payload
        specs[key] = data.RemoteFile(spec.name, sha(payload), len(payload), ())
    monkeypatch.setattr(catalog, "MNIST_FILES", specs)
    return arrays, files


def cifar_records(n: int, labels: np.ndarray, images: np.ndarray) -> bytes:
    """CIFAR-10 binary records: label byte, then R, G, B planes."""
    planes = images.transpose(0, 3, 1, 2).reshape(n, -1)
    return np.concatenate([labels[:, None], planes], axis=1).astype(np.uint8).tobytes()


def tar_gz(members: dict[str, bytes], extra=None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        if extra:
            extra(tar)
    return buffer.getvalue()


@pytest.fixture
def fake_cifar(monkeypatch):
    """A 10-records-per-file CIFAR-10 binary archive; the spec's digest patched to
    it."""
    monkeypatch.setattr(formats, "CIFAR10_RECORDS_PER_FILE", 10)
    names = data.CIFAR10_TRAIN_FILES + (data.CIFAR10_TEST_FILE,)
    images = RNG.integers(0, 256, (len(names), 10, 32, 32, 3)).astype(np.uint8)
    labels = np.tile(np.arange(10), (len(names), 1)).astype(np.uint8)
    members = {
        f"{data.CIFAR10_FOLDER}/{n}": cifar_records(10, labels[i], images[i])
        for i, n in enumerate(names)
    }
    members[f"{data.CIFAR10_FOLDER}/batches.meta.txt"] = "\n".join(
        data.CIFAR10_CLASSES
    ).encode()
    archive = tar_gz(members)
    spec = data.RemoteFile(catalog.CIFAR10_ARCHIVE.name, sha(archive), len(archive), ())
    monkeypatch.setattr(catalog, "CIFAR10_ARCHIVE", spec)
    return images, labels, archive


def serve(server, monkeypatch, prefix: str, files: dict[str, object]):
    for name, payload in files.items():
        server.routes[f"/{prefix}/{name}"] = payload
    monkeypatch.setenv("COURSE_DATA_MIRROR", f"{server.url}/{prefix}")


def leftovers(folder: Path) -> list[str]:
    return (
        sorted(p.name for p in folder.rglob("*") if p.is_file())
        if folder.exists()
        else []
    )


# --------------------------------------------------------------------------------------
# Downloads against a local HTTP server
# --------------------------------------------------------------------------------------
def test_good_mnist_download_loads_exact_arrays(file_server, monkeypatch, fake_mnist):
    arrays, files = fake_mnist
    serve(file_server, monkeypatch, "mnist", files)
    (x_train, y_train), (x_test, y_test) = data.load_mnist(subset="full")
    np.testing.assert_array_equal(x_train, arrays["train_images"])
    np.testing.assert_array_equal(y_test, arrays["test_labels"])
    assert x_train.dtype == np.uint8 and x_test.shape == (20, 28, 28)
    assert not [n for n in leftovers(data.cache_dir()) if n.endswith(".part")]


def test_good_cifar_archive_downloads_extracts_and_works_offline(
    file_server, monkeypatch, fake_cifar
):
    images, labels, archive = fake_cifar
    serve(file_server, monkeypatch, "cifar", {catalog.CIFAR10_ARCHIVE.name: archive})
    (x_train, y_train), (x_test, y_test) = data.load_cifar10(subset="full")
    assert x_train.shape == (50, 32, 32, 3) and x_test.shape == (10, 32, 32, 3)
    # Channel planes become the last axis: every pixel of image 0 keeps its RGB.
    np.testing.assert_array_equal(x_train[:10], images[0])
    np.testing.assert_array_equal(y_test, labels[-1])
    folder = data.cache_dir() / "cifar10" / data.CIFAR10_FOLDER
    assert (folder / data.MANIFEST).is_file()
    # Once fetched, no network is needed.
    file_server.routes.clear()
    monkeypatch.setattr(loaders, "_memo", {})
    (again, _), _ = data.load_cifar10(subset="full")
    np.testing.assert_array_equal(again, x_train)


def test_corrupted_archive_is_rejected_with_digests_and_removed(
    file_server, monkeypatch, fake_cifar
):
    _, _, archive = fake_cifar
    bad = bytearray(archive)
    bad[len(bad) // 2] ^= 0xFF
    serve(file_server, monkeypatch, "cifar", {catalog.CIFAR10_ARCHIVE.name: bytes(bad)})
    with pytest.raises(data.ChecksumError) as err:
        data.load_cifar10(subset="full")
    message = str(err.value)
    assert catalog.CIFAR10_ARCHIVE.name in message
    assert catalog.CIFAR10_ARCHIVE.sha256 in message and sha(bytes(bad)) in message
    assert leftovers(data.cache_dir()) == []


def test_truncated_archive_is_rejected(file_server, monkeypatch, fake_cifar):
    _, _, archive = fake_cifar
    serve(
        file_server,
        monkeypatch,
        "cifar",
        {catalog.CIFAR10_ARCHIVE.name: archive[:1000]},
    )
    with pytest.raises(data.ChecksumError):
        data.load_cifar10(subset="full")
    assert leftovers(data.cache_dir()) == []


def test_missing_file_gives_one_clear_error(file_server, monkeypatch, fake_mnist):
    serve(file_server, monkeypatch, "mnist", {})
    with pytest.raises(data.DataNotFoundError) as err:
        data.load_mnist(subset="full")
    message = str(err.value)
    assert "404" in message and "data_scripts/download.py" in message
    assert "COURSE_DATA_DIR" in message
    assert leftovers(data.cache_dir()) == []


def test_dropped_connection_leaves_nothing_and_a_retry_succeeds(
    file_server, monkeypatch, fake_mnist
):
    _, files = fake_mnist
    dropped = {n: Drop(p, len(p) // 2) for n, p in files.items()}
    serve(file_server, monkeypatch, "mnist", dropped)
    with pytest.raises(data.DataNotFoundError):
        data.load_mnist(subset="full")
    assert leftovers(data.cache_dir()) == []
    serve(file_server, monkeypatch, "mnist", files)
    (x_train, _), _ = data.load_mnist(subset="full")
    assert x_train.shape == (40, 28, 28)


def test_fallback_mirror_is_used_when_the_first_fails(
    file_server, monkeypatch, fake_mnist
):
    _, files = fake_mnist
    serve(file_server, monkeypatch, "good", files)
    monkeypatch.setenv(
        "COURSE_DATA_MIRROR", f"{file_server.url}/gone,{file_server.url}/good"
    )
    (x_train, _), _ = data.load_mnist(subset="full")
    assert x_train.shape == (40, 28, 28)
    assert any(r.startswith("/gone/") for r in file_server.requests)


def evil_archive(kind: str) -> bytes:
    good = {f"{data.CIFAR10_FOLDER}/data_batch_1.bin": b"x"}

    def add_link(tar):
        info = tarfile.TarInfo(f"{data.CIFAR10_FOLDER}/link")
        info.type = tarfile.SYMTYPE
        info.linkname = "../../../outside.txt"
        tar.addfile(info)

    if kind == "dotdot":
        return tar_gz({**good, "../escaped.txt": b"evil"})
    if kind == "absolute":
        return tar_gz({**good, "/tmp/escaped-absolute.txt": b"evil"})
    return tar_gz(good, extra=add_link)


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink"])
def test_archive_member_escaping_the_target_is_refused(tmp_path, kind):
    archive = tmp_path / "evil.tar.gz"
    archive.write_bytes(evil_archive(kind))
    target = tmp_path / "target"
    with pytest.raises(data.UnsafeArchiveError) as err:
        data.safe_extract(archive, target)
    assert "outside" in str(err.value)
    assert not (tmp_path / "escaped.txt").exists()
    assert not Path("/tmp/escaped-absolute.txt").exists()
    assert leftovers(target) == []


def test_no_network_and_no_copy_is_one_clear_error_in_full_mode(monkeypatch):
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9")  # nothing listens
    with pytest.raises(data.DataNotFoundError) as err:
        data.load_mnist(subset="full")
    assert "data_scripts/download.py mnist --dir DIR" in str(err.value)


def test_smoke_mode_falls_back_to_a_labelled_synthetic_standin(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9")
    monkeypatch.setenv("COURSE_MODE", "smoke")
    with pytest.warns(UserWarning, match="SYNTHETIC STAND-IN"):
        (x_train, y_train), (x_test, _) = data.load_cifar10()
    assert "SYNTHETIC STAND-IN" in capsys.readouterr().err
    assert data.source("cifar10") == "synthetic"
    assert x_train.shape == (data.SMOKE_SIZES["cifar10"][0], 32, 32, 3)
    assert x_train.dtype == np.uint8 and np.bincount(y_train).min() > 0
    monkeypatch.setenv("COURSE_MODE", "full")
    with pytest.raises(data.DataNotFoundError):
        data.load_cifar10()


def test_a_bad_file_in_the_users_data_dir_is_reported_and_kept(tmp_path, monkeypatch):
    folder = tmp_path / "mine" / "mnist"
    folder.mkdir(parents=True)
    for spec in catalog.MNIST_FILES.values():
        (folder / spec.name).write_bytes(b"not mnist")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "mine"))
    with pytest.raises(data.ChecksumError, match="kept"):
        data.load_mnist(subset="full")
    assert len(leftovers(folder)) == 4


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------
def test_read_idx_rejects_truncated_and_foreign_files(tmp_path):
    good = idx_bytes(np.zeros((3, 4, 4)))
    raw = gzip.decompress(good)
    (tmp_path / "short.gz").write_bytes(gzip.compress(raw[:-5]))
    (tmp_path / "foreign.gz").write_bytes(gzip.compress(b"\x89PNG" + raw[4:]))
    (tmp_path / "cut.gz").write_bytes(good[:-8])
    for name in ("short.gz", "foreign.gz", "cut.gz"):
        with pytest.raises(data.DataFormatError):
            data.read_idx(tmp_path / name)


def test_read_cifar10_batch_rejects_wrong_sizes_and_labels(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "CIFAR10_RECORDS_PER_FILE", 2)
    (tmp_path / "short.bin").write_bytes(b"\x00" * (data.CIFAR10_RECORD * 2 - 1))
    with pytest.raises(data.DataFormatError, match="truncated"):
        data.read_cifar10_batch(tmp_path / "short.bin")
    (tmp_path / "labels.bin").write_bytes(b"\x0c" * (data.CIFAR10_RECORD * 2))
    with pytest.raises(data.DataFormatError, match="labels"):
        data.read_cifar10_batch(tmp_path / "labels.bin")


def test_stratified_indices_are_balanced_sorted_and_deterministic():
    labels = np.repeat(np.arange(10), [50, 60, 70, 80, 90, 100, 110, 120, 130, 140])
    idx = data.stratified_indices(labels, 105)
    counts = np.bincount(labels[idx], minlength=10)
    assert counts.sum() == 105 and counts.max() - counts.min() == 1
    assert np.all(np.diff(idx) > 0)
    np.testing.assert_array_equal(idx, data.stratified_indices(labels, 105))
    with pytest.raises(ValueError):
        data.stratified_indices(labels, 10_000)


def test_unknown_subset_is_a_clear_error():
    with pytest.raises(ValueError, match="subset must be"):
        data.load_mnist(subset="tiny")


# --------------------------------------------------------------------------------------
# Packs for offline classrooms
# --------------------------------------------------------------------------------------
def test_pack_and_unpack_round_trip_then_load_offline(
    file_server, monkeypatch, fake_mnist, fake_cifar, tmp_path
):
    arrays, files = fake_mnist
    _, _, archive = fake_cifar
    serve(
        file_server,
        monkeypatch,
        "all",
        {**files, catalog.CIFAR10_ARCHIVE.name: archive},
    )
    source_dir = tmp_path / "teacher"
    data.fetch("mnist", source_dir)
    data.fetch("cifar10", source_dir)
    pack_path = data.pack(source_dir, tmp_path / "course-data.tar.gz")
    names = data.unpack(pack_path, tmp_path / "student")
    assert len(names) == 4 + 6 + 1
    file_server.routes.clear()
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "student"))
    (x_train, _), _ = data.load_mnist(subset="full")
    np.testing.assert_array_equal(x_train, arrays["train_images"])
    assert data.load_cifar10(subset="full")[0][0].shape == (50, 32, 32, 3)


def test_unpack_detects_a_tampered_pack(tmp_path, fake_mnist):
    _, files = fake_mnist
    manifest = "".join(f"{sha(p)}  mnist/{n}\n" for n, p in files.items())
    tampered = dict(files)
    first = next(iter(tampered))
    tampered[first] = tampered[first] + b"!"
    members = {
        "SHA256SUMS": manifest.encode(),
        **{f"mnist/{n}": p for n, p in tampered.items()},
    }
    (tmp_path / "pack.tar.gz").write_bytes(tar_gz(members))
    with pytest.raises(data.ChecksumError, match=first):
        data.unpack(tmp_path / "pack.tar.gz", tmp_path / "out")


# --------------------------------------------------------------------------------------
# The real datasets (skipped when absent)
# --------------------------------------------------------------------------------------
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_mnist_has_the_canonical_sizes_counts_and_order(shared_data):
    (x_train, y_train), (x_test, y_test) = data.load_mnist(subset="full")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert (len(x_train), len(x_test)) == data.FULL_SIZES["mnist"]
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == MNIST_TEST_COUNTS
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first labels
    assert abs(x_train.mean() / 255 - data.MEAN["mnist"][0]) < 1e-3
    assert abs(x_train.std() / 255 - data.STD["mnist"][0]) < 1e-3


def test_real_cifar10_has_the_canonical_sizes_counts_and_order(shared_data):
    (x_train, y_train), (x_test, y_test) = data.load_cifar10(subset="full")
    assert x_train.shape == (50000, 32, 32, 3) and x_test.shape == (10000, 32, 32, 3)
    assert (len(x_train), len(x_test)) == data.FULL_SIZES["cifar10"]
    assert np.bincount(y_train).tolist() == [5000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert y_train[:3].tolist() == [6, 9, 9]  # frog, truck, truck
    scaled = x_train.reshape(-1, 3) / 255
    np.testing.assert_allclose(scaled.mean(0), data.MEAN["cifar10"], atol=1e-3)
    np.testing.assert_allclose(scaled.std(0), data.STD["cifar10"], atol=1e-3)


def test_smoke_subsets_of_real_data_are_stratified(shared_data, monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "smoke")
    (x_train, y_train), (x_test, y_test) = data.load_cifar10()
    n_train, n_test = data.SMOKE_SIZES["cifar10"]
    assert np.bincount(y_train).tolist() == [n_train // 10] * 10
    assert np.bincount(y_test).tolist() == [n_test // 10] * 10
    assert data.source("cifar10") != "synthetic"


def test_verify_accepts_the_real_folder(shared_data):
    assert len(data.verify("mnist", shared_data)) == 4
    assert len(data.verify("cifar10", shared_data)) == 6


# --------------------------------------------------------------------------------------
# Data faults: unpacking never loses data, manifests are checked at load time
# --------------------------------------------------------------------------------------
def pack_bytes(
    files: dict[str, bytes], manifest: dict[str, bytes] | None = None
) -> bytes:
    """A pack: ``files`` plus a SHA256SUMS of ``manifest`` (default: of ``files``)."""
    listed = files if manifest is None else manifest
    sums = "".join(f"{sha(p)}  {n}\n" for n, p in listed.items())
    return tar_gz({"SHA256SUMS": sums.encode(), **files})


def mnist_pack_files(files: dict[str, bytes]) -> dict[str, bytes]:
    return {f"mnist/{n}": p for n, p in files.items()}


def user_folder(root: Path) -> Path:
    """A --dir that already holds the user's data (and a file that only they have)."""
    (root / "mnist").mkdir(parents=True)
    (root / "mnist" / "my-notes.txt").write_text("mine")
    (root / "cifar10").mkdir()
    (root / "cifar10" / "keep.bin").write_bytes(b"keep")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_unpack_of_a_non_pack_leaves_existing_folders_untouched(tmp_path, fake_mnist):
    _, files = fake_mnist
    root = user_folder(tmp_path / "dir")
    before = snapshot(root)
    (tmp_path / "other.tar.gz").write_bytes(
        tar_gz(mnist_pack_files(files))
    )  # no manifest
    with pytest.raises(data.DataFormatError, match="not a course data pack"):
        data.unpack(tmp_path / "other.tar.gz", root)
    assert snapshot(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "other.tar.gz"]


def test_unpack_of_a_damaged_pack_leaves_existing_folders_and_no_new_files(
    tmp_path, fake_mnist
):
    _, files = fake_mnist
    root = user_folder(tmp_path / "dir")
    before = snapshot(root)
    damaged = mnist_pack_files(files)
    first = next(iter(damaged))
    manifest = dict(damaged)
    damaged[first] = damaged[first] + b"!"
    (tmp_path / "pack.tar.gz").write_bytes(pack_bytes(damaged, manifest))
    with pytest.raises(data.ChecksumError, match="is unchanged") as err:
        data.unpack(tmp_path / "pack.tar.gz", root)
    assert first in str(err.value)
    assert snapshot(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "pack.tar.gz"]


def test_a_genuine_pack_replaces_folders_only_after_verification(tmp_path, fake_mnist):
    arrays, files = fake_mnist
    root = user_folder(tmp_path / "dir")
    (tmp_path / "pack.tar.gz").write_bytes(pack_bytes(mnist_pack_files(files)))
    names = data.unpack(tmp_path / "pack.tar.gz", root)
    assert names == sorted(mnist_pack_files(files))
    after = snapshot(root)
    assert "mnist/my-notes.txt" not in after  # the pack's mnist/ replaced the old one
    assert after["cifar10/keep.bin"] == b"keep"  # what the pack lacks is kept
    assert not [p for p in root.rglob("*") if p.name.endswith(".part")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "pack.tar.gz"]


def test_swap_in_puts_everything_back_when_a_move_fails(tmp_path, monkeypatch):
    target, staging = tmp_path / "target", tmp_path / "staging"
    for folder, text in ((target, "old"), (staging, "new")):
        for name in ("a", "b"):
            (folder / name).mkdir(parents=True)
            (folder / name / "f").write_text(text)
    real_replace, calls = remote.os.replace, []

    def failing_replace(src, dst):
        calls.append(src)
        if len(calls) == 4:  # a aside, a in, b aside, then moving b in fails
            raise OSError("disk gone")
        real_replace(src, dst)

    monkeypatch.setattr(remote.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk gone"):
        remote.swap_in(staging, target)
    monkeypatch.setattr(remote.os, "replace", real_replace)
    assert snapshot(target) == {"a/f": b"old", "b/f": b"old"}
    assert sorted(p.name for p in target.iterdir()) == ["a", "b"]


def make_cifar_pack(tmp_path, file_server, monkeypatch, fake_mnist, fake_cifar) -> Path:
    _, files = fake_mnist
    _, _, archive = fake_cifar
    serve(
        file_server,
        monkeypatch,
        "all",
        {**files, catalog.CIFAR10_ARCHIVE.name: archive},
    )
    teacher = tmp_path / "teacher"
    data.fetch("mnist", teacher)
    data.fetch("cifar10", teacher)
    pack = data.pack(teacher, tmp_path / "course-data.tar.gz")
    file_server.routes.clear()
    return pack


def test_a_tampered_pack_leaves_nothing_that_the_loader_could_load(
    tmp_path, file_server, monkeypatch, fake_mnist, fake_cifar
):
    pack = make_cifar_pack(tmp_path, file_server, monkeypatch, fake_mnist, fake_cifar)
    with tarfile.open(pack) as tar:
        members = {
            m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()
        }
    batch = f"cifar10/{data.CIFAR10_FOLDER}/data_batch_2.bin"
    tampered = bytearray(members[batch])
    tampered[1] ^= 0xFF  # one pixel: same size, still a valid CIFAR-10 batch
    members[batch] = bytes(tampered)
    (tmp_path / "tampered.tar.gz").write_bytes(tar_gz(members))
    student = tmp_path / "student"
    with pytest.raises(data.ChecksumError, match="data_batch_2.bin"):
        data.unpack(tmp_path / "tampered.tar.gz", student)
    assert not student.exists()
    monkeypatch.setenv("COURSE_DATA_DIR", str(student))
    with pytest.raises(data.DataNotFoundError):
        data.load_cifar10(subset="full")


def test_loaders_check_the_manifest_of_a_data_folder(
    tmp_path, file_server, monkeypatch, fake_mnist, fake_cifar
):
    pack = make_cifar_pack(tmp_path, file_server, monkeypatch, fake_mnist, fake_cifar)
    student = tmp_path / "student"
    data.unpack(pack, student)
    batch = student / "cifar10" / data.CIFAR10_FOLDER / "data_batch_2.bin"
    tampered = bytearray(batch.read_bytes())
    tampered[1] ^= 0xFF  # changed after unpacking: same size, still a valid batch
    batch.write_bytes(bytes(tampered))
    monkeypatch.setenv("COURSE_DATA_DIR", str(student))
    with pytest.raises(data.ChecksumError, match="data_batch_2.bin") as err:
        data.load_cifar10(subset="full")
    assert "SHA256SUMS" in str(err.value) and "NOT loaded" in str(err.value)
    assert batch.read_bytes() == bytes(tampered)  # the user's file is kept
    with pytest.raises(data.ChecksumError):
        data.verify("cifar10", student)


@pytest.mark.parametrize(
    "entry", ["../outside.bin", "/etc/hostname", "a/../../outside.bin"]
)
def test_a_manifest_entry_outside_its_folder_is_refused(tmp_path, entry):
    folder = tmp_path / "root" / "cifar10" / data.CIFAR10_FOLDER
    folder.mkdir(parents=True)
    outside = tmp_path / "root" / "cifar10" / "outside.bin"
    outside.write_bytes(b"secret")
    (folder / data.MANIFEST).write_text(f"{sha(b'secret')}  {entry}\n")
    with pytest.raises(data.DataFormatError, match="outside its folder"):
        data.read_manifest(folder / data.MANIFEST)


def test_a_pack_whose_manifest_points_outside_is_refused(tmp_path, fake_mnist):
    _, files = fake_mnist
    (tmp_path / "secret.txt").write_bytes(b"secret")
    members = mnist_pack_files(files)
    sums = "".join(f"{sha(p)}  {n}\n" for n, p in members.items())
    sums += f"{sha(b'secret')}  ../secret.txt\n"
    (tmp_path / "pack.tar.gz").write_bytes(
        tar_gz({"SHA256SUMS": sums.encode(), **members})
    )
    with pytest.raises(data.DataFormatError, match="outside its folder"):
        data.unpack(tmp_path / "pack.tar.gz", tmp_path / "dir")
    assert not (tmp_path / "dir").exists()


def test_unpack_refusals_name_the_target_not_the_staging_folder(tmp_path):
    (tmp_path / "evil.tar.gz").write_bytes(evil_archive("dotdot"))
    with pytest.raises(data.UnsafeArchiveError) as err:
        data.unpack(tmp_path / "evil.tar.gz", tmp_path / "dir")
    message = str(err.value)
    assert f"outside {tmp_path / 'dir'}." in message and ".part" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.tar.gz"]


# --------------------------------------------------------------------------------------
# Data faults: read-only cache, killed downloads, the mirror-only switch
# --------------------------------------------------------------------------------------
def deny_writes(monkeypatch):
    """Makes every new partial file fail as in a read-only folder (tests run as root,
    for whom chmod does not stop writes)."""

    def denied(folder, name, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(folder))

    monkeypatch.setattr(remote, "new_partial", denied)


def test_a_read_only_cache_is_a_clear_error_in_full_mode(
    file_server, monkeypatch, fake_mnist
):
    _, files = fake_mnist
    serve(file_server, monkeypatch, "mnist", files)
    deny_writes(monkeypatch)
    with pytest.raises(data.FolderNotWritableError) as err:
        data.load_mnist(subset="full")
    message = str(err.value)
    assert str(data.cache_dir() / "mnist") in message and "Permission denied" in message
    assert "COURSE_CACHE_DIR" in message and "COURSE_DATA_DIR" in message
    assert isinstance(err.value, data.DataNotFoundError)


def test_a_read_only_cache_uses_the_standin_in_smoke_mode(
    file_server, monkeypatch, fake_mnist
):
    _, files = fake_mnist
    serve(file_server, monkeypatch, "mnist", files)
    deny_writes(monkeypatch)
    with pytest.warns(UserWarning, match="SYNTHETIC STAND-IN: Cannot write"):
        (x_train, _), _ = data.load_mnist(subset="smoke")
    assert data.source("mnist") == "synthetic" and x_train.dtype == np.uint8


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_for_real(
    tmp_path, monkeypatch, file_server, fake_mnist
):
    _, files = fake_mnist
    serve(file_server, monkeypatch, "mnist", files)
    cache = tmp_path / "ro"
    cache.mkdir()
    cache.chmod(0o555)
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    try:
        with pytest.raises(data.FolderNotWritableError, match="COURSE_CACHE_DIR"):
            data.load_mnist(subset="full")
    finally:
        cache.chmod(0o755)


KILLED_DOWNLOAD = """
import os, signal, sys
from pathlib import Path
from course_lib.data import remote
path = remote.new_partial(Path(sys.argv[1]), sys.argv[2])
path.write_bytes(b"half a download")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_download_killed_with_sigkill_leaves_no_partial_file_for_long(
    tmp_path, file_server, monkeypatch, fake_mnist
):
    _, files = fake_mnist
    name = catalog.MNIST_FILES["test_labels"].name
    folder = data.cache_dir() / "mnist"
    folder.mkdir(parents=True)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_DOWNLOAD, str(folder), name],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
    )
    assert killed.returncode == -signal.SIGKILL
    (orphan,) = folder.glob(f".{name}.*.part")
    live = remote.new_partial(folder, name)  # this process: a download in progress
    old = folder / f".{name}.elsewhere-1.abcd.part"  # another machine's, two days old
    old.write_bytes(b"old")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    recent = folder / f".{name}.elsewhere-1.efgh.part"  # another machine's, fresh
    recent.write_bytes(b"recent")
    serve(file_server, monkeypatch, "mnist", files)
    data.load_mnist(subset="full")
    assert not orphan.exists() and not old.exists()
    assert live.exists() and recent.exists()


@pytest.mark.parametrize("value", ["1", "true", "Yes", " on ", "TRUE"])
def test_mirror_only_accepts_the_usual_spellings_of_true(monkeypatch, value):
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://mirror.example/a")
    monkeypatch.setenv("COURSE_DATA_MIRROR_ONLY", value)
    spec = catalog.MNIST_FILES["test_labels"]
    assert remote._mirror_urls(spec) == [f"http://mirror.example/a/{spec.name}"]


@pytest.mark.parametrize("value", ["0", "false", "No", "off", ""])
def test_mirror_only_accepts_the_usual_spellings_of_false(monkeypatch, value):
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://mirror.example/a")
    monkeypatch.setenv("COURSE_DATA_MIRROR_ONLY", value)
    spec = catalog.MNIST_FILES["test_labels"]
    urls = remote._mirror_urls(spec)
    assert urls[0] == f"http://mirror.example/a/{spec.name}" and urls[1:] == list(
        spec.urls
    )


def test_mirror_only_refuses_other_values(monkeypatch):
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9")
    monkeypatch.setenv("COURSE_DATA_MIRROR_ONLY", "ture")
    with pytest.raises(ValueError, match="COURSE_DATA_MIRROR_ONLY") as err:
        data.load_mnist(subset="full")
    assert "did you mean 'true'" in str(err.value)
    assert "Received: COURSE_DATA_MIRROR_ONLY='ture'" in str(err.value)


def test_pack_of_an_empty_folder_says_what_to_do(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(data.DataNotFoundError) as err:
        data.pack(tmp_path / "empty", tmp_path / "pack.tar.gz")
    message = str(err.value)
    assert "Nothing to pack" in message and "is empty" in message
    assert f"download.py mnist cifar10 --dir {tmp_path / 'empty'}" in message
    assert "mnist or cifar10" not in message
    assert not (tmp_path / "pack.tar.gz").exists()
