"""Deposit lifecycle: draft, submission, curation, publication, new versions, withdrawal."""

import pytest

from sciport.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from sciport.core.models import AuditEvent
from sciport.datasets.models import ReviewPolicy, VersionState
from sciport.datasets.selectors import versions as selectors
from sciport.datasets.services import lifecycle
from sciport.notifications.models import Notification
from sciport.testing.datasets import sample_metadata

pytestmark = pytest.mark.django_db


def test_a_draft_gets_a_concept_and_a_version_identifier_at_once(make_draft):
    version = make_draft()
    assert version.state == VersionState.DRAFT
    assert version.pid.endswith(version.public_id)
    assert version.dataset.concept_pid.endswith(version.dataset.public_id)
    assert version.pid != version.dataset.concept_pid
    assert version.title_zh == "长三角空气质量数据 2025"


def test_drafts_are_invisible_outside_the_organisation(make_draft, make_user, bank):
    version = make_draft()
    with pytest.raises(NotFound):
        selectors.version_get(make_user(), version.public_id)
    assert selectors.version_get(bank.curator, version.public_id) == version


def test_a_curators_change_request_returns_the_draft_to_its_owner(make_draft, bank):
    version = make_draft()
    lifecycle.version_transition(actor=bank.depositor, version=version, event="submit")
    assert Notification.objects.filter(recipient=bank.curator, kind="dataset.submitted").exists()
    lifecycle.version_transition(actor=bank.curator, version=version, event="take")
    returned = lifecycle.version_transition(
        actor=bank.curator, version=version, event="request_changes", message="Add the station coordinates."
    )
    assert returned.state == VersionState.DRAFT
    comment = selectors.comments_of(returned).get()
    assert comment.kind == "changes_requested"
    assert comment.body == "Add the station coordinates."
    mail = Notification.objects.get(recipient=bank.depositor, kind="dataset.changes_requested")
    assert "Add the station coordinates." in mail.body
    # The owner can edit again.
    edited = lifecycle.version_update(
        actor=bank.depositor, version=returned, metadata=sample_metadata(title_en="With coordinates")
    )
    assert edited.title_en == "With coordinates"


def test_a_change_request_needs_a_message(make_draft, bank):
    version = make_draft()
    lifecycle.version_transition(actor=bank.depositor, version=version, event="submit")
    with pytest.raises(ValidationFailed):
        lifecycle.version_transition(actor=bank.curator, version=version, event="request_changes", message=" ")
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


def test_the_depositor_cannot_publish_their_own_deposit(make_draft, bank):
    version = make_draft()
    lifecycle.version_transition(actor=bank.depositor, version=version, event="submit")
    with pytest.raises(PermissionDenied):
        lifecycle.version_transition(actor=bank.depositor, version=version, event="publish")


def test_another_organisations_curator_cannot_see_or_publish(make_draft, make_bank, bank):
    version = make_draft()
    lifecycle.version_transition(actor=bank.depositor, version=version, event="submit")
    other = make_bank()
    with pytest.raises(NotFound):
        lifecycle.version_transition(actor=other.curator, version=version, event="publish")
    assert not selectors.curation_queue(other.curator).exists()
    assert list(selectors.curation_queue(bank.curator)) == [version]


def test_submission_needs_files_and_complete_metadata(bank):
    version = lifecycle.dataset_create(actor=bank.depositor, community=bank.community, metadata={})
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.version_transition(actor=bank.depositor, version=version, event="submit")
    fields = {error.field for error in refused.value.errors}
    assert {"files", "metadata.titles", "metadata.creators"} <= fields
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


def test_an_auto_publish_community_publishes_on_submission(make_bank, make_user, add_role):
    bank = make_bank(review_policy=ReviewPolicy.AUTO_PUBLISH)
    from sciport.testing.datasets import add_bytes

    version = lifecycle.dataset_create(actor=bank.depositor, community=bank.community, metadata=sample_metadata())
    add_bytes(version, "a.txt", b"a")
    published = lifecycle.version_transition(actor=bank.depositor, version=version, event="submit")
    assert published.state == VersionState.PUBLISHED
    assert published.dataset.latest_published == published


def test_a_v2_draft_leaves_v1_public_and_the_concept_resolves_to_the_newest(make_draft, publish, bank, make_user):
    v1 = publish(make_draft())
    stranger = make_user()
    v2 = lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset)
    assert v2.version_number == 2
    assert v2.file_count == v1.file_count
    assert list(v2.files.values_list("blob_name", flat=True)) == list(v1.files.values_list("blob_name", flat=True))
    assert selectors.concept_target(stranger, v1.dataset) == v1
    with pytest.raises(NotFound):
        selectors.version_get(stranger, v2.public_id)
    lifecycle.version_update(actor=bank.depositor, version=v2, metadata=sample_metadata(title_en="Second edition"))
    publish(v2)
    v1.dataset.refresh_from_db()
    assert selectors.concept_target(stranger, v1.dataset).public_id == v2.public_id
    assert selectors.version_get(stranger, v1.public_id).state == VersionState.PUBLISHED


def test_asking_twice_for_a_new_version_gives_the_same_draft(make_draft, publish, bank):
    v1 = publish(make_draft())
    first = lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset)
    second = lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset)
    assert first == second


def test_a_new_version_may_start_from_an_older_published_version(make_draft, publish, bank):
    v1 = publish(make_draft())
    v2 = publish(lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset))
    v3 = lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset, from_version=v1)
    assert v3.version_number == 3
    assert v2.dataset.versions.count() == 3


def test_withdrawal_keeps_the_citation_states_the_reason_and_removes_the_content(
    make_draft, publish, bank, make_user, django_capture_on_commit_callbacks
):
    from sciport.core import storage

    version = publish(make_draft())
    blob = version.files.get().blob_name
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = lifecycle.version_transition(
            actor=bank.curator, version=version, event="withdraw", message="Consent was withdrawn."
        )
    seen = selectors.version_get(make_user(), version.public_id)
    assert seen.state == VersionState.WITHDRAWN
    assert seen.withdrawal_reason == "Consent was withdrawn."
    assert seen.pid == withdrawn.pid
    assert not storage.exists(blob)


def test_withdrawing_one_version_keeps_content_another_version_still_uses(
    make_draft, publish, bank, django_capture_on_commit_callbacks
):
    from sciport.core import storage

    v1 = publish(make_draft())
    publish(lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset))
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.version_transition(actor=bank.curator, version=v1, event="withdraw", message="Superseded by an error fix.")
    assert storage.exists(v1.files.get().blob_name)


@pytest.mark.parametrize("state", list(VersionState))
def test_every_illegal_transition_is_refused_and_changes_nothing(state, make_draft, bank):
    version = make_draft()
    version.__class__.objects.filter(pk=version.pk).update(state=state)
    version.refresh_from_db()
    for event in lifecycle.EVENTS:
        if (state, event) in lifecycle.TRANSITIONS:
            continue
        with pytest.raises(Conflict):
            lifecycle.version_transition(actor=bank.curator, version=version, event=event, message="because")
        version.refresh_from_db()
        assert version.state == state


def test_an_unknown_event_is_a_field_error(make_draft, bank):
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.version_transition(actor=bank.curator, version=make_draft(), event="explode")
    assert refused.value.errors[0].field == "event"


def test_every_transition_writes_an_audit_event(make_draft, publish):
    version = publish(make_draft())
    actions = list(AuditEvent.objects.filter(object_id=version.public_id).values_list("action", flat=True))
    assert actions == ["dataset.create", "dataset.files_add", "dataset.submit", "dataset.publish"]


def test_access_settings_are_checked_together(bank):
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.dataset_create(
            actor=bank.depositor,
            community=bank.community,
            metadata=sample_metadata(),
            settings_=lifecycle.VersionSettings(access_level="embargoed"),
        )
    assert refused.value.errors[0].field == "embargo_until"


def test_a_published_versions_access_cannot_change_but_curators_may_correct_metadata(make_draft, publish, bank):
    version = publish(make_draft())
    with pytest.raises(Conflict):
        lifecycle.version_update(actor=bank.curator, version=version, settings_=lifecycle.VersionSettings(access_level="private"))
    with pytest.raises(PermissionDenied):
        lifecycle.version_update(actor=bank.depositor, version=version, metadata=sample_metadata(title_en="typo fixed"))
    corrected = lifecycle.version_update(actor=bank.curator, version=version, metadata=sample_metadata(title_en="Typo fixed"))
    assert corrected.title_en == "Typo fixed"


def test_a_first_draft_can_be_discarded_with_its_concept(make_draft, bank):
    version = make_draft()
    dataset = version.dataset
    lifecycle.version_discard(actor=bank.depositor, version=version)
    assert not dataset.__class__.objects.filter(pk=dataset.pk).exists()


def test_discarding_a_draft_removes_only_the_content_no_other_version_uses(
    make_draft, publish, bank, django_capture_on_commit_callbacks
):
    from sciport.core import storage
    from sciport.testing.datasets import add_bytes

    v1 = publish(make_draft())
    shared = v1.files.get().blob_name
    v2 = lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset)
    own = add_bytes(v2, "extra/new.csv", b"only in the draft\n").blob_name
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.version_discard(actor=bank.depositor, version=v2)
    assert storage.exists(shared)
    assert not storage.exists(own)
