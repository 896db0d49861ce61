"""One row per upload: who sends what to which target, how far it got, and its checksums once complete."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from sciport.core.ids import PublicIdField


class UploadProtocol(models.TextChoices):
    TUS = "tus", "tus 1.0"
    S3_MULTIPART = "s3_multipart", "S3 multipart"


class UploadState(models.TextChoices):
    RECEIVING = "receiving", "receiving"
    COMPLETE = "complete", "complete"
    CONSUMED = "consumed", "consumed"
    EXPIRED = "expired", "expired"
    TERMINATED = "terminated", "terminated"


class Upload(models.Model):
    public_id = PublicIdField(prefix="upl")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads")
    protocol = models.CharField(max_length=16, choices=UploadProtocol.choices, default=UploadProtocol.TUS)
    target = models.CharField(max_length=64)
    # The decoded tus Upload-Metadata (or the multipart request's metadata): text keys and values.
    target_metadata = models.JSONField(default=dict)
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    state = models.CharField(max_length=16, choices=UploadState.choices, default=UploadState.RECEIVING)
    sha256 = models.CharField(max_length=64, blank=True)
    md5 = models.CharField(max_length=32, blank=True)
    # The storage object name once the content is in storage.
    storage_name = models.CharField(max_length=255, blank=True)
    s3_upload_id = models.CharField(max_length=1024, blank=True)
    part_size = models.BigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(length__gte=0), name="upload_length_not_negative"),
            models.CheckConstraint(condition=Q(offset__gte=0, offset__lte=F("length")), name="upload_offset_within_length"),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="upload_state_expiry")]

    def __str__(self) -> str:
        return self.public_id
