"""Reading an uploaded ZIP safely: every entry is checked before any is unpacked.

The archive is read in place in storage through ranged reads (no local copy). Refused,
as a whole, with the offending entry named:

- more entries than the version may still take, or a central directory that claims so
  (checked from the end record before ``zipfile`` builds its entry list in memory), and
  declared sizes beyond the version's remaining bytes: 413, as for any upload past the quota;
- a ZIP bomb: one entry, or the whole archive, expanding more than ``MAX_RATIO`` times
  (beyond ``RATIO_FLOOR`` bytes); the whole-archive ratio also catches entries that
  overlap to reuse the same compressed bytes;
- paths that are absolute, climb out with ``..``, or break the path rules of ``paths``;
- symbolic links, devices and other non-regular entries; encrypted entries;
- two entries with the same path, or a file where another entry needs a folder.

While unpacking, each entry's bytes are counted against its declared size and checked
by ``zipfile`` against its CRC, so a lying header is caught too. ``__MACOSX/`` entries
(macOS resource forks) and ``.DS_Store`` files are skipped: they are never data.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from sciport.core import storage
from sciport.core.errors import ValidationFailed
from sciport.datasets.files import paths
from sciport.uploads.errors import TooLarge

MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
READ_AHEAD = 4 * 1024 * 1024
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END_RECORD = struct.Struct("<4sQ2H2L4Q")
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_SKIPPED_FOLDERS = ("__MACOSX/",)
_SKIPPED_NAMES = (".DS_Store",)


class Refused(ValidationFailed):
    """The archive cannot be unpacked; nothing of it was added."""


@dataclass(frozen=True)
class Limits:
    max_entries: int
    max_bytes: int


@dataclass(frozen=True)
class Member:
    """A regular file of the archive and the dataset path it unpacks to."""

    info: zipfile.ZipInfo
    path: paths.FilePath


@dataclass(frozen=True)
class Plan:
    members: list[Member]
    folders: list[str]

    @property
    def total_bytes(self) -> int:
        return sum(member.info.file_size for member in self.members)


class _StoredFile(io.RawIOBase):
    """A read-only, seekable view of a stored object: each read is one ranged read of storage."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__()
        self.name_in_storage = name
        self.size = size
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self.size - self.position)
        if wanted <= 0:
            return 0
        filled = 0
        with memoryview(buffer) as view:
            for chunk in storage.open_chunks(self.name_in_storage, start=self.position, length=wanted):
                view[filled : filled + len(chunk)] = chunk
                filled += len(chunk)
        self.position += filled
        return filled


def open_archive(name: str, size: int) -> zipfile.ZipFile:
    """The stored ZIP ``name`` of ``size`` bytes, opened for reading; a damaged archive is refused."""
    reader = io.BufferedReader(_StoredFile(name, size), buffer_size=READ_AHEAD)
    try:
        return zipfile.ZipFile(reader)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise Refused(_("This file is not a ZIP archive we can read.")) from None


def declared_entries(name: str, size: int) -> int:
    """The entry count the archive's end record declares, read from its last 64 KiB; 0 when there is none."""
    tail_start = max(0, size - (_END_RECORD.size + 0xFFFF))
    tail = b"".join(storage.open_chunks(name, start=tail_start, length=size - tail_start)) if size else b""
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _END_RECORD.size > len(tail):
        return 0
    entries = _END_RECORD.unpack_from(tail, at)[4]
    locator_at = at - _ZIP64_LOCATOR.size
    if entries == 0xFFFF and locator_at >= 0 and tail[locator_at : locator_at + 4] == b"PK\x06\x07":
        record_offset = _ZIP64_LOCATOR.unpack_from(tail, locator_at)[2]
        record = b"".join(storage.open_chunks(name, start=record_offset, length=_ZIP64_END_RECORD.size))
        if len(record) == _ZIP64_END_RECORD.size and record[:4] == b"PK\x06\x06":
            entries = _ZIP64_END_RECORD.unpack(record)[7]
    return int(entries)


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its maker meant it: many tools write UTF-8 or GBK without setting the UTF-8 flag."""
    if info.flag_bits & _UTF8_FLAG or info.filename.isascii():
        return info.filename
    raw = info.filename.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _refuse(message: str, entry: str | None = None) -> Refused:
    if entry is None:
        return Refused(message)
    return Refused(_("%(message)s (entry %(entry)s)") % {"message": message, "entry": entry[:300]})


def _kind_refusal(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if info.create_system == 3 and kind == stat.S_IFLNK:
        return _("The archive holds a symbolic link; links are not unpacked.")
    if info.create_system == 3 and kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return _("The archive holds a special file (device or pipe).")
    if info.flag_bits & _ENCRYPTED_FLAG:
        return _("The archive holds an encrypted entry.")
    if not info.is_dir() and info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return _("An entry expands more than %(ratio)d times; the archive looks like a ZIP bomb.") % {"ratio": MAX_RATIO}
    return None


def _skipped(name: str) -> bool:
    return name.startswith(_SKIPPED_FOLDERS) or name.rsplit("/", 1)[-1] in _SKIPPED_NAMES


def plan(archive: zipfile.ZipFile, limits: Limits, *, archive_size: int, prefix: str = "") -> Plan:
    """Check every entry of ``archive`` (unpacking under the folder ``prefix``) and say what it would add."""
    members: list[Member] = []
    folders: set[str] = set()
    files: set[str] = set()
    for info in archive.infolist():
        name = entry_name(info)
        if _skipped(name):
            continue
        problem = _kind_refusal(info)
        if problem:
            raise _refuse(problem, name)
        raw_path = paths.join(prefix, name.removesuffix("/") if info.is_dir() else name)
        try:
            clean = paths.clean_folder(raw_path) if info.is_dir() else paths.clean_path(raw_path)
        except ValidationFailed as error:
            raise _refuse(str(error.errors[0].message), name) from None
        if isinstance(clean, str):
            folders.add(clean)
            continue
        if clean.path in files:
            raise _refuse(_("Two entries unpack to the same path."), name)
        files.add(clean.path)
        folders.update(folder for folder in _folder_and_ancestors(clean.folder))
        members.append(Member(info, clean))
    clash = files & folders
    if clash:
        raise _refuse(_("An entry is a file where another entry needs a folder."), sorted(clash)[0])
    result = Plan(members, sorted(folders - {""}))
    _check_totals(result, limits, archive_size)
    return result


def _check_totals(result: Plan, limits: Limits, archive_size: int) -> None:
    if result.total_bytes > RATIO_FLOOR and result.total_bytes > MAX_RATIO * max(archive_size, 1):
        raise Refused(_("The archive expands more than %(ratio)d times; it looks like a ZIP bomb.") % {"ratio": MAX_RATIO})
    if len(result.members) > limits.max_entries:
        raise too_many(len(result.members), limits)
    if result.total_bytes > limits.max_bytes:
        raise TooLarge(
            _("The archive unpacks to %(size)s; this version can take %(room)s more.")
            % {"size": filesizeformat(result.total_bytes), "room": filesizeformat(limits.max_bytes)},
            limit_bytes=limits.max_bytes,
        )


def too_many(count: int, limits: Limits) -> TooLarge:
    return TooLarge(
        _("The archive holds %(count)d files; this version can take %(room)d more.")
        % {"count": count, "room": limits.max_entries},
        limit_bytes=limits.max_bytes,
    )


def _folder_and_ancestors(folder: str) -> Iterator[str]:
    for parent, name in paths.ancestors(folder):
        yield paths.join(parent, name)


def member_chunks(archive: zipfile.ZipFile, member: Member, chunk_size: int = storage.CHUNK_SIZE) -> Iterator[bytes]:
    """The entry's bytes; ``Refused`` when they do not match its declared size or CRC."""
    received = 0
    try:
        with archive.open(member.info) as source:
            while chunk := source.read(chunk_size):
                received += len(chunk)
                yield chunk
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as error:
        raise _refuse(
            _("The archive is damaged or uses an unsupported compression (%(error)s).") % {"error": error}, member.path.path
        ) from None
    if received != member.info.file_size:
        raise _refuse(_("The entry's size does not match its header."), member.path.path)
