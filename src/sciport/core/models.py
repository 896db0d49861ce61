"""Kernel tables: the audit chain, per-object grants, idempotency records, task retries."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One state change. Append-only; ``hash`` covers this row and the previous row's hash."""

    sequence = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.CharField(max_length=40, blank=True, help_text="Public id of the user, empty for the system.")
    organisation = models.CharField(max_length=40, blank=True, db_index=True, help_text="Public id of the owning organisation.")
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40, db_index=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    request_id = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"


class ObjectGrant(models.Model):
    """Lets one user do one action on one object regardless of organisation roles."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="object_grants")
    object_type = models.CharField(max_length=80)
    object_pk = models.BigIntegerField()
    action = models.CharField(max_length=40)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "object_type", "object_pk", "action"], name="object_grant_unique"),
        ]
        indexes = [models.Index(fields=["object_type", "object_pk"])]


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an Idempotency-Key, replayed to retries of the same request."""

    key = models.CharField(max_length=200)
    principal = models.CharField(max_length=40, help_text="Public id of the caller the key belongs to.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")]


class TaskAttempt(models.Model):
    """Links a failed background task to the retry queued for it, so retries are counted and never lost."""

    failed_task_id = models.CharField(max_length=64, unique=True)
    retry_task_id = models.CharField(max_length=64, blank=True)
    task_path = models.CharField(max_length=300)
    attempt = models.PositiveSmallIntegerField()
    gave_up = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class SearchDocument(models.Model):
    """One searchable object. The text index beside it is vendor-specific: see ``sciport.core.search``."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=64, help_text="Public id of the indexed object.")
    organisation = models.CharField(max_length=40, blank=True, help_text="Public id of the owning organisation.")
    visibility = models.CharField(max_length=20, help_text="public, signed_in or organisation.")
    title_zh = models.TextField(blank=True)
    title_en = models.TextField(blank=True)
    body_zh = models.TextField(blank=True)
    body_en = models.TextField(blank=True)
    facets = models.JSONField(default=dict)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="search_document_unique")]
        indexes = [models.Index(fields=["visibility", "organisation"], name="search_document_visibility")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
