"""``can`` and ``restrict``: roles in the owning organisation plus per-object grants."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sciport.accounts.models import Organisation
from sciport.core import permissions
from sciport.core.errors import NotFound, PermissionDenied
from sciport.core.models import ObjectGrant
from sciport.core.permissions import Role


@pytest.mark.django_db
def test_roles_in_the_owner_decide(make_user, make_organisation, add_role):
    owner = make_user()
    organisation = make_organisation(owner)
    member = make_user()
    add_role(member, organisation, Role.MEMBER)
    outsider = make_user()
    assert permissions.can(owner, "update", organisation)  # creator is admin
    assert not permissions.can(member, "update", organisation)
    assert permissions.can(member, "view_members", organisation)
    assert not permissions.can(outsider, "view_members", organisation)
    assert permissions.can(outsider, "view", organisation)  # the directory is public


@pytest.mark.django_db
def test_a_grant_lets_one_user_act_on_one_object_until_it_expires(make_user, make_organisation):
    organisation = make_organisation(make_user())
    other = make_organisation(make_user())
    helper = make_user()
    grant = ObjectGrant.objects.create(
        user=helper, object_type="accounts.organisation", object_pk=organisation.pk, action="view_members"
    )
    assert permissions.can(helper, "view_members", organisation)
    assert not permissions.can(helper, "view_members", other)
    visible = permissions.restrict(Organisation.objects.all(), helper, "view_members")
    assert list(visible) == [organisation]
    grant.expires_at = timezone.now() - timedelta(seconds=1)
    grant.save()
    assert not permissions.can(helper, "view_members", organisation)
    assert not permissions.restrict(Organisation.objects.all(), helper, "view_members").exists()


@pytest.mark.django_db
def test_wrong_owner_gets_not_found_and_insider_without_role_gets_forbidden(make_user, make_organisation, add_role):
    organisation = make_organisation(make_user())
    member = make_user()
    add_role(member, organisation, Role.MEMBER)
    outsider = make_user()
    queryset = Organisation.objects.all()
    with pytest.raises(NotFound):
        permissions.get_for(outsider, "update", queryset, pk=organisation.pk)
    with pytest.raises(PermissionDenied):
        permissions.get_for(member, "update", queryset, pk=organisation.pk)
    with pytest.raises(NotFound):
        permissions.get_for(member, "view", queryset, pk=organisation.pk + 999)


@pytest.mark.django_db
def test_anonymous_sees_only_public_rows(make_user, make_organisation):
    from django.contrib.auth.models import AnonymousUser

    organisation = make_organisation(make_user())
    anonymous = AnonymousUser()
    assert permissions.can(anonymous, "view", organisation)
    assert not permissions.can(anonymous, "view_members", organisation)
    assert not permissions.restrict(Organisation.objects.all(), anonymous, "view_members").exists()


@pytest.mark.django_db
def test_platform_staff_may_do_anything(make_user, make_organisation):
    organisation = make_organisation(make_user())
    staff = make_user(staff=True)
    assert permissions.can(staff, "manage_members", organisation)


def test_unknown_action_is_a_programming_error():
    with pytest.raises(LookupError):
        permissions.can(None, "fly", Organisation(name_en="x", kind="institution"))


@pytest.mark.django_db
def test_an_expired_grant_no_longer_makes_an_outsider_an_insider(make_user, make_organisation):
    organisation = make_organisation(make_user())
    former_helper = make_user()
    ObjectGrant.objects.create(
        user=former_helper,
        object_type="accounts.organisation",
        object_pk=organisation.pk,
        action="view_members",
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    with pytest.raises(NotFound):
        permissions.get_for(former_helper, "update", Organisation.objects.all(), pk=organisation.pk)
