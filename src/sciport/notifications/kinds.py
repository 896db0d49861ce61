"""The kinds of notification; each has ``notifications/<kind>.subject.txt`` and ``.body.txt`` templates."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "invitation": _("Invitations to join an organisation"),
    "organisation.verified": _("Your organisation was verified"),
    "organisation.rejected": _("Your organisation's verification was rejected"),
    "system.task_failed": _("A background task failed for good"),
}
