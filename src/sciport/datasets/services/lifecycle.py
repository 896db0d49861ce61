"""Deposit lifecycle: communities, drafts, curation, publication, new versions and withdrawal.

The states and who may move a version between them are the ``TRANSITIONS`` table;
``version_transition`` is the one service that moves them. Registry calls (PIDs) and
mail happen after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sciport.accounts.models import Organisation, User
from sciport.accounts.selectors import people_with_role
from sciport.core import audit, permissions
from sciport.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from sciport.core.unique import save_new
from sciport.datasets import metadata as metadata_rules
from sciport.datasets import pids
from sciport.datasets.models import (
    AccessLevel,
    Classification,
    Community,
    CurationComment,
    Dataset,
    DatasetFile,
    DatasetFolder,
    DatasetVersion,
    PidStatus,
    ReviewPolicy,
    VersionState,
)
from sciport.datasets.permissions import CURATORS
from sciport.datasets.pids.tasks import schedule_pid_sync
from sciport.datasets.search import reindex_after_commit
from sciport.datasets.services.version_audit import actor_id, record_version_change
from sciport.notifications.services import notify

S = VersionState

COMMUNITY_FIELDS = ["slug", "name_zh", "name_en", "description_zh", "description_en", "review_policy"]
VERSION_FIELDS = ["state", "access_level", "embargo_until", "classification", "title_zh", "title_en", "pid", "pid_status"]


@dataclass(frozen=True)
class Transition:
    to: VersionState
    action: str  # the permission action the actor needs on the version
    needs_message: bool = False


TRANSITIONS: dict[tuple[VersionState, str], Transition] = {
    (S.DRAFT, "submit"): Transition(S.SUBMITTED, "edit"),
    (S.SUBMITTED, "recall"): Transition(S.DRAFT, "edit"),
    (S.SUBMITTED, "take"): Transition(S.IN_CURATION, "curate"),
    (S.SUBMITTED, "request_changes"): Transition(S.DRAFT, "curate", needs_message=True),
    (S.IN_CURATION, "request_changes"): Transition(S.DRAFT, "curate", needs_message=True),
    (S.SUBMITTED, "publish"): Transition(S.PUBLISHED, "curate"),
    (S.IN_CURATION, "publish"): Transition(S.PUBLISHED, "curate"),
    (S.PUBLISHED, "withdraw"): Transition(S.WITHDRAWN, "curate", needs_message=True),
}
EVENTS = sorted({event for _state, event in TRANSITIONS})


def _refuse_unknown(fields: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationFailed(errors=[FieldError(name, _("Unknown field.")) for name in sorted(unknown)])


# --- communities ---------------------------------------------------------------------------


def community_create(*, actor: User, organisation: Organisation, fields: dict[str, Any]) -> Community:
    """Open a community (collection) of an organisation; its managers decide the review policy."""
    _refuse_unknown(fields, COMMUNITY_FIELDS)
    permissions.require(actor, "update", organisation)
    _check_community(fields)
    with transaction.atomic():
        community = Community(organisation=organisation, **fields)
        save_new(community, if_taken=ValidationFailed(errors=[FieldError("slug", _("This short name is taken."))]))
        audit.record(
            actor=actor_id(actor),
            action="community.create",
            object_type="datasets.community",
            object_id=community.public_id,
            organisation=organisation.public_id,
            after=audit.snapshot(community, COMMUNITY_FIELDS),
        )
    return community


def community_update(*, actor: User, community: Community, fields: dict[str, Any]) -> Community:
    """Change a community's names, description or review policy."""
    _refuse_unknown(fields, [name for name in COMMUNITY_FIELDS if name != "slug"])
    permissions.require(actor, "manage", community)
    merged = {**audit.snapshot(community, COMMUNITY_FIELDS), **fields}
    _check_community(merged)
    with transaction.atomic():
        before = audit.snapshot(community, COMMUNITY_FIELDS)
        for name, value in fields.items():
            setattr(community, name, value)
        community.save()
        audit.record(
            actor=actor_id(actor),
            action="community.update",
            object_type="datasets.community",
            object_id=community.public_id,
            organisation=community.organisation.public_id,
            before=before,
            after=audit.snapshot(community, COMMUNITY_FIELDS),
        )
    return community


def _check_community(fields: dict[str, Any]) -> None:
    errors = []
    if not (fields.get("name_zh") or fields.get("name_en")):
        errors.append(FieldError("name_zh", _("Give the community a Chinese or an English name.")))
    if fields.get("review_policy", ReviewPolicy.REVIEW) not in ReviewPolicy.values:
        errors.append(FieldError("review_policy", _("Choose one of: %s.") % ", ".join(ReviewPolicy.values)))
    slug = str(fields.get("slug", ""))
    if not slug or not all(character.isascii() and (character.isalnum() or character in "-_") for character in slug):
        errors.append(FieldError("slug", _("Use letters, digits, hyphens and underscores.")))
    if errors:
        raise ValidationFailed(errors=errors)


# --- drafts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionSettings:
    """The access settings of a version, checked together because they depend on each other."""

    access_level: str = AccessLevel.OPEN
    embargo_until: date | None = None
    classification: str = Classification.PUBLIC
    data_use_agreement: str = ""


def _check_settings(wanted: VersionSettings) -> None:
    errors = []
    if wanted.access_level not in AccessLevel.values:
        errors.append(FieldError("access_level", _("Choose one of: %s.") % ", ".join(AccessLevel.values)))
    if wanted.classification not in Classification.values:
        errors.append(FieldError("classification", _("Choose one of: %s.") % ", ".join(Classification.values)))
    if wanted.access_level == AccessLevel.EMBARGOED and wanted.embargo_until is None:
        errors.append(FieldError("embargo_until", _("An embargoed dataset needs the date its files open.")))
    if wanted.access_level == AccessLevel.RESTRICTED and not wanted.data_use_agreement.strip():
        errors.append(FieldError("data_use_agreement", _("A restricted dataset needs a data use agreement.")))
    if errors:
        raise ValidationFailed(errors=errors)


def dataset_create(
    *, actor: User, community: Community, metadata: dict[str, Any], settings_: VersionSettings | None = None
) -> DatasetVersion:
    """Start a dataset in a community of the actor's organisation: the concept and its first draft, both with identifiers."""
    permissions.require(actor, "deposit", community)
    wanted = settings_ or VersionSettings()
    _check_settings(wanted)
    stored = metadata_rules.validate(metadata)
    provider = pids.provider()
    with transaction.atomic():
        dataset = Dataset.objects.create(organisation=community.organisation, community=community, created_by=actor)
        dataset.concept_pid = provider.mint(dataset.public_id)
        dataset.save(update_fields=["concept_pid"])
        version = _new_version(actor=actor, dataset=dataset, number=1, metadata=stored, wanted=wanted)
        record_version_change(actor, "dataset.create", version, after=audit.snapshot(version, VERSION_FIELDS))
    return version


def _new_version(
    *, actor: User, dataset: Dataset, number: int, metadata: dict[str, Any], wanted: VersionSettings
) -> DatasetVersion:
    title_zh, title_en = metadata_rules.titles(metadata)
    version = DatasetVersion.objects.create(
        dataset=dataset,
        organisation=dataset.organisation,
        version_number=number,
        metadata=metadata,
        title_zh=title_zh,
        title_en=title_en,
        access_level=wanted.access_level,
        embargo_until=wanted.embargo_until,
        classification=wanted.classification,
        data_use_agreement=wanted.data_use_agreement,
        created_by=actor,
    )
    version.pid = pids.provider().mint(version.public_id)
    version.pid_status = PidStatus.RESERVED
    version.save(update_fields=["pid", "pid_status"])
    schedule_pid_sync(version, "reserve")
    return version


def version_update(
    *,
    actor: User,
    version: DatasetVersion,
    metadata: dict[str, Any] | None = None,
    settings_: VersionSettings | None = None,
) -> DatasetVersion:
    """Edit a draft's metadata and access settings; curators may also correct a published version's metadata.

    A published correction is sent to the identifier registry; its access settings stay as
    published (a new version changes them), so nobody loses access they were promised.
    """
    published = version.state == S.PUBLISHED
    permissions.require(actor, "curate" if published else "edit", version)
    if version.state not in (S.DRAFT, S.PUBLISHED):
        raise Conflict(_("This version is with the curators; recall it to edit it."))
    if published and settings_ is not None:
        raise Conflict(_("The access settings of a published version cannot change; make a new version."))
    if settings_ is not None:
        _check_settings(settings_)
    stored = metadata_rules.validate(metadata) if metadata is not None else None
    with transaction.atomic():
        version = DatasetVersion.objects.select_for_update().get(pk=version.pk)
        if version.state not in (S.DRAFT, S.PUBLISHED):
            raise Conflict(_("This version is with the curators; recall it to edit it."))
        before = {**audit.snapshot(version, VERSION_FIELDS), "metadata": version.metadata}
        if stored is not None:
            version.metadata = stored
            version.title_zh, version.title_en = metadata_rules.titles(stored)
        if settings_ is not None:
            version.access_level = settings_.access_level
            version.embargo_until = settings_.embargo_until
            version.classification = settings_.classification
            version.data_use_agreement = settings_.data_use_agreement
        version.save()
        record_version_change(
            actor,
            "dataset.update",
            version,
            before=before,
            after={**audit.snapshot(version, VERSION_FIELDS), "metadata": version.metadata},
        )
        if published:
            schedule_pid_sync(version, "update")
            reindex_after_commit(version.dataset_id)
    return version


def version_discard(*, actor: User, version: DatasetVersion) -> None:
    """Delete a draft that was never published, and its content no other version uses; a first draft takes its concept with it."""
    from sciport.datasets.services.files import drop_content_after_commit

    permissions.require(actor, "edit", version)
    if version.state != S.DRAFT:
        raise Conflict(_("Only drafts can be discarded."))
    with transaction.atomic():
        record_version_change(actor, "dataset.discard", version, before=audit.snapshot(version, VERSION_FIELDS))
        dataset = version.dataset
        drop_content_after_commit(dataset.pk, version.files.values_list("blob_name", flat=True).distinct())
        version.delete()
        if not dataset.versions.exists():
            dataset.delete()


def version_comment(*, actor: User, version: DatasetVersion, body: str) -> CurationComment:
    """A remark in the curation conversation, by the depositors or the curators."""
    if not (permissions.can(actor, "edit", version) or permissions.can(actor, "curate", version)):
        permissions.require(actor, "curate", version)
    if not body.strip():
        raise ValidationFailed(errors=[FieldError("body", _("Write a comment."))])
    with transaction.atomic():
        comment = CurationComment.objects.create(version=version, author=actor, body=body.strip())
        record_version_change(actor, "dataset.comment", version, after={"comment": comment.public_id})
    return comment


# --- state changes ---------------------------------------------------------------------------


def version_transition(*, actor: User, version: DatasetVersion, event: str, message: str = "") -> DatasetVersion:
    """Move a version along the lifecycle by ``event``, as the ``TRANSITIONS`` table allows."""
    if event not in EVENTS:
        raise ValidationFailed(errors=[FieldError("event", _("Choose one of: %s.") % ", ".join(EVENTS))])
    permissions.require(actor, "view", version)
    with transaction.atomic():
        # Lock the concept first (fixed order): publishing and new versions both change it.
        Dataset.objects.select_for_update().get(pk=version.dataset_id)
        version = DatasetVersion.objects.select_for_update().select_related("dataset", "organisation").get(pk=version.pk)
        transition = TRANSITIONS.get((S(version.state), event))
        if transition is None:
            raise Conflict(_("A %(state)s version cannot be %(event)s.") % {"state": version.get_state_display(), "event": event})
        permissions.require(actor, transition.action, version)
        if transition.needs_message and not message.strip():
            raise ValidationFailed(errors=[FieldError("message", _("Say why; the depositor and readers will see it."))])
        to = transition.to
        if event == "submit":
            _check_ready(version)
            if _auto_publishes(version):
                to = S.PUBLISHED
        before = audit.snapshot(version, VERSION_FIELDS)
        _apply(actor, version, event, to, message.strip())
        record_version_change(actor, f"dataset.{event}", version, before=before, after=audit.snapshot(version, VERSION_FIELDS))
    return version


def _auto_publishes(version: DatasetVersion) -> bool:
    return version.dataset.community.review_policy == ReviewPolicy.AUTO_PUBLISH


def _check_ready(version: DatasetVersion) -> None:
    errors = [FieldError(f"metadata.{e.field}", e.message) for e in metadata_rules.missing_for_publication(version.metadata)]
    if version.file_count == 0:
        errors.append(FieldError("files", _("Add at least one file.")))
    if errors:
        raise ValidationFailed(_("This draft is not ready to submit."), errors=errors)


def _apply(actor: User, version: DatasetVersion, event: str, to: VersionState, message: str) -> None:
    now = timezone.now()
    version.state = to
    if event == "submit":
        version.submitted_at = now
    if to == S.PUBLISHED:
        version.published_at = now
    if to == S.WITHDRAWN:
        version.withdrawn_at = now
        version.withdrawal_reason = message
    version.save()
    if message:
        kind = CurationComment.Kind.CHANGES_REQUESTED if event == "request_changes" else CurationComment.Kind.COMMENT
        CurationComment.objects.create(version=version, author=actor, kind=kind, body=message)
    if to in (S.PUBLISHED, S.WITHDRAWN):
        _point_concept_at_latest(version.dataset)
        reindex_after_commit(version.dataset_id)
    if to == S.PUBLISHED:
        schedule_pid_sync(version, "register")
    if to == S.WITHDRAWN:
        schedule_pid_sync(version, "update")
        from sciport.datasets.services.files import remove_withdrawn_content

        transaction.on_commit(lambda: remove_withdrawn_content(version_id=version.pk))
    _tell(event, version, message)


def _point_concept_at_latest(dataset: Dataset) -> None:
    latest = dataset.versions.filter(state=S.PUBLISHED).order_by("-version_number").first()
    Dataset.objects.filter(pk=dataset.pk).update(latest_published=latest)
    dataset.latest_published = latest


def _tell(event: str, version: DatasetVersion, message: str) -> None:
    url = settings.SITE_URL + reverse("datasets:version", args=[version.public_id])
    context = {"title": version.display_title("zh"), "message": message, "url": url}
    if event == "submit" and version.state == S.SUBMITTED:
        curators = people_with_role(version.organisation_id, CURATORS)
        notify(kind="dataset.submitted", recipients=curators, context=context, url=url)
    elif event in ("request_changes", "publish"):
        notify(
            kind=f"dataset.{'changes_requested' if event == 'request_changes' else 'published'}",
            recipients=[version.created_by],
            context=context,
            url=url,
        )


# --- versions --------------------------------------------------------------------------------


def version_new(*, actor: User, dataset: Dataset, from_version: DatasetVersion | None = None) -> DatasetVersion:
    """A new draft version from a published one (the newest by default), keeping its metadata and files.

    The published versions stay public. A concept has one draft at a time: asking again
    (a double click) returns the draft already open.
    """
    permissions.require(actor, "edit", dataset)
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        open_draft = dataset.versions.filter(state__in=[S.DRAFT, S.SUBMITTED, S.IN_CURATION]).first()
        if open_draft is not None:
            return open_draft
        source = from_version or dataset.latest_published
        if source is None or source.dataset_id != dataset.pk or source.state != S.PUBLISHED:
            raise NotFound(_("There is no published version to start from."))
        number = (dataset.versions.aggregate(highest=Max("version_number"))["highest"] or 0) + 1
        wanted = VersionSettings(source.access_level, source.embargo_until, source.classification, source.data_use_agreement)
        version = _new_version(actor=actor, dataset=dataset, number=number, metadata=source.metadata, wanted=wanted)
        _copy_files(source, version)
        record_version_change(
            actor, "dataset.new_version", version, after={**audit.snapshot(version, VERSION_FIELDS), "from": source.public_id}
        )
    return version


def _copy_files(source: DatasetVersion, target: DatasetVersion) -> None:
    """Copy file and folder rows in batches; the stored content is shared, not copied."""
    batch = 5000
    fields = ["folder", "name", "blob_name", "size", "sha256", "md5", "media_type"]
    rows: list[DatasetFile] = []
    for row in source.files.values(*fields).order_by("pk").iterator(chunk_size=batch):
        rows.append(DatasetFile(version=target, **row))
        if len(rows) == batch:
            DatasetFile.objects.bulk_create(rows)
            rows = []
    DatasetFile.objects.bulk_create(rows)
    folders = [DatasetFolder(version=target, **row) for row in source.folders.values("parent", "name")]
    DatasetFolder.objects.bulk_create(folders, batch_size=batch)
    DatasetVersion.objects.filter(pk=target.pk).update(file_count=source.file_count, total_bytes=source.total_bytes)
    target.file_count, target.total_bytes = source.file_count, source.total_bytes
