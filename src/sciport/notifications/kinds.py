"""The kinds of notification; each has ``notifications/<kind>.subject.txt`` and ``.body.txt`` templates."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "invitation": _("Invitations to join an organisation"),
    "organisation.verified": _("Your organisation was verified"),
    "organisation.rejected": _("Your organisation's verification was rejected"),
    "dataset.submitted": _("A dataset was submitted for curation"),
    "dataset.changes_requested": _("Curators asked for changes to your dataset"),
    "dataset.published": _("Your dataset was published"),
    "system.task_failed": _("A background task failed for good"),
}
