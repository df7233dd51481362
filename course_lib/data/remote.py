"""Files from the network and from archives: verified downloads, safe extraction.

- :func:`download` fetches one :class:`RemoteFile` into a folder, trying mirrors in
  turn. The bytes go to a partial file that is renamed into place only when complete
  and its SHA-256 matches, so an interrupted download never passes for a good file.
- :func:`safe_extract` unpacks a tar archive after checking that no member lands outside
  the target folder.
- Partial files and staging folders carry the name of the process that writes them
  (``.NAME.HOST-PID.XXXX.part``); :func:`clean_stale_partials` removes those whose
  process is gone (a download killed with SIGKILL) or that are older than a day.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import glob
import gzip
import hashlib
import http.client
import os
import re
import shutil
import socket
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from course_lib._util import choice_error
from course_lib.data.errors import (
    ChecksumError,
    DataFormatError,
    DataNotFoundError,
    FolderNotWritableError,
    UnsafeArchiveError,
)

__all__ = [
    "RemoteFile",
    "clean_stale_partials",
    "download",
    "mirror_only",
    "new_partial",
    "safe_extract",
    "sha256_of",
    "swap_in",
    "verify_file",
    "writing_into",
]

DOWNLOAD_TIMEOUT_S = 30
CHUNK_BYTES = 1 << 20
STALE_AFTER_S = 24 * 3600
"""A partial file untouched for this long is stale even if its process id is alive
(process ids are reused)."""

_FLAGS = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    """One file of a distribution: its name, SHA-256, size and download URLs."""

    name: str
    sha256: str
    size: int
    urls: tuple[str, ...]


# --------------------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------------------
def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 hex digest of a file, read in chunks.

    Example:
        >>> sha256_of("mnist/t10k-labels-idx1-ubyte.gz")[:8]
        'f7ae60f9'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(
    path: str | os.PathLike, expected_sha256: str, *, remove_bad: bool = True
) -> None:
    """Checks a file's SHA-256.

    Args:
        path: the file.
        expected_sha256: its published (or manifest) digest, hex.
        remove_bad: remove the file when the digest is wrong (files the library
            downloaded itself); False keeps it (the user's own copies).

    Raises:
        ChecksumError: the digest is wrong; the message gives both digests.
    """
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


# --------------------------------------------------------------------------------------
# Partial files: owned by a process, cleaned when it is gone
# --------------------------------------------------------------------------------------
def _owner() -> str:
    host = re.sub(r"[^A-Za-z0-9]", "-", socket.gethostname()) or "host"
    return f"{host}-{os.getpid()}"


def _is_stale(path: Path, now: float) -> bool:
    try:
        age = now - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    if age > STALE_AFTER_S:
        return True
    # ".NAME.HOST-PID.XXXX.part": the random XXXX of mkstemp holds no dot.
    owner = path.name[: -len(".part")].rsplit(".", 2)[-2]
    host, _, pid = owner.rpartition("-")
    if host != _owner().rpartition("-")[0] or not pid.isdigit() or os.name == "nt":
        return False  # another machine's (a shared folder), or no way to ask: wait
    try:
        os.kill(int(pid), 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, owned by someone else
    return False


def clean_stale_partials(folder: str | os.PathLike, name: str) -> list[Path]:
    """Removes partial files and folders of ``name`` in ``folder`` no live process owns.

    A partial is stale when the process that wrote it is gone (this machine's processes
    only) or when it has not changed for a day (:data:`STALE_AFTER_S`). Returns the
    paths removed; what cannot be removed is left for next time.
    """
    folder = Path(folder)
    now = time.time()
    removed = []
    for path in folder.glob(f".{glob.escape(name)}.*.part"):
        if not _is_stale(path, now):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def new_partial(folder: Path, name: str, *, directory: bool = False) -> Path:
    """Creates an empty partial file (or folder) for ``name`` in ``folder``.

    Stale partials of ``name`` are removed first, so a killed download does not leave
    its bytes behind forever.
    """
    clean_stale_partials(folder, name)
    prefix = f".{name}.{_owner()}."
    if directory:
        return Path(tempfile.mkdtemp(prefix=prefix, suffix=".part", dir=folder))
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=folder)
    os.close(fd)
    return Path(tmp)


def _not_writable(err: OSError) -> bool:
    return isinstance(err, PermissionError) or err.errno in (
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
    )


@contextlib.contextmanager
def writing_into(folder: str | os.PathLike, what: str) -> Iterator[None]:
    """Turns a bare ``PermissionError`` (or a read-only file system) met while writing
    into ``folder`` into a :class:`FolderNotWritableError` that says what to do."""
    try:
        yield
    except OSError as err:
        if not _not_writable(err):
            raise
        raise FolderNotWritableError(
            f"Cannot write {what} into {folder}: {err.strerror or err}. Fix: make "
            "the folder writable, or set COURSE_CACHE_DIR to a writable folder (the "
            "download cache), or point COURSE_DATA_DIR at a folder that already holds "
            f"the data (e.g. a classroom copy). Received: folder={str(folder)!r}"
        ) from err


# --------------------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------------------
def mirror_only() -> bool:
    """``COURSE_DATA_MIRROR_ONLY`` as a bool: 1/0, true/false, yes/no, on/off.

    Unset or empty is False. Any other value is an error rather than a guess.
    """
    value = os.environ.get("COURSE_DATA_MIRROR_ONLY", "")
    key = value.strip().lower()
    if not key:
        return False
    if key not in _FLAGS:
        raise choice_error("COURSE_DATA_MIRROR_ONLY", value, _FLAGS)
    return _FLAGS[key]


def _mirror_urls(remote: RemoteFile) -> list[str]:
    """``COURSE_DATA_MIRROR`` base URLs (comma-separated) first, then the canonical
    hosts, unless ``COURSE_DATA_MIRROR_ONLY`` is on (a classroom's own mirror)."""
    only = mirror_only()  # checked even without a mirror: a typo is reported early
    mirror = os.environ.get("COURSE_DATA_MIRROR")
    urls = []
    if mirror:
        urls += [b.rstrip("/") + "/" + remote.name for b in mirror.split(",") if b]
    if mirror and only:
        return urls
    return urls + list(remote.urls)


def _progress(total: int | None, desc: str):
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=desc,
        leave=False,
    )


def download(
    remote: RemoteFile, dest_dir: str | os.PathLike, *, urls: list[str] | None = None
) -> Path:
    """Downloads one file into ``dest_dir``, verified, and returns its path.

    Each URL is tried in turn. The bytes go to a partial file in ``dest_dir``; it is
    renamed to its final name only when complete and its SHA-256 matches, so an
    interrupted or corrupted download never leaves a file that later passes as good.
    Partial files left by killed downloads are removed first.

    Args:
        remote: the file to get.
        dest_dir: where to put it (created if needed).
        urls: URLs to try instead of the mirrors and the file's own URLs.

    Returns:
        The path of the verified file.

    Raises:
        ChecksumError: a server sent a file with the wrong digest (and no URL a good
            one).
        DataNotFoundError: no URL could be reached.
        FolderNotWritableError: ``dest_dir`` cannot be written.

    Example:
        >>> download(catalog.MNIST_FILES["test_labels"], "data/mnist")
    """
    dest_dir = Path(dest_dir)
    final = dest_dir / remote.name
    failures: list[str] = []
    checksum_error: ChecksumError | None = None
    for url in urls if urls is not None else _mirror_urls(remote):
        with writing_into(dest_dir, remote.name):
            dest_dir.mkdir(parents=True, exist_ok=True)
            tmp = new_partial(dest_dir, remote.name)
        try:
            with open(tmp, "wb") as out:
                _fetch(url, out, remote)
            try:
                verify_file(tmp, remote.sha256)
            except ChecksumError as err:
                # Name the real file, not the partial one, in the message.
                message = str(err).replace(tmp.name, remote.name, 1)
                checksum_error = ChecksumError(f"{message} (from {url})")
                failures.append(f"{url}: SHA-256 mismatch")
                continue
            os.replace(tmp, final)
            return final
        except urllib.error.HTTPError as err:
            failures.append(f"{url}: HTTP {err.code} {err.reason}")
        except (
            urllib.error.URLError,
            OSError,
            DataFormatError,
            http.client.HTTPException,
        ) as err:
            failures.append(f"{url}: {getattr(err, 'reason', None) or err!r}")
        finally:
            tmp.unlink(missing_ok=True)
    if checksum_error is not None:
        raise checksum_error
    raise DataNotFoundError(
        f"Could not download {remote.name}. Tried:\n  "
        + "\n  ".join(failures)
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


# --------------------------------------------------------------------------------------
# Archives
# --------------------------------------------------------------------------------------
def _check_member(member: tarfile.TarInfo, staging: Path, shown_as: Path) -> None:
    """Refuses a member that would land outside ``staging`` (named ``shown_as``)."""
    resolved = (staging / member.name).resolve()
    inside = resolved.is_relative_to(staging.resolve())
    if not inside or Path(member.name).is_absolute():
        raise UnsafeArchiveError(
            f"Refusing to extract {member.name!r}: it would land outside {shown_as}. "
            "The archive is not a genuine course archive; delete it and download it "
            "again."
        )
    if member.issym() or member.islnk():
        link = (resolved.parent / member.linkname).resolve()
        if not link.is_relative_to(staging.resolve()):
            raise UnsafeArchiveError(
                f"Refusing to extract the link {member.name!r} -> "
                f"{member.linkname!r}: it points outside {shown_as}."
            )
    if member.isdev():
        raise UnsafeArchiveError(
            f"Refusing to extract the device file {member.name!r}."
        )


def extract_checked(archive: Path, staging: Path, *, shown_as: Path) -> None:
    """Extracts ``archive`` into the empty folder ``staging`` after checking every
    member; messages name ``shown_as``, the folder the user asked for."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(member, staging, shown_as)
            if hasattr(tarfile, "data_filter"):
                tar.extractall(staging, members=members, filter="data")
            else:  # Python < 3.11.4: the members were checked above.
                tar.extractall(staging, members=members)
    except (tarfile.TarError, EOFError, gzip.BadGzipFile) as err:
        raise DataFormatError(
            f"{archive.name} is not a readable tar archive ({err}). Delete it and "
            "download it again."
        ) from err
    except OSError as err:
        if _not_writable(err):
            raise
        raise DataFormatError(
            f"{archive.name} could not be extracted ({err}). Delete it and download "
            "it again."
        ) from err


def swap_in(staging: Path, target: Path) -> list[str]:
    """Moves every top-level item of ``staging`` into ``target``, all or nothing.

    A same-named item already in ``target`` is first moved aside; if any move fails,
    the new items are taken out again and the old ones put back, so ``target`` is never
    left half replaced. The old items are deleted only once every new one is in place.
    Returns the names moved in.
    """
    target.mkdir(parents=True, exist_ok=True)
    items = sorted(staging.iterdir())
    aside = new_partial(target, "replaced", directory=True)
    moved: list[str] = []
    set_aside: list[str] = []
    try:
        for item in items:
            dest = target / item.name
            if dest.exists() or dest.is_symlink():
                os.replace(dest, aside / item.name)
                set_aside.append(item.name)
            os.replace(item, dest)
            moved.append(item.name)
    except BaseException:
        for name in moved:  # undo, newest first is not needed: names are distinct
            with contextlib.suppress(OSError):
                os.replace(target / name, staging / name)
        for name in set_aside:
            with contextlib.suppress(OSError):
                os.replace(aside / name, target / name)
        with contextlib.suppress(OSError):
            aside.rmdir()  # empty when every old item went back
        raise
    shutil.rmtree(aside, ignore_errors=True)
    return moved


def safe_extract(archive: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Extracts a tar(.gz) archive into ``target`` after checking every member.

    Members that would land outside ``target`` (absolute paths, ``..``, links out) are
    refused before anything is written. Extraction happens in a staging folder inside
    ``target`` whose items replace same-named ones only when all are extracted.

    Returns:
        ``target``.

    Raises:
        UnsafeArchiveError: a member would land outside ``target``.
        DataFormatError: the archive is not a readable tar file.
    """
    archive, target = Path(archive), Path(target)
    with writing_into(target, f"the contents of {archive.name}"):
        target.mkdir(parents=True, exist_ok=True)
        staging = new_partial(target, "extract", directory=True)
        try:
            extract_checked(archive, staging, shown_as=target)
            swap_in(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target
