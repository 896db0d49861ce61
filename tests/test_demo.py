"""`sciport demo`: every organisation type and role, bilingual, safe to run twice, logins that work."""

import pytest
from django.core.management import call_command

from sciport.accounts import demo
from sciport.accounts.models import Membership, Organisation, OrganisationKind, User
from sciport.core.audit import verify_chain
from sciport.core.permissions import Role
from sciport.testing.fixtures import ApiClient


@pytest.mark.django_db
def test_demo_covers_every_type_and_role_and_loads_twice_without_duplicates(capsys):
    call_command("demo")
    first_output = capsys.readouterr().out
    counts = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("demo")
    assert (Organisation.objects.count(), User.objects.count(), Membership.objects.count()) == counts

    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)
    assert all(o.name_zh and o.name_en for o in Organisation.objects.all())
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.filter(is_staff=True, email=demo.ADMIN_EMAIL).exists()
    for person in demo.PEOPLE:
        assert person.email in first_output
    assert demo.DEMO_PASSWORD in first_output
    assert verify_chain().first_broken is None


@pytest.mark.django_db
def test_a_printed_demo_login_gets_a_token_and_sees_its_organisation():
    call_command("demo")
    response = ApiClient(None).post("/auth/token", json={"email": "officer@demo.sciport", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 201
    me = ApiClient(None)
    me.headers["Authorization"] = f"Bearer {response.json()['secret']}"
    memberships = me.get("/me").json()["memberships"]
    assert [m["role"] for m in memberships] == ["programme_officer"]
