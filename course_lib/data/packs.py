"""Classroom packs: every verified dataset in one ``.tar.gz``, for offline rooms.

    python data_scripts/download.py --pack course-data.tar.gz --dir DIR    (teacher)
    python data_scripts/download.py --unpack course-data.tar.gz --dir DIR  (students)

A pack holds ``mnist/``, ``cifar10/cifar-10-batches-bin/`` and a top-level
``SHA256SUMS`` manifest. :func:`unpack` checks every file before anything in the target
folder changes, and the loaders check the manifest again at every load.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
from pathlib import Path

from course_lib.data import catalog
from course_lib.data.errors import (
    ChecksumError,
    DataFormatError,
    DataNotFoundError,
    FolderNotWritableError,
)
from course_lib.data.remote import (
    extract_checked,
    new_partial,
    sha256_of,
    swap_in,
    writing_into,
)
from course_lib.data.store import (
    MANIFEST,
    cifar10_file_names,
    fetch,
    find_cifar10,
    find_mnist,
    read_manifest,
    verify,
)

__all__ = ["pack", "unpack"]


def _canonical_arcname(path: Path) -> str:
    if path.parent.name == catalog.CIFAR10_FOLDER:
        return f"cifar10/{catalog.CIFAR10_FOLDER}/{path.name}"
    return f"mnist/{path.name}"


def _pack_members(root: Path) -> list[Path]:
    members: list[Path] = []
    for name in catalog.DATASETS:
        try:
            verify(name, root)
        except DataNotFoundError:
            continue
        if name == "mnist":
            folder = find_mnist(root)
            members += [folder / f.name for f in catalog.MNIST_FILES.values()]
            continue
        folder, _ = find_cifar10(root)
        if folder is None:  # only the archive: extract it so the pack is ready to use
            folder = fetch("cifar10", root)
        members += [folder / n for n in cifar10_file_names()]
        if (folder / "batches.meta.txt").is_file():
            members.append(folder / "batches.meta.txt")
    return members


def pack(root: str | os.PathLike, archive: str | os.PathLike) -> Path:
    """Packs the verified datasets under ``root`` into one ``.tar.gz`` for offline
    classrooms, with a top-level ``SHA256SUMS`` manifest.

    Written to a partial file and renamed when complete. Unpack with :func:`unpack`
    and point ``COURSE_DATA_DIR`` at the folder.

    Returns:
        The archive's path.

    Raises:
        DataNotFoundError: ``root`` holds neither dataset (the message says how to
            download them first).

    Example:
        >>> pack("data", "course-data.tar.gz")
    """
    root, archive = Path(root), Path(archive)
    members = _pack_members(root)
    if not members:
        script = "python data_scripts/download.py"
        raise DataNotFoundError(
            f"Nothing to pack: {root} holds neither mnist/ nor cifar10/ "
            f"(it {_describe(root)}). "
            f"Download the data into it first with `{script} mnist cifar10 --dir "
            f"{root}`, then pack it with `{script} --pack {archive} --dir {root}`. "
            f"To unpack a pack instead, use `--unpack ARCHIVE`. Received: dir={root}"
        )
    arcnames = {m: _canonical_arcname(m) for m in members}
    manifest = "".join(f"{sha256_of(m)}  {arcnames[m]}\n" for m in members)
    with writing_into(archive.parent, archive.name):
        archive.parent.mkdir(parents=True, exist_ok=True)
        tmp = new_partial(archive.parent, archive.name)
    try:
        with tarfile.open(tmp, "w:gz") as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(manifest.encode())
            tar.addfile(info, io.BytesIO(manifest.encode()))
            for m in members:
                tar.add(m, arcname=arcnames[m])
        os.replace(tmp, archive)
    finally:
        tmp.unlink(missing_ok=True)
    return archive


def _describe(folder: Path) -> str:
    if not folder.exists():
        return "does not exist"
    return "is empty" if not any(folder.iterdir()) else "has other files"


def _staging_for(root: Path) -> Path:
    """A new staging folder beside ``root``, or inside it when ``root`` is a mount
    point or only ``root`` itself is writable: the final moves must be renames within
    one file system."""
    resolved = root.resolve()
    parent = resolved.parent
    inside = root.is_dir() and parent.is_dir()
    inside = inside and os.stat(resolved).st_dev != os.stat(parent).st_dev
    if not inside:
        try:
            with writing_into(parent, "a staging folder"):
                parent.mkdir(parents=True, exist_ok=True)
                return new_partial(parent, resolved.name, directory=True)
        except FolderNotWritableError:
            if not root.is_dir():
                raise
    with writing_into(root, "a staging folder"):
        return new_partial(root, "unpack", directory=True)


def _check_pack(staging: Path, archive: Path, root: Path) -> list[str]:
    """Checks an extracted pack against its manifest; returns the files it lists."""
    unchanged = f"Nothing was unpacked: {root} is unchanged."
    if not (staging / MANIFEST).is_file():
        raise DataFormatError(
            f"{archive.name} has no {MANIFEST}: it is not a course data pack. "
            f"{unchanged} Make a pack with `python data_scripts/download.py --pack "
            "ARCHIVE --dir DIR`."
        )
    entries = read_manifest(staging / MANIFEST)
    found = {
        p.relative_to(staging).as_posix()
        for p in staging.rglob("*")
        if not p.is_dir() and p.relative_to(staging).as_posix() != MANIFEST
    }
    unlisted = sorted(found - set(entries))
    missing = sorted(set(entries) - found)
    if unlisted or missing:
        what = f"files its {MANIFEST} does not list: {unlisted}" if unlisted else ""
        what += " and " if unlisted and missing else ""
        what += f"no {missing}, which its {MANIFEST} lists" if missing else ""
        raise DataFormatError(
            f"{archive.name} holds {what}: it is not a genuine course pack. "
            f"{unchanged} Copy the pack again, or make a new one with --pack."
        )
    for file_name, digest in sorted(entries.items()):
        actual = sha256_of(staging / file_name)
        if actual != digest:
            raise ChecksumError(
                f"{file_name} in {archive.name} failed its SHA-256 check: expected "
                f"{digest} (the pack's {MANIFEST}), got {actual}. {unchanged} The pack "
                "is damaged or was changed: copy it again, or make a new one with "
                "--pack."
            )
    return sorted(entries)


def unpack(archive: str | os.PathLike, root: str | os.PathLike) -> list[str]:
    """Extracts a classroom pack made by :func:`pack` into ``root``, verified first.

    The pack is extracted into a staging folder beside ``root`` and every file checked
    against the pack's manifest (no file missing, none unlisted). Only then do its
    folders replace same-named ones in ``root``, all or nothing. When anything fails,
    ``root`` is left as it was and the staging folder is removed.

    Returns:
        The verified file names (relative paths).

    Raises:
        UnsafeArchiveError, DataFormatError, ChecksumError: the pack is not genuine or
            is damaged; ``root`` is unchanged.

    Example:
        >>> unpack("course-data.tar.gz", "data")  # then: export COURSE_DATA_DIR=data
    """
    archive, root = Path(archive), Path(root)
    if not archive.is_file():
        raise DataNotFoundError(
            f"The pack {archive} does not exist. Received: archive={str(archive)!r}"
        )
    staging = _staging_for(root)
    try:
        extract_checked(archive, staging, shown_as=root)
        names = _check_pack(staging, archive, root)
        with writing_into(root, f"the contents of {archive.name}"):
            swap_in(staging, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return names
