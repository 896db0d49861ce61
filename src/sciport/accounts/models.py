"""People, organisations, memberships, invitations and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from sciport.core.ids import PublicIdField
from sciport.core.permissions import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    public_id = PublicIdField(prefix="usr")
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=[("zh-hans", "简体中文"), ("en", "English")], default="zh-hans"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    orcid = models.CharField("ORCID", max_length=19, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()  # type: ignore[misc,assignment]

    def __str__(self) -> str:
        return self.display_name or self.email


class OrganisationKind(models.TextChoices):
    INSTITUTION = "institution", _("Institution")
    ENTERPRISE = "enterprise", _("Enterprise")
    PROVIDER = "provider", _("Service provider")
    AGENCY = "agency", _("Government agency")
    JOURNAL = "journal", _("Journal")
    INCUBATOR = "incubator", _("Incubator")
    FUND = "fund", _("Fund")
    ASSOCIATION = "association", _("Association")


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    PENDING = "pending", _("Verification pending")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Verification rejected")


class Organisation(models.Model):
    public_id = PublicIdField(prefix="org")
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    region = models.CharField(_("region"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    verification_status = models.CharField(
        _("verification"), max_length=20, choices=VerificationStatus.choices, default=VerificationStatus.UNVERIFIED
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~models.Q(credit_code=""), name="organisation_credit_code_unique"
            ),
            models.CheckConstraint(condition=~models.Q(name_zh="", name_en=""), name="organisation_has_a_name"),
        ]

    def __str__(self) -> str:
        return self.name_zh or self.name_en

    def display_name(self, language: str) -> str:
        preferred = self.name_en if language.startswith("en") else self.name_zh
        return preferred or self.name_zh or self.name_en


class Membership(models.Model):
    """One role of one person in one organisation; several roles are several rows."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")]


class Invitation(models.Model):
    public_id = PublicIdField(prefix="inv")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=30, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the secret is shown once."""

    public_id = PublicIdField(prefix="tok")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, help_text="First characters, shown to recognise the token.")
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
