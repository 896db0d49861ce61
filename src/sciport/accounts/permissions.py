"""Who may do what with organisations and their members."""

from sciport.accounts.models import Invitation, Membership, Organisation
from sciport.core.permissions import ANY_ROLE, PLATFORM_STAFF_ONLY, PUBLIC, Role, register


def register_policies() -> None:
    register(
        Organisation,
        owner_field="pk",
        actions={
            "view": {PUBLIC},
            "update": {Role.MANAGER},
            "view_members": ANY_ROLE,
            "manage_members": {Role.MANAGER},
            "view_audit": {Role.MANAGER},
            "verify": PLATFORM_STAFF_ONLY,
        },
    )
    register(Membership, owner_field="organisation", actions={"view": ANY_ROLE, "delete": {Role.MANAGER}})
    register(Invitation, owner_field="organisation", actions={"view": {Role.MANAGER}, "revoke": {Role.MANAGER}})
