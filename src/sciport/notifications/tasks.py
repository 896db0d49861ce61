"""Background delivery of notification e-mails."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from sciport.core.tasks import task
from sciport.notifications.models import Notification


@task()
def send_notification_email(public_id: str) -> None:
    """Send one notification's e-mail once; a retry after success sends nothing."""
    notification = Notification.objects.filter(public_id=public_id, emailed_at__isnull=True).first()
    if notification is None:
        return
    send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
