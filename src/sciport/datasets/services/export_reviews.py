"""Export reviews: before important data goes to an organisation outside China, platform staff approve it.

The decision is regulatory, not the owner's, so only platform staff decide; the
requester is told, and the owner's curators may follow the review.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sciport.accounts.models import Organisation, User
from sciport.accounts.selectors import organisations_of
from sciport.core import audit, permissions
from sciport.core.errors import Conflict, FieldError, NotAuthenticated, NotFound, ValidationFailed
from sciport.core.unique import save_new
from sciport.datasets.models import Classification, Dataset, ExportReview, ExportReviewState, VersionState
from sciport.datasets.selectors import access as selectors
from sciport.datasets.services.access import PURPOSE_MAX_LENGTH, landing_url, shown_version
from sciport.notifications.services import notify

E = ExportReviewState
REVIEW_FIELDS = ["state", "decision_message"]


def _audit(actor: User, action: str, review: ExportReview, before: dict[str, Any]) -> None:
    audit.record(
        actor=actor.public_id,
        action=action,
        object_type="datasets.exportreview",
        object_id=review.public_id,
        organisation=review.organisation.public_id,
        before=before,
        after={
            **audit.snapshot(review, REVIEW_FIELDS),
            "dataset": review.dataset.public_id,
            "requesting_organisation": review.requesting_organisation.public_id,
        },
    )


def _context(review: ExportReview) -> dict[str, Any]:
    version = shown_version(review.dataset)
    return {
        "title": version.display_title("zh"),
        "url": landing_url(version),
        "organisation": review.requesting_organisation.display_name("zh"),
        "purpose": review.purpose,
        "message": review.decision_message,
    }


def _requesting_organisation(actor: User, organisation: Organisation | None) -> Organisation:
    """The actor's foreign organisation the review is for: the one named, or the only one they have."""
    foreign = list(selectors.foreign_organisations(actor))
    if organisation is not None:
        if organisation.pk in {o.pk for o in foreign}:
            return organisation
        if organisations_of(actor).filter(pk=organisation.pk).exists():
            raise Conflict(_("Only organisations outside China need an export review."))
        raise NotFound()
    if not foreign:
        raise Conflict(_("None of your organisations is outside China: no export review is needed."))
    if len(foreign) > 1:
        raise ValidationFailed(errors=[FieldError("organisation_id", _("Name the organisation the review is for."))])
    return foreign[0]


def export_review_create(
    *, actor: User, dataset: Dataset, purpose: str, organisation: Organisation | None = None
) -> ExportReview:
    """A member of a foreign organisation asks platform staff to approve important data going to it."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    requesting = _requesting_organisation(actor, organisation)
    latest = dataset.latest_published
    if latest is None or latest.state != VersionState.PUBLISHED or latest.classification != Classification.IMPORTANT:
        raise Conflict(_("This dataset is not classified as important data: no export review is needed."))
    if not purpose.strip() or len(purpose) > PURPOSE_MAX_LENGTH:
        raise ValidationFailed(errors=[FieldError("purpose", _("Say what the data will be used for, and where."))])
    if selectors.approved_export_organisations(dataset.pk, {requesting.pk}):
        raise Conflict(_("The export of this dataset to your organisation is already approved."))
    with transaction.atomic():
        review = ExportReview(
            dataset=dataset,
            organisation=dataset.organisation,
            requesting_organisation=requesting,
            requested_by=actor,
            purpose=purpose.strip(),
        )
        save_new(review, if_taken=Conflict(_("An export review of this dataset for your organisation is already pending.")))
        _audit(actor, "export_review.create", review, {})
        staff = get_user_model().objects.filter(is_superuser=True, is_active=True)
        context = _context(review)
        notify(kind="dataset.export_review_requested", recipients=staff, context=context, url=context["url"])
    return review


def export_review_decide(*, actor: User, review: ExportReview, approve: bool, message: str = "") -> ExportReview:
    """Platform staff approve or reject (saying why) a pending export review."""
    permissions.require(actor, "decide", review)
    message = message.strip()
    if not approve and not message:
        raise ValidationFailed(errors=[FieldError("message", _("Tell the requester why the export is rejected."))])
    with transaction.atomic():
        review = (
            ExportReview.objects.select_for_update(of=("self",))
            .select_related("dataset", "organisation", "requesting_organisation", "requested_by")
            .get(pk=review.pk)
        )
        if review.state != E.PENDING:
            raise Conflict(_("This review was already decided: %s.") % review.get_state_display())
        before = audit.snapshot(review, REVIEW_FIELDS)
        review.state = E.APPROVED if approve else E.REJECTED
        review.decided_by = actor
        review.decided_at = timezone.now()
        review.decision_message = message
        review.save()
        _audit(actor, f"export_review.{review.state}", review, before)
        kind = "dataset.export_approved" if approve else "dataset.export_rejected"
        context = _context(review)
        notify(kind=kind, recipients=[review.requested_by], context=context, url=context["url"])
    return review
