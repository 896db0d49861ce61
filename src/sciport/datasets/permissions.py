"""Who may do what in the Science Data Bank.

Organisation roles decide the work on datasets (members deposit, curators curate).
Reading is wider than roles: a published version that is not private is public
metadata; its files follow the access level (see ``selectors.access``).
"""

from sciport.core.permissions import ANY_ROLE, PLATFORM_STAFF_ONLY, PUBLIC, Role, register
from sciport.datasets.models import AccessRequest, Community, Dataset, DatasetVersion, ExportReview, FixityResult, PrivateLink

CURATORS = {Role.CURATOR}


def register_policies() -> None:
    register(Community, owner_field="organisation", actions={"view": {PUBLIC}, "manage": {Role.MANAGER}, "deposit": ANY_ROLE})
    for model in (Dataset, DatasetVersion):
        register(
            model,
            owner_field="organisation",
            actions={
                # Insiders see every version; outsiders see published ones through the selectors.
                "view": ANY_ROLE,
                "edit": ANY_ROLE,
                "curate": CURATORS,
                "share": ANY_ROLE,
            },
        )
    register(AccessRequest, owner_field="organisation", actions={"view": CURATORS | {Role.MANAGER}, "decide": CURATORS})
    register(PrivateLink, owner_field="organisation", actions={"view": ANY_ROLE, "revoke": ANY_ROLE})
    # Export of important data is a platform-level (regulatory) decision, not the owner's.
    register(ExportReview, owner_field="organisation", actions={"view": {Role.MANAGER} | CURATORS, "decide": PLATFORM_STAFF_ONLY})
    # Preservation reports: the owner's curators and platform staff.
    register(FixityResult, owner_field="organisation", actions={"view": CURATORS})
