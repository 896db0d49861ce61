"""Restricted access: requests with a purpose and an accepted data use agreement, curators' decisions, grants; embargoes opening.

An approved request is the grant (until ``expires_at``); it covers every version of
the dataset. The requester is told of each decision; curators of the owner
organisation are told of each new request.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sciport.accounts.models import User
from sciport.accounts.selectors import people_with_role
from sciport.core import audit, permissions
from sciport.core.errors import Conflict, FieldError, NotAuthenticated, NotFound, ValidationFailed
from sciport.core.unique import save_new
from sciport.datasets.models import (
    AccessLevel,
    AccessRequest,
    AccessRequestState,
    Dataset,
    DatasetVersion,
    VersionState,
)
from sciport.datasets.permissions import CURATORS
from sciport.datasets.pids.tasks import schedule_pid_sync
from sciport.datasets.search import reindex_after_commit
from sciport.datasets.selectors import access as selectors
from sciport.notifications.services import notify

R = AccessRequestState
REQUEST_FIELDS = ["state", "expires_at", "decision_message"]
PURPOSE_MAX_LENGTH = 5000


def landing_url(version: DatasetVersion) -> str:
    return settings.SITE_URL + reverse("datasets:version", args=[version.public_id])


def _about(version: DatasetVersion) -> dict[str, Any]:
    return {"title": version.display_title("zh"), "url": landing_url(version)}


def _audit(actor: User | None, action: str, request: AccessRequest, before: dict[str, Any]) -> None:
    audit.record(
        actor=actor.public_id if actor is not None else "",
        action=action,
        object_type="datasets.accessrequest",
        object_id=request.public_id,
        organisation=request.organisation.public_id,
        before=before,
        after={**audit.snapshot(request, REQUEST_FIELDS), "dataset": request.dataset.public_id},
    )


def _requested_version(dataset: Dataset, version: DatasetVersion | None) -> DatasetVersion:
    """The version whose agreement is accepted: the one named, else the newest published."""
    chosen = version or dataset.latest_published
    if chosen is None or chosen.dataset_id != dataset.pk or chosen.state != VersionState.PUBLISHED:
        raise NotFound(_("There is no published version to request access to."))
    return chosen


def access_request_create(
    *, actor: User, dataset: Dataset, purpose: str, accept_agreement: bool, version: DatasetVersion | None = None
) -> AccessRequest:
    """Ask the owner's curators for the files of a restricted dataset, stating the purpose and accepting its agreement."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    version = _requested_version(dataset, version)
    if selectors.is_insider(actor, version):
        raise Conflict(_("You may already download these files."))
    if not selectors.needs_grant(version):
        raise Conflict(_("These files need no access request."))
    errors = []
    if not purpose.strip():
        errors.append(FieldError("purpose", _("Say what you will use the data for.")))
    elif len(purpose) > PURPOSE_MAX_LENGTH:
        errors.append(FieldError("purpose", _("Keep the purpose under %d characters.") % PURPOSE_MAX_LENGTH))
    if not accept_agreement:
        errors.append(FieldError("accept_agreement", _("Accept the data use agreement to request access.")))
    if errors:
        raise ValidationFailed(errors=errors)
    if selectors.has_grant(actor, dataset.pk):
        raise Conflict(_("You already have access to these files."))
    with transaction.atomic():
        request = AccessRequest(
            dataset=dataset,
            organisation=dataset.organisation,
            requester=actor,
            purpose=purpose.strip(),
            agreement_text=version.data_use_agreement,
            agreed_at=timezone.now(),
        )
        save_new(request, if_taken=Conflict(_("You already have a pending request for this dataset.")))
        _audit(actor, "access_request.create", request, {})
        curators = people_with_role(dataset.organisation_id, CURATORS)
        context = {**_about(version), "requester": actor.display_name or actor.email, "purpose": request.purpose}
        notify(kind="dataset.access_requested", recipients=curators, context=context, url=landing_url(version))
    return request


def future_moment(moment: datetime | None, field: str) -> datetime | None:
    """A time that must lie ahead; one without a zone is read in the platform's time zone."""
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    try:
        ahead = moment > timezone.now() and moment.astimezone(UTC).year < 9999
    except OverflowError:  # year 1 or 9999 shifted out of range by its offset
        ahead = False
    if not ahead:
        raise ValidationFailed(errors=[FieldError(field, _("Choose a time in the future."))])
    return moment


def _locked(request: AccessRequest) -> AccessRequest:
    # Lock the request row only (not the joined dataset, organisation and user rows).
    found = AccessRequest.objects.select_for_update(of=("self",)).select_related("dataset", "organisation", "requester")
    return found.get(pk=request.pk)


def shown_version(dataset: Dataset) -> DatasetVersion:
    """The version a notice about the dataset points at: the newest published, else the newest."""
    version = dataset.latest_published or dataset.versions.order_by("-version_number").first()
    assert version is not None  # a dataset goes when its last version is discarded
    return version


def _tell_requester(kind: str, request: AccessRequest, message: str) -> None:
    version = shown_version(request.dataset)
    context = {**_about(version), "message": message, "expires_at": request.expires_at}
    notify(kind=kind, recipients=[request.requester], context=context, url=landing_url(version))


def access_request_decide(
    *, actor: User, access_request: AccessRequest, approve: bool, message: str = "", expires_at: datetime | None = None
) -> AccessRequest:
    """A curator of the owner approves (the grant, optionally until ``expires_at``) or denies (saying why) a pending request."""
    permissions.require(actor, "decide", access_request)
    message = message.strip()
    if not approve and not message:
        raise ValidationFailed(errors=[FieldError("message", _("Tell the requester why access is denied."))])
    if not approve and expires_at is not None:
        raise ValidationFailed(errors=[FieldError("expires_at", _("Only an approval has an expiry date."))])
    expires_at = future_moment(expires_at, "expires_at")
    with transaction.atomic():
        request = _locked(access_request)
        if request.state != R.PENDING:
            raise Conflict(_("This request was already decided: %s.") % request.get_state_display())
        before = audit.snapshot(request, REQUEST_FIELDS)
        request.state = R.APPROVED if approve else R.DENIED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_message = message
        request.expires_at = expires_at if approve else None
        request.save()
        _audit(actor, "access_request.approve" if approve else "access_request.deny", request, before)
        _tell_requester("dataset.access_approved" if approve else "dataset.access_denied", request, message)
    return request


def access_request_end(*, actor: User, access_request: AccessRequest, message: str = "") -> AccessRequest:
    """End a request: its requester withdraws it while pending; a curator of the owner revokes a grant."""
    is_requester = access_request.requester_id == actor.pk
    if not is_requester:
        permissions.require(actor, "decide", access_request)
    with transaction.atomic():
        request = _locked(access_request)
        before = audit.snapshot(request, REQUEST_FIELDS)
        if is_requester and request.state == R.PENDING:
            request.state, action = R.WITHDRAWN, "access_request.withdraw"
        elif not is_requester and request.state == R.APPROVED:
            request.state, action = R.REVOKED, "access_request.revoke"
            request.decision_message = message.strip() or request.decision_message
        else:
            raise Conflict(_("Only a pending request can be withdrawn, and only a grant revoked."))
        request.save()
        _audit(actor, action, request, before)
        if request.state == R.REVOKED:
            _tell_requester("dataset.access_revoked", request, message.strip())
    return request


# --- embargoes -------------------------------------------------------------------------------


def embargo_open_due(*, today: date | None = None) -> int:
    """Record as open every published version whose embargo ended; returns how many.

    Downloads do not wait for this (they compare the date at request time); it keeps
    stored access levels, and so lists and facets, true.
    """
    today = today or selectors.platform_today()
    due = DatasetVersion.objects.filter(
        state=VersionState.PUBLISHED, access_level=AccessLevel.EMBARGOED, embargo_until__lte=today
    ).values_list("pk", flat=True)
    opened = 0
    for pk in list(due):
        with transaction.atomic():
            version = DatasetVersion.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=pk)
            if version.access_level != AccessLevel.EMBARGOED:
                continue  # opened meanwhile by another run
            version.access_level = AccessLevel.OPEN
            version.save(update_fields=["access_level", "updated_at"])
            audit.record(
                actor="",
                action="dataset.embargo_end",
                object_type="datasets.datasetversion",
                object_id=version.public_id,
                organisation=version.organisation.public_id,
                before={"access_level": AccessLevel.EMBARGOED},
                after={"access_level": AccessLevel.OPEN, "embargo_until": version.embargo_until},
            )
            schedule_pid_sync(version, "update")  # the registry's access rights follow
            reindex_after_commit(version.dataset_id)  # and the access facet
            opened += 1
    return opened
