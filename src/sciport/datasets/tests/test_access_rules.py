"""Who may download a version's files, and the reason shown when not: levels, embargo dates, classification."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from sciport.core.models import AuditEvent
from sciport.datasets.models import AccessLevel, ExportReview, ExportReviewState
from sciport.datasets.selectors.access import Reason, can_download, download_decision
from sciport.datasets.services import access as services
from sciport.datasets.services import private_links
from sciport.datasets.services.lifecycle import version_new, version_transition
from sciport.datasets.tasks import open_embargoes, schedule_embargo_opening
from sciport.datasets.tests.access_helpers import at, freeze, person_of

pytestmark = pytest.mark.django_db
DUA = "Use for research only; cite the dataset."


@pytest.fixture
def published(make_draft, publish):
    def make(**settings):
        if settings.get("access_level") == AccessLevel.RESTRICTED:
            settings.setdefault("data_use_agreement", DUA)
        return publish(make_draft(**settings))

    return make


@pytest.fixture
def stranger(make_user, make_organisation):
    return person_of(make_user, make_organisation)


def _grant(version, person, curator, **decision):
    request = services.access_request_create(actor=person, dataset=version.dataset, purpose="A study.", accept_agreement=True)
    return services.access_request_decide(actor=curator, access_request=request, approve=True, **decision)


def test_open_data_is_for_everyone(published, stranger):
    version = published()
    assert can_download(stranger, version)
    assert can_download(AnonymousUser(), version)


def test_a_withdrawn_version_serves_no_file_even_to_its_depositor(published, bank):
    version = published()
    version = version_transition(actor=bank.curator, version=version, event="withdraw", message="Consent withdrawn.")
    decision = download_decision(bank.depositor, version)
    assert not decision
    assert decision.reason == Reason.WITHDRAWN


def test_drafts_are_for_insiders_and_the_depositor(make_draft, bank, stranger):
    draft = make_draft(access_level="restricted", data_use_agreement=DUA)
    assert can_download(bank.depositor, draft)
    assert can_download(bank.manager, draft)
    assert download_decision(stranger, draft).reason == Reason.UNPUBLISHED


def test_the_embargo_opens_on_its_date_in_the_platform_time_zone(published, stranger, monkeypatch):
    freeze(monkeypatch, at(2026, 2, 20, 9, 0))
    version = published(access_level="embargoed", embargo_until=date(2026, 3, 1))
    decision = download_decision(stranger, version)
    assert decision.reason == Reason.EMBARGOED
    with translation.override("en"):
        assert "2026" in decision.message
        assert "embargo" in decision.message
    # 23:59 on the last day of the embargo in Shanghai: still closed.
    freeze(monkeypatch, at(2026, 2, 28, 23, 59))
    assert not can_download(stranger, version)
    # 00:30 on 1 March in Shanghai is still 28 February in UTC: open, with no task run.
    freeze(monkeypatch, at(2026, 3, 1, 0, 30))
    assert can_download(stranger, version)
    version.refresh_from_db()
    assert version.access_level == AccessLevel.EMBARGOED


def test_the_daily_run_records_ended_embargoes_as_open_with_an_audit_event(published, monkeypatch):
    freeze(monkeypatch, at(2026, 2, 20, 9, 0))
    ended = published(access_level="embargoed", embargo_until=date(2026, 3, 1))
    freeze(monkeypatch, at(2026, 3, 1, 0, 1))
    assert services.embargo_open_due() == 1
    ended.refresh_from_db()
    assert ended.access_level == AccessLevel.OPEN
    assert ended.embargo_until == date(2026, 3, 1)
    event = AuditEvent.objects.get(action="dataset.embargo_end", object_id=ended.public_id)
    assert event.before == {"access_level": "embargoed"}
    assert services.embargo_open_due() == 0


def test_an_embargo_in_the_future_stays_recorded(published, monkeypatch):
    freeze(monkeypatch, at(2026, 2, 20, 9, 0))
    waiting = published(access_level="embargoed", embargo_until=date(2026, 3, 2))
    freeze(monkeypatch, at(2026, 3, 1, 12, 0))
    assert services.embargo_open_due() == 0
    waiting.refresh_from_db()
    assert waiting.access_level == AccessLevel.EMBARGOED


def test_restricted_files_need_a_live_grant(published, bank, stranger, monkeypatch):
    version = published(access_level="restricted")
    assert download_decision(AnonymousUser(), version).reason == Reason.SIGN_IN
    assert download_decision(stranger, version).reason == Reason.REQUEST_ACCESS
    _grant(version, stranger, bank.curator, expires_at=at(2099, 1, 1, 0, 0))
    assert can_download(stranger, version)
    freeze(monkeypatch, at(2099, 1, 1, 0, 1))
    assert download_decision(stranger, version).reason == Reason.REQUEST_ACCESS


def test_a_grant_covers_every_version_of_the_dataset(published, bank, stranger):
    v1 = published(access_level="restricted")
    _grant(v1, stranger, bank.curator)
    v2 = version_new(actor=bank.depositor, dataset=v1.dataset)
    v2 = version_transition(actor=bank.depositor, version=v2, event="submit")
    v2 = version_transition(actor=bank.curator, version=v2, event="publish")
    assert can_download(stranger, v1)
    assert can_download(stranger, v2)


def test_private_files_open_only_to_insiders_and_a_live_link(published, bank, stranger):
    version = published(access_level="private")
    assert download_decision(stranger, version).reason == Reason.PRIVATE
    issued = private_links.private_link_create(actor=bank.depositor, version=version, label="Journal of Air")
    link = private_links.link_from_token(issued.token)
    assert can_download(AnonymousUser(), version, link)
    private_links.private_link_revoke(actor=bank.curator, link=issued.link)
    issued.link.refresh_from_db()
    assert not can_download(AnonymousUser(), version, issued.link)
    assert private_links.link_from_token(issued.token) is None


def test_a_link_of_another_version_opens_nothing(make_draft, published, bank):
    draft = make_draft()
    other = published(access_level="private")
    link = private_links.private_link_create(actor=bank.depositor, version=draft, label="").link
    assert download_decision(AnonymousUser(), other, link).reason == Reason.PRIVATE


def test_internal_data_needs_a_grant_even_when_open(published, bank, stranger):
    version = published(classification="internal")
    assert download_decision(stranger, version).reason == Reason.REQUEST_ACCESS
    _grant(version, stranger, bank.curator)
    assert can_download(stranger, version)


def test_a_reviewer_link_gives_no_sensitive_files(make_draft, bank):
    draft = make_draft(classification="sensitive")
    link = private_links.private_link_create(actor=bank.depositor, version=draft, label="").link
    assert download_decision(AnonymousUser(), draft, link).reason == Reason.LINK_NOT_ENOUGH


def test_important_data_is_never_given_anonymously(published):
    version = published(classification="important")
    assert download_decision(AnonymousUser(), version).reason == Reason.SIGN_IN


def test_important_data_needs_an_organisation_and_an_export_review_for_each_foreign_one(
    published, bank, make_user, make_organisation, add_role
):
    version = published(classification="important")
    unaffiliated = make_user()
    home = person_of(make_user, make_organisation, "CN")
    abroad = person_of(make_user, make_organisation, "DE")
    both = person_of(make_user, make_organisation, "CN")
    foreign_of_both = make_organisation(make_user(), country="US")
    add_role(both, foreign_of_both, "member")

    assert download_decision(unaffiliated, version).reason == Reason.ORGANISATION_REQUIRED
    assert download_decision(abroad, version).reason == Reason.EXPORT_REVIEW
    assert download_decision(both, version).reason == Reason.EXPORT_REVIEW
    # A domestic account still needs the grant every classified dataset needs.
    assert download_decision(home, version).reason == Reason.REQUEST_ACCESS
    for person in (home, abroad, both):
        _grant(version, person, bank.curator)
    assert can_download(home, version)
    assert download_decision(abroad, version).reason == Reason.EXPORT_REVIEW

    for organisation in (abroad.memberships.get().organisation, foreign_of_both):
        ExportReview.objects.create(
            dataset=version.dataset,
            organisation=version.organisation,
            requesting_organisation=organisation,
            requested_by=abroad,
            purpose="Joint study.",
            state=ExportReviewState.APPROVED,
        )
    assert can_download(abroad, version)
    assert can_download(both, version)


def test_insiders_download_important_data_without_a_review(published, bank):
    version = published(classification="important", access_level="restricted", data_use_agreement=DUA)
    assert can_download(bank.curator, version)


def test_an_expired_link_opens_nothing(make_draft, bank, monkeypatch):
    draft = make_draft()
    issued = private_links.private_link_create(actor=bank.depositor, version=draft, label="", expires_at=at(2099, 1, 1, 0, 0))
    freeze(monkeypatch, at(2099, 1, 1, 0, 0))
    assert private_links.link_from_token(issued.token) is None


def test_the_daily_run_opens_ended_embargoes_and_queues_itself_once_for_next_midnight(published, monkeypatch):
    freeze(monkeypatch, at(2026, 2, 20, 9, 0))
    ended = published(access_level="embargoed", embargo_until=date(2026, 3, 1))
    freeze(monkeypatch, at(2026, 3, 1, 15, 0))
    assert open_embargoes.call() == 1
    ended.refresh_from_db()
    assert ended.access_level == AccessLevel.OPEN
    assert schedule_embargo_opening() is False  # the run queued its successor already
    queued = DBTaskResult.objects.get(task_path=open_embargoes.module_path, status="READY")
    assert queued.run_after == at(2026, 3, 2, 0, 1)


def test_the_operator_command_opens_ended_embargoes_and_starts_the_daily_run(published, monkeypatch):
    freeze(monkeypatch, at(2026, 2, 20, 9, 0))
    published(access_level="embargoed", embargo_until=date(2026, 3, 1))
    freeze(monkeypatch, at(2026, 3, 5, 9, 0))
    out = StringIO()
    call_command("open_embargoes", stdout=out)
    assert out.getvalue().strip() == "opened 1 embargoed version(s); daily run queued"
    assert DBTaskResult.objects.filter(task_path=open_embargoes.module_path, status="READY").count() == 1


def test_a_long_running_worker_keeps_the_daily_embargo_run_queued(db):
    from sciport.core.tasks import schedule_daily

    schedule_daily()
    schedule_daily()
    assert DBTaskResult.objects.filter(task_path=open_embargoes.module_path, status="READY").count() == 1


def test_an_ended_embargo_is_told_to_the_identifier_registry(published, monkeypatch, django_capture_on_commit_callbacks):
    from sciport.datasets.pids.tasks import sync_pid

    freeze(monkeypatch, at(2026, 2, 20, 9, 0))
    ended = published(access_level="embargoed", embargo_until=date(2026, 3, 1))
    freeze(monkeypatch, at(2026, 3, 1, 0, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.embargo_open_due()
    queued = DBTaskResult.objects.filter(task_path=sync_pid.module_path, status="READY").order_by("-enqueued_at").first()
    assert queued is not None
    assert queued.args_kwargs["args"] == [ended.public_id, "update"]
