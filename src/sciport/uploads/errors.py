"""The domain errors of uploads; their statuses are the ones tus clients expect (413, 415, 423, 460)."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sciport.core.errors import Conflict, DomainError


class BadTusRequest(DomainError):
    status = 400
    slug = "bad-upload-request"
    title = gettext_lazy("The upload request is malformed.")


class TooLarge(DomainError):
    """More bytes than a limit allows: the server's largest upload, or a target's quota."""

    status = 413
    slug = "too-large"
    title = gettext_lazy("The upload is too large.")

    def __init__(self, detail: str | Promise | None = None, *, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        super().__init__(detail or _("Uploads may hold at most %(limit)s.") % {"limit": filesizeformat(limit_bytes)})


class UnsupportedMediaType(DomainError):
    status = 415
    slug = "unsupported-media-type"
    title = gettext_lazy("Send upload content as application/offset+octet-stream.")


class OffsetMismatch(Conflict):
    slug = "offset-mismatch"
    title = gettext_lazy("Upload-Offset does not match how much the server holds; ask with HEAD and resume from there.")


class UploadLocked(DomainError):
    status = 423
    slug = "upload-locked"
    title = gettext_lazy("Another request is writing to this upload right now.")


class ChecksumMismatch(DomainError):
    status = 460
    slug = "checksum-mismatch"
    title = gettext_lazy("The chunk does not match its Upload-Checksum; it was discarded.")


class UnsupportedVersion(DomainError):
    status = 412
    slug = "unsupported-tus-version"
    title = gettext_lazy("This server speaks tus 1.0.0 only.")
