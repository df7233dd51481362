"""Tests of course_lib.data: real downloads from a local server, verification, parsing,
subsets, the synthetic stand-in, packs, and the tf.data pipeline."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest
from conftest import Drop

from course_lib import data

RNG = np.random.default_rng(1)


# ---------------------------------------------------------------------------------------
# Fixture files in the canonical formats
# ---------------------------------------------------------------------------------------
def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


def sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """Each test: an empty cache, no data dir, no memoised arrays, mirror-only downloads."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    monkeypatch.setenv("COURSE_DATA_MIRROR_ONLY", "1")
    monkeypatch.setattr(data, "_memo", {})
    monkeypatch.setattr(data, "_sources", {})


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
    for key, remote in data.MNIST_FILES.items():
        payload = idx_bytes(arrays[key])
        files[remote.name] = payload
        specs[key] = data.RemoteFile(remote.name, sha(payload), len(payload), ())
    monkeypatch.setattr(data, "MNIST_FILES", specs)
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
    """A 10-records-per-file CIFAR-10 binary archive; the spec's digest patched to it."""
    monkeypatch.setattr(data, "CIFAR10_RECORDS_PER_FILE", 10)
    names = data.CIFAR10_TRAIN_FILES + (data.CIFAR10_TEST_FILE,)
    images = RNG.integers(0, 256, (len(names), 10, 32, 32, 3)).astype(np.uint8)
    labels = np.tile(np.arange(10), (len(names), 1)).astype(np.uint8)
    members = {
        f"{data.CIFAR10_FOLDER}/{n}": cifar_records(10, labels[i], images[i])
        for i, n in enumerate(names)
    }
    members[f"{data.CIFAR10_FOLDER}/batches.meta.txt"] = "\n".join(data.CIFAR10_CLASSES).encode()
    archive = tar_gz(members)
    spec = data.RemoteFile(data.CIFAR10_ARCHIVE.name, sha(archive), len(archive), ())
    monkeypatch.setattr(data, "CIFAR10_ARCHIVE", spec)
    return images, labels, archive


def serve(server, monkeypatch, prefix: str, files: dict[str, object]):
    for name, payload in files.items():
        server.routes[f"/{prefix}/{name}"] = payload
    monkeypatch.setenv("COURSE_DATA_MIRROR", f"{server.url}/{prefix}")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# ---------------------------------------------------------------------------------------
# Downloads against a local HTTP server
# ---------------------------------------------------------------------------------------
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
    serve(file_server, monkeypatch, "cifar", {data.CIFAR10_ARCHIVE.name: archive})
    (x_train, y_train), (x_test, y_test) = data.load_cifar10(subset="full")
    assert x_train.shape == (50, 32, 32, 3) and x_test.shape == (10, 32, 32, 3)
    # Channel planes become the last axis: pixel (row 3, col 7) of image 0 keeps its RGB.
    np.testing.assert_array_equal(x_train[:10], images[0])
    np.testing.assert_array_equal(y_test, labels[-1])
    folder = data.cache_dir() / "cifar10" / data.CIFAR10_FOLDER
    assert (folder / data.MANIFEST).is_file()
    # Once fetched, no network is needed.
    file_server.routes.clear()
    monkeypatch.setattr(data, "_memo", {})
    (again, _), _ = data.load_cifar10(subset="full")
    np.testing.assert_array_equal(again, x_train)


def test_corrupted_archive_is_rejected_with_digests_and_removed(
    file_server, monkeypatch, fake_cifar
):
    _, _, archive = fake_cifar
    bad = bytearray(archive)
    bad[len(bad) // 2] ^= 0xFF
    serve(file_server, monkeypatch, "cifar", {data.CIFAR10_ARCHIVE.name: bytes(bad)})
    with pytest.raises(data.ChecksumError) as err:
        data.load_cifar10(subset="full")
    message = str(err.value)
    assert data.CIFAR10_ARCHIVE.name in message
    assert data.CIFAR10_ARCHIVE.sha256 in message and sha(bytes(bad)) in message
    assert leftovers(data.cache_dir()) == []


def test_truncated_archive_is_rejected(file_server, monkeypatch, fake_cifar):
    _, _, archive = fake_cifar
    serve(file_server, monkeypatch, "cifar", {data.CIFAR10_ARCHIVE.name: archive[:1000]})
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


def test_fallback_mirror_is_used_when_the_first_fails(file_server, monkeypatch, fake_mnist):
    _, files = fake_mnist
    serve(file_server, monkeypatch, "good", files)
    monkeypatch.setenv("COURSE_DATA_MIRROR", f"{file_server.url}/gone,{file_server.url}/good")
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
    for remote in data.MNIST_FILES.values():
        (folder / remote.name).write_bytes(b"not mnist")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "mine"))
    with pytest.raises(data.ChecksumError, match="kept"):
        data.load_mnist(subset="full")
    assert len(leftovers(folder)) == 4


# ---------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------
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
    monkeypatch.setattr(data, "CIFAR10_RECORDS_PER_FILE", 2)
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


# ---------------------------------------------------------------------------------------
# Packs for offline classrooms
# ---------------------------------------------------------------------------------------
def test_pack_and_unpack_round_trip_then_load_offline(
    file_server, monkeypatch, fake_mnist, fake_cifar, tmp_path
):
    arrays, files = fake_mnist
    _, _, archive = fake_cifar
    serve(file_server, monkeypatch, "all", {**files, data.CIFAR10_ARCHIVE.name: archive})
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
    members = {"SHA256SUMS": manifest.encode(), **{f"mnist/{n}": p for n, p in tampered.items()}}
    (tmp_path / "pack.tar.gz").write_bytes(tar_gz(members))
    with pytest.raises(data.ChecksumError, match=first):
        data.unpack(tmp_path / "pack.tar.gz", tmp_path / "out")


# ---------------------------------------------------------------------------------------
# The real datasets (skipped when absent)
# ---------------------------------------------------------------------------------------
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_mnist_has_the_canonical_sizes_counts_and_order(shared_data):
    (x_train, y_train), (x_test, y_test) = data.load_mnist(subset="full")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == MNIST_TEST_COUNTS
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first labels
    assert abs(x_train.mean() / 255 - data.MEAN["mnist"][0]) < 1e-3
    assert abs(x_train.std() / 255 - data.STD["mnist"][0]) < 1e-3


def test_real_cifar10_has_the_canonical_sizes_counts_and_order(shared_data):
    (x_train, y_train), (x_test, y_test) = data.load_cifar10(subset="full")
    assert x_train.shape == (50000, 32, 32, 3) and x_test.shape == (10000, 32, 32, 3)
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


# ---------------------------------------------------------------------------------------
# tf.data pipeline
# ---------------------------------------------------------------------------------------
def test_pipeline_shapes_order_and_normalisation():
    x = RNG.integers(0, 256, (10, 28, 28)).astype(np.uint8)
    y = np.arange(10)
    batches = list(data.pipeline(x, y, batch_size=4, normalization="unit", pad_to=32))
    assert [b[0].shape[0] for b in batches] == [4, 4, 2]
    images = np.concatenate([b[0].numpy() for b in batches])
    assert images.shape == (10, 32, 32, 1) and images.dtype == np.float32
    np.testing.assert_allclose(images[:, 2:30, 2:30, 0], x / 255, rtol=1e-6)
    assert np.all(images[:, :2] == 0)
    assert np.concatenate([b[1].numpy() for b in batches]).tolist() == y.tolist()
    (standard, _), = data.pipeline(x, y, batch_size=10, normalization="mnist")
    expected = (x / 255 - data.MEAN["mnist"][0]) / data.STD["mnist"][0]
    np.testing.assert_allclose(standard.numpy()[..., 0], expected, rtol=1e-5, atol=1e-5)


def test_augmentation_is_a_padded_crop_possibly_flipped():
    x = RNG.integers(1, 256, (16, 32, 32, 3)).astype(np.uint8)
    ds = data.pipeline(x, np.zeros(16), batch_size=16, training=True, augment=True,
                       normalization=None, seed=3)
    (images, labels), = list(ds)
    images = images.numpy().astype(np.uint8)
    shuffled_changed = 0
    for out in images:
        found = False
        for src in x:
            padded = np.pad(src, ((4, 4), (4, 4), (0, 0)))
            for candidate in (padded, padded[:, ::-1]):
                windows = np.lib.stride_tricks.sliding_window_view(candidate, (32, 32, 3))
                if np.any(np.all(windows[..., 0, :, :, :] == out, axis=(-3, -2, -1))):
                    found = True
        assert found, "an augmented image is not a crop of a padded (flipped) original"
        shuffled_changed += int(not any(np.array_equal(out, s) for s in x))
    assert shuffled_changed > 0  # most crops move the image


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"normalization": "imagenet"}, "normalization must be"),
        ({"pad_to": 31}, "pad_to"),
        ({"normalization": "cifar10"}, "channel"),
    ],
)
def test_pipeline_rejects_bad_arguments(kwargs, match):
    x = np.zeros((4, 28, 28), np.uint8)
    with pytest.raises(ValueError, match=match):
        data.pipeline(x, np.zeros(4), **kwargs)


def test_pipeline_rejects_float_images():
    with pytest.raises(ValueError, match="uint8"):
        data.pipeline(np.zeros((4, 28, 28), np.float32), np.zeros(4))
