"""The kinds of notification; each has ``notifications/<kind>.subject.txt`` and ``.body.txt`` templates."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "invitation": _("Invitations to join an organisation"),
    "organisation.verified": _("Your organisation was verified"),
    "organisation.rejected": _("Your organisation's verification was rejected"),
    "dataset.submitted": _("A dataset was submitted for curation"),
    "dataset.changes_requested": _("Curators asked for changes to your dataset"),
    "dataset.published": _("Your dataset was published"),
    "dataset.access_requested": _("Someone requested access to a dataset you curate"),
    "dataset.access_approved": _("Your request for access to a dataset was approved"),
    "dataset.access_denied": _("Your request for access to a dataset was denied"),
    "dataset.access_revoked": _("Your access to a dataset was revoked"),
    "dataset.export_review_requested": _("An export review of important data waits for a decision"),
    "dataset.export_approved": _("An export of important data to your organisation was approved"),
    "dataset.export_rejected": _("An export of important data to your organisation was rejected"),
    "dataset.fixity_problem": _("A preservation check found damaged or missing dataset files"),
    "system.task_failed": _("A background task failed for good"),
}
