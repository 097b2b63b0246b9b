"""Write an output file safely: never over the input, never over an existing file without
--force, and never half-written (a temporary file in the same folder, then a rename)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from casescore.errors import UsageError


def check_target(target: str, force: bool = False, inputs: tuple[str, ...] = ()) -> Path | None:
    """Refuse a bad output path before any work is done; the path to write, None for stdout."""
    if target == "-":
        return None
    path = Path(target)
    for source in inputs:
        if source != "-" and path.exists() and Path(source).exists() and path.samefile(source):
            raise UsageError(f"{target}: is the input file; casescore never overwrites its input")
    if path.is_dir():
        raise UsageError(f"{target}: is a folder; give a file name for the output")
    if path.exists() and not force:
        raise UsageError(f"{target}: already exists; pass --force to replace it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{target}: the folder {folder} does not exist")
    return path


def write_bytes(target: str, data: bytes, force: bool = False, inputs: tuple[str, ...] = ()) -> None:
    """Write data to target ('-' is standard output), checking it first."""
    path = check_target(target, force, inputs)
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise UsageError(f"{target}: cannot write in {folder} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:  # including Ctrl-C: leave no partial file behind
        Path(tmp).unlink(missing_ok=True)
        raise
