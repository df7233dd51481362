"""The data layer's errors. Each message says what went wrong and how to fix it."""

from __future__ import annotations

__all__ = [
    "ChecksumError",
    "DataError",
    "DataFormatError",
    "DataNotFoundError",
    "FolderNotWritableError",
    "UnsafeArchiveError",
]


class DataError(RuntimeError):
    """Base class of the data layer's errors; the message says how to fix it."""


class DataNotFoundError(DataError):
    """No local copy and no download possible."""


class FolderNotWritableError(DataNotFoundError):
    """A folder the data must be written into is read-only (often the download cache
    on a shared machine).

    A kind of :class:`DataNotFoundError`: without a writable cache nothing can be
    downloaded, so smoke mode falls back to its synthetic stand-in as it does offline.
    """


class ChecksumError(DataError):
    """A file's SHA-256 differs from the expected one."""


class DataFormatError(DataError):
    """A file is not in the format it should be (truncated, corrupted, wrong file)."""


class UnsafeArchiveError(DataError):
    """An archive member would be written outside the target folder."""
