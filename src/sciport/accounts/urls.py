"""Pages of people and organisations (the API lives in ``api.py``)."""

from django.urls import path

from sciport.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("me/tokens/", views.tokens, name="tokens"),
    path("me/tokens/new/", views.token_create, name="token_create"),
    path("me/tokens/<str:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/organisation/", views.organisation_switch, name="organisation_switch"),
    path("organisations/", views.directory, name="directory"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<str:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<str:organisation_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<str:organisation_id>/verification-request/",
        views.organisation_request_verification,
        name="organisation_request_verification",
    ),
    path("organisations/<str:organisation_id>/verification/", views.organisation_verify, name="organisation_verify"),
    path("organisations/<str:organisation_id>/members/", views.organisation_members, name="organisation_members"),
    path("organisations/<str:organisation_id>/members/remove/", views.membership_remove, name="membership_remove"),
    path("organisations/<str:organisation_id>/invitations/", views.invitation_create, name="invitation_create"),
    path(
        "organisations/<str:organisation_id>/invitations/<str:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("organisations/<str:organisation_id>/audit/", views.organisation_audit, name="organisation_audit"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
