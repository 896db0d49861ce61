"""The REST API at /api/v1/: one NinjaAPI, each app contributing a router."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from sciport.accounts.api import router as accounts_router
from sciport.accounts.auth import api_auth
from sciport.core import problems
from sciport.core.parsing import JsonParser
from sciport.datasets.api import router as datasets_router
from sciport.notifications.api import router as notifications_router
from sciport.uploads.api import router as uploads_router


class SciportAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The generated document plus the problem+json answers of every operation."""
        return problems.document(super().get_openapi_schema(*args, **kwargs))


api = SciportAPI(
    title="sciport API",
    version="1",
    description=(
        "Open platform for science and technology services. Errors are RFC 9457 problem+json; "
        "lists use cursor pagination (`next_cursor`); POSTs that create or move money accept `Idempotency-Key`."
    ),
    auth=api_auth,
    docs=Swagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
    parser=JsonParser(),
)
problems.install(api)
api.add_router("", accounts_router)
api.add_router("", notifications_router)
api.add_router("", uploads_router)
api.add_router("", datasets_router)
