"""What crashed uploads leave in the file store, cleared when a node starts.

A node that dies mid-upload leaves its temporary file in ``<files>/tmp``; one that dies between
placing a blob and committing its row leaves a blob no row uses. Both are removed once they are
older than ``SWEEP_AGE`` (an hour), so another node's upload still streaming, or still waiting
for its transaction, is never touched: a temporary file being written is younger than that, and
a blob is removed only through ``files.discard_if_unused``, which waits for any transaction
about to commit a row for it and then counts again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.db import transaction
from lms.models import StoredFile
from lms.services import files

log = logging.getLogger(__name__)

SWEEP_AGE = timedelta(hours=1)
# Digests asked about in one query.
BATCH = 500
_TWO_HEX = re.compile(r"[0-9a-f]{2}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class SweepReport:
    """What a sweep removed: temporary files (their names) and orphan blobs (their digests)."""

    temporary: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)


def _older_than(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:  # removed meanwhile (a finished upload moved into place)
        return False


def clear_temporary(root: Path, cutoff: float) -> list[str]:
    """Remove the temporary files last written before ``cutoff``. Blocking: call in a thread."""
    tmp = root / "tmp"
    if not tmp.is_dir():
        return []
    removed = []
    for entry in os.scandir(tmp):
        path = Path(entry.path)
        if entry.is_file(follow_symlinks=False) and _older_than(path, cutoff):
            path.unlink(missing_ok=True)
            removed.append(entry.name)
    return sorted(removed)


def old_blobs(root: Path, cutoff: float) -> list[str]:
    """The digests of the blobs written before ``cutoff``. Blocking: call in a thread."""
    found = []
    for first in root.iterdir() if root.is_dir() else ():
        if not (first.is_dir() and _TWO_HEX.fullmatch(first.name)):
            continue
        for second in first.iterdir():
            if not (second.is_dir() and _TWO_HEX.fullmatch(second.name)):
                continue
            for blob in second.iterdir():
                if _SHA256.fullmatch(blob.name) and _older_than(blob, cutoff):
                    found.append(blob.name)
    return sorted(found)


async def _unused(db: AsyncSession, digests: list[str]) -> list[str]:
    used = set(
        await db.scalars(select(StoredFile.sha256).where(StoredFile.sha256.in_(digests)).distinct())
    )
    return [digest for digest in digests if digest not in used]


async def sweep(
    factory: async_sessionmaker[AsyncSession],
    root: Path,
    *,
    age: timedelta = SWEEP_AGE,
    now: float | None = None,
) -> SweepReport:
    """Remove old temporary files and old blobs no row uses; log each one removed."""
    cutoff = (time.time() if now is None else now) - age.total_seconds()
    report = SweepReport()
    report.temporary = await asyncio.to_thread(clear_temporary, root, cutoff)
    for name in report.temporary:
        log.warning("file store: removed the temporary file %s left by an unfinished upload", name)
    candidates = await asyncio.to_thread(old_blobs, root, cutoff)
    for start in range(0, len(candidates), BATCH):
        async with factory() as db:
            unused = await _unused(db, candidates[start : start + BATCH])
        for digest in unused:
            # Each in its own short transaction: it holds the blob, so an upload committing
            # a row for this content right now is waited for, and then keeps it.
            async with transaction(factory) as db:
                if await files.discard_if_unused(db, root, digest):
                    report.orphans.append(digest)
                    log.warning("file store: removed the blob %s, which no file uses", digest)
    if report.temporary or report.orphans:
        log.info(
            "file store sweep: %d temporary files and %d unused blobs removed",
            len(report.temporary),
            len(report.orphans),
        )
    return report
