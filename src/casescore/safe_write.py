"""Write an output file safely: never over the input, never over an existing file without
--force, only ever over a regular file, and never half-written (a temporary file in the same
folder, then a rename). A file is created as any other program would create it (mode 0666
less the umask); a replaced file keeps its mode."""

from __future__ import annotations

import errno
import io
import os
import secrets
import stat
import sys
from pathlib import Path

from casescore.errors import OutputExists, UsageError

_KINDS = ((stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISSOCK, "a socket"))


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
    if path.exists() and not path.is_file():  # checked before --force: forcing cannot help
        kind = next((name for test, name in _KINDS if test(path.stat().st_mode)), "not a regular file")
        raise UsageError(f"{target}: is {kind}; casescore only writes regular files (use - for standard output)")
    if path.exists() and not force:
        raise OutputExists(f"{target}: already exists")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{target}: the folder {folder} does not exist")
    return path


def write_bytes(target: str, data: bytes, force: bool = False, inputs: tuple[str, ...] = ()) -> None:
    """Write data to target ('-' is standard output), checking it first (again: the work
    between the first check and now may have taken minutes)."""
    write_with(target, lambda fh: fh.write(data), force, inputs)


def write_with(target: str, write, force: bool = False, inputs: tuple[str, ...] = ()) -> None:
    """write(binary file) fills target ('-' is standard output) by the same rules as write_bytes,
    so that a large output goes to disk as it is made instead of being held in memory first."""
    path = check_target(target, force, inputs)
    if path is None:
        buffer = io.BytesIO()  # standard output is not seekable, which a zip writer needs
        write(buffer)
        _to_stdout(buffer.getvalue())
        return
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    fd, tmp = _create_temporary(path, target)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)  # --force: the replacement keeps the old file's mode
        os.replace(tmp, path)
    except BaseException as exc:  # including Ctrl-C: leave no partial file behind
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"{target}: cannot be written: {_reason(exc)}") from None
        raise


def _create_temporary(path: Path, target: str) -> tuple[int, str]:
    """A new, empty file beside path. Not tempfile.mkstemp: that makes files 0600, which others
    sharing the folder cannot open; asking for 0666 lets the umask (and folder ACLs) decide."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = str(path.with_name(f".{path.name}.{secrets.token_hex(4)}.part"))
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise UsageError(f"{target}: cannot write in {path.parent} ({_reason(exc)})") from None
    raise UsageError(f"{target}: cannot write in {path.parent} (no free temporary file name)")


def _to_stdout(data: bytes) -> None:
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise  # the reader went away: the CLI stops quietly
    except OSError as exc:  # e.g. stdout redirected to a full disk
        raise UsageError(f"standard output: cannot be written: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    """'no space left on device', from the errno, so the message reads the same on every system."""
    if exc.errno is not None and exc.errno in errno.errorcode:
        return os.strerror(exc.errno)[:1].lower() + os.strerror(exc.errno)[1:]
    return str(exc) or exc.__class__.__name__
