"""``notify``: inbox entries and e-mails, as each person's preferences say, only after commit."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from sciport.notifications.models import Notification
from sciport.notifications.services import notify, preference_set


def deliver() -> None:
    call_command("worker", "--batch")


@pytest.mark.django_db(transaction=True)
def test_a_notification_reaches_inbox_and_mail(make_user):
    user = make_user()
    notify(
        kind="organisation.verified",
        recipients=[user],
        context={"organisation_name": "Shencheng University", "organisation": "org_x"},
    )
    deliver()
    entry = Notification.objects.get(recipient=user)
    assert "Shencheng University" in entry.subject
    assert entry.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert mail.outbox[0].subject == entry.subject


@pytest.mark.django_db(transaction=True)
def test_preferences_choose_the_channels(make_user):
    inbox_only, mail_only, neither = make_user(), make_user(), make_user()
    preference_set(actor=inbox_only, kind="organisation.verified", inbox=True, email=False)
    preference_set(actor=mail_only, kind="organisation.verified", inbox=False, email=True)
    preference_set(actor=neither, kind="organisation.verified", inbox=False, email=False)
    notify(kind="organisation.verified", recipients=[inbox_only, mail_only, neither], context={"organisation_name": "X"})
    deliver()
    assert Notification.objects.filter(recipient=inbox_only, in_inbox=True).exists()
    assert not Notification.objects.filter(recipient=mail_only, in_inbox=True).exists()
    assert not Notification.objects.filter(recipient=neither).exists()
    assert sorted(m.to[0] for m in mail.outbox) == [mail_only.email]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(make_user):
    user = make_user()

    def failing_change() -> None:
        with transaction.atomic():
            notify(kind="organisation.verified", recipients=[user], context={"organisation_name": "X"})
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    deliver()
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_messages_are_written_in_the_recipients_language(make_user):
    chinese = make_user(language="zh-hans")
    english = make_user(language="en")
    notify(kind="organisation.rejected", recipients=[chinese, english], context={"organisation_name": "ACME"})
    zh = Notification.objects.get(recipient=chinese)
    en = Notification.objects.get(recipient=english)
    assert en.subject == "Verification of ACME was rejected"
    assert zh.subject != en.subject
    assert any("\u4e00" <= char <= "\u9fff" for char in zh.subject)


@pytest.mark.django_db
def test_inbox_api_counts_reads_and_marks(make_user, api_for):
    user = make_user()
    for name in ("A", "B", "C"):
        notify(kind="organisation.verified", recipients=[user], context={"organisation_name": name})
    api = api_for(user)
    assert api.get("/notifications/unread-count").json() == {"unread": 3}
    newest = api.get("/notifications?limit=2").json()
    assert [n["subject"] for n in newest["items"]] == ["C is now verified", "B is now verified"]
    assert api.post(f"/notifications/{newest['items'][0]['id']}/read").json()["read_at"] is not None
    assert api.get("/notifications/unread-count").json() == {"unread": 2}
    assert api.post("/notifications/read-all").json() == {"unread": 0}
    assert api.get("/notifications?unread=true").json()["items"] == []


@pytest.mark.django_db
def test_an_unknown_preference_kind_is_a_field_error(make_user, api_for):
    response = api_for(make_user()).put("/notifications/preferences/no.such.kind", json={"inbox": True, "email": False})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"


@pytest.mark.django_db
def test_plain_text_mail_is_not_html_escaped(make_user):
    user = make_user()
    entry = notify(kind="organisation.verified", recipients=[user], context={"organisation_name": "AT&T <Labs>"})[0]
    assert entry.subject == "AT&T <Labs> is now verified"


@pytest.mark.django_db
def test_mail_to_a_known_address_uses_that_persons_language(make_user):
    make_user("known@example.org", language="en")
    english, chinese = notify(
        kind="organisation.rejected", emails=["known@example.org", "stranger@example.org"], context={"organisation_name": "ACME"}
    )
    assert english.subject == "Verification of ACME was rejected"
    assert any("\u4e00" <= char <= "\u9fff" for char in chinese.subject)
