"""Home page, the descriptions of parts still being built, and the dashboard per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sciport.accounts import selectors as account_selectors
from sciport.accounts.models import Organisation, OrganisationKind, User, VerificationStatus
from sciport.accounts.session import active_organisation
from sciport.core import permissions
from sciport.core.permissions import Role
from sciport.notifications import selectors as notification_selectors
from sciport.web.parts import PARTS, PARTS_BY_SLUG

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def home(request: HttpRequest) -> HttpResponse:
    directory = account_selectors.organisation_list(request.user)
    by_kind = dict(directory.order_by().values("kind").annotate(count=Count("id")).values_list("kind", "count"))
    kinds = [(kind, label, by_kind.get(kind, 0)) for kind, label in OrganisationKind.choices]
    return render(
        request,
        "web/home.html",
        {
            "parts": PARTS,
            "kinds": kinds,
            "organisation_total": sum(by_kind.values()),
            "verified_total": directory.filter(verification_status=VerificationStatus.VERIFIED).count(),
        },
    )


def part(request: HttpRequest, slug: str) -> HttpResponse:
    described = PARTS_BY_SLUG.get(slug)
    if described is None:
        raise Http404
    return render(request, "web/part.html", {"part": described, "parts": PARTS})


@dataclass(frozen=True)
class RoleSection:
    """A block of the dashboard for one role: what is coming to it as later parts land."""

    key: str
    title: Promise
    intro: Promise
    coming: tuple[Promise, ...] = field(default_factory=tuple)


ROLE_SECTIONS: dict[str, RoleSection] = {
    Role.MEMBER: RoleSection(
        Role.MEMBER,
        _("Research and data"),
        _("Your own work on the platform, in one place."),
        (
            _("Your datasets: drafts, deposits under review and published versions with their DOIs, views and downloads."),
            _("Your bookings of instruments and your orders of services, with their status."),
            _("Your compute jobs and how much of your allocation they have used."),
            _("Your expert profile, used to match you with technology demands."),
        ),
    ),
    Role.MANAGER: RoleSection(
        Role.MANAGER,
        _("Managing the organisation"),
        _("You manage the profile, the members and the activity of this organisation."),
        (
            _("Offerings your organisation publishes in the catalogue, and bookings and orders waiting for your acceptance."),
            _("Utilisation of your instruments and services over time, as charts and tables."),
            _("Demands from companies that match what your organisation offers."),
        ),
    ),
    Role.CURATOR: RoleSection(
        Role.CURATOR,
        _("Data curation"),
        _("You review what your organisation publishes in the Science Data Bank."),
        (
            _("Deposits waiting for your review before they are published."),
            _("Requests for access to restricted datasets, to approve or refuse."),
            _("Outputs of compute-to-data jobs to check before they leave the protected environment."),
        ),
    ),
    Role.FINANCE: RoleSection(
        Role.FINANCE,
        _("Finance"),
        _("You look after your organisation's money on the platform."),
        (
            _("Quotes and invoices of your organisation's orders."),
            _("Voucher settlement claims and their payment status."),
            _("Ledger balances and exports for your accounting system."),
        ),
    ),
    Role.PROGRAMME_OFFICER: RoleSection(
        Role.PROGRAMME_OFFICER,
        _("Voucher programmes"),
        _("You run public programmes of innovation vouchers and compute vouchers."),
        (
            _("The programmes you run, with budget used and still available."),
            _("Voucher applications to review, and settlements to approve."),
            _("Fraud alerts, such as related-party transactions between an applicant and a provider."),
        ),
    ),
    Role.ADMIN: RoleSection(
        Role.ADMIN,
        _("Administration"),
        _("As administrator you can do everything a manager can, and appoint other administrators."),
        (_("Access grants on single objects for people outside your organisation, such as reviewers of unpublished data."),),
    ),
}
STAFF_SECTION = RoleSection(
    "staff",
    _("Platform"),
    _("You are platform staff: you verify organisations and keep the platform running."),
    (
        _("Taxonomies: subjects, instrument types and service categories."),
        _("System health: background tasks, storage and search, with alerts."),
    ),
)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required
    organisation = active_organisation(request)
    roles = permissions.roles_by_organisation(user).get(organisation.pk, frozenset()) if organisation else frozenset()
    manages = bool(roles & {Role.MANAGER, Role.ADMIN}) or user.is_superuser
    sections = [ROLE_SECTIONS[role] for role in Role.values if role in roles]
    if manages and Role.MANAGER not in roles:
        sections.insert(0, ROLE_SECTIONS[Role.MANAGER])
    context: dict[str, Any] = {
        "organisation": organisation,
        "roles": [Role(role).label for role in Role.values if role in roles],
        "sections": sections,
        "manages": manages and organisation is not None,
        "staff_section": STAFF_SECTION if user.is_staff else None,
        "memberships": _memberships(user),
        "notifications": list(notification_selectors.inbox(user).filter(read_at__isnull=True)[:5]),
        "token_count": account_selectors.tokens_of(user).count(),
    }
    if context["manages"] and organisation is not None:
        context["open_invitations"] = account_selectors.invitations_of(user, organisation).count()
        context["member_count"] = account_selectors.members_of(user, organisation).values("user").distinct().count()
    if user.is_staff:
        context["pending_organisations"] = list(
            account_selectors.organisation_list(user).filter(verification_status=VerificationStatus.PENDING)[:20]
        )
    context["mfa_enabled"] = is_mfa_enabled(user)
    return render(request, "web/dashboard.html", context)


def _memberships(user: Any) -> list[tuple[Organisation, list[StrOrPromise]]]:
    """(organisation, role labels) for each of the person's organisations."""
    roles = permissions.roles_by_organisation(user)
    return [
        (organisation, [Role(role).label for role in Role.values if role in roles.get(organisation.pk, frozenset())])
        for organisation in account_selectors.organisations_of(user)
    ]
