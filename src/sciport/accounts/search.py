"""The directory of organisations and people in the search index (``sciport.core.search``).

Organisations are public. People are visible to signed-in callers only and are found
by their display name, ORCID and their organisations' names; e-mail addresses are never
indexed. The accounts services call these functions inside their transactions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sciport.accounts.models import Organisation, User
from sciport.core import search
from sciport.core.errors import FieldError, ValidationFailed

ORGANISATION = "organisation"
PERSON = "person"
DIRECTORY_KINDS = (ORGANISATION, PERSON)
# Filter name in the API → facet key in the index.
FACETS = {"organisation_kind": "kind", "region": "region", "verification": "verification", "country": "country"}
_EMAIL = re.compile(r"\S+@\S+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def organisation_document(organisation: Organisation) -> search.Document:
    return search.Document(
        kind=ORGANISATION,
        key=organisation.public_id,
        organisation=organisation.public_id,
        visibility=search.PUBLIC,
        title_zh=organisation.name_zh,
        title_en=organisation.name_en,
        body_zh="\n".join(filter(None, [organisation.description_zh, organisation.region])),
        body_en="\n".join(filter(None, [organisation.description_en, organisation.credit_code])),
        facets={
            "kind": organisation.kind,
            "region": organisation.region,
            "verification": organisation.verification_status,
            "country": organisation.country,
        },
    )


def person_document(user: User) -> search.Document:
    # A display name is free text: someone may have typed their address into it.
    name = " ".join(_EMAIL.sub(" ", user.display_name).split())
    # No affiliations: who belongs to an organisation is for its members to see
    # (the Membership policy), and people documents are visible to anyone signed in.
    return search.Document(
        kind=PERSON,
        key=user.public_id,
        visibility=search.SIGNED_IN,
        title_zh=name if _CJK.search(name) else "",
        title_en="" if _CJK.search(name) else name,
        body_en=user.orcid,
    )


def index_organisation(organisation: Organisation) -> None:
    search.index(organisation_document(organisation))


def index_person(user: User) -> None:
    """Index a person, or take them out of the directory when their account is disabled."""
    if user.is_active:
        search.index(person_document(user))
    else:
        search.remove(PERSON, user.public_id)


def rebuild_directory() -> int:
    """Index every organisation and every active person afresh; returns how many documents."""
    search.clear(ORGANISATION)
    search.clear(PERSON)
    count = 0
    for organisation in Organisation.objects.order_by("id").iterator(chunk_size=500):
        search.index(organisation_document(organisation))
        count += 1
    for user in User.objects.filter(is_active=True).order_by("id").iterator(chunk_size=500):
        search.index(person_document(user))
        count += 1
    return count


search.register_rebuild("directory", rebuild_directory)


@dataclass(frozen=True)
class DirectoryResults:
    page: search.SearchPage
    facets: dict[str, dict[str, int]]


def _viewer_organisations(user: Any) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def directory_search(
    user: Any,
    *,
    text: str,
    kind: str = "",
    filters: dict[str, str] | None = None,
    language: str = "zh-hans",
    cursor: str | None = None,
    limit: int = 20,
) -> DirectoryResults:
    """Organisations and (for signed-in callers) people matching the text, with facet counts."""
    if kind and kind not in DIRECTORY_KINDS:
        raise ValidationFailed(errors=[FieldError("kind", _("Choose one of: %s.") % ", ".join(DIRECTORY_KINDS))])
    unknown = set(filters or {}) - set(FACETS)
    if unknown:
        raise ValidationFailed(errors=[FieldError(name, _("Unknown field.")) for name in sorted(unknown)])
    facets = {FACETS[name]: value for name, value in (filters or {}).items() if value}
    kinds = [kind] if kind else list(DIRECTORY_KINDS)
    signed_in = bool(getattr(user, "is_authenticated", False))
    organisations = list(_viewer_organisations(user).values_list("public_id", flat=True))
    page = search.query(
        text,
        kinds=kinds,
        signed_in=signed_in,
        viewer_organisations=organisations,
        facets=facets,
        language=language,
        cursor=cursor,
        limit=limit,
    )
    counts = search.facet_counts(
        text, keys=list(FACETS.values()), kinds=kinds, signed_in=signed_in, viewer_organisations=organisations, facets=facets
    )
    return DirectoryResults(page, {name: counts[key] for name, key in FACETS.items()})
