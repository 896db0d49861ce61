"""The Science Data Bank: communities, datasets and their versions, files, and access.

A ``Dataset`` is the concept (all versions, one concept id); each ``DatasetVersion``
is one citable record with its own version id, metadata, files and state. File
content is stored once per concept and checksum (``blob_name``), so a new version
that keeps a file costs a row, not a copy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sciport.core.ids import PublicIdField


class ReviewPolicy(models.TextChoices):
    REVIEW = "review", _("Curators review every deposit")
    AUTO_PUBLISH = "auto_publish", _("Publish on submission")


class Community(models.Model):
    """A collection of one organisation, with its own curators (the organisation's) and review policy."""

    public_id = PublicIdField(prefix="com")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="communities")
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    review_policy = models.CharField(_("review policy"), max_length=20, choices=ReviewPolicy.choices, default=ReviewPolicy.REVIEW)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(name_zh="", name_en=""), name="community_has_a_name")]

    def __str__(self) -> str:
        return self.name_zh or self.name_en

    def display_name(self, language: str) -> str:
        preferred = self.name_en if language.startswith("en") else self.name_zh
        return preferred or self.name_zh or self.name_en


class Dataset(models.Model):
    """The concept: what every version of one dataset shares, with the concept identifier."""

    public_id = PublicIdField(prefix="ds")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="datasets")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="datasets")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concept_pid = models.CharField(_("concept identifier"), max_length=200, blank=True)
    # The newest published version, kept by the publish and withdraw services; the concept id resolves to it.
    latest_published = models.ForeignKey("DatasetVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["concept_pid"], condition=~Q(concept_pid=""), name="dataset_concept_pid_unique")
        ]


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_CURATION = "in_curation", _("In curation")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


UNPUBLISHED_STATES = (VersionState.DRAFT, VersionState.SUBMITTED, VersionState.IN_CURATION)


class AccessLevel(models.TextChoices):
    OPEN = "open", _("Open")
    EMBARGOED = "embargoed", _("Embargoed")
    RESTRICTED = "restricted", _("Restricted")
    PRIVATE = "private", _("Private")


class Classification(models.TextChoices):
    """Data classification under the PRC Data Security Law; important data needs an export review for foreign parties."""

    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    SENSITIVE = "sensitive", _("Sensitive")
    IMPORTANT = "important", _("Important data")


class PidStatus(models.TextChoices):
    NONE = "", _("None")
    RESERVED = "reserved", _("Reserved")
    REGISTERED = "registered", _("Registered")


class DatasetVersion(models.Model):
    """One version of a dataset: a citable record with its own identifier, metadata and files."""

    public_id = PublicIdField(prefix="dsv")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    # Denormalised from the concept so that permission checks need no join.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    version_number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=20, choices=VersionState.choices, default=VersionState.DRAFT)
    pid = models.CharField(_("version identifier"), max_length=200, blank=True)
    pid_status = models.CharField(max_length=20, choices=PidStatus.choices, default=PidStatus.NONE, blank=True)
    # DataCite 4.5 JSON (the shape the ``datacite`` package validates) plus our own keys; see metadata.py.
    metadata = models.JSONField(default=dict)
    title_zh = models.CharField(_("title (Chinese)"), max_length=500, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    access_level = models.CharField(_("access"), max_length=20, choices=AccessLevel.choices, default=AccessLevel.OPEN)
    embargo_until = models.DateField(_("embargoed until"), null=True, blank=True)
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices, default=Classification.PUBLIC
    )
    data_use_agreement = models.TextField(_("data use agreement"), blank=True)
    file_count = models.PositiveIntegerField(default=0)
    total_bytes = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version_number"], name="dataset_version_number_unique"),
            # One version in the works at a time: a second "new version" click gets the same draft.
            models.UniqueConstraint(fields=["dataset"], condition=Q(state__in=UNPUBLISHED_STATES), name="dataset_one_open_draft"),
            models.UniqueConstraint(fields=["pid"], condition=~Q(pid=""), name="dataset_version_pid_unique"),
            models.CheckConstraint(
                condition=~Q(access_level=AccessLevel.EMBARGOED) | Q(embargo_until__isnull=False),
                name="dataset_version_embargo_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "published_at"]),
            # OAI-PMH lists records in the order they last changed (keyset on datestamp, then public id).
            models.Index(fields=["updated_at", "public_id"], name="dataset_version_oai_order"),
        ]

    def __str__(self) -> str:
        return self.title_en or self.title_zh or self.public_id

    def display_title(self, language: str) -> str:
        preferred = self.title_en if language.startswith("en") else self.title_zh
        return preferred or self.title_zh or self.title_en or self.public_id


class CurationComment(models.Model):
    """A curator's request for changes, or any remark on a version in review; kept with the version."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    public_id = PublicIdField(prefix="cmt")
    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class DatasetFile(models.Model):
    """One file of one version at a path; ``folder`` + ``name`` make folder listings one indexed range scan."""

    public_id = PublicIdField(prefix="fil")
    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="files")
    folder = models.CharField(max_length=1024, blank=True, help_text="Parent folder path without slashes at the ends.")
    name = models.CharField(max_length=255)
    blob_name = models.CharField(max_length=300, help_text="Storage object name; shared by versions with the same content.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    md5 = models.CharField(max_length=32, blank=True)
    media_type = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["folder", "name"]
        constraints = [models.UniqueConstraint(fields=["version", "folder", "name"], name="dataset_file_path_unique")]
        indexes = [models.Index(fields=["version", "sha256"])]

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}" if self.folder else self.name


class DatasetFolder(models.Model):
    """A folder of a version (and each of its ancestors), so browsing never scans file rows for sub-folders."""

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="folders")
    parent = models.CharField(max_length=1024, blank=True)
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["parent", "name"]
        constraints = [models.UniqueConstraint(fields=["version", "parent", "name"], name="dataset_folder_unique")]

    @property
    def path(self) -> str:
        return f"{self.parent}/{self.name}" if self.parent else self.name


class AccessRequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    REVOKED = "revoked", _("Revoked")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AccessRequest(models.Model):
    """A request to use a restricted dataset (all its versions); once approved it is the grant, until ``expires_at``."""

    public_id = PublicIdField(prefix="acr")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="access_requests")
    # Denormalised owner of the dataset, for permission checks of curators.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dataset_access_requests")
    purpose = models.TextField(_("purpose"))
    agreement_text = models.TextField(help_text="The data use agreement as the requester accepted it.")
    agreed_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=AccessRequestState.choices, default=AccessRequestState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision_message = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "requester"],
                condition=Q(state=AccessRequestState.PENDING),
                name="dataset_access_one_pending_request",
            )
        ]


class PrivateLink(models.Model):
    """A secret, expiring, revocable link for journal reviewers to see one unpublished or private version anonymously."""

    public_id = PublicIdField(prefix="pl")
    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="private_links")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("label"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class ExportReviewState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ExportReview(models.Model):
    """Permission for one foreign organisation to download one dataset classified as important data."""

    public_id = PublicIdField(prefix="exr")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="export_reviews")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    requesting_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.TextField(_("purpose"))
    state = models.CharField(max_length=20, choices=ExportReviewState.choices, default=ExportReviewState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision_message = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "requesting_organisation"],
                condition=Q(state=ExportReviewState.PENDING),
                name="dataset_export_one_pending_review",
            )
        ]


class UsageKind(models.TextChoices):
    """COUNTER's two activities: an investigation reads about the data, a request fetches its content."""

    INVESTIGATION = "investigation", _("View")
    REQUEST = "request", _("Download")


class UsageEvent(models.Model):
    """One counted view or download, kept until the monthly aggregation folds it into ``UsageMonth``.

    ``session`` is COUNTER's session: the user id or a hash of address and user agent, with the hour.
    """

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="+")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=UsageKind.choices)
    item = models.CharField(max_length=40)
    session = models.CharField(max_length=80)
    occurred_at = models.DateTimeField(db_index=True)
    month = models.DateField()  # first day of the UTC month, so counting groups by a column rather than a function

    class Meta:
        indexes = [
            models.Index(fields=["session", "version", "kind", "item", "occurred_at"], name="usage_event_double_click"),
            models.Index(fields=["version", "month"], name="usage_event_version_month"),
            models.Index(fields=["dataset", "month"], name="usage_event_dataset_month"),
        ]


class UsageMonth(models.Model):
    """COUNTER's four metrics of one month, for a version, or for the concept when ``version`` is empty."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    month = models.DateField()
    total_investigations = models.PositiveIntegerField(default=0)
    unique_investigations = models.PositiveIntegerField(default=0)
    total_requests = models.PositiveIntegerField(default=0)
    unique_requests = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["version", "month"], condition=Q(version__isnull=False), name="usage_month_version"),
            models.UniqueConstraint(fields=["dataset", "month"], condition=Q(version__isnull=True), name="usage_month_concept"),
        ]


class FixityStatus(models.TextChoices):
    OK = "ok", _("Intact")
    MISMATCH = "mismatch", _("Checksum or size differs")
    MISSING = "missing", _("Missing from storage")
    ERROR = "error", _("Could not be read")


class FixityRun(models.Model):
    """One pass of preservation checks over stored content (the daily share, or all of it on demand)."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("Daily check")
        MANUAL = "manual", _("On demand")

    public_id = PublicIdField(prefix="fxr")
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    # Set when the run was limited to one dataset.
    dataset = models.ForeignKey(Dataset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    blobs_checked = models.PositiveIntegerField(default=0)
    bytes_checked = models.PositiveBigIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]


class FixityResult(models.Model):
    """The check of one stored object in one run: what the file rows record against what storage holds."""

    run = models.ForeignKey(FixityRun, on_delete=models.CASCADE, related_name="results")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    # Denormalised from the dataset so that permission checks need no join.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    blob_name = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=FixityStatus.choices)
    expected_size = models.PositiveBigIntegerField()
    expected_sha256 = models.CharField(max_length=64)
    found_size = models.PositiveBigIntegerField(null=True, blank=True)
    found_sha256 = models.CharField(max_length=64, blank=True)
    detail = models.TextField(blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["blob_name", "checked_at"], name="fixity_result_blob_checked")]


class OaiRecord(models.Model):
    """A version's OAI-PMH metadata, rendered once: rebuilt when the version's datestamp (``updated_at``) moves on."""

    version = models.OneToOneField(DatasetVersion, on_delete=models.CASCADE, primary_key=True, related_name="+")
    datestamp = models.DateTimeField(help_text="The version's updated_at the fragments were rendered from.")
    oai_dc = models.TextField()
    oai_datacite = models.TextField()
