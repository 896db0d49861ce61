"""Who may download a version's files, and if not, why — in words the reader is shown.

The rules, first match deciding:

1. A withdrawn version serves no file, to anyone.
2. The owner organisation's people (any role), the depositor and platform staff may
   download every version, drafts included.
3. A draft, or a private version, opens only to a live private link of that version.
4. A live private link of the version opens its files (a journal reviewer, before
   publication or during an embargo), except for sensitive and important data.
5. Embargoed: opens by itself on ``embargo_until`` (a date in the platform's time zone,
   decided at request time, so no background task is needed for correctness).
6. Restricted, or classified anything but public: an approved, unexpired access
   request (the grant) of the reader on the dataset.

Classification (PRC Data Security Law), for people outside the owner organisation:

- ``public``: the access level alone decides.
- ``internal``: for the owner's people and those it approves: a grant is needed
  whatever the access level; private links still work (the owner chose the reviewer).
- ``sensitive``: as internal, and private links show the landing page but no files:
  sensitive data goes only to identified people bound by the data use agreement.
- ``important``: as sensitive; the reader must be signed in and belong to an
  organisation, and each of their foreign organisations (country other than CN) needs
  an approved export review of the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sciport.accounts.selectors import organisations_of
from sciport.core import permissions
from sciport.core.errors import NotFound
from sciport.datasets.models import (
    AccessLevel,
    AccessRequest,
    AccessRequestState,
    Classification,
    Dataset,
    DatasetVersion,
    ExportReview,
    ExportReviewState,
    PrivateLink,
    VersionState,
)
from sciport.datasets.selectors.versions import version_get

HOME_COUNTRY = "CN"
NEEDS_GRANT = {Classification.INTERNAL, Classification.SENSITIVE, Classification.IMPORTANT}
IDENTIFIED_ONLY = {Classification.SENSITIVE, Classification.IMPORTANT}


class Reason:
    """Why files are refused: stable codes for the API and pages (``Decision.message`` says it in words)."""

    WITHDRAWN = "withdrawn"
    UNPUBLISHED = "unpublished"
    PRIVATE = "private"
    LINK_NOT_ENOUGH = "link_not_enough"
    EMBARGOED = "embargoed"
    SIGN_IN = "sign_in"
    ORGANISATION_REQUIRED = "organisation_required"
    EXPORT_REVIEW = "export_review"
    REQUEST_ACCESS = "request_access"


@dataclass(frozen=True)
class Decision:
    """Whether a reader may download a version's files; when not, the first thing standing in the way."""

    allowed: bool
    reason: str = ""
    embargo_until: date | None = None

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def message(self) -> str:
        """The reason in the active language, for people."""
        if self.allowed:
            return ""
        if self.reason == Reason.EMBARGOED and self.embargo_until is not None:
            return _("The files are under embargo until %(date)s; they open by themselves on that day.") % {
                "date": date_format(self.embargo_until, "DATE_FORMAT")
            }
        return str(_messages()[self.reason])


def _messages() -> dict[str, str]:
    return {
        Reason.WITHDRAWN: _("This version was withdrawn; its files are no longer available."),
        Reason.UNPUBLISHED: _("This version is not published."),
        Reason.PRIVATE: _("The files of this dataset are private."),
        Reason.LINK_NOT_ENOUGH: _(
            "Sensitive and important data is given only to people who sign in: a review link is not enough."
        ),
        Reason.EMBARGOED: _("The files are under embargo."),
        Reason.SIGN_IN: _("Sign in to download these files."),
        Reason.ORGANISATION_REQUIRED: _("Important data is given only to members of a registered organisation."),
        Reason.EXPORT_REVIEW: _("This is important data: your organisation outside China needs an approved export review first."),
        Reason.REQUEST_ACCESS: _("Access to these files is restricted: request access and accept the data use agreement."),
    }


ALLOWED = Decision(True)


def platform_today() -> date:
    """Today in the platform's time zone (not the reader's), the day embargoes open."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_insider(user: Any, version: DatasetVersion) -> bool:
    """The owner organisation's people, the depositor, and platform staff."""
    if not _signed_in(user):
        return False
    if user.is_superuser or version.organisation_id in permissions.roles_by_organisation(user):
        return True
    return user.pk in (version.created_by_id, version.dataset.created_by_id)


def link_is_live(link: PrivateLink, *, now: Any = None) -> bool:
    now = now or timezone.now()
    return link.revoked_at is None and (link.expires_at is None or link.expires_at > now)


def download_decision(user: Any, version: DatasetVersion, link: PrivateLink | None = None) -> Decision:
    """May ``user`` (or the holder of ``link``) download the files of ``version``? If not, why."""
    if version.state == VersionState.WITHDRAWN:
        return Decision(False, Reason.WITHDRAWN)
    if is_insider(user, version):
        return ALLOWED
    by_link = link is not None and link.version_id == version.pk and link_is_live(link)
    identified_only = version.classification in IDENTIFIED_ONLY
    if version.state != VersionState.PUBLISHED or version.access_level == AccessLevel.PRIVATE:
        return _link_only_decision(version, by_link=by_link, identified_only=identified_only)
    if by_link and not identified_only:
        return ALLOWED
    if version.access_level == AccessLevel.EMBARGOED and version.embargo_until and version.embargo_until > platform_today():
        return Decision(False, Reason.EMBARGOED, version.embargo_until)
    return _outsider_decision(user, version)


def _link_only_decision(version: DatasetVersion, *, by_link: bool, identified_only: bool) -> Decision:
    """Drafts and private versions: outsiders only through a private link, and never for sensitive data."""
    if not by_link:
        return Decision(False, Reason.PRIVATE if version.state == VersionState.PUBLISHED else Reason.UNPUBLISHED)
    return Decision(False, Reason.LINK_NOT_ENOUGH) if identified_only else ALLOWED


def _outsider_decision(user: Any, version: DatasetVersion) -> Decision:
    needs_grant = version.access_level == AccessLevel.RESTRICTED or version.classification in NEEDS_GRANT
    if not needs_grant:
        return ALLOWED
    if not _signed_in(user):
        return Decision(False, Reason.SIGN_IN)
    if version.classification == Classification.IMPORTANT:
        refused = _export_refusal(user, version.dataset_id)
        if refused is not None:
            return refused
    if not has_grant(user, version.dataset_id):
        return Decision(False, Reason.REQUEST_ACCESS)
    return ALLOWED


def _export_refusal(user: Any, dataset_pk: int) -> Decision | None:
    countries = dict(organisations_of(user).values_list("pk", "country"))
    if not countries:
        return Decision(False, Reason.ORGANISATION_REQUIRED)
    foreign = {pk for pk, country in countries.items() if country.upper() != HOME_COUNTRY}
    if foreign - approved_export_organisations(dataset_pk, foreign):
        return Decision(False, Reason.EXPORT_REVIEW)
    return None


def can_download(user: Any, version: DatasetVersion, link: PrivateLink | None = None) -> bool:
    """The yes/no of ``download_decision``, for file, ZIP and BagIt downloads."""
    return download_decision(user, version, link).allowed


# --- grants, requests, reviews, links -----------------------------------------------------------


def live_grants() -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(state=AccessRequestState.APPROVED).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )


def has_grant(user: Any, dataset_pk: int) -> bool:
    return _signed_in(user) and live_grants().filter(dataset_id=dataset_pk, requester=user).exists()


def approved_export_organisations(dataset_pk: int, organisation_pks: set[int]) -> set[int]:
    approved = ExportReview.objects.filter(
        dataset_id=dataset_pk, requesting_organisation_id__in=organisation_pks, state=ExportReviewState.APPROVED
    )
    return set(approved.values_list("requesting_organisation_id", flat=True))


def foreign_organisations(user: Any) -> QuerySet[Any]:
    """The reader's organisations outside China: those that need an export review for important data."""
    return organisations_of(user).exclude(country__iexact=HOME_COUNTRY)


def needs_grant(version: DatasetVersion) -> bool:
    """Whether outsiders need an approved access request for this version's files."""
    return version.access_level == AccessLevel.RESTRICTED or version.classification in NEEDS_GRANT


def _requests() -> QuerySet[AccessRequest]:
    return AccessRequest.objects.select_related("dataset", "organisation", "requester", "decided_by")


def access_requests_of(user: Any, *, dataset: Dataset | None = None, state: str = "") -> QuerySet[AccessRequest]:
    """The requests ``user`` made, newest first (of one dataset, in one state)."""
    if not _signed_in(user):
        return AccessRequest.objects.none()
    found = _requests().filter(requester=user)
    if dataset is not None:
        found = found.filter(dataset=dataset)
    return found.filter(state=state) if state else found


def access_request_inbox(user: Any, *, state: str = "") -> QuerySet[AccessRequest]:
    """Requests to the organisations where ``user`` curates (or manages), to decide or review."""
    found = permissions.restrict(_requests(), user, "view")
    return found.filter(state=state) if state else found


def access_request_get(user: Any, public_id: str) -> AccessRequest:
    """One request, for its requester or the owner's curators; anyone else gets 404."""
    found = _requests().filter(public_id=public_id).first()
    if found is None:
        raise NotFound()
    if not (_signed_in(user) and found.requester_id == user.pk):
        permissions.require(user, "view", found)
    return found


def pending_request(user: Any, dataset: Dataset) -> AccessRequest | None:
    return access_requests_of(user, dataset=dataset, state=AccessRequestState.PENDING).first()


def live_grant(user: Any, dataset: Dataset) -> AccessRequest | None:
    """The reader's grant on the dataset, if any, to show its expiry."""
    if not _signed_in(user):
        return None
    return live_grants().filter(dataset=dataset, requester=user).order_by("-expires_at").first()


def private_links_of(version: DatasetVersion) -> QuerySet[PrivateLink]:
    """Every link of a version, newest first; callers check the ``share`` permission."""
    return version.private_links.select_related("created_by").order_by("-id")


def private_link_get(user: Any, public_id: str) -> PrivateLink:
    link = PrivateLink.objects.select_related("version__dataset", "version__organisation").filter(public_id=public_id).first()
    if link is None:
        raise NotFound()
    permissions.require(user, "view", link)
    return link


def _reviews() -> QuerySet[ExportReview]:
    return ExportReview.objects.select_related("dataset", "organisation", "requesting_organisation", "requested_by")


def export_reviews_for(user: Any, *, state: str = "") -> QuerySet[ExportReview]:
    """Platform staff see every review; others those of their organisations (asked for, or about their data)."""
    if not _signed_in(user):
        return ExportReview.objects.none()
    found = _reviews()
    if not user.is_superuser:
        mine = organisations_of(user).values("pk")
        owned = permissions.restrict(_reviews(), user, "view").values("pk")
        found = found.filter(Q(requesting_organisation__in=mine) | Q(requested_by=user) | Q(pk__in=owned))
    return found.filter(state=state) if state else found


def export_review_get(user: Any, public_id: str) -> ExportReview:
    found = export_reviews_for(user).filter(public_id=public_id).first()
    if found is None:
        raise NotFound()
    return found


def readable_version(user: Any, public_id: str, link: PrivateLink | None = None) -> DatasetVersion:
    """A version for its landing page or files: visible to ``user``, or the version of a live private link."""
    if link is not None and link.version.public_id == public_id and link_is_live(link):
        return link.version
    return version_get(user, public_id)
