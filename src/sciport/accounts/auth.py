"""API authentication: hashed bearer tokens with scopes, or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from sciport.accounts import services
from sciport.accounts.models import TokenScope
from sciport.core.errors import PermissionDenied

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    openapi_description = "An API token from `POST /api/v1/auth/token` or the account page: `Authorization: Bearer sp_…`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = services.token_authenticate(token)
        if api_token is None:
            return None
        needed = TokenScope.READ if request.method in SAFE_METHODS else TokenScope.WRITE
        if needed not in api_token.scopes:
            raise PermissionDenied(_("This token does not have the %(scope)s scope.") % {"scope": needed})
        request.user = api_token.user
        return api_token


class BrowserSession(SessionAuth):
    openapi_description = "The signed-in browser session; unsafe methods need the CSRF token."


api_auth = [TokenAuth(), BrowserSession()]


def _anonymous(request: HttpRequest) -> bool:
    """Lets a caller with no credentials in as anonymous; a wrong or expired token is still refused."""
    return "Authorization" not in request.headers


# For endpoints that also answer anonymous callers; ``OPTIONAL_AUTH_DOC`` goes in ``openapi_extra``
# (in OpenAPI an empty requirement means credentials are optional).
optional_auth = [*api_auth, _anonymous]
OPTIONAL_AUTH_DOC: dict[str, Any] = {"security": [{}]}
