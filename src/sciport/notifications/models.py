"""In-app inbox entries and per-user delivery preferences."""

from django.conf import settings
from django.db import models

from sciport.core.ids import PublicIdField


class Notification(models.Model):
    """One message, rendered in the recipient's language when it was raised."""

    public_id = PublicIdField(prefix="ntf")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="notifications")
    email = models.EmailField(help_text="Where the e-mail goes; for people without an account the only address.")
    kind = models.CharField(max_length=60)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    in_inbox = models.BooleanField(default=True)
    wants_email = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], condition=models.Q(in_inbox=True), name="notification_inbox")]


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=60)
    inbox = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]
