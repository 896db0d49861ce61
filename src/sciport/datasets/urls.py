"""Pages of the Science Data Bank (the API lives in ``api/``)."""

from django.urls import path

from sciport.datasets.views import landing

app_name = "datasets"
urlpatterns = [
    path("data/<str:dataset_id>/", landing.concept, name="concept"),
    path("data/versions/<str:version_id>/", landing.version_landing, name="version"),
    path("pid/<path:pid>", landing.resolve_pid, name="resolve_pid"),
]
