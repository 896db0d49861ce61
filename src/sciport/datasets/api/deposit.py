"""Communities, datasets, versions, the lifecycle and the curation conversation."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from sciport.accounts.auth import OPTIONAL_AUTH_DOC, optional_auth
from sciport.accounts.selectors import organisation_get
from sciport.core.idempotency import idempotent
from sciport.core.pagination import Page, page_out
from sciport.datasets import pids
from sciport.datasets.models import Community, Dataset, DatasetVersion
from sciport.datasets.schemas import deposit as schemas
from sciport.datasets.selectors import versions as selectors
from sciport.datasets.services import lifecycle
from sciport.datasets.usage import recording

router = Router(tags=["datasets"])


def _community(community: Community) -> dict[str, Any]:
    fields = {name: getattr(community, name) for name in lifecycle.COMMUNITY_FIELDS}
    return fields | {
        "id": community.public_id,
        "organisation_id": community.organisation.public_id,
        "created_at": community.created_at,
    }


def version_out(version: DatasetVersion) -> dict[str, Any]:
    """The API's view of a version (also used by the other dataset routers)."""
    dataset = version.dataset
    resolver = pids.provider().resolver_url
    return {
        "id": version.public_id,
        "dataset_id": dataset.public_id,
        "community_id": dataset.community.public_id,
        "organisation_id": version.organisation.public_id,
        "version_number": version.version_number,
        "state": version.state,
        "pid": version.pid,
        "pid_status": version.pid_status,
        "pid_url": resolver(version.pid) if version.pid else "",
        "concept_pid": dataset.concept_pid,
        "concept_pid_url": resolver(dataset.concept_pid) if dataset.concept_pid else "",
        "is_latest": dataset.latest_published_id == version.pk,
        "title_zh": version.title_zh,
        "title_en": version.title_en,
        "metadata": version.metadata,
        "access_level": version.access_level,
        "embargo_until": version.embargo_until,
        "classification": version.classification,
        "data_use_agreement": version.data_use_agreement,
        "file_count": version.file_count,
        "total_bytes": version.total_bytes,
        "created_at": version.created_at,
        "updated_at": version.updated_at,
        "submitted_at": version.submitted_at,
        "published_at": version.published_at,
        "withdrawn_at": version.withdrawn_at,
        "withdrawal_reason": version.withdrawal_reason,
    }


def _dataset(request: HttpRequest, dataset: Dataset) -> dict[str, Any]:
    resolver = pids.provider().resolver_url
    versions = selectors.versions_of(request.user, dataset)
    return {
        "id": dataset.public_id,
        "concept_pid": dataset.concept_pid,
        "concept_pid_url": resolver(dataset.concept_pid) if dataset.concept_pid else "",
        "organisation_id": dataset.organisation.public_id,
        "community_id": dataset.community.public_id,
        "latest_version_id": selectors.concept_target(request.user, dataset).public_id,
        "versions": [
            {
                "id": v.public_id,
                "version_number": v.version_number,
                "state": v.state,
                "pid": v.pid,
                "title_zh": v.title_zh,
                "title_en": v.title_en,
                "published_at": v.published_at,
            }
            for v in versions
        ],
    }


def _settings(access: schemas.AccessSettingsIn) -> lifecycle.VersionSettings:
    return lifecycle.VersionSettings(access.access_level, access.embargo_until, access.classification, access.data_use_agreement)


# --- communities -----------------------------------------------------------------------------


@router.get(
    "/communities",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=Page[schemas.CommunityOut],
    summary="Communities (collections) that take deposits",
)
def community_list(request: HttpRequest, organisation_id: str = "", cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    return page_out(selectors.communities(organisation_id=organisation_id), cursor=cursor, limit=limit, out=_community)


@router.post("/communities", response={201: schemas.CommunityOut}, summary="Open a community of your organisation")
@idempotent
def community_create(request: HttpRequest, payload: schemas.CommunityIn) -> Status[dict[str, Any]]:
    organisation = organisation_get(request.user, payload.organisation_id)
    fields = payload.dict(exclude={"organisation_id"})
    return Status(201, _community(lifecycle.community_create(actor=request.user, organisation=organisation, fields=fields)))  # type: ignore[arg-type]


@router.get(
    "/communities/{community_id}",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=schemas.CommunityOut,
    summary="One community",
)
def community_detail(request: HttpRequest, community_id: str) -> dict[str, Any]:
    return _community(selectors.community_get(community_id))


@router.patch("/communities/{community_id}", response=schemas.CommunityOut, summary="Change a community (its managers)")
def community_update(request: HttpRequest, community_id: str, payload: schemas.CommunityPatchIn) -> dict[str, Any]:
    community = selectors.community_get(community_id)
    updated = lifecycle.community_update(actor=request.user, community=community, fields=payload.dict(exclude_none=True))  # type: ignore[arg-type]
    return _community(updated)


# --- datasets and versions -------------------------------------------------------------------


@router.post(
    "/datasets", response={201: schemas.VersionOut}, summary="Start a dataset: its first draft, with identifiers reserved"
)
@idempotent
def dataset_create(request: HttpRequest, payload: schemas.DatasetIn) -> Status[dict[str, Any]]:
    community = selectors.community_get(payload.community_id)
    version = lifecycle.dataset_create(
        actor=request.user,  # type: ignore[arg-type]
        community=community,
        metadata=payload.metadata,
        settings_=_settings(payload),
    )
    return Status(201, version_out(version))


@router.get(
    "/datasets",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=Page[schemas.VersionOut],
    summary="Published datasets (their newest versions), newest first",
)
def dataset_list(request: HttpRequest, community_id: str = "", cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    versions = selectors.latest_public_versions(request.user, community_id=community_id).select_related("dataset__community")
    return page_out(versions, cursor=cursor, limit=limit, newest_first=True, out=version_out)


@router.get(
    "/datasets/{dataset_id}",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=schemas.DatasetOut,
    summary="A dataset (concept): its concept identifier and the versions you may see",
)
def dataset_detail(request: HttpRequest, dataset_id: str) -> dict[str, Any]:
    return _dataset(request, selectors.dataset_get(request.user, dataset_id))


@router.post(
    "/datasets/{dataset_id}/versions",
    response={201: schemas.VersionOut},
    summary="Start a new version from a published one (the open draft if there is one)",
)
def version_new(request: HttpRequest, dataset_id: str, payload: schemas.NewVersionIn) -> Status[dict[str, Any]]:
    dataset = selectors.dataset_get(request.user, dataset_id)
    source = selectors.version_get(request.user, payload.from_version_id) if payload.from_version_id else None
    version = lifecycle.version_new(actor=request.user, dataset=dataset, from_version=source)  # type: ignore[arg-type]
    return Status(201, version_out(version))


@router.get("/my/dataset-versions", response=Page[schemas.VersionOut], summary="Versions I deposited or may edit")
def my_versions(request: HttpRequest, state: str = "", cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    versions = selectors.my_versions(request.user)
    if state:
        versions = versions.filter(state=state)
    versions = versions.select_related("dataset__community", "organisation")
    return page_out(versions, cursor=cursor, limit=limit, newest_first=True, out=version_out)


@router.get("/curation/queue", response=Page[schemas.VersionOut], summary="Deposits waiting for my curation, oldest first")
def curation_queue(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    queue = selectors.curation_queue(request.user).select_related("dataset__community")
    return page_out(queue, cursor=cursor, limit=limit, out=version_out)


@router.get(
    "/versions/{version_id}",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=schemas.VersionOut,
    summary="One version with its metadata",
)
def version_detail(request: HttpRequest, version_id: str) -> dict[str, Any]:
    version = selectors.version_get(request.user, version_id)
    recording.count_view(request, version, "api")
    return version_out(version)


@router.patch(
    "/versions/{version_id}", response=schemas.VersionOut, summary="Edit a draft (or, as curator, correct published metadata)"
)
def version_update(request: HttpRequest, version_id: str, payload: schemas.VersionPatchIn) -> dict[str, Any]:
    version = selectors.version_get(request.user, version_id)
    updated = lifecycle.version_update(
        actor=request.user,  # type: ignore[arg-type]
        version=version,
        metadata=payload.metadata,
        settings_=_settings(payload.access) if payload.access else None,
    )
    return version_out(updated)


@router.delete("/versions/{version_id}", response={204: None}, summary="Discard a draft")
def version_discard(request: HttpRequest, version_id: str) -> Status[None]:
    lifecycle.version_discard(actor=request.user, version=selectors.version_get(request.user, version_id))  # type: ignore[arg-type]
    return Status(204, None)


@router.post(
    "/versions/{version_id}/transitions",
    response=schemas.VersionOut,
    summary="Move a version: submit, recall, take, request_changes, publish, withdraw",
)
def version_transition(request: HttpRequest, version_id: str, payload: schemas.TransitionIn) -> dict[str, Any]:
    version = selectors.version_get(request.user, version_id)
    moved = lifecycle.version_transition(actor=request.user, version=version, event=payload.event, message=payload.message)  # type: ignore[arg-type]
    return version_out(moved)


@router.get("/versions/{version_id}/comments", response=list[schemas.CommentOut], summary="The curation conversation")
def comment_list(request: HttpRequest, version_id: str) -> list[dict[str, Any]]:
    version = selectors.version_get(request.user, version_id, "edit")
    return [
        {"id": c.public_id, "author": str(c.author), "kind": c.kind, "body": c.body, "created_at": c.created_at}
        for c in selectors.comments_of(version)
    ]


@router.post("/versions/{version_id}/comments", response={201: schemas.CommentOut}, summary="Add to the curation conversation")
def comment_create(request: HttpRequest, version_id: str, payload: schemas.CommentIn) -> Status[dict[str, Any]]:
    version = selectors.version_get(request.user, version_id)
    comment = lifecycle.version_comment(actor=request.user, version=version, body=payload.body)  # type: ignore[arg-type]
    return Status(
        201,
        {
            "id": comment.public_id,
            "author": str(comment.author),
            "kind": comment.kind,
            "body": comment.body,
            "created_at": comment.created_at,
        },
    )
