"""MNIST and CIFAR-10: verified downloads, an offline cache, smoke subsets, tf.data pipelines.

Where the files come from, in order:

1. ``COURSE_DATA_DIR`` (a folder holding ``mnist/`` and ``cifar10/``, e.g. a classroom copy);
2. the local cache, ``~/.keras/datasets/course_lib`` (``COURSE_CACHE_DIR`` overrides it);
3. a download from the canonical distribution, then its mirrors (``COURSE_DATA_MIRROR``,
   a base URL, is tried first when set; ``COURSE_DATA_MIRROR_ONLY=1`` uses it alone). Every download is verified by SHA-256, written to
   a temporary file and renamed only when complete and verified.

MNIST is read from its four IDX gzip files; CIFAR-10 from its *binary* distribution
(``cifar-10-binary.tar.gz`` or the extracted ``cifar-10-batches-bin/``), parsed with NumPy:
no downloaded file is ever unpickled.

Both loaders return uint8 arrays in the ``keras.datasets`` convention,
``(x_train, y_train), (x_test, y_test)``, in the files' original order. In smoke mode
(``COURSE_MODE=smoke``) they return small stratified subsets (:data:`SMOKE_SIZES`); only
there, and only when no real data can be found, a clearly labelled synthetic stand-in
keeps the code paths running.

See: lessons/00_setup.ipynb
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.client
import io
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import numpy as np

from course_lib import runtime

MNIST_CLASSES = tuple(str(d) for d in range(10))
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
CLASS_NAMES = {"mnist": MNIST_CLASSES, "cifar10": CIFAR10_CLASSES}

# Per-channel statistics of the training sets on a 0..1 scale (tests recompute them).
MEAN = {"mnist": (0.1307,), "cifar10": (0.4914, 0.4822, 0.4465)}
STD = {"mnist": (0.3081,), "cifar10": (0.2470, 0.2435, 0.2616)}

# Smoke-mode subsets: (train, test) images, the same number of each class, chosen with a
# fixed seed so every run and every machine sees the same images.
SMOKE_SIZES = {"mnist": (2000, 500), "cifar10": (2000, 500)}
SMOKE_SEED = 0

DOWNLOAD_TIMEOUT_S = 30
CHUNK_BYTES = 1 << 20


class DataError(RuntimeError):
    """Base class of the data layer's errors; the message says how to fix it."""


class DataNotFoundError(DataError):
    """No local copy and no download possible."""


class ChecksumError(DataError):
    """A file's SHA-256 differs from the expected one (the file was removed)."""


class DataFormatError(DataError):
    """A file is not in the format it should be (truncated, corrupted, wrong file)."""


class UnsafeArchiveError(DataError):
    """An archive member would be written outside the target folder."""


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    """One file of a distribution: its name, SHA-256, size and download URLs."""

    name: str
    sha256: str
    size: int
    urls: tuple[str, ...]


_MNIST_HOSTS = (
    "https://yann.lecun.com/exdb/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
MNIST_FILES = {
    key: RemoteFile(name, sha, size, tuple(h + name for h in _MNIST_HOSTS))
    for key, name, sha, size in [
        ("train_images", "train-images-idx3-ubyte.gz",
         "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422),
        ("train_labels", "train-labels-idx1-ubyte.gz",
         "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881),
        ("test_images", "t10k-images-idx3-ubyte.gz",
         "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877),
        ("test_labels", "t10k-labels-idx1-ubyte.gz",
         "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542),
    ]
}  # fmt: skip
CIFAR10_ARCHIVE = RemoteFile(
    "cifar-10-binary.tar.gz",
    "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
    170052171,
    (
        "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
        "https://cave.cs.toronto.edu/kriz/cifar-10-binary.tar.gz",
    ),
)
CIFAR10_FOLDER = "cifar-10-batches-bin"
CIFAR10_TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
CIFAR10_TEST_FILE = "test_batch.bin"
CIFAR10_RECORD = 1 + 32 * 32 * 3
CIFAR10_RECORDS_PER_FILE = 10000

_HOW_TO_GET = (
    "Get the data with `python data_scripts/download.py {name} --dir DIR` on a machine "
    "with internet access and point COURSE_DATA_DIR at DIR, or copy the files into {cache}."
)


# ---------------------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------------------
def data_dir() -> Path | None:
    """The folder named by ``COURSE_DATA_DIR``, or None when it is unset."""
    value = os.environ.get("COURSE_DATA_DIR")
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """The download cache: ``COURSE_CACHE_DIR`` or ``~/.keras/datasets/course_lib``."""
    value = os.environ.get("COURSE_CACHE_DIR")
    if value:
        return Path(value).expanduser()
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return keras_home / "datasets" / "course_lib"


def _search_roots() -> list[Path]:
    roots = []
    if data_dir() is not None:
        roots.append(data_dir())
    roots.append(cache_dir())
    return roots


# ---------------------------------------------------------------------------------------
# Hashing, downloading, extracting
# ---------------------------------------------------------------------------------------
def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(path: str | os.PathLike, expected_sha256: str, *, remove_bad: bool = True) -> None:
    """Raises :class:`ChecksumError` (and removes the file) when its digest is wrong."""
    path = Path(path)
    actual = sha256_of(path)
    if actual != expected_sha256:
        if remove_bad:
            path.unlink(missing_ok=True)
        raise ChecksumError(
            f"{path.name} failed its SHA-256 check: expected {expected_sha256}, "
            f"got {actual}. The file was {'removed' if remove_bad else 'kept'}; "
            "download it again (a mirror may have served a bad copy)."
        )


def _progress(total: int | None, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc, leave=False)


def _mirror_urls(remote: RemoteFile) -> list[str]:
    """``COURSE_DATA_MIRROR`` base URLs (comma-separated) first, then the canonical hosts,
    unless ``COURSE_DATA_MIRROR_ONLY=1`` (a classroom's own mirror, or tests)."""
    urls = []
    mirror = os.environ.get("COURSE_DATA_MIRROR")
    if mirror:
        urls += [base.rstrip("/") + "/" + remote.name for base in mirror.split(",") if base]
    if mirror and os.environ.get("COURSE_DATA_MIRROR_ONLY") == "1":
        return urls
    return urls + list(remote.urls)


def download(remote: RemoteFile, dest_dir: str | os.PathLike, *, urls: list[str] | None = None) -> Path:
    """Downloads one file into ``dest_dir``, verified, and returns its path.

    Each URL is tried in turn. The bytes go to a temporary file in ``dest_dir``; it is
    renamed to its final name only when complete and its SHA-256 matches, so an
    interrupted or corrupted download never leaves a file that later passes as good.

    Raises:
        ChecksumError: a server sent a file with the wrong digest (and no URL a good one).
        DataNotFoundError: no URL could be reached.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / remote.name
    failures: list[str] = []
    checksum_error: ChecksumError | None = None
    for url in urls if urls is not None else _mirror_urls(remote):
        fd, tmp_name = tempfile.mkstemp(prefix=f".{remote.name}.", suffix=".part", dir=dest_dir)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                _fetch(url, out, remote)
            try:
                verify_file(tmp, remote.sha256)
            except ChecksumError as err:
                # Name the real file, not the temporary one, in the message.
                checksum_error = ChecksumError(str(err).replace(tmp.name, remote.name, 1) + f" (from {url})")
                failures.append(f"{url}: SHA-256 mismatch")
                continue
            os.replace(tmp, final)
            return final
        except urllib.error.HTTPError as err:
            failures.append(f"{url}: HTTP {err.code} {err.reason}")
        except (urllib.error.URLError, OSError, DataFormatError, http.client.HTTPException) as err:
            failures.append(f"{url}: {getattr(err, 'reason', None) or err!r}")
        finally:
            tmp.unlink(missing_ok=True)
    if checksum_error is not None:
        raise checksum_error
    raise DataNotFoundError(
        f"Could not download {remote.name}. Tried:\n  " + "\n  ".join(failures)
        + "\nIf this machine is offline, copy the file into "
        f"{dest_dir} or set COURSE_DATA_DIR to a folder that holds it."
    )


def _fetch(url: str, out, remote: RemoteFile) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "course_lib"})
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length else remote.size
        received = 0
        with _progress(total, remote.name) as bar:
            while True:
                chunk = response.read(CHUNK_BYTES)
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    if length and received != int(length):
        raise DataFormatError(f"connection closed after {received} of {length} bytes")


def _check_member(member: tarfile.TarInfo, target: Path) -> None:
    resolved = (target / member.name).resolve()
    if not resolved.is_relative_to(target.resolve()) or Path(member.name).is_absolute():
        raise UnsafeArchiveError(
            f"Refusing to extract {member.name!r}: it would land outside {target}. "
            "The archive is not a genuine course archive; delete it and download again."
        )
    if member.issym() or member.islnk():
        link = (resolved.parent / member.linkname).resolve()
        if not link.is_relative_to(target.resolve()):
            raise UnsafeArchiveError(
                f"Refusing to extract the link {member.name!r} -> {member.linkname!r}: "
                f"it points outside {target}."
            )
    if member.isdev():
        raise UnsafeArchiveError(f"Refusing to extract the device file {member.name!r}.")


def safe_extract(archive: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Extracts a tar(.gz) archive into ``target`` after checking every member.

    Members that would land outside ``target`` (absolute paths, ``..``, links out) are
    refused before anything is written. Extraction happens in a temporary folder that is
    moved into place only when complete.
    """
    archive, target = Path(archive), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".extract.", dir=target))
    try:
        try:
            with tarfile.open(archive, "r:*") as tar:
                members = tar.getmembers()
                for member in members:
                    _check_member(member, staging)
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(staging, members=members, filter="data")
                else:  # Python < 3.11.4: members were checked above.
                    tar.extractall(staging, members=members)
        except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as err:
            raise DataFormatError(
                f"{archive.name} is not a readable tar archive ({err}). Delete it and "
                "download it again."
            ) from err
        for item in staging.iterdir():
            dest = target / item.name
            if dest.exists():
                shutil.rmtree(dest) if dest.is_dir() else dest.unlink()
            os.replace(item, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


# ---------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------
def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Reads an IDX file (gzip or plain) as MNIST distributes it, checking its header."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as err:
        raise DataFormatError(
            f"{path} is not a readable IDX gzip file ({err}). Delete it and download it again."
        ) from err
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DataFormatError(f"{path} does not start with an unsigned-byte IDX header.")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise DataFormatError(
            f"{path} holds {len(data)} bytes but its header {shape} needs {expected}: "
            "the file is truncated or corrupted. Delete it and download it again."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def read_cifar10_batch(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Reads one CIFAR-10 binary batch: records of 1 label byte + 3072 pixel bytes
    (1024 red, 1024 green, 1024 blue, rows top to bottom). Returns NHWC images, labels."""
    path = Path(path)
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size != CIFAR10_RECORD * CIFAR10_RECORDS_PER_FILE:
        raise DataFormatError(
            f"{path} holds {raw.size} bytes, not {CIFAR10_RECORDS_PER_FILE} records of "
            f"{CIFAR10_RECORD} bytes: it is truncated or not a CIFAR-10 binary batch. "
            "Delete the folder and download the data again."
        )
    records = raw.reshape(-1, CIFAR10_RECORD)
    labels = records[:, 0].copy()
    if labels.max() > 9:
        raise DataFormatError(f"{path} has labels above 9: it is not a CIFAR-10 batch.")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()
    return images, labels


# ---------------------------------------------------------------------------------------
# Locating, fetching and verifying whole datasets
# ---------------------------------------------------------------------------------------
DATASETS = ("mnist", "cifar10")
MANIFEST = "SHA256SUMS"


def _check_name(name: str) -> str:
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset; choose from {', '.join(DATASETS)}. Received: {name!r}")
    return name


def _find_mnist(root: Path) -> Path | None:
    for folder in (root / "mnist", root):
        if all((folder / f.name).is_file() for f in MNIST_FILES.values()):
            return folder
    return None


def _find_cifar10(root: Path) -> tuple[Path | None, Path | None]:
    """(extracted folder, archive) found under root, each or both None."""
    wanted = CIFAR10_TRAIN_FILES + (CIFAR10_TEST_FILE,)
    folder = next(
        (f for f in (root / "cifar10" / CIFAR10_FOLDER, root / CIFAR10_FOLDER)
         if all((f / n).is_file() for n in wanted)),
        None,
    )
    archive = next(
        (a for a in (root / "cifar10" / CIFAR10_ARCHIVE.name, root / CIFAR10_ARCHIVE.name)
         if a.is_file()),
        None,
    )
    return folder, archive


def fetch(name: str, root: str | os.PathLike) -> Path:
    """Makes sure ``root`` holds dataset ``name``, verified; downloads what is missing.

    Layout: ``root/mnist/*.gz`` and ``root/cifar10/cifar-10-batches-bin/`` (the CIFAR-10
    archive is kept beside it). Returns the folder the loader reads.
    """
    root = Path(root)
    if _check_name(name) == "mnist":
        folder = root / "mnist"
        for remote in MNIST_FILES.values():
            path = folder / remote.name
            if path.is_file():
                verify_file(path, remote.sha256)
            else:
                download(remote, folder)
        return folder
    folder, archive = _find_cifar10(root)
    if folder is not None:
        verify(name, root)
        return folder
    if archive is not None:
        verify_file(archive, CIFAR10_ARCHIVE.sha256)
    else:
        archive = download(CIFAR10_ARCHIVE, root / "cifar10")
    return _extract_cifar10(archive, root / "cifar10")


def verify(name: str, root: str | os.PathLike) -> list[str]:
    """Verifies dataset ``name`` under ``root`` and returns what was checked.

    MNIST files and the CIFAR-10 archive are checked against their published SHA-256;
    an extracted CIFAR-10 folder against its ``SHA256SUMS`` manifest when it has one
    (written at extraction), and always for size and label range. Nothing is removed.

    Raises:
        DataNotFoundError, ChecksumError, DataFormatError: with the file named.
    """
    root = Path(root)
    checked = []
    if _check_name(name) == "mnist":
        folder = _find_mnist(root)
        if folder is None:
            raise _not_found(name, roots=[root])
        for remote in MNIST_FILES.values():
            verify_file(folder / remote.name, remote.sha256, remove_bad=False)
            read_idx(folder / remote.name)
            checked.append(f"{remote.name}: SHA-256 ok")
        return checked
    folder, archive = _find_cifar10(root)
    if folder is None and archive is None:
        raise _not_found(name, roots=[root])
    if archive is not None:
        verify_file(archive, CIFAR10_ARCHIVE.sha256, remove_bad=False)
        checked.append(f"{archive.name}: SHA-256 ok")
    if folder is not None:
        manifest = _read_manifest(folder / MANIFEST) if (folder / MANIFEST).is_file() else {}
        for file_name in CIFAR10_TRAIN_FILES + (CIFAR10_TEST_FILE,):
            if file_name in manifest:
                verify_file(folder / file_name, manifest[file_name], remove_bad=False)
            read_cifar10_batch(folder / file_name)
            checked.append(f"{file_name}: {'SHA-256 and ' if file_name in manifest else ''}format ok")
    return checked


def _write_manifest(folder: Path, files: list[Path]) -> None:
    lines = [f"{sha256_of(f)}  {f.relative_to(folder).as_posix()}" for f in files]
    tmp = folder / (MANIFEST + ".part")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, folder / MANIFEST)


def _read_manifest(path: Path) -> dict[str, str]:
    entries = {}
    for line in path.read_text().splitlines():
        if line.strip():
            digest, _, file_name = line.partition("  ")
            entries[file_name.strip()] = digest.strip()
    return entries


def _extract_cifar10(archive: Path, target: Path) -> Path:
    safe_extract(archive, target)
    folder = target / CIFAR10_FOLDER
    if not folder.is_dir():
        raise DataFormatError(f"{archive} did not contain {CIFAR10_FOLDER}/.")
    files = [folder / n for n in CIFAR10_TRAIN_FILES + (CIFAR10_TEST_FILE,)]
    for f in files:
        read_cifar10_batch(f)
    _write_manifest(folder, files)
    return folder


def locate_mnist(*, download_missing: bool = True) -> Path:
    """Returns a folder holding the four verified MNIST files, downloading if needed."""
    for root in _search_roots():
        folder = _find_mnist(root)
        if folder is not None:
            for remote in MNIST_FILES.values():
                in_cache = folder.resolve().is_relative_to(cache_dir().resolve())
                verify_file(folder / remote.name, remote.sha256, remove_bad=in_cache)
            return folder
    if not download_missing:
        raise _not_found("mnist")
    try:
        return fetch("mnist", cache_dir())
    except DataNotFoundError as err:
        raise _not_found("mnist", str(err)) from err


def locate_cifar10(*, download_missing: bool = True) -> Path:
    """Returns a ``cifar-10-batches-bin`` folder, extracting or downloading if needed."""
    for root in _search_roots():
        folder, archive = _find_cifar10(root)
        if folder is not None:
            return folder
        if archive is not None:
            in_cache = archive.resolve().is_relative_to(cache_dir().resolve())
            verify_file(archive, CIFAR10_ARCHIVE.sha256, remove_bad=in_cache)
            return _extract_cifar10(archive, cache_dir() / "cifar10")
    if not download_missing:
        raise _not_found("cifar10")
    try:
        return fetch("cifar10", cache_dir())
    except DataNotFoundError as err:
        raise _not_found("cifar10", str(err)) from err


def _not_found(name: str, detail: str = "", roots: list[Path] | None = None) -> DataNotFoundError:
    where = ", ".join(str(r) for r in (roots or _search_roots()))
    message = (
        f"{name} was not found (looked in: {where})"
        + (f" and could not be downloaded:\n{detail}\n" if detail else ".\n")
        + _HOW_TO_GET.format(name=name, cache=cache_dir() / name)
    )
    return DataNotFoundError(message)


def pack(root: str | os.PathLike, archive: str | os.PathLike) -> Path:
    """Packs the verified datasets under ``root`` into one ``.tar.gz`` for offline
    classrooms, with a top-level ``SHA256SUMS`` manifest. Written to a temporary file
    and renamed when complete. Unpack with :func:`unpack` and point COURSE_DATA_DIR at it."""
    root, archive = Path(root), Path(archive)
    members: list[Path] = []
    for name in DATASETS:
        try:
            verify(name, root)
        except DataNotFoundError:
            continue
        if name == "mnist":
            folder = _find_mnist(root)
            members += [folder / f.name for f in MNIST_FILES.values()]
        else:
            folder, _ = _find_cifar10(root)
            if folder is None:  # only the archive: extract it so the pack is ready to use
                folder = fetch("cifar10", root)
            members += [folder / n for n in CIFAR10_TRAIN_FILES + (CIFAR10_TEST_FILE,)]
            members += [folder / "batches.meta.txt"] if (folder / "batches.meta.txt").is_file() else []
    if not members:
        raise _not_found("mnist or cifar10", roots=[root])
    arcnames = {m: _canonical_arcname(m) for m in members}
    archive.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{archive.name}.", suffix=".part", dir=archive.parent)
    os.close(fd)
    try:
        with tarfile.open(tmp_name, "w:gz") as tar:
            manifest = "".join(f"{sha256_of(m)}  {arcnames[m]}\n" for m in members).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(manifest)
            tar.addfile(info, io.BytesIO(manifest))
            for m in members:
                tar.add(m, arcname=arcnames[m])
        os.replace(tmp_name, archive)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return archive


def _canonical_arcname(path: Path) -> str:
    if path.parent.name == CIFAR10_FOLDER:
        return f"cifar10/{CIFAR10_FOLDER}/{path.name}"
    return f"mnist/{path.name}"


def unpack(archive: str | os.PathLike, root: str | os.PathLike) -> list[str]:
    """Safely extracts a classroom pack made by :func:`pack` into ``root`` and verifies
    every file against its manifest. Returns the verified file names."""
    root = Path(root)
    safe_extract(archive, root)
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise DataFormatError(f"{Path(archive).name} has no {MANIFEST}: it is not a course data pack.")
    entries = _read_manifest(manifest_path)
    for file_name, digest in entries.items():
        verify_file(root / file_name, digest, remove_bad=False)
    return sorted(entries)


# ---------------------------------------------------------------------------------------
# Public loaders
# ---------------------------------------------------------------------------------------
Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
_memo: dict[str, Split] = {}
_sources: dict[str, str] = {}


def source(name: str) -> str | None:
    """Where the last load of ``name`` came from (a folder, or ``"synthetic"``)."""
    return _sources.get(name)


def _read_mnist(folder: Path) -> Split:
    arrays = {key: read_idx(folder / remote.name) for key, remote in MNIST_FILES.items()}
    return (arrays["train_images"], arrays["train_labels"]), (arrays["test_images"], arrays["test_labels"])


def _read_cifar10(folder: Path) -> Split:
    parts = [read_cifar10_batch(folder / n) for n in CIFAR10_TRAIN_FILES]
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    x_test, y_test = read_cifar10_batch(folder / CIFAR10_TEST_FILE)
    return (x_train, y_train), (x_test, y_test)


def _load(name: str, subset: str | None, download_missing: bool) -> Split:
    subset = _resolve_subset(subset)
    if name not in _memo:
        locate, read = {"mnist": (locate_mnist, _read_mnist), "cifar10": (locate_cifar10, _read_cifar10)}[name]
        try:
            folder = locate(download_missing=download_missing)
        except DataNotFoundError:
            if subset != "smoke":
                raise
            return _synthetic_standin(name)
        _memo[name] = read(folder)
        _sources[name] = str(folder)
    (x_train, y_train), (x_test, y_test) = _memo[name]
    if subset == "smoke":
        n_train, n_test = SMOKE_SIZES[name]
        tr = stratified_indices(y_train, n_train, seed=SMOKE_SEED)
        te = stratified_indices(y_test, n_test, seed=SMOKE_SEED)
        return (x_train[tr], y_train[tr]), (x_test[te], y_test[te])
    return (x_train.copy(), y_train.copy()), (x_test.copy(), y_test.copy())


def _resolve_subset(subset: str | None) -> str:
    if subset is None:
        return "smoke" if runtime.is_smoke() else "full"
    if subset not in ("smoke", "full"):
        raise ValueError(f"subset must be None, 'smoke' or 'full'. Received: subset={subset!r}")
    return subset


def load_mnist(*, subset: str | None = None, download: bool = True) -> Split:
    """Loads MNIST as uint8 arrays: ``(x_train, y_train), (x_test, y_test)``.

    Shapes (full): (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    Args:
        subset: ``None`` follows the course mode (smoke mode gives the stratified
            :data:`SMOKE_SIZES` subset), ``"full"`` or ``"smoke"`` force one.
        download: when False, never reach the network.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_mnist()
    """
    return _load("mnist", subset, download)


def load_cifar10(*, subset: str | None = None, download: bool = True) -> Split:
    """Loads CIFAR-10 as uint8 arrays: ``(x_train, y_train), (x_test, y_test)``.

    Shapes (full): (50000, 32, 32, 3), (50000,), (10000, 32, 32, 3), (10000,). Labels
    index :data:`CIFAR10_CLASSES`. Arguments as :func:`load_mnist`.
    """
    return _load("cifar10", subset, download)


def stratified_indices(labels: np.ndarray, n: int, *, seed: int = SMOKE_SEED) -> np.ndarray:
    """Indices of ``n`` items with the same count per class (remainder to the first
    classes), chosen with a fixed seed and returned in their original order."""
    labels = np.asarray(labels)
    classes = np.unique(labels)
    if n > labels.size:
        raise ValueError(f"Cannot take {n} items from {labels.size}. Received: n={n}")
    rng = np.random.default_rng(seed)
    per_class = [n // len(classes) + (1 if i < n % len(classes) else 0) for i in range(len(classes))]
    chosen = []
    for c, k in zip(classes, per_class):
        pool = np.flatnonzero(labels == c)
        if k > pool.size:
            raise ValueError(f"Class {c} has only {pool.size} items; {k} were asked for.")
        chosen.append(rng.choice(pool, size=k, replace=False))
    return np.sort(np.concatenate(chosen))


def _synthetic_standin(name: str) -> Split:
    """Smoke mode only: class-dependent random patterns with the real shapes and dtypes."""
    message = (
        f"SYNTHETIC STAND-IN: no real {name} data was found, so smoke mode is using random "
        f"class patterns instead. Accuracies and plots below are NOT about {name}. "
        + _HOW_TO_GET.format(name=name, cache=cache_dir() / name)
    )
    warnings.warn(message, stacklevel=3)
    print(f"WARNING: {message}", file=sys.stderr)
    shape = (28, 28) if name == "mnist" else (32, 32, 3)
    rng = np.random.default_rng(SMOKE_SEED)
    templates = rng.integers(0, 256, size=(10, *shape))

    def make(n):
        y = np.arange(n) % 10
        noise = rng.normal(0, 40, size=(n, *shape))
        return np.clip(templates[y] + noise, 0, 255).astype(np.uint8), y.astype(np.uint8)

    n_train, n_test = SMOKE_SIZES[name]
    _sources[name] = "synthetic"
    return make(n_train), make(n_test)


# ---------------------------------------------------------------------------------------
# tf.data input pipelines
# ---------------------------------------------------------------------------------------
def pipeline(
    x: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int = 128,
    training: bool = False,
    augment: bool = False,
    normalization: str | None = "unit",
    pad_to: int | None = None,
    seed: int | None = None,
):
    """Builds a ``tf.data.Dataset`` of ``(images, labels)`` batches from uint8 arrays.

    Args:
        x: uint8 images, (N, H, W) or (N, H, W, C); a channel axis is added to (N, H, W).
        y: integer labels, (N,).
        batch_size: images per batch.
        training: shuffle every epoch (and augment, when ``augment``); otherwise keep the
            order, for evaluation.
        augment: the CIFAR-10 recipe of He et al.: pad 4 pixels with zeros, crop a random
            HxW window, flip left-right with probability 1/2. Applied only when training.
        normalization: ``"unit"`` scales to [0, 1]; ``"mnist"`` / ``"cifar10"`` also
            subtract the per-channel mean and divide by the std (:data:`MEAN`, :data:`STD`);
            ``None`` leaves float32 values in 0..255.
        pad_to: zero-pad images symmetrically to this size (LeNet-5 takes MNIST's 28x28
            digits padded to 32x32).
        seed: shuffling and augmentation seed.

    Returns:
        A batched, prefetched ``tf.data.Dataset`` of float32 images and int32 labels.
    """
    import tensorflow as tf

    x = np.asarray(x)
    y = np.asarray(y)
    if x.dtype != np.uint8:
        raise ValueError(f"pipeline() expects uint8 images as the loaders return. Received: dtype={x.dtype}")
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or len(y) != len(x):
        raise ValueError(
            "pipeline() expects images (N, H, W[, C]) and labels (N,). "
            f"Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    if normalization not in (None, "unit", "mnist", "cifar10"):
        raise ValueError(
            "normalization must be None, 'unit', 'mnist' or 'cifar10'. "
            f"Received: normalization={normalization!r}"
        )
    if pad_to is not None:
        extra_h, extra_w = pad_to - x.shape[1], pad_to - x.shape[2]
        if extra_h < 0 or extra_w < 0 or extra_h % 2 or extra_w % 2:
            raise ValueError(
                "pad_to must exceed the image size by an even number of pixels. "
                f"Received: pad_to={pad_to} for images of {x.shape[1]}x{x.shape[2]}"
            )
        x = np.pad(x, ((0, 0), (extra_h // 2,) * 2, (extra_w // 2,) * 2, (0, 0)))
    height, width, channels = x.shape[1:]

    ds = tf.data.Dataset.from_tensor_slices((x, y.astype(np.int32)))
    if training:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        if augment:

            def random_crop_flip(image, label):
                image = tf.pad(image, [[4, 4], [4, 4], [0, 0]])
                image = tf.image.random_crop(image, (height, width, channels), seed=seed)
                image = tf.image.random_flip_left_right(image, seed=seed)
                return image, label

            ds = ds.map(random_crop_flip, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.batch(batch_size)

    scale = np.float32(1.0 if normalization is None else 1.0 / 255.0)
    mean = np.zeros(channels, np.float32)
    std = np.ones(channels, np.float32)
    if normalization in MEAN:
        if len(MEAN[normalization]) != channels:
            raise ValueError(
                f"normalization={normalization!r} has {len(MEAN[normalization])} channel(s) "
                f"but the images have {channels}."
            )
        mean, std = np.float32(MEAN[normalization]), np.float32(STD[normalization])

    def normalize(images, labels):
        images = (tf.cast(images, tf.float32) * scale - mean) / std
        return images, labels

    ds = ds.map(normalize, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
