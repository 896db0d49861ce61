"""Pages of the Science Data Bank (the API lives in ``api/``)."""

from django.urls import path

from sciport.datasets.views import access, browse, curation, deposit, discovery, files, fixity, landing, oai, search, usage

app_name = "datasets"
urlpatterns = [
    path("data/", browse.dataset_list, name="list"),
    path("data/search/", search.dataset_search, name="search"),
    path("data/communities/", browse.community_list, name="communities"),
    path("data/communities/new/", browse.community_create, name="community_create"),
    path("data/communities/<str:community_id>/", browse.community_detail, name="community"),
    path("data/new/", deposit.draft_start, name="create"),
    path("data/my/", deposit.mine, name="mine"),
    path("data/versions/<str:version_id>/edit/", deposit.edit, name="edit"),
    path("data/versions/<str:version_id>/transition/", deposit.transition, name="transition"),
    path("data/versions/<str:version_id>/discard/", deposit.discard, name="discard"),
    path("data/versions/<str:version_id>/comments/", curation.comment, name="comment"),
    path("data/versions/<str:version_id>/curate/", curation.review, name="curate"),
    path("data/versions/<str:version_id>/request-access/", access.request_access, name="request_access"),
    path("data/versions/<str:version_id>/export-review/", access.request_export_review, name="request_export_review"),
    path("data/versions/<str:version_id>/private-links/", access.private_links_page, name="private_links"),
    path("data/private-links/<str:link_id>/revoke/", access.private_link_revoke, name="private_link_revoke"),
    path("data/review/<str:token>/", access.reviewer_landing, name="review"),
    path("data/versions/<str:version_id>/files/", files.file_browser, name="file_browser"),
    path("data/files/<str:file_id>/preview/", files.file_preview, name="file_preview"),
    path("data/files/<str:file_id>/delete/", files.file_delete, name="file_delete"),
    path("data/curation/", curation.queue, name="curation_queue"),
    path("data/fixity/", fixity.report, name="fixity"),
    path("data/access-requests/", access.inbox, name="access_inbox"),
    path("data/access-requests/mine/", access.my_requests, name="my_requests"),
    path("data/access-requests/<str:request_id>/decide/", access.decide, name="access_decide"),
    path("data/access-requests/<str:request_id>/end/", access.request_end, name="access_end"),
    path("data/<str:dataset_id>/new-version/", deposit.new_version, name="new_version"),
    path("data/<str:dataset_id>/", landing.concept, name="concept"),
    path("data/versions/<str:version_id>/", landing.version_landing, name="version"),
    path("data/versions/<str:version_id>/linkset", discovery.linkset, name="linkset"),
    path("pid/<path:pid>", landing.resolve_pid, name="resolve_pid"),
    path("data/assets/plotly.min.js", usage.plotly_script, name="plotly"),
    path("oai", oai.endpoint, name="oai"),
]
