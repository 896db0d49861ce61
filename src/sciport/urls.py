from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from sciport.api import api
from sciport.core import health

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("sciport.accounts.urls")),
    path("notifications/", include("sciport.notifications.urls")),
    path("", include("sciport.datasets.urls")),
    path("", include("sciport.web.urls")),
]
