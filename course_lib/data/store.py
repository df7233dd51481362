"""Where the datasets live on disk: the data folder, the cache, manifests and packs.

Where the files are looked for, in order:

1. ``COURSE_DATA_DIR`` (a folder holding ``mnist/`` and ``cifar10/``, e.g. a
   classroom copy);
2. the local cache, ``~/.keras/datasets/course_lib`` (``COURSE_CACHE_DIR`` overrides
   it), where downloads go.

Layout of both: ``mnist/*.gz`` and ``cifar10/cifar-10-batches-bin/`` (the CIFAR-10
archive may sit beside it). A ``SHA256SUMS`` manifest (``sha256  relative/path`` lines)
in a folder or above it records the digests its files must keep: it is written when
the CIFAR-10 archive is extracted and carried by the classroom packs of
:mod:`course_lib.data.packs`, and every load checks it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from course_lib._util import atomic_write_text
from course_lib.data import catalog
from course_lib.data.errors import (
    ChecksumError,
    DataFormatError,
    DataNotFoundError,
    FolderNotWritableError,
)
from course_lib.data.formats import read_cifar10_batch, read_idx
from course_lib.data.remote import (
    download,
    safe_extract,
    sha256_of,
    verify_file,
    writing_into,
)

__all__ = [
    "MANIFEST",
    "cache_dir",
    "data_dir",
    "fetch",
    "locate_cifar10",
    "locate_mnist",
    "read_manifest",
    "verify",
]

MANIFEST = "SHA256SUMS"
_DIGEST = re.compile(r"[0-9a-f]{64}")


# --------------------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------------------
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
    roots = [data_dir()] if data_dir() is not None else []
    return roots + [cache_dir()]


def _in_cache(path: Path) -> bool:
    return path.resolve().is_relative_to(cache_dir().resolve())


def _check_name(name: str) -> str:
    if name not in catalog.DATASETS:
        raise ValueError(
            f"Unknown dataset; choose from {', '.join(catalog.DATASETS)}. "
            f"Received: {name!r}"
        )
    return name


def find_mnist(root: Path) -> Path | None:
    for folder in (root / "mnist", root):
        if all((folder / f.name).is_file() for f in catalog.MNIST_FILES.values()):
            return folder
    return None


def cifar10_file_names() -> tuple[str, ...]:
    return catalog.CIFAR10_TRAIN_FILES + (catalog.CIFAR10_TEST_FILE,)


def find_cifar10(root: Path) -> tuple[Path | None, Path | None]:
    """(extracted folder, archive) found under root, each or both None."""
    folders = (root / "cifar10" / catalog.CIFAR10_FOLDER, root / catalog.CIFAR10_FOLDER)
    folder = next(
        (f for f in folders if all((f / n).is_file() for n in cifar10_file_names())),
        None,
    )
    name = catalog.CIFAR10_ARCHIVE.name
    archives = (root / "cifar10" / name, root / name)
    return folder, next((a for a in archives if a.is_file()), None)


def _not_found(name: str, detail: str = "", roots: list[Path] | None = None):
    where = ", ".join(str(r) for r in (roots or _search_roots()))
    message = (
        f"{name} was not found (looked in: {where})"
        + (f" and could not be downloaded:\n{detail}\n" if detail else ".\n")
        + catalog.HOW_TO_GET.format(name=name, cache=cache_dir() / name)
    )
    return DataNotFoundError(message)


# --------------------------------------------------------------------------------------
# Manifests
# --------------------------------------------------------------------------------------
def read_manifest(path: str | os.PathLike) -> dict[str, str]:
    """Reads a ``SHA256SUMS`` file: ``{relative posix path: sha256}``.

    Raises:
        DataFormatError: a line is not ``<64 hex digits>  <path>``, or a path leaves
            the manifest's folder (absolute, ``..``, a backslash): it would make a
            check hash a file outside the folder.
    """
    path = Path(path)
    entries = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, file_name = line.partition("  ")
        digest, file_name = digest.strip(), file_name.strip()
        if not _DIGEST.fullmatch(digest) or not file_name:
            raise DataFormatError(
                f"Line {number} of {path} is not '<sha256>  <file>': it is not a "
                f"course manifest. Received: line={line!r}"
            )
        parts = PurePosixPath(file_name).parts
        if file_name.startswith("/") or ".." in parts or "\\" in file_name:
            raise DataFormatError(
                f"{path} lists {file_name!r}, a path outside its folder; a course "
                "manifest lists only files inside it. Do not use this folder or pack: "
                f"get the data again. Received: entry={file_name!r}"
            )
        entries[PurePosixPath(file_name).as_posix()] = digest
    return entries


def _write_manifest(folder: Path, files: list[Path]) -> None:
    lines = [f"{sha256_of(f)}  {f.relative_to(folder).as_posix()}" for f in files]
    with writing_into(folder, MANIFEST):
        atomic_write_text(folder / MANIFEST, "\n".join(lines) + "\n")


def _manifest_checks(folder: Path, root: Path) -> list[tuple[str, str, Path]]:
    """``(file name, sha256, manifest)`` for the files directly in ``folder`` that a
    ``SHA256SUMS`` in ``folder`` or in a folder above it, up to ``root``, lists."""
    folder_abs, root_abs = folder.resolve(), root.resolve()
    checks, current = [], folder
    while True:
        manifest = current / MANIFEST
        if manifest.is_file():
            for entry, digest in read_manifest(manifest).items():
                listed = current / entry
                if listed.parent.resolve() == folder_abs:
                    checks.append((listed.name, digest, manifest))
        if current.resolve() == root_abs or not folder_abs.is_relative_to(root_abs):
            return checks
        current = current.parent


def _check_manifests(folder: Path, root: Path) -> list[str]:
    """Checks the files of ``folder`` against every manifest that lists them (files
    are kept: the message says what to do). Returns the names checked."""
    checked = []
    for file_name, digest, manifest in _manifest_checks(folder, root):
        path = folder / file_name
        if not path.is_file():
            raise DataFormatError(
                f"{path} is listed in {manifest} but missing: the folder is "
                "incomplete. Get the data again (python data_scripts/download.py)."
            )
        actual = sha256_of(path)
        if actual != digest:
            raise ChecksumError(
                f"{path} does not match its entry in {manifest}: expected {digest}, "
                f"got {actual}. The file was kept and NOT loaded; it was changed or "
                "damaged after it was verified. Get the data again (python "
                "data_scripts/download.py NAME --dir DIR, or unpack the pack again)."
            )
        checked.append(file_name)
    return checked


# --------------------------------------------------------------------------------------
# Fetching and verifying whole datasets
# --------------------------------------------------------------------------------------
def _extract_cifar10(archive: Path, target: Path) -> Path:
    safe_extract(archive, target)
    folder = target / catalog.CIFAR10_FOLDER
    if not folder.is_dir():
        raise DataFormatError(f"{archive} did not contain {catalog.CIFAR10_FOLDER}/.")
    files = [folder / n for n in cifar10_file_names()]
    for f in files:
        read_cifar10_batch(f)
    _write_manifest(folder, files)
    return folder


def fetch(name: str, root: str | os.PathLike) -> Path:
    """Makes sure ``root`` holds dataset ``name``, verified; downloads what is missing.

    Layout: ``root/mnist/*.gz`` and ``root/cifar10/cifar-10-batches-bin/`` (the
    CIFAR-10 archive is kept beside it).

    Returns:
        The folder the loader reads.

    Example:
        >>> fetch("mnist", "data")
        PosixPath('data/mnist')
    """
    root = Path(root)
    if _check_name(name) == "mnist":
        folder = root / "mnist"
        for remote in catalog.MNIST_FILES.values():
            path = folder / remote.name
            if path.is_file():
                verify_file(path, remote.sha256)
            else:
                download(remote, folder)
        return folder
    folder, archive = find_cifar10(root)
    if folder is not None:
        verify(name, root)
        return folder
    if archive is not None:
        verify_file(archive, catalog.CIFAR10_ARCHIVE.sha256)
    else:
        archive = download(catalog.CIFAR10_ARCHIVE, root / "cifar10")
    return _extract_cifar10(archive, root / "cifar10")


def verify(name: str, root: str | os.PathLike) -> list[str]:
    """Verifies dataset ``name`` under ``root`` and returns what was checked.

    MNIST files and the CIFAR-10 archive are checked against their published SHA-256;
    an extracted CIFAR-10 folder against the ``SHA256SUMS`` manifests that list it
    (written at extraction, or carried by a pack), and always for size and label range.
    Nothing is removed.

    Raises:
        DataNotFoundError, ChecksumError, DataFormatError: with the file named.
    """
    root = Path(root)
    checked = []
    if _check_name(name) == "mnist":
        folder = find_mnist(root)
        if folder is None:
            raise _not_found(name, roots=[root])
        _check_manifests(folder, root)
        for remote in catalog.MNIST_FILES.values():
            verify_file(folder / remote.name, remote.sha256, remove_bad=False)
            read_idx(folder / remote.name)
            checked.append(f"{remote.name}: SHA-256 ok")
        return checked
    folder, archive = find_cifar10(root)
    if folder is None and archive is None:
        raise _not_found(name, roots=[root])
    if archive is not None:
        verify_file(archive, catalog.CIFAR10_ARCHIVE.sha256, remove_bad=False)
        checked.append(f"{archive.name}: SHA-256 ok")
    if folder is not None:
        hashed = set(_check_manifests(folder, root))
        for file_name in cifar10_file_names():
            read_cifar10_batch(folder / file_name)
            how = "SHA-256 and format" if file_name in hashed else "format"
            checked.append(f"{file_name}: {how} ok")
    return checked


def locate_mnist(*, download_missing: bool = True) -> Path:
    """Returns a folder holding the four verified MNIST files, downloading if needed.

    Raises:
        DataNotFoundError: no copy, and no download possible (a
            :class:`FolderNotWritableError` when the cache is read-only).
        ChecksumError: a file differs from its published or manifest digest.
    """
    for root in _search_roots():
        folder = find_mnist(root)
        if folder is not None:
            _check_manifests(folder, root)
            for remote in catalog.MNIST_FILES.values():
                path = folder / remote.name
                verify_file(path, remote.sha256, remove_bad=_in_cache(folder))
            return folder
    if not download_missing:
        raise _not_found("mnist")
    try:
        return fetch("mnist", cache_dir())
    except FolderNotWritableError:
        raise
    except DataNotFoundError as err:
        raise _not_found("mnist", str(err)) from err


def locate_cifar10(*, download_missing: bool = True) -> Path:
    """Returns a verified ``cifar-10-batches-bin`` folder, extracting or downloading
    if needed. Raises as :func:`locate_mnist`."""
    for root in _search_roots():
        folder, archive = find_cifar10(root)
        if folder is not None:
            _check_manifests(folder, root)
            return folder
        if archive is not None:
            sha = catalog.CIFAR10_ARCHIVE.sha256
            verify_file(archive, sha, remove_bad=_in_cache(archive))
            return _extract_cifar10(archive, cache_dir() / "cifar10")
    if not download_missing:
        raise _not_found("cifar10")
    try:
        return fetch("cifar10", cache_dir())
    except FolderNotWritableError:
        raise
    except DataNotFoundError as err:
        raise _not_found("cifar10", str(err)) from err
