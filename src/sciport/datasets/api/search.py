"""GET /datasets/search: published datasets by words and facets, with facet counts."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Query, Router

from sciport.accounts.auth import OPTIONAL_AUTH_DOC, optional_auth
from sciport.datasets import search
from sciport.datasets.api.deposit import version_out
from sciport.datasets.schemas import search as schemas

router = Router(tags=["datasets"])


@router.get(
    "/datasets/search",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=schemas.DatasetSearchOut,
    summary="Search published datasets in Chinese and English, with facet counts",
)
def dataset_search(request: HttpRequest, params: Query[schemas.DatasetSearchIn]) -> dict[str, Any]:
    language = getattr(request.user, "language", "") or get_language() or settings.LANGUAGE_CODE
    results = search.dataset_search(
        request.user,
        text=params.q,
        filters=params.dict(include=set(search.FACETS)),
        language=language,
        cursor=params.cursor,
        limit=params.limit,
    )
    labels = search.facet_labels(results.facets, language)
    return {
        "items": [
            {
                "dataset_id": hit.version.dataset.public_id,
                "title": hit.version.display_title(language),
                "snippet": hit.snippet,
                "score": hit.score,
                "version": version_out(hit.version),
            }
            for hit in results.hits
        ],
        "next_cursor": results.next_cursor,
        "facets": {
            name: [{"value": value, "label": labels[name][value], "count": count} for value, count in counts.items()]
            for name, counts in results.facets.items()
        },
    }
